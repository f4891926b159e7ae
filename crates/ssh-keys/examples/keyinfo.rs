//! Prints a key file's bit length, SHA256 and MD5 fingerprints, comment and algorithm, like
//! `ssh-keygen -l`: `cargo run -p ssh-keys --example keyinfo -- FILE [--passphrase P]`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut path = None;
    let mut passphrase = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--passphrase" => match it.next() {
                Some(p) => passphrase = Some(p.clone()),
                None => return usage("--passphrase needs a value"),
            },
            other if path.is_none() => path = Some(other.to_owned()),
            other => return usage(&format!("unexpected argument `{other}`")),
        }
    }
    let Some(path) = path else {
        return usage("missing FILE");
    };
    match ssh_keys::describe(
        std::path::Path::new(&path),
        passphrase.as_deref().map(str::as_bytes),
    ) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("keyinfo: {path}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("keyinfo: {problem}\nusage: keyinfo FILE [--passphrase P]");
    ExitCode::from(2)
}
