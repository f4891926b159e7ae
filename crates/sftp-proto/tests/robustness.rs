//! The SFTP cases of shared/ROBUSTNESS.md (S1–S10) that belong to the protocol layer,
//! each with its defined outcome, plus the request-table contract.

// clippy.toml allows these in #[test] functions only; the helpers here assert too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use sftp_proto::consts::{PacketType, StatusCode};
use sftp_proto::ext::{ExtendedRequest, Limits, ServerExtensions};
use sftp_proto::packet::{
    ClientPacket, Name, NameEntry, OpenMode, Request, RequestId, Response, ServerPacket,
    ServerVersion, Status,
};
use sftp_proto::policy::{
    MAX_DIR_DEPTH, NameCollisions, SuspectPath, TooDeep, check_depth, check_local_name,
    is_already_exists, rename_request,
};
use sftp_proto::{
    Deframer, FileAttributes, FrameError, SendError, SessionConfig, SessionError, SftpSession,
    Version,
};
use ssh_wire::DecodeErrorKind;

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = (body.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(body);
    out
}

fn version_packet(v: u32, ext: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    ServerPacket::Version(ServerVersion {
        version: v,
        extensions: ext.to_vec(),
    })
    .encode(Version::V3, &mut out);
    out
}

fn response(v: Version, id: RequestId, response: Response<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    ServerPacket::Response { id, response }.encode(v, &mut out);
    out
}

fn status(v: Version, id: RequestId, code: StatusCode) -> Vec<u8> {
    response(
        v,
        id,
        Response::Status(Status {
            code,
            message: b"",
            language: b"",
        }),
    )
}

fn session(offer: Version, server: u32) -> SftpSession {
    let mut s = SftpSession::new(SessionConfig {
        protocol_version: offer,
        ..SessionConfig::default()
    });
    let mut init = Vec::new();
    assert!(s.poll_transmit(&mut init));
    // INIT carries the offered version.
    assert_eq!(init, [0, 0, 0, 5, 1, 0, 0, 0, offer.number() as u8]);
    s.handle_input(&version_packet(server, &[]));
    assert!(s.poll_reply().unwrap().is_none());
    s
}

fn expect_err(s: &mut SftpSession) -> SessionError {
    let e = s.poll_reply().expect_err("must fail");
    // Sticky: the same error again, and sending is refused with it.
    assert_eq!(s.poll_reply().unwrap_err(), e);
    assert_eq!(
        s.send(&Request::Rmdir { path: b"x" }),
        Err(SendError::Failed(e.clone()))
    );
    e
}

// ---- S1 version handshake -------------------------------------------------------------

#[test]
fn s1_no_version_yet_is_not_ready() {
    let mut s = SftpSession::new(SessionConfig::default());
    assert!(s.poll_reply().unwrap().is_none());
    assert!(!s.is_ready());
    assert_eq!(
        s.send(&Request::Rmdir { path: b"x" }),
        Err(SendError::NotReady)
    );
    assert_eq!(s.negotiated_version(), None);
}

#[test]
fn s1_non_version_first_packet() {
    let mut s = SftpSession::new(SessionConfig::default());
    // gesftpserver answers INIT 1 or 2 with a STATUS.
    s.handle_input(&status(
        Version::V3,
        RequestId(0),
        StatusCode::OP_UNSUPPORTED,
    ));
    assert_eq!(
        expect_err(&mut s),
        SessionError::NotVersion {
            got: PacketType::STATUS
        }
    );
}

#[test]
fn s1_unsupported_versions() {
    for (offer, answer) in [
        (Version::V6, 2),
        (Version::V6, 7),
        (Version::V3, 4),
        (Version::V5, 6),
        (Version::V6, 0),
    ] {
        let mut s = SftpSession::new(SessionConfig {
            protocol_version: offer,
            ..SessionConfig::default()
        });
        s.handle_input(&version_packet(answer, &[]));
        assert_eq!(
            expect_err(&mut s),
            SessionError::UnsupportedVersion {
                version: answer,
                offered: offer.number()
            }
        );
    }
}

#[test]
fn s1_lower_version_is_accepted() {
    for answer in 3..=6 {
        let s = session(Version::V6, answer);
        assert_eq!(s.negotiated_version(), Version::from_u32(answer));
        assert_eq!(s.server_version(), Some(answer));
    }
}

