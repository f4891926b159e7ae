//! The native SSH connection: a TCP socket driven through the project's sans-IO
//! [`ClientSession`] by a blocking loop.
//!
//! The loop is the only place that touches the socket and the clock. It feeds received bytes
//! to the session, writes what the session queues, fires the session's deadlines (rekey,
//! keepalive, auth timeout) and collects its events; user callbacks (host-key decision,
//! keyboard-interactive prompts) run between session calls, never inside them.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use ssh_auth::{AuthConfig, AuthEvent, AuthMode, KeySigner, Prompt};
use ssh_connection::{
    ChannelId, ClientSession, ConnectionEvent, SessionConfig, SessionError, SessionEvent,
    WindowPolicy,
};
use ssh_keys::{HashAlg, HostKeyStatus, KnownHosts, PrivateKey, PublicKey};
use ssh_transport::TransportConfig;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind, Result, code};
use crate::sftp::{Sftp, SftpConfig};
use crate::stream::SftpStream;

/// Default inactivity timeout (the seed's `timeout`): 60 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Size of one socket read: many packets per system call.
const READ_CHUNK: usize = 256 * 1024;

/// Channel data handed to the SFTP layer per receive: one 255 KiB DATA reply and change.
const RECV_BATCH: usize = 256 * 1024;

/// The server's host key, as shown to a host-key callback.
#[derive(Clone, Debug)]
pub struct HostKey {
    key: PublicKey,
    algorithm: String,
}

impl HostKey {
    /// The key.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// The negotiated host key algorithm (`ssh-ed25519`, `rsa-sha2-512`, ...).
    pub fn algorithm(&self) -> &str {
        &self.algorithm
    }

    /// OpenSSH's `SHA256:...` fingerprint.
    pub fn fingerprint(&self) -> String {
        self.key.fingerprint(HashAlg::Sha256).to_string()
    }

    /// Whether `fingerprint` names this key: `SHA256:base64`, `MD5:hex` or colon-separated
    /// hex of the MD5, SHA-1 or SHA-256 hash (case-insensitive), as the seed's
    /// SSHAcceptServerHostKeyFingerPrint accepts.
    pub fn matches_fingerprint(&self, fingerprint: &str) -> bool {
        let wanted = fingerprint.trim();
        [HashAlg::Md5, HashAlg::Sha1, HashAlg::Sha256]
            .into_iter()
            .map(|alg| self.key.fingerprint(alg))
            .any(|fp| {
                fp.to_string() == wanted
                    || fp.hex().eq_ignore_ascii_case(wanted)
                    || fp.hex().replace(':', "").eq_ignore_ascii_case(wanted)
            })
    }
}

/// How the server's host key is checked. There is no default that accepts an unknown key.
pub enum HostKeyPolicy {
    /// Accept only keys listed for the host in this OpenSSH known_hosts file.
    KnownHosts(PathBuf),
    /// Accept only keys with one of these fingerprints (see [`HostKey::matches_fingerprint`]).
    Fingerprints(Vec<String>),
    /// Ask the callback; `true` accepts.
    Callback(Box<dyn FnMut(&HostKey) -> bool + Send>),
    /// Accept any key. Anyone on the path can then read and change the traffic.
    AcceptAnyDangerously,
}

impl std::fmt::Debug for HostKeyPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::KnownHosts(p) => f.debug_tuple("KnownHosts").field(p).finish(),
            Self::Fingerprints(v) => f.debug_tuple("Fingerprints").field(v).finish(),
            Self::Callback(_) => f.write_str("Callback"),
            Self::AcceptAnyDangerously => f.write_str("AcceptAnyDangerously"),
        }
    }
}

/// A keyboard-interactive prompt answerer: returns the response, or `None` to give up.
pub type PromptHandler = Box<dyn FnMut(&Prompt) -> Option<String> + Send>;

/// A custom-authentication answerer: gets the server's packet, returns the next request.
pub type CustomAuthHandler = Box<dyn FnMut(&[u8]) -> Option<Vec<u8>> + Send>;

/// A last adjustment of the session configuration before connecting.
pub type SessionTuning = Box<dyn FnOnce(&mut SessionConfig) + Send>;

