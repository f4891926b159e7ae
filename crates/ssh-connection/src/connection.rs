//! The connection protocol (RFC 4254) for a client: channel table, flow control, requests.

use std::collections::{HashMap, VecDeque};

use bytes::{Bytes, BytesMut};
use ssh_wire::{Decode, DecodeError, Encode, Reader, Writer};

use crate::channel::{
    ChannelId, ChannelState, MIN_REMOTE_MAX_PACKET, OpenChannel, Opening, RequestKind,
};
use crate::error::{ConnectionError, UsageError};
use crate::msg::{
    ChannelClose, ChannelData, ChannelEof, ChannelFailure, ChannelOpen, ChannelRequest,
    ChannelRequestHeader, ChannelSuccess, ExtendedData, GlobalRequest, MsgType, OpenConfirmation,
    OpenFailure, OpenFailureReason, RequestBody, RequestFailure, RequestSuccess, WindowAdjust,
};

/// Default MaxWindowSize: OpenSSH's session window (`CHAN_SES_WINDOW_DEFAULT`, 2 MiB), large
/// enough to keep a loopback or LAN link busy; raise it for long fat networks.
pub const DEFAULT_MAX_WINDOW_SIZE: u32 = 2 * 1024 * 1024;
/// Default MaxPacketSize: OpenSSH's `CHAN_SES_PACKET_DEFAULT` (32 KiB).
pub const DEFAULT_MAX_PACKET_SIZE: u32 = 32 * 1024;
/// Largest MaxPacketSize we advertise, and largest data message we send: a data message
/// must fit a transport packet (OpenSSH's `PACKET_MAX_SIZE` is 256 KiB including headers).
pub const MAX_MAX_PACKET_SIZE: u32 = 128 * 1024;
/// Largest MaxWindowSize: 1 GiB. Keeps `window + grace` far below 2^32 and bounds what the
/// server may make us buffer.
pub const MAX_WINDOW_SIZE_LIMIT: u32 = 1 << 30;
/// Most channels open at once; a client needs a handful, this bounds the table.
pub const MAX_CHANNELS: usize = 1024;
/// Size of the blocks a channel's received data is copied into when the payload is
/// borrowed: one allocation serves many data messages.
const RX_BLOCK: usize = 256 * 1024;
/// Blocks kept for reuse once the application has dropped every [`Bytes`] cut from them
/// (at most 8 MiB). Reusing them spares the allocator: freed blocks went back to the
/// system and every new one was faulted in page by page, 6 % of a bulk download's CPU.
const RX_POOL: usize = 32;

/// When received data is credited back to the server's window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WindowPolicy {
    /// As soon as data is handed up in an event (no backpressure from the application).
    #[default]
    OnDelivery,
    /// Only when the application calls [`Connection::consume`]: the server can never get
    /// more than one window ahead of the application (memory ≤ window + grace).
    OnConsume,
}

/// Settings of the connection layer (the seed's MaxWindowSize and MaxPacketSize).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionConfig {
    /// The seed's `MaxWindowSize`: window granted per channel (capped at
    /// [`MAX_WINDOW_SIZE_LIMIT`]).
    pub max_window_size: u32,
    /// The seed's `MaxPacketSize`: largest data message we accept (capped at
    /// [`MAX_MAX_PACKET_SIZE`]).
    pub max_packet_size: u32,
    /// When to send WINDOW_ADJUST.
    pub window_policy: WindowPolicy,
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        Self {
            max_window_size: DEFAULT_MAX_WINDOW_SIZE,
            max_packet_size: DEFAULT_MAX_PACKET_SIZE,
            window_policy: WindowPolicy::OnDelivery,
        }
    }
}

/// Why a channel could not be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpenError {
    /// The server answered CHANNEL_OPEN_FAILURE.
    Refused {
        /// `reason code`.
        reason: OpenFailureReason,
        /// `description`.
        description: String,
    },
    /// The confirmation was unusable (maximum packet below [`MIN_REMOTE_MAX_PACKET`]):
    /// we closed the channel at once (C3).
    BadConfirmation {
        /// The `maximum packet size` the server gave.
        maximum_packet_size: u32,
    },
}