#[test]
fn s1_truncated_extension_pairs() {
    let mut body = vec![2, 0, 0, 0, 3];
    body.extend_from_slice(&[0, 0, 0, 4, b'a', b'b', b'c', b'd', 0, 0, 0, 9, b'x']);
    let mut s = SftpSession::new(SessionConfig::default());
    s.handle_input(&frame(&body));
    let e = expect_err(&mut s);
    let SessionError::Malformed { packet, source } = e else {
        panic!("{e:?}")
    };
    assert_eq!(packet, PacketType::VERSION);
    assert!(matches!(source.kind, DecodeErrorKind::Truncated { .. }));
}

#[test]
fn s1_hundred_thousand_extensions() {
    let mut body = vec![2, 0, 0, 0, 3];
    for _ in 0..100_000 {
        body.extend_from_slice(&[0, 0, 0, 1, b'e', 0, 0, 0, 0]);
    }
    // Over the default packet cap: refused by the deframer.
    let mut s = SftpSession::new(SessionConfig::default());
    s.handle_input(&frame(&body));
    assert!(matches!(
        expect_err(&mut s),
        SessionError::Frame(FrameError::TooLong { .. })
    ));
    // With a 4 MiB cap the packet arrives whole, and the extension cap refuses it.
    let mut s = SftpSession::new(SessionConfig {
        max_packet_len: 4 << 20,
        ..SessionConfig::default()
    });
    s.handle_input(&frame(&body));
    let e = expect_err(&mut s);
    assert!(
        matches!(&e, SessionError::Malformed { source, .. }
            if matches!(source.kind, DecodeErrorKind::TooLong { max: 256, .. })),
        "{e:?}"
    );
}

#[test]
fn s1_shell_noise_gets_a_hint() {
    let mut s = SftpSession::new(SessionConfig::default());
    s.handle_input(b"This account is currently not available.\n");
    let e = expect_err(&mut s);
    // "This" read as a length is 1416128883, OpenSSH's famous "message too long".
    assert_eq!(
        e,
        SessionError::Frame(FrameError::TooLong {
            len: 1_416_128_883,
            max: sftp_proto::DEFAULT_MAX_PACKET_LEN,
            shell_noise: true
        })
    );
    assert!(e.to_string().contains("shell startup files"), "{e}");
}

// ---- S2 oversized packets -------------------------------------------------------------

#[test]
fn s2_oversized_lengths_refused_before_buffering() {
    for len in [
        u32::MAX,
        0x7fff_ffff,
        (sftp_proto::DEFAULT_MAX_PACKET_LEN + 1) as u32,
    ] {
        let mut d = Deframer::default();
        d.push(&len.to_be_bytes());
        d.push(&[0x65; 16]);
        let e = d.next_packet().unwrap_err();
        assert!(matches!(e, FrameError::TooLong { len: l, .. } if l == len));
        assert!(d.buffered() <= 20, "nothing reserved for the huge packet");
        // Sticky.
        assert!(d.next_packet().is_err());
    }
    let mut d = Deframer::default();
    d.push(&[0, 0, 0, 0]);
    assert_eq!(d.next_packet(), Err(FrameError::TooShort { len: 0 }));
}

/// A packet arriving a byte per message is not kept as a piece per byte: small pieces
/// are copied together, and however the pushes and reads interleave, the pieces of one
/// packet stay few.
#[test]
fn tiny_pieces_are_copied_together() {
    let body = vec![0x65u8; 200_000];
    let framed = frame(&body);
    // All pushed before a read: one piece.
    let mut d = Deframer::new(1 << 20);
    for b in &framed {
        d.push_bytes(bytes::Bytes::copy_from_slice(std::slice::from_ref(b)));
    }
    let pieces = d.next_packet_pieces().unwrap().unwrap();
    assert_eq!(pieces.len(), 1);
    assert_eq!(pieces.concat(), body);
    // A read after every byte: still a bounded number of pieces.
    let mut d = Deframer::new(1 << 20);
    for b in &framed[..framed.len() - 1] {
        d.push_bytes(bytes::Bytes::copy_from_slice(std::slice::from_ref(b)));
        assert_eq!(d.peek_packet(&mut []).unwrap(), None);
    }
    d.push(&framed[framed.len() - 1..]);
    let pieces = d.next_packet_pieces().unwrap().unwrap();
    assert!(pieces.len() <= 4097, "{} pieces", pieces.len());
    assert_eq!(pieces.concat(), body);
}

