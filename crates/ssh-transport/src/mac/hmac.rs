//! RFC 2104 HMACs as SSH uses them: RFC 4253 §6.4 (hmac-sha1, hmac-sha1-96, hmac-md5,
//! hmac-md5-96), RFC 6668 (hmac-sha2-256/512), the `-96` truncations of the SHA-2 forms
//! and the OpenSSH `-etm@openssh.com` variants.

use hmac::digest::{KeyInit, Mac as _};
use hmac::{Hmac, digest::block_api::EagerHash};
use subtle::ConstantTimeEq;

use super::{Mac, MacAlgorithm};

struct Keyed<D: EagerHash> {
    /// The keyed state, cloned per packet so no key schedule runs on the hot path.
    state: Hmac<D>,
    tag_len: usize,
}

impl<D> Keyed<D>
where
    D: EagerHash,
    Hmac<D>: Clone + Send,
{
    fn full(&self, seq: u32, data: &[u8]) -> hmac::digest::Output<Hmac<D>> {
        let mut m = self.state.clone();
        m.update(&seq.to_be_bytes());
        m.update(data);
        m.finalize().into_bytes()
    }
}

impl<D> Mac for Keyed<D>
where
    D: EagerHash,
    Hmac<D>: Clone + Send,
{
    fn sign(&self, seq: u32, data: &[u8], tag: &mut [u8]) {
        let full = self.full(seq, data);
        if let Some(t) = full.get(..self.tag_len) {
            tag.copy_from_slice(t);
        }
    }

    fn verify(&self, seq: u32, data: &[u8], tag: &[u8]) -> bool {
        let full = self.full(seq, data);
        match full.get(..self.tag_len) {
            Some(expected) => bool::from(expected.ct_eq(tag)),
            None => false,
        }
    }
}

macro_rules! hmac_alg {
    ($ty:ident, $name:literal, $hash:ty, $key:literal, $tag:literal, $etm:literal) => {
        #[doc = concat!("`", $name, "`.")]
        #[derive(Clone, Copy, Debug)]
        pub struct $ty;

        impl MacAlgorithm for $ty {
            fn name(&self) -> &'static str {
                $name
            }
            fn key_len(&self) -> usize {
                $key
            }
            fn tag_len(&self) -> usize {
                $tag
            }
            fn is_etm(&self) -> bool {
                $etm
            }
            fn instance(&self, key: &[u8]) -> Option<Box<dyn Mac>> {
                let state = <Hmac<$hash> as KeyInit>::new_from_slice(key).ok()?;
                Some(Box::new(Keyed::<$hash> {
                    state,
                    tag_len: $tag,
                }))
            }
        }
    };
}

hmac_alg!(HmacSha256, "hmac-sha2-256", sha2::Sha256, 32, 32, false);
hmac_alg!(HmacSha512, "hmac-sha2-512", sha2::Sha512, 64, 64, false);
hmac_alg!(HmacSha1, "hmac-sha1", sha1::Sha1, 20, 20, false);
hmac_alg!(
    HmacSha256Etm,
    "hmac-sha2-256-etm@openssh.com",
    sha2::Sha256,
    32,
    32,
    true
);
hmac_alg!(
    HmacSha512Etm,
    "hmac-sha2-512-etm@openssh.com",
    sha2::Sha512,
    64,
    64,
    true
);
hmac_alg!(
    HmacSha1Etm,
    "hmac-sha1-etm@openssh.com",
    sha1::Sha1,
    20,
    20,
    true
);
hmac_alg!(
    HmacSha256_96,
    "hmac-sha2-256-96",
    sha2::Sha256,
    32,
    12,
    false
);
hmac_alg!(
    HmacSha512_96,
    "hmac-sha2-512-96",
    sha2::Sha512,
    64,
    12,
    false
);
hmac_alg!(HmacSha1_96, "hmac-sha1-96", sha1::Sha1, 20, 12, false);
hmac_alg!(HmacMd5, "hmac-md5", md5::Md5, 16, 16, false);
hmac_alg!(HmacMd5_96, "hmac-md5-96", md5::Md5, 16, 12, false);
