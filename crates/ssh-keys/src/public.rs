//! Public keys and their RFC 4253 §6.6 blobs.

use ssh_wire::{Mpint, Reader, Writer};

use crate::alg::{EcCurve, RSA_SHA2_256, RSA_SHA2_512, SSH_DSS, SSH_ED25519, SSH_RSA};
use crate::cert::Certificate;
use crate::fingerprint::{Fingerprint, HashAlg};
use crate::{KeyError, sig};

/// Smallest RSA modulus accepted when verifying a signature. OpenSSH refuses keys under 1024
/// bits (`SSH_RSA_MINIMUM_MODULUS_SIZE`); smaller ones are factorable.
pub const MIN_RSA_VERIFY_BITS: u32 = 1024;

/// Largest RSA modulus accepted anywhere: OpenSSH's `SSHBUF_MAX_BIGNUM` (16384 bits).
/// Verification cost grows quickly with the modulus, so larger keys are a denial of service.
pub const MAX_RSA_BITS: u32 = 16384;

/// Largest public exponent accepted for RSA keys, in bits. OpenSSH and the `rsa` crate use
/// 33 bits; real keys use 65537.
const MAX_RSA_EXPONENT_BITS: usize = 33;

/// A public key: ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa, ssh-dss, or an OpenSSH
/// certificate (`*-cert-v01@openssh.com`) over one of them.
///
/// Built from untrusted bytes with [`PublicKey::from_blob`], which checks that the components
/// form a valid key (points on the curve, sizes within caps).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    pub(crate) data: KeyData,
}

/// The components of a public key, as on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum KeyData {
    /// RFC 8709 §4: the 32-byte encoded point.
    Ed25519([u8; 32]),
    /// RFC 5656 §3.1: curve and uncompressed SEC1 point Q.
    Ecdsa { curve: EcCurve, point: Vec<u8> },
    /// RFC 4253 §6.6: minimal big-endian magnitudes of e and n.
    Rsa { e: Vec<u8>, n: Vec<u8> },
    /// RFC 4253 §6.6: p, q, g, y magnitudes.
    Dsa {
        p: Vec<u8>,
        q: Vec<u8>,
        g: Vec<u8>,
        y: Vec<u8>,
    },
    /// An OpenSSH certificate; its signature algorithms are those of the certified key.
    Cert(Box<Certificate>),
}

impl PublicKey {
    /// Parses an RFC 4253 §6.6 public key blob: `string key-type` followed by the type's
    /// fields. Certificates (`*-cert-v01@openssh.com`, OpenSSH PROTOCOL.certkeys) are parsed
    /// too; their CA signature is not checked here (see [`Certificate::verify_signature`]).
    pub fn from_blob(blob: &[u8]) -> Result<PublicKey, KeyError> {
        let mut r = Reader::new(blob);
        let key_type = r.utf8("public key type")?;
        let data = if Certificate::is_cert_type(key_type) {
            KeyData::Cert(Box::new(Certificate::decode_after_type(
                key_type, blob, &mut r,
            )?))
        } else {
            KeyData::decode_body(key_type, &mut r)?
        };
        r.finish()?;
        Ok(PublicKey { data })
    }

