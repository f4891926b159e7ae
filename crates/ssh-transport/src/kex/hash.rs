//! The exchange hash H (RFC 4253 §8, RFC 5656 §4, RFC 4419 §3) and the hash functions.

use sha2::Digest;
use ssh_wire::Writer;

/// A kex hash function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashAlg {
    /// SHA-1 (group1, group14-sha1, gex-sha1).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384 (nistp384).
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlg {
    /// Output length in bytes.
    pub fn len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Always false: no hash has empty output (clippy's `len` convention).
    pub fn is_empty(self) -> bool {
        false
    }

    /// The hash of the concatenation of `parts`.
    pub fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut d = D::new();
            for p in parts {
                d.update(p);
            }
            d.finalize().to_vec()
        }
        match self {
            Self::Sha1 => run::<sha1::Sha1>(parts),
            Self::Sha256 => run::<sha2::Sha256>(parts),
            Self::Sha384 => run::<sha2::Sha384>(parts),
            Self::Sha512 => run::<sha2::Sha512>(parts),
        }
    }
}

/// The encoded input of the exchange hash, built field by field:
/// ```text
/// string V_C, string V_S, string I_C, string I_S, string K_S,
/// <method fields>, <K as mpint or string>
/// ```
#[derive(Clone, Debug, Default)]
pub struct ExchangeHash {
    buf: Vec<u8>,
}

impl ExchangeHash {
    /// Starts with the fields common to every method (identification strings without
    /// CR LF, and the KEXINIT payloads).
    pub fn new(v_c: &[u8], v_s: &[u8], i_c: &[u8], i_s: &[u8]) -> Self {
        let mut buf = Vec::new();
        Writer::new(&mut buf)
            .string(v_c)
            .string(v_s)
            .string(i_c)
            .string(i_s);
        Self { buf }
    }

    /// Appends a `string`.
    pub fn string(&mut self, s: &[u8]) -> &mut Self {
        Writer::new(&mut self.buf).string(s);
        self
    }

    /// Appends an `mpint` from its magnitude.
    pub fn mpint(&mut self, m: &[u8]) -> &mut Self {
        Writer::new(&mut self.buf).mpint(m);
        self
    }

    /// Appends a `uint32`.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        Writer::new(&mut self.buf).u32(v);
        self
    }

    /// Appends already-encoded bytes (K).
    pub fn raw(&mut self, b: &[u8]) -> &mut Self {
        Writer::new(&mut self.buf).raw(b);
        self
    }

    /// H = HASH(everything appended).
    pub fn finish(&self, alg: HashAlg) -> Vec<u8> {
        alg.digest(&[&self.buf])
    }
}
