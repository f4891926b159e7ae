//! Transport configuration: preference-ordered algorithm lists and the seed's knobs.

use std::time::Duration;

use crate::{cipher, compress, kex, mac};

/// UseStrictKeyExchange (seed): how kex-strict-c-v00@openssh.com is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum StrictKexMode {
    /// 0: not offered.
    Disabled,
    /// 1 (default): offered; used if the server offers it too.
    #[default]
    Enabled,
    /// 2: offered; if the server lacks it, Terrapin-affected algorithm choices
    /// (chacha20-poly1305, CBC with an EtM MAC) fail the connection.
    RejectAffected,
    /// 3: required; a server without strict kex fails the connection.
    Required,
}

impl StrictKexMode {
    /// From the seed's numeric setting (0–3).
    pub fn from_level(level: u8) -> Option<Self> {
        Some(match level {
            0 => Self::Disabled,
            1 => Self::Enabled,
            2 => Self::RejectAffected,
            3 => Self::Required,
            _ => return None,
        })
    }
}

/// Default SSHVersionPattern.
pub const DEFAULT_VERSION_PATTERN: &str = "*SSH-1.99-*,*SSH-2.0-*,*SSH-2.99-*";

/// Default ClientSSHVersionString.
pub const DEFAULT_CLIENT_VERSION: &str = "SSH-2.0-sftpclient_0.1";

/// Default host key algorithms, strongest first.
pub const DEFAULT_HOST_KEY_ALGORITHMS: &[&str] = &[
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "rsa-sha2-512",
    "rsa-sha2-256",
    "ssh-rsa",
    "ssh-dss",
];

/// Everything the transport needs to know up front.
#[derive(Clone, Debug)]
pub struct TransportConfig {
    /// ClientSSHVersionString: our identification line without CR LF.
    pub client_version: String,
    /// SSHVersionPattern: comma-separated glob patterns (`*`, `?`) the server's
    /// identification must match.
    pub version_pattern: String,
    /// SSHKeyExchangeAlgorithms, in preference order.
    pub kex_algorithms: Vec<String>,
    /// SSHPublicKeyAlgorithms (host key algorithms), in preference order.
    pub host_key_algorithms: Vec<String>,
    /// ssh_encryption_algorithms, in preference order (both directions). The default is
    /// every AEAD and CTR cipher; CBC ciphers must be listed explicitly.
    pub ciphers: Vec<String>,
    /// SSHMacAlgorithms, in preference order (both directions).
    pub macs: Vec<String>,
    /// ssh_compression_algorithms, in preference order (both directions).
    pub compression: Vec<String>,
    /// Host key algorithms for which known_hosts has a key for this host: these are moved
    /// to the front of `host_key_algorithms` (as OpenSSH orders them), keeping their order.
    pub known_host_key_algorithms: Vec<String>,
    /// UseStrictKeyExchange.
    pub strict_kex: StrictKexMode,
    /// KeyRenegotiationThreshold in bytes (either direction); `None` picks the OpenSSH
    /// default for the cipher (2^32 blocks for 16-byte blocks, 1 GiB otherwise).
    pub rekey_threshold: Option<u64>,
    /// Rekey after this much time since the last exchange (OpenSSH RekeyLimit's second
    /// field); `None` disables it.
    pub rekey_interval: Option<Duration>,
    /// PreferredDHGroupBits for group exchange (clamped to 2048..=8192).
    pub preferred_dh_group_bits: u32,
    /// SSHKeepAliveInterval: send `keepalive@openssh.com` after this long without
    /// hearing from the server (after authentication); `None` disables keepalives.
    pub keepalive_interval: Option<Duration>,
    /// SSHKeepAliveCountMax: unanswered keepalives before the connection is declared dead.
    pub keepalive_count_max: u32,
    /// Deadline for a key exchange (initial or rekey) to complete.
    pub kex_timeout: Option<Duration>,
    /// Most packets queued by `send` while a key exchange runs (golang uses 64).
    pub max_queued_packets: usize,
}

impl Default for TransportConfig {
    fn default() -> Self {
        let names = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect();
        Self {
            client_version: DEFAULT_CLIENT_VERSION.to_owned(),
            version_pattern: DEFAULT_VERSION_PATTERN.to_owned(),
            kex_algorithms: kex::ALL.iter().map(|k| k.name().to_owned()).collect(),
            host_key_algorithms: names(DEFAULT_HOST_KEY_ALGORITHMS),
            // CBC (and 3DES) only when asked for: no CBC by default is ROBUSTNESS T4's
            // alternative to OpenSSH's discard countermeasure, and the seed's default list
            // has none either.
            ciphers: cipher::ALL
                .iter()
                .filter(|c| !c.is_cbc())
                .map(|c| c.name().to_owned())
                .collect(),
            macs: mac::ALL.iter().map(|m| m.name().to_owned()).collect(),
            compression: compress::ALL.iter().map(|c| c.name().to_owned()).collect(),
            known_host_key_algorithms: Vec::new(),
            strict_kex: StrictKexMode::default(),
            rekey_threshold: None,
            rekey_interval: None,
            preferred_dh_group_bits: 3072,
            keepalive_interval: None,
            keepalive_count_max: 3,
            kex_timeout: Some(Duration::from_secs(120)),
            max_queued_packets: 64,
        }
    }
}

impl TransportConfig {
    /// Host key algorithms in the order offered: known_hosts types first.
    pub fn ordered_host_key_algorithms(&self) -> Vec<String> {
        let (mut known, rest): (Vec<String>, Vec<String>) = self
            .host_key_algorithms
            .iter()
            .cloned()
            .partition(|a| self.known_host_key_algorithms.contains(a));
        known.extend(rest);
        known
    }

    /// Splits a comma-separated setting into a list (seed properties are strings).
    pub fn parse_list(s: &str) -> Vec<String> {
        s.split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_hosts_types_go_first_in_their_order() {
        let c = TransportConfig {
            known_host_key_algorithms: vec!["rsa-sha2-256".into(), "ecdsa-sha2-nistp256".into()],
            ..TransportConfig::default()
        };
        let order = c.ordered_host_key_algorithms();
        assert_eq!(order[0], "ecdsa-sha2-nistp256");
        assert_eq!(order[1], "rsa-sha2-256");
        assert_eq!(order.len(), c.host_key_algorithms.len());
        assert_eq!(
            TransportConfig::parse_list(" a, b,,c "),
            vec!["a", "b", "c"]
        );
        assert_eq!(StrictKexMode::from_level(4), None);
    }
}
