//! The request table and negotiation contract of `SftpSession`, driven in memory.

// clippy.toml allows these in #[test] functions only; the helpers here assert too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use sftp_proto::consts::{PacketType, StatusCode};
use sftp_proto::ext::{ExtendedRequest, names};
use sftp_proto::packet::{ClientPacket, Response, ServerVersion, Status};
use sftp_proto::{
    ReplyParts, Request, RequestId, SendError, ServerPacket, SessionConfig, SessionError,
    SftpSession, Version,
};

fn version_packet(v: u32, ext: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    ServerPacket::Version(ServerVersion {
        version: v,
        extensions: ext.to_vec(),
    })
    .encode(Version::V3, &mut out);
    out
}

fn ok_status(v: Version, id: RequestId) -> Vec<u8> {
    let mut out = Vec::new();
    ServerPacket::Response {
        id,
        response: Response::Status(Status {
            code: StatusCode::OK,
            message: b"ok",
            language: b"en",
        }),
    }
    .encode(v, &mut out);
    out
}

/// Splits what the client sent into decoded packets.
fn sent(s: &mut SftpSession, v: Version) -> Vec<ClientPacket<'static>> {
    let mut buf = Vec::new();
    s.poll_transmit(&mut buf);
    let buf: &'static [u8] = Box::leak(buf.into_boxed_slice());
    let mut d = sftp_proto::Deframer::default();
    d.push(buf);
    let mut out = Vec::new();
    let mut rest = buf;
    while let Some(p) = d.next_packet().unwrap() {
        let len = p.len();
        let (frame, tail) = rest.split_at(4 + len);
        out.push(ClientPacket::decode(v, &frame[4..]).unwrap());
        rest = tail;
    }
    out
}

fn ready(offer: Version, answer: u32) -> SftpSession {
    let mut s = SftpSession::new(SessionConfig {
        protocol_version: offer,
        max_outstanding: 3,
        ..SessionConfig::default()
    });
    sent(&mut s, offer);
    s.handle_input(&version_packet(answer, &[]));
    assert!(s.poll_reply().unwrap().is_none());
    s
}

#[test]
fn default_version_is_3_and_init_says_so() {
    assert_eq!(sftp_proto::DEFAULT_VERSION, Version::V3);
    let mut s = SftpSession::new(SessionConfig::default());
    let p = sent(&mut s, Version::V3);
    assert!(matches!(&p[..], [ClientPacket::Init(i)] if i.version == 3));
}

#[test]
fn pipelining_window_and_id_reuse() {
    let mut s = ready(Version::V3, 3);
    let ids: Vec<_> = (0..3)
        .map(|_| s.send(&Request::Rmdir { path: b"d" }).unwrap())
        .collect();
    assert_eq!(ids, [RequestId(0), RequestId(1), RequestId(2)]);
    assert!(!s.can_send());
    assert_eq!(
        s.send(&Request::Rmdir { path: b"d" }),
        Err(SendError::WindowFull(3))
    );
    // Three packets went out, ids in order.
    let p = sent(&mut s, Version::V3);
    assert_eq!(p.len(), 3);
    // The middle reply frees one slot.
    s.handle_input(&ok_status(Version::V3, ids[1]));
    let r = s.poll_reply().unwrap().unwrap();
    assert_eq!((r.id, r.request), (ids[1], PacketType::RMDIR));
    assert!(s.can_send());
    let next = s.send(&Request::Rmdir { path: b"d" }).unwrap();
    assert!(!ids[..1].contains(&next) && next != ids[2]);
}

#[test]
fn send_write_matches_the_generic_encoding() {
    let mut a = ready(Version::V5, 5);
    let mut b = ready(Version::V5, 5);
    let data: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
    let ia = a.send_write(b"handle", 77, &data).unwrap();
    let ib = b
        .send(&Request::Write {
            handle: b"handle",
            offset: 77,
            data: &data,
        })
        .unwrap();
    assert_eq!(ia, ib);
    let (mut x, mut y) = (Vec::new(), Vec::new());
    a.poll_transmit(&mut x);
    b.poll_transmit(&mut y);
    assert_eq!(x, y);
    // poll_transmit appends to a non-empty buffer.
    let mut buf = b"prefix".to_vec();
    a.send(&Request::Rmdir { path: b"d" }).unwrap();
    assert!(a.poll_transmit(&mut buf));
    assert!(buf.starts_with(b"prefix") && buf.len() > 6);
    assert!(!a.poll_transmit(&mut buf));
}

