//! Private keys: generation, signing, and building from file components.

use std::fmt;

use rand_core::CryptoRng;
use rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _};
use zeroize::Zeroizing;

use crate::alg::{EcCurve, KeyKind, RSA_SHA2_256, RSA_SHA2_512, SSH_DSS, SSH_ED25519, SSH_RSA};
use crate::public::{KeyData, MAX_RSA_BITS, PublicKey};
use crate::sig::{self, SignatureBlob, uint};
use crate::{HashAlg, KeyError};

/// Signs with an ECDSA key using RFC 6979 deterministic nonces and encodes `mpint r, mpint s`.
macro_rules! ecdsa_sign {
    ($key:expr, $curve:ident, $data:expr, $failed:expr) => {{
        use signature::Signer;
        let sig: Result<$curve::ecdsa::Signature, _> = $key.try_sign($data);
        match sig {
            Ok(sig) => {
                let (r, s) = sig.split_bytes();
                Ok(sig::ecdsa_inner(&r, &s))
            }
            Err(_) => Err($failed("ECDSA signing failed")),
        }
    }};
}

/// Smallest RSA key [`PrivateKey::generate`] makes; `ssh-keygen` refuses smaller too.
pub const MIN_RSA_GENERATE_BITS: u32 = 1024;

/// A private key with its public key and comment.
///
/// The secret material lives in the RustCrypto key types, which zeroize it on drop; `Debug`
/// prints only the type, fingerprint and comment.
pub struct PrivateKey {
    secret: Secret,
    public: PublicKey,
    comment: String,
}

/// The secret half, one variant per algorithm.
enum Secret {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    P521(p521::ecdsa::SigningKey),
    Rsa(Box<rsa::PrivateKey>),
    Dsa(Box<dsa::SigningKey>),
}

impl PrivateKey {
    /// Generates a new key of `kind` from `rng` (use [`getrandom::SysRng`] wrapped in
    /// [`rand_core::UnwrapErr`] for the operating system's generator).
    pub fn generate<R: CryptoRng + ?Sized>(
        kind: KeyKind,
        rng: &mut R,
    ) -> Result<PrivateKey, KeyError> {
        let secret = match kind {
            KeyKind::Ed25519 => Secret::Ed25519(ed25519_dalek::SigningKey::generate(rng)),
            KeyKind::EcdsaP256 => Secret::P256(rsa::Generate::generate_from_rng(rng)),
            KeyKind::EcdsaP384 => Secret::P384(rsa::Generate::generate_from_rng(rng)),
            KeyKind::EcdsaP521 => Secret::P521(rsa::Generate::generate_from_rng(rng)),
            KeyKind::Rsa { bits } => {
                if !(MIN_RSA_GENERATE_BITS..=MAX_RSA_BITS).contains(&bits) {
                    return Err(KeyError::Generation {
                        kind: SSH_RSA,
                        reason: "RSA size must be between 1024 and 16384 bits",
                    });
                }
                let key =
                    rsa::PrivateKey::new(rng, bits as usize).map_err(|_| KeyError::Generation {
                        kind: SSH_RSA,
                        reason: "RSA key generation failed",
                    })?;
                Secret::Rsa(Box::new(key))
            }
            KeyKind::Dsa => {
                #[allow(deprecated)] // ssh-dss is DSA 1024/160 by definition (RFC 4253 §6.6).
                let size = dsa::KeySize::DSA_1024_160;
                let Ok(components) =
                    dsa::Components::try_generate_from_rng_with_key_size(rng, size);
                let Ok(key) =
                    dsa::SigningKey::try_generate_from_rng_with_components(rng, components);
                Secret::Dsa(Box::new(key))
            }
        };
        let public = secret.public()?;
        Ok(PrivateKey {
            secret,
            public,
            comment: String::new(),
        })
    }

