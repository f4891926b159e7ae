//! Splits the channel's byte stream into SFTP packets: `uint32 length` then that many bytes.

use std::ops::Range;

use crate::error::FrameError;

/// The packet cap used unless the caller sets one: OpenSSH's `SFTP_MAX_MSG_LENGTH`
/// (256 KiB) plus 8 KiB of slack for headers and servers that round up. READ replies of
/// OpenSSH's default 32 KiB–255 KiB all fit.
pub const DEFAULT_MAX_PACKET_LEN: usize = 256 * 1024 + 8 * 1024;

/// The largest cap a caller may set (e.g. from a `limits@openssh.com` max-packet-length):
/// 4 MiB bounds what one packet can make us buffer whatever the server claims.
pub const MAX_PACKET_LEN_LIMIT: usize = 4 * 1024 * 1024;

/// Smallest valid packet: a type byte (INIT/VERSION need 4 more, responses need an id; the
/// typed decoders check that).
const MIN_PACKET_LEN: usize = 1;

/// Bytes of the stream not yet consumed, and the packet cap.
///
/// [`Deframer::push`] appends input; [`Deframer::next_packet`] returns the contents of the
/// next complete packet (type byte onwards), borrowed until the next call. The length is
/// checked against the cap before anything is buffered for it (robustness case S2), and
/// the buffer holds no more than the unconsumed bytes (one packet plus what arrived with
/// it) and at most as many already handed out.
#[derive(Debug)]
pub struct Deframer {
    buf: Vec<u8>,
    /// Bytes at the front of `buf` handed out already; dropped on the next call.
    consumed: usize,
    max_packet_len: usize,
    /// Set once a fatal framing error happened (errors are sticky).
    failed: Option<FrameError>,
    /// Whether any packet has been returned yet (for the shell-noise hint).
    seen_packet: bool,
}

impl Default for Deframer {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_PACKET_LEN)
    }
}

impl Deframer {
    /// A deframer accepting packets of at most `max_packet_len` bytes (clamped to
    /// [`MAX_PACKET_LEN_LIMIT`]).
    pub fn new(max_packet_len: usize) -> Self {
        Self {
            buf: Vec::new(),
            consumed: 0,
            max_packet_len: max_packet_len.clamp(MIN_PACKET_LEN, MAX_PACKET_LEN_LIMIT),
            failed: None,
            seen_packet: false,
        }
    }

    /// The current packet cap.
    pub fn max_packet_len(&self) -> usize {
        self.max_packet_len
    }

    /// Changes the packet cap (clamped to [`MAX_PACKET_LEN_LIMIT`]).
    pub fn set_max_packet_len(&mut self, max: usize) {
        self.max_packet_len = max.clamp(MIN_PACKET_LEN, MAX_PACKET_LEN_LIMIT);
    }

    /// Appends bytes received from the channel (dropped after a framing error).
    pub fn push(&mut self, data: &[u8]) {
        if self.failed.is_some() {
            // After a fatal error nothing more is read: keep memory flat.
            return;
        }
        self.compact();
        ssh_wire::copy::extend_bytes(&mut self.buf, data);
    }

    /// Bytes buffered and not yet returned.
    pub fn buffered(&self) -> usize {
        self.buf.len().saturating_sub(self.consumed)
    }

    /// The next complete packet's contents, `Ok(None)` when more bytes are needed.
    pub fn next_packet(&mut self) -> Result<Option<&[u8]>, FrameError> {
        Ok(self.next_packet_range()?.and_then(|r| self.buf.get(r)))
    }

    /// The bytes of a range returned by [`Deframer::next_packet_range`] (valid until the
    /// next `push` or `next_packet*` call).
    pub fn packet(&self, range: Range<usize>) -> &[u8] {
        self.buf.get(range).unwrap_or_default()
    }

    /// Like [`Deframer::next_packet`], but returns where the packet lies in the buffer, so
    /// that a caller can look at it and decide before borrowing it for longer.
    pub fn next_packet_range(&mut self) -> Result<Option<Range<usize>>, FrameError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        self.compact();
        let start = self.consumed;
        let Some(header) = self.buf.get(start..).and_then(|b| b.first_chunk::<4>()) else {
            return Ok(None);
        };
        let len = u32::from_be_bytes(*header);
        let len_usize = usize::try_from(len).unwrap_or(usize::MAX);
        if len_usize > self.max_packet_len || len_usize < MIN_PACKET_LEN {
            let err = if len_usize < MIN_PACKET_LEN {
                FrameError::TooShort { len }
            } else {
                FrameError::TooLong {
                    len,
                    max: self.max_packet_len,
                    // OpenSSH's "Received message too long 1416128883" is "Thir" of a
                    // shell's "This account..." banner: printable ASCII where the first
                    // length should be means the login shell wrote to stdout.
                    shell_noise: !self.seen_packet
                        && header.iter().all(|b| b.is_ascii_graphic() || *b == b' '),
                }
            };
            self.failed = Some(err.clone());
            return Err(err);
        }
        let end = start.saturating_add(len_usize).saturating_add(4);
        if self.buf.len() < end {
            // Reserve for the whole packet now that its length passed the cap.
            self.buf.reserve(end.saturating_sub(self.buf.len()));
            return Ok(None);
        }
        self.consumed = end;
        self.seen_packet = true;
        Ok(Some(start.saturating_add(4)..end))
    }

    /// Drops the consumed bytes from the front. Moving what follows them costs a copy of
    /// it, so that waits until the consumed part is at least as large (or nothing follows):
    /// each byte is moved at most about once, and the buffer stays within twice what is
    /// unconsumed (plus the packet being completed).
    fn compact(&mut self) {
        let rest = self.buf.len().saturating_sub(self.consumed);
        if self.consumed > 0 && self.consumed >= rest {
            self.buf.drain(..self.consumed.min(self.buf.len()));
            self.consumed = 0;
        }
    }
}
