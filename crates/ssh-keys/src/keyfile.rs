//! Format auto-detection for key files (the seed's store type 99, `cstAuto`), and the
//! `ssh-keygen -l`-style description used by the `keyinfo` example.

use base64::Engine as _;

use crate::pubfile::PublicKeyLine;
use crate::{HashAlg, KeyError, PrivateKey, PublicKey, openssh, pem, ppk};

/// Which format a key file was in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyFormat {
    /// `-----BEGIN OPENSSH PRIVATE KEY-----`.
    OpenSsh,
    /// PEM PKCS#1 / SEC1 / OpenSSL DSA, possibly legacy-encrypted.
    Pem,
    /// PEM or DER PKCS#8, possibly PBES2-encrypted.
    Pkcs8,
    /// PuTTY `.ppk` v2 or v3.
    Ppk,
    /// OpenSSH public key line (`.pub`, authorized_keys).
    PublicLine,
    /// RFC 4716 SSH2 public key.
    Rfc4716,
    /// SubjectPublicKeyInfo or PKCS#1 public key, PEM or DER.
    PemPublic,
    /// A bare RFC 4253 §6.6 public key blob, binary or base64 (the seed's
    /// `cstSSHPublicKeyBlob`).
    SshBlob,
}

/// The contents of a key file: a private key, or only a public key.
#[derive(Debug)]
pub enum LoadedKey {
    /// A private key (its public key is [`PrivateKey::public`]).
    Private(Box<PrivateKey>, KeyFormat),
    /// A public key with the comment found with it.
    Public(PublicKeyLine, KeyFormat),
}

impl LoadedKey {
    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        match self {
            Self::Private(k, _) => k.public(),
            Self::Public(p, _) => &p.key,
        }
    }

    /// The comment stored in the file.
    pub fn comment(&self) -> &str {
        match self {
            Self::Private(k, _) => k.comment(),
            Self::Public(p, _) => &p.comment,
        }
    }

    /// The detected format.
    pub fn format(&self) -> KeyFormat {
        match self {
            Self::Private(_, f) | Self::Public(_, f) => *f,
        }
    }
}

/// Reads a key file in any supported format, detected from its contents.
pub fn decode_any(data: &[u8], passphrase: Option<&[u8]>) -> Result<LoadedKey, KeyError> {
    if data.len() > crate::MAX_KEY_FILE_LEN {
        return Err(KeyError::MalformedFile {
            format: "key file",
            reason: "file too large".to_owned(),
        });
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return decode_binary(data, passphrase);
    };
    let trimmed = text.trim_start();
    if trimmed.starts_with("PuTTY-User-Key-File-") {
        return ppk::decode(text, passphrase)
            .map(|k| LoadedKey::Private(Box::new(k), KeyFormat::Ppk));
    }
    if trimmed.starts_with("---- BEGIN SSH2 PUBLIC KEY") {
        return PublicKeyLine::parse_rfc4716(text)
            .map(|k| LoadedKey::Public(k, KeyFormat::Rfc4716));
    }
    if let Some(label) = first_label(text) {
        if label == openssh::LABEL {
            return openssh::decode(text, passphrase)
                .map(|k| LoadedKey::Private(Box::new(k), KeyFormat::OpenSsh));
        }
        if label == "PRIVATE KEY" || label == "ENCRYPTED PRIVATE KEY" {
            return pem::decode_private(text, passphrase)
                .map(|k| LoadedKey::Private(Box::new(k), KeyFormat::Pkcs8));
        }
        if pem::is_private_label(label) {
            return pem::decode_private(text, passphrase)
                .map(|k| LoadedKey::Private(Box::new(k), KeyFormat::Pem));
        }
        if label == "PUBLIC KEY" || label == "RSA PUBLIC KEY" {
            return pem::decode_public(text).map(|key| {
                LoadedKey::Public(
                    PublicKeyLine {
                        key,
                        comment: String::new(),
                    },
                    KeyFormat::PemPublic,
                )
            });
        }
        return Err(KeyError::UnknownFormat);
    }
    let first = trimmed.lines().next().unwrap_or_default();
    if crate::pubfile::split_field(first).0.contains("ssh-") || first.starts_with("ecdsa-") {
        return PublicKeyLine::parse(first).map(|k| LoadedKey::Public(k, KeyFormat::PublicLine));
    }
    // The seed's "blob" store types accept binary or Base64: try the base64 of a DER key or
    // of an SSH public key blob.
    let compact: String = trimmed.split_whitespace().collect();
    if !compact.is_empty() {
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(compact.as_bytes()) {
            let bytes = zeroize::Zeroizing::new(bytes);
            return decode_binary(&bytes, passphrase);
        }
    }
    decode_binary(data, passphrase)
}

