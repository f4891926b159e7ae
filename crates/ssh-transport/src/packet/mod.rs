//! RFC 4253 §6 binary packet protocol: framing apart from parsing.
//!
//! ```text
//! uint32    packet_length
//! byte      padding_length
//! byte[n1]  payload; n1 = packet_length - padding_length - 1
//! byte[n2]  random padding; n2 = padding_length
//! byte[m]   mac (Message Authentication Code - MAC); m = mac_length
//! ```
//! [`Sealer`] turns payloads into protected packets appended to a reusable output buffer;
//! [`Opener`] (the deframer) finds, authenticates and decrypts packets in place in the
//! receive buffer and hands back the payload's position. Neither allocates per packet once
//! its buffers have grown to the working size.

mod read;
mod write;

pub use read::{Opened, Opener};
pub use write::Sealer;
pub(crate) use write::fill_in_place;

use crate::cipher::{CipherAlgorithm, DirectionalCipher, NoCipher};
use crate::mac::{Mac, MacAlgorithm};

/// Largest packet_length accepted: OpenSSH `PACKET_MAX_SIZE` (256 KiB). Checked before any
/// allocation (ROBUSTNESS T3).
pub const PACKET_MAX: u32 = 256 * 1024;

/// Largest payload `send` accepts: leaves room for padding, compression overhead and the
/// header inside [`PACKET_MAX`].
pub const MAX_PAYLOAD: usize = PACKET_MAX as usize - 1024;

/// RFC 4253 §6: "There MUST be at least four bytes of padding."
pub const MIN_PADDING: usize = 4;

/// Longest MAC or tag we handle (hmac-sha2-512).
const MAX_TAG: usize = 64;

/// Cipher and MAC state for one direction.
pub struct Protection {
    cipher: DirectionalCipher,
    mac: Option<Box<dyn Mac>>,
    /// Padding block size: max(8, cipher block).
    block: usize,
    /// MAC or AEAD tag bytes after the packet.
    trailer: usize,
    /// EtM or AEAD: the length field is outside the encrypted/aligned part.
    length_in_clear: bool,
    /// CBC with MAC-then-encrypt: a bad length or MAC is reported only after discarding
    /// up to PACKET_MAX bytes, as OpenSSH does (`ssh_packet_start_discard`), so that the
    /// moment of failure tells an attacker nothing about the decrypted length field.
    discard_on_error: bool,
}

impl std::fmt::Debug for Protection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Protection")
            .field("block", &self.block)
            .field("trailer", &self.trailer)
            .finish_non_exhaustive()
    }
}

impl Protection {
    /// The initial state: no cipher, no MAC (RFC 4253 §6).
    pub fn none() -> Self {
        let cipher = NoCipher
            .encryptor(&[], &[])
            .unwrap_or_else(|| DirectionalCipher::Plain(Box::new(Noop)));
        Self {
            cipher,
            mac: None,
            block: 8,
            trailer: 0,
            length_in_clear: false,
            discard_on_error: false,
        }
    }

    /// A keyed state for `cipher` and, for non-AEAD ciphers, `mac`.
    pub fn new(
        cipher_alg: &dyn CipherAlgorithm,
        cipher: DirectionalCipher,
        mac_alg: Option<&dyn MacAlgorithm>,
        mac: Option<Box<dyn Mac>>,
    ) -> Self {
        let aead = matches!(cipher, DirectionalCipher::Aead(_));
        let etm = mac_alg.is_some_and(|m| m.is_etm());
        let trailer = if aead {
            cipher_alg.tag_len()
        } else {
            mac_alg.map_or(0, |m| m.tag_len())
        };
        Self {
            cipher,
            mac: if aead { None } else { mac },
            block: cipher_alg.block_size().max(8),
            trailer,
            length_in_clear: aead || etm,
            discard_on_error: cipher_alg.is_cbc() && !aead && !etm,
        }
    }
}

struct Noop;

impl crate::cipher::PlainCipher for Noop {
    fn apply(&mut self, _data: &mut [u8]) {}
}
