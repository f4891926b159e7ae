//! Algorithm and key type names (RFC 4253 §6.6, RFC 5656 §6.2, RFC 8332 §3, RFC 8709 §4).

/// RFC 8709: `ssh-ed25519` key type and signature algorithm.
pub const SSH_ED25519: &str = "ssh-ed25519";
/// RFC 5656 §6.2: ECDSA on NIST P-256 with SHA-256.
pub const ECDSA_SHA2_NISTP256: &str = "ecdsa-sha2-nistp256";
/// RFC 5656 §6.2: ECDSA on NIST P-384 with SHA-384.
pub const ECDSA_SHA2_NISTP384: &str = "ecdsa-sha2-nistp384";
/// RFC 5656 §6.2: ECDSA on NIST P-521 with SHA-512.
pub const ECDSA_SHA2_NISTP521: &str = "ecdsa-sha2-nistp521";
/// RFC 4253 §6.6: `ssh-rsa` key type, and the SHA-1 signature algorithm of the same name.
pub const SSH_RSA: &str = "ssh-rsa";
/// RFC 8332 §3: RSA PKCS#1 v1.5 signatures with SHA-256.
pub const RSA_SHA2_256: &str = "rsa-sha2-256";
/// RFC 8332 §3: RSA PKCS#1 v1.5 signatures with SHA-512.
pub const RSA_SHA2_512: &str = "rsa-sha2-512";
/// RFC 4253 §6.6: `ssh-dss` (DSA 1024/160 with SHA-1), legacy.
pub const SSH_DSS: &str = "ssh-dss";

/// A kind of key to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// Ed25519 (RFC 8709).
    Ed25519,
    /// ECDSA on P-256 (RFC 5656).
    EcdsaP256,
    /// ECDSA on P-384 (RFC 5656).
    EcdsaP384,
    /// ECDSA on P-521 (RFC 5656).
    EcdsaP521,
    /// RSA with a modulus of `bits` bits (2048..=16384 for new keys).
    Rsa {
        /// Modulus size in bits.
        bits: u32,
    },
    /// DSA 1024/160 (legacy; for interoperability tests only).
    Dsa,
}

impl KeyKind {
    /// The SSH key type name of keys of this kind.
    pub fn key_type(self) -> &'static str {
        match self {
            Self::Ed25519 => SSH_ED25519,
            Self::EcdsaP256 => ECDSA_SHA2_NISTP256,
            Self::EcdsaP384 => ECDSA_SHA2_NISTP384,
            Self::EcdsaP521 => ECDSA_SHA2_NISTP521,
            Self::Rsa { .. } => SSH_RSA,
            Self::Dsa => SSH_DSS,
        }
    }
}

/// Hash used for a key fingerprint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlg {
    /// MD5, the legacy `ssh-keygen -E md5` form.
    Md5,
    /// SHA-1.
    Sha1,
    /// SHA-256, OpenSSH's default.
    Sha256,
}

impl HashAlg {
    /// The prefix OpenSSH prints before the fingerprint (`MD5`, `SHA1`, `SHA256`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
        }
    }
}

/// A NIST curve used by `ecdsa-sha2-*` keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EcCurve {
    /// NIST P-256 (`nistp256`).
    P256,
    /// NIST P-384 (`nistp384`).
    P384,
    /// NIST P-521 (`nistp521`).
    P521,
}

impl EcCurve {
    /// RFC 5656 §6.1 curve identifier (`nistp256` ...).
    pub fn identifier(self) -> &'static str {
        match self {
            Self::P256 => "nistp256",
            Self::P384 => "nistp384",
            Self::P521 => "nistp521",
        }
    }

    /// The key type name (`ecdsa-sha2-nistp256` ...), which is also the signature algorithm.
    pub fn key_type(self) -> &'static str {
        match self {
            Self::P256 => ECDSA_SHA2_NISTP256,
            Self::P384 => ECDSA_SHA2_NISTP384,
            Self::P521 => ECDSA_SHA2_NISTP521,
        }
    }

    /// Size of the field and of scalars in bytes.
    pub fn field_len(self) -> usize {
        match self {
            Self::P256 => 32,
            Self::P384 => 48,
            Self::P521 => 66,
        }
    }

    /// Key size in bits as `ssh-keygen -l` reports it.
    pub fn bits(self) -> u32 {
        match self {
            Self::P256 => 256,
            Self::P384 => 384,
            Self::P521 => 521,
        }
    }

    /// Length of an uncompressed SEC1 point (0x04 || x || y).
    pub fn point_len(self) -> usize {
        self.field_len().saturating_mul(2).saturating_add(1)
    }

    /// The curve of an `ecdsa-sha2-*` key type name.
    pub fn from_key_type(name: &str) -> Option<Self> {
        match name {
            ECDSA_SHA2_NISTP256 => Some(Self::P256),
            ECDSA_SHA2_NISTP384 => Some(Self::P384),
            ECDSA_SHA2_NISTP521 => Some(Self::P521),
            _ => None,
        }
    }

    /// The curve of an RFC 5656 identifier (`nistp256` ...).
    pub fn from_identifier(name: &str) -> Option<Self> {
        match name {
            "nistp256" => Some(Self::P256),
            "nistp384" => Some(Self::P384),
            "nistp521" => Some(Self::P521),
            _ => None,
        }
    }
}
