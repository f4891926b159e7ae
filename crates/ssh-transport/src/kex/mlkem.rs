//! `mlkem768x25519-sha256` (draft-ietf-sshm-mlkem-hybrid-kex; OpenSSH 9.9): ML-KEM-768
//! (FIPS 203, RustCrypto `ml-kem`) combined with X25519, hashed with SHA-256.

use ml_kem::{Decapsulate, DecapsulationKey768, EncapsulationKey768, KeyExport, TryKeyInit};
use zeroize::Zeroizing;

use super::hybrid::{Hybrid, HybridKem, server_agree};
use super::{Ephemeral, HashAlg, KexAlgorithm, KexFlavor, SharedSecret, random};
use crate::error::KexError;

/// `mlkem768x25519-sha256`.
#[derive(Clone, Copy, Debug)]
pub struct MlKem768X25519Sha256;

pub(crate) struct MlKem768(DecapsulationKey768);

impl HybridKem for MlKem768 {
    const PUBLIC_LEN: usize = 1184;
    const CIPHERTEXT_LEN: usize = 1088;
    const METHOD: &'static str = "mlkem768x25519-sha256";
    const HASH: HashAlg = HashAlg::Sha256;

    fn generate() -> Result<(Self, Vec<u8>), KexError> {
        let mut seed = Zeroizing::new([0u8; 64]);
        random(seed.as_mut())?;
        let dk = DecapsulationKey768::from_seed((*seed).into());
        let public = dk.encapsulation_key().to_bytes().to_vec();
        Ok((Self(dk), public))
    }

    fn decapsulate(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, KexError> {
        let ss = self
            .0
            .decapsulate_slice(ciphertext)
            .map_err(|_| KexError::BadPeerPublicKey {
                method: Self::METHOD,
                reason: "ML-KEM ciphertext of the wrong length",
            })?;
        Ok(Zeroizing::new(ss.to_vec()))
    }

    fn encapsulate(public: &[u8]) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), KexError> {
        let ek = EncapsulationKey768::new_from_slice(public).map_err(|_| {
            KexError::BadPeerPublicKey {
                method: Self::METHOD,
                reason: "invalid ML-KEM encapsulation key",
            }
        })?;
        let mut m = Zeroizing::new([0u8; 32]);
        random(m.as_mut())?;
        let (ct, ss) = ek.encapsulate_deterministic(&(*m).into());
        Ok((ct.to_vec(), Zeroizing::new(ss.to_vec())))
    }
}

impl KexAlgorithm for MlKem768X25519Sha256 {
    fn name(&self) -> &'static str {
        MlKem768::METHOD
    }
    fn hash(&self) -> HashAlg {
        HashAlg::Sha256
    }
    fn flavor(&self) -> KexFlavor {
        KexFlavor::Ecdh
    }
    fn client_ephemeral(
        &self,
        _group: Option<&super::DhGroup>,
    ) -> Result<Box<dyn Ephemeral>, KexError> {
        Ok(Box::new(Hybrid::<MlKem768>::generate()?))
    }
    fn server_agree(
        &self,
        _group: Option<&super::DhGroup>,
        client_public: &[u8],
    ) -> Result<(Vec<u8>, SharedSecret), KexError> {
        server_agree::<MlKem768>(client_public)
    }
}
