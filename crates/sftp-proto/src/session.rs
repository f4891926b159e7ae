//! The sans-IO SFTP client session: version negotiation and the request table.
//!
//! ```text
//!  new() ── INIT queued ──> ExpectVersion ── VERSION ok ──> Ready
//!                                 │                          │  ▲
//!                                 │ (version-select wanted)  │  │ STATUS OK
//!                                 └──────> ExpectSelectStatus ──┘
//!  any fatal error ──> Failed (sticky)
//! ```
//!
//! The driver feeds channel data to [`SftpSession::handle_input`], then calls
//! [`SftpSession::poll_reply`] until it returns `Ok(None)` (negotiation packets are handled
//! inside that call), and sends whatever [`SftpSession::poll_transmit`] yields. Requests go
//! in with [`SftpSession::send`], which assigns the id. No I/O, no clock, no callbacks.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use bytes::Bytes;
use ssh_wire::{Reader, Writer};

use crate::attrs::Quirks;
use crate::consts::{PacketType, StatusCode};
use crate::deframer::{DEFAULT_MAX_PACKET_LEN, Deframer, MAX_PACKET_LEN_LIMIT, range_slices};
use crate::error::{SendError, SessionError};
use crate::ext::{ExtendedReplyKind, ExtendedRequest, Limits, ServerExtensions, names};
use crate::packet::{
    ClientPacket, Init, Request, RequestId, Response, ServerPacket, encode_write_header,
};
use crate::version::{DEFAULT_VERSION, Version};

/// A DATA reply's fixed part: type, request id, data length.
const DATA_HEAD: usize = 9;

/// Requests in flight unless configured otherwise: enough to fill a 2 MiB window with
/// 32 KiB reads, as OpenSSH's `sftp -R 64` does.
pub const DEFAULT_MAX_OUTSTANDING: usize = 64;

/// Upper bound on the pipelining window, so the request table's memory stays bounded
/// whatever the configuration asks.
pub const MAX_OUTSTANDING_LIMIT: usize = 4096;

/// The largest packet body we send unless `limits@openssh.com` says otherwise: OpenSSH's
/// `SFTP_MAX_MSG_LENGTH` (256 KiB), which its server enforces.
pub const DEFAULT_PEER_MAX_PACKET_LEN: usize = 256 * 1024;

/// Session settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionConfig {
    /// The highest version to use (the seed's `ProtocolVersion`), offered in INIT.
    pub protocol_version: Version,
    /// Most requests in flight (the seed's `MaxOutstandingPackets`), at most
    /// [`MAX_OUTSTANDING_LIMIT`].
    pub max_outstanding: usize,
    /// Largest packet accepted from the server (see [`Deframer`]).
    pub max_packet_len: usize,
    /// When the server answers a lower version than wanted but lists a higher one in
    /// `versions` and offers `version-select`, select the highest common version.
    pub auto_version_select: bool,
    /// Server bugs tolerated when decoding replies (default: [`Quirks::LENIENT`]).
    pub quirks: Quirks,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            protocol_version: DEFAULT_VERSION,
            max_outstanding: DEFAULT_MAX_OUTSTANDING,
            max_packet_len: DEFAULT_MAX_PACKET_LEN,
            auto_version_select: true,
            quirks: Quirks::LENIENT,
        }
    }
}

/// What a request in flight may be answered with. STATUS is always allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Status,
    Handle,
    Data { asked: u32 },
    Names,
    OneName,
    Attrs,
    ExtendedReply,
}

/// A request in the table.
#[derive(Clone, Copy, Debug)]
struct Pending {
    ty: PacketType,
    expect: Expect,
}

/// Negotiation phases; data lives only in the phase where it is valid.
#[derive(Clone, Copy, Debug)]
enum Phase {
    ExpectVersion,
    ExpectSelectStatus { id: RequestId, target: Version },
    Ready { version: Version, sent_any: bool },
}

