//! The command interpreter: one [`Shell`] per session, reading command lines from a batch
//! or the user, writing results to `out` and errors to `err`.
//!
//! Remote paths are relative to the remote working directory (the login directory at
//! first); local paths are relative to the shell's own local directory (`lcd` changes it,
//! not the process's directory). Plain `get` and `put` overwrite an existing destination,
//! as OpenSSH's `sftp` does; `-a` resumes from the destination's current size.

use std::fmt;
use std::fs;
use std::io::{self, BufRead, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sftpclient::error::code;
use sftpclient::{
    Error, ErrorKind, Metadata, OpenOptions, Progress, Sftp, StatusCode, TransferOptions,
};

use crate::format;
use crate::glob::{Mask, has_wildcards};

/// How transfers show their progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressMode {
    /// A progress bar on stderr (when stderr is a terminal).
    Bars,
    /// One summary line per transfer on `out`.
    Summary,
    /// Nothing (`-q`).
    Silent,
}

/// How command lines are read and failures handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `-b`: the first failing command (not prefixed with `-`) ends the run with status 1.
    /// With `echo`, each command is printed as `sftp> command` before it runs.
    Batch {
        /// Print each command before running it.
        echo: bool,
    },
    /// Commands from the user: failures are reported and the session goes on. With
    /// `prompt`, `sftp> ` is shown before each line.
    Interactive {
        /// Show the prompt.
        prompt: bool,
    },
}

/// Why a command failed.
#[derive(Debug)]
pub enum CommandError {
    /// The server or a local file refused; carries the documented code.
    Sftp(Error),
    /// The command line itself is wrong (unknown command, missing argument).
    Usage(String),
    /// Writing the command's output failed.
    Output(io::Error),
}

impl CommandError {
    /// The documented numeric code, when the failure has one.
    pub fn code(&self) -> Option<i32> {
        match self {
            CommandError::Sftp(e) => Some(e.code()),
            _ => None,
        }
    }

    /// Whether the session cannot go on after this.
    fn is_fatal(&self) -> bool {
        match self {
            CommandError::Sftp(e) => e.is_fatal(),
            CommandError::Usage(_) => false,
            CommandError::Output(_) => true,
        }
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::Sftp(e) => write!(f, "{e}"),
            CommandError::Usage(m) => f.write_str(m),
            CommandError::Output(e) => write!(f, "cannot write output: {e}"),
        }
    }
}

impl std::error::Error for CommandError {}

impl From<Error> for CommandError {
    fn from(e: Error) -> Self {
        CommandError::Sftp(e)
    }
}

impl From<io::Error> for CommandError {
    fn from(e: io::Error) -> Self {
        CommandError::Output(e)
    }
}

/// What to do after a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Read the next command.
    Continue,
    /// `quit`.
    Quit,
}

/// Help text for `help`.
const HELP: &str = "\
cd [path]                  change the remote directory (default: the login directory)
pwd                        show the remote directory
lcd [path]                 change the local directory (default: $HOME)
lpwd                       show the local directory
ls [-l] [-a] [path|mask]   list a remote directory, or the names matching a mask
get [-a] remote [local]    download (overwrites; -a resumes a partial local file)
put [-a] local [remote]    upload (overwrites; -a resumes a partial remote file)
append local remote        add a local file to the end of a remote file
rename from to             rename (replacing `to` where the server can)
rm path                    remove a file
mkdir path                 create a directory
rmdir path                 remove an empty directory
chmod mode path            set permission bits (octal)
stat path                  show a file's attributes
df [path]                  show file system usage (statvfs@openssh.com)
ln [-s] target link        create a hard link (or with -s a symbolic link)
readlink path              show a symbolic link's target
help, ?                    this text
quit, exit, bye            end the session
Prefix a batch line with - to ignore its failure, with @ to not echo it.";

/// Size of one local read when appending.
const APPEND_CHUNK: usize = 256 * 1024;

