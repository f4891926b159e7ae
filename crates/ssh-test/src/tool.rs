//! Running external tools and writing files with exact permissions.

use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::HarnessError;

/// Renders a command line for error messages.
pub(crate) fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Stdout and stderr of a finished command as one text.
pub(crate) fn output_text(output: &Output) -> String {
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    text
}

/// Runs `command` to completion with `input` on its stdin; fails unless it exits 0.
pub(crate) fn run(command: &mut Command, input: Option<&[u8]>) -> Result<Output, HarnessError> {
    let described = describe(command);
    command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(HarnessError::io(format!("cannot run `{described}`")))?;
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin
            .write_all(input)
            .map_err(HarnessError::io(format!("cannot write to `{described}`")))?;
    }
    let output = child
        .wait_with_output()
        .map_err(HarnessError::io(format!("cannot wait for `{described}`")))?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(HarnessError::Tool {
            command: described,
            status: output.status.to_string(),
            output: output_text(&output),
        })
    }
}

/// Creates (or truncates) `path` with exactly `mode` and writes `contents`.
pub(crate) fn write_with_mode(
    path: &Path,
    contents: impl AsRef<[u8]>,
    mode: u32,
) -> Result<(), HarnessError> {
    let context = || format!("cannot write {}", path.display());
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(path)
        .map_err(HarnessError::io(context()))?;
    file.write_all(contents.as_ref())
        .map_err(HarnessError::io(context()))?;
    // `mode` above is filtered through the umask; make it exact.
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(HarnessError::io(context()))
}

/// Sets the permission bits of `path`.
pub(crate) fn chmod(path: &Path, mode: u32) -> Result<(), HarnessError> {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(HarnessError::io(format!("cannot chmod {}", path.display())))
}

/// Whether `program` is an executable file on `PATH` (or an executable path).
pub fn on_path(program: &str) -> bool {
    let is_exec = |p: &Path| {
        fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.contains('/') {
        return is_exec(Path::new(program));
    }
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| is_exec(&dir.join(OsStr::new(program))))
    })
}
