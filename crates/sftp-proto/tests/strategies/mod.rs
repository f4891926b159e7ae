//! proptest strategies shared by the round-trip tests.

#![allow(dead_code)]

use proptest::collection::vec;
use proptest::prelude::*;
use sftp_proto::Version;
use sftp_proto::attrs::{FileAttributes, FileTime};
use sftp_proto::consts::{FileType, RealpathControl, StatusCode, TextHint, defined_attr_flags};
use sftp_proto::ext::{CheckFileTarget, ExtendedRequest, VendorId};
use sftp_proto::packet::{
    ClientPacket, Init, Name, NameEntry, OpenMode, Request, RequestId, Response, ServerPacket,
    ServerVersion, Status, SymlinkOrder,
};

pub fn version() -> impl Strategy<Value = Version> {
    prop::sample::select(Version::ALL.to_vec())
}

pub fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..max)
}

fn time() -> impl Strategy<Value = FileTime> {
    (
        prop_oneof![any::<i64>(), 0i64..5_000_000_000],
        prop::option::of(0u32..1_000_000_000),
    )
        .prop_map(|(seconds, nanoseconds)| FileTime {
            seconds,
            nanoseconds,
        })
}

/// Any attribute set, including fields some versions cannot carry.
pub fn attrs() -> impl Strategy<Value = FileAttributes> {
    let a = (
        prop::option::of(any::<u8>().prop_map(FileType)),
        prop::option::of(any::<u64>()),
        prop::option::of(any::<u64>()),
        prop::option::of(any::<(u32, u32)>()),
        prop::option::of(("[a-z0-9@.]{0,12}", "\\PC{0,8}")),
        prop::option::of(any::<u32>()),
    );
    let b = (
        prop::option::of(time()),
        prop::option::of(time()),
        prop::option::of(time()),
        prop::option::of(time()),
        prop::option::of(bytes(24)),
        prop::option::of(any::<u32>()),
        prop::option::of(any::<u32>()),
    );
    let c = (
        prop::option::of(any::<u8>().prop_map(TextHint)),
        prop::option::of("[a-z/+.-]{0,16}"),
        prop::option::of(any::<u32>()),
        prop::option::of(bytes(16)),
        vec((bytes(12), bytes(12)), 0..3),
    );
    (a, b, c).prop_map(
        |(
            (file_type, size, allocation_size, uid_gid, owner_group, permissions),
            (atime, createtime, mtime, ctime, acl, attrib_bits, attrib_bits_valid),
            (text_hint, mime_type, link_count, untranslated_name, extended),
        )| FileAttributes {
            file_type,
            size,
            allocation_size,
            uid_gid,
            owner_group,
            permissions,
            atime,
            createtime,
            mtime,
            ctime,
            acl,
            attrib_bits,
            attrib_bits_valid,
            text_hint,
            mime_type,
            link_count,
            untranslated_name,
            extended,
        },
    )
}

/// Owned material from which packets borrowing it are built.
#[derive(Clone, Debug)]
pub struct Seed {
    pub a: Vec<u8>,
    pub b: Vec<u8>,
    pub handle: Vec<u8>,
    pub n1: u64,
    pub n2: u64,
    pub n3: u32,
    pub n4: u32,
    pub flag: bool,
    pub attrs: FileAttributes,
    pub list: Vec<Vec<u8>>,
    pub ids: Vec<u32>,
    pub text: String,
}

pub fn seed() -> impl Strategy<Value = Seed> {
    (
        (bytes(40), bytes(40), bytes(64)),
        (
            any::<u64>(),
            any::<u64>(),
            any::<u32>(),
            any::<u32>(),
            any::<bool>(),
        ),
        attrs(),
        (vec(bytes(20), 0..4), vec(any::<u32>(), 0..5), "\\PC{0,10}"),
    )
        .prop_map(
            |((a, b, handle), (n1, n2, n3, n4, flag), attrs, (list, ids, text))| Seed {
                a,
                b,
                handle,
                n1,
                n2,
                n3,
                n4,
                flag,
                attrs,
                list,
                ids,
                text,
            },
        )
}

