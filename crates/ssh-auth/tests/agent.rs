//! The ssh-agent client: against a scripted agent on a Unix socket, and against a real
//! `ssh-agent` started by the test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::type_complexity
)]

use std::io::{Read, Write};
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ssh_auth::agent::msg::frame;
use ssh_auth::agent::{AgentClient, AgentError, AgentRequest, AgentResponse, AgentSigner};
use ssh_auth::{Signer, key_type_of};
use ssh_wire::{Decode, Reader, Writer};

/// Serves one connection: reads one request, answers with `answer` (raw framed bytes).
fn scripted_agent(path: &Path, answer: Vec<u8>) -> std::thread::JoinHandle<Vec<u8>> {
    let listener = UnixListener::bind(path).unwrap();
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut len = [0; 4];
        s.read_exact(&mut len).unwrap();
        let mut req = vec![0; u32::from_be_bytes(len) as usize];
        s.read_exact(&mut req).unwrap();
        let _ = s.write_all(&answer);
        req
    })
}

#[test]
fn identities_and_sign_flags_against_a_scripted_agent() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("agent.sock");
    let mut key = Vec::new();
    Writer::new(&mut key)
        .string(b"ssh-rsa")
        .string(b"e")
        .string(b"n");
    let answer = frame(&AgentResponse::Identities(vec![(&key, "alice@host")]));
    let h = scripted_agent(&sock, answer);
    let ids = AgentClient::connect(&sock).unwrap().identities().unwrap();
    assert_eq!(h.join().unwrap(), vec![11]);
    assert_eq!(ids.len(), 1);
    assert_eq!(ids[0].comment, "alice@host");

    let signer = AgentSigner::new(sock.clone(), ids[0].clone());
    assert_eq!(
        signer.algorithms(),
        vec!["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]
    );
    std::fs::remove_file(&sock).unwrap();
    let mut sig = Vec::new();
    Writer::new(&mut sig)
        .string(b"rsa-sha2-256")
        .string(b"sigbytes");
    let h = scripted_agent(
        &sock,
        frame(&AgentResponse::SignResponse { signature: &sig }),
    );
    assert_eq!(signer.sign("rsa-sha2-256", b"data").unwrap(), sig);
    let req = h.join().unwrap();
    assert_eq!(
        AgentRequest::from_bytes(&req).unwrap(),
        AgentRequest::SignRequest {
            key_blob: &key,
            data: b"data",
            flags: 2
        }
    );
}

#[test]
fn agent_returning_the_wrong_algorithm_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("a");
    let mut sig = Vec::new();
    Writer::new(&mut sig).string(b"ssh-rsa").string(b"x");
    let h = scripted_agent(
        &sock,
        frame(&AgentResponse::SignResponse { signature: &sig }),
    );
    let err = AgentClient::connect(&sock)
        .unwrap()
        .sign(b"key", "rsa-sha2-512", b"d")
        .unwrap_err();
    h.join().unwrap();
    assert!(matches!(err, AgentError::WrongAlgorithm { .. }));
}

#[test]
fn hostile_agent_answers() {
    let cases: Vec<(Vec<u8>, fn(&AgentError) -> bool)> = vec![
        // Length past the cap: refused before allocating.
        (vec![0xff, 0xff, 0xff, 0xff], |e| {
            matches!(e, AgentError::TooLong { .. })
        }),
        // nkeys 0xFFFFFFFF in a tiny message.
        (vec![0, 0, 0, 5, 12, 0xff, 0xff, 0xff, 0xff], |e| {
            matches!(e, AgentError::Malformed(_))
        }),
        // Failure.
        (vec![0, 0, 0, 1, 5], |e| matches!(e, AgentError::Refused)),
        // Unexpected type.
        (vec![0, 0, 0, 1, 6], |e| {
            matches!(e, AgentError::Unexpected(6))
        }),
        // Trailing bytes.
        (vec![0, 0, 0, 6, 12, 0, 0, 0, 0, 9], |e| {
            matches!(e, AgentError::Malformed(_))
        }),
        // Connection closed early.
        (vec![0, 0], |e| matches!(e, AgentError::Io { .. })),
    ];
    for (i, (answer, ok)) in cases.into_iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join(format!("s{i}"));
        let h = scripted_agent(&sock, answer);
        let err = AgentClient::connect(&sock)
            .unwrap()
            .identities()
            .unwrap_err();
        h.join().unwrap();
        assert!(ok(&err), "case {i}: {err:?}");
    }
}

#[test]
fn policy_disabled_never_connects() {
    assert!(
        ssh_auth::agent::signers_for_policy(ssh_auth::agent::AgentPolicy::Disabled)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        ssh_auth::agent::AgentPolicy::from_seed(2),
        Some(ssh_auth::agent::AgentPolicy::Required)
    );
    assert_eq!(ssh_auth::agent::AgentPolicy::from_seed(3), None);
}

struct Agent(Child);
impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("-?")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

#[test]
fn real_ssh_agent_lists_and_signs() {
    if !have("ssh-agent") || !have("ssh-keygen") {
        eprintln!("ssh-agent not installed; skipping");
        return;
    }
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
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !sock.exists() {
        assert!(Instant::now() < deadline, "agent did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    for (t, bits) in [("ed25519", ""), ("rsa", "2048"), ("ecdsa", "256")] {
        let key = dir.path().join(format!("id_{t}"));
        let mut cmd = Command::new("ssh-keygen");
        cmd.args(["-q", "-N", "", "-t", t, "-C", t, "-f"]).arg(&key);
        if !bits.is_empty() {
            cmd.args(["-b", bits]);
        }
        assert!(cmd.status().unwrap().success());
        let added = Command::new("ssh-add")
            .arg(&key)
            .env("SSH_AUTH_SOCK", &sock)
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(added.success());
    }
    let signers = AgentSigner::all(&sock).unwrap();
    let mut types: Vec<String> = signers
        .iter()
        .map(|s| key_type_of(s.public_key_blob()).unwrap().to_owned())
        .collect();
    types.sort();
    assert_eq!(types, ["ecdsa-sha2-nistp256", "ssh-ed25519", "ssh-rsa"]);
    for s in &signers {
        for alg in s.algorithms() {
            let sig = s.sign(&alg, b"data to sign").unwrap();
            let mut r = Reader::new(&sig);
            assert_eq!(r.utf8("alg").unwrap(), alg);
            assert!(!r.string("sig").unwrap().is_empty());
            r.finish().unwrap();
        }
    }
    drop(agent);
}
