//! Runs every fuzz-target body over random and mutated inputs (must never panic), and
//! round-trips the codecs with proptest.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // tests

use proptest::prelude::*;
use ssh_keys::{KeyKind, PrivateKey, PublicKey, PublicKeyLine, SignatureBlob, fuzzing};

fn all(data: &[u8]) {
    fuzzing::openssh_key(data);
    fuzzing::pem(data);
    fuzzing::ppk(data);
    fuzzing::public_key_line(data);
    fuzzing::certificate(data);
    fuzzing::known_hosts_line(data);
    fuzzing::public_key_blob(data);
    fuzzing::signature_blob(data);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn fuzz_bodies_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        all(&data);
    }

    #[test]
    fn signature_blob_round_trip(alg in "[a-z0-9-]{1,30}", sig in proptest::collection::vec(any::<u8>(), 0..200)) {
        let blob = SignatureBlob { algorithm: &alg, signature: &sig }.to_bytes();
        let back = SignatureBlob::decode(&blob).unwrap();
        prop_assert_eq!(back.algorithm, alg.as_str());
        prop_assert_eq!(back.signature, sig.as_slice());
    }

    #[test]
    fn mutated_key_blobs_never_panic(kind in 0usize..5, pos in any::<usize>(), byte in any::<u8>()) {
        let blob = sample_blobs()[kind].clone();
        let mut m = blob.clone();
        let i = pos % m.len();
        m[i] = byte;
        all(&m);
        // Truncations too.
        all(&blob[..i]);
    }
}

fn sample_blobs() -> &'static [Vec<u8>] {
    static BLOBS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    BLOBS.get_or_init(|| {
        let mut rng = ssh_keys::rand_core::UnwrapErr(ssh_keys::getrandom::SysRng);
        [
            KeyKind::Ed25519,
            KeyKind::EcdsaP256,
            KeyKind::EcdsaP384,
            KeyKind::EcdsaP521,
            KeyKind::Dsa,
        ]
        .iter()
        .map(|&k| {
            PrivateKey::generate(k, &mut rng)
                .unwrap()
                .public_key()
                .to_blob()
        })
        .collect()
    })
}

#[test]
fn generated_keys_round_trip_through_every_writer() {
    let mut rng = ssh_keys::rand_core::UnwrapErr(ssh_keys::getrandom::SysRng);
    for kind in [
        KeyKind::Ed25519,
        KeyKind::EcdsaP256,
        KeyKind::EcdsaP521,
        KeyKind::Rsa { bits: 1024 },
        KeyKind::Dsa,
    ] {
        let mut key = PrivateKey::generate(kind, &mut rng).unwrap();
        key.set_comment("c");
        let public = key.public_key();
        assert_eq!(PublicKey::from_blob(&public.to_blob()).unwrap(), public);
        let line = PublicKeyLine {
            key: public.clone(),
            comment: "c".into(),
        };
        assert_eq!(PublicKeyLine::parse(&line.to_line()).unwrap(), line);
        assert_eq!(
            PublicKeyLine::parse_rfc4716(&line.to_rfc4716()).unwrap(),
            line
        );
        let text = ssh_keys::openssh::encode(&key, None, &mut rng).unwrap();
        all(text.as_bytes());
        assert_eq!(
            ssh_keys::openssh::decode(&text, None).unwrap().public(),
            &public
        );
        for v in [2, 3] {
            let ppk = ssh_keys::ppk::encode_unencrypted(&key, v).unwrap();
            all(ppk.as_bytes());
            assert_eq!(ssh_keys::ppk::decode(&ppk, None).unwrap().public(), &public);
        }
    }
}
