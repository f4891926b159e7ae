//! Key stores for the `ssh_cert_*` (client key) and `ssh_accept_server_host_key_*`
//! groups: the store types ssh-keys reads (PEM key file/blob, public key file/blob, SSH
//! public key file/blob, PPK file/blob, auto), and the "not supported on this platform"
//! answer for the others (Windows stores, PFX, Java key stores, PKCS#7, XML, JWK, PKCS#11).

use ssh_keys::{HashAlg, LoadedKey, PrivateKey, PublicKey};

use super::codes::NOT_SUPPORTED_ON_PLATFORM;
use super::properties::{CertInfo, Store};
use super::{invalid, timefmt};
use crate::error::{Error, ErrorKind, Result};

/// Loads the key the store names and checks `subject` ("*": the key in the store; else the
/// key's comment, a certificate's key id, or one of its fingerprints).
pub(crate) fn load_store(store: &Store, subject: &str) -> Result<(CertInfo, Option<PrivateKey>)> {
    let data = store_bytes(store)?;
    let (info, key) = load_encoded(&data, &store.password)?;
    if subject != "*" && !subject_matches(&info, subject) {
        return Err(Error::new(
            ErrorKind::InvalidState,
            code_no_key(),
            format!(
                "no key with subject {subject:?} in the store (it holds {:?})",
                info.subject
            ),
        ));
    }
    Ok((info, key))
}

/// Decodes a key given directly: a private key in any format ssh-keys reads, or a public
/// key (line, RFC 4716, PEM, SSH blob binary or base64).
pub(crate) fn load_encoded(data: &[u8], password: &str) -> Result<(CertInfo, Option<PrivateKey>)> {
    let passphrase = (!password.is_empty()).then_some(password.as_bytes());
    let loaded = ssh_keys::decode_any(data, passphrase).map_err(|e| {
        Error::new(
            ErrorKind::InvalidState,
            code_no_key(),
            format!("cannot read the key: {e}"),
        )
        .with_source(e)
    })?;
    let info = describe(
        loaded.public_key(),
        loaded.comment(),
        matches!(loaded, LoadedKey::Private(..)),
    );
    let key = match loaded {
        LoadedKey::Private(k, _) => Some(*k),
        LoadedKey::Public(..) => None,
    };
    Ok((info, key))
}

/// The properties shown for `key`.
pub(crate) fn describe(key: &PublicKey, comment: &str, private: bool) -> CertInfo {
    let blob = key.to_blob();
    let fp = |h| key.fingerprint(h).hex();
    let line = ssh_keys::PublicKeyLine {
        key: key.clone(),
        comment: String::new(),
    }
    .to_line();
    let mut info = CertInfo {
        fingerprint: fp(HashAlg::Md5),
        fingerprint_sha1: fp(HashAlg::Sha1),
        fingerprint_sha256: fp(HashAlg::Sha256),
        thumbprint_md5: fp(HashAlg::Md5).replace(':', ""),
        thumbprint_sha1: fp(HashAlg::Sha1).replace(':', ""),
        thumbprint_sha256: fp(HashAlg::Sha256).replace(':', ""),
        private_key_available: private,
        public_key: line.trim().to_owned(),
        public_key_algorithm: key.key_type().to_owned(),
        public_key_length: i32::try_from(key.bits()).unwrap_or(0),
        signature_algorithm: key
            .signature_algorithms()
            .first()
            .copied()
            .unwrap_or_default()
            .to_owned(),
        subject: comment.to_owned(),
        encoded: blob,
        ..CertInfo::default()
    };
    if let Some(cert) = key.certificate() {
        info.serial_number = format!("{:016x}", cert.serial());
        info.subject = cert.key_id().to_owned();
        info.issuer = cert.signature_key().fingerprint(HashAlg::Sha256).hex();
        info.effective_date =
            timefmt::cert_date(i64::try_from(cert.valid_after()).unwrap_or(i64::MAX));
        info.expiration_date =
            timefmt::cert_date(i64::try_from(cert.valid_before()).unwrap_or(i64::MAX));
        // No X.509 version: the certificate kind takes the field.
        info.version = match cert.cert_type() {
            ssh_keys::CertType::User => "user",
            ssh_keys::CertType::Host => "host",
        }
        .to_owned();
        info.signature_algorithm = cert.cert_type_name().to_owned();
    }
    info
}

fn subject_matches(info: &CertInfo, subject: &str) -> bool {
    let s = subject.trim();
    s == info.subject
        || s.eq_ignore_ascii_case(&info.fingerprint)
        || s.eq_ignore_ascii_case(&info.fingerprint_sha1)
        || s.eq_ignore_ascii_case(&info.fingerprint_sha256)
}

/// The bytes of the store: a file's contents for the *File types, the value itself for the
/// *Blob types; auto (99) reads a file when the value names one.
fn store_bytes(store: &Store) -> Result<Vec<u8>> {
    let from_file = |s: &Store| {
        let path = String::from_utf8_lossy(&s.store).into_owned();
        std::fs::read(&path).map_err(|e| Error::local(format!("open key store {path}"), e))
    };
    match store.store_type {
        6 | 8 | 13 | 14 => from_file(store),
        7 | 9 | 10 | 15 => Ok(store.store.clone()),
        99 => {
            let path = String::from_utf8_lossy(&store.store).into_owned();
            if !path.contains('\n') && std::path::Path::new(&path).is_file() {
                from_file(store)
            } else {
                Ok(store.store.clone())
            }
        }
        0 | 1 => Err(not_here("Windows certificate stores (cstUser, cstMachine)")),
        4 | 5 | 21 | 22 => Err(not_here("Java key stores (JKS, BCFKS)")),
        2 | 3 => Err(not_here(
            "PKCS#12 (PFX) stores: SSH keys only, no X.509 certificates",
        )),
        11 | 12 => Err(not_here(
            "PKCS#7 stores: SSH keys only, no X.509 certificates",
        )),
        16 | 17 => Err(not_here("XML key stores")),
        18 | 19 => Err(not_here("JWK key stores")),
        23 => Err(not_here("PKCS#11 security keys")),
        other => Err(invalid(format!("unknown certificate store type {other}"))),
    }
}

/// "Not supported on this platform" with its code.
pub(crate) fn not_here(what: &str) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        NOT_SUPPORTED_ON_PLATFORM,
        format!("not supported on this platform: {what}"),
    )
}

/// The seed has no specific code for "no such key": 302 (could not open file) is the
/// nearest.
fn code_no_key() -> i32 {
    crate::error::code::LOCAL_FILE_ERROR
}
