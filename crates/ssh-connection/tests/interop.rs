//! Interop against OpenSSH sshd started by the `ssh-test` harness: every auth mode, key
//! types and file formats, certificates, keyboard-interactive through PAM, multi-factor,
//! ssh-agent, host key rejection, the exec example, and a 1 GiB stream across rekeys.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{HostKeys, exec, run};
use ssh_auth::{
    AuthConfig, AuthError, AuthMode, CertSigner, KeySigner, PromptPattern, Signer,
    agent::AgentSigner,
};
use ssh_connection::SessionError;
use ssh_test::Sshd;

fn load_key(path: &Path, passphrase: Option<&str>) -> KeySigner {
    let data = std::fs::read(path).unwrap();
    match ssh_keys::decode_any(&data, passphrase.map(str::as_bytes))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    {
        ssh_keys::LoadedKey::Private(k, _) => KeySigner::new(*k),
        ssh_keys::LoadedKey::Public(..) => panic!("public key"),
    }
}

fn keygen(args: &[&str]) {
    let st = Command::new("ssh-keygen")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success(), "ssh-keygen {args:?}");
}

fn public_line(key: &Path, passphrase: &str) -> String {
    let out = Command::new("ssh-keygen")
        .args(["-y", "-P", passphrase, "-f"])
        .arg(key)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

fn authorize(sshd: &Sshd, line: &str) {
    let mut text = std::fs::read_to_string(sshd.authorized_keys_path()).unwrap();
    text.push_str(line.trim_end());
    text.push('\n');
    std::fs::write(sshd.authorized_keys_path(), text).unwrap();
}

fn pubkey_config(sshd: &Sshd, key: Box<dyn Signer>) -> AuthConfig {
    AuthConfig::new(sshd.user(), AuthMode::PublicKey).with_key(key)
}

fn assert_ran(o: &common::Outcome, stdout: &str) {
    assert!(o.error.is_none(), "{:?} {:?}", o.error, o.auth_events);
    assert_eq!(String::from_utf8_lossy(&o.stdout), stdout);
    assert_eq!(o.status, Some(0));
}

fn auth_failed(o: &common::Outcome) -> &AuthError {
    match &o.error {
        Some(e @ SessionError::Auth(a)) => {
            assert_eq!(e.seed_code(), 1032, "{e}");
            a
        }
        other => panic!("expected an auth failure, got {other:?}"),
    }
}

#[test]
fn none_is_refused_with_the_allowed_methods() {
    let sshd = Sshd::start().unwrap();
    let o = exec(&sshd, AuthConfig::new(sshd.user(), AuthMode::None), "true");
    let AuthError::NoMethodsLeft { allowed, .. } = auth_failed(&o) else {
        panic!("{:?}", o.error)
    };
    assert!(allowed.iter().any(|m| m == "publickey"), "{allowed:?}");
}

#[test]
fn password_right_and_wrong() {
    let sshd = Sshd::start().unwrap();
    let Some(password) = sshd.password_or_skip("password_right_and_wrong") else {
        return;
    };
    let ok = AuthConfig::new(sshd.user(), AuthMode::Password).with_password(password);
    assert_ran(&exec(&sshd, ok, "echo hello"), "hello\n");
    let bad = AuthConfig::new(sshd.user(), AuthMode::Password).with_password("wrong");
    let o = exec(&sshd, bad, "echo hello");
    assert!(matches!(auth_failed(&o), AuthError::NoMethodsLeft { .. }));
}

#[test]
fn publickey_wrong_key_and_rejected_host_key() {
    let sshd = Sshd::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let stranger = dir.path().join("stranger");
    keygen(&[
        "-q",
        "-t",
        "ed25519",
        "-N",
        "",
        "-f",
        stranger.to_str().unwrap(),
    ]);
    let o = exec(
        &sshd,
        pubkey_config(&sshd, Box::new(load_key(&stranger, None))),
        "true",
    );
    auth_failed(&o);

    let key = load_key(sshd.client_key_path(), None);
    let o = run(
        &sshd,
        pubkey_config(&sshd, Box::new(key)),
        "true",
        |_| {},
        HostKeys::RejectAll,
        None,
    );
    let e = o.error.expect("host key rejection must fail");
    assert_eq!(e.seed_code(), 1030, "{e}");
}

/// Every key type ssh-keygen makes, in every file format ssh-keys reads, with and
/// without a passphrase.
#[test]
fn publickey_each_key_type_and_file_format() {
    let sshd = Sshd::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let types: &[(&str, &[&str])] = &[
        ("ed25519", &["-t", "ed25519"]),
        ("ecdsa256", &["-t", "ecdsa", "-b", "256"]),
        ("ecdsa384", &["-t", "ecdsa", "-b", "384"]),
        ("ecdsa521", &["-t", "ecdsa", "-b", "521"]),
        ("rsa", &["-t", "rsa", "-b", "2048"]),
    ];
    let have_puttygen = ssh_test::on_path("puttygen");
    let mut tried = 0;
    for (name, targs) in types {
        for (format, pass) in [
            ("openssh", ""),
            ("openssh", "secret"),
            ("PEM", ""),
            ("PEM", "secret"),
            ("PKCS8", ""),
            ("PKCS8", "secret"),
        ] {
            if *name == "ed25519" && format != "openssh" {
                continue; // ssh-keygen writes ed25519 only in its own format
            }
            let path = dir.path().join(format!("{name}-{format}-{}", pass.len()));
            let mut args: Vec<&str> = vec!["-q", "-N", pass, "-f", path.to_str().unwrap()];
            args.extend_from_slice(targs);
            if format != "openssh" {
                args.extend_from_slice(&["-m", format]);
            }
            keygen(&args);
            authorize(&sshd, &public_line(&path, pass));
            let key = load_key(&path, (!pass.is_empty()).then_some(pass));
            let o = exec(&sshd, pubkey_config(&sshd, Box::new(key)), "echo ok");
            assert!(o.error.is_none(), "{name} {format} {pass:?}: {:?}", o.error);
            assert_eq!(o.stdout, b"ok\n");
            tried += 1;

            if have_puttygen && format == "openssh" {
                for (version, ppk_pass) in [("2", ""), ("3", ""), ("3", "secret")] {
                    let ppk = dir
                        .path()
                        .join(format!("{name}-v{version}-{}.ppk", ppk_pass.len()));
                    let pass_file = dir.path().join("pass");
                    std::fs::write(&pass_file, format!("{pass}\n")).unwrap();
                    let new_pass_file = dir.path().join("newpass");
                    std::fs::write(&new_pass_file, format!("{ppk_pass}\n")).unwrap();
                    let st = Command::new("puttygen")
                        .arg(&path)
                        .arg("--old-passphrase")
                        .arg(&pass_file)
                        .arg("--new-passphrase")
                        .arg(&new_pass_file)
                        .args(["-O", "private", "--ppk-param"])
                        .arg(format!("version={version}"))
                        .arg("-o")
                        .arg(&ppk)
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .status()
                        .unwrap();
                    assert!(st.success(), "puttygen {name} v{version}");
                    let key = load_key(&ppk, (!ppk_pass.is_empty()).then_some(ppk_pass));
                    let o = exec(&sshd, pubkey_config(&sshd, Box::new(key)), "echo ok");
                    assert!(o.error.is_none(), "{name} ppk v{version}: {:?}", o.error);
                    tried += 1;
                }
            }
        }
    }
    assert!(tried >= 17);
}

#[test]
fn rsa_sha2_256_versus_512() {
    // Default server: server-sig-algs lists both, we pick rsa-sha2-512.
    let sshd = Sshd::start().unwrap();
    let key = load_key(sshd.client_rsa_key_path(), None);
    assert_ran(
        &exec(&sshd, pubkey_config(&sshd, Box::new(key)), "echo 512"),
        "512\n",
    );
    assert!(
        sshd.log().contains("rsa-sha2-512"),
        "server log names rsa-sha2-512"
    );

    // A server that accepts only rsa-sha2-256 still advertises rsa-sha2-512 in
    // server-sig-algs (OpenSSH does not filter it), so the default choice is refused, as
    // it is for OpenSSH's client; SSHPubKeyAuthSigAlgorithms picks rsa-sha2-256.
    let sshd = Sshd::builder()
        .extra_config("PubkeyAcceptedAlgorithms rsa-sha2-256")
        .start()
        .unwrap();
    let key = load_key(sshd.client_rsa_key_path(), None);
    auth_failed(&exec(&sshd, pubkey_config(&sshd, Box::new(key)), "true"));
    let key = load_key(sshd.client_rsa_key_path(), None);
    let mut config = pubkey_config(&sshd, Box::new(key));
    config.pubkey_algorithms = Some(vec!["rsa-sha2-256".into(), "rsa-sha2-512".into()]);
    assert_ran(&exec(&sshd, config, "echo 256"), "256\n");

    // SSHPubKeyAuthSigAlgorithms restricted to rsa-sha2-256 on our side.
    let sshd = Sshd::start().unwrap();
    let key = load_key(sshd.client_rsa_key_path(), None);
    let mut config = pubkey_config(&sshd, Box::new(key));
    config.pubkey_algorithms = Some(vec!["rsa-sha2-256".into()]);
    assert_ran(&exec(&sshd, config, "echo ours"), "ours\n");
    assert!(!sshd.log().contains("pkalg rsa-sha2-512"));
}

#[test]
fn certificate_signed_by_a_trusted_ca() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca");
    keygen(&["-q", "-t", "ed25519", "-N", "", "-f", ca.to_str().unwrap()]);
    let sshd = Sshd::builder()
        .trusted_user_ca_keys(dir.path().join("ca.pub"))
        .start()
        .unwrap();
    let kinds: [(&str, &[&str]); 2] = [
        ("ued", &["-t", "ed25519"]),
        ("ursa", &["-t", "rsa", "-b", "2048"]),
    ];
    for (name, targs) in kinds {
        let user = dir.path().join(name);
        let mut args = vec!["-q", "-N", "", "-f", user.to_str().unwrap()];
        args.extend_from_slice(targs);
        keygen(&args);
        keygen(&[
            "-q",
            "-s",
            ca.to_str().unwrap(),
            "-I",
            "test-cert",
            "-n",
            sshd.user(),
            dir.path().join(format!("{name}.pub")).to_str().unwrap(),
        ]);
        // The plain key is not authorized: only the certificate can get in.
        let plain = exec(
            &sshd,
            pubkey_config(&sshd, Box::new(load_key(&user, None))),
            "true",
        );
        auth_failed(&plain);
        let cert_line =
            std::fs::read_to_string(dir.path().join(format!("{name}-cert.pub"))).unwrap();
        let cert =
            CertSigner::new(base64_blob(&cert_line), Box::new(load_key(&user, None))).unwrap();
        assert_ran(
            &exec(&sshd, pubkey_config(&sshd, Box::new(cert)), "echo cert"),
            "cert\n",
        );
        // The seed's SignedSSHCert form, naming the algorithm.
        let alg = cert_line.split_whitespace().next().unwrap();
        let alg = if alg == "ssh-rsa-cert-v01@openssh.com" {
            "rsa-sha2-256-cert-v01@openssh.com"
        } else {
            alg
        };
        let b64 = cert_line.split_whitespace().nth(1).unwrap();
        let cert = CertSigner::from_signed_ssh_cert(
            &format!("{alg} {b64}"),
            Box::new(load_key(&user, None)),
        )
        .unwrap();
        assert_ran(
            &exec(&sshd, pubkey_config(&sshd, Box::new(cert)), "echo seed"),
            "seed\n",
        );
    }
}

