use ssh_wire::DecodeError;

use crate::AuthMode;
use crate::msg::MsgType;
use crate::signer::SignError;

/// Why authentication ended without success. Errors are sticky: after one, every call on
/// the [`crate::AuthClient`] returns it again.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The server broke RFC 4252/4256 (A1, A5, A6, A7 of ROBUSTNESS.md).
    #[error("userauth protocol error: {0}")]
    Protocol(#[from] ProtocolViolation),
    /// Every method we can try has failed; `allowed` is what the server still accepts.
    #[error(
        "authentication failed: tried {tried:?}; the server allows {allowed:?}{}",
        if *partial_success { " (after partial success)" } else { "" }
    )]
    NoMethodsLeft {
        /// The server's last `authentications that can continue` list.
        allowed: Vec<String>,
        /// Methods we sent, in order (each method once).
        tried: Vec<String>,
        /// Whether some step had succeeded partially (multi-factor).
        partial_success: bool,
    },
    /// More requests than the configured bound (A2).
    #[error("authentication abandoned after {tried} requests")]
    TooManyAttempts {
        /// Requests sent.
        tried: u32,
    },
    /// The server requires a password change (RFC 4252 §8) and the caller declined it.
    #[error("the server requires a password change: {prompt}")]
    PasswordChangeRequired {
        /// The server's prompt.
        prompt: String,
    },
    /// A key could not sign.
    #[error("signing with {key} failed: {source}")]
    Sign {
        /// Which key.
        key: String,
        /// Why.
        source: SignError,
    },
    /// GSSAPI modes (5, 6) are not implemented.
    #[error("authentication mode {0:?} is not supported")]
    UnsupportedMode(AuthMode),
    /// The mode needs a credential the configuration does not hold.
    #[error("authentication mode {mode:?} needs a {credential}")]
    MissingCredential {
        /// The mode.
        mode: AuthMode,
        /// What is missing (`password`, `key`).
        credential: &'static str,
    },
    /// The server did not finish authentication before the deadline (A7).
    #[error("timed out waiting for the server during authentication")]
    Timeout,
    /// The caller used the API out of order (a local bug, not the peer's fault).
    #[error("misuse: {0}")]
    Usage(UsageError),
}

/// Ways the server broke the userauth protocol.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolViolation {
    /// A message that does not decode (bad lengths, trailing bytes, counts too large).
    #[error("malformed {msg:?}: {source}")]
    Malformed {
        /// The message number.
        msg: MsgType,
        /// The decoder's error.
        source: DecodeError,
    },
    /// A message that is not allowed in the current state (e.g. SUCCESS before any
    /// request, INFO_REQUEST when keyboard-interactive is not running).
    #[error("unexpected {msg:?} while {state}")]
    Unexpected {
        /// The message number.
        msg: MsgType,
        /// What we were waiting for.
        state: &'static str,
    },
    /// Any userauth message after USERAUTH_SUCCESS.
    #[error("{msg:?} after authentication succeeded")]
    AfterSuccess {
        /// The message number.
        msg: MsgType,
    },
    /// SERVICE_ACCEPT for a service we did not ask for.
    #[error("server accepted service `{service}` instead of ssh-userauth")]
    ServiceMismatch {
        /// The service named.
        service: String,
    },
    /// PK_OK for a key or algorithm other than the one we offered.
    #[error("PK_OK names `{got}` but we offered `{offered}`")]
    PkOkMismatch {
        /// Algorithm we offered.
        offered: String,
        /// Algorithm in PK_OK (or "different key blob").
        got: String,
    },
    /// More keyboard-interactive rounds than the configured bound (A5).
    #[error("more than {max} keyboard-interactive rounds")]
    TooManyRounds {
        /// The bound.
        max: u32,
    },
}

/// Calls that do not fit the state the client is in.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    /// A keyboard-interactive answer when no prompts are waiting.
    #[error("no keyboard-interactive prompts are waiting")]
    NoPrompts,
    /// A prompt index past the last prompt.
    #[error("prompt {index} does not exist ({count} prompts)")]
    NoSuchPrompt {
        /// The index given.
        index: usize,
        /// Prompts in the round.
        count: usize,
    },
    /// A password change when none was requested.
    #[error("no password change was requested")]
    NoPasswordChange,
    /// A custom packet when custom authentication is not waiting for one.
    #[error("custom authentication is not waiting for a packet")]
    NoCustomPacketWanted,
    /// A custom packet that is not a userauth message (50..=79).
    #[error("custom packet type {0} is not a userauth message (50..=79)")]
    NotUserauthPacket(u8),
}

impl AuthError {
    /// The seed's error code: 1032 "Authentication failed" for everything this layer
    /// reports (protocol errors included: the logon failed), 1013 "Cannot sign data" for
    /// signing failures.
    pub fn seed_code(&self) -> u32 {
        match self {
            Self::Sign { .. } => 1013,
            _ => 1032,
        }
    }

    /// RFC 4253 §11.1 reason code for the DISCONNECT that should follow, if any:
    /// 2 PROTOCOL_ERROR for protocol violations, 14 NO_MORE_AUTH_METHODS_AVAILABLE when
    /// authentication ran out, 11 BY_APPLICATION otherwise.
    pub fn disconnect_reason(&self) -> u32 {
        match self {
            Self::Protocol(_) => 2,
            Self::NoMethodsLeft { .. }
            | Self::TooManyAttempts { .. }
            | Self::PasswordChangeRequired { .. } => 14,
            _ => 11,
        }
    }
}
