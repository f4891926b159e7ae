//! Agent protocol messages (draft-miller-ssh-agent §3, §4.4, §4.5): each is
//! `uint32 length, byte type, contents`.

use ssh_wire::{Decode, DecodeError, DecodeErrorKind, Encode, Reader, Writer};

use crate::msg::MAX_KEY_BLOB_LEN;

/// Longest agent message accepted: OpenSSH's `AGENT_MAX_LEN` (256 KiB).
pub const MAX_AGENT_MSG_LEN: usize = 256 * 1024;

/// Most identities accepted in one answer: OpenSSH's client stops at 2048
/// (`MAX_AGENT_IDENTITIES` in authfd.c); more is a broken or hostile agent.
pub const MAX_IDENTITIES: usize = 2048;

/// Smallest wire size of one identity: two empty strings.
const MIN_IDENTITY_LEN: usize = 8;

/// Longest comment kept, in bytes (OpenSSH comments are file names or `user@host`).
const MAX_COMMENT_LEN: usize = 4096;

ssh_wire::open_enum! {
    /// Agent message numbers (draft-miller-ssh-agent §5.1).
    pub struct AgentMsgType(u8) {
        /// `SSH_AGENT_FAILURE`.
        FAILURE = 5,
        /// `SSH_AGENT_SUCCESS`.
        SUCCESS = 6,
        /// `SSH_AGENTC_REQUEST_IDENTITIES`.
        REQUEST_IDENTITIES = 11,
        /// `SSH_AGENT_IDENTITIES_ANSWER`.
        IDENTITIES_ANSWER = 12,
        /// `SSH_AGENTC_SIGN_REQUEST`.
        SIGN_REQUEST = 13,
        /// `SSH_AGENT_SIGN_RESPONSE`.
        SIGN_RESPONSE = 14,
    }
}

/// Sign-request flag `SSH_AGENT_RSA_SHA2_256` (§4.5.1).
pub const SSH_AGENT_RSA_SHA2_256: u32 = 0x02;
/// Sign-request flag `SSH_AGENT_RSA_SHA2_512` (§4.5.1).
pub const SSH_AGENT_RSA_SHA2_512: u32 = 0x04;

/// The sign-request flags that select `algorithm` for an RSA key (plain or certificate);
/// 0 for everything else.
pub fn sign_flags(algorithm: &str) -> u32 {
    match crate::signer::base_algorithm(algorithm) {
        "rsa-sha2-256" => SSH_AGENT_RSA_SHA2_256,
        "rsa-sha2-512" => SSH_AGENT_RSA_SHA2_512,
        _ => 0,
    }
}

/// A key the agent holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The public key (or certificate) blob.
    pub key_blob: Vec<u8>,
    /// The agent's comment (often the file the key came from).
    pub comment: String,
}

/// Requests from us to the agent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AgentRequest<'a> {
    /// §4.4 `byte SSH_AGENTC_REQUEST_IDENTITIES`.
    RequestIdentities,
    /// §4.5 `byte SSH_AGENTC_SIGN_REQUEST, string key blob, string data, uint32 flags`.
    SignRequest {
        /// The key to sign with.
        key_blob: &'a [u8],
        /// The data to sign.
        data: &'a [u8],
        /// `SSH_AGENT_RSA_SHA2_*`.
        flags: u32,
    },
}

/// Answers from the agent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AgentResponse<'a> {
    /// `SSH_AGENT_FAILURE`.
    Failure,
    /// `SSH_AGENT_SUCCESS`.
    Success,
    /// §4.4 `byte SSH_AGENT_IDENTITIES_ANSWER, uint32 nkeys, (string key blob,
    /// string comment)*`.
    Identities(Vec<(&'a [u8], &'a str)>),
    /// §4.5 `byte SSH_AGENT_SIGN_RESPONSE, string signature`.
    SignResponse {
        /// RFC 4253 §6.6 signature blob.
        signature: &'a [u8],
    },
    /// Anything else: the type number (contents ignored).
    Other(AgentMsgType),
}

impl Encode for AgentRequest<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        match self {
            Self::RequestIdentities => {
                w.u8(AgentMsgType::REQUEST_IDENTITIES.0);
            }
            Self::SignRequest {
                key_blob,
                data,
                flags,
            } => {
                w.u8(AgentMsgType::SIGN_REQUEST.0)
                    .string(key_blob)
                    .string(data)
                    .u32(*flags);
            }
        }
    }
}

impl<'a> Decode<'a> for AgentRequest<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let at = r.position();
        match AgentMsgType(r.u8("type")?) {
            AgentMsgType::REQUEST_IDENTITIES => Ok(Self::RequestIdentities),
            AgentMsgType::SIGN_REQUEST => Ok(Self::SignRequest {
                key_blob: r.string_max(MAX_KEY_BLOB_LEN, "key_blob")?,
                data: r.string("data")?,
                flags: r.u32("flags")?,
            }),
            _ => Err(DecodeError::new(DecodeErrorKind::InvalidValue, "type", at)),
        }
    }
}

impl Encode for AgentResponse<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        match self {
            Self::Failure => {
                w.u8(AgentMsgType::FAILURE.0);
            }
            Self::Success => {
                w.u8(AgentMsgType::SUCCESS.0);
            }
            Self::Identities(ids) => {
                w.u8(AgentMsgType::IDENTITIES_ANSWER.0)
                    .u32(u32::try_from(ids.len()).unwrap_or(u32::MAX));
                for (blob, comment) in ids {
                    w.string(blob).string(comment.as_bytes());
                }
            }
            Self::SignResponse { signature } => {
                w.u8(AgentMsgType::SIGN_RESPONSE.0).string(signature);
            }
            Self::Other(ty) => {
                w.u8(ty.0);
            }
        }
    }
}

impl<'a> Decode<'a> for AgentResponse<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(match AgentMsgType(r.u8("type")?) {
            AgentMsgType::FAILURE => Self::Failure,
            AgentMsgType::SUCCESS => Self::Success,
            AgentMsgType::IDENTITIES_ANSWER => {
                let at = r.position();
                let n = usize::try_from(r.u32("nkeys")?).unwrap_or(usize::MAX);
                if n > MAX_IDENTITIES || n > r.remaining() / MIN_IDENTITY_LEN {
                    return Err(DecodeError::new(
                        DecodeErrorKind::TooLong {
                            len: n,
                            max: MAX_IDENTITIES.min(r.remaining() / MIN_IDENTITY_LEN),
                        },
                        "nkeys",
                        at,
                    ));
                }
                let mut ids = Vec::with_capacity(n);
                for _ in 0..n {
                    let blob = r.string_max(MAX_KEY_BLOB_LEN, "key_blob")?;
                    let at = r.position();
                    let comment = std::str::from_utf8(r.string_max(MAX_COMMENT_LEN, "comment")?)
                        .map_err(|_| {
                            DecodeError::new(DecodeErrorKind::InvalidUtf8, "comment", at)
                        })?;
                    ids.push((blob, comment));
                }
                Self::Identities(ids)
            }
            AgentMsgType::SIGN_RESPONSE => Self::SignResponse {
                signature: r.string("signature")?,
            },
            other => {
                r.rest();
                Self::Other(other)
            }
        })
    }
}

/// Frames an agent message: `uint32 length` then the message.
pub fn frame(msg: &impl Encode) -> Vec<u8> {
    let mut buf = Vec::new();
    Writer::new(&mut buf).string_with(|w| msg.encode(w));
    buf
}
