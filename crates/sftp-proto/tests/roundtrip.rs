//! proptest round trips: every packet and attribute set in every version, every typed
//! extension payload, and the fuzz-target bodies over generated and mutated inputs.

// clippy.toml allows these in #[test] functions only; the helpers here assert too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod strategies;

use proptest::prelude::*;
use sftp_proto::attrs::FileAttributes;
use sftp_proto::consts::attr_flags;
use sftp_proto::ext::{
    CheckFileReply, Limits, SpaceAvailable, StatVfs, Supported, Supported2, UsersGroups, VendorId,
};
use sftp_proto::packet::{ClientPacket, RequestId};
use sftp_proto::{Quirks, ServerPacket, Version, fuzzing};
use ssh_wire::{Reader, Writer};
use strategies::*;

fn encode_attrs(a: &FileAttributes, v: Version) -> Vec<u8> {
    let mut out = Vec::new();
    a.encode(v, &mut Writer::new(&mut out));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    /// Replies to pending READs (and a STAT), well-formed or with one byte changed, read
    /// whole and in pieces: the same replies and errors either way.
    #[test]
    fn data_in_pieces_matches_whole(
        replies in prop::collection::vec((0u8..3, 0u32..10, bytes(2000), any::<Option<bool>>()), 1..6),
        pick in 0u8..4,
        piece in any::<u8>(),
        flip in any::<Option<(usize, u8)>>(),
    ) {
        let v = [Version::V3, Version::V4, Version::V5, Version::V6][usize::from(pick)];
        let mut out = vec![pick, piece];
        for (kind, id, data, eof) in &replies {
            let response = match kind {
                0 | 1 => sftp_proto::Response::Data {
                    data,
                    end_of_file: eof.filter(|_| v == Version::V6),
                },
                _ => sftp_proto::Response::Status(sftp_proto::packet::Status {
                    code: sftp_proto::StatusCode::EOF,
                    message: b"eof",
                    language: b"",
                }),
            };
            ServerPacket::Response { id: RequestId(*id), response }.encode(v, &mut out);
        }
        if let Some((at, b)) = flip {
            let i = 2 + at % (out.len() - 2);
            out[i] = b;
        }
        fuzzing::session_pieces(&out);
    }

    /// What a version can carry survives encode → decode exactly; what it cannot is
    /// dropped as documented on `FileAttributes`.
    #[test]
    fn attrs_round_trip(a in attrs(), v in version()) {
        let c = a.representable_at(v);
        let bytes = encode_attrs(&c, v);
        let mut r = Reader::new(&bytes);
        let back = FileAttributes::decode(v, &mut r).unwrap();
        r.finish().unwrap();
        prop_assert_eq!(&back, &c);
        prop_assert_eq!(encode_attrs(&back, v), bytes.clone());
        fuzzing::attrs(&bytes);

        // Independent of the codec: what each version keeps.
        prop_assert_eq!(c.size, a.size);
        prop_assert_eq!(c.permissions, a.permissions);
        prop_assert_eq!(&c.extended, &a.extended);
        let secs = |t: Option<sftp_proto::FileTime>| t.map(|t| t.seconds);
        if v == Version::V3 {
            prop_assert_eq!(c.file_type, None);
            prop_assert_eq!(c.uid_gid, a.uid_gid);
            prop_assert_eq!(&c.owner_group, &None);
            let fits = |t: Option<sftp_proto::FileTime>| {
                t.is_some_and(|t| u32::try_from(t.seconds).is_ok())
            };
            if fits(a.atime) && fits(a.mtime) {
                prop_assert_eq!(secs(c.atime), secs(a.atime));
                prop_assert_eq!(secs(c.mtime), secs(a.mtime));
            } else {
                prop_assert_eq!(c.atime, None);
                prop_assert_eq!(c.mtime, None);
            }
            prop_assert!(c.createtime.is_none() && c.ctime.is_none() && c.acl.is_none());
        } else {
            prop_assert_eq!(c.file_type, Some(a.file_type.unwrap_or(sftp_proto::FileType::UNKNOWN)));
            prop_assert_eq!(c.uid_gid, None);
            prop_assert_eq!(&c.owner_group, &a.owner_group);
            prop_assert_eq!(secs(c.atime), secs(a.atime));
            prop_assert_eq!(secs(c.createtime), secs(a.createtime));
            prop_assert_eq!(secs(c.mtime), secs(a.mtime));
            prop_assert_eq!(&c.acl, &a.acl);
            let any_nanos = [a.atime, a.createtime, a.mtime]
                .into_iter()
                .chain((v == Version::V6).then_some(a.ctime))
                .flatten()
                .any(|t| t.nanoseconds.is_some());
            if let Some(t) = c.mtime {
                prop_assert_eq!(t.nanoseconds.is_some(), any_nanos);
                if let Some(n) = a.mtime.and_then(|t| t.nanoseconds) {
                    prop_assert_eq!(t.nanoseconds, Some(n));
                }
            }
        }
        prop_assert_eq!(c.attrib_bits, if v >= Version::V5 { a.attrib_bits } else { None });
        if v == Version::V6 {
            prop_assert_eq!(secs(c.ctime), secs(a.ctime));
            prop_assert_eq!(c.allocation_size, a.allocation_size);
            prop_assert_eq!(&c.mime_type, &a.mime_type);
            prop_assert_eq!(c.link_count, a.link_count);
            prop_assert_eq!(c.text_hint, a.text_hint);
            prop_assert_eq!(&c.untranslated_name, &a.untranslated_name);
            if a.attrib_bits.is_some() {
                prop_assert_eq!(c.attrib_bits_valid, Some(a.attrib_bits_valid.unwrap_or(0xfff)));
            }
        } else {
            prop_assert!(c.ctime.is_none() && c.mime_type.is_none() && c.link_count.is_none());
            prop_assert_eq!(c.attrib_bits_valid, None);
        }
        // Never a flag the version does not define.
        let flags = u32::from_be_bytes(bytes[..4].try_into().unwrap());
        prop_assert_eq!(flags & !sftp_proto::consts::defined_attr_flags(v), 0);
    }

    /// Every request at every version.
    #[test]
    fn client_packets_round_trip(s in seed(), v in version()) {
        let mut packets: Vec<ClientPacket<'_>> = requests(&s, v)
            .into_iter()
            .map(|request| ClientPacket::Request { id: RequestId(s.n3 ^ 0x5a5a), request })
            .collect();
        packets.push(client_init(&s));
        for p in packets {
            let mut out = Vec::new();
            p.encode(v, &mut out);
            let len = u32::from_be_bytes(out[..4].try_into().unwrap()) as usize;
            prop_assert_eq!(len, out.len() - 4);
            let back = ClientPacket::decode(v, &out[4..]);
            prop_assert_eq!(back.as_ref(), Ok(&p), "{:?}", p);
        }
    }

    /// Every server packet at every version; the fuzz bodies accept the encodings.
    #[test]
    fn server_packets_round_trip(s in seed(), v in version()) {
        for p in server_packets(&s, v) {
            let mut out = Vec::new();
            p.encode(v, &mut out);
            let back = ServerPacket::decode(v, &out[4..]);
            prop_assert_eq!(back.as_ref(), Ok(&p));
            match v {
                Version::V3 => fuzzing::sftp_v3(&out[4..]),
                Version::V4 => fuzzing::sftp_v4(&out[4..]),
                Version::V5 => fuzzing::sftp_v5(&out[4..]),
                Version::V6 => fuzzing::sftp_v6(&out[4..]),
            }
            fuzzing::deframer(&out);
            fuzzing::session(&out);
        }
    }

    /// Typed extension payloads.
    #[test]
    fn extension_payloads_round_trip(s in seed(), nums in proptest::collection::vec(any::<u64>(), 11)) {
        let mut out = Vec::new();
        let st = StatVfs {
            bsize: nums[0], frsize: nums[1], blocks: nums[2], bfree: nums[3], bavail: nums[4],
            files: nums[5], ffree: nums[6], favail: nums[7], fsid: nums[8], flag: nums[9],
            namemax: nums[10],
        };
        st.encode(&mut Writer::new(&mut out));
        prop_assert_eq!(StatVfs::decode(&out), Ok(st));

        out.clear();
        let l = Limits {
            max_packet_length: nums[0], max_read_length: nums[1], max_write_length: nums[2],
            max_open_handles: nums[3],
        };
        l.encode(&mut Writer::new(&mut out));
        prop_assert_eq!(Limits::decode(&out), Ok(l));

        out.clear();
        let ug = UsersGroups {
            users: s.list.iter().map(Vec::as_slice).collect(),
            groups: vec![&s.a[..]],
        };
        ug.encode(&mut Writer::new(&mut out));
        prop_assert_eq!(UsersGroups::decode(&out), Ok(ug));

        for named in [true, false] {
            out.clear();
            // An unnamed reply cannot start with the string "check-file".
            let cf = CheckFileReply { named, algorithm: b"sha256", hashes: &s.b };
            cf.encode(&mut Writer::new(&mut out));
            prop_assert_eq!(CheckFileReply::decode(&out), Ok(cf));
        }

        out.clear();
        let sa = SpaceAvailable {
            bytes_on_device: nums[0], unused_bytes_on_device: nums[1],
            bytes_available_to_user: nums[2], unused_bytes_available_to_user: nums[3],
            bytes_per_allocation_unit: s.n3,
        };
        sa.encode(&mut Writer::new(&mut out));
        prop_assert_eq!(SpaceAvailable::decode(&out), Ok(sa));

        out.clear();
        let vid = VendorId {
            vendor_name: &s.a, product_name: &s.b, product_version: s.text.as_bytes(),
            product_build_number: nums[0],
        };
        vid.encode(&mut Writer::new(&mut out));
        let mut r = Reader::new(&out);
        prop_assert_eq!(VendorId::decode(&mut r), Ok(vid));
        prop_assert!(r.finish().is_ok());

        out.clear();
        let sup = Supported {
            attribute_mask: s.n3, attribute_bits: s.n4, open_flags: 1, access_mask: 2,
            max_read_size: 3, extension_names: s.list.iter().map(Vec::as_slice).collect(),
        };
        sup.encode(&mut Writer::new(&mut out));
        prop_assert_eq!(Supported::decode(&out), Ok(sup));

        out.clear();
        let sup2 = Supported2 {
            attribute_mask: s.n3, attribute_bits: s.n4, open_flags: 1, access_mask: 2,
            max_read_size: 3, open_block_vector: nums[0] as u16, block_vector: nums[1] as u16,
            attrib_extension_names: vec![&s.a[..]],
            extension_names: s.list.iter().map(Vec::as_slice).collect(),
        };
        sup2.encode(&mut Writer::new(&mut out));
        prop_assert_eq!(Supported2::decode(&out), Ok(sup2));
    }

    /// The ProFTPD form (EXTENDED flag, `extended_count` 0) of any attribute set without
    /// extended pairs: refused by the strict codec, read by `Quirks::LENIENT` as the same
    /// value as the canonical form, which it re-encodes to.
    #[test]
    fn attrs_empty_extended_quirk(a in attrs(), v in version()) {
        let mut c = a.representable_at(v);
        c.extended.clear();
        let canonical = encode_attrs(&c, v);
        let mut quirky = canonical.clone();
        let flags = u32::from_be_bytes(quirky[..4].try_into().unwrap()) | attr_flags::EXTENDED;
        quirky[..4].copy_from_slice(&flags.to_be_bytes());
        quirky.extend_from_slice(&[0, 0, 0, 0]);

        prop_assert!(FileAttributes::decode(v, &mut Reader::new(&quirky)).is_err());
        let mut r = Reader::new(&quirky);
        let back = FileAttributes::decode_with_quirks(v, Quirks::LENIENT, &mut r).unwrap();
        r.finish().unwrap();
        prop_assert_eq!(&back, &c);
        prop_assert_eq!(encode_attrs(&back, v), canonical);
        fuzzing::attrs(&quirky);
    }

    /// The fuzz bodies never panic on arbitrary bytes, nor on valid packets with one byte
    /// changed.
    #[test]
    fn fuzz_bodies_arbitrary(data in bytes(300), s in seed(), v in version(), at in any::<usize>(), b in any::<u8>()) {
        fuzzing::sftp_v3(&data);
        fuzzing::sftp_v4(&data);
        fuzzing::sftp_v5(&data);
        fuzzing::sftp_v6(&data);
        fuzzing::attrs(&data);
        fuzzing::deframer(&data);
        fuzzing::session(&data);
        for p in server_packets(&s, v) {
            let mut out = Vec::new();
            p.encode(v, &mut out);
            let i = at % out.len();
            out[i] = b;
            fuzzing::sftp_v3(&out[4..]);
            fuzzing::sftp_v4(&out[4..]);
            fuzzing::sftp_v5(&out[4..]);
            fuzzing::sftp_v6(&out[4..]);
            fuzzing::attrs(out.get(9..).unwrap_or_default());
            fuzzing::deframer(&out);
            fuzzing::session(&out);
        }
    }
}

