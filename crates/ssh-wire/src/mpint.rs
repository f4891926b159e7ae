use crate::error::DecodeErrorKind;
use crate::{Encode, Writer};

/// Largest `mpint` magnitude accepted, in bytes: OpenSSH's `SSHBUF_MAX_BIGNUM` (16384 bits),
/// enough for RSA-16384 and the 8192-bit DH group 18 with room to spare.
pub const MAX_MPINT_LEN: usize = 16384 / 8;

/// A non-negative RFC 4251 §5 `mpint`, borrowed from the input as its big-endian magnitude.
///
/// Rules on read, as OpenSSH applies them (`sshbuf_get_bignum2_bytes_direct`):
/// - a set top bit in the first byte means a negative number: rejected (no SSH field holds
///   one);
/// - magnitudes over [`MAX_MPINT_LEN`] bytes are rejected; one leading 0x00 on top of that is
///   allowed (the sign byte a maximal value needs);
/// - superfluous leading zero bytes are tolerated and trimmed, although RFC 4251 forbids
///   them, because OpenSSH accepts them too; [`Mpint::is_minimal`] tells whether the input
///   was minimal.
///
/// On write ([`Writer::mpint`]) the encoding is always minimal: zero is the empty string and
/// a 0x00 is prepended only when the top bit of the magnitude is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Mpint<'a> {
    magnitude: &'a [u8],
    minimal: bool,
}

impl<'a> Mpint<'a> {
    /// The value of a big-endian magnitude; leading zero bytes are ignored.
    pub fn from_magnitude(bytes: &'a [u8]) -> Self {
        let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        Self {
            magnitude: bytes.get(first..).unwrap_or_default(),
            minimal: true,
        }
    }

    /// Applies the read rules above to the contents of an `mpint` string.
    pub(crate) fn from_wire(raw: &'a [u8]) -> Result<Self, DecodeErrorKind> {
        let first = raw.first().copied();
        if first.is_some_and(|b| b & 0x80 != 0) {
            return Err(DecodeErrorKind::NegativeMpint);
        }
        if raw.len() > MAX_MPINT_LEN.saturating_add(1)
            || (raw.len() == MAX_MPINT_LEN.saturating_add(1) && first != Some(0))
        {
            return Err(DecodeErrorKind::TooLong {
                len: raw.len(),
                max: MAX_MPINT_LEN,
            });
        }
        let value = Self::from_magnitude(raw);
        let minimal = match raw {
            [] => true,
            [0, second, ..] => second & 0x80 != 0,
            [0] => false,
            _ => true,
        };
        Ok(Self { minimal, ..value })
    }

    /// The big-endian magnitude without leading zeros (empty for zero).
    pub fn magnitude(&self) -> &'a [u8] {
        self.magnitude
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.magnitude.is_empty()
    }

    /// Number of significant bits.
    pub fn bits(&self) -> usize {
        match self.magnitude.first() {
            None => 0,
            Some(&top) => {
                let top_bits = 8usize.saturating_sub(top.leading_zeros() as usize);
                self.magnitude
                    .len()
                    .saturating_sub(1)
                    .saturating_mul(8)
                    .saturating_add(top_bits)
            }
        }
    }

    /// Whether the wire form this value was read from was minimal (always true for values
    /// built locally).
    pub fn is_minimal(&self) -> bool {
        self.minimal
    }

    /// Whether the minimal encoding needs a 0x00 in front to keep the value non-negative.
    pub(crate) fn needs_sign_byte(&self) -> bool {
        self.magnitude.first().is_some_and(|b| b & 0x80 != 0)
    }
}

impl Encode for Mpint<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.mpint(self.magnitude);
    }
}
