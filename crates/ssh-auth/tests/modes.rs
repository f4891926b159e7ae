//! Every ssh_auth_mode against a scripted server.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use ssh_auth::msg::{InfoResponse, MethodRequest, UserauthRequest};
use ssh_auth::{
    AuthClient, AuthConfig, AuthError, AuthEvent, AuthMode, CertSigner, PromptPattern, Signer,
};
use ssh_wire::{Decode, Writer};

fn client(config: AuthConfig) -> AuthClient {
    AuthClient::new(config, SESSION_ID, None).unwrap()
}

fn method(req: &[u8]) -> MethodRequest<'_> {
    UserauthRequest::from_bytes(req).unwrap().method
}

#[test]
fn none_succeeds() {
    let mut c = client(AuthConfig::new("alice", AuthMode::None));
    start(&mut c, &success());
    assert!(c.is_authenticated());
    assert_eq!(events(&mut c), vec![AuthEvent::Success]);
    assert_eq!(c.poll_timeout(), None);
}

#[test]
fn none_refused_names_allowed_methods() {
    let mut c = client(AuthConfig::new("alice", AuthMode::None));
    let out = sent(&mut c);
    assert_eq!(out.len(), 1);
    c.handle_payload(&service_accept()).unwrap();
    one_request(&mut c);
    let err = c
        .handle_payload(&failure("publickey,password", false))
        .unwrap_err();
    assert_eq!(
        err,
        AuthError::NoMethodsLeft {
            allowed: vec!["publickey".into(), "password".into()],
            tried: vec!["none".into()],
            partial_success: false
        }
    );
    assert_eq!(err.seed_code(), 1032);
    assert_eq!(err.disconnect_reason(), 14);
    assert!(!c.is_authenticated());
}

#[test]
fn password_success_and_wire_form() {
    let mut c = client(AuthConfig::new("alice", AuthMode::Password).with_password("s3cret"));
    start(&mut c, &failure("publickey,password", false));
    let req = one_request(&mut c);
    let mut expected = vec![0x32];
    Writer::new(&mut expected)
        .string(b"alice")
        .string(b"ssh-connection")
        .string(b"password")
        .bool(false)
        .string(b"s3cret");
    assert_eq!(req, expected);
    c.handle_payload(&success()).unwrap();
    assert!(c.is_authenticated());
}

#[test]
fn wrong_password_fails_with_allowed_methods() {
    let mut c = client(AuthConfig::new("alice", AuthMode::Password).with_password("wrong"));
    start(&mut c, &failure("publickey,password", false));
    one_request(&mut c);
    let err = c
        .handle_payload(&failure("publickey,password", false))
        .unwrap_err();
    assert!(
        matches!(&err, AuthError::NoMethodsLeft { allowed, .. } if allowed == &["publickey", "password"])
    );
    assert_eq!(err.seed_code(), 1032);
    // Sticky.
    assert_eq!(c.handle_payload(&success()).unwrap_err(), err);
    assert!(!c.is_authenticated());
}

#[test]
fn password_mode_without_password_is_a_config_error() {
    let err =
        AuthClient::new(AuthConfig::new("alice", AuthMode::Password), b"x", None).unwrap_err();
    assert!(matches!(
        err,
        AuthError::MissingCredential {
            credential: "password",
            ..
        }
    ));
    let err =
        AuthClient::new(AuthConfig::new("alice", AuthMode::PublicKey), b"x", None).unwrap_err();
    assert!(matches!(
        err,
        AuthError::MissingCredential {
            credential: "key",
            ..
        }
    ));
}

