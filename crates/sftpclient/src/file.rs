//! [`RemoteFile`]: an open remote file implementing `Read`, `Write` and `Seek`.
//!
//! Reads are pipelined: sequential reading keeps a growing number of READ requests in
//! flight ahead of the caller (doubling up to the session's window), so a `read` usually
//! finds its data already arrived. Writes are sent behind the caller: `write` queues a WRITE
//! and returns; the statuses are collected as the window fills, on `flush`, `seek` and
//! `close`, and the first failure is returned from the next of those calls.

use std::collections::VecDeque;
use std::io::{self, Read, Seek, SeekFrom, Write};

use sftp_proto::consts::{attr_flags, defined_attr_flags};
use sftp_proto::ext::{ExtendedRequest, names};
use sftp_proto::{FileAttributes, Request, RequestId, Response, StatusCode};

use crate::engine::{Engine, status_ok, unexpected};
use crate::error::{Error, ErrorKind, Result, code};
use crate::sftp::{Metadata, Sftp, attrs_reply};

/// A READ in flight.
#[derive(Clone, Copy, Debug)]
struct PendingRead {
    id: RequestId,
    offset: u64,
    len: u32,
}

/// What a READ produced.
enum ReadOutcome {
    Data(usize),
    Eof,
}

/// An open file on the server. Dropping it closes the handle (errors ignored); call
/// [`RemoteFile::close`] to see them.
#[derive(Debug)]
pub struct RemoteFile {
    sftp: Sftp,
    handle: Vec<u8>,
    path: String,
    pos: u64,
    read_chunk: u32,
    write_chunk: u32,
    window: usize,
    ahead: VecDeque<PendingRead>,
    /// How many reads to keep ahead: grows while reading is sequential.
    ahead_target: usize,
    next_read: u64,
    buf: Vec<u8>,
    buf_pos: usize,
    eof_at: Option<u64>,
    writes: VecDeque<RequestId>,
    write_error: Option<Error>,
    closed: bool,
}

impl RemoteFile {
    pub(crate) fn new(
        sftp: Sftp,
        handle: Vec<u8>,
        path: &str,
        read_chunk: u32,
        write_chunk: u32,
        window: usize,
    ) -> Self {
        Self {
            sftp,
            handle,
            path: path.to_owned(),
            pos: 0,
            read_chunk,
            write_chunk,
            window: window.max(1),
            ahead: VecDeque::new(),
            ahead_target: 1,
            next_read: 0,
            buf: Vec::new(),
            buf_pos: 0,
            eof_at: None,
            writes: VecDeque::new(),
            write_error: None,
            closed: false,
        }
    }

    /// The server's handle.
    pub(crate) fn handle(&self) -> &[u8] {
        &self.handle
    }

    /// The session the handle belongs to.
    pub(crate) fn session(&self) -> &Sftp {
        &self.sftp
    }

    /// The path the file was opened with.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Attributes of the open file (FSTAT).
    pub fn metadata(&mut self) -> Result<Metadata> {
        self.finish_writes()?;
        let mut engine = self.sftp.lock()?;
        // Not EXTENDED: ProFTPD echoes the requested flags and then sends an empty
        // extension list, which the attribute decoder refuses.
        let flags = defined_attr_flags(engine.version()) & !attr_flags::EXTENDED;
        let what = format!("fstat {}", self.path);
        engine.call(
            &Request::Fstat {
                handle: &self.handle,
                flags,
            },
            |r| attrs_reply(&what, r),
        )?
    }

    /// Truncates or extends the file to `size` bytes (FSETSTAT).
    pub fn set_len(&mut self, size: u64) -> Result<()> {
        self.finish_writes()?;
        self.drop_read_ahead()?;
        let mut engine = self.sftp.lock()?;
        let what = format!("truncate {}", self.path);
        engine.call(
            &Request::Fsetstat {
                handle: &self.handle,
                attrs: FileAttributes {
                    size: Some(size),
                    ..FileAttributes::default()
                },
            },
            |r| status_ok(&what, r),
        )?
    }

    /// Waits for every write and asks the server to commit the file to stable storage
    /// (`fsync@openssh.com`).
    pub fn sync_all(&mut self) -> Result<()> {
        self.finish_writes()?;
        let mut engine = self.sftp.lock()?;
        if !engine.session().extensions().offers(names::FSYNC) {
            return Err(Error::unsupported(
                "the server does not offer fsync@openssh.com",
            ));
        }
        let what = format!("fsync {}", self.path);
        engine.call(
            &Request::Extended(ExtendedRequest::Fsync {
                handle: &self.handle,
            }),
            |r| status_ok(&what, r),
        )?
    }

    /// Waits for every pending write, then closes the handle, returning the first error.
    pub fn close(mut self) -> Result<()> {
        self.close_inner()
    }

