//! The documented SFTPClient surface: [`SftpClient`], with the seed's properties
//! (`p()` / `set_p(v)`), methods (by their seed names, returning [`Result`]), events
//! (`on_<name>(|e: &mut XxxEvent| ...)`) and `config("Name=Value")` settings, so that a
//! program written against the documented component ports line by line.
//!
//! It is a thin layer over the idiomatic API ([`Session`], [`Sftp`], [`RemoteFile`]): every
//! transfer, listing and attribute call goes through them. What the platform cannot offer
//! (Windows certificate stores, Java key stores, GSSAPI/Kerberos, Pageant) fails with
//! [`codes::NOT_SUPPORTED_ON_PLATFORM`] and says so. `docs/seed-surface.md` maps every item.
//!
//! ```no_run
//! use sftpclient::SftpClient;
//!
//! let mut sftp = SftpClient::new();
//! sftp.set_ssh_user("test")?;
//! sftp.set_ssh_password("secret")?;
//! sftp.config("SSHAcceptServerHostKeyFingerPrint=0a:1b:2c:3d")?;
//! sftp.ssh_logon("sftp.example.com", 22)?;
//! sftp.set_remote_file("*.txt")?;
//! sftp.list_directory()?;
//! for i in 0..sftp.dir_list_count() {
//!     println!("{}", sftp.dir_list_file_name(i));
//! }
//! # Ok::<(), sftpclient::Error>(())
//! ```
//!
//! [`RemoteFile`]: crate::RemoteFile

mod certs;
mod config;
mod events;
mod firewall;
mod hash;
mod mask;
mod methods;
mod properties;
mod timefmt;
mod transfer;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ssh_auth::AuthMode;
use ssh_keys::{HashAlg, PrivateKey, PublicKey};
use ssh_transport::TransportConfig;

pub use crate::ssh::{CustomAuthHandler, SessionTuning};
pub use events::{
    ConnectedEvent, ConnectionStatusEvent, DirListEvent, DisconnectedEvent, EndTransferEvent,
    ErrorEvent, LogEvent, SshCustomAuthEvent, SshKeyboardInteractiveEvent,
    SshServerAuthenticationEvent, SshStatusEvent, StartTransferEvent, TransferBoundaryEvent,
    TransferEvent,
};

use crate::error::{Error, ErrorKind, Result};
use crate::{HostKeyPolicy, Session, Sftp, SftpConfig, Version};
use events::{SharedRef, fire};
use properties::{CertInfo, DirRecord, EntryAttrs, FileProps, Props, Store};

/// Error codes this surface adds to the seed's.
pub mod codes {
    /// The feature exists on other platforms only (Windows certificate stores and Pageant,
    /// Java key stores, Kerberos GSSAPI, FIPS system APIs) or needs a format this
    /// implementation does not read (PFX, PKCS#7, XML, JWK, PKCS#11).
    pub const NOT_SUPPORTED_ON_PLATFORM: i32 = 1140;
    /// Action impossible while not connected (the seed's TCPClient code).
    pub const NOT_CONNECTED: i32 = 212;
    /// Already connected (the seed's TCPClient code).
    pub const ALREADY_CONNECTED: i32 = 104;
    /// The remote host address is invalid.
    pub const INVALID_HOST: i32 = 102;
}

/// The documented SFTPClient component. See the module documentation.
pub struct SftpClient {
    props: Props,
    file: FileProps,
    cert: CertInfo,
    accept: CertInfo,
    cert_store: Store,
    accept_store: Store,
    client_key: Option<PrivateKey>,
    /// The file_* values as last queried (update_file_attributes sends owner, group and
    /// ACL only when they were changed).
    file_loaded: FileProps,
    cfg: config::Settings,
    shared: SharedRef,
    session: Option<Session>,
    sftp: Option<Sftp>,
    server_key: Option<PublicKey>,
    dir_list: Vec<DirRecord>,
    last_entry: EntryAttrs,
    queue: Vec<(String, String)>,
    interrupted: Arc<AtomicBool>,
    busy: bool,
    space: Option<(u64, u64)>,
}