/// What the connection layer tells its caller. Data comes as [`Bytes`]: a slice of the
/// payload when it was handed in with [`Connection::handle_payload_bytes`] (no copy),
/// otherwise a slice of a block-allocated copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectionEvent {
    /// The channel is open.
    ChannelOpened {
        /// Our id.
        channel: ChannelId,
    },
    /// The channel could not be opened; the id is free again.
    ChannelOpenFailed {
        /// Our id.
        channel: ChannelId,
        /// Why.
        error: OpenError,
    },
    /// CHANNEL_DATA (stdout of exec, SFTP packets).
    Data {
        /// Our id.
        channel: ChannelId,
        /// The bytes.
        data: Bytes,
    },
    /// CHANNEL_EXTENDED_DATA of type 1 (stderr); other types are dropped.
    ExtendedData {
        /// Our id.
        channel: ChannelId,
        /// `data_type_code` (always 1 here).
        data_type: u32,
        /// The bytes.
        data: Bytes,
    },
    /// The server will send no more data.
    Eof {
        /// Our id.
        channel: ChannelId,
    },
    /// Both sides have closed the channel; the id is gone.
    Closed {
        /// Our id.
        channel: ChannelId,
    },
    /// A request we sent succeeded.
    RequestSucceeded {
        /// Our id.
        channel: ChannelId,
        /// Which request.
        request: RequestKind,
    },
    /// A request we sent failed (the seed's 1033 "Channel request failed").
    RequestFailed {
        /// Our id.
        channel: ChannelId,
        /// Which request.
        request: RequestKind,
    },
    /// RFC 4254 §6.10 `exit-status`.
    ExitStatus {
        /// Our id.
        channel: ChannelId,
        /// The status.
        status: u32,
    },
    /// RFC 4254 §6.10 `exit-signal`.
    ExitSignal {
        /// Our id.
        channel: ChannelId,
        /// Signal name without `SIG`.
        signal_name: String,
        /// Whether core was dumped.
        core_dumped: bool,
        /// The error message.
        error_message: String,
    },
    /// The remote window opened after a write was cut short: write again.
    Writable {
        /// Our id.
        channel: ChannelId,
    },
    /// The answer to our `keepalive@openssh.com` (any answer proves the server alive).
    KeepaliveReply {
        /// REQUEST_SUCCESS (true) or REQUEST_FAILURE (false).
        success: bool,
    },
    /// A channel the server tried to open was refused (C7); for logs.
    ServerOpenRefused {
        /// `channel type`.
        channel_type: String,
        /// The reason we gave.
        reason: OpenFailureReason,
    },
    /// A message number in the connection range (80–127) this layer does not know: the
    /// session should answer SSH_MSG_UNIMPLEMENTED (RFC 4253 §11.4); [`ClientSession`]
    /// does, through `ClientTransport::reject_last_payload`.
    ///
    /// [`ClientSession`]: crate::ClientSession
    Unimplemented {
        /// The message number.
        msg: MsgType,
    },
}

/// The client side of the connection protocol, sans-IO.
///
/// Feed it messages 80–127 (after authentication) with [`handle_payload`] or
/// [`handle_payload_bytes`]; send what [`poll_payload`] yields; act on [`poll_event`].
///
/// [`handle_payload`]: Self::handle_payload
/// [`handle_payload_bytes`]: Self::handle_payload_bytes
/// [`poll_payload`]: Self::poll_payload
/// [`poll_event`]: Self::poll_event
#[derive(Debug)]
pub struct Connection {
    config: ConnectionConfig,
    channels: HashMap<u32, ChannelState>,
    next_id: u32,
    out: Outbox,
    events: VecDeque<ConnectionEvent>,
    /// Our global requests awaiting a reply (only keepalives).
    pending_global: u32,
    error: Option<ConnectionError>,
    /// Receive blocks that channels have filled and moved on from (see [`RX_POOL`]).
    rx_pool: Vec<BytesMut>,
}

