//! Channel lifecycle and the C1–C8 cases of ROBUSTNESS.md against a scripted server.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bytes::Bytes;
use ssh_connection::msg::{
    ChannelOpen, ChannelRequest, ExitSignal, OpenConfirmation, OpenFailure, OpenFailureReason,
    RequestBody,
};
use ssh_connection::{
    ChannelId, Connection, ConnectionConfig, ConnectionError, ConnectionEvent, OpenError,
    RequestKind, UsageError, WindowPolicy,
};
use ssh_wire::{Decode, Encode, Writer};

const SERVER_ID: u32 = 0x100;

fn sent(c: &mut Connection) -> Vec<Vec<u8>> {
    std::iter::from_fn(|| c.poll_payload().map(<[u8]>::to_vec)).collect()
}

fn events(c: &mut Connection) -> Vec<ConnectionEvent> {
    std::iter::from_fn(|| c.poll_event()).collect()
}

fn confirm(id: ChannelId, window: u32, max_packet: u32) -> Vec<u8> {
    OpenConfirmation {
        recipient_channel: id.0,
        sender_channel: SERVER_ID,
        initial_window_size: window,
        maximum_packet_size: max_packet,
        data: &[],
    }
    .to_bytes()
}

fn msg(ty: u8, id: u32) -> Vec<u8> {
    let mut b = vec![ty];
    Writer::new(&mut b).u32(id);
    b
}

fn data(id: ChannelId, bytes: &[u8]) -> Vec<u8> {
    let mut b = vec![94];
    Writer::new(&mut b).u32(id.0).string(bytes);
    b
}

fn ext_data(id: ChannelId, ty: u32, bytes: &[u8]) -> Vec<u8> {
    let mut b = vec![95];
    Writer::new(&mut b).u32(id.0).u32(ty).string(bytes);
    b
}

fn adjust(id: ChannelId, n: u32) -> Vec<u8> {
    let mut b = vec![93];
    Writer::new(&mut b).u32(id.0).u32(n);
    b
}

fn request(id: ChannelId, want_reply: bool, body: RequestBody<'_>) -> Vec<u8> {
    ChannelRequest {
        recipient_channel: id.0,
        want_reply,
        body,
    }
    .to_bytes()
}

fn small_config(policy: WindowPolicy) -> ConnectionConfig {
    ConnectionConfig {
        max_window_size: 1000,
        max_packet_size: 500,
        window_policy: policy,
    }
}

/// A connection with one open channel; the server gave `window` and `max_packet`.
fn open(config: ConnectionConfig, window: u32, max_packet: u32) -> (Connection, ChannelId) {
    let mut c = Connection::new(config);
    let id = c.open_session().unwrap();
    let out = sent(&mut c);
    let open = ChannelOpen::from_bytes(&out[0]).unwrap();
    assert_eq!(open.channel_type, "session");
    assert_eq!(open.sender_channel, id.0);
    assert_eq!(open.initial_window_size, config.max_window_size);
    assert_eq!(open.maximum_packet_size, config.max_packet_size);
    c.handle_payload(&confirm(id, window, max_packet)).unwrap();
    assert_eq!(
        events(&mut c),
        vec![ConnectionEvent::ChannelOpened { channel: id }]
    );
    (c, id)
}

#[test]
fn exec_lifecycle_end_to_end() {
    let (mut c, id) = open(ConnectionConfig::default(), 1 << 20, 32768);
    c.exec(id, "echo hello").unwrap();
    let out = sent(&mut c);
    assert_eq!(
        ChannelRequest::from_bytes(&out[0]).unwrap(),
        ChannelRequest {
            recipient_channel: SERVER_ID,
            want_reply: true,
            body: RequestBody::Exec {
                command: b"echo hello"
            }
        }
    );
    c.handle_payload(&msg(99, id.0)).unwrap();
    c.handle_payload(&data(id, b"hello\n")).unwrap();
    c.handle_payload(&ext_data(id, 1, b"warn\n")).unwrap();
    c.handle_payload(&request(id, false, RequestBody::ExitStatus { status: 3 }))
        .unwrap();
    c.handle_payload(&msg(96, id.0)).unwrap();
    c.handle_payload(&msg(97, id.0)).unwrap();
    assert_eq!(
        events(&mut c),
        vec![
            ConnectionEvent::RequestSucceeded {
                channel: id,
                request: RequestKind::Exec
            },
            ConnectionEvent::Data {
                channel: id,
                data: Bytes::from_static(b"hello\n")
            },
            ConnectionEvent::ExtendedData {
                channel: id,
                data_type: 1,
                data: Bytes::from_static(b"warn\n")
            },
            ConnectionEvent::ExitStatus {
                channel: id,
                status: 3
            },
            ConnectionEvent::Eof { channel: id },
            ConnectionEvent::Closed { channel: id },
        ]
    );
    // RFC 4254 §5.3: we answered the CLOSE.
    assert_eq!(sent(&mut c), vec![msg(97, SERVER_ID)]);
    assert!(!c.has_channels());
}

