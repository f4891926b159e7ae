//! [`Sftp`]: the idiomatic API over one SFTP session, named after `std::fs`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sftp_proto::consts::{attr_flags, defined_attr_flags, pflags};
use sftp_proto::ext::{ExtendedRequest, StatVfs, names};
use sftp_proto::packet::{OpenMode, SymlinkOrder};
use sftp_proto::policy::{is_already_exists, rename_request};
use sftp_proto::{FileAttributes, FileTime, FileType, Request, Response, SessionConfig, Version};

use crate::dir::ReadDir;
use crate::engine::{Engine, EngineConfig, status_ok, unexpected};
use crate::error::{Error, ErrorKind, Result, code};
use crate::file::RemoteFile;
use crate::stream::SftpStream;
use crate::transfer::Direction;

/// Settings for a new SFTP session.
#[derive(Clone, Debug)]
pub struct SftpConfig {
    /// The highest SFTP version to use (the seed's `ProtocolVersion`), 3 to 6.
    pub protocol_version: Version,
    /// Requests kept in flight by transfers (the seed's `MaxOutstandingPackets`), per
    /// channel.
    pub max_outstanding: usize,
    /// SSH channels one large [`Sftp::download`] is spread over (4 by default; 1 keeps
    /// every download on the session's own channel). Each further channel is an SFTP
    /// session of its own on the same connection, opened by the first transfer of at least
    /// [`STRIPE_MIN`] bytes and kept for later ones (each counts against the server's
    /// `MaxSessions`, 10 by default in OpenSSH). A server that refuses one (`MaxSessions`,
    /// say) or a handle on the file costs nothing but the attempt: the transfer runs on the
    /// channels it has. Only sessions made by [`Session::sftp`] can open channels.
    ///
    /// Why: OpenSSH's sshd moves at most 32 KiB (download) or 64 KiB (upload) between its
    /// network loop and the SFTP process per channel per turn of that loop, so one channel
    /// leaves it waiting on its own plumbing; four carry 20 to 40 % more on the same
    /// connection (docs/performance.md). More did not make downloads faster, only costlier
    /// in memory.
    ///
    /// [`Session::sftp`]: crate::Session::sftp
    pub download_channels: usize,
    /// SSH channels one large [`Sftp::upload`] is spread over (6 by default; 1 keeps every
    /// upload on the session's own channel), as for [`SftpConfig::download_channels`]:
    /// uploads gain another 5 to 10 % from the fifth and sixth channel. Downloads use the
    /// first of the channels an upload opened.
    pub upload_channels: usize,
}

/// Smallest transfer (bytes still to move) spread over several channels.
pub const STRIPE_MIN: u64 = 8 * 1024 * 1024;

impl Default for SftpConfig {
    fn default() -> Self {
        let session = SessionConfig::default();
        Self {
            protocol_version: session.protocol_version,
            max_outstanding: session.max_outstanding,
            download_channels: 4,
            upload_channels: 6,
        }
    }
}

/// Opens one more SFTP session on the same connection.
pub(crate) type LaneOpener = Box<dyn Fn() -> Result<Sftp> + Send + Sync>;

/// The extra channels a session spreads large transfers over.
struct Lanes {
    /// How many besides the session's own a download uses.
    download: usize,
    /// How many besides the session's own an upload uses.
    upload: usize,
    open: Option<LaneOpener>,
    state: Mutex<LaneState>,
}

#[derive(Default)]
struct LaneState {
    ready: Vec<Sftp>,
    /// The server refused one: do not ask again.
    refused: bool,
}

/// An SFTP session. Cheap to clone: clones share the session, and calls from several
/// threads are serialised.
#[derive(Clone)]
pub struct Sftp {
    engine: Arc<Mutex<Engine>>,
    /// Set by an [`InterruptHandle`]; outside the lock, which a transfer holds throughout.
    interrupt: Arc<AtomicBool>,
    lanes: Arc<Lanes>,
}

/// Cancels the transfer running on an [`Sftp`] session, from any thread (the seed's
/// `interrupt`). The transfer ends with [`ErrorKind::Cancelled`] after the reply it is
/// waiting for, its requests abandoned and its local file truncated to the verified bytes;
/// the session stays usable. Single requests (`metadata`, `rename`, ...) are not
/// interrupted: they end with their reply or the inactivity timeout.
#[derive(Clone, Debug)]
pub struct InterruptHandle(Arc<AtomicBool>);

