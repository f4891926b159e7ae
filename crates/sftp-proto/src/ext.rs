//! SFTP extensions: typed EXTENDED requests and their replies, and the extension data a
//! server puts in VERSION.
//!
//! Sources: OpenSSH `PROTOCOL` §4 (the `@openssh.com` requests), draft-13 §5 and §9
//! (`supported2`, `vendor-id`, `version-select`, `newline`, check-file, copy-file,
//! space-available, home-directory), draft-05 §4.4 (`supported`), and
//! draft-ietf-secsh-filexfer-extensions-00 (copy-data).

use ssh_wire::{DecodeError, DecodeErrorKind, Reader, Writer};

use crate::attrs::FileAttributes;
use crate::packet::{MAX_HANDLE_LEN, SymlinkOrder, too_many};
use crate::version::Version;

/// Most names in a `supported`/`supported2` list, and most ids in a
/// `users-groups-by-id@openssh.com` request or reply. Real lists have tens of entries.
pub const MAX_EXTENSION_LIST: usize = 4096;

/// Extension names.
pub mod names {
    /// `posix-rename@openssh.com`.
    pub const POSIX_RENAME: &str = "posix-rename@openssh.com";
    /// `statvfs@openssh.com`.
    pub const STATVFS: &str = "statvfs@openssh.com";
    /// `fstatvfs@openssh.com`.
    pub const FSTATVFS: &str = "fstatvfs@openssh.com";
    /// `hardlink@openssh.com`.
    pub const HARDLINK: &str = "hardlink@openssh.com";
    /// `fsync@openssh.com`.
    pub const FSYNC: &str = "fsync@openssh.com";
    /// `lsetstat@openssh.com`.
    pub const LSETSTAT: &str = "lsetstat@openssh.com";
    /// `limits@openssh.com`.
    pub const LIMITS: &str = "limits@openssh.com";
    /// `expand-path@openssh.com`.
    pub const EXPAND_PATH: &str = "expand-path@openssh.com";
    /// `home-directory`.
    pub const HOME_DIRECTORY: &str = "home-directory";
    /// `copy-data`.
    pub const COPY_DATA: &str = "copy-data";
    /// `users-groups-by-id@openssh.com`.
    pub const USERS_GROUPS_BY_ID: &str = "users-groups-by-id@openssh.com";
    /// `check-file-name` (draft-13 §9.1.2).
    pub const CHECK_FILE_NAME: &str = "check-file-name";
    /// `check-file-handle`.
    pub const CHECK_FILE_HANDLE: &str = "check-file-handle";
    /// `check-file`: the extension name servers advertise for both forms.
    pub const CHECK_FILE: &str = "check-file";
    /// `copy-file` (draft-13 §9.2).
    pub const COPY_FILE: &str = "copy-file";
    /// `space-available` (draft-13 §9.3).
    pub const SPACE_AVAILABLE: &str = "space-available";
    /// `newline` (draft-13 §5.3).
    pub const NEWLINE: &str = "newline";
    /// `vendor-id` (draft-13 §5.4).
    pub const VENDOR_ID: &str = "vendor-id";
    /// `versions` (draft-13 §5.5).
    pub const VERSIONS: &str = "versions";
    /// `version-select` (draft-13 §5.5).
    pub const VERSION_SELECT: &str = "version-select";
    /// `supported` (draft-05 §4.4).
    pub const SUPPORTED: &str = "supported";
    /// `supported2` (draft-13 §5.4).
    pub const SUPPORTED2: &str = "supported2";
    /// Green End's statement of its SYMLINK argument order.
    pub const SYMLINK_ORDER: &str = "symlink-order@rjk.greenend.org.uk";
}

/// Which reply packet an extended request is answered with (besides STATUS, always
/// allowed for failures).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtendedReplyKind {
    /// Only STATUS.
    Status,
    /// EXTENDED_REPLY.
    ExtendedReply,
    /// NAME with one entry.
    Name,
}