/// A validated reply: the id, the type of the request it answers, and the response, which
/// is guaranteed to be of a type that can answer that request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply<'a> {
    /// The request id.
    pub id: RequestId,
    /// The request's packet type.
    pub request: PacketType,
    /// The response (DATA borrows the session's input buffer).
    pub response: Response<'a>,
}

/// A validated reply as [`SftpSession::poll_reply_parts`] hands it out.
// Returned by value and dropped at once: boxing the large variant would allocate per reply.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplyParts<'a> {
    /// Any reply, whole (as [`SftpSession::poll_reply`] gives it).
    Whole(Reply<'a>),
    /// A DATA reply to a READ whose packet arrived in several pieces: the data is left in
    /// them rather than joined.
    Data {
        /// The request id.
        id: RequestId,
        /// The data.
        data: DataPieces<'a>,
        /// v6 `end-of-file`, when present.
        end_of_file: Option<bool>,
    },
}

/// A DATA reply found complete and acceptable ahead in the input: its fixed part, its
/// content length and its data length.
#[derive(Clone, Copy, Debug)]
struct DataAhead {
    head: [u8; DATA_HEAD],
    len: usize,
    data_len: usize,
}

/// DATA bytes lying in the pieces the packet arrived in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataPieces<'a> {
    pieces: &'a [Bytes],
    /// Where the data starts in the concatenation of `pieces`.
    start: usize,
    len: usize,
}

impl<'a> DataPieces<'a> {
    /// The data's length.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is no data.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The data as consecutive non-empty slices.
    pub fn slices(&self) -> impl Iterator<Item = &'a [u8]> + use<'a> {
        range_slices(self.pieces, self.start, self.len)
    }

    /// The data joined into one buffer (a copy).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len);
        for s in self.slices() {
            ssh_wire::copy::extend_bytes(&mut out, s);
        }
        out
    }
}

/// The client side of one SFTP session over one channel. See the module docs.
#[derive(Debug)]
pub struct SftpSession {
    config: SessionConfig,
    deframer: Deframer,
    out: Vec<u8>,
    phase: Phase,
    pending: HashMap<u32, Pending>,
    abandoned: HashSet<u32>,
    next_id: u32,
    failed: Option<SessionError>,
    server_version: Option<u32>,
    extensions: ServerExtensions,
    peer_max_packet_len: usize,
}

impl SftpSession {
    /// A session that offers `config.protocol_version`; INIT is queued for transmission.
    pub fn new(mut config: SessionConfig) -> Self {
        config.max_outstanding = config.max_outstanding.clamp(1, MAX_OUTSTANDING_LIMIT);
        let mut out = Vec::new();
        ClientPacket::Init(Init {
            version: config.protocol_version.number(),
            extensions: Vec::new(),
        })
        .encode(config.protocol_version, &mut out);
        Self {
            deframer: Deframer::new(config.max_packet_len),
            config,
            out,
            phase: Phase::ExpectVersion,
            pending: HashMap::new(),
            abandoned: HashSet::new(),
            next_id: 0,
            failed: None,
            server_version: None,
            extensions: ServerExtensions::default(),
            peer_max_packet_len: DEFAULT_PEER_MAX_PACKET_LEN,
        }
    }

    /// The version in use once negotiation finished (the seed's
    /// `NegotiatedProtocolVersion`).
    pub fn negotiated_version(&self) -> Option<Version> {
        match self.phase {
            Phase::Ready { version, .. } => Some(version),
            _ => None,
        }
    }

    /// The version the server's VERSION packet named (before any version-select).
    pub fn server_version(&self) -> Option<u32> {
        self.server_version
    }

    /// Whether requests can be sent.
    pub fn is_ready(&self) -> bool {
        self.failed.is_none() && matches!(self.phase, Phase::Ready { .. })
    }

