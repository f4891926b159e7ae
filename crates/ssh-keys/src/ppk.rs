//! PuTTY private key files (`.ppk`), versions 2 and 3 (PuTTY `sshpubk.c` format):
//!
//! ```text
//! PuTTY-User-Key-File-<2|3>: <key type>
//! Encryption: none | aes256-cbc
//! Comment: <text>
//! Public-Lines: <n>            then n lines of base64 (the SSH public key blob)
//! [v3, encrypted] Key-Derivation: Argon2id|Argon2i|Argon2d, Argon2-Memory/-Passes/
//!                 -Parallelism/-Salt
//! Private-Lines: <n>           then n lines of base64 (private fields, padded, encrypted)
//! Private-MAC: <hex>           v2: HMAC-SHA-1, v3: HMAC-SHA-256 over the five strings
//!                              algorithm, encryption, comment, public blob, private blob
//! ```

use base64::Engine as _;
use hmac::{KeyInit as _, Mac as _};
use sha1::Digest as _;
use ssh_wire::{Reader, Writer};
use zeroize::Zeroizing;

use crate::alg::{EcCurve, SSH_DSS, SSH_ED25519, SSH_RSA};
use crate::crypt::Cipher;
use crate::public::KeyData;
use crate::{KeyError, PrivateKey, PublicKey};

const FORMAT: &str = "PuTTY PPK";
/// Most base64 lines accepted for either section (an RSA-16384 private part is ~60 lines).
const MAX_LINES: usize = 1024;
/// Largest Argon2 memory cost accepted, in KiB (PuTTY's default is 8192); bounds what a
/// hostile file can make us allocate.
pub const MAX_ARGON2_MEMORY_KIB: u32 = 256 * 1024;
/// Largest Argon2 pass count accepted (PuTTY's default is tuned to ~100 ms, usually < 30).
pub const MAX_ARGON2_PASSES: u32 = 1000;
/// Largest Argon2 parallelism accepted.
const MAX_ARGON2_PARALLELISM: u32 = 64;

