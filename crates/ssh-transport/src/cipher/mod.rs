//! Ciphers: one type per algorithm behind the object-safe [`CipherAlgorithm`] trait.
//!
//! A cipher either needs a separate MAC ([`DirectionalCipher::Plain`]: CTR, CBC) or
//! authenticates itself ([`DirectionalCipher::Aead`]: AES-GCM, chacha20-poly1305). Adding an
//! algorithm means adding one file with one type and listing it in [`ALL`].

mod aes_cbc;
mod aes_ctr;
mod aes_gcm;
mod chacha20_poly1305;
mod none;
mod tdes_cbc;

pub use aes_cbc::{Aes128Cbc, Aes192Cbc, Aes256Cbc};
pub use aes_ctr::{Aes128Ctr, Aes192Ctr, Aes256Ctr};
pub use aes_gcm::{Aes128Gcm, Aes256Gcm};
pub use chacha20_poly1305::ChaCha20Poly1305;
pub use none::NoCipher;
pub use tdes_cbc::TripleDesCbc;

/// A cipher algorithm: its name, sizes and a factory for per-direction state.
pub trait CipherAlgorithm: Send + Sync + 'static {
    /// Name in KEXINIT.
    fn name(&self) -> &'static str;
    /// Key length in bytes (derived with RFC 4253 §7.2 letters C/D).
    fn key_len(&self) -> usize;
    /// IV length in bytes (letters A/B); 0 when the cipher takes none.
    fn iv_len(&self) -> usize;
    /// Block size in bytes for padding (RFC 4253 §6: at least 8).
    fn block_size(&self) -> usize;
    /// Authentication tag length for AEAD ciphers, 0 for ciphers that need a MAC.
    fn tag_len(&self) -> usize {
        0
    }
    /// Whether this is a CBC-mode cipher (Terrapin: CBC with an EtM MAC is affected).
    fn is_cbc(&self) -> bool {
        false
    }
    /// State for encrypting with `key`/`iv` (exact lengths).
    fn encryptor(&self, key: &[u8], iv: &[u8]) -> Option<DirectionalCipher>;
    /// State for decrypting with `key`/`iv` (exact lengths).
    fn decryptor(&self, key: &[u8], iv: &[u8]) -> Option<DirectionalCipher>;
}

/// Per-direction cipher state.
pub enum DirectionalCipher {
    /// A cipher that needs a MAC.
    Plain(Box<dyn PlainCipher>),
    /// A cipher that authenticates the packet itself.
    Aead(Box<dyn AeadCipher>),
}

impl std::fmt::Debug for DirectionalCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Plain(_) => f.write_str("Plain"),
            Self::Aead(_) => f.write_str("Aead"),
        }
    }
}

/// Encrypts or decrypts (whichever this instance was made for) whole blocks in place.
pub trait PlainCipher: Send {
    /// Transforms `data` in place; `data.len()` is a multiple of the block size.
    fn apply(&mut self, data: &mut [u8]);
}

/// An AEAD that protects a whole SSH packet (`uint32 packet_length` first).
pub trait AeadCipher: Send {
    /// The packet length from the first four bytes of a packet (decrypted for chacha,
    /// plain for GCM). Not authenticated until [`AeadCipher::open`] succeeds.
    fn packet_length(&self, seq: u32, first: [u8; 4]) -> u32;
    /// Encrypts `packet` (length field included) in place and writes the tag.
    fn seal(&mut self, seq: u32, packet: &mut [u8], tag: &mut [u8]);
    /// Verifies `tag` and decrypts `packet[4..]` in place; on failure the contents are
    /// unspecified and must not be used.
    fn open(&mut self, seq: u32, packet: &mut [u8], tag: &[u8]) -> Result<(), AeadError>;
}

/// The tag did not verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AeadError;

/// Every cipher this crate implements, in the default preference order.
pub const ALL: &[&dyn CipherAlgorithm] = &[
    &ChaCha20Poly1305,
    &Aes128Gcm,
    &Aes256Gcm,
    &Aes128Ctr,
    &Aes192Ctr,
    &Aes256Ctr,
    &Aes128Cbc,
    &Aes192Cbc,
    &Aes256Cbc,
    &TripleDesCbc,
];

/// The implemented cipher called `name`.
pub fn by_name(name: &str) -> Option<&'static dyn CipherAlgorithm> {
    ALL.iter().copied().find(|c| c.name() == name)
}
