//! Many files over one session at once: [`Sftp::download_many`] and [`Sftp::upload_many`].
//!
//! Small files are dominated by round trips (OPEN, READ or WRITE, CLOSE), so one file at a
//! time leaves the link idle. The batch engine keeps up to [`FILES_IN_FLIGHT`] files open
//! together and every request of every file pipelined, within the session's window. Replies
//! are dispatched by request id to the file they belong to; each download still writes its
//! local file strictly in order (out-of-order DATA is held until the gap fills), so the
//! data-safety rules of single transfers hold per file.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use sftp_proto::{Request, RequestId, Response, StatusCode};

use crate::engine::{Engine, unexpected};
use crate::error::{Error, ErrorKind, Result, code};
use crate::sftp::{OpenOptions, Sftp};
use crate::transfer::{TransferOptions, local_exists, open_local_destination};

/// Files open at once (the seed's SimultaneousTransferLimit plays this role in the
/// component).
pub const FILES_IN_FLIGHT: usize = 16;

/// Requests in flight per file, so that one large file cannot starve the others.
const PER_FILE_WINDOW: usize = 16;

/// What a request in flight was for.
#[derive(Clone, Copy, Debug)]
enum Op {
    Open,
    Read { offset: u64, len: u32 },
    Write { len: u32 },
    Close,
}

/// One file of a batch, as the engine drives it.
trait Job {
    /// Names the file in errors.
    fn name(&self) -> &str;
    /// The OPEN request.
    fn open_request(&self) -> (String, OpenOptions);
    /// Queues the next data requests, at most `room`; returns them.
    fn issue(&mut self, engine: &mut Engine, room: usize) -> Result<Vec<(RequestId, Op)>>;
    /// Handles a reply; returns requests it queued in response (a short read's rest).
    fn handle(&mut self, op: Op, response: Response<'_>) -> Result<Option<(u64, u32)>>;
    /// Whether every data request is answered and the file can be closed.
    fn ready_to_close(&self) -> bool;
    /// The server's handle once open.
    fn handle_bytes(&self) -> Option<&[u8]>;
    /// Called once the CLOSE succeeded; returns the bytes moved.
    fn finish(&mut self) -> Result<u64>;
}

/// A job's progress through its requests.
struct Slot<J> {
    job: J,
    outstanding: usize,
    closing: bool,
    done: bool,
}

impl Sftp {
    /// Downloads every `(remote, local)` pair, many files in flight at once; returns the
    /// total bytes. The first failure ends the batch (files already complete stay; the
    /// failing file is truncated to its intact prefix; local files of transfers not yet
    /// started, or whose remote file could not be opened, are left as they were). A local
    /// file is created once the server has opened its remote file, and closed when it is
    /// done, so a batch may hold more files than the process may open at once.
    /// `options.start_at` must be 0.
    pub fn download_many<R: AsRef<str>, L: AsRef<Path>>(
        &self,
        files: &[(R, L)],
        options: &TransferOptions,
    ) -> Result<u64> {
        check_batch_options(options)?;
        let mut jobs = Vec::with_capacity(files.len());
        for (remote, local) in files {
            jobs.push(Down::new(remote.as_ref(), local.as_ref(), options)?);
        }
        let chunk = self.lock()?.read_chunk;
        for job in &mut jobs {
            job.chunk = chunk;
        }
        self.run_batch(jobs)
    }

    /// Uploads every `(local, remote)` pair, many files in flight at once; returns the total
    /// bytes. The first failure ends the batch. `options.start_at` must be 0.
    pub fn upload_many<L: AsRef<Path>, R: AsRef<str>>(
        &self,
        files: &[(L, R)],
        options: &TransferOptions,
    ) -> Result<u64> {
        check_batch_options(options)?;
        let chunk = self.lock()?.write_chunk;
        let mut jobs = Vec::with_capacity(files.len());
        for (local, remote) in files {
            jobs.push(Up::new(local.as_ref(), remote.as_ref(), options, chunk)?);
        }
        self.run_batch(jobs)
    }

