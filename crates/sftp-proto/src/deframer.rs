//! Splits the channel's byte stream into SFTP packets: `uint32 length` then that many bytes.

use std::collections::VecDeque;
use std::ops::Range;

use bytes::{Buf, Bytes};

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

/// Pieces shorter than this are copied together rather than kept one by one: a server
/// sending its data a few bytes per message must not cost a piece (32 bytes of
/// bookkeeping) per byte.
const SMALL_PIECE: usize = 256;

/// Most pieces kept; beyond this they are joined into one. Together with
/// [`SMALL_PIECE`] this bounds the bookkeeping whatever the arrival pattern.
const MAX_PIECES: usize = 4096;

/// Bytes of the stream not yet consumed, and the packet cap.
///
/// Input is kept as the pieces it arrived in: [`Deframer::push_bytes`] takes a piece
/// without copying it, [`Deframer::push`] copies a borrowed one. [`Deframer::next_packet`]
/// returns the contents of the next complete packet (type byte onwards), borrowed until
/// the next call: a slice of its piece when it lies in one, else the pieces joined.
/// [`Deframer::next_packet_pieces`] hands a packet out as its pieces, never joined, for a
/// caller that can use them so (file data written with vectored I/O).
///
/// The length is checked against the cap before anything is kept for it (robustness case
/// S2). What is buffered is the unconsumed input (one packet plus what arrived with it)
/// and the packet last handed out.
#[derive(Debug)]
pub struct Deframer {
    /// Unconsumed input, oldest first; no piece is empty.
    chunks: VecDeque<Bytes>,
    /// Small pieces copied together, logically after `chunks`.
    tail: Vec<u8>,
    /// Total length of `chunks` and `tail`.
    buffered: usize,
    /// The packet last handed out, as pieces.
    frame: Vec<Bytes>,
    /// That packet joined, when it spans pieces and was asked for whole.
    joined: Vec<u8>,
    /// Whether `joined` (rather than `frame[0]`) holds the packet handed out.
    use_joined: bool,
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
            chunks: VecDeque::new(),
            tail: Vec::new(),
            buffered: 0,
            frame: Vec::new(),
            joined: Vec::new(),
            use_joined: false,
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

    /// Appends a copy of bytes received from the channel (dropped after a framing error).
    pub fn push(&mut self, data: &[u8]) {
        if data.len() < SMALL_PIECE {
            self.push_small(data);
        } else {
            self.push_bytes(Bytes::copy_from_slice(data));
        }
    }

    /// Appends a piece received from the channel, without copying it unless it is small
    /// (dropped after a framing error).
    pub fn push_bytes(&mut self, data: Bytes) {
        if data.len() < SMALL_PIECE {
            self.push_small(&data);
            return;
        }
        if self.failed.is_some() {
            // After a fatal error nothing more is read: keep memory flat.
            return;
        }
        self.seal_tail();
        self.buffered = self.buffered.saturating_add(data.len());
        self.chunks.push_back(data);
    }

    fn push_small(&mut self, data: &[u8]) {
        if self.failed.is_none() {
            ssh_wire::copy::extend_bytes(&mut self.tail, data);
            self.buffered = self.buffered.saturating_add(data.len());
        }
    }

    /// Moves the copied small pieces into the piece list, and joins the list into one
    /// piece if it has grown past [`MAX_PIECES`].
    fn seal_tail(&mut self) {
        if !self.tail.is_empty() {
            self.chunks
                .push_back(Bytes::from(std::mem::take(&mut self.tail)));
        }
        if self.chunks.len() > MAX_PIECES {
            let mut joined = Vec::with_capacity(self.buffered);
            for chunk in self.chunks.drain(..) {
                ssh_wire::copy::extend_bytes(&mut joined, &chunk);
            }
            self.chunks.push_back(Bytes::from(joined));
        }
    }

    /// Bytes buffered and not yet returned.
    pub fn buffered(&self) -> usize {
        self.buffered
    }

    /// The next complete packet's contents, `Ok(None)` when more bytes are needed.
    pub fn next_packet(&mut self) -> Result<Option<&[u8]>, FrameError> {
        Ok(self.next_packet_range()?.map(|r| self.packet(r)))
    }

    /// The bytes of a range returned by [`Deframer::next_packet_range`] (valid until the
    /// next `push` or `next_packet*` call).
    pub fn packet(&self, range: Range<usize>) -> &[u8] {
        let whole = if self.use_joined {
            self.joined.as_slice()
        } else {
            self.frame.first().map_or(&[][..], |b| &b[..])
        };
        whole.get(range).unwrap_or_default()
    }