/// Builds a [`Session`]: where to connect, who to be, how to trust the server.
pub struct SessionBuilder {
    host: String,
    port: u16,
    user: String,
    password: Option<Zeroizing<String>>,
    keys: Vec<PrivateKey>,
    keyboard_interactive: bool,
    mode: Option<AuthMode>,
    host_keys: Option<HostKeyPolicy>,
    prompt: Option<PromptHandler>,
    timeout: Option<Duration>,
    transport: TransportConfig,
    tuning: Option<SessionTuning>,
    custom_auth: Option<CustomAuthHandler>,
}

impl std::fmt::Debug for SessionBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionBuilder")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("keys", &self.keys.len())
            .field("host_keys", &self.host_keys)
            .finish_non_exhaustive()
    }
}

impl SessionBuilder {
    /// A connection to `host` (name or address) on port 22 as the current user.
    pub fn new(host: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            port: 22,
            user: std::env::var("USER").unwrap_or_default(),
            password: None,
            keys: Vec::new(),
            keyboard_interactive: false,
            mode: None,
            host_keys: None,
            prompt: None,
            timeout: Some(DEFAULT_TIMEOUT),
            transport: TransportConfig::default(),
            tuning: None,
            custom_auth: None,
        }
    }

    /// The TCP port.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The user to log on as.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = user.into();
        self
    }

    /// A password (for `password`, and for keyboard-interactive prompts that ask for it).
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(Zeroizing::new(password.into()));
        self
    }

    /// A private key for public-key authentication (several may be given, tried in order).
    pub fn private_key(mut self, key: PrivateKey) -> Self {
        self.keys.push(key);
        self
    }

    /// Loads a private key file in any format ssh-keys reads (OpenSSH, PEM, PKCS#8, PPK).
    pub fn private_key_file(
        self,
        path: impl AsRef<Path>,
        passphrase: Option<&str>,
    ) -> Result<Self> {
        let path = path.as_ref();
        let data = std::fs::read(path)
            .map_err(|e| Error::local(format!("read key {}", path.display()), e))?;
        match ssh_keys::decode_any(&data, passphrase.map(str::as_bytes)) {
            Ok(ssh_keys::LoadedKey::Private(key, _)) => Ok(self.private_key(*key)),
            Ok(ssh_keys::LoadedKey::Public(..)) => Err(Error::new(
                ErrorKind::InvalidState,
                code::INVALID_STATE,
                format!("{} holds a public key, not a private key", path.display()),
            )),
            Err(e) => Err(Error::new(
                ErrorKind::InvalidState,
                code::INVALID_STATE,
                format!("cannot load key {}: {e}", path.display()),
            )
            .with_source(e)),
        }
    }

    /// Allows keyboard-interactive authentication, answered by `handler` (prompts that ask
    /// for the password are answered with it when no handler is set).
    pub fn keyboard_interactive(mut self, handler: Option<PromptHandler>) -> Self {
        self.keyboard_interactive = true;
        self.prompt = handler;
        self
    }

    /// Forces one authentication mode (the seed's ssh_auth_mode); by default the mode follows
    /// the credentials given: keys, then password, then keyboard-interactive.
    pub fn auth_mode(mut self, mode: AuthMode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// How the server's host key is checked (required: there is no silent default).
    pub fn host_key_policy(mut self, policy: HostKeyPolicy) -> Self {
        self.host_keys = Some(policy);
        self
    }

    /// Accept only keys in this known_hosts file.
    pub fn known_hosts(self, path: impl Into<PathBuf>) -> Self {
        self.host_key_policy(HostKeyPolicy::KnownHosts(path.into()))
    }

    /// Accept any host key: anyone on the network path can then impersonate the server.
    pub fn accept_any_host_key_dangerously(self) -> Self {
        self.host_key_policy(HostKeyPolicy::AcceptAnyDangerously)
    }

    /// Inactivity timeout: a call fails with code 301 when the server sends nothing for this
    /// long (`None`: wait forever). Also bounds the TCP connect.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout.filter(|d| !d.is_zero());
        self
    }

    /// The transport settings (algorithm lists, strict kex, rekeying, keepalives).
    pub fn transport_config(mut self, config: TransportConfig) -> Self {
        self.transport = config;
        self
    }

    /// The transport settings, to adjust in place.
    pub fn transport_config_mut(&mut self) -> &mut TransportConfig {
        &mut self.transport
    }

    /// Adjusts the whole session configuration (auth, connection and close settings)
    /// just before connecting: the hook for settings that have no builder method.
    pub fn session_tuning(mut self, tuning: SessionTuning) -> Self {
        self.tuning = Some(tuning);
        self
    }

    /// Answers custom authentication (the seed's amCustom, 99): the handler gets each
    /// server packet (payload, message number first) and returns the next request payload,
    /// or `None` to give up.
    pub fn custom_auth(mut self, handler: CustomAuthHandler) -> Self {
        self.custom_auth = Some(handler);
        self
    }

    /// Connects, exchanges keys, checks the host key and authenticates.
    pub fn connect(self) -> Result<Session> {
        self.check_policy()?;
        let socket = connect_tcp(&self.host, self.port, self.timeout)?;
        self.connect_socket(socket)
    }

    /// Like [`connect`](Self::connect) over a socket that is already connected to the
    /// server, for instance through a proxy. The builder's host and port still name the
    /// server for known_hosts lookups.
    pub fn connect_socket(self, socket: TcpStream) -> Result<Session> {
        self.check_policy()?;
        let Some(host_keys) = self.host_keys else {
            return Err(Error::new(
                ErrorKind::InvalidState,
                code::INVALID_STATE,
                "no host key policy: give a known_hosts file, fingerprints, a callback, or \
                 accept_any_host_key_dangerously()",
            ));
        };
        let _ = socket.set_nodelay(true);
        let mode = self.mode.unwrap_or(if !self.keys.is_empty() {
            if self.password.is_some() || self.keyboard_interactive {
                AuthMode::MultiFactor
            } else {
                AuthMode::PublicKey
            }
        } else if self.password.is_some() && !self.keyboard_interactive {
            AuthMode::Password
        } else if self.keyboard_interactive {
            AuthMode::KeyboardInteractive
        } else {
            AuthMode::None
        });
        let mut auth = AuthConfig::new(self.user.clone(), mode);
        auth.password = self.password.clone();
        auth.keyboard_interactive |= self.keyboard_interactive;
        auth.try_all_methods = true;
        for key in self.keys {
            auth.keys.push(Box::new(KeySigner::new(key)));
        }
        let mut config = SessionConfig::new(auth);
        config.transport = self.transport;
        // A channel's window reopens only as its SFTP session takes the data
        // (`ChannelStream::recv`), so what waits in an inbox is bounded by the window: while
        // a striped transfer waits on one channel, the others hold at most a window each
        // instead of every reply the server has to send.
        config.connection.window_policy = WindowPolicy::OnConsume;
        if let Some(tuning) = self.tuning {
            tuning(&mut config);
        }
        let now = Instant::now();
        let driver = Driver {
            socket,
            core: ClientSession::new(config, now),
            tx: Vec::new(),
            timeout: self.timeout,
            socket_timeout: None,
            last_heard: now,
            host: self.host,
            port: self.port,
            host_keys,
            host_key: None,
            prompt: self.prompt,
            password: self.password,
            banner: None,
            channels: HashMap::new(),
            rekeys: 0,
            failed: None,
            custom_auth: self.custom_auth,
        };
        let mut session = Session {
            driver: Arc::new(Mutex::new(driver)),
        };
        session
            .lock()?
            .run_until(|d| Ok(d.core.is_authenticated()))?;
        session.check_alive()?;
        Ok(session)
    }
}

