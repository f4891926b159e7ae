//! SFTP protocol versions 3 to 6 for a client, without I/O.
//!
//! - [`packet`]: every packet of draft-ietf-secsh-filexfer-02 (v3), -04 (v4), -05 (v5)
//!   and -13 (v6), encoded and decoded with the [`Version`] as an explicit parameter;
//!   unknown types decode to `Unknown { ty, payload }`.
//! - [`attrs`]: [`FileAttributes`], one version-neutral attribute set with its wire form
//!   per version (lossless where the versions overlap; see its docs for where not), the
//!   explicit list of tolerated server bugs and non-canonical forms ([`Quirks`], e.g.
//!   ProFTPD's `EXTENDED` flag with no pairs: off in the plain codec, which stays
//!   canonical, on in the session) and ACL parsing.
//! - [`ext`]: typed extension requests and replies (`@openssh.com` family, check-file,
//!   copy-file, space-available, vendor-id, version-select, supported/supported2 ...).
//! - [`Deframer`]: the channel byte stream split into packets under a size cap.
//! - [`SftpSession`]: version negotiation (INIT/VERSION, `version-select`) and the
//!   request table: ids, replies matched by id in any order, a pipelining window, replies
//!   checked against what each request allows.
//! - [`policy`]: pure checks for names from the server, recursion depth, and
//!   "already exists"/rename semantics per version.
//!
//! Default version: [`DEFAULT_VERSION`] is 3 — see its docs for why.
//! Design notes and the attribute mapping across versions: docs/sftp.md.

#![forbid(unsafe_code)]

pub mod attrs;
pub mod consts;
mod deframer;
mod error;
pub mod ext;
pub mod packet;
pub mod policy;
mod session;
mod version;

#[doc(hidden)]
pub mod fuzzing;

pub use attrs::{FileAttributes, FileTime, Quirks};
pub use consts::{FileType, PacketType, StatusCode};
pub use deframer::{DEFAULT_MAX_PACKET_LEN, Deframer, MAX_PACKET_LEN_LIMIT};
pub use error::{FrameError, SendError, SessionError};
pub use packet::{ClientPacket, Request, RequestId, Response, ServerPacket};
pub use session::{
    DEFAULT_MAX_OUTSTANDING, DEFAULT_PEER_MAX_PACKET_LEN, DataPieces, MAX_OUTSTANDING_LIMIT, Reply,
    ReplyParts, SessionConfig, SftpSession,
};
pub use version::{DEFAULT_VERSION, Version};