#[test]
fn s2_packet_at_cap_is_accepted_and_limits_move_the_cap() {
    let max = sftp_proto::DEFAULT_MAX_PACKET_LEN;
    let mut d = Deframer::default();
    let mut body = vec![0x67u8; max];
    body[0] = 0x67;
    d.push(&frame(&body));
    assert_eq!(d.next_packet().unwrap().map(<[u8]>::len), Some(max));

    // limits@openssh.com with a 1 MiB max-packet-length lets 1 MiB + slack through.
    let mut s = session(Version::V3, 3);
    s.apply_limits(&Limits {
        max_packet_length: 1 << 20,
        max_read_length: 1 << 20,
        max_write_length: 1 << 20,
        max_open_handles: 0,
    });
    let handle = b"h";
    let id = s
        .send(&Request::Read {
            handle,
            offset: 0,
            len: 1 << 20,
        })
        .unwrap();
    let data = vec![7u8; 1 << 20];
    s.handle_input(&response(
        Version::V3,
        id,
        Response::Data {
            data: &data,
            end_of_file: None,
        },
    ));
    let reply = s.poll_reply().unwrap().unwrap();
    assert!(matches!(reply.response, Response::Data { data: d, .. } if d.len() == 1 << 20));
}

#[test]
fn s2_length_smaller_than_header() {
    let mut s = session(Version::V3, 3);
    let id = s.send(&Request::Rmdir { path: b"x" }).unwrap();
    assert_eq!(id, RequestId(0));
    // A STATUS frame of 3 bytes cannot hold type + id.
    s.handle_input(&frame(&[0x65, 0, 0]));
    assert!(matches!(
        expect_err(&mut s),
        SessionError::Malformed {
            packet: PacketType::STATUS,
            ..
        }
    ));
}

#[test]
fn s2_requests_over_the_peer_limit_are_refused_locally() {
    let mut s = session(Version::V3, 3);
    let data = vec![0u8; 300 * 1024];
    let e = s.send_write(b"h", 0, &data).unwrap_err();
    assert!(matches!(e, SendError::TooLarge { .. }));
    let e = s
        .send(&Request::Write {
            handle: b"h",
            offset: 0,
            data: &data,
        })
        .unwrap_err();
    assert!(matches!(e, SendError::TooLarge { .. }));
    // Nothing was queued and the session still works.
    let mut out = Vec::new();
    assert!(!s.poll_transmit(&mut out));
    assert_eq!(s.outstanding(), 0);
    assert!(s.send(&Request::Rmdir { path: b"x" }).is_ok());
}

// ---- S3 unknown ids and wrong reply types ---------------------------------------------

#[test]
fn s3_unknown_id_is_fatal() {
    let mut s = session(Version::V3, 3);
    s.handle_input(&status(Version::V3, RequestId(42), StatusCode::OK));
    assert_eq!(
        expect_err(&mut s),
        SessionError::UnknownRequestId(RequestId(42))
    );
}

#[test]
fn s3_duplicate_response_is_fatal() {
    let mut s = session(Version::V3, 3);
    let id = s.send(&Request::Rmdir { path: b"x" }).unwrap();
    s.handle_input(&status(Version::V3, id, StatusCode::OK));
    s.handle_input(&status(Version::V3, id, StatusCode::OK));
    assert_eq!(s.poll_reply().unwrap().unwrap().id, id);
    assert_eq!(expect_err(&mut s), SessionError::UnknownRequestId(id));
}

#[test]
fn s3_abandoned_ids_are_dropped_silently() {
    let mut s = session(Version::V3, 3);
    let a = s.send(&Request::Rmdir { path: b"a" }).unwrap();
    let b = s.send(&Request::Rmdir { path: b"b" }).unwrap();
    assert!(s.abandon(a));
    assert!(!s.abandon(RequestId(999)));
    assert_eq!(
        s.outstanding(),
        2,
        "abandoned requests still occupy the window"
    );
    s.handle_input(&status(Version::V3, a, StatusCode::OK));
    s.handle_input(&status(Version::V3, b, StatusCode::FAILURE));
    let r = s.poll_reply().unwrap().unwrap();
    assert_eq!(r.id, b);
    assert!(s.poll_reply().unwrap().is_none());
    assert_eq!(s.outstanding(), 0);
    // A second answer to the abandoned id is unknown now.
    s.handle_input(&status(Version::V3, a, StatusCode::OK));
    assert_eq!(expect_err(&mut s), SessionError::UnknownRequestId(a));
}

