//! PEM and DER key files as OpenSSL and `ssh-keygen -m PEM|PKCS8` write them:
//! PKCS#1 `RSA PRIVATE KEY`, SEC1 `EC PRIVATE KEY`, OpenSSL `DSA PRIVATE KEY` (each optionally
//! with legacy `Proc-Type: 4,ENCRYPTED` encryption), PKCS#8 `PRIVATE KEY` and
//! `ENCRYPTED PRIVATE KEY` (PBES2), and public keys: SubjectPublicKeyInfo `PUBLIC KEY` and
//! PKCS#1 `RSA PUBLIC KEY`. The DER inside is parsed by the RustCrypto `der` family.

use der::{Decode as _, Reader as _};
use md5::Digest as _;
use pkcs8::ObjectIdentifier;
use rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _};
use zeroize::Zeroizing;

use crate::alg::EcCurve;
use crate::armor::Armor;
use crate::crypt::Cipher;
use crate::public::KeyData;
use crate::{KeyError, PrivateKey, PublicKey};

const FORMAT: &str = "PEM";
const FORMAT_PKCS8: &str = "PKCS#8";

const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_DSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10040.4.1");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");

/// Whether `label` is a private-key label this module reads.
pub(crate) fn is_private_label(label: &str) -> bool {
    matches!(
        label,
        "RSA PRIVATE KEY"
            | "EC PRIVATE KEY"
            | "DSA PRIVATE KEY"
            | "PRIVATE KEY"
            | "ENCRYPTED PRIVATE KEY"
    )
}

/// Parses a PEM private key of any of the labels above.
pub fn decode_private(text: &str, passphrase: Option<&[u8]>) -> Result<PrivateKey, KeyError> {
    let armor = Armor::parse(text, FORMAT)?;
    let mut der = armor.data.clone();
    if armor
        .header("Proc-Type")
        .is_some_and(|v| v.replace(' ', "") == "4,ENCRYPTED")
    {
        let dek = armor
            .header("DEK-Info")
            .ok_or_else(|| KeyError::MalformedFile {
                format: FORMAT,
                reason: "encrypted PEM without a DEK-Info header".to_owned(),
            })?;
        let Some(pass) = passphrase else {
            return Err(KeyError::PassphraseRequired { format: FORMAT });
        };
        der = legacy_decrypt(dek, pass, &armor.data)?;
        // A wrong passphrase yields garbage that rarely survives the padding check and
        // never the DER parse: report a DER failure after decryption as a wrong passphrase.
        return decode_traditional(&armor.label, &der).map_err(|e| match e {
            KeyError::MalformedFile { .. } | KeyError::InvalidKey { .. } => {
                KeyError::WrongPassphrase { format: FORMAT }
            }
            other => other,
        });
    }
    match armor.label.as_str() {
        "PRIVATE KEY" => decode_pkcs8_der(&der),
        "ENCRYPTED PRIVATE KEY" => decode_encrypted_pkcs8_der(&der, passphrase),
        label => decode_traditional(label, &der),
    }
}

/// A PKCS#1, SEC1 or OpenSSL DSA private key in DER, by PEM label.
fn decode_traditional(label: &str, der: &[u8]) -> Result<PrivateKey, KeyError> {
    match label {
        "RSA PRIVATE KEY" => {
            use pkcs1::DecodeRsaPrivateKey as _;
            let key = rsa::PrivateKey::from_pkcs1_der(der).map_err(|e| malformed(FORMAT, e))?;
            rsa_private(&key)
        }
        "EC PRIVATE KEY" => decode_sec1(der, None),
        "DSA PRIVATE KEY" => decode_openssl_dsa(der),
        other => Err(KeyError::MalformedFile {
            format: FORMAT,
            reason: format!("unsupported PEM label `{}`", crate::error::echo(other)),
        }),
    }
}