impl std::fmt::Debug for SftpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SftpClient")
            .field("ssh_host", &self.props.ssh_host)
            .field("ssh_port", &self.props.ssh_port)
            .field("ssh_user", &self.props.ssh_user)
            .field("connected", &self.session.is_some())
            .field("remote_path", &self.props.remote_path)
            .finish_non_exhaustive()
    }
}

impl Default for SftpClient {
    fn default() -> Self {
        Self::new()
    }
}

impl SftpClient {
    /// A client with every property at its documented default.
    pub fn new() -> Self {
        let mut client = Self {
            props: Props::default(),
            file: FileProps::default(),
            cert: CertInfo::default(),
            accept: CertInfo::default(),
            cert_store: Store::default(),
            accept_store: Store::default(),
            client_key: None,
            file_loaded: FileProps::default(),
            cfg: config::Settings::default(),
            shared: Arc::new(Mutex::new(events::Shared::default())),
            session: None,
            sftp: None,
            server_key: None,
            dir_list: Vec::new(),
            last_entry: EntryAttrs::default(),
            queue: Vec::new(),
            interrupted: Arc::new(AtomicBool::new(false)),
            busy: false,
            space: None,
        };
        client.apply_shared();
        client
    }

    /// A handle for [`interrupt`](Self::interrupt) from another thread (or from an event
    /// handler, which cannot reach the client itself).
    pub fn interrupt_handle(&self) -> crate::InterruptHandle {
        crate::InterruptHandle::from_flag(self.interrupted.clone())
    }

    /// Connects, exchanges keys, verifies the host key and authenticates, then starts
    /// SFTP: the body of ssh_logon and connect.
    fn open_session(&mut self) -> Result<()> {
        if self.session.is_some() {
            return Err(Error::new(
                ErrorKind::InvalidState,
                codes::ALREADY_CONNECTED,
                "Already connected. If you want to reconnect, close the current connection first.",
            ));
        }
        if self.props.ssh_host.trim().is_empty() || self.props.ssh_host.trim() == "0.0.0.0" {
            return Err(Error::new(
                ErrorKind::InvalidState,
                codes::INVALID_HOST,
                "The remote_host address is invalid: set ssh_host first.",
            ));
        }
        self.apply_shared();
        self.interrupted.store(false, Ordering::SeqCst);
        let result = self.open_session_inner();
        match &result {
            Ok(()) => {
                fire!(
                    self,
                    connected,
                    &mut ConnectedEvent {
                        status_code: 0,
                        description: "OK".to_owned(),
                    }
                );
            }
            Err(e) => {
                self.session = None;
                self.sftp = None;
                fire!(
                    self,
                    connected,
                    &mut ConnectedEvent {
                        status_code: e.code(),
                        description: e.description().to_owned(),
                    }
                );
                self.log(1, "Info", &format!("connection failed: {e}"));
            }
        }
        result
    }

    fn open_session_inner(&mut self) -> Result<()> {
        let host = self.props.ssh_host.trim().to_owned();
        let port = self.props.ssh_port;
        let timeout = self.timeout_duration();
        self.status(&format!("Connecting to {host}:{port}"));
        let (socket, via_proxy) = firewall::open(&self.props, &host, port, timeout)?;
        if via_proxy {
            self.connection_status("Firewall connection complete", 0, "OK");
        }
        self.connection_status("Remote host connection complete", 0, "OK");
        if let Ok(local) = socket.local_addr() {
            self.props.local_host = local.ip().to_string();
        }
        let builder = self.session_builder(&host, port, timeout)?;
        let seen_key: Arc<Mutex<Option<PublicKey>>> = Arc::new(Mutex::new(None));
        let builder = builder.host_key_policy(self.host_key_policy(seen_key.clone()));
        let session = builder.connect_socket(socket).map_err(|e| {
            let e = finer_code(e);
            self.connection_status("SSH connection broken", e.code(), e.description());
            e
        })?;
        self.server_key = seen_key.lock().ok().and_then(|k| k.clone());
        self.status("SSH handshake complete; authenticated");
        self.connection_status("SSH handshake complete", 0, "OK");
        let sftp_config = SftpConfig {
            protocol_version: Version::from_u32(
                u32::try_from(self.cfg.int("ProtocolVersion")).unwrap_or(6),
            )
            .unwrap_or(Version::V6),
            // AsyncTransfer=False: one request at a time.
            max_outstanding: if self.cfg.flag("AsyncTransfer") {
                usize::try_from(self.cfg.int("MaxOutstandingPackets"))
                    .unwrap_or(64)
                    .max(1)
            } else {
                1
            },
            // The component's transfers step RemoteFiles itself (component/transfer.rs).
            download_channels: 1,
            upload_channels: 1,
        };
        let sftp = session.sftp(sftp_config)?;
        // MaxFileData caps the READ/WRITE payload (never above what the server allows).
        if let Ok(max) = u32::try_from(self.cfg.int("MaxFileData")) {
            if max > 0 {
                let mut engine = sftp.lock()?;
                engine.read_chunk = engine.read_chunk.min(max);
                engine.write_chunk = engine.write_chunk.min(max);
            }
        }
        self.log(
            1,
            "SFTP",
            &format!("SFTP version {} negotiated", sftp.version()?),
        );
        if !self.cfg.flag("DisableRealPath") {
            self.props.remote_path = sftp.canonicalize(".")?;
        }
        self.session = Some(session);
        self.sftp = Some(sftp);
        Ok(())
    }