    fn run_batch<J: Job>(&self, jobs: Vec<J>) -> Result<u64> {
        let interrupt = self.interrupt_flag();
        interrupt.store(false, Ordering::SeqCst);
        let mut engine = self.lock()?;
        let mut slots: Vec<Slot<J>> = jobs
            .into_iter()
            .map(|job| Slot {
                job,
                outstanding: 0,
                closing: false,
                done: false,
            })
            .collect();
        let mut requests: HashMap<u32, (usize, Op)> = HashMap::new();
        let result = drive(&mut engine, &mut slots, &mut requests, interrupt);
        for id in requests.keys() {
            engine.abandon(RequestId(*id));
        }
        result
    }
}

fn check_batch_options(options: &TransferOptions) -> Result<()> {
    if options.start_at != 0 {
        return Err(Error::new(
            ErrorKind::InvalidState,
            code::INVALID_STATE,
            "a batch transfer cannot resume: transfer the file on its own with start_at",
        ));
    }
    Ok(())
}

/// The batch loop.
fn drive<J: Job>(
    engine: &mut Engine,
    slots: &mut [Slot<J>],
    requests: &mut HashMap<u32, (usize, Op)>,
    interrupt: &AtomicBool,
) -> Result<u64> {
    let mut next_job = 0;
    let mut active = 0;
    let mut total = 0u64;
    loop {
        // Open more files while there is room.
        while active < FILES_IN_FLIGHT && engine.has_room() {
            let Some(slot) = slots.get_mut(next_job) else {
                break;
            };
            let (path, options) = slot.job.open_request();
            let id = engine.submit(&Request::Open {
                filename: path.as_bytes(),
                mode: options.open_mode(),
                attrs: Default::default(),
            })?;
            requests.insert(id.0, (next_job, Op::Open));
            slot.outstanding = slot.outstanding.saturating_add(1);
            next_job = next_job.saturating_add(1);
            active += 1;
        }
        // Keep every open file's requests flowing.
        for (index, slot) in slots.iter_mut().enumerate() {
            if slot.done || slot.closing || slot.job.handle_bytes().is_none() {
                continue;
            }
            let room = PER_FILE_WINDOW.saturating_sub(slot.outstanding);
            if room > 0 && engine.has_room() {
                for (id, op) in slot.job.issue(engine, room)? {
                    requests.insert(id.0, (index, op));
                    slot.outstanding = slot.outstanding.saturating_add(1);
                }
            }
            if slot.outstanding == 0 && slot.job.ready_to_close() && engine.has_room() {
                let Some(handle) = slot.job.handle_bytes() else {
                    continue;
                };
                let id = engine.submit(&Request::Close { handle })?;
                requests.insert(id.0, (index, Op::Close));
                slot.outstanding = 1;
                slot.closing = true;
            }
        }
        if requests.is_empty() {
            if next_job >= slots.len() {
                return Ok(total);
            }
            continue;
        }
        // One reply, dispatched to its file.
        let (id, index, op, outcome) = {
            let reqs = &*requests;
            let slots_ref = &mut *slots;
            engine.next_reply(
                |id| reqs.contains_key(&id.0),
                |id, response| {
                    let Some(&(index, op)) = reqs.get(&id.0) else {
                        return (
                            id,
                            0,
                            Op::Close,
                            Err(Error::protocol("reply routing failed")),
                        );
                    };
                    let outcome = match slots_ref.get_mut(index) {
                        Some(slot) => handle_reply(&mut slot.job, op, response),
                        None => Err(Error::protocol("reply routing failed")),
                    };
                    (id, index, op, outcome)
                },
            )?
        };
        requests.remove(&id.0);
        if interrupt.swap(false, Ordering::SeqCst) {
            return Err(Error::new(
                ErrorKind::Cancelled,
                code::SFTP_COMMAND_FAILED,
                "batch transfer interrupted",
            ));
        }
        let Some(slot) = slots.get_mut(index) else {
            continue;
        };
        slot.outstanding = slot.outstanding.saturating_sub(1);
        match (op, outcome?) {
            (Op::Close, _) => {
                total = total.saturating_add(slot.job.finish()?);
                slot.done = true;
                active -= 1;
            }
            (_, Some((offset, len))) => {
                let Some(handle) = slot.job.handle_bytes() else {
                    continue;
                };
                let id = engine.submit(&Request::Read {
                    handle,
                    offset,
                    len,
                })?;
                requests.insert(id.0, (index, Op::Read { offset, len }));
                slot.outstanding = slot.outstanding.saturating_add(1);
            }
            (_, None) => {}
        }
    }
}

fn handle_reply<J: Job>(job: &mut J, op: Op, response: Response<'_>) -> Result<Option<(u64, u32)>> {
    match (op, response) {
        (Op::Close, Response::Status(s)) if s.code == StatusCode::OK => Ok(None),
        (Op::Close, Response::Status(s)) => Err(Error::status(
            s.code,
            &s.message_lossy(),
            &format!("close {}", job.name()),
        )),
        (_, response) => job.handle(op, response),
    }
}

/// One file of [`Sftp::download_many`].
struct Down {
    remote: String,
    local: std::path::PathBuf,
    overwrite: bool,
    /// Created when the server has opened the remote file (so a batch that fails early
    /// leaves the files it never reached untouched), closed when the file is done (so a
    /// batch of thousands of files does not hold thousands of descriptors).
    file: Option<File>,
    handle: Option<Vec<u8>>,
    chunk: u32,
    next_offset: u64,
    write_pos: u64,
    held: BTreeMap<u64, Vec<u8>>,
    eof_at: Option<u64>,
    /// READs in flight, and how many are allowed: one at first (most batch files are
    /// small), doubling with every full-length reply.
    reads_out: usize,
    window: usize,
}

impl Down {
    fn new(remote: &str, local: &Path, options: &TransferOptions) -> Result<Self> {
        // Refused before anything is sent; creating the file later with `create_new`
        // still catches one that appears in between.
        if !options.overwrite && local.symlink_metadata().is_ok() {
            return Err(local_exists(local));
        }
        Ok(Self {
            remote: remote.to_owned(),
            local: local.to_owned(),
            overwrite: options.overwrite,
            file: None,
            handle: None,
            chunk: crate::engine::DEFAULT_CHUNK,
            next_offset: 0,
            write_pos: 0,
            held: BTreeMap::new(),
            eof_at: None,
            reads_out: 0,
            window: 1,
        })
    }

