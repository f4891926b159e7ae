//! `ClientSession`: transport + userauth + channels as one sans-IO session with one event
//! stream and one deadline.
//!
//! ```text
//!  Handshake ──KexDone(initial)──► Auth(AuthClient) ──USERAUTH_SUCCESS──► Connected(Connection)
//!      │ HostKey event: accept_host_key / reject_host_key            │ logoff(): close channels,
//!      ▼                                                             ▼ then DISCONNECT 11
//!   Closed ◄──────────────── any fatal error (DISCONNECT with its reason) ──────────── Closed
//! ```
//!
//! Routing of upper-layer payloads: 5, 6 and 50–79 go to the auth machine while it runs
//! (after success they are protocol errors, ROBUSTNESS A7); 80–127 go to the connection
//! layer only after authentication (before it: protocol error, C7). Numbers no layer
//! speaks are answered with SSH_MSG_UNIMPLEMENTED carrying the packet's sequence number
//! (RFC 4253 §11.4, ROBUSTNESS T8) through [`ClientTransport::reject_last_payload`], and
//! the session goes on: 128–255 in any phase (RFC 4250 §4.1.2 reserves them for client
//! protocols and local extensions), and, after authentication, numbers in 80–127 that
//! RFC 4254 §9 leaves unassigned. The transport answers numbers below 50 it does not know
//! itself.
//! The phase switches to Connected as soon as USERAUTH_SUCCESS is handled, so a
//! GLOBAL_REQUEST or CHANNEL_OPEN in the same read as the success reaches the connection.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use ssh_auth::{AuthClient, AuthConfig, AuthError, AuthEvent};
use ssh_transport::{
    ClientTransport, DisconnectReason, HostKeyInfo, KexCause, KexError, TransportConfig,
    TransportError, TransportEvent,
};

use crate::{ChannelId, Connection, ConnectionConfig, ConnectionError, ConnectionEvent};

/// Everything a session needs.
#[derive(Debug)]
pub struct SessionConfig {
    /// Algorithms, rekeying, keepalives, timeouts of the transport.
    pub transport: TransportConfig,
    /// Who to log on as and how.
    pub auth: AuthConfig,
    /// MaxWindowSize, MaxPacketSize, window policy.
    pub connection: ConnectionConfig,
    /// How long authentication may take after the key exchange (A7).
    pub auth_timeout: Option<Duration>,
    /// The seed's WaitForChannelClose: on logoff, wait for the server's CLOSE of every
    /// channel (up to `close_timeout`) before sending DISCONNECT.
    pub wait_for_channel_close: bool,
    /// How long logoff waits for channel closes.
    pub close_timeout: Duration,
    /// The seed's WaitForServerDisconnect: after our DISCONNECT the driver should read
    /// until the server closes the socket (see [`ClientSession::wait_for_server_disconnect`]).
    pub wait_for_server_disconnect: bool,
}

impl SessionConfig {
    /// Defaults around `auth`: 120 s to authenticate, WaitForChannelClose on (5 s),
    /// WaitForServerDisconnect off, as the seed documents.
    pub fn new(auth: AuthConfig) -> Self {
        Self {
            transport: TransportConfig::default(),
            auth,
            connection: ConnectionConfig::default(),
            auth_timeout: Some(Duration::from_secs(120)),
            wait_for_channel_close: true,
            close_timeout: Duration::from_secs(5),
            wait_for_server_disconnect: false,
        }
    }
}

/// Why the session ended.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The transport failed or the server disconnected.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// Authentication failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The connection layer failed.
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    /// A message arrived in a phase where its layer is not running (channel messages
    /// before authentication, userauth messages after it).
    #[error("message {msg} not allowed {phase}")]
    OutOfPhase {
        /// The message number.
        msg: u8,
        /// Where we were.
        phase: &'static str,
    },
    /// The caller used the session out of order (a local bug).
    #[error("session not ready: {0}")]
    NotReady(&'static str),
}

impl SessionError {
    /// The seed's error code ("SSHClient errors"): transport failures by cause (see
    /// `transport_seed_code`), 1032 authentication failed, 1020–1023 channel errors,
    /// 1023 for a message out of phase, 1036 for local misuse.
    pub fn seed_code(&self) -> u32 {
        match self {
            Self::Transport(e) => transport_seed_code(e),
            Self::Auth(e) => e.seed_code(),
            Self::Connection(e) => e.seed_code(),
            Self::OutOfPhase { .. } => 1023,
            Self::NotReady(_) => 1036,
        }
    }
}

