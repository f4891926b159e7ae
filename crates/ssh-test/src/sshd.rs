//! Throwaway OpenSSH servers: configuration, start-up, shutdown.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Component, Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;
use tempfile::TempDir;

use crate::keys::{self, HostKey, HostKeyType};
use crate::user::{self, TestUser};
use crate::{DIR_MARKER, HarnessError, process, tool};

/// The OpenSSH server binary (package openssh-server). It must be run by absolute path
/// because it re-executes itself for every connection.
pub const SSHD_PATH: &str = "/usr/sbin/sshd";
/// OpenSSH's SFTP server (package openssh-sftp-server).
pub const OPENSSH_SFTP_SERVER_PATH: &str = "/usr/lib/openssh/sftp-server";
/// The Green End SFTP server (package gesftpserver).
pub const GREEN_END_SFTP_SERVER_PATH: &str = "/usr/libexec/gesftpserver";
/// sshd's privilege separation directory; sshd refuses to start as root without it.
const PRIVSEP_DIR: &str = "/run/sshd";

/// How often a start is retried when another process took the chosen port in between.
const PORT_ATTEMPTS: usize = 5;
const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(20);
const POLL_INTERVAL: Duration = Duration::from_millis(10);
/// How long a dropped server's connections get to finish on their own.
const CONNECTION_GRACE: Duration = Duration::from_millis(500);
/// How long killing the remaining connections (leaves first) may take.
const CONNECTION_KILL_TIMEOUT: Duration = Duration::from_secs(2);
/// How many lines of the log a dropped server prints while its test is panicking.
const LOG_TAIL_LINES: usize = 60;

/// The watchdog (`sh -c SCRIPT ssh-test-watchdog DIR`) shares the server's process group and
/// blocks reading a pipe whose only writer is the test process. When the test process ends
/// in any way, even by SIGKILL, the read returns; the watchdog removes the server directory
/// and kills its whole group: the listening sshd and itself. A normal shutdown kills the
/// group first, so the watchdog never gets that far.
///
/// The removal is retried for up to a second: a connection's sshd child (its own session,
/// outside the group) opens the log with `O_CREAT` as it starts, and one started just
/// before (the readiness probe's, say) could put `sshd.log` back while `rm` was emptying
/// the directory, leaving it behind.
fn watchdog_script() -> String {
    format!(
        r#"read _ignored || :; case "$1" in */{DIR_MARKER}*) for _try in 1 2 3 4 5 6 7 8 9 10; do rm -rf -- "$1"; [ -e "$1" ] || break; sleep 0.1; done ;; esac; kill -s KILL 0"#
    )
}

/// Which program serves the `sftp` subsystem.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SftpServer {
    /// OpenSSH's `sftp-server -d ROOT -u 022` (SFTP v3 with OpenSSH extensions).
    #[default]
    OpenSsh,
    /// sshd's built-in `internal-sftp -d ROOT -u 022`.
    Internal,
    /// Green End `gesftpserver` (SFTP v3 to v6), started by a wrapper script that changes to
    /// ROOT and sets umask 022, since the server has no start-directory option.
    GreenEnd,
}

/// Configures and starts a throwaway [`Sshd`].
///
/// Algorithm knobs take sshd's own syntax, including the `+`, `-` and `^` prefixes
/// (see `sshd_config(5)`), and are written before the harness defaults.
#[derive(Debug, Clone)]
pub struct SshdBuilder {
    sftp_server: SftpServer,
    kex_algorithms: Option<String>,
    ciphers: Option<String>,
    macs: Option<String>,
    host_key_algorithms: Option<String>,
    rekey_limit: Option<String>,
    compression: Option<String>,
    authentication_methods: Option<String>,
    trusted_user_ca_keys: Option<PathBuf>,
    authorized_keys: Vec<String>,
    extra_config: Vec<String>,
    startup_timeout: Duration,
}