    fn timeout_duration(&self) -> Option<Duration> {
        u64::try_from(self.props.timeout)
            .ok()
            .filter(|&t| t > 0)
            .map(Duration::from_secs)
    }

    /// The session builder from the properties and settings.
    fn session_builder(
        &mut self,
        host: &str,
        port: u16,
        timeout: Option<Duration>,
    ) -> Result<crate::SessionBuilder> {
        let mode =
            AuthMode::from_seed(i64::from(self.props.ssh_auth_mode)).unwrap_or(AuthMode::Password);
        if matches!(mode, AuthMode::GssapiWithMic | AuthMode::GssapiKeyex) {
            return Err(certs::not_here(
                "Kerberos GSSAPI authentication (ssh_auth_mode 5 and 6)",
            ));
        }
        let mut b = Session::builder(host)
            .port(port)
            .user(self.props.ssh_user.clone())
            .timeout(timeout)
            .auth_mode(mode);
        if !self.props.ssh_password.is_empty() {
            b = b.password(self.props.ssh_password.clone());
        }
        if matches!(mode, AuthMode::PublicKey | AuthMode::MultiFactor) {
            if let Some(key) = &self.client_key {
                b = b.private_key(key.duplicate());
            } else if mode == AuthMode::PublicKey {
                return Err(Error::new(
                    ErrorKind::InvalidState,
                    1032,
                    "ssh_auth_mode is public key but no private key is selected: set \
                     ssh_cert_store_type, ssh_cert_store and ssh_cert_subject",
                ));
            }
        }
        if matches!(mode, AuthMode::KeyboardInteractive | AuthMode::MultiFactor) {
            b = b.keyboard_interactive(Some(self.prompt_handler()));
        }
        if mode == AuthMode::Custom {
            b = b.custom_auth(self.custom_auth_handler());
        }
        *b.transport_config_mut() = self.transport_config()?;
        let password_prompt = self.cfg.text("PasswordPrompt").to_owned();
        let do_not_repeat = self.cfg.flag("DoNotRepeatAuthMethods");
        let try_all = self.cfg.flag("TryAllAvailableAuthMethods") || mode == AuthMode::MultiFactor;
        let sig_algs: Vec<String> = split_list(self.cfg.text("SSHPubKeyAuthSigAlgorithms"));
        // SignedSSHCert: the CA-signed certificate goes in front of the plain key.
        let signed_cert = self.cfg.text("SignedSSHCert").trim().to_owned();
        let cert_signer: Option<Box<dyn ssh_auth::Signer>> = match (
            &self.client_key,
            signed_cert.is_empty(),
        ) {
            (Some(key), false) => Some(Box::new(
                ssh_auth::CertSigner::from_signed_ssh_cert(
                    &signed_cert,
                    Box::new(ssh_auth::KeySigner::new(key.duplicate())),
                )
                .map_err(|e| invalid(format!("SignedSSHCert: {e}")))?,
            )),
            (None, false) => {
                return Err(invalid(
                    "SignedSSHCert needs the certificate's private key: select it with ssh_cert_*",
                ));
            }
            _ => None,
        };
        let max_window = u32::try_from(self.cfg.int("MaxWindowSize")).unwrap_or(0);
        let max_packet = u32::try_from(self.cfg.int("MaxPacketSize")).unwrap_or(0);
        let wait_close = self.cfg.flag("WaitForChannelClose");
        let wait_disconnect = self.cfg.flag("WaitForServerDisconnect");
        b = b.session_tuning(Box::new(move |c| {
            if let Some(signer) = cert_signer {
                c.auth.keys.insert(0, signer);
            }
            if !password_prompt.is_empty() {
                c.auth.password_prompt = Some(ssh_auth::PromptPattern::new(&password_prompt));
            }
            c.auth.do_not_repeat_methods = do_not_repeat;
            c.auth.try_all_methods = try_all;
            if !sig_algs.is_empty() {
                c.auth.pubkey_algorithms = Some(sig_algs);
            }
            if max_window > 0 {
                c.connection.max_window_size = max_window;
            }
            if max_packet > 0 {
                c.connection.max_packet_size = max_packet;
            }
            c.wait_for_channel_close = wait_close;
            c.wait_for_server_disconnect = wait_disconnect;
        }));
        Ok(b)
    }