/// PKCS#8 `PrivateKeyInfo` (RFC 5208 / RFC 5958) in DER.
pub fn decode_pkcs8_der(der: &[u8]) -> Result<PrivateKey, KeyError> {
    let info = pkcs8::PrivateKeyInfoRef::try_from(der).map_err(|e| malformed(FORMAT_PKCS8, e))?;
    let oid = info.algorithm.oid;
    let private = info.private_key.as_bytes();
    if oid == OID_RSA {
        use pkcs1::DecodeRsaPrivateKey as _;
        let key =
            rsa::PrivateKey::from_pkcs1_der(private).map_err(|e| malformed(FORMAT_PKCS8, e))?;
        rsa_private(&key)
    } else if oid == OID_EC {
        let curve_oid = info
            .algorithm
            .parameters_oid()
            .map_err(|e| malformed(FORMAT_PKCS8, e))?;
        decode_sec1(private, Some(curve_oid))
    } else if oid == OID_ED25519 {
        // RFC 8410 §7: CurvePrivateKey ::= OCTET STRING (the 32-byte seed).
        let seed = <&der::asn1::OctetStringRef>::from_der(private)
            .map_err(|e| malformed(FORMAT_PKCS8, e))?;
        PrivateKey::from_ed25519(seed.as_bytes(), None)
    } else if oid == OID_DSA {
        use pkcs8::DecodePrivateKey as _;
        let key = dsa::SigningKey::from_pkcs8_der(der).map_err(|e| malformed(FORMAT_PKCS8, e))?;
        let c = key.verifying_key().components();
        let b = |v: &rsa::BoxedUint| Zeroizing::new(v.to_be_bytes_trimmed_vartime().to_vec());
        PrivateKey::from_dsa(
            &b(c.p()),
            &b(c.q()),
            &b(c.g()),
            &b(key.verifying_key().y()),
            &b(key.x()),
        )
    } else {
        Err(KeyError::MalformedFile {
            format: FORMAT_PKCS8,
            reason: format!("unsupported key algorithm {oid}"),
        })
    }
}

/// PKCS#8 `EncryptedPrivateKeyInfo` (PBES2: PBKDF2 or scrypt with AES-CBC, or 3DES).
pub fn decode_encrypted_pkcs8_der(
    der: &[u8],
    passphrase: Option<&[u8]>,
) -> Result<PrivateKey, KeyError> {
    let info =
        pkcs8::EncryptedPrivateKeyInfoRef::try_from(der).map_err(|e| malformed(FORMAT_PKCS8, e))?;
    let Some(pass) = passphrase else {
        return Err(KeyError::PassphraseRequired {
            format: FORMAT_PKCS8,
        });
    };
    let doc = info.decrypt(pass).map_err(|e| match e {
        pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::DecryptFailed) | pkcs8::Error::Asn1(_) => {
            KeyError::WrongPassphrase {
                format: FORMAT_PKCS8,
            }
        }
        pkcs8::Error::EncryptedPrivateKey(other) => KeyError::UnsupportedCipher {
            format: FORMAT_PKCS8,
            cipher: other.to_string(),
        },
        other => malformed(FORMAT_PKCS8, other),
    })?;
    decode_pkcs8_der(doc.as_bytes()).map_err(|e| match e {
        KeyError::MalformedFile { .. } => KeyError::WrongPassphrase {
            format: FORMAT_PKCS8,
        },
        other => other,
    })
}

/// SEC1 `ECPrivateKey` (RFC 5915); the curve comes from the PKCS#8 algorithm parameters or
/// from the key's own parameters.
fn decode_sec1(der: &[u8], curve_oid: Option<ObjectIdentifier>) -> Result<PrivateKey, KeyError> {
    let key = sec1::EcPrivateKey::try_from(der).map_err(|e| malformed(FORMAT, e))?;
    let oid = curve_oid
        .or_else(|| key.parameters.and_then(|p| p.named_curve()))
        .ok_or_else(|| KeyError::MalformedFile {
            format: FORMAT,
            reason: "EC key without a named curve".to_owned(),
        })?;
    let curve = curve_of(oid)?;
    PrivateKey::from_ecdsa(
        curve,
        key.private_key,
        key.public_key
            .and_then(|p| (p.first() == Some(&4)).then_some(p)),
    )
}

