//! Whole-file transfers: [`Sftp::download`] and [`Sftp::upload`], pipelined, resumable,
//! with progress and cancellation.
//!
//! Data safety: a download writes the destination in order, and on any failure (server
//! error, lost connection, cancellation, local write error) the local file is truncated to
//! the bytes known to be correct and the error says how many that is, so a partial file
//! never looks complete and a later resume (`start_at`) continues exactly there. An upload
//! reports success only when every WRITE and the final CLOSE were acknowledged.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::atomic::Ordering;

use sftp_proto::{Request, RequestId, Response, StatusCode};

use crate::engine::{Engine, status_ok, unexpected};
use crate::error::{Error, ErrorKind, Result, code};
use crate::sftp::{OpenOptions, Sftp};

/// How a transfer treats an existing destination and where it starts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransferOptions {
    /// Replace an existing destination. When false (the default) an existing destination
    /// is an error: local code 1108, remote [`ErrorKind::AlreadyExists`]; the check is an
    /// exclusive create, so there is no window between check and create.
    pub overwrite: bool,
    /// Resume: start at this byte of the source and write at the same offset of the
    /// destination, which is kept (not truncated) up to there.
    pub start_at: u64,
}

/// Progress of a transfer, passed to the progress callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of the destination known to be complete (from offset 0, resume included).
    pub transferred: u64,
    /// The source's size, when known.
    pub total: Option<u64>,
}

impl Progress {
    /// Percent done, or `None` when the total is unknown.
    pub fn percent(&self) -> Option<u8> {
        let total = self.total?;
        if total == 0 {
            return Some(100);
        }
        let pct = self.transferred.saturating_mul(100) / total;
        Some(u8::try_from(pct.min(100)).unwrap_or(100))
    }
}

/// A READ or WRITE in flight.
#[derive(Clone, Copy, Debug)]
struct Pending {
    id: RequestId,
    offset: u64,
    len: u32,
}

impl Sftp {
    /// Downloads `remote` to the local file `local`; returns the bytes the local file holds.
    pub fn download(
        &self,
        remote: &str,
        local: impl AsRef<Path>,
        options: &TransferOptions,
    ) -> Result<u64> {
        self.download_with(remote, local, options, &mut |_| true)
    }

    /// [`Sftp::download`] with a progress callback; returning `false` from it cancels the
    /// transfer ([`ErrorKind::Cancelled`]).
    pub fn download_with(
        &self,
        remote: &str,
        local: impl AsRef<Path>,
        options: &TransferOptions,
        progress: &mut dyn FnMut(&Progress) -> bool,
    ) -> Result<u64> {
        let local = local.as_ref();
        // The remote file first: when it cannot be opened, the local file is not created
        // (nor, with overwrite, emptied).
        let mut source = self.open(remote)?;
        let mut file = match open_local_destination(local, options) {
            Ok(file) => file,
            Err(e) => {
                let _ = source.close();
                return Err(e);
            }
        };
        let total = source.metadata().ok().and_then(|m| m.size());
        let (chunk, window) = {
            let engine = self.lock()?;
            (engine.read_chunk, engine.max_outstanding)
        };
        let interrupt = self.interrupt_flag();
        interrupt.store(false, Ordering::SeqCst);
        let mut sink = LocalSink {
            file: &mut file,
            path: local,
            verified: options.start_at,
        };
        let result = {
            let mut engine = self.lock()?;
            pull(
                &mut engine,
                source.handle(),
                remote,
                &mut sink,
                chunk,
                window,
                total,
                &mut |p| progress(p) && !interrupt.swap(false, Ordering::SeqCst),
            )
        };
        let verified = sink.verified;
        // Whatever happened, the file ends at the last byte known to be right.
        let truncated = file
            .set_len(verified)
            .map_err(|e| Error::local(format!("truncate {}", local.display()), e));
        let closed = source.close();
        match result {
            Ok(()) => {
                truncated?;
                closed?;
                Ok(verified)
            }
            Err(e) => Err(incomplete(e, local, verified)),
        }
    }

    /// Uploads the local file `local` to `remote`; returns the bytes the remote file holds.
    pub fn upload(
        &self,
        local: impl AsRef<Path>,
        remote: &str,
        options: &TransferOptions,
    ) -> Result<u64> {
        self.upload_with(local, remote, options, &mut |_| true)
    }