impl SessionBuilder {
    fn check_policy(&self) -> Result<()> {
        if self.host_keys.is_none() {
            return Err(Error::new(
                ErrorKind::InvalidState,
                code::INVALID_STATE,
                "no host key policy: give a known_hosts file, fingerprints, a callback, or \
                 accept_any_host_key_dangerously()",
            ));
        }
        Ok(())
    }
}

/// An authenticated SSH connection.
#[derive(Clone)]
pub struct Session {
    driver: Arc<Mutex<Driver>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").finish_non_exhaustive()
    }
}

impl Session {
    /// A builder for a connection to `host`.
    pub fn builder(host: impl Into<String>) -> SessionBuilder {
        SessionBuilder::new(host)
    }

    /// Opens a channel, starts the `sftp` subsystem on it, and negotiates SFTP.
    pub fn sftp(&self, config: SftpConfig) -> Result<Sftp> {
        let channel = {
            let mut d = self.lock()?;
            let ch = d.with_connection(|c| c.open_session())?;
            d.channels.insert(ch, ChannelState::default());
            d.run_until(|d| d.channel_state(ch).map(|s| s.opened))?;
            d.with_connection(|c| c.subsystem(ch, "sftp"))?;
            d.run_until(|d| d.channel_state(ch).map(|s| s.request_done))?;
            ch
        };
        let stream = ChannelStream {
            driver: self.driver.clone(),
            channel,
        };
        if config.download_channels.max(config.upload_channels) <= 1 {
            return Sftp::new(stream, config);
        }
        let session = self.clone();
        let lane_config = SftpConfig {
            download_channels: 1,
            upload_channels: 1,
            ..config.clone()
        };
        Sftp::with_lanes(
            stream,
            config,
            Box::new(move || session.sftp(lane_config.clone())),
        )
    }