    /// The transport settings: algorithm lists keep the caller's order and drop names the
    /// transport does not implement (the seed's defaults name arcfour and 3des-ctr).
    fn transport_config(&self) -> Result<TransportConfig> {
        let mut t = TransportConfig::default();
        let pick = |wanted: &str, available: &[String], what: &str| -> Result<Vec<String>> {
            let mut out: Vec<String> = Vec::new();
            for name in split_list(wanted) {
                // The seed's "zlib" is OpenSSH's delayed zlib@openssh.com when only that exists.
                let name = if name == "zlib" && !available.iter().any(|a| a == "zlib") {
                    "zlib@openssh.com".to_owned()
                } else {
                    name
                };
                if available.contains(&name) && !out.contains(&name) {
                    out.push(name);
                }
            }
            if out.is_empty() {
                return Err(Error::new(
                    ErrorKind::InvalidState,
                    1003,
                    format!(
                        "none of the {what} algorithms {wanted:?} is implemented (available: {})",
                        available.join(",")
                    ),
                ));
            }
            Ok(out)
        };
        t.ciphers = pick(
            &self.props.ssh_encryption_algorithms,
            &t.ciphers,
            "encryption",
        )?;
        t.compression = pick(
            &self.props.ssh_compression_algorithms,
            &t.compression,
            "compression",
        )?;
        t.kex_algorithms = pick(
            self.cfg.text("SSHKeyExchangeAlgorithms"),
            &t.kex_algorithms,
            "key exchange",
        )?;
        t.macs = pick(self.cfg.text("SSHMacAlgorithms"), &t.macs, "MAC")?;
        // Host key algorithms: the defaults plus any other the transport knows
        // (certificate algorithms are known but not offered by default).
        let mut known_host_keys = t.host_key_algorithms.clone();
        for name in split_list(self.cfg.text("SSHPublicKeyAlgorithms")) {
            if ssh_transport::negotiate::host_key_name(&name).is_some()
                && !known_host_keys.contains(&name)
            {
                known_host_keys.push(name);
            }
        }
        t.host_key_algorithms = pick(
            self.cfg.text("SSHPublicKeyAlgorithms"),
            &known_host_keys,
            "host key",
        )?;
        let version = self.cfg.text("ClientSSHVersionString").trim();
        if !version.is_empty() {
            t.client_version = version.to_owned();
        }
        t.version_pattern = self.cfg.text("SSHVersionPattern").to_owned();
        t.strict_kex = ssh_transport::StrictKexMode::from_level(
            u8::try_from(self.cfg.int("UseStrictKeyExchange")).unwrap_or(1),
        )
        .unwrap_or_default();
        let threshold = self.cfg.int("KeyRenegotiationThreshold");
        if threshold > 0 {
            t.rekey_threshold = u64::try_from(threshold).ok();
        }
        let bits = self.cfg.int("PreferredDHGroupBits");
        if bits > 0 {
            t.preferred_dh_group_bits = u32::try_from(bits).unwrap_or(t.preferred_dh_group_bits);
        }
        let interval = self.cfg.int("SSHKeepAliveInterval");
        t.keepalive_interval = u64::try_from(interval)
            .ok()
            .filter(|&s| s > 0)
            .map(Duration::from_secs);
        t.keepalive_count_max = u32::try_from(self.cfg.int("SSHKeepAliveCountMax")).unwrap_or(3);
        Ok(t)
    }

