use crate::error::{DecodeError, DecodeErrorKind};
use crate::{Mpint, NameList};

/// A bounded cursor over untrusted bytes.
///
/// Every read is checked against what remains and fails with the field's name and offset;
/// nothing is allocated, so a hostile length can cost no more than the bytes that carry it.
/// Sub-readers from [`Reader::sub`] and [`Reader::string_reader`] report offsets relative to
/// the outermost input, so errors point at the right byte of the whole message.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    input: &'a [u8],
    /// Offset of `input[0]` within the outermost input, for error messages.
    base: usize,
    /// The field most recently read, named in trailing-byte errors.
    last_field: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader over all of `input`.
    pub fn new(input: &'a [u8]) -> Self {
        Self {
            input,
            base: 0,
            last_field: "start",
        }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.input.len()
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.input.is_empty()
    }

    /// Offset of the next byte within the outermost input.
    pub fn position(&self) -> usize {
        self.base
    }

    /// Succeeds only if every byte has been read. Call it at the end of every message:
    /// trailing bytes mean the peer and we disagree about the format.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.input.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::new(
                DecodeErrorKind::TrailingBytes {
                    count: self.input.len(),
                },
                self.last_field,
                self.base,
            ))
        }
    }

    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], DecodeError> {
        let Some((head, tail)) = self.input.split_at_checked(n) else {
            return Err(self.truncated(n, field));
        };
        self.input = tail;
        self.base = self.base.saturating_add(n);
        self.last_field = field;
        Ok(head)
    }

    /// The next `N` bytes as an array (fixed-size fields such as cookies and keys).
    pub fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], DecodeError> {
        let start = self.base;
        let bytes = self.bytes(N, field)?;
        <[u8; N]>::try_from(bytes)
            .map_err(|_| DecodeError::new(DecodeErrorKind::InvalidValue, field, start))
    }

    /// Everything not yet read (for fields that run to the end of a message).
    pub fn rest(&mut self) -> &'a [u8] {
        let rest = self.input;
        self.base = self.base.saturating_add(rest.len());
        self.input = &[];
        rest
    }

    /// A reader over the next `len` bytes, which this reader skips.
    pub fn sub(&mut self, len: usize, field: &'static str) -> Result<Reader<'a>, DecodeError> {
        let base = self.base;
        let input = self.bytes(len, field)?;
        Ok(Reader {
            input,
            base,
            last_field: field,
        })
    }

    /// RFC 4251 §5 `byte`.
    pub fn u8(&mut self, field: &'static str) -> Result<u8, DecodeError> {
        let [b] = self.array::<1>(field)?;
        Ok(b)
    }

    /// RFC 4251 §5 `boolean`: "All non-zero values MUST be interpreted as TRUE".
    pub fn bool(&mut self, field: &'static str) -> Result<bool, DecodeError> {
        Ok(self.u8(field)? != 0)
    }

    /// A `boolean` that must be 0 or 1, for formats whose decoded values must re-encode to
    /// the same bytes (SFTP); other values are [`DecodeErrorKind::InvalidBoolean`].
    pub fn bool_strict(&mut self, field: &'static str) -> Result<bool, DecodeError> {
        let at = self.base;
        match self.u8(field)? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(DecodeError::new(
                DecodeErrorKind::InvalidBoolean(b),
                field,
                at,
            )),
        }
    }

    /// RFC 4251 §5 `uint32`, big-endian.
    pub fn u32(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array(field)?))
    }

    /// RFC 4251 §5 `uint64`, big-endian.
    pub fn u64(&mut self, field: &'static str) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.array(field)?))
    }

    /// RFC 4251 §5 `string`: a `uint32` length and that many bytes, borrowed from the input.
    pub fn string(&mut self, field: &'static str) -> Result<&'a [u8], DecodeError> {
        let len = self.length(field)?;
        self.bytes(len, field)
    }

    /// A `string` no longer than `max` bytes (for fields with a named cap).
    pub fn string_max(&mut self, max: usize, field: &'static str) -> Result<&'a [u8], DecodeError> {
        let start = self.base;
        let len = self.length(field)?;
        if len > max {
            return Err(DecodeError::new(
                DecodeErrorKind::TooLong { len, max },
                field,
                start,
            ));
        }
        self.bytes(len, field)
    }

    /// A `string` that must be UTF-8 (ISO-10646 UTF-8 text in RFC 4251 terms).
    pub fn utf8(&mut self, field: &'static str) -> Result<&'a str, DecodeError> {
        let start = self.base;
        let bytes = self.string(field)?;
        std::str::from_utf8(bytes)
            .map_err(|_| DecodeError::new(DecodeErrorKind::InvalidUtf8, field, start))
    }

    /// A reader over the contents of the next `string` (length-prefixed nested structures
    /// such as key blobs and signatures).
    pub fn string_reader(&mut self, field: &'static str) -> Result<Reader<'a>, DecodeError> {
        let len = self.length(field)?;
        self.sub(len, field)
    }

    /// RFC 4251 §5 `mpint`, non-negative, as OpenSSH reads it (see [`Mpint`]).
    pub fn mpint(&mut self, field: &'static str) -> Result<Mpint<'a>, DecodeError> {
        let start = self.base;
        let raw = self.string(field)?;
        Mpint::from_wire(raw).map_err(|kind| DecodeError::new(kind, field, start))
    }

    /// RFC 4251 §5 `name-list` (see [`NameList`] for the rules applied).
    pub fn name_list(&mut self, field: &'static str) -> Result<NameList<'a>, DecodeError> {
        let start = self.base;
        let raw = self.string(field)?;
        NameList::from_wire(raw).map_err(|kind| DecodeError::new(kind, field, start))
    }

    /// Reads a `uint32` length prefix; the caller checks it against what remains.
    fn length(&mut self, field: &'static str) -> Result<usize, DecodeError> {
        let start = self.base;
        let len = self.u32(field)?;
        usize::try_from(len).map_err(|_| {
            DecodeError::new(
                DecodeErrorKind::TooLong {
                    len: usize::MAX,
                    max: self.input.len(),
                },
                field,
                start,
            )
        })
    }

    fn truncated(&self, needed: usize, field: &'static str) -> DecodeError {
        DecodeError::new(
            DecodeErrorKind::Truncated {
                needed,
                remaining: self.input.len(),
            },
            field,
            self.base,
        )
    }
}
