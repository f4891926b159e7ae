//! A blocking driver for interop tests: an `ssh -s sftp` child as transport, this crate's
//! session as the codec.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::process::{Child, ChildStdin};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::thread;
use std::time::Duration;

use sftp_proto::packet::Response;
use sftp_proto::{
    FileAttributes, PacketType, Request, RequestId, SendError, SessionConfig, SessionError,
    SftpSession, StatusCode, Version,
};

const REPLY_TIMEOUT: Duration = Duration::from_secs(20);

/// A reply copied out of the session's buffer.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owned {
    Status(StatusCode, String),
    Handle(Vec<u8>),
    Data(Vec<u8>, Option<bool>),
    Name(Vec<(Vec<u8>, FileAttributes)>, Option<bool>),
    Attrs(FileAttributes),
    Extended(Vec<u8>),
}

impl Owned {
    pub fn from_response(r: &Response<'_>) -> Self {
        match r {
            Response::Status(s) => Owned::Status(s.code, s.message_lossy()),
            Response::Handle(h) => Owned::Handle(h.to_vec()),
            Response::Data { data, end_of_file } => Owned::Data(data.to_vec(), *end_of_file),
            Response::Name(n) => Owned::Name(
                n.entries
                    .iter()
                    .map(|e| (e.filename.to_vec(), e.attrs.clone()))
                    .collect(),
                n.end_of_list,
            ),
            Response::Attrs(a) => Owned::Attrs(a.clone()),
            Response::ExtendedReply(d) => Owned::Extended(d.to_vec()),
        }
    }

    #[track_caller]
    pub fn ok(&self) {
        assert!(
            matches!(self, Owned::Status(StatusCode::OK, _)),
            "expected OK, got {self:?}"
        );
    }

    #[track_caller]
    pub fn handle(self) -> Vec<u8> {
        match self {
            Owned::Handle(h) => h,
            other => panic!("expected HANDLE, got {other:?}"),
        }
    }

    #[track_caller]
    pub fn attrs(self) -> FileAttributes {
        match self {
            Owned::Attrs(a) => a,
            other => panic!("expected ATTRS, got {other:?}"),
        }
    }

    #[track_caller]
    pub fn names(self) -> Vec<(Vec<u8>, FileAttributes)> {
        match self {
            Owned::Name(n, _) => n,
            other => panic!("expected NAME, got {other:?}"),
        }
    }

    #[track_caller]
    pub fn extended(self) -> Vec<u8> {
        match self {
            Owned::Extended(d) => d,
            other => panic!("expected EXTENDED_REPLY, got {other:?}"),
        }
    }

    #[track_caller]
    pub fn status(&self) -> StatusCode {
        match self {
            Owned::Status(c, _) => *c,
            other => panic!("expected STATUS, got {other:?}"),
        }
    }
}

/// One SFTP session over `ssh -s sftp`.
pub struct Conn {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Vec<u8>>,
    pub session: SftpSession,
    out: Vec<u8>,
}

impl Conn {
    /// Starts the subsystem and negotiates, offering `version`.
    pub fn open(sshd: &ssh_test::Sshd, version: Version) -> Conn {
        Self::open_with(
            sshd,
            SessionConfig {
                protocol_version: version,
                ..SessionConfig::default()
            },
        )
    }

    pub fn open_with(sshd: &ssh_test::Sshd, config: SessionConfig) -> Conn {
        let mut child = sshd.spawn_subsystem("sftp").expect("spawn ssh -s sftp");
        let stdin = child.stdin.take().expect("stdin");
        let mut stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        thread::spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                match stdout.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.send(buf[..n].to_vec()).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        let mut conn = Conn {
            child,
            stdin,
            rx,
            session: SftpSession::new(config),
            out: Vec::new(),
        };
        conn.flush();
        while !conn.session.is_ready() {
            assert!(conn.pump().is_none(), "reply before negotiation finished");
        }
        conn
    }

    /// Pumps input until negotiation (or a version-select) has finished.
    pub fn wait_ready(&mut self) {
        self.flush();
        while !self.session.is_ready() {
            assert!(self.pump().is_none(), "reply before negotiation finished");
        }
    }

    pub fn version(&self) -> Version {
        self.session.negotiated_version().expect("negotiated")
    }

    pub fn flush(&mut self) {
        if self.session.poll_transmit(&mut self.out) {
            self.stdin.write_all(&self.out).expect("write to ssh");
            self.stdin.flush().expect("flush");
            self.out.clear();
        }
    }

    /// Reads input until one reply (or a negotiation step) completes.
    fn pump(&mut self) -> Option<(RequestId, PacketType, Owned)> {
        loop {
            match self.session.poll_reply() {
                Ok(Some(reply)) => {
                    return Some((
                        reply.id,
                        reply.request,
                        Owned::from_response(&reply.response),
                    ));
                }
                Ok(None) => {}
                Err(e) => panic!("session error: {e}"),
            }
            self.flush();
            if self.session.is_ready() && self.session.outstanding() == 0 {
                return None;
            }
            match self.rx.recv_timeout(REPLY_TIMEOUT) {
                Ok(bytes) => self.session.handle_input(&bytes),
                Err(RecvTimeoutError::Timeout) => panic!("server did not answer in time"),
                Err(RecvTimeoutError::Disconnected) => {
                    let mut err = String::new();
                    if let Some(mut e) = self.child.stderr.take() {
                        let _ = e.read_to_string(&mut err);
                    }
                    panic!("ssh exited: {err}");
                }
            }
        }
    }

    /// Sends one request and waits for its reply.
    pub fn call(&mut self, request: &Request<'_>) -> Owned {
        let id = self.send(request);
        let (got, _, reply) = self.pump().expect("a reply");
        assert_eq!(got, id);
        reply
    }

    pub fn try_send(&mut self, request: &Request<'_>) -> Result<RequestId, SendError> {
        self.session.send(request)
    }

    pub fn send(&mut self, request: &Request<'_>) -> RequestId {
        let id = self.session.send(request).expect("send");
        self.flush();
        id
    }

    /// Waits for the next reply of any outstanding request.
    pub fn next_reply(&mut self) -> (RequestId, PacketType, Owned) {
        self.pump().expect("a reply")
    }

    pub fn error(&self) -> Option<&SessionError> {
        self.session.error()
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