fn base64_blob(line: &str) -> Vec<u8> {
    ssh_keys::PublicKeyLine::parse(line.trim())
        .unwrap_or_else(|e| panic!("cannot parse {line}: {e}"))
        .key
        .to_blob()
}

#[test]
fn keyboard_interactive_through_pam() {
    let sshd = Sshd::start().unwrap();
    let Some(password) = sshd.password_or_skip("keyboard_interactive_through_pam") else {
        return;
    };
    let mut config =
        AuthConfig::new(sshd.user(), AuthMode::KeyboardInteractive).with_password(password);
    config.password_prompt = Some(PromptPattern::new("*assword*"));
    let o = exec(&sshd, config, "echo kbd");
    assert_ran(&o, "kbd\n");
    assert!(
        o.auth_events
            .iter()
            .any(|e| matches!(e, ssh_auth::AuthEvent::Prompt(p) if p.prefilled && !p.echo)),
        "{:?}",
        o.auth_events
    );
    // Wrong password through the same prompts.
    let mut config =
        AuthConfig::new(sshd.user(), AuthMode::KeyboardInteractive).with_password("wrong");
    config.password_prompt = Some(PromptPattern::new("*assword*"));
    auth_failed(&exec(&sshd, config, "true"));
}

#[test]
fn multi_factor_publickey_then_password() {
    let sshd = Sshd::builder()
        .authentication_methods("publickey,password")
        .start()
        .unwrap();
    let Some(password) = sshd.password_or_skip("multi_factor_publickey_then_password") else {
        return;
    };
    let config = AuthConfig::new(sshd.user(), AuthMode::MultiFactor)
        .with_key(Box::new(load_key(sshd.client_key_path(), None)))
        .with_password(password);
    let o = exec(&sshd, config, "echo two");
    assert_ran(&o, "two\n");
    assert!(o.auth_events.iter().any(|e| matches!(
        e,
        ssh_auth::AuthEvent::Failure {
            partial_success: true,
            ..
        }
    )));
    // The key alone is not enough.
    let only_key = AuthConfig::new(sshd.user(), AuthMode::MultiFactor)
        .with_key(Box::new(load_key(sshd.client_key_path(), None)));
    let o = exec(&sshd, only_key, "true");
    assert!(matches!(
        auth_failed(&o),
        AuthError::NoMethodsLeft {
            partial_success: true,
            ..
        }
    ));
}

