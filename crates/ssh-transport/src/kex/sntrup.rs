//! `sntrup761x25519-sha512` and its original name `sntrup761x25519-sha512@openssh.com`
//! (draft-josefsson-ntruprime-ssh; OpenSSH 9.0+ default): Streamlined NTRU Prime 761
//! (`sntrup761` crate) combined with X25519, hashed with SHA-512.

use zeroize::Zeroizing;

use super::hybrid::{Hybrid, HybridKem, server_agree};
use super::{Ephemeral, HashAlg, KexAlgorithm, KexFlavor, SharedSecret, random};
use crate::error::KexError;

/// `sntrup761x25519-sha512`.
#[derive(Clone, Copy, Debug)]
pub struct Sntrup761X25519Sha512;

/// `sntrup761x25519-sha512@openssh.com`, identical to [`Sntrup761X25519Sha512`].
#[derive(Clone, Copy, Debug)]
pub struct Sntrup761X25519Sha512Openssh;

pub(crate) struct Sntrup761(sntrup761::DecapsulationKey);

impl HybridKem for Sntrup761 {
    const PUBLIC_LEN: usize = sntrup761::PUBLIC_KEY_SIZE;
    const CIPHERTEXT_LEN: usize = sntrup761::CIPHERTEXT_SIZE;
    const METHOD: &'static str = "sntrup761x25519-sha512";
    const HASH: HashAlg = HashAlg::Sha512;

    fn generate() -> Result<(Self, Vec<u8>), KexError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        random(seed.as_mut())?;
        let (pk, sk) = sntrup761::generate_key_from_seed(*seed);
        Ok((Self(sk), pk.as_ref().to_vec()))
    }

    fn decapsulate(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, KexError> {
        let ct = sntrup761::Ciphertext::try_from(ciphertext).map_err(|_| {
            KexError::BadPeerPublicKey {
                method: Self::METHOD,
                reason: "sntrup761 ciphertext of the wrong length",
            }
        })?;
        let ss = self.0.decapsulate(&ct);
        Ok(Zeroizing::new(ss.as_ref().to_vec()))
    }

    fn encapsulate(public: &[u8]) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), KexError> {
        let pk = sntrup761::EncapsulationKey::try_from(public).map_err(|_| {
            KexError::BadPeerPublicKey {
                method: Self::METHOD,
                reason: "sntrup761 public key of the wrong length",
            }
        })?;
        let mut seed = Zeroizing::new([0u8; 32]);
        random(seed.as_mut())?;
        let (ct, ss) = pk.encapsulate_deterministic(*seed);
        Ok((ct.as_ref().to_vec(), Zeroizing::new(ss.as_ref().to_vec())))
    }
}

macro_rules! sntrup_impl {
    ($ty:ident, $name:literal) => {
        impl KexAlgorithm for $ty {
            fn name(&self) -> &'static str {
                $name
            }
            fn hash(&self) -> HashAlg {
                HashAlg::Sha512
            }
            fn flavor(&self) -> KexFlavor {
                KexFlavor::Ecdh
            }
            fn client_ephemeral(
                &self,
                _group: Option<&super::DhGroup>,
            ) -> Result<Box<dyn Ephemeral>, KexError> {
                Ok(Box::new(Hybrid::<Sntrup761>::generate()?))
            }
            fn server_agree(
                &self,
                _group: Option<&super::DhGroup>,
                client_public: &[u8],
            ) -> Result<(Vec<u8>, SharedSecret), KexError> {
                server_agree::<Sntrup761>(client_public)
            }
        }
    };
}

sntrup_impl!(Sntrup761X25519Sha512, "sntrup761x25519-sha512");
sntrup_impl!(
    Sntrup761X25519Sha512Openssh,
    "sntrup761x25519-sha512@openssh.com"
);
