//! RFC 5656 §4 / RFC 8731 §3 / sntrup761 and mlkem768 hybrids: KEX_ECDH_INIT and
//! KEX_ECDH_REPLY (numbers 30 and 31 while such a method is active).

use ssh_wire::{Decode, DecodeError, Encode, Reader, Writer};

use super::{MsgType, expect_type};

/// Largest ephemeral public value accepted: the sntrup761 public key (1158 bytes) plus the
/// X25519 key, with room; ML-KEM-768 encapsulation keys are 1184 + 32 bytes.
pub const MAX_EPHEMERAL_LEN: usize = 4096;

/// Largest host key blob accepted: an RSA-16384 key or a certificate with modest extras.
pub const MAX_HOST_KEY_LEN: usize = 16 * 1024;

/// Largest signature blob accepted: an RSA-16384 signature with its algorithm name.
pub const MAX_SIGNATURE_LEN: usize = 4096;

/// RFC 5656 §4: byte SSH_MSG_KEX_ECDH_INIT, string Q_C.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcdhInit<'a> {
    /// Client ephemeral public value.
    pub q_c: &'a [u8],
}

impl Encode for EcdhInit<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::KEX_30.0).string(self.q_c);
    }
}

impl<'a> Decode<'a> for EcdhInit<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::KEX_30)?;
        Ok(Self {
            q_c: r.string_max(MAX_EPHEMERAL_LEN, "Q_C")?,
        })
    }
}

/// RFC 5656 §4: byte SSH_MSG_KEX_ECDH_REPLY, string K_S, string Q_S, string signature of H.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcdhReply<'a> {
    /// Server host key blob.
    pub k_s: &'a [u8],
    /// Server ephemeral public value.
    pub q_s: &'a [u8],
    /// Signature blob over the exchange hash.
    pub signature: &'a [u8],
}

impl Encode for EcdhReply<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::KEX_31.0)
            .string(self.k_s)
            .string(self.q_s)
            .string(self.signature);
    }
}

impl<'a> Decode<'a> for EcdhReply<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::KEX_31)?;
        Ok(Self {
            k_s: r.string_max(MAX_HOST_KEY_LEN, "K_S")?,
            q_s: r.string_max(MAX_EPHEMERAL_LEN, "Q_S")?,
            signature: r.string_max(MAX_SIGNATURE_LEN, "signature")?,
        })
    }
}