#[test]
fn subsystem_env_shell_signal_and_failures_in_order() {
    let (mut c, id) = open(ConnectionConfig::default(), 1000, 1000);
    c.env(id, "LANG", "C").unwrap();
    c.subsystem(id, "sftp").unwrap();
    let out = sent(&mut c);
    assert_eq!(
        ChannelRequest::from_bytes(&out[0]).unwrap().body,
        RequestBody::Env {
            name: "LANG",
            value: b"C"
        }
    );
    assert_eq!(
        ChannelRequest::from_bytes(&out[1]).unwrap().body,
        RequestBody::Subsystem { name: "sftp" }
    );
    // Replies come in order: env refused, subsystem granted.
    c.handle_payload(&msg(100, id.0)).unwrap();
    c.handle_payload(&msg(99, id.0)).unwrap();
    assert_eq!(
        events(&mut c),
        vec![
            ConnectionEvent::RequestFailed {
                channel: id,
                request: RequestKind::Env
            },
            ConnectionEvent::RequestSucceeded {
                channel: id,
                request: RequestKind::Subsystem
            },
        ]
    );
    c.shell(id).unwrap();
    c.signal(id, "TERM").unwrap();
    assert_eq!(sent(&mut c).len(), 2);
    // A reply nobody asked for (two pending, three replies).
    c.handle_payload(&msg(99, id.0)).unwrap();
    c.handle_payload(&msg(99, id.0)).unwrap();
    let err = c.handle_payload(&msg(99, id.0)).unwrap_err();
    assert!(matches!(err, ConnectionError::UnexpectedReply { .. }));
}

#[test]
fn send_data_respects_window_and_max_packet() {
    let (mut c, id) = open(ConnectionConfig::default(), 1000, 300);
    assert_eq!(c.send_data(id, &[7u8; 2000]).unwrap(), 1000);
    let out = sent(&mut c);
    let sizes: Vec<usize> = out.iter().map(|p| p.len() - 9).collect();
    assert_eq!(sizes, vec![300, 300, 300, 100]);
    assert_eq!(&out[0][..9], &[94, 0, 0, 1, 0, 0, 0, 1, 44]);
    // Window shut: nothing more, and no spin.
    assert_eq!(c.send_data(id, b"more").unwrap(), 0);
    assert!(sent(&mut c).is_empty());
    // A zero adjust wakes nobody (C1).
    c.handle_payload(&adjust(id, 0)).unwrap();
    assert!(events(&mut c).is_empty());
    c.handle_payload(&adjust(id, 10)).unwrap();
    assert_eq!(
        events(&mut c),
        vec![ConnectionEvent::Writable { channel: id }]
    );
    assert_eq!(c.send_window(id), 10);
    assert_eq!(c.send_extended_data(id, 1, b"0123456789abc").unwrap(), 10);
    let out = sent(&mut c);
    assert_eq!(out[0][0], 95);
    c.send_eof(id).unwrap();
    assert_eq!(sent(&mut c), vec![msg(96, SERVER_ID)]);
    assert_eq!(
        c.send_data(id, b"x").unwrap_err(),
        ConnectionError::Usage(UsageError::EofSent(id))
    );
}

