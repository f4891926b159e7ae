//! Interop matrix against a real OpenSSH sshd on loopback (crates/ssh-test), one algorithm
//! at a time: key exchange, IGNORE traffic and a SERVICE_REQUEST round trip, at least three
//! rekeys under a tiny RekeyLimit, and a clean disconnect.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(clippy::field_reassign_with_default)]

mod support {
    pub mod driver;
}

use std::time::Duration;

use ssh_test::{HostKeyType, Sshd, SshdBuilder};
use ssh_transport::{HostKeyInfo, StrictKexMode, TransportConfig};
use support::driver::{Blocking, Event};

/// What one run of the matrix proved.
#[derive(Debug)]
struct Outcome {
    kex_count: usize,
    strict: bool,
}

fn start(builder: SshdBuilder) -> Option<Sshd> {
    match builder.rekey_limit("1K").start() {
        Ok(s) => Some(s),
        Err(e) => {
            eprintln!("skipping: sshd did not start: {e}");
            None
        }
    }
}

fn count_type(events: &[Event], ty: u8) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, Event::Payload(p) if p.first() == Some(&ty)))
        .count()
}

fn global_replies(events: &[Event]) -> usize {
    count_type(events, 81) + count_type(events, 82)
}

/// Minimal RFC 4252 publickey authentication with the harness's client key, so the
/// connection reaches the state where sshd allows rekeying.
fn authenticate(d: &mut Blocking, sshd: &Sshd) {
    let text = std::fs::read_to_string(sshd.client_key_path()).expect("client key");
    let key = ssh_keys::openssh::decode(&text, None).expect("decode client key");
    let mut req = Vec::new();
    ssh_wire::Writer::new(&mut req)
        .u8(5)
        .string(b"ssh-userauth");
    d.t.send(&req).expect("service request");
    d.run_until(Duration::from_secs(10), |ev| count_type(ev, 6) >= 1)
        .expect("SERVICE_ACCEPT");
    let alg = key.key_type();
    let blob = key.public_key().to_blob();
    let user = sshd.user().as_bytes().to_vec();
    let mut signed = Vec::new();
    ssh_wire::Writer::new(&mut signed)
        .string(d.t.session_id().expect("session id"))
        .u8(50)
        .string(&user)
        .string(b"ssh-connection")
        .string(b"publickey")
        .bool(true)
        .string(alg.as_bytes())
        .string(&blob);
    let sig = key.sign(alg, &signed).expect("sign");
    let mut msg = Vec::new();
    ssh_wire::Writer::new(&mut msg)
        .u8(50)
        .string(&user)
        .string(b"ssh-connection")
        .string(b"publickey")
        .bool(true)
        .string(alg.as_bytes())
        .string(&blob)
        .string(&sig);
    d.t.send(&msg).expect("userauth request");
    let r = d.run_until(Duration::from_secs(10), |ev| {
        count_type(ev, 52) >= 1 || count_type(ev, 51) >= 1
    });
    if let Err(e) = r {
        panic!("auth: {e}\nsshd log:\n{}", sshd.log());
    }
    assert_eq!(count_type(&d.events, 52), 1, "auth failed:\n{}", sshd.log());
    d.t.set_authenticated();
}

/// Connects, checks the host key against the harness's, pushes traffic until at least
/// three rekeys happened, does a SERVICE_REQUEST round trip and disconnects.
fn run(sshd: &Sshd, config: TransportConfig) -> Outcome {
    let known: Vec<Vec<u8>> = sshd
        .host_public_keys()
        .iter()
        .map(|k| {
            ssh_keys::PublicKeyLine::parse(&k.line)
                .expect("harness key")
                .key
                .to_blob()
        })
        .collect();
    // Accept only a key the harness generated for this server (fail closed otherwise).
    run_accepting(
        sshd,
        config,
        Box::new(move |info| known.contains(&info.key.to_blob())),
    )
}

