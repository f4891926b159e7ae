//! Registry numbers of the SFTP drafts: packet types, status codes, file types and flags.

use crate::Version;

ssh_wire::open_enum! {
    /// SFTP packet types (draft-13 §4.3; the same numbers in every version).
    pub struct PacketType(u8) {
        /// `SSH_FXP_INIT`.
        INIT = 0x01,
        /// `SSH_FXP_VERSION`.
        VERSION = 0x02,
        /// `SSH_FXP_OPEN`.
        OPEN = 0x03,
        /// `SSH_FXP_CLOSE`.
        CLOSE = 0x04,
        /// `SSH_FXP_READ`.
        READ = 0x05,
        /// `SSH_FXP_WRITE`.
        WRITE = 0x06,
        /// `SSH_FXP_LSTAT`.
        LSTAT = 0x07,
        /// `SSH_FXP_FSTAT`.
        FSTAT = 0x08,
        /// `SSH_FXP_SETSTAT`.
        SETSTAT = 0x09,
        /// `SSH_FXP_FSETSTAT`.
        FSETSTAT = 0x0a,
        /// `SSH_FXP_OPENDIR`.
        OPENDIR = 0x0b,
        /// `SSH_FXP_READDIR`.
        READDIR = 0x0c,
        /// `SSH_FXP_REMOVE`.
        REMOVE = 0x0d,
        /// `SSH_FXP_MKDIR`.
        MKDIR = 0x0e,
        /// `SSH_FXP_RMDIR`.
        RMDIR = 0x0f,
        /// `SSH_FXP_REALPATH`.
        REALPATH = 0x10,
        /// `SSH_FXP_STAT`.
        STAT = 0x11,
        /// `SSH_FXP_RENAME`.
        RENAME = 0x12,
        /// `SSH_FXP_READLINK`.
        READLINK = 0x13,
        /// `SSH_FXP_SYMLINK` (v3–v5; replaced by LINK in v6).
        SYMLINK = 0x14,
        /// `SSH_FXP_LINK` (v6).
        LINK = 0x15,
        /// `SSH_FXP_BLOCK` (v6).
        BLOCK = 0x16,
        /// `SSH_FXP_UNBLOCK` (v6).
        UNBLOCK = 0x17,
        /// `SSH_FXP_STATUS`.
        STATUS = 0x65,
        /// `SSH_FXP_HANDLE`.
        HANDLE = 0x66,
        /// `SSH_FXP_DATA`.
        DATA = 0x67,
        /// `SSH_FXP_NAME`.
        NAME = 0x68,
        /// `SSH_FXP_ATTRS`.
        ATTRS = 0x69,
        /// `SSH_FXP_EXTENDED`.
        EXTENDED = 0xc8,
        /// `SSH_FXP_EXTENDED_REPLY`.
        EXTENDED_REPLY = 0xc9,
    }
}

