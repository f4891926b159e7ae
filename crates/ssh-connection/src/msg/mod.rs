//! Codecs for the RFC 4254 messages, one file per family: global requests, channel open,
//! channel data and flow control, channel requests.

mod data;
mod global;
mod open;
mod request;

pub use data::{ChannelClose, ChannelData, ChannelEof, ExtendedData, WindowAdjust};
pub use global::{GlobalRequest, RequestFailure, RequestSuccess};
pub use open::{ChannelOpen, OpenConfirmation, OpenFailure, OpenFailureReason};
pub use request::{
    ChannelFailure, ChannelRequest, ChannelRequestHeader, ChannelSuccess, ExitSignal, RequestBody,
};

use ssh_wire::{DecodeError, DecodeErrorKind, Reader};

ssh_wire::open_enum! {
    /// RFC 4254 §9 / RFC 4250 §4.1.2 message numbers of the connection protocol.
    pub struct MsgType(u8) {
        /// §4 `SSH_MSG_GLOBAL_REQUEST`.
        GLOBAL_REQUEST = 0x50,
        /// §4 `SSH_MSG_REQUEST_SUCCESS`.
        REQUEST_SUCCESS = 0x51,
        /// §4 `SSH_MSG_REQUEST_FAILURE`.
        REQUEST_FAILURE = 0x52,
        /// §5.1 `SSH_MSG_CHANNEL_OPEN`.
        CHANNEL_OPEN = 0x5a,
        /// §5.1 `SSH_MSG_CHANNEL_OPEN_CONFIRMATION`.
        CHANNEL_OPEN_CONFIRMATION = 0x5b,
        /// §5.1 `SSH_MSG_CHANNEL_OPEN_FAILURE`.
        CHANNEL_OPEN_FAILURE = 0x5c,
        /// §5.2 `SSH_MSG_CHANNEL_WINDOW_ADJUST`.
        CHANNEL_WINDOW_ADJUST = 0x5d,
        /// §5.2 `SSH_MSG_CHANNEL_DATA`.
        CHANNEL_DATA = 0x5e,
        /// §5.2 `SSH_MSG_CHANNEL_EXTENDED_DATA`.
        CHANNEL_EXTENDED_DATA = 0x5f,
        /// §5.3 `SSH_MSG_CHANNEL_EOF`.
        CHANNEL_EOF = 0x60,
        /// §5.3 `SSH_MSG_CHANNEL_CLOSE`.
        CHANNEL_CLOSE = 0x61,
        /// §5.4 `SSH_MSG_CHANNEL_REQUEST`.
        CHANNEL_REQUEST = 0x62,
        /// §5.4 `SSH_MSG_CHANNEL_SUCCESS`.
        CHANNEL_SUCCESS = 0x63,
        /// §5.4 `SSH_MSG_CHANNEL_FAILURE`.
        CHANNEL_FAILURE = 0x64,
    }
}

/// Longest free text (descriptions, signal messages, request names) accepted, in bytes.
/// Real servers send a line; 64 KiB leaves room without letting a peer park megabytes.
pub const MAX_TEXT_LEN: usize = 64 * 1024;

/// Reads the message number and checks it is `expected`.
pub(crate) fn expect_type(r: &mut Reader<'_>, expected: MsgType) -> Result<(), DecodeError> {
    let at = r.position();
    if r.u8("msg_type")? == expected.0 {
        Ok(())
    } else {
        Err(DecodeError::new(
            DecodeErrorKind::InvalidValue,
            "msg_type",
            at,
        ))
    }
}

/// A UTF-8 text field capped at `max` bytes.
pub(crate) fn text<'a>(
    r: &mut Reader<'a>,
    max: usize,
    field: &'static str,
) -> Result<&'a str, DecodeError> {
    let at = r.position();
    std::str::from_utf8(r.string_max(max, field)?)
        .map_err(|_| DecodeError::new(DecodeErrorKind::InvalidUtf8, field, at))
}
