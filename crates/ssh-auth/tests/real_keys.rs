//! Public key authentication with real keys from `ssh-keys`: the signature the scripted
//! server receives verifies over the RFC 4252 §7 data.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use ssh_auth::msg::{MethodRequest, UserauthRequest, publickey_signed_data};
use ssh_auth::{AuthClient, AuthConfig, AuthMode, KeySigner, Signer};
use ssh_keys::{KeyKind, PrivateKey, PublicKey};
use ssh_wire::Decode;

fn generate(kind: KeyKind) -> PrivateKey {
    let mut rng = ssh_keys::rand_core::UnwrapErr(ssh_keys::getrandom::SysRng);
    PrivateKey::generate(kind, &mut rng).unwrap()
}

fn logon_with(key: PrivateKey, server_sig_algs: Option<Vec<String>>, expect_alg: &str) {
    let signer = KeySigner::new(key);
    let blob = signer.public_key_blob().to_vec();
    let public = PublicKey::from_blob(&blob).unwrap();
    let mut c = AuthClient::new(
        AuthConfig::new("alice", AuthMode::PublicKey).with_key(Box::new(signer)),
        SESSION_ID,
        server_sig_algs,
    )
    .unwrap();
    start(&mut c, &failure("publickey", false));
    let probe = one_request(&mut c);
    let MethodRequest::PublicKey { algorithm, .. } =
        UserauthRequest::from_bytes(&probe).unwrap().method
    else {
        panic!()
    };
    assert_eq!(algorithm, expect_alg);
    c.handle_payload(&pk_ok(expect_alg, &blob)).unwrap();
    let signed = one_request(&mut c);
    let MethodRequest::PublicKey {
        signature: Some(sig),
        ..
    } = UserauthRequest::from_bytes(&signed).unwrap().method
    else {
        panic!()
    };
    let data = publickey_signed_data(SESSION_ID, "alice", "ssh-connection", expect_alg, &blob);
    public.verify(expect_alg, &data, sig).unwrap();
    // A signature over other data (another session) must not verify.
    let other = publickey_signed_data(b"other", "alice", "ssh-connection", expect_alg, &blob);
    assert!(public.verify(expect_alg, &other, sig).is_err());
    c.handle_payload(&success()).unwrap();
    assert!(c.is_authenticated());
}

#[test]
fn ed25519_and_ecdsa_signatures_verify() {
    logon_with(generate(KeyKind::Ed25519), None, "ssh-ed25519");
    logon_with(generate(KeyKind::EcdsaP256), None, "ecdsa-sha2-nistp256");
    logon_with(generate(KeyKind::EcdsaP384), None, "ecdsa-sha2-nistp384");
}

#[test]
fn rsa_sha2_selection_with_real_signatures() {
    let key = || generate(KeyKind::Rsa { bits: 2048 });
    let all = vec![
        "rsa-sha2-512".into(),
        "rsa-sha2-256".into(),
        "ssh-rsa".into(),
    ];
    logon_with(key(), Some(all), "rsa-sha2-512");
    logon_with(key(), Some(vec!["rsa-sha2-256".into()]), "rsa-sha2-256");
    logon_with(key(), None, "ssh-rsa");
}