    /// Like [`Deframer::next_packet`], but returns the packet's range for
    /// [`Deframer::packet`], so that a caller can look at it and decide before borrowing
    /// it for longer.
    pub fn next_packet_range(&mut self) -> Result<Option<Range<usize>>, FrameError> {
        let Some(len) = self.take_next()? else {
            return Ok(None);
        };
        if self.frame.len() > 1 {
            self.joined.clear();
            self.joined.reserve(len);
            for piece in &self.frame {
                ssh_wire::copy::extend_bytes(&mut self.joined, piece);
            }
            self.frame.clear();
            self.use_joined = true;
        }
        Ok(Some(0..len))
    }

    /// The next complete packet's contents as the pieces they arrived in (one or more,
    /// none empty), valid until the next `next_packet*` call; `Ok(None)` when more bytes
    /// are needed.
    pub fn next_packet_pieces(&mut self) -> Result<Option<&[Bytes]>, FrameError> {
        Ok(self.take_next()?.map(|_| self.frame.as_slice()))
    }

    /// Looks at the next packet without consuming it: `Ok(Some((len, pieces)))` once it is
    /// complete, where `len` is its content length and `pieces` how many input pieces it
    /// spans; the first `head.len()` bytes of its contents (fewer if it is shorter) are
    /// copied into `head`.
    pub fn peek_packet(&mut self, head: &mut [u8]) -> Result<Option<(usize, usize)>, FrameError> {
        let Some(len) = self.complete_len()? else {
            return Ok(None);
        };
        let n = head.len().min(len);
        self.copy_out(4, head.get_mut(..n).unwrap_or_default());
        // Pieces overlapping the contents, bytes 4..4 + len of the input.
        Ok(Some((len, range_slices(&self.chunks, 4, len).count())))
    }

    /// Drops the packet handed out last and moves the next complete one into `frame`;
    /// returns its content length.
    fn take_next(&mut self) -> Result<Option<usize>, FrameError> {
        self.frame.clear();
        self.use_joined = false;
        let Some(len) = self.complete_len()? else {
            return Ok(None);
        };
        self.skip(4);
        let mut left = len;
        while left > 0 {
            let Some(front) = self.chunks.front_mut() else {
                break;
            };
            let piece = if front.len() > left {
                front.split_to(left)
            } else {
                self.chunks.pop_front().unwrap_or_default()
            };
            left = left.saturating_sub(piece.len());
            self.frame.push(piece);
        }
        self.buffered = self.buffered.saturating_sub(len);
        self.seen_packet = true;
        Ok(Some(len))
    }

    /// The content length of the next packet once all of it is buffered; checks the
    /// length against the cap as soon as the prefix is in.
    fn complete_len(&mut self) -> Result<Option<usize>, FrameError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        self.seal_tail();
        let mut header = [0u8; 4];
        if self.buffered < header.len() {
            return Ok(None);
        }
        self.copy_out(0, &mut header);
        let len = u32::from_be_bytes(header);
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
            self.chunks.clear();
            self.tail = Vec::new();
            self.buffered = 0;
            return Err(err);
        }
        if self.buffered < len_usize.saturating_add(4) {
            return Ok(None);
        }
        Ok(Some(len_usize))
    }

    /// Copies buffered bytes from `offset` on into `out` (as many as there are).
    fn copy_out(&self, offset: usize, out: &mut [u8]) {
        let mut at = 0usize;
        for src in range_slices(&self.chunks, offset, out.len()) {
            let end = at.saturating_add(src.len());
            if let Some(dst) = out.get_mut(at..end) {
                dst.copy_from_slice(src);
            }
            at = end;
        }
    }

    /// Discards `n` bytes from the front of the input.
    fn skip(&mut self, n: usize) {
        let mut left = n;
        while left > 0 {
            let Some(front) = self.chunks.front_mut() else {
                break;
            };
            if front.len() > left {
                front.advance(left);
                left = 0;
            } else {
                left = left.saturating_sub(front.len());
                self.chunks.pop_front();
            }
        }
        self.buffered = self.buffered.saturating_sub(n);
    }
}

/// The bytes `start..start + len` of the concatenation of `pieces`, as consecutive
/// non-empty slices of them (fewer bytes if the pieces end first).
pub(crate) fn range_slices<'a>(
    pieces: impl IntoIterator<Item = &'a Bytes>,
    start: usize,
    len: usize,
) -> impl Iterator<Item = &'a [u8]> {
    pieces
        .into_iter()
        .scan((start, len), |(skip, left), piece| {
            if *left == 0 {
                return None;
            }
            let from = (*skip).min(piece.len());
            *skip = skip.saturating_sub(piece.len());
            let take = piece.len().saturating_sub(from).min(*left);
            *left = left.saturating_sub(take);
            Some(
                piece
                    .get(from..from.saturating_add(take))
                    .unwrap_or_default(),
            )
        })
        .filter(|s| !s.is_empty())
}