#[test]
fn send_write_with_emits_queued_bytes_then_the_data() {
    let mut a = ready(Version::V3, 3);
    let mut b = ready(Version::V3, 3);
    let data: Vec<u8> = (0..70_000u32).map(|i| (i % 253) as u8).collect();
    // Something already queued goes out first, in order.
    a.send(&Request::Rmdir { path: b"d" }).unwrap();
    b.send(&Request::Rmdir { path: b"d" }).unwrap();
    let mut emitted = Vec::new();
    let ia = a
        .send_write_with(b"handle", 9, &data, |head, body| {
            emitted.extend_from_slice(head);
            emitted.extend_from_slice(body);
            Ok::<(), ()>(())
        })
        .unwrap()
        .unwrap();
    let ib = b.send_write(b"handle", 9, &data).unwrap();
    assert_eq!(ia, ib);
    let mut expected = Vec::new();
    b.poll_transmit(&mut expected);
    assert_eq!(emitted, expected);
    assert!(!a.poll_transmit(&mut Vec::new()), "nothing left queued");
    // The WRITE is registered: its STATUS reply is matched.
    a.handle_input(&ok_status(Version::V3, ia));
    let r = a.poll_reply().unwrap().unwrap();
    assert_eq!((r.id, r.request), (ia, PacketType::WRITE));
}

#[test]
fn send_write_with_refuses_oversized_data_without_emitting() {
    let mut s = ready(Version::V3, 3);
    let data = vec![0u8; 300 * 1024];
    let mut called = false;
    let e = s
        .send_write_with(b"h", 0, &data, |_, _| {
            called = true;
            Ok::<(), ()>(())
        })
        .unwrap_err();
    assert!(matches!(e, SendError::TooLarge { .. }));
    assert!(!called);
    assert!(!s.poll_transmit(&mut Vec::new()));
    // An emit failure is handed back; the session's buffer does not keep the header.
    let r = s.send_write_with(b"h", 0, b"abc", |_, _| Err("broken pipe"));
    assert_eq!(r.unwrap().unwrap_err(), "broken pipe");
    assert!(!s.poll_transmit(&mut Vec::new()));
}

#[test]
fn packets_not_at_the_version_are_refused() {
    let mut s = ready(Version::V6, 3);
    assert_eq!(s.negotiated_version(), Some(Version::V3));
    let link = Request::Link {
        new_link_path: b"a",
        existing_path: b"b",
        symlink: true,
    };
    assert!(matches!(s.send(&link), Err(SendError::NotAtVersion(_))));
    let mut s6 = ready(Version::V6, 6);
    assert!(s6.send(&link).is_ok());
    let symlink = Request::Symlink {
        linkpath: b"a",
        targetpath: b"b",
        order: sftp_proto::packet::SymlinkOrder::Draft,
    };
    assert!(matches!(s6.send(&symlink), Err(SendError::NotAtVersion(_))));
    assert!(s.send(&symlink).is_ok());
}

#[test]
fn auto_version_select_picks_the_highest_common_version() {
    let mut s = SftpSession::new(SessionConfig {
        protocol_version: Version::V5,
        ..SessionConfig::default()
    });
    sent(&mut s, Version::V5);
    // A server that answered 3 but lists 3..6 and offers version-select.
    s.handle_input(&version_packet(
        3,
        &[(b"versions", b"3,4,5,6"), (b"version-select", b"")],
    ));
    assert!(s.poll_reply().unwrap().is_none());
    assert!(!s.is_ready(), "waiting for the version-select STATUS");
    assert_eq!(
        s.send(&Request::Rmdir { path: b"x" }),
        Err(SendError::NotReady)
    );
    let p = sent(&mut s, Version::V3);
    let [ClientPacket::Request { id, request }] = &p[..] else {
        panic!("{p:?}")
    };
    assert_eq!(
        request,
        &Request::Extended(ExtendedRequest::VersionSelect { version: b"5" })
    );
    s.handle_input(&ok_status(Version::V3, *id));
    assert!(s.poll_reply().unwrap().is_none());
    assert_eq!(s.negotiated_version(), Some(Version::V5));
    assert_eq!(s.server_version(), Some(3));
}

#[test]
fn refused_version_select_is_fatal() {
    let mut s = SftpSession::new(SessionConfig {
        protocol_version: Version::V6,
        ..SessionConfig::default()
    });
    sent(&mut s, Version::V6);
    s.handle_input(&version_packet(
        6,
        &[
            (b"versions", b"3,4,5,6"),
            (names::VERSION_SELECT.as_bytes(), b""),
        ],
    ));
    assert!(s.poll_reply().unwrap().is_none());
    assert_eq!(
        s.select_version(Version::V6).err(),
        None,
        "selecting the current version is allowed"
    );
    let p = sent(&mut s, Version::V6);
    let [ClientPacket::Request { id, .. }] = &p[..] else {
        panic!()
    };
    let mut out = Vec::new();
    ServerPacket::Response {
        id: *id,
        response: Response::Status(Status {
            code: StatusCode::FAILURE,
            message: b"",
            language: b"",
        }),
    }
    .encode(Version::V6, &mut out);
    s.handle_input(&out);
    assert_eq!(
        s.poll_reply().unwrap_err(),
        SessionError::VersionSelectRefused {
            version: 6,
            status: StatusCode::FAILURE
        }
    );
}

