//! RFC 4419 §3: Diffie-Hellman group exchange messages KEX_DH_GEX_REQUEST (34),
//! KEX_DH_GEX_GROUP (31) and KEX_DH_GEX_INIT (32); the reply (33) is [`super::kex_dh::DhReply`].

use ssh_wire::{Decode, DecodeError, Encode, Mpint, Reader, Writer};

use super::{MsgType, expect_type};

/// RFC 4419 §3: byte SSH_MSG_KEY_DH_GEX_REQUEST, uint32 min, uint32 n, uint32 max.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GexRequest {
    /// Minimal acceptable group size in bits.
    pub min: u32,
    /// Preferred group size in bits.
    pub n: u32,
    /// Maximal acceptable group size in bits.
    pub max: u32,
}

impl Encode for GexRequest {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::KEX_DH_GEX_REQUEST.0)
            .u32(self.min)
            .u32(self.n)
            .u32(self.max);
    }
}

impl<'a> Decode<'a> for GexRequest {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::KEX_DH_GEX_REQUEST)?;
        Ok(Self {
            min: r.u32("min")?,
            n: r.u32("n")?,
            max: r.u32("max")?,
        })
    }
}

/// RFC 4419 §3: byte SSH_MSG_KEX_DH_GEX_GROUP, mpint p, mpint g.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GexGroup<'a> {
    /// Safe prime.
    pub p: Mpint<'a>,
    /// Generator.
    pub g: Mpint<'a>,
}

impl Encode for GexGroup<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::KEX_31.0)
            .mpint(self.p.magnitude())
            .mpint(self.g.magnitude());
    }
}

impl<'a> Decode<'a> for GexGroup<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::KEX_31)?;
        Ok(Self {
            p: r.mpint("p")?,
            g: r.mpint("g")?,
        })
    }
}

/// RFC 4419 §3: byte SSH_MSG_KEX_DH_GEX_INIT, mpint e.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GexInit<'a> {
    /// Client public value.
    pub e: Mpint<'a>,
}

impl Encode for GexInit<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::KEX_DH_GEX_INIT.0).mpint(self.e.magnitude());
    }
}

impl<'a> Decode<'a> for GexInit<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::KEX_DH_GEX_INIT)?;
        Ok(Self { e: r.mpint("e")? })
    }
}
