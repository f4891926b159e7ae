//! RFC 4344 §4: aes128-ctr, aes192-ctr, aes256-ctr (RustCrypto `aes` + `ctr`).

use cipher::{KeyIvInit, StreamCipher};

use super::{CipherAlgorithm, DirectionalCipher, PlainCipher};

struct Ctr<C>(C);

impl<C: StreamCipher + Send> PlainCipher for Ctr<C> {
    fn apply(&mut self, data: &mut [u8]) {
        // CTR is its own inverse: the same keystream encrypts and decrypts.
        self.0.apply_keystream(data);
    }
}

macro_rules! aes_ctr {
    ($ty:ident, $name:literal, $aes:ty, $key:literal) => {
        #[doc = concat!("RFC 4344 `", $name, "`.")]
        #[derive(Clone, Copy, Debug)]
        pub struct $ty;

        impl $ty {
            fn make(key: &[u8], iv: &[u8]) -> Option<DirectionalCipher> {
                let c = ctr::Ctr128BE::<$aes>::new_from_slices(key, iv).ok()?;
                Some(DirectionalCipher::Plain(Box::new(Ctr(c))))
            }
        }

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
            fn encryptor(&self, key: &[u8], iv: &[u8]) -> Option<DirectionalCipher> {
                Self::make(key, iv)
            }
            fn decryptor(&self, key: &[u8], iv: &[u8]) -> Option<DirectionalCipher> {
                Self::make(key, iv)
            }
        }
    };
}

aes_ctr!(Aes128Ctr, "aes128-ctr", aes::Aes128, 16);
aes_ctr!(Aes192Ctr, "aes192-ctr", aes::Aes192, 24);
aes_ctr!(Aes256Ctr, "aes256-ctr", aes::Aes256, 32);