    /// The public key.
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    /// The public key, borrowed.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// The key type name (`ssh-ed25519` ...).
    pub fn key_type(&self) -> &'static str {
        self.public.key_type()
    }

    /// The comment stored with the key in its file (often `user@host`), or empty.
    pub fn comment(&self) -> &str {
        &self.comment
    }

    /// Replaces the comment.
    pub fn set_comment(&mut self, comment: impl Into<String>) {
        self.comment = comment.into();
    }

    /// An SSH signature blob (`string algorithm, string signature`) for `algorithm` over
    /// `data`. ECDSA and DSA use RFC 6979 deterministic nonces (never a biased random one:
    /// PuTTY CVE-2024-31497); RSA uses PKCS#1 v1.5 with the hash the algorithm names.
    pub fn sign(&self, algorithm: &str, data: &[u8]) -> Result<Vec<u8>, KeyError> {
        let Some(&alg) = self
            .public
            .signature_algorithms()
            .iter()
            .find(|&&name| name == algorithm)
        else {
            return Err(KeyError::algorithm_mismatch(algorithm, self.key_type()));
        };
        let failed = |reason| KeyError::Signing {
            algorithm: alg,
            reason,
        };
        let inner: Vec<u8> = match &self.secret {
            Secret::Ed25519(k) => {
                use signature::Signer;
                k.sign(data).to_bytes().to_vec()
            }
            Secret::P256(k) => ecdsa_sign!(k, p256, data, failed)?,
            Secret::P384(k) => ecdsa_sign!(k, p384, data, failed)?,
            Secret::P521(k) => ecdsa_sign!(k, p521, data, failed)?,
            Secret::Rsa(k) => {
                let result = match alg {
                    RSA_SHA2_512 => k.pkcs1v15_sign::<sha2::Sha512>(data),
                    RSA_SHA2_256 => k.pkcs1v15_sign::<sha2::Sha256>(data),
                    _ => k.pkcs1v15_sign::<sha1::Sha1>(data),
                };
                result.map_err(|_| failed("RSA private-key operation failed"))?
            }
            Secret::Dsa(k) => {
                use signature::DigestSigner;
                let sig = k
                    .try_sign_digest(|d: &mut sha1::Sha1| {
                        sha1::Digest::update(d, data);
                        Ok(())
                    })
                    .map_err(|_| failed("DSA signing failed"))?;
                // RFC 4253 §6.6: r and s as 20-byte unsigned big-endian integers.
                let mut out = left_pad(&sig.r().to_be_bytes_trimmed_vartime(), 20)
                    .ok_or(failed("DSA r too large"))?;
                out.extend(
                    left_pad(&sig.s().to_be_bytes_trimmed_vartime(), 20)
                        .ok_or(failed("DSA s too large"))?,
                );
                out
            }
        };
        Ok(SignatureBlob {
            algorithm: alg,
            signature: &inner,
        }
        .to_bytes())
    }

    /// An ed25519 key from its 32-byte seed; `public`, when given, must match.
    pub(crate) fn from_ed25519(seed: &[u8], public: Option<&[u8]>) -> Result<Self, KeyError> {
        let seed: Zeroizing<[u8; 32]> =
            Zeroizing::new(seed.try_into().map_err(|_| KeyError::InvalidKey {
                key_type: SSH_ED25519,
                reason: "private key is not 32 bytes",
            })?);
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        Self::checked(Secret::Ed25519(key), public)
    }

    /// An ECDSA key from its private scalar; `public` (SEC1 point), when given, must match.
    pub(crate) fn from_ecdsa(
        curve: EcCurve,
        scalar: &[u8],
        public: Option<&[u8]>,
    ) -> Result<Self, KeyError> {
        let invalid = KeyError::InvalidKey {
            key_type: curve.key_type(),
            reason: "private scalar is zero or not below the group order",
        };
        let padded = Zeroizing::new(left_pad(scalar, curve.field_len()).ok_or(
            KeyError::InvalidKey {
                key_type: curve.key_type(),
                reason: "private scalar longer than the curve order",
            },
        )?);
        let secret = match curve {
            EcCurve::P256 => {
                Secret::P256(p256::ecdsa::SigningKey::from_slice(&padded).map_err(|_| invalid)?)
            }
            EcCurve::P384 => {
                Secret::P384(p384::ecdsa::SigningKey::from_slice(&padded).map_err(|_| invalid)?)
            }
            EcCurve::P521 => {
                Secret::P521(p521::ecdsa::SigningKey::from_slice(&padded).map_err(|_| invalid)?)
            }
        };
        Self::checked(secret, public)
    }

    /// An RSA key from n, e, d and the primes p, q (iqmp is recomputed and not needed).
    pub(crate) fn from_rsa(
        n: &[u8],
        e: &[u8],
        d: &[u8],
        p: &[u8],
        q: &[u8],
    ) -> Result<Self, KeyError> {
        if crate::public::magnitude_bits(n) > MAX_RSA_BITS {
            return Err(KeyError::RsaKeyTooLarge {
                bits: crate::public::magnitude_bits(n),
                max: MAX_RSA_BITS,
            });
        }
        let key =
            rsa::PrivateKey::from_components(uint(n), uint(e), uint(d), vec![uint(p), uint(q)])
                .map_err(|_| KeyError::InvalidKey {
                    key_type: SSH_RSA,
                    reason: "RSA private components are inconsistent or out of range",
                })?;
        Self::checked(Secret::Rsa(Box::new(key)), None)
    }

    /// A DSA key from p, q, g, y and the private x.
    pub(crate) fn from_dsa(
        p: &[u8],
        q: &[u8],
        g: &[u8],
        y: &[u8],
        x: &[u8],
    ) -> Result<Self, KeyError> {
        let invalid = || KeyError::InvalidKey {
            key_type: SSH_DSS,
            reason: "DSA private components are inconsistent or out of range",
        };
        let vk = sig::dsa_public(p, q, g, y)?;
        let key = dsa::SigningKey::from_components(vk, uint(x)).map_err(|_| invalid())?;
        Self::checked(Secret::Dsa(Box::new(key)), None)
    }

    /// Wraps `secret`, deriving its public key and checking it against `expected` (a raw
    /// public value from the file) when present.
    fn checked(secret: Secret, expected: Option<&[u8]>) -> Result<Self, KeyError> {
        let public = secret.public()?;
        if let Some(expected) = expected {
            let derived = match &public.data {
                KeyData::Ed25519(k) => k.as_slice(),
                KeyData::Ecdsa { point, .. } => point.as_slice(),
                _ => expected,
            };
            if derived != expected {
                return Err(KeyError::InvalidKey {
                    key_type: public.key_type(),
                    reason: "the public key in the file does not match the private key",
                });
            }
        }
        Ok(PrivateKey {
            secret,
            public,
            comment: String::new(),
        })
    }

    /// Whether `public` (a plain key or a certificate over one, such as the seed's
    /// `SignedSSHCert`) belongs to this private key.
    pub fn matches_public(&self, public: &PublicKey) -> bool {
        &self.public == public.plain_key()
    }

    /// Checks that the private key matches a public key given separately (OpenSSH files
    /// carry both).
    pub(crate) fn check_public(&self, public: &PublicKey) -> Result<(), KeyError> {
        if &self.public == public.plain_key() {
            Ok(())
        } else {
            Err(KeyError::InvalidKey {
                key_type: public.key_type(),
                reason: "the public key in the file does not match the private key",
            })
        }
    }

    /// Appends the OpenSSH private-key fields of this key (PROTOCOL.key, sshkey_private_serialize):
    /// the key type name, the public fields and the private fields.
    pub(crate) fn encode_openssh(&self, w: &mut ssh_wire::Writer<'_>) {
        w.string(self.key_type().as_bytes());
        match (&self.secret, &self.public.data) {
            (Secret::Ed25519(k), KeyData::Ed25519(pk)) => {
                // string pk, string sk||pk (64 bytes, as in the NaCl secret key layout)
                let mut both = Zeroizing::new(Vec::with_capacity(64));
                both.extend_from_slice(k.as_bytes());
                both.extend_from_slice(pk);
                w.string(pk).string(&both);
            }
            (Secret::P256(k), KeyData::Ecdsa { curve, point }) => {
                let d = Zeroizing::new(k.to_bytes().to_vec());
                w.string(curve.identifier().as_bytes())
                    .string(point)
                    .mpint(&d);
            }
            (Secret::P384(k), KeyData::Ecdsa { curve, point }) => {
                let d = Zeroizing::new(k.to_bytes().to_vec());
                w.string(curve.identifier().as_bytes())
                    .string(point)
                    .mpint(&d);
            }
            (Secret::P521(k), KeyData::Ecdsa { curve, point }) => {
                let d = Zeroizing::new(k.to_bytes().to_vec());
                w.string(curve.identifier().as_bytes())
                    .string(point)
                    .mpint(&d);
            }
            (Secret::Rsa(k), _) => {
                let [n, e, d, iqmp, p, q] = self.rsa_components(k);
                w.mpint(&n)
                    .mpint(&e)
                    .mpint(&d)
                    .mpint(&iqmp)
                    .mpint(&p)
                    .mpint(&q);
            }
            (Secret::Dsa(k), KeyData::Dsa { p, q, g, y }) => {
                let x = Zeroizing::new(k.x().to_be_bytes_trimmed_vartime().to_vec());
                w.mpint(p).mpint(q).mpint(g).mpint(y).mpint(&x);
            }
            // Secret and public always come from the same constructor; unreachable in practice.
            _ => {}
        }
    }

    /// RSA n, e, d, iqmp (q^-1 mod p), p, q as big-endian magnitudes.
    fn rsa_components(&self, k: &rsa::PrivateKey) -> [Zeroizing<Vec<u8>>; 6] {
        let bytes = |v: &rsa::BoxedUint| Zeroizing::new(v.to_be_bytes_trimmed_vartime().to_vec());
        let primes = k.primes();
        let p = primes.first().map(|p| bytes(p)).unwrap_or_default();
        let q = primes.get(1).map(|q| bytes(q)).unwrap_or_default();
        let iqmp = k.crt_coefficient().map(|c| bytes(&c)).unwrap_or_default();
        [bytes(k.n()), bytes(k.e()), bytes(k.d()), iqmp, p, q]
    }

    /// The fingerprint of the public key.
    pub fn fingerprint(&self, hash: HashAlg) -> crate::Fingerprint {
        self.public.fingerprint(hash)
    }
}