#[test]
fn password_change_request_is_its_own_outcome() {
    let mut c = client(AuthConfig::new("alice", AuthMode::Password).with_password("old"));
    start(&mut c, &failure("password", false));
    one_request(&mut c);
    events(&mut c);
    c.handle_payload(&passwd_changereq("Password expired"))
        .unwrap();
    assert_eq!(
        events(&mut c),
        vec![AuthEvent::PasswordChangeRequired {
            prompt: "Password expired".into(),
            language: String::new()
        }]
    );
    c.change_password("new").unwrap();
    let req = one_request(&mut c);
    assert_eq!(
        method(&req),
        MethodRequest::PasswordChange {
            old: "old",
            new: "new"
        }
    );
    // The new password is not good enough: asked again; this time decline.
    c.handle_payload(&passwd_changereq("Too short")).unwrap();
    let err = c.decline_password_change().unwrap_err();
    assert_eq!(
        err,
        AuthError::PasswordChangeRequired {
            prompt: "Too short".into()
        }
    );
    assert_eq!(c.error(), Some(&err));
}

#[test]
fn password_change_then_success() {
    let mut c = client(AuthConfig::new("alice", AuthMode::Password).with_password("old"));
    start(&mut c, &failure("password", false));
    one_request(&mut c);
    c.handle_payload(&passwd_changereq("expired")).unwrap();
    c.change_password("new").unwrap();
    one_request(&mut c);
    c.handle_payload(&success()).unwrap();
    assert!(c.is_authenticated());
}

#[test]
fn publickey_probe_then_sign_exact_bytes() {
    let key = FakeSigner::new("ssh-ed25519", &[7; 32]);
    let calls = key.calls.clone();
    let blob = key.blob.clone();
    let mut c = client(AuthConfig::new("alice", AuthMode::PublicKey).with_key(Box::new(key)));
    start(&mut c, &failure("publickey", false));
    let probe = one_request(&mut c);
    assert_eq!(
        method(&probe),
        MethodRequest::PublicKey {
            algorithm: "ssh-ed25519",
            public_key: &blob,
            signature: None
        }
    );
    c.handle_payload(&pk_ok("ssh-ed25519", &blob)).unwrap();
    let signed = one_request(&mut c);

    // RFC 4252 §7: string session identifier || the request up to the blob, has_sig TRUE.
    let mut expected_data = Vec::new();
    Writer::new(&mut expected_data)
        .string(SESSION_ID)
        .u8(50)
        .string(b"alice")
        .string(b"ssh-connection")
        .string(b"publickey")
        .bool(true)
        .string(b"ssh-ed25519")
        .string(&blob);
    assert_eq!(
        calls.lock().unwrap().as_slice(),
        &[("ssh-ed25519".to_owned(), expected_data.clone())]
    );
    let MethodRequest::PublicKey {
        algorithm,
        public_key,
        signature: Some(sig),
    } = method(&signed)
    else {
        panic!("not a signed publickey request");
    };
    assert_eq!((algorithm, public_key), ("ssh-ed25519", blob.as_slice()));
    assert_eq!(
        fake_sig_parts(sig),
        ("ssh-ed25519".into(), expected_data.clone())
    );
    // The signed request is the signed data minus the session id, plus the signature.
    assert_eq!(
        signed.get(..signed.len() - sig.len() - 4).unwrap(),
        &expected_data[4 + SESSION_ID.len()..]
    );
    c.handle_payload(&success()).unwrap();
    assert!(c.is_authenticated());
}

#[test]
fn publickey_tries_each_key_then_fails() {
    let k1 = FakeSigner::new("ssh-ed25519", &[1; 32]);
    let k2 = FakeSigner::new("ecdsa-sha2-nistp256", &[2; 65]);
    let (b1, b2) = (k1.blob.clone(), k2.blob.clone());
    let mut c = client(
        AuthConfig::new("alice", AuthMode::PublicKey)
            .with_key(Box::new(k1))
            .with_key(Box::new(k2)),
    );
    start(&mut c, &failure("publickey,password", false));
    assert!(
        matches!(method(&one_request(&mut c)), MethodRequest::PublicKey { public_key, .. } if public_key == b1)
    );
    c.handle_payload(&failure("publickey,password", false))
        .unwrap();
    assert!(
        matches!(method(&one_request(&mut c)), MethodRequest::PublicKey { public_key, algorithm: "ecdsa-sha2-nistp256", .. } if public_key == b2)
    );
    let err = c
        .handle_payload(&failure("publickey,password", false))
        .unwrap_err();
    assert!(
        matches!(err, AuthError::NoMethodsLeft { ref tried, .. } if tried == &["none", "publickey"])
    );
}

