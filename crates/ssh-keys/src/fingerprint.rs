//! Key fingerprints as `ssh-keygen -l -E md5|sha1|sha256` prints them, and as hex.

use std::fmt;

use base64::Engine as _;
use sha2::Digest as _;

pub use crate::alg::HashAlg;

/// The hash of a public key blob.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    hash: HashAlg,
    digest: Vec<u8>,
}

impl Fingerprint {
    /// The fingerprint of an RFC 4253 §6.6 key blob.
    pub fn of_blob(hash: HashAlg, blob: &[u8]) -> Self {
        let digest = match hash {
            HashAlg::Md5 => md5::Md5::digest(blob).to_vec(),
            HashAlg::Sha1 => sha1::Sha1::digest(blob).to_vec(),
            HashAlg::Sha256 => sha2::Sha256::digest(blob).to_vec(),
        };
        Self { hash, digest }
    }

    /// The hash algorithm.
    pub fn hash_alg(&self) -> HashAlg {
        self.hash
    }

    /// Colon-separated lowercase hex (`bc:2a:72:...`), as the seed's fingerprint properties
    /// expose it.
    pub fn hex(&self) -> String {
        let mut out = String::with_capacity(self.digest.len().saturating_mul(3));
        for (i, b) in self.digest.iter().enumerate() {
            if i > 0 {
                out.push(':');
            }
            out.push_str(&format!("{b:02x}"));
        }
        out
    }

    /// OpenSSH's `SHA256:<base64 without padding>` form (also for SHA-1), whatever the hash.
    pub fn base64(&self) -> String {
        format!(
            "{}:{}",
            self.hash.name(),
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(&self.digest)
        )
    }

    /// The raw digest.
    pub fn as_bytes(&self) -> &[u8] {
        &self.digest
    }
}

/// OpenSSH form, as `ssh-keygen -l -E`: `SHA256:<base64>`, `SHA1:<base64>`, `MD5:aa:bb:...`.
impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.hash {
            HashAlg::Md5 => write!(f, "MD5:{}", self.hex()),
            HashAlg::Sha1 | HashAlg::Sha256 => f.write_str(&self.base64()),
        }
    }
}