impl InterruptHandle {
    /// Asks the running transfer to stop.
    pub fn interrupt(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// A handle over an existing flag (the SftpClient surface keeps one across sessions).
    pub(crate) fn from_flag(flag: Arc<AtomicBool>) -> Self {
        Self(flag)
    }
}

impl std::fmt::Debug for Sftp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sftp").finish_non_exhaustive()
    }
}

impl Sftp {
    /// Starts an SFTP session over `stream` (version negotiation included).
    pub fn new(stream: impl SftpStream + 'static, config: SftpConfig) -> Result<Self> {
        let session = SessionConfig {
            protocol_version: config.protocol_version,
            max_outstanding: config.max_outstanding,
            ..SessionConfig::default()
        };
        let engine = Engine::start(Box::new(stream), EngineConfig { session })?;
        Ok(Self {
            engine: Arc::new(Mutex::new(engine)),
            interrupt: Arc::new(AtomicBool::new(false)),
            lanes: Arc::new(Lanes {
                download: config.download_channels.saturating_sub(1),
                upload: config.upload_channels.saturating_sub(1),
                open: None,
                state: Mutex::new(LaneState::default()),
            }),
        })
    }

    /// [`Sftp::new`] for a session that can open more channels with `open` (which must
    /// give sessions that open none themselves).
    pub(crate) fn with_lanes(
        stream: impl SftpStream + 'static,
        config: SftpConfig,
        open: LaneOpener,
    ) -> Result<Self> {
        let mut sftp = Self::new(stream, config)?;
        if let Some(lanes) = Arc::get_mut(&mut sftp.lanes) {
            lanes.open = Some(open);
        }
        Ok(sftp)
    }

    /// The SSH channels this session holds: its own and those opened for transfers.
    pub fn channels(&self) -> usize {
        let extra = self.lanes.state.lock().map(|s| s.ready.len()).unwrap_or(0);
        extra.saturating_add(1)
    }

    /// The extra sessions a transfer of `remaining` bytes going `direction` should use,
    /// opening them on first need; empty for small transfers, when not wanted, or when the
    /// server refused.
    pub(crate) fn transfer_lanes(&self, remaining: Option<u64>, direction: Direction) -> Vec<Sftp> {
        let lanes = &self.lanes;
        let Some(open) = &lanes.open else {
            return Vec::new();
        };
        let wanted = match direction {
            Direction::Download => lanes.download,
            Direction::Upload => lanes.upload,
        };
        if wanted == 0 || remaining.is_none_or(|r| r < STRIPE_MIN) {
            return Vec::new();
        }
        let Ok(mut state) = lanes.state.lock() else {
            return Vec::new();
        };
        // A session that failed (its channel closed, say) is dropped, not reused.
        state
            .ready
            .retain(|lane| lane.lock().is_ok_and(|e| !e.is_failed()));
        let version = self.lock().map(|e| e.version()).ok();
        while state.ready.len() < wanted && !state.refused {
            match open() {
                Ok(lane) if lane.lock().map(|e| e.version()).ok() == version => {
                    state.ready.push(lane);
                }
                _ => state.refused = true,
            }
        }
        state.ready.iter().take(wanted).cloned().collect()
    }

