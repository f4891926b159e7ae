//! Bodies of the cargo-fuzz targets, compiled with the crate so they build and lint with
//! it, and run over generated inputs by the test suite.

use ssh_wire::{Reader, Writer};

use crate::attrs::{FileAttributes, Quirks};
use crate::consts::PacketType;
use crate::deframer::Deframer;
use crate::packet::{Request, Response, ServerPacket, ServerVersion};
use crate::session::{Reply, ReplyParts, SessionConfig, SftpSession};
use crate::version::Version;

/// `sftp_v3`: arbitrary bytes as a server→client packet at v3; whatever decodes strictly
/// re-encodes to the same bytes, and whatever decodes with [`Quirks::LENIENT`] re-encodes
/// to a canonical form that decodes strictly to the same packet.
pub fn sftp_v3(data: &[u8]) {
    server_packet(Version::V3, data);
}

/// `sftp_v4`: as [`sftp_v3`] at v4.
pub fn sftp_v4(data: &[u8]) {
    server_packet(Version::V4, data);
}

/// `sftp_v5`: as [`sftp_v3`] at v5.
pub fn sftp_v5(data: &[u8]) {
    server_packet(Version::V5, data);
}

/// `sftp_v6`: as [`sftp_v3`] at v6.
pub fn sftp_v6(data: &[u8]) {
    server_packet(Version::V6, data);
}

fn server_packet(version: Version, data: &[u8]) {
    if let Ok(packet) = ServerPacket::decode(version, data) {
        let mut out = Vec::new();
        packet.encode(version, &mut out);
        assert_eq!(out.get(4..), Some(data), "re-encoding differs at {version}");
    }
    if let Ok(packet) = ServerPacket::decode_with_quirks(version, Quirks::LENIENT, data) {
        let mut out = Vec::new();
        packet.encode(version, &mut out);
        let back = ServerPacket::decode(version, out.get(4..).unwrap_or_default());
        assert_eq!(
            back.as_ref(),
            Ok(&packet),
            "lenient form not kept at {version}"
        );
    }
}

/// `attrs`: arbitrary bytes as ATTRS at every version (the first byte picks nothing: all
/// four are tried); whatever decodes strictly re-encodes to the bytes it consumed, and
/// whatever decodes with [`Quirks::LENIENT`] re-encodes to bytes that decode strictly to
/// the same value.
pub fn attrs(data: &[u8]) {
    for version in Version::ALL {
        let mut r = Reader::new(data);
        if let Ok(a) = FileAttributes::decode(version, &mut r) {
            let consumed = data.len().saturating_sub(r.remaining());
            let mut out = Vec::new();
            a.encode(version, &mut Writer::new(&mut out));
            assert_eq!(Some(out.as_slice()), data.get(..consumed), "at {version}");
            assert_eq!(a.representable_at(version), a);
        }
        let mut r = Reader::new(data);
        if let Ok(a) = FileAttributes::decode_with_quirks(version, Quirks::LENIENT, &mut r) {
            let mut out = Vec::new();
            a.encode(version, &mut Writer::new(&mut out));
            let mut r = Reader::new(&out);
            let back = FileAttributes::decode(version, &mut r);
            assert_eq!(back.as_ref(), Ok(&a), "lenient form not kept at {version}");
            assert!(r.is_empty(), "at {version}");
        }
    }
}

/// `deframer`: arbitrary bytes fed in 7- and 300-byte chunks, copied or handed over as shared
/// pieces; packets taken whole or as pieces alike, re-framed, are exactly a prefix of the
/// input, a peek agrees with the packet then taken, and the buffer stays under the cap.
pub fn deframer(data: &[u8]) {
    // Pieces too small to keep (copied together) and large enough to keep.
    deframer_in(data, 7);
    deframer_in(data, 300);
}

