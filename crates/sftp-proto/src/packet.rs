//! SFTP packets of every version, client→server ([`ClientPacket`]) and server→client
//! ([`ServerPacket`]), with the version as an explicit encode/decode parameter.
//!
//! Framing (draft-13 §4): `uint32 length, byte type, uint32 request-id, ...` except INIT and
//! VERSION, which carry `uint32 version` where the id would be. The `decode` functions here
//! take one frame's contents (after the length, as [`crate::Deframer`] yields them) and
//! reject trailing bytes; `encode` appends a whole frame, length included.

use ssh_wire::{DecodeError, DecodeErrorKind, Reader, Writer};

use crate::attrs::{FileAttributes, Quirks};
use crate::consts::{PacketType, RealpathControl, StatusCode, ace_mask, open_flags, pflags};
use crate::ext::ExtendedRequest;
use crate::version::Version;

/// Most extension pairs accepted in INIT or VERSION (robustness case S1: 100 000
/// extensions). Servers send about 15; 256 leaves room for vendors without letting a
/// hostile VERSION make us store thousands of entries.
pub const MAX_VERSION_EXTENSIONS: usize = 256;

/// Most entries accepted in one NAME. A 256 KiB packet holds at most ~21 800 minimal v3
/// entries (12 bytes each); 32 768 bounds the vector even for larger negotiated packets.
pub const MAX_NAME_ENTRIES: usize = 32 * 1024;

/// Longest handle accepted: draft-13 §8.1.2 "The handle MUST NOT be longer than 256 bytes".
pub const MAX_HANDLE_LEN: usize = 256;

/// Most `compose-path` strings accepted in a v6 REALPATH (a client sends one or two).
pub const MAX_COMPOSE_PATHS: usize = 64;

/// A request id (`uint32 request-id`), chosen by the client and echoed by the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u32);

/// An extension pair of INIT/VERSION: `string extension-name, string extension-data`.
pub type ExtensionPair<'a> = (&'a [u8], &'a [u8]);

/// `SSH_FXP_INIT`: `uint32 version, extension-pair*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Init<'a> {
    /// The highest version the client wants.
    pub version: u32,
    /// Client extension pairs (rarely used).
    pub extensions: Vec<ExtensionPair<'a>>,
}

/// `SSH_FXP_VERSION`: `uint32 version, extension-pair*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerVersion<'a> {
    /// The version the server chose.
    pub version: u32,
    /// Server extension pairs (see [`crate::ext::ServerExtensions`]).
    pub extensions: Vec<ExtensionPair<'a>>,
}

/// How a file is opened, in whichever of the two wire forms the packet carries.
///
/// v3/v4 send `uint32 pflags`; v5/v6 send `uint32 desired-access, uint32 flags`. Encoding
/// converts one to the other when the version needs it (see [`OpenMode::to_pflags`] and
/// [`OpenMode::to_access`]); decoding gives the version's own form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    /// v3/v4 `pflags` ([`crate::consts::pflags`]).
    Pflags(u32),
    /// v5/v6 `desired-access` ([`crate::consts::ace_mask`]) and `flags`
    /// ([`crate::consts::open_flags`]).
    Access {
        /// ACE4 mask of the access wanted.
        desired_access: u32,
        /// Disposition and options.
        flags: u32,
    },
}

impl OpenMode {
    /// The v3/v4 `pflags` for this mode.
    pub fn to_pflags(self) -> u32 {
        let (access, flags) = match self {
            OpenMode::Pflags(p) => return p,
            OpenMode::Access {
                desired_access,
                flags,
            } => (desired_access, flags),
        };
        let mut p = 0;
        if access & ace_mask::READ_DATA != 0 {
            p |= pflags::READ;
        }
        if access & (ace_mask::WRITE_DATA | ace_mask::APPEND_DATA) != 0 {
            p |= pflags::WRITE;
        }
        if flags & (open_flags::APPEND_DATA | open_flags::APPEND_DATA_ATOMIC) != 0 {
            p |= pflags::APPEND;
        }
        if flags & open_flags::TEXT_MODE != 0 {
            p |= pflags::TEXT;
        }
        p | match flags & open_flags::ACCESS_DISPOSITION {
            open_flags::CREATE_NEW => pflags::CREAT | pflags::EXCL,
            open_flags::CREATE_TRUNCATE => pflags::CREAT | pflags::TRUNC,
            open_flags::OPEN_OR_CREATE => pflags::CREAT,
            open_flags::TRUNCATE_EXISTING => pflags::TRUNC,
            _ => 0,
        }
    }