    /// The RFC 4253 §6.6 blob of this key (for a certificate, the whole certificate).
    pub fn to_blob(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut Writer::new(&mut out));
        out
    }

    /// Appends the blob to `w`.
    pub(crate) fn encode(&self, w: &mut Writer<'_>) {
        match &self.data {
            KeyData::Cert(cert) => {
                w.raw(cert.blob());
            }
            data => {
                w.string(data.key_type().as_bytes());
                data.encode_body(w);
            }
        }
    }

    /// The key type name as in the blob (`ssh-ed25519`, `ssh-rsa`,
    /// `ssh-ed25519-cert-v01@openssh.com` ...).
    pub fn key_type(&self) -> &'static str {
        match &self.data {
            KeyData::Cert(cert) => cert.cert_type_name(),
            data => data.key_type(),
        }
    }

    /// Key size in bits as `ssh-keygen -l` reports it (modulus size for RSA and DSA, curve
    /// size for ECDSA, 256 for ed25519).
    pub fn bits(&self) -> u32 {
        match &self.data {
            KeyData::Ed25519(_) => 256,
            KeyData::Ecdsa { curve, .. } => curve.bits(),
            KeyData::Rsa { n, .. } => magnitude_bits(n),
            KeyData::Dsa { p, .. } => magnitude_bits(p),
            KeyData::Cert(cert) => cert.key().bits(),
        }
    }

    /// Signature algorithm names usable with this key, best first (RSA: rsa-sha2-512,
    /// rsa-sha2-256, ssh-rsa). For a certificate, the algorithms of the certified key (the
    /// `-cert-v01` names are host-key/auth method names, not signature names).
    pub fn signature_algorithms(&self) -> &'static [&'static str] {
        match &self.data {
            KeyData::Ed25519(_) => &[SSH_ED25519],
            KeyData::Ecdsa { curve, .. } => match curve {
                EcCurve::P256 => &[crate::alg::ECDSA_SHA2_NISTP256],
                EcCurve::P384 => &[crate::alg::ECDSA_SHA2_NISTP384],
                EcCurve::P521 => &[crate::alg::ECDSA_SHA2_NISTP521],
            },
            KeyData::Rsa { .. } => &[RSA_SHA2_512, RSA_SHA2_256, SSH_RSA],
            KeyData::Dsa { .. } => &[SSH_DSS],
            KeyData::Cert(cert) => cert.key().signature_algorithms(),
        }
    }

    /// Public key algorithm names under which this key is offered for authentication or
    /// negotiated as a host key (RFC 4253 §6.6, RFC 8332 §3, OpenSSH PROTOCOL.certkeys), best
    /// first. Equal to [`PublicKey::signature_algorithms`] for plain keys; for certificates
    /// the `-cert-v01@openssh.com` names (RSA: `rsa-sha2-512-cert-v01@openssh.com`, ...).
    pub fn key_algorithms(&self) -> &'static [&'static str] {
        match &self.data {
            KeyData::Cert(cert) => match cert.key().data {
                KeyData::Rsa { .. } => &[
                    "rsa-sha2-512-cert-v01@openssh.com",
                    "rsa-sha2-256-cert-v01@openssh.com",
                    "ssh-rsa-cert-v01@openssh.com",
                ],
                KeyData::Ed25519(_) => &["ssh-ed25519-cert-v01@openssh.com"],
                KeyData::Ecdsa {
                    curve: EcCurve::P256,
                    ..
                } => &["ecdsa-sha2-nistp256-cert-v01@openssh.com"],
                KeyData::Ecdsa {
                    curve: EcCurve::P384,
                    ..
                } => &["ecdsa-sha2-nistp384-cert-v01@openssh.com"],
                KeyData::Ecdsa {
                    curve: EcCurve::P521,
                    ..
                } => &["ecdsa-sha2-nistp521-cert-v01@openssh.com"],
                KeyData::Dsa { .. } => &["ssh-dss-cert-v01@openssh.com"],
                KeyData::Cert(_) => &[],
            },
            _ => self.signature_algorithms(),
        }
    }

    /// The signature algorithm used inside signature blobs for public key algorithm
    /// `algorithm`: the name itself for plain algorithms, the name without
    /// `-cert-v01@openssh.com` for certificate algorithms; `None` if unknown.
    pub fn signature_algorithm_for(algorithm: &str) -> Option<&'static str> {
        let plain = algorithm
            .strip_suffix("-cert-v01@openssh.com")
            .unwrap_or(algorithm);
        [
            SSH_ED25519,
            crate::alg::ECDSA_SHA2_NISTP256,
            crate::alg::ECDSA_SHA2_NISTP384,
            crate::alg::ECDSA_SHA2_NISTP521,
            RSA_SHA2_512,
            RSA_SHA2_256,
            SSH_RSA,
            SSH_DSS,
        ]
        .into_iter()
        .find(|&n| n == plain)
    }

    /// Verifies an SSH signature blob (`string algorithm-name, string signature`; RFC 4253
    /// §6.6, RFC 5656 §3.1.2, RFC 8332 §3, RFC 8709 §6) over `data`.
    ///
    /// Fails unless the blob's algorithm name equals `algorithm` and `algorithm` applies to
    /// this key type (for a certificate, its `-cert-v01` names are accepted too and map to
    /// the signature algorithm). RSA keys under [`MIN_RSA_VERIFY_BITS`] are refused; ECDSA r and s must be
    /// in [1, n-1]; ed25519 uses strict verification (canonical S, no small-order points).
    /// A certificate verifies with its certified key.
    pub fn verify(
        &self,
        algorithm: &str,
        data: &[u8],
        signature_blob: &[u8],
    ) -> Result<(), KeyError> {
        let key = self.plain_key();
        // For a certificate, the negotiated name may be the `-cert-v01` one.
        let algorithm = match &self.data {
            KeyData::Cert(_) if self.key_algorithms().contains(&algorithm) => {
                Self::signature_algorithm_for(algorithm).unwrap_or(algorithm)
            }
            _ => algorithm,
        };
        let Some(&alg) = key
            .signature_algorithms()
            .iter()
            .find(|&&name| name == algorithm)
        else {
            return Err(KeyError::algorithm_mismatch(algorithm, self.key_type()));
        };
        let sig = sig::SignatureBlob::decode(signature_blob)?;
        if sig.algorithm != alg {
            return Err(KeyError::SignatureAlgorithmMismatch {
                expected: alg.to_owned(),
                found: crate::error::echo(sig.algorithm),
            });
        }
        sig::verify(&key.data, alg, data, sig.signature)
    }

    /// The fingerprint of the key blob with `hash` (as `ssh-keygen -l -E`). For a
    /// certificate it is the certified key's fingerprint, as OpenSSH prints it.
    pub fn fingerprint(&self, hash: HashAlg) -> Fingerprint {
        Fingerprint::of_blob(hash, &self.plain_key().to_blob())
    }

    /// The certificate, when this key is one.
    pub fn certificate(&self) -> Option<&Certificate> {
        match &self.data {
            KeyData::Cert(cert) => Some(cert),
            _ => None,
        }
    }

    /// The key that makes signatures: the certified key for a certificate, else `self`.
    pub fn plain_key(&self) -> &PublicKey {
        match &self.data {
            KeyData::Cert(cert) => cert.key(),
            _ => self,
        }
    }

    /// Whether this is an RSA key (or a certificate over one).
    pub fn is_rsa(&self) -> bool {
        matches!(self.plain_key().data, KeyData::Rsa { .. })
    }
}

