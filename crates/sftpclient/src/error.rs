//! One error type for the whole client, carrying the documented numeric error codes.

use std::fmt;
use std::io;

use sftp_proto::StatusCode;

/// The numeric error codes of the documented SFTPClient surface (see `docs/seed-surface.md`).
pub mod code {
    /// The server's SFTP draft version is unsupported.
    pub const UNSUPPORTED_VERSION: i32 = 1102;
    /// An SFTP command failed; the server's status is in the error.
    pub const SFTP_COMMAND_FAILED: i32 = 1103;
    /// The server does not support renaming (as asked).
    pub const RENAME_UNSUPPORTED: i32 = 1104;
    /// The server sent an invalid response.
    pub const INVALID_RESPONSE: i32 = 1105;
    /// A path could not be resolved.
    pub const CANNOT_RESOLVE_PATH: i32 = 1106;
    /// local_file/remote_file must be set first.
    pub const MISSING_FILE_NAME: i32 = 1107;
    /// The local file exists and overwriting was not allowed.
    pub const LOCAL_FILE_EXISTS: i32 = 1108;
    /// CheckFileHash found a different hash.
    pub const HASH_MISMATCH: i32 = 1109;
    /// The server disconnected.
    pub const SERVER_DISCONNECTED: i32 = 1001;
    /// The SSH connection failed.
    pub const SSH_CONNECTION_FAILED: i32 = 1036;
    /// Timeout.
    pub const TIMEOUT: i32 = 301;
    /// A local file could not be opened, read or written.
    pub const LOCAL_FILE_ERROR: i32 = 302;
    /// Action impossible in the object's present state.
    pub const INVALID_STATE: i32 = 211;
    /// Connection dropped by the remote host.
    pub const CONNECTION_DROPPED: i32 = 1120;
}

/// What went wrong, in a form a program can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The server answered a request with a failure status (code 1103).
    Status {
        /// The server's status code.
        status: StatusCode,
    },
    /// The target exists and overwriting was not allowed (remote: 1103 with the status;
    /// local: 1108).
    AlreadyExists,
    /// The server's SFTP version cannot be used (1102).
    UnsupportedVersion,
    /// The server broke the SFTP protocol (1105): the session is unusable afterwards.
    Protocol,
    /// The operation needs an extension or version the server does not offer.
    Unsupported,
    /// A name from the server is unsafe to create locally (`../x`, `/etc/passwd`, ...).
    SuspectPath,
    /// A local file could not be opened, read or written (302).
    LocalIo,
    /// The stream carrying the session ended or failed (1120).
    ConnectionLost,
    /// A deadline passed (301).
    Timeout,
    /// The operation was cancelled by the caller (progress callback or interrupt).
    Cancelled,
    /// The call is not valid in the current state (211).
    InvalidState,
    /// A transfer ended early: `verified` bytes at the start of the destination are good.
    Incomplete {
        /// Bytes known to be correct at the start of the destination.
        verified: u64,
    },
}

/// The error of every fallible call: a kind, the documented numeric code, a description and
/// the underlying cause.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    code: i32,
    description: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// An error of `kind` with an explicit `code`.
    pub fn new(kind: ErrorKind, code: i32, description: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            description: description.into(),
            source: None,
        }
    }

    /// Attaches the underlying cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// A failure status from the server for `what` (e.g. `open /tmp/x`).
    pub fn status(status: StatusCode, message: &str, what: &str) -> Self {
        let name = status
            .name()
            .map_or_else(|| status.0.to_string(), str::to_owned);
        let detail = if message.is_empty() {
            name
        } else {
            format!("{message} ({name})")
        };
        Self::new(
            ErrorKind::Status { status },
            code::SFTP_COMMAND_FAILED,
            format!("{what}: {detail}"),
        )
    }

    /// The server broke the protocol.
    pub fn protocol(description: impl Into<String>) -> Self {
        Self::new(ErrorKind::Protocol, code::INVALID_RESPONSE, description)
    }

    /// A local file error while doing `what`.
    pub fn local(what: impl Into<String>, source: io::Error) -> Self {
        let what = what.into();
        Self::new(
            ErrorKind::LocalIo,
            code::LOCAL_FILE_ERROR,
            format!("{what}: {source}"),
        )
        .with_source(source)
    }

    /// The stream carrying the session failed or ended.
    pub fn connection_lost(what: impl Into<String>) -> Self {
        Self::new(ErrorKind::ConnectionLost, code::CONNECTION_DROPPED, what)
    }

    /// The operation needs something the server does not offer.
    pub fn unsupported(what: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unsupported, code::SFTP_COMMAND_FAILED, what)
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The documented numeric error code.
    pub fn code(&self) -> i32 {
        self.code
    }

    /// The human-readable description.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The server's status code, when the server refused the request.
    pub fn sftp_status(&self) -> Option<StatusCode> {
        match self.kind {
            ErrorKind::Status { status } => Some(status),
            _ => None,
        }
    }

    /// Whether the session can no longer be used after this error.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Protocol
                | ErrorKind::ConnectionLost
                | ErrorKind::Timeout
                | ErrorKind::UnsupportedVersion
        )
    }

    /// The same error for another attempt to report it (sticky session errors are
    /// returned to every later call). The source is summarised in the description.
    pub(crate) fn duplicate(&self) -> Self {
        Self::new(self.kind.clone(), self.code, self.description.clone())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code, self.description)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> Self {
        let kind = match e.kind {
            ErrorKind::Status { status } if status == StatusCode::NO_SUCH_FILE => {
                io::ErrorKind::NotFound
            }
            ErrorKind::Status { status } if status == StatusCode::PERMISSION_DENIED => {
                io::ErrorKind::PermissionDenied
            }
            ErrorKind::AlreadyExists => io::ErrorKind::AlreadyExists,
            ErrorKind::Timeout => io::ErrorKind::TimedOut,
            ErrorKind::ConnectionLost => io::ErrorKind::ConnectionAborted,
            ErrorKind::Unsupported => io::ErrorKind::Unsupported,
            ErrorKind::Cancelled => io::ErrorKind::Interrupted,
            ErrorKind::Protocol => io::ErrorKind::InvalidData,
            _ => io::ErrorKind::Other,
        };
        io::Error::new(kind, e)
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
