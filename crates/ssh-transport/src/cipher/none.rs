//! RFC 4253 §6.3 "none": the cipher in force before the first NEWKEYS. Never negotiated.

use super::{CipherAlgorithm, DirectionalCipher, PlainCipher};

/// No encryption (initial state only; not in [`super::ALL`]).
#[derive(Clone, Copy, Debug)]
pub struct NoCipher;

struct Identity;

impl PlainCipher for Identity {
    fn apply(&mut self, _data: &mut [u8]) {}
}

impl CipherAlgorithm for NoCipher {
    fn name(&self) -> &'static str {
        "none"
    }
    fn key_len(&self) -> usize {
        0
    }
    fn iv_len(&self) -> usize {
        0
    }
    fn block_size(&self) -> usize {
        8
    }
    fn encryptor(&self, _key: &[u8], _iv: &[u8]) -> Option<DirectionalCipher> {
        Some(DirectionalCipher::Plain(Box::new(Identity)))
    }
    fn decryptor(&self, _key: &[u8], _iv: &[u8]) -> Option<DirectionalCipher> {
        Some(DirectionalCipher::Plain(Box::new(Identity)))
    }
}