    /// The extensions the server announced in VERSION.
    pub fn extensions(&self) -> &ServerExtensions {
        &self.extensions
    }

    /// The sticky fatal error, if any.
    pub fn error(&self) -> Option<&SessionError> {
        self.failed.as_ref()
    }

    /// Requests in flight (abandoned ones included until their reply arrives).
    pub fn outstanding(&self) -> usize {
        self.pending.len().saturating_add(self.abandoned.len())
    }

    /// Whether the pipelining window has room for another request.
    pub fn can_send(&self) -> bool {
        self.is_ready() && self.outstanding() < self.config.max_outstanding
    }

    /// Adopts a `limits@openssh.com` reply: caps what we send by its max-packet-length
    /// and accepts packets up to that length plus 8 KiB of slack from the server.
    pub fn apply_limits(&mut self, limits: &Limits) {
        if limits.max_packet_length > 0 {
            let max = usize::try_from(limits.max_packet_length)
                .unwrap_or(MAX_PACKET_LEN_LIMIT)
                .min(MAX_PACKET_LEN_LIMIT);
            self.peer_max_packet_len = max;
            self.deframer.set_max_packet_len(
                max.saturating_add(8 * 1024)
                    .max(self.config.max_packet_len.min(MAX_PACKET_LEN_LIMIT)),
            );
        }
    }

    /// Appends the bytes received on the channel. Call [`SftpSession::poll_reply`] until
    /// it returns `Ok(None)` afterwards.
    pub fn handle_input(&mut self, data: &[u8]) {
        if self.failed.is_none() {
            self.deframer.push(data);
        }
    }

    /// Moves the bytes to send into `buf` (appending). Returns whether there were any.
    pub fn poll_transmit(&mut self, buf: &mut Vec<u8>) -> bool {
        if self.out.is_empty() {
            return false;
        }
        if buf.is_empty() {
            std::mem::swap(buf, &mut self.out);
        } else {
            buf.append(&mut self.out);
        }
        true
    }

    /// Queues `request` and returns its id.
    pub fn send(&mut self, request: &Request<'_>) -> Result<RequestId, SendError> {
        let (version, id) = self.prepare_send()?;
        request.check_version(version)?;
        let expect = expect_for(request);
        let start = self.out.len();
        // Framed in place (no clone of the request): uint32 length, type, id, body.
        Writer::new(&mut self.out).string_with(|w| {
            w.u8(request.packet_type().0).u32(id.0);
            request.encode_body(version, w);
        });
        self.commit(start, 0, id, request.packet_type(), expect)
    }

    /// Queues a WRITE without copying `data` anywhere but the transmit buffer (the hot
    /// path of uploads).
    pub fn send_write(
        &mut self,
        handle: &[u8],
        offset: u64,
        data: &[u8],
    ) -> Result<RequestId, SendError> {
        self.queue_write(handle, offset, data, true)
    }

    /// Queues a WRITE whose data never enters the session's buffer: `emit` is handed
    /// everything queued for transmission (ending with this WRITE's header) and `data`,
    /// and must send them in that order. Nothing is registered when the packet is too large
    /// for the peer; when `emit` fails, the request is registered but the stream is broken,
    /// which the caller treats as fatal. Saves uploads a copy of every byte.
    pub fn send_write_with<E>(
        &mut self,
        handle: &[u8],
        offset: u64,
        data: &[u8],
        emit: impl FnOnce(&[u8], &[u8]) -> Result<(), E>,
    ) -> Result<Result<RequestId, E>, SendError> {
        let id = self.queue_write(handle, offset, data, false)?;
        let sent = emit(&self.out, data);
        self.out.clear();
        Ok(sent.map(|()| id))
    }