    /// A handle that cancels this session's running transfer from another thread.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle(self.interrupt.clone())
    }

    /// Clears a pending interrupt when a transfer starts, and reports one while it runs.
    pub(crate) fn interrupt_flag(&self) -> &AtomicBool {
        &self.interrupt
    }

    /// The negotiated SFTP version (the seed's `NegotiatedProtocolVersion`).
    pub fn version(&self) -> Result<u32> {
        Ok(self.lock()?.version().number())
    }

    /// Whether the server announced extension `name` in its VERSION packet.
    pub fn has_extension(&self, name: &str) -> Result<bool> {
        Ok(self.lock()?.session().extensions().offers(name))
    }

    /// The server's extensions as (name, data) pairs, names lossily decoded.
    pub fn extensions(&self) -> Result<Vec<(String, Vec<u8>)>> {
        Ok(self
            .lock()?
            .session()
            .extensions()
            .pairs()
            .map(|(n, d)| (String::from_utf8_lossy(n).into_owned(), d.to_vec()))
            .collect())
    }

    /// Attributes of `path`, following symbolic links.
    pub fn metadata(&self, path: &str) -> Result<Metadata> {
        self.stat(path, true)
    }

    /// Attributes of `path` itself, not following a final symbolic link.
    pub fn symlink_metadata(&self, path: &str) -> Result<Metadata> {
        self.stat(path, false)
    }

    fn stat(&self, path: &str, follow: bool) -> Result<Metadata> {
        let mut engine = self.lock()?;
        // Not EXTENDED: ProFTPD echoes the requested flags and then sends an empty
        // extension list, which the attribute decoder refuses.
        let flags = defined_attr_flags(engine.version()) & !attr_flags::EXTENDED;
        let request = if follow {
            Request::Stat {
                path: path.as_bytes(),
                flags,
            }
        } else {
            Request::Lstat {
                path: path.as_bytes(),
                flags,
            }
        };
        let what = format!("stat {path}");
        engine.call(&request, |r| attrs_reply(&what, r))?
    }

    /// Sets the attributes present in `attrs` on `path`.
    pub fn set_metadata(&self, path: &str, attrs: &FileAttributes) -> Result<()> {
        let mut engine = self.lock()?;
        let attrs = attrs.representable_at(engine.version());
        let request = Request::Setstat {
            path: path.as_bytes(),
            attrs,
        };
        let what = format!("setstat {path}");
        engine.call(&request, |r| status_ok(&what, r))?
    }

    /// Changes the permission bits of `path` (the low 12 bits of `mode`).
    pub fn set_permissions(&self, path: &str, mode: u32) -> Result<()> {
        let attrs = FileAttributes {
            permissions: Some(mode & 0o7777),
            ..FileAttributes::default()
        };
        self.set_metadata(path, &attrs)
    }

    /// Sets access and modification times of `path`.
    pub fn set_times(&self, path: &str, accessed: SystemTime, modified: SystemTime) -> Result<()> {
        let attrs = FileAttributes {
            atime: Some(file_time(accessed)),
            mtime: Some(file_time(modified)),
            ..FileAttributes::default()
        };
        self.set_metadata(path, &attrs)
    }

    /// The entries of directory `path` (without `.` and `..`), read lazily in batches.
    pub fn read_dir(&self, path: &str) -> Result<ReadDir> {
        let handle = {
            let mut engine = self.lock()?;
            let what = format!("opendir {path}");
            engine.call(
                &Request::Opendir {
                    path: path.as_bytes(),
                },
                |r| handle_reply(&what, r),
            )??
        };
        Ok(ReadDir::new(self.clone(), handle, path))
    }

    /// Creates directory `path` (mode 0755 where the server honours it).
    pub fn create_dir(&self, path: &str) -> Result<()> {
        let mut engine = self.lock()?;
        let version = engine.version();
        let attrs = FileAttributes {
            permissions: Some(0o755),
            ..FileAttributes::default()
        };
        let what = format!("mkdir {path}");
        engine
            .call(
                &Request::Mkdir {
                    path: path.as_bytes(),
                    attrs,
                },
                |r| status_ok(&what, r),
            )?
            .map_err(|e| already_exists(e, version, true))
    }

    /// Removes the empty directory `path`.
    pub fn remove_dir(&self, path: &str) -> Result<()> {
        let mut engine = self.lock()?;
        let what = format!("rmdir {path}");
        engine.call(
            &Request::Rmdir {
                path: path.as_bytes(),
            },
            |r| status_ok(&what, r),
        )?
    }

    /// Removes the file `path`.
    pub fn remove_file(&self, path: &str) -> Result<()> {
        let mut engine = self.lock()?;
        let what = format!("remove {path}");
        engine.call(
            &Request::Remove {
                filename: path.as_bytes(),
            },
            |r| status_ok(&what, r),
        )?
    }

    /// Renames `from` to `to`. With `overwrite` false an existing `to` is never replaced
    /// (error [`ErrorKind::AlreadyExists`]); with `overwrite` true it is replaced
    /// atomically where the server can (v5+ RENAME flags, or `posix-rename@openssh.com`),
    /// otherwise code 1104.
    pub fn rename(&self, from: &str, to: &str, overwrite: bool) -> Result<()> {
        let mut engine = self.lock()?;
        let version = engine.version();
        let request = rename_request(
            version,
            engine.session().extensions(),
            from.as_bytes(),
            to.as_bytes(),
            overwrite,
        )
        .map_err(|e| {
            Error::new(
                ErrorKind::Unsupported,
                code::RENAME_UNSUPPORTED,
                format!("rename {from} -> {to}: {e}"),
            )
        })?;
        let what = format!("rename {from} -> {to}");
        engine
            .call(&request, |r| status_ok(&what, r))?
            .map_err(|e| already_exists(e, version, !overwrite))
    }

    /// The absolute, canonical form of `path` (REALPATH).
    pub fn canonicalize(&self, path: &str) -> Result<String> {
        let mut engine = self.lock()?;
        let what = format!("realpath {path}");
        engine.call(
            &Request::Realpath {
                path: path.as_bytes(),
                control: None,
                compose: Vec::new(),
            },
            |r| one_name(&what, r),
        )?
    }

    /// The target of symbolic link `path`.
    pub fn read_link(&self, path: &str) -> Result<String> {
        let mut engine = self.lock()?;
        let what = format!("readlink {path}");
        engine.call(
            &Request::Readlink {
                path: path.as_bytes(),
            },
            |r| one_name(&what, r),
        )?
    }

    /// Creates a symbolic link at `link` pointing to `target` (argument order as
    /// `std::os::unix::fs::symlink`; the wire order each server expects is handled).
    pub fn symlink(&self, target: &str, link: &str) -> Result<()> {
        let mut engine = self.lock()?;
        let version = engine.version();
        let request = if version >= Version::V6 {
            Request::Link {
                new_link_path: link.as_bytes(),
                existing_path: target.as_bytes(),
                symlink: true,
            }
        } else {
            let order: SymlinkOrder = engine.session().extensions().symlink_order();
            Request::Symlink {
                linkpath: link.as_bytes(),
                targetpath: target.as_bytes(),
                order,
            }
        };
        let what = format!("symlink {link} -> {target}");
        engine
            .call(&request, |r| status_ok(&what, r))?
            .map_err(|e| already_exists(e, version, true))
    }

    /// Creates a hard link `link` to the existing file `target` (v6 LINK or
    /// `hardlink@openssh.com`).
    pub fn hard_link(&self, target: &str, link: &str) -> Result<()> {
        let mut engine = self.lock()?;
        let version = engine.version();
        let request = if engine.session().extensions().offers(names::HARDLINK) {
            Request::Extended(ExtendedRequest::Hardlink {
                oldpath: target.as_bytes(),
                newpath: link.as_bytes(),
            })
        } else if version >= Version::V6 {
            Request::Link {
                new_link_path: link.as_bytes(),
                existing_path: target.as_bytes(),
                symlink: false,
            }
        } else {
            return Err(Error::unsupported(
                "hard links need SFTP v6 or the hardlink@openssh.com extension",
            ));
        };
        let what = format!("link {link} -> {target}");
        engine
            .call(&request, |r| status_ok(&what, r))?
            .map_err(|e| already_exists(e, version, true))
    }

    /// File system statistics for the file system holding `path` (`statvfs@openssh.com`).
    pub fn statvfs(&self, path: &str) -> Result<StatVfs> {
        let mut engine = self.lock()?;
        if !engine.session().extensions().offers(names::STATVFS) {
            return Err(Error::unsupported(
                "the server does not offer statvfs@openssh.com",
            ));
        }
        let what = format!("statvfs {path}");
        engine.call(
            &Request::Extended(ExtendedRequest::Statvfs {
                path: path.as_bytes(),
            }),
            |r| match r {
                Response::ExtendedReply(data) => StatVfs::decode(data)
                    .map_err(|e| Error::protocol(format!("{what}: bad reply: {e}"))),
                Response::Status(s) => Err(Error::status(s.code, &s.message_lossy(), &what)),
                other => Err(unexpected(&what, &other)),
            },
        )?
    }

    /// Opens `path` for reading.
    pub fn open(&self, path: &str) -> Result<RemoteFile> {
        self.open_with(path, OpenOptions::new().read(true))
    }

    /// Opens `path` for writing, creating it or truncating it.
    pub fn create(&self, path: &str) -> Result<RemoteFile> {
        self.open_with(
            path,
            OpenOptions::new().write(true).create(true).truncate(true),
        )
    }

    /// Opens `path` as `options` say.
    pub fn open_with(&self, path: &str, options: &OpenOptions) -> Result<RemoteFile> {
        let mut engine = self.lock()?;
        let version = engine.version();
        let mode = options.open_mode();
        let attrs = FileAttributes {
            permissions: options.create_mode,
            ..FileAttributes::default()
        };
        let what = format!("open {path}");
        let handle = engine
            .call(
                &Request::Open {
                    filename: path.as_bytes(),
                    mode,
                    attrs,
                },
                |r| handle_reply(&what, r),
            )?
            .map_err(|e| already_exists(e, version, mode.is_exclusive()))?;
        let (read_chunk, write_chunk, window) = (
            engine.read_chunk,
            engine.write_chunk,
            engine.max_outstanding,
        );
        drop(engine);
        Ok(RemoteFile::new(
            self.clone(),
            handle,
            path,
            read_chunk,
            write_chunk,
            window,
        ))
    }

    /// Copies `from` to `to` on the server without moving the data through the client
    /// (`copy-data`, or `copy-file`); [`ErrorKind::Unsupported`] when the server can do
    /// neither.
    pub fn copy(&self, from: &str, to: &str, overwrite: bool) -> Result<()> {
        let (has_copy_file, has_copy_data) = {
            let engine = self.lock()?;
            let ext = engine.session().extensions();
            (ext.offers(names::COPY_FILE), ext.offers(names::COPY_DATA))
        };
        if has_copy_file {
            let mut engine = self.lock()?;
            let version = engine.version();
            let what = format!("copy-file {from} -> {to}");
            return engine
                .call(
                    &Request::Extended(ExtendedRequest::CopyFile {
                        source: from.as_bytes(),
                        destination: to.as_bytes(),
                        overwrite,
                    }),
                    |r| status_ok(&what, r),
                )?
                .map_err(|e| already_exists(e, version, !overwrite));
        }
        if !has_copy_data {
            return Err(Error::unsupported(
                "the server offers neither copy-data nor copy-file",
            ));
        }
        let source = self.open(from)?;
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        if !overwrite {
            options.create_new(true);
        }
        let dest = self.open_with(to, &options)?;
        {
            let mut engine = self.lock()?;
            let what = format!("copy-data {from} -> {to}");
            engine.call(
                &Request::Extended(ExtendedRequest::CopyData {
                    read_handle: source.handle(),
                    read_offset: 0,
                    read_length: 0,
                    write_handle: dest.handle(),
                    write_offset: 0,
                }),
                |r| status_ok(&what, r),
            )??;
        }
        source.close()?;
        dest.close()
    }

    /// Ends the session (open files should be closed first).
    pub fn close(self) -> Result<()> {
        self.lock()?.close()
    }

    pub(crate) fn lock(&self) -> Result<MutexGuard<'_, Engine>> {
        self.engine.lock().map_err(|_| {
            Error::new(
                ErrorKind::InvalidState,
                code::INVALID_STATE,
                "the SFTP session was poisoned by a panic in another thread",
            )
        })
    }
}