impl Connection {
    /// A connection layer with `config` (sizes clamped to their limits).
    pub fn new(config: ConnectionConfig) -> Self {
        let config = ConnectionConfig {
            max_window_size: config.max_window_size.clamp(1, MAX_WINDOW_SIZE_LIMIT),
            max_packet_size: config
                .max_packet_size
                .clamp(MIN_REMOTE_MAX_PACKET, MAX_MAX_PACKET_SIZE),
            ..config
        };
        Self {
            config,
            channels: HashMap::new(),
            next_id: 0,
            out: Outbox::default(),
            events: VecDeque::new(),
            pending_global: 0,
            error: None,
            rx_pool: Vec::new(),
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> &ConnectionConfig {
        &self.config
    }

    /// The next payload to send, or `None`. The slice borrows an internal buffer that is
    /// reused, so sending costs no allocation per message.
    pub fn poll_payload(&mut self) -> Option<&[u8]> {
        self.out.pop()
    }

    /// Bytes queued for sending (for backpressure in the driver).
    pub fn queued_bytes(&self) -> usize {
        self.out.pending()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<ConnectionEvent> {
        self.events.pop_front()
    }

    /// Handles one message (numbers 80–127); channel data is copied into the event.
    pub fn handle_payload(&mut self, payload: &[u8]) -> Result<(), ConnectionError> {
        self.handle(payload, None)
    }

    /// Handles one message held in `payload`; channel data is handed up as a slice of it,
    /// without copying.
    pub fn handle_payload_bytes(&mut self, payload: Bytes) -> Result<(), ConnectionError> {
        self.handle(&payload, Some(&payload))
    }

    /// Whether any channel exists (open, opening or closing).
    pub fn has_channels(&self) -> bool {
        !self.channels.is_empty()
    }

    /// Keepalives sent and not yet answered (the driver compares with
    /// SSHKeepAliveCountMax).
    pub fn outstanding_keepalives(&self) -> u32 {
        self.pending_global
    }

    /// Bytes we may send on `channel` now (0 when not open).
    pub fn send_window(&self, channel: ChannelId) -> u64 {
        match self.channels.get(&channel.0) {
            Some(ChannelState::Open(ch)) if !ch.eof_sent => ch.remote_window,
            _ => 0,
        }
    }

    /// Whether the channel is open (confirmed and not closing).
    pub fn is_open(&self, channel: ChannelId) -> bool {
        matches!(self.channels.get(&channel.0), Some(ChannelState::Open(_)))
    }

    // ---- commands -------------------------------------------------------------------------

    /// Opens a `session` channel (RFC 4254 §6.1). The answer comes as
    /// [`ConnectionEvent::ChannelOpened`] or [`ConnectionEvent::ChannelOpenFailed`].
    pub fn open_session(&mut self) -> Result<ChannelId, ConnectionError> {
        self.sticky()?;
        if self.channels.len() >= MAX_CHANNELS {
            return Err(ConnectionError::TooManyChannels);
        }
        let id = self.allocate_id()?;
        self.out.push(&ChannelOpen {
            channel_type: "session",
            sender_channel: id.0,
            initial_window_size: self.config.max_window_size,
            maximum_packet_size: self.config.max_packet_size,
            data: &[],
        });
        self.channels.insert(
            id.0,
            ChannelState::Opening(Opening {
                close_requested: false,
                local_window_max: self.config.max_window_size,
                local_max_packet: self.config.max_packet_size,
            }),
        );
        Ok(id)
    }

    /// RFC 4254 §6.5 `exec` with want reply.
    pub fn exec(&mut self, channel: ChannelId, command: &str) -> Result<(), ConnectionError> {
        self.request(
            channel,
            RequestKind::Exec,
            RequestBody::Exec {
                command: command.as_bytes(),
            },
        )
    }

    /// RFC 4254 §6.5 `subsystem` with want reply (`sftp`).
    pub fn subsystem(&mut self, channel: ChannelId, name: &str) -> Result<(), ConnectionError> {
        self.request(
            channel,
            RequestKind::Subsystem,
            RequestBody::Subsystem { name },
        )
    }

    /// RFC 4254 §6.5 `shell` with want reply.
    pub fn shell(&mut self, channel: ChannelId) -> Result<(), ConnectionError> {
        self.request(channel, RequestKind::Shell, RequestBody::Shell)
    }

    /// RFC 4254 §6.4 `env` with want reply (servers refuse names outside AcceptEnv).
    pub fn env(
        &mut self,
        channel: ChannelId,
        name: &str,
        value: &str,
    ) -> Result<(), ConnectionError> {
        self.request(
            channel,
            RequestKind::Env,
            RequestBody::Env {
                name,
                value: value.as_bytes(),
            },
        )
    }

    /// RFC 4254 §6.9 `signal` (name without `SIG`) with want reply.
    pub fn signal(&mut self, channel: ChannelId, name: &str) -> Result<(), ConnectionError> {
        self.request(channel, RequestKind::Signal, RequestBody::Signal { name })
    }

    /// Queues as much of `data` as the remote window allows, in messages no larger than
    /// the server's maximum packet; returns how many bytes were taken (0 when the window
    /// is shut — wait for [`ConnectionEvent::Writable`]). Lengths use 64-bit arithmetic,
    /// so a 4 GiB+ slice is fine (C8).
    pub fn send_data(&mut self, channel: ChannelId, data: &[u8]) -> Result<usize, ConnectionError> {
        self.send(channel, None, data)
    }

    /// Like [`send_data`](Self::send_data) for CHANNEL_EXTENDED_DATA of `data_type`.
    pub fn send_extended_data(
        &mut self,
        channel: ChannelId,
        data_type: u32,
        data: &[u8],
    ) -> Result<usize, ConnectionError> {
        self.send(channel, Some(data_type), data)
    }

    /// Sends CHANNEL_EOF: we will send no more data (half-close).
    pub fn send_eof(&mut self, channel: ChannelId) -> Result<(), ConnectionError> {
        self.sticky()?;
        let ch = self.open_channel(channel)?;
        if ch.eof_sent {
            return Ok(());
        }
        ch.eof_sent = true;
        let recipient_channel = ch.remote_id;
        self.out.push(&ChannelEof { recipient_channel });
        Ok(())
    }

    /// Closes the channel (RFC 4254 §5.3): sends CLOSE (at once, or as soon as a pending
    /// open is confirmed); [`ConnectionEvent::Closed`] follows the server's CLOSE.
    pub fn close(&mut self, channel: ChannelId) -> Result<(), ConnectionError> {
        self.sticky()?;
        let state = self
            .channels
            .remove(&channel.0)
            .ok_or(UsageError::NoSuchChannel(channel))?;
        let next = match state {
            ChannelState::Opening(mut o) => {
                o.close_requested = true;
                ChannelState::Opening(o)
            }
            ChannelState::Open(ch) => {
                self.out.push(&ChannelClose {
                    recipient_channel: ch.remote_id,
                });
                ChannelState::CloseSent(ch)
            }
            closing @ ChannelState::CloseSent(_) => closing,
        };
        self.channels.insert(channel.0, next);
        Ok(())
    }

    /// Closes every channel (logoff). With the seed's WaitForChannelClose the driver then
    /// waits until [`has_channels`](Self::has_channels) is false (or its timeout) before
    /// sending DISCONNECT.
    pub fn close_all(&mut self) -> Result<(), ConnectionError> {
        let mut ids: Vec<u32> = self.channels.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            self.close(ChannelId(id))?;
        }
        Ok(())
    }

    /// The application consumed `n` bytes of `channel`'s data ([`WindowPolicy::OnConsume`];
    /// ignored under `OnDelivery`, where delivery counts as consumption).
    pub fn consume(&mut self, channel: ChannelId, n: usize) -> Result<(), ConnectionError> {
        self.sticky()?;
        if self.config.window_policy == WindowPolicy::OnConsume {
            self.credit(channel, n);
        }
        Ok(())
    }

    /// Raises MaxWindowSize for this and every open channel (the seed allows increases
    /// only; smaller values are ignored).
    pub fn set_max_window_size(&mut self, size: u32) {
        let size = size.min(MAX_WINDOW_SIZE_LIMIT);
        if size <= self.config.max_window_size {
            return;
        }
        self.config.max_window_size = size;
        for state in self.channels.values_mut() {
            if let ChannelState::Open(ch) = state {
                if let Some(add) = ch.grow_window(size) {
                    self.out.push(&WindowAdjust {
                        recipient_channel: ch.remote_id,
                        bytes_to_add: add,
                    });
                }
            }
        }
    }

    /// Sends `keepalive@openssh.com` with want reply (the seed's SSHKeepAliveInterval); the
    /// answer comes as [`ConnectionEvent::KeepaliveReply`].
    pub fn send_keepalive(&mut self) -> Result<(), ConnectionError> {
        self.sticky()?;
        self.out.push(&GlobalRequest {
            name: "keepalive@openssh.com",
            want_reply: true,
            data: &[],
        });
        self.pending_global = self.pending_global.saturating_add(1);
        Ok(())
    }

    // ---- message handling -------------------------------------------------------------------

    fn handle(&mut self, payload: &[u8], owner: Option<&Bytes>) -> Result<(), ConnectionError> {
        self.sticky()?;
        match self.dispatch(payload, owner) {
            Ok(()) => Ok(()),
            Err(e) => {
                if !matches!(e, ConnectionError::Usage(_)) {
                    self.error = Some(e.clone());
                }
                Err(e)
            }
        }
    }

    fn dispatch(&mut self, payload: &[u8], owner: Option<&Bytes>) -> Result<(), ConnectionError> {
        let ty = MsgType(
            Reader::new(payload)
                .u8("msg_type")
                .map_err(|e| malformed(MsgType(0), e))?,
        );
        let bad = |e: DecodeError| malformed(ty, e);
        match ty {
            MsgType::CHANNEL_DATA => {
                let m = ChannelData::from_bytes(payload).map_err(bad)?;
                self.on_data(m.recipient_channel, None, m.data, owner)
            }
            MsgType::CHANNEL_EXTENDED_DATA => {
                let m = ExtendedData::from_bytes(payload).map_err(bad)?;
                self.on_data(m.recipient_channel, Some(m.data_type), m.data, owner)
            }
            MsgType::CHANNEL_WINDOW_ADJUST => {
                let m = WindowAdjust::from_bytes(payload).map_err(bad)?;
                let id = ChannelId(m.recipient_channel);
                match self.live(ty, m.recipient_channel)? {
                    // After our EOF we send nothing more: the adjust is moot (C5).
                    Live::Open(ch) if ch.eof_sent => Ok(()),
                    Live::Open(ch) => {
                        if ch.add_remote_window(id, m.bytes_to_add)? {
                            self.events
                                .push_back(ConnectionEvent::Writable { channel: id });
                        }
                        Ok(())
                    }
                    Live::Closing(_) => Ok(()),
                }
            }
            MsgType::CHANNEL_EOF => {
                let m = ChannelEof::from_bytes(payload).map_err(bad)?;
                let id = ChannelId(m.recipient_channel);
                if let Live::Open(ch) = self.live(ty, m.recipient_channel)? {
                    if !ch.eof_received {
                        ch.eof_received = true;
                        self.events.push_back(ConnectionEvent::Eof { channel: id });
                    }
                }
                Ok(())
            }
            MsgType::CHANNEL_CLOSE => {
                let m = ChannelClose::from_bytes(payload).map_err(bad)?;
                let id = ChannelId(m.recipient_channel);
                match self.live(ty, m.recipient_channel)? {
                    Live::Open(ch) => {
                        // RFC 4254 §5.3: answer with our own CLOSE.
                        let recipient_channel = ch.remote_id;
                        self.out.push(&ChannelClose { recipient_channel });
                    }
                    Live::Closing(ch) if ch.silent_close => {
                        // The app was told the open failed; nothing more to say.
                        self.channels.remove(&id.0);
                        return Ok(());
                    }
                    Live::Closing(_) => {}
                }
                self.channels.remove(&id.0);
                self.events
                    .push_back(ConnectionEvent::Closed { channel: id });
                Ok(())
            }
            MsgType::CHANNEL_REQUEST => self.on_channel_request(payload),
            MsgType::CHANNEL_SUCCESS | MsgType::CHANNEL_FAILURE => {
                let recipient = if ty == MsgType::CHANNEL_SUCCESS {
                    ChannelSuccess::from_bytes(payload)
                        .map_err(bad)?
                        .recipient_channel
                } else {
                    ChannelFailure::from_bytes(payload)
                        .map_err(bad)?
                        .recipient_channel
                };
                let id = ChannelId(recipient);
                let request = match self.live(ty, recipient)? {
                    Live::Open(ch) | Live::Closing(ch) => ch.pending_requests.pop_front(),
                };
                let request = request.ok_or(ConnectionError::UnexpectedReply { msg: ty })?;
                self.events.push_back(if ty == MsgType::CHANNEL_SUCCESS {
                    ConnectionEvent::RequestSucceeded {
                        channel: id,
                        request,
                    }
                } else {
                    ConnectionEvent::RequestFailed {
                        channel: id,
                        request,
                    }
                });
                Ok(())
            }
            MsgType::CHANNEL_OPEN_CONFIRMATION => {
                let m = OpenConfirmation::from_bytes(payload).map_err(bad)?;
                self.on_open_confirmation(&m)
            }
            MsgType::CHANNEL_OPEN_FAILURE => {
                let m = OpenFailure::from_bytes(payload).map_err(bad)?;
                let id = ChannelId(m.recipient_channel);
                match self.channels.get(&id.0) {
                    Some(ChannelState::Opening(_)) => {
                        self.channels.remove(&id.0);
                        self.events.push_back(ConnectionEvent::ChannelOpenFailed {
                            channel: id,
                            error: OpenError::Refused {
                                reason: m.reason,
                                description: m.description.to_owned(),
                            },
                        });
                        Ok(())
                    }
                    // C3: OPEN_FAILURE after the confirmation.
                    Some(_) => Err(ConnectionError::WrongChannelState {
                        msg: ty,
                        channel: id,
                        state: "complete",
                    }),
                    None => Err(ConnectionError::UnknownChannel {
                        msg: ty,
                        recipient: m.recipient_channel,
                    }),
                }
            }
            MsgType::CHANNEL_OPEN => {
                let m = ChannelOpen::from_bytes(payload).map_err(bad)?;
                self.refuse_open(&m);
                Ok(())
            }
            MsgType::GLOBAL_REQUEST => {
                let m = GlobalRequest::from_bytes(payload).map_err(bad)?;
                // RFC 4254 §4: unknown requests get REQUEST_FAILURE. keepalive@openssh.com
                // needs only an answer, and FAILURE is what OpenSSH's client sends too;
                // hostkeys-00@openssh.com comes without want_reply and is ignored.
                if m.want_reply {
                    self.out.push(&RequestFailure);
                }
                Ok(())
            }
            MsgType::REQUEST_SUCCESS | MsgType::REQUEST_FAILURE => {
                let success = ty == MsgType::REQUEST_SUCCESS;
                if success {
                    RequestSuccess::from_bytes(payload).map_err(bad)?;
                } else {
                    RequestFailure::from_bytes(payload).map_err(bad)?;
                }
                if self.pending_global == 0 {
                    return Err(ConnectionError::UnexpectedReply { msg: ty });
                }
                self.pending_global -= 1;
                self.events
                    .push_back(ConnectionEvent::KeepaliveReply { success });
                Ok(())
            }
            other if (0x50..=0x7f).contains(&other.0) => {
                self.events
                    .push_back(ConnectionEvent::Unimplemented { msg: other });
                Ok(())
            }
            other => Err(ConnectionError::UnexpectedMessage { msg: other }),
        }
    }

    fn on_data(
        &mut self,
        recipient: u32,
        data_type: Option<u32>,
        data: &[u8],
        owner: Option<&Bytes>,
    ) -> Result<(), ConnectionError> {
        let id = ChannelId(recipient);
        let ty = if data_type.is_some() {
            MsgType::CHANNEL_EXTENDED_DATA
        } else {
            MsgType::CHANNEL_DATA
        };
        let policy = self.config.window_policy;
        let (deliver, ch) = match live_in(&mut self.channels, ty, recipient)? {
            Live::Open(ch) => {
                ch.receive(id, data.len())?;
                // C5: nothing after EOF reaches the application; only stderr (1) is
                // delivered among extended types.
                let deliver = !ch.eof_received && matches!(data_type, None | Some(1));
                (deliver, ch)
            }
            Live::Closing(ch) => {
                // After our CLOSE: count the window, deliver nothing (C4).
                ch.receive(id, data.len())?;
                return Ok(());
            }
        };
        let len = data.len() as u64;
        // Data never handed up, or handed up under OnDelivery, is consumed right away.
        let adjust = if !deliver || policy == WindowPolicy::OnDelivery {
            ch.consume(len)
        } else {
            None
        };
        let remote = ch.remote_id;
        let bytes = deliver.then(|| match owner {
            Some(b) => b.slice_ref(data),
            None => {
                let rx = &mut ch.rx;
                if rx.capacity() < data.len() {
                    refill(rx, &mut self.rx_pool, data.len());
                }
                // In glibc-safe pieces: see `ssh_wire::copy`.
                for piece in data.chunks(ssh_wire::copy::COPY_CHUNK) {
                    rx.extend_from_slice(piece);
                }
                rx.split().freeze()
            }
        });
        if let Some(add) = adjust {
            self.out.push(&WindowAdjust {
                recipient_channel: remote,
                bytes_to_add: add,
            });
        }
        if let Some(bytes) = bytes {
            self.events.push_back(match data_type {
                None => ConnectionEvent::Data {
                    channel: id,
                    data: bytes,
                },
                Some(t) => ConnectionEvent::ExtendedData {
                    channel: id,
                    data_type: t,
                    data: bytes,
                },
            });
        }
        Ok(())
    }

    fn on_open_confirmation(&mut self, m: &OpenConfirmation<'_>) -> Result<(), ConnectionError> {
        let ty = MsgType::CHANNEL_OPEN_CONFIRMATION;
        let id = ChannelId(m.recipient_channel);
        let opening = match self.channels.remove(&id.0) {
            Some(ChannelState::Opening(o)) => o,
            Some(other) => {
                self.channels.insert(id.0, other);
                return Err(ConnectionError::WrongChannelState {
                    msg: ty,
                    channel: id,
                    state: "complete",
                });
            }
            None => {
                return Err(ConnectionError::UnknownChannel {
                    msg: ty,
                    recipient: m.recipient_channel,
                });
            }
        };
        let ch = OpenChannel {
            remote_id: m.sender_channel,
            remote_window: u64::from(m.initial_window_size),
            remote_max_packet: m.maximum_packet_size,
            local_window: i64::from(opening.local_window_max),
            local_window_max: opening.local_window_max,
            local_max_packet: opening.local_max_packet,
            unacked: 0,
            eof_received: false,
            eof_sent: false,
            pending_requests: VecDeque::new(),
            blocked: false,
            silent_close: false,
            rx: BytesMut::new(),
        };
        if m.maximum_packet_size < MIN_REMOTE_MAX_PACKET {
            // C3: unusable; close it and report the open as failed. The server's CLOSE
            // will remove the entry without a further event.
            self.out.push(&ChannelClose {
                recipient_channel: ch.remote_id,
            });
            let ch = OpenChannel {
                silent_close: true,
                ..ch
            };
            self.channels.insert(id.0, ChannelState::CloseSent(ch));
            self.events.push_back(ConnectionEvent::ChannelOpenFailed {
                channel: id,
                error: OpenError::BadConfirmation {
                    maximum_packet_size: m.maximum_packet_size,
                },
            });
            return Ok(());
        }
        if opening.close_requested {
            self.out.push(&ChannelClose {
                recipient_channel: ch.remote_id,
            });
            self.channels.insert(id.0, ChannelState::CloseSent(ch));
            return Ok(());
        }
        self.channels.insert(id.0, ChannelState::Open(ch));
        self.events
            .push_back(ConnectionEvent::ChannelOpened { channel: id });
        Ok(())
    }

    fn on_channel_request(&mut self, payload: &[u8]) -> Result<(), ConnectionError> {
        let ty = MsgType::CHANNEL_REQUEST;
        let mut r = Reader::new(payload);
        let header = ChannelRequestHeader::decode_prefix(&mut r).map_err(|e| malformed(ty, e))?;
        let id = ChannelId(header.recipient_channel);
        // Only now the full body: a malformed body is answered, not fatal (C8).
        let parsed = ChannelRequest::from_bytes(payload).ok();
        let (remote, closing) = match self.live(ty, header.recipient_channel)? {
            Live::Open(ch) => (ch.remote_id, false),
            Live::Closing(ch) => (ch.remote_id, true),
        };
        let handled = match parsed.map(|p| p.body) {
            Some(RequestBody::ExitStatus { status }) => {
                if !closing {
                    self.events.push_back(ConnectionEvent::ExitStatus {
                        channel: id,
                        status,
                    });
                }
                true
            }
            Some(RequestBody::ExitSignal(s)) => {
                if !closing {
                    self.events.push_back(ConnectionEvent::ExitSignal {
                        channel: id,
                        signal_name: s.signal_name.to_owned(),
                        core_dumped: s.core_dumped,
                        error_message: s.error_message.to_owned(),
                    });
                }
                true
            }
            // eow@openssh.com ("end of write"): informational.
            Some(RequestBody::Other {
                request_type: "eow@openssh.com",
                ..
            }) => true,
            // keepalive@openssh.com and everything else: not ours to grant.
            _ => false,
        };
        if header.want_reply && !closing {
            if handled {
                self.out.push(&ChannelSuccess {
                    recipient_channel: remote,
                });
            } else {
                self.out.push(&ChannelFailure {
                    recipient_channel: remote,
                });
            }
        }
        Ok(())
    }

    /// C7: we never asked for forwarding, X11 or agent channels; refuse them all.
    fn refuse_open(&mut self, m: &ChannelOpen<'_>) {
        let reason = match m.channel_type {
            "x11"
            | "auth-agent@openssh.com"
            | "forwarded-tcpip"
            | "direct-tcpip"
            | "forwarded-streamlocal@openssh.com"
            | "direct-streamlocal@openssh.com"
            | "session" => OpenFailureReason::ADMINISTRATIVELY_PROHIBITED,
            _ => OpenFailureReason::UNKNOWN_CHANNEL_TYPE,
        };
        self.out.push(&OpenFailure {
            recipient_channel: m.sender_channel,
            reason,
            description: "open refused by client",
            language: "",
        });
        self.events.push_back(ConnectionEvent::ServerOpenRefused {
            channel_type: m.channel_type.to_owned(),
            reason,
        });
    }

    // ---- helpers ------------------------------------------------------------------------------

    fn request(
        &mut self,
        channel: ChannelId,
        kind: RequestKind,
        body: RequestBody<'_>,
    ) -> Result<(), ConnectionError> {
        self.sticky()?;
        let ch = self.open_channel(channel)?;
        ch.pending_requests.push_back(kind);
        let recipient_channel = ch.remote_id;
        self.out.push(&ChannelRequest {
            recipient_channel,
            want_reply: true,
            body,
        });
        Ok(())
    }

    fn send(
        &mut self,
        channel: ChannelId,
        data_type: Option<u32>,
        data: &[u8],
    ) -> Result<usize, ConnectionError> {
        let grant = self.grant_data(channel, data.len())?;
        let body = data.get(..grant.take).unwrap_or_default();
        for piece in body.chunks(grant.max_piece) {
            self.out.push_data(grant.recipient, data_type, piece);
        }
        Ok(grant.take)
    }

    /// Takes up to `wanted` bytes of `channel`'s remote window for data that the caller
    /// frames itself, in CHANNEL_DATA messages of at most `max_piece` bytes each, sent
    /// after everything this connection has queued.
    pub(crate) fn grant_data(
        &mut self,
        channel: ChannelId,
        wanted: usize,
    ) -> Result<DataGrant, ConnectionError> {
        self.sticky()?;
        let ch = self.open_channel(channel)?;
        if ch.eof_sent {
            return Err(UsageError::EofSent(channel).into());
        }
        let wanted = wanted as u64;
        let take = wanted.min(ch.remote_window);
        if take < wanted {
            ch.blocked = true;
        }
        ch.remote_window = ch.remote_window.saturating_sub(take);
        Ok(DataGrant {
            recipient: ch.remote_id,
            take: usize::try_from(take).unwrap_or(usize::MAX),
            max_piece: (ch.remote_max_packet.min(MAX_MAX_PACKET_SIZE) as usize).max(1),
        })
    }

    fn credit(&mut self, channel: ChannelId, n: usize) {
        if let Some(ChannelState::Open(ch)) = self.channels.get_mut(&channel.0) {
            if let Some(add) = ch.consume(n as u64) {
                let recipient_channel = ch.remote_id;
                self.out.push(&WindowAdjust {
                    recipient_channel,
                    bytes_to_add: add,
                });
            }
        }
    }

    fn open_channel(&mut self, channel: ChannelId) -> Result<&mut OpenChannel, ConnectionError> {
        match self.channels.get_mut(&channel.0) {
            Some(ChannelState::Open(ch)) => Ok(ch),
            Some(_) => Err(UsageError::NotOpen(channel).into()),
            None => Err(UsageError::NoSuchChannel(channel).into()),
        }
    }

    /// The channel a server message is about, if it may be (C4): unknown ids and ids whose
    /// open is still pending are protocol errors.
    fn live(&mut self, msg: MsgType, recipient: u32) -> Result<Live<'_>, ConnectionError> {
        live_in(&mut self.channels, msg, recipient)
    }

    fn allocate_id(&mut self) -> Result<ChannelId, ConnectionError> {
        // Ids are not reused while the counter lasts, so a late message for a closed
        // channel can never land on a new one.
        for _ in 0..=MAX_CHANNELS {
            let id = self.next_id;
            self.next_id = self.next_id.wrapping_add(1);
            if !self.channels.contains_key(&id) {
                return Ok(ChannelId(id));
            }
        }
        Err(ConnectionError::TooManyChannels)
    }

    fn sticky(&self) -> Result<(), ConnectionError> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }
}