ssh_wire::open_enum! {
    /// `SSH_FX_*` status codes. 0–8 exist in v3 (draft-02 §7), 9–13 were added in v4,
    /// 14–17 in v5 and 18–31 in v6 (draft-13 §9.1); see [`StatusCode::defined_in`].
    pub struct StatusCode(u32) {
        /// `SSH_FX_OK`.
        OK = 0,
        /// `SSH_FX_EOF`.
        EOF = 1,
        /// `SSH_FX_NO_SUCH_FILE`.
        NO_SUCH_FILE = 2,
        /// `SSH_FX_PERMISSION_DENIED`.
        PERMISSION_DENIED = 3,
        /// `SSH_FX_FAILURE`.
        FAILURE = 4,
        /// `SSH_FX_BAD_MESSAGE`.
        BAD_MESSAGE = 5,
        /// `SSH_FX_NO_CONNECTION`.
        NO_CONNECTION = 6,
        /// `SSH_FX_CONNECTION_LOST`.
        CONNECTION_LOST = 7,
        /// `SSH_FX_OP_UNSUPPORTED`.
        OP_UNSUPPORTED = 8,
        /// `SSH_FX_INVALID_HANDLE` (v4).
        INVALID_HANDLE = 9,
        /// `SSH_FX_NO_SUCH_PATH` (v4).
        NO_SUCH_PATH = 10,
        /// `SSH_FX_FILE_ALREADY_EXISTS` (v4).
        FILE_ALREADY_EXISTS = 11,
        /// `SSH_FX_WRITE_PROTECT` (v4).
        WRITE_PROTECT = 12,
        /// `SSH_FX_NO_MEDIA` (v4).
        NO_MEDIA = 13,
        /// `SSH_FX_NO_SPACE_ON_FILESYSTEM` (v5).
        NO_SPACE_ON_FILESYSTEM = 14,
        /// `SSH_FX_QUOTA_EXCEEDED` (v5).
        QUOTA_EXCEEDED = 15,
        /// `SSH_FX_UNKNOWN_PRINCIPAL` (v5).
        UNKNOWN_PRINCIPAL = 16,
        /// `SSH_FX_LOCK_CONFLICT` (v5).
        LOCK_CONFLICT = 17,
        /// `SSH_FX_DIR_NOT_EMPTY` (v6).
        DIR_NOT_EMPTY = 18,
        /// `SSH_FX_NOT_A_DIRECTORY` (v6).
        NOT_A_DIRECTORY = 19,
        /// `SSH_FX_INVALID_FILENAME` (v6).
        INVALID_FILENAME = 20,
        /// `SSH_FX_LINK_LOOP` (v6).
        LINK_LOOP = 21,
        /// `SSH_FX_CANNOT_DELETE` (v6).
        CANNOT_DELETE = 22,
        /// `SSH_FX_INVALID_PARAMETER` (v6).
        INVALID_PARAMETER = 23,
        /// `SSH_FX_FILE_IS_A_DIRECTORY` (v6).
        FILE_IS_A_DIRECTORY = 24,
        /// `SSH_FX_BYTE_RANGE_LOCK_CONFLICT` (v6).
        BYTE_RANGE_LOCK_CONFLICT = 25,
        /// `SSH_FX_BYTE_RANGE_LOCK_REFUSED` (v6).
        BYTE_RANGE_LOCK_REFUSED = 26,
        /// `SSH_FX_DELETE_PENDING` (v6).
        DELETE_PENDING = 27,
        /// `SSH_FX_FILE_CORRUPT` (v6).
        FILE_CORRUPT = 28,
        /// `SSH_FX_OWNER_INVALID` (v6).
        OWNER_INVALID = 29,
        /// `SSH_FX_GROUP_INVALID` (v6).
        GROUP_INVALID = 30,
        /// `SSH_FX_NO_MATCHING_BYTE_RANGE_LOCK` (v6).
        NO_MATCHING_BYTE_RANGE_LOCK = 31,
    }
}

impl StatusCode {
    /// Whether the draft of `version` defines this code. Servers do send codes from later
    /// drafts (and vendor codes); callers treat any unknown code as a failure.
    pub fn defined_in(self, version: Version) -> bool {
        let last = match version {
            Version::V3 => 8,
            Version::V4 => 13,
            Version::V5 => 17,
            Version::V6 => 31,
        };
        self.0 <= last
    }
}

ssh_wire::open_enum! {
    /// The v4+ `type` byte of ATTRS (draft-13 §7.2). 6–9 were added in v5.
    pub struct FileType(u8) {
        /// `SSH_FILEXFER_TYPE_REGULAR`.
        REGULAR = 1,
        /// `SSH_FILEXFER_TYPE_DIRECTORY`.
        DIRECTORY = 2,
        /// `SSH_FILEXFER_TYPE_SYMLINK`.
        SYMLINK = 3,
        /// `SSH_FILEXFER_TYPE_SPECIAL`.
        SPECIAL = 4,
        /// `SSH_FILEXFER_TYPE_UNKNOWN`.
        UNKNOWN = 5,
        /// `SSH_FILEXFER_TYPE_SOCKET` (v5).
        SOCKET = 6,
        /// `SSH_FILEXFER_TYPE_CHAR_DEVICE` (v5).
        CHAR_DEVICE = 7,
        /// `SSH_FILEXFER_TYPE_BLOCK_DEVICE` (v5).
        BLOCK_DEVICE = 8,
        /// `SSH_FILEXFER_TYPE_FIFO` (v5).
        FIFO = 9,
    }
}

impl FileType {
    /// The type encoded in the POSIX `S_IFMT` bits of a permissions word (how v3, which has
    /// no type byte, tells files from directories), or `None` when the bits are absent.
    pub fn from_permissions(permissions: u32) -> Option<Self> {
        Some(match permissions & 0o170000 {
            0o100000 => Self::REGULAR,
            0o040000 => Self::DIRECTORY,
            0o120000 => Self::SYMLINK,
            0o140000 => Self::SOCKET,
            0o020000 => Self::CHAR_DEVICE,
            0o060000 => Self::BLOCK_DEVICE,
            0o010000 => Self::FIFO,
            0 => return None,
            _ => Self::UNKNOWN,
        })
    }
}

