//! OpenSSH private key files (`-----BEGIN OPENSSH PRIVATE KEY-----`, OpenSSH PROTOCOL.key).
//!
//! ```text
//! "openssh-key-v1" 0x00
//! string ciphername, string kdfname, string kdfoptions
//! uint32 number of keys (1)
//! string publickey
//! string encrypted: uint32 checkint, uint32 checkint, private key, string comment,
//!                   padding 1, 2, 3, ... to the cipher block size
//! [AEAD tag, outside the string]
//! ```

use ssh_wire::{Reader, Writer};
use zeroize::Zeroizing;

use crate::alg::{EcCurve, SSH_DSS, SSH_ED25519, SSH_RSA};
use crate::armor::{self, Armor};
use crate::crypt::Cipher;
use crate::{KeyError, PrivateKey, PublicKey};

const FORMAT: &str = "OpenSSH";
const MAGIC: &[u8] = b"openssh-key-v1\0";
/// PEM label of the format.
pub(crate) const LABEL: &str = "OPENSSH PRIVATE KEY";
/// Largest bcrypt round count accepted. ssh-keygen defaults to 16 and users pick up to a few
/// hundred; each round costs milliseconds, so a hostile file asking for 2^32 rounds would hang
/// the caller for days.
pub const MAX_BCRYPT_ROUNDS: u32 = 10_000;
/// Largest salt accepted (ssh-keygen writes 16 bytes).
const MAX_SALT_LEN: usize = 1024;

/// Parses an armored OpenSSH private key, decrypting it with `passphrase` when encrypted.
pub fn decode(text: &str, passphrase: Option<&[u8]>) -> Result<PrivateKey, KeyError> {
    let armor = Armor::parse(text, FORMAT)?;
    if armor.label != LABEL {
        return Err(KeyError::MalformedFile {
            format: FORMAT,
            reason: format!("unexpected label `{}`", crate::error::echo(&armor.label)),
        });
    }
    decode_binary(&armor.data, passphrase)
}

/// Parses the binary (base64-decoded) form.
pub fn decode_binary(data: &[u8], passphrase: Option<&[u8]>) -> Result<PrivateKey, KeyError> {
    let truncated = |reason| KeyError::Truncated {
        format: FORMAT,
        reason,
    };
    let malformed = |reason: &str| KeyError::MalformedFile {
        format: FORMAT,
        reason: reason.to_owned(),
    };
    let mut r = Reader::new(data);
    let magic = r
        .bytes(MAGIC.len(), "magic")
        .map_err(|_| truncated("no openssh-key-v1 header"))?;
    if magic != MAGIC {
        return Err(malformed("missing openssh-key-v1 magic"));
    }
    let header = (|| -> Result<_, ssh_wire::DecodeError> {
        let cipher = r.utf8("ciphername")?;
        let kdf = r.utf8("kdfname")?;
        let kdf_options = r.string("kdfoptions")?;
        let count = r.u32("number of keys")?;
        Ok((cipher, kdf, kdf_options, count))
    })();
    let (cipher_name, kdf, kdf_options, count) = header.map_err(|e| wire(e, truncated))?;
    if count != 1 {
        return Err(malformed(
            "files holding more than one key are not supported",
        ));
    }
    let public_blob = r.string("publickey").map_err(|e| wire(e, truncated))?;
    let encrypted = r
        .string("encrypted section")
        .map_err(|e| wire(e, truncated))?;
    let cipher = Cipher::by_name(cipher_name).ok_or_else(|| KeyError::UnsupportedCipher {
        format: FORMAT,
        cipher: crate::error::echo(cipher_name),
    })?;
    let tag = r
        .bytes(cipher.tag_len, "authentication tag")
        .map_err(|_| truncated("authentication tag missing"))?;
    r.finish().map_err(|e| wire(e, truncated))?;
    let public = PublicKey::from_blob(public_blob)?;

    let mut plain = Zeroizing::new(encrypted.to_vec());
    if cipher.is_none() {
        if kdf != "none" {
            return Err(malformed("kdf set without a cipher"));
        }
    } else {
        if kdf != "bcrypt" {
            return Err(KeyError::UnsupportedKdf {
                format: FORMAT,
                kdf: crate::error::echo(kdf),
            });
        }
        let Some(pass) = passphrase else {
            return Err(KeyError::PassphraseRequired { format: FORMAT });
        };
        let mut kr = Reader::new(kdf_options);
        let salt = kr
            .string_max(MAX_SALT_LEN, "bcrypt salt")
            .map_err(|e| wire(e, truncated))?;
        let rounds = kr.u32("bcrypt rounds").map_err(|e| wire(e, truncated))?;
        kr.finish().map_err(|e| wire(e, truncated))?;
        if rounds == 0 || rounds > MAX_BCRYPT_ROUNDS {
            return Err(malformed("bcrypt round count out of range"));
        }
        let key_iv = bcrypt_key(pass, salt, rounds, &cipher)?;
        let (key, iv) = key_iv.split_at(cipher.key_len);
        cipher.decrypt(key, iv, &mut plain, tag, FORMAT)?;
    }

    let mut pr = Reader::new(&plain);
    let check1 = pr.u32("checkint").map_err(|e| wire(e, truncated))?;
    let check2 = pr.u32("checkint").map_err(|e| wire(e, truncated))?;
    if check1 != check2 {
        // With no cipher this is corruption; with one, almost always a wrong passphrase.
        return Err(if cipher.is_none() {
            malformed("check bytes differ")
        } else {
            KeyError::WrongPassphrase { format: FORMAT }
        });
    }
    let key = decode_private_fields(&mut pr)?;
    let comment = pr.string("comment").map_err(|e| wire(e, truncated))?;
    // Padding is 1, 2, 3 ... (PROTOCOL.key); OpenSSH checks it.
    let padding = pr.rest();
    if padding.len() >= cipher.block_len.max(8)
        || padding
            .iter()
            .enumerate()
            .any(|(i, &b)| usize::from(b) != i.saturating_add(1))
    {
        return Err(malformed("bad padding in the private section"));
    }
    key.check_public(&public)?;
    Ok(key.with_comment(&String::from_utf8_lossy(comment)))
}