/// The interpreter's state: the session and both working directories.
#[derive(Debug)]
pub struct Shell {
    sftp: Sftp,
    remote_home: String,
    remote_cwd: String,
    local_cwd: PathBuf,
    progress: ProgressMode,
}

impl Shell {
    /// A shell over `sftp` starting in the remote login directory and local directory
    /// `local_dir`.
    pub fn new(sftp: Sftp, local_dir: PathBuf, progress: ProgressMode) -> Result<Self, Error> {
        let home = sftp.canonicalize(".")?;
        Ok(Self {
            sftp,
            remote_cwd: home.clone(),
            remote_home: home,
            local_cwd: local_dir,
            progress,
        })
    }

    /// The remote working directory.
    pub fn remote_cwd(&self) -> &str {
        &self.remote_cwd
    }

    /// The local working directory.
    pub fn local_cwd(&self) -> &Path {
        &self.local_cwd
    }

    /// The session.
    pub fn sftp(&self) -> &Sftp {
        &self.sftp
    }

    /// Runs every command line from `input`; returns the exit status: 0, or 1 when a batch
    /// stopped at a failing command, commands read without a prompt saw one fail, or the
    /// session was lost.
    pub fn run(
        &mut self,
        input: &mut dyn BufRead,
        out: &mut dyn Write,
        err: &mut dyn Write,
        mode: Mode,
    ) -> i32 {
        // Names and messages from the server reach both streams: no control characters.
        let mut out = format::Printable::new(out);
        let mut err = format::Printable::new(err);
        let (out, err): (&mut dyn Write, &mut dyn Write) = (&mut out, &mut err);
        let mut status = 0;
        let mut line = String::new();
        loop {
            if let Mode::Interactive { prompt: true } = mode {
                let _ = write!(out, "sftp> ");
                let _ = out.flush();
            }
            line.clear();
            match input.read_line(&mut line) {
                Ok(0) => {
                    if let Mode::Interactive { prompt: true } = mode {
                        let _ = writeln!(out);
                    }
                    return status;
                }
                Ok(_) => {}
                Err(e) => {
                    let _ = writeln!(err, "sftpc: cannot read commands: {e}");
                    return 1;
                }
            }
            let mut command = line.trim();
            if command.is_empty() || command.starts_with('#') {
                continue;
            }
            // Batch prefixes, as OpenSSH's sftp: `-` ignores a failure, `@` hides the echo.
            let mut ignore_failure = false;
            let mut echo = matches!(mode, Mode::Batch { echo: true });
            loop {
                if let Some(rest) = command.strip_prefix('-') {
                    ignore_failure = true;
                    command = rest.trim_start();
                } else if let Some(rest) = command.strip_prefix('@') {
                    echo = false;
                    command = rest.trim_start();
                } else {
                    break;
                }
            }
            if echo {
                let _ = writeln!(out, "sftp> {command}");
            }
            let name = command.split_whitespace().next().unwrap_or_default();
            match self.execute(command, out) {
                Ok(Flow::Continue) => {}
                Ok(Flow::Quit) => return status,
                Err(e) => {
                    let _ = writeln!(err, "sftpc: {name}: {e}");
                    let _ = err.flush();
                    if e.is_fatal() {
                        return 1;
                    }
                    match mode {
                        _ if ignore_failure => {}
                        Mode::Batch { .. } => return 1,
                        // Commands piped in without -b: the status tells a script that
                        // something failed; at a terminal a typo is not a failed session.
                        Mode::Interactive { prompt: false } => status = 1,
                        Mode::Interactive { prompt: true } => {}
                    }
                }
            }
            let _ = out.flush();
        }
    }

