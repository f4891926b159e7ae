//! ssh-agent support (draft-miller-ssh-agent, OpenSSH PROTOCOL.agent): public key
//! authentication with keys held by the agent at `SSH_AUTH_SOCK` — the Unix counterpart of
//! the seed's `EnablePageantAuth` setting.
//!
//! [`msg`] is the sans-IO codec; [`client`] is a small blocking client over a Unix socket.
//! The client is the only I/O in this crate and runs only when the caller builds an
//! [`AgentSigner`] (opt-in, see [`AgentPolicy`]); the state machine never opens sockets, it
//! calls [`crate::Signer::sign`] on whatever signer it was given.

pub mod client;
pub mod msg;

pub use client::{AgentClient, AgentSigner, signers_for_policy};
pub use msg::{AgentRequest, AgentResponse, Identity, MAX_AGENT_MSG_LEN, MAX_IDENTITIES};

/// The seed's `EnablePageantAuth` values applied to ssh-agent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AgentPolicy {
    /// 0: never talk to the agent (default).
    #[default]
    Disabled,
    /// 1: use the agent's keys if it is running; no error if it is not or has no keys.
    Enabled,
    /// 2: use only the agent's keys; an error if it is not running or has no keys.
    Required,
}

impl AgentPolicy {
    /// From the seed's integer (0, 1, 2); `None` for other values.
    pub fn from_seed(value: i64) -> Option<Self> {
        match value {
            0 => Some(Self::Disabled),
            1 => Some(Self::Enabled),
            2 => Some(Self::Required),
            _ => None,
        }
    }
}

/// Why talking to the agent failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AgentError {
    /// `SSH_AUTH_SOCK` is not set.
    #[error("SSH_AUTH_SOCK is not set")]
    NoSocket,
    /// Connecting, reading or writing failed.
    #[error("agent socket {kind:?}: {message}")]
    Io {
        /// The I/O error kind.
        kind: std::io::ErrorKind,
        /// The error text.
        message: String,
    },
    /// The agent answered `SSH_AGENT_FAILURE`.
    #[error("the agent refused the request")]
    Refused,
    /// The agent's answer does not decode.
    #[error("malformed agent message: {0}")]
    Malformed(#[from] ssh_wire::DecodeError),
    /// An agent message longer than [`MAX_AGENT_MSG_LEN`].
    #[error("agent message of {len} bytes exceeds the {MAX_AGENT_MSG_LEN}-byte limit")]
    TooLong {
        /// The length announced.
        len: u32,
    },
    /// An answer of a type that does not answer the request.
    #[error("unexpected agent message type {0}")]
    Unexpected(u8),
    /// The signature is not of the algorithm asked for (an old agent ignoring the
    /// rsa-sha2 flags would return `ssh-rsa`).
    #[error("asked the agent for `{asked}` but got a `{got}` signature")]
    WrongAlgorithm {
        /// Algorithm requested.
        asked: String,
        /// Algorithm in the signature blob.
        got: String,
    },
    /// [`AgentPolicy::Required`] and the agent holds no keys.
    #[error("the agent holds no keys")]
    NoKeys,
}

impl From<std::io::Error> for AgentError {
    fn from(e: std::io::Error) -> Self {
        Self::Io {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}
