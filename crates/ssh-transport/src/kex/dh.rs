//! Finite-field Diffie-Hellman: RFC 4253 §8 / RFC 8268 fixed groups and RFC 4419 group
//! exchange.
//!
//! Peer values are checked as OpenSSH `dh_pub_is_valid` does (ROBUSTNESS K3): 1 < f < p-1
//! and more than one bit set. Group-exchange groups must be within the requested size range
//! and have a generator in (1, p-1).
//!
//! The secret exponentiations (g^x mod p and f^x mod p) run in `crypto-bigint` Montgomery
//! form, constant-time in the exponent, with every secret value wrapped in [`Zeroizing`].
//! `num-bigint` only handles public values (group parameters and range checks).

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Odd};
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

    /// Montgomery parameters for p. p is public, so the variable-time setup is fine; the
    /// exponentiations that follow are constant-time in the (secret) exponent.
    fn monty_params(&self) -> Result<BoxedMontyParams, KexError> {
        let bits = u32::try_from(self.p.bits()).map_err(|_| KexError::BadGroup {
            reason: "modulus too large",
        })?;
        let p = BoxedUint::from_be_slice(&self.p.to_bytes_be(), bits).map_err(|_| {
            KexError::BadGroup {
                reason: "modulus does not fit its own size",
            }
        })?;
        let p = Option::<Odd<BoxedUint>>::from(Odd::new(p)).ok_or(KexError::BadGroup {
            reason: "modulus is even",
        })?;
        Ok(BoxedMontyParams::new_vartime(p))
    }

    fn generate(&self, exponent_bits: usize, method: &'static str) -> Result<DhEph, KexError> {
        let params = self.monty_params()?;
        let mut raw = Zeroizing::new(vec![0u8; exponent_bits.div_ceil(8)]);
        random(&mut raw)?;
        // Set the top bit so the exponent has the intended size, and keep it nonzero.
        if let Some(top) = raw.first_mut() {
            *top |= 0x80;
        }
        let x_bits =
            u32::try_from(raw.len().saturating_mul(8)).map_err(|_| KexError::BadGroup {
                reason: "exponent too large",
            })?;
        let x = Zeroizing::new(BoxedUint::from_be_slice(&raw, x_bits).map_err(|_| {
            KexError::BadGroup {
                reason: "exponent does not fit its own size",
            }
        })?);
        let g = to_monty(&self.g, &params)?;
        // e = g^x mod p is public; only the exponent is secret.
        let e = g.pow(&x).retrieve();
        Ok(DhEph {
            group: self.clone(),
            params,
            x,
            public: BigUint::from_bytes_be(&e.to_be_bytes()).to_bytes_be(),
            method,
        })
    }
}

/// `value` (already checked to be below p) in Montgomery form for `params`.
fn to_monty(value: &BigUint, params: &BoxedMontyParams) -> Result<BoxedMontyForm, KexError> {
    let v =
        BoxedUint::from_be_slice(&value.to_bytes_be(), params.bits_precision()).map_err(|_| {
            KexError::BadGroup {
                reason: "value wider than the modulus",
            }
        })?;
    Ok(BoxedMontyForm::new(v, params))
}

/// One side's DH key pair. The exponent x lives only as a zeroizing `crypto-bigint` value
/// (wiped on drop, used only in constant-time exponentiation); it exists for one exchange.
struct DhEph {
    group: DhGroup,
    params: BoxedMontyParams,
    x: Zeroizing<BoxedUint>,
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
        let base = to_monty(&y, &self.params)?;
        let k_monty = Zeroizing::new(base.pow(&self.x));
        let k = Zeroizing::new(k_monty.retrieve());
        let k_bytes = Zeroizing::new(k.to_be_bytes());
        // The mpint encoding drops the leading zero bytes (RFC 4251 §5).
        Ok(SharedSecret::from_mpint_magnitude(&k_bytes))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The constant-time path must agree with a plain `num-bigint` reference, for the fixed
    /// groups and for an arbitrary odd modulus whose size is not a whole number of limbs
    /// (group exchange may hand us any odd p).
    #[test]
    fn montgomery_matches_reference_for_any_odd_modulus() {
        let g14 = DhGroup::fixed(GROUP14_P).unwrap();
        // 2051 bits, odd: not a multiple of the 64-bit limb size.
        let odd = DhGroup {
            p: (&g14.p << 3u32) | BigUint::from(1u32),
            g: BigUint::from(5u32),
        };
        assert_eq!(odd.bits(), 2051);
        for group in [DhGroup::fixed(GROUP1_P).unwrap(), g14, odd] {
            let a = group.generate(512, "test").unwrap();
            let b = group.generate(1024, "test").unwrap();
            let xa = BigUint::from_bytes_be(&a.x.to_be_bytes());
            let xb = BigUint::from_bytes_be(&b.x.to_be_bytes());
            assert_eq!(xa.bits(), 512);
            assert_eq!(xb.bits(), 1024);
            assert_eq!(a.public, group.g.modpow(&xa, &group.p).to_bytes_be());
            assert_eq!(b.public, group.g.modpow(&xb, &group.p).to_bytes_be());
            let expected = BigUint::from_bytes_be(&b.public)
                .modpow(&xa, &group.p)
                .to_bytes_be();
            let (a_pub, b_pub) = (a.public.clone(), b.public.clone());
            let ka = Box::new(a).agree(&b_pub).unwrap();
            let kb = Box::new(b).agree(&a_pub).unwrap();
            assert_eq!(ka.encoded(), kb.encoded());
            assert_eq!(
                ka.encoded(),
                SharedSecret::from_mpint_magnitude(&expected).encoded()
            );
        }
    }

    #[test]
    fn even_modulus_is_refused() {
        let group = DhGroup {
            p: BigUint::from(1u32) << 2048u32,
            g: BigUint::from(2u32),
        };
        assert!(matches!(
            group.generate(512, "test"),
            Err(KexError::BadGroup { .. })
        ));
    }
}