/// The file a check-file request hashes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckFileTarget<'a> {
    /// `check-file-name`: a path.
    Name(&'a [u8]),
    /// `check-file-handle`: an open handle.
    Handle(&'a [u8]),
}

/// An SSH_FXP_EXTENDED request: `string extended-request` and its data.
// Attributes are held inline: these values are short-lived and boxing would cost an
// allocation per packet.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExtendedRequest<'a> {
    /// `posix-rename@openssh.com`: `string oldpath, string newpath` (replaces the target).
    PosixRename {
        /// Existing path.
        oldpath: &'a [u8],
        /// New path.
        newpath: &'a [u8],
    },
    /// `statvfs@openssh.com`: `string path`.
    Statvfs {
        /// Any path on the filesystem.
        path: &'a [u8],
    },
    /// `fstatvfs@openssh.com`: `string handle`.
    Fstatvfs {
        /// An open handle.
        handle: &'a [u8],
    },
    /// `hardlink@openssh.com`: `string oldpath, string newpath`.
    Hardlink {
        /// Existing file.
        oldpath: &'a [u8],
        /// New link.
        newpath: &'a [u8],
    },
    /// `fsync@openssh.com`: `string handle`.
    Fsync {
        /// An open file handle.
        handle: &'a [u8],
    },
    /// `lsetstat@openssh.com`: `string path, ATTRS attrs` (links not followed).
    Lsetstat {
        /// Path.
        path: &'a [u8],
        /// Attributes to set.
        attrs: FileAttributes,
    },
    /// `limits@openssh.com`: no data.
    Limits,
    /// `expand-path@openssh.com`: `string path` (with `~` expansion).
    ExpandPath {
        /// Path to expand.
        path: &'a [u8],
    },
    /// `home-directory`: `string username`.
    HomeDirectory {
        /// User whose home directory is wanted (empty: ours).
        username: &'a [u8],
    },
    /// `copy-data`: `string read-from-handle, uint64 read-from-offset, uint64
    /// read-data-length, string write-to-handle, uint64 write-to-offset`.
    CopyData {
        /// Source handle.
        read_handle: &'a [u8],
        /// Source offset.
        read_offset: u64,
        /// Bytes to copy (0: to end of file).
        read_length: u64,
        /// Destination handle.
        write_handle: &'a [u8],
        /// Destination offset.
        write_offset: u64,
    },
    /// `users-groups-by-id@openssh.com`: `string uids, string gids`, each a packed run of
    /// `uint32`.
    UsersGroupsById {
        /// User ids to name.
        uids: Vec<u32>,
        /// Group ids to name.
        gids: Vec<u32>,
    },
    /// `check-file-name` / `check-file-handle`: target, `string hash-algorithm-list,
    /// uint64 start-offset, uint64 length, uint32 block-size`.
    CheckFile {
        /// What to hash.
        target: CheckFileTarget<'a>,
        /// Comma-separated algorithms in preference order (`md5,sha1,sha256,...`).
        hash_algorithms: &'a [u8],
        /// First byte to hash.
        start_offset: u64,
        /// Bytes to hash (0: to end of file).
        length: u64,
        /// Hash each block of this size separately (0: one hash for the range).
        block_size: u32,
    },
    /// `copy-file`: `string source, string destination, bool overwrite`.
    CopyFile {
        /// Source path.
        source: &'a [u8],
        /// Destination path.
        destination: &'a [u8],
        /// Replace an existing destination.
        overwrite: bool,
    },
    /// `space-available`: `string path`.
    SpaceAvailable {
        /// Any path on the filesystem.
        path: &'a [u8],
    },
    /// `version-select`: `string version-from-list` (must be the first request).
    VersionSelect {
        /// The version as the server listed it, e.g. `"6"`.
        version: &'a [u8],
    },
    /// `vendor-id`: the client's [`VendorId`].
    VendorId(VendorId<'a>),
    /// Any other extension, kept raw.
    Unknown {
        /// Extension name.
        name: &'a [u8],
        /// Request data after the name.
        data: &'a [u8],
    },
}

impl<'a> ExtendedRequest<'a> {
    /// The `extended-request` name.
    pub fn name(&self) -> &'a [u8] {
        let n = match self {
            Self::PosixRename { .. } => names::POSIX_RENAME,
            Self::Statvfs { .. } => names::STATVFS,
            Self::Fstatvfs { .. } => names::FSTATVFS,
            Self::Hardlink { .. } => names::HARDLINK,
            Self::Fsync { .. } => names::FSYNC,
            Self::Lsetstat { .. } => names::LSETSTAT,
            Self::Limits => names::LIMITS,
            Self::ExpandPath { .. } => names::EXPAND_PATH,
            Self::HomeDirectory { .. } => names::HOME_DIRECTORY,
            Self::CopyData { .. } => names::COPY_DATA,
            Self::UsersGroupsById { .. } => names::USERS_GROUPS_BY_ID,
            Self::CheckFile {
                target: CheckFileTarget::Name(_),
                ..
            } => names::CHECK_FILE_NAME,
            Self::CheckFile {
                target: CheckFileTarget::Handle(_),
                ..
            } => names::CHECK_FILE_HANDLE,
            Self::CopyFile { .. } => names::COPY_FILE,
            Self::SpaceAvailable { .. } => names::SPACE_AVAILABLE,
            Self::VersionSelect { .. } => names::VERSION_SELECT,
            Self::VendorId(_) => names::VENDOR_ID,
            Self::Unknown { name, .. } => return name,
        };
        n.as_bytes()
    }

    /// Which reply the server answers with on success.
    pub fn reply_kind(&self) -> ExtendedReplyKind {
        match self {
            Self::Statvfs { .. }
            | Self::Fstatvfs { .. }
            | Self::Limits
            | Self::UsersGroupsById { .. }
            | Self::CheckFile { .. }
            | Self::SpaceAvailable { .. }
            | Self::Unknown { .. } => ExtendedReplyKind::ExtendedReply,
            Self::ExpandPath { .. } | Self::HomeDirectory { .. } => ExtendedReplyKind::Name,
            _ => ExtendedReplyKind::Status,
        }
    }

    /// Appends `string extended-request` and the data.
    pub fn encode(&self, version: Version, w: &mut Writer<'_>) {
        w.string(self.name());
        match self {
            Self::PosixRename { oldpath, newpath } | Self::Hardlink { oldpath, newpath } => {
                w.string(oldpath).string(newpath);
            }
            Self::Statvfs { path: s }
            | Self::Fstatvfs { handle: s }
            | Self::Fsync { handle: s }
            | Self::ExpandPath { path: s }
            | Self::HomeDirectory { username: s }
            | Self::SpaceAvailable { path: s }
            | Self::VersionSelect { version: s } => {
                w.string(s);
            }
            Self::Lsetstat { path, attrs } => {
                w.string(path);
                attrs.encode(version, w);
            }
            Self::Limits => {}
            Self::CopyData {
                read_handle,
                read_offset,
                read_length,
                write_handle,
                write_offset,
            } => {
                w.string(read_handle)
                    .u64(*read_offset)
                    .u64(*read_length)
                    .string(write_handle)
                    .u64(*write_offset);
            }
            Self::UsersGroupsById { uids, gids } => {
                for ids in [uids, gids] {
                    w.string_with(|w| {
                        for id in ids.iter().take(MAX_EXTENSION_LIST) {
                            w.u32(*id);
                        }
                    });
                }
            }
            Self::CheckFile {
                target,
                hash_algorithms,
                start_offset,
                length,
                block_size,
            } => {
                let (CheckFileTarget::Name(t) | CheckFileTarget::Handle(t)) = target;
                w.string(t)
                    .string(hash_algorithms)
                    .u64(*start_offset)
                    .u64(*length)
                    .u32(*block_size);
            }
            Self::CopyFile {
                source,
                destination,
                overwrite,
            } => {
                w.string(source).string(destination).bool(*overwrite);
            }
            Self::VendorId(v) => v.encode(w),
            Self::Unknown { data, .. } => {
                w.raw(data);
            }
        }
    }

    /// Reads `string extended-request` and its data (to the end of the packet). A known
    /// name whose data does not parse is an error.
    pub fn decode(version: Version, r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let name = r.string("extended-request")?;
        let n = std::str::from_utf8(name).unwrap_or("");
        let req = match n {
            names::POSIX_RENAME => Self::PosixRename {
                oldpath: r.string("oldpath")?,
                newpath: r.string("newpath")?,
            },
            names::HARDLINK => Self::Hardlink {
                oldpath: r.string("oldpath")?,
                newpath: r.string("newpath")?,
            },
            names::STATVFS => Self::Statvfs {
                path: r.string("path")?,
            },
            names::FSTATVFS => Self::Fstatvfs {
                handle: r.string_max(MAX_HANDLE_LEN, "handle")?,
            },
            names::FSYNC => Self::Fsync {
                handle: r.string_max(MAX_HANDLE_LEN, "handle")?,
            },
            names::LSETSTAT => Self::Lsetstat {
                path: r.string("path")?,
                attrs: FileAttributes::decode(version, r)?,
            },
            names::LIMITS => Self::Limits,
            names::EXPAND_PATH => Self::ExpandPath {
                path: r.string("path")?,
            },
            names::HOME_DIRECTORY => Self::HomeDirectory {
                username: r.string("username")?,
            },
            names::COPY_DATA => Self::CopyData {
                read_handle: r.string_max(MAX_HANDLE_LEN, "read-from-handle")?,
                read_offset: r.u64("read-from-offset")?,
                read_length: r.u64("read-data-length")?,
                write_handle: r.string_max(MAX_HANDLE_LEN, "write-to-handle")?,
                write_offset: r.u64("write-to-offset")?,
            },
            names::USERS_GROUPS_BY_ID => Self::UsersGroupsById {
                uids: packed_u32s(r, "uids")?,
                gids: packed_u32s(r, "gids")?,
            },
            names::CHECK_FILE_NAME | names::CHECK_FILE_HANDLE => {
                let t = r.string("target")?;
                Self::CheckFile {
                    target: if n == names::CHECK_FILE_NAME {
                        CheckFileTarget::Name(t)
                    } else {
                        CheckFileTarget::Handle(t)
                    },
                    hash_algorithms: r.string("hash-algorithm-list")?,
                    start_offset: r.u64("start-offset")?,
                    length: r.u64("length")?,
                    block_size: r.u32("block-size")?,
                }
            }
            names::COPY_FILE => Self::CopyFile {
                source: r.string("source")?,
                destination: r.string("destination")?,
                overwrite: r.bool_strict("overwrite")?,
            },
            names::SPACE_AVAILABLE => Self::SpaceAvailable {
                path: r.string("path")?,
            },
            names::VERSION_SELECT => Self::VersionSelect {
                version: r.string("version-from-list")?,
            },
            names::VENDOR_ID => Self::VendorId(VendorId::decode(r)?),
            _ => Self::Unknown {
                name,
                data: r.rest(),
            },
        };
        Ok(req)
    }
}