ssh_wire::open_enum! {
    /// The v6 `text-hint` attribute (draft-13 §7.10).
    pub struct TextHint(u8) {
        /// `SSH_FILEXFER_ATTR_KNOWN_TEXT`.
        KNOWN_TEXT = 0,
        /// `SSH_FILEXFER_ATTR_GUESSED_TEXT`.
        GUESSED_TEXT = 1,
        /// `SSH_FILEXFER_ATTR_KNOWN_BINARY`.
        KNOWN_BINARY = 2,
        /// `SSH_FILEXFER_ATTR_GUESSED_BINARY`.
        GUESSED_BINARY = 3,
    }
}

ssh_wire::open_enum! {
    /// The v6 REALPATH `control-byte` (draft-13 §8.9).
    pub struct RealpathControl(u8) {
        /// `SSH_FXP_REALPATH_NO_CHECK`: resolve without touching the filesystem.
        NO_CHECK = 1,
        /// `SSH_FXP_REALPATH_STAT_IF`: attributes if the path exists.
        STAT_IF = 2,
        /// `SSH_FXP_REALPATH_STAT_ALWAYS`: fail unless the path exists.
        STAT_ALWAYS = 3,
    }
}

/// `valid-attribute-flags` bits of ATTRS, per draft.
pub mod attr_flags {
    /// `SSH_FILEXFER_ATTR_SIZE` (all versions).
    pub const SIZE: u32 = 0x0000_0001;
    /// `SSH_FILEXFER_ATTR_UIDGID` (v3 only).
    pub const UIDGID: u32 = 0x0000_0002;
    /// `SSH_FILEXFER_ATTR_PERMISSIONS` (all versions).
    pub const PERMISSIONS: u32 = 0x0000_0004;
    /// `SSH_FILEXFER_ATTR_ACMODTIME` (v3 only; same bit as ACCESSTIME).
    pub const ACMODTIME: u32 = 0x0000_0008;
    /// `SSH_FILEXFER_ATTR_ACCESSTIME` (v4+).
    pub const ACCESSTIME: u32 = 0x0000_0008;
    /// `SSH_FILEXFER_ATTR_CREATETIME` (v4+).
    pub const CREATETIME: u32 = 0x0000_0010;
    /// `SSH_FILEXFER_ATTR_MODIFYTIME` (v4+).
    pub const MODIFYTIME: u32 = 0x0000_0020;
    /// `SSH_FILEXFER_ATTR_ACL` (v4+).
    pub const ACL: u32 = 0x0000_0040;
    /// `SSH_FILEXFER_ATTR_OWNERGROUP` (v4+).
    pub const OWNERGROUP: u32 = 0x0000_0080;
    /// `SSH_FILEXFER_ATTR_SUBSECOND_TIMES` (v4+).
    pub const SUBSECOND_TIMES: u32 = 0x0000_0100;
    /// `SSH_FILEXFER_ATTR_BITS` (v5+).
    pub const BITS: u32 = 0x0000_0200;
    /// `SSH_FILEXFER_ATTR_ALLOCATION_SIZE` (v6).
    pub const ALLOCATION_SIZE: u32 = 0x0000_0400;
    /// `SSH_FILEXFER_ATTR_TEXT_HINT` (v6).
    pub const TEXT_HINT: u32 = 0x0000_0800;
    /// `SSH_FILEXFER_ATTR_MIME_TYPE` (v6).
    pub const MIME_TYPE: u32 = 0x0000_1000;
    /// `SSH_FILEXFER_ATTR_LINK_COUNT` (v6).
    pub const LINK_COUNT: u32 = 0x0000_2000;
    /// `SSH_FILEXFER_ATTR_UNTRANSLATED_NAME` (v6).
    pub const UNTRANSLATED_NAME: u32 = 0x0000_4000;
    /// `SSH_FILEXFER_ATTR_CTIME` (v6).
    pub const CTIME: u32 = 0x0000_8000;
    /// `SSH_FILEXFER_ATTR_EXTENDED` (all versions).
    pub const EXTENDED: u32 = 0x8000_0000;
}

/// Every attribute flag the draft of `version` defines; anything else on the wire is an
/// error, and nothing else is ever sent or requested.
pub fn defined_attr_flags(version: Version) -> u32 {
    use attr_flags::*;
    match version {
        Version::V3 => SIZE | UIDGID | PERMISSIONS | ACMODTIME | EXTENDED,
        Version::V4 => {
            SIZE | PERMISSIONS
                | ACCESSTIME
                | CREATETIME
                | MODIFYTIME
                | ACL
                | OWNERGROUP
                | SUBSECOND_TIMES
                | EXTENDED
        }
        Version::V5 => defined_attr_flags(Version::V4) | BITS,
        Version::V6 => {
            defined_attr_flags(Version::V5)
                | ALLOCATION_SIZE
                | TEXT_HINT
                | MIME_TYPE
                | LINK_COUNT
                | UNTRANSLATED_NAME
                | CTIME
        }
    }
}

