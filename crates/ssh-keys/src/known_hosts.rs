//! `known_hosts` files with OpenSSH's semantics (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT",
//! `hostfile.c`, `match.c`).
//!
//! ```text
//! [@cert-authority|@revoked] patterns keytype base64 [comment]
//! patterns: comma list of host patterns (`*`, `?`, leading `!` negates), `[host]:port` for
//!           ports other than 22, or one hashed name `|1|base64(salt)|base64(HMAC-SHA1)`
//! ```

use base64::Engine as _;
use hmac::{KeyInit as _, Mac as _};

use crate::cert::CertType;
use crate::pubfile::{PublicKeyLine, split_field};
use crate::{KeyError, PublicKey};

const FORMAT: &str = "known_hosts";
/// Longest line accepted (OpenSSH reads lines of up to 8 KiB in older versions and
/// allocates as needed in newer ones; keys with certificates stay far below 64 KiB).
pub const MAX_LINE_LEN: usize = 64 * 1024;
/// Most patterns considered in one line's comma list.
const MAX_PATTERNS: usize = 1024;

/// The result of looking a host key up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostKeyStatus {
    /// A line for this host lists exactly this key (or a trusted CA signed its certificate).
    Known,
    /// The host is known but with other keys (of the same or another type): possible
    /// man-in-the-middle; never treat this as unknown.
    Changed,
    /// The key (or the CA that signed it) is marked `@revoked`.
    Revoked,
    /// No line matches the host.
    Unknown,
}

/// A line marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    /// A plain host key line.
    None,
    /// `@cert-authority`: the key is a CA trusted to sign host certificates.
    CertAuthority,
    /// `@revoked`: the key must never be accepted.
    Revoked,
}

/// One parsed known_hosts entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownHostEntry {
    /// The line's marker.
    pub marker: Marker,
    /// The host pattern field as written.
    pub hosts: String,
    /// The key.
    pub key: PublicKey,
    /// The comment after the key.
    pub comment: String,
}

impl KnownHostEntry {
    /// Parses one line; `Ok(None)` for blank lines and comments.
    pub fn parse_line(line: &str) -> Result<Option<KnownHostEntry>, KeyError> {
        if line.len() > MAX_LINE_LEN {
            return Err(malformed("line too long"));
        }
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(None);
        }
        let (first, rest) = split_field(line);
        let (marker, hosts, rest) = match first {
            "@cert-authority" => {
                let (h, r) = split_field(rest);
                (Marker::CertAuthority, h, r)
            }
            "@revoked" => {
                let (h, r) = split_field(rest);
                (Marker::Revoked, h, r)
            }
            m if m.starts_with('@') => return Err(malformed("unknown marker")),
            h => (Marker::None, h, rest),
        };
        if hosts.is_empty() {
            return Err(malformed("missing host patterns"));
        }
        let parsed = PublicKeyLine::parse(rest)?;
        Ok(Some(KnownHostEntry {
            marker,
            hosts: hosts.to_owned(),
            key: parsed.key,
            comment: parsed.comment,
        }))
    }

    /// Whether the host field matches `host` on `port` (OpenSSH `match_hostname`, plus
    /// hashed names): a negated match anywhere in the list excludes the line.
    pub fn matches_host(&self, host: &str, port: u16) -> bool {
        let name = host_port_name(host, port);
        let lower = name.to_ascii_lowercase();
        if self.hosts.starts_with("|1|") {
            return hashed_matches(&self.hosts, &name);
        }
        let mut found = false;
        for pattern in self.hosts.split(',').take(MAX_PATTERNS) {
            let (negated, pat) = match pattern.strip_prefix('!') {
                Some(p) => (true, p),
                None => (false, pattern),
            };
            if wildcard_match(&pat.to_ascii_lowercase(), &lower) {
                if negated {
                    return false;
                }
                found = true;
            }
        }
        found
    }
}

/// The parsed lines of a known_hosts file. Malformed lines are skipped, as OpenSSH does,
/// and counted in [`KnownHosts::skipped_lines`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KnownHosts {
    entries: Vec<KnownHostEntry>,
    skipped: usize,
}

impl KnownHosts {
    /// Parses a whole file.
    pub fn parse(text: &str) -> KnownHosts {
        let mut out = KnownHosts::default();
        for line in text.lines() {
            match KnownHostEntry::parse_line(line) {
                Ok(Some(e)) => out.entries.push(e),
                Ok(None) => {}
                Err(_) => out.skipped = out.skipped.saturating_add(1),
            }
        }
        out
    }

    /// The entries.
    pub fn entries(&self) -> &[KnownHostEntry] {
        &self.entries
    }

    /// How many lines were malformed and ignored.
    pub fn skipped_lines(&self) -> usize {
        self.skipped
    }