fn packed_u32s(r: &mut Reader<'_>, field: &'static str) -> Result<Vec<u32>, DecodeError> {
    let mut inner = r.string_reader(field)?;
    if inner.remaining() % 4 != 0 {
        return Err(DecodeError::new(
            DecodeErrorKind::InvalidValue,
            field,
            inner.position(),
        ));
    }
    let count = inner.remaining() / 4;
    if count > MAX_EXTENSION_LIST {
        return Err(too_many(field, MAX_EXTENSION_LIST, &inner));
    }
    let mut ids = Vec::with_capacity(count);
    while !inner.is_empty() {
        ids.push(inner.u32(field)?);
    }
    Ok(ids)
}

/// Reads a whole EXTENDED_REPLY (or extension-data) body with `body`, rejecting trailing
/// bytes.
fn whole<'a, T>(
    data: &'a [u8],
    body: impl FnOnce(&mut Reader<'a>) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    let mut r = Reader::new(data);
    let v = body(&mut r)?;
    r.finish()?;
    Ok(v)
}

/// Reply to `statvfs@openssh.com` / `fstatvfs@openssh.com`: eleven `uint64` fields of
/// POSIX `struct statvfs`, in this order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatVfs {
    /// `f_bsize`: file system block size.
    pub bsize: u64,
    /// `f_frsize`: fundamental block size.
    pub frsize: u64,
    /// `f_blocks`: size in `frsize` units.
    pub blocks: u64,
    /// `f_bfree`: free blocks.
    pub bfree: u64,
    /// `f_bavail`: free blocks for unprivileged users.
    pub bavail: u64,
    /// `f_files`: inodes.
    pub files: u64,
    /// `f_ffree`: free inodes.
    pub ffree: u64,
    /// `f_favail`: free inodes for unprivileged users.
    pub favail: u64,
    /// `f_fsid`: file system id.
    pub fsid: u64,
    /// `f_flag`: `SSH_FXE_STATVFS_ST_RDONLY` 0x1, `ST_NOSUID` 0x2.
    pub flag: u64,
    /// `f_namemax`: longest file name.
    pub namemax: u64,
}