    /// [`Sftp::upload`] with a progress callback; returning `false` cancels.
    pub fn upload_with(
        &self,
        local: impl AsRef<Path>,
        remote: &str,
        options: &TransferOptions,
        progress: &mut dyn FnMut(&Progress) -> bool,
    ) -> Result<u64> {
        let local = local.as_ref();
        let mut file =
            File::open(local).map_err(|e| Error::local(format!("open {}", local.display()), e))?;
        let total = file.metadata().ok().map(|m| m.len());
        file.seek(SeekFrom::Start(options.start_at))
            .map_err(|e| Error::local(format!("seek {}", local.display()), e))?;
        let mut open = OpenOptions::new();
        open.write(true).create(true);
        if options.start_at == 0 {
            if options.overwrite {
                open.truncate(true);
            } else {
                open.create_new(true);
            }
        }
        let dest = self.open_with(remote, &open)?;
        let (chunk, window) = {
            let engine = self.lock()?;
            (engine.write_chunk, engine.max_outstanding)
        };
        let mut acked = options.start_at;
        let interrupt = self.interrupt_flag();
        interrupt.store(false, Ordering::SeqCst);
        let result = {
            let mut engine = self.lock()?;
            push(
                &mut engine,
                dest.handle(),
                remote,
                &mut file,
                local,
                options.start_at,
                &mut acked,
                chunk,
                window,
                total,
                &mut |p| progress(p) && !interrupt.swap(false, Ordering::SeqCst),
            )
        };
        let closed = dest.close();
        match result {
            Ok(()) => {
                closed?;
                Ok(acked)
            }
            Err(e) => {
                let description = format!(
                    "{}; {acked} bytes at the start of remote {remote} were acknowledged",
                    e.description()
                );
                Err(Error::new(e.kind().clone(), e.code(), description))
            }
        }
    }
}

/// Opens the download destination as `options` say.
/// Opens a download's local file as `options` say: resumed at `start_at`, replaced with
/// `overwrite`, else created exclusively (an existing file gives code 1108).
pub(crate) fn open_local_destination(local: &Path, options: &TransferOptions) -> Result<File> {
    let mut open = std::fs::OpenOptions::new();
    open.write(true);
    if options.start_at > 0 {
        open.create(true);
    } else if options.overwrite {
        open.create(true).truncate(true);
    } else {
        open.create_new(true);
    }
    let mut file = open.open(local).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            local_exists(local).with_source(e)
        } else {
            Error::local(format!("create {}", local.display()), e)
        }
    })?;
    file.seek(SeekFrom::Start(options.start_at))
        .map_err(|e| Error::local(format!("seek {}", local.display()), e))?;
    Ok(file)
}

/// A download with overwrite off onto an existing local file.
pub(crate) fn local_exists(local: &Path) -> Error {
    Error::new(
        ErrorKind::AlreadyExists,
        code::LOCAL_FILE_EXISTS,
        format!(
            "cannot download: {} exists and overwrite is off",
            local.display()
        ),
    )
}

/// Where downloaded bytes go, in order.
struct LocalSink<'a> {
    file: &'a mut File,
    path: &'a Path,
    /// End of the bytes written and known to be right.
    verified: u64,
}

/// What one READ produced.
enum Got {
    Data(u32),
    Eof,
}

/// The download loop: keeps `window` READs of `chunk` bytes in flight and writes the DATA
/// in order. A short read is completed by a READ for the rest, queued first.
#[allow(clippy::too_many_arguments)]
fn pull(
    engine: &mut Engine,
    handle: &[u8],
    remote: &str,
    sink: &mut LocalSink<'_>,
    chunk: u32,
    window: usize,
    total: Option<u64>,
    progress: &mut dyn FnMut(&Progress) -> bool,
) -> Result<()> {
    let mut queue: VecDeque<Pending> = VecDeque::with_capacity(window);
    let mut next_offset = sink.verified;
    let mut eof = false;
    let what = format!("read {remote}");
    let result = (|| {
        loop {
            while !eof && queue.len() < window && engine.has_room() {
                let id = engine.submit(&Request::Read {
                    handle,
                    offset: next_offset,
                    len: chunk,
                })?;
                queue.push_back(Pending {
                    id,
                    offset: next_offset,
                    len: chunk,
                });
                next_offset = next_offset.saturating_add(u64::from(chunk));
            }
            let Some(front) = queue.pop_front() else {
                return Ok(());
            };
            let got = engine.wait_with(front.id, |r| match r {
                Response::Data { data: [], .. } => Err(Error::protocol(format!(
                    "{what}: empty DATA at offset {}",
                    front.offset
                ))),
                Response::Data { data, .. } => {
                    sink.file
                        .write_all(data)
                        .map_err(|e| Error::local(format!("write {}", sink.path.display()), e))?;
                    Ok(Got::Data(u32::try_from(data.len()).unwrap_or(u32::MAX)))
                }
                Response::Status(s) if s.code == StatusCode::EOF => Ok(Got::Eof),
                Response::Status(s) => Err(Error::status(s.code, &s.message_lossy(), &what)),
                other => Err(unexpected(&what, &other)),
            })??;
            match got {
                Got::Data(n) => {
                    sink.verified = front.offset.saturating_add(u64::from(n));
                    if n < front.len && !eof {
                        // The server returned less than asked: ask for the rest first.
                        let rest = front.len.saturating_sub(n);
                        let id = engine.submit(&Request::Read {
                            handle,
                            offset: sink.verified,
                            len: rest,
                        })?;
                        queue.push_front(Pending {
                            id,
                            offset: sink.verified,
                            len: rest,
                        });
                    }
                }
                Got::Eof => {
                    eof = true;
                    for pending in queue.drain(..) {
                        engine.abandon(pending.id);
                    }
                }
            }
            let report = Progress {
                transferred: sink.verified,
                total,
            };
            if !progress(&report) {
                return Err(cancelled(remote));
            }
        }
    })();
    for pending in queue.drain(..) {
        engine.abandon(pending.id);
    }
    result
}