    /// The v5/v6 `(desired-access, flags)` for this mode.
    pub fn to_access(self) -> (u32, u32) {
        let p = match self {
            OpenMode::Access {
                desired_access,
                flags,
            } => return (desired_access, flags),
            OpenMode::Pflags(p) => p,
        };
        let mut access = 0;
        let mut flags = 0;
        if p & pflags::READ != 0 {
            access |= ace_mask::READ_DATA | ace_mask::READ_ATTRIBUTES;
        }
        if p & pflags::WRITE != 0 {
            access |= ace_mask::WRITE_DATA | ace_mask::WRITE_ATTRIBUTES;
        }
        if p & pflags::APPEND != 0 {
            access |= ace_mask::APPEND_DATA;
            flags |= open_flags::APPEND_DATA;
        }
        if p & pflags::TEXT != 0 {
            flags |= open_flags::TEXT_MODE;
        }
        let creat = p & pflags::CREAT != 0;
        flags |= match (creat, p & pflags::EXCL != 0, p & pflags::TRUNC != 0) {
            (true, true, _) => open_flags::CREATE_NEW,
            (true, false, true) => open_flags::CREATE_TRUNCATE,
            (true, false, false) => open_flags::OPEN_OR_CREATE,
            (false, _, true) => open_flags::TRUNCATE_EXISTING,
            (false, _, false) => open_flags::OPEN_EXISTING,
        };
        (access, flags)
    }

    /// Whether this mode asks for exclusive creation (fails if the file exists).
    pub fn is_exclusive(self) -> bool {
        let (_, flags) = self.to_access();
        flags & open_flags::ACCESS_DISPOSITION == open_flags::CREATE_NEW
    }
}

/// Argument order of SSH_FXP_SYMLINK.
///
/// draft-02 §6.10 says `string linkpath, string targetpath`; OpenSSH's sftp-server (and
/// ProFTPD at v3–v5) reads them the other way round, and every client that talks to them
/// sends `targetpath` first. See [`crate::ext::ServerExtensions::symlink_order`] for how
/// the order is detected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymlinkOrder {
    /// `linkpath, targetpath` (the drafts; Green End SFTP server).
    Draft,
    /// `targetpath, linkpath` (OpenSSH and servers compatible with it).
    TargetFirst,
}