impl StatVfs {
    /// Parses the reply data.
    pub fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        whole(data, |r| {
            Ok(Self {
                bsize: r.u64("f_bsize")?,
                frsize: r.u64("f_frsize")?,
                blocks: r.u64("f_blocks")?,
                bfree: r.u64("f_bfree")?,
                bavail: r.u64("f_bavail")?,
                files: r.u64("f_files")?,
                ffree: r.u64("f_ffree")?,
                favail: r.u64("f_favail")?,
                fsid: r.u64("f_fsid")?,
                flag: r.u64("f_flag")?,
                namemax: r.u64("f_namemax")?,
            })
        })
    }

    /// Appends the reply data.
    pub fn encode(&self, w: &mut Writer<'_>) {
        for v in [
            self.bsize,
            self.frsize,
            self.blocks,
            self.bfree,
            self.bavail,
            self.files,
            self.ffree,
            self.favail,
            self.fsid,
            self.flag,
            self.namemax,
        ] {
            w.u64(v);
        }
    }

    /// Free bytes for unprivileged users (`f_bavail × f_frsize`), saturating.
    pub fn available_bytes(&self) -> u64 {
        self.bavail.saturating_mul(self.frsize)
    }

    /// Total bytes (`f_blocks × f_frsize`), saturating.
    pub fn total_bytes(&self) -> u64 {
        self.blocks.saturating_mul(self.frsize)
    }
}