#[test]
fn s3_wrong_reply_types() {
    let cases: Vec<(Request<'static>, Response<'static>)> = vec![
        (
            Request::Read {
                handle: b"h",
                offset: 0,
                len: 10,
            },
            Response::Handle(b"h2"),
        ),
        (
            Request::Open {
                filename: b"f",
                mode: OpenMode::Pflags(1),
                attrs: FileAttributes::default(),
            },
            Response::Data {
                data: b"x",
                end_of_file: None,
            },
        ),
        (
            Request::Stat {
                path: b"f",
                flags: 0,
            },
            Response::Name(Name::default()),
        ),
        (Request::Rmdir { path: b"d" }, Response::ExtendedReply(b"")),
        (
            Request::Extended(ExtendedRequest::Limits),
            Response::Handle(b"h"),
        ),
    ];
    for (req, resp) in cases {
        let mut s = session(Version::V3, 3);
        let id = s.send(&req).unwrap();
        let got = resp.packet_type();
        s.handle_input(&response(Version::V3, id, resp));
        assert_eq!(
            expect_err(&mut s),
            SessionError::UnexpectedReply {
                id,
                request: req.packet_type(),
                got
            }
        );
    }
}

#[test]
fn s3_server_sends_a_request_type_or_second_version() {
    let mut s = session(Version::V3, 3);
    s.handle_input(&version_packet(3, &[]));
    assert_eq!(
        expect_err(&mut s),
        SessionError::UnexpectedPacket(PacketType::VERSION)
    );
    let mut s = session(Version::V3, 3);
    s.handle_input(&frame(&[PacketType::OPEN.0, 0, 0, 0, 0]));
    assert_eq!(
        expect_err(&mut s),
        SessionError::UnexpectedPacket(PacketType::OPEN)
    );
}

#[test]
fn s3_flood_of_unknown_ids_keeps_memory_flat() {
    let mut s = session(Version::V3, 3);
    let mut flood = Vec::new();
    for i in 0..10_000u32 {
        flood.extend_from_slice(&status(Version::V3, RequestId(i + 100), StatusCode::OK));
    }
    s.handle_input(&flood);
    assert_eq!(
        expect_err(&mut s),
        SessionError::UnknownRequestId(RequestId(100))
    );
    // Input after the error is not buffered.
    s.handle_input(&flood);
    assert!(s.poll_reply().is_err());
}

// ---- S4 reordered responses -----------------------------------------------------------

#[test]
fn s4_reversed_read_replies_reassemble() {
    let content: Vec<u8> = (0..=255u8).cycle().take(8 * 100).collect();
    let mut s = session(Version::V6, 6);
    let ids: Vec<_> = (0..8u64)
        .map(|i| {
            s.send(&Request::Read {
                handle: b"h",
                offset: i * 100,
                len: 100,
            })
            .unwrap()
        })
        .collect();
    for (i, id) in ids.iter().enumerate().rev() {
        s.handle_input(&response(
            Version::V6,
            *id,
            Response::Data {
                data: &content[i * 100..(i + 1) * 100],
                end_of_file: Some(i == 7),
            },
        ));
    }
    let mut back = vec![0u8; content.len()];
    while let Some(reply) = s.poll_reply().unwrap() {
        let i = ids.iter().position(|x| *x == reply.id).unwrap();
        let Response::Data { data, .. } = reply.response else {
            panic!()
        };
        back[i * 100..(i + 1) * 100].copy_from_slice(data);
    }
    assert_eq!(back, content);
}

#[test]
fn s4_one_failed_write_among_successes_is_reported_by_id() {
    let mut s = session(Version::V3, 3);
    let ids: Vec<_> = (0..4u64)
        .map(|i| s.send_write(b"h", i * 10, b"0123456789").unwrap())
        .collect();
    for (i, id) in ids.iter().enumerate().rev() {
        let code = if i == 1 {
            StatusCode::FAILURE
        } else {
            StatusCode::OK
        };
        s.handle_input(&status(Version::V3, *id, code));
    }
    let mut failed = vec![];
    while let Some(r) = s.poll_reply().unwrap() {
        if let Response::Status(st) = r.response
            && st.code != StatusCode::OK
        {
            failed.push(r.id);
        }
    }
    assert_eq!(failed, vec![ids[1]]);
}

// ---- S5 DATA longer than asked --------------------------------------------------------

#[test]
fn s5_data_longer_than_requested() {
    let mut s = session(Version::V3, 3);
    let id = s
        .send(&Request::Read {
            handle: b"h",
            offset: 0,
            len: 32 * 1024,
        })
        .unwrap();
    let data = vec![0u8; 32 * 1024 + 1];
    s.handle_input(&response(
        Version::V3,
        id,
        Response::Data {
            data: &data,
            end_of_file: None,
        },
    ));
    assert_eq!(
        expect_err(&mut s),
        SessionError::DataTooLong {
            id,
            asked: 32 * 1024,
            got: 32 * 1024 + 1
        }
    );
}

// ---- S7 NAME / ATTRS parsing ----------------------------------------------------------

fn decode_err(v: Version, body: &[u8]) -> DecodeErrorKind {
    ServerPacket::decode(v, body).unwrap_err().kind
}

