use ssh_wire::{Decode, DecodeError, Encode, NameList, Reader, Writer};

use super::{MsgType, expect_type};

/// RFC 4252 §5.1: `byte SSH_MSG_USERAUTH_FAILURE, name-list authentications that can
/// continue, boolean partial success`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failure<'a> {
    /// `authentications that can continue` (capped by [`ssh_wire::MAX_NAME_LIST_LEN`]).
    pub methods: NameList<'a>,
    /// `partial success`: the request succeeded but more methods are required.
    pub partial_success: bool,
}

impl Encode for Failure<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::USERAUTH_FAILURE.0);
        self.methods.encode(w);
        w.bool(self.partial_success);
    }
}

impl<'a> Decode<'a> for Failure<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::USERAUTH_FAILURE)?;
        Ok(Self {
            methods: r.name_list("authentications_that_can_continue")?,
            partial_success: r.bool("partial_success")?,
        })
    }
}