/// Reply to `limits@openssh.com`: `uint64 max-packet-length, max-read-length,
/// max-write-length, max-open-handles` (0 means no limit).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// Largest packet the server accepts, framing included.
    pub max_packet_length: u64,
    /// Largest READ length it honours.
    pub max_read_length: u64,
    /// Largest WRITE data it accepts.
    pub max_write_length: u64,
    /// Most handles open at once.
    pub max_open_handles: u64,
}

impl Limits {
    /// Parses the reply data.
    pub fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        whole(data, |r| {
            Ok(Self {
                max_packet_length: r.u64("max-packet-length")?,
                max_read_length: r.u64("max-read-length")?,
                max_write_length: r.u64("max-write-length")?,
                max_open_handles: r.u64("max-open-handles")?,
            })
        })
    }

    /// Appends the reply data.
    pub fn encode(&self, w: &mut Writer<'_>) {
        w.u64(self.max_packet_length)
            .u64(self.max_read_length)
            .u64(self.max_write_length)
            .u64(self.max_open_handles);
    }
}

/// Reply to `users-groups-by-id@openssh.com`: `string usernames, string groupnames`, each
/// a packed run of strings, one per id asked for (empty when unknown).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UsersGroups<'a> {
    /// Names of the uids, in request order.
    pub users: Vec<&'a [u8]>,
    /// Names of the gids, in request order.
    pub groups: Vec<&'a [u8]>,
}

impl<'a> UsersGroups<'a> {
    /// Parses the reply data.
    pub fn decode(data: &'a [u8]) -> Result<Self, DecodeError> {
        whole(data, |r| {
            Ok(Self {
                users: packed_strings(r, "usernames")?,
                groups: packed_strings(r, "groupnames")?,
            })
        })
    }

    /// Appends the reply data.
    pub fn encode(&self, w: &mut Writer<'_>) {
        for list in [&self.users, &self.groups] {
            w.string_with(|w| {
                for s in list.iter().take(MAX_EXTENSION_LIST) {
                    w.string(s);
                }
            });
        }
    }
}

fn packed_strings<'a>(
    r: &mut Reader<'a>,
    field: &'static str,
) -> Result<Vec<&'a [u8]>, DecodeError> {
    let mut inner = r.string_reader(field)?;
    let mut out = Vec::new();
    while !inner.is_empty() {
        if out.len() >= MAX_EXTENSION_LIST {
            return Err(too_many(field, MAX_EXTENSION_LIST, &inner));
        }
        out.push(inner.string(field)?);
    }
    Ok(out)
}

