//! `ClientSession` in memory against the transport's test server role, with the userauth
//! and connection messages scripted: routing between the layers, phase rules (A1, A7, C7),
//! deadlines, logoff.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, Instant};

use ssh_auth::{AuthConfig, AuthError, AuthEvent, AuthMode};
use ssh_connection::{ClientSession, ConnectionEvent, SessionConfig, SessionError, SessionEvent};
use ssh_transport::testing::{ServerConfig, ServerEvent, ServerTransport};
use ssh_wire::Writer;

struct Harness {
    session: ClientSession,
    server: ServerTransport,
    events: Vec<SessionEvent>,
    accept: bool,
    now: Instant,
}

impl Harness {
    fn new(auth: AuthConfig) -> Self {
        let now = Instant::now();
        let mut h = Self {
            session: ClientSession::new(SessionConfig::new(auth), now),
            server: ServerTransport::new(ServerConfig::new()),
            events: Vec::new(),
            accept: true,
            now,
        };
        h.shuttle();
        h
    }

    /// Moves bytes both ways until quiet; collects session events.
    fn shuttle(&mut self) {
        for _ in 0..1000 {
            let mut progressed = false;
            let mut to_server = Vec::new();
            self.session.poll_transmit(&mut to_server);
            if !to_server.is_empty() {
                self.server.handle_input(&to_server);
                progressed = true;
            }
            let to_client = std::mem::take(&mut self.server.out);
            if !to_client.is_empty() {
                let _ = self.session.handle_input(&to_client);
                progressed = true;
            }
            while let Some(ev) = self.session.poll_event() {
                progressed = true;
                if let SessionEvent::HostKey(_) = ev {
                    if self.accept {
                        let _ = self.session.accept_host_key();
                    } else {
                        self.session.reject_host_key();
                    }
                }
                self.events.push(ev);
            }
            if !progressed {
                return;
            }
        }
        panic!("no quiescence");
    }

    /// Upper-layer payloads the server received (and its other events).
    fn server_payloads(&mut self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        while let Some(ev) = self.server.events.pop_front() {
            if let ServerEvent::Payload(p) = ev {
                out.push(p);
            }
        }
        out
    }

    fn server_disconnect(&mut self) -> Option<u32> {
        self.server.events.iter().find_map(|e| match e {
            ServerEvent::Disconnect(r) => Some(*r),
            _ => None,
        })
    }

    fn reply(&mut self, payload: &[u8]) {
        self.server.send(payload);
        self.shuttle();
    }

    fn closed_error(&self) -> Option<&SessionError> {
        self.events.iter().find_map(|e| match e {
            SessionEvent::Closed(e) => Some(e),
            _ => None,
        })
    }
}

fn service_accept() -> Vec<u8> {
    let mut b = vec![6];
    Writer::new(&mut b).string(b"ssh-userauth");
    b
}

fn failure(methods: &str) -> Vec<u8> {
    let mut b = vec![51];
    Writer::new(&mut b).string(methods.as_bytes()).bool(false);
    b
}

fn password_config() -> AuthConfig {
    AuthConfig::new("alice", AuthMode::Password).with_password("pw")
}

/// Brings a harness through kex, service request and password auth.
fn logged_on() -> Harness {
    let mut h = Harness::new(password_config());
    assert_eq!(
        h.server_payloads(),
        vec![b"\x05\x00\x00\x00\x0cssh-userauth".to_vec()]
    );
    h.reply(&service_accept());
    assert_eq!(h.server_payloads().len(), 1); // none
    h.reply(&failure("password"));
    assert_eq!(h.server_payloads().len(), 1); // password
    h.reply(&[52]);
    assert!(h.session.is_authenticated());
    assert!(
        h.events
            .iter()
            .any(|e| matches!(e, SessionEvent::Authenticated))
    );
    h
}

