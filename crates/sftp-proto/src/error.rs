//! Errors of the SFTP layer.

use ssh_wire::DecodeError;

use crate::consts::PacketType;
use crate::packet::{NotAtVersion, RequestId};

/// Why the byte stream could not be split into packets (fatal).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A length over the cap (robustness case S2); refused before buffering it.
    #[error(
        "SFTP packet length {len} exceeds the limit of {max} bytes{}",
        if *shell_noise { " (the server's login shell seems to print text before the SFTP \
        server starts: check the user's shell startup files)" } else { "" }
    )]
    TooLong {
        /// Length announced.
        len: u32,
        /// The cap.
        max: usize,
        /// Whether the bytes look like shell output rather than a length.
        shell_noise: bool,
    },
    /// A length too small to hold a type byte.
    #[error("SFTP packet length {len} is too short for a packet")]
    TooShort {
        /// Length announced.
        len: u32,
    },
}

/// Fatal protocol errors of an [`crate::SftpSession`] (sticky: every later call returns
/// the same error). Suggested mapping: all are the seed's 1103-family "SFTP protocol"
/// errors except [`SessionError::UnsupportedVersion`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// Framing failed (S2).
    #[error("bad SFTP framing: {0}")]
    Frame(#[from] FrameError),
    /// A packet did not decode (S1, S7).
    #[error("malformed SFTP {packet:?} packet: {source}")]
    Malformed {
        /// Its type byte.
        packet: PacketType,
        /// The decoder's error.
        source: DecodeError,
    },
    /// The first packet was not VERSION (S1).
    #[error("expected SSH_FXP_VERSION, got {got:?}")]
    NotVersion {
        /// What came instead.
        got: PacketType,
    },
    /// The server chose a version we do not speak or did not offer (S1).
    #[error("server chose SFTP version {version}, outside 3..={offered}")]
    UnsupportedVersion {
        /// The server's version.
        version: u32,
        /// The highest we offered.
        offered: u32,
    },
    /// `version-select` was refused.
    #[error("server refused version-select to {version}: status {status:?}")]
    VersionSelectRefused {
        /// Version asked for.
        version: u32,
        /// The server's status code.
        status: crate::consts::StatusCode,
    },
    /// A response for an id we never issued or already completed (S3).
    #[error("response for unknown request id {0:?}")]
    UnknownRequestId(RequestId),
    /// A response of a type that cannot answer the request (S3), or a server-only packet
    /// type we do not know.
    #[error("{got:?} is not a valid reply to {request:?} (id {id:?})")]
    UnexpectedReply {
        /// The request's id.
        id: RequestId,
        /// The request's type.
        request: PacketType,
        /// What came.
        got: PacketType,
    },
    /// A packet type that is not a server response, or a VERSION after the handshake.
    #[error("unexpected {0:?} packet from server")]
    UnexpectedPacket(PacketType),
    /// DATA longer than the READ asked for (S5).
    #[error("DATA for id {id:?} has {got} bytes, more than the {asked} asked for")]
    DataTooLong {
        /// The READ's id.
        id: RequestId,
        /// Bytes asked for.
        asked: u32,
        /// Bytes received.
        got: usize,
    },
    /// A NAME answering REALPATH/READLINK/expand-path/home-directory with other than one
    /// entry.
    #[error("NAME for id {id:?} has {count} entries where one was expected")]
    BadNameCount {
        /// The request's id.
        id: RequestId,
        /// Entries received.
        count: usize,
    },
}

/// Local misuse of an [`crate::SftpSession`]; not fatal, nothing was sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The session failed earlier; this is that error.
    #[error(transparent)]
    Failed(#[from] SessionError),
    /// Version negotiation has not finished.
    #[error("SFTP version negotiation has not finished")]
    NotReady,
    /// As many requests are outstanding as the pipelining window allows.
    #[error("pipelining window full ({0} requests outstanding)")]
    WindowFull(usize),
    /// The request does not exist at the negotiated version.
    #[error(transparent)]
    NotAtVersion(#[from] NotAtVersion),
    /// The request does not fit a packet the server accepts.
    #[error("request of {len} bytes exceeds the packet limit of {max}")]
    TooLarge {
        /// Encoded length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// version-select is only possible right after VERSION, once, when offered.
    #[error("version-select is not possible now: {0}")]
    VersionSelect(&'static str),
}