/// The seed's code for a transport failure: 1001 server disconnected, 1002 version string,
/// 1003 no acceptable algorithm set, 1005 unsupported method, 1006 key setup, 1015
/// decryption/MAC, 1016 (de)compression, 1030 host key rejected by the caller, 1031 host
/// key not verifiable, 1034 Diffie-Hellman, 1038 elliptic-curve Diffie-Hellman, 1036
/// everything else (malformed or unexpected packets, timeouts, our own close).
fn transport_seed_code(e: &TransportError) -> u32 {
    match e {
        TransportError::Disconnected { .. } => 1001,
        TransportError::BadIdentification { .. } | TransportError::VersionMismatch { .. } => 1002,
        // Strict kex required or Terrapin-affected: the negotiated set is unacceptable.
        TransportError::NoCommonAlgorithm { .. }
        | TransportError::StrictKexRequired
        | TransportError::TerrapinVulnerable { .. } => 1003,
        TransportError::KeySetup { .. } => 1006,
        TransportError::MacMismatch { .. } => 1015,
        TransportError::Decompression(_) => 1016,
        TransportError::Kex(k) => kex_seed_code(k),
        TransportError::BadPacketLength { .. }
        | TransportError::PacketTooLarge { .. }
        | TransportError::BadPadding { .. }
        | TransportError::SequenceWrap
        | TransportError::Decode { .. }
        | TransportError::UnexpectedMessage { .. }
        | TransportError::StrictKexViolation { .. }
        | TransportError::ExtInfo { .. }
        | TransportError::Closed
        | TransportError::Timeout { .. }
        | TransportError::QueueFull { .. }
        | TransportError::PayloadTooLarge { .. }
        | TransportError::NotUpperLayerMessage { .. }
        | TransportError::NoPayloadToReject => 1036,
    }
}

/// Whether `ty` is one of the RFC 4254 §9 numbers the connection layer handles; for the
/// rest of 80–127 it emits [`ConnectionEvent::Unimplemented`] (both follow `MsgType`'s
/// table).
fn is_connection_message(ty: u8) -> bool {
    crate::msg::MsgType(ty).name().is_some()
}

fn kex_seed_code(e: &KexError) -> u32 {
    match e {
        KexError::HostKeyRejected => 1030,
        KexError::SignatureInvalid { .. }
        | KexError::BadHostKey { .. }
        | KexError::HostKeyTypeMismatch { .. }
        | KexError::HostKeyChanged => 1031,
        // Only classic DH negotiates groups (RFC 4419).
        KexError::BadGroup { .. } => 1034,
        KexError::BadPeerPublicKey { method, .. } => {
            if method.starts_with("diffie-hellman") {
                1034
            } else if method.starts_with("ecdh-sha2-")
                || method.starts_with("curve25519")
                || method.starts_with("curve448")
            {
                1038
            } else {
                // Post-quantum hybrids (sntrup761x25519, mlkem768x25519): the error does
                // not say which half failed.
                1036
            }
        }
        KexError::Unsupported(_) => 1005,
        KexError::Rng => 1036,
    }
}

/// The one event stream of a session.
#[derive(Debug)]
pub enum SessionEvent {
    /// The server's host key: verify it (known_hosts, fingerprint) and call
    /// [`ClientSession::accept_host_key`] or [`ClientSession::reject_host_key`].
    HostKey(HostKeyInfo),
    /// Something from authentication: banner, prompts, password change, custom packets,
    /// per-request failures, success. Answer through [`ClientSession::auth`].
    Auth(AuthEvent),
    /// Authentication is complete; channels may be opened through
    /// [`ClientSession::connection`].
    Authenticated,
    /// Something from a channel or the connection layer.
    Channel(ConnectionEvent),
    /// SSH_MSG_DEBUG text from the server.
    Debug(String),
    /// A key re-exchange completed (data keeps flowing across it).
    Rekeyed,
    /// The session is over (once): the error, or [`TransportError::Closed`] after our own
    /// logoff.
    Closed(SessionError),
}

enum Phase {
    Handshake { auth: Box<AuthConfig> },
    Auth(Box<AuthClient>),
    Connected(Box<Connection>),
    Done,
}

