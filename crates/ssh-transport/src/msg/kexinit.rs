//! RFC 4253 §7.1 SSH_MSG_KEXINIT and §7.3 SSH_MSG_NEWKEYS.

use ssh_wire::{Decode, DecodeError, Encode, Reader, Writer};

use super::{MsgType, expect_type, names};

/// RFC 4253 §7.1:
/// ```text
/// byte         SSH_MSG_KEXINIT
/// byte[16]     cookie (random bytes)
/// name-list    kex_algorithms
/// name-list    server_host_key_algorithms
/// name-list    encryption_algorithms_client_to_server
/// name-list    encryption_algorithms_server_to_client
/// name-list    mac_algorithms_client_to_server
/// name-list    mac_algorithms_server_to_client
/// name-list    compression_algorithms_client_to_server
/// name-list    compression_algorithms_server_to_client
/// name-list    languages_client_to_server
/// name-list    languages_server_to_client
/// boolean      first_kex_packet_follows
/// uint32       0 (reserved for future extension)
/// ```
/// Empty names (as in a trailing comma) are dropped on read, so re-encoding a decoded
/// message can differ from its input; the exchange hash always uses the raw payload.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct KexInit {
    /// Random cookie.
    pub cookie: [u8; 16],
    /// kex_algorithms.
    pub kex_algorithms: Vec<String>,
    /// server_host_key_algorithms.
    pub server_host_key_algorithms: Vec<String>,
    /// encryption_algorithms_client_to_server.
    pub encryption_algorithms_client_to_server: Vec<String>,
    /// encryption_algorithms_server_to_client.
    pub encryption_algorithms_server_to_client: Vec<String>,
    /// mac_algorithms_client_to_server.
    pub mac_algorithms_client_to_server: Vec<String>,
    /// mac_algorithms_server_to_client.
    pub mac_algorithms_server_to_client: Vec<String>,
    /// compression_algorithms_client_to_server.
    pub compression_algorithms_client_to_server: Vec<String>,
    /// compression_algorithms_server_to_client.
    pub compression_algorithms_server_to_client: Vec<String>,
    /// languages_client_to_server.
    pub languages_client_to_server: Vec<String>,
    /// languages_server_to_client.
    pub languages_server_to_client: Vec<String>,
    /// first_kex_packet_follows.
    pub first_kex_packet_follows: bool,
    /// The reserved uint32 (0 when we send it; kept as read).
    pub reserved: u32,
}

impl Encode for KexInit {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::KEXINIT.0)
            .raw(&self.cookie)
            .name_list(&self.kex_algorithms)
            .name_list(&self.server_host_key_algorithms)
            .name_list(&self.encryption_algorithms_client_to_server)
            .name_list(&self.encryption_algorithms_server_to_client)
            .name_list(&self.mac_algorithms_client_to_server)
            .name_list(&self.mac_algorithms_server_to_client)
            .name_list(&self.compression_algorithms_client_to_server)
            .name_list(&self.compression_algorithms_server_to_client)
            .name_list(&self.languages_client_to_server)
            .name_list(&self.languages_server_to_client)
            .bool(self.first_kex_packet_follows)
            .u32(self.reserved);
    }
}

impl<'a> Decode<'a> for KexInit {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::KEXINIT)?;
        Ok(Self {
            cookie: r.array("cookie")?,
            kex_algorithms: names(r.name_list("kex_algorithms")?),
            server_host_key_algorithms: names(r.name_list("server_host_key_algorithms")?),
            encryption_algorithms_client_to_server: names(
                r.name_list("encryption_algorithms_client_to_server")?,
            ),
            encryption_algorithms_server_to_client: names(
                r.name_list("encryption_algorithms_server_to_client")?,
            ),
            mac_algorithms_client_to_server: names(r.name_list("mac_algorithms_client_to_server")?),
            mac_algorithms_server_to_client: names(r.name_list("mac_algorithms_server_to_client")?),
            compression_algorithms_client_to_server: names(
                r.name_list("compression_algorithms_client_to_server")?,
            ),
            compression_algorithms_server_to_client: names(
                r.name_list("compression_algorithms_server_to_client")?,
            ),
            languages_client_to_server: names(r.name_list("languages_client_to_server")?),
            languages_server_to_client: names(r.name_list("languages_server_to_client")?),
            first_kex_packet_follows: r.bool("first_kex_packet_follows")?,
            reserved: r.u32("reserved")?,
        })
    }
}

/// RFC 4253 §7.3: byte SSH_MSG_NEWKEYS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewKeys;

impl Encode for NewKeys {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::NEWKEYS.0);
    }
}

impl<'a> Decode<'a> for NewKeys {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::NEWKEYS)?;
        Ok(Self)
    }
}