/// Every request type defined at `v`, in the form `v` decodes to.
pub fn requests(s: &Seed, v: Version) -> Vec<Request<'_>> {
    let attrs = s.attrs.representable_at(v);
    let flags = if v == Version::V3 {
        0
    } else {
        s.n3 & defined_attr_flags(v)
    };
    let (a, b, h) = (&s.a[..], &s.b[..], &s.handle[..]);
    let mode = if v >= Version::V5 {
        OpenMode::Access {
            desired_access: s.n3,
            flags: s.n4,
        }
    } else {
        OpenMode::Pflags(s.n3)
    };
    let mut out = vec![
        Request::Open {
            filename: a,
            mode,
            attrs: attrs.clone(),
        },
        Request::Close { handle: h },
        Request::Read {
            handle: h,
            offset: s.n1,
            len: s.n3,
        },
        Request::Write {
            handle: h,
            offset: s.n1,
            data: b,
        },
        Request::Lstat { path: a, flags },
        Request::Fstat { handle: h, flags },
        Request::Setstat {
            path: a,
            attrs: attrs.clone(),
        },
        Request::Fsetstat {
            handle: h,
            attrs: attrs.clone(),
        },
        Request::Opendir { path: a },
        Request::Readdir { handle: h },
        Request::Remove { filename: a },
        Request::Mkdir {
            path: a,
            attrs: attrs.clone(),
        },
        Request::Rmdir { path: a },
        Request::Realpath {
            path: a,
            control: None,
            compose: vec![],
        },
        Request::Stat { path: b, flags },
        Request::Rename {
            oldpath: a,
            newpath: b,
            flags: if v >= Version::V5 { s.n4 } else { 0 },
        },
        Request::Readlink { path: a },
    ];
    if v <= Version::V5 {
        out.push(Request::Symlink {
            linkpath: a,
            targetpath: b,
            order: SymlinkOrder::Draft,
        });
    } else {
        out.push(Request::Realpath {
            path: a,
            control: Some(RealpathControl(s.n4 as u8)),
            compose: s.list.iter().map(Vec::as_slice).collect(),
        });
        out.push(Request::Link {
            new_link_path: a,
            existing_path: b,
            symlink: s.flag,
        });
        out.push(Request::Block {
            handle: h,
            offset: s.n1,
            length: s.n2,
            lock_mask: s.n3,
        });
        out.push(Request::Unblock {
            handle: h,
            offset: s.n1,
            length: s.n2,
        });
    }
    for ext in extended_requests(s, v) {
        out.push(Request::Extended(ext));
    }
    out
}

pub fn extended_requests(s: &Seed, v: Version) -> Vec<ExtendedRequest<'_>> {
    let (a, b, h) = (&s.a[..], &s.b[..], &s.handle[..]);
    vec![
        ExtendedRequest::PosixRename {
            oldpath: a,
            newpath: b,
        },
        ExtendedRequest::Statvfs { path: a },
        ExtendedRequest::Fstatvfs { handle: h },
        ExtendedRequest::Hardlink {
            oldpath: a,
            newpath: b,
        },
        ExtendedRequest::Fsync { handle: h },
        ExtendedRequest::Lsetstat {
            path: a,
            attrs: s.attrs.representable_at(v),
        },
        ExtendedRequest::Limits,
        ExtendedRequest::ExpandPath { path: a },
        ExtendedRequest::HomeDirectory { username: b },
        ExtendedRequest::CopyData {
            read_handle: h,
            read_offset: s.n1,
            read_length: s.n2,
            write_handle: h,
            write_offset: u64::from(s.n3),
        },
        ExtendedRequest::UsersGroupsById {
            uids: s.ids.clone(),
            gids: s.ids.iter().rev().copied().collect(),
        },
        ExtendedRequest::CheckFile {
            target: if s.flag {
                CheckFileTarget::Name(a)
            } else {
                CheckFileTarget::Handle(h)
            },
            hash_algorithms: b"sha256,md5",
            start_offset: s.n1,
            length: s.n2,
            block_size: s.n3,
        },
        ExtendedRequest::CopyFile {
            source: a,
            destination: b,
            overwrite: s.flag,
        },
        ExtendedRequest::SpaceAvailable { path: a },
        ExtendedRequest::VersionSelect { version: b"6" },
        ExtendedRequest::VendorId(VendorId {
            vendor_name: a,
            product_name: b,
            product_version: s.text.as_bytes(),
            product_build_number: s.n1,
        }),
        ExtendedRequest::Unknown {
            name: b"frobnicate@example.com",
            data: b,
        },
    ]
}

/// Every server packet type at `v`, in the form `v` decodes to.
pub fn server_packets(s: &Seed, v: Version) -> Vec<ServerPacket<'_>> {
    let id = RequestId(s.n4);
    let attrs = s.attrs.representable_at(v);
    let r = |response| ServerPacket::Response { id, response };
    let v6 = v == Version::V6;
    let entries: Vec<NameEntry<'_>> = s
        .list
        .iter()
        .map(|n| NameEntry {
            filename: n,
            longname: (v == Version::V3).then_some(&s.a[..]),
            attrs: attrs.clone(),
        })
        .collect();
    vec![
        ServerPacket::Version(ServerVersion {
            version: s.n3,
            extensions: s.list.iter().map(|n| (&n[..], &s.b[..])).collect(),
        }),
        r(Response::Status(Status {
            code: StatusCode(s.n3),
            message: &s.a,
            language: b"en",
        })),
        r(Response::Handle(&s.handle)),
        r(Response::Data {
            data: &s.b,
            end_of_file: v6.then_some(s.flag),
        }),
        r(Response::Data {
            data: &s.a,
            end_of_file: None,
        }),
        r(Response::Name(Name {
            entries,
            end_of_list: v6.then_some(!s.flag),
        })),
        r(Response::Name(Name::default())),
        r(Response::Attrs(attrs)),
        r(Response::ExtendedReply(&s.b)),
        ServerPacket::Unknown {
            ty: sftp_proto::PacketType(0xfe),
            payload: &s.a,
        },
    ]
}

pub fn client_init(s: &Seed) -> ClientPacket<'_> {
    ClientPacket::Init(Init {
        version: s.n3,
        extensions: s.list.iter().map(|n| (&n[..], &s.a[..])).collect(),
    })
}
