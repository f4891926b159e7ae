//! Connection setup: everything the command line says about reaching the server, and the
//! one function, [`connect`], that turns it into an SFTP session.
//!
//! Only [`connect`] knows how the
//! connection is made; the rest of sftpc sees an [`Sftp`].

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use sftpclient::error::code;
use sftpclient::{
    Error, ErrorKind, HostKey, HostKeyPolicy as NativePolicy, PrivateKey, SessionBuilder, Sftp,
    SftpConfig, Version,
};
use ssh_keys::{HostKeyStatus, KnownHosts};

/// How to reach and log in to the server, as given on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectOptions {
    /// Host name or address (IPv4, IPv6 literal, or a name to resolve).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Login name; `None` means the local user name.
    pub user: Option<String>,
    /// Private key files from `-i` / `-o IdentityFile`; empty means OpenSSH's defaults
    /// (see [`ConnectOptions::identity_files`]).
    pub identities: Vec<PathBuf>,
    /// Name of the environment variable holding the password (`--password-env`).
    pub password_env: Option<String>,
    /// How the server's host key is checked.
    pub host_key_policy: HostKeyPolicy,
    /// Algorithm preferences from `-o` (OpenSSH syntax and names).
    pub algorithms: Algorithms,
    /// Other `-o Name=Value` pairs: the client's config settings, kept in order. Not used
    /// yet; the native session will apply them.
    pub settings: Vec<(String, String)>,
    /// The highest SFTP version to negotiate (`-s`).
    pub sftp_version: Version,
    /// Whether the user can be asked questions (unknown host key, password).
    pub interactive: bool,
    /// `-v`: report connection details on stderr.
    pub verbose: bool,
    /// `-q`: no warnings beyond errors.
    pub quiet: bool,
}

/// Algorithm preferences, each an OpenSSH-style list (`aes128-ctr,aes256-ctr`, with the
/// `+`/`-`/`^` prefixes OpenSSH accepts), or `None` for the defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Algorithms {
    /// `Ciphers`.
    pub ciphers: Option<String>,
    /// `KexAlgorithms`.
    pub kex: Option<String>,
    /// `MACs`.
    pub macs: Option<String>,
    /// `HostKeyAlgorithms`.
    pub host_key: Option<String>,
    /// `Compression`.
    pub compression: Option<bool>,
}

/// How the server's host key is verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostKeyPolicy {
    /// Look the key up in a known_hosts file.
    KnownHosts {
        /// The file; `None` means `~/.ssh/known_hosts` (and the system-wide file).
        file: Option<PathBuf>,
        /// What to do with a host that has no key in the file.
        unknown: UnknownHost,
    },
    /// Accept exactly the keys with these fingerprints (`SHA256:base64`, as
    /// `ssh-keygen -l` prints them).
    Fingerprints(Vec<String>),
    /// Accept any key: no protection against a man in the middle.
    AcceptAnyDangerously,
}

/// What to do when the known_hosts file has no key for the host (a changed key is always
/// rejected).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnknownHost {
    /// Refuse to connect (`StrictHostKeyChecking=yes`).
    Reject,
    /// Ask the user when interactive, otherwise refuse (`StrictHostKeyChecking=ask`, the
    /// default).
    Ask,
    /// Add the key to the file and connect (`StrictHostKeyChecking=accept-new`).
    AcceptNew,
}

/// OpenSSH's default identity files, in its order, under `~/.ssh/`.
const DEFAULT_IDENTITIES: &[&str] = &[
    "id_rsa",
    "id_ecdsa",
    "id_ecdsa_sk",
    "id_ed25519",
    "id_ed25519_sk",
    "id_xmss",
    "id_dsa",
];

impl ConnectOptions {
    /// The key files to offer: the explicit ones, or else those of OpenSSH's defaults
    /// (`~/.ssh/id_rsa`, `id_ecdsa`, `id_ed25519`, ...) that exist.
    pub fn identity_files(&self) -> Vec<PathBuf> {
        if !self.identities.is_empty() {
            return self.identities.clone();
        }
        let Some(ssh_dir) = home_dir().map(|h| h.join(".ssh")) else {
            return Vec::new();
        };
        DEFAULT_IDENTITIES
            .iter()
            .map(|name| ssh_dir.join(name))
            .filter(|p| p.is_file())
            .collect()
    }

    /// The known_hosts file in use, when the policy reads one (`~/.ssh/known_hosts` by
    /// default).
    pub fn known_hosts_file(&self) -> Option<PathBuf> {
        match &self.host_key_policy {
            HostKeyPolicy::KnownHosts { file: Some(f), .. } => Some(f.clone()),
            HostKeyPolicy::KnownHosts { file: None, .. } => {
                home_dir().map(|h| h.join(".ssh").join("known_hosts"))
            }
            _ => None,
        }
    }