/// Reply to check-file: `string "check-file", string hash-algo-used, byte hash[...]`.
///
/// ProFTPD omits the leading `"check-file"` string; both forms are accepted and
/// [`CheckFileReply::named`] records which one came, so it re-encodes identically.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckFileReply<'a> {
    /// Whether the reply started with the `"check-file"` string.
    pub named: bool,
    /// The algorithm the server used.
    pub algorithm: &'a [u8],
    /// The hashes, concatenated (one per block, or one for the whole range).
    pub hashes: &'a [u8],
}

impl<'a> CheckFileReply<'a> {
    /// Parses the reply data.
    pub fn decode(data: &'a [u8]) -> Result<Self, DecodeError> {
        whole(data, |r| {
            let first = r.string("check-file")?;
            let (named, algorithm) = if first == names::CHECK_FILE.as_bytes() {
                (true, r.string("hash-algo-used")?)
            } else {
                (false, first)
            };
            Ok(Self {
                named,
                algorithm,
                hashes: r.rest(),
            })
        })
    }

    /// Appends the reply data.
    pub fn encode(&self, w: &mut Writer<'_>) {
        if self.named {
            w.string(names::CHECK_FILE.as_bytes());
        }
        w.string(self.algorithm).raw(self.hashes);
    }

    /// The algorithm as text, when it is UTF-8.
    pub fn algorithm_name(&self) -> Option<&'a str> {
        std::str::from_utf8(self.algorithm).ok()
    }
}

/// The hash algorithms check-file may use, strongest first (the seed's list for
/// CheckFileHash: "sha256,sha224,sha384,sha512,sha1,md5").
pub const CHECK_FILE_HASHES: &str = "sha256,sha224,sha384,sha512,sha1,md5";

/// Reply to `space-available`: `uint64 bytes-on-device, uint64 unused-bytes-on-device,
/// uint64 bytes-available-to-user, uint64 unused-bytes-available-to-user,
/// uint32 bytes-per-allocation-unit`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SpaceAvailable {
    /// Total capacity.
    pub bytes_on_device: u64,
    /// Free space.
    pub unused_bytes_on_device: u64,
    /// Capacity available to this user.
    pub bytes_available_to_user: u64,
    /// Free space available to this user.
    pub unused_bytes_available_to_user: u64,
    /// Allocation unit.
    pub bytes_per_allocation_unit: u32,
}

impl SpaceAvailable {
    /// Parses the reply data.
    pub fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        whole(data, |r| {
            Ok(Self {
                bytes_on_device: r.u64("bytes-on-device")?,
                unused_bytes_on_device: r.u64("unused-bytes-on-device")?,
                bytes_available_to_user: r.u64("bytes-available-to-user")?,
                unused_bytes_available_to_user: r.u64("unused-bytes-available-to-user")?,
                bytes_per_allocation_unit: r.u32("bytes-per-allocation-unit")?,
            })
        })
    }

    /// Appends the reply data.
    pub fn encode(&self, w: &mut Writer<'_>) {
        w.u64(self.bytes_on_device)
            .u64(self.unused_bytes_on_device)
            .u64(self.bytes_available_to_user)
            .u64(self.unused_bytes_available_to_user)
            .u32(self.bytes_per_allocation_unit);
    }
}

/// `vendor-id` data (draft-13 §5.4): `string vendor-name, string product-name,
/// string product-version, uint64 product-build-number`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VendorId<'a> {
    /// Vendor.
    pub vendor_name: &'a [u8],
    /// Product.
    pub product_name: &'a [u8],
    /// Product version.
    pub product_version: &'a [u8],
    /// Build number.
    pub product_build_number: u64,
}

impl<'a> VendorId<'a> {
    /// Reads the fields from `r`.
    pub fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            vendor_name: r.string("vendor-name")?,
            product_name: r.string("product-name")?,
            product_version: r.string("product-version")?,
            product_build_number: r.u64("product-build-number")?,
        })
    }

    /// Appends the fields.
    pub fn encode(&self, w: &mut Writer<'_>) {
        w.string(self.vendor_name)
            .string(self.product_name)
            .string(self.product_version)
            .u64(self.product_build_number);
    }
}

/// v5 `supported` (draft-05 §4.4): `uint32 supported-attribute-mask, uint32
/// supported-attribute-bits, uint32 supported-open-flags, uint32 supported-access-mask,
/// uint32 max-read-size, string extension-names[0..n]` (to the end).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Supported<'a> {
    /// Attribute flags the server supports.
    pub attribute_mask: u32,
    /// Attribute bits it supports.
    pub attribute_bits: u32,
    /// OPEN flags it supports.
    pub open_flags: u32,
    /// desired-access bits it supports.
    pub access_mask: u32,
    /// Largest READ it answers in full (0: unknown).
    pub max_read_size: u32,
    /// Extension requests it supports.
    pub extension_names: Vec<&'a [u8]>,
}

