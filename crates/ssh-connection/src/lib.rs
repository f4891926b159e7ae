//! The SSH connection protocol, client side (RFC 4254), as a sans-IO state machine.
//!
//! [`Connection`] owns the channel table: opening `session` channels, `exec`/`subsystem`/
//! `env`/`shell` requests with want-reply, data and stderr in both directions under the
//! windows and maximum packet sizes of each side (the seed's MaxWindowSize and
//! MaxPacketSize), window adjusts with 64-bit overflow checks, EOF and CLOSE,
//! `exit-status`/`exit-signal`, keepalives and global requests, and refusal of channels
//! the server tries to open. Each channel's lifecycle is drawn in [`channel`].
//!
//! Hot path: received data is handed up as [`bytes::Bytes`] — a zero-copy slice when the
//! payload comes in as `Bytes` ([`Connection::handle_payload_bytes`]); otherwise one copy
//! into 256 KiB blocks shared by many messages (an allocation per block, not per message).
//! Outgoing data is copied once into a reused buffer that [`Connection::poll_payload`]
//! lends out, so neither direction allocates per message.
//!
//! [`ClientSession`] composes `ssh-transport`, `ssh-auth` and the channels into one
//! sans-IO session with one event stream and one `poll_timeout`.

#![forbid(unsafe_code)]

pub mod channel;
mod connection;
mod error;
pub mod msg;
mod session;

#[doc(hidden)]
pub mod fuzzing;

pub use channel::{ChannelId, MIN_REMOTE_MAX_PACKET, RequestKind};
pub use connection::{
    Connection, ConnectionConfig, ConnectionEvent, DEFAULT_MAX_PACKET_SIZE,
    DEFAULT_MAX_WINDOW_SIZE, MAX_CHANNELS, MAX_MAX_PACKET_SIZE, MAX_WINDOW_SIZE_LIMIT, OpenError,
    WindowPolicy,
};
pub use error::{ConnectionError, UsageError};
pub use session::{ClientSession, SessionConfig, SessionError, SessionEvent};