#[test]
fn s7_name_count_huge_with_tiny_body() {
    // NAME, id 1, count 0xFFFFFFFF, then 9 bytes.
    let mut body = vec![0x68, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff];
    body.extend_from_slice(&[0; 9]);
    for v in Version::ALL {
        assert!(matches!(
            decode_err(v, &body),
            DecodeErrorKind::TooLong { len, .. } if len == u32::MAX as usize
        ));
    }
}

#[test]
fn s7_attr_flags_undefined_for_version() {
    // ATTRS reply at v3 with CREATETIME (0x10), MODIFYTIME (0x20), SUBSECOND (0x100).
    for flag in [0x10u32, 0x20, 0x100, 0x200, 0x8000] {
        let mut body = vec![0x69, 0, 0, 0, 1];
        body.extend_from_slice(&flag.to_be_bytes());
        body.extend_from_slice(&[0; 16]);
        assert_eq!(
            decode_err(Version::V3, &body),
            DecodeErrorKind::InvalidValue
        );
    }
    // v4 does not have BITS (v5) or CTIME (v6); v5 does not have CTIME.
    for (v, flag) in [
        (Version::V4, 0x200u32),
        (Version::V4, 0x8000),
        (Version::V5, 0x8000),
    ] {
        let mut body = vec![0x69, 0, 0, 0, 1];
        body.extend_from_slice(&flag.to_be_bytes());
        body.extend_from_slice(&[1; 16]);
        assert_eq!(decode_err(v, &body), DecodeErrorKind::InvalidValue);
    }
}

#[test]
fn s7_huawei_modifytime_quirk_is_explicit() {
    // v3 ATTRS reply from Huawei VRP: flags 0x2b = SIZE|UIDGID|ACMODTIME|MODIFYTIME.
    let body = [
        0x69, 0, 0, 0, 1, 0, 0, 0, 0x2b, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0,
        3, 0, 0, 0, 4,
    ];
    // Strict (the codec's default): a v4 bit at v3 is refused.
    assert_eq!(
        decode_err(Version::V3, &body),
        DecodeErrorKind::InvalidValue
    );
    // With the quirk (the session's default) the stray bit is ignored.
    let p =
        ServerPacket::decode_with_quirks(Version::V3, sftp_proto::Quirks::LENIENT, &body).unwrap();
    let ServerPacket::Response {
        response: Response::Attrs(a),
        ..
    } = p
    else {
        panic!()
    };
    assert_eq!(a.size, Some(9));
    assert_eq!(a.uid_gid, Some((1, 2)));
    assert_eq!(a.mtime.map(|t| t.seconds), Some(4));
    // And through a session.
    let mut s = session(Version::V3, 3);
    let id = s
        .send(&Request::Stat {
            path: b"f",
            flags: 0,
        })
        .unwrap();
    assert_eq!(id, RequestId(0));
    let mut framed = (body.len() as u32).to_be_bytes().to_vec();
    framed.extend_from_slice(&body);
    framed[5..9].copy_from_slice(&id.0.to_be_bytes());
    s.handle_input(&framed);
    assert!(matches!(
        s.poll_reply().unwrap().unwrap().response,
        Response::Attrs(_)
    ));
    // Without it the session refuses the reply.
    let mut s = SftpSession::new(SessionConfig {
        quirks: sftp_proto::Quirks::STRICT,
        ..SessionConfig::default()
    });
    s.handle_input(&version_packet(3, &[]));
    assert!(s.poll_reply().unwrap().is_none());
    s.send(&Request::Stat {
        path: b"f",
        flags: 0,
    })
    .unwrap();
    s.handle_input(&framed);
    assert!(matches!(
        s.poll_reply(),
        Err(SessionError::Malformed { .. })
    ));
}

/// ProFTPD mod_sftp's v3 STAT reply: flags 0x8000000f = SIZE|UIDGID|PERMISSIONS|ACMODTIME|
/// EXTENDED, the fields, then `extended_count` 0.
const PROFTPD_V3_ATTRS: [u8; 41] = [
    0x69, 0, 0, 0, 1, // ATTRS, id 1
    0x80, 0, 0, 0x0f, // flags
    0, 0, 0, 0, 0, 0, 0, 9, // size 9
    0, 0, 0x03, 0xe8, 0, 0, 0x03, 0xe8, // uid 1000, gid 1000
    0, 0, 0x81, 0xa4, // permissions 0100644
    0x65, 0x00, 0x00, 0x01, 0x65, 0x00, 0x00, 0x02, // atime, mtime
    0, 0, 0, 0, // extended_count 0
];

