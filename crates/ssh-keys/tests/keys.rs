//! Key types, SSH signature blobs and fingerprints against keys made by ssh-keygen.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // tests

mod common;

use std::fs;

use common::*;
use ssh_keys::{HashAlg, KeyError, KeyKind, PrivateKey, PublicKey};

fn rng() -> ssh_keys::rand_core::UnwrapErr<ssh_keys::getrandom::SysRng> {
    ssh_keys::rand_core::UnwrapErr(ssh_keys::getrandom::SysRng)
}

const KINDS: &[KeyKind] = &[
    KeyKind::Ed25519,
    KeyKind::EcdsaP256,
    KeyKind::EcdsaP384,
    KeyKind::EcdsaP521,
    KeyKind::Rsa { bits: 1024 },
    KeyKind::Dsa,
];

#[test]
fn generated_keys_sign_and_verify_every_algorithm() {
    for &kind in KINDS {
        let key = PrivateKey::generate(kind, &mut rng()).unwrap();
        let public = key.public_key();
        assert_eq!(public.key_type(), kind.key_type());
        // The blob round-trips exactly.
        assert_eq!(PublicKey::from_blob(&public.to_blob()).unwrap(), public);
        for &alg in public.signature_algorithms() {
            let sig = key.sign(alg, b"exchange hash").unwrap();
            public.verify(alg, b"exchange hash", &sig).unwrap();
            // Altered data fails.
            assert!(matches!(
                public.verify(alg, b"exchange hasH", &sig),
                Err(KeyError::BadSignature { .. })
            ));
            // Every single-bit flip in the blob fails (with some error).
            for i in 0..sig.len() {
                let mut bad = sig.clone();
                bad[i] ^= 0x01;
                assert!(
                    public.verify(alg, b"exchange hash", &bad).is_err(),
                    "{alg} byte {i}"
                );
            }
            // Trailing bytes fail.
            let mut long = sig.clone();
            long.push(0);
            assert!(public.verify(alg, b"exchange hash", &long).is_err());
        }
        // Another key of the same kind does not verify it.
        let other = PrivateKey::generate(kind, &mut rng()).unwrap().public_key();
        let alg = public.signature_algorithms()[0];
        let sig = key.sign(alg, b"m").unwrap();
        assert!(other.verify(alg, b"m", &sig).is_err());
        // Debug shows no secret: only type, fingerprint, comment.
        let dbg = format!("{key:?}");
        assert!(dbg.contains("SHA256:"), "{dbg}");
    }
}