#[test]
fn full_session_exec_and_logoff() {
    let mut h = logged_on();
    let ch = h.session.connection().unwrap().open_session().unwrap();
    h.session.pump().unwrap();
    h.shuttle();
    let open = h.server_payloads();
    assert_eq!(open[0][0], 90);
    let mut confirm = vec![91];
    Writer::new(&mut confirm)
        .u32(ch.0)
        .u32(7)
        .u32(1 << 20)
        .u32(32768);
    h.reply(&confirm);
    h.session.connection().unwrap().exec(ch, "true").unwrap();
    h.session.pump().unwrap();
    h.shuttle();
    assert_eq!(h.server_payloads()[0][0], 98);
    let mut data = vec![94];
    Writer::new(&mut data).u32(ch.0).string(b"out");
    h.reply(&data);
    assert!(h.events.iter().any(|e| matches!(
        e,
        SessionEvent::Channel(ConnectionEvent::Data { data, .. }) if &data[..] == b"out"
    )));
    // Logoff: CLOSE first, DISCONNECT after the server's CLOSE (WaitForChannelClose).
    h.session.logoff().unwrap();
    h.shuttle();
    let p = h.server_payloads();
    assert_eq!(p, vec![vec![97, 0, 0, 0, 7]]);
    assert_eq!(h.server_disconnect(), None);
    let mut close = vec![97];
    Writer::new(&mut close).u32(ch.0);
    h.reply(&close);
    assert_eq!(h.server_disconnect(), Some(11));
    assert_eq!(
        h.closed_error(),
        Some(&SessionError::Transport(
            ssh_transport::TransportError::Closed
        ))
    );
}

#[test]
fn logoff_gives_up_waiting_for_channel_close() {
    let mut h = logged_on();
    let ch = h.session.connection().unwrap().open_session().unwrap();
    h.session.pump().unwrap();
    h.shuttle();
    let mut confirm = vec![91];
    Writer::new(&mut confirm)
        .u32(ch.0)
        .u32(7)
        .u32(1000)
        .u32(1000);
    h.reply(&confirm);
    h.session.logoff().unwrap();
    h.shuttle();
    let deadline = h.session.poll_timeout().unwrap();
    assert!(deadline <= h.now + Duration::from_secs(6));
    h.session.handle_timeout(deadline).unwrap_err();
    h.shuttle();
    assert_eq!(h.server_disconnect(), Some(11));
}

#[test]
fn c7_channel_open_before_auth_is_a_protocol_error() {
    let mut h = Harness::new(password_config());
    h.reply(&service_accept());
    let mut open = vec![90];
    Writer::new(&mut open)
        .string(b"x11")
        .u32(1)
        .u32(1000)
        .u32(1000);
    h.reply(&open);
    let e = h.closed_error().expect("session failed");
    assert!(
        matches!(e, SessionError::OutOfPhase { msg: 90, .. }),
        "{e:?}"
    );
    assert_eq!(h.server_disconnect(), Some(2));
    assert!(!h.session.is_authenticated());
}

#[test]
fn a7_userauth_message_after_success() {
    let mut h = logged_on();
    h.reply(&[52]);
    let e = h.closed_error().expect("session failed");
    assert!(matches!(e, SessionError::OutOfPhase { msg: 52, .. }));
    assert_eq!(h.server_disconnect(), Some(2));
}

#[test]
fn a1_success_before_service_accept() {
    let mut h = Harness::new(password_config());
    h.reply(&[52]);
    let e = h.closed_error().expect("session failed");
    assert!(
        matches!(e, SessionError::Auth(AuthError::Protocol(_))),
        "{e:?}"
    );
    assert_eq!(e.seed_code(), 1032);
    assert!(!h.session.is_authenticated());
    assert_eq!(h.server_disconnect(), Some(2));
}

