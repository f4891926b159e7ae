//! Golden bytes, assembled by hand from the grammars of draft-ietf-secsh-filexfer-02/-04/
//! -05/-13 and OpenSSH PROTOCOL, and captured from real servers where noted.

// clippy.toml allows these in #[test] functions only; the helpers here assert too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use sftp_proto::Version;
use sftp_proto::attrs::{FileAttributes, FileTime};
use sftp_proto::consts::{FileType, RealpathControl, StatusCode, TextHint, pflags};
use sftp_proto::ext::{ServerExtensions, StatVfs, VendorId};
use sftp_proto::packet::{
    ClientPacket, Init, Name, NameEntry, OpenMode, Request, RequestId, Response, ServerPacket,
    Status, SymlinkOrder,
};
use ssh_wire::Reader;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn client(v: Version, p: &ClientPacket<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    p.encode(v, &mut out);
    out
}

fn server(v: Version, p: &ServerPacket<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    p.encode(v, &mut out);
    out
}

fn req(id: u32, request: Request<'_>) -> ClientPacket<'_> {
    ClientPacket::Request {
        id: RequestId(id),
        request,
    }
}

#[test]
fn init_v3() {
    let p = ClientPacket::Init(Init {
        version: 3,
        extensions: vec![],
    });
    assert_eq!(client(Version::V3, &p), hex("00000005 01 00000003"));
}

#[test]
fn open_v3_pflags_and_v5_access() {
    let p = req(
        1,
        Request::Open {
            filename: b"/tmp/f",
            mode: OpenMode::Pflags(pflags::READ | pflags::WRITE | pflags::CREAT),
            attrs: FileAttributes {
                permissions: Some(0o644),
                ..FileAttributes::default()
            },
        },
    );
    // draft-02 §6.3: uint32 id, string filename, uint32 pflags, ATTRS attrs.
    let v3 = hex("0000001b 03 00000001 00000006 2f746d702f66 0000000b 00000004 000001a4");
    assert_eq!(client(Version::V3, &p), v3);
    // draft-05 §6.3: desired-access READ_DATA|WRITE_DATA|READ_ATTRIBUTES|WRITE_ATTRIBUTES
    // (0x183), flags SSH_FXF_OPEN_OR_CREATE (3); v4+ ATTRS carry the type byte (5 =
    // UNKNOWN when not given).
    let v5 =
        hex("00000020 03 00000001 00000006 2f746d702f66 00000183 00000003 00000004 05 000001a4");
    assert_eq!(client(Version::V5, &p), v5);
    assert_eq!(
        ClientPacket::decode(Version::V5, &v5[4..]).unwrap(),
        req(
            1,
            Request::Open {
                filename: b"/tmp/f",
                mode: OpenMode::Access {
                    desired_access: 0x183,
                    flags: 3
                },
                attrs: FileAttributes {
                    file_type: Some(FileType::UNKNOWN),
                    permissions: Some(0o644),
                    ..FileAttributes::default()
                },
            }
        )
    );
}

#[test]
fn stat_flags_only_from_v4() {
    let p = req(
        2,
        Request::Stat {
            path: b"a",
            flags: 0xffff_ffff,
        },
    );
    assert_eq!(
        client(Version::V3, &p),
        hex("0000000a 11 00000002 00000001 61")
    );
    // Flags are masked to what v4 defines (0x800001fd).
    assert_eq!(
        client(Version::V4, &p),
        hex("0000000e 11 00000002 00000001 61 800001fd")
    );
}

#[test]
fn rename_flags_from_v5() {
    let p = req(
        3,
        Request::Rename {
            oldpath: b"a",
            newpath: b"b",
            flags: 1,
        },
    );
    assert_eq!(
        client(Version::V4, &p),
        hex("0000000f 12 00000003 00000001 61 00000001 62")
    );
    assert_eq!(
        client(Version::V5, &p),
        hex("00000013 12 00000003 00000001 61 00000001 62 00000001")
    );
}

#[test]
fn realpath_v6_control_and_compose() {
    let p = req(
        4,
        Request::Realpath {
            path: b"/a",
            control: Some(RealpathControl::STAT_IF),
            compose: vec![b"b", b"c"],
        },
    );
    assert_eq!(
        client(Version::V6, &p),
        hex("00000016 10 00000004 00000002 2f61 02 00000001 62 00000001 63")
    );
}

#[test]
fn realpath_compose_without_control_uses_no_check() {
    let p = req(
        4,
        Request::Realpath {
            path: b"/a",
            control: None,
            compose: vec![b"b"],
        },
    );
    assert_eq!(
        client(Version::V6, &p),
        hex("00000011 10 00000004 00000002 2f61 01 00000001 62")
    );
    assert!(matches!(
        &p,
        ClientPacket::Request { request, .. } if request.check_version(Version::V5).is_err()
    ));
}

#[test]
fn symlink_argument_orders() {
    let mk = |order| {
        req(
            5,
            Request::Symlink {
                linkpath: b"L",
                targetpath: b"T",
                order,
            },
        )
    };
    // draft-02 §6.10: linkpath, targetpath. OpenSSH: targetpath, linkpath.
    assert_eq!(
        client(Version::V3, &mk(SymlinkOrder::Draft)),
        hex("0000000f 14 00000005 00000001 4c 00000001 54")
    );
    assert_eq!(
        client(Version::V3, &mk(SymlinkOrder::TargetFirst)),
        hex("0000000f 14 00000005 00000001 54 00000001 4c")
    );
    let gesftp = ServerExtensions::from_pairs(&[
        (b"posix-rename@openssh.com", b"1"),
        (b"symlink-order@rjk.greenend.org.uk", b"linkpath-targetpath"),
    ]);
    assert_eq!(gesftp.symlink_order(), SymlinkOrder::Draft);
    let openssh = ServerExtensions::from_pairs(&[(b"posix-rename@openssh.com", b"1")]);
    assert_eq!(openssh.symlink_order(), SymlinkOrder::TargetFirst);
    assert_eq!(
        ServerExtensions::default().symlink_order(),
        SymlinkOrder::Draft
    );
}

#[test]
fn status_v3() {
    let p = ServerPacket::Response {
        id: RequestId(7),
        response: Response::Status(Status {
            code: StatusCode::NO_SUCH_FILE,
            message: b"No such file",
            language: b"en",
        }),
    };
    let bytes =
        hex("0000001f 65 00000007 00000002 0000000c 4e6f20737563682066696c65 00000002 656e");
    assert_eq!(server(Version::V3, &p), bytes);
    assert_eq!(ServerPacket::decode(Version::V3, &bytes[4..]).unwrap(), p);
    assert!(!StatusCode::FILE_ALREADY_EXISTS.defined_in(Version::V3));
    assert!(StatusCode::FILE_ALREADY_EXISTS.defined_in(Version::V4));
    assert!(!StatusCode::DIR_NOT_EMPTY.defined_in(Version::V5));
    assert!(StatusCode::NO_MATCHING_BYTE_RANGE_LOCK.defined_in(Version::V6));
}

#[test]
fn name_v3_with_longname_and_attrs() {
    // count 1; "f"; longname "-rw-r--r-- 1 u g 5 Jan 1 00:00 f"; ATTRS SIZE|UIDGID|
    // PERMISSIONS|ACMODTIME.
    let longname = b"-rw-r--r-- 1 u g 5 Jan 1 00:00 f";
    let mut bytes = hex("68 00000009 00000001 00000001 66");
    bytes.extend_from_slice(&(longname.len() as u32).to_be_bytes());
    bytes.extend_from_slice(longname);
    bytes.extend_from_slice(&hex(
        "0000000f 0000000000000005 000003e8 000003e9 000081a4 3b9aca00 499602d2",
    ));
    let p = ServerPacket::decode(Version::V3, &bytes).unwrap();
    let ServerPacket::Response {
        id,
        response: Response::Name(n),
    } = &p
    else {
        panic!("{p:?}")
    };
    assert_eq!(*id, RequestId(9));
    let a = &n.entries[0].attrs;
    assert_eq!(n.entries[0].filename, b"f");
    assert_eq!(n.entries[0].longname, Some(&longname[..]));
    assert_eq!(a.size, Some(5));
    assert_eq!(a.uid_gid, Some((1000, 1001)));
    assert_eq!(a.kind(), Some(FileType::REGULAR));
    assert_eq!(a.atime, Some(FileTime::from_seconds(1_000_000_000)));
    assert_eq!(a.mtime.unwrap().as_millis(), 1_234_567_890_000);
    assert_eq!(&server(Version::V3, &p)[4..], &bytes[..]);
}

#[test]
fn attrs_v6_every_field() {
    // draft-13 §7: flags, type, size, allocation-size, owner, group, permissions,
    // atime+ns, createtime+ns, mtime+ns, ctime+ns, acl, attrib-bits, attrib-bits-valid,
    // text-hint, mime-type, link-count, untranslated-name, extended.
    let bytes = hex(concat!(
        "8000fffd 02",
        "0000000000001000 0000000000002000",
        "00000001 75 00000001 67",
        "000041ed",
        "0000000000000001 00000002",
        "fffffffffffffffe 00000003",
        "0000000000000005 00000006",
        "0000000000000007 00000008",
        "00000004 00000000",
        "00000001 00000fff",
        "02",
        "00000005 746578742f",
        "00000003",
        "00000001 ff",
        "00000001 00000001 65 00000001 64",
    ));
    let mut r = Reader::new(&bytes);
    let a = FileAttributes::decode(Version::V6, &mut r).unwrap();
    r.finish().unwrap();
    let t = |seconds, ns| {
        Some(FileTime {
            seconds,
            nanoseconds: Some(ns),
        })
    };
    assert_eq!(
        a,
        FileAttributes {
            file_type: Some(FileType::DIRECTORY),
            size: Some(0x1000),
            allocation_size: Some(0x2000),
            uid_gid: None,
            owner_group: Some(("u".into(), "g".into())),
            permissions: Some(0o40755),
            atime: t(1, 2),
            createtime: t(-2, 3),
            mtime: t(5, 6),
            ctime: t(7, 8),
            acl: Some(vec![0, 0, 0, 0]),
            attrib_bits: Some(1),
            attrib_bits_valid: Some(0xfff),
            text_hint: Some(TextHint::KNOWN_BINARY),
            mime_type: Some("text/".into()),
            link_count: Some(3),
            untranslated_name: Some(vec![0xff]),
            extended: vec![(b"e".to_vec(), b"d".to_vec())],
        }
    );
    let mut out = Vec::new();
    a.encode(Version::V6, &mut ssh_wire::Writer::new(&mut out));
    assert_eq!(out, bytes);
    // At v3: size, permissions, whole-second atime/mtime and extended survive; the rest
    // has no v3 form.
    let mut v3 = Vec::new();
    a.encode(Version::V3, &mut ssh_wire::Writer::new(&mut v3));
    assert_eq!(
        v3,
        hex(
            "8000000d 0000000000001000 000041ed 00000001 00000005 00000001 00000001 65 00000001 64"
        )
    );
}

#[test]
fn data_v6_end_of_file() {
    let p = ServerPacket::Response {
        id: RequestId(1),
        response: Response::Data {
            data: b"abc",
            end_of_file: Some(true),
        },
    };
    let bytes = hex("0000000d 67 00000001 00000003 616263 01");
    assert_eq!(server(Version::V6, &p), bytes);
    // The flag is optional at v6 and absent before.
    assert!(ServerPacket::decode(Version::V6, &bytes[4..bytes.len() - 1]).is_ok());
    assert!(ServerPacket::decode(Version::V5, &bytes[4..]).is_err());
    // A boolean other than 0/1 is refused so that decoding is canonical.
    let mut two = bytes.clone();
    *two.last_mut().unwrap() = 2;
    assert!(ServerPacket::decode(Version::V6, &two[4..]).is_err());
}

#[test]
fn name_v6_end_of_list() {
    let p = ServerPacket::Response {
        id: RequestId(1),
        response: Response::Name(Name {
            entries: vec![NameEntry {
                filename: b"x",
                longname: None,
                attrs: FileAttributes {
                    file_type: Some(FileType::REGULAR),
                    ..FileAttributes::default()
                },
            }],
            end_of_list: Some(true),
        }),
    };
    assert_eq!(
        server(Version::V6, &p),
        hex("00000014 68 00000001 00000001 00000001 78 00000000 01 01")
    );
}

#[test]
fn unknown_packet_type() {
    let bytes = hex("fe 00000001 0102");
    let p = ServerPacket::decode(Version::V3, &bytes).unwrap();
    assert_eq!(
        p,
        ServerPacket::Unknown {
            ty: sftp_proto::PacketType(0xfe),
            payload: &bytes[1..]
        }
    );
    assert_eq!(p.id(), None);
}

#[test]
fn vendor_id_from_gesftpserver() {
    // Captured from gesftpserver's VERSION.
    let data = b"\0\0\0\tGreen End\0\0\0\x15Green End SFTP Server\0\0\0\x012\0\0\0\0\0\0\0\0";
    let ext = ServerExtensions::from_pairs(&[(b"vendor-id", data)]);
    assert_eq!(
        ext.vendor_id().unwrap().unwrap(),
        VendorId {
            vendor_name: b"Green End",
            product_name: b"Green End SFTP Server",
            product_version: b"2",
            product_build_number: 0,
        }
    );
}

#[test]
fn statvfs_reply() {
    let mut bytes = Vec::new();
    for v in 1..=11u64 {
        bytes.extend_from_slice(&v.to_be_bytes());
    }
    let s = StatVfs::decode(&bytes).unwrap();
    assert_eq!((s.bsize, s.namemax, s.flag), (1, 11, 10));
    assert_eq!(s.available_bytes(), 5 * 2);
    assert!(StatVfs::decode(&bytes[..87]).is_err());
    bytes.push(0);
    assert!(StatVfs::decode(&bytes).is_err(), "trailing bytes");
}

#[test]
fn check_file_reply_both_forms() {
    use sftp_proto::ext::CheckFileReply;
    // Draft form: string "check-file", string algorithm, hashes.
    let named = hex("0000000a 636865636b2d66696c65 00000003 6d6435 00112233");
    let r = CheckFileReply::decode(&named).unwrap();
    assert!(r.named);
    assert_eq!(r.algorithm_name(), Some("md5"));
    assert_eq!(r.hashes, hex("00112233"));
    // ProFTPD form: the algorithm first.
    let bare = hex("00000003 6d6435 00112233");
    let r = CheckFileReply::decode(&bare).unwrap();
    assert!(!r.named);
    assert_eq!(r.algorithm, b"md5");
}

#[test]
fn acl_v4_and_v6() {
    use sftp_proto::attrs::{Ace, Acl};
    let acl = Acl {
        acl_flags: None,
        aces: vec![Ace {
            ace_type: 0,
            ace_flag: 0,
            ace_mask: 0x1,
            who: "OWNER@".into(),
        }],
    };
    let v4 = hex("00000001 00000000 00000000 00000001 00000006 4f574e455240");
    assert_eq!(acl.encode(Version::V4), v4);
    assert_eq!(Acl::decode(Version::V4, &v4).unwrap(), acl);
    let mut v6 = hex("00000002");
    v6.extend_from_slice(&v4);
    let back = Acl::decode(Version::V6, &v6).unwrap();
    assert_eq!(back.acl_flags, Some(2));
    assert_eq!(back.encode(Version::V6), v6);
    // A count the bytes cannot hold is refused before allocating.
    assert!(Acl::decode(Version::V4, &hex("ffffffff 00")).is_err());
}
