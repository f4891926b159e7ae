//! Helpers shared by the integration tests: run the real tools on temp files.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;

/// Runs a command, panicking with its stderr when it fails; returns stdout.
pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("spawn tool");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf8 output")
}

/// `ssh-keygen -q -N pass -f dir/name -t type [extra...]` with 4 bcrypt rounds; returns the path.
pub fn keygen(dir: &Path, name: &str, args: &[&str], passphrase: &str) -> PathBuf {
    let path = dir.join(name);
    let mut cmd = Command::new("ssh-keygen");
    cmd.args([
        "-q",
        "-a",
        "4",
        "-N",
        passphrase,
        "-C",
        "test@example",
        "-f",
    ])
    .arg(&path)
    .args(args);
    run(&mut cmd);
    path
}

/// The fingerprint `ssh-keygen -l -E hash -f path` prints (second field).
pub fn keygen_fingerprint(path: &Path, hash: &str) -> String {
    let out = run(Command::new("ssh-keygen")
        .args(["-l", "-E", hash, "-f"])
        .arg(path));
    out.split_whitespace()
        .nth(1)
        .expect("fingerprint field")
        .to_owned()
}

/// The bit count `ssh-keygen -l -f path` prints (first field).
pub fn keygen_bits(path: &Path) -> u32 {
    let out = run(Command::new("ssh-keygen").args(["-l", "-f"]).arg(path));
    out.split_whitespace()
        .next()
        .expect("bits")
        .parse()
        .expect("number")
}

/// The blob of an OpenSSH public key line (`type base64 comment`).
pub fn pub_line_blob(line: &str) -> Vec<u8> {
    let b64 = line.split_whitespace().nth(1).expect("base64 field");
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64")
}

/// Every ssh-keygen key type with its `-t`/`-b` arguments.
pub const KEYGEN_TYPES: &[(&str, &[&str])] = &[
    ("ed25519", &["-t", "ed25519"]),
    ("ecdsa256", &["-t", "ecdsa", "-b", "256"]),
    ("ecdsa384", &["-t", "ecdsa", "-b", "384"]),
    ("ecdsa521", &["-t", "ecdsa", "-b", "521"]),
    ("rsa", &["-t", "rsa", "-b", "2048"]),
    ("dsa", &["-t", "dsa"]),
];