    /// The server's host key, as accepted.
    pub fn host_key(&self) -> Result<Option<HostKey>> {
        Ok(self.lock()?.host_key.clone())
    }

    /// The server's identification string (the seed's ServerSSHVersionString).
    pub fn server_version(&self) -> Result<Option<String>> {
        Ok(self
            .lock()?
            .core
            .transport()
            .server_version()
            .map(str::to_owned))
    }

    /// Re-exchanges keys now (the seed's SSHKeyRenegotiate) and waits until the new keys are
    /// in use. Data of open channels keeps flowing across the exchange.
    pub fn renegotiate(&self) -> Result<()> {
        let mut d = self.lock()?;
        d.check()?;
        let before = d.rekeys;
        let r = d.core.request_rekey();
        r.map_err(|e| d.fail(session_error(e)))?;
        d.run_until(|d| Ok(d.rekeys > before))
    }

    /// Whether strict key exchange was negotiated (the seed's NegotiatedStrictKex).
    pub(crate) fn strict_kex(&self) -> Result<bool> {
        Ok(self.lock()?.core.transport().strict_kex())
    }

    /// The authentication banner the server sent, if any.
    pub fn banner(&self) -> Result<Option<String>> {
        Ok(self.lock()?.banner.clone())
    }

    /// Closes every channel and disconnects (the seed's ssh_logoff).
    pub fn disconnect(&self) -> Result<()> {
        let mut d = self.lock()?;
        if d.failed.is_some() {
            return Ok(());
        }
        d.core.logoff().map_err(session_error)?;
        // Wait (bounded by the session's own close timeout) until it has said goodbye.
        let _ = d.run_until(|d| Ok(d.failed.is_some()));
        let _ = d.flush();
        let _ = d.socket.shutdown(std::net::Shutdown::Both);
        Ok(())
    }

    fn check_alive(&mut self) -> Result<()> {
        match &self.lock()?.failed {
            Some(e) => Err(e.duplicate()),
            None => Ok(()),
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, Driver>> {
        lock(&self.driver)
    }
}

fn lock(driver: &Mutex<Driver>) -> Result<MutexGuard<'_, Driver>> {
    driver.lock().map_err(|_| {
        Error::new(
            ErrorKind::InvalidState,
            code::INVALID_STATE,
            "the SSH session was poisoned by a panic in another thread",
        )
    })
}

/// What the driver knows about one channel.
#[derive(Debug, Default)]
struct ChannelState {
    opened: bool,
    request_done: bool,
    inbox: VecDeque<Bytes>,
    eof: bool,
    closed: bool,
}

/// The socket, the sans-IO session and the loop between them.
struct Driver {
    socket: TcpStream,
    core: ClientSession,
    tx: Vec<u8>,
    timeout: Option<Duration>,
    /// The read timeout set on the socket (`None` until first set).
    socket_timeout: Option<Option<Duration>>,
    /// When the server last sent something (the inactivity timeout counts from here).
    last_heard: Instant,
    host: String,
    port: u16,
    host_keys: HostKeyPolicy,
    host_key: Option<HostKey>,
    prompt: Option<PromptHandler>,
    password: Option<Zeroizing<String>>,
    banner: Option<String>,
    channels: HashMap<ChannelId, ChannelState>,
    failed: Option<Error>,
    custom_auth: Option<CustomAuthHandler>,
    /// Key re-exchanges completed since the connection was made.
    rekeys: u64,
}

impl Driver {
    /// Runs the loop until `done` says so, the session fails, or the timeout passes.
    fn run_until(&mut self, mut done: impl FnMut(&mut Self) -> Result<bool>) -> Result<()> {
        loop {
            self.process_events()?;
            if done(self)? {
                self.flush()?;
                return Ok(());
            }
            self.flush()?;
            self.read_once()?;
        }
    }

