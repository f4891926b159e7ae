//! Shared setup for the SftpClient surface tests.

// Test helpers outside #[test] functions are not covered by clippy.toml's allow-in-tests.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use std::sync::{Arc, Mutex};

use sftpclient::SftpClient;
use ssh_keys::{HashAlg, PublicKeyLine};
use ssh_test::Sshd;

/// The server's host key fingerprints (SHA-256, colon hex), comma-separated.
pub fn host_fingerprints(sshd: &Sshd) -> String {
    sshd.host_public_keys()
        .iter()
        .map(|k| {
            PublicKeyLine::parse(&k.line)
                .unwrap()
                .key
                .fingerprint(HashAlg::Sha256)
                .hex()
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A client for `sshd` that trusts its host keys and logs on with the harness's client
/// key (public key authentication works as any user).
pub fn client(sshd: &Sshd) -> SftpClient {
    let mut c = SftpClient::new();
    c.set_ssh_host("127.0.0.1").unwrap();
    c.set_ssh_port(sshd.port()).unwrap();
    c.set_ssh_user(sshd.user()).unwrap();
    c.set_timeout(20).unwrap();
    c.config(&format!(
        "SSHAcceptServerHostKeyFingerPrint={}",
        host_fingerprints(sshd)
    ))
    .unwrap();
    c.set_ssh_auth_mode(3).unwrap();
    c.set_ssh_cert_store_type(99).unwrap();
    c.set_ssh_cert_store(sshd.client_key_path().to_str().unwrap())
        .unwrap();
    c.set_ssh_cert_subject("*").unwrap();
    c
}

/// A client for `sshd` logged on at SFTP version `version`.
pub fn logged_on(sshd: &Sshd, version: u32) -> SftpClient {
    let mut c = client(sshd);
    c.config(&format!("ProtocolVersion={version}")).unwrap();
    c.ssh_logon("127.0.0.1", sshd.port()).unwrap();
    c
}

/// A shared log of strings, for event handlers.
pub type Log = Arc<Mutex<Vec<String>>>;

pub fn new_log() -> Log {
    Arc::new(Mutex::new(Vec::new()))
}

pub fn take(log: &Log) -> Vec<String> {
    std::mem::take(&mut *log.lock().unwrap())
}

/// Deterministic test data.
pub fn data(len: usize, seed: u32) -> Vec<u8> {
    (0..len as u32)
        .map(|i| (i.wrapping_add(seed).wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}