/// [`run`] with a caller-chosen host key policy.
fn run_accepting(
    sshd: &Sshd,
    config: TransportConfig,
    accept: Box<dyn FnMut(&HostKeyInfo) -> bool>,
) -> Outcome {
    let mut d = Blocking::connect(&sshd.addr().to_string(), config).expect("connect");
    d.accept = accept;
    let r = d.run_until(Duration::from_secs(30), |ev| {
        ev.iter().any(|e| matches!(e, Event::KexDone(_)))
    });
    if let Err(e) = r {
        panic!("kex failed: {e}\nsshd log:\n{}", sshd.log());
    }
    let strict = d.t.strict_kex();
    authenticate(&mut d, sshd);
    // Traffic after authentication (sshd does not rekey before it): IGNOREs push our
    // threshold and the server's RekeyLimit, so both sides start rekeys; a
    // keepalive@openssh.com global request is a ping the server answers.
    for round in 0..60 {
        // Incompressible filler, so compressed runs reach the limits too.
        let mut x = 0x9e37_79b9u32.wrapping_mul(round + 1);
        let filler: Vec<u8> = (0..700)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        d.t.send_ignore(&filler).expect("ignore");
        let _ = d.run_until(Duration::from_millis(30), |_| false);
        if d.kex_count() >= 5 {
            break;
        }
    }
    let before = global_replies(&d.events);
    let mut ping = Vec::new();
    ssh_wire::Writer::new(&mut ping)
        .u8(80)
        .string(b"keepalive@openssh.com")
        .bool(true);
    d.t.send(&ping).expect("ping");
    let r = d.run_until(Duration::from_secs(10), |ev| global_replies(ev) > before);
    if let Err(e) = r {
        panic!("ping after rekeys: {e}\nsshd log:\n{}", sshd.log());
    }
    let kex_count = d.kex_count();
    d.disconnect().expect("disconnect");
    Outcome { kex_count, strict }
}

fn config() -> TransportConfig {
    TransportConfig {
        rekey_threshold: Some(2048),
        ..TransportConfig::default()
    }
}

fn check(label: &str, builder: SshdBuilder, config: TransportConfig) {
    let Some(sshd) = start(builder) else {
        return;
    };
    let out = run(&sshd, config);
    println!(
        "MATRIX {label}: kex_count={} strict={}",
        out.kex_count, out.strict
    );
    assert!(
        out.kex_count >= 4,
        "{label}: only {} key exchanges",
        out.kex_count
    );
}

#[test]
fn matrix_kex() {
    for kex in [
        "sntrup761x25519-sha512@openssh.com",
        "sntrup761x25519-sha512",
        "curve25519-sha256",
        "curve25519-sha256@libssh.org",
        "ecdh-sha2-nistp256",
        "ecdh-sha2-nistp384",
        "ecdh-sha2-nistp521",
        "diffie-hellman-group14-sha256",
        "diffie-hellman-group16-sha512",
        "diffie-hellman-group18-sha512",
        "diffie-hellman-group14-sha1",
        "diffie-hellman-group1-sha1",
        "diffie-hellman-group-exchange-sha256",
        "diffie-hellman-group-exchange-sha1",
    ] {
        let mut c = config();
        c.kex_algorithms = vec![kex.into()];
        check(
            &format!("kex {kex}"),
            Sshd::builder().kex_algorithms(kex),
            c,
        );
    }
}

#[test]
fn matrix_cipher() {
    for cipher in [
        "aes128-ctr",
        "aes192-ctr",
        "aes256-ctr",
        "aes128-gcm@openssh.com",
        "aes256-gcm@openssh.com",
        "chacha20-poly1305@openssh.com",
        "aes128-cbc",
        "aes192-cbc",
        "aes256-cbc",
        "3des-cbc",
    ] {
        let mut c = config();
        c.ciphers = vec![cipher.into()];
        check(
            &format!("cipher {cipher}"),
            Sshd::builder().ciphers(cipher),
            c,
        );
    }
}

#[test]
fn matrix_mac() {
    for mac in [
        "hmac-sha2-256",
        "hmac-sha2-512",
        "hmac-sha1",
        "hmac-sha2-256-etm@openssh.com",
        "hmac-sha2-512-etm@openssh.com",
        "hmac-sha1-etm@openssh.com",
        "hmac-sha1-96",
        "hmac-md5",
        "hmac-md5-96",
    ] {
        let mut c = config();
        c.ciphers = vec!["aes128-ctr".into()];
        c.macs = vec![mac.into()];
        check(
            &format!("mac {mac}"),
            Sshd::builder().ciphers("aes128-ctr").macs(mac),
            c,
        );
    }
}

