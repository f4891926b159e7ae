use ssh_wire::{Decode, DecodeError, Encode, Reader, Writer};

use super::{MsgType, expect_type, text};

/// RFC 4252 §8: `byte SSH_MSG_USERAUTH_PASSWD_CHANGEREQ, string prompt (ISO-10646 UTF-8),
/// string language tag`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswdChangeReq<'a> {
    /// `prompt`: why the password must change.
    pub prompt: &'a str,
    /// `language tag`.
    pub language: &'a str,
}

impl Encode for PasswdChangeReq<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::USERAUTH_60.0)
            .string(self.prompt.as_bytes())
            .string(self.language.as_bytes());
    }
}

impl<'a> Decode<'a> for PasswdChangeReq<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::USERAUTH_60)?;
        Ok(Self {
            prompt: text(r, "prompt")?,
            language: text(r, "language_tag")?,
        })
    }
}