/// A client request (everything but INIT), per draft-13 §8 unless noted.
// Attributes are held inline: these values are short-lived and boxing would cost an
// allocation per packet.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request<'a> {
    /// `SSH_FXP_OPEN`: `string filename`, the [`OpenMode`], `ATTRS attrs`.
    Open {
        /// Path to open.
        filename: &'a [u8],
        /// Access and disposition.
        mode: OpenMode,
        /// Initial attributes for a created file.
        attrs: FileAttributes,
    },
    /// `SSH_FXP_CLOSE`: `string handle`.
    Close {
        /// Handle to close.
        handle: &'a [u8],
    },
    /// `SSH_FXP_READ`: `string handle, uint64 offset, uint32 length`.
    Read {
        /// File handle.
        handle: &'a [u8],
        /// Offset to read from.
        offset: u64,
        /// Most bytes wanted; a longer DATA is a protocol error.
        len: u32,
    },
    /// `SSH_FXP_WRITE`: `string handle, uint64 offset, string data`.
    Write {
        /// File handle.
        handle: &'a [u8],
        /// Offset to write at.
        offset: u64,
        /// Bytes to write.
        data: &'a [u8],
    },
    /// `SSH_FXP_LSTAT`: `string path` and, v4+, `uint32 flags` (attributes wanted).
    Lstat {
        /// Path (links not followed).
        path: &'a [u8],
        /// Attribute flags requested (v4+; not sent at v3).
        flags: u32,
    },
    /// `SSH_FXP_FSTAT`: `string handle` and, v4+, `uint32 flags`.
    Fstat {
        /// Open handle.
        handle: &'a [u8],
        /// Attribute flags requested (v4+).
        flags: u32,
    },
    /// `SSH_FXP_SETSTAT`: `string path, ATTRS attrs`.
    Setstat {
        /// Path.
        path: &'a [u8],
        /// Attributes to set.
        attrs: FileAttributes,
    },
    /// `SSH_FXP_FSETSTAT`: `string handle, ATTRS attrs`.
    Fsetstat {
        /// Open handle.
        handle: &'a [u8],
        /// Attributes to set.
        attrs: FileAttributes,
    },
    /// `SSH_FXP_OPENDIR`: `string path`.
    Opendir {
        /// Directory path.
        path: &'a [u8],
    },
    /// `SSH_FXP_READDIR`: `string handle`.
    Readdir {
        /// Directory handle.
        handle: &'a [u8],
    },
    /// `SSH_FXP_REMOVE`: `string filename`.
    Remove {
        /// File to remove.
        filename: &'a [u8],
    },
    /// `SSH_FXP_MKDIR`: `string path, ATTRS attrs`.
    Mkdir {
        /// Directory to create.
        path: &'a [u8],
        /// Its initial attributes.
        attrs: FileAttributes,
    },
    /// `SSH_FXP_RMDIR`: `string path`.
    Rmdir {
        /// Directory to remove.
        path: &'a [u8],
    },
    /// `SSH_FXP_REALPATH`: `string original-path` and, v6 only, `[byte control-byte]
    /// [string compose-path]*` (draft-13 §8.9).
    Realpath {
        /// Path to canonicalize.
        path: &'a [u8],
        /// v6 control byte; `None` sends none (the server then uses NO_CHECK).
        control: Option<RealpathControl>,
        /// v6 paths composed onto `path` in order (sent after `control`, or after
        /// NO_CHECK when `control` is `None`).
        compose: Vec<&'a [u8]>,
    },
    /// `SSH_FXP_STAT`: `string path` and, v4+, `uint32 flags`.
    Stat {
        /// Path (links followed).
        path: &'a [u8],
        /// Attribute flags requested (v4+).
        flags: u32,
    },
    /// `SSH_FXP_RENAME`: `string oldpath, string newpath` and, v5+, `uint32 flags`
    /// ([`crate::consts::rename_flags`]).
    Rename {
        /// Existing path.
        oldpath: &'a [u8],
        /// New path.
        newpath: &'a [u8],
        /// v5+ flags; not sent before v5 (v3/v4 RENAME never overwrites by the drafts).
        flags: u32,
    },
    /// `SSH_FXP_READLINK`: `string path`.
    Readlink {
        /// Link to read.
        path: &'a [u8],
    },
    /// `SSH_FXP_SYMLINK` (v3–v5): the two paths in `order`.
    Symlink {
        /// The link to create.
        linkpath: &'a [u8],
        /// What it points to.
        targetpath: &'a [u8],
        /// Wire order; decoding always reports [`SymlinkOrder::Draft`].
        order: SymlinkOrder,
    },
    /// `SSH_FXP_LINK` (v6): `string new-link-path, string existing-path, bool sym-link`.
    Link {
        /// The link to create.
        new_link_path: &'a [u8],
        /// What it points to.
        existing_path: &'a [u8],
        /// Symbolic (true) or hard (false).
        symlink: bool,
    },
    /// `SSH_FXP_BLOCK` (v6): `string handle, uint64 offset, uint64 length, uint32 uLockMask`.
    Block {
        /// File handle.
        handle: &'a [u8],
        /// Start of the range.
        offset: u64,
        /// Length of the range.
        length: u64,
        /// `SSH_FXF_BLOCK_*` bits.
        lock_mask: u32,
    },
    /// `SSH_FXP_UNBLOCK` (v6): `string handle, uint64 offset, uint64 length`.
    Unblock {
        /// File handle.
        handle: &'a [u8],
        /// Start of the range.
        offset: u64,
        /// Length of the range.
        length: u64,
    },
    /// `SSH_FXP_EXTENDED`: `string extended-request`, request-specific data.
    Extended(ExtendedRequest<'a>),
}

/// Why a request cannot be sent at the negotiated version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{packet:?} is not defined at SFTP version {version}")]
pub struct NotAtVersion {
    /// The packet type.
    pub packet: PacketType,
    /// The version in use.
    pub version: Version,
}