/// ProFTPD mod_sftp's v6 READDIR reply entry: flags 0x800020ad = SIZE|PERMISSIONS|
/// ACCESSTIME|MODIFYTIME|OWNERGROUP|LINK_COUNT|EXTENDED, then `extended_count` 0.
const PROFTPD_V6_NAME: [u8; 75] = [
    0x68, 0, 0, 0, 2, // NAME, id 2
    0, 0, 0, 1, // count 1
    0, 0, 0, 5, b'f', b'.', b'b', b'i', b'n', // filename
    0x80, 0, 0x20, 0xad, // flags
    1,    // type REGULAR
    0, 0, 0, 0, 0, 0, 0, 9, // size 9
    0, 0, 0, 4, b'r', b'o', b'o', b't', 0, 0, 0, 4, b'r', b'o', b'o', b't', // owner, group
    0, 0, 0x81, 0xa4, // permissions 0100644
    0, 0, 0, 0, 0x65, 0, 0, 1, // atime
    0, 0, 0, 0, 0x65, 0, 0, 2, // mtime
    0, 0, 0, 1, // link-count 1
    0, 0, 0, 0, // extended_count 0
];

#[test]
fn s7_proftpd_empty_extended_quirk_is_explicit() {
    use sftp_proto::Quirks;
    // Strict (the codec's default): the flag without pairs is not canonical, refused.
    assert_eq!(
        decode_err(Version::V3, &PROFTPD_V3_ATTRS),
        DecodeErrorKind::InvalidValue
    );
    assert_eq!(
        decode_err(Version::V6, &PROFTPD_V6_NAME),
        DecodeErrorKind::InvalidValue
    );
    assert_eq!(
        ServerPacket::decode(Version::V3, &PROFTPD_V3_ATTRS)
            .unwrap_err()
            .field,
        "extended_count"
    );

    // Lenient (the session's default): read as no extended pairs.
    let p =
        ServerPacket::decode_with_quirks(Version::V3, Quirks::LENIENT, &PROFTPD_V3_ATTRS).unwrap();
    let ServerPacket::Response {
        response: Response::Attrs(a),
        ..
    } = &p
    else {
        panic!("{p:?}")
    };
    let v3 = FileAttributes {
        size: Some(9),
        uid_gid: Some((1000, 1000)),
        permissions: Some(0o100_644),
        atime: Some(sftp_proto::FileTime::from_seconds(0x6500_0001)),
        mtime: Some(sftp_proto::FileTime::from_seconds(0x6500_0002)),
        ..FileAttributes::default()
    };
    assert_eq!(a, &v3);
    // Re-encoding gives the canonical form: the same bytes without the EXTENDED bit and
    // the count, which the strict codec reads back as the same value.
    let mut out = Vec::new();
    p.encode(Version::V3, &mut out);
    let mut canonical = PROFTPD_V3_ATTRS[..37].to_vec();
    canonical[5] = 0;
    assert_eq!(&out[4..], canonical.as_slice());
    assert_eq!(ServerPacket::decode(Version::V3, &out[4..]).unwrap(), p);

    let p =
        ServerPacket::decode_with_quirks(Version::V6, Quirks::LENIENT, &PROFTPD_V6_NAME).unwrap();
    let ServerPacket::Response {
        response: Response::Name(name),
        ..
    } = &p
    else {
        panic!("{p:?}")
    };
    assert_eq!(name.entries.len(), 1);
    let e = &name.entries[0];
    assert_eq!(e.filename, b"f.bin");
    assert_eq!(e.attrs.size, Some(9));
    assert_eq!(
        e.attrs.owner_group,
        Some(("root".to_owned(), "root".to_owned()))
    );
    assert_eq!(e.attrs.link_count, Some(1));
    assert!(e.attrs.extended.is_empty());
    let mut out = Vec::new();
    p.encode(Version::V6, &mut out);
    assert_eq!(ServerPacket::decode(Version::V6, &out[4..]).unwrap(), p);

    // Through a session with its default quirks, then refused with STRICT.
    let mut s = session(Version::V3, 3);
    let id = s
        .send(&Request::Stat {
            path: b"f",
            flags: 0,
        })
        .unwrap();
    let mut body = PROFTPD_V3_ATTRS;
    body[1..5].copy_from_slice(&id.0.to_be_bytes());
    s.handle_input(&frame(&body));
    let reply = s.poll_reply().unwrap().unwrap();
    assert!(matches!(reply.response, Response::Attrs(a) if a == v3));
    let mut s = SftpSession::new(SessionConfig {
        quirks: Quirks::STRICT,
        ..SessionConfig::default()
    });
    s.handle_input(&version_packet(3, &[]));
    assert!(s.poll_reply().unwrap().is_none());
    let id = s
        .send(&Request::Stat {
            path: b"f",
            flags: 0,
        })
        .unwrap();
    body[1..5].copy_from_slice(&id.0.to_be_bytes());
    s.handle_input(&frame(&body));
    assert!(matches!(
        s.poll_reply(),
        Err(SessionError::Malformed { .. })
    ));
}