fn rsa_probe_algorithm(server_sig_algs: Option<&[&str]>, enabled: Option<&[&str]>) -> String {
    let key = FakeSigner::new("ssh-rsa", &[3; 256]);
    let mut config = AuthConfig::new("alice", AuthMode::PublicKey).with_key(Box::new(key));
    config.pubkey_algorithms = enabled.map(|l| l.iter().map(|s| s.to_string()).collect());
    let sigs = server_sig_algs.map(|l| l.iter().map(|s| s.to_string()).collect());
    let mut c = AuthClient::new(config, SESSION_ID, sigs).unwrap();
    start(&mut c, &failure("publickey", false));
    let probe = one_request(&mut c);
    let MethodRequest::PublicKey { algorithm, .. } = method(&probe) else {
        panic!()
    };
    algorithm.to_owned()
}

#[test]
fn rsa_signature_algorithm_follows_server_sig_algs() {
    let both = ["ssh-ed25519", "rsa-sha2-256", "rsa-sha2-512"];
    assert_eq!(rsa_probe_algorithm(Some(&both), None), "rsa-sha2-512");
    assert_eq!(
        rsa_probe_algorithm(Some(&["ssh-rsa", "rsa-sha2-256"]), None),
        "rsa-sha2-256"
    );
    // No server-sig-algs: the legacy name, as RFC 8332 §3.3 advises.
    assert_eq!(rsa_probe_algorithm(None, None), "ssh-rsa");
    // SSHPubKeyAuthSigAlgorithms orders the choice.
    assert_eq!(
        rsa_probe_algorithm(Some(&both), Some(&["rsa-sha2-256", "rsa-sha2-512"])),
        "rsa-sha2-256"
    );
}

#[test]
fn rsa_key_signs_with_the_selected_algorithm() {
    let key = FakeSigner::new("ssh-rsa", &[3; 256]);
    let calls = key.calls.clone();
    let blob = key.blob.clone();
    let mut c = AuthClient::new(
        AuthConfig::new("alice", AuthMode::PublicKey).with_key(Box::new(key)),
        SESSION_ID,
        Some(vec!["rsa-sha2-256".into()]),
    )
    .unwrap();
    start(&mut c, &failure("publickey", false));
    one_request(&mut c);
    c.handle_payload(&pk_ok("rsa-sha2-256", &blob)).unwrap();
    one_request(&mut c);
    assert_eq!(calls.lock().unwrap()[0].0, "rsa-sha2-256");
}

#[test]
fn certificate_from_signed_ssh_cert() {
    use base64::Engine as _;
    let inner = FakeSigner::new("ssh-rsa", &[5; 256]);
    let calls = inner.calls.clone();
    let cert_blob = blob("ssh-rsa-cert-v01@openssh.com", b"nonce+key+principals+sig");
    let line = format!(
        "rsa-sha2-256-cert-v01@openssh.com {}",
        base64::engine::general_purpose::STANDARD.encode(&cert_blob)
    );
    let cert = CertSigner::from_signed_ssh_cert(&line, Box::new(inner)).unwrap();
    assert_eq!(cert.public_key_blob(), cert_blob.as_slice());
    let mut c = client(AuthConfig::new("alice", AuthMode::PublicKey).with_key(Box::new(cert)));
    start(&mut c, &failure("publickey", false));
    let probe = one_request(&mut c);
    assert_eq!(
        method(&probe),
        MethodRequest::PublicKey {
            algorithm: "rsa-sha2-256-cert-v01@openssh.com",
            public_key: &cert_blob,
            signature: None
        }
    );
    c.handle_payload(&pk_ok("rsa-sha2-256-cert-v01@openssh.com", &cert_blob))
        .unwrap();
    one_request(&mut c);
    // The inner key signs with the plain algorithm over data naming the cert algorithm.
    let (alg, data) = calls.lock().unwrap()[0].clone();
    assert_eq!(alg, "rsa-sha2-256");
    assert!(
        data.windows(33)
            .any(|w| w == b"rsa-sha2-256-cert-v01@openssh.com")
    );
    c.handle_payload(&success()).unwrap();
}