impl Request<'_> {
    /// The packet type of this request.
    pub fn packet_type(&self) -> PacketType {
        match self {
            Request::Open { .. } => PacketType::OPEN,
            Request::Close { .. } => PacketType::CLOSE,
            Request::Read { .. } => PacketType::READ,
            Request::Write { .. } => PacketType::WRITE,
            Request::Lstat { .. } => PacketType::LSTAT,
            Request::Fstat { .. } => PacketType::FSTAT,
            Request::Setstat { .. } => PacketType::SETSTAT,
            Request::Fsetstat { .. } => PacketType::FSETSTAT,
            Request::Opendir { .. } => PacketType::OPENDIR,
            Request::Readdir { .. } => PacketType::READDIR,
            Request::Remove { .. } => PacketType::REMOVE,
            Request::Mkdir { .. } => PacketType::MKDIR,
            Request::Rmdir { .. } => PacketType::RMDIR,
            Request::Realpath { .. } => PacketType::REALPATH,
            Request::Stat { .. } => PacketType::STAT,
            Request::Rename { .. } => PacketType::RENAME,
            Request::Readlink { .. } => PacketType::READLINK,
            Request::Symlink { .. } => PacketType::SYMLINK,
            Request::Link { .. } => PacketType::LINK,
            Request::Block { .. } => PacketType::BLOCK,
            Request::Unblock { .. } => PacketType::UNBLOCK,
            Request::Extended(_) => PacketType::EXTENDED,
        }
    }

    /// Checks that the request exists at `version`: SYMLINK is v3–v5, LINK, BLOCK and
    /// UNBLOCK are v6 only, and REALPATH control/compose need v6.
    pub fn check_version(&self, version: Version) -> Result<(), NotAtVersion> {
        let ok = match self {
            Request::Symlink { .. } => version <= Version::V5,
            Request::Link { .. } | Request::Block { .. } | Request::Unblock { .. } => {
                version == Version::V6
            }
            Request::Realpath {
                control, compose, ..
            } => version == Version::V6 || (control.is_none() && compose.is_empty()),
            _ => true,
        };
        if ok {
            Ok(())
        } else {
            Err(NotAtVersion {
                packet: self.packet_type(),
                version,
            })
        }
    }

    /// Appends the body after `request-id` for `version`. Fields the version does not have
    /// (STAT flags before v4, RENAME flags before v5) are left out; check
    /// [`Request::check_version`] first for packets the version lacks.
    pub fn encode_body(&self, version: Version, w: &mut Writer<'_>) {
        let v4 = version >= Version::V4;
        match self {
            Request::Open {
                filename,
                mode,
                attrs,
            } => {
                w.string(filename);
                if version >= Version::V5 {
                    let (access, flags) = mode.to_access();
                    w.u32(access).u32(flags);
                } else {
                    w.u32(mode.to_pflags());
                }
                attrs.encode(version, w);
            }
            Request::Close { handle }
            | Request::Readdir { handle }
            | Request::Opendir { path: handle }
            | Request::Remove { filename: handle }
            | Request::Rmdir { path: handle }
            | Request::Readlink { path: handle } => {
                w.string(handle);
            }
            Request::Read {
                handle,
                offset,
                len,
            } => {
                w.string(handle).u64(*offset).u32(*len);
            }
            Request::Write {
                handle,
                offset,
                data,
            } => {
                w.string(handle).u64(*offset).string(data);
            }
            Request::Lstat { path, flags }
            | Request::Stat { path, flags }
            | Request::Fstat {
                handle: path,
                flags,
            } => {
                w.string(path);
                if v4 {
                    w.u32(*flags & crate::consts::defined_attr_flags(version));
                }
            }
            Request::Setstat { path, attrs }
            | Request::Fsetstat {
                handle: path,
                attrs,
            }
            | Request::Mkdir { path, attrs } => {
                w.string(path);
                attrs.encode(version, w);
            }
            Request::Realpath {
                path,
                control,
                compose,
            } => {
                w.string(path);
                // Compose paths need a control byte before them: NO_CHECK (the draft's
                // default) stands in when none was given.
                let control =
                    control.or_else(|| (!compose.is_empty()).then_some(RealpathControl::NO_CHECK));
                if let Some(c) = control.filter(|_| version == Version::V6) {
                    w.u8(c.0);
                    for p in compose.iter().take(MAX_COMPOSE_PATHS) {
                        w.string(p);
                    }
                }
            }
            Request::Rename {
                oldpath,
                newpath,
                flags,
            } => {
                w.string(oldpath).string(newpath);
                if version >= Version::V5 {
                    w.u32(*flags);
                }
            }
            Request::Symlink {
                linkpath,
                targetpath,
                order,
            } => {
                let (first, second) = match order {
                    SymlinkOrder::Draft => (linkpath, targetpath),
                    SymlinkOrder::TargetFirst => (targetpath, linkpath),
                };
                w.string(first).string(second);
            }
            Request::Link {
                new_link_path,
                existing_path,
                symlink,
            } => {
                w.string(new_link_path).string(existing_path).bool(*symlink);
            }
            Request::Block {
                handle,
                offset,
                length,
                lock_mask,
            } => {
                w.string(handle).u64(*offset).u64(*length).u32(*lock_mask);
            }
            Request::Unblock {
                handle,
                offset,
                length,
            } => {
                w.string(handle).u64(*offset).u64(*length);
            }
            Request::Extended(ext) => ext.encode(version, w),
        }
    }
}

