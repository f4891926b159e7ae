//! Round trips for every RFC 4251 §5 type and rejection of truncated, trailing, over-cap and
//! malformed input.

use proptest::prelude::*;
use ssh_wire::{
    Decode, DecodeError, DecodeErrorKind, Encode, MAX_MPINT_LEN, MAX_NAME_LIST_LEN, Mpint,
    NameList, Reader, Writer,
};

fn written(f: impl FnOnce(&mut Writer<'_>)) -> Vec<u8> {
    let mut buf = Vec::new();
    f(&mut Writer::new(&mut buf));
    buf
}

/// The mpint examples of RFC 4251 §5, as (value magnitude, wire bytes).
const RFC_MPINTS: &[(&[u8], &[u8])] = &[
    (&[], &[0, 0, 0, 0]),
    (
        &[0x09, 0xa3, 0x78, 0xf9, 0xb2, 0xe3, 0x32, 0xa7],
        &[0, 0, 0, 8, 0x09, 0xa3, 0x78, 0xf9, 0xb2, 0xe3, 0x32, 0xa7],
    ),
    (&[0x80], &[0, 0, 0, 2, 0x00, 0x80]),
];

#[test]
fn rfc4251_mpint_examples() {
    for (magnitude, wire) in RFC_MPINTS {
        assert_eq!(&written(|w| _ = w.mpint(magnitude)), wire);
        let m = Reader::new(wire).mpint("x").unwrap();
        assert_eq!(m.magnitude(), *magnitude);
        assert!(m.is_minimal());
    }
}

#[test]
fn rfc4251_negative_mpints_are_rejected() {
    // -1234 and -deadbeef from RFC 4251 §5: SSH never carries negative values.
    for wire in [
        &[0, 0, 0, 2, 0xed, 0xcc][..],
        &[0, 0, 0, 5, 0xff, 0x21, 0x52, 0x41, 0x11],
    ] {
        let err = Reader::new(wire).mpint("f").unwrap_err();
        assert_eq!(err.kind, DecodeErrorKind::NegativeMpint);
        assert_eq!(err.field, "f");
    }
}

#[test]
fn mpint_leading_zeros_tolerated_and_trimmed() {
    let wire = [0, 0, 0, 3, 0, 0, 0x7f];
    let m = Reader::new(&wire).mpint("x").unwrap();
    assert_eq!(m.magnitude(), &[0x7f]);
    assert!(!m.is_minimal());
    assert_eq!(m.to_bytes(), [0, 0, 0, 1, 0x7f]);
    // A lone zero byte is zero, encoded non-minimally.
    let m = Reader::new(&[0, 0, 0, 1, 0]).mpint("x").unwrap();
    assert!(m.is_zero() && !m.is_minimal());
}

#[test]
fn mpint_size_cap() {
    let mut max = vec![0x7f; MAX_MPINT_LEN];
    let wire = written(|w| _ = w.string(&max));
    assert_eq!(
        Reader::new(&wire).mpint("x").unwrap().bits(),
        MAX_MPINT_LEN * 8 - 1
    );
    // A maximal value with its top bit set needs the sign byte and is still accepted.
    max[0] = 0xff;
    let wire = written(|w| _ = w.mpint(&max));
    assert_eq!(
        Reader::new(&wire).mpint("x").unwrap().bits(),
        MAX_MPINT_LEN * 8
    );
    // One more significant byte is too large.
    let too_big = vec![0x01; MAX_MPINT_LEN + 1];
    let wire = written(|w| _ = w.string(&too_big));
    let err = Reader::new(&wire).mpint("x").unwrap_err();
    assert!(matches!(err.kind, DecodeErrorKind::TooLong { .. }), "{err}");
}

#[test]
fn truncated_inputs_fail_with_context() {
    let err = Reader::new(&[0, 0, 1]).u32("window").unwrap_err();
    assert_eq!(
        err,
        DecodeError::new(
            DecodeErrorKind::Truncated {
                needed: 4,
                remaining: 3
            },
            "window",
            0
        )
    );
    // A string that claims more bytes than remain: no allocation, precise error.
    let err = Reader::new(&[0xff, 0xff, 0xff, 0xff, b'a'])
        .string("name")
        .unwrap_err();
    assert_eq!(
        err.kind,
        DecodeErrorKind::Truncated {
            needed: 0xffff_ffff,
            remaining: 1
        }
    );
    assert_eq!(err.offset, 4);
    assert!(err.to_string().contains("`name`"), "{err}");
    assert!(Reader::new(&[]).u8("b").is_err());
    assert!(Reader::new(&[0; 7]).u64("n").is_err());
}

#[test]
fn finish_rejects_trailing_bytes_naming_the_last_field() {
    let mut r = Reader::new(&[0, 0, 0, 1, 9, 9]);
    r.u32("recipient_channel").unwrap();
    r.u8("flag").unwrap();
    let err = r.finish().unwrap_err();
    assert_eq!(err.kind, DecodeErrorKind::TrailingBytes { count: 1 });
    assert_eq!(err.field, "flag");
    assert_eq!(err.offset, 5);
}

#[test]
fn sub_readers_report_absolute_offsets() {
    let wire = written(|w| {
        w.u8(7).string_with(|w| {
            w.u32(1);
        });
    });
    let mut r = Reader::new(&wire);
    r.u8("type").unwrap();
    let mut inner = r.string_reader("blob").unwrap();
    inner.u32("one").unwrap();
    let err = inner.u32("two").unwrap_err();
    assert_eq!(err.offset, 9);
    assert!(r.finish().is_ok());
    assert!(Reader::new(&[1, 2]).sub(3, "body").is_err());
}

#[test]
fn string_max_enforces_cap_before_reading() {
    let wire = written(|w| _ = w.string(b"hello"));
    assert_eq!(Reader::new(&wire).string_max(5, "s").unwrap(), b"hello");
    let err = Reader::new(&wire).string_max(4, "s").unwrap_err();
    assert_eq!(err.kind, DecodeErrorKind::TooLong { len: 5, max: 4 });
}

#[test]
fn strict_booleans_accept_only_zero_and_one() {
    let mut r = Reader::new(&[0, 1, 2]);
    assert_eq!(r.bool_strict("a"), Ok(false));
    assert_eq!(r.bool_strict("b"), Ok(true));
    let e = r.bool_strict("c").unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::InvalidBoolean(2));
    assert_eq!((e.field, e.offset), ("c", 2));
    // The lenient form takes any non-zero byte as true (RFC 4251 §5).
    assert_eq!(Reader::new(&[2]).bool("d"), Ok(true));
}

