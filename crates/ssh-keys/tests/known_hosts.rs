//! known_hosts lookups against files written and hashed by ssh-keygen, certificates made by
//! ssh-keygen -s, and SSHSIG interop with ssh-keygen -Y.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // tests

mod common;

use std::fs;
use std::process::Command;

use common::*;
use ssh_keys::known_hosts::wildcard_match;
use ssh_keys::{CertType, HostKeyStatus, KnownHosts, PublicKey, PublicKeyLine, openssh};

fn rng() -> ssh_keys::rand_core::UnwrapErr<ssh_keys::getrandom::SysRng> {
    ssh_keys::rand_core::UnwrapErr(ssh_keys::getrandom::SysRng)
}

fn pubkey(path: &std::path::Path) -> (PublicKey, String) {
    let line = fs::read_to_string(path.with_extension("pub")).unwrap();
    let key = PublicKeyLine::parse(&line).unwrap().key;
    let short = line
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    (key, short)
}

#[test]
fn plain_and_hashed_lines_every_pattern_form() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (ed, ed_line) = pubkey(&keygen(d, "ed", &["-t", "ed25519"], ""));
    let (ec, ec_line) = pubkey(&keygen(d, "ec", &["-t", "ecdsa"], ""));
    let (rsa, rsa_line) = pubkey(&keygen(d, "rsa", &["-t", "rsa", "-b", "1024"], ""));
    let (ca, ca_line) = pubkey(&keygen(d, "ca", &["-t", "ed25519"], ""));
    let (revoked, revoked_line) = pubkey(&keygen(d, "rev", &["-t", "ed25519"], ""));
    let text = format!(
        "# comment line\n\
         host1.example.com,192.0.2.1 {ed_line}\n\
         [host2.example.com]:2222 {ec_line}\n\
         *.wild.example.com,!bad.wild.example.com {rsa_line}\n\
         web?.example.org {ed_line}\n\
         @cert-authority *.ca.example.com {ca_line}\n\
         @revoked * {revoked_line}\n"
    );
    let plain = d.join("known_hosts");
    fs::write(&plain, &text).unwrap();
    // ssh-keygen -H hashes every plain host name (keeps markers and patterns with wildcards
    // as they are); both files must answer the same way.
    let hashed_path = d.join("known_hosts_hashed");
    fs::copy(&plain, &hashed_path).unwrap();
    run(Command::new("ssh-keygen")
        .args(["-H", "-f"])
        .arg(&hashed_path));
    let hashed_text = fs::read_to_string(&hashed_path).unwrap();
    assert!(hashed_text.contains("|1|"));
    assert!(!hashed_text.contains("host1.example.com"));
    // Malformed lines are skipped, not fatal.
    let text = format!("{text}garbage line that does not parse\n");
    let hashed_text = format!("{hashed_text}garbage line that does not parse\n");
    for kh in [KnownHosts::parse(&text), KnownHosts::parse(&hashed_text)] {
        assert_eq!(
            kh.lookup("host1.example.com", 22, &ed),
            HostKeyStatus::Known
        );
        assert_eq!(
            kh.lookup("HOST1.example.com", 22, &ed),
            HostKeyStatus::Known
        );
        assert_eq!(kh.lookup("192.0.2.1", 22, &ed), HostKeyStatus::Known);
        // Another key, same type or another type, for a known host: Changed, never Unknown.
        assert_eq!(
            kh.lookup("host1.example.com", 22, &ec),
            HostKeyStatus::Changed
        );
        assert_eq!(
            kh.lookup("host1.example.com", 22, &rsa),
            HostKeyStatus::Changed
        );
        // Non-standard port: only the [host]:port form matches.
        assert_eq!(
            kh.lookup("host2.example.com", 2222, &ec),
            HostKeyStatus::Known
        );
        assert_eq!(
            kh.lookup("host2.example.com", 22, &ec),
            HostKeyStatus::Unknown
        );
        assert_eq!(
            kh.lookup("host1.example.com", 2222, &ed),
            HostKeyStatus::Unknown
        );
        // Wildcards and negation.
        assert_eq!(
            kh.lookup("a.wild.example.com", 22, &rsa),
            HostKeyStatus::Known
        );
        assert_eq!(
            kh.lookup("bad.wild.example.com", 22, &rsa),
            HostKeyStatus::Unknown
        );
        assert_eq!(kh.lookup("web1.example.org", 22, &ed), HostKeyStatus::Known);
        assert_eq!(
            kh.lookup("web12.example.org", 22, &ed),
            HostKeyStatus::Unknown
        );
        // @revoked applies to every host.
        assert_eq!(
            kh.lookup("host1.example.com", 22, &revoked),
            HostKeyStatus::Revoked
        );
        assert_eq!(kh.lookup("nowhere.test", 22, &ed), HostKeyStatus::Unknown);
        assert_eq!(kh.skipped_lines(), 1);
    }

    // Host certificates signed by the CA are known through @cert-authority.
    let host_key = keygen(d, "hostkey", &["-t", "ecdsa"], "");
    run(Command::new("ssh-keygen")
        .args(["-q", "-s"])
        .arg(d.join("ca"))
        .args([
            "-I",
            "host-id",
            "-h",
            "-n",
            "srv.ca.example.com",
            "-V",
            "+1h",
        ])
        .arg(host_key.with_extension("pub")));
    let cert_line = fs::read_to_string(d.join("hostkey-cert.pub")).unwrap();
    let cert_key = PublicKeyLine::parse(&cert_line).unwrap().key;
    let kh = KnownHosts::parse(&text);
    assert_eq!(
        kh.lookup("srv.ca.example.com", 22, &cert_key),
        HostKeyStatus::Known
    );
    // Not a listed principal.
    assert_eq!(
        kh.lookup("other.ca.example.com", 22, &cert_key),
        HostKeyStatus::Unknown
    );
    // A CA that is @revoked revokes its certificates.
    let rev_ca = format!("@revoked * {ca_line}\n{text}");
    assert_eq!(
        KnownHosts::parse(&rev_ca).lookup("srv.ca.example.com", 22, &cert_key),
        HostKeyStatus::Revoked
    );
    let _ = ca;
}

