use crate::Mpint;

/// Appends SSH wire types to a caller-owned buffer.
///
/// The buffer is borrowed rather than owned so that hot paths (packet and SFTP request
/// encoding) reuse one allocation for every message.
#[derive(Debug)]
pub struct Writer<'b> {
    buf: &'b mut Vec<u8>,
}

impl<'b> Writer<'b> {
    /// A writer appending to `buf`.
    pub fn new(buf: &'b mut Vec<u8>) -> Self {
        Self { buf }
    }

    /// Bytes in the buffer (including any that were there before this writer).
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether the buffer is empty.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Raw bytes, no length prefix (bulk data is copied in pieces: see [`crate::copy`]).
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        crate::copy::extend_bytes(self.buf, bytes);
        self
    }

    /// RFC 4251 §5 `byte`.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }

    /// RFC 4251 §5 `boolean`, written as 0 or 1.
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.u8(u8::from(v))
    }

    /// RFC 4251 §5 `uint32`.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.raw(&v.to_be_bytes())
    }

    /// RFC 4251 §5 `uint64`.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.raw(&v.to_be_bytes())
    }

    /// RFC 4251 §5 `string`.
    pub fn string(&mut self, bytes: &[u8]) -> &mut Self {
        self.u32(len_u32(bytes.len()));
        self.raw(bytes)
    }

    /// A `string` whose contents `body` writes in place; the length prefix is reserved first
    /// and patched afterwards, so nested structures need no temporary buffer.
    pub fn string_with(&mut self, body: impl FnOnce(&mut Writer<'_>)) -> &mut Self {
        let at = self.buf.len();
        self.buf.extend_from_slice(&[0; 4]);
        body(&mut Writer::new(self.buf));
        let len = len_u32(self.buf.len().saturating_sub(at).saturating_sub(4));
        if let Some(prefix) = self.buf.get_mut(at..at.saturating_add(4)) {
            prefix.copy_from_slice(&len.to_be_bytes());
        }
        self
    }

    /// RFC 4251 §5 `mpint` from an unsigned big-endian magnitude, in minimal form: leading
    /// zeros dropped, one 0x00 added when the top bit is set, zero as the empty string.
    pub fn mpint(&mut self, magnitude: &[u8]) -> &mut Self {
        let m = Mpint::from_magnitude(magnitude);
        let pad = m.needs_sign_byte();
        self.u32(len_u32(
            m.magnitude().len().saturating_add(usize::from(pad)),
        ));
        if pad {
            self.u8(0);
        }
        self.raw(m.magnitude())
    }

    /// RFC 4251 §5 `name-list`: names joined by commas. Names must be non-empty printable
    /// US-ASCII without commas; that is the caller's contract (they come from our own tables).
    pub fn name_list<I, S>(&mut self, names: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.string_with(|w| {
            for (i, name) in names.into_iter().enumerate() {
                if i > 0 {
                    w.u8(b',');
                }
                w.raw(name.as_ref().as_bytes());
            }
        })
    }
}

/// Lengths on the wire are `uint32`. Every value we encode is bounded far below 4 GiB by the
/// caps of the layer producing it, so saturating here is unreachable rather than lossy.
fn len_u32(len: usize) -> u32 {
    debug_assert!(
        u32::try_from(len).is_ok(),
        "wire length {len} exceeds uint32"
    );
    u32::try_from(len).unwrap_or(u32::MAX)
}