impl KeyData {
    /// The plain key type name (never a certificate name).
    pub(crate) fn key_type(&self) -> &'static str {
        match self {
            Self::Ed25519(_) => SSH_ED25519,
            Self::Ecdsa { curve, .. } => curve.key_type(),
            Self::Rsa { .. } => SSH_RSA,
            Self::Dsa { .. } => SSH_DSS,
            Self::Cert(cert) => cert.cert_type_name(),
        }
    }

    /// Reads the fields that follow `string key-type` in a plain (non-certificate) key blob.
    pub(crate) fn decode_body(key_type: &str, r: &mut Reader<'_>) -> Result<KeyData, KeyError> {
        match key_type {
            SSH_ED25519 => {
                let raw = r.string("ed25519 public key")?;
                Self::ed25519(raw)
            }
            SSH_RSA => {
                let e = r.mpint("rsa e")?;
                let n = r.mpint("rsa n")?;
                Self::rsa(e, n)
            }
            SSH_DSS => {
                let p = r.mpint("dsa p")?;
                let q = r.mpint("dsa q")?;
                let g = r.mpint("dsa g")?;
                let y = r.mpint("dsa y")?;
                Self::dsa(p, q, g, y)
            }
            other => match EcCurve::from_key_type(other) {
                Some(curve) => {
                    let id = r.utf8("ecdsa curve identifier")?;
                    if EcCurve::from_identifier(id) != Some(curve) {
                        return Err(KeyError::InvalidKey {
                            key_type: curve.key_type(),
                            reason: "curve identifier does not match the key type",
                        });
                    }
                    let q = r.string("ecdsa Q")?;
                    Self::ecdsa(curve, q)
                }
                None => Err(KeyError::unknown_key_type(other)),
            },
        }
    }

    /// Writes the fields that follow `string key-type` (plain keys only).
    pub(crate) fn encode_body(&self, w: &mut Writer<'_>) {
        match self {
            Self::Ed25519(k) => {
                w.string(k);
            }
            Self::Ecdsa { curve, point } => {
                w.string(curve.identifier().as_bytes()).string(point);
            }
            Self::Rsa { e, n } => {
                w.mpint(e).mpint(n);
            }
            Self::Dsa { p, q, g, y } => {
                w.mpint(p).mpint(q).mpint(g).mpint(y);
            }
            Self::Cert(cert) => {
                // A certificate's body is everything after its type name.
                w.raw(cert.blob().get(cert.body_offset()..).unwrap_or_default());
            }
        }
    }

    /// An ed25519 key from its 32-byte encoding, checked to be a valid point.
    pub(crate) fn ed25519(raw: &[u8]) -> Result<KeyData, KeyError> {
        let bytes: [u8; 32] = raw.try_into().map_err(|_| KeyError::InvalidKey {
            key_type: SSH_ED25519,
            reason: "public key is not 32 bytes",
        })?;
        ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::InvalidKey {
            key_type: SSH_ED25519,
            reason: "public key is not a valid curve point",
        })?;
        Ok(Self::Ed25519(bytes))
    }

    /// An ECDSA key from an uncompressed SEC1 point, checked to be on the curve.
    pub(crate) fn ecdsa(curve: EcCurve, q: &[u8]) -> Result<KeyData, KeyError> {
        let invalid = |reason| KeyError::InvalidKey {
            key_type: curve.key_type(),
            reason,
        };
        // OpenSSH writes and expects uncompressed points (RFC 5656 §3.1, SEC1 2.3.3).
        if q.len() != curve.point_len() || q.first() != Some(&0x04) {
            return Err(invalid(
                "public point is not an uncompressed point of the curve size",
            ));
        }
        let valid = match curve {
            EcCurve::P256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(q).is_ok(),
            EcCurve::P384 => p384::ecdsa::VerifyingKey::from_sec1_bytes(q).is_ok(),
            EcCurve::P521 => p521::ecdsa::VerifyingKey::from_sec1_bytes(q).is_ok(),
        };
        if !valid {
            return Err(invalid("public point is not on the curve"));
        }
        Ok(Self::Ecdsa {
            curve,
            point: q.to_vec(),
        })
    }

    /// An RSA key; sizes are checked here, primality is not (a public key cannot show it).
    pub(crate) fn rsa(e: Mpint<'_>, n: Mpint<'_>) -> Result<KeyData, KeyError> {
        let invalid = |reason| KeyError::InvalidKey {
            key_type: SSH_RSA,
            reason,
        };
        // ssh_wire caps mpints at 16384 bits already; this keeps the invariant explicit.
        if n.bits() > MAX_RSA_BITS as usize {
            return Err(KeyError::RsaKeyTooLarge {
                bits: u32::try_from(n.bits()).unwrap_or(u32::MAX),
                max: MAX_RSA_BITS,
            });
        }
        if n.magnitude().last().is_none_or(|b| b & 1 == 0) {
            return Err(invalid("modulus is zero or even"));
        }
        if e.bits() > MAX_RSA_EXPONENT_BITS || e.bits() < 2 {
            return Err(invalid("public exponent out of range"));
        }
        if e.magnitude().last().is_none_or(|b| b & 1 == 0) {
            return Err(invalid("public exponent is even"));
        }
        Ok(Self::Rsa {
            e: e.magnitude().to_vec(),
            n: n.magnitude().to_vec(),
        })
    }

    /// A DSA key; OpenSSH only uses 1024-bit p with 160-bit q (FIPS 186-2).
    pub(crate) fn dsa(
        p: Mpint<'_>,
        q: Mpint<'_>,
        g: Mpint<'_>,
        y: Mpint<'_>,
    ) -> Result<KeyData, KeyError> {
        let invalid = |reason| KeyError::InvalidKey {
            key_type: SSH_DSS,
            reason,
        };
        if p.bits() != 1024 || q.bits() != 160 {
            return Err(invalid(
                "only DSA with a 1024-bit p and 160-bit q is supported",
            ));
        }
        if g.is_zero() || y.is_zero() || g.magnitude().len() > 128 || y.magnitude().len() > 128 {
            return Err(invalid("g or y out of range"));
        }
        Ok(Self::Dsa {
            p: p.magnitude().to_vec(),
            q: q.magnitude().to_vec(),
            g: g.magnitude().to_vec(),
            y: y.magnitude().to_vec(),
        })
    }
}

/// Number of significant bits of a minimal big-endian magnitude.
pub(crate) fn magnitude_bits(m: &[u8]) -> u32 {
    u32::try_from(Mpint::from_magnitude(m).bits()).unwrap_or(u32::MAX)
}
