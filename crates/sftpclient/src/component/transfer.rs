//! download / upload / append and the transfer queue.
//!
//! A plain single-file binary transfer goes through [`Sftp::download_with`] /
//! [`Sftp::upload_with`] (pipelined, and a failed download is truncated to its verified
//! length). Everything else (queued files, data through on_transfer, TransferredDataLimit,
//! ASCII mode, append, RealTimeUpload) runs as jobs: up to SimultaneousTransferLimit open
//! [`RemoteFile`]s stepped round-robin one chunk at a time, so several files are in flight
//! over the one SFTP channel (each file keeps its own read-ahead / write-behind window and
//! the engine parks replies for the others).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::SftpClient;
use super::events::{self, TransferBoundaryEvent, TransferEvent, fire};
use super::methods::interrupted;
use crate::error::{Error, ErrorKind, Result, code};
use crate::{OpenOptions, RemoteFile, Sftp, TransferOptions};

/// Largest chunk a job moves per step (MaxFileData is clamped to it): bounds the buffer.
const MAX_STEP: usize = 255 * 1024;

pub(crate) use crate::transfer::Direction;

impl Direction {
    /// The seed's number for it: 0 upload, 1 download.
    fn seed(self) -> i32 {
        match self {
            Direction::Upload => 0,
            Direction::Download => 1,
        }
    }
}

/// One file to move.
#[derive(Clone, Debug)]
pub(crate) struct JobSpec {
    pub direction: Direction,
    /// Local path ("" for downloads: data through on_transfer).
    pub local: String,
    /// Remote path as sent to the server.
    pub remote: String,
    /// Remote path as the caller gave it (for events).
    pub remote_display: String,
    /// start_byte.
    pub start: u64,
    /// append (uploads).
    pub append: bool,
}

/// Settings read once per call.
#[derive(Clone, Debug)]
struct Knobs {
    chunk: usize,
    limit: Option<u64>,
    ascii: Option<(Vec<u8>, Vec<u8>)>,
    overwrite: bool,
    use_stat: bool,
    preserve_time: bool,
    realtime: Option<Duration>,
    log_data: bool,
}

/// Line-ending conversion across chunk boundaries.
#[derive(Clone, Debug)]
struct Eol {
    from: Vec<u8>,
    to: Vec<u8>,
    carry: Vec<u8>,
}

impl Eol {
    fn convert(&mut self, data: &[u8], last: bool) -> Vec<u8> {
        let mut input = std::mem::take(&mut self.carry);
        input.extend_from_slice(data);
        if !last {
            // Keep a trailing partial line ending for the next chunk.
            let keep = (1..self.from.len())
                .rev()
                .find(|&k| input.ends_with(self.from.get(..k).unwrap_or_default()))
                .unwrap_or(0);
            let at = input.len().saturating_sub(keep);
            self.carry = input.split_off(at);
        }
        if self.from == self.to || self.from.is_empty() {
            return input;
        }
        let mut out = Vec::with_capacity(input.len());
        let mut i = 0usize;
        while i < input.len() {
            let rest = input.get(i..).unwrap_or_default();
            if rest.starts_with(&self.from) {
                out.extend_from_slice(&self.to);
                i = i.saturating_add(self.from.len());
            } else {
                out.extend_from_slice(rest.get(..1).unwrap_or_default());
                i = i.saturating_add(1);
            }
        }
        out
    }
}

/// A running file.
struct Job {
    spec: JobSpec,
    remote: Option<RemoteFile>,
    local: Option<File>,
    /// Position in the source (start_byte included).
    position: u64,
    total: Option<u64>,
    remaining: Option<u64>,
    eol: Option<Eol>,
    remote_mtime: Option<i64>,
    quiet_since: Option<Instant>,
}

/// What one step did.
enum Step {
    /// Moved data (for downloads to events: the data).
    Moved(Vec<u8>),
    /// Waiting for a real-time upload's file to grow.
    Waiting,
    /// Finished.
    Done,
}