    /// on_ssh_server_authentication, with Accept pre-set from the accepted-key settings.
    fn host_key_policy(&self, seen: Arc<Mutex<Option<PublicKey>>>) -> HostKeyPolicy {
        let shared = self.shared.clone();
        let accepted_blob = self.accept.encoded.clone();
        let fingerprints = split_list(self.cfg.text("SSHAcceptServerHostKeyFingerPrint"));
        let accept_any = self.cfg.flag("SSHAcceptAnyServerHostKey");
        let ca = ssh_keys::PublicKeyLine::parse(self.cfg.text("SSHAcceptServerCAKey").trim())
            .ok()
            .map(|l| l.key);
        let fp_alg = match self.cfg.text("SSHFingerprintHashAlgorithm") {
            "MD5" => HashAlg::Md5,
            "SHA1" => HashAlg::Sha1,
            _ => HashAlg::Sha256,
        };
        HostKeyPolicy::Callback(Box::new(move |key: &crate::HostKey| {
            let public = key.key();
            let blob = public.to_blob();
            let signed_by_ca = match (&ca, public.certificate()) {
                (Some(ca), Some(cert)) => {
                    cert.signature_key().to_blob() == ca.to_blob()
                        && cert.verify_signature().is_ok()
                        && cert.is_valid_at(now_unix_u64())
                }
                _ => false,
            };
            let preset = accept_any
                || (!accepted_blob.is_empty() && accepted_blob == blob)
                || fingerprints.iter().any(|f| key.matches_fingerprint(f))
                || signed_by_ca;
            let (cert_subject, cert_issuer) = match public.certificate() {
                Some(c) => (
                    c.key_id().to_owned(),
                    c.signature_key().fingerprint(HashAlg::Sha256).hex(),
                ),
                None => (String::new(), String::new()),
            };
            let mut event = SshServerAuthenticationEvent {
                host_key: blob,
                fingerprint: public.fingerprint(fp_alg).hex(),
                key_algorithm: key.algorithm().to_owned(),
                cert_subject,
                cert_issuer,
                status: String::new(),
                accept: preset,
            };
            let mut guard = events::lock(&shared);
            guard.status(&format!(
                "Server host key {} {}",
                key.algorithm(),
                public.fingerprint(HashAlg::Sha256).hex()
            ));
            if let Some(h) = guard.handlers.ssh_server_authentication.as_mut() {
                h(&mut event);
            }
            let verdict = event.accept;
            guard.log(
                1,
                "SSH",
                if verdict {
                    "Server host key accepted"
                } else {
                    "Server host key rejected"
                },
            );
            drop(guard);
            if verdict {
                if let Ok(mut s) = seen.lock() {
                    *s = Some(public.clone());
                }
            }
            verdict
        }))
    }

    /// on_ssh_keyboard_interactive for each prompt.
    fn prompt_handler(&self) -> crate::PromptHandler {
        let shared = self.shared.clone();
        let password = self.props.ssh_password.clone();
        Box::new(move |prompt: &ssh_auth::Prompt| {
            let looks_like_password =
                !prompt.echo && prompt.prompt.to_ascii_lowercase().contains("password");
            let mut event = SshKeyboardInteractiveEvent {
                name: prompt.name.clone(),
                instructions: prompt.instructions.clone(),
                prompt: prompt.prompt.clone(),
                response: if prompt.prefilled || looks_like_password {
                    password.clone()
                } else {
                    String::new()
                },
                echo_response: prompt.echo,
            };
            let mut guard = events::lock(&shared);
            if let Some(h) = guard.handlers.ssh_keyboard_interactive.as_mut() {
                h(&mut event);
            }
            Some(event.response)
        })
    }