    /// Runs one command line.
    pub fn execute(&mut self, line: &str, out: &mut dyn Write) -> Result<Flow, CommandError> {
        let words = split_words(line).map_err(CommandError::Usage)?;
        let Some((command, args)) = words.split_first() else {
            return Ok(Flow::Continue);
        };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        match command.as_str() {
            "quit" | "exit" | "bye" => {
                no_args(&args, "quit")?;
                return Ok(Flow::Quit);
            }
            "help" | "?" => writeln!(out, "{HELP}")?,
            "pwd" => {
                no_args(&args, "pwd")?;
                writeln!(out, "Remote working directory: {}", self.remote_cwd)?;
            }
            "lpwd" => {
                no_args(&args, "lpwd")?;
                writeln!(out, "Local working directory: {}", self.local_cwd.display())?;
            }
            "cd" => self.cd(&args)?,
            "lcd" => self.lcd(&args)?,
            "ls" | "dir" => self.ls(&args, out)?,
            "get" => self.get(&args, out)?,
            "put" => self.put(&args, out)?,
            "append" => self.append(&args, out)?,
            "rename" => {
                let [from, to] = exactly(&args, "rename from to")?;
                let (from, to) = (self.remote_path(from), self.remote_path(to));
                // OpenSSH's sftp renames with posix-rename where offered (replacing the
                // target) and falls back to the plain, non-replacing RENAME.
                match self.sftp.rename(&from, &to, true) {
                    Err(e) if e.code() == code::RENAME_UNSUPPORTED => {
                        self.sftp.rename(&from, &to, false)?;
                    }
                    other => other?,
                }
            }
            "rm" => {
                let [path] = exactly(&args, "rm path")?;
                self.sftp.remove_file(&self.remote_path(path))?;
            }
            "mkdir" => {
                let [path] = exactly(&args, "mkdir path")?;
                self.sftp.create_dir(&self.remote_path(path))?;
            }
            "rmdir" => {
                let [path] = exactly(&args, "rmdir path")?;
                self.sftp.remove_dir(&self.remote_path(path))?;
            }
            "chmod" => {
                let [mode, path] = exactly(&args, "chmod mode path")?;
                let mode = u32::from_str_radix(mode, 8)
                    .ok()
                    .filter(|m| *m <= 0o7777)
                    .ok_or_else(|| {
                        CommandError::Usage(format!(
                            "bad mode {mode:?}: expected octal digits, at most 7777"
                        ))
                    })?;
                self.sftp.set_permissions(&self.remote_path(path), mode)?;
            }
            "stat" => {
                let [path] = exactly(&args, "stat path")?;
                let full = self.remote_path(path);
                let meta = self.sftp.metadata(&full)?;
                writeln!(out, "{}", format::stat_report(&meta, &full))?;
            }
            "df" => {
                let path = match args.as_slice() {
                    [] => self.remote_cwd.clone(),
                    [path] => self.remote_path(path),
                    _ => return Err(usage("df [path]")),
                };
                let stats = self.sftp.statvfs(&path)?;
                writeln!(out, "{}", format::df_report(&stats))?;
            }
            "ln" => {
                let (symbolic, rest) = match args.split_first() {
                    Some((&"-s", rest)) => (true, rest),
                    _ => (false, args.as_slice()),
                };
                let [target, link] = exactly(rest, "ln [-s] target link")?;
                let link = self.remote_path(link);
                if symbolic {
                    // The target is stored as given: a relative target is relative to the
                    // link's directory, as with ln -s.
                    self.sftp.symlink(target, &link)?;
                } else {
                    self.sftp.hard_link(&self.remote_path(target), &link)?;
                }
            }
            "readlink" => {
                let [path] = exactly(&args, "readlink path")?;
                let target = self.sftp.read_link(&self.remote_path(path))?;
                writeln!(out, "{target}")?;
            }
            other => {
                return Err(CommandError::Usage(format!(
                    "unknown command {other:?} (try help)"
                )));
            }
        }
        Ok(Flow::Continue)
    }

    fn cd(&mut self, args: &[&str]) -> Result<(), CommandError> {
        let target = match args {
            [] => self.remote_home.clone(),
            [path] => self.remote_path(path),
            _ => return Err(usage("cd [path]")),
        };
        let resolved = self.sftp.canonicalize(&target)?;
        let meta = self.sftp.metadata(&resolved)?;
        if !meta.is_dir() {
            return Err(not_a_directory(&resolved).into());
        }
        self.remote_cwd = resolved;
        Ok(())
    }