#[test]
fn huge_write_is_chunked_with_64_bit_arithmetic() {
    // C8: a write of 4 GiB + 100 bytes (zeroed pages, never touched beyond the window):
    // a length truncated to 32 bits would be 100; it must be cut to the window (1 MiB)
    // and chunked by the remote max packet.
    let big = vec![0u8; (4 << 30) + 100];
    let (mut c, id) = open(ConnectionConfig::default(), 1 << 20, 32768);
    let taken = c.send_data(id, &big[..]).unwrap();
    assert_eq!(taken, 1 << 20);
    let mut n = 0u64;
    let mut total = 0u64;
    while let Some(p) = c.poll_payload() {
        assert!(p.len() - 9 <= 32768);
        total += (p.len() - 9) as u64;
        n += 1;
    }
    assert_eq!(total, 1 << 20);
    assert_eq!(n, 32);
    assert_eq!(c.send_window(id), 0);
    // And a window near 2^32 with a large write: 64-bit sums, no overflow.
    let (mut c, id) = open(ConnectionConfig::default(), u32::MAX, 32768);
    assert_eq!(c.send_data(id, &big[..1 << 20]).unwrap(), 1 << 20);
    assert_eq!(c.send_window(id), u64::from(u32::MAX) - (1 << 20));
}

#[test]
fn window_adjust_on_delivery() {
    let (mut c, id) = open(small_config(WindowPolicy::OnDelivery), 1000, 1000);
    c.handle_payload(&data(id, &[1; 400])).unwrap();
    assert!(
        sent(&mut c).is_empty(),
        "less than half used: no adjust yet"
    );
    c.handle_payload(&data(id, &[1; 200])).unwrap();
    assert_eq!(sent(&mut c), vec![adjust_to_server(600)]);
}

fn adjust_to_server(n: u32) -> Vec<u8> {
    let mut b = vec![93];
    Writer::new(&mut b).u32(SERVER_ID).u32(n);
    b
}

#[test]
fn window_adjust_on_consume_gives_backpressure() {
    let (mut c, id) = open(small_config(WindowPolicy::OnConsume), 1000, 1000);
    c.handle_payload(&data(id, &[1; 500])).unwrap();
    c.handle_payload(&data(id, &[1; 500])).unwrap();
    assert!(sent(&mut c).is_empty(), "nothing consumed: no adjust");
    c.consume(id, 100).unwrap();
    assert_eq!(sent(&mut c), vec![adjust_to_server(100)]);
    c.consume(id, 900).unwrap();
    assert_eq!(sent(&mut c), vec![adjust_to_server(900)]);
}

#[test]
fn max_window_size_can_only_grow() {
    let (mut c, id) = open(small_config(WindowPolicy::OnConsume), 1000, 1000);
    c.set_max_window_size(500);
    assert!(sent(&mut c).is_empty());
    c.set_max_window_size(3000);
    assert_eq!(sent(&mut c), vec![adjust_to_server(2000)]);
    for _ in 0..6 {
        c.handle_payload(&data(id, &[0; 500])).unwrap();
    }
    // 3000 granted, 300 grace.
    c.handle_payload(&data(id, &[0; 300])).unwrap();
    assert!(c.handle_payload(&data(id, &[0; 1])).is_err());
}

#[test]
fn keepalive_and_global_requests() {
    let mut c = Connection::new(ConnectionConfig::default());
    c.send_keepalive().unwrap();
    let out = sent(&mut c);
    let mut expected = vec![80];
    Writer::new(&mut expected)
        .string(b"keepalive@openssh.com")
        .bool(true);
    assert_eq!(out, vec![expected]);
    assert_eq!(c.outstanding_keepalives(), 1);
    c.handle_payload(&[82]).unwrap();
    assert_eq!(
        events(&mut c),
        vec![ConnectionEvent::KeepaliveReply { success: false }]
    );
    assert_eq!(c.outstanding_keepalives(), 0);

    // Server's keepalive with want_reply: REQUEST_FAILURE; hostkeys without: nothing.
    let mut ka = vec![80];
    Writer::new(&mut ka)
        .string(b"keepalive@openssh.com")
        .bool(true);
    c.handle_payload(&ka).unwrap();
    assert_eq!(sent(&mut c), vec![vec![82]]);
    let mut hk = vec![80];
    Writer::new(&mut hk)
        .string(b"hostkeys-00@openssh.com")
        .bool(false)
        .string(b"blob");
    c.handle_payload(&hk).unwrap();
    assert!(sent(&mut c).is_empty());

    // A reply nobody asked for.
    let err = c.handle_payload(&[81]).unwrap_err();
    assert!(matches!(err, ConnectionError::UnexpectedReply { .. }));
    assert_eq!(err.disconnect_reason(), 2);
}

