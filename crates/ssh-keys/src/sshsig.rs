//! SSH signatures over files (`ssh-keygen -Y sign|verify`, OpenSSH PROTOCOL.sshsig).
//!
//! ```text
//! signed data: "SSHSIG" string namespace, string reserved, string hash_algorithm, string H(message)
//! blob:        "SSHSIG" uint32 1, string publickey, string namespace, string reserved,
//!              string hash_algorithm, string signature
//! ```

use sha2::Digest as _;
use ssh_wire::{Reader, Writer};

use crate::armor::{self, Armor};
use crate::{KeyError, PrivateKey, PublicKey};

const FORMAT: &str = "SSHSIG";
const MAGIC: &[u8] = b"SSHSIG";
const LABEL: &str = "SSH SIGNATURE";

/// Signs `message` for `namespace` (e.g. `"file"`) and returns the armored signature, as
/// `ssh-keygen -Y sign` does (SHA-512; RSA keys sign with rsa-sha2-512).
pub fn sshsig_sign(key: &PrivateKey, namespace: &str, message: &[u8]) -> Result<String, KeyError> {
    let alg = key
        .public()
        .signature_algorithms()
        .first()
        .copied()
        .unwrap_or_default();
    let signed = signed_data(namespace, "sha512", &sha2::Sha512::digest(message));
    let signature = key.sign(alg, &signed)?;
    let mut blob = Vec::new();
    Writer::new(&mut blob)
        .raw(MAGIC)
        .u32(1)
        .string(&key.public().to_blob())
        .string(namespace.as_bytes())
        .string(b"")
        .string(b"sha512")
        .string(&signature);
    Ok(armor::encode(LABEL, &blob, 76))
}

/// Verifies an armored SSHSIG signature over `message` for `namespace`; returns the signing
/// key, which the caller must compare with the key it trusts.
pub fn sshsig_verify(
    armored: &str,
    namespace: &str,
    message: &[u8],
) -> Result<PublicKey, KeyError> {
    let armor = Armor::parse(armored, FORMAT)?;
    if armor.label != LABEL {
        return Err(KeyError::MalformedFile {
            format: FORMAT,
            reason: "not an SSH SIGNATURE block".to_owned(),
        });
    }
    let mut r = Reader::new(&armor.data);
    if r.bytes(MAGIC.len(), "magic")? != MAGIC {
        return Err(KeyError::MalformedFile {
            format: FORMAT,
            reason: "missing SSHSIG magic".to_owned(),
        });
    }
    if r.u32("version")? != 1 {
        return Err(KeyError::MalformedFile {
            format: FORMAT,
            reason: "unsupported SSHSIG version".to_owned(),
        });
    }
    let key = PublicKey::from_blob(r.string("publickey")?)?;
    let ns = r.string("namespace")?;
    let _reserved = r.string("reserved")?;
    let hash_alg = r.utf8("hash_algorithm")?;
    let signature = r.string("signature")?;
    r.finish()?;
    if ns != namespace.as_bytes() {
        return Err(KeyError::MalformedFile {
            format: FORMAT,
            reason: "signature namespace differs".to_owned(),
        });
    }
    let digest = match hash_alg {
        "sha512" => sha2::Sha512::digest(message).to_vec(),
        "sha256" => sha2::Sha256::digest(message).to_vec(),
        _ => {
            return Err(KeyError::MalformedFile {
                format: FORMAT,
                reason: "unsupported hash algorithm".to_owned(),
            });
        }
    };
    let signed = signed_data(namespace, hash_alg, &digest);
    let alg = crate::sig::SignatureBlob::decode(signature)?.algorithm;
    key.verify(alg, &signed, signature)?;
    Ok(key)
}

fn signed_data(namespace: &str, hash_alg: &str, digest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    Writer::new(&mut out)
        .raw(MAGIC)
        .string(namespace.as_bytes())
        .string(b"")
        .string(hash_alg.as_bytes())
        .string(digest);
    out
}