impl<'a> Supported<'a> {
    /// Parses the extension data.
    pub fn decode(data: &'a [u8]) -> Result<Self, DecodeError> {
        whole(data, |r| {
            let mut s = Self {
                attribute_mask: r.u32("supported-attribute-mask")?,
                attribute_bits: r.u32("supported-attribute-bits")?,
                open_flags: r.u32("supported-open-flags")?,
                access_mask: r.u32("supported-access-mask")?,
                max_read_size: r.u32("max-read-size")?,
                extension_names: Vec::new(),
            };
            while !r.is_empty() {
                if s.extension_names.len() >= MAX_EXTENSION_LIST {
                    return Err(too_many("extension-names", MAX_EXTENSION_LIST, r));
                }
                s.extension_names.push(r.string("extension-names")?);
            }
            Ok(s)
        })
    }

    /// Appends the extension data.
    pub fn encode(&self, w: &mut Writer<'_>) {
        w.u32(self.attribute_mask)
            .u32(self.attribute_bits)
            .u32(self.open_flags)
            .u32(self.access_mask)
            .u32(self.max_read_size);
        for n in self.extension_names.iter().take(MAX_EXTENSION_LIST) {
            w.string(n);
        }
    }
}

/// v6 `supported2` (draft-13 §5.4): the five `uint32` of [`Supported`], then
/// `uint16 supported-open-block-vector, uint16 supported-block-vector, uint32
/// attrib-extension-count, string[] attrib-extension-names, uint32 extension-count,
/// string[] extension-names`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Supported2<'a> {
    /// Attribute flags the server supports.
    pub attribute_mask: u32,
    /// Attribute bits it supports.
    pub attribute_bits: u32,
    /// OPEN flags it supports.
    pub open_flags: u32,
    /// desired-access bits it supports.
    pub access_mask: u32,
    /// Largest READ it answers in full (0: unknown).
    pub max_read_size: u32,
    /// Combinations of BLOCK_* flags supported in OPEN.
    pub open_block_vector: u16,
    /// Combinations of BLOCK_* flags supported in BLOCK.
    pub block_vector: u16,
    /// Extended attribute names it supports.
    pub attrib_extension_names: Vec<&'a [u8]>,
    /// Extension requests it supports.
    pub extension_names: Vec<&'a [u8]>,
}

impl<'a> Supported2<'a> {
    /// Parses the extension data.
    pub fn decode(data: &'a [u8]) -> Result<Self, DecodeError> {
        whole(data, |r| {
            let mut s = Self {
                attribute_mask: r.u32("supported-attribute-mask")?,
                attribute_bits: r.u32("supported-attribute-bits")?,
                open_flags: r.u32("supported-open-flags")?,
                access_mask: r.u32("supported-access-mask")?,
                max_read_size: r.u32("max-read-size")?,
                open_block_vector: u16::from_be_bytes(r.array("supported-open-block-vector")?),
                block_vector: u16::from_be_bytes(r.array("supported-block-vector")?),
                ..Self::default()
            };
            s.attrib_extension_names = counted_strings(r, "attrib-extension-names")?;
            s.extension_names = counted_strings(r, "extension-names")?;
            Ok(s)
        })
    }

    /// Appends the extension data.
    pub fn encode(&self, w: &mut Writer<'_>) {
        w.u32(self.attribute_mask)
            .u32(self.attribute_bits)
            .u32(self.open_flags)
            .u32(self.access_mask)
            .u32(self.max_read_size)
            .raw(&self.open_block_vector.to_be_bytes())
            .raw(&self.block_vector.to_be_bytes());
        for list in [&self.attrib_extension_names, &self.extension_names] {
            let n = list.len().min(MAX_EXTENSION_LIST);
            w.u32(u32::try_from(n).unwrap_or(0));
            for s in list.iter().take(n) {
                w.string(s);
            }
        }
    }
}

