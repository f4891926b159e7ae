//! The client side of the transport: a sans-IO phase machine.
//!
//! ```text
//!  ExpectVersion ──► Kex(ExpectKexInit) ──► Kex(ExpectGexGroup)? ──► Kex(ExpectReply)
//!                         ▲                                              │
//!                         │                       (initial) AwaitHostKey ┤ (rekey: same key)
//!                         │                                              ▼
//!                    Established ◄──────────────────────────── Kex(ExpectNewKeys)
//! ```
//! Each `Expect*` struct holds exactly the data valid in its phase and is consumed by the
//! transition out of it.

use std::collections::VecDeque;
use std::ops::Range;
use std::time::{Duration, Instant};

use ssh_wire::{Decode, Encode, Reader};
use zeroize::Zeroizing;

use crate::compress::CompressionAlgorithm;
use crate::config::{StrictKexMode, TransportConfig};
use crate::error::{KexError, TransportError};
use crate::hostkey::verify_host_key;
use crate::kex::{
    DhGroup, Ephemeral, ExchangeHash, GEX_MAX_BITS, GEX_MIN_BITS, KexFlavor, KeyLetter,
    SharedSecret, derive_key,
};
use crate::msg::ext_info::ExtInfo;
use crate::msg::generic::{Debug as DebugMsg, Disconnect, Unimplemented};
use crate::msg::kex_dh::{DhInit, DhReply};
use crate::msg::kex_ecdh::{EcdhInit, EcdhReply};
use crate::msg::kex_gex::{GexGroup, GexInit, GexRequest};
use crate::msg::kexinit::{KexInit, NewKeys};
use crate::msg::{DisconnectReason, MsgType};
use crate::negotiate::{
    EXT_INFO_C, KEX_STRICT_C, KEX_STRICT_S, Negotiated, negotiate, terrapin_affected,
};
use crate::packet::{MAX_PAYLOAD, Opener, Protection, Sealer};
use crate::strict::{Admit, Window, admit};
use crate::version::{Scan, matches_pattern_list, scan};
use crate::{cipher, compress, kex, mac};

pub use crate::strict::KexCause;

/// OpenSSH `MAX_PACKETS`: rekey after 2^31 packets in either direction so a sequence number
/// is never reused under one key (ROBUSTNESS T7).
const REKEY_PACKETS: u64 = 1 << 31;

/// Most EXT_INFO messages a server may send (RFC 8308 §2.4: after NEWKEYS and before
/// USERAUTH_SUCCESS).
const MAX_EXT_INFO: u8 = 2;

/// The server's host key, verified against the exchange hash, awaiting the caller's
/// decision ([`ClientTransport::accept_host_key`] / [`ClientTransport::reject_host_key`]).
#[derive(Clone, Debug)]
pub struct HostKeyInfo {
    /// The key.
    pub key: ssh_keys::PublicKey,
    /// The negotiated host key (signature) algorithm.
    pub algorithm: &'static str,
    /// `SHA256:...` fingerprint.
    pub fingerprint: String,
}

/// Something the caller should know about.
#[derive(Debug)]
pub enum TransportEvent<'a> {
    /// The server's host key passed its signature check; the exchange waits until the
    /// caller accepts or rejects it (fail closed).
    HostKey(HostKeyInfo),
    /// A key exchange completed; after the initial one the transport is ready for
    /// upper-layer messages.
    KexDone {
        /// Initial or rekey.
        cause: KexCause,
    },
    /// An upper-layer message (SERVICE_ACCEPT or number ≥ 50), borrowed from the receive
    /// buffer until the next call.
    Payload(&'a [u8]),
    /// The server's EXT_INFO (RFC 8308).
    ExtInfo(ExtInfo),
    /// SSH_MSG_DEBUG (RFC 4253 §11.3), sanitized.
    Debug {
        /// Whether the server asks for it to be shown.
        always_display: bool,
        /// The text.
        message: String,
    },
    /// The server did not understand one of our packets (RFC 4253 §11.4).
    Unimplemented {
        /// Our packet's sequence number.
        seq: u32,
    },
    /// The connection is over: the server disconnected, we did, or a fatal error occurred.
    /// Emitted once; every later call returns the same error.
    Closed(TransportError),
}

/// The sans-IO SSH client transport. See the crate docs and `docs/transport.md`.
pub struct ClientTransport {
    config: TransportConfig,
    phase: Phase,
    /// Sticky fatal error.
    error: Option<TransportError>,
    closed_reported: bool,

    /// Received bytes: `rbuf[rpos..rend]` is not yet processed; `rbuf[rend..]` is room
    /// that [`Transport::recv_buffer`] lends to the driver's next read.
    rbuf: Vec<u8>,
    rpos: usize,
    rend: usize,
    dbuf: Vec<u8>,
    /// Reused copy of a transport-level payload (kex messages are parsed from here).
    scratch: Vec<u8>,
    wbuf: Vec<u8>,
    opener: Opener,
    sealer: Sealer,
    events: VecDeque<TransportEvent<'static>>,
    /// An upper-layer payload found in the receive buffer and not yet released.
    delivered: Option<Delivered>,
    /// Upper-layer payloads queued while a key exchange runs.
    queue: VecDeque<Vec<u8>>,
    /// Sequence number of the last [`TransportEvent::Payload`] handed out and not yet
    /// rejected ([`ClientTransport::reject_last_payload`]).
    last_payload_seq: Option<u32>,

    server_version: Option<String>,
    session_id: Option<Vec<u8>>,
    host_key_blob: Option<Vec<u8>>,
    negotiated: Option<Negotiated>,
    strict: bool,
    initial_done: bool,
    authenticated: bool,
    ext_info_seen: u8,
    /// The last EXT_INFO received.
    ext_info: Option<ExtInfo>,
    /// The next packet is the first after the initial NEWKEYS (where EXT_INFO may be).
    first_after_newkeys: bool,
    /// zlib@openssh.com waiting for authentication (c2s, s2c).
    delayed_compression: (
        Option<&'static dyn CompressionAlgorithm>,
        Option<&'static dyn CompressionAlgorithm>,
    ),
    rekey_requested: bool,
    now: Instant,
    kex_deadline: Option<Instant>,
    last_kex: Instant,
    heard: bool,
    keepalive_deadline: Option<Instant>,
    keepalives_outstanding: u32,
    /// Pending replies to global requests with want_reply, oldest first: true for our
    /// keepalives (swallowed), false for the upper layer's (passed up).
    global_replies: VecDeque<bool>,
}

impl std::fmt::Debug for ClientTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientTransport")
            .field("phase", &self.phase.name())
            .field("error", &self.error)
            .field("negotiated", &self.negotiated)
            .field("strict", &self.strict)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug)]
struct Delivered {
    range: Range<usize>,
    /// The packet's sequence number (for an UNIMPLEMENTED reply).
    seq: u32,
    in_dbuf: bool,
    lent: bool,
}

