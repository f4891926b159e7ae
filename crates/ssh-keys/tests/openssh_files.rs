//! OpenSSH private key files made by ssh-keygen: every key type, unencrypted and encrypted
//! with every cipher ssh-keygen offers, and the distinct errors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // tests

mod common;

use std::fs;
use std::process::Command;

use base64::Engine as _;
use common::*;
use ssh_keys::openssh::{self, EncryptOptions};
use ssh_keys::{HashAlg, KeyError};

fn rng() -> ssh_keys::rand_core::UnwrapErr<ssh_keys::getrandom::SysRng> {
    ssh_keys::rand_core::UnwrapErr(ssh_keys::getrandom::SysRng)
}

#[test]
fn every_key_type_unencrypted_and_encrypted() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in KEYGEN_TYPES {
        for pass in ["", "correct horse"] {
            let file = format!("{name}-{}", pass.len());
            let path = keygen(dir.path(), &file, args, pass);
            let text = fs::read_to_string(&path).unwrap();
            let key = openssh::decode(&text, Some(pass.as_bytes())).unwrap();
            assert_eq!(
                key.fingerprint(HashAlg::Sha256).to_string(),
                keygen_fingerprint(&path.with_extension("pub"), "sha256"),
                "{file}"
            );
            assert_eq!(key.comment(), "test@example");
            // The loaded key signs, and its own public key verifies.
            for &alg in key.public().signature_algorithms() {
                let sig = key.sign(alg, b"data").unwrap();
                key.public().verify(alg, b"data", &sig).unwrap();
            }
            if !pass.is_empty() {
                assert!(matches!(
                    openssh::decode(&text, None),
                    Err(KeyError::PassphraseRequired { .. })
                ));
                assert!(matches!(
                    openssh::decode(&text, Some(b"wrong")),
                    Err(KeyError::WrongPassphrase { .. })
                ));
            }
        }
    }
}

#[test]
fn every_cipher_ssh_keygen_offers() {
    let dir = tempfile::tempdir().unwrap();
    let ciphers = [
        "aes128-ctr",
        "aes192-ctr",
        "aes256-ctr",
        "aes128-cbc",
        "aes192-cbc",
        "aes256-cbc",
        "3des-cbc",
        "aes128-gcm@openssh.com",
        "aes256-gcm@openssh.com",
        "chacha20-poly1305@openssh.com",
    ];
    for cipher in ciphers {
        let file = cipher.replace(['@', '.'], "_");
        let path = keygen(dir.path(), &file, &["-t", "ed25519", "-Z", cipher], "pw");
        let text = fs::read_to_string(&path).unwrap();
        let key = openssh::decode(&text, Some(b"pw")).unwrap_or_else(|e| panic!("{cipher}: {e}"));
        assert_eq!(
            key.fingerprint(HashAlg::Sha256).to_string(),
            keygen_fingerprint(&path.with_extension("pub"), "sha256"),
            "{cipher}"
        );
        assert!(
            matches!(
                openssh::decode(&text, Some(b"pW")),
                Err(KeyError::WrongPassphrase { .. })
            ),
            "{cipher}"
        );
        // Our writer with the same cipher is readable by ssh-keygen.
        let ours = openssh::encode(
            &key,
            Some(EncryptOptions {
                passphrase: b"pw2",
                cipher,
                rounds: 4,
            }),
            &mut rng(),
        )
        .unwrap();
        let ours_path = dir.path().join(format!("{file}-ours"));
        fs::write(&ours_path, ours).unwrap();
        set_private_mode(&ours_path);
        let out = run(Command::new("ssh-keygen")
            .args(["-y", "-P", "pw2", "-f"])
            .arg(&ours_path));
        assert_eq!(pub_line_blob(&out), key.public().to_blob(), "{cipher}");
    }
}

#[test]
fn unencrypted_files_we_write_are_read_by_ssh_keygen() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in KEYGEN_TYPES {
        let path = keygen(dir.path(), name, args, "");
        let key = openssh::decode(&fs::read_to_string(&path).unwrap(), None).unwrap();
        let ours = openssh::encode(&key, None, &mut rng()).unwrap();
        let again = openssh::decode(&ours, None).unwrap();
        assert_eq!(again.public(), key.public());
        assert_eq!(again.comment(), key.comment());
        let ours_path = dir.path().join(format!("{name}-ours"));
        fs::write(&ours_path, ours).unwrap();
        set_private_mode(&ours_path);
        let out = run(Command::new("ssh-keygen")
            .args(["-y", "-f"])
            .arg(&ours_path));
        assert_eq!(pub_line_blob(&out), key.public().to_blob(), "{name}");
    }
}

#[test]
fn truncated_and_unsupported_files_give_distinct_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = keygen(dir.path(), "k", &["-t", "ed25519"], "pw");
    let text = fs::read_to_string(&path).unwrap();

    // Missing END line: truncated.
    let cut = &text[..text.len() / 2];
    assert!(matches!(
        openssh::decode(cut, Some(b"pw")),
        Err(KeyError::Truncated { .. })
    ));

    // Binary body cut short at every length: never a panic, never success.
    let armor_body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    let bin = base64::engine::general_purpose::STANDARD
        .decode(armor_body)
        .unwrap();
    for len in 0..bin.len() {
        let err = openssh::decode_binary(&bin[..len], Some(b"pw")).unwrap_err();
        assert!(
            matches!(
                err,
                KeyError::Truncated { .. } | KeyError::MalformedFile { .. }
            ),
            "len {len}: {err}"
        );
    }
    // Cut inside the container header is reported as truncation.
    assert!(matches!(
        openssh::decode_binary(&bin[..40], Some(b"pw")),
        Err(KeyError::Truncated { .. })
    ));

    // Unknown cipher name of the same length.
    let pos = bin.windows(10).position(|w| w == b"aes256-ctr").unwrap();
    let mut odd = bin.clone();
    odd[pos..pos + 10].copy_from_slice(b"aes256-xts");
    assert!(matches!(
        openssh::decode_binary(&odd, Some(b"pw")),
        Err(KeyError::UnsupportedCipher { cipher, .. }) if cipher == "aes256-xts"
    ));
    // Unknown KDF.
    let pos = bin.windows(6).position(|w| w == b"bcrypt").unwrap();
    let mut odd = bin.clone();
    odd[pos..pos + 6].copy_from_slice(b"scrypt");
    assert!(matches!(
        openssh::decode_binary(&odd, Some(b"pw")),
        Err(KeyError::UnsupportedKdf { .. })
    ));
}

fn set_private_mode(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).unwrap();
}
