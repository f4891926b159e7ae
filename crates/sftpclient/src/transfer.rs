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
use std::io::{IoSlice, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::atomic::Ordering;

use sftp_proto::{Request, RequestId, Response, StatusCode};

use crate::engine::{Answer, Engine, status_ok, unexpected};
use crate::error::{Error, ErrorKind, Result, code};
use crate::file::RemoteFile;
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
    /// Index of the lane (channel) it was sent on.
    lane: usize,
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
        let remaining = total.map(|t| t.saturating_sub(options.start_at));
        let helpers = open_on_lanes(self, remaining, Direction::Download, remote);
        let interrupt = self.interrupt_flag();
        interrupt.store(false, Ordering::SeqCst);
        let mut sink = LocalSink {
            file: &mut file,
            path: local,
            verified: options.start_at,
        };
        let result = with_lanes(self, source.handle(), &helpers, |lanes, window| {
            pull(lanes, remote, &mut sink, window, total, &mut |p| {
                progress(p) && !interrupt.swap(false, Ordering::SeqCst)
            })
        });
        // Read handles: nothing to learn from their CLOSE.
        let _ = close_on_lanes(helpers);
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
        let remaining = total.map(|t| t.saturating_sub(options.start_at));
        let helpers = open_on_lanes(self, remaining, Direction::Upload, remote);
        let mut acked = options.start_at;
        let interrupt = self.interrupt_flag();
        interrupt.store(false, Ordering::SeqCst);
        let result = with_lanes(self, dest.handle(), &helpers, |lanes, window| {
            push(
                lanes,
                remote,
                &mut file,
                local,
                options.start_at,
                &mut acked,
                window,
                total,
                &mut |p| progress(p) && !interrupt.swap(false, Ordering::SeqCst),
            )
        });
        let lanes_closed = close_on_lanes(helpers);
        let closed = dest.close();
        match result {
            Ok(()) => {
                closed?;
                lanes_closed?;
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

/// One channel of a transfer: its SFTP session and its handle on the remote file.
struct Lane<'a> {
    engine: &'a mut Engine,
    handle: &'a [u8],
}

/// Which way a transfer's data goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Download,
    Upload,
}

/// Opens `remote` (to read for a download, to write for an upload) on the extra sessions a
/// transfer of `remaining` bytes is spread over (none for small transfers). A session that
/// cannot open it is left out of this transfer: the others carry it.
fn open_on_lanes(
    sftp: &Sftp,
    remaining: Option<u64>,
    direction: Direction,
    remote: &str,
) -> Vec<RemoteFile> {
    let mut options = OpenOptions::new();
    // The session's own handle created or truncated an upload's file; the others only
    // write.
    match direction {
        Direction::Download => options.read(true),
        Direction::Upload => options.write(true),
    };
    sftp.transfer_lanes(remaining, direction)
        .into_iter()
        .filter_map(|lane| lane.open_with(remote, &options).ok())
        .collect()
}

/// Closes every one of the extra sessions' handles; the first error, if any.
fn close_on_lanes(files: Vec<RemoteFile>) -> Result<()> {
    let mut first = Ok(());
    for file in files {
        let closed = file.close();
        if first.is_ok() {
            first = closed;
        }
    }
    first
}

/// Runs `f` over the session's own lane (its `handle`) and one lane per file in
/// `helpers`, every session locked for the whole transfer (the session's own first, so
/// the order is always the same). `f` also gets the per-lane request window.
fn with_lanes<T>(
    sftp: &Sftp,
    handle: &[u8],
    helpers: &[RemoteFile],
    f: impl FnOnce(&mut [Lane<'_>], usize) -> Result<T>,
) -> Result<T> {
    let mut own = sftp.lock()?;
    let window = own.max_outstanding;
    let mut guards = Vec::with_capacity(helpers.len());
    for file in helpers {
        guards.push(file.session().lock()?);
    }
    let mut lanes = Vec::with_capacity(guards.len().saturating_add(1));
    lanes.push(Lane {
        engine: &mut own,
        handle,
    });
    for (guard, file) in guards.iter_mut().zip(helpers) {
        lanes.push(Lane {
            engine: guard,
            handle: file.handle(),
        });
    }
    f(&mut lanes, window)
}

/// The lane after `lane`, round-robin.
fn next_lane(lane: usize, lanes: usize) -> usize {
    lane.saturating_add(1).checked_rem(lanes).unwrap_or(0)
}

/// Abandons every request still queued, on the lane it was sent on.
fn abandon_all(lanes: &mut [Lane<'_>], queue: &mut VecDeque<Pending>) {
    for pending in queue.drain(..) {
        if let Some(lane) = lanes.get_mut(pending.lane) {
            lane.engine.abandon(pending.id);
        }
    }
}

fn lane_of<'l, 'a>(lanes: &'l mut [Lane<'a>], pending: &Pending) -> Result<&'l mut Lane<'a>> {
    lanes
        .get_mut(pending.lane)
        .ok_or_else(|| Error::protocol("transfer lane vanished"))
}

/// The download loop: keeps `window` READs per lane in flight, sent to the lanes in turn,
/// and writes the DATA in file order whichever lane it came on. A short read is
/// completed by a READ for the rest, queued first.
fn pull(
    lanes: &mut [Lane<'_>],
    remote: &str,
    sink: &mut LocalSink<'_>,
    window: usize,
    total: Option<u64>,
    progress: &mut dyn FnMut(&Progress) -> bool,
) -> Result<()> {
    let capacity = window.saturating_mul(lanes.len());
    let mut queue: VecDeque<Pending> = VecDeque::with_capacity(capacity);
    let mut next_offset = sink.verified;
    let mut eof = false;
    let mut turn = 0;
    let what = format!("read {remote}");
    let result = (|| {
        loop {
            while !eof && queue.len() < capacity {
                let Some(lane) = lanes.get_mut(turn).filter(|l| l.engine.has_room()) else {
                    break;
                };
                let len = lane.engine.read_chunk;
                let id = lane.engine.submit(&Request::Read {
                    handle: lane.handle,
                    offset: next_offset,
                    len,
                })?;
                queue.push_back(Pending {
                    lane: turn,
                    id,
                    offset: next_offset,
                    len,
                });
                next_offset = next_offset.saturating_add(u64::from(len));
                turn = next_lane(turn, lanes.len());
            }
            let Some(front) = queue.pop_front() else {
                return Ok(());
            };
            let lane = lane_of(lanes, &front)?;
            let empty =
                || Error::protocol(format!("{what}: empty DATA at offset {}", front.offset));
            let write_error = |e| Error::local(format!("write {}", sink.path.display()), e);
            let got = lane.engine.wait_read(front.id, |r| match r {
                Answer::Pieces(data) if data.is_empty() => Err(empty()),
                Answer::Pieces(data) => {
                    let mut slices: Vec<IoSlice<'_>> = data.slices().map(IoSlice::new).collect();
                    write_all_vectored(sink.file, &mut slices).map_err(write_error)?;
                    Ok(Got::Data(u32::try_from(data.len()).unwrap_or(u32::MAX)))
                }
                Answer::Whole(Response::Data { data: [], .. }) => Err(empty()),
                Answer::Whole(Response::Data { data, .. }) => {
                    sink.file.write_all(data).map_err(write_error)?;
                    Ok(Got::Data(u32::try_from(data.len()).unwrap_or(u32::MAX)))
                }
                Answer::Whole(r) => match r {
                    Response::Status(s) if s.code == StatusCode::EOF => Ok(Got::Eof),
                    Response::Status(s) => Err(Error::status(s.code, &s.message_lossy(), &what)),
                    other => Err(unexpected(&what, &other)),
                },
            })??;
            match got {
                Got::Data(n) => {
                    sink.verified = front.offset.saturating_add(u64::from(n));
                    if n < front.len && !eof {
                        // The server returned less than asked: ask for the rest first.
                        let rest = front.len.saturating_sub(n);
                        let id = lane.engine.submit(&Request::Read {
                            handle: lane.handle,
                            offset: sink.verified,
                            len: rest,
                        })?;
                        queue.push_front(Pending {
                            lane: front.lane,
                            id,
                            offset: sink.verified,
                            len: rest,
                        });
                    }
                }
                Got::Eof => {
                    eof = true;
                    abandon_all(lanes, &mut queue);
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
    abandon_all(lanes, &mut queue);
    result
}

/// The upload loop: reads the file in order, sends its pieces as WRITEs to the lanes in
/// turn with `window` in flight per lane; `acked` advances as their statuses arrive in
/// file order.
#[allow(clippy::too_many_arguments)]
fn push(
    lanes: &mut [Lane<'_>],
    remote: &str,
    file: &mut File,
    local: &Path,
    start: u64,
    acked: &mut u64,
    window: usize,
    total: Option<u64>,
    progress: &mut dyn FnMut(&Progress) -> bool,
) -> Result<()> {
    let capacity = window.saturating_mul(lanes.len());
    let mut queue: VecDeque<Pending> = VecDeque::with_capacity(capacity);
    let largest = lanes
        .iter()
        .map(|l| l.engine.write_chunk)
        .max()
        .unwrap_or(1) as usize;
    let mut backing = vec![0u8; largest + PAGE];
    let buf = page_aligned(&mut backing, largest);
    let mut offset = start;
    let mut at_end = false;
    let mut turn = 0;
    let what = format!("write {remote}");
    let result = (|| {
        loop {
            while !at_end && queue.len() < capacity {
                let Some(lane) = lanes.get_mut(turn).filter(|l| l.engine.has_room()) else {
                    break;
                };
                let piece = buf
                    .get_mut(..lane.engine.write_chunk as usize)
                    .unwrap_or_default();
                let n = read_full(file, piece)
                    .map_err(|e| Error::local(format!("read {}", local.display()), e))?;
                if n == 0 {
                    at_end = true;
                    break;
                }
                let data = piece.get(..n).unwrap_or_default();
                let id = lane.engine.submit_write(lane.handle, offset, data)?;
                let len = u32::try_from(n).unwrap_or(u32::MAX);
                queue.push_back(Pending {
                    lane: turn,
                    id,
                    offset,
                    len,
                });
                offset = offset.saturating_add(n as u64);
                turn = next_lane(turn, lanes.len());
            }
            let Some(front) = queue.pop_front() else {
                return Ok(());
            };
            lane_of(lanes, &front)?
                .engine
                .wait_with(front.id, |r| status_ok(&what, r))??;
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
    abandon_all(lanes, &mut queue);
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

/// Writes all of `bufs` (`Write::write_all_vectored` is not stable yet): one system call
/// for a DATA reply's pieces where the file takes them all.
fn write_all_vectored(file: &mut File, mut bufs: &mut [IoSlice<'_>]) -> std::io::Result<()> {
    while !bufs.is_empty() {
        match file.write_vectored(bufs) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut bufs, n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
