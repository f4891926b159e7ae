//! MACs: one type per algorithm behind the object-safe [`MacAlgorithm`] trait.
//!
//! RFC 4253 §6.4: `mac = MAC(key, sequence_number || unencrypted_packet)`; for the
//! `-etm@openssh.com` forms (OpenSSH PROTOCOL §1.5) the MAC covers the packet length and the
//! ciphertext instead. Either way it is one contiguous slice after the sequence number.

mod hmac;

pub use self::hmac::{
    HmacMd5, HmacMd5_96, HmacSha1, HmacSha1_96, HmacSha1Etm, HmacSha256, HmacSha256_96,
    HmacSha256Etm, HmacSha512, HmacSha512_96, HmacSha512Etm,
};

/// A MAC algorithm: name, sizes, and a factory for a keyed instance.
pub trait MacAlgorithm: Send + Sync + 'static {
    /// Name in KEXINIT.
    fn name(&self) -> &'static str;
    /// Key length in bytes (RFC 4253 §7.2 letters E/F).
    fn key_len(&self) -> usize;
    /// Tag length on the wire.
    fn tag_len(&self) -> usize;
    /// Encrypt-then-MAC (OpenSSH PROTOCOL §1.5).
    fn is_etm(&self) -> bool;
    /// A keyed instance (exact key length).
    fn instance(&self, key: &[u8]) -> Option<Box<dyn Mac>>;
}

/// A keyed MAC.
pub trait Mac: Send {
    /// Writes the tag for `seq || data` into `tag` (exactly the wire tag length).
    fn sign(&self, seq: u32, data: &[u8], tag: &mut [u8]);
    /// Constant-time check of `tag` against `seq || data`.
    fn verify(&self, seq: u32, data: &[u8], tag: &[u8]) -> bool;
}

/// Every MAC this crate implements, in the default preference order (EtM first).
pub const ALL: &[&dyn MacAlgorithm] = &[
    &HmacSha256Etm,
    &HmacSha512Etm,
    &HmacSha1Etm,
    &HmacSha256,
    &HmacSha512,
    &HmacSha1,
    &HmacSha256_96,
    &HmacSha512_96,
    &HmacSha1_96,
    &HmacMd5,
    &HmacMd5_96,
];

/// The implemented MAC called `name`.
pub fn by_name(name: &str) -> Option<&'static dyn MacAlgorithm> {
    ALL.iter().copied().find(|m| m.name() == name)
}