impl Secret {
    /// Derives the public key.
    fn public(&self) -> Result<PublicKey, KeyError> {
        let data = match self {
            Secret::Ed25519(k) => KeyData::Ed25519(k.verifying_key().to_bytes()),
            Secret::P256(k) => KeyData::ecdsa(
                EcCurve::P256,
                &k.verifying_key().to_sec1_point(false).to_bytes(),
            )?,
            Secret::P384(k) => KeyData::ecdsa(
                EcCurve::P384,
                &k.verifying_key().to_sec1_point(false).to_bytes(),
            )?,
            Secret::P521(k) => KeyData::ecdsa(
                EcCurve::P521,
                &k.verifying_key().to_sec1_point(false).to_bytes(),
            )?,
            Secret::Rsa(k) => KeyData::Rsa {
                e: k.e().to_be_bytes_trimmed_vartime().to_vec(),
                n: k.n().to_be_bytes_trimmed_vartime().to_vec(),
            },
            Secret::Dsa(k) => {
                let vk = k.verifying_key();
                let c = vk.components();
                KeyData::Dsa {
                    p: c.p().to_be_bytes_trimmed_vartime().to_vec(),
                    q: c.q().to_be_bytes_trimmed_vartime().to_vec(),
                    g: c.g().to_be_bytes_trimmed_vartime().to_vec(),
                    y: vk.y().to_be_bytes_trimmed_vartime().to_vec(),
                }
            }
        };
        Ok(PublicKey { data })
    }
}

