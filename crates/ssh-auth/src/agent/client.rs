//! A small blocking ssh-agent client over `std::os::unix::net::UnixStream`. One connection
//! per operation: agents serve many clients and a signature is rare (once per logon).

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ssh_wire::{Decode, Reader};

use super::msg::{AgentRequest, AgentResponse, Identity, MAX_AGENT_MSG_LEN, frame, sign_flags};
use super::{AgentError, AgentPolicy};
use crate::signer::{SignError, Signer, default_algorithms, key_type_of};

/// How long one agent operation may take. A local agent answers in milliseconds; one that
/// asks the user for confirmation (`ssh-add -c`) needs a human, so be generous.
const AGENT_TIMEOUT: Duration = Duration::from_secs(60);

/// A connection to an ssh-agent.
#[derive(Debug)]
pub struct AgentClient {
    stream: UnixStream,
}

impl AgentClient {
    /// Connects to the agent socket at `path`.
    pub fn connect(path: &Path) -> Result<Self, AgentError> {
        let stream = UnixStream::connect(path)?;
        stream.set_read_timeout(Some(AGENT_TIMEOUT))?;
        stream.set_write_timeout(Some(AGENT_TIMEOUT))?;
        Ok(Self { stream })
    }

    /// The socket named by `SSH_AUTH_SOCK`.
    pub fn socket_from_env() -> Result<PathBuf, AgentError> {
        std::env::var_os("SSH_AUTH_SOCK")
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .ok_or(AgentError::NoSocket)
    }

    /// §4.4: the keys the agent holds.
    pub fn identities(&mut self) -> Result<Vec<Identity>, AgentError> {
        let answer = self.call(&AgentRequest::RequestIdentities)?;
        match AgentResponse::from_bytes(&answer)? {
            AgentResponse::Identities(ids) => Ok(ids
                .into_iter()
                .map(|(blob, comment)| Identity {
                    key_blob: blob.to_vec(),
                    comment: comment.to_owned(),
                })
                .collect()),
            AgentResponse::Failure => Err(AgentError::Refused),
            other => Err(AgentError::Unexpected(response_type(&other))),
        }
    }

    /// §4.5: a signature by `key_blob` over `data` with `algorithm` (the RSA SHA-2 flags are
    /// set from it); the returned blob's algorithm is checked.
    pub fn sign(
        &mut self,
        key_blob: &[u8],
        algorithm: &str,
        data: &[u8],
    ) -> Result<Vec<u8>, AgentError> {
        let answer = self.call(&AgentRequest::SignRequest {
            key_blob,
            data,
            flags: sign_flags(algorithm),
        })?;
        match AgentResponse::from_bytes(&answer)? {
            AgentResponse::SignResponse { signature } => {
                let got = Reader::new(signature).utf8("signature_algorithm")?;
                let want = crate::signer::base_algorithm(algorithm);
                if got != want {
                    return Err(AgentError::WrongAlgorithm {
                        asked: want.to_owned(),
                        got: got.to_owned(),
                    });
                }
                Ok(signature.to_vec())
            }
            AgentResponse::Failure => Err(AgentError::Refused),
            other => Err(AgentError::Unexpected(response_type(&other))),
        }
    }

    /// Sends one request and reads one framed answer, length-checked before allocating.
    fn call(&mut self, request: &AgentRequest<'_>) -> Result<Vec<u8>, AgentError> {
        self.stream.write_all(&frame(request))?;
        let mut len = [0u8; 4];
        self.stream.read_exact(&mut len)?;
        let len32 = u32::from_be_bytes(len);
        let len = usize::try_from(len32).unwrap_or(usize::MAX);
        if len > MAX_AGENT_MSG_LEN {
            return Err(AgentError::TooLong { len: len32 });
        }
        let mut body = vec![0u8; len];
        self.stream.read_exact(&mut body)?;
        Ok(body)
    }
}

fn response_type(r: &AgentResponse<'_>) -> u8 {
    use super::msg::AgentMsgType;
    match r {
        AgentResponse::Failure => AgentMsgType::FAILURE.0,
        AgentResponse::Success => AgentMsgType::SUCCESS.0,
        AgentResponse::Identities(_) => AgentMsgType::IDENTITIES_ANSWER.0,
        AgentResponse::SignResponse { .. } => AgentMsgType::SIGN_RESPONSE.0,
        AgentResponse::Other(t) => t.0,
    }
}

/// A key held by the agent, usable as a [`Signer`]: each signature opens a connection to
/// the socket and asks the agent.
#[derive(Clone, Debug)]
pub struct AgentSigner {
    socket: PathBuf,
    identity: Identity,
}

impl AgentSigner {
    /// The key `identity` held by the agent at `socket`.
    pub fn new(socket: PathBuf, identity: Identity) -> Self {
        Self { socket, identity }
    }

    /// Every key the agent at `socket` holds, in the agent's order.
    pub fn all(socket: &Path) -> Result<Vec<Self>, AgentError> {
        let ids = AgentClient::connect(socket)?.identities()?;
        Ok(ids
            .into_iter()
            .map(|identity| Self::new(socket.to_path_buf(), identity))
            .collect())
    }

    /// The agent's comment for the key.
    pub fn comment(&self) -> &str {
        &self.identity.comment
    }
}

impl Signer for AgentSigner {
    fn public_key_blob(&self) -> &[u8] {
        &self.identity.key_blob
    }

    fn algorithms(&self) -> Vec<String> {
        key_type_of(&self.identity.key_blob)
            .map(default_algorithms)
            .unwrap_or_default()
    }

    fn sign(&self, algorithm: &str, data: &[u8]) -> Result<Vec<u8>, SignError> {
        let mut client = AgentClient::connect(&self.socket)?;
        Ok(client.sign(&self.identity.key_blob, algorithm, data)?)
    }

    fn describe(&self) -> String {
        format!(
            "{} {} (agent)",
            key_type_of(&self.identity.key_blob).unwrap_or("unknown"),
            self.identity.comment
        )
    }
}

/// The agent keys to use under `policy` (the seed's `EnablePageantAuth`), from the socket
/// named by `SSH_AUTH_SOCK`: none when disabled; whatever is there (errors ignored) when
/// enabled; the keys or an error when required. With [`AgentPolicy::Required`] the caller
/// should offer no other keys.
pub fn signers_for_policy(policy: AgentPolicy) -> Result<Vec<AgentSigner>, AgentError> {
    let load = || AgentSigner::all(&AgentClient::socket_from_env()?);
    match policy {
        AgentPolicy::Disabled => Ok(Vec::new()),
        AgentPolicy::Enabled => Ok(load().unwrap_or_default()),
        AgentPolicy::Required => {
            let keys = load()?;
            if keys.is_empty() {
                Err(AgentError::NoKeys)
            } else {
                Ok(keys)
            }
        }
    }
}
