use ssh_wire::{Decode, DecodeError, Encode, Reader, Writer};

use super::{MAX_TEXT_LEN, MsgType, expect_type, text};

/// RFC 4254 §5.1: `byte SSH_MSG_CHANNEL_OPEN, string channel type, uint32 sender channel,
/// uint32 initial window size, uint32 maximum packet size, ....` type-specific data (raw).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelOpen<'a> {
    /// `channel type` (`session`, `x11`, `forwarded-tcpip`, ...).
    pub channel_type: &'a str,
    /// `sender channel`.
    pub sender_channel: u32,
    /// `initial window size`.
    pub initial_window_size: u32,
    /// `maximum packet size`.
    pub maximum_packet_size: u32,
    /// Channel-type-specific data, undecoded.
    pub data: &'a [u8],
}

/// RFC 4254 §5.1: `byte SSH_MSG_CHANNEL_OPEN_CONFIRMATION, uint32 recipient channel,
/// uint32 sender channel, uint32 initial window size, uint32 maximum packet size, ....`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenConfirmation<'a> {
    /// `recipient channel`: our id.
    pub recipient_channel: u32,
    /// `sender channel`: the server's id.
    pub sender_channel: u32,
    /// `initial window size`: how much we may send.
    pub initial_window_size: u32,
    /// `maximum packet size`: largest data message we may send.
    pub maximum_packet_size: u32,
    /// Channel-type-specific data, undecoded.
    pub data: &'a [u8],
}

ssh_wire::open_enum! {
    /// RFC 4254 §5.1 `reason code` of CHANNEL_OPEN_FAILURE.
    pub struct OpenFailureReason(u32) {
        /// `SSH_OPEN_ADMINISTRATIVELY_PROHIBITED`.
        ADMINISTRATIVELY_PROHIBITED = 1,
        /// `SSH_OPEN_CONNECT_FAILED`.
        CONNECT_FAILED = 2,
        /// `SSH_OPEN_UNKNOWN_CHANNEL_TYPE`.
        UNKNOWN_CHANNEL_TYPE = 3,
        /// `SSH_OPEN_RESOURCE_SHORTAGE`.
        RESOURCE_SHORTAGE = 4,
    }
}

/// RFC 4254 §5.1: `byte SSH_MSG_CHANNEL_OPEN_FAILURE, uint32 recipient channel,
/// uint32 reason code, string description (UTF-8), string language tag`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenFailure<'a> {
    /// `recipient channel`.
    pub recipient_channel: u32,
    /// `reason code`.
    pub reason: OpenFailureReason,
    /// `description`.
    pub description: &'a str,
    /// `language tag`.
    pub language: &'a str,
}

impl Encode for ChannelOpen<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::CHANNEL_OPEN.0)
            .string(self.channel_type.as_bytes())
            .u32(self.sender_channel)
            .u32(self.initial_window_size)
            .u32(self.maximum_packet_size)
            .raw(self.data);
    }
}

impl<'a> Decode<'a> for ChannelOpen<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::CHANNEL_OPEN)?;
        Ok(Self {
            channel_type: text(r, MAX_TEXT_LEN, "channel_type")?,
            sender_channel: r.u32("sender_channel")?,
            initial_window_size: r.u32("initial_window_size")?,
            maximum_packet_size: r.u32("maximum_packet_size")?,
            data: r.rest(),
        })
    }
}

impl Encode for OpenConfirmation<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::CHANNEL_OPEN_CONFIRMATION.0)
            .u32(self.recipient_channel)
            .u32(self.sender_channel)
            .u32(self.initial_window_size)
            .u32(self.maximum_packet_size)
            .raw(self.data);
    }
}

impl<'a> Decode<'a> for OpenConfirmation<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::CHANNEL_OPEN_CONFIRMATION)?;
        Ok(Self {
            recipient_channel: r.u32("recipient_channel")?,
            sender_channel: r.u32("sender_channel")?,
            initial_window_size: r.u32("initial_window_size")?,
            maximum_packet_size: r.u32("maximum_packet_size")?,
            data: r.rest(),
        })
    }
}

impl Encode for OpenFailure<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::CHANNEL_OPEN_FAILURE.0)
            .u32(self.recipient_channel)
            .u32(self.reason.0)
            .string(self.description.as_bytes())
            .string(self.language.as_bytes());
    }
}

impl<'a> Decode<'a> for OpenFailure<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::CHANNEL_OPEN_FAILURE)?;
        Ok(Self {
            recipient_channel: r.u32("recipient_channel")?,
            reason: OpenFailureReason(r.u32("reason_code")?),
            description: text(r, MAX_TEXT_LEN, "description")?,
            language: text(r, MAX_TEXT_LEN, "language_tag")?,
        })
    }
}
