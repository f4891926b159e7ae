use ssh_wire::{Decode, DecodeError, Encode, Reader, Writer};

use super::{MAX_TEXT_LEN, MsgType, expect_type, text};

/// RFC 4254 §4: `byte SSH_MSG_GLOBAL_REQUEST, string request name, boolean want reply,
/// ....` request-specific data (kept raw).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalRequest<'a> {
    /// `request name` (`keepalive@openssh.com`, `hostkeys-00@openssh.com`, ...).
    pub name: &'a str,
    /// `want reply`.
    pub want_reply: bool,
    /// Request-specific data, undecoded.
    pub data: &'a [u8],
}

/// RFC 4254 §4: `byte SSH_MSG_REQUEST_SUCCESS, ....` response-specific data (kept raw).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestSuccess<'a> {
    /// Response-specific data (e.g. the bound port of `tcpip-forward`).
    pub data: &'a [u8],
}

/// RFC 4254 §4: `byte SSH_MSG_REQUEST_FAILURE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestFailure;

impl Encode for GlobalRequest<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::GLOBAL_REQUEST.0)
            .string(self.name.as_bytes())
            .bool(self.want_reply)
            .raw(self.data);
    }
}

impl<'a> Decode<'a> for GlobalRequest<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::GLOBAL_REQUEST)?;
        Ok(Self {
            name: text(r, MAX_TEXT_LEN, "request_name")?,
            want_reply: r.bool("want_reply")?,
            data: r.rest(),
        })
    }
}

impl Encode for RequestSuccess<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::REQUEST_SUCCESS.0).raw(self.data);
    }
}

impl<'a> Decode<'a> for RequestSuccess<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::REQUEST_SUCCESS)?;
        Ok(Self { data: r.rest() })
    }
}

impl Encode for RequestFailure {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::REQUEST_FAILURE.0);
    }
}

impl<'a> Decode<'a> for RequestFailure {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::REQUEST_FAILURE)?;
        Ok(Self)
    }
}