#[test]
fn attr_flag_constants_match_drafts() {
    // draft-02 §5 / draft-13 §7.1 numbers, spelled out independently of consts.rs.
    assert_eq!(attr_flags::SIZE, 1);
    assert_eq!(attr_flags::UIDGID, 2);
    assert_eq!(attr_flags::CTIME, 0x8000);
    assert_eq!(attr_flags::EXTENDED, 0x8000_0000);
    assert_eq!(
        sftp_proto::consts::defined_attr_flags(Version::V3),
        0x8000_000f
    );
    assert_eq!(
        sftp_proto::consts::defined_attr_flags(Version::V4),
        0x8000_01fd
    );
    assert_eq!(
        sftp_proto::consts::defined_attr_flags(Version::V5),
        0x8000_03fd
    );
    assert_eq!(
        sftp_proto::consts::defined_attr_flags(Version::V6),
        0x8000_fffd
    );
}

/// The fuzz corpus seeds of this crate's targets pass through their bodies.
#[test]
fn fuzz_seeds_pass() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    type Body = fn(&[u8]);
    let targets: [(&str, Body); 4] = [
        ("deframer", fuzzing::deframer),
        ("session", fuzzing::session),
        ("session_pieces", fuzzing::session_pieces),
        ("attrs", fuzzing::attrs),
    ];
    for (target, body) in targets {
        let mut seen = 0;
        for entry in std::fs::read_dir(corpus.join(target)).unwrap() {
            let path = entry.unwrap().path();
            if path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("seed-")
            {
                body(&std::fs::read(&path).unwrap());
                seen += 1;
            }
        }
        assert!(seen > 0, "no seeds for {target}");
    }
}
