//! RFC 8308 §2.3 SSH_MSG_EXT_INFO.

use ssh_wire::{Decode, DecodeError, DecodeErrorKind, Encode, Reader, Writer};

use super::{MsgType, expect_type};

/// Most extensions accepted in one EXT_INFO. Servers send a handful; OpenSSH caps at 1024
/// (ROBUSTNESS K10).
pub const MAX_EXTENSIONS: usize = 1024;

/// Longest extension value kept, in bytes: `server-sig-algs` is a name-list and the largest
/// real value; 16 KiB matches the name-list cap.
pub const MAX_EXTENSION_VALUE_LEN: usize = ssh_wire::MAX_NAME_LIST_LEN;

/// RFC 8308 §2.3:
/// ```text
/// byte       SSH_MSG_EXT_INFO (value 7)
/// uint32     nr-extensions
/// repeat the following 2 fields "nr-extensions" times:
///   string   extension-name
///   string   extension-value (binary)
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ExtInfo {
    /// Extensions in the order received.
    pub extensions: Vec<(String, Vec<u8>)>,
}

impl ExtInfo {
    /// The value of the named extension.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.extensions
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// `server-sig-algs` (RFC 8308 §3.1) as names, if present and a valid name-list.
    pub fn server_sig_algs(&self) -> Option<Vec<String>> {
        let value = self.get("server-sig-algs")?;
        let list = ssh_wire::NameList::parse(value).ok()?;
        Some(super::names(list))
    }
}

impl Encode for ExtInfo {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::EXT_INFO.0)
            .u32(u32::try_from(self.extensions.len()).unwrap_or(u32::MAX));
        for (name, value) in &self.extensions {
            w.string(name.as_bytes()).string(value);
        }
    }
}

impl<'a> Decode<'a> for ExtInfo {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::EXT_INFO)?;
        let at = r.position();
        let count = r.u32("nr-extensions")?;
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        // Each extension takes at least 8 bytes (two empty strings): bound by what remains
        // before allocating, and by the named cap.
        if count > MAX_EXTENSIONS || count > r.remaining() / 8 {
            return Err(DecodeError::new(
                DecodeErrorKind::TooLong {
                    len: count,
                    max: MAX_EXTENSIONS.min(r.remaining() / 8),
                },
                "nr-extensions",
                at,
            ));
        }
        let mut extensions = Vec::with_capacity(count);
        for _ in 0..count {
            let name = r.utf8("extension-name")?.to_owned();
            let value = r
                .string_max(MAX_EXTENSION_VALUE_LEN, "extension-value")?
                .to_vec();
            extensions.push((name, value));
        }
        Ok(Self { extensions })
    }
}