    /// Queues a WRITE header, and `data` too when `with_data` (otherwise the caller sends
    /// it right after the queued bytes).
    fn queue_write(
        &mut self,
        handle: &[u8],
        offset: u64,
        data: &[u8],
        with_data: bool,
    ) -> Result<RequestId, SendError> {
        let (_, id) = self.prepare_send()?;
        let start = self.out.len();
        if !encode_write_header(&mut self.out, id, handle, offset, data.len()) {
            return Err(SendError::TooLarge {
                len: data.len(),
                max: self.peer_max_packet_len,
            });
        }
        let outside = if with_data {
            ssh_wire::copy::extend_bytes(&mut self.out, data);
            0
        } else {
            data.len()
        };
        self.commit(start, outside, id, PacketType::WRITE, Expect::Status)
    }

    /// Sends `version-select` for `target` now. Allowed once, right after VERSION and
    /// before any other request, when the server offers `version-select` and lists
    /// `target` in `versions`.
    pub fn select_version(&mut self, target: Version) -> Result<RequestId, SendError> {
        if let Some(e) = &self.failed {
            return Err(e.clone().into());
        }
        match self.phase {
            Phase::Ready {
                sent_any: false, ..
            } => {}
            Phase::Ready { .. } => return Err(SendError::VersionSelect("a request was sent")),
            _ => return Err(SendError::NotReady),
        }
        if !self.extensions.offers(names::VERSION_SELECT) {
            return Err(SendError::VersionSelect("server does not offer it"));
        }
        if !self.extensions.versions().contains(&target.number()) {
            return Err(SendError::VersionSelect("version not in the server's list"));
        }
        Ok(self.queue_version_select(target))
    }

    fn queue_version_select(&mut self, target: Version) -> RequestId {
        let id = self.allocate_id();
        let number = target.number().to_string();
        ClientPacket::Request {
            id,
            request: Request::Extended(ExtendedRequest::VersionSelect {
                version: number.as_bytes(),
            }),
        }
        .encode(Version::V3, &mut self.out);
        self.phase = Phase::ExpectSelectStatus { id, target };
        id
    }

    /// Forgets request `id` (a cancelled transfer): its reply, when it comes, is dropped
    /// silently instead of being an unknown-id error. Returns whether it was in flight.
    pub fn abandon(&mut self, id: RequestId) -> bool {
        if self.pending.remove(&id.0).is_some() {
            self.abandoned.insert(id.0);
            true
        } else {
            false
        }
    }