#[test]
fn zero_copy_delivery_from_bytes() {
    let (mut c, id) = open(ConnectionConfig::default(), 1000, 1000);
    let payload = Bytes::from(data(id, b"zero-copy"));
    let range = payload.as_ptr_range();
    c.handle_payload_bytes(payload.clone()).unwrap();
    let Some(ConnectionEvent::Data { data, .. }) = c.poll_event() else {
        panic!()
    };
    assert_eq!(&data[..], b"zero-copy");
    assert!(
        range.contains(&data.as_ptr()),
        "data is a slice of the payload"
    );
}

#[test]
fn open_failure_and_close_while_opening() {
    let mut c = Connection::new(ConnectionConfig::default());
    let id = c.open_session().unwrap();
    sent(&mut c);
    c.handle_payload(
        &OpenFailure {
            recipient_channel: id.0,
            reason: OpenFailureReason::RESOURCE_SHORTAGE,
            description: "no",
            language: "",
        }
        .to_bytes(),
    )
    .unwrap();
    assert_eq!(
        events(&mut c),
        vec![ConnectionEvent::ChannelOpenFailed {
            channel: id,
            error: OpenError::Refused {
                reason: OpenFailureReason::RESOURCE_SHORTAGE,
                description: "no".into()
            }
        }]
    );
    assert!(!c.has_channels());

    let id = c.open_session().unwrap();
    sent(&mut c);
    c.close(id).unwrap();
    assert!(
        sent(&mut c).is_empty(),
        "cannot close before we know their id"
    );
    c.handle_payload(&confirm(id, 100, 100)).unwrap();
    assert_eq!(sent(&mut c), vec![msg(97, SERVER_ID)]);
    assert!(events(&mut c).is_empty());
    c.handle_payload(&msg(97, id.0)).unwrap();
    assert_eq!(
        events(&mut c),
        vec![ConnectionEvent::Closed { channel: id }]
    );
}

#[test]
fn close_all_for_logoff() {
    let mut c = Connection::new(ConnectionConfig::default());
    let a = c.open_session().unwrap();
    let b = c.open_session().unwrap();
    c.handle_payload(&confirm(a, 100, 100)).unwrap();
    c.handle_payload(&confirm(b, 100, 100)).unwrap();
    sent(&mut c);
    c.close_all().unwrap();
    assert_eq!(sent(&mut c).len(), 2);
    assert!(c.has_channels(), "waiting for the server's CLOSEs");
    c.handle_payload(&msg(97, a.0)).unwrap();
    c.handle_payload(&msg(97, b.0)).unwrap();
    assert!(!c.has_channels());
}

#[test]
fn unknown_connection_message_numbers_are_reported() {
    let mut c = Connection::new(ConnectionConfig::default());
    c.handle_payload(&[0x70, 1, 2]).unwrap();
    assert!(matches!(
        events(&mut c).as_slice(),
        [ConnectionEvent::Unimplemented { .. }]
    ));
    let err = c.handle_payload(&[0x20]).unwrap_err();
    assert!(matches!(err, ConnectionError::UnexpectedMessage { .. }));
}

// ---- C1 -----------------------------------------------------------------------------------

#[test]
fn c1_window_adjust_overflow() {
    let (mut c, id) = open(ConnectionConfig::default(), u32::MAX - 10, 1000);
    c.handle_payload(&adjust(id, 10)).unwrap();
    let err = c.handle_payload(&adjust(id, 1)).unwrap_err();
    assert_eq!(
        err,
        ConnectionError::WindowOverflow {
            channel: id,
            window: u64::from(u32::MAX),
            add: 1
        }
    );
    assert_eq!(err.disconnect_reason(), 2);
    assert_eq!(err.seed_code(), 1022);
    // Sticky.
    assert_eq!(c.handle_payload(&adjust(id, 0)).unwrap_err(), err);
    assert!(c.open_session().is_err());
}

#[test]
fn c1_repeated_zero_adjust() {
    let (mut c, id) = open(ConnectionConfig::default(), 0, 1000);
    assert_eq!(c.send_data(id, b"x").unwrap(), 0);
    for _ in 0..1000 {
        c.handle_payload(&adjust(id, 0)).unwrap();
    }
    assert!(events(&mut c).is_empty());
}

// ---- C2 -----------------------------------------------------------------------------------