/// How to open a remote file, as [`std::fs::OpenOptions`].
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    read: bool,
    write: bool,
    append: bool,
    truncate: bool,
    create: bool,
    create_new: bool,
    create_mode: Option<u32>,
}

impl OpenOptions {
    /// All options off.
    pub fn new() -> Self {
        Self::default()
    }

    /// Open for reading.
    pub fn read(&mut self, on: bool) -> &mut Self {
        self.read = on;
        self
    }

    /// Open for writing.
    pub fn write(&mut self, on: bool) -> &mut Self {
        self.write = on;
        self
    }

    /// Every write goes to the end of the file.
    pub fn append(&mut self, on: bool) -> &mut Self {
        self.append = on;
        self
    }

    /// Truncate an existing file to length 0.
    pub fn truncate(&mut self, on: bool) -> &mut Self {
        self.truncate = on;
        self
    }

    /// Create the file if it does not exist.
    pub fn create(&mut self, on: bool) -> &mut Self {
        self.create = on;
        self
    }

    /// Create the file, failing with [`ErrorKind::AlreadyExists`] if it exists (exclusive
    /// create on the server: the overwrite=false of uploads).
    pub fn create_new(&mut self, on: bool) -> &mut Self {
        self.create_new = on;
        self
    }

    /// Permission bits for a created file.
    pub fn mode(&mut self, mode: u32) -> &mut Self {
        self.create_mode = Some(mode & 0o7777);
        self
    }