    fn lcd(&mut self, args: &[&str]) -> Result<(), CommandError> {
        let target = match args {
            [] => crate::connect::home_dir().unwrap_or_else(|| PathBuf::from("/")),
            [path] => self.local_path(path),
            _ => return Err(usage("lcd [path]")),
        };
        let resolved = fs::canonicalize(&target)
            .map_err(|e| Error::local(format!("lcd {}", target.display()), e))?;
        if !resolved.is_dir() {
            return Err(Error::new(
                ErrorKind::LocalIo,
                code::LOCAL_FILE_ERROR,
                format!("lcd {}: not a directory", resolved.display()),
            )
            .into());
        }
        self.local_cwd = resolved;
        Ok(())
    }

    fn ls(&mut self, args: &[&str], out: &mut dyn Write) -> Result<(), CommandError> {
        let mut long = false;
        let mut all = false;
        let mut paths = Vec::new();
        for arg in args {
            match arg.strip_prefix('-') {
                Some(flags) if !flags.is_empty() && paths.is_empty() => {
                    for flag in flags.chars() {
                        match flag {
                            'l' => long = true,
                            'a' => all = true,
                            '1' => {}
                            other => {
                                return Err(CommandError::Usage(format!(
                                    "ls: unknown flag -{other}; usage: ls [-l] [-a] [path|mask]"
                                )));
                            }
                        }
                    }
                }
                _ => paths.push(*arg),
            }
        }
        let target = match paths.as_slice() {
            [] => None,
            [path] => Some(*path),
            _ => return Err(usage("ls [-l] [-a] [path|mask]")),
        };
        let (dir, mask) = match target {
            None => (self.remote_cwd.clone(), None),
            Some(path) => {
                let (parent, last) = split_remote(path);
                if has_wildcards(last) {
                    let dir = match parent {
                        Some(parent) => self.remote_path(parent),
                        None => self.remote_cwd.clone(),
                    };
                    (dir, Some(Mask::new(last)))
                } else {
                    let full = self.remote_path(path);
                    let meta = self.sftp.metadata(&full)?;
                    if !meta.is_dir() {
                        let line = if long {
                            format::long_line(&meta, path)
                        } else {
                            path.to_owned()
                        };
                        writeln!(out, "{line}")?;
                        return Ok(());
                    }
                    (full, None)
                }
            }
        };
        // Hidden names show with -a, or when the mask itself starts with a dot.
        let show_hidden = all || target.is_some_and(|t| split_remote(t).1.starts_with('.'));
        let mut entries: Vec<(String, Metadata)> = Vec::new();
        for entry in self.sftp.read_dir(&dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let shown = match &mask {
                Some(mask) => mask.matches(&name) && (show_hidden || !name.starts_with('.')),
                None => show_hidden || !name.starts_with('.'),
            };
            if shown {
                entries.push((name, entry.metadata().clone()));
            }
        }
        if let (Some(_), true) = (&mask, entries.is_empty()) {
            return Err(Error::new(
                ErrorKind::Status {
                    status: StatusCode::NO_SUCH_FILE,
                },
                code::CANNOT_RESOLVE_PATH,
                format!("ls {}: no match", target.unwrap_or_default()),
            )
            .into());
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, meta) in &entries {
            if long {
                writeln!(out, "{}", format::long_line(meta, name))?;
            } else {
                writeln!(out, "{name}")?;
            }
        }
        Ok(())
    }

