//! An SFTP client: the idiomatic Rust API over the project's SSH and SFTP layers.
//!
//! [`Sftp`] is a session, with methods named after `std::fs` ([`Sftp::metadata`],
//! [`Sftp::read_dir`], [`Sftp::rename`], ...); [`RemoteFile`] is an open file implementing
//! `Read`, `Write` and `Seek` with pipelined read-ahead and write-behind; [`Sftp::download`]
//! and [`Sftp::upload`] move whole files with many requests in flight, resume, progress and
//! cancellation. Every SFTP version from 3 to 6 sits behind the same API.
//!
//! Errors are one type, [`Error`], carrying the documented numeric codes ([`error::code`]).
//!
//! A session runs over an [`SftpStream`]: an SSH channel of the project's own SSH stack, or
//! any other byte stream to an SFTP server (for instance [`ProcessStream`] around
//! `ssh -s host sftp`).

#![forbid(unsafe_code)]

mod batch;
pub mod component;
mod dir;
mod engine;
pub mod error;
mod file;
mod sftp;
mod ssh;
mod stream;
mod transfer;

pub use batch::FILES_IN_FLIGHT;
pub use component::SftpClient;
pub use dir::{DirEntry, ReadDir};
pub use error::{Error, ErrorKind, Result};
pub use file::RemoteFile;
pub use sftp::{InterruptHandle, Metadata, OpenOptions, STRIPE_MIN, Sftp, SftpConfig};
pub use sftp_proto::ext::StatVfs;
pub use sftp_proto::{FileAttributes, FileTime, FileType, StatusCode, Version};
pub use ssh::{DEFAULT_TIMEOUT, HostKey, HostKeyPolicy, PromptHandler, Session, SessionBuilder};
pub use ssh_auth::{AuthMode, Prompt};
pub use ssh_keys::{PrivateKey, PublicKey};
pub use ssh_transport::TransportConfig;
pub use stream::{ProcessStream, SftpStream};
pub use transfer::{Progress, TransferOptions};
