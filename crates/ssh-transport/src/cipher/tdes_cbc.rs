//! RFC 4253 §6.3: 3des-cbc (three-key EDE, RustCrypto `des` + `cbc`). Legacy only.

use cipher::KeyIvInit;

use super::aes_cbc::{CbcDec, CbcEnc};
use super::{CipherAlgorithm, DirectionalCipher};

/// RFC 4253 `3des-cbc`.
#[derive(Clone, Copy, Debug)]
pub struct TripleDesCbc;

impl CipherAlgorithm for TripleDesCbc {
    fn name(&self) -> &'static str {
        "3des-cbc"
    }
    fn key_len(&self) -> usize {
        24
    }
    fn iv_len(&self) -> usize {
        8
    }
    fn block_size(&self) -> usize {
        8
    }
    fn is_cbc(&self) -> bool {
        true
    }
    fn encryptor(&self, key: &[u8], iv: &[u8]) -> Option<DirectionalCipher> {
        let c = cbc::Encryptor::<des::TdesEde3>::new_from_slices(key, iv).ok()?;
        Some(DirectionalCipher::Plain(Box::new(CbcEnc(c))))
    }
    fn decryptor(&self, key: &[u8], iv: &[u8]) -> Option<DirectionalCipher> {
        let c = cbc::Decryptor::<des::TdesEde3>::new_from_slices(key, iv).ok()?;
        Some(DirectionalCipher::Plain(Box::new(CbcDec(c))))
    }
}