/// Binary input: DER PKCS#8 (plain or encrypted), DER SubjectPublicKeyInfo, or an RFC 4253
/// §6.6 public key blob.
fn decode_binary(data: &[u8], passphrase: Option<&[u8]>) -> Result<LoadedKey, KeyError> {
    if data.first() == Some(&0x30) {
        return decode_der(data, passphrase);
    }
    if data.starts_with(&[0, 0, 0]) {
        return PublicKey::from_blob(data).map(|key| {
            LoadedKey::Public(
                PublicKeyLine {
                    key,
                    comment: String::new(),
                },
                KeyFormat::SshBlob,
            )
        });
    }
    Err(KeyError::UnknownFormat)
}

/// DER: decides the structure first, so a PKCS#8 key that fails reports why.
fn decode_der(data: &[u8], passphrase: Option<&[u8]>) -> Result<LoadedKey, KeyError> {
    if pkcs8::PrivateKeyInfoRef::try_from(data).is_ok() {
        return pem::decode_pkcs8_der(data)
            .map(|k| LoadedKey::Private(Box::new(k), KeyFormat::Pkcs8));
    }
    if spki::SubjectPublicKeyInfoRef::try_from(data).is_ok() {
        return pem::decode_spki_der(data).map(|key| {
            LoadedKey::Public(
                PublicKeyLine {
                    key,
                    comment: String::new(),
                },
                KeyFormat::PemPublic,
            )
        });
    }
    if pkcs8::EncryptedPrivateKeyInfoRef::try_from(data).is_ok() {
        return pem::decode_encrypted_pkcs8_der(data, passphrase)
            .map(|k| LoadedKey::Private(Box::new(k), KeyFormat::Pkcs8));
    }
    Err(KeyError::UnknownFormat)
}

/// The label of the first `-----BEGIN X-----` line.
fn first_label(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find_map(|l| {
        l.strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
    })
}

/// One line like `ssh-keygen -l` prints, plus the MD5 hex fingerprint:
/// `<bits> SHA256:<b64> MD5:<hex> <comment> (<TYPE>)`.
pub fn describe_key(key: &LoadedKey) -> String {
    let public = key.public_key();
    let comment = if key.comment().is_empty() {
        "no comment"
    } else {
        key.comment()
    };
    format!(
        "{} {} {} {} ({})",
        public.bits(),
        public.fingerprint(HashAlg::Sha256),
        public.fingerprint(HashAlg::Md5),
        comment,
        type_label(public)
    )
}

/// Reads `path` and describes the key in it (the `keyinfo` example's body).
pub fn describe(path: &std::path::Path, passphrase: Option<&[u8]>) -> Result<String, KeyError> {
    let data = std::fs::read(path).map_err(|source| KeyError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let key = decode_any(&data, passphrase)?;
    Ok(format!(
        "{}\nalgorithm: {}",
        describe_key(&key),
        key.public_key().key_type()
    ))
}

/// The short type label `ssh-keygen -l` prints in parentheses.
fn type_label(key: &PublicKey) -> String {
    let base = match key.plain_key().key_type() {
        crate::alg::SSH_ED25519 => "ED25519",
        crate::alg::SSH_RSA => "RSA",
        crate::alg::SSH_DSS => "DSA",
        _ => "ECDSA",
    };
    if key.certificate().is_some() {
        format!("{base}-CERT")
    } else {
        base.to_owned()
    }
}
