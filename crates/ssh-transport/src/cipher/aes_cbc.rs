//! RFC 4253 §6.3: aes128-cbc, aes192-cbc, aes256-cbc (RustCrypto `aes` + `cbc`).
//!
//! CBC with MAC-then-encrypt is the mode of the Albrecht–Paterson–Watson plaintext recovery
//! attack; it is offered only because the seed lists it, after every CTR/AEAD cipher.

use cipher::array::Array;
use cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};

use super::{CipherAlgorithm, DirectionalCipher, PlainCipher};

pub(super) struct CbcEnc<C>(pub(super) C);
pub(super) struct CbcDec<C>(pub(super) C);

impl<C: BlockModeEncrypt + Send> PlainCipher for CbcEnc<C> {
    fn apply(&mut self, data: &mut [u8]) {
        let (blocks, _rest) = Array::slice_as_chunks_mut(data);
        self.0.encrypt_blocks(blocks);
    }
}

impl<C: BlockModeDecrypt + Send> PlainCipher for CbcDec<C> {
    fn apply(&mut self, data: &mut [u8]) {
        let (blocks, _rest) = Array::slice_as_chunks_mut(data);
        self.0.decrypt_blocks(blocks);
    }
}

macro_rules! aes_cbc {
    ($ty:ident, $name:literal, $aes:ty, $key:literal) => {
        #[doc = concat!("RFC 4253 `", $name, "`.")]
        #[derive(Clone, Copy, Debug)]
        pub struct $ty;

        impl CipherAlgorithm for $ty {
            fn name(&self) -> &'static str {
                $name
            }
            fn key_len(&self) -> usize {
                $key
            }
            fn iv_len(&self) -> usize {
                16
            }
            fn block_size(&self) -> usize {
                16
            }
            fn is_cbc(&self) -> bool {
                true
            }
            fn encryptor(&self, key: &[u8], iv: &[u8]) -> Option<DirectionalCipher> {
                let c = cbc::Encryptor::<$aes>::new_from_slices(key, iv).ok()?;
                Some(DirectionalCipher::Plain(Box::new(CbcEnc(c))))
            }
            fn decryptor(&self, key: &[u8], iv: &[u8]) -> Option<DirectionalCipher> {
                let c = cbc::Decryptor::<$aes>::new_from_slices(key, iv).ok()?;
                Some(DirectionalCipher::Plain(Box::new(CbcDec(c))))
            }
        }
    };
}

aes_cbc!(Aes128Cbc, "aes128-cbc", aes::Aes128, 16);
aes_cbc!(Aes192Cbc, "aes192-cbc", aes::Aes192, 24);
aes_cbc!(Aes256Cbc, "aes256-cbc", aes::Aes256, 32);
