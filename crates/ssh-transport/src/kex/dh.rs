//! Finite-field Diffie-Hellman: RFC 4253 §8 / RFC 8268 fixed groups and RFC 4419 group
//! exchange.
//!
//! Peer values are checked as OpenSSH `dh_pub_is_valid` does (ROBUSTNESS K3): 1 < f < p-1
//! and more than one bit set. Group-exchange groups must be within the requested size range
//! and have a generator in (1, p-1).

use num_bigint::BigUint;
use zeroize::Zeroizing;

use super::groups::{GROUP1_P, GROUP14_P, GROUP16_P, GROUP18_P};
use super::{Ephemeral, HashAlg, KexAlgorithm, KexFlavor, SharedSecret, random};
use crate::error::KexError;

/// Smallest group we accept from group exchange: RFC 8270 raised the floor to 2048 bits.
pub const GEX_MIN_BITS: u32 = 2048;
/// Largest group we ask for: 8192 bits, as OpenSSH (`DH_GRP_MAX`).
pub const GEX_MAX_BITS: u32 = 8192;

/// A Diffie-Hellman group (p, g).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DhGroup {
    /// The prime modulus.
    pub p: BigUint,
    /// The generator.
    pub g: BigUint,
}

impl DhGroup {
    fn fixed(hex: &str) -> Option<Self> {
        Some(Self {
            p: BigUint::parse_bytes(hex.as_bytes(), 16)?,
            g: BigUint::from(2u32),
        })
    }

    /// Size of p in bits.
    pub fn bits(&self) -> u64 {
        self.p.bits()
    }

    /// RFC 4419 §3 checks of a server-chosen group against our request (ROBUSTNESS K3):
    /// size within `[min, max]`, p odd, 1 < g < p-1.
    pub fn validate_gex(&self, min: u32, max: u32) -> Result<(), KexError> {
        let bits = self.bits();
        if bits < u64::from(min) || bits > u64::from(max) {
            return Err(KexError::BadGroup {
                reason: "prime size outside the requested range",
            });
        }
        if !self.p.bit(0) {
            return Err(KexError::BadGroup {
                reason: "modulus is even",
            });
        }
        let one = BigUint::from(1u32);
        let p_minus_1 = &self.p - &one;
        if self.g <= one || self.g >= p_minus_1 {
            return Err(KexError::BadGroup {
                reason: "generator outside (1, p-1)",
            });
        }
        Ok(())
    }

    /// OpenSSH `dh_pub_is_valid`: 1 < y < p-1 and at least two bits set.
    fn check_public(&self, y: &BigUint, method: &'static str) -> Result<(), KexError> {
        let one = BigUint::from(1u32);
        let p_minus_1 = &self.p - &one;
        if *y <= one || *y >= p_minus_1 || y.count_ones() < 2 {
            return Err(KexError::BadPeerPublicKey {
                method,
                reason: "public value outside (1, p-1)",
            });
        }
        Ok(())
    }

    fn generate(&self, exponent_bits: usize, method: &'static str) -> Result<DhEph, KexError> {
        let mut raw = Zeroizing::new(vec![0u8; exponent_bits.div_ceil(8)]);
        random(&mut raw)?;
        // Set the top bit so the exponent has the intended size, and keep it nonzero.
        if let Some(top) = raw.first_mut() {
            *top |= 0x80;
        }
        let x = BigUint::from_bytes_be(&raw);
        let e = self.g.modpow(&x, &self.p);
        Ok(DhEph {
            group: self.clone(),
            x,
            public: e.to_bytes_be(),
            method,
        })
    }
}

/// One side's DH key pair. The exponent is not zeroized by `num-bigint`; it lives only for
/// one exchange.
struct DhEph {
    group: DhGroup,
    x: BigUint,
    public: Vec<u8>,
    method: &'static str,
}

impl Ephemeral for DhEph {
    fn public(&self) -> &[u8] {
        &self.public
    }
    fn agree(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, KexError> {
        let y = BigUint::from_bytes_be(peer);
        self.group.check_public(&y, self.method)?;
        let k = Zeroizing::new(y.modpow(&self.x, &self.group.p).to_bytes_be());
        Ok(SharedSecret::from_mpint_magnitude(&k))
    }
}

/// Exponent size: twice the security level the hash offers (as OpenSSH sizes it).
fn exponent_bits(hash: HashAlg) -> usize {
    match hash {
        HashAlg::Sha1 | HashAlg::Sha256 => 512,
        HashAlg::Sha384 | HashAlg::Sha512 => 1024,
    }
}

fn server_agree(
    group: &DhGroup,
    hash: HashAlg,
    method: &'static str,
    client_public: &[u8],
) -> Result<(Vec<u8>, SharedSecret), KexError> {
    let eph = group.generate(exponent_bits(hash), method)?;
    let public = eph.public.clone();
    let k = Box::new(eph).agree(client_public)?;
    Ok((public, k))
}

macro_rules! fixed_group {
    ($ty:ident, $name:literal, $prime:ident, $hash:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Clone, Copy, Debug)]
        pub struct $ty;