#[test]
fn version_select_preconditions() {
    let mut s = ready(Version::V6, 6);
    assert!(matches!(
        s.select_version(Version::V4),
        Err(SendError::VersionSelect(_))
    ));
    let mut s = SftpSession::new(SessionConfig {
        protocol_version: Version::V6,
        ..SessionConfig::default()
    });
    assert_eq!(s.select_version(Version::V4), Err(SendError::NotReady));
    s.handle_input(&version_packet(
        6,
        &[(b"versions", b"3,4,5,6"), (b"version-select", b"")],
    ));
    assert!(s.poll_reply().unwrap().is_none());
    s.send(&Request::Rmdir { path: b"x" }).unwrap();
    assert!(matches!(
        s.select_version(Version::V4),
        Err(SendError::VersionSelect("a request was sent"))
    ));
}

#[test]
fn input_split_at_every_byte_gives_the_same_replies() {
    let version = version_packet(3, &[(b"limits@openssh.com", b"1")]);
    let mut replies = Vec::new();
    for id in [2, 0, 1] {
        replies.extend_from_slice(&ok_status(Version::V3, RequestId(id)));
    }
    for split in 0..version.len() {
        let mut s = SftpSession::new(SessionConfig::default());
        s.handle_input(&version[..split]);
        assert!(s.poll_reply().unwrap().is_none());
        assert!(!s.is_ready());
        s.handle_input(&version[split..]);
        assert!(s.poll_reply().unwrap().is_none());
        assert!(s.is_ready());
        assert!(s.extensions().offers("limits@openssh.com"));
    }
    for split in 0..=replies.len() {
        let mut s = SftpSession::new(SessionConfig::default());
        s.handle_input(&version);
        assert!(s.poll_reply().unwrap().is_none());
        for _ in 0..3 {
            s.send(&Request::Rmdir { path: b"x" }).unwrap();
        }
        let mut got = vec![];
        for part in [&replies[..split], &replies[split..]] {
            s.handle_input(part);
            while let Some(r) = s.poll_reply().unwrap() {
                got.push(r.id);
            }
        }
        assert_eq!(
            got,
            [RequestId(2), RequestId(0), RequestId(1)],
            "split {split}"
        );
        assert_eq!(s.outstanding(), 0);
    }
}

/// A READ's DATA that arrives in several pieces comes out as those pieces, joined it is
/// the data sent; one that arrives in one piece comes whole; a bad end-of-file byte is
/// the same error on both paths.
#[test]
fn data_in_pieces_is_handed_out_unjoined() {
    let v = Version::V6;
    let mut s = ready(v, 6);
    let [a, b, c] = [0u64, 4096, 8192].map(|offset| {
        s.send(&Request::Read {
            handle: b"h",
            offset,
            len: 4096,
        })
        .unwrap()
    });
    sent(&mut s, v);
    let data: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
    let frame = |id, eof: Option<bool>| {
        let mut out = Vec::new();
        ServerPacket::Response {
            id,
            response: Response::Data {
                data: &data,
                end_of_file: eof,
            },
        }
        .encode(v, &mut out);
        out
    };
    for p in frame(a, Some(true)).chunks(1024) {
        s.handle_input_bytes(bytes::Bytes::copy_from_slice(p));
    }
    match s.poll_reply_parts().unwrap().unwrap() {
        ReplyParts::Data {
            id,
            data: got,
            end_of_file,
        } => {
            assert_eq!(id, a);
            assert_eq!(end_of_file, Some(true));
            assert_eq!(got.len(), data.len());
            assert!(got.slices().count() >= 3, "left in its pieces");
            assert_eq!(got.to_vec(), data);
        }
        other => panic!("expected pieces, got {other:?}"),
    }
    s.handle_input_bytes(bytes::Bytes::from(frame(b, None)));
    match s.poll_reply_parts().unwrap().unwrap() {
        ReplyParts::Whole(r) => {
            assert_eq!(r.id, b);
            assert_eq!(
                r.response,
                Response::Data {
                    data: &data,
                    end_of_file: None
                }
            );
        }
        other => panic!("expected a whole reply, got {other:?}"),
    }
    let mut bad = frame(c, Some(true));
    *bad.last_mut().unwrap() = 7;
    for p in bad.chunks(1024) {
        s.handle_input_bytes(bytes::Bytes::copy_from_slice(p));
    }
    let err = s.poll_reply_parts().unwrap_err();
    assert!(
        matches!(
            err,
            SessionError::Malformed {
                packet: PacketType::DATA,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(s.poll_reply().unwrap_err(), err, "sticky");
}