impl<'a> Request<'a> {
    /// Reads the body after `request-id` of a request of type `ty` at `version`.
    /// SYMLINK is reported in [`SymlinkOrder::Draft`] order (the bytes alone cannot tell).
    pub fn decode_body(
        ty: PacketType,
        version: Version,
        r: &mut Reader<'a>,
    ) -> Result<Option<Self>, DecodeError> {
        let v4 = version >= Version::V4;
        let req = match ty {
            PacketType::OPEN => {
                let filename = r.string("filename")?;
                let mode = if version >= Version::V5 {
                    OpenMode::Access {
                        desired_access: r.u32("desired-access")?,
                        flags: r.u32("flags")?,
                    }
                } else {
                    OpenMode::Pflags(r.u32("pflags")?)
                };
                let attrs = FileAttributes::decode(version, r)?;
                Request::Open {
                    filename,
                    mode,
                    attrs,
                }
            }
            PacketType::CLOSE => Request::Close { handle: handle(r)? },
            PacketType::READ => Request::Read {
                handle: handle(r)?,
                offset: r.u64("offset")?,
                len: r.u32("length")?,
            },
            PacketType::WRITE => Request::Write {
                handle: handle(r)?,
                offset: r.u64("offset")?,
                data: r.string("data")?,
            },
            PacketType::LSTAT | PacketType::STAT => {
                let path = r.string("path")?;
                let flags = if v4 { r.u32("flags")? } else { 0 };
                if ty == PacketType::STAT {
                    Request::Stat { path, flags }
                } else {
                    Request::Lstat { path, flags }
                }
            }
            PacketType::FSTAT => Request::Fstat {
                handle: handle(r)?,
                flags: if v4 { r.u32("flags")? } else { 0 },
            },
            PacketType::SETSTAT => Request::Setstat {
                path: r.string("path")?,
                attrs: FileAttributes::decode(version, r)?,
            },
            PacketType::FSETSTAT => Request::Fsetstat {
                handle: handle(r)?,
                attrs: FileAttributes::decode(version, r)?,
            },
            PacketType::OPENDIR => Request::Opendir {
                path: r.string("path")?,
            },
            PacketType::READDIR => Request::Readdir { handle: handle(r)? },
            PacketType::REMOVE => Request::Remove {
                filename: r.string("filename")?,
            },
            PacketType::MKDIR => Request::Mkdir {
                path: r.string("path")?,
                attrs: FileAttributes::decode(version, r)?,
            },
            PacketType::RMDIR => Request::Rmdir {
                path: r.string("path")?,
            },
            PacketType::REALPATH => {
                let path = r.string("original-path")?;
                let mut control = None;
                let mut compose = Vec::new();
                if version == Version::V6 && !r.is_empty() {
                    control = Some(RealpathControl(r.u8("control-byte")?));
                    while !r.is_empty() {
                        if compose.len() >= MAX_COMPOSE_PATHS {
                            return Err(too_many("compose-path", MAX_COMPOSE_PATHS, r));
                        }
                        compose.push(r.string("compose-path")?);
                    }
                }
                Request::Realpath {
                    path,
                    control,
                    compose,
                }
            }
            PacketType::RENAME => Request::Rename {
                oldpath: r.string("oldpath")?,
                newpath: r.string("newpath")?,
                flags: if version >= Version::V5 {
                    r.u32("flags")?
                } else {
                    0
                },
            },
            PacketType::READLINK => Request::Readlink {
                path: r.string("path")?,
            },
            PacketType::SYMLINK if version <= Version::V5 => Request::Symlink {
                linkpath: r.string("linkpath")?,
                targetpath: r.string("targetpath")?,
                order: SymlinkOrder::Draft,
            },
            PacketType::LINK if version == Version::V6 => Request::Link {
                new_link_path: r.string("new-link-path")?,
                existing_path: r.string("existing-path")?,
                symlink: r.bool_strict("sym-link")?,
            },
            PacketType::BLOCK if version == Version::V6 => Request::Block {
                handle: handle(r)?,
                offset: r.u64("offset")?,
                length: r.u64("length")?,
                lock_mask: r.u32("uLockMask")?,
            },
            PacketType::UNBLOCK if version == Version::V6 => Request::Unblock {
                handle: handle(r)?,
                offset: r.u64("offset")?,
                length: r.u64("length")?,
            },
            PacketType::EXTENDED => Request::Extended(ExtendedRequest::decode(version, r)?),
            _ => return Ok(None),
        };
        Ok(Some(req))
    }
}