#[test]
fn signed_ssh_cert_rejects_mismatched_algorithm() {
    use base64::Engine as _;
    let cert_blob = blob("ssh-ed25519-cert-v01@openssh.com", b"x");
    let line = format!(
        "rsa-sha2-256-cert-v01@openssh.com {}",
        base64::engine::general_purpose::STANDARD.encode(&cert_blob)
    );
    let inner = FakeSigner::new("ssh-ed25519", &[1; 32]);
    assert!(CertSigner::from_signed_ssh_cert(&line, Box::new(inner.clone())).is_err());
    assert!(CertSigner::from_signed_ssh_cert("ssh-ed25519 AAAA", Box::new(inner.clone())).is_err());
    assert!(CertSigner::from_signed_ssh_cert("nonsense", Box::new(inner)).is_err());
}

#[test]
fn keyboard_interactive_one_event_per_prompt_with_autofill() {
    let mut config = AuthConfig::new("alice", AuthMode::KeyboardInteractive).with_password("pw");
    config.password_prompt = Some(PromptPattern::new("Password:"));
    let mut c = client(config);
    start(&mut c, &failure("keyboard-interactive", false));
    events(&mut c);
    let req = one_request(&mut c);
    assert_eq!(
        method(&req),
        MethodRequest::KeyboardInteractive {
            language: "",
            submethods: ""
        }
    );
    c.handle_payload(&info_request(
        "CRYPTOCard Authentication",
        "Answer both",
        &[("Password: ", false), ("Token: ", true)],
    ))
    .unwrap();
    let ev = events(&mut c);
    assert_eq!(ev.len(), 2);
    let AuthEvent::Prompt(p0) = &ev[0] else {
        panic!()
    };
    let AuthEvent::Prompt(p1) = &ev[1] else {
        panic!()
    };
    assert_eq!(
        (
            p0.name.as_str(),
            p0.instructions.as_str(),
            p0.prompt.as_str()
        ),
        ("CRYPTOCard Authentication", "Answer both", "Password: ")
    );
    assert!(p0.prefilled && !p0.echo);
    assert!(!p1.prefilled && p1.echo);
    assert_eq!((p1.index, p1.count, p1.round), (1, 2, 1));
    assert!(
        sent(&mut c).is_empty(),
        "nothing is sent before the caller answers"
    );
    c.set_prompt_response(1, "123456").unwrap();
    assert!(c.set_prompt_response(2, "x").is_err());
    c.send_prompt_responses().unwrap();
    let out = sent(&mut c);
    assert_eq!(
        InfoResponse::from_bytes(&out[0]).unwrap().responses,
        vec!["pw", "123456"]
    );
    // A second round with no prompts is answered at once (PAM does this).
    c.handle_payload(&info_request("", "", &[])).unwrap();
    assert_eq!(sent(&mut c), vec![vec![0x3d, 0, 0, 0, 0]]);
    c.handle_payload(&success()).unwrap();
    assert!(c.is_authenticated());
}

#[test]
fn multifactor_follows_partial_success() {
    let key = FakeSigner::new("ssh-ed25519", &[9; 32]);
    let blob = key.blob.clone();
    let mut c = client(
        AuthConfig::new("alice", AuthMode::MultiFactor)
            .with_password("pw")
            .with_key(Box::new(key)),
    );
    start(&mut c, &failure("publickey,password", false));
    one_request(&mut c);
    c.handle_payload(&pk_ok("ssh-ed25519", &blob)).unwrap();
    one_request(&mut c);
    // Key accepted, password still needed.
    c.handle_payload(&failure("password", true)).unwrap();
    let req = one_request(&mut c);
    assert_eq!(method(&req), MethodRequest::Password { password: "pw" });
    let ev = events(&mut c);
    assert!(ev.contains(&AuthEvent::Failure {
        method: "publickey".into(),
        allowed: vec!["password".into()],
        partial_success: true
    }));
    c.handle_payload(&success()).unwrap();
    assert!(c.is_authenticated());
}

