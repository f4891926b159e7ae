use crate::error::DecodeErrorKind;
use crate::{Encode, Writer};

/// Longest `name-list` accepted, in bytes. KEXINIT lists and `server-sig-algs` from real
/// servers are a few hundred bytes; 16 KiB bounds the work of matching hostile lists while
/// leaving ample room for legitimate ones.
pub const MAX_NAME_LIST_LEN: usize = 16 * 1024;

/// An RFC 4251 §5 `name-list`, borrowed from the input.
///
/// Read rules: at most [`MAX_NAME_LIST_LEN`] bytes; every byte printable US-ASCII other than
/// space (RFC 4251 §6 forbids whitespace and control characters in names). Empty names (an
/// empty element, as in `"a,,b"` or a trailing comma) are tolerated and skipped by
/// [`NameList::iter`], as OpenSSH's list matching effectively does, so such lists are handled
/// the same way every time; the raw text is kept for exact re-encoding and for the
/// exchange hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NameList<'a>(&'a str);

impl<'a> NameList<'a> {
    /// Applies the read rules above to the contents of a `name-list` string.
    pub(crate) fn from_wire(raw: &'a [u8]) -> Result<Self, DecodeErrorKind> {
        if raw.len() > MAX_NAME_LIST_LEN {
            return Err(DecodeErrorKind::TooLong {
                len: raw.len(),
                max: MAX_NAME_LIST_LEN,
            });
        }
        if !raw.iter().all(|b| (0x21..=0x7e).contains(b)) {
            return Err(DecodeErrorKind::InvalidNameList);
        }
        std::str::from_utf8(raw)
            .map(NameList)
            .map_err(|_| DecodeErrorKind::InvalidNameList)
    }

    /// A `name-list`'s contents that arrived inside another field (an RFC 8308 extension
    /// value, say), checked by the same rules as [`crate::Reader::name_list`].
    pub fn parse(raw: &'a [u8]) -> Result<Self, crate::DecodeError> {
        Self::from_wire(raw).map_err(|kind| crate::DecodeError::new(kind, "name-list", 0))
    }

    /// The list exactly as received, commas included.
    pub fn as_str(&self) -> &'a str {
        self.0
    }

    /// The non-empty names, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.0.split(',').filter(|name| !name.is_empty())
    }

    /// Whether the list has no (non-empty) names.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// Whether `name` is in the list.
    pub fn contains(&self, name: &str) -> bool {
        self.iter().any(|n| n == name)
    }
}

impl Encode for NameList<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.string(self.0.as_bytes());
    }
}