impl SftpClient {
    /// Runs `specs` to completion (see the module documentation).
    pub(crate) fn run_jobs(&mut self, sftp: &Sftp, specs: Vec<JobSpec>) -> Result<()> {
        let knobs = self.knobs(sftp);
        if let [spec] = specs.as_slice() {
            if !spec.append
                && !spec.local.is_empty()
                && knobs.limit.is_none()
                && knobs.ascii.is_none()
                && knobs.realtime.is_none()
            {
                return self.fast_transfer(sftp, spec, &knobs);
            }
        }
        let single = specs.len() == 1;
        let limit = usize::try_from(self.cfg.int("SimultaneousTransferLimit"))
            .unwrap_or(1)
            .max(1);
        let mut pending: std::collections::VecDeque<JobSpec> = specs.into();
        let mut active: Vec<Job> = Vec::new();
        let mut first_error: Option<Error> = None;
        let mut buf = vec![0u8; knobs.chunk];
        loop {
            while active.len() < limit {
                let Some(spec) = pending.pop_front() else {
                    break;
                };
                self.start_event(&spec);
                match self.open_job(sftp, spec.clone(), &knobs) {
                    Ok(job) => active.push(job),
                    Err(e) => {
                        let e = self.report(e, &spec.local, &spec.remote_display);
                        first_error.get_or_insert(e);
                    }
                }
            }
            if active.is_empty() {
                break;
            }
            let mut i = 0usize;
            while i < active.len() {
                if self.interrupted.load(Ordering::SeqCst) {
                    active.clear();
                    return Err(interrupted());
                }
                let Some(job) = active.get_mut(i) else { break };
                let outcome = step(job, &mut buf, &knobs);
                let finished = match outcome {
                    Ok(Step::Moved(text)) => {
                        if knobs.log_data {
                            self.log(3, "Data", &String::from_utf8_lossy(&text));
                        }
                        if self.progress_event(job, text) {
                            // Cancelled in on_transfer: this file only.
                            if single {
                                first_error.get_or_insert(Error::new(
                                    ErrorKind::Cancelled,
                                    code::SFTP_COMMAND_FAILED,
                                    format!("transfer of {} cancelled", job.spec.remote_display),
                                ));
                            }
                            true
                        } else {
                            false
                        }
                    }
                    Ok(Step::Waiting) => false,
                    Ok(Step::Done) => match finish(job, sftp, &knobs) {
                        Ok(()) => {
                            fire!(
                                self,
                                end_transfer,
                                &mut TransferBoundaryEvent {
                                    direction: job.spec.direction.seed(),
                                    local_file: job.spec.local.clone(),
                                    remote_file: job.spec.remote_display.clone(),
                                }
                            );
                            true
                        }
                        Err(e) => {
                            let e = self.report(e, &job.spec.local, &job.spec.remote_display);
                            first_error.get_or_insert(e);
                            true
                        }
                    },
                    Err(e) => {
                        let e = self.report(e, &job.spec.local, &job.spec.remote_display);
                        first_error.get_or_insert(e);
                        true
                    }
                };
                if finished {
                    active.remove(i);
                    if let Some(spec) = pending.pop_front() {
                        self.start_event(&spec);
                        match self.open_job(sftp, spec.clone(), &knobs) {
                            Ok(job) => active.push(job),
                            Err(e) => {
                                let e = self.report(e, &spec.local, &spec.remote_display);
                                first_error.get_or_insert(e);
                            }
                        }
                    }
                } else {
                    i += 1;
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn knobs(&self, sftp: &Sftp) -> Knobs {
        let chunk = usize::try_from(self.cfg.int("MaxFileData"))
            .unwrap_or(32_768)
            .clamp(1, MAX_STEP);
        let limit = u64::try_from(self.cfg.int("TransferredDataLimit"))
            .ok()
            .filter(|&l| l > 0);
        let ascii = (self.cfg.int("TransferMode") == 1).then(|| {
            let local = self.cfg.text("LocalEOL").as_bytes().to_vec();
            let mut server = self.cfg.text("ServerEOL").as_bytes().to_vec();
            // v4+: the server says its line ending in the `newline` extension.
            if sftp.version().unwrap_or(3) >= 4 {
                if let Ok(ext) = sftp.extensions() {
                    if let Some((_, data)) = ext
                        .iter()
                        .find(|(n, _)| n == sftp_proto::ext::names::NEWLINE)
                    {
                        if !data.is_empty() {
                            server = data.clone();
                        }
                    }
                }
            }
            (local, server)
        });
        let realtime = self.cfg.flag("RealTimeUpload").then(|| {
            Duration::from_secs(
                u64::try_from(self.cfg.int("RealTimeUploadAgeLimit"))
                    .unwrap_or(1)
                    .max(1),
            )
        });
        Knobs {
            chunk,
            limit,
            ascii,
            overwrite: self.props.overwrite,
            use_stat: self.cfg.flag("UseFxpStat"),
            preserve_time: self.cfg.flag("PreserveFileTime") && self.cfg.flag("UseFxpStat"),
            realtime,
            log_data: self.cfg.flag("LogSFTPFileData"),
        }
    }

    fn start_event(&self, spec: &JobSpec) {
        self.log(
            2,
            "SFTP",
            &format!(
                "{} {} {}",
                if spec.direction == Direction::Download {
                    "download"
                } else {
                    "upload"
                },
                spec.remote,
                spec.local
            ),
        );
        fire!(
            self,
            start_transfer,
            &mut TransferBoundaryEvent {
                direction: spec.direction.seed(),
                local_file: spec.local.clone(),
                remote_file: spec.remote_display.clone(),
            }
        );
    }

    /// Fires on_transfer; true when the handler cancelled.
    fn progress_event(&self, job: &Job, text: Vec<u8>) -> bool {
        let mut event = TransferEvent {
            direction: job.spec.direction.seed(),
            local_file: job.spec.local.clone(),
            remote_file: job.spec.remote_display.clone(),
            bytes_transferred: i64::try_from(job.position).unwrap_or(i64::MAX),
            percent_done: percent(job.position, job.total),
            text,
            cancel: false,
        };
        fire!(self, transfer, &mut event);
        event.cancel
    }

    fn open_job(&self, sftp: &Sftp, spec: JobSpec, knobs: &Knobs) -> Result<Job> {
        let eol = knobs
            .ascii
            .as_ref()
            .map(|(local, server)| match spec.direction {
                Direction::Download => Eol {
                    from: server.clone(),
                    to: local.clone(),
                    carry: Vec::new(),
                },
                Direction::Upload => Eol {
                    from: local.clone(),
                    to: server.clone(),
                    carry: Vec::new(),
                },
            });
        match spec.direction {
            Direction::Download => {
                // Remote first: a file that cannot be opened leaves the local one alone.
                let mut remote = sftp.open(&spec.remote)?;
                let local = if spec.local.is_empty() {
                    None
                } else {
                    match open_local(&spec.local, spec.start, knobs.overwrite) {
                        Ok(file) => Some(file),
                        Err(e) => {
                            let _ = remote.close();
                            return Err(e);
                        }
                    }
                };
                let (total, mtime) = if knobs.use_stat {
                    match remote.metadata() {
                        Ok(m) => (m.size(), m.attributes().mtime.map(|t| t.seconds)),
                        Err(_) => (None, None),
                    }
                } else {
                    (None, None)
                };
                if spec.start > 0 {
                    remote.seek(SeekFrom::Start(spec.start)).map_err(io_error)?;
                }
                let total = match (total, knobs.limit) {
                    (Some(t), Some(l)) => Some(t.min(spec.start.saturating_add(l))),
                    (t, _) => t,
                };
                Ok(Job {
                    position: spec.start,
                    remaining: knobs.limit,
                    spec,
                    remote: Some(remote),
                    local,
                    total,
                    eol,
                    remote_mtime: mtime,
                    quiet_since: None,
                })
            }
            Direction::Upload => {
                let mut local = File::open(&spec.local)
                    .map_err(|e| Error::local(format!("open {}", spec.local), e))?;
                let total = local.metadata().ok().map(|m| m.len());
                let start = if spec.append { 0 } else { spec.start };
                if start > 0 {
                    local
                        .seek(SeekFrom::Start(start))
                        .map_err(|e| Error::local(format!("seek {}", spec.local), e))?;
                }
                let mut options = OpenOptions::new();
                options.write(true).create(true);
                if spec.append {
                    options.append(true);
                } else if start == 0 {
                    if knobs.overwrite {
                        options.truncate(true);
                    } else {
                        options.create_new(true);
                    }
                }
                let mut remote = sftp.open_with(&spec.remote, &options)?;
                if spec.append {
                    remote.seek(SeekFrom::End(0)).map_err(io_error)?;
                } else if start > 0 {
                    remote.seek(SeekFrom::Start(start)).map_err(io_error)?;
                }
                Ok(Job {
                    position: start,
                    remaining: None,
                    spec,
                    remote: Some(remote),
                    local: Some(local),
                    total,
                    eol,
                    remote_mtime: None,
                    quiet_since: None,
                })
            }
        }
    }

    /// The plain single-file path over [`Sftp::download_with`] / [`Sftp::upload_with`].
    fn fast_transfer(&mut self, sftp: &Sftp, spec: &JobSpec, knobs: &Knobs) -> Result<()> {
        self.start_event(spec);
        let options = TransferOptions {
            overwrite: knobs.overwrite,
            start_at: spec.start,
        };
        let shared = self.shared.clone();
        let flag = self.interrupted.clone();
        let direction = spec.direction.seed();
        let mut cancelled = false;
        let mut progress = |p: &crate::Progress| {
            let mut event = TransferEvent {
                direction,
                local_file: spec.local.clone(),
                remote_file: spec.remote_display.clone(),
                bytes_transferred: i64::try_from(p.transferred).unwrap_or(i64::MAX),
                percent_done: percent(p.transferred, p.total),
                text: Vec::new(),
                cancel: false,
            };
            {
                let mut guard = events::lock(&shared);
                if let Some(h) = guard.handlers.transfer.as_mut() {
                    h(&mut event);
                }
            }
            cancelled |= event.cancel;
            !event.cancel && !flag.load(Ordering::SeqCst)
        };
        let r = match spec.direction {
            Direction::Download => {
                sftp.download_with(&spec.remote, &spec.local, &options, &mut progress)
            }
            Direction::Upload => {
                sftp.upload_with(&spec.local, &spec.remote, &options, &mut progress)
            }
        };
        if let Err(e) = r {
            if !cancelled && self.interrupted.load(Ordering::SeqCst) {
                return Err(interrupted());
            }
            if cancelled {
                return Err(e);
            }
            return Err(self.report(e, &spec.local, &spec.remote_display));
        }
        if knobs.preserve_time {
            preserve_time(sftp, spec)?;
        }
        fire!(
            self,
            end_transfer,
            &mut TransferBoundaryEvent {
                direction,
                local_file: spec.local.clone(),
                remote_file: spec.remote_display.clone(),
            }
        );
        Ok(())
    }
}

/// Moves one chunk of `job`.
fn step(job: &mut Job, buf: &mut [u8], knobs: &Knobs) -> Result<Step> {
    match job.spec.direction {
        Direction::Download => {
            let want = match job.remaining {
                Some(0) => return Ok(Step::Done),
                Some(r) => usize::try_from(r).unwrap_or(usize::MAX).min(buf.len()),
                None => buf.len(),
            };
            let Some(remote) = job.remote.as_mut() else {
                return Ok(Step::Done);
            };
            let slot = buf.get_mut(..want).unwrap_or_default();
            let n = remote.read(slot).map_err(io_error)?;
            if n == 0 {
                return Ok(Step::Done);
            }
            let data = buf.get(..n).unwrap_or_default();
            job.position = job.position.saturating_add(n as u64);
            if let Some(r) = job.remaining.as_mut() {
                *r = r.saturating_sub(n as u64);
            }
            let last = job.remaining == Some(0);
            let data = match job.eol.as_mut() {
                Some(eol) => eol.convert(data, last),
                None => data.to_vec(),
            };
            match job.local.as_mut() {
                Some(f) => {
                    f.write_all(&data)
                        .map_err(|e| Error::local(format!("write {}", job.spec.local), e))?;
                    Ok(Step::Moved(Vec::new()))
                }
                None => Ok(Step::Moved(data)),
            }
        }
        Direction::Upload => {
            let Some(local) = job.local.as_mut() else {
                return Ok(Step::Done);
            };
            let n = local
                .read(buf)
                .map_err(|e| Error::local(format!("read {}", job.spec.local), e))?;
            if n == 0 {
                if let Some(age) = knobs.realtime {
                    // RealTimeUpload: keep sending what is appended until the file has
                    // been quiet for RealTimeUploadAgeLimit.
                    let since = *job.quiet_since.get_or_insert_with(Instant::now);
                    if since.elapsed() < age {
                        std::thread::sleep(Duration::from_millis(20));
                        return Ok(Step::Waiting);
                    }
                }
                if let (Some(eol), Some(remote)) = (job.eol.as_mut(), job.remote.as_mut()) {
                    let tail = eol.convert(&[], true);
                    remote.write_all(&tail).map_err(io_error)?;
                }
                return Ok(Step::Done);
            }
            job.quiet_since = None;
            let data = buf.get(..n).unwrap_or_default();
            let data = match job.eol.as_mut() {
                Some(eol) => eol.convert(data, false),
                None => data.to_vec(),
            };
            let Some(remote) = job.remote.as_mut() else {
                return Ok(Step::Done);
            };
            remote.write_all(&data).map_err(io_error)?;
            job.position = job.position.saturating_add(n as u64);
            Ok(Step::Moved(Vec::new()))
        }
    }
}

/// Closes both ends and applies PreserveFileTime.
fn finish(job: &mut Job, sftp: &Sftp, knobs: &Knobs) -> Result<()> {
    if let (Some(eol), Some(f)) = (job.eol.as_mut(), job.local.as_mut()) {
        if job.spec.direction == Direction::Download {
            let tail = eol.convert(&[], true);
            f.write_all(&tail)
                .map_err(|e| Error::local(format!("write {}", job.spec.local), e))?;
        }
    }
    if let Some(remote) = job.remote.take() {
        remote.close()?;
    }
    if let Some(f) = job.local.take() {
        if job.spec.direction == Direction::Download {
            f.sync_all()
                .map_err(|e| Error::local(format!("sync {}", job.spec.local), e))?;
            if knobs.preserve_time {
                if let Some(secs) = job.remote_mtime.and_then(|s| u64::try_from(s).ok()) {
                    let _ = f.set_modified(UNIX_EPOCH + Duration::from_secs(secs));
                }
            }
        } else if knobs.preserve_time {
            preserve_time(sftp, &job.spec)?;
        }
    }
    Ok(())
}

/// PreserveFileTime: the destination gets the source's modification time.
fn preserve_time(sftp: &Sftp, spec: &JobSpec) -> Result<()> {
    match spec.direction {
        Direction::Upload => {
            let meta = std::fs::metadata(&spec.local)
                .map_err(|e| Error::local(format!("stat {}", spec.local), e))?;
            let modified = meta.modified().unwrap_or(SystemTime::now());
            let accessed = meta.accessed().unwrap_or(modified);
            sftp.set_times(&spec.remote, accessed, modified)
        }
        Direction::Download => {
            let Some(modified) = sftp.metadata(&spec.remote)?.modified() else {
                return Ok(());
            };
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(&spec.local)
                .map_err(|e| Error::local(format!("open {}", spec.local), e))?;
            f.set_modified(modified)
                .map_err(|e| Error::local(format!("set time of {}", spec.local), e))
        }
    }
}

fn open_local(path: &str, start: u64, overwrite: bool) -> Result<File> {
    let mut open = std::fs::OpenOptions::new();
    open.write(true);
    if start > 0 {
        open.create(true);
    } else if overwrite {
        open.create(true).truncate(true);
    } else {
        open.create_new(true);
    }
    let mut f = open.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error::new(
                ErrorKind::AlreadyExists,
                code::LOCAL_FILE_EXISTS,
                format!("Cannot download file: {path} exists and overwrite is set to False."),
            )
        } else {
            Error::local(format!("create {path}"), e)
        }
    })?;
    if start > 0 {
        f.set_len(start)
            .map_err(|e| Error::local(format!("truncate {path}"), e))?;
        f.seek(SeekFrom::Start(start))
            .map_err(|e| Error::local(format!("seek {path}"), e))?;
    }
    Ok(f)
}

fn percent(done: u64, total: Option<u64>) -> i32 {
    match total {
        None => -1,
        Some(0) => 100,
        Some(t) => i32::try_from(done.saturating_mul(100) / t)
            .unwrap_or(100)
            .min(100),
    }
}

/// The crate error carried inside an `io::Error` by `RemoteFile`'s Read/Write/Seek.
pub(crate) fn io_error(e: std::io::Error) -> Error {
    let kind = e.kind();
    match e.into_inner() {
        Some(inner) => match inner.downcast::<Error>() {
            Ok(e) => *e,
            Err(other) => Error::local("remote file", std::io::Error::new(kind, other)),
        },
        None => Error::local("remote file", std::io::Error::from(kind)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn convert_chunked(from: &[u8], to: &[u8], data: &[u8], cuts: &[usize]) -> Vec<u8> {
        let mut eol = Eol {
            from: from.to_vec(),
            to: to.to_vec(),
            carry: Vec::new(),
        };
        let mut out = Vec::new();
        let mut at = 0usize;
        for &c in cuts {
            let end = (at + c).min(data.len());
            out.extend(eol.convert(&data[at..end], false));
            at = end;
        }
        out.extend(eol.convert(&data[at..], true));
        out
    }

    proptest! {
        /// LF -> CRLF -> LF is the identity for text without CR, however the data is cut
        /// into chunks (a CR LF split across chunks is the case that matters).
        #[test]
        fn eol_round_trip(
            data in proptest::collection::vec(prop_oneof![Just(b'\n'), Just(b'a'), Just(b'z')], 0..200),
            cuts in proptest::collection::vec(0usize..7, 0..40),
            cuts2 in proptest::collection::vec(0usize..7, 0..40),
        ) {
            let crlf = convert_chunked(b"\n", b"\r\n", &data, &cuts);
            prop_assert_eq!(crlf.len(), data.len() + data.iter().filter(|&&b| b == b'\n').count());
            let back = convert_chunked(b"\r\n", b"\n", &crlf, &cuts2);
            prop_assert_eq!(back, data);
        }
    }

    #[test]
    fn eol_conversion_across_chunks() {
        let mut eol = Eol {
            from: b"\r\n".to_vec(),
            to: b"\n".to_vec(),
            carry: Vec::new(),
        };
        let mut out = eol.convert(b"a\r", false);
        out.extend(eol.convert(b"\nb\r\nc\r", false));
        out.extend(eol.convert(b"", true));
        assert_eq!(out, b"a\nb\nc\r");
        let mut eol = Eol {
            from: b"\n".to_vec(),
            to: b"\r\n".to_vec(),
            carry: Vec::new(),
        };
        assert_eq!(eol.convert(b"x\ny\n", true), b"x\r\ny\r\n");
        assert_eq!(percent(50, Some(200)), 25);
        assert_eq!(percent(5, None), -1);
    }
}
