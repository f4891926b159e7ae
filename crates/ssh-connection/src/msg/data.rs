use ssh_wire::{Decode, DecodeError, Encode, Reader, Writer};

use super::{MsgType, expect_type};

/// RFC 4254 §5.2: `byte SSH_MSG_CHANNEL_WINDOW_ADJUST, uint32 recipient channel,
/// uint32 bytes to add`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowAdjust {
    /// `recipient channel`.
    pub recipient_channel: u32,
    /// `bytes to add`.
    pub bytes_to_add: u32,
}

/// RFC 4254 §5.2: `byte SSH_MSG_CHANNEL_DATA, uint32 recipient channel, string data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelData<'a> {
    /// `recipient channel`.
    pub recipient_channel: u32,
    /// `data`, borrowed from the payload.
    pub data: &'a [u8],
}

/// RFC 4254 §5.2: `byte SSH_MSG_CHANNEL_EXTENDED_DATA, uint32 recipient channel,
/// uint32 data_type_code, string data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExtendedData<'a> {
    /// `recipient channel`.
    pub recipient_channel: u32,
    /// `data_type_code`: 1 is `SSH_EXTENDED_DATA_STDERR`.
    pub data_type: u32,
    /// `data`.
    pub data: &'a [u8],
}

/// RFC 4254 §5.3: `byte SSH_MSG_CHANNEL_EOF, uint32 recipient channel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelEof {
    /// `recipient channel`.
    pub recipient_channel: u32,
}

/// RFC 4254 §5.3: `byte SSH_MSG_CHANNEL_CLOSE, uint32 recipient channel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelClose {
    /// `recipient channel`.
    pub recipient_channel: u32,
}

impl ChannelData<'_> {
    /// Bytes before `data` in the payload: type, channel and the string length.
    pub const HEADER_LEN: usize = 1 + 4 + 4;

    /// Writes the message header for `len` bytes of data; the caller appends the data
    /// (lets the sender copy the application's bytes once, straight into the out buffer).
    pub fn encode_header(recipient_channel: u32, len: u32, w: &mut Writer<'_>) {
        w.u8(MsgType::CHANNEL_DATA.0)
            .u32(recipient_channel)
            .u32(len);
    }
}

impl Encode for WindowAdjust {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::CHANNEL_WINDOW_ADJUST.0)
            .u32(self.recipient_channel)
            .u32(self.bytes_to_add);
    }
}

impl<'a> Decode<'a> for WindowAdjust {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::CHANNEL_WINDOW_ADJUST)?;
        Ok(Self {
            recipient_channel: r.u32("recipient_channel")?,
            bytes_to_add: r.u32("bytes_to_add")?,
        })
    }
}

impl Encode for ChannelData<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::CHANNEL_DATA.0)
            .u32(self.recipient_channel)
            .string(self.data);
    }
}

impl<'a> Decode<'a> for ChannelData<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::CHANNEL_DATA)?;
        Ok(Self {
            recipient_channel: r.u32("recipient_channel")?,
            data: r.string("data")?,
        })
    }
}

impl Encode for ExtendedData<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::CHANNEL_EXTENDED_DATA.0)
            .u32(self.recipient_channel)
            .u32(self.data_type)
            .string(self.data);
    }
}

impl<'a> Decode<'a> for ExtendedData<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::CHANNEL_EXTENDED_DATA)?;
        Ok(Self {
            recipient_channel: r.u32("recipient_channel")?,
            data_type: r.u32("data_type_code")?,
            data: r.string("data")?,
        })
    }
}

impl Encode for ChannelEof {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::CHANNEL_EOF.0).u32(self.recipient_channel);
    }
}

impl<'a> Decode<'a> for ChannelEof {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::CHANNEL_EOF)?;
        Ok(Self {
            recipient_channel: r.u32("recipient_channel")?,
        })
    }
}

impl Encode for ChannelClose {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::CHANNEL_CLOSE.0).u32(self.recipient_channel);
    }
}

impl<'a> Decode<'a> for ChannelClose {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::CHANNEL_CLOSE)?;
        Ok(Self {
            recipient_channel: r.u32("recipient_channel")?,
        })
    }
}