impl Default for SshdBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl SshdBuilder {
    /// A builder for a server with OpenSSH's `sftp-server` and sshd's default algorithms.
    pub fn new() -> Self {
        Self {
            sftp_server: SftpServer::OpenSsh,
            kex_algorithms: None,
            ciphers: None,
            macs: None,
            host_key_algorithms: None,
            rekey_limit: None,
            compression: None,
            authentication_methods: None,
            trusted_user_ca_keys: None,
            authorized_keys: Vec::new(),
            extra_config: Vec::new(),
            startup_timeout: DEFAULT_STARTUP_TIMEOUT,
        }
    }

    /// Chooses the program that serves the `sftp` subsystem.
    #[must_use]
    pub fn sftp_server(mut self, server: SftpServer) -> Self {
        self.sftp_server = server;
        self
    }

    /// `KexAlgorithms`, e.g. `"curve25519-sha256"` or `"+diffie-hellman-group1-sha1"`.
    #[must_use]
    pub fn kex_algorithms(mut self, value: impl Into<String>) -> Self {
        self.kex_algorithms = Some(value.into());
        self
    }

    /// `Ciphers`, e.g. `"aes128-ctr"`.
    #[must_use]
    pub fn ciphers(mut self, value: impl Into<String>) -> Self {
        self.ciphers = Some(value.into());
        self
    }

    /// `MACs`, e.g. `"hmac-sha2-256-etm@openssh.com"`.
    #[must_use]
    pub fn macs(mut self, value: impl Into<String>) -> Self {
        self.macs = Some(value.into());
        self
    }

    /// `HostKeyAlgorithms`, e.g. `"ssh-ed25519"` or `"rsa-sha2-512"`.
    #[must_use]
    pub fn host_key_algorithms(mut self, value: impl Into<String>) -> Self {
        self.host_key_algorithms = Some(value.into());
        self
    }

    /// `RekeyLimit`: bytes and optionally a time, e.g. `"64K"` or `"1M 5s"`.
    #[must_use]
    pub fn rekey_limit(mut self, value: impl Into<String>) -> Self {
        self.rekey_limit = Some(value.into());
        self
    }

    /// `Compression`: `"yes"`/`"delayed"` (zlib@openssh.com after auth) or `"no"`.
    #[must_use]
    pub fn compression(mut self, value: impl Into<String>) -> Self {
        self.compression = Some(value.into());
        self
    }

    /// `AuthenticationMethods`, e.g. `"publickey,password"` for two factors.
    #[must_use]
    pub fn authentication_methods(mut self, value: impl Into<String>) -> Self {
        self.authentication_methods = Some(value.into());
        self
    }

    /// `TrustedUserCAKeys`: a file of CA public keys whose user certificates are accepted.
    #[must_use]
    pub fn trusted_user_ca_keys(mut self, path: impl Into<PathBuf>) -> Self {
        self.trusted_user_ca_keys = Some(path.into());
        self
    }

    /// Adds a line to `authorized_keys` (after the harness's own client keys), e.g. a
    /// `cert-authority` line or a key with options.
    #[must_use]
    pub fn authorized_key(mut self, line: impl Into<String>) -> Self {
        self.authorized_keys.push(line.into());
        self
    }

    /// Adds a raw `sshd_config` line.
    ///
    /// sshd keeps the first value it reads for most keywords, so extra lines are written
    /// before the harness defaults and override them. A line starting with `Match`, and every
    /// extra line after it, goes to the end of the file instead, where `Match` blocks belong.
    #[must_use]
    pub fn extra_config(mut self, line: impl Into<String>) -> Self {
        self.extra_config.push(line.into());
        self
    }

    /// How long [`start`](Self::start) waits for the server to accept connections
    /// (default 20 s).
    #[must_use]
    pub fn startup_timeout(mut self, timeout: Duration) -> Self {
        self.startup_timeout = timeout;
        self
    }