/// Reads `string keytype` and the type's private fields (OpenSSH `sshkey_private_deserialize`).
pub(crate) fn decode_private_fields(r: &mut Reader<'_>) -> Result<PrivateKey, KeyError> {
    let key_type = r.utf8("private key type")?;
    match key_type {
        SSH_ED25519 => {
            let pk = r.string("ed25519 public key")?;
            let sk = r.string("ed25519 secret key")?;
            // sk is seed || pk (64 bytes).
            let (seed, pk2) = sk.split_at_checked(32).ok_or(KeyError::InvalidKey {
                key_type: SSH_ED25519,
                reason: "secret key is not 64 bytes",
            })?;
            if pk2 != pk {
                return Err(KeyError::InvalidKey {
                    key_type: SSH_ED25519,
                    reason: "public half of the secret key does not match",
                });
            }
            PrivateKey::from_ed25519(seed, Some(pk))
        }
        SSH_RSA => {
            let n = r.mpint("rsa n")?;
            let e = r.mpint("rsa e")?;
            let d = r.mpint("rsa d")?;
            let _iqmp = r.mpint("rsa iqmp")?;
            let p = r.mpint("rsa p")?;
            let q = r.mpint("rsa q")?;
            PrivateKey::from_rsa(
                n.magnitude(),
                e.magnitude(),
                d.magnitude(),
                p.magnitude(),
                q.magnitude(),
            )
        }
        SSH_DSS => {
            let p = r.mpint("dsa p")?;
            let q = r.mpint("dsa q")?;
            let g = r.mpint("dsa g")?;
            let y = r.mpint("dsa y")?;
            let x = r.mpint("dsa x")?;
            PrivateKey::from_dsa(
                p.magnitude(),
                q.magnitude(),
                g.magnitude(),
                y.magnitude(),
                x.magnitude(),
            )
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
                let d = r.mpint("ecdsa d")?;
                PrivateKey::from_ecdsa(curve, d.magnitude(), Some(q))
            }
            None => Err(KeyError::unknown_key_type(other)),
        },
    }
}

