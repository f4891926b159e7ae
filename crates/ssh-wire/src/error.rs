use std::fmt;

/// Why a value could not be decoded, with the field being read and where.
///
/// `field` names what the decoder was reading (`"recipient_channel"`, `"kex_algorithms"`),
/// so an error from deep inside a message still says which part of it was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// What was wrong.
    pub kind: DecodeErrorKind,
    /// The field being decoded when it went wrong.
    pub field: &'static str,
    /// Offset from the start of the reader's input at which the field starts.
    pub offset: usize,
}

/// The ways untrusted bytes can fail to decode.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input ended before the field did.
    Truncated {
        /// Bytes the field needs.
        needed: usize,
        /// Bytes that were left.
        remaining: usize,
    },
    /// Bytes were left after a value that must fill its whole input.
    TrailingBytes {
        /// How many bytes were left over.
        count: usize,
    },
    /// A length is larger than the cap for the field.
    TooLong {
        /// The length found.
        len: usize,
        /// The largest allowed.
        max: usize,
    },
    /// A `boolean` other than 0 or 1 where strict booleans are required.
    InvalidBoolean(u8),
    /// A string that must be UTF-8 is not.
    InvalidUtf8,
    /// An `mpint` with its sign bit set (SSH never sends negative values).
    NegativeMpint,
    /// A `name-list` with a character outside printable US-ASCII (RFC 4251 §5).
    InvalidNameList,
    /// A value outside the set the field allows.
    InvalidValue,
}

impl DecodeError {
    /// An error of `kind` at `offset` while reading `field`.
    pub fn new(kind: DecodeErrorKind, field: &'static str, offset: usize) -> Self {
        Self {
            kind,
            field,
            offset,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (field, offset) = (self.field, self.offset);
        match &self.kind {
            DecodeErrorKind::Truncated { needed, remaining } => write!(
                f,
                "truncated `{field}` at offset {offset}: needs {needed} bytes, {remaining} left"
            ),
            DecodeErrorKind::TrailingBytes { count } => {
                write!(
                    f,
                    "{count} unexpected trailing bytes after `{field}` at offset {offset}"
                )
            }
            DecodeErrorKind::TooLong { len, max } => write!(
                f,
                "`{field}` at offset {offset} is {len} bytes long, more than the {max} allowed"
            ),
            DecodeErrorKind::InvalidBoolean(b) => {
                write!(
                    f,
                    "`{field}` at offset {offset}: boolean byte {b} is neither 0 nor 1"
                )
            }
            DecodeErrorKind::InvalidUtf8 => {
                write!(f, "`{field}` at offset {offset} is not valid UTF-8")
            }
            DecodeErrorKind::NegativeMpint => {
                write!(f, "`{field}` at offset {offset} is a negative mpint")
            }
            DecodeErrorKind::InvalidNameList => write!(
                f,
                "`{field}` at offset {offset} is not a name-list of printable US-ASCII names"
            ),
            DecodeErrorKind::InvalidValue => {
                write!(
                    f,
                    "`{field}` at offset {offset} has a value that is not allowed here"
                )
            }
        }
    }
}

impl std::error::Error for DecodeError {}