/// OpenSSL's traditional DSA key: SEQUENCE { version 0, p, q, g, y, x }.
fn decode_openssl_dsa(der: &[u8]) -> Result<PrivateKey, KeyError> {
    let mut reader = der::SliceReader::new(der).map_err(|e| malformed(FORMAT, e))?;
    let parts = reader
        .sequence(|r| {
            let version: der::asn1::UintRef<'_> = r.decode()?;
            let mut v = Vec::with_capacity(5);
            for _ in 0..5 {
                let n: der::asn1::UintRef<'_> = r.decode()?;
                v.push(n.as_bytes().to_vec());
            }
            Ok::<_, der::Error>((version.as_bytes().to_vec(), v))
        })
        .map_err(|e| malformed(FORMAT, e))?;
    reader.finish().map_err(|e| malformed(FORMAT, e))?;
    let (version, v) = parts;
    let v: Vec<Zeroizing<Vec<u8>>> = v.into_iter().map(Zeroizing::new).collect();
    match (version.as_slice(), v.as_slice()) {
        ([] | [0], [p, q, g, y, x]) => PrivateKey::from_dsa(p, q, g, y, x),
        _ => Err(KeyError::MalformedFile {
            format: FORMAT,
            reason: "unsupported DSA key version".to_owned(),
        }),
    }
}

/// Legacy OpenSSL PEM encryption: `DEK-Info: <cipher>,<hex IV>`, key from
/// `EVP_BytesToKey(MD5, salt = IV[..8], 1 iteration)`, CBC with PKCS#7 padding.
fn legacy_decrypt(dek: &str, pass: &[u8], data: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let (name, iv_hex) = dek.split_once(',').ok_or_else(|| KeyError::MalformedFile {
        format: FORMAT,
        reason: "DEK-Info is not `cipher,iv`".to_owned(),
    })?;
    let cipher_name = match name.trim().to_ascii_uppercase().as_str() {
        "AES-128-CBC" => "aes128-cbc",
        "AES-192-CBC" => "aes192-cbc",
        "AES-256-CBC" => "aes256-cbc",
        "DES-EDE3-CBC" => "3des-cbc",
        _ => {
            return Err(KeyError::UnsupportedCipher {
                format: FORMAT,
                cipher: crate::error::echo(name.trim()),
            });
        }
    };
    let cipher = Cipher::by_name(cipher_name).ok_or_else(|| KeyError::UnsupportedCipher {
        format: FORMAT,
        cipher: cipher_name.to_owned(),
    })?;
    let iv = hex_decode(iv_hex.trim())
        .filter(|iv| iv.len() == cipher.iv_len)
        .ok_or_else(|| KeyError::MalformedFile {
            format: FORMAT,
            reason: "DEK-Info IV is not hex of the cipher's IV size".to_owned(),
        })?;
    let salt = iv.get(..8).unwrap_or_default();
    let mut key = Zeroizing::new(Vec::new());
    let mut prev: Option<Zeroizing<Vec<u8>>> = None;
    while key.len() < cipher.key_len {
        let mut h = md5::Md5::new();
        if let Some(p) = &prev {
            h.update(p.as_slice());
        }
        h.update(pass);
        h.update(salt);
        let d = Zeroizing::new(h.finalize().to_vec());
        key.extend_from_slice(&d);
        prev = Some(d);
    }
    key.truncate(cipher.key_len);
    let mut buf = Zeroizing::new(data.to_vec());
    if buf.is_empty() || buf.len() % cipher.block_len != 0 {
        return Err(KeyError::Truncated {
            format: FORMAT,
            reason: "encrypted body is not a whole number of cipher blocks",
        });
    }
    cipher.decrypt(&key, &iv, &mut buf, &[], FORMAT)?;
    // PKCS#7 padding: 1..=block bytes each equal to the count.
    let pad = buf.last().copied().map(usize::from).unwrap_or(0);
    let body_len = buf.len().checked_sub(pad);
    let valid = pad >= 1
        && pad <= cipher.block_len
        && body_len.is_some_and(|n| {
            buf.get(n..)
                .is_some_and(|p| p.iter().all(|&b| usize::from(b) == pad))
        });
    if !valid {
        return Err(KeyError::WrongPassphrase { format: FORMAT });
    }
    buf.truncate(body_len.unwrap_or(0));
    Ok(buf)
}

/// Parses a PEM public key: `PUBLIC KEY` (SubjectPublicKeyInfo) or `RSA PUBLIC KEY` (PKCS#1).
pub fn decode_public(text: &str) -> Result<PublicKey, KeyError> {
    let armor = Armor::parse(text, FORMAT)?;
    match armor.label.as_str() {
        "PUBLIC KEY" => decode_spki_der(&armor.data),
        "RSA PUBLIC KEY" => {
            use pkcs1::DecodeRsaPublicKey as _;
            let key =
                rsa::PublicKey::from_pkcs1_der(&armor.data).map_err(|e| malformed(FORMAT, e))?;
            rsa_public(&key)
        }
        other => Err(KeyError::MalformedFile {
            format: FORMAT,
            reason: format!(
                "unsupported PEM public key label `{}`",
                crate::error::echo(other)
            ),
        }),
    }
}