/// `bytes` left-padded with zeros to `len`, or `None` if longer.
fn left_pad(bytes: &[u8], len: usize) -> Option<Vec<u8>> {
    let pad = len.checked_sub(bytes.len())?;
    let mut out = vec![0u8; pad];
    out.extend_from_slice(bytes);
    Some(out)
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("key_type", &self.key_type())
            .field(
                "fingerprint",
                &self.public.fingerprint(HashAlg::Sha256).to_string(),
            )
            .field("comment", &self.comment)
            .finish_non_exhaustive()
    }
}

impl PrivateKey {
    /// Builds the private key with a comment (used by file parsers).
    pub(crate) fn with_comment(mut self, comment: &str) -> Self {
        self.comment = comment.to_owned();
        self
    }

    /// A copy of the private key (file conversions and tests).
    pub fn duplicate(&self) -> PrivateKey {
        let secret = match &self.secret {
            Secret::Ed25519(k) => Secret::Ed25519(k.clone()),
            Secret::P256(k) => Secret::P256(k.clone()),
            Secret::P384(k) => Secret::P384(k.clone()),
            Secret::P521(k) => Secret::P521(k.clone()),
            Secret::Rsa(k) => Secret::Rsa(k.clone()),
            Secret::Dsa(k) => Secret::Dsa(k.clone()),
        };
        PrivateKey {
            secret,
            public: self.public.clone(),
            comment: self.comment.clone(),
        }
    }
}