#[test]
fn a7_auth_deadline() {
    let mut h = Harness::new(password_config());
    h.reply(&service_accept());
    let deadline = h.session.poll_timeout().expect("auth deadline armed");
    assert!(deadline <= h.now + Duration::from_secs(121));
    let e = h.session.handle_timeout(deadline).unwrap_err();
    assert_eq!(e, SessionError::Auth(AuthError::Timeout));
}

#[test]
fn wrong_password_and_banner_through_the_session() {
    let mut h = Harness::new(password_config());
    h.reply(&service_accept());
    let mut banner = vec![53];
    Writer::new(&mut banner)
        .string(b"Authorized use only\n")
        .string(b"");
    h.reply(&banner);
    h.reply(&failure("password,publickey"));
    h.reply(&failure("password,publickey"));
    assert!(
        h.events
            .iter()
            .any(|e| matches!(e, SessionEvent::Auth(AuthEvent::Banner { .. })))
    );
    let e = h.closed_error().unwrap();
    assert_eq!(e.seed_code(), 1032);
    assert_eq!(h.server_disconnect(), Some(14));
}

#[test]
fn rejected_host_key_is_1030() {
    let now = Instant::now();
    let mut h = Harness {
        session: ClientSession::new(SessionConfig::new(password_config()), now),
        server: ServerTransport::new(ServerConfig::new()),
        events: Vec::new(),
        accept: false,
        now,
    };
    h.shuttle();
    assert_eq!(h.closed_error().unwrap().seed_code(), 1030);
}

#[test]
fn keyboard_interactive_prompts_through_the_session() {
    let mut config = AuthConfig::new("alice", AuthMode::KeyboardInteractive);
    config.keyboard_interactive = true;
    let mut h = Harness::new(config);
    h.reply(&service_accept());
    h.reply(&failure("keyboard-interactive"));
    h.server_payloads();
    let mut info = vec![60];
    Writer::new(&mut info)
        .string(b"")
        .string(b"")
        .string(b"")
        .u32(1)
        .string(b"Code: ")
        .bool(true);
    h.reply(&info);
    assert!(
        h.events
            .iter()
            .any(|e| matches!(e, SessionEvent::Auth(AuthEvent::Prompt(_))))
    );
    let a = h.session.auth().unwrap();
    a.set_prompt_response(0, "123").unwrap();
    a.send_prompt_responses().unwrap();
    h.session.pump().unwrap();
    h.shuttle();
    let p = h.server_payloads();
    assert_eq!(p, vec![b"\x3d\x00\x00\x00\x01\x00\x00\x00\x03123".to_vec()]);
}

#[test]
fn t8_unknown_high_message_numbers_do_not_end_the_session() {
    let mut h = logged_on();
    h.reply(&[200, 1, 2, 3]);
    h.reply(&[255]);
    h.reply(&[0x70]);
    assert!(h.closed_error().is_none());
    assert!(h.events.iter().any(|e| matches!(
        e,
        SessionEvent::Channel(ConnectionEvent::Unimplemented { .. })
    )));
    assert!(h.session.connection().unwrap().open_session().is_ok());
    // Each got SSH_MSG_UNIMPLEMENTED (RFC 4253 §11.4).
    assert_eq!(server_unimplemented(&h).len(), 3);
}

/// Kex, service request and the password request, stopping before the server's answer.
fn password_sent() -> Harness {
    let mut h = Harness::new(password_config());
    h.reply(&service_accept());
    h.reply(&failure("password"));
    assert_eq!(h.server_payloads().len(), 3); // service request, none, password
    assert!(!h.session.is_authenticated());
    h
}

fn global_request(name: &str, want_reply: bool) -> Vec<u8> {
    let mut b = vec![80];
    Writer::new(&mut b)
        .string(name.as_bytes())
        .bool(want_reply)
        .string(b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    b
}

/// Opens a session channel and confirms it from the server; returns our id.
fn open_confirmed(h: &mut Harness) -> ssh_connection::ChannelId {
    let ch = h.session.connection().unwrap().open_session().unwrap();
    h.session.pump().unwrap();
    h.shuttle();
    let open = h.server_payloads();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0][0], 90);
    let mut confirm = vec![91];
    Writer::new(&mut confirm)
        .u32(ch.0)
        .u32(7)
        .u32(1 << 20)
        .u32(32768);
    h.reply(&confirm);
    assert!(h.session.connection().unwrap().is_open(ch));
    ch
}

