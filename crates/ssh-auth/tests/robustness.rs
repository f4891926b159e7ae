//! ROBUSTNESS.md cases A1–A7 at the userauth layer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use ssh_auth::{AuthClient, AuthConfig, AuthError, AuthMode, ProtocolViolation};
use ssh_wire::Writer;

fn password_client() -> AuthClient {
    AuthClient::new(
        AuthConfig::new("alice", AuthMode::Password).with_password("pw"),
        SESSION_ID,
        None,
    )
    .unwrap()
}

fn is_protocol(e: &AuthError) -> bool {
    matches!(e, AuthError::Protocol(_)) && e.disconnect_reason() == 2
}

// ---- A1 premature / unsolicited success -----------------------------------------------

#[test]
fn a1_success_before_service_accept() {
    let mut c = password_client();
    let err = c.handle_payload(&success()).unwrap_err();
    assert!(is_protocol(&err), "{err:?}");
    assert!(!c.is_authenticated());
    // Sticky: even a proper sequence now fails.
    assert_eq!(c.handle_payload(&service_accept()).unwrap_err(), err);
}

#[test]
fn a1_any_userauth_reply_before_service_accept() {
    for msg in [
        failure("password", false),
        pk_ok("ssh-ed25519", b"x"),
        info_request("", "", &[("p", false)]),
        banner("hi"),
    ] {
        let mut c = password_client();
        let err = c.handle_payload(&msg).unwrap_err();
        assert!(is_protocol(&err), "{msg:?}: {err:?}");
        assert!(!c.is_authenticated());
    }
}

#[test]
fn a1_service_accept_naming_another_service() {
    let mut c = password_client();
    let mut msg = vec![0x06];
    Writer::new(&mut msg).string(b"ssh-connection");
    let err = c.handle_payload(&msg).unwrap_err();
    assert_eq!(
        err,
        AuthError::Protocol(ProtocolViolation::ServiceMismatch {
            service: "ssh-connection".into()
        })
    );
}

#[test]
fn a1_server_sends_service_request_or_userauth_request() {
    for msg in [
        b"\x05\x00\x00\x00\x0cssh-userauth".to_vec(),
        b"\x32\x00\x00\x00\x00".to_vec(),
    ] {
        let mut c = password_client();
        c.handle_payload(&service_accept()).unwrap();
        let err = c.handle_payload(&msg).unwrap_err();
        assert!(is_protocol(&err));
    }
}

#[test]
fn a1_second_service_accept() {
    let mut c = password_client();
    c.handle_payload(&service_accept()).unwrap();
    assert!(is_protocol(
        &c.handle_payload(&service_accept()).unwrap_err()
    ));
}

#[test]
fn a1_success_with_trailing_bytes() {
    let mut c = password_client();
    c.handle_payload(&service_accept()).unwrap();
    let err = c.handle_payload(&[0x34, 0]).unwrap_err();
    assert!(matches!(
        err,
        AuthError::Protocol(ProtocolViolation::Malformed { .. })
    ));
    assert!(!c.is_authenticated());
}

// ---- A2 partial-success / endless failure loop ----------------------------------------

#[test]
fn a2_endless_partial_success_is_bounded() {
    // Many keys, and a server that answers every signed request with partial success.
    let keys: Vec<FakeSigner> = (0..100u8)
        .map(|i| FakeSigner::new("ssh-ed25519", &[i; 32]))
        .collect();
    let mut config = AuthConfig::new("alice", AuthMode::MultiFactor);
    for k in &keys {
        config.keys.push(Box::new(k.clone()));
    }
    let mut c = AuthClient::new(config, SESSION_ID, None).unwrap();
    start(&mut c, &failure("publickey", false));
    let mut rounds = 0;
    let err = loop {
        rounds += 1;
        assert!(rounds < 200, "not bounded");
        let out = sent(&mut c);
        let req = pk_fields(&out[0]);
        let reply = match req {
            Some((alg, blob, false)) => pk_ok(&alg, &blob),
            Some((_, _, true)) => failure("publickey", true),
            None => panic!("unexpected request"),
        };
        if let Err(e) = c.handle_payload(&reply) {
            break e;
        }
    };
    assert_eq!(err, AuthError::TooManyAttempts { tried: 64 });
    assert_eq!(err.seed_code(), 1032);
}

fn pk_fields(req: &[u8]) -> Option<(String, Vec<u8>, bool)> {
    use ssh_auth::msg::{MethodRequest, UserauthRequest};
    use ssh_wire::Decode;
    match UserauthRequest::from_bytes(req).ok()?.method {
        MethodRequest::PublicKey {
            algorithm,
            public_key,
            signature,
        } => Some((
            algorithm.to_owned(),
            public_key.to_vec(),
            signature.is_some(),
        )),
        _ => None,
    }
}

#[test]
fn a2_failure_listing_the_method_we_just_failed() {
    let mut c = password_client();
    start(&mut c, &failure("password", false));
    one_request(&mut c);
    // The same credential is not tried twice in a stage: we stop instead of looping.
    let err = c.handle_payload(&failure("password", false)).unwrap_err();
    assert!(matches!(err, AuthError::NoMethodsLeft { .. }));
    assert_eq!(c.attempts(), 2);
}

