//! SSH user authentication, client side (RFC 4252, RFC 4256), as a sans-IO state machine.
//!
//! [`AuthClient`] runs the seed's `ssh_auth_mode`s over message payloads (message number
//! first, as the transport delivers them after decryption):
//!
//! | mode | what happens |
//! |---|---|
//! | amNone (0) | `none`; success or a failure naming what the server allows |
//! | amPassword (2) | `password`; PASSWD_CHANGEREQ becomes [`AuthEvent::PasswordChangeRequired`] |
//! | amPublicKey (3) | per key: probe, then sign on PK_OK; RSA picks rsa-sha2-512/256 from `server-sig-algs`; certificates via [`CertSigner`] |
//! | amKeyboardInteractive (4) | one [`AuthEvent::Prompt`] per prompt, `PasswordPrompt` auto-fill |
//! | amMultiFactor (1) | every supplied credential, following partial success; DoNotRepeatAuthMethods, TryAllAvailableAuthMethods |
//! | amCustom (99) | [`AuthEvent::CustomPacket`] / [`AuthClient::send_custom`] with the [`custom`] helpers |
//! | amGSSAPI* (5, 6) | [`AuthError::UnsupportedMode`] |
//!
//! Keys sign through the [`Signer`] trait; [`agent`] provides signers backed by ssh-agent
//! (the only I/O in the crate, opt-in).

#![forbid(unsafe_code)]

pub mod agent;
mod client;
pub mod custom;
mod error;
pub mod msg;
mod pattern;
mod signer;

#[doc(hidden)]
pub mod fuzzing;

pub use client::{
    AuthClient, AuthConfig, AuthEvent, AuthMode, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_KBD_ROUNDS,
    Prompt,
};
pub use error::{AuthError, ProtocolViolation, UsageError};
pub use pattern::PromptPattern;
pub use signer::{
    CertError, CertSigner, KeySigner, SignError, Signer, base_algorithm, default_algorithms,
    key_type_of, select_algorithm,
};