    /// The next validated reply, `Ok(None)` when more input is needed. Fatal errors are
    /// sticky.
    pub fn poll_reply(&mut self) -> Result<Option<Reply<'_>>, SessionError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let (range, id, pending, version) = match self.pump() {
            Ok(Some(found)) => found,
            Ok(None) => return Ok(None),
            Err(e) => {
                self.failed = Some(e.clone());
                return Err(e);
            }
        };
        let frame = self.deframer.packet(range);
        match check_reply(frame, version, self.config.quirks, id, pending) {
            Ok(response) => Ok(Some(Reply {
                id,
                request: pending.ty,
                response,
            })),
            Err(e) => {
                self.failed = Some(e.clone());
                Err(e)
            }
        }
    }

    /// Like [`SftpSession::poll_reply`], but a DATA reply to a READ that arrived in
    /// several pieces (see [`Deframer::push_bytes`]) comes as [`ReplyParts::Data`],
    /// its data left where it is: a large READ's data can go to its destination without
    /// being copied into one buffer first. Everything else comes whole.
    pub fn poll_reply_parts(&mut self) -> Result<Option<ReplyParts<'_>>, SessionError> {
        if self.failed.is_none()
            && let Some(ahead) = self.data_in_pieces_ahead()
        {
            return self.take_data_in_pieces(ahead).map(Some);
        }
        Ok(self.poll_reply()?.map(ReplyParts::Whole))
    }

    /// Appends a piece received on the channel without copying it; like
    /// [`SftpSession::handle_input`] otherwise.
    pub fn handle_input_bytes(&mut self, data: Bytes) {
        if self.failed.is_none() {
            self.deframer.push_bytes(data);
        }
    }

    /// The next packet, if it is complete, spans several pieces and is a well-formed DATA
    /// reply within what a pending READ asked for. Anything else (including every error)
    /// takes the [`SftpSession::poll_reply`] path, which reports it.
    fn data_in_pieces_ahead(&mut self) -> Option<DataAhead> {
        if !matches!(self.phase, Phase::Ready { .. }) {
            return None;
        }
        let mut head = [0u8; DATA_HEAD];
        let Ok(Some((len, pieces))) = self.deframer.peek_packet(&mut head) else {
            return None;
        };
        let [ty, i0, i1, i2, i3, l0, l1, l2, l3] = head;
        let id = u32::from_be_bytes([i0, i1, i2, i3]);
        let data_len = usize::try_from(u32::from_be_bytes([l0, l1, l2, l3])).unwrap_or(usize::MAX);
        let Some(Pending {
            expect: Expect::Data { asked },
            ..
        }) = self.pending.get(&id)
        else {
            return None;
        };
        let asked = usize::try_from(*asked).unwrap_or(usize::MAX);
        // What may follow the data: nothing, or v6's one-byte end-of-file.
        let trailer = len.saturating_sub(DATA_HEAD).checked_sub(data_len);
        let fits = pieces > 1
            && PacketType(ty) == PacketType::DATA
            && len >= DATA_HEAD
            && data_len <= asked
            && matches!(trailer, Some(0 | 1));
        fits.then_some(DataAhead {
            head,
            len,
            data_len,
        })
    }

    /// Takes the packet [`Self::data_in_pieces_ahead`] approved.
    fn take_data_in_pieces(&mut self, ahead: DataAhead) -> Result<ReplyParts<'_>, SessionError> {
        let Phase::Ready { version, .. } = self.phase else {
            return Err(SessionError::UnexpectedPacket(PacketType::DATA));
        };
        let DataAhead {
            head,
            len,
            data_len,
        } = ahead;
        let quirks = self.config.quirks;
        let checked = match self.deframer.next_packet_pieces() {
            Ok(Some(pieces)) => {
                // The header, and the trailer in place of the data, through the one
                // decoder all replies take: the same checks, the same errors.
                let mut check = head.to_vec();
                if let Some(data_len_field) = check.get_mut(5..DATA_HEAD) {
                    data_len_field.fill(0);
                }
                let trailer_at = DATA_HEAD.saturating_add(data_len);
                for s in range_slices(pieces, trailer_at, len.saturating_sub(trailer_at)) {
                    check.extend_from_slice(s);
                }
                match ServerPacket::decode_with_quirks(version, quirks, &check) {
                    Ok(ServerPacket::Response {
                        id,
                        response: Response::Data { end_of_file, .. },
                    }) => Ok((pieces, id, end_of_file)),
                    Ok(_) => Err(SessionError::UnexpectedPacket(PacketType::DATA)),
                    Err(source) => Err(SessionError::Malformed {
                        packet: PacketType::DATA,
                        source,
                    }),
                }
            }
            Ok(None) => Err(SessionError::UnexpectedPacket(PacketType::DATA)),
            Err(e) => Err(SessionError::from(e)),
        };
        match checked {
            Ok((pieces, id, end_of_file)) => {
                self.pending.remove(&id.0);
                Ok(ReplyParts::Data {
                    id,
                    data: DataPieces {
                        pieces,
                        start: DATA_HEAD,
                        len: data_len,
                    },
                    end_of_file,
                })
            }
            Err(e) => {
                self.failed = Some(e.clone());
                Err(e)
            }
        }
    }

    /// Handles negotiation packets and dropped replies; stops at the first frame to hand
    /// out, returning where it is and the request it answers.
    #[allow(clippy::type_complexity)]
    fn pump(
        &mut self,
    ) -> Result<Option<(Range<usize>, RequestId, Pending, Version)>, SessionError> {
        loop {
            let Some(range) = self.deframer.next_packet_range()? else {
                return Ok(None);
            };
            let frame = self.deframer.packet(range.clone());
            let mut r = Reader::new(frame);
            let ty = PacketType(r.u8("type").map_err(|source| SessionError::Malformed {
                packet: PacketType(0),
                source,
            })?);
            match self.phase {
                Phase::ExpectVersion => {
                    if ty != PacketType::VERSION {
                        return Err(SessionError::NotVersion { got: ty });
                    }
                    let packet = ServerPacket::decode(Version::V3, frame)
                        .map_err(|source| SessionError::Malformed { packet: ty, source })?;
                    let ServerPacket::Version(v) = packet else {
                        return Err(SessionError::NotVersion { got: ty });
                    };
                    let offered = self.config.protocol_version;
                    let chosen = Version::from_u32(v.version)
                        .filter(|chosen| *chosen <= offered)
                        .ok_or(SessionError::UnsupportedVersion {
                            version: v.version,
                            offered: offered.number(),
                        })?;
                    self.server_version = Some(v.version);
                    self.extensions = ServerExtensions::from_pairs(&v.extensions);
                    self.phase = Phase::Ready {
                        version: chosen,
                        sent_any: false,
                    };
                    if self.config.auto_version_select && chosen < offered {
                        let best = self
                            .extensions
                            .versions()
                            .into_iter()
                            .filter_map(Version::from_u32)
                            .filter(|v| *v > chosen && *v <= offered)
                            .max();
                        if let Some(best) =
                            best.filter(|_| self.extensions.offers(names::VERSION_SELECT))
                        {
                            self.queue_version_select(best);
                        }
                    }
                }
                Phase::ExpectSelectStatus { id, target } => {
                    let packet = ServerPacket::decode(Version::V3, frame)
                        .map_err(|source| SessionError::Malformed { packet: ty, source })?;
                    match packet {
                        ServerPacket::Response {
                            id: got,
                            response: Response::Status(s),
                        } if got == id => {
                            if s.code != StatusCode::OK {
                                return Err(SessionError::VersionSelectRefused {
                                    version: target.number(),
                                    status: s.code,
                                });
                            }
                            self.phase = Phase::Ready {
                                version: target,
                                sent_any: true,
                            };
                        }
                        ServerPacket::Response { id: got, .. } if got != id => {
                            return Err(SessionError::UnknownRequestId(got));
                        }
                        ServerPacket::Response { response, .. } => {
                            return Err(SessionError::UnexpectedReply {
                                id,
                                request: PacketType::EXTENDED,
                                got: response.packet_type(),
                            });
                        }
                        _ => return Err(SessionError::UnexpectedPacket(ty)),
                    }
                }
                Phase::Ready { version, .. } => {
                    if !is_response_type(ty) {
                        return Err(SessionError::UnexpectedPacket(ty));
                    }
                    let id = RequestId(
                        r.u32("request-id")
                            .map_err(|source| SessionError::Malformed { packet: ty, source })?,
                    );
                    if let Some(pending) = self.pending.remove(&id.0) {
                        return Ok(Some((range, id, pending, version)));
                    }
                    if !self.abandoned.remove(&id.0) {
                        return Err(SessionError::UnknownRequestId(id));
                    }
                }
            }
        }
    }

    fn prepare_send(&mut self) -> Result<(Version, RequestId), SendError> {
        if let Some(e) = &self.failed {
            return Err(e.clone().into());
        }
        let Phase::Ready { version, .. } = self.phase else {
            return Err(SendError::NotReady);
        };
        if self.outstanding() >= self.config.max_outstanding {
            return Err(SendError::WindowFull(self.outstanding()));
        }
        Ok((version, self.allocate_id()))
    }

    /// Registers the request framed in `out` from `start`, whose packet has `outside` more
    /// bytes that the caller sends itself; refuses (and unqueues) one too large for the peer.
    fn commit(
        &mut self,
        start: usize,
        outside: usize,
        id: RequestId,
        ty: PacketType,
        expect: Expect,
    ) -> Result<RequestId, SendError> {
        let len = self
            .out
            .len()
            .saturating_sub(start)
            .saturating_sub(4)
            .saturating_add(outside);
        if len > self.peer_max_packet_len {
            self.out.truncate(start);
            return Err(SendError::TooLarge {
                len,
                max: self.peer_max_packet_len,
            });
        }
        self.pending.insert(id.0, Pending { ty, expect });
        if let Phase::Ready { sent_any, .. } = &mut self.phase {
            *sent_any = true;
        }
        Ok(id)
    }

    /// The next id not in use (ids wrap; the table is far smaller than 2^32).
    fn allocate_id(&mut self) -> RequestId {
        loop {
            let id = self.next_id;
            self.next_id = self.next_id.wrapping_add(1);
            if !self.pending.contains_key(&id) && !self.abandoned.contains(&id) {
                return RequestId(id);
            }
        }
    }
}

