//! RFC 8731: curve25519-sha256 and its pre-standard alias curve25519-sha256@libssh.org.

use x25519_dalek::{PublicKey, StaticSecret};

use super::{Ephemeral, HashAlg, KexAlgorithm, KexFlavor, SharedSecret, random};
use crate::error::KexError;

/// RFC 8731 `curve25519-sha256`.
#[derive(Clone, Copy, Debug)]
pub struct Curve25519Sha256;

/// `curve25519-sha256@libssh.org`, identical to [`Curve25519Sha256`].
#[derive(Clone, Copy, Debug)]
pub struct Curve25519Sha256Libssh;

pub(crate) struct X25519 {
    secret: StaticSecret,
    public: [u8; 32],
}

impl X25519 {
    pub(crate) fn generate() -> Result<Self, KexError> {
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        random(seed.as_mut())?;
        let secret = StaticSecret::from(*seed);
        let public = PublicKey::from(&secret).to_bytes();
        Ok(Self { secret, public })
    }

    /// RFC 8731 §3: the peer value must be exactly 32 bytes, and an all-zero result (a
    /// low-order peer point) must abort (checked in constant time by `was_contributory`).
    pub(crate) fn agree_raw(&self, peer: &[u8]) -> Result<zeroize::Zeroizing<[u8; 32]>, KexError> {
        let peer = <[u8; 32]>::try_from(peer).map_err(|_| KexError::BadPeerPublicKey {
            method: "curve25519",
            reason: "public value is not 32 bytes",
        })?;
        let shared = self.secret.diffie_hellman(&PublicKey::from(peer));
        if !shared.was_contributory() {
            return Err(KexError::BadPeerPublicKey {
                method: "curve25519",
                reason: "low-order point (all-zero shared secret)",
            });
        }
        Ok(zeroize::Zeroizing::new(shared.to_bytes()))
    }
}

impl Ephemeral for X25519 {
    fn public(&self) -> &[u8] {
        &self.public
    }
    fn agree(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, KexError> {
        let k = self.agree_raw(peer)?;
        // RFC 8731 §3.1: the 32 bytes are read as an unsigned big-endian integer.
        Ok(SharedSecret::from_mpint_magnitude(k.as_ref()))
    }
}

fn server_agree(client_public: &[u8]) -> Result<(Vec<u8>, SharedSecret), KexError> {
    let eph = X25519::generate()?;
    let public = eph.public.to_vec();
    let k = Box::new(eph).agree(client_public)?;
    Ok((public, k))
}

macro_rules! curve_impl {
    ($ty:ident, $name:literal) => {
        impl KexAlgorithm for $ty {
            fn name(&self) -> &'static str {
                $name
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
                Ok(Box::new(X25519::generate()?))
            }
            fn server_agree(
                &self,
                _group: Option<&super::DhGroup>,
                client_public: &[u8],
            ) -> Result<(Vec<u8>, SharedSecret), KexError> {
                server_agree(client_public)
            }
        }
    };
}

curve_impl!(Curve25519Sha256, "curve25519-sha256");
curve_impl!(Curve25519Sha256Libssh, "curve25519-sha256@libssh.org");