#[test]
fn name_list_parse_applies_the_read_rules_to_bare_contents() {
    let list = NameList::parse(b"ssh-ed25519,rsa-sha2-512").unwrap();
    assert_eq!(
        list.iter().collect::<Vec<_>>(),
        ["ssh-ed25519", "rsa-sha2-512"]
    );
    assert_eq!(
        NameList::parse(b"a b").unwrap_err().kind,
        DecodeErrorKind::InvalidNameList
    );
    let long = vec![b'a'; MAX_NAME_LIST_LEN + 1];
    assert!(matches!(
        NameList::parse(&long).unwrap_err().kind,
        DecodeErrorKind::TooLong { .. }
    ));
}

#[test]
fn utf8_rejects_invalid_sequences() {
    let wire = written(|w| _ = w.string(&[0xc3, 0x28]));
    assert_eq!(
        Reader::new(&wire).utf8("u").unwrap_err().kind,
        DecodeErrorKind::InvalidUtf8
    );
}

#[test]
fn name_list_rules() {
    let parse = |s: &[u8]| {
        Reader::new(&written(|w| _ = w.string(s)))
            .name_list("l")
            .map(|l| {
                (
                    l.iter().map(str::to_owned).collect::<Vec<_>>(),
                    l.as_str().len(),
                )
            })
    };
    assert_eq!(parse(b"").unwrap().0, Vec::<String>::new());
    assert_eq!(parse(b"zlib,none").unwrap().0, ["zlib", "none"]);
    // Empty elements, including a trailing comma, are skipped deterministically.
    assert_eq!(parse(b"a,,b,").unwrap().0, ["a", "b"]);
    assert_eq!(parse(b",").unwrap().0, Vec::<String>::new());
    for bad in [&b"a b"[..], b"a\x00b", b"caf\xc3\xa9", b"a\tb", b"\x7f"] {
        let err = parse(bad).unwrap_err();
        assert_eq!(err.kind, DecodeErrorKind::InvalidNameList, "{bad:?}");
    }
    let long = vec![b'a'; MAX_NAME_LIST_LEN + 1];
    assert!(matches!(
        parse(&long).unwrap_err().kind,
        DecodeErrorKind::TooLong { .. }
    ));
    assert!(parse(&long[1..]).is_ok());
    // The RFC 4251 §5 examples.
    assert_eq!(written(|w| _ = w.name_list(["zlib"])), b"\0\0\0\x04zlib");
    assert_eq!(
        written(|w| _ = w.name_list(["zlib", "none"])),
        b"\0\0\0\x09zlib,none"
    );
    assert_eq!(
        written(|w| _ = w.name_list(Vec::<&str>::new())),
        b"\0\0\0\0"
    );
}

#[test]
fn rfc4251_boolean_nonzero_is_true() {
    assert!(Reader::new(&[2]).bool("b").unwrap());
    assert!(!Reader::new(&[0]).bool("b").unwrap());
    assert_eq!(written(|w| _ = w.bool(true)), [1]);
}

#[test]
fn rfc4251_uint32_example() {
    assert_eq!(
        written(|w| _ = w.u32(699_921_578)),
        [0x29, 0xb7, 0xf4, 0xaa]
    );
}

/// A composite type built on the traits, as protocol crates build theirs.
#[derive(Debug, PartialEq)]
struct Example<'a> {
    id: u32,
    name: &'a str,
    algs: NameList<'a>,
}

impl<'a> Decode<'a> for Example<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            id: r.u32("id")?,
            name: r.utf8("name")?,
            algs: r.name_list("algs")?,
        })
    }
}

