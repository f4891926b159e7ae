//! Bodies of the cargo-fuzz targets, built and linted with the crate and exercised by
//! proptests in `tests/fuzz_bodies.rs`. Each must never panic on any input.

use crate::known_hosts::KnownHostEntry;
use crate::{PublicKey, PublicKeyLine, SignatureBlob, openssh, pem, ppk};

/// OpenSSH private key files, armored and binary, with a fixed passphrase.
pub fn openssh_key(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = openssh::decode(text, Some(b"fuzz"));
    }
    if let Ok(key) = openssh::decode_binary(data, None) {
        // A decoded key re-encodes and decodes to the same public key.
        let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
        if let Ok(text) = openssh::encode(&key, None, &mut rng) {
            let again = openssh::decode(&text, None).map(|k| k.public_key());
            assert_eq!(again.ok().as_ref(), Some(key.public()));
        }
    }
}

/// PEM private and public keys, PKCS#8 and SubjectPublicKeyInfo DER.
pub fn pem(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = pem::decode_private(text, Some(b"fuzz"));
        let _ = pem::decode_public(text);
    }
    let _ = pem::decode_pkcs8_der(data);
    let _ = pem::decode_encrypted_pkcs8_der(data, Some(b"fuzz"));
    if let Ok(key) = pem::decode_spki_der(data) {
        assert_eq!(PublicKey::from_blob(&key.to_blob()).ok(), Some(key));
    }
}

/// PuTTY `.ppk` files.
pub fn ppk(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ppk::decode(text, Some(b"fuzz"));
    }
}

/// OpenSSH public key lines and RFC 4716 files; what parses re-encodes to the same key.
pub fn public_key_line(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(line) = PublicKeyLine::parse(text) {
        let again = PublicKeyLine::parse(&line.to_line()).ok();
        assert_eq!(again.map(|l| l.key), Some(line.key));
    }
    if let Ok(k) = PublicKeyLine::parse_rfc4716(text) {
        let again = PublicKeyLine::parse_rfc4716(&k.to_rfc4716()).ok();
        assert_eq!(again.map(|l| l.key), Some(k.key));
    }
}

/// Certificates (and any key blob): parse, re-encode exactly, verify without panicking.
pub fn certificate(data: &[u8]) {
    if let Ok(key) = PublicKey::from_blob(data) {
        if let Some(cert) = key.certificate() {
            assert_eq!(cert.blob(), data);
            let _ = cert.verify_signature();
            let _ = cert.validate(crate::CertType::Host, 0, Some("host"));
        }
    }
}

/// known_hosts lines; lookups on what parses never panic.
pub fn known_hosts_line(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(Some(entry)) = KnownHostEntry::parse_line(text) {
        let _ = entry.matches_host("example.com", 22);
        let _ = entry.matches_host("10.0.0.1", 2222);
    }
    let hosts = crate::KnownHosts::parse(text);
    if let Some(e) = hosts.entries().first() {
        let _ = hosts.lookup("example.com", 22, &e.key);
    }
}

/// Public key blobs: what decodes re-encodes to a blob that decodes to the same key.
pub fn public_key_blob(data: &[u8]) {
    if let Ok(key) = PublicKey::from_blob(data) {
        let blob = key.to_blob();
        assert_eq!(PublicKey::from_blob(&blob).ok().as_ref(), Some(&key));
        let _ = key.fingerprint(crate::HashAlg::Sha256);
    }
}

/// Signature blobs: exact round trip, and verification against fixed keys never panics.
pub fn signature_blob(data: &[u8]) {
    if let Ok(sig) = SignatureBlob::decode(data) {
        assert_eq!(sig.to_bytes(), data);
    }
    for key in fixed_keys() {
        for alg in key.signature_algorithms() {
            let _ = key.verify(alg, b"data", data);
        }
    }
}

/// One public key of each type (fixed, so fuzzing is deterministic).
fn fixed_keys() -> Vec<PublicKey> {
    const LINES: [&str; 2] = [
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKWANmpwnMssiRi0TPQvrctuf9M+B46Sd7dGWxwfsJUS",
        "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=",
    ];
    LINES
        .iter()
        .filter_map(|l| PublicKeyLine::parse(l).ok().map(|l| l.key))
        .collect()
}
