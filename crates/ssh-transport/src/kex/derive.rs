//! RFC 4253 §7.2 key derivation.

use zeroize::Zeroizing;

use super::{HashAlg, SharedSecret};

/// The letter that selects what a derived key is for (RFC 4253 §7.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyLetter {
    /// "A": initial IV client to server.
    IvClientToServer,
    /// "B": initial IV server to client.
    IvServerToClient,
    /// "C": encryption key client to server.
    EncClientToServer,
    /// "D": encryption key server to client.
    EncServerToClient,
    /// "E": integrity key client to server.
    MacClientToServer,
    /// "F": integrity key server to client.
    MacServerToClient,
}

impl KeyLetter {
    fn byte(self) -> u8 {
        match self {
            Self::IvClientToServer => b'A',
            Self::IvServerToClient => b'B',
            Self::EncClientToServer => b'C',
            Self::EncServerToClient => b'D',
            Self::MacClientToServer => b'E',
            Self::MacServerToClient => b'F',
        }
    }
}

/// RFC 4253 §7.2:
/// ```text
/// K1 = HASH(K || H || X || session_id)
/// K2 = HASH(K || H || K1)
/// K3 = HASH(K || H || K1 || K2) ...
/// key = K1 || K2 || K3 || ...   (truncated to `len`)
/// ```
/// K is in its encoded (mpint/string) form.
pub fn derive_key(
    hash: HashAlg,
    k: &SharedSecret,
    h: &[u8],
    letter: KeyLetter,
    session_id: &[u8],
    len: usize,
) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(hash.digest(&[k.encoded(), h, &[letter.byte()], session_id]));
    while out.len() < len {
        let next = Zeroizing::new(hash.digest(&[k.encoded(), h, &out]));
        out.extend_from_slice(&next);
    }
    out.truncate(len);
    out
}