#[test]
fn global_requests_in_the_same_read_as_userauth_success() {
    let mut h = password_sent();
    // ProFTPD: USERAUTH_SUCCESS and hostkeys-00@openssh.com in one delivery.
    h.server.send(&[52]);
    h.server
        .send(&global_request("hostkeys-00@openssh.com", false));
    h.server
        .send(&global_request("hostkeys-00@openssh.com", true));
    h.shuttle();
    assert!(h.closed_error().is_none(), "{:?}", h.closed_error());
    assert!(h.session.is_authenticated());
    assert!(
        h.events
            .iter()
            .any(|e| matches!(e, SessionEvent::Authenticated))
    );
    // Only the want_reply one is answered, with REQUEST_FAILURE (RFC 4254 §4).
    assert_eq!(h.server_payloads(), vec![vec![82]]);
    assert_eq!(h.server_disconnect(), None);
    let ch = open_confirmed(&mut h);
    let mut data = vec![94];
    Writer::new(&mut data).u32(ch.0).string(b"hello");
    h.reply(&data);
    assert!(h.events.iter().any(|e| matches!(
        e,
        SessionEvent::Channel(ConnectionEvent::Data { data, .. }) if &data[..] == b"hello"
    )));
    assert!(h.closed_error().is_none());
}

#[test]
fn channel_open_in_the_same_read_as_userauth_success_is_routed_to_the_connection() {
    let mut h = password_sent();
    h.server.send(&[52]);
    let mut open = vec![90];
    Writer::new(&mut open)
        .string(b"x11")
        .u32(5)
        .u32(1000)
        .u32(1000)
        .string(b"127.0.0.1")
        .u32(6010);
    h.server.send(&open);
    h.shuttle();
    assert!(h.closed_error().is_none(), "{:?}", h.closed_error());
    // The connection layer refuses the unsolicited open (OPEN_FAILURE to channel 5).
    let p = h.server_payloads();
    assert_eq!(p.len(), 1);
    assert_eq!(p[0][0], 92);
    assert_eq!(&p[0][1..5], &[0, 0, 0, 5]);
}

#[test]
fn request_rekey_completes_and_data_keeps_flowing() {
    let mut h = logged_on();
    let ch = open_confirmed(&mut h);
    assert_eq!(h.server.kex_count(), 1);
    h.session.request_rekey().unwrap();
    // Data queued while the exchange runs is held and sent after it.
    h.session
        .connection()
        .unwrap()
        .send_data(ch, b"during")
        .unwrap();
    h.session.pump().unwrap();
    h.shuttle();
    assert!(h.closed_error().is_none(), "{:?}", h.closed_error());
    assert_eq!(h.server.kex_count(), 2);
    assert_eq!(
        h.events
            .iter()
            .filter(|e| matches!(e, SessionEvent::Rekeyed))
            .count(),
        1
    );
    let mut expect = vec![94];
    Writer::new(&mut expect).u32(7).string(b"during");
    assert_eq!(h.server_payloads(), vec![expect]);
    // Both directions under the new keys.
    h.session
        .connection()
        .unwrap()
        .send_data(ch, b"after")
        .unwrap();
    h.session.pump().unwrap();
    h.shuttle();
    let mut expect = vec![94];
    Writer::new(&mut expect).u32(7).string(b"after");
    assert_eq!(h.server_payloads(), vec![expect]);
    let mut data = vec![94];
    Writer::new(&mut data).u32(ch.0).string(b"back");
    h.reply(&data);
    assert!(h.events.iter().any(|e| matches!(
        e,
        SessionEvent::Channel(ConnectionEvent::Data { data, .. }) if &data[..] == b"back"
    )));
    assert!(h.closed_error().is_none());
}