    /// Looks up the key a server presented for `host`:`port`.
    ///
    /// `@revoked` wins over everything; then an exact key match is [`HostKeyStatus::Known`];
    /// a host certificate is `Known` when a matching `@cert-authority` line holds its CA,
    /// the CA signature verifies, it is a host certificate and `host` is among its principals
    /// (a host certificate without principals is refused, as OpenSSH does)
    /// (the caller still checks the validity period against its clock, see
    /// [`crate::Certificate::validate`]); any other key for a known host is
    /// [`HostKeyStatus::Changed`], whatever its type.
    pub fn lookup(&self, host: &str, port: u16, key: &PublicKey) -> HostKeyStatus {
        let cert = key.certificate();
        let mut known = false;
        let mut host_seen = false;
        for e in self.entries.iter().filter(|e| e.matches_host(host, port)) {
            match e.marker {
                Marker::Revoked => {
                    if &e.key == key
                        || &e.key == key.plain_key()
                        || cert.is_some_and(|c| c.signature_key() == &e.key)
                    {
                        return HostKeyStatus::Revoked;
                    }
                }
                Marker::CertAuthority => {
                    if let Some(c) = cert {
                        if c.signature_key() == &e.key
                            && c.cert_type() == CertType::Host
                            && c.verify_signature().is_ok()
                            // OpenSSH requires host certificates to name the host
                            // (`require_principal`): an empty list is not a wildcard here.
                            && c.principals().iter().any(|p| p.eq_ignore_ascii_case(host))
                        {
                            known = true;
                        }
                    }
                }
                Marker::None => {
                    host_seen = true;
                    if &e.key == key {
                        known = true;
                    }
                }
            }
        }
        if known {
            HostKeyStatus::Known
        } else if host_seen {
            HostKeyStatus::Changed
        } else {
            HostKeyStatus::Unknown
        }
    }

    /// Adds an entry for `host`:`port` and returns the line to append to the file
    /// (without newline). With `hashed`, the host name is stored as `|1|salt|hmac`, with a
    /// 20-byte salt from `rng`.
    pub fn add<R: rand_core::CryptoRng + ?Sized>(
        &mut self,
        host: &str,
        port: u16,
        key: &PublicKey,
        hashed: bool,
        rng: &mut R,
    ) -> String {
        let name = host_port_name(host, port);
        let hosts = if hashed {
            let mut salt = [0u8; 20];
            rng.fill_bytes(&mut salt);
            hash_host(&salt, &name.to_ascii_lowercase())
        } else {
            name
        };
        let line = format!(
            "{hosts} {}",
            PublicKeyLine {
                key: key.clone(),
                comment: String::new()
            }
            .to_line()
        );
        self.entries.push(KnownHostEntry {
            marker: Marker::None,
            hosts,
            key: key.clone(),
            comment: String::new(),
        });
        line
    }
}

/// The name OpenSSH matches: `host` for port 22, `[host]:port` otherwise.
pub fn host_port_name(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_owned()
    } else {
        format!("[{host}]:{port}")
    }
}

/// `|1|base64(salt)|base64(HMAC-SHA1(key = salt, name))` (OpenSSH `host_hash`).
pub fn hash_host(salt: &[u8], name: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    format!(
        "|1|{}|{}",
        b64.encode(salt),
        b64.encode(hmac_sha1(salt, name))
    )
}

fn hmac_sha1(salt: &[u8], name: &str) -> Vec<u8> {
    match hmac::Hmac::<sha1::Sha1>::new_from_slice(salt) {
        Ok(mut m) => {
            m.update(name.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

fn hashed_matches(field: &str, name: &str) -> bool {
    let mut parts = field.splitn(4, '|');
    let (Some(""), Some("1"), Some(salt), Some(hash)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    let (Ok(salt), Ok(hash)) = (b64.decode(salt), b64.decode(hash)) else {
        return false;
    };
    // OpenSSH compares the hashed form of the lowercase name; hashed names are written
    // lowercased.
    let Ok(mut m) = hmac::Hmac::<sha1::Sha1>::new_from_slice(&salt) else {
        return false;
    };
    m.update(name.to_ascii_lowercase().as_bytes());
    m.verify_slice(&hash).is_ok()
}

/// OpenSSH `match_pattern`: `*` matches any run, `?` one character; linear-time greedy
/// matching with backtracking to the last `*` (no exponential blow-up on hostile patterns).
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi = pi.saturating_add(1);
            }
            Some(&c) if c == '?' || Some(&c) == t.get(ti) => {
                pi = pi.saturating_add(1);
                ti = ti.saturating_add(1);
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp.saturating_add(1);
                    ti = st.saturating_add(1);
                    star = Some((sp, ti));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

fn malformed(reason: &str) -> KeyError {
    KeyError::MalformedFile {
        format: FORMAT,
        reason: reason.to_owned(),
    }
}
