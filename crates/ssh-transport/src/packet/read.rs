//! The receiving half of the binary packet protocol: the deframer.

use std::ops::Range;

use super::{MAX_TAG, PACKET_MAX, Protection};
use crate::cipher::DirectionalCipher;
use crate::compress::{Decompressor, MAX_INFLATED_LEN};
use crate::error::TransportError;

/// Authenticates and decrypts incoming packets in place.
pub struct Opener {
    prot: Protection,
    /// Sequence number of the next packet.
    pub seq: u32,
    decompressor: Option<Box<dyn Decompressor>>,
    /// packet_length of the packet being assembled, once known (for MtE ciphers its first
    /// block has then already been decrypted in place).
    pending: Option<u32>,
    /// Bytes opened since the last key change.
    pub bytes: u64,
    /// Packets opened since the last key change.
    pub packets: u64,
    /// CBC countermeasure: the error to report once PACKET_MAX bytes of the bad packet
    /// have arrived.
    discarding: Option<TransportError>,
}

impl std::fmt::Debug for Opener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opener")
            .field("seq", &self.seq)
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

/// A packet found by [`Opener::open`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    /// Bytes of the input the packet occupied (header, body, MAC).
    pub consumed: usize,
    /// Where the payload is: in the input, or in the decompression buffer.
    pub payload: Range<usize>,
    /// Whether `payload` indexes the decompression buffer.
    pub decompressed: bool,
    /// The packet's sequence number.
    pub seq: u32,
    /// Whether the sequence number wrapped after this packet.
    pub wrapped: bool,
}

impl Default for Opener {
    fn default() -> Self {
        Self::new()
    }
}

impl Opener {
    /// Initial (unprotected) state.
    pub fn new() -> Self {
        Self {
            prot: Protection::none(),
            seq: 0,
            decompressor: None,
            pending: None,
            bytes: 0,
            packets: 0,
            discarding: None,
        }
    }

    /// Switches to new keys (after receiving NEWKEYS).
    pub fn rekey(&mut self, prot: Protection) {
        self.prot = prot;
        self.pending = None;
        self.bytes = 0;
        self.packets = 0;
    }

    /// Starts (or stops) decompressing payloads.
    pub fn set_decompressor(&mut self, d: Option<Box<dyn Decompressor>>) {
        self.decompressor = d;
    }

    /// Looks for one complete packet at the start of `buf`. Decrypts in place; on success
    /// the payload is at `Opened::payload` in `buf` (or in `dbuf` when decompressed).
    /// Returns `Ok(None)` when more bytes are needed. No plaintext of a packet that fails
    /// its MAC is returned.
    pub fn open(
        &mut self,
        buf: &mut [u8],
        dbuf: &mut Vec<u8>,
    ) -> Result<Option<Opened>, TransportError> {
        if self.discarding.is_none() {
            match self.open_packet(buf, dbuf) {
                Err(
                    e @ (TransportError::BadPacketLength { .. }
                    | TransportError::PacketTooLarge { .. }
                    | TransportError::MacMismatch { .. }),
                ) if self.prot.discard_on_error => self.discarding = Some(e),
                other => return other,
            }
        }
        // Discarding (ROBUSTNESS T4): `buf` still starts at the bad packet; fail once
        // PACKET_MAX bytes of it are in, whatever the length field said.
        match &self.discarding {
            Some(e) if buf.len() >= PACKET_MAX as usize => Err(e.clone()),
            _ => Ok(None),
        }
    }