fn is_response_type(ty: PacketType) -> bool {
    matches!(
        ty,
        PacketType::STATUS
            | PacketType::HANDLE
            | PacketType::DATA
            | PacketType::NAME
            | PacketType::ATTRS
            | PacketType::EXTENDED_REPLY
    )
}

fn expect_for(request: &Request<'_>) -> Expect {
    match request {
        Request::Open { .. } | Request::Opendir { .. } => Expect::Handle,
        Request::Read { len, .. } => Expect::Data { asked: *len },
        Request::Readdir { .. } => Expect::Names,
        Request::Realpath { .. } | Request::Readlink { .. } => Expect::OneName,
        Request::Stat { .. } | Request::Lstat { .. } | Request::Fstat { .. } => Expect::Attrs,
        Request::Extended(ext) => match ext.reply_kind() {
            ExtendedReplyKind::Status => Expect::Status,
            ExtendedReplyKind::ExtendedReply => Expect::ExtendedReply,
            ExtendedReplyKind::Name => Expect::OneName,
        },
        _ => Expect::Status,
    }
}

/// Decodes a response frame and checks it can answer the pending request (S3, S5).
fn check_reply(
    frame: &[u8],
    version: Version,
    quirks: Quirks,
    id: RequestId,
    pending: Pending,
) -> Result<Response<'_>, SessionError> {
    let ty = PacketType(frame.first().copied().unwrap_or(0));
    let packet = ServerPacket::decode_with_quirks(version, quirks, frame)
        .map_err(|source| SessionError::Malformed { packet: ty, source })?;
    let ServerPacket::Response { response, .. } = packet else {
        return Err(SessionError::UnexpectedPacket(ty));
    };
    let ok = match (&response, pending.expect) {
        (Response::Status(_), _) => true,
        (Response::Handle(_), Expect::Handle) => true,
        (Response::Data { data, .. }, Expect::Data { asked }) => {
            if data.len() > usize::try_from(asked).unwrap_or(usize::MAX) {
                return Err(SessionError::DataTooLong {
                    id,
                    asked,
                    got: data.len(),
                });
            }
            true
        }
        (Response::Name(_), Expect::Names) => true,
        (Response::Name(n), Expect::OneName) => {
            if n.entries.len() != 1 {
                return Err(SessionError::BadNameCount {
                    id,
                    count: n.entries.len(),
                });
            }
            true
        }
        (Response::Attrs(_), Expect::Attrs) => true,
        (Response::ExtendedReply(_), Expect::ExtendedReply) => true,
        _ => false,
    };
    if ok {
        Ok(response)
    } else {
        Err(SessionError::UnexpectedReply {
            id,
            request: pending.ty,
            got: ty,
        })
    }
}
