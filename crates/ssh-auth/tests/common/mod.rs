//! A scripted server for the in-memory tests: builders for the messages a server sends and
//! a fake signer whose "signature" is the data it was asked to sign, so tests can check the
//! exact bytes covered.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::type_complexity,
    dead_code
)]

use std::sync::{Arc, Mutex};

use ssh_auth::msg::{
    Banner, Failure, InfoRequest, KbdPrompt, PasswdChangeReq, PkOk, ServiceAccept, UserauthRequest,
};
use ssh_auth::{AuthClient, AuthEvent, SignError, Signer};
use ssh_wire::{Decode, Encode, Reader, Writer};

pub const SESSION_ID: &[u8] = b"\x01\x02session-id-bytes";

pub fn service_accept() -> Vec<u8> {
    ServiceAccept {
        service: "ssh-userauth",
    }
    .to_bytes()
}

pub fn failure(methods: &str, partial: bool) -> Vec<u8> {
    let mut buf = vec![0x33];
    Writer::new(&mut buf)
        .string(methods.as_bytes())
        .bool(partial);
    // Check it decodes as the client will.
    if let Ok(f) = Failure::from_bytes(&buf) {
        assert_eq!(f.methods.as_str(), methods);
    }
    buf
}

pub fn success() -> Vec<u8> {
    vec![0x34]
}

pub fn banner(text: &str) -> Vec<u8> {
    Banner {
        message: text,
        language: "en",
    }
    .to_bytes()
}

pub fn pk_ok(alg: &str, blob: &[u8]) -> Vec<u8> {
    PkOk {
        algorithm: alg,
        public_key: blob,
    }
    .to_bytes()
}

pub fn passwd_changereq(prompt: &str) -> Vec<u8> {
    PasswdChangeReq {
        prompt,
        language: "",
    }
    .to_bytes()
}

pub fn info_request(name: &str, instruction: &str, prompts: &[(&str, bool)]) -> Vec<u8> {
    InfoRequest {
        name,
        instruction,
        language: "",
        prompts: prompts
            .iter()
            .map(|(p, e)| KbdPrompt {
                prompt: p,
                echo: *e,
            })
            .collect(),
    }
    .to_bytes()
}

/// Drains the client's output.
pub fn sent(client: &mut AuthClient) -> Vec<Vec<u8>> {
    std::iter::from_fn(|| client.poll_payload().map(|p| p.to_vec())).collect()
}

/// Drains the client's events.
pub fn events(client: &mut AuthClient) -> Vec<AuthEvent> {
    std::iter::from_fn(|| client.poll_event()).collect()
}

/// The single request the client sent, decoded, with a check on user and service.
pub fn one_request(client: &mut AuthClient) -> Vec<u8> {
    let out = sent(client);
    assert_eq!(out.len(), 1, "expected one payload, got {out:?}");
    let req = out.into_iter().next().unwrap();
    let decoded = UserauthRequest::from_bytes(&req).expect("client sent a valid request");
    assert_eq!(decoded.user, "alice");
    assert_eq!(decoded.service, "ssh-connection");
    req
}

/// Brings a new client through SERVICE_REQUEST/ACCEPT and the `none` request; returns the
/// client after the `none` has been answered by `none_reply`.
pub fn start(client: &mut AuthClient, none_reply: &[u8]) {
    let out = sent(client);
    assert_eq!(out, vec![b"\x05\x00\x00\x00\x0cssh-userauth".to_vec()]);
    client.handle_payload(&service_accept()).unwrap();
    let none = one_request(client);
    let decoded = UserauthRequest::from_bytes(&none).unwrap();
    assert_eq!(decoded.method.name(), "none");
    client.handle_payload(none_reply).unwrap();
}

/// A key blob of type `key_type` with some key material.
pub fn blob(key_type: &str, material: &[u8]) -> Vec<u8> {
    let mut buf = Vec::new();
    Writer::new(&mut buf)
        .string(key_type.as_bytes())
        .string(material);
    buf
}

/// A signer whose signature blob is `string algorithm, string data`: tests read back what
/// was signed. Records every call.
#[derive(Clone)]
pub struct FakeSigner {
    pub blob: Vec<u8>,
    pub algorithms: Vec<String>,
    pub calls: Arc<Mutex<Vec<(String, Vec<u8>)>>>,
    pub fail: bool,
}

impl FakeSigner {
    pub fn new(key_type: &str, material: &[u8]) -> Self {
        Self {
            blob: blob(key_type, material),
            algorithms: ssh_auth::default_algorithms(key_type),
            calls: Arc::default(),
            fail: false,
        }
    }
}

impl Signer for FakeSigner {
    fn public_key_blob(&self) -> &[u8] {
        &self.blob
    }
    fn algorithms(&self) -> Vec<String> {
        self.algorithms.clone()
    }
    fn sign(&self, algorithm: &str, data: &[u8]) -> Result<Vec<u8>, SignError> {
        if self.fail {
            return Err(SignError::Key("refused".into()));
        }
        self.calls
            .lock()
            .unwrap()
            .push((algorithm.to_owned(), data.to_vec()));
        let mut sig = Vec::new();
        Writer::new(&mut sig)
            .string(algorithm.as_bytes())
            .string(data);
        Ok(sig)
    }
}

/// Splits a fake signature blob.
pub fn fake_sig_parts(sig: &[u8]) -> (String, Vec<u8>) {
    let mut r = Reader::new(sig);
    let alg = r.utf8("alg").unwrap().to_owned();
    let data = r.string("data").unwrap().to_vec();
    r.finish().unwrap();
    (alg, data)
}
