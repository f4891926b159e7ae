//! RFC 4253 §11: DISCONNECT, IGNORE, UNIMPLEMENTED, DEBUG.

use ssh_wire::{Decode, DecodeError, Encode, Reader, Writer};

use super::{DisconnectReason, MsgType, expect_type};

/// Longest DISCONNECT/DEBUG text kept, in bytes. Humans read these; OpenSSH truncates too,
/// and a 1 MiB description (ROBUSTNESS F2) must not be copied around whole.
pub const MAX_TEXT_LEN: usize = 1024;

/// RFC 4253 §11.1: byte SSH_MSG_DISCONNECT, uint32 reason code, string description,
/// string language tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disconnect {
    /// Reason code.
    pub reason: DisconnectReason,
    /// Description (lossily decoded as UTF-8 and truncated to [`MAX_TEXT_LEN`] on read).
    pub description: String,
    /// Language tag.
    pub language: String,
}

impl Encode for Disconnect {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::DISCONNECT.0)
            .u32(self.reason.0)
            .string(self.description.as_bytes())
            .string(self.language.as_bytes());
    }
}

impl<'a> Decode<'a> for Disconnect {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::DISCONNECT)?;
        let reason = DisconnectReason(r.u32("reason_code")?);
        let description = sanitize(r.string("description")?);
        let language = sanitize(r.string("language_tag")?);
        Ok(Self {
            reason,
            description,
            language,
        })
    }
}

/// Peer text made safe to show: lossy UTF-8, control characters replaced, truncated.
pub fn sanitize(raw: &[u8]) -> String {
    let cut = raw.get(..MAX_TEXT_LEN).unwrap_or(raw);
    String::from_utf8_lossy(cut)
        .chars()
        .map(|c| if c.is_control() && c != '\n' { '?' } else { c })
        .collect()
}

/// RFC 4253 §11.2: byte SSH_MSG_IGNORE, string data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ignore<'a> {
    /// Arbitrary data.
    pub data: &'a [u8],
}

impl Encode for Ignore<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::IGNORE.0).string(self.data);
    }
}

impl<'a> Decode<'a> for Ignore<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::IGNORE)?;
        Ok(Self {
            data: r.string("data")?,
        })
    }
}

/// RFC 4253 §11.4: byte SSH_MSG_UNIMPLEMENTED, uint32 packet sequence number of rejected
/// message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unimplemented {
    /// Sequence number of the packet the peer did not understand.
    pub seq: u32,
}

impl Encode for Unimplemented {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::UNIMPLEMENTED.0).u32(self.seq);
    }
}

impl<'a> Decode<'a> for Unimplemented {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::UNIMPLEMENTED)?;
        Ok(Self {
            seq: r.u32("packet_sequence_number")?,
        })
    }
}

/// RFC 4253 §11.3: byte SSH_MSG_DEBUG, boolean always_display, string message, string
/// language tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Debug {
    /// Whether the peer asks for the message to be shown.
    pub always_display: bool,
    /// The message (sanitized and truncated on read).
    pub message: String,
    /// Language tag.
    pub language: String,
}

impl Encode for Debug {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::DEBUG.0)
            .bool(self.always_display)
            .string(self.message.as_bytes())
            .string(self.language.as_bytes());
    }
}

impl<'a> Decode<'a> for Debug {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::DEBUG)?;
        Ok(Self {
            always_display: r.bool("always_display")?,
            message: sanitize(r.string("message")?),
            language: sanitize(r.string("language_tag")?),
        })
    }
}
