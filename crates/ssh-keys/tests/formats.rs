//! PEM, PKCS#8, PPK and public key formats made by ssh-keygen, openssl and puttygen, loaded
//! through format auto-detection; fingerprints compared with the tools' own.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // tests

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::*;
use ssh_keys::{HashAlg, KeyError, KeyFormat, LoadedKey, decode_any};

fn load(path: &Path, pass: Option<&str>) -> Result<LoadedKey, KeyError> {
    decode_any(&fs::read(path).unwrap(), pass.map(str::as_bytes))
}

fn sha256(key: &LoadedKey) -> String {
    key.public_key().fingerprint(HashAlg::Sha256).to_string()
}

/// The SHA256 fingerprint ssh-keygen computes from a private key file it reads itself.
fn keygen_private_fp(dir: &Path, path: &Path, pass: &str) -> String {
    let line = run(Command::new("ssh-keygen")
        .args(["-y", "-P", pass, "-f"])
        .arg(path));
    let pub_path = dir.join("derived.pub");
    fs::write(&pub_path, line).unwrap();
    keygen_fingerprint(&pub_path, "sha256")
}

#[test]
fn ssh_keygen_pem_and_pkcs8_private_keys() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in KEYGEN_TYPES {
        for (mode, format) in [("PEM", KeyFormat::Pem), ("PKCS8", KeyFormat::Pkcs8)] {
            if *name == "ed25519" {
                continue; // ssh-keygen writes ed25519 only in its own format; openssl test below.
            }
            for pass in ["", "pw-123"] {
                let file = format!("{name}-{mode}-{}", pass.len());
                let mut a = args.to_vec();
                a.extend(["-m", mode]);
                let path = keygen(dir.path(), &file, &a, pass);
                let pass_opt = (!pass.is_empty()).then_some(pass);
                let key = load(&path, pass_opt).unwrap_or_else(|e| panic!("{file}: {e}"));
                assert!(matches!(key, LoadedKey::Private(..)));
                assert_eq!(key.format(), format, "{file}");
                assert_eq!(
                    sha256(&key),
                    keygen_fingerprint(&path.with_extension("pub"), "sha256"),
                    "{file}"
                );
                if !pass.is_empty() {
                    assert!(
                        matches!(load(&path, None), Err(KeyError::PassphraseRequired { .. })),
                        "{file}"
                    );
                    let wrong = load(&path, Some("nope"));
                    assert!(
                        matches!(wrong, Err(KeyError::WrongPassphrase { .. })),
                        "{file}: {wrong:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn openssl_made_keys() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = |args: &[&str]| {
        run(Command::new("openssl").args(args).current_dir(d));
    };
    // Legacy encrypted PEM with AES-256 and 3DES, SEC1 EC, PKCS#8 PBES2 (AES-256-CBC +
    // PBKDF2/HMAC-SHA256), ed25519 PKCS#8.
    o(&[
        "genrsa",
        "-traditional",
        "-aes256",
        "-passout",
        "pass:pw",
        "-out",
        "rsa-aes.pem",
        "2048",
    ]);
    o(&[
        "rsa",
        "-traditional",
        "-in",
        "rsa-aes.pem",
        "-passin",
        "pass:pw",
        "-des3",
        "-passout",
        "pass:pw",
        "-out",
        "rsa-des3.pem",
    ]);
    o(&[
        "ecparam",
        "-genkey",
        "-name",
        "secp384r1",
        "-noout",
        "-out",
        "ec.pem",
    ]);
    o(&[
        "ec",
        "-in",
        "ec.pem",
        "-aes128",
        "-passout",
        "pass:pw",
        "-out",
        "ec-aes.pem",
    ]);
    o(&[
        "pkcs8",
        "-topk8",
        "-in",
        "ec.pem",
        "-v2",
        "aes-256-cbc",
        "-v2prf",
        "hmacWithSHA256",
        "-passout",
        "pass:pw",
        "-out",
        "ec-p8.pem",
    ]);
    o(&[
        "pkcs8",
        "-topk8",
        "-in",
        "rsa-aes.pem",
        "-passin",
        "pass:pw",
        "-nocrypt",
        "-outform",
        "DER",
        "-out",
        "rsa-p8.der",
    ]);
    o(&["genpkey", "-algorithm", "ed25519", "-out", "ed.pem"]);
    o(&[
        "pkcs8",
        "-topk8",
        "-in",
        "ed.pem",
        "-v2",
        "aes-128-cbc",
        "-passout",
        "pass:pw",
        "-out",
        "ed-enc.pem",
    ]);
    let cases: &[(&str, Option<&str>, KeyFormat)] = &[
        ("rsa-aes.pem", Some("pw"), KeyFormat::Pem),
        ("rsa-des3.pem", Some("pw"), KeyFormat::Pem),
        ("ec.pem", None, KeyFormat::Pem),
        ("ec-aes.pem", Some("pw"), KeyFormat::Pem),
        ("ec-p8.pem", Some("pw"), KeyFormat::Pkcs8),
        ("rsa-p8.der", None, KeyFormat::Pkcs8),
        ("ed.pem", None, KeyFormat::Pkcs8),
        ("ed-enc.pem", Some("pw"), KeyFormat::Pkcs8),
    ];
    for (file, pass, format) in cases {
        let key = load(&d.join(file), *pass).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(key.format(), *format, "{file}");
        if pass.is_some() {
            assert!(
                matches!(
                    load(&d.join(file), Some("bad")),
                    Err(KeyError::WrongPassphrase { .. })
                ),
                "{file}"
            );
        }
        // Public half exported by openssl as SubjectPublicKeyInfo PEM and DER must match.
        let mut args = vec!["pkey", "-in", file, "-pubout", "-out", "spki.pem"];
        if file.ends_with(".der") {
            args.extend(["-inform", "DER"]);
        }
        if pass.is_some() {
            args.extend(["-passin", "pass:pw"]);
        }
        o(&args);
        let spki = load(&d.join("spki.pem"), None).unwrap();
        assert_eq!(spki.format(), KeyFormat::PemPublic);
        assert_eq!(spki.public_key(), key.public_key(), "{file}");
        let mut args = vec![
            "pkey", "-in", file, "-pubout", "-outform", "DER", "-out", "spki.der",
        ];
        if file.ends_with(".der") {
            args.extend(["-inform", "DER"]);
        }
        if pass.is_some() {
            args.extend(["-passin", "pass:pw"]);
        }
        o(&args);
        assert_eq!(
            load(&d.join("spki.der"), None).unwrap().public_key(),
            key.public_key()
        );
        // ssh-keygen agrees on the fingerprint for the PEM files it can read.
        if !file.starts_with("ed") && !file.ends_with(".der") {
            assert_eq!(
                sha256(&key),
                keygen_private_fp(d, &d.join(file), pass.unwrap_or("")),
                "{file}"
            );
        }
    }
    // ed25519: build the OpenSSH line from the raw key openssl exports (last 32 bytes of
    // the SPKI DER) and let ssh-keygen fingerprint it.
    o(&[
        "pkey",
        "-in",
        "ed.pem",
        "-pubout",
        "-outform",
        "DER",
        "-out",
        "ed-spki.der",
    ]);
    let der = fs::read(d.join("ed-spki.der")).unwrap();
    let mut blob = Vec::new();
    ssh_wire::Writer::new(&mut blob)
        .string(b"ssh-ed25519")
        .string(&der[der.len() - 32..]);
    use base64::Engine as _;
    let line = format!(
        "ssh-ed25519 {}\n",
        base64::engine::general_purpose::STANDARD.encode(&blob)
    );
    fs::write(d.join("ed-conv.pub"), line).unwrap();
    let want = keygen_fingerprint(&d.join("ed-conv.pub"), "sha256");
    assert_eq!(sha256(&load(&d.join("ed.pem"), None).unwrap()), want);
    assert_eq!(
        sha256(&load(&d.join("ed-enc.pem"), Some("pw")).unwrap()),
        want
    );
}

#[test]
fn public_key_formats_from_ssh_keygen_e() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in KEYGEN_TYPES {
        let path = keygen(dir.path(), name, args, "");
        let pub_path = path.with_extension("pub");
        let expected = keygen_fingerprint(&pub_path, "sha256");
        let line = load(&pub_path, None).unwrap();
        assert_eq!(line.format(), KeyFormat::PublicLine);
        assert_eq!(sha256(&line), expected);
        assert_eq!(line.comment(), "test@example");
        let mut modes = vec![("RFC4716", KeyFormat::Rfc4716)];
        if *name != "ed25519" {
            modes.push(("PKCS8", KeyFormat::PemPublic));
        }
        if *name == "rsa" {
            modes.push(("PEM", KeyFormat::PemPublic));
        }
        for (mode, format) in modes {
            let out = run(Command::new("ssh-keygen")
                .args(["-e", "-m", mode, "-f"])
                .arg(&pub_path));
            let key =
                decode_any(out.as_bytes(), None).unwrap_or_else(|e| panic!("{name} {mode}: {e}"));
            assert_eq!(key.format(), format);
            assert_eq!(sha256(&key), expected, "{name} {mode}");
        }
        // Our RFC 4716 output is read back by ssh-keygen -i.
        let LoadedKey::Public(pl, _) = line else {
            panic!()
        };
        fs::write(dir.path().join("ours.rfc"), pl.to_rfc4716()).unwrap();
        let conv = run(Command::new("ssh-keygen")
            .args(["-i", "-f"])
            .arg(dir.path().join("ours.rfc")));
        assert_eq!(pub_line_blob(&conv), pl.key.to_blob());
    }
}

fn puttygen(dir: &Path, name: &str, ty: &[&str], version: u8, pass: &str) -> std::path::PathBuf {
    let path = dir.join(format!("{name}.ppk"));
    let pass_file = dir.join("pass");
    fs::write(&pass_file, pass).unwrap();
    let param = format!("version={version},kdf=argon2id,memory=1024,passes=2,parallelism=1");
    let mut cmd = Command::new("puttygen");
    cmd.args(ty)
        .args([
            "-C",
            "putty@test",
            "-O",
            "private",
            "--ppk-param",
            &param,
            "--new-passphrase",
        ])
        .arg(&pass_file)
        .arg("-o")
        .arg(&path);
    run(&mut cmd);
    path
}

#[test]
fn puttygen_ppk_v2_and_v3() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let types: &[(&str, &[&str])] = &[
        ("ed25519", &["-t", "ed25519"]),
        ("ecdsa256", &["-t", "ecdsa", "-b", "256"]),
        ("ecdsa384", &["-t", "ecdsa", "-b", "384"]),
        ("ecdsa521", &["-t", "ecdsa", "-b", "521"]),
        ("rsa", &["-t", "rsa", "-b", "2048"]),
        ("dsa", &["-t", "dsa", "-b", "1024"]),
    ];
    for (name, ty) in types {
        for version in [2u8, 3] {
            for pass in ["", "putty pw"] {
                let file = format!("{name}-v{version}-{}", pass.len());
                let path = puttygen(d, &file, ty, version, pass);
                let pass_opt = (!pass.is_empty()).then_some(pass);
                let key = load(&path, pass_opt).unwrap_or_else(|e| panic!("{file}: {e}"));
                assert_eq!(key.format(), KeyFormat::Ppk);
                assert_eq!(key.comment(), "putty@test");
                // puttygen's own SHA256 fingerprint.
                let pass_file = d.join("pass");
                let fp = run(Command::new("puttygen")
                    .arg(&path)
                    .args(["-E", "sha256", "-l", "--old-passphrase"])
                    .arg(&pass_file));
                let want = fp
                    .split_whitespace()
                    .find(|w| w.starts_with("SHA256:"))
                    .unwrap()
                    .to_owned();
                assert_eq!(sha256(&key), want, "{file}");
                if !pass.is_empty() {
                    assert!(matches!(
                        load(&path, None),
                        Err(KeyError::PassphraseRequired { .. })
                    ));
                    assert!(
                        matches!(
                            load(&path, Some("wrong")),
                            Err(KeyError::WrongPassphrase { .. })
                        ),
                        "{file}"
                    );
                }
                // Tampering with the comment breaks the MAC.
                let text = fs::read_to_string(&path)
                    .unwrap()
                    .replace("putty@test", "putty@tesT");
                assert!(decode_any(text.as_bytes(), pass_opt.map(str::as_bytes)).is_err());
                // Truncation is reported as such.
                let text = fs::read_to_string(&path).unwrap();
                let cut: String = text.lines().take(6).map(|l| format!("{l}\n")).collect();
                assert!(
                    matches!(
                        decode_any(cut.as_bytes(), pass_opt.map(str::as_bytes)),
                        Err(KeyError::Truncated { .. })
                    ),
                    "{file}"
                );
                // Our unencrypted writer is read by puttygen.
                if let LoadedKey::Private(k, _) = &key {
                    let ours = ssh_keys::ppk::encode_unencrypted(k, version).unwrap();
                    let ours_path = d.join("ours.ppk");
                    fs::write(&ours_path, ours).unwrap();
                    let out = run(Command::new("puttygen")
                        .arg(&ours_path)
                        .args(["-O", "public-openssh", "-o"])
                        .arg(d.join("ours.pub")));
                    let _ = out;
                    let line = fs::read_to_string(d.join("ours.pub")).unwrap();
                    assert_eq!(pub_line_blob(&line), k.public().to_blob(), "{file}");
                }
            }
        }
    }
}

#[test]
fn describe_prints_like_ssh_keygen() {
    let dir = tempfile::tempdir().unwrap();
    let path = keygen(dir.path(), "k", &["-t", "ecdsa", "-b", "384"], "pw");
    let text = ssh_keys::describe(&path, Some(b"pw")).unwrap();
    let fp = keygen_fingerprint(&path.with_extension("pub"), "sha256");
    let md5 = keygen_fingerprint(&path.with_extension("pub"), "md5");
    assert!(
        text.starts_with(&format!("384 {fp} {md5} test@example (ECDSA)")),
        "{text}"
    );
    assert!(text.contains("ecdsa-sha2-nistp384"));
    assert!(matches!(
        ssh_keys::describe(&path, None),
        Err(KeyError::PassphraseRequired { .. })
    ));
    assert!(matches!(
        ssh_keys::describe(&dir.path().join("missing"), None),
        Err(KeyError::Io { .. })
    ));
    fs::write(dir.path().join("junk"), "hello world").unwrap();
    assert!(matches!(
        ssh_keys::describe(&dir.path().join("junk"), None),
        Err(KeyError::UnknownFormat)
    ));
}

#[test]
fn blob_store_types_binary_and_base64() {
    use base64::Engine as _;
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    let dir = tempfile::tempdir().unwrap();
    let path = keygen(dir.path(), "k", &["-t", "ecdsa", "-m", "PEM"], "");
    let expected = keygen_fingerprint(&path.with_extension("pub"), "sha256");
    let blob = pub_line_blob(&fs::read_to_string(path.with_extension("pub")).unwrap());
    // cstSSHPublicKeyBlob: binary and base64.
    for input in [blob.clone(), b64(&blob).into_bytes()] {
        let key = decode_any(&input, None).unwrap();
        assert_eq!(key.format(), KeyFormat::SshBlob);
        assert_eq!(sha256(&key), expected);
    }
    // DER PKCS#8 private key and SPKI, base64 without armor.
    run(Command::new("openssl")
        .args(["pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in"])
        .arg(&path)
        .arg("-out")
        .arg(dir.path().join("k.der")));
    let der = fs::read(dir.path().join("k.der")).unwrap();
    let key = decode_any(b64(&der).as_bytes(), None).unwrap();
    assert_eq!(key.format(), KeyFormat::Pkcs8);
    assert_eq!(sha256(&key), expected);
    // A damaged DER PKCS#8 key reports why rather than "unknown format".
    let mut bad = der.clone();
    let n = bad.len();
    bad[n - 3] ^= 0xff;
    let err = decode_any(&bad, None).unwrap_err();
    assert!(!matches!(err, KeyError::UnknownFormat), "{err}");
}
