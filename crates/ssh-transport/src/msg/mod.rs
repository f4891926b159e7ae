//! Transport-layer messages, one file per message family. Each codec reads and writes the
//! whole payload, message number included, and rejects trailing bytes.

pub mod ext_info;
pub mod generic;
pub mod kex_dh;
pub mod kex_ecdh;
pub mod kex_gex;
pub mod kexinit;

ssh_wire::open_enum! {
    /// RFC 4250 §4.1 message numbers that the transport layer looks at.
    pub struct MsgType(u8) {
        /// RFC 4253 §11.1.
        DISCONNECT = 0x01,
        /// RFC 4253 §11.2.
        IGNORE = 0x02,
        /// RFC 4253 §11.4.
        UNIMPLEMENTED = 0x03,
        /// RFC 4253 §11.3.
        DEBUG = 0x04,
        /// RFC 4253 §10.
        SERVICE_REQUEST = 0x05,
        /// RFC 4253 §10.
        SERVICE_ACCEPT = 0x06,
        /// RFC 8308 §2.3.
        EXT_INFO = 0x07,
        /// RFC 8308 §3.2 (not supported: never negotiated).
        NEWCOMPRESS = 0x08,
        /// RFC 4253 §7.1.
        KEXINIT = 0x14,
        /// RFC 4253 §7.3.
        NEWKEYS = 0x15,
        /// First kex-method message (KEXDH_INIT, KEX_ECDH_INIT, KEX_DH_GEX_REQUEST_OLD).
        KEX_30 = 0x1e,
        /// KEXDH_REPLY, KEX_ECDH_REPLY, KEX_DH_GEX_GROUP.
        KEX_31 = 0x1f,
        /// RFC 4419 KEX_DH_GEX_INIT.
        KEX_DH_GEX_INIT = 0x20,
        /// RFC 4419 KEX_DH_GEX_REPLY.
        KEX_DH_GEX_REPLY = 0x21,
        /// RFC 4419 KEX_DH_GEX_REQUEST.
        KEX_DH_GEX_REQUEST = 0x22,
        /// RFC 4252 §5.1: the point where delayed compression starts.
        USERAUTH_SUCCESS = 0x34,
        /// RFC 4254 §4.
        GLOBAL_REQUEST = 0x50,
        /// RFC 4254 §4.
        REQUEST_SUCCESS = 0x51,
        /// RFC 4254 §4.
        REQUEST_FAILURE = 0x52,
    }
}

impl MsgType {
    /// RFC 4253 §7.1: the generic transport messages (1–19) that may appear at any time.
    pub fn is_transport_generic(self) -> bool {
        (1..=19).contains(&self.0)
    }

    /// RFC 4253 §7.1: algorithm negotiation (20–29) and method-specific kex messages (30–49).
    pub fn is_kex(self) -> bool {
        (20..=49).contains(&self.0)
    }
}

ssh_wire::open_enum! {
    /// RFC 4253 §11.1 disconnection reason codes.
    pub struct DisconnectReason(u32) {
        /// 1
        HOST_NOT_ALLOWED_TO_CONNECT = 1,
        /// 2
        PROTOCOL_ERROR = 2,
        /// 3
        KEY_EXCHANGE_FAILED = 3,
        /// 4
        RESERVED = 4,
        /// 5
        MAC_ERROR = 5,
        /// 6
        COMPRESSION_ERROR = 6,
        /// 7
        SERVICE_NOT_AVAILABLE = 7,
        /// 8
        PROTOCOL_VERSION_NOT_SUPPORTED = 8,
        /// 9
        HOST_KEY_NOT_VERIFIABLE = 9,
        /// 10
        CONNECTION_LOST = 10,
        /// 11
        BY_APPLICATION = 11,
        /// 12
        TOO_MANY_CONNECTIONS = 12,
        /// 13
        AUTH_CANCELLED_BY_USER = 13,
        /// 14
        NO_MORE_AUTH_METHODS_AVAILABLE = 14,
        /// 15
        ILLEGAL_USER_NAME = 15,
    }
}

/// Reads the leading message number and checks it is `expected`.
pub(crate) fn expect_type(
    r: &mut ssh_wire::Reader<'_>,
    expected: MsgType,
) -> Result<(), ssh_wire::DecodeError> {
    let at = r.position();
    let ty = r.u8("msg_type")?;
    if ty == expected.0 {
        Ok(())
    } else {
        Err(ssh_wire::DecodeError::new(
            ssh_wire::DecodeErrorKind::InvalidValue,
            "msg_type",
            at,
        ))
    }
}

/// Collects the names of a `name-list` into owned strings.
pub(crate) fn names(list: ssh_wire::NameList<'_>) -> Vec<String> {
    list.iter().map(str::to_owned).collect()
}
