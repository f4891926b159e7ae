use ssh_wire::DecodeError;

/// Longest piece of untrusted text (an algorithm or key type name read from a peer or a file)
/// copied into an error, so a hostile input cannot make error messages huge.
const MAX_ECHOED_NAME: usize = 64;

/// Why a key, signature or key file could not be used.
///
/// Each variant says what was wrong and, in its message, what the user can do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The bytes do not follow the wire encoding of a key or signature.
    #[error("malformed key or signature encoding: {0}")]
    Decode(#[from] DecodeError),

    /// The key type name is not one this library knows.
    #[error(
        "unsupported key type `{0}` (supported: ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa, ssh-dss and their -cert-v01@openssh.com certificates)"
    )]
    UnknownKeyType(String),

    /// The key's components are not a valid key of its type.
    #[error("invalid {key_type} key: {reason}")]
    InvalidKey {
        /// The key type.
        key_type: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The signature algorithm does not apply to this key type (e.g. `rsa-sha2-256` with an
    /// ed25519 key) or is unknown.
    #[error("signature algorithm `{algorithm}` cannot be used with a {key_type} key")]
    AlgorithmMismatch {
        /// The algorithm asked for.
        algorithm: String,
        /// The key's type.
        key_type: &'static str,
    },

    /// The signature blob names a different algorithm from the one negotiated.
    #[error("signature is for algorithm `{found}` but `{expected}` was expected")]
    SignatureAlgorithmMismatch {
        /// The algorithm the caller expected.
        expected: String,
        /// The algorithm named in the signature blob.
        found: String,
    },

    /// The signature blob is well formed on the wire but its contents are not a valid
    /// signature encoding for the algorithm (wrong length, r or s out of range).
    #[error("malformed {algorithm} signature: {reason}")]
    MalformedSignature {
        /// The signature algorithm.
        algorithm: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The signature does not verify: the data or signature were altered, or it was made
    /// with another key.
    #[error("{algorithm} signature verification failed")]
    BadSignature {
        /// The signature algorithm.
        algorithm: &'static str,
    },

    /// An RSA modulus below the minimum this library accepts for signatures.
    #[error(
        "RSA key of {bits} bits is too small to be trusted (minimum {min} bits); use a larger key"
    )]
    RsaKeyTooSmall {
        /// The modulus size.
        bits: u32,
        /// The minimum accepted.
        min: u32,
    },

    /// An RSA modulus above the maximum this library accepts (verification cost grows with
    /// the cube of the size, so absurd keys are a denial of service).
    #[error("RSA key of {bits} bits is too large (maximum {max} bits)")]
    RsaKeyTooLarge {
        /// The modulus size.
        bits: u32,
        /// The maximum accepted.
        max: u32,
    },

    /// Key generation failed (for example an RSA size outside the supported range).
    #[error("cannot generate a {kind} key: {reason}")]
    Generation {
        /// The kind of key asked for.
        kind: &'static str,
        /// Why it failed.
        reason: &'static str,
    },

    /// The private-key operation failed.
    #[error("{algorithm} signing failed: {reason}")]
    Signing {
        /// The signature algorithm.
        algorithm: &'static str,
        /// Why it failed.
        reason: &'static str,
    },

    /// The operation needs a private key but only a certificate or public key is present,
    /// or the key type cannot do it.
    #[error("operation not supported for {key_type} keys: {reason}")]
    Unsupported {
        /// The key type.
        key_type: &'static str,
        /// What is not supported.
        reason: &'static str,
    },

    /// The key file is encrypted and no passphrase was given.
    #[error("the {format} key is encrypted: a passphrase is required")]
    PassphraseRequired {
        /// The file format.
        format: &'static str,
    },

    /// The passphrase does not decrypt the key (the check bytes or MAC do not match).
    #[error("wrong passphrase for the {format} key (decryption check failed)")]
    WrongPassphrase {
        /// The file format.
        format: &'static str,
    },

    /// The key file uses an encryption cipher this library does not implement.
    #[error("the {format} key is encrypted with unsupported cipher `{cipher}`")]
    UnsupportedCipher {
        /// The file format.
        format: &'static str,
        /// The cipher name found in the file.
        cipher: String,
    },

    /// The key file uses a key-derivation function this library does not implement.
    #[error("the {format} key uses unsupported key derivation `{kdf}`")]
    UnsupportedKdf {
        /// The file format.
        format: &'static str,
        /// The KDF name found in the file.
        kdf: String,
    },

    /// The file ends early: it was cut off while copying or pasting.
    #[error("the {format} key file is truncated ({reason}); copy the whole file again")]
    Truncated {
        /// The file format.
        format: &'static str,
        /// What was missing.
        reason: &'static str,
    },

    /// The key file is damaged or not in the format its header claims.
    #[error("malformed {format} key file: {reason}")]
    MalformedFile {
        /// The file format.
        format: &'static str,
        /// What is wrong with it.
        reason: String,
    },

    /// The input is not a key file in any format this library reads.
    #[error(
        "not a recognised key file (expected OpenSSH, PEM, PKCS#8, PuTTY PPK, RFC 4716 or an OpenSSH public key line)"
    )]
    UnknownFormat,

    /// A certificate-specific check failed.
    #[error("certificate rejected: {0}")]
    Certificate(&'static str),

    /// Reading a key file failed (only in the file-reading helpers outside the codecs).
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl KeyError {
    /// An [`KeyError::UnknownKeyType`] that echoes at most a short prefix of `name`.
    pub(crate) fn unknown_key_type(name: &str) -> Self {
        Self::UnknownKeyType(echo(name))
    }

    /// An [`KeyError::AlgorithmMismatch`] that echoes at most a short prefix of `algorithm`.
    pub(crate) fn algorithm_mismatch(algorithm: &str, key_type: &'static str) -> Self {
        Self::AlgorithmMismatch {
            algorithm: echo(algorithm),
            key_type,
        }
    }
}

/// Copies at most [`MAX_ECHOED_NAME`] characters of untrusted text for an error message.
pub(crate) fn echo(name: &str) -> String {
    let mut out: String = name.chars().take(MAX_ECHOED_NAME).collect();
    if out.len() < name.len() {
        out.push('…');
    }
    out
}
