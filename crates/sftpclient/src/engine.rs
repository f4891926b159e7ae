//! The blocking engine: one [`SftpSession`] driven over one [`SftpStream`].
//!
//! Replies are matched to requests by id. The caller waits for a particular id; replies to
//! other ids that arrive first (servers may answer pipelined requests in any order, and
//! several open files share the session) are parked as owned copies until their waiter asks.
//! The common in-order case hands the reply to the waiter borrowed from the receive buffer,
//! so DATA goes straight from the session's buffer to its destination.

use std::collections::HashMap;

use sftp_proto::ext::{ExtendedRequest, Limits, names};
use sftp_proto::packet::{Name, NameEntry, Status};
use sftp_proto::{
    DataPieces, FileAttributes, ReplyParts, Request, RequestId, Response, SessionConfig,
    SessionError, SftpSession, StatusCode, Version,
};

use crate::error::{Error, ErrorKind, Result, code};
use crate::stream::SftpStream;

/// Largest READ/WRITE payload used when the server does not say (`limits@openssh.com`):
/// 32 KiB is what every server must accept (draft-02 §3 lets servers cap packets at 34000
/// bytes).
pub(crate) const DEFAULT_CHUNK: u32 = 32 * 1024;

/// Largest chunk ever used, whatever limits the server announces: bounds the memory of
/// read-ahead and write-behind (chunk x window).
pub(crate) const MAX_CHUNK: u32 = 255 * 1024;

/// WRITE payloads at least this large are sent as soon as they are queued.
const FLUSH_AT: usize = 16 * 1024;

/// A reply kept until its waiter asks for it.
#[derive(Debug)]
enum Parked {
    Status {
        code: StatusCode,
        message: Vec<u8>,
    },
    Handle(Vec<u8>),
    Data {
        data: Vec<u8>,
        end_of_file: Option<bool>,
    },
    Name {
        entries: Vec<(Vec<u8>, Option<Vec<u8>>, FileAttributes)>,
        end_of_list: Option<bool>,
    },
    Attrs(Box<FileAttributes>),
    ExtendedReply(Vec<u8>),
}

impl Parked {
    fn from_response(response: &Response<'_>) -> Self {
        match response {
            Response::Status(s) => Parked::Status {
                code: s.code,
                message: s.message.to_vec(),
            },
            Response::Handle(h) => Parked::Handle(h.to_vec()),
            Response::Data { data, end_of_file } => Parked::Data {
                data: data.to_vec(),
                end_of_file: *end_of_file,
            },
            Response::Name(n) => Parked::Name {
                entries: n
                    .entries
                    .iter()
                    .map(|e| {
                        (
                            e.filename.to_vec(),
                            e.longname.map(<[u8]>::to_vec),
                            e.attrs.clone(),
                        )
                    })
                    .collect(),
                end_of_list: n.end_of_list,
            },
            Response::Attrs(a) => Parked::Attrs(Box::new(a.clone())),
            Response::ExtendedReply(x) => Parked::ExtendedReply(x.to_vec()),
        }
    }

    fn as_response(&self) -> Response<'_> {
        match self {
            Parked::Status { code, message } => Response::Status(Status {
                code: *code,
                message,
                language: b"",
            }),
            Parked::Handle(h) => Response::Handle(h),
            Parked::Data { data, end_of_file } => Response::Data {
                data,
                end_of_file: *end_of_file,
            },
            Parked::Name {
                entries,
                end_of_list,
            } => Response::Name(Name {
                entries: entries
                    .iter()
                    .map(|(filename, longname, attrs)| NameEntry {
                        filename,
                        longname: longname.as_deref(),
                        attrs: attrs.clone(),
                    })
                    .collect(),
                end_of_list: *end_of_list,
            }),
            Parked::Attrs(a) => Response::Attrs((**a).clone()),
            Parked::ExtendedReply(x) => Response::ExtendedReply(x),
        }
    }
}