/// The composed sans-IO client session.
pub struct ClientSession {
    transport: ClientTransport,
    phase: Phase,
    connection_config: ConnectionConfig,
    auth_timeout: Option<Duration>,
    wait_for_channel_close: bool,
    close_timeout: Duration,
    wait_for_server_disconnect: bool,
    server_sig_algs: Option<Vec<String>>,
    events: VecDeque<SessionEvent>,
    now: Instant,
    /// Logoff in progress: DISCONNECT once channels are closed or at this deadline.
    logoff_deadline: Option<Instant>,
    error: Option<SessionError>,
    closed_reported: bool,
}

impl std::fmt::Debug for ClientSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSession")
            .field("phase", &self.phase_name())
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl ClientSession {
    /// A session that starts with our version line and KEXINIT.
    pub fn new(config: SessionConfig, now: Instant) -> Self {
        Self {
            transport: ClientTransport::new(config.transport, now),
            phase: Phase::Handshake {
                auth: Box::new(config.auth),
            },
            connection_config: config.connection,
            auth_timeout: config.auth_timeout,
            wait_for_channel_close: config.wait_for_channel_close,
            close_timeout: config.close_timeout,
            wait_for_server_disconnect: config.wait_for_server_disconnect,
            server_sig_algs: None,
            events: VecDeque::new(),
            now,
            logoff_deadline: None,
            error: None,
            closed_reported: false,
        }
    }

    /// Feeds bytes from the socket.
    pub fn handle_input(&mut self, data: &[u8]) -> Result<(), SessionError> {
        self.sticky()?;
        let r = self
            .transport
            .handle_input(data)
            .map_err(SessionError::from);
        self.after(r)
    }

    /// Room to read at least `min` bytes from the socket into, without a copy; report
    /// what was read with [`Self::handle_received`]. See
    /// [`ssh_transport::ClientTransport::recv_buffer`].
    pub fn recv_buffer(&mut self, min: usize) -> &mut [u8] {
        self.transport.recv_buffer(min)
    }

    /// Processes `n` bytes read into [`Self::recv_buffer`]; like [`Self::handle_input`].
    pub fn handle_received(&mut self, n: usize) -> Result<(), SessionError> {
        self.sticky()?;
        let r = self
            .transport
            .handle_received(n)
            .map_err(SessionError::from);
        self.after(r)
    }

    /// Sends as much of the concatenation of `parts` on `channel` as its window allows,
    /// framing CHANNEL_DATA straight into the transport's packet buffer (the data is
    /// copied once, into the packet it is encrypted in); returns how many bytes were
    /// taken, 0 when the window is shut. Messages already queued go first. While a key
    /// exchange runs, the data takes the connection's buffered path instead.
    pub fn send_data_parts(
        &mut self,
        channel: ChannelId,
        parts: &[&[u8]],
    ) -> Result<usize, SessionError> {
        self.sticky()?;
        // Route what is pending first (queued messages go out before this data); a
        // failure there fails the session as everywhere else.
        self.after(Ok(()))?;
        let direct = self.transport.can_send();
        let Phase::Connected(c) = &mut self.phase else {
            return Err(SessionError::NotReady("no connection yet"));
        };
        if !direct || c.queued_bytes() > 0 {
            let mut taken = 0usize;
            for part in parts {
                let n = c.send_data(channel, part)?;
                taken = taken.saturating_add(n);
                if n < part.len() {
                    break;
                }
            }
            self.after(Ok(()))?;
            return Ok(taken);
        }
        let total = parts.iter().fold(0usize, |n, p| n.saturating_add(p.len()));
        // One message at a time, each granted from the window just before it is sealed: if
        // sealing starts a rekey, the rest waits (the caller sends it again) rather than
        // filling the transport's bounded queue.
        let max_piece = c.grant_data(channel, 0)?.max_piece;
        let mut cursor = Parts::new(parts);
        let mut taken = 0usize;
        let mut r = Ok(());
        while taken < total && self.transport.can_send() {
            let Phase::Connected(c) = &mut self.phase else {
                break;
            };
            let grant = c.grant_data(channel, total.saturating_sub(taken).min(max_piece))?;
            if grant.take == 0 {
                break;
            }
            let len = u32::try_from(grant.take).unwrap_or(u32::MAX);
            r = self
                .transport
                .send_appending(DATA_HEADER_LEN.saturating_add(grant.take), |out| {
                    // RFC 4254 §5.2: byte CHANNEL_DATA, uint32 recipient, string data.
                    let [r0, r1, r2, r3] = grant.recipient.to_be_bytes();
                    let [l0, l1, l2, l3] = len.to_be_bytes();
                    out.extend_from_slice(&[CHANNEL_DATA, r0, r1, r2, r3, l0, l1, l2, l3]);
                    cursor.append_to(out, grant.take);
                })
                .map_err(SessionError::from);
            if r.is_err() {
                break;
            }
            taken = taken.saturating_add(grant.take);
        }
        self.after(r)?;
        Ok(taken)
    }

    /// The socket reached EOF.
    pub fn handle_eof(&mut self) {
        if self.error.is_none() {
            let e = match self.phase {
                Phase::Done => TransportError::Closed,
                _ => TransportError::Disconnected {
                    reason: DisconnectReason::CONNECTION_LOST,
                    description: "connection closed by the server".to_owned(),
                },
            };
            self.fail(SessionError::Transport(e));
        }
    }

    /// Tells the session the time; fires deadlines.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), SessionError> {
        self.sticky()?;
        self.now = now;
        let mut r = self
            .transport
            .handle_timeout(now)
            .map_err(SessionError::from);
        if r.is_ok() {
            if let Phase::Auth(auth) = &mut self.phase {
                r = auth.handle_timeout(now).map_err(SessionError::from);
            }
        }
        if r.is_ok() && self.logoff_deadline.is_some_and(|d| now >= d) {
            self.finish_logoff();
        }
        self.after(r)
    }

    /// Bytes to write to the socket, appended to `out`.
    pub fn poll_transmit(&mut self, out: &mut Vec<u8>) -> usize {
        self.transport.poll_transmit(out)
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<SessionEvent> {
        if let Some(ev) = self.events.pop_front() {
            return Some(ev);
        }
        match &self.error {
            Some(e) if !self.closed_reported => {
                self.closed_reported = true;
                Some(SessionEvent::Closed(e.clone()))
            }
            _ => None,
        }
    }

    /// The earliest deadline to report through [`handle_timeout`](Self::handle_timeout).
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.error.is_some() {
            return None;
        }
        let auth = match &self.phase {
            Phase::Auth(a) => a.poll_timeout(),
            _ => None,
        };
        [self.transport.poll_timeout(), auth, self.logoff_deadline]
            .into_iter()
            .flatten()
            .min()
    }

    /// Accepts the host key of the last [`SessionEvent::HostKey`].
    pub fn accept_host_key(&mut self) -> Result<(), SessionError> {
        self.sticky()?;
        let r = self.transport.accept_host_key().map_err(SessionError::from);
        self.after(r)
    }

    /// Rejects the host key: the session ends with the seed's 1030.
    pub fn reject_host_key(&mut self) {
        self.transport.reject_host_key();
        let r = self
            .transport
            .error()
            .cloned()
            .map_or(Ok(()), |e| Err(e.into()));
        let _ = self.after(r);
    }

    /// The auth machine while authentication runs: answer prompts, password changes and
    /// custom packets through it, then call [`pump`](Self::pump).
    pub fn auth(&mut self) -> Option<&mut AuthClient> {
        match &mut self.phase {
            Phase::Auth(a) => Some(a),
            _ => None,
        }
    }

    /// The connection layer after authentication: open channels, send data, then call
    /// [`pump`](Self::pump).
    pub fn connection(&mut self) -> Option<&mut Connection> {
        match &mut self.phase {
            Phase::Connected(c) => Some(c),
            _ => None,
        }
    }

    /// Moves what commands on [`auth`](Self::auth) or [`connection`](Self::connection)
    /// queued into the transport, and collects their events.
    pub fn pump(&mut self) -> Result<(), SessionError> {
        self.sticky()?;
        self.after(Ok(()))
    }

    /// Whether authentication has succeeded.
    pub fn is_authenticated(&self) -> bool {
        matches!(self.phase, Phase::Connected(_))
    }

    /// The transport (negotiated algorithms, server version, session id).
    pub fn transport(&self) -> &ClientTransport {
        &self.transport
    }

    /// The seed's WaitForServerDisconnect: after logoff, read until the server closes.
    pub fn wait_for_server_disconnect(&self) -> bool {
        self.wait_for_server_disconnect
    }

    /// The seed's SSHKeyRenegotiate: starts a key re-exchange. Channel data keeps flowing
    /// (held in the connection's buffer while the exchange runs); a
    /// [`SessionEvent::Rekeyed`] reports its completion. Asked for before the initial
    /// exchange is done, it starts once that one completes.
    pub fn request_rekey(&mut self) -> Result<(), SessionError> {
        self.sticky()?;
        let r = self.transport.request_rekey().map_err(SessionError::from);
        self.after(r)
    }

    /// Logs off (the seed's ssh_logoff): closes every channel and, once the server has
    /// closed them too (WaitForChannelClose) or at once, sends DISCONNECT 11.
    pub fn logoff(&mut self) -> Result<(), SessionError> {
        self.sticky()?;
        if let Phase::Connected(conn) = &mut self.phase {
            if self.wait_for_channel_close && conn.has_channels() {
                conn.close_all()?;
                self.logoff_deadline = Some(self.now + self.close_timeout);
                return self.after(Ok(()));
            }
        }
        self.finish_logoff();
        Ok(())
    }

    // ---- internals ---------------------------------------------------------------------------

    fn finish_logoff(&mut self) {
        self.logoff_deadline = None;
        self.transport
            .disconnect(DisconnectReason::BY_APPLICATION, "logged off");
        self.phase = Phase::Done;
        self.fail(SessionError::Transport(TransportError::Closed));
    }

    /// After every input or command: route transport events, move payloads between the
    /// layers, collect events. Fails the session on the first fatal error.
    fn after(&mut self, r: Result<(), SessionError>) -> Result<(), SessionError> {
        let r = r.and_then(|()| self.route());
        match r {
            Ok(()) => Ok(()),
            Err(e @ SessionError::Connection(ConnectionError::Usage(_))) => Err(e),
            Err(e @ SessionError::Auth(AuthError::Usage(_))) => Err(e),
            Err(e) => {
                self.fail(e.clone());
                Err(e)
            }
        }
    }

    fn route(&mut self) -> Result<(), SessionError> {
        loop {
            let mut progressed = false;
            while let Some(ev) = self.transport.poll_event() {
                progressed = true;
                match ev {
                    TransportEvent::HostKey(info) => {
                        self.events.push_back(SessionEvent::HostKey(info))
                    }
                    TransportEvent::KexDone { cause } => {
                        if cause != KexCause::Initial {
                            self.events.push_back(SessionEvent::Rekeyed);
                        } else {
                            let session_id =
                                self.transport.session_id().unwrap_or_default().to_vec();
                            if let Phase::Handshake { auth } =
                                std::mem::replace(&mut self.phase, Phase::Done)
                            {
                                let mut client = AuthClient::new(
                                    *auth,
                                    &session_id,
                                    self.server_sig_algs.clone(),
                                )?;
                                client.set_deadline(self.auth_timeout.map(|d| self.now + d));
                                self.phase = Phase::Auth(Box::new(client));
                            }
                        }
                    }
                    TransportEvent::ExtInfo(info) => {
                        self.server_sig_algs = info.server_sig_algs();
                        if let Phase::Auth(a) = &mut self.phase {
                            a.set_server_sig_algs(self.server_sig_algs.clone());
                        }
                    }
                    TransportEvent::Debug { message, .. } => {
                        self.events.push_back(SessionEvent::Debug(message));
                    }
                    TransportEvent::Unimplemented { .. } => {}
                    TransportEvent::Closed(e) => return Err(e.into()),
                    TransportEvent::Payload(payload) => {
                        let ty = payload.first().copied().unwrap_or(0);
                        match (&mut self.phase, ty) {
                            (Phase::Auth(a), 5 | 6 | 50..=79) => {
                                a.handle_payload(payload)?;
                                // Switch to Connected before the next payload is routed:
                                // servers send GLOBAL_REQUEST (e.g. ProFTPD's
                                // hostkeys-00@openssh.com) right behind USERAUTH_SUCCESS,
                                // often in the same read, and RFC 4252 §5.1 makes the
                                // connection protocol live from that message on.
                                if a.is_authenticated() {
                                    self.flush()?;
                                }
                            }
                            (Phase::Connected(c), 80..=127) => {
                                c.handle_payload(payload)?;
                                // The connection reports an unassigned number as
                                // ConnectionEvent::Unimplemented (for logs); the answer
                                // goes out here, while the transport still knows the
                                // packet's sequence number.
                                if !is_connection_message(ty) {
                                    self.transport.reject_last_payload()?;
                                }
                            }
                            // RFC 4253 §11.4: "An implementation MUST respond to all
                            // unrecognized messages with an SSH_MSG_UNIMPLEMENTED message";
                            // the session goes on (T8). 128–255 are reserved or local
                            // extensions (RFC 4250 §4.1.2) we do not speak.
                            (_, 128..=255) => self.transport.reject_last_payload()?,
                            (Phase::Connected(_), _) => {
                                return Err(SessionError::OutOfPhase {
                                    msg: ty,
                                    phase: "after authentication",
                                });
                            }
                            (_, _) => {
                                return Err(SessionError::OutOfPhase {
                                    msg: ty,
                                    phase: "before authentication",
                                });
                            }
                        }
                    }
                }
            }
            progressed |= self.flush()?;
            if !progressed {
                return Ok(());
            }
        }
    }

    /// Moves payloads and events out of the auth and connection layers. Returns whether
    /// anything moved.
    fn flush(&mut self) -> Result<bool, SessionError> {
        let mut moved = false;
        let mut authenticated = false;
        match &mut self.phase {
            Phase::Auth(a) => {
                while let Some(p) = a.poll_payload() {
                    self.transport.send(&p)?;
                    moved = true;
                }
                while let Some(ev) = a.poll_event() {
                    authenticated |= ev == AuthEvent::Success;
                    self.events.push_back(SessionEvent::Auth(ev));
                    moved = true;
                }
            }
            Phase::Connected(c) => {
                // Hold payloads in the connection's buffer while a key exchange runs, so
                // the transport's bounded queue never overflows.
                while self.transport.can_send() {
                    let Some(p) = c.poll_payload() else { break };
                    self.transport.send(p)?;
                    moved = true;
                }
                while let Some(ev) = c.poll_event() {
                    self.events.push_back(SessionEvent::Channel(ev));
                    moved = true;
                }
                if self.logoff_deadline.is_some() && !c.has_channels() {
                    self.finish_logoff();
                    return Ok(true);
                }
            }
            Phase::Handshake { .. } | Phase::Done => {}
        }
        if authenticated {
            self.transport.set_authenticated();
            self.phase = Phase::Connected(Box::new(Connection::new(self.connection_config)));
            self.events.push_back(SessionEvent::Authenticated);
        }
        Ok(moved)
    }

    fn fail(&mut self, e: SessionError) {
        if self.error.is_some() {
            return;
        }
        let reason = match &e {
            SessionError::Auth(a) => Some(a.disconnect_reason()),
            SessionError::Connection(c) => Some(c.disconnect_reason()),
            SessionError::OutOfPhase { .. } => Some(2),
            SessionError::Transport(_) | SessionError::NotReady(_) => None,
        };
        if let Some(code) = reason {
            self.transport
                .disconnect(DisconnectReason(code), &e.to_string());
        }
        self.phase = Phase::Done;
        self.error = Some(e);
    }

    fn sticky(&self) -> Result<(), SessionError> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    fn phase_name(&self) -> &'static str {
        match self.phase {
            Phase::Handshake { .. } => "handshake",
            Phase::Auth(_) => "auth",
            Phase::Connected(_) => "connected",
            Phase::Done => "done",
        }
    }
}