fn deframer_in(data: &[u8], piece: usize) {
    let mut d = Deframer::new(1024);
    let mut rebuilt = Vec::new();
    let mut failed = false;
    let mut turn = 0usize;
    for chunk in data.chunks(piece) {
        if chunk.first().is_some_and(|b| b % 2 == 0) {
            d.push(chunk);
        } else {
            d.push_bytes(bytes::Bytes::copy_from_slice(chunk));
        }
        loop {
            turn = turn.wrapping_add(1);
            let mut head = [0u8; 3];
            let peeked = d.peek_packet(&mut head);
            let taken = if turn % 2 == 0 {
                d.next_packet().map(|p| p.map(<[u8]>::to_vec))
            } else {
                d.next_packet_pieces().map(|p| {
                    p.map(|pieces| {
                        assert!(pieces.iter().all(|p| !p.is_empty()));
                        pieces.concat()
                    })
                })
            };
            let state = |some: bool, err: bool| if err { 2 } else { u8::from(some) };
            assert_eq!(
                state(matches!(peeked, Ok(Some(_))), peeked.is_err()),
                state(matches!(taken, Ok(Some(_))), taken.is_err()),
                "peek and take disagree"
            );
            match (peeked, taken) {
                (Ok(Some((len, pieces))), Ok(Some(p))) => {
                    assert_eq!(len, p.len());
                    assert!(pieces >= 1);
                    let n = head.len().min(len);
                    assert_eq!(head.get(..n), p.get(..n));
                    let len = u32::try_from(p.len()).unwrap_or(u32::MAX);
                    rebuilt.extend_from_slice(&len.to_be_bytes());
                    rebuilt.extend_from_slice(&p);
                }
                (Err(a), Err(b)) => {
                    assert_eq!(a, b);
                    failed = true;
                    break;
                }
                _ => break,
            }
        }
        if failed {
            break;
        }
        assert!(d.buffered() <= 1024 + 4 + piece);
    }
    assert_eq!(Some(rebuilt.as_slice()), data.get(..rebuilt.len()));
}

/// `session_pieces`: arbitrary bytes as the replies to eight READs (ids 0 to 7, 64 KiB
/// each) and a STAT (id 8) of a ready session at the version the first byte picks. One
/// session gets the bytes at once and is polled with [`SftpSession::poll_reply`];
/// another gets them in pieces of 16 to 1024 bytes (the second byte) and is polled with
/// [`SftpSession::poll_reply_parts`]. Both must see the same replies (DATA pieces joined)
/// and the same error.
pub fn session_pieces(data: &[u8]) {
    let (Some(&pick), Some(&size)) = (data.first(), data.get(1)) else {
        return;
    };
    let version = match pick % 4 {
        0 => Version::V3,
        1 => Version::V4,
        2 => Version::V5,
        _ => Version::V6,
    };
    let replies = data.get(2..).unwrap_or_default();
    let piece = usize::from(size % 64).saturating_add(1).saturating_mul(16);
    let mut whole = ready_with_reads(version);
    let mut parts = ready_with_reads(version);
    whole.handle_input(replies);
    for p in replies.chunks(piece) {
        parts.handle_input_bytes(bytes::Bytes::copy_from_slice(p));
    }
    for _ in 0..replies.len().saturating_add(1) {
        let a = whole.poll_reply().map(|r| r.map(|r| format!("{r:?}")));
        let b = parts.poll_reply_parts().map(|r| {
            r.map(|r| match r {
                ReplyParts::Whole(r) => format!("{r:?}"),
                ReplyParts::Data {
                    id,
                    data,
                    end_of_file,
                } => {
                    let joined = data.to_vec();
                    assert_eq!(joined.len(), data.len());
                    format!(
                        "{:?}",
                        Reply {
                            id,
                            request: PacketType::READ,
                            response: Response::Data {
                                data: &joined,
                                end_of_file,
                            },
                        }
                    )
                }
            })
        });
        assert_eq!(a, b);
        if !matches!(a, Ok(Some(_))) {
            break;
        }
    }
}

/// A session at `version` with READs 0 to 7 and a STAT (8) in flight.
fn ready_with_reads(version: Version) -> SftpSession {
    let mut s = SftpSession::new(SessionConfig {
        protocol_version: version,
        auto_version_select: false,
        ..SessionConfig::default()
    });
    let mut hello = Vec::new();
    ServerPacket::Version(ServerVersion {
        version: version.number(),
        extensions: Vec::new(),
    })
    .encode(Version::V3, &mut hello);
    s.handle_input(&hello);
    let _ = s.poll_reply();
    for n in 0..8u64 {
        let _ = s.send(&Request::Read {
            handle: b"h",
            offset: n.saturating_mul(65536),
            len: 65536,
        });
    }
    let _ = s.send(&Request::Stat {
        path: b"/",
        flags: 0,
    });
    let mut sent = Vec::new();
    s.poll_transmit(&mut sent);
    s
}

/// `session`: arbitrary bytes as everything the server says to a v6 session that has a
/// few requests in flight; must end in replies or an error, never a panic or a loop.
pub fn session(data: &[u8]) {
    let mut s = SftpSession::new(SessionConfig {
        protocol_version: Version::V6,
        ..SessionConfig::default()
    });
    s.handle_input(data);
    for _ in 0..data.len().saturating_add(1) {
        match s.poll_reply() {
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
}
