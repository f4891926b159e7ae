//! Key exchange methods: one type per method behind the object-safe [`KexAlgorithm`] trait,
//! the exchange hash (RFC 4253 §8) and key derivation (RFC 4253 §7.2).
//!
//! Every method in this crate has the same shape on the wire: the client sends an ephemeral
//! public value, the server answers with its host key, its own public value and a signature
//! over the exchange hash. Group exchange adds one round first to agree on the group. The
//! per-method part is therefore only "make an ephemeral, agree with the peer's value";
//! message sequencing lives in `crate::client`.

mod curve25519;
mod derive;
mod dh;
mod ecdh;
mod groups;
mod hash;
mod hybrid;
mod mlkem;
mod sntrup;

pub use curve25519::{Curve25519Sha256, Curve25519Sha256Libssh};
pub use derive::{KeyLetter, derive_key};
pub(crate) use dh::builtin_group_for as dh_builtin_group;
pub use dh::{
    DhGroup, DhGroup1Sha1, DhGroup14Sha1, DhGroup14Sha256, DhGroup16Sha512, DhGroup18Sha512,
    DhGroupExchangeSha1, DhGroupExchangeSha256, GEX_MAX_BITS, GEX_MIN_BITS,
};
pub use ecdh::{EcdhNistp256, EcdhNistp384, EcdhNistp521};
pub use hash::{ExchangeHash, HashAlg};
pub use mlkem::MlKem768X25519Sha256;
pub use sntrup::{Sntrup761X25519Sha512, Sntrup761X25519Sha512Openssh};

use zeroize::Zeroizing;

use crate::error::KexError;

/// How a method's public values travel and enter the exchange hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KexFlavor {
    /// RFC 5656 §4: `string Q_C`, `string Q_S` (curve25519, NIST ECDH, PQ hybrids).
    Ecdh,
    /// RFC 4253 §8: `mpint e`, `mpint f` over a fixed group.
    Dh,
    /// RFC 4419: a group request/response round, then `mpint e`, `mpint f`.
    GroupExchange,
}

/// A key exchange method.
pub trait KexAlgorithm: Send + Sync + 'static {
    /// Name in KEXINIT.
    fn name(&self) -> &'static str;
    /// The hash of the exchange hash and key derivation.
    fn hash(&self) -> HashAlg;
    /// How public values are carried.
    fn flavor(&self) -> KexFlavor;
    /// The fixed group for [`KexFlavor::Dh`] methods.
    fn group(&self) -> Option<DhGroup> {
        None
    }
    /// A fresh client ephemeral. `group` is the negotiated group for group exchange.
    fn client_ephemeral(&self, group: Option<&DhGroup>) -> Result<Box<dyn Ephemeral>, KexError>;
    /// The server side (used by the in-memory test peer): the server's public value and
    /// the shared secret for the client's public value.
    fn server_agree(
        &self,
        group: Option<&DhGroup>,
        client_public: &[u8],
    ) -> Result<(Vec<u8>, SharedSecret), KexError>;
}

/// One side's ephemeral key pair for one exchange.
pub trait Ephemeral: Send {
    /// The public value (Q_C as sent, or the magnitude of e).
    fn public(&self) -> &[u8];
    /// Validates the peer's value (ROBUSTNESS K3–K5) and computes the shared secret.
    fn agree(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, KexError>;
}

/// The shared secret K in its wire encoding (mpint, or string for the PQ hybrids), the form
/// that enters the exchange hash and key derivation. Zeroized on drop.
#[derive(Clone)]
pub struct SharedSecret(pub(crate) Zeroizing<Vec<u8>>);

impl SharedSecret {
    /// K encoded as an mpint from a big-endian magnitude.
    pub fn from_mpint_magnitude(magnitude: &[u8]) -> Self {
        let mut buf = Zeroizing::new(Vec::with_capacity(magnitude.len().saturating_add(5)));
        ssh_wire::Writer::new(&mut buf).mpint(magnitude);
        Self(buf)
    }

    /// K encoded as a string (the PQ hybrids encode the hash output as a string).
    pub fn from_string(bytes: &[u8]) -> Self {
        let mut buf = Zeroizing::new(Vec::with_capacity(bytes.len().saturating_add(4)));
        ssh_wire::Writer::new(&mut buf).string(bytes);
        Self(buf)
    }

    /// The encoded form.
    pub fn encoded(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedSecret(..)")
    }
}

/// Every kex method this crate implements, in the default preference order.
pub const ALL: &[&dyn KexAlgorithm] = &[
    &MlKem768X25519Sha256,
    &Sntrup761X25519Sha512,
    &Sntrup761X25519Sha512Openssh,
    &Curve25519Sha256,
    &Curve25519Sha256Libssh,
    &EcdhNistp256,
    &EcdhNistp384,
    &EcdhNistp521,
    &DhGroupExchangeSha256,
    &DhGroup16Sha512,
    &DhGroup18Sha512,
    &DhGroup14Sha256,
    &DhGroup14Sha1,
    &DhGroupExchangeSha1,
    &DhGroup1Sha1,
];

/// The implemented kex method called `name`.
pub fn by_name(name: &str) -> Option<&'static dyn KexAlgorithm> {
    ALL.iter().copied().find(|k| k.name() == name)
}

/// Fills `buf` from the operating system's CSPRNG.
pub(crate) fn random(buf: &mut [u8]) -> Result<(), KexError> {
    use ring::rand::SecureRandom;
    ring::rand::SystemRandom::new()
        .fill(buf)
        .map_err(|_| KexError::Rng)
}