struct Agent(std::process::Child, PathBuf);
impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn publickey_through_ssh_agent() {
    let sshd = Sshd::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("agent.sock");
    let agent = Agent(
        Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&sock)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        sock.clone(),
    );
    let t0 = std::time::Instant::now();
    while !sock.exists() {
        assert!(t0.elapsed().as_secs() < 10);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    for key in [sshd.client_key_path(), sshd.client_rsa_key_path()] {
        let st = Command::new("ssh-add")
            .arg(key)
            .env("SSH_AUTH_SOCK", &agent.1)
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(st.success());
    }
    let signers = AgentSigner::all(&agent.1).unwrap();
    assert_eq!(signers.len(), 2);
    for s in signers {
        let rsa = ssh_auth::key_type_of(s.public_key_blob()) == Some("ssh-rsa");
        let o = exec(&sshd, pubkey_config(&sshd, Box::new(s)), "echo agent");
        assert_ran(&o, "agent\n");
        if rsa {
            assert!(sshd.log().contains("rsa-sha2-512"));
        }
    }
}

#[test]
fn exec_example_end_to_end() {
    let sshd = Sshd::start().unwrap();
    let exe = std::env::current_exe().unwrap();
    let example = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples/exec");
    if !example.exists() {
        eprintln!("exec example not built; skipping");
        return;
    }
    let base = |cmd: &str| {
        let mut c = Command::new(&example);
        c.arg("-p")
            .arg(sshd.port().to_string())
            .arg("-i")
            .arg(sshd.client_key_path())
            .arg("--known-hosts")
            .arg(sshd.known_hosts_path())
            .arg(format!("{}@127.0.0.1", sshd.user()))
            .arg(cmd);
        c
    };
    let out = base("echo hello").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello\n");
    assert_eq!(out.status.code(), Some(0));
    let out = base("exit 3").output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let out = base("echo to-stderr >&2; exit 1").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "to-stderr\n");
    assert_eq!(out.status.code(), Some(1));
    // A fingerprint that does not match: refused.
    let out = Command::new(&example)
        .arg("-p")
        .arg(sshd.port().to_string())
        .arg("-i")
        .arg(sshd.client_key_path())
        .args([
            "--accept",
            "SHA256:AAAA",
            &format!("{}@127.0.0.1", sshd.user()),
            "true",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(255));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1030"));
}