#[test]
fn matrix_host_key() {
    for alg in [
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "rsa-sha2-256",
        "rsa-sha2-512",
        "ssh-rsa",
    ] {
        let mut c = config();
        c.host_key_algorithms = vec![alg.into()];
        check(
            &format!("hostkey {alg}"),
            Sshd::builder().host_key_algorithms(alg),
            c,
        );
    }
}

#[test]
fn matrix_compression() {
    for comp in ["zlib@openssh.com", "none"] {
        let mut c = config();
        c.compression = vec![comp.into()];
        check(
            &format!("compression {comp}"),
            Sshd::builder().compression(if comp == "none" { "no" } else { "yes" }),
            c,
        );
    }
}

#[test]
fn strict_modes_against_openssh() {
    for level in 0..=3u8 {
        let mut c = config();
        c.strict_kex = StrictKexMode::from_level(level).unwrap();
        let Some(sshd) = start(Sshd::builder()) else {
            return;
        };
        let out = run(&sshd, c);
        assert_eq!(out.strict, level > 0, "level {level}");
    }
}

/// Runs `ssh-keygen` with `args`, failing the test on error.
fn keygen(args: &[&str]) {
    let out = std::process::Command::new("ssh-keygen")
        .args(args)
        .output()
        .expect("ssh-keygen");
    assert!(
        out.status.success(),
        "ssh-keygen {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn host_certificate_against_openssh() {
    // The harness's host keys are made once per test process, so a first server shows
    // which public keys the second one (configured with HostCertificate) will load.
    let Some(probe) = start(Sshd::builder()) else {
        return;
    };
    let host_keys = probe.host_public_keys().to_vec();
    drop(probe);

    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca");
    keygen(&[
        "-q",
        "-t",
        "ed25519",
        "-N",
        "",
        "-C",
        "test-ca",
        "-f",
        ca.to_str().unwrap(),
    ]);
    let ca_public = ssh_keys::PublicKeyLine::parse(
        std::fs::read_to_string(dir.path().join("ca.pub"))
            .unwrap()
            .trim(),
    )
    .unwrap()
    .key;
    let mut builder = Sshd::builder();
    let mut certified = Vec::new();
    for (i, key) in host_keys
        .iter()
        .filter(|k| matches!(k.key_type, HostKeyType::Ed25519 | HostKeyType::Rsa3072))
        .enumerate()
    {
        let public = dir.path().join(format!("host{i}.pub"));
        std::fs::write(&public, format!("{}\n", key.line)).unwrap();
        keygen(&[
            "-q",
            "-s",
            ca.to_str().unwrap(),
            "-I",
            "host",
            "-h",
            "-n",
            "127.0.0.1",
            public.to_str().unwrap(),
        ]);
        let cert = dir.path().join(format!("host{i}-cert.pub"));
        builder = builder.extra_config(format!("HostCertificate {}", cert.display()));
        certified.push(
            ssh_keys::PublicKeyLine::parse(&key.line)
                .unwrap()
                .key
                .to_blob(),
        );
    }
    assert_eq!(certified.len(), 2, "harness host keys: {host_keys:?}");
    let Some(sshd) = start(builder) else {
        return;
    };
    for alg in [
        "ssh-ed25519-cert-v01@openssh.com",
        "rsa-sha2-512-cert-v01@openssh.com",
        "rsa-sha2-256-cert-v01@openssh.com",
    ] {
        let mut c = config();
        c.host_key_algorithms = vec![alg.into()];
        let certified = certified.clone();
        let ca_public = ca_public.clone();
        let seen = std::rc::Rc::new(std::cell::Cell::new(false));
        let seen_in = seen.clone();
        // The caller's trust decision: a host certificate from our CA over a harness key.
        let accept = Box::new(move |info: &HostKeyInfo| {
            let Some(cert) = info.key.certificate() else {
                return false;
            };
            let ok = info.algorithm == alg
                && cert.cert_type() == ssh_keys::CertType::Host
                && cert.signature_key() == &ca_public
                && cert.verify_signature().is_ok()
                && cert.principals() == ["127.0.0.1".to_owned()]
                && certified.contains(&cert.key().to_blob());
            seen_in.set(ok);
            ok
        });
        let out = run_accepting(&sshd, c, accept);
        assert!(seen.get(), "{alg}: certificate not presented");
        println!("MATRIX hostcert {alg}: kex_count={}", out.kex_count);
        assert!(
            out.kex_count >= 4,
            "{alg}: only {} key exchanges",
            out.kex_count
        );
    }
}