/// A packet the client sends.
// Attributes are held inline: these values are short-lived and boxing would cost an
// allocation per packet.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientPacket<'a> {
    /// `SSH_FXP_INIT`.
    Init(Init<'a>),
    /// A request with its id.
    Request {
        /// The request id.
        id: RequestId,
        /// The request.
        request: Request<'a>,
    },
    /// A type this version does not define for clients: `payload` is everything after the
    /// type byte.
    Unknown {
        /// The type byte.
        ty: PacketType,
        /// The rest of the packet.
        payload: &'a [u8],
    },
}

impl<'a> ClientPacket<'a> {
    /// Appends the whole frame (`uint32 length` first) for `version`.
    pub fn encode(&self, version: Version, out: &mut Vec<u8>) {
        Writer::new(out).string_with(|w| match self {
            ClientPacket::Init(init) => {
                w.u8(PacketType::INIT.0).u32(init.version);
                extension_pairs(w, &init.extensions);
            }
            ClientPacket::Request { id, request } => {
                w.u8(request.packet_type().0).u32(id.0);
                request.encode_body(version, w);
            }
            ClientPacket::Unknown { ty, payload } => {
                w.u8(ty.0).raw(payload);
            }
        });
    }

    /// Reads one frame's contents (type byte onwards) at `version`.
    pub fn decode(version: Version, frame: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(frame);
        let ty = PacketType(r.u8("type")?);
        let packet = if ty == PacketType::INIT {
            ClientPacket::Init(Init {
                version: r.u32("version")?,
                extensions: read_extension_pairs(&mut r)?,
            })
        } else {
            let mut body = r.clone();
            let id = RequestId(body.u32("request-id")?);
            match Request::decode_body(ty, version, &mut body)? {
                Some(request) => {
                    r = body;
                    ClientPacket::Request { id, request }
                }
                None => ClientPacket::Unknown {
                    ty,
                    payload: r.rest(),
                },
            }
        };
        r.finish()?;
        Ok(packet)
    }
}

/// `SSH_FXP_STATUS`: `uint32 error/status code, string error message, string language tag`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status<'a> {
    /// The code.
    pub code: StatusCode,
    /// Human-readable message (UTF-8 by the drafts; kept as bytes since servers differ).
    pub message: &'a [u8],
    /// RFC 1766 language tag.
    pub language: &'a [u8],
}

impl Status<'_> {
    /// The message as text, with invalid UTF-8 replaced and control characters removed so
    /// that a hostile server cannot drive the user's terminal.
    pub fn message_lossy(&self) -> String {
        String::from_utf8_lossy(self.message)
            .chars()
            .filter(|c| !c.is_control())
            .collect()
    }
}

/// One entry of SSH_FXP_NAME: `string filename, [string longname (v3)], ATTRS attrs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameEntry<'a> {
    /// The file name (a bare name in READDIR replies, a path in REALPATH replies).
    pub filename: &'a [u8],
    /// v3 `longname` (an `ls -l` line): for display only, never parsed for decisions.
    pub longname: Option<&'a [u8]>,
    /// Attributes.
    pub attrs: FileAttributes,
}

/// `SSH_FXP_NAME`: `uint32 count, entries` and, v6, `[bool end-of-list]`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Name<'a> {
    /// The entries.
    pub entries: Vec<NameEntry<'a>>,
    /// v6 `end-of-list`, when the server sent it.
    pub end_of_list: Option<bool>,
}