    /// Starts the server and returns once it accepts connections.
    ///
    /// Creates the test user if needed (as root), writes a fresh directory (keys, config,
    /// `authorized_keys`, the served `root/`), checks the config with `sshd -t`, then starts
    /// `sshd -D` on a free loopback port, retrying with another port if one was taken.
    pub fn start(&self) -> Result<Sshd, HarnessError> {
        let user = user::test_user()?;
        let keys = keys::key_set()?;
        if user::is_root() {
            fs::create_dir_all(PRIVSEP_DIR)
                .map_err(HarnessError::io(format!("cannot create {PRIVSEP_DIR}")))?;
        }

        let dir = tempfile::Builder::new()
            .prefix(DIR_MARKER)
            .tempdir()
            .map_err(HarnessError::io("cannot create the server directory"))?;
        let paths = Paths::new(dir.path());
        // The test user reads authorized_keys and enters root/ through this directory.
        tool::chmod(&paths.dir, 0o755)?;

        let mut host_keys = Vec::new();
        for (key_type, pair) in &keys.host {
            let path = paths.dir.join(key_type.file_name());
            pair.write(&path)?;
            host_keys.push(HostKey {
                key_type: *key_type,
                algorithm: pair.algorithm(),
                line: pair.public.clone(),
                private_key_path: path,
            });
        }
        keys.client_ed25519.write(&paths.client_key)?;
        keys.client_rsa.write(&paths.client_rsa_key)?;
        let mut authorized = format!(
            "{}\n{}\n",
            keys.client_ed25519.public, keys.client_rsa.public
        );
        for line in &self.authorized_keys {
            authorized.push_str(line);
            authorized.push('\n');
        }
        tool::write_with_mode(&paths.authorized_keys, authorized, 0o644)?;

        fs::create_dir(&paths.sftp_root).map_err(HarnessError::io(format!(
            "cannot create {}",
            paths.sftp_root.display()
        )))?;
        tool::chmod(&paths.sftp_root, 0o755)?;
        chown_to(user, &paths.sftp_root)?;
        if self.sftp_server == SftpServer::GreenEnd {
            let script = format!(
                "#!/bin/sh\ncd '{}' || exit 1\numask 022\nexec {GREEN_END_SFTP_SERVER_PATH}\n",
                paths.sftp_root.display()
            );
            tool::write_with_mode(&paths.green_end_wrapper, script, 0o755)?;
        }

        let mut last_error = None;
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port()?;
            let config = self.render_config(&ConfigInput {
                paths: &paths,
                port,
                user: &user.name,
                root: user::is_root(),
            });
            tool::write_with_mode(&paths.config, &config, 0o644)?;
            check_config(&paths.config, &config)?;

            let mut server = ServerProcess::spawn(&paths)?;
            match wait_ready(&mut server, port, &paths.log, self.startup_timeout)? {
                Startup::Ready => {
                    let mut known_hosts = String::new();
                    for key in &host_keys {
                        let _ = writeln!(known_hosts, "[127.0.0.1]:{port} {}", key.line);
                    }
                    tool::write_with_mode(&paths.known_hosts, known_hosts, 0o644)?;
                    return Ok(Sshd {
                        server,
                        port,
                        user,
                        sftp_server: self.sftp_server,
                        host_keys,
                        client_public_key: keys.client_ed25519.public.clone(),
                        client_rsa_public_key: keys.client_rsa.public.clone(),
                        paths,
                        dir,
                    });
                }
                Startup::PortTaken(log) => last_error = Some(log),
            }
        }
        Err(HarnessError::Exited {
            status: format!("port already in use {PORT_ATTEMPTS} times"),
            log: last_error.unwrap_or_default(),
        })
    }

    /// The `sshd_config` text for one attempt.
    fn render_config(&self, input: &ConfigInput<'_>) -> String {
        let paths = input.paths;
        let mut lines: Vec<String> =
            vec!["# Written by ssh-test for one throwaway server; removed with it.".to_owned()];
        let knobs = [
            ("KexAlgorithms", &self.kex_algorithms),
            ("Ciphers", &self.ciphers),
            ("MACs", &self.macs),
            ("HostKeyAlgorithms", &self.host_key_algorithms),
            ("RekeyLimit", &self.rekey_limit),
            ("Compression", &self.compression),
            ("AuthenticationMethods", &self.authentication_methods),
        ];
        for (keyword, value) in knobs {
            if let Some(value) = value {
                lines.push(format!("{keyword} {value}"));
            }
        }
        if let Some(path) = &self.trusted_user_ca_keys {
            lines.push(format!("TrustedUserCAKeys {}", path.display()));
        }
        let match_at = self
            .extra_config
            .iter()
            .position(|line| {
                line.split_whitespace()
                    .next()
                    .is_some_and(|word| word.eq_ignore_ascii_case("match"))
            })
            .unwrap_or(self.extra_config.len());
        let (head, tail) = self.extra_config.split_at(match_at);
        lines.extend(head.iter().cloned());

        let d = |path: &Path| path.display().to_string();
        lines.push(format!("ListenAddress 127.0.0.1\nPort {}", input.port));
        for key_type in HostKeyType::ALL {
            lines.push(format!(
                "HostKey {}",
                d(&paths.dir.join(key_type.file_name()))
            ));
        }
        lines.push(format!("PidFile {}", d(&paths.pid)));
        lines.push(format!("AuthorizedKeysFile {}", d(&paths.authorized_keys)));
        let yes_no = if input.root { "yes" } else { "no" };
        lines.extend([
            "StrictModes no".to_owned(),
            format!("AllowUsers {}", input.user),
            "PermitRootLogin no".to_owned(),
            "MaxStartups 64:30:128".to_owned(),
            "MaxSessions 64".to_owned(),
            "MaxAuthTries 30".to_owned(),
            "LogLevel DEBUG".to_owned(),
            "PubkeyAuthentication yes".to_owned(),
            // PAM (and so password and keyboard-interactive) needs root.
            format!("UsePAM {yes_no}"),
            format!("PasswordAuthentication {yes_no}"),
            format!("KbdInteractiveAuthentication {yes_no}"),
            "PermitEmptyPasswords no".to_owned(),
            "UseDNS no".to_owned(),
            "PrintMotd no".to_owned(),
            "PrintLastLog no".to_owned(),
            "X11Forwarding no".to_owned(),
            "AllowTcpForwarding yes".to_owned(),
        ]);
        let root = d(&paths.sftp_root);
        lines.push(match self.sftp_server {
            SftpServer::OpenSsh => {
                format!("Subsystem sftp {OPENSSH_SFTP_SERVER_PATH} -d {root} -u 022")
            }
            SftpServer::Internal => format!("Subsystem sftp internal-sftp -d {root} -u 022"),
            SftpServer::GreenEnd => format!("Subsystem sftp {}", d(&paths.green_end_wrapper)),
        });
        lines.extend(tail.iter().cloned());
        let mut text = lines.join("\n");
        text.push('\n');
        text
    }
}