fn two_key_multifactor(do_not_repeat: bool) -> Result<(), AuthError> {
    let k1 = FakeSigner::new("ssh-ed25519", &[1; 32]);
    let k2 = FakeSigner::new("ssh-ed25519", &[2; 32]);
    let (b1, b2) = (k1.blob.clone(), k2.blob.clone());
    let mut config = AuthConfig::new("alice", AuthMode::MultiFactor)
        .with_key(Box::new(k1))
        .with_key(Box::new(k2));
    config.do_not_repeat_methods = do_not_repeat;
    let mut c = client(config);
    start(&mut c, &failure("publickey", false));
    one_request(&mut c);
    c.handle_payload(&pk_ok("ssh-ed25519", &b1))?;
    one_request(&mut c);
    // AuthenticationMethods publickey,publickey: one more key needed.
    c.handle_payload(&failure("publickey", true))?;
    let probe = one_request(&mut c);
    assert!(
        matches!(method(&probe), MethodRequest::PublicKey { public_key, .. } if public_key == b2)
    );
    c.handle_payload(&pk_ok("ssh-ed25519", &b2))?;
    one_request(&mut c);
    c.handle_payload(&success())
}

#[test]
fn multifactor_second_key_after_partial_success() {
    two_key_multifactor(false).unwrap();
}

#[test]
fn do_not_repeat_auth_methods_stops_after_partial_success() {
    let k1 = FakeSigner::new("ssh-ed25519", &[1; 32]);
    let k2 = FakeSigner::new("ssh-ed25519", &[2; 32]);
    let b1 = k1.blob.clone();
    let mut config = AuthConfig::new("alice", AuthMode::MultiFactor)
        .with_key(Box::new(k1))
        .with_key(Box::new(k2));
    config.do_not_repeat_methods = true;
    let mut c = client(config);
    start(&mut c, &failure("publickey", false));
    one_request(&mut c);
    c.handle_payload(&pk_ok("ssh-ed25519", &b1)).unwrap();
    one_request(&mut c);
    let err = c.handle_payload(&failure("publickey", true)).unwrap_err();
    assert!(matches!(
        err,
        AuthError::NoMethodsLeft {
            partial_success: true,
            ..
        }
    ));
}

#[test]
fn try_all_available_methods_falls_back() {
    let key = FakeSigner::new("ssh-ed25519", &[4; 32]);
    let mut config = AuthConfig::new("alice", AuthMode::Password)
        .with_password("wrong")
        .with_key(Box::new(key));
    config.try_all_methods = true;
    let mut c = client(config);
    start(&mut c, &failure("publickey,password", false));
    assert_eq!(method(&one_request(&mut c)).name(), "password");
    c.handle_payload(&failure("publickey,password", false))
        .unwrap();
    assert_eq!(method(&one_request(&mut c)).name(), "publickey");

    // Without the setting the key is never offered.
    let key = FakeSigner::new("ssh-ed25519", &[4; 32]);
    let mut c = client(
        AuthConfig::new("alice", AuthMode::Password)
            .with_password("wrong")
            .with_key(Box::new(key)),
    );
    start(&mut c, &failure("publickey,password", false));
    one_request(&mut c);
    assert!(
        c.handle_payload(&failure("publickey,password", false))
            .is_err()
    );
}

