//! Bodies of the cargo-fuzz targets, kept here so that they build and lint with the crate
//! (and run over the seed corpus in the unit tests) instead of rotting in `fuzz/`.

use crate::{Encode, Reader, Writer};

/// Decodes `data` as each RFC 4251 §5 type; whatever decodes must re-encode to exactly the
/// bytes it came from (for `boolean` and `mpint` only when the input was in canonical form,
/// since the RFC and OpenSSH accept non-canonical forms on read).
pub fn wire(data: &[u8]) {
    let mut out = Vec::new();

    if let Ok(v) = Reader::new(data).u8("byte") {
        Writer::new(&mut out).u8(v);
        assert_eq!(out.as_slice(), data.get(..1).unwrap_or_default());
    }
    out.clear();
    if let Ok(v) = Reader::new(data).bool("boolean") {
        Writer::new(&mut out).bool(v);
        if let Some(&b) = data.first().filter(|&&b| b <= 1) {
            assert_eq!(out, [b]);
        }
    }
    out.clear();
    if let Ok(v) = Reader::new(data).u32("uint32") {
        Writer::new(&mut out).u32(v);
        assert_eq!(out.as_slice(), data.get(..4).unwrap_or_default());
    }
    out.clear();
    if let Ok(v) = Reader::new(data).u64("uint64") {
        Writer::new(&mut out).u64(v);
        assert_eq!(out.as_slice(), data.get(..8).unwrap_or_default());
    }
    round_trip(data, &mut out, |r, w| {
        r.string("string").map(|s| _ = w.string(s))
    });
    round_trip(data, &mut out, |r, w| {
        r.utf8("utf8").map(|s| _ = w.string(s.as_bytes()))
    });
    round_trip(data, &mut out, |r, w| {
        r.name_list("name-list").map(|l| l.encode(w))
    });

    // mpint: value-preserving always, byte-exact when the input was minimal.
    let mut r = Reader::new(data);
    if let Ok(m) = r.mpint("mpint") {
        out.clear();
        m.encode(&mut Writer::new(&mut out));
        let consumed = data.len().saturating_sub(r.remaining());
        if m.is_minimal() {
            assert_eq!(out.as_slice(), data.get(..consumed).unwrap_or_default());
        }
        let again = Reader::new(&out).mpint("mpint");
        assert_eq!(again.map(|a| a.magnitude()), Ok(m.magnitude()));
    }

    // Reading a whole message as a sequence of strings must consume exactly the input or
    // fail; never loop without progress.
    let mut r = Reader::new(data);
    while !r.is_empty() {
        let before = r.remaining();
        if r.string("field").is_err() {
            break;
        }
        assert!(r.remaining() < before);
    }
}

/// Decodes one value with `read`, re-encodes it with the writer, and checks the bytes match
/// the prefix the reader consumed.
fn round_trip(
    data: &[u8],
    out: &mut Vec<u8>,
    read: impl FnOnce(&mut Reader<'_>, &mut Writer<'_>) -> Result<(), crate::DecodeError>,
) {
    out.clear();
    let mut r = Reader::new(data);
    if read(&mut r, &mut Writer::new(out)).is_ok() {
        let consumed = data.len().saturating_sub(r.remaining());
        assert_eq!(out.as_slice(), data.get(..consumed).unwrap_or_default());
    }
}
