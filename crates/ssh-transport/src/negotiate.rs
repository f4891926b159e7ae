//! RFC 4253 §7.1 algorithm negotiation: for each list, the first algorithm on the client's
//! list that is also on the server's.

use crate::cipher::{self, CipherAlgorithm};
use crate::compress::{self, CompressionAlgorithm};
use crate::error::{AlgorithmKind, TransportError};
use crate::kex::{self, KexAlgorithm};
use crate::mac::{self, MacAlgorithm};
use crate::msg::kexinit::KexInit;

/// Client pseudo-algorithm: "send me EXT_INFO" (RFC 8308 §2.1).
pub const EXT_INFO_C: &str = "ext-info-c";
/// Server pseudo-algorithm: the server will accept EXT_INFO.
pub const EXT_INFO_S: &str = "ext-info-s";
/// OpenSSH PROTOCOL §1.10 strict kex, client marker.
pub const KEX_STRICT_C: &str = "kex-strict-c-v00@openssh.com";
/// OpenSSH PROTOCOL §1.10 strict kex, server marker.
pub const KEX_STRICT_S: &str = "kex-strict-s-v00@openssh.com";

/// Whether `name` is a marker rather than a real kex method (never selected).
pub fn is_pseudo(name: &str) -> bool {
    matches!(name, EXT_INFO_C | EXT_INFO_S | KEX_STRICT_C | KEX_STRICT_S)
        || name.starts_with("kex-strict-")
}

/// The algorithms in force for one key exchange and the keys that follow it.
#[derive(Clone, Copy)]
pub struct Negotiated {
    /// Key exchange method.
    pub kex: &'static dyn KexAlgorithm,
    /// Host key (signature) algorithm name.
    pub host_key: &'static str,
    /// Cipher client to server.
    pub cipher_c2s: &'static dyn CipherAlgorithm,
    /// Cipher server to client.
    pub cipher_s2c: &'static dyn CipherAlgorithm,
    /// MAC client to server (`None` with an AEAD cipher).
    pub mac_c2s: Option<&'static dyn MacAlgorithm>,
    /// MAC server to client (`None` with an AEAD cipher).
    pub mac_s2c: Option<&'static dyn MacAlgorithm>,
    /// Compression client to server.
    pub compression_c2s: &'static dyn CompressionAlgorithm,
    /// Compression server to client.
    pub compression_s2c: &'static dyn CompressionAlgorithm,
}

impl std::fmt::Debug for Negotiated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Negotiated")
            .field("kex", &self.kex.name())
            .field("host_key", &self.host_key)
            .field("cipher_c2s", &self.cipher_c2s.name())
            .field("cipher_s2c", &self.cipher_s2c.name())
            .field("mac_c2s", &self.mac_c2s.map(|m| m.name()))
            .field("mac_s2c", &self.mac_s2c.map(|m| m.name()))
            .field("compression_c2s", &self.compression_c2s.name())
            .field("compression_s2c", &self.compression_s2c.name())
            .finish()
    }
}

impl Negotiated {
    /// The MAC name client to server as OpenSSH prints it (`<implicit>` for AEAD).
    pub fn mac_c2s_name(&self) -> &'static str {
        self.mac_c2s.map_or("<implicit>", |m| m.name())
    }
    /// The MAC name server to client.
    pub fn mac_s2c_name(&self) -> &'static str {
        self.mac_s2c.map_or("<implicit>", |m| m.name())
    }
}

/// Host key algorithm names we know, to hand out `&'static str`s.
const HOST_KEY_NAMES: &[&str] = &[
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "rsa-sha2-512",
    "rsa-sha2-256",
    "ssh-rsa",
    "ssh-dss",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-ed25519-cert-v01@openssh.com",
    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "ecdsa-sha2-nistp384-cert-v01@openssh.com",
    "ecdsa-sha2-nistp521-cert-v01@openssh.com",
    "rsa-sha2-512-cert-v01@openssh.com",
    "rsa-sha2-256-cert-v01@openssh.com",
    "ssh-rsa-cert-v01@openssh.com",
];

/// The static name for a host key algorithm we know.
pub fn host_key_name(name: &str) -> Option<&'static str> {
    HOST_KEY_NAMES.iter().copied().find(|n| *n == name)
}

/// The first of `ours` (client preference) that `theirs` contains, skipping markers.
pub fn choose<'a>(ours: &'a [String], theirs: &[String]) -> Option<&'a str> {
    ours.iter()
        .map(String::as_str)
        .filter(|n| !is_pseudo(n))
        .find(|n| theirs.iter().any(|t| t == n))
}

fn no_common(kind: AlgorithmKind, ours: &[String], theirs: &[String]) -> TransportError {
    TransportError::NoCommonAlgorithm {
        kind,
        ours: ours.join(","),
        theirs: theirs.join(","),
    }
}

