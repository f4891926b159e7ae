//! RFC 5656 §4: ecdh-sha2-nistp256, ecdh-sha2-nistp384, ecdh-sha2-nistp521.
//!
//! Q_C/Q_S are SEC1 uncompressed points (RFC 5656 §3.1 requires uncompressed unless the
//! compression extension is negotiated, which we never do). `from_sec1_bytes` checks the
//! point is on the curve and not the identity (ROBUSTNESS K5).

use super::{Ephemeral, HashAlg, KexAlgorithm, KexFlavor, SharedSecret, random};
use crate::error::KexError;

/// RFC 5656 `ecdh-sha2-nistp256`.
#[derive(Clone, Copy, Debug)]
pub struct EcdhNistp256;
/// RFC 5656 `ecdh-sha2-nistp384`.
#[derive(Clone, Copy, Debug)]
pub struct EcdhNistp384;
/// RFC 5656 `ecdh-sha2-nistp521`.
#[derive(Clone, Copy, Debug)]
pub struct EcdhNistp521;

macro_rules! nist_impl {
    ($ty:ident, $eph:ident, $curve:ident, $name:literal, $hash:expr, $field:expr) => {
        struct $eph {
            secret: $curve::SecretKey,
            public: Vec<u8>,
        }

        impl $eph {
            fn generate() -> Result<Self, KexError> {
                use $curve::elliptic_curve::sec1::ToSec1Point;
                // Rejection-sample a scalar in [1, n-1] from the OS CSPRNG.
                for _ in 0..64 {
                    let mut raw = zeroize::Zeroizing::new([0u8; $field]);
                    random(raw.as_mut())?;
                    // P-521 scalars have 521 bits: clear the 7 surplus top bits so almost
                    // every draw is below the group order.
                    if $field == 66 {
                        if let Some(top) = raw.first_mut() {
                            *top &= 0x01;
                        }
                    }
                    if let Ok(secret) = $curve::SecretKey::from_slice(raw.as_ref()) {
                        let public = secret.public_key().to_sec1_point(false).as_bytes().to_vec();
                        return Ok(Self { secret, public });
                    }
                }
                Err(KexError::Rng)
            }

            fn agree_raw(&self, peer: &[u8]) -> Result<SharedSecret, KexError> {
                let bad = |reason| KexError::BadPeerPublicKey {
                    method: $name,
                    reason,
                };
                if peer.len() != 2 * $field + 1 || peer.first() != Some(&0x04) {
                    return Err(bad("not an uncompressed point of the right length"));
                }
                let point = $curve::PublicKey::from_sec1_bytes(peer)
                    .map_err(|_| bad("point not on the curve or at infinity"))?;
                let shared = $curve::ecdh::diffie_hellman(
                    self.secret.to_nonzero_scalar(),
                    point.as_affine(),
                );
                Ok(SharedSecret::from_mpint_magnitude(
                    shared.raw_secret_bytes().as_slice(),
                ))
            }
        }

        impl Ephemeral for $eph {
            fn public(&self) -> &[u8] {
                &self.public
            }
            fn agree(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, KexError> {
                self.agree_raw(peer)
            }
        }

        impl KexAlgorithm for $ty {
            fn name(&self) -> &'static str {
                $name
            }
            fn hash(&self) -> HashAlg {
                $hash
            }
            fn flavor(&self) -> KexFlavor {
                KexFlavor::Ecdh
            }
            fn client_ephemeral(
                &self,
                _group: Option<&super::DhGroup>,
            ) -> Result<Box<dyn Ephemeral>, KexError> {
                Ok(Box::new($eph::generate()?))
            }
            fn server_agree(
                &self,
                _group: Option<&super::DhGroup>,
                client_public: &[u8],
            ) -> Result<(Vec<u8>, SharedSecret), KexError> {
                let eph = $eph::generate()?;
                let k = eph.agree_raw(client_public)?;
                Ok((eph.public, k))
            }
        }
    };
}

nist_impl!(
    EcdhNistp256,
    P256Eph,
    p256,
    "ecdh-sha2-nistp256",
    HashAlg::Sha256,
    32
);
nist_impl!(
    EcdhNistp384,
    P384Eph,
    p384,
    "ecdh-sha2-nistp384",
    HashAlg::Sha384,
    48
);
nist_impl!(
    EcdhNistp521,
    P521Eph,
    p521,
    "ecdh-sha2-nistp521",
    HashAlg::Sha512,
    66
);