#[test]
fn custom_mode_hands_packets_to_the_caller() {
    use ssh_auth::custom::{decode_packet, encode_packet, get_ssh_param, set_ssh_param};
    let mut c = client(AuthConfig::new("alice", AuthMode::Custom));
    sent(&mut c);
    c.handle_payload(&service_accept()).unwrap();
    let ev = events(&mut c);
    let [AuthEvent::CustomPacket { packet }] = ev.as_slice() else {
        panic!("{ev:?}")
    };
    assert_eq!(get_ssh_param(packet, "%s").unwrap(), "ssh-userauth");
    // Build a password request the seed's way: set_ssh_param per field, then hex.
    let mut p = set_ssh_param(&[], "b", "50").unwrap();
    for (t, v) in [
        ("s", "alice"),
        ("s", "ssh-connection"),
        ("s", "password"),
        ("f", "False"),
        ("s", "pw"),
    ] {
        p = set_ssh_param(&p, t, v).unwrap();
    }
    let hex = encode_packet(&p);
    c.send_custom(&decode_packet(&hex).unwrap()).unwrap();
    let req = one_request(&mut c);
    assert_eq!(method(&req), MethodRequest::Password { password: "pw" });
    c.handle_payload(&failure("password,publickey", false))
        .unwrap();
    let ev = events(&mut c);
    let Some(AuthEvent::CustomPacket { packet }) = ev.last() else {
        panic!()
    };
    assert_eq!(get_ssh_param(packet, "%s").unwrap(), "password,publickey");
    assert_eq!(get_ssh_param(packet, "%s,f").unwrap(), "False");
    // A non-userauth packet is refused locally and is not sticky.
    assert!(matches!(c.send_custom(&[0x5e]), Err(AuthError::Usage(_))));
    c.send_custom(&p).unwrap();
    one_request(&mut c);
    c.handle_payload(&success()).unwrap();
    assert!(c.is_authenticated());
}

#[test]
fn banner_is_delivered() {
    let mut c = client(AuthConfig::new("alice", AuthMode::Password).with_password("pw"));
    sent(&mut c);
    c.handle_payload(&service_accept()).unwrap();
    sent(&mut c);
    c.handle_payload(&banner("Welcome\n")).unwrap();
    assert_eq!(
        events(&mut c),
        vec![AuthEvent::Banner {
            message: "Welcome\n".into(),
            language: "en".into()
        }]
    );
}

#[test]
fn gssapi_modes_are_not_supported() {
    for mode in [AuthMode::GssapiWithMic, AuthMode::GssapiKeyex] {
        let err = AuthClient::new(AuthConfig::new("alice", mode), b"x", None).unwrap_err();
        assert_eq!(err, AuthError::UnsupportedMode(mode));
    }
    assert_eq!(AuthMode::from_seed(99), Some(AuthMode::Custom));
    assert_eq!(AuthMode::from_seed(7), None);
    for v in [0, 1, 2, 3, 4, 5, 6, 99] {
        assert_eq!(AuthMode::from_seed(v).unwrap().seed_value(), v);
    }
}

#[test]
fn signing_failure_is_reported() {
    let mut key = FakeSigner::new("ssh-ed25519", &[1; 32]);
    key.fail = true;
    let blob = key.blob.clone();
    let mut c = client(AuthConfig::new("alice", AuthMode::PublicKey).with_key(Box::new(key)));
    start(&mut c, &failure("publickey", false));
    one_request(&mut c);
    let err = c.handle_payload(&pk_ok("ssh-ed25519", &blob)).unwrap_err();
    assert!(matches!(err, AuthError::Sign { .. }));
    assert_eq!(err.seed_code(), 1013);
}

#[test]
fn multifactor_uses_keyboard_interactive_when_password_prompt_is_set() {
    let mut config = AuthConfig::new("alice", AuthMode::MultiFactor).with_password("pw");
    config.password_prompt = Some(PromptPattern::new("*assword*"));
    let mut c = client(config);
    start(&mut c, &failure("keyboard-interactive", false));
    assert_eq!(method(&one_request(&mut c)).name(), "keyboard-interactive");
    // Without the pattern, a password alone does not make keyboard-interactive usable.
    let mut c = client(AuthConfig::new("alice", AuthMode::MultiFactor).with_password("pw"));
    sent(&mut c);
    c.handle_payload(&service_accept()).unwrap();
    one_request(&mut c);
    let err = c
        .handle_payload(&failure("keyboard-interactive,publickey", false))
        .unwrap_err();
    assert!(matches!(err, AuthError::NoMethodsLeft { .. }));
}