#[test]
fn added_entries_are_found_by_us_and_by_ssh_keygen() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (ed, _) = pubkey(&keygen(d, "ed", &["-t", "ed25519"], ""));
    let mut kh = KnownHosts::default();
    let mut file = String::new();
    for (host, port, hashed) in [
        ("plain.example", 22, false),
        ("hashed.example", 22, true),
        ("Ported.Example", 2022, true),
        ("p2.example", 2200, false),
    ] {
        let line = kh.add(host, port, &ed, hashed, &mut rng());
        assert_eq!(line.starts_with("|1|"), hashed);
        file.push_str(&line);
        file.push('\n');
        assert_eq!(kh.lookup(host, port, &ed), HostKeyStatus::Known);
    }
    assert!(file.contains("[p2.example]:2200 "));
    let path = d.join("kh");
    fs::write(&path, &file).unwrap();
    let reparsed = KnownHosts::parse(&file);
    for (host, port) in [
        ("plain.example", 22),
        ("hashed.example", 22),
        ("ported.example", 2022),
        ("p2.example", 2200),
    ] {
        assert_eq!(
            reparsed.lookup(host, port, &ed),
            HostKeyStatus::Known,
            "{host}"
        );
        // ssh-keygen -F finds the entry in the file we wrote.
        let name = if port == 22 {
            host.to_owned()
        } else {
            format!("[{host}]:{port}")
        };
        let out = run(Command::new("ssh-keygen")
            .args(["-F", &name, "-f"])
            .arg(&path));
        assert!(out.contains("ssh-ed25519"), "{name}: {out}");
    }
}

#[test]
fn wildcards_are_linear_and_correct() {
    assert!(wildcard_match("*", ""));
    assert!(wildcard_match("a*b?c", "axxxbyc"));
    assert!(!wildcard_match("a*b?c", "axxxbc"));
    assert!(wildcard_match("*.example.com", "x.y.example.com"));
    let long = "a".repeat(5000);
    assert!(!wildcard_match(&format!("{}b", "*a".repeat(100)), &long));
}