        impl KexAlgorithm for $ty {
            fn name(&self) -> &'static str {
                $name
            }
            fn hash(&self) -> HashAlg {
                $hash
            }
            fn flavor(&self) -> KexFlavor {
                KexFlavor::Dh
            }
            fn group(&self) -> Option<DhGroup> {
                DhGroup::fixed($prime)
            }
            fn client_ephemeral(
                &self,
                _group: Option<&DhGroup>,
            ) -> Result<Box<dyn Ephemeral>, KexError> {
                let group = self.group().ok_or(KexError::BadGroup {
                    reason: "built-in prime failed to parse",
                })?;
                Ok(Box::new(group.generate(exponent_bits($hash), $name)?))
            }
            fn server_agree(
                &self,
                _group: Option<&DhGroup>,
                client_public: &[u8],
            ) -> Result<(Vec<u8>, SharedSecret), KexError> {
                let group = self.group().ok_or(KexError::BadGroup {
                    reason: "built-in prime failed to parse",
                })?;
                server_agree(&group, $hash, $name, client_public)
            }
        }
    };
}

fixed_group!(
    DhGroup1Sha1,
    "diffie-hellman-group1-sha1",
    GROUP1_P,
    HashAlg::Sha1,
    "RFC 4253 §8.1 `diffie-hellman-group1-sha1` (1024-bit; legacy)."
);
fixed_group!(
    DhGroup14Sha1,
    "diffie-hellman-group14-sha1",
    GROUP14_P,
    HashAlg::Sha1,
    "RFC 4253 §8.2 `diffie-hellman-group14-sha1`."
);
fixed_group!(
    DhGroup14Sha256,
    "diffie-hellman-group14-sha256",
    GROUP14_P,
    HashAlg::Sha256,
    "RFC 8268 `diffie-hellman-group14-sha256`."
);
fixed_group!(
    DhGroup16Sha512,
    "diffie-hellman-group16-sha512",
    GROUP16_P,
    HashAlg::Sha512,
    "RFC 8268 `diffie-hellman-group16-sha512`."
);
fixed_group!(
    DhGroup18Sha512,
    "diffie-hellman-group18-sha512",
    GROUP18_P,
    HashAlg::Sha512,
    "RFC 8268 `diffie-hellman-group18-sha512`."
);

macro_rules! gex {
    ($ty:ident, $name:literal, $hash:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Clone, Copy, Debug)]
        pub struct $ty;

        impl KexAlgorithm for $ty {
            fn name(&self) -> &'static str {
                $name
            }
            fn hash(&self) -> HashAlg {
                $hash
            }
            fn flavor(&self) -> KexFlavor {
                KexFlavor::GroupExchange
            }
            fn client_ephemeral(
                &self,
                group: Option<&DhGroup>,
            ) -> Result<Box<dyn Ephemeral>, KexError> {
                let group = group.ok_or(KexError::BadGroup {
                    reason: "no group negotiated",
                })?;
                Ok(Box::new(group.generate(exponent_bits($hash), $name)?))
            }
            fn server_agree(
                &self,
                group: Option<&DhGroup>,
                client_public: &[u8],
            ) -> Result<(Vec<u8>, SharedSecret), KexError> {
                let group = group.ok_or(KexError::BadGroup {
                    reason: "no group negotiated",
                })?;
                server_agree(group, $hash, $name, client_public)
            }
        }
    };
}

gex!(
    DhGroupExchangeSha256,
    "diffie-hellman-group-exchange-sha256",
    HashAlg::Sha256,
    "RFC 4419 `diffie-hellman-group-exchange-sha256`."
);
gex!(
    DhGroupExchangeSha1,
    "diffie-hellman-group-exchange-sha1",
    HashAlg::Sha1,
    "RFC 4419 `diffie-hellman-group-exchange-sha1` (legacy)."
);

/// A built-in group of at least `bits` bits, for the in-memory server's group exchange.
pub(crate) fn builtin_group_for(bits: u32) -> Option<DhGroup> {
    let hex = match bits {
        0..=2048 => GROUP14_P,
        2049..=4096 => GROUP16_P,
        _ => GROUP18_P,
    };
    DhGroup::fixed(hex)
}