#[test]
fn rsa_algorithm_names_are_checked_both_ways() {
    let key = PrivateKey::generate(KeyKind::Rsa { bits: 1024 }, &mut rng()).unwrap();
    let public = key.public_key();
    assert_eq!(
        public.signature_algorithms(),
        &["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]
    );
    let sig256 = key.sign("rsa-sha2-256", b"data").unwrap();
    // Blob says rsa-sha2-256 but caller negotiated rsa-sha2-512.
    assert!(matches!(
        public.verify("rsa-sha2-512", b"data", &sig256),
        Err(KeyError::SignatureAlgorithmMismatch { .. })
    ));
    // An algorithm of another key type.
    assert!(matches!(
        public.verify("ssh-ed25519", b"data", &sig256),
        Err(KeyError::AlgorithmMismatch { .. })
    ));
    assert!(matches!(
        key.sign("ecdsa-sha2-nistp256", b"data"),
        Err(KeyError::AlgorithmMismatch { .. })
    ));
}

#[test]
fn ecdsa_signatures_are_deterministic() {
    // RFC 6979: same key and message give the same signature (no RNG-dependent nonce bias).
    for kind in [
        KeyKind::EcdsaP256,
        KeyKind::EcdsaP384,
        KeyKind::EcdsaP521,
        KeyKind::Dsa,
    ] {
        let key = PrivateKey::generate(kind, &mut rng()).unwrap();
        let alg = key.public().signature_algorithms()[0];
        assert_eq!(key.sign(alg, b"m").unwrap(), key.sign(alg, b"m").unwrap());
        assert_ne!(key.sign(alg, b"m").unwrap(), key.sign(alg, b"n").unwrap());
    }
}

#[test]
fn rsa_size_limits() {
    assert!(matches!(
        PrivateKey::generate(KeyKind::Rsa { bits: 512 }, &mut rng()),
        Err(KeyError::Generation { .. })
    ));
    // A 768-bit RSA public key parses (for fingerprints) but is refused on verify.
    let mut n = vec![0xc5u8; 96];
    n[95] |= 1;
    let mut blob = Vec::new();
    ssh_wire::Writer::new(&mut blob)
        .string(b"ssh-rsa")
        .mpint(&[1, 0, 1])
        .mpint(&n);
    let key = PublicKey::from_blob(&blob).unwrap();
    assert_eq!(key.bits(), 768);
    let mut sig = Vec::new();
    ssh_wire::Writer::new(&mut sig)
        .string(b"rsa-sha2-256")
        .string(&[1u8; 96]);
    assert!(matches!(
        key.verify("rsa-sha2-256", b"x", &sig),
        Err(KeyError::RsaKeyTooSmall {
            bits: 768,
            min: 1024
        })
    ));
}

#[test]
fn fingerprints_and_bits_match_ssh_keygen() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in KEYGEN_TYPES {
        let path = keygen(dir.path(), name, args, "");
        let pub_path = path.with_extension("pub");
        let line = fs::read_to_string(&pub_path).unwrap();
        let key = PublicKey::from_blob(&pub_line_blob(&line)).unwrap();
        assert_eq!(
            key.fingerprint(HashAlg::Sha256).to_string(),
            keygen_fingerprint(&pub_path, "sha256"),
            "{name}"
        );
        assert_eq!(
            key.fingerprint(HashAlg::Md5).to_string(),
            keygen_fingerprint(&pub_path, "md5"),
            "{name}"
        );
        assert_eq!(
            key.fingerprint(HashAlg::Sha1).to_string(),
            keygen_fingerprint(&pub_path, "sha1"),
            "{name}"
        );
        assert_eq!(key.bits(), keygen_bits(&pub_path), "{name}");
        let md5 = keygen_fingerprint(&pub_path, "md5");
        assert_eq!(
            key.fingerprint(HashAlg::Md5).hex(),
            md5.trim_start_matches("MD5:")
        );
        assert_eq!(key.fingerprint(HashAlg::Sha256).as_bytes().len(), 32);
    }
}

#[test]
fn hostile_blobs_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in KEYGEN_TYPES {
        let path = keygen(dir.path(), name, args, "");
        let line = fs::read_to_string(path.with_extension("pub")).unwrap();
        let blob = pub_line_blob(&line);
        // Every truncation fails cleanly.
        for len in 0..blob.len() {
            assert!(
                PublicKey::from_blob(&blob[..len]).is_err(),
                "{name} len {len}"
            );
        }
        let mut long = blob.clone();
        long.push(0);
        assert!(PublicKey::from_blob(&long).is_err());
    }
    let mut blob = Vec::new();
    ssh_wire::Writer::new(&mut blob)
        .string(b"ssh-foo")
        .string(b"x");
    assert!(
        matches!(PublicKey::from_blob(&blob), Err(KeyError::UnknownKeyType(t)) if t == "ssh-foo")
    );
    // ed25519 key that is not a point... (y = 2 is not on the curve)
    let mut bad = [0u8; 32];
    bad[0] = 2;
    let mut blob = Vec::new();
    ssh_wire::Writer::new(&mut blob)
        .string(b"ssh-ed25519")
        .string(&bad);
    assert!(matches!(
        PublicKey::from_blob(&blob),
        Err(KeyError::InvalidKey { .. })
    ));
}