enum Live<'a> {
    Open(&'a mut OpenChannel),
    Closing(&'a mut OpenChannel),
}

fn malformed(msg: MsgType, source: DecodeError) -> ConnectionError {
    ConnectionError::Malformed { msg, source }
}

/// Outgoing payloads, framed `uint32 length || payload` in one reused buffer.
/// Window granted by [`Connection::grant_data`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct DataGrant {
    /// The server's id for the channel.
    pub(crate) recipient: u32,
    /// Bytes the window allows now.
    pub(crate) take: usize,
    /// Largest data field of one message (the server's maximum packet).
    pub(crate) max_piece: usize,
}

#[derive(Debug, Default)]
struct Outbox {
    buf: Vec<u8>,
    read: usize,
}

impl Outbox {
    fn push(&mut self, msg: &impl Encode) {
        Writer::new(&mut self.buf).string_with(|w| msg.encode(w));
    }

    /// A data message written straight into the buffer: one copy of the application's bytes.
    fn push_data(&mut self, recipient: u32, data_type: Option<u32>, data: &[u8]) {
        let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
        Writer::new(&mut self.buf).string_with(|w| match data_type {
            None => {
                ChannelData::encode_header(recipient, len, w);
                w.raw(data);
            }
            Some(t) => {
                w.u8(MsgType::CHANNEL_EXTENDED_DATA.0)
                    .u32(recipient)
                    .u32(t)
                    .string(data);
            }
        });
    }