enum Phase {
    ExpectVersion(ExpectVersion),
    Kex(Box<KexState>),
    Established,
    Closed,
}

impl Phase {
    fn name(&self) -> &'static str {
        match self {
            Self::ExpectVersion(_) => "ExpectVersion",
            Self::Kex(k) => k.step.name(),
            Self::Established => "Established",
            Self::Closed => "Closed",
        }
    }
}

struct ExpectVersion {
    lines_seen: usize,
    /// Our first KEXINIT, already sent.
    our_kexinit: Vec<u8>,
}

/// A key exchange in progress.
struct KexState {
    cause: KexCause,
    /// Our KEXINIT payload (I_C).
    our_kexinit: Vec<u8>,
    step: KexStep,
}

enum KexStep {
    ExpectKexInit,
    ExpectGexGroup(ExpectGexGroup),
    ExpectReply(ExpectReply),
    AwaitHostKey(AwaitHostKey),
    ExpectNewKeys(ExpectNewKeys),
    /// Transitional placeholder while a step is being handled.
    Taken,
}

impl KexStep {
    fn name(&self) -> &'static str {
        match self {
            Self::ExpectKexInit => "ExpectKexInit",
            Self::ExpectGexGroup(_) => "ExpectGexGroup",
            Self::ExpectReply(_) => "ExpectReply",
            Self::AwaitHostKey(_) => "AwaitHostKey",
            Self::ExpectNewKeys(_) => "ExpectNewKeys",
            Self::Taken => "Taken",
        }
    }
}

/// Data every step after the server's KEXINIT carries.
struct Agreed {
    neg: Negotiated,
    /// The server's KEXINIT payload (I_S).
    their_kexinit: Vec<u8>,
    /// Skip the server's next kex packet (its first_kex_packet_follows guess was wrong).
    ignore_next: bool,
}

struct ExpectGexGroup {
    agreed: Agreed,
    request: GexRequest,
}

struct ExpectReply {
    agreed: Agreed,
    eph: Box<dyn Ephemeral>,
    /// For group exchange: the request and the group (they enter H).
    gex: Option<(GexRequest, DhGroup)>,
}

/// Keys derived from one exchange, both directions.
struct NewKeysMaterial {
    neg: Negotiated,
    c2s: Protection,
    s2c: Protection,
}

struct AwaitHostKey {
    material: NewKeysMaterial,
    k_s: Vec<u8>,
}

struct ExpectNewKeys {
    s2c: Protection,
    neg: Negotiated,
}

impl ClientTransport {
    /// A transport that will start with our identification and KEXINIT.
    pub fn new(config: TransportConfig, now: Instant) -> Self {
        let mut t = Self {
            phase: Phase::Closed,
            error: None,
            closed_reported: false,
            rbuf: Vec::new(),
            rpos: 0,
            rend: 0,
            dbuf: Vec::new(),
            scratch: Vec::new(),
            wbuf: Vec::new(),
            opener: Opener::new(),
            sealer: Sealer::new(),
            events: VecDeque::new(),
            delivered: None,
            queue: VecDeque::new(),
            last_payload_seq: None,
            server_version: None,
            session_id: None,
            host_key_blob: None,
            negotiated: None,
            strict: false,
            initial_done: false,
            authenticated: false,
            ext_info_seen: 0,
            ext_info: None,
            first_after_newkeys: false,
            delayed_compression: (None, None),
            rekey_requested: false,
            now,
            kex_deadline: config.kex_timeout.map(|d| now + d),
            last_kex: now,
            heard: false,
            keepalive_deadline: None,
            keepalives_outstanding: 0,
            global_replies: VecDeque::new(),
            config,
        };
        // RFC 4253 §4.2: "SSH-protoversion-softwareversion SP comments CR LF".
        t.wbuf.extend_from_slice(t.config.client_version.as_bytes());
        t.wbuf.extend_from_slice(b"\r\n");
        // Send KEXINIT right away (RFC 4253 §7.1 lets either side start).
        match t.build_kexinit(KexCause::Initial) {
            Ok(our_kexinit) => match t.seal_own(&our_kexinit) {
                Ok(()) => {
                    t.phase = Phase::ExpectVersion(ExpectVersion {
                        lines_seen: 0,
                        our_kexinit,
                    });
                }
                Err(e) => t.fail(e),
            },
            Err(e) => t.fail(e),
        }
        t
    }

    // ----- inputs -------------------------------------------------------------------

    /// Feeds bytes received from the server (any split). Processes as far as possible;
    /// returns the sticky error if the connection failed.
    pub fn handle_input(&mut self, data: &[u8]) -> Result<(), TransportError> {
        self.check()?;
        self.compact();
        self.rbuf.truncate(self.rend);
        ssh_wire::copy::extend_bytes(&mut self.rbuf, data);
        self.rend = self.rbuf.len();
        self.process();
        self.check()
    }

    /// Room for at least `min` bytes that the driver may read the socket into directly,
    /// then report with [`Self::handle_received`]: saves [`Self::handle_input`]'s copy of
    /// every byte received. The room is reused between reads, so it is zeroed only when it
    /// grows.
    pub fn recv_buffer(&mut self, min: usize) -> &mut [u8] {
        self.compact();
        if self.rbuf.len().saturating_sub(self.rend) < min {
            self.rbuf.resize(self.rend.saturating_add(min), 0);
        }
        self.rbuf.get_mut(self.rend..).unwrap_or_default()
    }

    /// Processes `n` bytes the driver read into [`Self::recv_buffer`]'s room (capped at
    /// the room's size); like [`Self::handle_input`] otherwise.
    pub fn handle_received(&mut self, n: usize) -> Result<(), TransportError> {
        self.check()?;
        self.rend = self.rend.saturating_add(n).min(self.rbuf.len());
        self.process();
        self.check()
    }

