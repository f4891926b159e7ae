use ssh_wire::{Decode, DecodeError, Encode, Reader, Writer};

use super::{MsgType, expect_type, text};

/// Longest public key blob accepted, in bytes. An RSA-16384 key is about 2 KiB and an
/// OpenSSH certificate with many principals a few KiB; 16 KiB leaves room for both.
pub const MAX_KEY_BLOB_LEN: usize = 16 * 1024;

/// RFC 4252 §7: `byte SSH_MSG_USERAUTH_PK_OK, string public key algorithm name from the
/// request, string public key blob from the request`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PkOk<'a> {
    /// `public key algorithm name`, echoed from our probe.
    pub algorithm: &'a str,
    /// `public key blob`, echoed from our probe.
    pub public_key: &'a [u8],
}

impl Encode for PkOk<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::USERAUTH_60.0)
            .string(self.algorithm.as_bytes())
            .string(self.public_key);
    }
}

impl<'a> Decode<'a> for PkOk<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::USERAUTH_60)?;
        Ok(Self {
            algorithm: text(r, "public_key_algorithm_name")?,
            public_key: r.string_max(MAX_KEY_BLOB_LEN, "public_key_blob")?,
        })
    }
}