    fn create_local(&mut self) -> Result<()> {
        let options = TransferOptions {
            overwrite: self.overwrite,
            ..TransferOptions::default()
        };
        self.file = Some(open_local_destination(&self.local, &options)?);
        Ok(())
    }

    fn write(&mut self, data: &[u8]) -> Result<()> {
        let Some(file) = self.file.as_mut() else {
            return Err(Error::new(
                ErrorKind::InvalidState,
                code::INVALID_STATE,
                format!("{}: data before the local file was created", self.remote),
            ));
        };
        file.write_all(data)
            .map_err(|e| Error::local(format!("write {}", self.local.display()), e))?;
        self.write_pos = self.write_pos.saturating_add(data.len() as u64);
        Ok(())
    }
}

impl Job for Down {
    fn name(&self) -> &str {
        &self.remote
    }

    fn open_request(&self) -> (String, OpenOptions) {
        let mut options = OpenOptions::new();
        options.read(true);
        (self.remote.clone(), options)
    }

    fn issue(&mut self, engine: &mut Engine, room: usize) -> Result<Vec<(RequestId, Op)>> {
        let Some(handle) = &self.handle else {
            return Ok(Vec::new());
        };
        let mut issued = Vec::new();
        let room = room.min(self.window.saturating_sub(self.reads_out));
        // Before the end is known, read ahead; once it is, only fill a gap left behind.
        if let Some(end) = self.eof_at {
            if self.write_pos < end && room > 0 && self.next_offset <= self.write_pos {
                self.next_offset = self.write_pos;
            } else {
                return Ok(issued);
            }
        }
        while issued.len() < room && engine.has_room() {
            if self.eof_at.is_some_and(|end| self.next_offset >= end) {
                break;
            }
            let (offset, len) = (self.next_offset, self.chunk);
            let id = engine.submit(&Request::Read {
                handle,
                offset,
                len,
            })?;
            issued.push((id, Op::Read { offset, len }));
            self.reads_out = self.reads_out.saturating_add(1);
            self.next_offset = offset.saturating_add(u64::from(len));
            if self.eof_at.is_some() {
                break;
            }
        }
        Ok(issued)
    }