    fn close_inner(&mut self) -> Result<()> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        let writes = self.finish_writes();
        let reads = self.drop_read_ahead();
        let mut engine = self.sftp.lock()?;
        let what = format!("close {}", self.path);
        let closed = engine.call(
            &Request::Close {
                handle: &self.handle,
            },
            |r| status_ok(&what, r),
        );
        writes?;
        reads?;
        closed?
    }

    /// Collects the status of every write in flight; the first failure is returned.
    fn finish_writes(&mut self) -> Result<()> {
        if !self.writes.is_empty() {
            let mut engine = self.sftp.lock()?;
            while let Some(id) = self.writes.pop_front() {
                collect_write(&mut engine, id, &self.path, &mut self.write_error)?;
            }
        }
        match self.write_error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Forgets read-ahead (after a seek or a write).
    fn drop_read_ahead(&mut self) -> Result<()> {
        self.buf.clear();
        self.buf_pos = 0;
        self.eof_at = None;
        self.ahead_target = 1;
        if !self.ahead.is_empty() {
            let mut engine = self.sftp.lock()?;
            for pending in self.ahead.drain(..) {
                engine.abandon(pending.id);
            }
        }
        Ok(())
    }

    fn read_inner(&mut self, out: &mut [u8]) -> Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        self.finish_writes()?;
        loop {
            let buffered = self.buf.get(self.buf_pos..).unwrap_or_default();
            if !buffered.is_empty() {
                let n = buffered.len().min(out.len());
                ssh_wire::copy::copy_bytes(out, buffered);
                self.buf_pos = self.buf_pos.saturating_add(n);
                self.pos = self.pos.saturating_add(n as u64);
                return Ok(n);
            }
            if self.eof_at.is_some_and(|end| self.pos >= end) {
                return Ok(0);
            }
            self.fetch()?;
        }
    }

    /// Keeps the read-ahead queue filled and waits for its oldest READ into `buf`.
    fn fetch(&mut self) -> Result<()> {
        let mut engine = self.sftp.lock()?;
        if self.ahead.is_empty() {
            self.next_read = self.pos;
        }
        while self.ahead.len() < self.ahead_target.min(self.window) && engine.has_room() {
            let id = engine.submit(&Request::Read {
                handle: &self.handle,
                offset: self.next_read,
                len: self.read_chunk,
            })?;
            self.ahead.push_back(PendingRead {
                id,
                offset: self.next_read,
                len: self.read_chunk,
            });
            self.next_read = self.next_read.saturating_add(u64::from(self.read_chunk));
        }
        self.ahead_target = self.ahead_target.saturating_mul(2).min(self.window);
        let Some(front) = self.ahead.pop_front() else {
            return Err(Error::new(
                ErrorKind::InvalidState,
                code::INVALID_STATE,
                "no read could be queued",
            ));
        };
        let buf = &mut self.buf;
        buf.clear();
        self.buf_pos = 0;
        let what = format!("read {}", self.path);
        let outcome = engine.wait_with(front.id, |r| match r {
            Response::Data { data, .. } => {
                ssh_wire::copy::extend_bytes(buf, data);
                Ok(ReadOutcome::Data(data.len()))
            }
            Response::Status(s) if s.code == StatusCode::EOF => Ok(ReadOutcome::Eof),
            Response::Status(s) => Err(Error::status(s.code, &s.message_lossy(), &what)),
            other => Err(unexpected(&what, &other)),
        })??;
        match outcome {
            ReadOutcome::Data(n) if (n as u64) < u64::from(front.len) => {
                // A short read: the requests behind it ask for the wrong offsets.
                for pending in self.ahead.drain(..) {
                    engine.abandon(pending.id);
                }
                self.next_read = front.offset.saturating_add(n as u64);
                if n == 0 {
                    self.eof_at = Some(front.offset);
                }
            }
            ReadOutcome::Data(_) => {}
            ReadOutcome::Eof => {
                self.eof_at = Some(front.offset);
                for pending in self.ahead.drain(..) {
                    engine.abandon(pending.id);
                }
            }
        }
        Ok(())
    }

    fn write_inner(&mut self, data: &[u8]) -> Result<usize> {
        if let Some(e) = self.write_error.take() {
            return Err(e);
        }
        if data.is_empty() {
            return Ok(0);
        }
        if !self.ahead.is_empty() || !self.buf.is_empty() {
            self.drop_read_ahead()?;
        }
        let n = data.len().min(self.write_chunk as usize);
        let chunk = data.get(..n).unwrap_or_default();
        let mut engine = self.sftp.lock()?;
        while self.writes.len() >= self.window || !engine.has_room() {
            let Some(id) = self.writes.pop_front() else {
                break;
            };
            collect_write(&mut engine, id, &self.path, &mut self.write_error)?;
        }
        if let Some(e) = self.write_error.take() {
            return Err(e);
        }
        let id = engine.submit_write(&self.handle, self.pos, chunk)?;
        self.writes.push_back(id);
        self.pos = self.pos.saturating_add(n as u64);
        Ok(n)
    }

    fn seek_inner(&mut self, to: SeekFrom) -> Result<u64> {
        self.finish_writes()?;
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => {
                let len = self.metadata()?.len();
                len.checked_add_signed(d)
            }
        };
        let Some(target) = target else {
            return Err(Error::new(
                ErrorKind::InvalidState,
                code::INVALID_STATE,
                "seek to a negative or overflowing position",
            ));
        };
        if target != self.pos {
            self.drop_read_ahead()?;
            self.pos = target;
        }
        Ok(target)
    }
}

/// Waits for one WRITE's status; a failure is kept in `first_error` (the write already
/// returned success to the caller, so it is reported at the next call), a fatal session
/// error is returned.
fn collect_write(
    engine: &mut Engine,
    id: RequestId,
    path: &str,
    first_error: &mut Option<Error>,
) -> Result<()> {
    let what = format!("write {path}");
    let result = engine.wait_with(id, |r| status_ok(&what, r))?;
    if let Err(e) = result {
        first_error.get_or_insert(e);
    }
    Ok(())
}

impl Read for RemoteFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Ok(self.read_inner(buf)?)
    }
}

impl Write for RemoteFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(self.write_inner(buf)?)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(self.finish_writes()?)
    }
}

impl Seek for RemoteFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        Ok(self.seek_inner(pos)?)
    }
}

impl Drop for RemoteFile {
    fn drop(&mut self) {
        let _ = self.close_inner();
    }
}
