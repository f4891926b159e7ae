//! Running OpenSSH's own clients (`ssh`, `sftp`) against a throwaway server.
//!
//! Every command gets `-F none` (no user or system `ssh_config`), strict host key checking
//! against the server's own known_hosts file, only the harness's client key, batch mode (no
//! prompts) and the server's port and user. ssh keeps the first value it reads for an option,
//! so the `extra_args` of these helpers come first and can override any of them (e.g.
//! `-o BatchMode=no` for a password test).

use std::ffi::OsString;
use std::io::Write;
use std::process::{Child, Command, Output, Stdio};

use crate::{HarnessError, Sshd, tool};

impl Sshd {
    /// The options every client command gets (see the module docs), without a host name.
    pub fn client_options(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["-F".into(), "none".into()];
        let mut option = |name: &str, value: &std::ffi::OsStr| {
            let mut arg = OsString::from(format!("{name}="));
            arg.push(value);
            args.push("-o".into());
            args.push(arg);
        };
        option("StrictHostKeyChecking", "yes".as_ref());
        option("UserKnownHostsFile", self.known_hosts_path().as_os_str());
        option("GlobalKnownHostsFile", "/dev/null".as_ref());
        option("UpdateHostKeys", "no".as_ref());
        option("IdentitiesOnly", "yes".as_ref());
        option("IdentityFile", self.client_key_path().as_os_str());
        option("BatchMode", "yes".as_ref());
        option("ConnectTimeout", "20".as_ref());
        option("Port", self.port().to_string().as_ref());
        option("User", self.user().as_ref());
        args
    }

    /// `ssh EXTRA_ARGS OPTIONS 127.0.0.1 REMOTE_COMMAND`, not yet started.
    ///
    /// The remote command runs through the user's login shell. Stdio is left to the caller.
    pub fn ssh_command(&self, extra_args: &[&str], remote_command: &str) -> Command {
        let mut command = Command::new("ssh");
        command
            .args(extra_args)
            .args(self.client_options())
            .arg("127.0.0.1")
            .arg(remote_command);
        command
    }

    /// Runs [`ssh_command`](Self::ssh_command) with stdin from `/dev/null` and captures its
    /// output. A non-zero exit is not an error here: check `status`.
    pub fn ssh_output(
        &self,
        extra_args: &[&str],
        remote_command: &str,
    ) -> Result<Output, HarnessError> {
        let mut command = self.ssh_command(extra_args, remote_command);
        command.stdin(Stdio::null());
        command.output().map_err(HarnessError::io(format!(
            "cannot run `{}`",
            tool::describe(&command)
        )))
    }

    /// `sftp EXTRA_ARGS OPTIONS 127.0.0.1`, not yet started.
    pub fn sftp_command(&self, extra_args: &[&str]) -> Command {
        let mut command = Command::new("sftp");
        command
            .args(extra_args)
            .args(self.client_options())
            .arg("127.0.0.1");
        command
    }

    /// Runs OpenSSH's `sftp -b -` with `batch` (one command a line) on its stdin and captures
    /// its output. sftp stops at the first failing command and exits non-zero (prefix a line
    /// with `-` to ignore its failure); check `status`. Relative remote paths start at
    /// [`sftp_root`](Self::sftp_root).
    pub fn sftp_batch(&self, batch: &str) -> Result<Output, HarnessError> {
        let mut command = self.sftp_command(&["-b", "-"]);
        let described = tool::describe(&command);
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(HarnessError::io(format!("cannot run `{described}`")))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(batch.as_bytes())
                .map_err(HarnessError::io(format!("cannot write to `{described}`")))?;
        }
        child
            .wait_with_output()
            .map_err(HarnessError::io(format!("cannot wait for `{described}`")))
    }

    /// `ssh -s OPTIONS 127.0.0.1 SUBSYSTEM` (no tty, no escape character), not yet started.
    pub fn subsystem_command(&self, subsystem: &str) -> Command {
        let mut command = Command::new("ssh");
        command
            .args(["-s", "-T", "-e", "none"])
            .args(self.client_options())
            .arg("127.0.0.1")
            .arg(subsystem);
        command
    }

    /// Starts [`subsystem_command`](Self::subsystem_command) with piped stdin, stdout and
    /// stderr: the subsystem's raw byte stream (e.g. SFTP packets) over a real SSH
    /// connection. Closing stdin ends the session.
    pub fn spawn_subsystem(&self, subsystem: &str) -> Result<Child, HarnessError> {
        let mut command = self.subsystem_command(subsystem);
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command.spawn().map_err(HarnessError::io(format!(
            "cannot run `{}`",
            tool::describe(&command)
        )))
    }
}