/// Options for writing an OpenSSH private key.
#[derive(Clone, Copy, Debug)]
pub struct EncryptOptions<'a> {
    /// The passphrase.
    pub passphrase: &'a [u8],
    /// OpenSSH cipher name (`aes256-ctr` is ssh-keygen's default).
    pub cipher: &'a str,
    /// bcrypt rounds (ssh-keygen's default is 16).
    pub rounds: u32,
}

/// Writes `key` as an armored OpenSSH private key, encrypted when `encrypt` is given.
/// `rng` supplies the check integer and the salt.
pub fn encode<R: rand_core::CryptoRng + ?Sized>(
    key: &PrivateKey,
    encrypt: Option<EncryptOptions<'_>>,
    rng: &mut R,
) -> Result<String, KeyError> {
    let cipher = match encrypt {
        None => Cipher::by_name("none"),
        Some(o) => Cipher::by_name(o.cipher),
    }
    .ok_or_else(|| KeyError::UnsupportedCipher {
        format: FORMAT,
        cipher: crate::error::echo(encrypt.map(|o| o.cipher).unwrap_or_default()),
    })?;
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut salt);
    let check = rng.next_u32();

    let mut plain = Zeroizing::new(Vec::new());
    {
        let mut w = Writer::new(&mut plain);
        w.u32(check).u32(check);
        key.encode_openssh(&mut w);
        w.string(key.comment().as_bytes());
    }
    let block = cipher.block_len.max(8);
    let mut pad = 1u8;
    while plain.len() % block != 0 {
        plain.push(pad);
        pad = pad.wrapping_add(1);
    }

    let mut kdf_options = Vec::new();
    let mut tag = Vec::new();
    if let Some(o) = encrypt.filter(|_| !cipher.is_none()) {
        if o.rounds == 0 || o.rounds > MAX_BCRYPT_ROUNDS {
            return Err(KeyError::MalformedFile {
                format: FORMAT,
                reason: "bcrypt round count out of range".to_owned(),
            });
        }
        Writer::new(&mut kdf_options).string(&salt).u32(o.rounds);
        let key_iv = bcrypt_key(o.passphrase, &salt, o.rounds, &cipher)?;
        let (k, iv) = key_iv.split_at(cipher.key_len);
        tag = cipher
            .encrypt(k, iv, &mut plain)
            .ok_or_else(|| KeyError::MalformedFile {
                format: FORMAT,
                reason: "cipher setup failed".to_owned(),
            })?;
    }
    let encrypted = !cipher.is_none();
    let mut out = Vec::new();
    Writer::new(&mut out)
        .raw(MAGIC)
        .string(cipher.name.as_bytes())
        .string(if encrypted { b"bcrypt" } else { b"none" })
        .string(&kdf_options)
        .u32(1)
        .string(&key.public().to_blob())
        .string(&plain)
        .raw(&tag);
    Ok(armor::encode(LABEL, &out, 70))
}

/// bcrypt-pbkdf output for the cipher's key and IV (OpenSSH `sshkey_parse_private2`).
fn bcrypt_key(
    pass: &[u8],
    salt: &[u8],
    rounds: u32,
    cipher: &Cipher,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let mut key_iv = Zeroizing::new(vec![0u8; cipher.key_len.saturating_add(cipher.iv_len)]);
    bcrypt_pbkdf::bcrypt_pbkdf(pass, salt, rounds, &mut key_iv).map_err(|_| {
        KeyError::MalformedFile {
            format: FORMAT,
            reason: "bcrypt-pbkdf rejected its parameters".to_owned(),
        }
    })?;
    Ok(key_iv)
}

/// A wire error in the file container: running out of bytes is truncation, anything else is
/// a malformed file.
fn wire(e: ssh_wire::DecodeError, truncated: impl Fn(&'static str) -> KeyError) -> KeyError {
    match e.kind {
        ssh_wire::DecodeErrorKind::Truncated { .. } => truncated(e.field),
        _ => KeyError::MalformedFile {
            format: FORMAT,
            reason: e.to_string(),
        },
    }
}