/// What a config depends on besides the builder.
struct ConfigInput<'a> {
    paths: &'a Paths,
    port: u16,
    user: &'a str,
    root: bool,
}

/// The files of one server directory.
#[derive(Debug)]
struct Paths {
    dir: PathBuf,
    config: PathBuf,
    log: PathBuf,
    pid: PathBuf,
    authorized_keys: PathBuf,
    known_hosts: PathBuf,
    client_key: PathBuf,
    client_rsa_key: PathBuf,
    sftp_root: PathBuf,
    green_end_wrapper: PathBuf,
}

impl Paths {
    fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
            config: dir.join("sshd_config"),
            log: dir.join("sshd.log"),
            pid: dir.join("sshd.pid"),
            authorized_keys: dir.join("authorized_keys"),
            known_hosts: dir.join("known_hosts"),
            client_key: dir.join("id_ed25519"),
            client_rsa_key: dir.join("id_rsa"),
            sftp_root: dir.join("root"),
            green_end_wrapper: dir.join("gesftp.sh"),
        }
    }
}

fn chown_to(user: &TestUser, path: &Path) -> Result<(), HarnessError> {
    if !user::is_root() {
        return Ok(());
    }
    nix::unistd::chown(path, Some(user.uid), Some(user.gid)).map_err(|errno| {
        HarnessError::Setup(format!(
            "cannot chown {} to {}: {errno}",
            path.display(),
            user.name
        ))
    })
}

