use ssh_wire::DecodeError;

use crate::ChannelId;
use crate::msg::MsgType;

/// Why the connection layer failed. Errors other than [`ConnectionError::Usage`] are
/// fatal and sticky: after one, every call returns it again, and the session should send
/// DISCONNECT with [`ConnectionError::disconnect_reason`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionError {
    /// A message that does not decode (short, trailing bytes, over a cap).
    #[error("malformed {msg:?}: {source}")]
    Malformed {
        /// The message number.
        msg: MsgType,
        /// The decoder's error.
        source: DecodeError,
    },
    /// A message for a channel id we never opened or that is fully closed (C4).
    #[error("{msg:?} for nonexistent channel {recipient}")]
    UnknownChannel {
        /// The message number.
        msg: MsgType,
        /// The `recipient channel` given.
        recipient: u32,
    },
    /// A channel message other than the open reply for a channel whose open is pending,
    /// or an open reply for a channel already open (C3, C4).
    #[error("{msg:?} for channel {channel:?} whose open is {state}")]
    WrongChannelState {
        /// The message number.
        msg: MsgType,
        /// Our id.
        channel: ChannelId,
        /// `pending` or `complete`.
        state: &'static str,
    },
    /// WINDOW_ADJUST taking the window past 2^32 - 1 (C1).
    #[error("window adjust of {add} on channel {channel:?} overflows window {window}")]
    WindowOverflow {
        /// Our id.
        channel: ChannelId,
        /// The window before.
        window: u64,
        /// The bytes to add.
        add: u32,
    },
    /// The server sent more than our window plus the grace allowance (C2).
    #[error("peer ignored the window of channel {channel:?} by {excess} bytes")]
    PeerIgnoredWindow {
        /// Our id.
        channel: ChannelId,
        /// Bytes beyond the window.
        excess: u64,
    },
    /// A data message larger than the maximum packet size we advertised (C2).
    #[error("data message of {len} bytes on channel {channel:?} exceeds our maximum packet {max}")]
    OversizedData {
        /// Our id.
        channel: ChannelId,
        /// Data length.
        len: usize,
        /// What we advertised.
        max: u32,
    },
    /// CHANNEL_SUCCESS/FAILURE or REQUEST_SUCCESS/FAILURE nobody asked for.
    #[error("{msg:?} without a pending request")]
    UnexpectedReply {
        /// The message number.
        msg: MsgType,
    },
    /// A connection-layer message number that is not allowed from a server (e.g. a second
    /// CHANNEL_OPEN_CONFIRMATION for the same channel is reported as WrongChannelState).
    #[error("unexpected {msg:?}")]
    UnexpectedMessage {
        /// The message number.
        msg: MsgType,
    },
    /// Every local channel id is in use.
    #[error("too many channels open")]
    TooManyChannels,
    /// The caller used the API out of order (a local bug, not the peer's fault).
    #[error("misuse: {0}")]
    Usage(#[from] UsageError),
}

/// Calls that do not fit a channel's state.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    /// No channel with this id.
    #[error("no channel {0:?}")]
    NoSuchChannel(ChannelId),
    /// The channel is not open yet, or is closing.
    #[error("channel {0:?} is not open")]
    NotOpen(ChannelId),
    /// Data after our EOF.
    #[error("channel {0:?}: EOF already sent")]
    EofSent(ChannelId),
}

impl ConnectionError {
    /// RFC 4253 §11.1 reason code for the DISCONNECT: 2 PROTOCOL_ERROR for the peer's
    /// mistakes, 11 BY_APPLICATION for local ones.
    pub fn disconnect_reason(&self) -> u32 {
        match self {
            Self::Usage(_) | Self::TooManyChannels => 11,
            _ => 2,
        }
    }

    /// The seed's error code: 1021 invalid channel id, 1022 invalid channel data, 1023
    /// invalid channel message, 1020 failure to open channel.
    pub fn seed_code(&self) -> u32 {
        match self {
            Self::UnknownChannel { .. } | Self::WrongChannelState { .. } => 1021,
            Self::WindowOverflow { .. }
            | Self::PeerIgnoredWindow { .. }
            | Self::OversizedData { .. } => 1022,
            Self::TooManyChannels => 1020,
            Self::Usage(UsageError::NoSuchChannel(_)) => 1021,
            _ => 1023,
        }
    }
}