/// CHANNEL_DATA before its data: message number, recipient channel, data length.
const DATA_HEADER_LEN: usize = 9;
/// SSH_MSG_CHANNEL_DATA (RFC 4254 §5.2).
const CHANNEL_DATA: u8 = crate::msg::MsgType::CHANNEL_DATA.0;

/// A read position across a list of byte slices.
struct Parts<'a> {
    parts: &'a [&'a [u8]],
    index: usize,
    offset: usize,
}

impl<'a> Parts<'a> {
    fn new(parts: &'a [&'a [u8]]) -> Self {
        Self {
            parts,
            index: 0,
            offset: 0,
        }
    }

    /// Appends the next `n` bytes (fewer if the parts end first) to `out`.
    fn append_to(&mut self, out: &mut Vec<u8>, n: usize) {
        let mut left = n;
        while left > 0 {
            let Some(part) = self.parts.get(self.index) else {
                return;
            };
            let rest = part.get(self.offset..).unwrap_or_default();
            let piece = rest.get(..left.min(rest.len())).unwrap_or_default();
            ssh_wire::copy::extend_bytes(out, piece);
            self.offset = self.offset.saturating_add(piece.len());
            left = left.saturating_sub(piece.len());
            if self.offset >= part.len() {
                self.index = self.index.saturating_add(1);
                self.offset = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use ssh_transport::compress::CompressionError;
    use ssh_transport::{AlgorithmKind, DisconnectReason, KexError, TransportError};

    use super::SessionError;

    fn code(e: TransportError) -> u32 {
        SessionError::Transport(e).seed_code()
    }

    fn bad_peer(method: &'static str) -> TransportError {
        TransportError::Kex(KexError::BadPeerPublicKey {
            method,
            reason: "out of range",
        })
    }

    #[test]
    fn transport_errors_map_to_the_seed_codes() {
        let disconnected = TransportError::Disconnected {
            reason: DisconnectReason::BY_APPLICATION,
            description: "bye".into(),
        };
        assert_eq!(code(disconnected), 1001);
        assert_eq!(
            code(TransportError::BadIdentification {
                reason: "too many lines"
            }),
            1002
        );
        assert_eq!(
            code(TransportError::VersionMismatch {
                version: "SSH-1.5-x".into(),
                pattern: "*SSH-1.99-*,*SSH-2.0-*".into(),
            }),
            1002
        );
        assert_eq!(
            code(TransportError::NoCommonAlgorithm {
                kind: AlgorithmKind::CipherServerToClient,
                ours: "aes128-ctr".into(),
                theirs: "3des-cbc".into(),
            }),
            1003
        );
        assert_eq!(code(TransportError::StrictKexRequired), 1003);
        assert_eq!(code(TransportError::MacMismatch { seq: 7 }), 1015);
        assert_eq!(
            code(TransportError::Decompression(CompressionError::Corrupt)),
            1016
        );
        assert_eq!(
            code(TransportError::Decompression(CompressionError::TooLarge {
                max: 1
            })),
            1016
        );
        assert_eq!(code(TransportError::Kex(KexError::HostKeyRejected)), 1030);
        assert_eq!(
            code(TransportError::Kex(KexError::SignatureInvalid {
                reason: "bad signature".into()
            })),
            1031
        );
        assert_eq!(
            code(TransportError::Kex(KexError::BadHostKey {
                reason: "truncated".into()
            })),
            1031
        );
        assert_eq!(
            code(TransportError::Kex(KexError::HostKeyTypeMismatch {
                negotiated: "ssh-ed25519".into(),
                key_type: "ssh-rsa".into(),
            })),
            1031
        );
        assert_eq!(code(TransportError::Kex(KexError::HostKeyChanged)), 1031);
        assert_eq!(
            code(TransportError::Kex(KexError::BadGroup { reason: "small" })),
            1034
        );
        assert_eq!(code(bad_peer("diffie-hellman-group14-sha256")), 1034);
        assert_eq!(code(bad_peer("diffie-hellman-group-exchange-sha256")), 1034);
        assert_eq!(code(bad_peer("ecdh-sha2-nistp256")), 1038);
        assert_eq!(code(bad_peer("ecdh-sha2-nistp521")), 1038);
        assert_eq!(code(bad_peer("curve25519")), 1038);
        assert_eq!(code(bad_peer("curve25519-sha256@libssh.org")), 1038);
        assert_eq!(code(bad_peer("mlkem768x25519-sha256")), 1036);
        assert_eq!(
            code(TransportError::Kex(KexError::Unsupported("foo"))),
            1005
        );
        assert_eq!(code(TransportError::KeySetup { algorithm: "aes" }), 1006);
        assert_eq!(code(TransportError::Kex(KexError::Rng)), 1036);
        assert_eq!(code(TransportError::BadPacketLength { len: 3 }), 1036);
        assert_eq!(
            code(TransportError::Timeout {
                phase: "key exchange"
            }),
            1036
        );
        assert_eq!(code(TransportError::Closed), 1036);
    }

    #[test]
    fn non_transport_errors_keep_their_codes() {
        assert_eq!(
            SessionError::OutOfPhase {
                msg: 90,
                phase: "before authentication"
            }
            .seed_code(),
            1023
        );
        assert_eq!(SessionError::NotReady("x").seed_code(), 1036);
        assert_eq!(
            SessionError::Connection(crate::ConnectionError::TooManyChannels).seed_code(),
            1020
        );
    }
}