#[test]
fn c2_peer_ignores_window() {
    let (mut c, id) = open(small_config(WindowPolicy::OnConsume), 1000, 1000);
    c.handle_payload(&data(id, &[0; 500])).unwrap();
    c.handle_payload(&data(id, &[0; 500])).unwrap();
    // Grace: 10 % of the window.
    c.handle_payload(&data(id, &[0; 100])).unwrap();
    let err = c.handle_payload(&data(id, &[0; 1])).unwrap_err();
    assert_eq!(
        err,
        ConnectionError::PeerIgnoredWindow {
            channel: id,
            excess: 101
        }
    );
}

#[test]
fn c2_data_larger_than_our_max_packet() {
    let (mut c, id) = open(small_config(WindowPolicy::OnDelivery), 1000, 1000);
    let err = c.handle_payload(&data(id, &[0; 501])).unwrap_err();
    assert_eq!(
        err,
        ConnectionError::OversizedData {
            channel: id,
            len: 501,
            max: 500
        }
    );
}

// ---- C3 -----------------------------------------------------------------------------------

#[test]
fn c3_max_packet_zero_rejects_the_open() {
    let mut c = Connection::new(ConnectionConfig::default());
    let id = c.open_session().unwrap();
    sent(&mut c);
    c.handle_payload(&confirm(id, 1000, 0)).unwrap();
    assert_eq!(
        events(&mut c),
        vec![ConnectionEvent::ChannelOpenFailed {
            channel: id,
            error: OpenError::BadConfirmation {
                maximum_packet_size: 0
            }
        }]
    );
    assert_eq!(sent(&mut c), vec![msg(97, SERVER_ID)]);
    assert!(c.send_data(id, b"x").is_err());
    c.handle_payload(&msg(97, id.0)).unwrap();
    assert!(events(&mut c).is_empty());
    assert!(!c.has_channels());
}

#[test]
fn c3_window_zero_forever_does_not_spin() {
    let (mut c, id) = open(ConnectionConfig::default(), 0, 1000);
    for _ in 0..3 {
        assert_eq!(c.send_data(id, b"data").unwrap(), 0);
    }
    assert!(sent(&mut c).is_empty());
    assert!(events(&mut c).is_empty());
}

#[test]
fn c3_confirmation_for_unopened_channel_and_failure_after_confirmation() {
    let mut c = Connection::new(ConnectionConfig::default());
    let err = c
        .handle_payload(&confirm(ChannelId(5), 10, 100))
        .unwrap_err();
    assert!(matches!(
        err,
        ConnectionError::UnknownChannel { recipient: 5, .. }
    ));

    let (mut c, id) = open(ConnectionConfig::default(), 10, 100);
    let err = c
        .handle_payload(
            &OpenFailure {
                recipient_channel: id.0,
                reason: OpenFailureReason::CONNECT_FAILED,
                description: "",
                language: "",
            }
            .to_bytes(),
        )
        .unwrap_err();
    assert!(matches!(err, ConnectionError::WrongChannelState { .. }));

    let (mut c, id) = open(ConnectionConfig::default(), 10, 100);
    let err = c.handle_payload(&confirm(id, 10, 100)).unwrap_err();
    assert!(matches!(err, ConnectionError::WrongChannelState { .. }));
}

// ---- C4 -----------------------------------------------------------------------------------

#[test]
fn c4_message_for_never_opened_channel() {
    let (mut c, _) = open(ConnectionConfig::default(), 10, 100);
    for m in [
        data(ChannelId(77), b"x"),
        msg(96, 77),
        msg(97, 77),
        adjust(ChannelId(77), 1),
        msg(99, 77),
        request(ChannelId(77), false, RequestBody::ExitStatus { status: 0 }),
    ] {
        let mut c2 = Connection::new(ConnectionConfig::default());
        let err = c2.handle_payload(&m).unwrap_err();
        assert!(matches!(
            err,
            ConnectionError::UnknownChannel { recipient: 77, .. }
        ));
        assert_eq!(err.disconnect_reason(), 2);
        assert_eq!(err.seed_code(), 1021);
    }
    assert!(c.handle_payload(&data(ChannelId(77), b"x")).is_err());
}

#[test]
fn c4_message_for_pending_channel() {
    let mut c = Connection::new(ConnectionConfig::default());
    let id = c.open_session().unwrap();
    let err = c.handle_payload(&data(id, b"early")).unwrap_err();
    assert!(matches!(
        err,
        ConnectionError::WrongChannelState {
            state: "pending",
            ..
        }
    ));
}