    fn get(&mut self, args: &[&str], out: &mut dyn Write) -> Result<(), CommandError> {
        let (resume, args) = flag_a(args);
        let (remote, local) = match args {
            [remote] => (*remote, None),
            [remote, local] => (*remote, Some(*local)),
            _ => return Err(usage("get [-a] remote [local]")),
        };
        let remote_full = self.remote_path(remote);
        let meta = self.sftp.metadata(&remote_full)?;
        if meta.is_dir() {
            return Err(Error::new(
                ErrorKind::Status {
                    status: StatusCode::FILE_IS_A_DIRECTORY,
                },
                code::SFTP_COMMAND_FAILED,
                format!("get {remote_full}: is a directory"),
            )
            .into());
        }
        let base = remote_base_name(&remote_full);
        let mut local_full = self.local_path(local.unwrap_or(base));
        if local_full.is_dir() {
            local_full.push(base);
        }
        let start_at = if resume {
            let have = fs::metadata(&local_full).map_or(0, |m| m.len());
            if let Some(size) = meta.size() {
                if have > size {
                    return Err(Error::new(
                        ErrorKind::InvalidState,
                        code::LOCAL_FILE_ERROR,
                        format!(
                            "get -a: {} ({have} bytes) is longer than {remote_full} ({size} bytes)",
                            local_full.display()
                        ),
                    )
                    .into());
                }
            }
            have
        } else {
            0
        };
        let options = TransferOptions {
            overwrite: true,
            start_at,
        };
        let mut meter = Meter::start(self.progress, base, meta.size(), start_at);
        let result = self
            .sftp
            .download_with(&remote_full, &local_full, &options, &mut |p| {
                meter.update(p)
            });
        meter.finish(result.as_ref().ok().copied(), out)?;
        result?;
        Ok(())
    }

    fn put(&mut self, args: &[&str], out: &mut dyn Write) -> Result<(), CommandError> {
        let (resume, args) = flag_a(args);
        let (local, remote) = match args {
            [local] => (*local, None),
            [local, remote] => (*local, Some(*remote)),
            _ => return Err(usage("put [-a] local [remote]")),
        };
        let local_full = self.local_path(local);
        let local_meta = fs::metadata(&local_full)
            .map_err(|e| Error::local(format!("put {}", local_full.display()), e))?;
        if !local_meta.is_file() {
            return Err(Error::new(
                ErrorKind::LocalIo,
                code::LOCAL_FILE_ERROR,
                format!("put {}: not a regular file", local_full.display()),
            )
            .into());
        }
        let base = local_full
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut remote_full = self.remote_path(remote.unwrap_or(&base));
        let existing = match self.sftp.metadata(&remote_full) {
            Ok(meta) => Some(meta),
            Err(e) if e.sftp_status() == Some(StatusCode::NO_SUCH_FILE) => None,
            Err(e) => return Err(e.into()),
        };
        let existing = match existing {
            Some(meta) if meta.is_dir() => {
                remote_full = join_remote(&remote_full, &base);
                match self.sftp.metadata(&remote_full) {
                    Ok(meta) => Some(meta),
                    Err(e) if e.sftp_status() == Some(StatusCode::NO_SUCH_FILE) => None,
                    Err(e) => return Err(e.into()),
                }
            }
            other => other,
        };
        let start_at = if resume {
            let have = existing.map_or(0, |m| m.len());
            if have > local_meta.len() {
                return Err(Error::new(
                    ErrorKind::InvalidState,
                    code::SFTP_COMMAND_FAILED,
                    format!(
                        "put -a: {remote_full} ({have} bytes) is longer than {} ({} bytes)",
                        local_full.display(),
                        local_meta.len()
                    ),
                )
                .into());
            }
            have
        } else {
            0
        };
        let options = TransferOptions {
            overwrite: true,
            start_at,
        };
        let mut meter = Meter::start(self.progress, &base, Some(local_meta.len()), start_at);
        let result = self
            .sftp
            .upload_with(&local_full, &remote_full, &options, &mut |p| {
                meter.update(p)
            });
        meter.finish(result.as_ref().ok().copied(), out)?;
        result?;
        Ok(())
    }