/// The upload loop: reads `chunk`-sized pieces of `file` and keeps `window` WRITEs in
/// flight; `acked` advances as their statuses arrive in order.
#[allow(clippy::too_many_arguments)]
fn push(
    engine: &mut Engine,
    handle: &[u8],
    remote: &str,
    file: &mut File,
    local: &Path,
    start: u64,
    acked: &mut u64,
    chunk: u32,
    window: usize,
    total: Option<u64>,
    progress: &mut dyn FnMut(&Progress) -> bool,
) -> Result<()> {
    let mut queue: VecDeque<Pending> = VecDeque::with_capacity(window);
    let mut backing = vec![0u8; chunk as usize + PAGE];
    let buf = page_aligned(&mut backing, chunk as usize);
    let mut offset = start;
    let mut at_end = false;
    let what = format!("write {remote}");
    let result = (|| {
        loop {
            while !at_end && queue.len() < window && engine.has_room() {
                let n = read_full(file, buf)
                    .map_err(|e| Error::local(format!("read {}", local.display()), e))?;
                if n == 0 {
                    at_end = true;
                    break;
                }
                let data = buf.get(..n).unwrap_or_default();
                let id = engine.submit_write(handle, offset, data)?;
                let len = u32::try_from(n).unwrap_or(u32::MAX);
                queue.push_back(Pending { id, offset, len });
                offset = offset.saturating_add(n as u64);
            }
            let Some(front) = queue.pop_front() else {
                return Ok(());
            };
            engine.wait_with(front.id, |r| status_ok(&what, r))??;
            *acked = front.offset.saturating_add(u64::from(front.len));
            let report = Progress {
                transferred: *acked,
                total,
            };
            if !progress(&report) {
                return Err(cancelled(remote));
            }
        }
    })();
    for pending in queue.drain(..) {
        engine.abandon(pending.id);
    }
    result
}

/// The kernel's copy to and from the page cache uses `rep movsb`, which on AMD Zen 3/4
/// drops from ~50 to ~3 GB/s when the destination is 1-31 bytes past the source modulo
/// 4 KiB (see `ssh_wire::copy`). Page-cache pages are page-aligned and a large `Vec` from
/// glibc's allocator starts 16 bytes into a page, so a file buffer must be aligned itself.
const PAGE: usize = 4096;

/// The page-aligned `len` bytes inside `backing` (allocated `len + PAGE` long).
fn page_aligned(backing: &mut [u8], len: usize) -> &mut [u8] {
    let skip = backing.as_ptr().align_offset(PAGE).min(PAGE);
    let end = skip.saturating_add(len).min(backing.len());
    backing.get_mut(skip..end).unwrap_or_default()
}

/// Reads until `buf` is full or the file ends.
fn read_full(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while let Some(rest) = buf.get_mut(filled..) {
        if rest.is_empty() {
            break;
        }
        match file.read(rest) {
            Ok(0) => break,
            Ok(n) => filled = filled.saturating_add(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn cancelled(remote: &str) -> Error {
    Error::new(
        ErrorKind::Cancelled,
        code::SFTP_COMMAND_FAILED,
        format!("transfer of {remote} cancelled"),
    )
}

/// Adds to a download error how much of the local file is good.
fn incomplete(e: Error, local: &Path, verified: u64) -> Error {
    let description = format!(
        "{}; {} was truncated to the {verified} bytes received intact",
        e.description(),
        local.display()
    );
    Error::new(e.kind().clone(), e.code(), description)
}