/// A server response (everything but VERSION).
// Attributes are held inline: these values are short-lived and boxing would cost an
// allocation per packet.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Response<'a> {
    /// `SSH_FXP_STATUS`.
    Status(Status<'a>),
    /// `SSH_FXP_HANDLE`: `string handle` (at most [`MAX_HANDLE_LEN`] bytes).
    Handle(&'a [u8]),
    /// `SSH_FXP_DATA`: `string data` and, v6, `[bool end-of-file]`; borrowed from the frame.
    Data {
        /// The bytes read.
        data: &'a [u8],
        /// v6 end-of-file hint, when sent.
        end_of_file: Option<bool>,
    },
    /// `SSH_FXP_NAME`.
    Name(Name<'a>),
    /// `SSH_FXP_ATTRS`: `ATTRS attrs`.
    Attrs(FileAttributes),
    /// `SSH_FXP_EXTENDED_REPLY`: reply-specific data (see [`crate::ext`]).
    ExtendedReply(&'a [u8]),
}

impl Response<'_> {
    /// The packet type of this response.
    pub fn packet_type(&self) -> PacketType {
        match self {
            Response::Status(_) => PacketType::STATUS,
            Response::Handle(_) => PacketType::HANDLE,
            Response::Data { .. } => PacketType::DATA,
            Response::Name(_) => PacketType::NAME,
            Response::Attrs(_) => PacketType::ATTRS,
            Response::ExtendedReply(_) => PacketType::EXTENDED_REPLY,
        }
    }
}

/// A packet the server sends.
// Attributes are held inline: these values are short-lived and boxing would cost an
// allocation per packet.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerPacket<'a> {
    /// `SSH_FXP_VERSION`.
    Version(ServerVersion<'a>),
    /// A response with its request id.
    Response {
        /// The id of the request answered.
        id: RequestId,
        /// The response.
        response: Response<'a>,
    },
    /// A type that is not a server packet: `payload` is everything after the type byte.
    Unknown {
        /// The type byte.
        ty: PacketType,
        /// The rest of the packet.
        payload: &'a [u8],
    },
}

impl<'a> ServerPacket<'a> {
    /// The request id, for packets that carry one.
    pub fn id(&self) -> Option<RequestId> {
        match self {
            ServerPacket::Response { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// Appends the whole frame (`uint32 length` first) for `version`.
    pub fn encode(&self, version: Version, out: &mut Vec<u8>) {
        Writer::new(out).string_with(|w| match self {
            ServerPacket::Version(v) => {
                w.u8(PacketType::VERSION.0).u32(v.version);
                extension_pairs(w, &v.extensions);
            }
            ServerPacket::Response { id, response } => {
                w.u8(response.packet_type().0).u32(id.0);
                encode_response(response, version, w);
            }
            ServerPacket::Unknown { ty, payload } => {
                w.u8(ty.0).raw(payload);
            }
        });
    }

    /// Reads one frame's contents (type byte onwards) at `version`.
    pub fn decode(version: Version, frame: &'a [u8]) -> Result<Self, DecodeError> {
        Self::decode_with_quirks(version, Quirks::STRICT, frame)
    }

    /// [`ServerPacket::decode`] tolerating the server bugs enabled in `quirks`.
    pub fn decode_with_quirks(
        version: Version,
        quirks: Quirks,
        frame: &'a [u8],
    ) -> Result<Self, DecodeError> {
        let mut r = Reader::new(frame);
        let ty = PacketType(r.u8("type")?);
        let packet = match ty {
            PacketType::VERSION => ServerPacket::Version(ServerVersion {
                version: r.u32("version")?,
                extensions: read_extension_pairs(&mut r)?,
            }),
            PacketType::STATUS
            | PacketType::HANDLE
            | PacketType::DATA
            | PacketType::NAME
            | PacketType::ATTRS
            | PacketType::EXTENDED_REPLY => {
                let id = RequestId(r.u32("request-id")?);
                let response = decode_response(ty, version, quirks, &mut r)?;
                ServerPacket::Response { id, response }
            }
            _ => ServerPacket::Unknown {
                ty,
                payload: r.rest(),
            },
        };
        r.finish()?;
        Ok(packet)
    }
}

fn encode_response(response: &Response<'_>, version: Version, w: &mut Writer<'_>) {
    match response {
        Response::Status(s) => {
            w.u32(s.code.0).string(s.message).string(s.language);
        }
        Response::Handle(h) => {
            w.string(h);
        }
        Response::Data { data, end_of_file } => {
            w.string(data);
            if let Some(eof) = end_of_file.filter(|_| version == Version::V6) {
                w.bool(eof);
            }
        }
        Response::Name(name) => {
            let count = name.entries.len().min(MAX_NAME_ENTRIES);
            w.u32(u32::try_from(count).unwrap_or(0));
            for e in name.entries.iter().take(count) {
                w.string(e.filename);
                if version == Version::V3 {
                    w.string(e.longname.unwrap_or_default());
                }
                e.attrs.encode(version, w);
            }
            if let Some(eol) = name.end_of_list.filter(|_| version == Version::V6) {
                w.bool(eol);
            }
        }
        Response::Attrs(a) => a.encode(version, w),
        Response::ExtendedReply(data) => {
            w.raw(data);
        }
    }
}

fn decode_response<'a>(
    ty: PacketType,
    version: Version,
    quirks: Quirks,
    r: &mut Reader<'a>,
) -> Result<Response<'a>, DecodeError> {
    let v6 = version == Version::V6;
    Ok(match ty {
        PacketType::STATUS => Response::Status(Status {
            code: StatusCode(r.u32("status-code")?),
            message: r.string("error-message")?,
            language: r.string("language-tag")?,
        }),
        PacketType::HANDLE => Response::Handle(handle(r)?),
        PacketType::DATA => Response::Data {
            data: r.string("data")?,
            end_of_file: if v6 && !r.is_empty() {
                Some(r.bool_strict("end-of-file")?)
            } else {
                None
            },
        },
        PacketType::NAME => {
            let at = r.position();
            let count = usize::try_from(r.u32("count")?).unwrap_or(usize::MAX);
            // Smallest entry: v3 filename + longname + flags = 12 bytes, v4+ filename +
            // flags + type = 9. Check before allocating (S7: count 0xFFFFFFFF, 9 bytes).
            let min_entry = if version == Version::V3 { 12 } else { 9 };
            if count > MAX_NAME_ENTRIES || count.saturating_mul(min_entry) > r.remaining() {
                return Err(DecodeError::new(
                    DecodeErrorKind::TooLong {
                        len: count,
                        max: MAX_NAME_ENTRIES.min(r.remaining() / min_entry),
                    },
                    "count",
                    at,
                ));
            }
            let mut entries = Vec::with_capacity(count);
            for _ in 0..count {
                let filename = r.string("filename")?;
                let longname = if version == Version::V3 {
                    Some(r.string("longname")?)
                } else {
                    None
                };
                let attrs = FileAttributes::decode_with_quirks(version, quirks, r)?;
                entries.push(NameEntry {
                    filename,
                    longname,
                    attrs,
                });
            }
            let end_of_list = if v6 && !r.is_empty() {
                Some(r.bool_strict("end-of-list")?)
            } else {
                None
            };
            Response::Name(Name {
                entries,
                end_of_list,
            })
        }
        PacketType::ATTRS => {
            Response::Attrs(FileAttributes::decode_with_quirks(version, quirks, r)?)
        }
        _ => Response::ExtendedReply(r.rest()),
    })
}

/// Writes INIT/VERSION extension pairs.
fn extension_pairs(w: &mut Writer<'_>, pairs: &[ExtensionPair<'_>]) {
    for (name, data) in pairs.iter().take(MAX_VERSION_EXTENSIONS) {
        w.string(name).string(data);
    }
}

/// Reads INIT/VERSION extension pairs to the end of the packet, at most
/// [`MAX_VERSION_EXTENSIONS`].
fn read_extension_pairs<'a>(r: &mut Reader<'a>) -> Result<Vec<ExtensionPair<'a>>, DecodeError> {
    let mut pairs = Vec::new();
    while !r.is_empty() {
        if pairs.len() >= MAX_VERSION_EXTENSIONS {
            return Err(too_many("extension-name", MAX_VERSION_EXTENSIONS, r));
        }
        let name = r.string("extension-name")?;
        let data = r.string("extension-data")?;
        pairs.push((name, data));
    }
    Ok(pairs)
}

