//! Codecs for the messages of RFC 4252 and RFC 4256, one file per message family.
//!
//! Message numbers 60 and 61 are reused by several methods (RFC 4252 §7, §8, RFC 4256 §3.2),
//! so there is no single decoder for "message 60": the state machine decodes it with the
//! codec of the method it is running.

mod banner;
mod failure;
mod kbd;
mod passwd;
mod pk_ok;
mod request;
mod service;

pub use banner::Banner;
pub use failure::Failure;
pub use kbd::{InfoRequest, InfoResponse, KbdPrompt, MAX_KBD_PROMPTS};
pub use passwd::PasswdChangeReq;
pub use pk_ok::{MAX_KEY_BLOB_LEN, PkOk};
pub use request::{MethodRequest, UserauthRequest, publickey_signed_data};
pub use service::{ServiceAccept, ServiceRequest};

use ssh_wire::{DecodeError, DecodeErrorKind, Reader};

ssh_wire::open_enum! {
    /// Message numbers this layer sends or receives (RFC 4250 §4.1.2, RFC 4252 §6, RFC 4256).
    pub struct MsgType(u8) {
        /// RFC 4253 §10: the client asks for a service (`ssh-userauth`).
        SERVICE_REQUEST = 0x05,
        /// RFC 4253 §10: the server grants the service.
        SERVICE_ACCEPT = 0x06,
        /// RFC 4252 §5: an authentication request.
        USERAUTH_REQUEST = 0x32,
        /// RFC 4252 §5.1: the request failed; lists what may continue.
        USERAUTH_FAILURE = 0x33,
        /// RFC 4252 §5.1: authentication is complete.
        USERAUTH_SUCCESS = 0x34,
        /// RFC 4252 §5.4: text to show the user.
        USERAUTH_BANNER = 0x35,
        /// RFC 4252 §7 `SSH_MSG_USERAUTH_PK_OK`, §8 `SSH_MSG_USERAUTH_PASSWD_CHANGEREQ`,
        /// RFC 4256 §3.2 `SSH_MSG_USERAUTH_INFO_REQUEST`: one number, three meanings.
        USERAUTH_60 = 0x3c,
        /// RFC 4256 §3.4 `SSH_MSG_USERAUTH_INFO_RESPONSE` (client to server only).
        USERAUTH_INFO_RESPONSE = 0x3d,
    }
}

/// Longest free text (banner, prompt, instruction, name) accepted, in bytes. Transport packets
/// are at most 256 KiB, and OpenSSH caps its banner file at 64 KiB; nothing legitimate is
/// longer.
pub const MAX_TEXT_LEN: usize = 64 * 1024;

/// The message number of a payload, or an error for an empty payload.
pub fn msg_type(payload: &[u8]) -> Result<MsgType, DecodeError> {
    Reader::new(payload).u8("msg_type").map(MsgType)
}

/// Reads the message number and checks it is `expected`.
pub(crate) fn expect_type(r: &mut Reader<'_>, expected: MsgType) -> Result<(), DecodeError> {
    let at = r.position();
    let ty = r.u8("msg_type")?;
    if ty == expected.0 {
        Ok(())
    } else {
        Err(DecodeError::new(
            DecodeErrorKind::InvalidValue,
            "msg_type",
            at,
        ))
    }
}

/// A UTF-8 text field capped at [`MAX_TEXT_LEN`].
pub(crate) fn text<'a>(r: &mut Reader<'a>, field: &'static str) -> Result<&'a str, DecodeError> {
    let at = r.position();
    let bytes = r.string_max(MAX_TEXT_LEN, field)?;
    std::str::from_utf8(bytes)
        .map_err(|_| DecodeError::new(DecodeErrorKind::InvalidUtf8, field, at))
}
