//! sftpc: a command-line SFTP client in the spirit of OpenSSH's `sftp`.
//!
//! ```text
//! sftpc [-P port] [-i identity]... [--password-env VAR] [-o Name=Value]...
//!       [-b batchfile] [-s sftp-version]
//!       [--known-hosts FILE | --accept-fingerprint FP | --accept-any-host-key]
//!       [-q] [-v] [user@]host
//! ```
//!
//! The pieces are usable without a process: [`cli::parse_args`] parses the command line,
//! [`connect::connect`] makes the session, and [`shell::Shell`] interprets commands with
//! any reader and writers. [`run`] ties them together for `main`. See `docs/sftpc.md`.
//!
//! Exit status: 0 success, 1 a command failed, 2 usage error, 255 connection failed.

#![forbid(unsafe_code)]

pub mod cli;
pub mod connect;
pub mod format;
pub mod glob;
pub mod shell;

/// Fuzz target bodies (wired into `fuzz/` by the workspace).
#[doc(hidden)]
pub mod fuzzing {
    use std::io::Write;

    /// `sftpc_command_line`: a batch line (arbitrary bytes, lossily decoded) through the
    /// word splitter, and every word compiled as a mask and matched against the others.
    pub fn command_line(data: &[u8]) {
        let line = String::from_utf8_lossy(data);
        if let Ok(words) = crate::shell::split_words(&line) {
            for pattern in &words {
                let mask = crate::glob::Mask::new(pattern);
                for name in &words {
                    let _ = mask.matches(name);
                }
            }
        }
    }

    /// `sftpc_printable`: arbitrary server text through the terminal sanitiser, in two
    /// writes split at the first byte's value; the output must hold no C0 control but
    /// newline and tab.
    pub fn printable(data: &[u8]) {
        let split = data.first().map_or(0, |&b| usize::from(b).min(data.len()));
        let (a, b) = data.split_at(split);
        let mut sink = Vec::new();
        {
            let mut w = crate::format::Printable::new(&mut sink);
            let _ = w
                .write_all(a)
                .and_then(|()| w.write_all(b))
                .and_then(|()| w.flush());
        }
        assert!(
            sink.iter()
                .all(|&c| c == b'\n' || c == b'\t' || !(c < 0x20 || c == 0x7f)),
            "a control byte passed the sanitiser"
        );
    }
}

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Write};

use cli::{BatchSource, Parsed, USAGE};
use shell::{Mode, ProgressMode, Shell};

/// Exit status: every command succeeded.
pub const EXIT_OK: i32 = 0;
/// Exit status: a command failed.
pub const EXIT_COMMAND_FAILED: i32 = 1;
/// Exit status: the command line was malformed.
pub const EXIT_USAGE: i32 = 2;
/// Exit status: the connection could not be made (as ssh).
pub const EXIT_CONNECTION_FAILED: i32 = 255;

/// The whole program: `args` are the arguments after the program name. Returns the exit
/// status.
pub fn run(args: Vec<OsString>) -> i32 {
    let mut stderr = io::stderr();
    let invocation = match cli::parse_args(args) {
        Ok(Parsed::Run(invocation)) => *invocation,
        Ok(Parsed::Help) => {
            print!("{USAGE}");
            return EXIT_OK;
        }
        Err(e) => {
            let _ = write!(stderr, "sftpc: {e}\n{USAGE}");
            return EXIT_USAGE;
        }
    };
    let stdin_is_terminal = io::stdin().is_terminal();
    let mut input: Box<dyn BufRead> = match &invocation.batch {
        Some(BatchSource::File(path)) => match File::open(path) {
            Ok(file) => Box::new(BufReader::new(file)),
            Err(e) => {
                let _ = writeln!(
                    stderr,
                    "sftpc: cannot open batch file {}: {e}",
                    path.display()
                );
                return EXIT_USAGE;
            }
        },
        Some(BatchSource::Stdin) | None => Box::new(io::stdin().lock()),
    };
    let mut connect_options = invocation.connect.clone();
    // Questions (unknown host key, password) only when a person is at the keyboard.
    connect_options.interactive = invocation.batch.is_none() && stdin_is_terminal;
    let sftp = match connect::connect(&connect_options) {
        Ok(sftp) => sftp,
        Err(e) => {
            let _ = writeln!(stderr, "sftpc: connect: {e}");
            return EXIT_CONNECTION_FAILED;
        }
    };
    if invocation.verbose {
        let version = sftp
            .version()
            .map_or_else(|_| "?".to_owned(), |v| v.to_string());
        let _ = writeln!(
            stderr,
            "sftpc: connected to {} port {} (SFTP version {version})",
            connect_options.host, connect_options.port
        );
    }
    let progress = if invocation.quiet {
        ProgressMode::Silent
    } else if io::stderr().is_terminal() {
        ProgressMode::Bars
    } else {
        ProgressMode::Summary
    };
    let local_dir = std::env::current_dir().unwrap_or_else(|_| "/".into());
    let mut shell = match Shell::new(sftp.clone(), local_dir, progress) {
        Ok(shell) => shell,
        Err(e) => {
            let _ = writeln!(stderr, "sftpc: connect: {e}");
            return EXIT_CONNECTION_FAILED;
        }
    };
    let mode = match invocation.batch {
        Some(_) => Mode::Batch {
            echo: !invocation.quiet,
        },
        None => Mode::Interactive {
            prompt: stdin_is_terminal,
        },
    };
    let mut stdout = io::stdout();
    let status = shell.run(&mut input, &mut stdout, &mut stderr, mode);
    let _ = stdout.flush();
    drop(shell);
    let _ = sftp.close();
    status
}
