//! Transport errors, with one mapping to the SSH_MSG_DISCONNECT reason code.

use ssh_wire::DecodeError;

use crate::msg::{DisconnectReason, MsgType};

/// The kinds of algorithm negotiated in KEXINIT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlgorithmKind {
    /// kex_algorithms.
    Kex,
    /// server_host_key_algorithms.
    HostKey,
    /// encryption_algorithms_client_to_server.
    CipherClientToServer,
    /// encryption_algorithms_server_to_client.
    CipherServerToClient,
    /// mac_algorithms_client_to_server.
    MacClientToServer,
    /// mac_algorithms_server_to_client.
    MacServerToClient,
    /// compression_algorithms_client_to_server.
    CompressionClientToServer,
    /// compression_algorithms_server_to_client.
    CompressionServerToClient,
}

/// Key exchange failures.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KexError {
    /// The peer's ephemeral public value is invalid (ROBUSTNESS K3–K5).
    #[error("{method}: invalid peer public value: {reason}")]
    BadPeerPublicKey {
        /// Kex method.
        method: &'static str,
        /// What was wrong.
        reason: &'static str,
    },
    /// A group-exchange group is unacceptable.
    #[error("unacceptable Diffie-Hellman group: {reason}")]
    BadGroup {
        /// What was wrong.
        reason: &'static str,
    },
    /// The host key blob could not be parsed or has an unsupported type.
    #[error("server host key could not be parsed: {reason}")]
    BadHostKey {
        /// Parser message.
        reason: String,
    },
    /// The host key does not belong to the negotiated host key algorithm.
    #[error("host key of type {key_type} does not match negotiated algorithm {negotiated}")]
    HostKeyTypeMismatch {
        /// Negotiated host key algorithm.
        negotiated: String,
        /// The key's type.
        key_type: String,
    },
    /// The signature over the exchange hash did not verify.
    #[error("host key signature over the exchange hash is invalid: {reason}")]
    SignatureInvalid {
        /// Why.
        reason: String,
    },
    /// The caller rejected the host key (or never accepted it).
    #[error("server host key rejected")]
    HostKeyRejected,
    /// The host key changed during a re-exchange.
    #[error("server host key changed during key re-exchange")]
    HostKeyChanged,
    /// The method is known but not available in this build.
    #[error("key exchange method {0} is not supported")]
    Unsupported(&'static str),
    /// The OS random number generator failed.
    #[error("system random number generator failed")]
    Rng,
}