    fn append(&mut self, args: &[&str], out: &mut dyn Write) -> Result<(), CommandError> {
        let [local, remote] = exactly(args, "append local remote")?;
        let local_full = self.local_path(local);
        let remote_full = self.remote_path(remote);
        let mut file = fs::File::open(&local_full)
            .map_err(|e| Error::local(format!("append {}", local_full.display()), e))?;
        let local_len = file.metadata().map(|m| m.len()).ok();
        let mut options = OpenOptions::new();
        options.write(true).append(true).create(true);
        let mut remote_file = self.sftp.open_with(&remote_full, &options)?;
        // Writing at the current end as well keeps the result right on a server that
        // ignores the append flag.
        let start = remote_file.metadata()?.len();
        remote_file
            .seek(SeekFrom::Start(start))
            .map_err(|e| remote_io(e, &remote_full))?;
        let base = remote_base_name(local);
        let total = local_len.map(|l| l.saturating_add(start));
        let mut meter = Meter::start(self.progress, base, total, start);
        let mut buf = vec![0u8; APPEND_CHUNK];
        let mut written = start;
        let copied: Result<(), Error> = loop {
            let n = match file.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => break Err(Error::local(format!("read {}", local_full.display()), e)),
            };
            if let Err(e) = remote_file.write_all(buf.get(..n).unwrap_or_default()) {
                break Err(remote_io(e, &remote_full));
            }
            written = written.saturating_add(n as u64);
            meter.update(&Progress {
                transferred: written,
                total,
            });
        };
        // Close even after a failure; the close reports write-behind errors.
        let closed = remote_file.close();
        let result = copied.and(closed).map(|()| written);
        meter.finish(result.as_ref().ok().copied(), out)?;
        result?;
        Ok(())
    }

    /// `path` made absolute against the remote working directory.
    pub fn remote_path(&self, path: &str) -> String {
        if path.starts_with('/') {
            path.to_owned()
        } else if path.is_empty() || path == "." {
            self.remote_cwd.clone()
        } else if path == "~" {
            self.remote_home.clone()
        } else if let Some(rest) = path.strip_prefix("~/") {
            join_remote(&self.remote_home, rest)
        } else {
            join_remote(&self.remote_cwd, path)
        }
    }

    /// `path` made absolute against the local working directory.
    pub fn local_path(&self, path: &str) -> PathBuf {
        let path = crate::connect::expand_tilde(path);
        if path.is_absolute() {
            path
        } else {
            self.local_cwd.join(path)
        }
    }
}

/// Shows a transfer's progress as the mode says, and its summary at the end.
struct Meter {
    mode: ProgressMode,
    name: String,
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
    start_at: u64,
}

impl Meter {
    fn start(mode: ProgressMode, name: &str, total: Option<u64>, start_at: u64) -> Self {
        let bar = (mode == ProgressMode::Bars).then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                total,
                indicatif::ProgressDrawTarget::stderr(),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{msg:20!} {wide_bar} {binary_bytes:>10}/{binary_total_bytes:<10} {binary_bytes_per_sec:>12} {eta:>4}",
            ) {
                bar.set_style(style);
            }
            bar.set_message(format::printable(name));
            bar.set_position(start_at);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Self {
            mode,
            name: name.to_owned(),
            bar,
            started: Instant::now(),
            start_at,
        }
    }

    /// The progress callback: never cancels.
    fn update(&mut self, progress: &Progress) -> bool {
        if let Some(bar) = &self.bar {
            bar.set_position(progress.transferred);
        }
        true
    }

    /// Ends the display; `done` is the destination's final size on success.
    fn finish(self, done: Option<u64>, out: &mut dyn Write) -> io::Result<()> {
        if let Some(bar) = &self.bar {
            match done {
                Some(size) => {
                    bar.set_position(size);
                    bar.finish();
                }
                None => bar.abandon(),
            }
        }
        if let (ProgressMode::Summary, Some(size)) = (self.mode, done) {
            let moved = size.saturating_sub(self.start_at);
            writeln!(
                out,
                "{}",
                format::summary_line(&self.name, moved, self.started.elapsed())
            )?;
        }
        Ok(())
    }
}

