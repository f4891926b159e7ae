//! Bodies of the cargo-fuzz targets, compiled with the crate so they build and lint with
//! it, and run over generated inputs by the test suite.

use ssh_wire::{Reader, Writer};

use crate::attrs::{FileAttributes, Quirks};
use crate::deframer::Deframer;
use crate::packet::ServerPacket;
use crate::session::{SessionConfig, SftpSession};
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

/// `deframer`: arbitrary bytes fed in uneven chunks; the packets returned, re-framed,
/// are exactly a prefix of the input, and the buffer stays under the cap.
pub fn deframer(data: &[u8]) {
    let mut d = Deframer::new(1024);
    let mut rebuilt = Vec::new();
    let mut failed = false;
    for chunk in data.chunks(7) {
        d.push(chunk);
        loop {
            match d.next_packet() {
                Ok(Some(p)) => {
                    let len = u32::try_from(p.len()).unwrap_or(u32::MAX);
                    rebuilt.extend_from_slice(&len.to_be_bytes());
                    rebuilt.extend_from_slice(p);
                }
                Ok(None) => break,
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        if failed {
            break;
        }
        assert!(d.buffered() <= 1024 + 4 + 7);
    }
    assert_eq!(Some(rebuilt.as_slice()), data.get(..rebuilt.len()));
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