    fn channel_state(&self, ch: ChannelId) -> Result<&ChannelState> {
        let state = self.channels.get(&ch).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidState,
                code::INVALID_STATE,
                "channel is not open",
            )
        })?;
        if state.closed && !state.opened {
            return Err(Error::new(
                ErrorKind::Protocol,
                1020,
                "the server refused to open a session channel",
            ));
        }
        Ok(state)
    }

    /// [`ClientSession::send_data_parts`], with errors mapped as [`Self::with_connection`]
    /// maps them.
    fn send_data_parts(&mut self, channel: ChannelId, parts: &[&[u8]]) -> Result<usize> {
        self.check()?;
        match self.core.send_data_parts(channel, parts) {
            Ok(n) => Ok(n),
            Err(SessionError::Connection(e)) => {
                let code = i32::try_from(e.seed_code()).unwrap_or(code::SSH_CONNECTION_FAILED);
                Err(Error::new(ErrorKind::Protocol, code, e.to_string()).with_source(e))
            }
            Err(e) => Err(self.fail(session_error(e))),
        }
    }

    fn with_connection<T>(
        &mut self,
        f: impl FnOnce(&mut ssh_connection::Connection) -> Result<T, ssh_connection::ConnectionError>,
    ) -> Result<T> {
        self.check()?;
        let Some(conn) = self.core.connection() else {
            return Err(Error::new(
                ErrorKind::InvalidState,
                code::INVALID_STATE,
                "not authenticated",
            ));
        };
        let out = f(conn).map_err(|e| {
            let code = i32::try_from(e.seed_code()).unwrap_or(code::SSH_CONNECTION_FAILED);
            Error::new(ErrorKind::Protocol, code, e.to_string()).with_source(e)
        })?;
        self.core.pump().map_err(|e| self.fail(session_error(e)))?;
        Ok(out)
    }

    /// Writes everything the session queued.
    fn flush(&mut self) -> Result<()> {
        self.core.poll_transmit(&mut self.tx);
        if self.tx.is_empty() {
            return Ok(());
        }
        let written = self.socket.write_all(&self.tx);
        self.tx.clear();
        written.map_err(|e| {
            self.fail(
                Error::connection_lost(format!("sending to the server failed: {e}")).with_source(e),
            )
        })
    }

    /// Makes the socket's read wait at most `wait`. A shorter timeout already set is kept
    /// (waking early is harmless: the deadlines are checked against the clock), and a new
    /// one is set to half the wait, so a transfer does not pay a system call per read.
    fn set_socket_timeout(&mut self, wait: Option<Duration>) -> Result<()> {
        let keep = match (self.socket_timeout, wait) {
            (Some(Some(current)), Some(wait)) => current <= wait,
            (Some(None), None) => true,
            _ => false,
        };
        if keep {
            return Ok(());
        }
        let set = wait.map(|w| (w / 2).max(Duration::from_millis(1)));
        self.socket
            .set_read_timeout(set)
            .map_err(|e| Error::connection_lost(format!("socket: {e}")))?;
        self.socket_timeout = Some(set);
        Ok(())
    }

    /// Waits for bytes (or the session's next deadline) and feeds them in.
    fn read_once(&mut self) -> Result<()> {
        self.check()?;
        let started = Instant::now();
        let inactivity = self.timeout.map(|t| self.last_heard + t);
        let deadline = [self.core.poll_timeout(), inactivity]
            .into_iter()
            .flatten()
            .min();
        let wait = deadline.map(|d| {
            d.saturating_duration_since(started)
                .max(Duration::from_millis(1))
        });
        self.set_socket_timeout(wait)?;
        // Read straight into the transport's receive buffer: no copy on the way in.
        match self.socket.read(self.core.recv_buffer(READ_CHUNK)) {
            Ok(0) => {
                self.core.handle_eof();
                self.process_events()?;
                Err(self.fail(Error::connection_lost("the server closed the connection")))
            }
            Ok(n) => {
                self.last_heard = Instant::now();
                quick_ack(&self.socket);
                let r = self.core.handle_received(n);
                r.map_err(|e| self.fail(session_error(e)))
            }
            Err(e)
                if e.kind() == io::ErrorKind::WouldBlock || e.kind() == io::ErrorKind::TimedOut =>
            {
                let now = Instant::now();
                if inactivity.is_some_and(|t| now >= t) {
                    return Err(self.fail(Error::new(
                        ErrorKind::Timeout,
                        code::TIMEOUT,
                        "timed out: the server sent nothing",
                    )));
                }
                let r = self.core.handle_timeout(now);
                r.map_err(|e| self.fail(session_error(e)))
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(e) => Err(self.fail(
                Error::connection_lost(format!("receiving from the server failed: {e}"))
                    .with_source(e),
            )),
        }
    }

    /// Handles everything the session reported.
    fn process_events(&mut self) -> Result<()> {
        while let Some(event) = self.core.poll_event() {
            match event {
                SessionEvent::HostKey(info) => {
                    let key = HostKey {
                        key: info.key,
                        algorithm: info.algorithm.to_owned(),
                    };
                    let verdict = self.check_host_key(&key);
                    match verdict {
                        Ok(()) => {
                            self.host_key = Some(key);
                            let r = self.core.accept_host_key();
                            r.map_err(|e| self.fail(session_error(e)))?;
                        }
                        Err(e) => {
                            self.core.reject_host_key();
                            let _ = self.flush();
                            return Err(self.fail(e));
                        }
                    }
                }
                SessionEvent::Auth(AuthEvent::Banner { message, .. }) => {
                    self.banner = Some(message);
                }
                SessionEvent::Auth(AuthEvent::Prompt(prompt)) => self.answer_prompt(&prompt)?,
                SessionEvent::Auth(AuthEvent::PasswordChangeRequired { prompt, .. }) => {
                    if let Some(auth) = self.core.auth() {
                        let _ = auth.decline_password_change();
                    }
                    let _ = self.core.pump();
                    return Err(self.fail(Error::new(
                        ErrorKind::InvalidState,
                        1032,
                        format!("the server requires a password change: {prompt}"),
                    )));
                }
                SessionEvent::Auth(AuthEvent::CustomPacket { packet }) => {
                    let reply = self.custom_auth.as_mut().and_then(|h| h(&packet));
                    let Some(reply) = reply else {
                        return Err(self.fail(Error::new(
                            ErrorKind::InvalidState,
                            1032,
                            "custom authentication: no reply to the server's packet",
                        )));
                    };
                    if let Some(auth) = self.core.auth() {
                        auth.send_custom(&reply).map_err(|e| {
                            Error::new(ErrorKind::InvalidState, 1032, e.to_string())
                        })?;
                    }
                    self.core.pump().map_err(|e| self.fail(session_error(e)))?;
                }
                SessionEvent::Auth(_) | SessionEvent::Authenticated => {}
                SessionEvent::Channel(event) => self.channel_event(event),
                SessionEvent::Rekeyed => self.rekeys = self.rekeys.saturating_add(1),
                SessionEvent::Debug(_) => {}
                SessionEvent::Closed(e) => return Err(self.fail(session_error(e))),
            }
        }
        self.check()
    }

    fn channel_event(&mut self, event: ConnectionEvent) {
        match event {
            ConnectionEvent::ChannelOpened { channel, .. } => {
                self.channels.entry(channel).or_default().opened = true;
            }
            ConnectionEvent::ChannelOpenFailed { channel, .. } => {
                self.channels.entry(channel).or_default().closed = true;
            }
            ConnectionEvent::Data { channel, data } => {
                self.channels
                    .entry(channel)
                    .or_default()
                    .inbox
                    .push_back(data);
            }
            ConnectionEvent::ExtendedData { channel, data, .. } => {
                // The subsystem's stderr is not read (OpenSSH's sshd drops it; other
                // servers forward it): count it as consumed at once so it cannot use up the
                // window the SFTP replies need.
                let _ = self.with_connection(|c| c.consume(channel, data.len()));
            }
            ConnectionEvent::RequestSucceeded { channel, .. } => {
                self.channels.entry(channel).or_default().request_done = true;
            }
            ConnectionEvent::RequestFailed { channel, .. } => {
                let state = self.channels.entry(channel).or_default();
                state.request_done = true;
                state.closed = true;
            }
            ConnectionEvent::Eof { channel } => {
                self.channels.entry(channel).or_default().eof = true;
            }
            ConnectionEvent::Closed { channel } => {
                let state = self.channels.entry(channel).or_default();
                state.eof = true;
                state.closed = true;
            }
            _ => {}
        }
    }

    fn answer_prompt(&mut self, prompt: &Prompt) -> Result<()> {
        let response = if let Some(handler) = &mut self.prompt {
            handler(prompt)
        } else if prompt.prefilled {
            None
        } else if !prompt.echo && prompt.prompt.to_ascii_lowercase().contains("password") {
            self.password.as_ref().map(|p| p.to_string())
        } else {
            None
        };
        let Some(auth) = self.core.auth() else {
            return Ok(());
        };
        let mut r = Ok(());
        if let Some(response) = response {
            r = auth.set_prompt_response(prompt.index, &response);
        } else if !prompt.prefilled {
            // Nothing to answer with: an empty response ends this method (the server then
            // reports failure with the methods still allowed).
            r = auth.set_prompt_response(prompt.index, "");
        }
        if r.is_ok() && prompt.index.saturating_add(1) >= prompt.count {
            r = auth.send_prompt_responses();
        }
        r.map_err(|e| {
            let code = i32::try_from(e.seed_code()).unwrap_or(1032);
            Error::new(ErrorKind::InvalidState, code, e.to_string())
        })?;
        self.core.pump().map_err(|e| self.fail(session_error(e)))
    }

    fn check_host_key(&mut self, key: &HostKey) -> Result<()> {
        let rejected = |why: String| Error::new(ErrorKind::InvalidState, 1030, why);
        match &mut self.host_keys {
            HostKeyPolicy::AcceptAnyDangerously => Ok(()),
            HostKeyPolicy::Fingerprints(list) => {
                if list.iter().any(|fp| key.matches_fingerprint(fp)) {
                    Ok(())
                } else {
                    Err(rejected(format!(
                        "host key {} ({}) is not among the accepted fingerprints",
                        key.fingerprint(),
                        key.key.key_type()
                    )))
                }
            }
            HostKeyPolicy::Callback(f) => {
                if f(key) {
                    Ok(())
                } else {
                    Err(rejected(format!(
                        "host key {} was rejected by the callback",
                        key.fingerprint()
                    )))
                }
            }
            HostKeyPolicy::KnownHosts(path) => {
                let text = std::fs::read_to_string(&*path).map_err(|e| {
                    rejected(format!("cannot read known_hosts {}: {e}", path.display()))
                })?;
                match KnownHosts::parse(&text).lookup(&self.host, self.port, &key.key) {
                    HostKeyStatus::Known => Ok(()),
                    HostKeyStatus::Changed => Err(rejected(format!(
                        "HOST KEY CHANGED for {}: {} does not match {}; someone may be \
                         intercepting the connection",
                        self.host,
                        key.fingerprint(),
                        path.display()
                    ))),
                    HostKeyStatus::Revoked => Err(rejected(format!(
                        "host key {} is marked @revoked in {}",
                        key.fingerprint(),
                        path.display()
                    ))),
                    HostKeyStatus::Unknown => Err(rejected(format!(
                        "host {} is not in {} (key {} {})",
                        self.host,
                        path.display(),
                        key.key.key_type(),
                        key.fingerprint()
                    ))),
                }
            }
        }
    }

    fn check(&self) -> Result<()> {
        match &self.failed {
            Some(e) => Err(e.duplicate()),
            None => Ok(()),
        }
    }

    fn fail(&mut self, e: Error) -> Error {
        if self.failed.is_none() {
            self.failed = Some(e.duplicate());
        }
        e
    }
}

