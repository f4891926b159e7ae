//! The one error type of the harness.

use std::fmt;
use std::io;
use std::time::Duration;

/// Why a throwaway server (or something it needs) could not be set up.
///
/// Every variant that concerns a running or starting `sshd` carries the server's log, so a
/// failing test prints what the server said.
#[derive(Debug)]
#[non_exhaustive]
pub enum HarnessError {
    /// A file-system or process operation failed.
    Io {
        /// What the harness was doing.
        context: String,
        /// The underlying error.
        source: io::Error,
    },
    /// An external tool (`ssh-keygen`, `useradd`, `chpasswd`, ...) exited unsuccessfully.
    Tool {
        /// The command line that was run.
        command: String,
        /// How it exited.
        status: String,
        /// What it printed (stdout and stderr).
        output: String,
    },
    /// `sshd -t` rejected the generated configuration.
    ConfigRejected {
        /// The configuration text.
        config: String,
        /// What `sshd -t` printed.
        output: String,
    },
    /// `sshd` exited before it was ready to accept connections.
    Exited {
        /// How it exited.
        status: String,
        /// The server log.
        log: String,
    },
    /// `sshd` did not accept connections within the startup timeout.
    NotReady {
        /// How long the harness waited.
        waited: Duration,
        /// The server log.
        log: String,
    },
    /// Anything else that prevents the harness from working on this machine.
    Setup(String),
}

impl HarnessError {
    /// Wraps an I/O error with what the harness was doing.
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(io::Error) -> Self {
        let context = context.into();
        move |source| Self::Io { context, source }
    }
}

impl fmt::Display for HarnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { context, source } => write!(f, "{context}: {source}"),
            Self::Tool {
                command,
                status,
                output,
            } => write!(f, "`{command}` failed ({status}):\n{output}"),
            Self::ConfigRejected { config, output } => write!(
                f,
                "sshd -t rejected the generated config:\n{output}\n--- config ---\n{config}"
            ),
            Self::Exited { status, log } => {
                write!(
                    f,
                    "sshd exited before it was ready ({status})\n--- sshd log ---\n{log}"
                )
            }
            Self::NotReady { waited, log } => write!(
                f,
                "sshd did not accept connections within {waited:?}\n--- sshd log ---\n{log}"
            ),
            Self::Setup(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for HarnessError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
