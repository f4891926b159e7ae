//! Sans-IO SSH transport layer (RFC 4253) for the client side.
//!
//! [`ClientTransport`] consumes bytes from the socket ([`ClientTransport::handle_input`])
//! and time ([`ClientTransport::handle_timeout`]); it produces bytes to send
//! ([`ClientTransport::poll_transmit`]), events ([`ClientTransport::poll_event`]) and
//! deadlines ([`ClientTransport::poll_timeout`]). It never touches sockets, clocks or
//! files. See `docs/transport.md` for the driver contract.
//!
//! Layout: `version` (RFC 4253 §4.2), `packet` (§6 framing: [`packet::Sealer`] and the
//! deframer [`packet::Opener`]), `msg/*` (one file per message family), `negotiate` (§7.1),
//! `kex/*` (one file per method family, exchange hash and key derivation), `cipher/*`,
//! `mac/*`, `compress`, `strict` (strict kex and rekey rules) and `client` (the phase
//! machine). `testing` holds a minimal server role for in-memory tests.
#![forbid(unsafe_code)]

pub mod cipher;
mod client;
pub mod compress;
pub mod config;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
mod hostkey;
pub mod kex;
pub mod mac;
pub mod msg;
pub mod negotiate;
pub mod packet;
mod strict;
#[doc(hidden)]
pub mod testing;
pub mod version;

pub use client::{ClientTransport, HostKeyInfo, KexCause, TransportEvent};
pub use config::{StrictKexMode, TransportConfig};
pub use error::{AlgorithmKind, KexError, TransportError};
pub use msg::DisconnectReason;
pub use msg::ext_info::ExtInfo;
pub use negotiate::Negotiated;