#[test]
fn certificates_from_ssh_keygen() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ca = keygen(d, "ca", &["-t", "rsa", "-b", "2048"], "");
    let (ca_key, _) = pubkey(&ca);
    for (name, args) in KEYGEN_TYPES {
        let user = keygen(d, name, args, "");
        run(Command::new("ssh-keygen")
            .args(["-q", "-s"])
            .arg(&ca)
            .args(["-I", "user-id", "-n", "alice,bob", "-V", "+1h", "-z", "42"])
            .arg(user.with_extension("pub")));
        let cert_path = d.join(format!("{name}-cert.pub"));
        let line = fs::read_to_string(&cert_path).unwrap();
        let key = PublicKeyLine::parse(&line).unwrap().key;
        let cert = key.certificate().expect("a certificate");
        assert_eq!(cert.key_id(), "user-id");
        assert_eq!(cert.principals(), ["alice", "bob"]);
        assert_eq!(cert.serial(), 42);
        assert_eq!(cert.cert_type(), CertType::User);
        assert_eq!(cert.signature_key(), &ca_key);
        assert!(cert.extensions().iter().any(|(n, _)| n == "permit-pty"));
        cert.verify_signature().unwrap();
        let now = cert.valid_after() + 60;
        cert.validate(CertType::User, now, Some("alice")).unwrap();
        assert!(cert.validate(CertType::Host, now, Some("alice")).is_err());
        assert!(cert.validate(CertType::User, now, Some("mallory")).is_err());
        assert!(
            cert.validate(CertType::User, cert.valid_before(), Some("alice"))
                .is_err()
        );
        assert_eq!(key.to_blob(), pub_line_blob(&line));
        assert_eq!(
            key.fingerprint(ssh_keys::HashAlg::Sha256).to_string(),
            keygen_fingerprint(&cert_path, "sha256")
        );
        // A signature by the certified key verifies through the certificate.
        let private = openssh::decode(&fs::read_to_string(&user).unwrap(), None).unwrap();
        let alg = key.signature_algorithms()[0];
        key.verify(alg, b"m", &private.sign(alg, b"m").unwrap())
            .unwrap();
        // The certificate algorithm names map to the signature algorithm.
        let cert_alg = key.key_algorithms()[0];
        assert!(cert_alg.ends_with("-cert-v01@openssh.com"));
        key.verify(cert_alg, b"m", &private.sign(alg, b"m").unwrap())
            .unwrap();
        assert_eq!(PublicKey::signature_algorithm_for(cert_alg), Some(alg));
        assert!(private.matches_public(&key));
        // A flipped byte in the signed part breaks the CA signature.
        let mut blob = key.to_blob();
        let idx = blob.len() / 3;
        blob[idx] ^= 1;
        if let Ok(bad) = PublicKey::from_blob(&blob) {
            if let Some(c) = bad.certificate() {
                assert!(c.verify_signature().is_err());
            }
        }
    }
}

#[test]
fn sshsig_interop_with_ssh_keygen() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let msg = d.join("msg");
    fs::write(&msg, b"signed file contents\n").unwrap();
    for (name, args) in KEYGEN_TYPES {
        let path = keygen(d, name, args, "");
        let key = openssh::decode(&fs::read_to_string(&path).unwrap(), None).unwrap();
        let (_, line) = pubkey(&path);
        let signers = d.join("allowed");
        fs::write(&signers, format!("me@test {line}\n")).unwrap();
        // Ours, verified by ssh-keygen.
        let sig = ssh_keys::sshsig_sign(&key, "file", b"signed file contents\n").unwrap();
        let sig_path = d.join("ours.sig");
        fs::write(&sig_path, &sig).unwrap();
        let out = Command::new("ssh-keygen")
            .args(["-Y", "verify", "-n", "file", "-I", "me@test", "-f"])
            .arg(&signers)
            .arg("-s")
            .arg(&sig_path)
            .stdin(fs::File::open(&msg).unwrap())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // ssh-keygen's, verified by us.
        run(Command::new("ssh-keygen")
            .args(["-Y", "sign", "-n", "file", "-f"])
            .arg(&path)
            .arg(&msg));
        let theirs = fs::read_to_string(d.join("msg.sig")).unwrap();
        fs::remove_file(d.join("msg.sig")).unwrap();
        let signer = ssh_keys::sshsig_verify(&theirs, "file", b"signed file contents\n").unwrap();
        assert_eq!(&signer, key.public(), "{name}");
        assert!(ssh_keys::sshsig_verify(&theirs, "file", b"other contents\n").is_err());
        assert!(ssh_keys::sshsig_verify(&theirs, "git", b"signed file contents\n").is_err());
    }
}