    /// The SFTP session settings.
    pub fn sftp_config(&self) -> SftpConfig {
        SftpConfig {
            protocol_version: self.sftp_version,
            ..SftpConfig::default()
        }
    }
}

/// Connects with the project's own SSH stack: TCP, key exchange, the host-key policy,
/// authentication (keys, then password or keyboard-interactive), the `sftp` subsystem.
pub fn connect(opts: &ConnectOptions) -> Result<Sftp, Error> {
    let user = opts
        .user
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_default();
    let mut builder = SessionBuilder::new(opts.host.clone())
        .port(opts.port)
        .user(user);
    for identity in opts.identity_files() {
        match load_key(&identity) {
            Ok(key) => builder = builder.private_key(key),
            // Like OpenSSH, a key that cannot be used (encrypted, unsupported) is skipped;
            // say so when it was named explicitly or when asked to be verbose.
            Err(why) if opts.verbose || !opts.identities.is_empty() => {
                eprintln!("sftpc: skipping identity {}: {why}", identity.display());
            }
            Err(_) => {}
        }
    }
    finish(builder, opts)
}

/// Loads an unencrypted private key file in any supported format.
fn load_key(path: &Path) -> Result<PrivateKey, String> {
    let data = std::fs::read(path).map_err(|e| e.to_string())?;
    match ssh_keys::decode_any(&data, None) {
        Ok(ssh_keys::LoadedKey::Private(key, _)) => Ok(*key),
        Ok(ssh_keys::LoadedKey::Public(..)) => Err("a public key, not a private key".into()),
        Err(e) => Err(e.to_string()),
    }
}

fn finish(mut builder: SessionBuilder, opts: &ConnectOptions) -> Result<Sftp, Error> {
    if let Some(var) = &opts.password_env {
        let Some(password) = std::env::var_os(var) else {
            return Err(Error::new(
                ErrorKind::InvalidState,
                code::SSH_CONNECTION_FAILED,
                format!("--password-env {var}: the variable is not set"),
            ));
        };
        builder = builder
            .password(password.to_string_lossy().into_owned())
            .keyboard_interactive(None);
    }
    let transport = builder.transport_config_mut();
    apply_list(&mut transport.ciphers, opts.algorithms.ciphers.as_deref());
    apply_list(
        &mut transport.kex_algorithms,
        opts.algorithms.kex.as_deref(),
    );
    apply_list(&mut transport.macs, opts.algorithms.macs.as_deref());
    apply_list(
        &mut transport.host_key_algorithms,
        opts.algorithms.host_key.as_deref(),
    );
    match opts.algorithms.compression {
        Some(true) => {
            transport.compression = vec!["zlib@openssh.com".into(), "zlib".into(), "none".into()];
        }
        Some(false) => transport.compression = vec!["none".into()],
        None => {}
    }
    builder = builder.host_key_policy(native_policy(opts));
    let session = builder.connect()?;
    if opts.verbose {
        if let Ok(Some(key)) = session.host_key() {
            eprintln!(
                "sftpc: connected to {}:{} ({} host key {})",
                opts.host,
                opts.port,
                key.algorithm(),
                key.fingerprint()
            );
        }
    }
    if let Ok(Some(banner)) = session.banner() {
        if !opts.quiet {
            eprint!("{}", crate::format::printable(&banner));
        }
    }
    session.sftp(opts.sftp_config())
}

/// An OpenSSH-style algorithm list: `a,b` replaces the defaults, `+a,b` appends, `-a,b`
/// removes, `^a,b` puts them first.
fn apply_list(list: &mut Vec<String>, spec: Option<&str>) {
    let Some(spec) = spec else {
        return;
    };
    let names = |s: &str| -> Vec<String> {
        s.split(',')
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect()
    };
    if let Some(rest) = spec.strip_prefix('+') {
        for name in names(rest) {
            if !list.contains(&name) {
                list.push(name);
            }
        }
    } else if let Some(rest) = spec.strip_prefix('-') {
        let remove = names(rest);
        list.retain(|n| !remove.contains(n));
    } else if let Some(rest) = spec.strip_prefix('^') {
        let mut first = names(rest);
        list.retain(|n| !first.contains(n));
        first.append(list);
        *list = first;
    } else {
        *list = names(spec);
    }
}

/// The command line's host-key policy as the session's.
fn native_policy(opts: &ConnectOptions) -> NativePolicy {
    match &opts.host_key_policy {
        HostKeyPolicy::Fingerprints(list) => NativePolicy::Fingerprints(list.clone()),
        HostKeyPolicy::AcceptAnyDangerously => NativePolicy::AcceptAnyDangerously,
        HostKeyPolicy::KnownHosts { file, unknown } => {
            let Some(file) = file.clone().or_else(|| opts.known_hosts_file()) else {
                return NativePolicy::Fingerprints(Vec::new());
            };
            let ask = match unknown {
                UnknownHost::Reject => return NativePolicy::KnownHosts(file),
                UnknownHost::Ask if opts.interactive => true,
                UnknownHost::Ask => return NativePolicy::KnownHosts(file),
                UnknownHost::AcceptNew => false,
            };
            let (host, port) = (opts.host.clone(), opts.port);
            NativePolicy::Callback(Box::new(move |key: &HostKey| {
                known_hosts_decision(&file, &host, port, key, ask)
            }))
        }
    }
}