/// A reply as [`Engine::wait_read`] hands it over.
// Passed by value to a closure at once: boxing would allocate per reply.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Answer<'a> {
    /// DATA left in the pieces it arrived in.
    Pieces(DataPieces<'a>),
    /// Any reply in one piece.
    Whole(Response<'a>),
}

/// Engine settings.
#[derive(Clone, Debug)]
pub(crate) struct EngineConfig {
    pub session: SessionConfig,
}

/// One SFTP session over one stream, used under the [`crate::Sftp`] lock.
pub(crate) struct Engine {
    session: SftpSession,
    stream: Box<dyn SftpStream>,
    tx: Vec<u8>,
    parked: HashMap<u32, Parked>,
    failed: Option<Error>,
    /// Chunk size for READ and WRITE.
    pub(crate) read_chunk: u32,
    pub(crate) write_chunk: u32,
    /// The pipelining window.
    pub(crate) max_outstanding: usize,
}

impl Engine {
    /// Negotiates the version over `stream`, then adopts the server's `limits@openssh.com`
    /// when offered.
    pub(crate) fn start(stream: Box<dyn SftpStream>, config: EngineConfig) -> Result<Self> {
        let max_outstanding = config.session.max_outstanding;
        let mut engine = Self {
            session: SftpSession::new(config.session),
            stream,
            tx: Vec::new(),
            parked: HashMap::new(),
            failed: None,
            read_chunk: DEFAULT_CHUNK,
            write_chunk: DEFAULT_CHUNK,
            max_outstanding,
        };
        engine.handshake()?;
        if engine.session.extensions().offers(names::LIMITS) {
            engine.adopt_limits()?;
        }
        Ok(engine)
    }

    fn handshake(&mut self) -> Result<()> {
        while !self.session.is_ready() {
            self.flush()?;
            match self.session.poll_reply() {
                Ok(Some(reply)) => {
                    let id = reply.id;
                    return Err(self.fail(Error::protocol(format!(
                        "reply to request {id:?} before the version handshake finished"
                    ))));
                }
                Ok(None) => {}
                Err(e) => return Err(self.fail(session_error(e))),
            }
            if self.session.is_ready() {
                break;
            }
            self.fill()?;
        }
        Ok(())
    }

    fn adopt_limits(&mut self) -> Result<()> {
        let id = self.submit(&Request::Extended(ExtendedRequest::Limits))?;
        let limits = self.wait_with(id, |r| match r {
            Response::ExtendedReply(data) => Limits::decode(data)
                .map_err(|e| Error::protocol(format!("bad limits@openssh.com reply: {e}"))),
            other => Err(unexpected("limits@openssh.com", &other)),
        })??;
        self.session.apply_limits(&limits);
        let clamp = |v: u64| u32::try_from(v).unwrap_or(MAX_CHUNK).clamp(1, MAX_CHUNK);
        if limits.max_read_length > 0 {
            self.read_chunk = clamp(limits.max_read_length);
        }
        if limits.max_write_length > 0 {
            self.write_chunk = clamp(limits.max_write_length);
        }
        Ok(())
    }

    /// The negotiated version.
    pub(crate) fn version(&self) -> Version {
        self.session.negotiated_version().unwrap_or(Version::V3)
    }

    /// The session (for extension lookups).
    pub(crate) fn session(&self) -> &SftpSession {
        &self.session
    }

    /// Whether another request fits the pipelining window.
    pub(crate) fn has_room(&self) -> bool {
        self.session.can_send()
    }

    /// Queues `request`, first waiting for replies (parking them) if the window is full.
    pub(crate) fn submit(&mut self, request: &Request<'_>) -> Result<RequestId> {
        self.check()?;
        self.make_room()?;
        self.session.send(request).map_err(send_error)
    }

    /// Queues a WRITE without copying `data` more than once.
    pub(crate) fn submit_write(
        &mut self,
        handle: &[u8],
        offset: u64,
        data: &[u8],
    ) -> Result<RequestId> {
        self.check()?;
        self.make_room()?;
        if data.len() < FLUSH_AT {
            // Small writes are batched into fewer system calls.
            return self
                .session
                .send_write(handle, offset, data)
                .map_err(send_error);
        }
        // Large writes go out at once, so the queue holds about one of them rather than a
        // whole window's worth, and the data goes from the caller's buffer straight into
        // the stream (no copy into the session's buffer).
        let stream = &mut self.stream;
        let sent = self
            .session
            .send_write_with(handle, offset, data, |head, body| {
                stream.send_parts(&[head, body])
            })
            .map_err(send_error)?;
        sent.map_err(|e| {
            self.fail(
                Error::connection_lost(format!("sending to the SFTP server failed: {e}"))
                    .with_source(e),
            )
        })
    }

    /// Forgets request `id`: its reply is dropped when it comes.
    pub(crate) fn abandon(&mut self, id: RequestId) {
        if self.parked.remove(&id.0).is_none() {
            self.session.abandon(id);
        }
    }

    /// Sends a request and waits for its reply.
    pub(crate) fn call<T>(
        &mut self,
        request: &Request<'_>,
        f: impl FnOnce(Response<'_>) -> T,
    ) -> Result<T> {
        let id = self.submit(request)?;
        self.wait_with(id, f)
    }

    /// Waits for the reply to `id` and hands it to `f`.
    pub(crate) fn wait_with<T>(
        &mut self,
        id: RequestId,
        f: impl FnOnce(Response<'_>) -> T,
    ) -> Result<T> {
        if let Some(parked) = self.parked.remove(&id.0) {
            return Ok(f(parked.as_response()));
        }
        self.check()?;
        loop {
            match self.session.poll_reply() {
                Ok(Some(reply)) if reply.id == id => return Ok(f(reply.response)),
                Ok(Some(reply)) => {
                    let parked = Parked::from_response(&reply.response);
                    self.parked.insert(reply.id.0, parked);
                }
                Ok(None) => self.flush_and_fill()?,
                Err(e) => return Err(self.fail(session_error(e))),
            }
        }
    }

    /// Like [`Engine::wait_with`], for a READ: DATA that arrived in several pieces is
    /// handed over as those pieces ([`Answer::Pieces`]), not joined into one buffer.
    pub(crate) fn wait_read<T>(
        &mut self,
        id: RequestId,
        f: impl FnOnce(Answer<'_>) -> T,
    ) -> Result<T> {
        if let Some(parked) = self.parked.remove(&id.0) {
            return Ok(f(Answer::Whole(parked.as_response())));
        }
        self.check()?;
        // Bulk reads send at once: a transfer's READs are spread over several lanes, and
        // one lane's must not wait while the transfer waits on another.
        self.flush()?;
        loop {
            match self.session.poll_reply_parts() {
                Ok(Some(ReplyParts::Whole(reply))) if reply.id == id => {
                    return Ok(f(Answer::Whole(reply.response)));
                }
                Ok(Some(ReplyParts::Whole(reply))) => {
                    let parked = Parked::from_response(&reply.response);
                    self.parked.insert(reply.id.0, parked);
                }
                Ok(Some(ReplyParts::Data { id: got, data, .. })) if got == id => {
                    return Ok(f(Answer::Pieces(data)));
                }
                Ok(Some(ReplyParts::Data {
                    id: got,
                    data,
                    end_of_file,
                })) => {
                    let parked = Parked::Data {
                        data: data.to_vec(),
                        end_of_file,
                    };
                    self.parked.insert(got.0, parked);
                }
                Ok(None) => self.flush_and_fill()?,
                Err(e) => return Err(self.fail(session_error(e))),
            }
        }
    }

    /// Waits for the next reply to any request `ours` claims and hands it to `f`; replies
    /// to other requests (another open file's read-ahead) are parked for their waiters.
    pub(crate) fn next_reply<T>(
        &mut self,
        ours: impl Fn(RequestId) -> bool,
        f: impl FnOnce(RequestId, Response<'_>) -> T,
    ) -> Result<T> {
        let parked_id = self.parked.keys().copied().find(|&id| ours(RequestId(id)));
        if let Some(id) = parked_id {
            if let Some(parked) = self.parked.remove(&id) {
                return Ok(f(RequestId(id), parked.as_response()));
            }
        }
        self.check()?;
        loop {
            match self.session.poll_reply() {
                Ok(Some(reply)) if ours(reply.id) => return Ok(f(reply.id, reply.response)),
                Ok(Some(reply)) => {
                    let parked = Parked::from_response(&reply.response);
                    self.parked.insert(reply.id.0, parked);
                }
                Ok(None) => self.flush_and_fill()?,
                Err(e) => return Err(self.fail(session_error(e))),
            }
        }
    }

    /// Sends everything queued.
    pub(crate) fn flush(&mut self) -> Result<()> {
        if self.session.poll_transmit(&mut self.tx) {
            let sent = self.stream.send(&self.tx);
            self.tx.clear();
            if let Err(e) = sent {
                return Err(self.fail(
                    Error::connection_lost(format!("sending to the SFTP server failed: {e}"))
                        .with_source(e),
                ));
            }
        }
        Ok(())
    }

    /// Ends the session.
    pub(crate) fn close(&mut self) -> Result<()> {
        let _ = self.flush();
        self.stream
            .close()
            .map_err(|e| Error::connection_lost(format!("closing the SFTP stream: {e}")))
    }

    /// Waits for one reply and parks it, until the window has room.
    fn make_room(&mut self) -> Result<()> {
        while !self.session.can_send() {
            self.flush()?;
            match self.session.poll_reply() {
                Ok(Some(reply)) => {
                    let parked = Parked::from_response(&reply.response);
                    self.parked.insert(reply.id.0, parked);
                }
                Ok(None) => self.fill()?,
                Err(e) => return Err(self.fail(session_error(e))),
            }
        }
        Ok(())
    }

    /// Sends what is queued, then waits for input. Waits send only here, when no reply
    /// already received can answer: requests queued while buffered replies are handled
    /// leave together (1000 small files: 4 000 `sendto` calls became ~1 000, and 0.20 s
    /// became 0.15 s), and every request is out before the engine blocks for its reply.
    fn flush_and_fill(&mut self) -> Result<()> {
        self.flush()?;
        self.fill()
    }

    /// Reads more bytes from the stream into the session.
    fn fill(&mut self) -> Result<()> {
        let session = &mut self.session;
        match self
            .stream
            .recv_bytes(&mut |data| session.handle_input_bytes(data))
        {
            Ok(0) => Err(self.fail(Error::connection_lost("the SFTP server closed the session"))),
            Ok(_) => Ok(()),
            Err(e)
                if e.kind() == std::io::ErrorKind::TimedOut
                    || e.kind() == std::io::ErrorKind::WouldBlock =>
            {
                Err(self.fail(
                    Error::new(
                        ErrorKind::Timeout,
                        code::TIMEOUT,
                        "timed out waiting for the SFTP server",
                    )
                    .with_source(e),
                ))
            }
            Err(e) => Err(self.fail(
                Error::connection_lost(format!("receiving from the SFTP server failed: {e}"))
                    .with_source(e),
            )),
        }
    }

    /// Whether a fatal error ended this session.
    pub(crate) fn is_failed(&self) -> bool {
        self.failed.is_some()
    }

    fn check(&self) -> Result<()> {
        match &self.failed {
            Some(e) => Err(e.duplicate()),
            None => Ok(()),
        }
    }

    /// Records a fatal error (sticky) and returns it.
    fn fail(&mut self, e: Error) -> Error {
        if self.failed.is_none() {
            self.failed = Some(e.duplicate());
        }
        e
    }
}

/// A fatal session error as the public error.
pub(crate) fn session_error(e: SessionError) -> Error {
    match e {
        SessionError::UnsupportedVersion { .. } | SessionError::VersionSelectRefused { .. } => {
            Error::new(
                ErrorKind::UnsupportedVersion,
                code::UNSUPPORTED_VERSION,
                e.to_string(),
            )
            .with_source(e)
        }
        other => Error::protocol(format!("SFTP protocol error: {other}")).with_source(other),
    }
}

fn send_error(e: sftp_proto::SendError) -> Error {
    match e {
        sftp_proto::SendError::Failed(inner) => session_error(inner),
        sftp_proto::SendError::NotAtVersion(v) => Error::unsupported(format!("{v}")).with_source(v),
        other => Error::new(
            ErrorKind::InvalidState,
            code::INVALID_STATE,
            other.to_string(),
        ),
    }
}

/// A reply of a type the request cannot have (already excluded by the session's checks;
/// kept as an error rather than an assumption).
pub(crate) fn unexpected(what: &str, response: &Response<'_>) -> Error {
    Error::protocol(format!(
        "{what}: unexpected {:?} reply",
        response.packet_type()
    ))
}

/// Turns a STATUS reply into `Ok(())` for OK and an error otherwise.
pub(crate) fn status_ok(what: &str, response: Response<'_>) -> Result<()> {
    match response {
        Response::Status(s) if s.code == StatusCode::OK => Ok(()),
        Response::Status(s) => Err(Error::status(s.code, &s.message_lossy(), what)),
        other => Err(unexpected(what, &other)),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::io;
    use std::sync::{Arc, Mutex};

    use sftp_proto::packet::{ServerVersion, Status};
    use sftp_proto::{Request, RequestId, Response, ServerPacket, StatusCode, Version};

    use super::{Engine, EngineConfig};
    use crate::stream::SftpStream;

    /// Replays scripted server bytes, one batch per `recv`, and records every `send`.
    struct Script {
        batches: VecDeque<Vec<u8>>,
        sends: Arc<Mutex<Vec<Vec<u8>>>>,
    }

    impl SftpStream for Script {
        fn send(&mut self, data: &[u8]) -> io::Result<()> {
            self.sends.lock().unwrap().push(data.to_vec());
            Ok(())
        }

        fn recv(&mut self, sink: &mut dyn FnMut(&[u8])) -> io::Result<usize> {
            let batch = self.batches.pop_front().unwrap_or_default();
            sink(&batch);
            Ok(batch.len())
        }
    }

    fn ok(ids: std::ops::Range<u32>) -> Vec<u8> {
        let mut out = Vec::new();
        for id in ids {
            ServerPacket::Response {
                id: RequestId(id),
                response: Response::Status(Status {
                    code: StatusCode::OK,
                    message: b"",
                    language: b"",
                }),
            }
            .encode(Version::V3, &mut out);
        }
        out
    }

    /// Requests queued while replies already received are handled leave together, when
    /// the engine has to wait; none is left behind when it does.
    #[test]
    fn requests_wait_for_the_next_wait_and_leave_together() {
        let mut hello = Vec::new();
        ServerPacket::Version(ServerVersion {
            version: 3,
            extensions: Vec::new(),
        })
        .encode(Version::V3, &mut hello);
        let sends = Arc::new(Mutex::new(Vec::new()));
        let script = Script {
            batches: [hello, ok(0..3), ok(3..6)].into(),
            sends: sends.clone(),
        };
        let mut engine = Engine::start(
            Box::new(script),
            EngineConfig {
                session: sftp_proto::SessionConfig::default(),
            },
        )
        .unwrap();
        let mkdir = |n: usize| format!("d{n}");
        let submit = |engine: &mut Engine, n: usize| {
            let path = mkdir(n);
            engine
                .submit(&Request::Mkdir {
                    path: path.as_bytes(),
                    attrs: Default::default(),
                })
                .unwrap()
        };
        let first: Vec<RequestId> = (0..3).map(|n| submit(&mut engine, n)).collect();
        let mut next = Vec::new();
        for (n, id) in first.into_iter().enumerate() {
            engine.wait_with(id, |_| ()).unwrap();
            next.push(submit(&mut engine, n + 3));
        }
        for id in next {
            engine.wait_with(id, |_| ()).unwrap();
        }
        let sends = sends.lock().unwrap();
        // INIT; the first three MKDIRs; the three sent while replies 1 and 2 waited in
        // the buffer, together.
        assert_eq!(sends.len(), 3, "{} sends", sends.len());
        let carries = |b: &[u8], n: usize| {
            let path = mkdir(n);
            b.windows(path.len()).any(|w| w == path.as_bytes())
        };
        assert!((0..3).all(|n| carries(&sends[1], n)));
        assert!((3..6).all(|n| carries(&sends[2], n)));
    }
}