/// A DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7, RFC 5480, RFC 8410).
pub fn decode_spki_der(der: &[u8]) -> Result<PublicKey, KeyError> {
    let spki = spki::SubjectPublicKeyInfoRef::try_from(der)
        .map_err(|e| malformed("SubjectPublicKeyInfo", e))?;
    let oid = spki.algorithm.oid;
    let bits = spki.subject_public_key.raw_bytes();
    let data = if oid == OID_RSA {
        use pkcs1::DecodeRsaPublicKey as _;
        let key = rsa::PublicKey::from_pkcs1_der(bits)
            .map_err(|e| malformed("SubjectPublicKeyInfo", e))?;
        return rsa_public(&key);
    } else if oid == OID_EC {
        let curve = curve_of(
            spki.algorithm
                .parameters_oid()
                .map_err(|e| malformed("SubjectPublicKeyInfo", e))?,
        )?;
        KeyData::ecdsa(curve, bits)?
    } else if oid == OID_ED25519 {
        KeyData::ed25519(bits)?
    } else if oid == OID_DSA {
        use pkcs8::DecodePublicKey as _;
        let vk = dsa::VerifyingKey::from_public_key_der(der)
            .map_err(|e| malformed("SubjectPublicKeyInfo", e))?;
        let c = vk.components();
        let b = |v: &rsa::BoxedUint| v.to_be_bytes_trimmed_vartime().to_vec();
        KeyData::Dsa {
            p: b(c.p()),
            q: b(c.q()),
            g: b(c.g()),
            y: b(vk.y()),
        }
    } else {
        return Err(KeyError::MalformedFile {
            format: "SubjectPublicKeyInfo",
            reason: format!("unsupported key algorithm {oid}"),
        });
    };
    Ok(PublicKey { data })
}

fn rsa_public(key: &rsa::PublicKey) -> Result<PublicKey, KeyError> {
    let e = key.e().to_be_bytes_trimmed_vartime();
    let n = key.n().to_be_bytes_trimmed_vartime();
    let mut blob = Vec::new();
    ssh_wire::Writer::new(&mut blob)
        .string(b"ssh-rsa")
        .mpint(&e)
        .mpint(&n);
    PublicKey::from_blob(&blob)
}

fn rsa_private(key: &rsa::PrivateKey) -> Result<PrivateKey, KeyError> {
    let b = |v: &rsa::BoxedUint| Zeroizing::new(v.to_be_bytes_trimmed_vartime().to_vec());
    let primes = key.primes();
    let (Some(p), Some(q), 2) = (primes.first(), primes.get(1), primes.len()) else {
        return Err(KeyError::InvalidKey {
            key_type: crate::alg::SSH_RSA,
            reason: "only two-prime RSA keys are supported",
        });
    };
    PrivateKey::from_rsa(&b(key.n()), &b(key.e()), &b(key.d()), &b(p), &b(q))
}

fn curve_of(oid: ObjectIdentifier) -> Result<EcCurve, KeyError> {
    if oid == OID_P256 {
        Ok(EcCurve::P256)
    } else if oid == OID_P384 {
        Ok(EcCurve::P384)
    } else if oid == OID_P521 {
        Ok(EcCurve::P521)
    } else {
        Err(KeyError::MalformedFile {
            format: FORMAT,
            reason: format!("unsupported elliptic curve {oid}"),
        })
    }
}

fn malformed(format: &'static str, e: impl std::fmt::Display) -> KeyError {
    KeyError::MalformedFile {
        format,
        reason: e.to_string(),
    }
}

/// Decodes an even-length hex string.
pub(crate) fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    s.as_bytes()
        .chunks(2)
        .map(|pair| {
            let hi = (*pair.first()? as char).to_digit(16)?;
            let lo = (*pair.get(1)? as char).to_digit(16)?;
            u8::try_from(hi * 16 + lo).ok()
        })
        .collect()
}