/// An SSH session failure as the public error, with the documented code.
fn session_error(e: SessionError) -> Error {
    let code = i32::try_from(e.seed_code()).unwrap_or(code::SSH_CONNECTION_FAILED);
    let kind = match code {
        1030 | 1032 => ErrorKind::InvalidState,
        1001 => ErrorKind::ConnectionLost,
        _ => ErrorKind::Protocol,
    };
    Error::new(kind, code, e.to_string()).with_source(e)
}

fn connect_tcp(host: &str, port: u16, timeout: Option<Duration>) -> Result<TcpStream> {
    let addrs: Vec<_> = (host, port)
        .to_socket_addrs()
        .map_err(|e| {
            Error::new(
                ErrorKind::ConnectionLost,
                11001,
                format!("cannot resolve {host}: {e}"),
            )
            .with_source(e)
        })?
        .collect();
    let mut last = None;
    for addr in addrs {
        let attempt = match timeout {
            Some(t) => TcpStream::connect_timeout(&addr, t),
            None => TcpStream::connect(addr),
        };
        match attempt {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Err(e) => last = Some(e),
        }
    }
    let e = last.unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address"));
    let code = match e.kind() {
        io::ErrorKind::ConnectionRefused => 10061,
        io::ErrorKind::TimedOut => 10060,
        _ => code::SSH_CONNECTION_FAILED,
    };
    Err(Error::new(
        ErrorKind::ConnectionLost,
        code,
        format!("cannot connect to {host}:{port}: {e}"),
    )
    .with_source(e))
}

