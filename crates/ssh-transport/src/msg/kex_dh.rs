//! RFC 4253 §8: SSH_MSG_KEXDH_INIT and SSH_MSG_KEXDH_REPLY (30 and 31 for the fixed-group
//! Diffie-Hellman methods).

use ssh_wire::{Decode, DecodeError, Encode, Mpint, Reader, Writer};

use super::kex_ecdh::{MAX_HOST_KEY_LEN, MAX_SIGNATURE_LEN};
use super::{MsgType, expect_type};

/// RFC 4253 §8: byte SSH_MSG_KEXDH_INIT, mpint e.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DhInit<'a> {
    /// Client public value e = g^x mod p.
    pub e: Mpint<'a>,
}

impl Encode for DhInit<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::KEX_30.0).mpint(self.e.magnitude());
    }
}

impl<'a> Decode<'a> for DhInit<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::KEX_30)?;
        Ok(Self { e: r.mpint("e")? })
    }
}

/// RFC 4253 §8: byte SSH_MSG_KEXDH_REPLY, string K_S, mpint f, string signature of H.
/// RFC 4419 §3 KEX_DH_GEX_REPLY has the same body under number 33.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DhReply<'a> {
    /// Message number: 31 (KEXDH_REPLY) or 33 (KEX_DH_GEX_REPLY).
    pub msg_type: MsgType,
    /// Server host key blob.
    pub k_s: &'a [u8],
    /// Server public value f.
    pub f: Mpint<'a>,
    /// Signature blob over the exchange hash.
    pub signature: &'a [u8],
}

impl Encode for DhReply<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(self.msg_type.0)
            .string(self.k_s)
            .mpint(self.f.magnitude())
            .string(self.signature);
    }
}

impl<'a> DhReply<'a> {
    /// Decodes a reply that must carry message number `msg_type`.
    pub fn decode_as(r: &mut Reader<'a>, msg_type: MsgType) -> Result<Self, DecodeError> {
        expect_type(r, msg_type)?;
        Ok(Self {
            msg_type,
            k_s: r.string_max(MAX_HOST_KEY_LEN, "K_S")?,
            f: r.mpint("f")?,
            signature: r.string_max(MAX_SIGNATURE_LEN, "signature")?,
        })
    }
}

impl<'a> Decode<'a> for DhReply<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Self::decode_as(r, MsgType::KEX_31)
    }
}