#[test]
fn c4_after_our_close_data_is_ignored_but_counted() {
    let (mut c, id) = open(small_config(WindowPolicy::OnDelivery), 1000, 1000);
    c.close(id).unwrap();
    assert_eq!(sent(&mut c), vec![msg(97, SERVER_ID)]);
    c.handle_payload(&data(id, &[0; 500])).unwrap();
    c.handle_payload(&data(id, &[0; 500])).unwrap();
    c.handle_payload(&msg(96, id.0)).unwrap();
    c.handle_payload(&request(id, true, RequestBody::ExitStatus { status: 1 }))
        .unwrap();
    assert!(
        events(&mut c).is_empty(),
        "nothing delivered after our CLOSE"
    );
    assert!(
        sent(&mut c).is_empty(),
        "no adjusts or replies for a closing channel"
    );
    // Still counted: beyond window + grace is an error.
    assert!(c.handle_payload(&data(id, &[0; 101])).is_err());
}

#[test]
fn c4_after_both_closed_is_nonexistent() {
    let (mut c, id) = open(ConnectionConfig::default(), 1000, 1000);
    c.close(id).unwrap();
    c.handle_payload(&msg(97, id.0)).unwrap();
    assert_eq!(
        events(&mut c),
        vec![ConnectionEvent::Closed { channel: id }]
    );
    let err = c.handle_payload(&data(id, b"late")).unwrap_err();
    assert!(matches!(err, ConnectionError::UnknownChannel { .. }));
}

// ---- C5 -----------------------------------------------------------------------------------

#[test]
fn c5_data_after_eof_is_not_delivered() {
    let (mut c, id) = open(ConnectionConfig::default(), 1000, 1000);
    c.handle_payload(&msg(96, id.0)).unwrap();
    c.handle_payload(&data(id, b"after eof")).unwrap();
    c.handle_payload(&ext_data(id, 1, b"after eof")).unwrap();
    c.handle_payload(&msg(96, id.0)).unwrap();
    assert_eq!(events(&mut c), vec![ConnectionEvent::Eof { channel: id }]);
}

#[test]
fn c5_unknown_extended_data_type_is_dropped() {
    let (mut c, id) = open(small_config(WindowPolicy::OnConsume), 1000, 1000);
    c.handle_payload(&ext_data(id, 2, &[0; 500])).unwrap();
    assert!(events(&mut c).is_empty());
    // Never delivered, so credited back without the app's help.
    assert_eq!(sent(&mut c), vec![adjust_to_server(500)]);
}

#[test]
fn c5_window_adjust_after_our_eof_is_ignored() {
    let (mut c, id) = open(ConnectionConfig::default(), u32::MAX, 1000);
    c.send_eof(id).unwrap();
    // Would overflow, but we send nothing more on this channel: ignored.
    c.handle_payload(&adjust(id, 5)).unwrap();
    assert!(events(&mut c).is_empty());
}

#[test]
fn c5_trailing_bytes_on_eof() {
    let (mut c, id) = open(ConnectionConfig::default(), 1000, 1000);
    let mut m = msg(96, id.0);
    m.push(0);
    let err = c.handle_payload(&m).unwrap_err();
    assert!(matches!(err, ConnectionError::Malformed { .. }));
    assert_eq!(err.disconnect_reason(), 2);
}

// ---- C7 -----------------------------------------------------------------------------------

#[test]
fn c7_server_initiated_opens_are_refused() {
    for (ty, reason) in [
        ("x11", 1),
        ("auth-agent@openssh.com", 1),
        ("forwarded-tcpip", 1),
        ("direct-tcpip", 1),
        ("session", 1),
        ("made-up@example.com", 3),
    ] {
        let mut c = Connection::new(ConnectionConfig::default());
        c.handle_payload(
            &ChannelOpen {
                channel_type: ty,
                sender_channel: 42,
                initial_window_size: 1000,
                maximum_packet_size: 1000,
                data: b"\x00\x00\x00\x09127.0.0.1\x00\x00\x00\x16",
            }
            .to_bytes(),
        )
        .unwrap();
        let out = sent(&mut c);
        let f = OpenFailure::from_bytes(&out[0]).unwrap();
        assert_eq!(f.recipient_channel, 42);
        assert_eq!(f.reason, OpenFailureReason(reason), "{ty}");
        assert!(!c.has_channels());
        assert!(matches!(
            events(&mut c).as_slice(),
            [ConnectionEvent::ServerOpenRefused { .. }]
        ));
    }
}

// ---- C8 -----------------------------------------------------------------------------------

