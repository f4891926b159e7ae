//! SSH signature blobs: RFC 4253 §6.6 (ssh-rsa, ssh-dss), RFC 8332 §3 (rsa-sha2-*),
//! RFC 5656 §3.1.2 (ecdsa-sha2-*), RFC 8709 §6 (ssh-ed25519).

use ssh_wire::{Reader, Writer};

use crate::KeyError;
use crate::alg::{EcCurve, RSA_SHA2_256, RSA_SHA2_512, SSH_DSS, SSH_ED25519, SSH_RSA};
use crate::public::{KeyData, MAX_RSA_BITS, MIN_RSA_VERIFY_BITS, magnitude_bits};

/// Largest signature blob accepted: an RSA-16384 signature (2048 bytes) plus the algorithm
/// name and length prefixes, with room to spare.
pub const MAX_SIGNATURE_BLOB_LEN: usize = 4096;

/// Why an ECDSA check failed, before it is turned into a [`KeyError`].
pub(crate) enum EcdsaFailure {
    Malformed,
    Key,
    Mismatch,
}

/// Verifies an ECDSA signature on one curve (a macro because the RustCrypto curve types share
/// no convenient trait bound).
macro_rules! ecdsa_verify {
    ($curve:ident, $point:expr, $r:expr, $s:expr, $data:expr) => {{
        use signature::Verifier;
        match $curve::ecdsa::VerifyingKey::from_sec1_bytes($point) {
            Err(_) => Err(EcdsaFailure::Key),
            Ok(vk) => {
                let r = $curve::FieldBytes::try_from($r.as_slice());
                let s = $curve::FieldBytes::try_from($s.as_slice());
                match (r, s) {
                    (Ok(r), Ok(s)) => match $curve::ecdsa::Signature::from_scalars(r, s) {
                        Err(_) => Err(EcdsaFailure::Malformed),
                        Ok(sig) => vk.verify($data, &sig).map_err(|_| EcdsaFailure::Mismatch),
                    },
                    _ => Err(EcdsaFailure::Malformed),
                }
            }
        }
    }};
}

/// A decoded `string algorithm-name, string signature` pair, borrowed from the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignatureBlob<'a> {
    /// The signature algorithm name.
    pub algorithm: &'a str,
    /// The algorithm-specific signature bytes.
    pub signature: &'a [u8],
}

impl<'a> SignatureBlob<'a> {
    /// Decodes a signature blob; trailing bytes are rejected.
    pub fn decode(blob: &'a [u8]) -> Result<Self, KeyError> {
        if blob.len() > MAX_SIGNATURE_BLOB_LEN {
            return Err(KeyError::Decode(ssh_wire::DecodeError::new(
                ssh_wire::DecodeErrorKind::TooLong {
                    len: blob.len(),
                    max: MAX_SIGNATURE_BLOB_LEN,
                },
                "signature blob",
                0,
            )));
        }
        let mut r = Reader::new(blob);
        let algorithm = r.utf8("signature algorithm")?;
        let signature = r.string("signature")?;
        r.finish()?;
        Ok(Self {
            algorithm,
            signature,
        })
    }

    /// Encodes the blob.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        Writer::new(&mut out)
            .string(self.algorithm.as_bytes())
            .string(self.signature);
        out
    }
}