    /// on_ssh_custom_auth for each server packet (hex in, hex out).
    fn custom_auth_handler(&self) -> CustomAuthHandler {
        let shared = self.shared.clone();
        Box::new(move |packet: &[u8]| {
            let encoded = ssh_auth::custom::encode_packet(packet);
            let mut event = SshCustomAuthEvent {
                packet: encoded.clone(),
            };
            let mut guard = events::lock(&shared);
            if let Some(h) = guard.handlers.ssh_custom_auth.as_mut() {
                h(&mut event);
            }
            if event.packet.is_empty() || event.packet == encoded {
                return None;
            }
            ssh_auth::custom::decode_packet(&event.packet).ok()
        })
    }

    /// The SFTP session, logging on first (the seed's auto-logon).
    fn sftp_auto(&mut self) -> Result<Sftp> {
        if self.sftp.is_none() {
            let host = self.props.ssh_host.clone();
            if host.is_empty() {
                return Err(not_connected());
            }
            self.open_session()?;
        }
        self.sftp.clone().ok_or_else(not_connected)
    }

    /// The SFTP session; an error when there is none.
    fn sftp_required(&self) -> Result<Sftp> {
        self.sftp.clone().ok_or_else(not_connected)
    }

    /// `name` as the server sees it: absolute, or relative to remote_path.
    fn resolve(&self, name: &str) -> String {
        let name = if self.cfg.flag("AllowBackslashInName") {
            name.to_owned()
        } else {
            name.replace('\\', "/")
        };
        if name.starts_with('/') || self.props.remote_path.is_empty() {
            return name;
        }
        if name.is_empty() {
            return self.props.remote_path.clone();
        }
        let base = self.props.remote_path.trim_end_matches('/');
        format!("{base}/{name}")
    }

    fn log(&self, level: i32, kind: &str, message: &str) {
        events::lock(&self.shared).log(level, kind, message);
    }

    fn status(&self, message: &str) {
        events::lock(&self.shared).status(message);
    }

    fn connection_status(&self, what: &str, status_code: i32, description: &str) {
        fire!(
            self,
            connection_status,
            &mut ConnectionStatusEvent {
                connection_event: what.to_owned(),
                status_code,
                description: description.to_owned(),
            }
        );
    }

    /// Reports a failure through on_error and returns it.
    fn report(&self, e: Error, local: &str, remote: &str) -> Error {
        fire!(
            self,
            error,
            &mut ErrorEvent {
                error_code: e.code(),
                description: e.description().to_owned(),
                local_file: local.to_owned(),
                remote_file: remote.to_owned(),
            }
        );
        e
    }
}

/// The seed has finer codes than the session's generic 1036 for some transport failures:
/// 1002 (version string), 1003 (no common algorithm), 1015 (packet failed its MAC),
/// 1016 (decompression), 1031 (host key signature).
fn finer_code(e: Error) -> Error {
    use ssh_transport::{KexError, TransportError};
    if e.code() != 1036 {
        return e;
    }
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        let transport = match s.downcast_ref::<ssh_connection::SessionError>() {
            Some(ssh_connection::SessionError::Transport(t)) => Some(t),
            _ => s.downcast_ref::<TransportError>(),
        };
        if let Some(t) = transport {
            let code = match t {
                TransportError::BadIdentification { .. }
                | TransportError::VersionMismatch { .. } => 1002,
                TransportError::NoCommonAlgorithm { .. } => 1003,
                TransportError::MacMismatch { .. } => 1015,
                TransportError::Decompression(_) => 1016,
                TransportError::Kex(KexError::SignatureInvalid { .. }) => 1031,
                _ => return e,
            };
            return Error::new(e.kind().clone(), code, e.description().to_owned());
        }
        source = s.source();
    }
    e
}

/// Splits a comma-separated list, trimming names and dropping empty ones.
fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect()
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn now_unix_u64() -> u64 {
    u64::try_from(now_unix()).unwrap_or(0)
}

/// A bad argument or setting value.
fn invalid(description: impl Into<String>) -> Error {
    Error::new(
        ErrorKind::InvalidState,
        crate::error::code::INVALID_STATE,
        description,
    )
}

pub(crate) fn not_connected() -> Error {
    Error::new(
        ErrorKind::InvalidState,
        codes::NOT_CONNECTED,
        "Action impossible while not connected: call ssh_logon first.",
    )
}