/// A port that was free a moment ago. Another process may take it before sshd binds it;
/// [`SshdBuilder::start`] notices and retries.
fn free_port() -> Result<u16, HarnessError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(HarnessError::io("cannot bind 127.0.0.1:0"))?;
    let port = listener
        .local_addr()
        .map_err(HarnessError::io("cannot read the bound port"))?
        .port();
    Ok(port)
}

fn check_config(config_path: &Path, config: &str) -> Result<(), HarnessError> {
    let mut command = Command::new(SSHD_PATH);
    command.arg("-t").arg("-f").arg(config_path);
    match tool::run(&mut command, None) {
        Ok(_) => Ok(()),
        Err(HarnessError::Tool { output, status, .. }) => Err(HarnessError::ConfigRejected {
            config: config.to_owned(),
            output: format!("{status}\n{output}"),
        }),
        Err(other) => Err(other),
    }
}

/// The listening sshd and its watchdog, one process group.
#[derive(Debug)]
struct ServerProcess {
    sshd: Child,
    watchdog: Option<Child>,
    stopped: bool,
}

impl ServerProcess {
    fn spawn(paths: &Paths) -> Result<Self, HarnessError> {
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&paths.log)
            .map_err(HarnessError::io(format!(
                "cannot open {}",
                paths.log.display()
            )))?;
        let mut command = Command::new(SSHD_PATH);
        command
            .arg("-D")
            .arg("-f")
            .arg(&paths.config)
            .arg("-E")
            .arg(&paths.log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .process_group(0);
        let sshd = command
            .spawn()
            .map_err(HarnessError::io(format!("cannot start {SSHD_PATH}")))?;
        let mut server = Self {
            sshd,
            watchdog: None,
            stopped: false,
        };
        let pgid = server.pgid()?;
        // If this fails, dropping `server` kills sshd.
        let watchdog = Command::new("/bin/sh")
            .arg("-c")
            .arg(watchdog_script())
            .arg("ssh-test-watchdog")
            .arg(&paths.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(pgid.as_raw())
            .spawn()
            .map_err(HarnessError::io("cannot start the sshd watchdog"))?;
        server.watchdog = Some(watchdog);
        Ok(server)
    }

    fn pgid(&self) -> Result<Pid, HarnessError> {
        i32::try_from(self.sshd.id())
            .map(Pid::from_raw)
            .map_err(|_| HarnessError::Setup(format!("pid {} out of range", self.sshd.id())))
    }

    /// Kills the server's connections, then its process group, and reaps both children.
    fn shutdown(&mut self) {
        if std::mem::replace(&mut self.stopped, true) {
            return;
        }
        let Ok(pgid) = self.pgid() else {
            let _ = self.sshd.kill();
            let _ = self.sshd.wait();
            return;
        };
        if matches!(self.sshd.try_wait(), Ok(None)) {
            stop_connections(pgid);
        }
        // The group outlives a reaped sshd while the unreaped watchdog is in it, so the
        // id cannot have been reused.
        let _ = killpg(pgid, Signal::SIGKILL);
        let _ = self.sshd.wait();
        if let Some(watchdog) = &mut self.watchdog {
            let _ = watchdog.wait();
        }
    }
}

/// Ends the per-connection processes of a live listener.
///
/// They left the listener's process group (sshd calls `setsid()` for each connection), so
/// they are found through their parent links. Connections whose client has gone finish on
/// their own within moments; the rest are killed leaves first, so that every process is
/// reaped by its own (still living) parent rather than left to init as a zombie.
fn stop_connections(listener: Pid) {
    let started = Instant::now();
    while started.elapsed() < CONNECTION_GRACE {
        if process::descendants(listener.as_raw()).is_empty() {
            return;
        }
        thread::sleep(POLL_INTERVAL);
    }
    let started = Instant::now();
    while started.elapsed() < CONNECTION_KILL_TIMEOUT {
        let live = process::descendants(listener.as_raw());
        if live.is_empty() {
            return;
        }
        for leaf in live.iter().filter(|d| d.leaf) {
            let _ = kill(Pid::from_raw(leaf.pid), Signal::SIGKILL);
        }
        thread::sleep(POLL_INTERVAL);
    }
    // Parents that do not reap in time: kill whatever is left.
    for descendant in process::descendants(listener.as_raw()) {
        let _ = kill(Pid::from_raw(descendant.pid), Signal::SIGKILL);
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.shutdown();
    }
}

enum Startup {
    Ready,
    /// Another process bound the port first; carries the log.
    PortTaken(String),
}

fn read_log(path: &Path) -> String {
    fs::read(path)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_else(|e| format!("(cannot read {}: {e})", path.display()))
}

fn wait_ready(
    server: &mut ServerProcess,
    port: u16,
    log_path: &Path,
    timeout: Duration,
) -> Result<Startup, HarnessError> {
    let started = Instant::now();
    let listening = format!("Server listening on 127.0.0.1 port {port}.");
    let bind_failed = format!("Bind to port {port} on 127.0.0.1 failed");
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    loop {
        let exited = server
            .sshd
            .try_wait()
            .map_err(HarnessError::io("cannot poll sshd"))?;
        if let Some(status) = exited {
            let log = read_log(log_path);
            server.shutdown();
            if log.contains(&bind_failed) {
                return Ok(Startup::PortTaken(log));
            }
            return Err(HarnessError::Exited {
                status: status.to_string(),
                log,
            });
        }
        // The log line proves that this sshd (not another process that took the port in
        // between) is listening; the connect proves the socket accepts.
        if read_log(log_path).contains(&listening)
            && TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
        {
            return Ok(Startup::Ready);
        }
        if started.elapsed() > timeout {
            server.shutdown();
            return Err(HarnessError::NotReady {
                waited: timeout,
                log: read_log(log_path),
            });
        }
        thread::sleep(POLL_INTERVAL);
    }
}

/// A running throwaway OpenSSH server on 127.0.0.1.
///
/// Dropping it (also while a panicking test unwinds) kills the server, its connections and
/// its process group, reaps them and removes its directory. If the test process dies without
/// unwinding, a watchdog in the server's process group kills the listener.
#[derive(Debug)]
pub struct Sshd {
    server: ServerProcess,
    port: u16,
    user: &'static TestUser,
    sftp_server: SftpServer,
    host_keys: Vec<HostKey>,
    client_public_key: String,
    client_rsa_public_key: String,
    paths: Paths,
    /// Last: removed after the server is gone.
    dir: TempDir,
}

impl Sshd {
    /// A builder with all knobs.
    pub fn builder() -> SshdBuilder {
        SshdBuilder::new()
    }