    fn mode_flags(&self) -> u32 {
        let mut p = 0;
        if self.read {
            p |= pflags::READ;
        }
        if self.write || self.append {
            p |= pflags::WRITE;
        }
        if self.append {
            p |= pflags::APPEND;
        }
        if self.create_new {
            p |= pflags::CREAT | pflags::EXCL;
        } else {
            if self.create {
                p |= pflags::CREAT;
            }
            if self.truncate {
                p |= pflags::TRUNC;
            }
        }
        p
    }

    /// The mode as v3 pflags; sftp-proto converts it to desired-access + flags at v5+.
    pub(crate) fn open_mode(&self) -> OpenMode {
        OpenMode::Pflags(self.mode_flags())
    }
}

/// Attributes of a remote file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metadata {
    attrs: FileAttributes,
}

impl Metadata {
    pub(crate) fn new(attrs: FileAttributes) -> Self {
        Self { attrs }
    }

    /// Size in bytes (0 when the server did not say).
    pub fn len(&self) -> u64 {
        self.attrs.size.unwrap_or(0)
    }

    /// Whether the size is 0.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The size, when the server sent one.
    pub fn size(&self) -> Option<u64> {
        self.attrs.size
    }

    /// Whether this is a directory.
    pub fn is_dir(&self) -> bool {
        self.attrs.is_dir()
    }