/// Parses a `.ppk` file, decrypting with `passphrase` when it is encrypted.
pub fn decode(text: &str, passphrase: Option<&[u8]>) -> Result<PrivateKey, KeyError> {
    if text.len() > crate::MAX_KEY_FILE_LEN {
        return Err(malformed("file too large"));
    }
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r'));
    let (first_name, key_type) = header(&mut lines)?;
    let version = match first_name {
        "PuTTY-User-Key-File-2" => 2,
        "PuTTY-User-Key-File-3" => 3,
        "PuTTY-User-Key-File-1" => {
            return Err(malformed(
                "PPK version 1 is not supported; re-save the key with a current PuTTYgen",
            ));
        }
        _ => return Err(malformed("not a PuTTY-User-Key-File")),
    };
    let encryption = expect(&mut lines, "Encryption")?;
    let encrypted = match encryption {
        "none" => false,
        "aes256-cbc" => true,
        other => {
            return Err(KeyError::UnsupportedCipher {
                format: FORMAT,
                cipher: crate::error::echo(other),
            });
        }
    };
    let comment = expect(&mut lines, "Comment")?;
    let public_blob = base64_lines(&mut lines, "Public-Lines")?;
    let mut argon = None;
    if version == 3 && encrypted {
        let kdf = expect(&mut lines, "Key-Derivation")?;
        let algorithm = match kdf {
            "Argon2id" => argon2::Algorithm::Argon2id,
            "Argon2i" => argon2::Algorithm::Argon2i,
            "Argon2d" => argon2::Algorithm::Argon2d,
            other => {
                return Err(KeyError::UnsupportedKdf {
                    format: FORMAT,
                    kdf: crate::error::echo(other),
                });
            }
        };
        let memory = number(expect(&mut lines, "Argon2-Memory")?)?;
        let passes = number(expect(&mut lines, "Argon2-Passes")?)?;
        let parallelism = number(expect(&mut lines, "Argon2-Parallelism")?)?;
        let salt = crate::pem::hex_decode(expect(&mut lines, "Argon2-Salt")?)
            .ok_or_else(|| malformed("Argon2-Salt is not hex"))?;
        if memory > MAX_ARGON2_MEMORY_KIB
            || passes > MAX_ARGON2_PASSES
            || parallelism > MAX_ARGON2_PARALLELISM
        {
            return Err(malformed(
                "Argon2 parameters are beyond this library's limits",
            ));
        }
        argon = Some((algorithm, memory, passes, parallelism, salt));
    }
    let mut private = Zeroizing::new(base64_lines(&mut lines, "Private-Lines")?);
    let mac_hex = expect(&mut lines, "Private-MAC")?;
    let mac = crate::pem::hex_decode(mac_hex).ok_or_else(|| malformed("Private-MAC is not hex"))?;

    if encrypted && passphrase.is_none() {
        return Err(KeyError::PassphraseRequired { format: FORMAT });
    }
    let pass = if encrypted {
        passphrase.unwrap_or_default()
    } else {
        &[]
    };

    // Derive cipher key, IV and MAC key.
    let cipher = Cipher::by_name("aes256-cbc");
    let (key, iv, mac_key): (Zeroizing<Vec<u8>>, Vec<u8>, Zeroizing<Vec<u8>>) = if version == 2 {
        let mut key = Zeroizing::new(Vec::new());
        for counter in [0u32, 1] {
            let mut h = sha1::Sha1::new();
            h.update(counter.to_be_bytes());
            h.update(pass);
            key.extend_from_slice(&h.finalize());
        }
        key.truncate(32);
        let mut h = sha1::Sha1::new();
        h.update(b"putty-private-key-file-mac-key");
        h.update(pass);
        (key, vec![0u8; 16], Zeroizing::new(h.finalize().to_vec()))
    } else if let Some((algorithm, memory, passes, parallelism, salt)) = &argon {
        let params = argon2::Params::new(*memory, *passes, *parallelism, Some(80))
            .map_err(|_| malformed("invalid Argon2 parameters"))?;
        let argon = argon2::Argon2::new(*algorithm, argon2::Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; 80]);
        argon
            .hash_password_into(pass, salt, out.as_mut_slice())
            .map_err(|_| malformed("Argon2 rejected its parameters"))?;
        let (k, rest) = out.split_at(32);
        let (iv, m) = rest.split_at(16);
        (
            Zeroizing::new(k.to_vec()),
            iv.to_vec(),
            Zeroizing::new(m.to_vec()),
        )
    } else {
        (
            Zeroizing::new(Vec::new()),
            Vec::new(),
            Zeroizing::new(Vec::new()),
        )
    };

    if encrypted {
        let cipher = cipher.ok_or_else(|| malformed("cipher unavailable"))?;
        if private.is_empty() || private.len() % 16 != 0 {
            return Err(KeyError::Truncated {
                format: FORMAT,
                reason: "private section is not a whole number of cipher blocks",
            });
        }
        cipher.decrypt(&key, &iv, &mut private, &[], FORMAT)?;
    }

    let mut mac_data = Vec::new();
    Writer::new(&mut mac_data)
        .string(key_type.as_bytes())
        .string(encryption.as_bytes())
        .string(comment.as_bytes())
        .string(&public_blob)
        .string(&private);
    let verified = if version == 2 {
        let mut m =
            hmac::Hmac::<sha1::Sha1>::new_from_slice(&mac_key).map_err(|_| malformed("MAC key"))?;
        m.update(&mac_data);
        m.verify_slice(&mac).is_ok()
    } else {
        let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(&mac_key)
            .map_err(|_| malformed("MAC key"))?;
        m.update(&mac_data);
        m.verify_slice(&mac).is_ok()
    };
    if !verified {
        return Err(if encrypted {
            KeyError::WrongPassphrase { format: FORMAT }
        } else {
            malformed("Private-MAC does not match: the file was modified or damaged")
        });
    }

    let public = PublicKey::from_blob(&public_blob)?;
    if public.key_type() != key_type {
        return Err(malformed(
            "the header's key type differs from the public key's",
        ));
    }
    let mut r = Reader::new(&private);
    let key = private_fields(&public, &mut r)?;
    // What remains is padding (at most one cipher block).
    if r.remaining() >= 16 || (!encrypted && version == 3 && !r.is_empty()) {
        return Err(malformed("unexpected data after the private fields"));
    }
    key.check_public(&public)?;
    Ok(key.with_comment(comment))
}