/// A handle, at most [`MAX_HANDLE_LEN`] bytes.
fn handle<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], DecodeError> {
    r.string_max(MAX_HANDLE_LEN, "handle")
}

/// A count-over-cap error at the reader's position.
pub(crate) fn too_many(field: &'static str, max: usize, r: &Reader<'_>) -> DecodeError {
    DecodeError::new(
        DecodeErrorKind::TooLong {
            len: max.saturating_add(1),
            max,
        },
        field,
        r.position(),
    )
}

/// Appends the frame header of a WRITE whose `data_len` bytes of data the caller appends
/// right after (hot path: the data is copied once, from wherever it was read, straight
/// into the transmit buffer). Returns `false` (writing nothing) when the frame would not
/// fit a `uint32` length.
pub fn encode_write_header(
    out: &mut Vec<u8>,
    id: RequestId,
    handle: &[u8],
    offset: u64,
    data_len: usize,
) -> bool {
    // type + id + handle string + offset + data length prefix + data
    let len = 1usize
        .saturating_add(4)
        .saturating_add(4)
        .saturating_add(handle.len())
        .saturating_add(8)
        .saturating_add(4)
        .saturating_add(data_len);
    let (Ok(len), Ok(data_len)) = (u32::try_from(len), u32::try_from(data_len)) else {
        return false;
    };
    Writer::new(out)
        .u32(len)
        .u8(PacketType::WRITE.0)
        .u32(id.0)
        .string(handle)
        .u64(offset)
        .u32(data_len);
    true
}
