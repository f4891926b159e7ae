//! The sending half of the binary packet protocol.

use ring::rand::SecureRandom;

use super::{MAX_TAG, MIN_PADDING, Protection};
use crate::cipher::DirectionalCipher;
use crate::compress::Compressor;
use crate::error::TransportError;
use ssh_wire::copy::{copy_bytes, extend_bytes};

/// Protects outgoing payloads.
pub struct Sealer {
    prot: Protection,
    /// Sequence number of the next packet (RFC 4253 §6.4).
    pub seq: u32,
    compressor: Option<Box<dyn Compressor>>,
    /// Reused compression output.
    zbuf: Vec<u8>,
    /// Reused staging buffer for `seal_with` when compressing.
    fbuf: Vec<u8>,
    rng: ring::rand::SystemRandom,
    /// Random bytes for padding, fetched from the OS a pool at a time: one system call
    /// per packet would cost as much as encrypting a few KiB.
    pad_pool: Vec<u8>,
    /// How much of `pad_pool` has been used.
    pad_used: usize,
    /// Bytes sealed since the last key change.
    pub bytes: u64,
    /// Packets sealed since the last key change.
    pub packets: u64,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("seq", &self.seq)
            .field("bytes", &self.bytes)
            .finish_non_exhaustive()
    }
}

impl Default for Sealer {
    fn default() -> Self {
        Self::new()
    }
}

impl Sealer {
    /// Initial (unprotected) state.
    pub fn new() -> Self {
        Self {
            prot: Protection::none(),
            seq: 0,
            compressor: None,
            zbuf: Vec::new(),
            fbuf: Vec::new(),
            rng: ring::rand::SystemRandom::new(),
            pad_pool: Vec::new(),
            pad_used: 0,
            bytes: 0,
            packets: 0,
        }
    }

    /// Switches to new keys (after sending NEWKEYS).
    pub fn rekey(&mut self, prot: Protection) {
        self.prot = prot;
        self.bytes = 0;
        self.packets = 0;
    }

    /// Starts (or stops) compressing payloads.
    pub fn set_compressor(&mut self, c: Option<Box<dyn Compressor>>) {
        self.compressor = c;
    }

    /// Appends the protected packet for `payload` to `out`. Returns whether the sequence
    /// number wrapped to zero.
    pub fn seal(&mut self, payload: &[u8], out: &mut Vec<u8>) -> Result<bool, TransportError> {
        if self.compressor.is_some() {
            return self.seal_with(
                payload.len(),
                |dst| {
                    copy_bytes(dst, payload);
                },
                |_| Ok(()),
                out,
            );
        }
        self.frame(
            payload.len(),
            |out| extend_bytes(out, payload),
            |_| Ok(()),
            out,
        )
    }

    /// Like [`Sealer::seal`], but `fill` writes the `len`-byte payload straight into the
    /// packet buffer (saving the caller a copy), and `check` may refuse it before anything
    /// is encrypted, leaving `out` and the sequence number untouched.
    pub fn seal_with(
        &mut self,
        len: usize,
        fill: impl FnOnce(&mut [u8]),
        check: impl FnOnce(&[u8]) -> Result<(), TransportError>,
        out: &mut Vec<u8>,
    ) -> Result<bool, TransportError> {
        self.seal_appending(len, |out| fill_in_place(out, len, fill), check, out)
    }

    /// Like [`Sealer::seal_with`], but `append` appends the payload to the packet buffer
    /// (which is then cut or zero-padded to `len` bytes): the buffer's room is not
    /// zero-filled first only to be overwritten.
    pub fn seal_appending(
        &mut self,
        len: usize,
        append: impl FnOnce(&mut Vec<u8>),
        check: impl FnOnce(&[u8]) -> Result<(), TransportError>,
        out: &mut Vec<u8>,
    ) -> Result<bool, TransportError> {
        if self.compressor.is_some() {
            let mut staged = std::mem::take(&mut self.fbuf);
            staged.clear();
            append(&mut staged);
            staged.resize(len, 0);
            let result = check(&staged).and_then(|()| {
                let mut zbuf = std::mem::take(&mut self.zbuf);
                zbuf.clear();
                let r = match self.compressor.as_mut() {
                    Some(c) => c
                        .compress(&staged, &mut zbuf)
                        .map_err(TransportError::Decompression),
                    None => Ok(()),
                };
                let r = r.and_then(|()| {
                    let n = zbuf.len();
                    self.frame(n, |out| extend_bytes(out, &zbuf), |_| Ok(()), out)
                });
                self.zbuf = zbuf;
                r
            });
            self.fbuf = staged;
            return result;
        }
        self.frame(len, append, check, out)
    }

