//! Shared shape of the post-quantum hybrids (OpenSSH PROTOCOL, draft-ietf-sshm-mlkem-hybrid-kex,
//! draft-josefsson-ntruprime-ssh): `Q_C = kem_public || x25519_public`,
//! `Q_S = kem_ciphertext || x25519_public`, and
//! `K = string HASH(kem_shared_secret || x25519_shared_secret)`.

use zeroize::Zeroizing;

use super::curve25519::X25519;
use super::{HashAlg, SharedSecret};
use crate::error::KexError;

/// A KEM as the hybrids use it.
pub(crate) trait HybridKem: Send {
    /// Encapsulation key length.
    const PUBLIC_LEN: usize;
    /// Ciphertext length.
    const CIPHERTEXT_LEN: usize;
    /// The method name, for errors.
    const METHOD: &'static str;
    /// The hash combining the two secrets.
    const HASH: HashAlg;
    /// Generates a key pair; returns it and its encapsulation key bytes.
    fn generate() -> Result<(Self, Vec<u8>), KexError>
    where
        Self: Sized;
    /// Decapsulates (the ciphertext length is already checked).
    fn decapsulate(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, KexError>;
    /// Server side: encapsulates to `public`; returns (ciphertext, shared secret).
    fn encapsulate(public: &[u8]) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), KexError>;
}

/// The client's half of a hybrid exchange.
pub(crate) struct Hybrid<K: HybridKem> {
    kem: K,
    x25519: X25519,
    public: Vec<u8>,
}

impl<K: HybridKem> Hybrid<K> {
    pub(crate) fn generate() -> Result<Self, KexError> {
        let (kem, mut public) = K::generate()?;
        let x25519 = X25519::generate()?;
        public.extend_from_slice(super::Ephemeral::public(&x25519));
        Ok(Self {
            kem,
            x25519,
            public,
        })
    }
}

fn combine(hash: HashAlg, kem_ss: &[u8], ecdh_ss: &[u8]) -> SharedSecret {
    let k = Zeroizing::new(hash.digest(&[kem_ss, ecdh_ss]));
    SharedSecret::from_string(&k)
}

fn bad(method: &'static str, reason: &'static str) -> KexError {
    KexError::BadPeerPublicKey { method, reason }
}

impl<K: HybridKem> super::Ephemeral for Hybrid<K> {
    fn public(&self) -> &[u8] {
        &self.public
    }

    fn agree(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, KexError> {
        // ROBUSTNESS K5: the reply must be exactly ciphertext || 32-byte X25519 key.
        if peer.len() != K::CIPHERTEXT_LEN.saturating_add(32) {
            return Err(bad(K::METHOD, "reply is not ciphertext || X25519 key"));
        }
        let (ct, x) = peer.split_at(K::CIPHERTEXT_LEN);
        let kem_ss = self.kem.decapsulate(ct)?;
        let ecdh_ss = self.x25519.agree_raw(x)?;
        Ok(combine(K::HASH, &kem_ss, ecdh_ss.as_ref()))
    }
}

/// Server side of a hybrid exchange (in-memory test peer).
pub(crate) fn server_agree<K: HybridKem>(
    client_public: &[u8],
) -> Result<(Vec<u8>, SharedSecret), KexError> {
    if client_public.len() != K::PUBLIC_LEN.saturating_add(32) {
        return Err(bad(K::METHOD, "client value is not KEM key || X25519 key"));
    }
    let (pk, x) = client_public.split_at(K::PUBLIC_LEN);
    let (mut reply, kem_ss) = K::encapsulate(pk)?;
    let eph = X25519::generate()?;
    let ecdh_ss = eph.agree_raw(x)?;
    reply.extend_from_slice(super::Ephemeral::public(&eph));
    Ok((reply, combine(K::HASH, &kem_ss, ecdh_ss.as_ref())))
}