    /// Starts a server with the defaults (OpenSSH `sftp-server`, sshd's default algorithms).
    pub fn start() -> Result<Sshd, HarnessError> {
        SshdBuilder::new().start()
    }

    /// Starts a server with the defaults and the given SFTP subsystem.
    pub fn start_with(sftp_server: SftpServer) -> Result<Sshd, HarnessError> {
        SshdBuilder::new().sftp_server(sftp_server).start()
    }

    /// The TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:port`.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// The pid of the listening sshd (also its process group id).
    pub fn pid(&self) -> u32 {
        self.server.sshd.id()
    }

    /// The user name to log in as: [`TEST_USER`](crate::TEST_USER) as root, else the
    /// current user.
    pub fn user(&self) -> &str {
        &self.user.name
    }

    /// The user's password (for password and keyboard-interactive authentication), or
    /// `None` when not running as root: then only public key authentication is set up.
    pub fn password(&self) -> Option<&str> {
        self.user.password.as_deref()
    }

    /// [`password`](Self::password), or `None` after printing
    /// `skipped: TEST needs root (password and keyboard-interactive authentication)`.
    ///
    /// The message goes straight to stderr, past the test runner's output capture, so it
    /// shows even when the test passes.
    ///
    /// ```no_run
    /// # let sshd = ssh_test::Sshd::start().unwrap();
    /// let Some(password) = sshd.password_or_skip("password_auth") else { return };
    /// ```
    pub fn password_or_skip(&self, test: &str) -> Option<&str> {
        let password = self.password();
        if password.is_none() {
            // `eprintln!` would be captured by the test runner; a direct write is not.
            let _ = writeln!(
                std::io::stderr(),
                "skipped: {test} needs root (password and keyboard-interactive authentication)"
            );
        }
        password
    }