#[test]
fn s7_v6_bits_without_bits_valid_and_missing_type() {
    // v6 ATTRS: flags BITS, type 1, attrib-bits, then nothing where bits-valid belongs.
    let body = [0x69, 0, 0, 0, 1, 0, 0, 2, 0, 1, 0, 0, 0, 1];
    assert!(matches!(
        decode_err(Version::V6, &body),
        DecodeErrorKind::Truncated { .. }
    ));
    // The same bytes are a complete v5 ATTRS (BITS is one uint32 there).
    assert!(ServerPacket::decode(Version::V5, &body).is_ok());
    // v4+ with the type byte missing.
    let body = [0x69, 0, 0, 0, 1, 0, 0, 0, 0];
    for v in [Version::V4, Version::V5, Version::V6] {
        assert!(matches!(
            decode_err(v, &body),
            DecodeErrorKind::Truncated { .. }
        ));
    }
    assert!(ServerPacket::decode(Version::V3, &body).is_ok());
}

#[test]
fn s7_extended_count_huge() {
    let body = [
        0x69, 0, 0, 0, 1, 0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0,
    ];
    assert!(matches!(
        decode_err(Version::V3, &body),
        DecodeErrorKind::TooLong { .. }
    ));
}

#[test]
fn s7_invalid_utf8_owner() {
    // v4 ATTRS with OWNERGROUP: owner "\xff", group "g".
    let body = [
        0x69, 0, 0, 0, 1, 0, 0, 0, 0x80, 1, 0, 0, 0, 1, 0xff, 0, 0, 0, 1, b'g',
    ];
    assert_eq!(decode_err(Version::V4, &body), DecodeErrorKind::InvalidUtf8);
}

#[test]
fn s7_garbage_longname_is_kept_not_parsed() {
    let garbage = [0xffu8, 0, 0x1b, b'[', b'2', b'J'];
    let mut out = Vec::new();
    ServerPacket::Response {
        id: RequestId(1),
        response: Response::Name(Name {
            entries: vec![NameEntry {
                filename: b"f",
                longname: Some(&garbage),
                attrs: FileAttributes::default(),
            }],
            end_of_list: None,
        }),
    }
    .encode(Version::V3, &mut out);
    let p = ServerPacket::decode(Version::V3, &out[4..]).unwrap();
    let ServerPacket::Response {
        response: Response::Name(n),
        ..
    } = p
    else {
        panic!()
    };
    assert_eq!(n.entries[0].longname, Some(&garbage[..]));
}

#[test]
fn s7_bad_name_count_for_realpath() {
    let mut s = session(Version::V3, 3);
    let id = s
        .send(&Request::Realpath {
            path: b".",
            control: None,
            compose: vec![],
        })
        .unwrap();
    let e = NameEntry {
        filename: b"/a",
        longname: Some(b""),
        attrs: FileAttributes::default(),
    };
    s.handle_input(&response(
        Version::V3,
        id,
        Response::Name(Name {
            entries: vec![e.clone(), e],
            end_of_list: None,
        }),
    ));
    assert_eq!(
        expect_err(&mut s),
        SessionError::BadNameCount { id, count: 2 }
    );
}

// ---- S8 hostile names -----------------------------------------------------------------

#[test]
fn s8_hostile_names_are_refused() {
    let long = vec![b'a'; 4096];
    type Check = fn(&SuspectPath) -> bool;
    let cases: Vec<(&[u8], Check)> = vec![
        (b"../../.bashrc", |e| matches!(e, SuspectPath::Separator(_))),
        (b"/etc/passwd", |e| matches!(e, SuspectPath::Separator(_))),
        (b"a/b", |e| matches!(e, SuspectPath::Separator(_))),
        (b"a\\b", |e| matches!(e, SuspectPath::Separator(_))),
        (b".", |e| matches!(e, SuspectPath::DotName(_))),
        (b"..", |e| matches!(e, SuspectPath::DotName(_))),
        (b"", |e| *e == SuspectPath::Empty),
        (b"a\0b", |e| *e == SuspectPath::ControlCharacter),
        (b"bell\x07", |e| *e == SuspectPath::ControlCharacter),
        (&long, |e| *e == SuspectPath::TooLong(4096)),
        (b"\xff\xfe", |e| *e == SuspectPath::NotUtf8),
    ];
    for (name, ok) in cases {
        let e = check_local_name(name).unwrap_err();
        assert!(ok(&e), "{name:?}: {e:?}");
    }
    for good in ["file.txt", "..hidden", "a..b", "ünïcödé", "sp ace"] {
        assert_eq!(check_local_name(good.as_bytes()), Ok(good));
    }
}