/// Reads the private fields PuTTY stores for each key type.
fn private_fields(public: &PublicKey, r: &mut Reader<'_>) -> Result<PrivateKey, KeyError> {
    match &public.data {
        KeyData::Rsa { e, n } => {
            let d = r.mpint("rsa d")?;
            let p = r.mpint("rsa p")?;
            let q = r.mpint("rsa q")?;
            let _iqmp = r.mpint("rsa iqmp")?;
            PrivateKey::from_rsa(n, e, d.magnitude(), p.magnitude(), q.magnitude())
        }
        KeyData::Dsa { p, q, g, y } => {
            let x = r.mpint("dsa x")?;
            PrivateKey::from_dsa(p, q, g, y, x.magnitude())
        }
        KeyData::Ecdsa { curve, point } => {
            let d = r.mpint("ecdsa d")?;
            PrivateKey::from_ecdsa(*curve, d.magnitude(), Some(point))
        }
        KeyData::Ed25519(pk) => {
            let seed = r.string("ed25519 private key")?;
            PrivateKey::from_ed25519(seed, Some(pk))
        }
        KeyData::Cert(_) => Err(KeyError::Unsupported {
            key_type: public.key_type(),
            reason: "certificates in PPK files",
        }),
    }
}

/// Writes `key` as an unencrypted PPK v2 or v3 file (used for round-trip tests and export).
pub fn encode_unencrypted(key: &PrivateKey, version: u8) -> Result<String, KeyError> {
    let mut private = Zeroizing::new(Vec::new());
    key.encode_ppk_private(&mut Writer::new(&mut private));
    if version == 2 {
        // v2 pads even unencrypted files to the cipher block size.
        let pad = (16 - private.len() % 16) % 16;
        private.extend(std::iter::repeat_n(0u8, pad));
    }
    let key_type = key.key_type();
    let public = key.public().to_blob();
    let comment = key.comment();
    let mut mac_data = Vec::new();
    Writer::new(&mut mac_data)
        .string(key_type.as_bytes())
        .string(b"none")
        .string(comment.as_bytes())
        .string(&public)
        .string(&private);
    let mac = match version {
        2 => {
            let mac_key = sha1::Sha1::digest(b"putty-private-key-file-mac-key");
            let mut m = hmac::Hmac::<sha1::Sha1>::new_from_slice(&mac_key)
                .map_err(|_| malformed("MAC key"))?;
            m.update(&mac_data);
            m.finalize().into_bytes().to_vec()
        }
        3 => {
            let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(&[])
                .map_err(|_| malformed("MAC key"))?;
            m.update(&mac_data);
            m.finalize().into_bytes().to_vec()
        }
        _ => return Err(malformed("only PPK versions 2 and 3 can be written")),
    };
    let b64 = |data: &[u8]| base64::engine::general_purpose::STANDARD.encode(data);
    let wrap = |s: &str| -> Vec<String> {
        s.as_bytes()
            .chunks(64)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect()
    };
    let pub_lines = wrap(&b64(&public));
    let priv_b64 = Zeroizing::new(b64(&private));
    let priv_lines = wrap(&priv_b64);
    let mut out = format!(
        "PuTTY-User-Key-File-{version}: {key_type}\nEncryption: none\nComment: {comment}\nPublic-Lines: {}\n",
        pub_lines.len()
    );
    for l in &pub_lines {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str(&format!("Private-Lines: {}\n", priv_lines.len()));
    for l in &priv_lines {
        out.push_str(l);
        out.push('\n');
    }
    let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
    out.push_str(&format!("Private-MAC: {hex}\n"));
    Ok(out)
}

/// The next mpint's magnitude, or empty (only used on our own serialisation).
fn mp<'a>(r: &mut Reader<'a>) -> &'a [u8] {
    r.mpint("field").map(|m| m.magnitude()).unwrap_or_default()
}

