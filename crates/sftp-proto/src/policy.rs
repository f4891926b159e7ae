//! Pure policy helpers the client applies to what the server tells it: which names are
//! safe to create locally (robustness S8), how deep a recursive transfer may go (S9), and
//! how "already exists" and non-overwriting rename look in each version (S10).

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use crate::consts::{StatusCode, rename_flags};
use crate::ext::{ExtendedRequest, ServerExtensions, names};
use crate::packet::Request;
use crate::version::Version;

/// Longest name accepted for a local file: `NAME_MAX` on Linux and most filesystems.
pub const MAX_LOCAL_NAME_LEN: usize = 255;

/// Deepest directory nesting a recursive transfer follows: OpenSSH's `MAX_DIR_DEPTH`.
pub const MAX_DIR_DEPTH: usize = 64;

/// Why a name from the server is refused for local use (`Sftp::SuspectPath`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SuspectPath {
    /// An empty name.
    #[error("server sent an empty file name")]
    Empty,
    /// `.` or `..`.
    #[error("server sent the directory name {0:?} as an entry")]
    DotName(String),
    /// A path separator (`/`, or `\` which Windows treats as one).
    #[error("server sent a name containing a path separator: {0:?}")]
    Separator(String),
    /// A NUL or other control character.
    #[error("server sent a name containing control characters")]
    ControlCharacter,
    /// Longer than [`MAX_LOCAL_NAME_LEN`].
    #[error("server sent a {0}-byte name, longer than {MAX_LOCAL_NAME_LEN}")]
    TooLong(usize),
    /// Not UTF-8 (cannot be mapped to a local name faithfully).
    #[error("server sent a name that is not UTF-8")]
    NotUtf8,
    /// Same as an earlier entry once case and Unicode normalisation are ignored, so on a
    /// case-insensitive or normalising filesystem one would overwrite the other.
    #[error("server sent {name:?}, which collides with {earlier:?}")]
    Collision {
        /// This name.
        name: String,
        /// The earlier one.
        earlier: String,
    },
}

/// Checks that a name from a directory listing is a single, plain path component that is
/// safe to create under a local destination directory, and returns it as text.
pub fn check_local_name(name: &[u8]) -> Result<&str, SuspectPath> {
    if name.is_empty() {
        return Err(SuspectPath::Empty);
    }
    if name.len() > MAX_LOCAL_NAME_LEN {
        return Err(SuspectPath::TooLong(name.len()));
    }
    let text = std::str::from_utf8(name).map_err(|_| SuspectPath::NotUtf8)?;
    if text.chars().any(char::is_control) {
        return Err(SuspectPath::ControlCharacter);
    }
    if text == "." || text == ".." {
        return Err(SuspectPath::DotName(text.to_owned()));
    }
    if text.contains(['/', '\\']) {
        return Err(SuspectPath::Separator(text.to_owned()));
    }
    Ok(text)
}

/// The names of one directory already accepted, to refuse later ones that would land on
/// the same local file (case-insensitive, NFC/NFD-insensitive).
#[derive(Clone, Debug, Default)]
pub struct NameCollisions {
    seen: HashMap<String, String>,
}

impl NameCollisions {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks `name` with [`check_local_name`] and against the names seen so far, and
    /// records it.
    pub fn insert<'n>(&mut self, name: &'n [u8]) -> Result<&'n str, SuspectPath> {
        let text = check_local_name(name)?;
        let key: String = text.nfkc().collect::<String>().to_lowercase();
        if let Some(earlier) = self.seen.get(&key) {
            return Err(SuspectPath::Collision {
                name: text.to_owned(),
                earlier: earlier.clone(),
            });
        }
        self.seen.insert(key, text.to_owned());
        Ok(text)
    }
}

/// A recursive transfer went deeper than [`MAX_DIR_DEPTH`] (`Sftp::TooDeep`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("directory depth {0} exceeds the limit of {MAX_DIR_DEPTH}")]
pub struct TooDeep(pub usize);

/// Checks a recursion depth (0 for the top directory).
pub fn check_depth(depth: usize) -> Result<(), TooDeep> {
    if depth > MAX_DIR_DEPTH {
        Err(TooDeep(depth))
    } else {
        Ok(())
    }
}

/// Whether a failure status means "the target already exists" (`Sftp::AlreadyExists`).
///
/// v4+ have `SSH_FX_FILE_ALREADY_EXISTS`. v3 has no such code: OpenSSH maps `EEXIST` to
/// `SSH_FX_FAILURE`, so a FAILURE answering an operation that only fails that way when the
/// target exists (exclusive OPEN, non-overwriting RENAME, MKDIR, SYMLINK) counts too.
pub fn is_already_exists(version: Version, code: StatusCode, exclusive_op: bool) -> bool {
    code == StatusCode::FILE_ALREADY_EXISTS
        || (version == Version::V3 && exclusive_op && code == StatusCode::FAILURE)
}

/// No way to rename with the semantics asked for at this version with this server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("server cannot rename over an existing file at SFTP version {0}")]
pub struct NoOverwritingRename(pub Version);

/// The request that renames `oldpath` to `newpath` with the overwrite semantics asked
/// for, never overwriting unless `overwrite` is set:
/// - no overwrite: plain RENAME (v3/v4 drafts: "an error if newpath exists"; v5+ with
///   flags 0);
/// - overwrite: v5+ RENAME with `SSH_FXF_RENAME_OVERWRITE`; v3/v4
///   `posix-rename@openssh.com` when offered; otherwise an error.
pub fn rename_request<'a>(
    version: Version,
    extensions: &ServerExtensions,
    oldpath: &'a [u8],
    newpath: &'a [u8],
    overwrite: bool,
) -> Result<Request<'a>, NoOverwritingRename> {
    if !overwrite {
        return Ok(Request::Rename {
            oldpath,
            newpath,
            flags: 0,
        });
    }
    if version >= Version::V5 {
        return Ok(Request::Rename {
            oldpath,
            newpath,
            flags: rename_flags::OVERWRITE,
        });
    }
    if extensions.offers(names::POSIX_RENAME) {
        return Ok(Request::Extended(ExtendedRequest::PosixRename {
            oldpath,
            newpath,
        }));
    }
    Err(NoOverwritingRename(version))
}