    /// Fills `p` (at most 255 bytes) with random padding (RFC 4253 §6), each pool byte
    /// used once. Padding is not secret: a failed RNG leaves zeros, which RFC 4253
    /// permits for stream-like ciphers and is harmless for the others we offer.
    fn fill_padding(&mut self, p: &mut [u8]) {
        const POOL: usize = 4096;
        let end = self.pad_used.saturating_add(p.len());
        if end > self.pad_pool.len() {
            self.pad_pool.clear();
            self.pad_pool.resize(POOL, 0);
            let _ = self.rng.fill(&mut self.pad_pool);
            self.pad_used = 0;
        }
        let end = self.pad_used.saturating_add(p.len());
        if let Some(src) = self.pad_pool.get(self.pad_used..end) {
            p.copy_from_slice(src);
            self.pad_used = end;
        }
    }

    /// Appends one protected packet whose payload `append` adds to the buffer (exactly
    /// `payload_len` bytes: appending straight from the source avoids zero-filling first).
    fn frame(
        &mut self,
        payload_len: usize,
        append: impl FnOnce(&mut Vec<u8>),
        check: impl FnOnce(&[u8]) -> Result<(), TransportError>,
        out: &mut Vec<u8>,
    ) -> Result<bool, TransportError> {
        let bs = self.prot.block;
        let aligned_from = if self.prot.length_in_clear { 4 } else { 0 };
        let unpadded = 5usize.saturating_add(payload_len);
        let rem = unpadded.saturating_sub(aligned_from) % bs;
        let mut pad = bs.saturating_sub(rem);
        if pad < MIN_PADDING {
            pad = pad.saturating_add(bs);
        }
        let packet_len = unpadded.saturating_sub(4).saturating_add(pad);
        let packet_len32 =
            u32::try_from(packet_len).map_err(|_| TransportError::PayloadTooLarge {
                len: payload_len,
                max: super::MAX_PAYLOAD,
            })?;
        let pad_u8 = u8::try_from(pad).unwrap_or(u8::MAX);

        let start = out.len();
        out.extend_from_slice(&packet_len32.to_be_bytes());
        out.push(pad_u8);
        let payload_at = out.len();
        append(out);
        // Exactly `payload_len` bytes, whatever `append` did.
        out.resize(payload_at.saturating_add(payload_len), 0);
        if let Err(e) = check(out.get(payload_at..).unwrap_or_default()) {
            out.truncate(start);
            return Err(e);
        }
        let pad_at = out.len();
        out.resize(pad_at.saturating_add(pad), 0);
        if let Some(p) = out.get_mut(pad_at..) {
            self.fill_padding(p);
        }
        let end = out.len();
        let trailer = self.prot.trailer;
        let seq = self.seq;
        match &mut self.prot.cipher {
            DirectionalCipher::Aead(c) => {
                out.resize(end.saturating_add(trailer), 0);
                if let Some((packet, tag)) =
                    out.get_mut(start..).map(|s| s.split_at_mut(end - start))
                {
                    c.seal(seq, packet, tag);
                }
            }
            DirectionalCipher::Plain(c) => {
                let mut tag = [0u8; MAX_TAG];
                let tag = tag.get_mut(..trailer).unwrap_or_default();
                if self.prot.length_in_clear {
                    if let Some(body) = out.get_mut(start.saturating_add(4)..end) {
                        c.apply(body);
                    }
                    if let (Some(mac), Some(packet)) = (&self.prot.mac, out.get(start..end)) {
                        mac.sign(seq, packet, tag);
                    }
                } else {
                    if let (Some(mac), Some(packet)) = (&self.prot.mac, out.get(start..end)) {
                        mac.sign(seq, packet, tag);
                    }
                    if let Some(packet) = out.get_mut(start..end) {
                        c.apply(packet);
                    }
                }
                out.extend_from_slice(tag);
            }
        }
        self.seq = seq.wrapping_add(1);
        self.bytes = self
            .bytes
            .saturating_add(u64::try_from(out.len().saturating_sub(start)).unwrap_or(u64::MAX));
        self.packets = self.packets.saturating_add(1);
        Ok(self.seq == 0)
    }
}

/// Appends `len` zeros to `out` and lets `fill` overwrite them: the in-place form of an
/// appending payload writer.
pub(crate) fn fill_in_place(out: &mut Vec<u8>, len: usize, fill: impl FnOnce(&mut [u8])) {
    let at = out.len();
    out.resize(at.saturating_add(len), 0);
    if let Some(dst) = out.get_mut(at..) {
        fill(dst);
    }
}