/// v3/v4 OPEN `pflags` (draft-02 §6.3, draft-04 §6.3).
pub mod pflags {
    /// `SSH_FXF_READ`.
    pub const READ: u32 = 0x01;
    /// `SSH_FXF_WRITE`.
    pub const WRITE: u32 = 0x02;
    /// `SSH_FXF_APPEND`.
    pub const APPEND: u32 = 0x04;
    /// `SSH_FXF_CREAT`.
    pub const CREAT: u32 = 0x08;
    /// `SSH_FXF_TRUNC`.
    pub const TRUNC: u32 = 0x10;
    /// `SSH_FXF_EXCL`.
    pub const EXCL: u32 = 0x20;
    /// `SSH_FXF_TEXT` (v4).
    pub const TEXT: u32 = 0x40;
}

/// v5/v6 OPEN `flags` (draft-13 §8.1.1.3).
pub mod open_flags {
    /// Mask of the access-disposition field.
    pub const ACCESS_DISPOSITION: u32 = 0x0000_0007;
    /// `SSH_FXF_CREATE_NEW`: fail if the file exists.
    pub const CREATE_NEW: u32 = 0x0000_0000;
    /// `SSH_FXF_CREATE_TRUNCATE`.
    pub const CREATE_TRUNCATE: u32 = 0x0000_0001;
    /// `SSH_FXF_OPEN_EXISTING`.
    pub const OPEN_EXISTING: u32 = 0x0000_0002;
    /// `SSH_FXF_OPEN_OR_CREATE`.
    pub const OPEN_OR_CREATE: u32 = 0x0000_0003;
    /// `SSH_FXF_TRUNCATE_EXISTING`.
    pub const TRUNCATE_EXISTING: u32 = 0x0000_0004;
    /// `SSH_FXF_APPEND_DATA`.
    pub const APPEND_DATA: u32 = 0x0000_0008;
    /// `SSH_FXF_APPEND_DATA_ATOMIC`.
    pub const APPEND_DATA_ATOMIC: u32 = 0x0000_0010;
    /// `SSH_FXF_TEXT_MODE`.
    pub const TEXT_MODE: u32 = 0x0000_0020;
    /// `SSH_FXF_BLOCK_READ`.
    pub const BLOCK_READ: u32 = 0x0000_0040;
    /// `SSH_FXF_BLOCK_WRITE`.
    pub const BLOCK_WRITE: u32 = 0x0000_0080;
    /// `SSH_FXF_BLOCK_DELETE`.
    pub const BLOCK_DELETE: u32 = 0x0000_0100;
    /// `SSH_FXF_BLOCK_ADVISORY` (v6).
    pub const BLOCK_ADVISORY: u32 = 0x0000_0200;
    /// `SSH_FXF_NOFOLLOW` (v6).
    pub const NOFOLLOW: u32 = 0x0000_0400;
    /// `SSH_FXF_DELETE_ON_CLOSE` (v6).
    pub const DELETE_ON_CLOSE: u32 = 0x0000_0800;
}

/// ACE4 access-mask bits used as OPEN `desired-access` in v5/v6 (draft-13 §7.8).
pub mod ace_mask {
    /// `ACE4_READ_DATA`.
    pub const READ_DATA: u32 = 0x0000_0001;
    /// `ACE4_WRITE_DATA`.
    pub const WRITE_DATA: u32 = 0x0000_0002;
    /// `ACE4_APPEND_DATA`.
    pub const APPEND_DATA: u32 = 0x0000_0004;
    /// `ACE4_READ_ATTRIBUTES`.
    pub const READ_ATTRIBUTES: u32 = 0x0000_0080;
    /// `ACE4_WRITE_ATTRIBUTES`.
    pub const WRITE_ATTRIBUTES: u32 = 0x0000_0100;
}

/// v5+ RENAME `flags` (draft-13 §8.3).
pub mod rename_flags {
    /// `SSH_FXF_RENAME_OVERWRITE`: replace an existing target.
    pub const OVERWRITE: u32 = 0x01;
    /// `SSH_FXF_RENAME_ATOMIC`.
    pub const ATOMIC: u32 = 0x02;
    /// `SSH_FXF_RENAME_NATIVE`.
    pub const NATIVE: u32 = 0x04;
}