#[test]
fn a2_attempt_bound_is_configurable() {
    let keys: Vec<FakeSigner> = (0..10u8)
        .map(|i| FakeSigner::new("ssh-ed25519", &[i; 32]))
        .collect();
    let mut config = AuthConfig::new("alice", AuthMode::PublicKey);
    config.max_attempts = 3;
    for k in &keys {
        config.keys.push(Box::new(k.clone()));
    }
    let mut c = AuthClient::new(config, SESSION_ID, None).unwrap();
    start(&mut c, &failure("publickey", false));
    sent(&mut c);
    c.handle_payload(&failure("publickey", false)).unwrap();
    sent(&mut c);
    let err = c.handle_payload(&failure("publickey", false)).unwrap_err();
    assert_eq!(err, AuthError::TooManyAttempts { tried: 3 });
}

// ---- A3 method list abuse ---------------------------------------------------------------

#[test]
fn a3_empty_and_unknown_method_lists() {
    for list in ["", "gssapi-with-mic,hostbased,foo@example.com", ",,"] {
        let mut c = password_client();
        sent(&mut c);
        c.handle_payload(&service_accept()).unwrap();
        let err = c.handle_payload(&failure(list, false)).unwrap_err();
        assert!(
            matches!(err, AuthError::NoMethodsLeft { .. }),
            "{list}: {err:?}"
        );
        assert_eq!(err.disconnect_reason(), 14);
    }
}

#[test]
fn a3_huge_or_nul_method_list_is_rejected_by_the_capped_parser() {
    let huge = "a,".repeat(512 * 1024);
    for list in [huge.as_str(), "password\0,publickey"] {
        let mut c = password_client();
        c.handle_payload(&service_accept()).unwrap();
        let mut msg = vec![0x33];
        Writer::new(&mut msg).string(list.as_bytes()).bool(false);
        let err = c.handle_payload(&msg).unwrap_err();
        assert!(matches!(
            err,
            AuthError::Protocol(ProtocolViolation::Malformed { .. })
        ));
    }
}

// ---- A5 keyboard-interactive abuse --------------------------------------------------------

fn kbd_client() -> AuthClient {
    let mut c = AuthClient::new(
        AuthConfig::new("alice", AuthMode::KeyboardInteractive),
        SESSION_ID,
        None,
    )
    .unwrap();
    start(&mut c, &failure("keyboard-interactive", false));
    sent(&mut c);
    c
}

#[test]
fn a5_huge_prompt_count_in_tiny_packet() {
    let mut c = kbd_client();
    let mut msg = vec![0x3c];
    Writer::new(&mut msg)
        .string(b"")
        .string(b"")
        .string(b"")
        .u32(0xffff_ffff);
    let err = c.handle_payload(&msg).unwrap_err();
    assert!(matches!(
        err,
        AuthError::Protocol(ProtocolViolation::Malformed { .. })
    ));
    // Count that would fit MAX_KBD_PROMPTS but not the bytes left.
    let mut c = kbd_client();
    let mut msg = vec![0x3c];
    Writer::new(&mut msg)
        .string(b"")
        .string(b"")
        .string(b"")
        .u32(10)
        .string(b"p")
        .bool(false);
    assert!(c.handle_payload(&msg).is_err());
}

#[test]
fn a5_endless_rounds_are_bounded() {
    let mut c = kbd_client();
    let mut rounds = 0;
    let err = loop {
        rounds += 1;
        assert!(rounds < 10_000);
        match c.handle_payload(&info_request("", "", &[])) {
            Ok(()) => {
                sent(&mut c);
            }
            Err(e) => break e,
        }
    };
    assert_eq!(
        err,
        AuthError::Protocol(ProtocolViolation::TooManyRounds { max: 16 })
    );
}

#[test]
fn a5_info_request_when_kbd_not_started() {
    let mut c = password_client();
    start(&mut c, &failure("password,keyboard-interactive", false));
    sent(&mut c);
    // Pending is "password": 60 decodes as PASSWD_CHANGEREQ there, so an INFO_REQUEST
    // shape fails to decode (trailing fields) — a protocol error either way.
    let err = c
        .handle_payload(&info_request("n", "i", &[("Password:", false)]))
        .unwrap_err();
    assert!(is_protocol(&err));

    // During a publickey probe, 60 is PK_OK: an INFO_REQUEST is malformed / mismatched.
    let key = FakeSigner::new("ssh-ed25519", &[1; 32]);
    let mut c = AuthClient::new(
        AuthConfig::new("alice", AuthMode::PublicKey).with_key(Box::new(key)),
        SESSION_ID,
        None,
    )
    .unwrap();
    start(&mut c, &failure("publickey", false));
    let err = c
        .handle_payload(&info_request("n", "i", &[("x", false)]))
        .unwrap_err();
    assert!(is_protocol(&err));

    // While waiting for the "none" reply, 60 is unexpected outright.
    let mut c = password_client();
    c.handle_payload(&service_accept()).unwrap();
    let err = c.handle_payload(&info_request("", "", &[])).unwrap_err();
    assert!(matches!(
        err,
        AuthError::Protocol(ProtocolViolation::Unexpected { .. })
    ));
}