/// `parts` without their first `n` bytes.
fn skip_parts<'a>(parts: &[&'a [u8]], mut n: usize) -> Vec<&'a [u8]> {
    let mut rest = Vec::with_capacity(parts.len());
    for part in parts {
        if n >= part.len() {
            n -= part.len();
        } else {
            rest.push(part.get(n..).unwrap_or_default());
            n = 0;
        }
    }
    rest
}

/// Asks the kernel to acknowledge what arrives at once rather than after its delayed-ACK
/// timer (40 ms). sshd does not set `TCP_NODELAY` on non-interactive sessions, so Nagle's
/// algorithm holds back a second small message of the server's (say CHANNEL_OPEN_CONFIRMATION
/// after the hostkeys-00 request) until the first is acknowledged; a client that has
/// nothing to send meanwhile stalled 44 ms on every connect. The flag does not stick (the
/// kernel drops back to delayed ACKs on its own), hence after every read. It also took
/// 5-10 % off bulk downloads here, for the same reason.
fn quick_ack(socket: &TcpStream) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let _ = socket2::SockRef::from(socket).set_quickack(true);
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = socket;
}

/// The SFTP byte stream over one SSH channel.
struct ChannelStream {
    driver: Arc<Mutex<Driver>>,
    channel: ChannelId,
}