fn counted_strings<'a>(
    r: &mut Reader<'a>,
    field: &'static str,
) -> Result<Vec<&'a [u8]>, DecodeError> {
    let count = usize::try_from(r.u32(field)?).unwrap_or(usize::MAX);
    // Each string takes at least 4 bytes: check against what remains before allocating.
    if count > MAX_EXTENSION_LIST || count.saturating_mul(4) > r.remaining() {
        return Err(too_many(
            field,
            MAX_EXTENSION_LIST.min(r.remaining() / 4),
            r,
        ));
    }
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        out.push(r.string(field)?);
    }
    Ok(out)
}

/// The extension pairs a server sent in VERSION, owned so they outlive the packet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerExtensions {
    pairs: Vec<(Vec<u8>, Vec<u8>)>,
}

impl ServerExtensions {
    /// Copies the pairs of a VERSION packet.
    pub fn from_pairs(pairs: &[crate::packet::ExtensionPair<'_>]) -> Self {
        Self {
            pairs: pairs
                .iter()
                .map(|(n, d)| (n.to_vec(), d.to_vec()))
                .collect(),
        }
    }

    /// All pairs, in the order received.
    pub fn pairs(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.pairs.iter().map(|(n, d)| (n.as_slice(), d.as_slice()))
    }

    /// The data of the first pair called `name`.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.pairs()
            .find(|(n, _)| *n == name.as_bytes())
            .map(|(_, d)| d)
    }

    /// Whether the server offers extension request `name`: as a VERSION pair, or in the
    /// extension-names of `supported`/`supported2`. `check-file-name` and
    /// `check-file-handle` are also offered by a `check-file` entry.
    pub fn offers(&self, name: &str) -> bool {
        let listed = |n: &str| {
            self.get(n).is_some()
                || self
                    .supported2()
                    .and_then(Result::ok)
                    .is_some_and(|s| s.extension_names.contains(&n.as_bytes()))
                || self
                    .supported()
                    .and_then(Result::ok)
                    .is_some_and(|s| s.extension_names.contains(&n.as_bytes()))
        };
        listed(name)
            || ((name == names::CHECK_FILE_NAME || name == names::CHECK_FILE_HANDLE)
                && listed(names::CHECK_FILE))
    }

    /// `vendor-id`, when sent.
    pub fn vendor_id(&self) -> Option<Result<VendorId<'_>, DecodeError>> {
        self.get(names::VENDOR_ID)
            .map(|d| whole(d, VendorId::decode))
    }

    /// v5 `supported`, when sent.
    pub fn supported(&self) -> Option<Result<Supported<'_>, DecodeError>> {
        self.get(names::SUPPORTED).map(Supported::decode)
    }

    /// v6 `supported2`, when sent.
    pub fn supported2(&self) -> Option<Result<Supported2<'_>, DecodeError>> {
        self.get(names::SUPPORTED2).map(Supported2::decode)
    }

    /// The server's line ending (`newline` extension), when sent.
    pub fn newline(&self) -> Option<&[u8]> {
        self.get(names::NEWLINE)
    }

    /// The versions listed in `versions` (`"3,4,5,6"`); unparsable entries are skipped.
    pub fn versions(&self) -> Vec<u32> {
        self.get(names::VERSIONS)
            .and_then(|d| std::str::from_utf8(d).ok())
            .map(|s| s.split(',').filter_map(|v| v.trim().parse().ok()).collect())
            .unwrap_or_default()
    }

    /// The SYMLINK argument order to use with this server at `version`.
    ///
    /// An explicit `symlink-order@rjk.greenend.org.uk` wins (`"linkpath-targetpath"` is
    /// the draft order). Otherwise a server that advertises any `@openssh.com`
    /// extension is taken to be OpenSSH or a server compatible with it (ProFTPD too),
    /// which read `targetpath` first; any other server gets the draft order.
    pub fn symlink_order(&self) -> SymlinkOrder {
        match self.get(names::SYMLINK_ORDER) {
            Some(b"linkpath-targetpath") => return SymlinkOrder::Draft,
            Some(b"targetpath-linkpath") => return SymlinkOrder::TargetFirst,
            _ => {}
        }
        if self.pairs().any(|(n, _)| n.ends_with(b"@openssh.com")) {
            SymlinkOrder::TargetFirst
        } else {
            SymlinkOrder::Draft
        }
    }
}