    /// Tells the transport the time; fires deadlines (kex timeout, keepalive, time-based
    /// rekey).
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), TransportError> {
        self.check()?;
        self.now = now;
        if let Some(deadline) = self.kex_deadline
            && now >= deadline
        {
            self.fail(TransportError::Timeout {
                phase: "key exchange",
            });
            return self.check();
        }
        self.keepalive_tick(now);
        self.maybe_rekey();
        self.check()
    }

    // ----- outputs ------------------------------------------------------------------

    /// Appends the bytes to send to `out`; returns how many were appended.
    pub fn poll_transmit(&mut self, out: &mut Vec<u8>) -> usize {
        let n = self.wbuf.len();
        if out.is_empty() {
            // The usual case (the driver empties its buffer after every write): hand the
            // sealed packets over by swapping buffers instead of copying every byte sent.
            std::mem::swap(out, &mut self.wbuf);
        } else {
            ssh_wire::copy::extend_bytes(out, &self.wbuf);
            self.wbuf.clear();
        }
        n
    }

    /// The next event. A [`TransportEvent::Payload`] borrows the receive buffer until the
    /// next call on the transport.
    pub fn poll_event(&mut self) -> Option<TransportEvent<'_>> {
        if self.delivered.as_ref().is_some_and(|d| d.lent) {
            self.delivered = None;
            self.process();
        }
        if self.delivered.is_none() && self.events.is_empty() {
            self.process();
        }
        if let Some(ev) = self.events.pop_front() {
            return Some(ev);
        }
        if let Some(d) = self.delivered.as_mut() {
            d.lent = true;
            self.last_payload_seq = Some(d.seq);
            let range = d.range.clone();
            let buf = if d.in_dbuf { &self.dbuf } else { &self.rbuf };
            return buf.get(range).map(TransportEvent::Payload);
        }
        if let Some(e) = &self.error
            && !self.closed_reported
        {
            self.closed_reported = true;
            return Some(TransportEvent::Closed(e.clone()));
        }
        None
    }

    /// The earliest deadline the driver must report through [`Self::handle_timeout`].
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.error.is_some() {
            return None;
        }
        let rekey_at = match (&self.phase, self.config.rekey_interval) {
            (Phase::Established, Some(iv)) => Some(self.last_kex + iv),
            _ => None,
        };
        [self.kex_deadline, self.keepalive_deadline, rekey_at]
            .into_iter()
            .flatten()
            .min()
    }

    // ----- commands -----------------------------------------------------------------

    /// Queues an upper-layer message (SERVICE_REQUEST or number ≥ 50). During a key
    /// exchange it waits in a bounded queue ([`TransportError::QueueFull`] is not fatal).
    pub fn send(&mut self, payload: &[u8]) -> Result<(), TransportError> {
        self.send_with(payload.len(), |dst| {
            ssh_wire::copy::copy_bytes(dst, payload);
        })
    }

    /// Like [`Self::send`], but `fill` writes the `len`-byte message straight into the
    /// packet buffer, so the caller needs no buffer of its own (one copy fewer on the data
    /// path). The message is checked after `fill` and before encryption.
    pub fn send_with(
        &mut self,
        len: usize,
        fill: impl FnOnce(&mut [u8]),
    ) -> Result<(), TransportError> {
        self.send_appending(len, |out| crate::packet::fill_in_place(out, len, fill))
    }

    /// Like [`Self::send_with`], but `append` appends the `len`-byte message to the
    /// packet buffer (it is cut or zero-padded to `len`), which spares zero-filling the
    /// room first.
    pub fn send_appending(
        &mut self,
        len: usize,
        append: impl FnOnce(&mut Vec<u8>),
    ) -> Result<(), TransportError> {
        self.check()?;
        if len == 0 || len > MAX_PAYLOAD {
            return Err(TransportError::PayloadTooLarge {
                len,
                max: MAX_PAYLOAD,
            });
        }
        let kex_running = !matches!(self.phase, Phase::Established);
        if kex_running || !self.queue.is_empty() {
            if self.queue.len() >= self.config.max_queued_packets {
                return Err(TransportError::QueueFull {
                    limit: self.config.max_queued_packets,
                });
            }
            let mut payload = Vec::with_capacity(len);
            append(&mut payload);
            payload.resize(len, 0);
            check_upper(&payload, &mut self.global_replies)?;
            self.queue.push_back(payload);
            return Ok(());
        }
        let replies = &mut self.global_replies;
        let result =
            self.sealer
                .seal_appending(len, append, |p| check_upper(p, replies), &mut self.wbuf);
        match result {
            Ok(_) => {}
            Err(e) if !e.is_fatal() => return Err(e),
            Err(e) => {
                self.fail(e);
                return self.check();
            }
        }
        self.maybe_rekey();
        self.check()
    }

    /// Sends SSH_MSG_IGNORE with `data` (RFC 4253 §11.2): traffic padding, or a cheap
    /// round of traffic that the server silently drops. Queued during a key exchange.
    pub fn send_ignore(&mut self, data: &[u8]) -> Result<(), TransportError> {
        self.check()?;
        let payload = crate::msg::generic::Ignore { data }.to_bytes();
        if payload.len() > MAX_PAYLOAD {
            return Err(TransportError::PayloadTooLarge {
                len: payload.len(),
                max: MAX_PAYLOAD,
            });
        }
        self.send_upper(&payload)
    }

    /// Rejects the last [`TransportEvent::Payload`] returned by [`Self::poll_event`]:
    /// queues SSH_MSG_UNIMPLEMENTED carrying that packet's sequence number (RFC 4253
    /// §11.4: "An implementation MUST respond to all unrecognized messages with an
    /// SSH_MSG_UNIMPLEMENTED message"). The transport cannot tell which numbers the upper
    /// layers speak, so they decide and call this; the reply goes out like the one the
    /// transport sends for unknown transport numbers (at once, or behind a running key
    /// exchange). Each payload can be rejected once; calling again, or before any payload,
    /// is [`TransportError::NoPayloadToReject`] (not fatal).
    pub fn reject_last_payload(&mut self) -> Result<(), TransportError> {
        self.check()?;
        let seq = self
            .last_payload_seq
            .take()
            .ok_or(TransportError::NoPayloadToReject)?;
        let reply = Unimplemented { seq }.to_bytes();
        if let Err(e) = self.send_transport_or_queue(&reply) {
            self.fail(e);
        }
        self.check()
    }

    /// Whether [`Self::send`] would accept a message now without queueing.
    pub fn can_send(&self) -> bool {
        self.error.is_none() && matches!(self.phase, Phase::Established) && self.queue.is_empty()
    }

    /// Accepts the host key reported by [`TransportEvent::HostKey`].
    pub fn accept_host_key(&mut self) -> Result<(), TransportError> {
        self.check()?;
        let Phase::Kex(k) = &mut self.phase else {
            return Ok(());
        };
        let KexStep::AwaitHostKey(_) = &k.step else {
            return Ok(());
        };
        let KexStep::AwaitHostKey(a) = std::mem::replace(&mut k.step, KexStep::Taken) else {
            return Ok(());
        };
        self.host_key_blob = Some(a.k_s);
        if let Err(e) = self.send_newkeys(a.material) {
            self.fail(e);
        }
        self.process();
        self.check()
    }

    /// Rejects the host key: the connection fails with DISCONNECT 9.
    pub fn reject_host_key(&mut self) {
        if self.error.is_none() {
            self.fail(TransportError::Kex(KexError::HostKeyRejected));
        }
    }

    /// SSHKeyRenegotiate: starts a key re-exchange (after the initial one completes).
    pub fn request_rekey(&mut self) -> Result<(), TransportError> {
        self.check()?;
        self.rekey_requested = true;
        self.maybe_rekey();
        self.check()
    }

    /// Sends SSH_MSG_DISCONNECT and closes.
    pub fn disconnect(&mut self, reason: DisconnectReason, description: &str) {
        if self.error.is_some() {
            return;
        }
        let msg = Disconnect {
            reason,
            description: description.to_owned(),
            language: String::new(),
        };
        let payload = msg.to_bytes();
        let _ = self.seal_own(&payload);
        self.phase = Phase::Closed;
        self.error = Some(TransportError::Closed);
    }

    /// Marks user authentication as done: starts delayed compression (zlib@openssh.com,
    /// if not already started on seeing USERAUTH_SUCCESS) and keepalives.
    pub fn set_authenticated(&mut self) {
        self.authenticated = true;
        self.start_delayed_compression();
        if let Some(iv) = self.config.keepalive_interval {
            self.keepalive_deadline = Some(self.now + iv);
        }
    }

    // ----- queries ------------------------------------------------------------------

    /// The algorithms of the last completed (or current) exchange.
    pub fn negotiated(&self) -> Option<&Negotiated> {
        self.negotiated.as_ref()
    }

    /// NegotiatedStrictKex: whether strict kex is in force.
    pub fn strict_kex(&self) -> bool {
        self.strict
    }

    /// The session identifier (H of the first exchange).
    pub fn session_id(&self) -> Option<&[u8]> {
        self.session_id.as_deref()
    }

    /// ServerSSHVersionString.
    pub fn server_version(&self) -> Option<&str> {
        self.server_version.as_deref()
    }

    /// The last EXT_INFO from the server (RFC 8308), for the authentication layer.
    pub fn ext_info(&self) -> Option<&ExtInfo> {
        self.ext_info.as_ref()
    }

    /// `server-sig-algs` from the server's EXT_INFO (RFC 8308 §3.1), if it sent one.
    pub fn server_sig_algs(&self) -> Option<Vec<String>> {
        self.ext_info.as_ref().and_then(ExtInfo::server_sig_algs)
    }

    /// The server's host key blob accepted at the initial exchange.
    pub fn host_key_blob(&self) -> Option<&[u8]> {
        self.host_key_blob.as_deref()
    }

    /// The sticky error, if the connection has failed.
    pub fn error(&self) -> Option<&TransportError> {
        self.error.as_ref()
    }

    /// Whether the transport is established (no exchange running, not closed).
    pub fn is_established(&self) -> bool {
        self.error.is_none() && matches!(self.phase, Phase::Established)
    }

    /// Number of completed key exchanges.
    #[doc(hidden)]
    pub fn sequence_numbers(&self) -> (u32, u32) {
        (self.sealer.seq, self.opener.seq)
    }

    /// Test hook (ROBUSTNESS T7): sets the next send and receive sequence numbers.
    #[doc(hidden)]
    pub fn set_sequence_numbers_for_test(&mut self, send: u32, recv: u32) {
        self.sealer.seq = send;
        self.opener.seq = recv;
    }

    /// Test hook: bytes and packets sealed since the last key change.
    #[doc(hidden)]
    pub fn sent_since_kex(&self) -> (u64, u64) {
        (self.sealer.bytes, self.sealer.packets)
    }

    // ----- internals ----------------------------------------------------------------

    fn check(&self) -> Result<(), TransportError> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Records a fatal error and queues a DISCONNECT with its reason code.
    fn fail(&mut self, e: TransportError) {
        if self.error.is_some() {
            return;
        }
        if let Some(reason) = e.disconnect_reason() {
            let msg = Disconnect {
                reason,
                description: e.to_string(),
                language: String::new(),
            };
            let payload = msg.to_bytes();
            let _ = self.sealer.seal(&payload, &mut self.wbuf);
        }
        self.phase = Phase::Closed;
        self.delivered = None;
        self.error = Some(e);
    }

    fn compact(&mut self) {
        if self.rpos == 0 {
            return;
        }
        if let Some(d) = self.delivered.as_mut() {
            if d.lent {
                self.delivered = None;
            } else if !d.in_dbuf {
                d.range =
                    d.range.start.saturating_sub(self.rpos)..d.range.end.saturating_sub(self.rpos);
            }
        }
        let end = self.rend.min(self.rbuf.len());
        ssh_wire::copy::move_to_front(&mut self.rbuf, self.rpos..end);
        self.rend = end.saturating_sub(self.rpos);
        self.rpos = 0;
    }

    /// Seals one of our own transport messages (bypasses the kex queue).
    fn seal_own(&mut self, payload: &[u8]) -> Result<(), TransportError> {
        let wrapped = self.sealer.seal(payload, &mut self.wbuf)?;
        if wrapped && !self.initial_done {
            return Err(TransportError::SequenceWrap);
        }
        Ok(())
    }

    fn send_upper(&mut self, payload: &[u8]) -> Result<(), TransportError> {
        let kex_running = !matches!(self.phase, Phase::Established);
        if kex_running || !self.queue.is_empty() {
            if self.queue.len() >= self.config.max_queued_packets {
                return Err(TransportError::QueueFull {
                    limit: self.config.max_queued_packets,
                });
            }
            self.queue.push_back(payload.to_vec());
            return Ok(());
        }
        if let Err(e) = self.seal_own(payload) {
            self.fail(e);
            return self.check();
        }
        self.maybe_rekey();
        self.check()
    }

    fn build_kexinit(&mut self, cause: KexCause) -> Result<Vec<u8>, TransportError> {
        let mut cookie = [0u8; 16];
        kex::random(&mut cookie)?;
        let implemented = |list: &[String], known: &dyn Fn(&str) -> bool| -> Vec<String> {
            list.iter().filter(|n| known(n)).cloned().collect()
        };
        let mut kex_algorithms =
            implemented(&self.config.kex_algorithms, &|n| kex::by_name(n).is_some());
        // RFC 8308 §2.1 and OpenSSH PROTOCOL §1.10: the markers go only in the first KEXINIT.
        if cause == KexCause::Initial {
            kex_algorithms.push(EXT_INFO_C.to_owned());
            if self.config.strict_kex != StrictKexMode::Disabled {
                kex_algorithms.push(KEX_STRICT_C.to_owned());
            }
        }
        let ciphers = implemented(&self.config.ciphers, &|n| cipher::by_name(n).is_some());
        let macs = implemented(&self.config.macs, &|n| mac::by_name(n).is_some());
        let compression = implemented(&self.config.compression, &|n| {
            compress::by_name(n).is_some()
        });
        let msg = KexInit {
            cookie,
            kex_algorithms,
            server_host_key_algorithms: self.config.ordered_host_key_algorithms(),
            encryption_algorithms_client_to_server: ciphers.clone(),
            encryption_algorithms_server_to_client: ciphers,
            mac_algorithms_client_to_server: macs.clone(),
            mac_algorithms_server_to_client: macs,
            compression_algorithms_client_to_server: compression.clone(),
            compression_algorithms_server_to_client: compression,
            languages_client_to_server: Vec::new(),
            languages_server_to_client: Vec::new(),
            first_kex_packet_follows: false,
            reserved: 0,
        };
        Ok(msg.to_bytes())
    }

    /// Processes buffered input until it runs out, an upper-layer payload is found, or the
    /// exchange waits for the caller's host key decision.
    fn process(&mut self) {
        while self.error.is_none() && self.delivered.is_none() {
            match self.step() {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    self.fail(e);
                    break;
                }
            }
        }
    }

    /// One unit of progress; `Ok(false)` when nothing more can be done now.
    fn step(&mut self) -> Result<bool, TransportError> {
        match &mut self.phase {
            Phase::Closed => Ok(false),
            Phase::ExpectVersion(v) => {
                let input = self.rbuf.get(self.rpos..self.rend).unwrap_or_default();
                match scan(input, &mut v.lines_seen)? {
                    Scan::NeedMore { consumed } => {
                        self.rpos = self.rpos.saturating_add(consumed);
                        Ok(false)
                    }
                    Scan::Found { version, consumed } => {
                        self.rpos = self.rpos.saturating_add(consumed);
                        if !matches_pattern_list(&version, &self.config.version_pattern) {
                            return Err(TransportError::VersionMismatch {
                                version,
                                pattern: self.config.version_pattern.clone(),
                            });
                        }
                        self.server_version = Some(version);
                        let our_kexinit = std::mem::take(&mut v.our_kexinit);
                        self.phase = Phase::Kex(Box::new(KexState {
                            cause: KexCause::Initial,
                            our_kexinit,
                            step: KexStep::ExpectKexInit,
                        }));
                        Ok(true)
                    }
                }
            }
            Phase::Kex(k) if matches!(k.step, KexStep::AwaitHostKey(_)) => Ok(false),
            Phase::Kex(_) | Phase::Established => self.read_packet(),
        }
    }

    fn window(&self) -> Window {
        match &self.phase {
            Phase::Kex(k) => match (&k.step, k.cause) {
                (KexStep::ExpectKexInit, KexCause::Initial) => Window::BeforePeerKexInit,
                (KexStep::ExpectKexInit, KexCause::Rekey) => Window::Established,
                (_, cause) => Window::InKex {
                    cause,
                    strict: self.strict,
                },
            },
            _ => Window::Established,
        }
    }

    fn read_packet(&mut self) -> Result<bool, TransportError> {
        let input = self.rbuf.get_mut(self.rpos..self.rend).unwrap_or_default();
        let Some(opened) = self.opener.open(input, &mut self.dbuf)? else {
            return Ok(false);
        };
        if opened.wrapped && !self.initial_done {
            return Err(TransportError::SequenceWrap);
        }
        let base = self.rpos;
        self.rpos = self.rpos.saturating_add(opened.consumed);
        self.heard = true;
        let payload_range = if opened.decompressed {
            opened.payload.clone()
        } else {
            base.saturating_add(opened.payload.start)..base.saturating_add(opened.payload.end)
        };
        let payload = if opened.decompressed {
            self.dbuf.get(payload_range.clone())
        } else {
            self.rbuf.get(payload_range.clone())
        }
        .unwrap_or_default();
        let ty = MsgType(payload.first().copied().unwrap_or(0));
        let first_after_newkeys = std::mem::take(&mut self.first_after_newkeys);
        match admit(self.window(), ty, opened.seq)? {
            Admit::Upper => {
                if ty == MsgType::EXT_INFO {
                    return Err(TransportError::ExtInfo {
                        reason: "unexpected",
                    });
                }
                if (ty == MsgType::REQUEST_SUCCESS || ty == MsgType::REQUEST_FAILURE)
                    && self.global_replies.front() == Some(&true)
                {
                    // The reply to one of our keepalives: swallow it.
                    self.global_replies.pop_front();
                    return Ok(true);
                }
                if ty == MsgType::REQUEST_SUCCESS || ty == MsgType::REQUEST_FAILURE {
                    self.global_replies.pop_front();
                }
                if ty == MsgType::USERAUTH_SUCCESS {
                    // OpenSSH starts delayed compression right after USERAUTH_SUCCESS.
                    self.start_delayed_compression();
                }
                self.delivered = Some(Delivered {
                    range: payload_range,
                    seq: opened.seq,
                    in_dbuf: opened.decompressed,
                    lent: false,
                });
                self.maybe_rekey();
                Ok(true)
            }
            Admit::Unimplemented => {
                let reply = Unimplemented { seq: opened.seq }.to_bytes();
                self.send_transport_or_queue(&reply)?;
                Ok(true)
            }
            Admit::Transport => {
                let mut scratch = std::mem::take(&mut self.scratch);
                scratch.clear();
                scratch.extend_from_slice(payload);
                let r = self.handle_transport(ty, opened.seq, &scratch, first_after_newkeys);
                self.scratch = scratch;
                r.map(|()| true)
            }
        }
    }

    /// Sends a transport message now if keys allow, else queues it behind the exchange.
    fn send_transport_or_queue(&mut self, payload: &[u8]) -> Result<(), TransportError> {
        if matches!(self.phase, Phase::Established) {
            self.seal_own(payload)
        } else {
            if self.queue.len() < self.config.max_queued_packets {
                self.queue.push_back(payload.to_vec());
            }
            Ok(())
        }
    }

    fn handle_transport(
        &mut self,
        ty: MsgType,
        seq: u32,
        payload: &[u8],
        first_after_newkeys: bool,
    ) -> Result<(), TransportError> {
        let decode_err = |error| TransportError::Decode { msg: ty, error };
        match ty {
            MsgType::DISCONNECT => {
                let d = Disconnect::from_bytes(payload).map_err(decode_err)?;
                self.phase = Phase::Closed;
                self.error = Some(TransportError::Disconnected {
                    reason: d.reason,
                    description: d.description,
                });
                Ok(())
            }
            MsgType::IGNORE => {
                crate::msg::generic::Ignore::from_bytes(payload).map_err(decode_err)?;
                Ok(())
            }
            MsgType::DEBUG => {
                let d = DebugMsg::from_bytes(payload).map_err(decode_err)?;
                self.events.push_back(TransportEvent::Debug {
                    always_display: d.always_display,
                    message: d.message,
                });
                Ok(())
            }
            MsgType::UNIMPLEMENTED => {
                let u = Unimplemented::from_bytes(payload).map_err(decode_err)?;
                self.events
                    .push_back(TransportEvent::Unimplemented { seq: u.seq });
                Ok(())
            }
            MsgType::EXT_INFO => self.handle_ext_info(payload, first_after_newkeys),
            MsgType::KEXINIT => self.handle_kexinit(seq, payload),
            _ => self.handle_kex_message(ty, payload),
        }
    }

    /// RFC 8308 §2.4 placement and count rules (ROBUSTNESS K10).
    fn handle_ext_info(
        &mut self,
        payload: &[u8],
        first_after_newkeys: bool,
    ) -> Result<(), TransportError> {
        let allowed = match self.ext_info_seen {
            0 => first_after_newkeys || !self.authenticated,
            1 => !self.authenticated,
            _ => false,
        };
        if !allowed || self.ext_info_seen >= MAX_EXT_INFO {
            return Err(TransportError::ExtInfo {
                reason: "EXT_INFO outside the places RFC 8308 allows, or more than two",
            });
        }
        let info = ExtInfo::from_bytes(payload).map_err(|error| TransportError::Decode {
            msg: MsgType::EXT_INFO,
            error,
        })?;
        if info.get("server-sig-algs").is_some() && info.server_sig_algs().is_none() {
            return Err(TransportError::ExtInfo {
                reason: "server-sig-algs is not a valid name-list",
            });
        }
        self.ext_info_seen = self.ext_info_seen.saturating_add(1);
        self.ext_info = Some(info.clone());
        self.events.push_back(TransportEvent::ExtInfo(info));
        Ok(())
    }

    fn handle_kexinit(&mut self, seq: u32, payload: &[u8]) -> Result<(), TransportError> {
        let theirs = KexInit::from_bytes(payload).map_err(|error| TransportError::Decode {
            msg: MsgType::KEXINIT,
            error,
        })?;
        // A server-initiated rekey: answer with our own KEXINIT first.
        if matches!(self.phase, Phase::Established) {
            let our_kexinit = self.build_kexinit(KexCause::Rekey)?;
            self.seal_own(&our_kexinit)?;
            self.start_kex_timer();
            self.phase = Phase::Kex(Box::new(KexState {
                cause: KexCause::Rekey,
                our_kexinit,
                step: KexStep::ExpectKexInit,
            }));
        }
        let Phase::Kex(k) = &mut self.phase else {
            return Err(TransportError::UnexpectedMessage {
                msg: MsgType::KEXINIT,
                phase: "closed",
            });
        };
        if !matches!(k.step, KexStep::ExpectKexInit) {
            return Err(TransportError::UnexpectedMessage {
                msg: MsgType::KEXINIT,
                phase: "key exchange",
            });
        }
        let cause = k.cause;
        let ours = KexInit::from_bytes(&k.our_kexinit).map_err(|error| TransportError::Decode {
            msg: MsgType::KEXINIT,
            error,
        })?;
        if cause == KexCause::Initial {
            let offered = self.config.strict_kex != StrictKexMode::Disabled;
            self.strict = offered && theirs.kex_algorithms.iter().any(|n| n == KEX_STRICT_S);
            if self.strict && seq != 0 {
                // OpenSSH PROTOCOL §1.10: KEXINIT must be the first packet; anything before
                // it (the Terrapin prefix) is fatal.
                return Err(TransportError::StrictKexViolation {
                    msg: MsgType::KEXINIT,
                    seq,
                });
            }
            if self.config.strict_kex == StrictKexMode::Required && !self.strict {
                return Err(TransportError::StrictKexRequired);
            }
        }
        let neg = negotiate(&ours, &theirs)?;
        if self.config.strict_kex == StrictKexMode::RejectAffected
            && !self.strict
            && let Some((cipher, mac)) = terrapin_affected(&neg)
        {
            return Err(TransportError::TerrapinVulnerable { cipher, mac });
        }
        // RFC 4253 §7: a wrong guess means the server's next kex packet is discarded.
        let ignore_next = theirs.first_kex_packet_follows
            && (theirs.kex_algorithms.first().map(String::as_str) != Some(neg.kex.name())
                || theirs
                    .server_host_key_algorithms
                    .first()
                    .map(String::as_str)
                    != Some(neg.host_key));
        let agreed = Agreed {
            neg,
            their_kexinit: payload.to_vec(),
            ignore_next,
        };
        self.negotiated = Some(neg);
        let step = match neg.kex.flavor() {
            KexFlavor::GroupExchange => {
                let n = self
                    .config
                    .preferred_dh_group_bits
                    .clamp(GEX_MIN_BITS, GEX_MAX_BITS);
                let request = GexRequest {
                    min: GEX_MIN_BITS,
                    n,
                    max: GEX_MAX_BITS,
                };
                self.seal_own(&request.to_bytes())?;
                KexStep::ExpectGexGroup(ExpectGexGroup { agreed, request })
            }
            KexFlavor::Ecdh | KexFlavor::Dh => {
                let eph = neg.kex.client_ephemeral(None)?;
                let msg = if neg.kex.flavor() == KexFlavor::Ecdh {
                    EcdhInit { q_c: eph.public() }.to_bytes()
                } else {
                    DhInit {
                        e: ssh_wire::Mpint::from_magnitude(eph.public()),
                    }
                    .to_bytes()
                };
                self.seal_own(&msg)?;
                KexStep::ExpectReply(ExpectReply {
                    agreed,
                    eph,
                    gex: None,
                })
            }
        };
        if let Phase::Kex(k) = &mut self.phase {
            k.step = step;
        }
        Ok(())
    }

    fn handle_kex_message(&mut self, ty: MsgType, payload: &[u8]) -> Result<(), TransportError> {
        let Phase::Kex(k) = &mut self.phase else {
            return Err(TransportError::UnexpectedMessage {
                msg: ty,
                phase: "established connection",
            });
        };
        let cause = k.cause;
        let step = std::mem::replace(&mut k.step, KexStep::Taken);
        let our_kexinit = k.our_kexinit.clone();
        let unexpected = |phase| TransportError::UnexpectedMessage { msg: ty, phase };
        let decode_err = |error| TransportError::Decode { msg: ty, error };
        let next = match step {
            KexStep::ExpectGexGroup(mut s) => {
                if s.agreed.ignore_next {
                    s.agreed.ignore_next = false;
                    KexStep::ExpectGexGroup(s)
                } else if ty != MsgType::KEX_31 {
                    return Err(unexpected("group exchange (expecting KEX_DH_GEX_GROUP)"));
                } else {
                    let g = GexGroup::from_bytes(payload).map_err(decode_err)?;
                    let group = DhGroup {
                        p: num_bigint::BigUint::from_bytes_be(g.p.magnitude()),
                        g: num_bigint::BigUint::from_bytes_be(g.g.magnitude()),
                    };
                    group.validate_gex(s.request.min, s.request.max)?;
                    let eph = s.agreed.neg.kex.client_ephemeral(Some(&group))?;
                    let init = GexInit {
                        e: ssh_wire::Mpint::from_magnitude(eph.public()),
                    }
                    .to_bytes();
                    self.seal_own(&init)?;
                    KexStep::ExpectReply(ExpectReply {
                        agreed: s.agreed,
                        eph,
                        gex: Some((s.request, group)),
                    })
                }
            }
            KexStep::ExpectReply(mut s) => {
                if s.agreed.ignore_next {
                    s.agreed.ignore_next = false;
                    KexStep::ExpectReply(s)
                } else {
                    self.handle_reply(ty, payload, s, &our_kexinit, cause)?
                }
            }
            KexStep::ExpectNewKeys(s) => {
                if ty != MsgType::NEWKEYS {
                    return Err(unexpected("key exchange (expecting NEWKEYS)"));
                }
                NewKeys::from_bytes(payload).map_err(decode_err)?;
                self.finish_kex(s, cause);
                return Ok(());
            }
            KexStep::ExpectKexInit | KexStep::AwaitHostKey(_) | KexStep::Taken => {
                return Err(unexpected("key exchange"));
            }
        };
        if let Phase::Kex(k) = &mut self.phase {
            k.step = next;
        }
        Ok(())
    }

    fn handle_reply(
        &mut self,
        ty: MsgType,
        payload: &[u8],
        s: ExpectReply,
        our_kexinit: &[u8],
        cause: KexCause,
    ) -> Result<KexStep, TransportError> {
        let neg = s.agreed.neg;
        let v_s = self.server_version.clone().unwrap_or_default();
        let mut h = ExchangeHash::new(
            self.config.client_version.as_bytes(),
            v_s.as_bytes(),
            our_kexinit,
            &s.agreed.their_kexinit,
        );
        let decode_err = |error| TransportError::Decode { msg: ty, error };
        let q_c = s.eph.public().to_vec();
        let (k_s, signature, k): (Vec<u8>, Vec<u8>, SharedSecret) = match (&s.gex, neg.kex.flavor())
        {
            (None, KexFlavor::Ecdh) => {
                if ty != MsgType::KEX_31 {
                    return Err(TransportError::UnexpectedMessage {
                        msg: ty,
                        phase: "key exchange (expecting KEX_ECDH_REPLY)",
                    });
                }
                let r = EcdhReply::from_bytes(payload).map_err(decode_err)?;
                h.string(r.k_s).string(&q_c).string(r.q_s);
                let k = s.eph.agree(r.q_s)?;
                (r.k_s.to_vec(), r.signature.to_vec(), k)
            }
            (gex, _) => {
                let expected = if gex.is_some() {
                    MsgType::KEX_DH_GEX_REPLY
                } else {
                    MsgType::KEX_31
                };
                if ty != expected {
                    return Err(TransportError::UnexpectedMessage {
                        msg: ty,
                        phase: "key exchange (expecting the DH reply)",
                    });
                }
                let mut r = Reader::new(payload);
                let reply = DhReply::decode_as(&mut r, expected).map_err(decode_err)?;
                r.finish().map_err(decode_err)?;
                h.string(reply.k_s);
                if let Some((req, group)) = gex {
                    h.u32(req.min)
                        .u32(req.n)
                        .u32(req.max)
                        .mpint(&group.p.to_bytes_be())
                        .mpint(&group.g.to_bytes_be());
                }
                h.mpint(&q_c).mpint(reply.f.magnitude());
                let k = s.eph.agree(reply.f.magnitude())?;
                (reply.k_s.to_vec(), reply.signature.to_vec(), k)
            }
        };
        h.raw(k.encoded());
        let hash = neg.kex.hash();
        let exchange_hash = h.finish(hash);
        let key = verify_host_key(&k_s, neg.host_key, &exchange_hash, &signature)?;
        if self.session_id.is_none() {
            self.session_id = Some(exchange_hash.clone());
        }
        let material = self.derive(&neg, &k, &exchange_hash)?;
        match cause {
            KexCause::Initial => {
                self.events.push_back(TransportEvent::HostKey(HostKeyInfo {
                    fingerprint: key.fingerprint(ssh_keys::HashAlg::Sha256).to_string(),
                    key,
                    algorithm: neg.host_key,
                }));
                Ok(KexStep::AwaitHostKey(AwaitHostKey { material, k_s }))
            }
            KexCause::Rekey => {
                // The key accepted at connection start must not change (fail closed).
                if self.host_key_blob.as_deref() != Some(k_s.as_slice()) {
                    return Err(TransportError::Kex(KexError::HostKeyChanged));
                }
                let neg = material.neg;
                let s2c = self.send_newkeys_now(material)?;
                Ok(KexStep::ExpectNewKeys(ExpectNewKeys { s2c, neg }))
            }
        }
    }

    fn derive(
        &self,
        neg: &Negotiated,
        k: &SharedSecret,
        h: &[u8],
    ) -> Result<NewKeysMaterial, TransportError> {
        let hash = neg.kex.hash();
        let sid = self.session_id.as_deref().unwrap_or(h);
        let key = |letter, len| derive_key(hash, k, h, letter, sid, len);
        let side = |cipher_alg: &'static dyn cipher::CipherAlgorithm,
                    mac_alg: Option<&'static dyn mac::MacAlgorithm>,
                    iv: KeyLetter,
                    enc: KeyLetter,
                    integ: KeyLetter,
                    encrypt: bool|
         -> Result<Protection, TransportError> {
            let iv: Zeroizing<Vec<u8>> = key(iv, cipher_alg.iv_len());
            let ek = key(enc, cipher_alg.key_len());
            let c = if encrypt {
                cipher_alg.encryptor(&ek, &iv)
            } else {
                cipher_alg.decryptor(&ek, &iv)
            }
            .ok_or(TransportError::KeySetup {
                algorithm: cipher_alg.name(),
            })?;
            let m = match mac_alg {
                Some(m) => Some(m.instance(&key(integ, m.key_len())).ok_or(
                    TransportError::KeySetup {
                        algorithm: m.name(),
                    },
                )?),
                None => None,
            };
            Ok(Protection::new(cipher_alg, c, mac_alg, m))
        };
        let c2s = side(
            neg.cipher_c2s,
            neg.mac_c2s,
            KeyLetter::IvClientToServer,
            KeyLetter::EncClientToServer,
            KeyLetter::MacClientToServer,
            true,
        )?;
        let s2c = side(
            neg.cipher_s2c,
            neg.mac_s2c,
            KeyLetter::IvServerToClient,
            KeyLetter::EncServerToClient,
            KeyLetter::MacServerToClient,
            false,
        )?;
        Ok(NewKeysMaterial {
            neg: *neg,
            c2s,
            s2c,
        })
    }

    /// After the host key is accepted: send NEWKEYS and move to ExpectNewKeys.
    fn send_newkeys(&mut self, material: NewKeysMaterial) -> Result<(), TransportError> {
        let neg = material.neg;
        let s2c = self.send_newkeys_now(material)?;
        if let Phase::Kex(k) = &mut self.phase {
            k.step = KexStep::ExpectNewKeys(ExpectNewKeys { s2c, neg });
        }
        Ok(())
    }

    /// RFC 4253 §7.3: NEWKEYS under the old keys, then everything under the new ones.
    fn send_newkeys_now(
        &mut self,
        material: NewKeysMaterial,
    ) -> Result<Protection, TransportError> {
        self.seal_own(&NewKeys.to_bytes())?;
        self.sealer.rekey(material.c2s);
        if self.strict {
            // OpenSSH PROTOCOL §1.10: reset the sequence number after every NEWKEYS.
            self.sealer.seq = 0;
        }
        let c = material.neg.compression_c2s;
        self.sealer
            .set_compressor(self.compression_now(c).map(|c| c.compressor()));
        self.delayed_compression.0 = (c.is_delayed() && !self.authenticated).then_some(c);
        Ok(material.s2c)
    }

    fn compression_now(
        &self,
        c: &'static dyn CompressionAlgorithm,
    ) -> Option<&'static dyn CompressionAlgorithm> {
        (c.is_active() && (!c.is_delayed() || self.authenticated)).then_some(c)
    }

    fn finish_kex(&mut self, s: ExpectNewKeys, cause: KexCause) {
        self.opener.rekey(s.s2c);
        if self.strict {
            self.opener.seq = 0;
        }
        let c = s.neg.compression_s2c;
        self.opener
            .set_decompressor(self.compression_now(c).map(|c| c.decompressor()));
        self.delayed_compression.1 = (c.is_delayed() && !self.authenticated).then_some(c);
        self.phase = Phase::Established;
        self.kex_deadline = None;
        self.last_kex = self.now;
        self.rekey_requested = false;
        if cause == KexCause::Initial {
            self.initial_done = true;
            self.first_after_newkeys = true;
        }
        self.events.push_back(TransportEvent::KexDone { cause });
        // Flush what waited for the exchange.
        while let Some(p) = self.queue.pop_front() {
            if let Err(e) = self.seal_own(&p) {
                self.fail(e);
                return;
            }
        }
        self.maybe_rekey();
    }

    fn start_delayed_compression(&mut self) {
        if let Some(c) = self.delayed_compression.0.take() {
            self.sealer.set_compressor(Some(c.compressor()));
        }
        if let Some(c) = self.delayed_compression.1.take() {
            self.opener.set_decompressor(Some(c.decompressor()));
        }
    }

    fn start_kex_timer(&mut self) {
        self.kex_deadline = self.config.kex_timeout.map(|d| self.now + d);
    }

    /// Rekey limit for the negotiated ciphers, as OpenSSH picks it: 2^(2·block) blocks for
    /// 16-byte blocks, else 1 GiB, capped by KeyRenegotiationThreshold.
    fn rekey_bytes(&self) -> u64 {
        let per_cipher = |bs: usize| -> u64 {
            if bs >= 16 {
                (1u64 << 32).saturating_mul(bs as u64)
            } else {
                1 << 30
            }
        };
        let default = self.negotiated.map_or(1 << 30, |n| {
            per_cipher(n.cipher_c2s.block_size()).min(per_cipher(n.cipher_s2c.block_size()))
        });
        match self.config.rekey_threshold {
            Some(limit) => limit.min(default).max(16),
            None => default,
        }
    }

    fn maybe_rekey(&mut self) {
        if self.error.is_some() || !matches!(self.phase, Phase::Established) {
            return;
        }
        let limit = self.rekey_bytes();
        let by_time = self
            .config
            .rekey_interval
            .is_some_and(|iv| self.now >= self.last_kex + iv);
        let due = self.rekey_requested
            || by_time
            || self.sealer.bytes >= limit
            || self.opener.bytes >= limit
            || self.sealer.packets >= REKEY_PACKETS
            || self.opener.packets >= REKEY_PACKETS;
        if !due {
            return;
        }
        let result = self.build_kexinit(KexCause::Rekey).and_then(|our_kexinit| {
            self.seal_own(&our_kexinit)?;
            Ok(our_kexinit)
        });
        match result {
            Ok(our_kexinit) => {
                self.start_kex_timer();
                self.rekey_requested = false;
                self.phase = Phase::Kex(Box::new(KexState {
                    cause: KexCause::Rekey,
                    our_kexinit,
                    step: KexStep::ExpectKexInit,
                }));
            }
            Err(e) => self.fail(e),
        }
    }

    fn keepalive_tick(&mut self, now: Instant) {
        let Some(interval) = self.config.keepalive_interval else {
            return;
        };
        if !self.authenticated {
            return;
        }
        if std::mem::take(&mut self.heard) {
            self.keepalives_outstanding = 0;
            if self.keepalive_deadline.is_some_and(|d| now >= d) {
                self.keepalive_deadline = Some(now + interval);
            }
        }
        let Some(deadline) = self.keepalive_deadline else {
            self.keepalive_deadline = Some(now + interval);
            return;
        };
        if now < deadline {
            return;
        }
        if self.keepalives_outstanding >= self.config.keepalive_count_max {
            self.fail(TransportError::Timeout { phase: "keepalive" });
            return;
        }
        // RFC 4254 §4 global request with want_reply; OpenSSH servers answer FAILURE.
        let mut payload = Vec::with_capacity(32);
        ssh_wire::Writer::new(&mut payload)
            .u8(MsgType::GLOBAL_REQUEST.0)
            .string(b"keepalive@openssh.com")
            .bool(true);
        self.global_replies.push_back(true);
        self.keepalives_outstanding = self.keepalives_outstanding.saturating_add(1);
        self.keepalive_deadline = Some(now + interval);
        if let Err(e) = self.send_upper(&payload)
            && e.is_fatal()
        {
            self.fail(e);
        }
    }

    /// Deadline helper for tests and drivers: how long until the next deadline.
    #[doc(hidden)]
    pub fn time_to_deadline(&self, now: Instant) -> Option<Duration> {
        self.poll_timeout()
            .map(|t| t.saturating_duration_since(now))
    }
}

/// Admits an outgoing upper-layer message (SERVICE_REQUEST or ≥ 50) and records a
/// want-reply GLOBAL_REQUEST so its reply can be told apart from our keepalives'.
fn check_upper(payload: &[u8], replies: &mut VecDeque<bool>) -> Result<(), TransportError> {
    let ty = payload.first().copied().unwrap_or(0);
    if ty != MsgType::SERVICE_REQUEST.0 && ty < 50 {
        return Err(TransportError::NotUpperLayerMessage { msg: MsgType(ty) });
    }
    if ty == MsgType::GLOBAL_REQUEST.0 && global_request_wants_reply(payload) {
        replies.push_back(false);
    }
    Ok(())
}

/// Whether an outgoing GLOBAL_REQUEST payload asks for a reply (RFC 4254 §4: byte 80,
/// string request name, boolean want reply).
fn global_request_wants_reply(payload: &[u8]) -> bool {
    let mut r = Reader::new(payload);
    let _ = r.u8("msg_type");
    let _ = r.string("request name");
    r.bool("want reply").unwrap_or(false)
}
