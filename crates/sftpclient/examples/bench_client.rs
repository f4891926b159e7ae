//! The client side of `cargo xtask bench`: one operation through the native stack, timed by
//! the caller (whole-process wall time, CPU and RSS, like the OpenSSH `sftp` it is compared
//! with).
//!
//! ```text
//! bench_client get REMOTE LOCAL | put LOCAL REMOTE | get-dir REMOTE_DIR LOCAL_DIR |
//!              put-dir LOCAL_DIR REMOTE_DIR | list REMOTE_DIR | connect
//! ```
//!
//! Connection from the environment: `BENCH_HOST`, `BENCH_PORT`, `BENCH_USER`, `BENCH_KEY`,
//! `BENCH_KNOWN_HOSTS`, optional `BENCH_CIPHER`, `BENCH_KEX`, `BENCH_MAC`; for experiments,
//! `BENCH_CHANNELS` (both directions) and `BENCH_OUTSTANDING` override
//! [`SftpConfig::download_channels`], [`SftpConfig::upload_channels`] and
//! [`SftpConfig::max_outstanding`].

use std::process::ExitCode;

use sftpclient::{Session, Sftp, SftpConfig, TransferOptions};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench_client: {e}");
            ExitCode::FAILURE
        }
    }
}

fn env(name: &str) -> Result<String> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

fn connect() -> Result<(Session, Sftp)> {
    let mut builder = Session::builder(env("BENCH_HOST")?)
        .port(env("BENCH_PORT")?.parse()?)
        .user(env("BENCH_USER")?)
        .known_hosts(env("BENCH_KNOWN_HOSTS")?)
        .private_key_file(env("BENCH_KEY")?, None)?;
    let config = builder.transport_config_mut();
    for (var, list) in [
        ("BENCH_CIPHER", &mut config.ciphers),
        ("BENCH_KEX", &mut config.kex_algorithms),
        ("BENCH_MAC", &mut config.macs),
    ] {
        if let Ok(value) = std::env::var(var) {
            *list = value.split(',').map(str::to_owned).collect();
        }
    }
    let session = builder.connect()?;
    let mut sftp_config = SftpConfig::default();
    if let Ok(n) = std::env::var("BENCH_CHANNELS") {
        sftp_config.download_channels = n.parse()?;
        sftp_config.upload_channels = sftp_config.download_channels;
    }
    if let Ok(n) = std::env::var("BENCH_OUTSTANDING") {
        sftp_config.max_outstanding = n.parse()?;
    }
    let sftp = session.sftp(sftp_config)?;
    Ok((session, sftp))
}

fn run(args: &[String]) -> Result<()> {
    let overwrite = TransferOptions {
        overwrite: true,
        ..TransferOptions::default()
    };
    let (session, sftp) = connect()?;
    match args {
        [op, remote, local] if op == "get" => {
            sftp.download(remote, local, &overwrite)?;
        }
        [op, local, remote] if op == "put" => {
            sftp.upload(local, remote, &overwrite)?;
        }
        [op, remote_dir, local_dir] if op == "get-dir" => {
            let pairs: Vec<(String, std::path::PathBuf)> = sftp
                .read_dir(remote_dir)?
                .map(|e| {
                    e.map(|e| {
                        let name = e.file_name();
                        (
                            format!("{remote_dir}/{name}"),
                            std::path::Path::new(local_dir).join(name),
                        )
                    })
                })
                .collect::<std::result::Result<_, _>>()?;
            sftp.download_many(&pairs, &overwrite)?;
        }
        [op, local_dir, remote_dir] if op == "put-dir" => {
            let mut pairs = Vec::new();
            for entry in std::fs::read_dir(local_dir)? {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                pairs.push((entry.path(), format!("{remote_dir}/{name}")));
            }
            sftp.upload_many(&pairs, &overwrite)?;
        }
        [op, remote_dir] if op == "list" => {
            let n = sftp.read_dir(remote_dir)?.count();
            if n == 0 {
                return Err("empty listing".into());
            }
        }
        [op] if op == "connect" => {
            sftp.canonicalize(".")?;
        }
        _ => return Err("usage: see the example's docs".into()),
    }
    drop(sftp);
    session.disconnect()?;
    Ok(())
}