/// 1 GiB through `cat`, checked by SHA-256, with the server rekeying every 64 MiB.
#[test]
fn one_gib_exec_stream_across_rekeys() {
    use sha2::Digest as _;
    let sshd = Sshd::builder().rekey_limit("64M").start().unwrap();
    let file = sshd.dir().join("big.bin");
    let st = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "head -c 1073741824 /dev/urandom > '{}' && chmod 644 '{}'",
            file.display(),
            file.display()
        ))
        .status()
        .unwrap();
    assert!(st.success());
    let expected = {
        let out = Command::new("sha256sum").arg(&file).output().unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned()
    };
    let mut hasher = sha2::Sha256::new();
    let mut sink = |d: &[u8]| hasher.update(d);
    let key = load_key(sshd.client_key_path(), None);
    let o = run(
        &sshd,
        pubkey_config(&sshd, Box::new(key)),
        &format!("cat '{}'", file.display()),
        |_| {},
        HostKeys::KnownHostsOfServer,
        Some(&mut sink),
    );
    assert!(o.error.is_none(), "{:?}", o.error);
    assert_eq!(o.status, Some(0));
    assert_eq!(o.stdout_len, 1 << 30);
    let got: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(got, expected);
    assert!(o.rekeys >= 3, "only {} rekeys", o.rekeys);
    let _ = std::fs::remove_file(&file);
}

/// Data framed straight into the transport (`send_data_parts`) arrives intact and in order,
/// across many server rekeys (which send it through the buffered path while they run).
#[test]
fn stdin_sent_in_parts_across_rekeys() {
    use sha2::Digest as _;
    let sshd = Sshd::builder().rekey_limit("1M").start().unwrap();
    let data = ssh_test::test_data(24 << 20, 7);
    let expected: String = sha2::Sha256::digest(&data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // Odd boundaries: a part smaller than a header, parts straddling message limits.
    let cuts = [
        0,
        1,
        5,
        13,
        40_000,
        1 << 20,
        (1 << 20) + 77,
        9 << 20,
        data.len(),
    ];
    let parts: Vec<&[u8]> = cuts.windows(2).map(|w| &data[w[0]..w[1]]).collect();
    let key = load_key(sshd.client_key_path(), None);
    let o = common::run_feeding(
        &sshd,
        pubkey_config(&sshd, Box::new(key)),
        "sha256sum",
        |_| {},
        HostKeys::KnownHostsOfServer,
        None,
        &parts,
    );
    assert!(o.error.is_none(), "{:?}", o.error);
    assert_eq!(o.status, Some(0));
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with(&expected),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(o.rekeys >= 3, "only {} rekeys", o.rekeys);
}