#[test]
fn a5_info_response_from_server_is_rejected() {
    let mut c = kbd_client();
    assert!(is_protocol(
        &c.handle_payload(&[0x3d, 0, 0, 0, 0]).unwrap_err()
    ));
}

// ---- A6 publickey oddities ------------------------------------------------------------------

fn probing_client() -> (AuthClient, Vec<u8>) {
    let key = FakeSigner::new("ssh-ed25519", &[1; 32]);
    let blob = key.blob.clone();
    let mut c = AuthClient::new(
        AuthConfig::new("alice", AuthMode::PublicKey).with_key(Box::new(key)),
        SESSION_ID,
        None,
    )
    .unwrap();
    start(&mut c, &failure("publickey", false));
    sent(&mut c);
    (c, blob)
}

#[test]
fn a6_pk_ok_for_another_algorithm_or_key() {
    let (mut c, blob) = probing_client();
    let err = c.handle_payload(&pk_ok("ssh-rsa", &blob)).unwrap_err();
    assert!(matches!(
        err,
        AuthError::Protocol(ProtocolViolation::PkOkMismatch { .. })
    ));
    assert!(sent(&mut c).is_empty(), "nothing signed");

    let (mut c, _) = probing_client();
    let other = blob_of("ssh-ed25519", &[2; 32]);
    let err = c.handle_payload(&pk_ok("ssh-ed25519", &other)).unwrap_err();
    assert!(matches!(
        err,
        AuthError::Protocol(ProtocolViolation::PkOkMismatch { .. })
    ));
}

fn blob_of(t: &str, m: &[u8]) -> Vec<u8> {
    blob(t, m)
}

#[test]
fn a6_passwd_changereq_without_opt_in_is_a_clear_outcome() {
    let mut c = password_client();
    start(&mut c, &failure("password", false));
    sent(&mut c);
    events(&mut c);
    c.handle_payload(&passwd_changereq("expired")).unwrap();
    assert!(matches!(
        events(&mut c).as_slice(),
        [ssh_auth::AuthEvent::PasswordChangeRequired { .. }]
    ));
    // The caller does not want to change it: a distinct error, not a hang.
    assert!(matches!(
        c.decline_password_change(),
        Err(AuthError::PasswordChangeRequired { .. })
    ));
}

#[test]
fn a6_pk_ok_after_signed_request_is_unexpected() {
    let (mut c, blob) = probing_client();
    c.handle_payload(&pk_ok("ssh-ed25519", &blob)).unwrap();
    sent(&mut c);
    assert!(is_protocol(
        &c.handle_payload(&pk_ok("ssh-ed25519", &blob)).unwrap_err()
    ));
}

// ---- A7 stall and late messages ----------------------------------------------------------

#[test]
fn a7_server_never_answers() {
    let mut c = password_client();
    let t0 = Instant::now();
    c.set_deadline(Some(t0 + Duration::from_secs(30)));
    c.handle_payload(&service_accept()).unwrap();
    assert_eq!(c.poll_timeout(), Some(t0 + Duration::from_secs(30)));
    c.handle_timeout(t0 + Duration::from_secs(29)).unwrap();
    let err = c.handle_timeout(t0 + Duration::from_secs(30)).unwrap_err();
    assert_eq!(err, AuthError::Timeout);
    assert_eq!(
        c.handle_payload(&success()).unwrap_err(),
        AuthError::Timeout
    );
}

#[test]
fn a7_late_userauth_messages_after_success() {
    for late in [
        success(),
        failure("password", false),
        banner("late"),
        pk_ok("ssh-ed25519", b"x"),
    ] {
        let mut c = password_client();
        start(&mut c, &failure("password", false));
        c.handle_payload(&success()).unwrap();
        assert!(c.is_authenticated());
        let err = c.handle_payload(&late).unwrap_err();
        assert!(matches!(
            err,
            AuthError::Protocol(ProtocolViolation::AfterSuccess { .. })
        ));
        // The deadline no longer applies once authenticated.
        c.set_deadline(Some(Instant::now()));
    }
    let mut c = password_client();
    start(&mut c, &success());
    c.set_deadline(Some(Instant::now()));
    assert_eq!(c.poll_timeout(), None);
}

#[test]
fn usage_errors_are_not_sticky() {
    let mut c = password_client();
    assert!(matches!(
        c.send_prompt_responses(),
        Err(AuthError::Usage(_))
    ));
    assert!(matches!(c.change_password("x"), Err(AuthError::Usage(_))));
    assert!(matches!(
        c.set_prompt_response(0, "x"),
        Err(AuthError::Usage(_))
    ));
    c.handle_payload(&service_accept()).unwrap();
}

#[test]
fn empty_payload_is_a_protocol_error() {
    let mut c = password_client();
    assert!(is_protocol(&c.handle_payload(&[]).unwrap_err()));
}
