//! The signing step of public key authentication, behind a small trait so that keys held
//! in memory, keys held by an ssh-agent, and OpenSSH certificates wrapping either are used
//! the same way.

use base64::Engine as _;
use ssh_wire::Reader;

/// Something that can prove possession of a private key.
///
/// Implementations: a key loaded by `ssh-keys` (adapter in the caller until that crate's API
/// settles), [`crate::agent::AgentSigner`] and [`CertSigner`].
pub trait Signer: Send {
    /// RFC 4253 §6.6 public key blob (or OpenSSH certificate blob) sent in the request.
    fn public_key_blob(&self) -> &[u8];

    /// Signature algorithms this key can produce, most preferred first (for RSA:
    /// `rsa-sha2-512`, `rsa-sha2-256`, `ssh-rsa`).
    fn algorithms(&self) -> Vec<String>;

    /// Signs `data` with `algorithm` and returns the RFC 4253 §6.6 signature blob
    /// (`string algorithm, string signature`).
    fn sign(&self, algorithm: &str, data: &[u8]) -> Result<Vec<u8>, SignError>;

    /// A short description for logs and errors (key type and comment or fingerprint).
    fn describe(&self) -> String {
        key_type_of(self.public_key_blob())
            .unwrap_or("unknown key type")
            .to_owned()
    }
}

/// Why a signature could not be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The key cannot sign with this algorithm.
    #[error("key cannot sign with `{0}`")]
    UnsupportedAlgorithm(String),
    /// The ssh-agent failed or refused.
    #[error("ssh-agent: {0}")]
    Agent(#[from] crate::agent::AgentError),
    /// The key store refused or failed (message from the key implementation).
    #[error("signing failed: {0}")]
    Key(String),
}

/// Suffix of OpenSSH certificate algorithm names (PROTOCOL.certkeys).
const CERT_SUFFIX: &str = "-cert-v01@openssh.com";

/// The key type name at the start of a public key blob (`string key type`).
pub fn key_type_of(blob: &[u8]) -> Option<&str> {
    let mut r = Reader::new(blob);
    let ty = r.string("key_type").ok()?;
    std::str::from_utf8(ty).ok()
}

/// Signature algorithms a key of `key_type` can use, most preferred first (RFC 8332 adds
/// the SHA-2 variants for `ssh-rsa` keys; certificates follow their key).
pub fn default_algorithms(key_type: &str) -> Vec<String> {
    match key_type {
        "ssh-rsa" => vec![
            "rsa-sha2-512".to_owned(),
            "rsa-sha2-256".to_owned(),
            "ssh-rsa".to_owned(),
        ],
        "ssh-rsa-cert-v01@openssh.com" => vec![
            "rsa-sha2-512-cert-v01@openssh.com".to_owned(),
            "rsa-sha2-256-cert-v01@openssh.com".to_owned(),
            "ssh-rsa-cert-v01@openssh.com".to_owned(),
        ],
        other => vec![other.to_owned()],
    }
}

/// The plain signature algorithm behind a certificate algorithm
/// (`rsa-sha2-256-cert-v01@openssh.com` → `rsa-sha2-256`, `ssh-rsa-cert-v01@openssh.com` →
/// `ssh-rsa`); other names are returned unchanged.
pub fn base_algorithm(algorithm: &str) -> &str {
    algorithm.strip_suffix(CERT_SUFFIX).unwrap_or(algorithm)
}

/// Whether `algorithm` is one of the RSA family whose hash is negotiable (RFC 8332).
fn is_rsa_family(algorithm: &str) -> bool {
    matches!(
        base_algorithm(algorithm),
        "ssh-rsa" | "rsa-sha2-256" | "rsa-sha2-512"
    )
}

/// Picks the signature algorithm for a key.
///
/// - `key_algorithms`: what the key can do, most preferred first;
/// - `enabled`: the caller's SSHPubKeyAuthSigAlgorithms list, if set: it filters and also
///   orders the choice ("first applicable is used");
/// - `server_sig_algs`: the server's RFC 8308 `server-sig-algs`, if it sent one.
///
/// RSA keys (RFC 8332 §3.3): the first SHA-2 algorithm the server lists; without a list
/// the legacy `ssh-rsa` (a server that sends no `server-sig-algs` may not know the SHA-2
/// names). Other keys have one algorithm. `None` when nothing is both possible and enabled.
pub fn select_algorithm(
    key_algorithms: &[String],
    enabled: Option<&[String]>,
    server_sig_algs: Option<&[String]>,
) -> Option<String> {
    let candidates: Vec<&String> = match enabled {
        Some(list) => list
            .iter()
            .filter(|alg| {
                key_algorithms
                    .iter()
                    .any(|k| k == *alg || base_algorithm(k) == alg.as_str())
            })
            .filter_map(|alg| {
                key_algorithms
                    .iter()
                    .find(|k| *k == alg || base_algorithm(k) == alg.as_str())
            })
            .collect(),
        None => key_algorithms.iter().collect(),
    };
    let first = candidates.first()?;
    if candidates.len() == 1 || !is_rsa_family(first) {
        return Some((*first).clone());
    }
    if let Some(server) = server_sig_algs {
        let listed = candidates.iter().find(|c| {
            server
                .iter()
                .any(|s| s == c.as_str() || s == base_algorithm(c))
        });
        if let Some(alg) = listed {
            return Some((*alg).clone());
        }
    }
    candidates
        .iter()
        .find(|c| base_algorithm(c) == "ssh-rsa")
        .or(candidates.first())
        .map(|c| (*c).clone())
}