    fn handle(&mut self, op: Op, response: Response<'_>) -> Result<Option<(u64, u32)>> {
        if matches!(op, Op::Read { .. }) {
            self.reads_out = self.reads_out.saturating_sub(1);
        }
        let what = |verb: &str| format!("{verb} {}", self.remote);
        match (op, response) {
            (Op::Open, Response::Handle(h)) => {
                self.handle = Some(h.to_vec());
                self.create_local()?;
                Ok(None)
            }
            (Op::Read { offset, len }, Response::Data { data, .. }) => {
                if data.is_empty() {
                    return Err(Error::protocol(format!("{}: empty DATA", what("read"))));
                }
                let n = data.len() as u64;
                if offset == self.write_pos {
                    self.write(data)?;
                    while let Some(next) = self.held.remove(&self.write_pos) {
                        self.write(&next)?;
                    }
                } else if offset > self.write_pos {
                    self.held.insert(offset, data.to_vec());
                }
                let got = u32::try_from(n).unwrap_or(len);
                if got < len {
                    // The rest of this range is requested at once (counted as in flight).
                    self.reads_out = self.reads_out.saturating_add(1);
                    return Ok(Some((offset.saturating_add(n), len.saturating_sub(got))));
                }
                self.window = self.window.saturating_mul(2).min(PER_FILE_WINDOW);
                Ok(None)
            }
            (Op::Read { offset, .. }, Response::Status(s)) if s.code == StatusCode::EOF => {
                self.eof_at = Some(self.eof_at.map_or(offset, |e| e.min(offset)));
                Ok(None)
            }
            (op, Response::Status(s)) => {
                let verb = if matches!(op, Op::Open) {
                    "open"
                } else {
                    "read"
                };
                Err(Error::status(s.code, &s.message_lossy(), &what(verb)))
            }
            (_, other) => Err(unexpected(&what("download"), &other)),
        }
    }

    fn ready_to_close(&self) -> bool {
        self.eof_at.is_some_and(|end| self.write_pos >= end)
    }

    fn handle_bytes(&self) -> Option<&[u8]> {
        self.handle.as_deref()
    }

    fn finish(&mut self) -> Result<u64> {
        if let Some(file) = self.file.take() {
            file.set_len(self.write_pos)
                .map_err(|e| Error::local(format!("truncate {}", self.local.display()), e))?;
        }
        Ok(self.write_pos)
    }
}

/// One file of [`Sftp::upload_many`].
struct Up {
    local: std::path::PathBuf,
    remote: String,
    /// Opened when the remote file is, closed at its end (see [`Down::file`]).
    file: Option<File>,
    overwrite: bool,
    handle: Option<Vec<u8>>,
    chunk: u32,
    /// Bytes the local file had when opened: the read buffer never exceeds it.
    len: u64,
    buf: Vec<u8>,
    offset: u64,
    at_end: bool,
    acked: u64,
}

impl Up {
    fn new(local: &Path, remote: &str, options: &TransferOptions, chunk: u32) -> Result<Self> {
        // A missing or unreadable file is reported before anything is sent (so before the
        // remote file is created or emptied); it is opened again when its turn comes.
        let len = File::open(local)
            .and_then(|f| f.metadata())
            .map_err(|e| Error::local(format!("open {}", local.display()), e))?
            .len();
        Ok(Self {
            local: local.to_owned(),
            remote: remote.to_owned(),
            file: None,
            overwrite: options.overwrite,
            handle: None,
            chunk,
            len,
            buf: Vec::new(),
            offset: 0,
            at_end: false,
            acked: 0,
        })
    }
}

impl Job for Up {
    fn name(&self) -> &str {
        &self.remote
    }