/// Negotiates every list of a client KEXINIT against a server KEXINIT.
pub fn negotiate(client: &KexInit, server: &KexInit) -> Result<Negotiated, TransportError> {
    let pick = |kind, ours: &[String], theirs: &[String]| {
        choose(ours, theirs)
            .map(str::to_owned)
            .ok_or_else(|| no_common(kind, ours, theirs))
    };
    let kex_name = pick(
        AlgorithmKind::Kex,
        &client.kex_algorithms,
        &server.kex_algorithms,
    )?;
    let kex = kex::by_name(&kex_name).ok_or_else(|| {
        no_common(
            AlgorithmKind::Kex,
            &client.kex_algorithms,
            &server.kex_algorithms,
        )
    })?;
    let host_key_name = pick(
        AlgorithmKind::HostKey,
        &client.server_host_key_algorithms,
        &server.server_host_key_algorithms,
    )?;
    let host_key = self::host_key_name(&host_key_name).ok_or_else(|| {
        no_common(
            AlgorithmKind::HostKey,
            &client.server_host_key_algorithms,
            &server.server_host_key_algorithms,
        )
    })?;
    let cipher_pick = |kind, ours: &[String], theirs: &[String]| {
        pick(kind, ours, theirs)
            .and_then(|n| cipher::by_name(&n).ok_or_else(|| no_common(kind, ours, theirs)))
    };
    let cipher_c2s = cipher_pick(
        AlgorithmKind::CipherClientToServer,
        &client.encryption_algorithms_client_to_server,
        &server.encryption_algorithms_client_to_server,
    )?;
    let cipher_s2c = cipher_pick(
        AlgorithmKind::CipherServerToClient,
        &client.encryption_algorithms_server_to_client,
        &server.encryption_algorithms_server_to_client,
    )?;
    let mac_pick = |cipher: &dyn CipherAlgorithm, kind, ours: &[String], theirs: &[String]| {
        if cipher.tag_len() > 0 {
            // AEAD ciphers authenticate themselves; the MAC lists are not consulted.
            return Ok(None);
        }
        pick(kind, ours, theirs)
            .and_then(|n| mac::by_name(&n).ok_or_else(|| no_common(kind, ours, theirs)))
            .map(Some)
    };
    let mac_c2s = mac_pick(
        cipher_c2s,
        AlgorithmKind::MacClientToServer,
        &client.mac_algorithms_client_to_server,
        &server.mac_algorithms_client_to_server,
    )?;
    let mac_s2c = mac_pick(
        cipher_s2c,
        AlgorithmKind::MacServerToClient,
        &client.mac_algorithms_server_to_client,
        &server.mac_algorithms_server_to_client,
    )?;
    let comp_pick = |kind, ours: &[String], theirs: &[String]| {
        pick(kind, ours, theirs)
            .and_then(|n| compress::by_name(&n).ok_or_else(|| no_common(kind, ours, theirs)))
    };
    let compression_c2s = comp_pick(
        AlgorithmKind::CompressionClientToServer,
        &client.compression_algorithms_client_to_server,
        &server.compression_algorithms_client_to_server,
    )?;
    let compression_s2c = comp_pick(
        AlgorithmKind::CompressionServerToClient,
        &client.compression_algorithms_server_to_client,
        &server.compression_algorithms_server_to_client,
    )?;
    Ok(Negotiated {
        kex,
        host_key,
        cipher_c2s,
        cipher_s2c,
        mac_c2s,
        mac_s2c,
        compression_c2s,
        compression_s2c,
    })
}

/// Terrapin (CVE-2023-48795) exposure of a negotiated set without strict kex:
/// chacha20-poly1305, or a CBC cipher with an EtM MAC. Returns (cipher, mac) if affected.
pub fn terrapin_affected(n: &Negotiated) -> Option<(String, String)> {
    for (c, m) in [(n.cipher_c2s, n.mac_c2s), (n.cipher_s2c, n.mac_s2c)] {
        if c.name() == cipher::ChaCha20Poly1305.name() {
            return Some((c.name().to_owned(), "<implicit>".to_owned()));
        }
        if let Some(m) = m
            && c.is_cbc()
            && m.is_etm()
        {
            return Some((c.name().to_owned(), m.name().to_owned()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn client_preference_wins_and_markers_are_never_chosen() {
        assert_eq!(choose(&l(&["a", "b"]), &l(&["b", "a"])), Some("a"));
        assert_eq!(choose(&l(&["x", "b"]), &l(&["b", "a"])), Some("b"));
        assert_eq!(choose(&l(&[]), &l(&["a"])), None);
        assert_eq!(choose(&l(&["a"]), &l(&[])), None);
        assert_eq!(
            choose(
                &l(&[EXT_INFO_C, KEX_STRICT_C]),
                &l(&[EXT_INFO_C, KEX_STRICT_C])
            ),
            None
        );
    }

    #[test]
    fn aead_skips_mac_negotiation_and_terrapin_check() {
        let c = KexInit {
            kex_algorithms: l(&["curve25519-sha256"]),
            server_host_key_algorithms: l(&["ssh-ed25519"]),
            encryption_algorithms_client_to_server: l(&["chacha20-poly1305@openssh.com"]),
            encryption_algorithms_server_to_client: l(&["aes128-cbc"]),
            mac_algorithms_server_to_client: l(&["hmac-sha2-256-etm@openssh.com"]),
            compression_algorithms_client_to_server: l(&["none"]),
            compression_algorithms_server_to_client: l(&["none"]),
            ..KexInit::default()
        };
        let s = c.clone();
        let n = negotiate(&c, &s).unwrap();
        assert!(n.mac_c2s.is_none());
        assert_eq!(n.mac_s2c.unwrap().name(), "hmac-sha2-256-etm@openssh.com");
        assert!(terrapin_affected(&n).is_some());
        let mut s2 = s.clone();
        s2.mac_algorithms_server_to_client = l(&["hmac-sha2-512"]);
        let err = negotiate(&c, &s2).unwrap_err();
        assert!(matches!(
            err,
            TransportError::NoCommonAlgorithm {
                kind: AlgorithmKind::MacServerToClient,
                ..
            }
        ));
    }
}