/// An OpenSSH certificate (PROTOCOL.certkeys) used with the private key it certifies: the
/// certificate blob goes in the request, the signature comes from the inner key made with
/// the plain algorithm behind the certificate algorithm.
pub struct CertSigner {
    cert_blob: Vec<u8>,
    algorithms: Vec<String>,
    inner: Box<dyn Signer>,
}

/// Why a `SignedSSHCert` value could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    /// Not `<algorithm> <base64>`.
    #[error("expected `<algorithm> <base64 certificate>`")]
    Format,
    /// The base64 part does not decode.
    #[error("certificate is not valid base64")]
    Base64,
    /// The algorithm is not an OpenSSH certificate algorithm.
    #[error("`{0}` is not a certificate algorithm")]
    NotCertificate(String),
    /// The blob's own type does not go with the algorithm named.
    #[error("certificate blob is `{blob}`, which cannot be used as `{algorithm}`")]
    TypeMismatch {
        /// Type inside the blob.
        blob: String,
        /// Algorithm named in the setting.
        algorithm: String,
    },
}

impl CertSigner {
    /// A certificate blob with the algorithms its type allows
    /// ([`default_algorithms`] of the blob's type).
    pub fn new(cert_blob: Vec<u8>, inner: Box<dyn Signer>) -> Result<Self, CertError> {
        let ty = key_type_of(&cert_blob).ok_or(CertError::Format)?;
        if !ty.ends_with(CERT_SUFFIX) {
            return Err(CertError::NotCertificate(ty.to_owned()));
        }
        let algorithms = default_algorithms(ty);
        Ok(Self {
            cert_blob,
            algorithms,
            inner,
        })
    }

    /// The seed's `SignedSSHCert` setting: `"<algorithm> <base64 certificate>"`, e.g.
    /// `rsa-sha2-256-cert-v01@openssh.com AAAA...`. The algorithm named is the one used
    /// (any of the three RSA certificate names works with an `ssh-rsa` certificate).
    pub fn from_signed_ssh_cert(line: &str, inner: Box<dyn Signer>) -> Result<Self, CertError> {
        let mut parts = line.split_whitespace();
        let (Some(algorithm), Some(b64)) = (parts.next(), parts.next()) else {
            return Err(CertError::Format);
        };
        if !algorithm.ends_with(CERT_SUFFIX) {
            return Err(CertError::NotCertificate(algorithm.to_owned()));
        }
        let cert_blob = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| CertError::Base64)?;
        let ty = key_type_of(&cert_blob).ok_or(CertError::Format)?;
        if !default_algorithms(ty).iter().any(|a| a == algorithm) {
            return Err(CertError::TypeMismatch {
                blob: ty.to_owned(),
                algorithm: algorithm.to_owned(),
            });
        }
        Ok(Self {
            algorithms: vec![algorithm.to_owned()],
            cert_blob,
            inner,
        })
    }
}

impl Signer for CertSigner {
    fn public_key_blob(&self) -> &[u8] {
        &self.cert_blob
    }

    fn algorithms(&self) -> Vec<String> {
        self.algorithms.clone()
    }

    fn sign(&self, algorithm: &str, data: &[u8]) -> Result<Vec<u8>, SignError> {
        if !self.algorithms.iter().any(|a| a == algorithm) {
            return Err(SignError::UnsupportedAlgorithm(algorithm.to_owned()));
        }
        self.inner.sign(base_algorithm(algorithm), data)
    }

    fn describe(&self) -> String {
        format!("certificate for {}", self.inner.describe())
    }
}

/// A private key held in memory (loaded by `ssh-keys` from any of its file formats).
pub struct KeySigner {
    key: ssh_keys::PrivateKey,
    blob: Vec<u8>,
}

impl KeySigner {
    /// Wraps `key`.
    pub fn new(key: ssh_keys::PrivateKey) -> Self {
        let blob = key.public().to_blob();
        Self { key, blob }
    }

    /// The key.
    pub fn key(&self) -> &ssh_keys::PrivateKey {
        &self.key
    }
}

impl Signer for KeySigner {
    fn public_key_blob(&self) -> &[u8] {
        &self.blob
    }

    fn algorithms(&self) -> Vec<String> {
        self.key
            .public()
            .signature_algorithms()
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    }

    fn sign(&self, algorithm: &str, data: &[u8]) -> Result<Vec<u8>, SignError> {
        self.key
            .sign(algorithm, data)
            .map_err(|e| SignError::Key(e.to_string()))
    }

    fn describe(&self) -> String {
        let comment = self.key.comment();
        if comment.is_empty() {
            format!(
                "{} {}",
                self.key.key_type(),
                self.key.public().fingerprint(ssh_keys::HashAlg::Sha256)
            )
        } else {
            format!("{} {}", self.key.key_type(), comment)
        }
    }
}