    fn open_request(&self) -> (String, OpenOptions) {
        let mut options = OpenOptions::new();
        options.write(true).create(true);
        if self.overwrite {
            options.truncate(true);
        } else {
            options.create_new(true);
        }
        (self.remote.clone(), options)
    }

    fn issue(&mut self, engine: &mut Engine, room: usize) -> Result<Vec<(RequestId, Op)>> {
        let Some(handle) = &self.handle else {
            return Ok(Vec::new());
        };
        if self.file.is_none() && !self.at_end {
            let file = File::open(&self.local)
                .map_err(|e| Error::local(format!("open {}", self.local.display()), e))?;
            self.len = file
                .metadata()
                .map_err(|e| Error::local(format!("stat {}", self.local.display()), e))?
                .len();
            self.file = Some(file);
        }
        let mut issued = Vec::new();
        // One chunk, or the whole file when smaller (plus a byte to see the end), so a batch
        // of small files does not hold a chunk-sized buffer each.
        let want = usize::try_from(self.len.saturating_add(1))
            .unwrap_or(usize::MAX)
            .min(self.chunk as usize)
            .max(1);
        if self.buf.len() != want {
            self.buf.resize(want, 0);
        }
        while !self.at_end && issued.len() < room && engine.has_room() {
            let Some(file) = self.file.as_mut() else {
                break;
            };
            let mut filled = 0;
            while let Some(rest) = self.buf.get_mut(filled..) {
                if rest.is_empty() {
                    break;
                }
                match file.read(rest) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        return Err(Error::local(format!("read {}", self.local.display()), e));
                    }
                }
            }
            if filled == 0 {
                self.at_end = true;
                self.buf = Vec::new();
                self.file = None;
                break;
            }
            let data = self.buf.get(..filled).unwrap_or_default();
            let id = engine.submit_write(handle, self.offset, data)?;
            let len = u32::try_from(filled).unwrap_or(u32::MAX);
            issued.push((id, Op::Write { len }));
            self.offset = self.offset.saturating_add(filled as u64);
        }
        Ok(issued)
    }

    fn handle(&mut self, op: Op, response: Response<'_>) -> Result<Option<(u64, u32)>> {
        match (op, response) {
            (Op::Open, Response::Handle(h)) => {
                self.handle = Some(h.to_vec());
                Ok(None)
            }
            (Op::Write { len }, Response::Status(s)) if s.code == StatusCode::OK => {
                self.acked = self.acked.saturating_add(u64::from(len));
                Ok(None)
            }
            (op, Response::Status(s)) => {
                let verb = if matches!(op, Op::Open) {
                    "open"
                } else {
                    "write"
                };
                let e = Error::status(
                    s.code,
                    &s.message_lossy(),
                    &format!("{verb} {}", self.remote),
                );
                let exclusive = matches!(op, Op::Open) && !self.overwrite;
                Err(match e.sftp_status() {
                    Some(StatusCode::FILE_ALREADY_EXISTS) => exists(e),
                    Some(StatusCode::FAILURE) if exclusive => exists(e),
                    _ => e,
                })
            }
            (_, other) => Err(unexpected(&format!("upload {}", self.remote), &other)),
        }
    }

    fn ready_to_close(&self) -> bool {
        self.at_end
    }

    fn handle_bytes(&self) -> Option<&[u8]> {
        self.handle.as_deref()
    }

    fn finish(&mut self) -> Result<u64> {
        Ok(self.acked)
    }
}

fn exists(e: Error) -> Error {
    Error::new(
        ErrorKind::AlreadyExists,
        e.code(),
        e.description().to_owned(),
    )
}