    fn pending(&self) -> usize {
        self.buf.len().saturating_sub(self.read)
    }

    fn pop(&mut self) -> Option<&[u8]> {
        if self.read >= self.buf.len() {
            // Drained: rewind so the allocation is reused.
            self.buf.clear();
            self.read = 0;
            return None;
        }
        let rest = self.buf.get(self.read..)?;
        let mut r = Reader::new(rest);
        let payload = r.string("payload").ok()?;
        self.read = self.read.saturating_add(4).saturating_add(payload.len());
        Some(payload)
    }
}

/// [`Connection::live`] over the channel table alone, so that other fields stay usable.
fn live_in(
    channels: &mut HashMap<u32, ChannelState>,
    msg: MsgType,
    recipient: u32,
) -> Result<Live<'_>, ConnectionError> {
    match channels.get_mut(&recipient) {
        Some(ChannelState::Open(ch)) => Ok(Live::Open(ch)),
        Some(ChannelState::CloseSent(ch)) => Ok(Live::Closing(ch)),
        Some(ChannelState::Opening(_)) => Err(ConnectionError::WrongChannelState {
            msg,
            channel: ChannelId(recipient),
            state: "pending",
        }),
        None => Err(ConnectionError::UnknownChannel { msg, recipient }),
    }
}

/// Gives `rx` room for at least `need` more bytes: its own block again if everything cut
/// from it has been dropped, else a pooled block in the same state, else a new one. The
/// block left behind joins the pool (the oldest entry makes way when it is full).
fn refill(rx: &mut BytesMut, pool: &mut Vec<BytesMut>, need: usize) {
    let want = need.max(RX_BLOCK);
    if rx.try_reclaim(want) {
        return;
    }
    let fresh = match pool.iter_mut().position(|b| b.try_reclaim(want)) {
        Some(i) => pool.swap_remove(i),
        None => BytesMut::with_capacity(want),
    };
    let old = std::mem::replace(rx, fresh);
    if pool.len() >= RX_POOL {
        pool.remove(0);
    }
    pool.push(old);
}