/// Verifies `sig` (the inner signature bytes) over `data` with a plain key; `alg` has been
/// checked to apply to the key.
pub(crate) fn verify(
    key: &KeyData,
    alg: &'static str,
    data: &[u8],
    sig: &[u8],
) -> Result<(), KeyError> {
    let bad = KeyError::BadSignature { algorithm: alg };
    match key {
        KeyData::Ed25519(pk) => {
            let sig: [u8; 64] = sig.try_into().map_err(|_| KeyError::MalformedSignature {
                algorithm: SSH_ED25519,
                reason: "signature is not 64 bytes",
            })?;
            let vk =
                ed25519_dalek::VerifyingKey::from_bytes(pk).map_err(|_| bad_key(SSH_ED25519))?;
            let sig = ed25519_dalek::Signature::from_bytes(&sig);
            vk.verify_strict(data, &sig).map_err(|_| bad)
        }
        KeyData::Ecdsa { curve, point } => {
            let (r, s) = ecdsa_scalars(*curve, alg, sig)?;
            let ok = match curve {
                EcCurve::P256 => ecdsa_verify!(p256, point, &r, &s, data),
                EcCurve::P384 => ecdsa_verify!(p384, point, &r, &s, data),
                EcCurve::P521 => ecdsa_verify!(p521, point, &r, &s, data),
            };
            ok.map_err(|e| match e {
                EcdsaFailure::Malformed => KeyError::MalformedSignature {
                    algorithm: alg,
                    reason: "r or s is zero or not below the group order",
                },
                EcdsaFailure::Key => bad_key(alg),
                EcdsaFailure::Mismatch => KeyError::BadSignature { algorithm: alg },
            })
        }
        KeyData::Rsa { e, n } => {
            let key = rsa_public(e, n)?;
            let modulus_len = n.len();
            // RFC 8332 §3 / OpenSSH ssh_rsa_verify: a signature shorter than the modulus is
            // left-padded with zeros (some signers strip leading zeros); longer is an error.
            if sig.len() > modulus_len {
                return Err(KeyError::MalformedSignature {
                    algorithm: alg,
                    reason: "signature longer than the modulus",
                });
            }
            let mut padded = vec![0u8; modulus_len.saturating_sub(sig.len())];
            padded.extend_from_slice(sig);
            let result = match alg {
                RSA_SHA2_512 => key.pkcs1v15_verify::<sha2::Sha512>(data, &padded),
                RSA_SHA2_256 => key.pkcs1v15_verify::<sha2::Sha256>(data, &padded),
                _ => key.pkcs1v15_verify::<sha1::Sha1>(data, &padded),
            };
            result.map_err(|_| bad)
        }
        KeyData::Dsa { p, q, g, y } => {
            use signature::DigestVerifier;
            // RFC 4253 §6.6: 160-bit r then 160-bit s, each unsigned big-endian, 40 bytes.
            let malformed = |reason| KeyError::MalformedSignature {
                algorithm: SSH_DSS,
                reason,
            };
            if sig.len() != 40 {
                return Err(malformed("signature is not 40 bytes"));
            }
            let (r, s) = sig.split_at(20);
            let vk = dsa_public(p, q, g, y)?;
            let r = uint(r);
            let s = uint(s);
            let q_uint = uint(q);
            if r >= q_uint || s >= q_uint {
                return Err(malformed("r or s not below q"));
            }
            let sig = dsa::Signature::from_components(r, s).ok_or(malformed("r or s is zero"))?;
            vk.verify_digest(
                |d: &mut sha1::Sha1| {
                    sha1::Digest::update(d, data);
                    Ok(())
                },
                &sig,
            )
            .map_err(|_| bad)
        }
        KeyData::Cert(cert) => verify(&cert.key().data, alg, data, sig),
    }
}

/// RFC 5656 §3.1.2: the ECDSA signature is `mpint r, mpint s` inside the signature string.
/// Returns r and s left-padded to the field size; larger values are rejected here and values
/// not below the order by the curve crate.
fn ecdsa_scalars(
    curve: EcCurve,
    alg: &'static str,
    sig: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), KeyError> {
    let mut r = Reader::new(sig);
    let r_m = r.mpint("ecdsa r")?;
    let s_m = r.mpint("ecdsa s")?;
    r.finish()?;
    let len = curve.field_len();
    let pad = |m: &[u8]| -> Result<Vec<u8>, KeyError> {
        if m.len() > len {
            return Err(KeyError::MalformedSignature {
                algorithm: alg,
                reason: "r or s larger than the curve order",
            });
        }
        let mut out = vec![0u8; len.saturating_sub(m.len())];
        out.extend_from_slice(m);
        Ok(out)
    };
    Ok((pad(r_m.magnitude())?, pad(s_m.magnitude())?))
}

/// Writes an ECDSA signature's inner bytes (`mpint r, mpint s`).
pub(crate) fn ecdsa_inner(r: &[u8], s: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    Writer::new(&mut out).mpint(r).mpint(s);
    out
}

/// Builds the `rsa` crate key for verification, applying the size limits.
pub(crate) fn rsa_public(e: &[u8], n: &[u8]) -> Result<rsa::PublicKey, KeyError> {
    let bits = magnitude_bits(n);
    if bits < MIN_RSA_VERIFY_BITS {
        return Err(KeyError::RsaKeyTooSmall {
            bits,
            min: MIN_RSA_VERIFY_BITS,
        });
    }
    if bits > MAX_RSA_BITS {
        return Err(KeyError::RsaKeyTooLarge {
            bits,
            max: MAX_RSA_BITS,
        });
    }
    rsa::PublicKey::new_with_size_limits(
        uint(n),
        uint(e),
        MIN_RSA_VERIFY_BITS as usize..=MAX_RSA_BITS as usize,
    )
    .map_err(|_| bad_key(SSH_RSA))
}

/// Builds the `dsa` crate key for verification.
pub(crate) fn dsa_public(
    p: &[u8],
    q: &[u8],
    g: &[u8],
    y: &[u8],
) -> Result<dsa::VerifyingKey, KeyError> {
    #[allow(deprecated)] // DSA 1024/160 is legacy by definition; it is what ssh-dss is.
    let components = dsa::Components::from_components(uint(p), uint(q), uint(g))
        .map_err(|_| bad_key(SSH_DSS))?;
    dsa::VerifyingKey::from_components(components, uint(y)).map_err(|_| bad_key(SSH_DSS))
}

/// A big integer from a big-endian magnitude.
pub(crate) fn uint(bytes: &[u8]) -> rsa::BoxedUint {
    rsa::BoxedUint::from_be_slice_vartime(bytes)
}

fn bad_key(key_type: &'static str) -> KeyError {
    KeyError::InvalidKey {
        key_type,
        reason: "key components rejected by the signature library",
    }
}