fn usage(text: &str) -> CommandError {
    CommandError::Usage(format!("usage: {text}"))
}

fn no_args(args: &[&str], name: &str) -> Result<(), CommandError> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(usage(name))
    }
}

/// Exactly `N` arguments, or the usage error.
fn exactly<'a, const N: usize>(args: &[&'a str], text: &str) -> Result<[&'a str; N], CommandError> {
    <[&str; N]>::try_from(args).map_err(|_| usage(text))
}

/// Strips a leading `-a` (resume) flag.
fn flag_a<'a, 'b>(args: &'a [&'b str]) -> (bool, &'a [&'b str]) {
    match args.split_first() {
        Some((&"-a", rest)) => (true, rest),
        _ => (false, args),
    }
}

fn not_a_directory(path: &str) -> Error {
    Error::new(
        ErrorKind::Status {
            status: StatusCode::NOT_A_DIRECTORY,
        },
        code::SFTP_COMMAND_FAILED,
        format!("cd {path}: not a directory"),
    )
}

/// Recovers the client error inside an `io::Error` from [`sftpclient::RemoteFile`].
fn remote_io(e: io::Error, path: &str) -> Error {
    match e.get_ref().and_then(|inner| inner.downcast_ref::<Error>()) {
        Some(inner) => Error::new(inner.kind().clone(), inner.code(), inner.description()),
        None => Error::new(
            ErrorKind::InvalidState,
            code::SFTP_COMMAND_FAILED,
            format!("{path}: {e}"),
        ),
    }
}

fn join_remote(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// `(parent, last component)` of a remote path as typed; no parent for a bare name.
fn split_remote(path: &str) -> (Option<&str>, &str) {
    match path.rsplit_once('/') {
        Some(("", last)) => (Some("/"), last),
        Some((parent, last)) => (Some(parent), last),
        None => (None, path),
    }
}

/// The last component of a remote path (`/a/b.txt` → `b.txt`).
fn remote_base_name(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|b| !b.is_empty())
        .unwrap_or(path)
}

/// Splits a command line into words: blanks separate, `'...'` is literal, `"..."` allows
/// `\"` and `\\`, and outside quotes a backslash escapes a blank, a quote or a backslash
/// (before other characters it stays, so masks keep `\*`).
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("unterminated ' quote".to_owned()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("unterminated \" quote".to_owned()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("unterminated \" quote".to_owned()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.peek() {
                    Some(&n) if n.is_whitespace() || matches!(n, '\'' | '"' | '\\') => {
                        word.push(n);
                        chars.next();
                    }
                    _ => word.push('\\'),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(split_words("  get  a   b ").unwrap(), ["get", "a", "b"]);
        assert_eq!(
            split_words(r#"put "my file" 'x y' a\ b"#).unwrap(),
            ["put", "my file", "x y", "a b"]
        );
        assert_eq!(
            split_words(r#"ls \*x "a\"b""#).unwrap(),
            ["ls", r"\*x", "a\"b"]
        );
        assert_eq!(split_words("rm ''").unwrap(), ["rm", ""]);
        assert!(split_words("get 'oops").is_err());
        assert!(split_words("get \"oops").is_err());
        assert!(split_words("").unwrap().is_empty());
    }

    #[test]
    fn remote_names() {
        assert_eq!(remote_base_name("/a/b.txt"), "b.txt");
        assert_eq!(remote_base_name("b.txt"), "b.txt");
        assert_eq!(remote_base_name("/a/dir/"), "dir");
        assert_eq!(split_remote("*.txt"), (None, "*.txt"));
        assert_eq!(split_remote("d/*.txt"), (Some("d"), "*.txt"));
        assert_eq!(split_remote("/*"), (Some("/"), "*"));
        assert_eq!(join_remote("/", "x"), "/x");
        assert_eq!(join_remote("/a", "x"), "/a/x");
    }
}
