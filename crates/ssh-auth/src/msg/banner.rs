use ssh_wire::{Decode, DecodeError, Encode, Reader, Writer};

use super::{MsgType, expect_type, text};

/// RFC 4252 §5.4: `byte SSH_MSG_USERAUTH_BANNER, string message (ISO-10646 UTF-8),
/// string language tag`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Banner<'a> {
    /// `message`: shown to the user as is; it may hold control characters, so a terminal
    /// front end should sanitise it.
    pub message: &'a str,
    /// `language tag` (RFC 3066).
    pub language: &'a str,
}

impl Encode for Banner<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::USERAUTH_BANNER.0)
            .string(self.message.as_bytes())
            .string(self.language.as_bytes());
    }
}

impl<'a> Decode<'a> for Banner<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::USERAUTH_BANNER)?;
        Ok(Self {
            message: text(r, "message")?,
            language: text(r, "language_tag")?,
        })
    }
}