    /// Whether this is a regular file.
    pub fn is_file(&self) -> bool {
        self.attrs.kind() == Some(FileType::REGULAR)
    }

    /// Whether this is a symbolic link (only from [`Sftp::symlink_metadata`] and
    /// directory listings).
    pub fn is_symlink(&self) -> bool {
        self.attrs.is_symlink()
    }

    /// The file type, when known.
    pub fn file_type(&self) -> Option<FileType> {
        self.attrs.kind()
    }

    /// POSIX permission bits (with the file type bits when the server sends them).
    pub fn permissions(&self) -> Option<u32> {
        self.attrs.permissions
    }

    /// Last modification time.
    pub fn modified(&self) -> Option<SystemTime> {
        self.attrs.mtime.map(system_time)
    }

    /// Last access time.
    pub fn accessed(&self) -> Option<SystemTime> {
        self.attrs.atime.map(system_time)
    }

    /// Numeric user and group ids (v3).
    pub fn uid_gid(&self) -> Option<(u32, u32)> {
        self.attrs.uid_gid
    }

    /// Owner and group names (v4+).
    pub fn owner_group(&self) -> Option<(&str, &str)> {
        self.attrs
            .owner_group
            .as_ref()
            .map(|(o, g)| (o.as_str(), g.as_str()))
    }

    /// Every attribute as received.
    pub fn attributes(&self) -> &FileAttributes {
        &self.attrs
    }
}

fn system_time(t: FileTime) -> SystemTime {
    let nanos = Duration::from_nanos(u64::from(t.nanoseconds.unwrap_or(0)));
    if t.seconds >= 0 {
        UNIX_EPOCH + Duration::from_secs(t.seconds.unsigned_abs()) + nanos
    } else {
        UNIX_EPOCH - Duration::from_secs(t.seconds.unsigned_abs()) + nanos
    }
}

fn file_time(t: SystemTime) -> FileTime {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => FileTime {
            seconds: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            nanoseconds: Some(d.subsec_nanos()),
        },
        Err(e) => FileTime {
            seconds: -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
            nanoseconds: None,
        },
    }
}

pub(crate) fn attrs_reply(what: &str, r: Response<'_>) -> Result<Metadata> {
    match r {
        Response::Attrs(a) => Ok(Metadata::new(a)),
        Response::Status(s) => Err(Error::status(s.code, &s.message_lossy(), what)),
        other => Err(unexpected(what, &other)),
    }
}

pub(crate) fn handle_reply(what: &str, r: Response<'_>) -> Result<Vec<u8>> {
    match r {
        Response::Handle(h) => Ok(h.to_vec()),
        Response::Status(s) => Err(Error::status(s.code, &s.message_lossy(), what)),
        other => Err(unexpected(what, &other)),
    }
}

fn one_name(what: &str, r: Response<'_>) -> Result<String> {
    match r {
        Response::Name(n) => match n.entries.first() {
            Some(e) => Ok(String::from_utf8_lossy(e.filename).into_owned()),
            None => Err(Error::protocol(format!("{what}: empty NAME reply"))),
        },
        Response::Status(s) => Err(Error::status(s.code, &s.message_lossy(), what)),
        other => Err(unexpected(what, &other)),
    }
}

/// Reclassifies a failure that means "the target exists" (v3 has no code for it).
fn already_exists(e: Error, version: Version, exclusive_op: bool) -> Error {
    match e.sftp_status() {
        Some(status) if is_already_exists(version, status, exclusive_op) => Error::new(
            ErrorKind::AlreadyExists,
            code::SFTP_COMMAND_FAILED,
            e.description().to_owned(),
        ),
        _ => e,
    }
}