#[test]
fn c8_malformed_exit_requests() {
    let (mut c, id) = open(ConnectionConfig::default(), 1000, 1000);
    // exit-status without its uint32, want_reply set: FAILURE, no event.
    let mut m = vec![98];
    Writer::new(&mut m)
        .u32(id.0)
        .string(b"exit-status")
        .bool(true);
    c.handle_payload(&m).unwrap();
    assert_eq!(sent(&mut c), vec![msg(100, SERVER_ID)]);
    // exit-signal with a 1 MiB message: over the cap, ignored.
    let huge = "x".repeat(1 << 20);
    c.handle_payload(&request(
        id,
        false,
        RequestBody::ExitSignal(ExitSignal {
            signal_name: "KILL",
            core_dumped: false,
            error_message: &huge,
            language: "",
        }),
    ))
    .unwrap();
    // exit-signal with fields missing.
    let mut m = vec![98];
    Writer::new(&mut m)
        .u32(id.0)
        .string(b"exit-signal")
        .bool(false)
        .string(b"TERM");
    c.handle_payload(&m).unwrap();
    assert!(events(&mut c).is_empty(), "exit info stays unknown");
    // want_reply on a proper exit-status: recorded and answered.
    c.handle_payload(&request(id, true, RequestBody::ExitStatus { status: 0 }))
        .unwrap();
    assert_eq!(sent(&mut c), vec![msg(99, SERVER_ID)]);
    c.handle_payload(&request(
        id,
        false,
        RequestBody::ExitSignal(ExitSignal {
            signal_name: "SEGV",
            core_dumped: true,
            error_message: "boom",
            language: "en",
        }),
    ))
    .unwrap();
    assert_eq!(
        events(&mut c),
        vec![
            ConnectionEvent::ExitStatus {
                channel: id,
                status: 0
            },
            ConnectionEvent::ExitSignal {
                channel: id,
                signal_name: "SEGV".into(),
                core_dumped: true,
                error_message: "boom".into()
            }
        ]
    );
    // Unknown request with want_reply, and keepalive@openssh.com: FAILURE.
    for name in ["keepalive@openssh.com", "weird"] {
        c.handle_payload(&request(
            id,
            true,
            RequestBody::Other {
                request_type: name,
                data: &[],
            },
        ))
        .unwrap();
        assert_eq!(sent(&mut c), vec![msg(100, SERVER_ID)]);
    }
}

#[test]
fn usage_errors_are_local_and_not_sticky() {
    let mut c = Connection::new(ConnectionConfig::default());
    let err = c.exec(ChannelId(9), "x").unwrap_err();
    assert_eq!(
        err,
        ConnectionError::Usage(UsageError::NoSuchChannel(ChannelId(9)))
    );
    let id = c.open_session().unwrap();
    assert_eq!(
        c.send_data(id, b"x").unwrap_err(),
        ConnectionError::Usage(UsageError::NotOpen(id))
    );
    c.handle_payload(&confirm(id, 10, 100)).unwrap();
}

/// Copied data goes into large blocks; once everything cut from a block is dropped, the
/// block is used again (no new allocation to fault in), and never while a piece of it is
/// still held.
#[test]
fn receive_blocks_are_reused_only_when_released() {
    let (mut c, id) = open(ConnectionConfig::default(), 1 << 20, 32 * 1024);
    let piece = |n: u8| vec![n; 16 * 1024];
    let next = |c: &mut Connection, n: u8| {
        c.handle_payload(&data(id, &piece(n))).unwrap();
        let Some(ConnectionEvent::Data { data, .. }) = c.poll_event() else {
            panic!("no data event")
        };
        let _ = sent(c);
        data
    };
    // Three blocks' worth (16 pieces of 16 KiB per 256 KiB block), all held.
    let mut held: Vec<Bytes> = (0..48u8).map(|n| next(&mut c, n)).collect();
    for (n, d) in held.iter().enumerate() {
        assert_eq!(&d[..], &piece(n as u8)[..], "held data intact");
    }
    let first = held[0].as_ptr();
    // Release the first block only: the next piece goes there rather than to a new block.
    held.drain(..16);
    let d = next(&mut c, 48);
    assert_eq!(d.as_ptr(), first, "a released block is used again");
    for (n, d) in held.iter().enumerate() {
        assert_eq!(&d[..], &piece(n as u8 + 16)[..], "held data intact");
    }
}