#[test]
fn s8_names_differing_by_case_or_normalisation_collide() {
    let mut set = NameCollisions::new();
    assert!(set.insert(b"Readme.txt").is_ok());
    assert!(matches!(
        set.insert(b"README.TXT"),
        Err(SuspectPath::Collision { .. })
    ));
    // "é" precomposed (NFC) and decomposed (NFD).
    assert!(set.insert("caf\u{e9}".as_bytes()).is_ok());
    let e = set.insert("cafe\u{301}".as_bytes()).unwrap_err();
    assert_eq!(
        e,
        SuspectPath::Collision {
            name: "cafe\u{301}".into(),
            earlier: "caf\u{e9}".into()
        }
    );
    assert!(set.insert(b"other").is_ok());
    assert!(set.insert(b"../x").is_err());
}

// ---- S9 depth -------------------------------------------------------------------------

#[test]
fn s9_depth_cap() {
    assert_eq!(MAX_DIR_DEPTH, 64);
    assert!(check_depth(0).is_ok());
    assert!(check_depth(64).is_ok());
    assert_eq!(check_depth(65), Err(TooDeep(65)));
    assert_eq!(check_depth(10_000), Err(TooDeep(10_000)));
}

// ---- S10 already exists and rename semantics ------------------------------------------

#[test]
fn s10_already_exists_in_every_version() {
    for v in Version::ALL {
        assert!(is_already_exists(v, StatusCode::FILE_ALREADY_EXISTS, true));
        assert!(!is_already_exists(v, StatusCode::NO_SUCH_FILE, true));
        assert!(!is_already_exists(v, StatusCode::PERMISSION_DENIED, true));
    }
    // v3 has no such code: FAILURE counts only for operations that fail that way.
    assert!(is_already_exists(Version::V3, StatusCode::FAILURE, true));
    assert!(!is_already_exists(Version::V3, StatusCode::FAILURE, false));
    assert!(!is_already_exists(Version::V4, StatusCode::FAILURE, true));
}

#[test]
fn s10_rename_never_overwrites_unless_asked() {
    let none = ServerExtensions::default();
    let openssh = ServerExtensions::from_pairs(&[(b"posix-rename@openssh.com", b"1")]);
    for v in Version::ALL {
        for ext in [&none, &openssh] {
            let r = rename_request(v, ext, b"a", b"b", false).unwrap();
            assert_eq!(
                r,
                Request::Rename {
                    oldpath: b"a",
                    newpath: b"b",
                    flags: 0
                }
            );
        }
    }
    for v in [Version::V5, Version::V6] {
        let r = rename_request(v, &none, b"a", b"b", true).unwrap();
        assert!(matches!(r, Request::Rename { flags: 1, .. }));
    }
    for v in [Version::V3, Version::V4] {
        assert!(rename_request(v, &none, b"a", b"b", true).is_err());
        let r = rename_request(v, &openssh, b"a", b"b", true).unwrap();
        assert!(matches!(
            r,
            Request::Extended(ExtendedRequest::PosixRename { .. })
        ));
    }
}

#[test]
fn s10_exclusive_open_in_every_version() {
    // pflags CREAT|EXCL (v3/v4) is CREATE_NEW (v5/v6) on the wire.
    let mode = OpenMode::Pflags(sftp_proto::consts::pflags::WRITE | 0x08 | 0x20);
    assert!(mode.is_exclusive());
    for v in Version::ALL {
        let mut out = Vec::new();
        ClientPacket::Request {
            id: RequestId(1),
            request: Request::Open {
                filename: b"f",
                mode,
                attrs: FileAttributes::default(),
            },
        }
        .encode(v, &mut out);
        let ClientPacket::Request {
            request: Request::Open { mode: back, .. },
            ..
        } = ClientPacket::decode(v, &out[4..]).unwrap()
        else {
            panic!()
        };
        assert!(back.is_exclusive(), "{v}");
        if v >= Version::V5 {
            assert_eq!(back.to_access().1 & 7, 0, "CREATE_NEW");
        } else {
            assert_eq!(back, OpenMode::Pflags(0x2a));
        }
    }
}
