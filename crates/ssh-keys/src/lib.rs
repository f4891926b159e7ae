//! SSH keys: key types, signatures, fingerprints, key files and known_hosts.
//!
//! - [`PublicKey`] parses and encodes RFC 4253 §6.6 key blobs (ssh-ed25519,
//!   ecdsa-sha2-nistp256/384/521, ssh-rsa, ssh-dss, and OpenSSH certificates over them) and
//!   verifies SSH signature blobs strictly.
//! - [`PrivateKey`] generates keys and makes SSH signature blobs (ECDSA and DSA with RFC 6979
//!   deterministic nonces).
//! - [`Fingerprint`] gives MD5/SHA-1/SHA-256 fingerprints as OpenSSH prints them and as hex.
//!
//! Nothing here performs I/O except the explicitly file-reading helpers; time is always a
//! parameter.

#![forbid(unsafe_code)]

pub mod alg;
mod armor;
mod cert;
mod crypt;
mod error;
mod fingerprint;
#[doc(hidden)]
pub mod fuzzing;
mod keyfile;
pub mod known_hosts;
pub mod openssh;
pub mod pem;
pub mod ppk;
mod private;
mod pubfile;
mod public;
mod sig;
mod sshsig;

pub use alg::{EcCurve, HashAlg, KeyKind};
pub use armor::MAX_KEY_FILE_LEN;
pub use cert::{CertType, Certificate, MAX_PRINCIPALS};
pub use error::KeyError;
pub use fingerprint::Fingerprint;
pub use keyfile::{KeyFormat, LoadedKey, decode_any, describe, describe_key};
pub use known_hosts::{HostKeyStatus, KnownHostEntry, KnownHosts};
pub use private::{MIN_RSA_GENERATE_BITS, PrivateKey};
pub use pubfile::PublicKeyLine;
pub use public::{MAX_RSA_BITS, MIN_RSA_VERIFY_BITS, PublicKey};
pub use sig::{MAX_SIGNATURE_BLOB_LEN, SignatureBlob};
pub use sshsig::{sshsig_sign, sshsig_verify};

/// Re-exported for the operating system RNG (`getrandom::SysRng`).
pub use getrandom;
/// Re-exported so callers pass an RNG of the version [`PrivateKey::generate`] expects.
pub use rand_core;
