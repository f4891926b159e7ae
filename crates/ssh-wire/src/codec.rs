use crate::{DecodeError, Reader, Writer};

/// A value with an SSH wire form. Encoding cannot fail: values are built within the caps
/// their decoders enforce.
pub trait Encode {
    /// Appends the wire form of `self`.
    fn encode(&self, w: &mut Writer<'_>);

    /// The wire form of `self` in a new buffer.
    fn to_bytes(&self) -> Vec<u8> {
        let mut buf = Vec::new();
        self.encode(&mut Writer::new(&mut buf));
        buf
    }
}

/// A value read from untrusted bytes. `'a` lets decoded values borrow from the input.
pub trait Decode<'a>: Sized {
    /// Reads one value from `r`, leaving `r` after it.
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError>;

    /// Decodes a value that must fill `bytes` exactly (trailing bytes are an error).
    fn from_bytes(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let value = Self::decode(&mut r)?;
        r.finish()?;
        Ok(value)
    }
}