/// Reads the first line (`PuTTY-User-Key-File-N: type`).
fn header<'a>(lines: &mut impl Iterator<Item = &'a str>) -> Result<(&'a str, &'a str), KeyError> {
    let line = lines.next().ok_or(KeyError::Truncated {
        format: FORMAT,
        reason: "empty file",
    })?;
    line.split_once(": ")
        .ok_or_else(|| malformed("first line is not `PuTTY-User-Key-File-N: type`"))
}

/// Reads the next line, which must be the header `name`.
fn expect<'a>(
    lines: &mut impl Iterator<Item = &'a str>,
    name: &'static str,
) -> Result<&'a str, KeyError> {
    let line = lines.next().ok_or(KeyError::Truncated {
        format: FORMAT,
        reason: name,
    })?;
    match line.split_once(": ") {
        Some((n, v)) if n == name => Ok(v),
        _ => Err(KeyError::MalformedFile {
            format: FORMAT,
            reason: format!("expected the `{name}` header"),
        }),
    }
}

/// Reads `name: count` followed by that many base64 lines.
fn base64_lines<'a>(
    lines: &mut impl Iterator<Item = &'a str>,
    name: &'static str,
) -> Result<Vec<u8>, KeyError> {
    let count = usize::try_from(number(expect(lines, name)?)?).unwrap_or(usize::MAX);
    if count > MAX_LINES {
        return Err(malformed("too many base64 lines"));
    }
    let mut text = Zeroizing::new(String::new());
    for _ in 0..count {
        let line = lines.next().ok_or(KeyError::Truncated {
            format: FORMAT,
            reason: name,
        })?;
        text.push_str(line.trim());
    }
    base64::engine::general_purpose::STANDARD
        .decode(text.as_bytes())
        .map_err(|_| malformed("key data is not valid base64"))
}

fn number(s: &str) -> Result<u32, KeyError> {
    s.trim()
        .parse()
        .map_err(|_| malformed("a numeric header is not a number"))
}

fn malformed(reason: &str) -> KeyError {
    KeyError::MalformedFile {
        format: FORMAT,
        reason: reason.to_owned(),
    }
}

impl PrivateKey {
    /// Appends the private fields PuTTY stores (see [`private_fields`]).
    pub(crate) fn encode_ppk_private(&self, w: &mut Writer<'_>) {
        // Reuse the OpenSSH serialisation and pick the private parts out of it.
        let mut full = Zeroizing::new(Vec::new());
        self.encode_openssh(&mut Writer::new(&mut full));
        let mut r = Reader::new(&full);
        let Ok(key_type) = r.utf8("type") else { return };
        match key_type {
            SSH_RSA => {
                let _n = mp(&mut r);
                let _e = mp(&mut r);
                let d = mp(&mut r);
                let iqmp = mp(&mut r);
                let p = mp(&mut r);
                let q = mp(&mut r);
                w.mpint(d).mpint(p).mpint(q).mpint(iqmp);
            }
            SSH_DSS => {
                for _ in 0..4 {
                    mp(&mut r);
                }
                w.mpint(mp(&mut r));
            }
            SSH_ED25519 => {
                let _pk = r.string("pk");
                let sk = r.string("sk").unwrap_or_default();
                w.string(sk.get(..32).unwrap_or_default());
            }
            other if EcCurve::from_key_type(other).is_some() => {
                let _id = r.string("id");
                let _q = r.string("q");
                w.mpint(mp(&mut r));
            }
            _ => {}
        }
    }
}