/// Sequence numbers the server saw in UNIMPLEMENTED replies (its other events are kept).
fn server_unimplemented(h: &Harness) -> Vec<u32> {
    h.server
        .events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Unimplemented(seq) => Some(*seq),
            _ => None,
        })
        .collect()
}

/// Has the server send `payload` and returns the sequence number it used.
fn send_numbered(h: &mut Harness, payload: &[u8]) -> u32 {
    let (seq, _) = h.server.sequence_numbers();
    h.server.send(payload);
    assert_eq!(h.server.sequence_numbers().0, seq + 1, "sent at once");
    seq
}

#[test]
fn t8_unknown_numbers_after_auth_get_unimplemented_and_the_session_goes_on() {
    let mut h = logged_on();
    h.server_payloads();
    let ch = h.session.connection().unwrap().open_session().unwrap();
    h.session.pump().unwrap();
    h.shuttle();
    assert_eq!(h.server_payloads()[0][0], 90);

    // 200 and 150 (RFC 4250 §4.1.2: local extensions / client protocols) and 85, 120
    // (unassigned in the connection range), interleaved with a channel message.
    let mut expected = Vec::new();
    expected.push(send_numbered(&mut h, &[200, 1, 2, 3]));
    expected.push(send_numbered(&mut h, &[150]));
    let mut confirm = vec![91];
    Writer::new(&mut confirm)
        .u32(ch.0)
        .u32(7)
        .u32(1 << 20)
        .u32(32768);
    send_numbered(&mut h, &confirm);
    expected.push(send_numbered(&mut h, &[85, 0]));
    expected.push(send_numbered(&mut h, &[120]));
    h.shuttle();
    assert_eq!(server_unimplemented(&h), expected);
    assert!(h.closed_error().is_none(), "{:?}", h.closed_error());
    // The connection layer still reports the unassigned connection-range numbers.
    let reported: Vec<u8> = h
        .events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Channel(ConnectionEvent::Unimplemented { msg }) => Some(msg.0),
            _ => None,
        })
        .collect();
    assert_eq!(reported, vec![85, 120]);
    assert_eq!(h.server_disconnect(), None);
    assert!(h.session.is_authenticated());
    assert!(h.events.iter().any(|e| matches!(
        e,
        SessionEvent::Channel(ConnectionEvent::ChannelOpened { channel, .. }) if *channel == ch
    )));

    // The channel still works both ways.
    h.server_payloads();
    h.session.connection().unwrap().exec(ch, "true").unwrap();
    h.session.pump().unwrap();
    h.shuttle();
    assert_eq!(h.server_payloads()[0][0], 98);
    let mut data = vec![94];
    Writer::new(&mut data).u32(ch.0).string(b"still here");
    h.reply(&data);
    assert!(h.events.iter().any(|e| matches!(
        e,
        SessionEvent::Channel(ConnectionEvent::Data { data, .. }) if &data[..] == b"still here"
    )));
    // One more unknown message after data: answered with its own number.
    let seq = send_numbered(&mut h, &[255]);
    h.shuttle();
    assert_eq!(server_unimplemented(&h).last(), Some(&seq));
    assert!(h.closed_error().is_none());
}

#[test]
fn t8_unknown_number_during_auth_gets_unimplemented_and_auth_goes_on() {
    let mut h = Harness::new(password_config());
    h.reply(&service_accept());
    let seq = send_numbered(&mut h, &[200, 9]);
    h.shuttle();
    assert_eq!(server_unimplemented(&h), vec![seq]);
    assert!(h.closed_error().is_none(), "{:?}", h.closed_error());
    h.reply(&failure("password"));
    h.reply(&[52]);
    assert!(h.session.is_authenticated());
}