/// Checks `key` against `file`; an unknown host is added after asking (`ask`) or at once
/// (accept-new). A changed or revoked key is always refused.
fn known_hosts_decision(file: &Path, host: &str, port: u16, key: &HostKey, ask: bool) -> bool {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    match KnownHosts::parse(&text).lookup(host, port, key.key()) {
        HostKeyStatus::Known => true,
        HostKeyStatus::Changed | HostKeyStatus::Revoked => {
            eprintln!(
                "sftpc: WARNING: the host key for {host} has CHANGED or is revoked ({} {}); \
                 refusing to connect. Check {} if the change is expected.",
                key.key().key_type(),
                key.fingerprint(),
                file.display()
            );
            false
        }
        HostKeyStatus::Unknown => {
            if ask && !confirm_new_host(host, key) {
                return false;
            }
            let line = format!(
                "{} {} {}\n",
                ssh_keys::known_hosts::host_port_name(host, port),
                key.key().key_type(),
                base64::engine::general_purpose::STANDARD.encode(key.key().to_blob())
            );
            let appended = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(file)
                .and_then(|mut f| f.write_all(line.as_bytes()));
            if let Err(e) = appended {
                eprintln!(
                    "sftpc: could not add the host key to {}: {e}",
                    file.display()
                );
            } else {
                eprintln!(
                    "sftpc: permanently added {} ({}) to {}",
                    ssh_keys::known_hosts::host_port_name(host, port),
                    key.key().key_type(),
                    file.display()
                );
            }
            true
        }
    }
}

/// Asks on the terminal whether to trust a new host key (as OpenSSH does, on /dev/tty so
/// that batch input on stdin is not consumed).
fn confirm_new_host(host: &str, key: &HostKey) -> bool {
    let Ok(mut tty) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
    else {
        return false;
    };
    let _ = write!(
        tty,
        "The authenticity of host '{host}' can't be established.\n{} key fingerprint is {}.\n\
         Are you sure you want to continue connecting (yes/no)? ",
        key.key().key_type(),
        key.fingerprint()
    );
    let _ = tty.flush();
    let mut answer = String::new();
    let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(tty), &mut answer);
    answer.trim().eq_ignore_ascii_case("yes")
}

/// The user's home directory (`$HOME`).
pub fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// Expands a leading `~/` (or a lone `~`) to the home directory.
pub fn expand_tilde(path: &str) -> PathBuf {
    match (path, home_dir()) {
        ("~", Some(home)) => home,
        (p, Some(home)) if p.starts_with("~/") => home.join(p.get(2..).unwrap_or_default()),
        (p, _) => Path::new(p).to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn openssh_list_syntax() {
        let defaults = list(&["a", "b", "c"]);
        let mut l = defaults.clone();
        apply_list(&mut l, None);
        assert_eq!(l, defaults);
        apply_list(&mut l, Some("x,y"));
        assert_eq!(l, list(&["x", "y"]));
        let mut l = defaults.clone();
        apply_list(&mut l, Some("+d,a"));
        assert_eq!(l, list(&["a", "b", "c", "d"]));
        let mut l = defaults.clone();
        apply_list(&mut l, Some("-b"));
        assert_eq!(l, list(&["a", "c"]));
        let mut l = defaults;
        apply_list(&mut l, Some("^c,z"));
        assert_eq!(l, list(&["c", "z", "a", "b"]));
    }

    #[test]
    fn missing_password_variable() {
        let opts = ConnectOptions {
            host: "127.0.0.1".into(),
            port: 1,
            user: Some("u".into()),
            identities: Vec::new(),
            password_env: Some("SFTPC_TEST_SURELY_UNSET_VARIABLE".into()),
            host_key_policy: HostKeyPolicy::AcceptAnyDangerously,
            algorithms: Algorithms::default(),
            settings: Vec::new(),
            sftp_version: Version::V3,
            interactive: false,
            verbose: false,
            quiet: false,
        };
        let e = connect(&opts).unwrap_err();
        assert_eq!(e.code(), code::SSH_CONNECTION_FAILED);
        assert!(e.description().contains("SFTPC_TEST_SURELY_UNSET_VARIABLE"));
    }

    #[test]
    fn tilde() {
        if let Some(home) = home_dir() {
            assert_eq!(expand_tilde("~/x"), home.join("x"));
            assert_eq!(expand_tilde("~"), home);
        }
        assert_eq!(expand_tilde("/a/~"), PathBuf::from("/a/~"));
    }
}