    /// Which program serves the `sftp` subsystem.
    pub fn sftp_server(&self) -> SftpServer {
        self.sftp_server
    }

    /// The authorized client ed25519 private key (OpenSSH format, no passphrase).
    pub fn client_key_path(&self) -> &Path {
        &self.paths.client_key
    }

    /// The public key line of [`client_key_path`](Self::client_key_path).
    pub fn client_public_key(&self) -> &str {
        &self.client_public_key
    }

    /// The authorized client RSA-3072 private key (OpenSSH format, no passphrase).
    pub fn client_rsa_key_path(&self) -> &Path {
        &self.paths.client_rsa_key
    }

    /// The public key line of [`client_rsa_key_path`](Self::client_rsa_key_path).
    pub fn client_rsa_public_key(&self) -> &str {
        &self.client_rsa_public_key
    }

    /// The server's host keys: ed25519, ecdsa-p256 and rsa-3072.
    pub fn host_public_keys(&self) -> &[HostKey] {
        &self.host_keys
    }

    /// The host key of one type.
    pub fn host_public_key(&self, key_type: HostKeyType) -> Option<&HostKey> {
        self.host_keys.iter().find(|k| k.key_type == key_type)
    }

    /// A known_hosts file with a `[127.0.0.1]:PORT` line for every host key.
    pub fn known_hosts_path(&self) -> &Path {
        &self.paths.known_hosts
    }

    /// The `authorized_keys` file the server reads (may be rewritten by a test; sshd reads
    /// it at every authentication).
    pub fn authorized_keys_path(&self) -> &Path {
        &self.paths.authorized_keys
    }

    /// The local directory the SFTP subsystem serves and starts in (owned by the user).
    pub fn sftp_root(&self) -> &Path {
        &self.paths.sftp_root
    }

    /// The server's own directory (config, keys, log, `root/`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The generated `sshd_config`.
    pub fn config_path(&self) -> &Path {
        &self.paths.config
    }

    /// The server log file (`LogLevel DEBUG`).
    pub fn log_path(&self) -> &Path {
        &self.paths.log
    }

    /// The server log so far, for assertions and failure messages.
    pub fn log(&self) -> String {
        read_log(&self.paths.log)
    }

    /// Creates a directory (and missing parents) under [`sftp_root`](Self::sftp_root),
    /// owned by the user. `relative` must not be absolute or contain `..`.
    pub fn create_dir(&self, relative: impl AsRef<Path>) -> Result<PathBuf, HarnessError> {
        let relative = checked_relative(relative.as_ref())?;
        let mut path = self.paths.sftp_root.clone();
        for component in relative.components() {
            path.push(component);
            if !path.is_dir() {
                fs::create_dir(&path).map_err(HarnessError::io(format!(
                    "cannot create {}",
                    path.display()
                )))?;
                chown_to(self.user, &path)?;
            }
        }
        Ok(path)
    }