/// A transport failure. Fatal errors are sticky: once returned, every later call returns
/// the same error ([`TransportError::is_fatal`] says which are).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The server sent too many lines, or too long a line, before its identification.
    #[error("server identification: {reason}")]
    BadIdentification {
        /// What was wrong.
        reason: &'static str,
    },
    /// The server's version string does not match SSHVersionPattern.
    #[error("server version {version:?} does not match {pattern:?}")]
    VersionMismatch {
        /// The server's identification line.
        version: String,
        /// The pattern in force.
        pattern: String,
    },
    /// RFC 4253 §6: packet_length too small or not block-aligned (ROBUSTNESS T2, T4).
    #[error("bad packet length {len}")]
    BadPacketLength {
        /// The length read.
        len: u32,
    },
    /// packet_length above PACKET_MAX (ROBUSTNESS T3), rejected before allocating.
    #[error("packet length {len} exceeds the maximum {max}")]
    PacketTooLarge {
        /// The length read.
        len: u32,
        /// The cap.
        max: u32,
    },
    /// padding_length out of range (ROBUSTNESS T5).
    #[error("bad padding length {padding_len} in a packet of {packet_len} bytes")]
    BadPadding {
        /// padding_length.
        padding_len: u8,
        /// packet_length.
        packet_len: u32,
    },
    /// MAC or AEAD tag mismatch (ROBUSTNESS T6).
    #[error("message authentication failed on packet {seq}")]
    MacMismatch {
        /// Sequence number of the packet.
        seq: u32,
    },
    /// A sequence number would wrap during the initial key exchange (ROBUSTNESS T7).
    #[error("sequence number wrapped during the initial key exchange")]
    SequenceWrap,
    /// Decompression failed or exceeded its cap (ROBUSTNESS T9).
    #[error("decompression failed: {0}")]
    Decompression(crate::compress::CompressionError),
    /// A message could not be decoded.
    #[error("malformed {msg:?} message: {error}")]
    Decode {
        /// The message type.
        msg: MsgType,
        /// The decoder's error.
        error: DecodeError,
    },
    /// A message arrived where the protocol does not allow it (ROBUSTNESS K8(b), K9).
    #[error("unexpected {msg:?} message during {phase}")]
    UnexpectedMessage {
        /// The message type.
        msg: MsgType,
        /// Where we were.
        phase: &'static str,
    },
    /// Strict kex (OpenSSH PROTOCOL §1.10): a message other than the expected kex messages
    /// during the initial key exchange (ROBUSTNESS K8(a)).
    #[error("strict key exchange violation: {msg:?} as packet {seq}")]
    StrictKexViolation {
        /// The message type.
        msg: MsgType,
        /// Its sequence number.
        seq: u32,
    },
    /// UseStrictKeyExchange=3 and the server does not offer strict kex.
    #[error("server does not support strict key exchange, which is required")]
    StrictKexRequired,
    /// UseStrictKeyExchange=2, the server lacks strict kex and the negotiated algorithms
    /// are affected by Terrapin (CVE-2023-48795).
    #[error(
        "negotiated {cipher} with {mac} is affected by Terrapin and the server lacks strict kex"
    )]
    TerrapinVulnerable {
        /// The cipher.
        cipher: String,
        /// The MAC (or "implicit" for chacha20-poly1305).
        mac: String,
    },
    /// No algorithm in common (ROBUSTNESS K1).
    #[error("no common {kind:?} algorithm: ours [{ours}], theirs [{theirs}]")]
    NoCommonAlgorithm {
        /// Which list.
        kind: AlgorithmKind,
        /// Our list.
        ours: String,
        /// The server's list.
        theirs: String,
    },
    /// A key exchange failure.
    #[error("key exchange failed: {0}")]
    Kex(#[from] KexError),
    /// EXT_INFO misuse (ROBUSTNESS K10).
    #[error("EXT_INFO: {reason}")]
    ExtInfo {
        /// What was wrong.
        reason: &'static str,
    },
    /// The server disconnected.
    #[error("server disconnected ({reason:?}): {description}")]
    Disconnected {
        /// Reason code.
        reason: DisconnectReason,
        /// Sanitized description.
        description: String,
    },
    /// We disconnected (via [`crate::ClientTransport::disconnect`]).
    #[error("connection closed locally")]
    Closed,
    /// A deadline passed: key exchange did not finish, or keepalives went unanswered.
    #[error("timeout during {phase}")]
    Timeout {
        /// "key exchange" or "keepalive".
        phase: &'static str,
    },
    /// Not fatal: the outgoing queue used while a key exchange runs is full; retry after
    /// the exchange completes ([`crate::ClientTransport::can_send`]).
    #[error("outgoing queue full during key exchange ({limit} packets)")]
    QueueFull {
        /// The queue's capacity.
        limit: usize,
    },
    /// Not fatal: the payload is larger than a packet can carry.
    #[error("payload of {len} bytes exceeds the maximum {max}")]
    PayloadTooLarge {
        /// Payload length.
        len: usize,
        /// The cap.
        max: usize,
    },
    /// Not fatal (local misuse): `send` only carries upper-layer messages
    /// (SERVICE_REQUEST and numbers ≥ 50); the transport sends its own.
    #[error("{msg:?} is not an upper-layer message")]
    NotUpperLayerMessage {
        /// The message type given.
        msg: MsgType,
    },
    /// Not fatal (local misuse): [`crate::ClientTransport::reject_last_payload`] was
    /// called with no payload to reject (none handed out yet, or it was already rejected).
    #[error("no upper-layer payload to reject")]
    NoPayloadToReject,
    /// A derived key had the wrong length for its algorithm (an internal inconsistency).
    #[error("could not key {algorithm}")]
    KeySetup {
        /// The algorithm.
        algorithm: &'static str,
    },
}

impl TransportError {
    /// Whether the error ends the connection (all but the local misuse and backpressure
    /// errors, which are returned once and not kept).
    pub fn is_fatal(&self) -> bool {
        !matches!(
            self,
            Self::QueueFull { .. }
                | Self::PayloadTooLarge { .. }
                | Self::NotUpperLayerMessage { .. }
                | Self::NoPayloadToReject
        )
    }

    /// RFC 4253 §11.1 reason code to send in SSH_MSG_DISCONNECT, if one should be sent.
    pub fn disconnect_reason(&self) -> Option<DisconnectReason> {
        Some(match self {
            Self::BadIdentification { .. } | Self::VersionMismatch { .. } => {
                DisconnectReason::PROTOCOL_VERSION_NOT_SUPPORTED
            }
            Self::BadPacketLength { .. }
            | Self::PacketTooLarge { .. }
            | Self::BadPadding { .. }
            | Self::SequenceWrap
            | Self::Decode { .. }
            | Self::UnexpectedMessage { .. }
            | Self::StrictKexViolation { .. }
            | Self::ExtInfo { .. }
            | Self::Timeout { .. } => DisconnectReason::PROTOCOL_ERROR,
            Self::MacMismatch { .. } => DisconnectReason::MAC_ERROR,
            Self::Decompression(_) => DisconnectReason::COMPRESSION_ERROR,
            Self::StrictKexRequired
            | Self::TerrapinVulnerable { .. }
            | Self::NoCommonAlgorithm { .. }
            | Self::KeySetup { .. } => DisconnectReason::KEY_EXCHANGE_FAILED,
            Self::Kex(
                KexError::HostKeyRejected
                | KexError::HostKeyChanged
                | KexError::SignatureInvalid { .. }
                | KexError::BadHostKey { .. }
                | KexError::HostKeyTypeMismatch { .. },
            ) => DisconnectReason::HOST_KEY_NOT_VERIFIABLE,
            Self::Kex(_) => DisconnectReason::KEY_EXCHANGE_FAILED,
            Self::Disconnected { .. }
            | Self::Closed
            | Self::QueueFull { .. }
            | Self::PayloadTooLarge { .. }
            | Self::NotUpperLayerMessage { .. }
            | Self::NoPayloadToReject => return None,
        })
    }
}