impl SftpStream for ChannelStream {
    fn send_parts(&mut self, parts: &[&[u8]]) -> io::Result<()> {
        let mut d = lock(&self.driver)?;
        let ch = self.channel;
        let total = parts.iter().map(|p| p.len()).sum::<usize>();
        let mut sent = 0;
        while sent < total {
            let rest = skip_parts(parts, sent);
            let n = d.send_data_parts(ch, &rest)?;
            sent = sent.saturating_add(n);
            if n == 0 {
                // The server's window is full: read until it opens.
                d.flush()?;
                d.read_once()?;
                d.process_events()?;
                if d.channel_state(ch)?.closed {
                    return Err(io::Error::new(
                        io::ErrorKind::BrokenPipe,
                        "the SFTP channel was closed",
                    ));
                }
            }
        }
        d.flush()?;
        Ok(())
    }

    fn send(&mut self, data: &[u8]) -> io::Result<()> {
        self.send_parts(&[data])
    }

    fn recv(&mut self, sink: &mut dyn FnMut(&[u8])) -> io::Result<usize> {
        self.recv_bytes(&mut |chunk| sink(&chunk))
    }

    fn recv_bytes(&mut self, sink: &mut dyn FnMut(Bytes)) -> io::Result<usize> {
        let mut d = lock(&self.driver)?;
        let ch = self.channel;
        loop {
            let mut taken = 0usize;
            if let Some(state) = d.channels.get_mut(&ch) {
                // The channel's pieces go to the SFTP deframer as they are (no copy),
                // about a packet's worth at a time: the window reopens as the SFTP layer
                // takes data, so a channel whose turn has not come keeps its backlog.
                while taken < RECV_BATCH {
                    let Some(chunk) = state.inbox.pop_front() else {
                        break;
                    };
                    taken = taken.saturating_add(chunk.len());
                    sink(chunk);
                }
                if taken == 0 && state.eof {
                    return Ok(0);
                }
            }
            if taken > 0 {
                // Let the window reopen as the data is consumed.
                d.with_connection(|c| c.consume(ch, taken))?;
                d.flush()?;
                return Ok(taken);
            }
            d.flush()?;
            d.read_once()?;
            d.process_events()?;
        }
    }

    fn close(&mut self) -> io::Result<()> {
        let mut d = lock(&self.driver)?;
        let ch = self.channel;
        if d.failed.is_none() {
            d.with_connection(|c| c.close(ch))?;
            d.flush()?;
        }
        Ok(())
    }
}
