use ssh_wire::{Decode, DecodeError, Encode, Reader, Writer};

use super::{MsgType, expect_type, text};

/// RFC 4253 §10: `byte SSH_MSG_SERVICE_REQUEST, string service name`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceRequest<'a> {
    /// `service name`: `ssh-userauth` for this layer.
    pub service: &'a str,
}

/// RFC 4253 §10: `byte SSH_MSG_SERVICE_ACCEPT, string service name`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceAccept<'a> {
    /// `service name`: must be the one we asked for.
    pub service: &'a str,
}

impl Encode for ServiceRequest<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::SERVICE_REQUEST.0)
            .string(self.service.as_bytes());
    }
}

impl<'a> Decode<'a> for ServiceRequest<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::SERVICE_REQUEST)?;
        Ok(Self {
            service: text(r, "service_name")?,
        })
    }
}

impl Encode for ServiceAccept<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::SERVICE_ACCEPT.0)
            .string(self.service.as_bytes());
    }
}

impl<'a> Decode<'a> for ServiceAccept<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::SERVICE_ACCEPT)?;
        Ok(Self {
            service: text(r, "service_name")?,
        })
    }
}
