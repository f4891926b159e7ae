//! OpenSSH PROTOCOL.chacha20poly1305: chacha20-poly1305@openssh.com, via ring's
//! `chacha20_poly1305_openssh` (64-byte key: K_2 for the payload, K_1 for the length; the
//! sequence number is the nonce).

use ring::aead::chacha20_poly1305_openssh::{KEY_LEN, OpeningKey, SealingKey, TAG_LEN};

use super::{AeadCipher, AeadError, CipherAlgorithm, DirectionalCipher};

/// OpenSSH `chacha20-poly1305@openssh.com`.
#[derive(Clone, Copy, Debug)]
pub struct ChaCha20Poly1305;

struct Seal(SealingKey);
struct Open(OpeningKey);

impl AeadCipher for Seal {
    fn packet_length(&self, _seq: u32, first: [u8; 4]) -> u32 {
        u32::from_be_bytes(first)
    }
    fn seal(&mut self, seq: u32, packet: &mut [u8], tag: &mut [u8]) {
        let mut t = [0u8; TAG_LEN];
        // ring panics on packets shorter than the length field; ours always have one.
        if packet.len() >= 4 {
            self.0.seal_in_place(seq, packet, &mut t);
        }
        tag.copy_from_slice(&t);
    }
    fn open(&mut self, _seq: u32, _packet: &mut [u8], _tag: &[u8]) -> Result<(), AeadError> {
        Err(AeadError)
    }
}

impl AeadCipher for Open {
    fn packet_length(&self, seq: u32, first: [u8; 4]) -> u32 {
        u32::from_be_bytes(self.0.decrypt_packet_length(seq, first))
    }
    fn seal(&mut self, _seq: u32, _packet: &mut [u8], _tag: &mut [u8]) {}
    fn open(&mut self, seq: u32, packet: &mut [u8], tag: &[u8]) -> Result<(), AeadError> {
        let tag = <&[u8; TAG_LEN]>::try_from(tag).map_err(|_| AeadError)?;
        self.0
            .open_in_place(seq, packet, tag)
            .map(|_| ())
            .map_err(|_| AeadError)
    }
}

impl CipherAlgorithm for ChaCha20Poly1305 {
    fn name(&self) -> &'static str {
        "chacha20-poly1305@openssh.com"
    }
    fn key_len(&self) -> usize {
        KEY_LEN
    }
    fn iv_len(&self) -> usize {
        0
    }
    fn block_size(&self) -> usize {
        8
    }
    fn tag_len(&self) -> usize {
        TAG_LEN
    }
    fn encryptor(&self, key: &[u8], _iv: &[u8]) -> Option<DirectionalCipher> {
        let key = <&[u8; KEY_LEN]>::try_from(key).ok()?;
        Some(DirectionalCipher::Aead(Box::new(Seal(SealingKey::new(
            key,
        )))))
    }
    fn decryptor(&self, key: &[u8], _iv: &[u8]) -> Option<DirectionalCipher> {
        let key = <&[u8; KEY_LEN]>::try_from(key).ok()?;
        Some(DirectionalCipher::Aead(Box::new(Open(OpeningKey::new(
            key,
        )))))
    }
}