impl Encode for Example<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u32(self.id).string(self.name.as_bytes());
        self.algs.encode(w);
    }
}

#[test]
fn from_bytes_requires_the_whole_input() {
    let mut wire = written(|w| _ = w.u32(1).string(b"x").name_list(["a", "b"]));
    let value = Example::from_bytes(&wire).unwrap();
    assert_eq!(value.to_bytes(), wire);
    wire.push(0);
    let err = Example::from_bytes(&wire).unwrap_err();
    assert_eq!(
        (err.kind, err.field),
        (DecodeErrorKind::TrailingBytes { count: 1 }, "algs")
    );
}

ssh_wire::open_enum! {
    /// Test registry.
    pub struct Kind(u8) {
        /// One.
        ONE = 1,
        /// Two.
        TWO = 2,
    }
}

#[test]
fn open_enum_keeps_unknown_values() {
    assert_eq!(format!("{:?}", Kind::TWO), "TWO");
    assert_eq!(format!("{:?}", Kind(200)), "Kind(200)");
    assert_eq!(Kind::from(1), Kind::ONE);
    assert_eq!(u8::from(Kind(200)), 200);
    assert_eq!(Kind(3).name(), None);
}

proptest! {
    /// The chunked copies do exactly what the std operations they replace do.
    #[test]
    fn chunked_copies_match_std(
        src in prop::collection::vec(any::<u8>(), 0..9000),
        dst_len in 0usize..9000,
        prefix in prop::collection::vec(any::<u8>(), 0..40),
        from in 0usize..9100,
    ) {
        let mut dst = vec![0xA5u8; dst_len];
        let n = ssh_wire::copy::copy_bytes(&mut dst, &src);
        let mut want = vec![0xA5u8; dst_len];
        let m = dst_len.min(src.len());
        want[..m].copy_from_slice(&src[..m]);
        prop_assert_eq!(n, m);
        prop_assert_eq!(&dst, &want);

        let mut v = prefix.clone();
        ssh_wire::copy::extend_bytes(&mut v, &src);
        let mut w = prefix.clone();
        w.extend_from_slice(&src);
        prop_assert_eq!(&v, &w);

        let mut moved = src.clone();
        ssh_wire::copy::move_to_front(&mut moved, from..src.len());
        let mut expect = src.clone();
        if from <= src.len() {
            expect.copy_within(from.., 0);
        }
        prop_assert_eq!(moved, expect);
    }

    #[test]
    fn uint_round_trip(a: u8, b: bool, c: u32, d: u64) {
        let wire = written(|w| _ = w.u8(a).bool(b).u32(c).u64(d));
        let mut r = Reader::new(&wire);
        prop_assert_eq!(r.u8("a").unwrap(), a);
        prop_assert_eq!(r.bool("b").unwrap(), b);
        prop_assert_eq!(r.u32("c").unwrap(), c);
        prop_assert_eq!(r.u64("d").unwrap(), d);
        prop_assert!(r.finish().is_ok());
    }

    #[test]
    fn string_round_trip(s in proptest::collection::vec(any::<u8>(), 0..600), text in ".{0,64}") {
        let wire = written(|w| _ = w.string(&s).string(text.as_bytes()));
        let mut r = Reader::new(&wire);
        prop_assert_eq!(r.string("s").unwrap(), s.as_slice());
        prop_assert_eq!(r.utf8("t").unwrap(), text.as_str());
        prop_assert!(r.finish().is_ok());
    }

    #[test]
    fn mpint_round_trip(m in proptest::collection::vec(any::<u8>(), 0..300)) {
        let wire = written(|w| _ = w.mpint(&m));
        let v = Reader::new(&wire).mpint("m").unwrap();
        prop_assert!(v.is_minimal());
        prop_assert_eq!(v, Mpint::from_magnitude(&m));
        prop_assert_eq!(v.to_bytes(), wire);
    }

    #[test]
    fn name_list_round_trip(names in proptest::collection::vec("[a-z0-9@.-]{1,20}", 0..20)) {
        let wire = written(|w| _ = w.name_list(&names));
        let l = Reader::new(&wire).name_list("l").unwrap();
        prop_assert_eq!(l.iter().collect::<Vec<_>>(), names.iter().map(String::as_str).collect::<Vec<_>>());
        prop_assert_eq!(l.to_bytes(), wire);
    }

    #[test]
    fn every_truncation_fails_cleanly(s in proptest::collection::vec(any::<u8>(), 1..64), cut in 0usize..100) {
        let wire = written(|w| _ = w.string(&s).mpint(&s).name_list(["a"]));
        let cut = cut % wire.len();
        let mut r = Reader::new(&wire[..cut]);
        let res = r.string("s").and_then(|_| r.mpint("m").map(|_| ())).and_then(|_| r.name_list("l").map(|_| ()));
        prop_assert!(res.is_err());
    }

    #[test]
    fn fuzz_body_never_panics(data in proptest::collection::vec(any::<u8>(), 0..256)) {
        ssh_wire::fuzzing::wire(&data);
    }
}
