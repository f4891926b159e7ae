//! RFC 5647 as amended by OpenSSH PROTOCOL §1.6: aes128-gcm@openssh.com and
//! aes256-gcm@openssh.com (ring). The packet length is sent in clear as associated data;
//! the 12-byte nonce is a 4-byte fixed field and an 8-byte invocation counter incremented
//! after every packet (RFC 5647 §7.1).

use ring::aead::{AES_128_GCM, AES_256_GCM, Aad, Algorithm, LessSafeKey, Nonce, Tag, UnboundKey};

use super::{AeadCipher, AeadError, CipherAlgorithm, DirectionalCipher};

struct Gcm {
    key: LessSafeKey,
    fixed: [u8; 4],
    invocation: u64,
}

impl Gcm {
    fn keyed(alg: &'static Algorithm, key: &[u8], iv: &[u8]) -> Option<DirectionalCipher> {
        let key = LessSafeKey::new(UnboundKey::new(alg, key).ok()?);
        let (fixed, counter) = iv.split_first_chunk::<4>()?;
        let invocation = u64::from_be_bytes(<[u8; 8]>::try_from(counter).ok()?);
        Some(DirectionalCipher::Aead(Box::new(Self {
            key,
            fixed: *fixed,
            invocation,
        })))
    }

    fn next_nonce(&mut self) -> Nonce {
        let mut n = [0u8; 12];
        let (f, c) = n.split_at_mut(4);
        f.copy_from_slice(&self.fixed);
        c.copy_from_slice(&self.invocation.to_be_bytes());
        // RFC 5647 §7.1: the invocation counter is incremented modulo 2^64.
        self.invocation = self.invocation.wrapping_add(1);
        Nonce::assume_unique_for_key(n)
    }
}

impl AeadCipher for Gcm {
    fn packet_length(&self, _seq: u32, first: [u8; 4]) -> u32 {
        u32::from_be_bytes(first)
    }

    fn seal(&mut self, _seq: u32, packet: &mut [u8], tag: &mut [u8]) {
        let nonce = self.next_nonce();
        let Some((len, body)) = packet.split_first_chunk_mut::<4>() else {
            return;
        };
        // Sealing can fail only for inputs beyond GCM's 64 GiB limit, far above PACKET_MAX.
        if let Ok(t) = self
            .key
            .seal_in_place_separate_tag(nonce, Aad::from(*len), body)
        {
            tag.copy_from_slice(t.as_ref());
        }
    }

    fn open(&mut self, _seq: u32, packet: &mut [u8], tag: &[u8]) -> Result<(), AeadError> {
        let nonce = self.next_nonce();
        let tag = Tag::try_from(tag).map_err(|_| AeadError)?;
        let (len, body) = packet.split_first_chunk_mut::<4>().ok_or(AeadError)?;
        self.key
            .open_in_place_separate_tag(nonce, Aad::from(*len), tag, body, 0..)
            .map(|_| ())
            .map_err(|_| AeadError)
    }
}

/// OpenSSH `aes128-gcm@openssh.com`.
#[derive(Clone, Copy, Debug)]
pub struct Aes128Gcm;

/// OpenSSH `aes256-gcm@openssh.com`.
#[derive(Clone, Copy, Debug)]
pub struct Aes256Gcm;

impl CipherAlgorithm for Aes128Gcm {
    fn name(&self) -> &'static str {
        "aes128-gcm@openssh.com"
    }
    fn key_len(&self) -> usize {
        16
    }
    fn iv_len(&self) -> usize {
        12
    }
    fn block_size(&self) -> usize {
        16
    }
    fn tag_len(&self) -> usize {
        16
    }
    fn encryptor(&self, key: &[u8], iv: &[u8]) -> Option<DirectionalCipher> {
        Gcm::keyed(&AES_128_GCM, key, iv)
    }
    fn decryptor(&self, key: &[u8], iv: &[u8]) -> Option<DirectionalCipher> {
        Gcm::keyed(&AES_128_GCM, key, iv)
    }
}

impl CipherAlgorithm for Aes256Gcm {
    fn name(&self) -> &'static str {
        "aes256-gcm@openssh.com"
    }
    fn key_len(&self) -> usize {
        32
    }
    fn iv_len(&self) -> usize {
        12
    }
    fn block_size(&self) -> usize {
        16
    }
    fn tag_len(&self) -> usize {
        16
    }
    fn encryptor(&self, key: &[u8], iv: &[u8]) -> Option<DirectionalCipher> {
        Gcm::keyed(&AES_256_GCM, key, iv)
    }
    fn decryptor(&self, key: &[u8], iv: &[u8]) -> Option<DirectionalCipher> {
        Gcm::keyed(&AES_256_GCM, key, iv)
    }
}