    /// Writes a file under [`sftp_root`](Self::sftp_root) (mode 0644, owned by the user),
    /// creating missing parent directories. Returns its local path.
    pub fn write_file(
        &self,
        relative: impl AsRef<Path>,
        contents: impl AsRef<[u8]>,
    ) -> Result<PathBuf, HarnessError> {
        let relative = checked_relative(relative.as_ref())?;
        if let Some(parent) = relative.parent() {
            self.create_dir(parent)?;
        }
        let path = self.paths.sftp_root.join(relative);
        tool::write_with_mode(&path, contents, 0o644)?;
        chown_to(self.user, &path)?;
        Ok(path)
    }
}

fn checked_relative(path: &Path) -> Result<&Path, HarnessError> {
    if path
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        Ok(path)
    } else {
        Err(HarnessError::Setup(format!(
            "{} is not a plain relative path",
            path.display()
        )))
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        if thread::panicking() {
            let log = self.log();
            let lines: Vec<&str> = log.lines().collect();
            let tail = lines
                .get(lines.len().saturating_sub(LOG_TAIL_LINES)..)
                .unwrap_or(&[]);
            eprintln!(
                "--- ssh-test: last {} lines of {} ---\n{}\n--- end of sshd log ---",
                tail.len(),
                self.paths.log.display(),
                tail.join("\n")
            );
        }
        self.server.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(builder: &SshdBuilder) -> String {
        let paths = Paths::new(Path::new("/tmp/ssh-test-sshd-x"));
        builder.render_config(&ConfigInput {
            paths: &paths,
            port: 2222,
            user: "sshtest",
            root: true,
        })
    }

    #[test]
    fn knobs_and_extra_lines_come_before_defaults_and_match_blocks_last() {
        let text = render(
            &SshdBuilder::new()
                .ciphers("aes128-ctr")
                .extra_config("PasswordAuthentication no")
                .extra_config("Match User nobody")
                .extra_config("  ForceCommand /bin/false"),
        );
        let at = |needle: &str| text.find(needle).unwrap();
        assert!(at("Ciphers aes128-ctr") < at("ListenAddress"));
        assert!(at("PasswordAuthentication no") < at("PasswordAuthentication yes"));
        assert!(at("Subsystem sftp") < at("Match User nobody"));
        assert!(text.ends_with("  ForceCommand /bin/false\n"));
        assert!(text.contains("Port 2222\n"));
        assert!(text.contains("AuthorizedKeysFile /tmp/ssh-test-sshd-x/authorized_keys\n"));
    }

    #[test]
    fn sftp_variants() {
        let sub = |server| {
            let text = render(&SshdBuilder::new().sftp_server(server));
            text.lines()
                .find(|l| l.starts_with("Subsystem"))
                .unwrap()
                .to_owned()
        };
        assert_eq!(
            sub(SftpServer::OpenSsh),
            "Subsystem sftp /usr/lib/openssh/sftp-server -d /tmp/ssh-test-sshd-x/root -u 022"
        );
        assert_eq!(
            sub(SftpServer::Internal),
            "Subsystem sftp internal-sftp -d /tmp/ssh-test-sshd-x/root -u 022"
        );
        assert_eq!(
            sub(SftpServer::GreenEnd),
            "Subsystem sftp /tmp/ssh-test-sshd-x/gesftp.sh"
        );
    }

    #[test]
    fn relative_paths_are_checked() {
        assert!(checked_relative(Path::new("a/b.txt")).is_ok());
        assert!(checked_relative(Path::new("/etc/passwd")).is_err());
        assert!(checked_relative(Path::new("a/../../x")).is_err());
    }
}