    fn open_packet(
        &mut self,
        buf: &mut [u8],
        dbuf: &mut Vec<u8>,
    ) -> Result<Option<Opened>, TransportError> {
        let bs = self.prot.block;
        let trailer = self.prot.trailer;
        let seq = self.seq;
        let len = match self.pending {
            Some(len) => len,
            None => {
                let len = match &mut self.prot.cipher {
                    DirectionalCipher::Aead(c) => {
                        let Some(first) = buf.first_chunk::<4>() else {
                            return Ok(None);
                        };
                        c.packet_length(seq, *first)
                    }
                    DirectionalCipher::Plain(c) => {
                        let first_len = if self.prot.length_in_clear { 4 } else { bs };
                        let Some(first) = buf.get_mut(..first_len) else {
                            return Ok(None);
                        };
                        if !self.prot.length_in_clear {
                            c.apply(first);
                        }
                        let Some(l) = first.first_chunk::<4>() else {
                            return Ok(None);
                        };
                        u32::from_be_bytes(*l)
                    }
                };
                self.check_length(len)?;
                self.pending = Some(len);
                len
            }
        };
        let body_end = usize::try_from(len).unwrap_or(usize::MAX).saturating_add(4);
        let total = body_end.saturating_add(trailer);
        if buf.len() < total {
            return Ok(None);
        }
        let (packet, rest) = buf.split_at_mut(body_end);
        let tag = rest.get(..trailer).unwrap_or_default();
        match &mut self.prot.cipher {
            DirectionalCipher::Aead(c) => {
                c.open(seq, packet, tag)
                    .map_err(|_| TransportError::MacMismatch { seq })?;
            }
            DirectionalCipher::Plain(c) => {
                if self.prot.length_in_clear {
                    if let Some(mac) = &self.prot.mac
                        && !mac.verify(seq, packet, tag)
                    {
                        return Err(TransportError::MacMismatch { seq });
                    }
                    if let Some(body) = packet.get_mut(4..) {
                        c.apply(body);
                    }
                } else {
                    if let Some(body) = packet.get_mut(bs..) {
                        c.apply(body);
                    }
                    if let Some(mac) = &self.prot.mac {
                        let mut expected = [0u8; MAX_TAG];
                        let _ = &mut expected;
                        if !mac.verify(seq, packet, tag) {
                            return Err(TransportError::MacMismatch { seq });
                        }
                    }
                }
            }
        }
        let padding_len = packet.get(4).copied().unwrap_or(0);
        // RFC 4253 §6: at least 4 bytes of padding, and a payload of at least one byte
        // (the message number) must remain (ROBUSTNESS T5).
        if usize::from(padding_len) < super::MIN_PADDING
            || u32::from(padding_len).saturating_add(1) >= len
        {
            return Err(TransportError::BadPadding {
                padding_len,
                packet_len: len,
            });
        }
        let payload = 5..body_end.saturating_sub(usize::from(padding_len));
        self.pending = None;
        self.seq = seq.wrapping_add(1);
        self.bytes = self
            .bytes
            .saturating_add(u64::try_from(total).unwrap_or(u64::MAX));
        self.packets = self.packets.saturating_add(1);
        let wrapped = self.seq == 0;
        if let Some(d) = self.decompressor.as_mut() {
            dbuf.clear();
            let input = packet.get(payload.clone()).unwrap_or_default();
            d.decompress(input, dbuf, MAX_INFLATED_LEN)
                .map_err(TransportError::Decompression)?;
            if dbuf.is_empty() {
                return Err(TransportError::Decompression(
                    crate::compress::CompressionError::Corrupt,
                ));
            }
            return Ok(Some(Opened {
                consumed: total,
                payload: 0..dbuf.len(),
                decompressed: true,
                seq,
                wrapped,
            }));
        }
        Ok(Some(Opened {
            consumed: total,
            payload,
            decompressed: false,
            seq,
            wrapped,
        }))
    }

    /// RFC 4253 §6 length checks, before anything is allocated (ROBUSTNESS T2–T4).
    fn check_length(&self, len: u32) -> Result<(), TransportError> {
        if len > PACKET_MAX {
            return Err(TransportError::PacketTooLarge {
                len,
                max: PACKET_MAX,
            });
        }
        // padding_length byte plus at least four bytes of padding.
        if len < 5 {
            return Err(TransportError::BadPacketLength { len });
        }
        let bs = u32::try_from(self.prot.block).unwrap_or(8);
        let aligned = if self.prot.length_in_clear {
            len
        } else {
            len.saturating_add(4)
        };
        if aligned % bs != 0 {
            return Err(TransportError::BadPacketLength { len });
        }
        Ok(())
    }
}
