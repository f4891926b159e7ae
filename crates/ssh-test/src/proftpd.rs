//! Throwaway ProFTPD `mod_sftp` servers (packages proftpd-core and proftpd-mod-crypto): a
//! third SFTP implementation, speaking v3–v6 with the check-file, copy-file and
//! space-available extensions that neither OpenSSH nor Green End offer.
//!
//! [`Proftpd::start`] writes a fresh directory (config, host keys, its own user file with a
//! random password for the test user, RFC 4716 authorized keys, the served `root/`), then
//! runs `proftpd -n` standalone on a free loopback port in its own process group, which is
//! killed when the value is dropped. The user is chrooted (`DefaultRoot ~`): the client sees
//! `root/` as `/`. ProFTPD switches to `nobody`, so this needs root; otherwise
//! [`Proftpd::start`] fails with [`HarnessError::Setup`] and tests should skip.

use std::fmt::Write as _;
use std::fs;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tempfile::TempDir;

use crate::keys::{self, HostKeyType};
use crate::user::{self, TestUser};
use crate::{HarnessError, tool};

/// The ProFTPD binary (package proftpd-core).
pub const PROFTPD_PATH: &str = "/usr/sbin/proftpd";
/// Where Debian installs ProFTPD's loadable modules (mod_sftp comes with
/// proftpd-mod-crypto).
const MODULE_PATH: &str = "/usr/lib/proftpd";
/// Prefix of every ProFTPD server directory.
pub const PROFTPD_DIR_MARKER: &str = "ssh-test-proftpd-";

const PORT_ATTEMPTS: usize = 5;
const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);
const POLL_INTERVAL: Duration = Duration::from_millis(10);

/// A running throwaway ProFTPD `mod_sftp` server on 127.0.0.1.
#[derive(Debug)]
pub struct Proftpd {
    child: Child,
    port: u16,
    user: &'static TestUser,
    password: String,
    host_key_lines: Vec<String>,
    client_key: PathBuf,
    known_hosts: PathBuf,
    root: PathBuf,
    log: PathBuf,
    /// Last: removed after the server is gone.
    dir: TempDir,
}

impl Proftpd {
    /// Starts a server and returns once it accepts connections.
    pub fn start() -> Result<Proftpd, HarnessError> {
        if !user::is_root() {
            return Err(HarnessError::Setup(
                "ProFTPD needs root (it switches to the user nobody)".to_owned(),
            ));
        }
        if !Path::new(PROFTPD_PATH).exists() || !Path::new(MODULE_PATH).join("mod_sftp.so").exists()
        {
            return Err(HarnessError::Setup(
                "ProFTPD with mod_sftp is not installed (apt packages proftpd-core \
                 proftpd-mod-crypto)"
                    .to_owned(),
            ));
        }
        let user = user::test_user()?;
        let keys = keys::key_set()?;
        let dir = tempfile::Builder::new()
            .prefix(PROFTPD_DIR_MARKER)
            .tempdir()
            .map_err(HarnessError::io("cannot create the server directory"))?;
        let d = dir.path().to_owned();
        tool::chmod(&d, 0o755)?;

        let mut host_key_lines = Vec::new();
        let mut host_key_paths = Vec::new();
        for (key_type, pair) in &keys.host {
            if *key_type == HostKeyType::Ed25519 {
                // mod_sftp 1.3.8 serves RSA and ECDSA host keys.
                continue;
            }
            let path = d.join(key_type.file_name());
            pair.write(&path)?;
            host_key_lines.push(pair.public.clone());
            host_key_paths.push(path);
        }
        let client_key = d.join("id_ed25519");
        keys.client_ed25519.write(&client_key)?;
        // mod_sftp reads only RFC 4716 keys.
        let mut export = Command::new("ssh-keygen");
        export.arg("-e").arg("-f").arg(pub_path(&client_key));
        let rfc4716 = tool::run(&mut export, None)?;
        let authorized = d.join("authorized_keys");
        tool::write_with_mode(&authorized, &rfc4716.stdout, 0o644)?;

        let root = d.join("root");
        fs::create_dir(&root).map_err(HarnessError::io(format!(
            "cannot create {}",
            root.display()
        )))?;
        tool::chmod(&root, 0o755)?;
        chown_to(user, &root)?;

        let password = random_password()?;
        let mut hash_cmd = Command::new("openssl");
        hash_cmd.args(["passwd", "-6", "-stdin"]);
        let hash = tool::run(&mut hash_cmd, Some(format!("{password}\n").as_bytes()))?;
        let hash = String::from_utf8_lossy(&hash.stdout).trim().to_owned();
        let passwd = d.join("ftpd.passwd");
        tool::write_with_mode(
            &passwd,
            format!(
                "{}:{hash}:{}:{}::{}:/bin/sh\n",
                user.name,
                user.uid,
                user.gid,
                root.display()
            ),
            0o600,
        )?;

        let config_path = d.join("proftpd.conf");
        let log = d.join("sftp.log");
        let mut last_log = String::new();
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port()?;
            let config = render_config(&d, port, &host_key_paths, &authorized, &passwd, &log);
            tool::write_with_mode(&config_path, &config, 0o644)?;
            let mut check = Command::new(PROFTPD_PATH);
            check.arg("-t").arg("-c").arg(&config_path);
            if let Err(e) = tool::run(&mut check, None) {
                return Err(HarnessError::ConfigRejected {
                    config,
                    output: e.to_string(),
                });
            }
            let stderr = fs::File::create(d.join("proftpd.stderr"))
                .map_err(HarnessError::io("cannot create proftpd.stderr"))?;
            let mut command = Command::new(PROFTPD_PATH);
            command
                .arg("-n")
                .arg("-c")
                .arg(&config_path)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::from(stderr))
                .process_group(0);
            let mut child = command
                .spawn()
                .map_err(HarnessError::io(format!("cannot start {PROFTPD_PATH}")))?;
            match wait_ready(&mut child, port)? {
                true => {
                    let known_hosts = d.join("known_hosts");
                    let mut text = String::new();
                    for line in &host_key_lines {
                        let _ = writeln!(text, "[127.0.0.1]:{port} {line}");
                    }
                    tool::write_with_mode(&known_hosts, text, 0o644)?;
                    return Ok(Proftpd {
                        child,
                        port,
                        user,
                        password,
                        host_key_lines,
                        client_key,
                        known_hosts,
                        root,
                        log,
                        dir,
                    });
                }
                false => {
                    last_log = fs::read_to_string(d.join("system.log")).unwrap_or_default();
                    kill_group(&mut child);
                }
            }
        }
        Err(HarnessError::Exited {
            status: format!("proftpd did not start in {PORT_ATTEMPTS} attempts"),
            log: last_log,
        })
    }

    /// The TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:port`.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// The user to log in as.
    pub fn user(&self) -> &str {
        &self.user.name
    }

    /// The user's password in this server's own user file.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The client private key (OpenSSH format; the server has it in RFC 4716 form).
    pub fn client_key_path(&self) -> &Path {
        &self.client_key
    }

    /// The host keys as OpenSSH public key lines.
    pub fn host_public_key_lines(&self) -> &[String] {
        &self.host_key_lines
    }

    /// A known_hosts file for `[127.0.0.1]:port`.
    pub fn known_hosts_path(&self) -> &Path {
        &self.known_hosts
    }

    /// The served directory, which the client sees as `/`.
    pub fn sftp_root(&self) -> &Path {
        &self.root
    }

    /// The server directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// mod_sftp's log.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Writes a file under [`sftp_root`](Self::sftp_root), owned by the user.
    pub fn write_file(
        &self,
        relative: impl AsRef<Path>,
        contents: impl AsRef<[u8]>,
    ) -> Result<PathBuf, HarnessError> {
        let path = self.root.join(relative.as_ref());
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(HarnessError::io(format!(
                "cannot create {}",
                parent.display()
            )))?;
            chown_to(self.user, parent)?;
        }
        tool::write_with_mode(&path, contents, 0o644)?;
        chown_to(self.user, &path)?;
        Ok(path)
    }
}

impl Drop for Proftpd {
    fn drop(&mut self) {
        if thread::panicking() {
            eprintln!(
                "--- ssh-test: mod_sftp log ---\n{}\n--- end ---",
                self.log()
            );
        }
        kill_group(&mut self.child);
    }
}

fn render_config(
    d: &Path,
    port: u16,
    host_keys: &[PathBuf],
    authorized: &Path,
    passwd: &Path,
    log: &Path,
) -> String {
    let p = |path: &Path| path.display().to_string();
    let mut text = format!(
        "# Written by ssh-test for one throwaway server; removed with it.\n\
         ServerName \"ssh-test proftpd\"\n\
         ServerType standalone\n\
         Port {port}\n\
         DefaultAddress 127.0.0.1\n\
         SocketBindTight on\n\
         UseIPv6 off\n\
         User nobody\n\
         Group nogroup\n\
         PidFile {pid}\n\
         ScoreboardFile {scoreboard}\n\
         SystemLog {system}\n\
         DelayEngine off\n\
         WtmpLog off\n\
         UseReverseDNS off\n\
         AllowOverwrite on\n\
         AllowStoreRestart on\n\
         Umask 022\n\
         ModulePath {MODULE_PATH}\n\
         LoadModule mod_sftp.c\n\
         LoadModule mod_sftp_pam.c\n\
         SFTPEngine on\n\
         SFTPLog {log}\n\
         SFTPAuthMethods publickey password keyboard-interactive\n\
         SFTPAuthorizedUserKeys file:{authorized}\n\
         SFTPCompression delayed\n\
         # No hostkeys-00@openssh.com: that GLOBAL_REQUEST may arrive with USERAUTH_SUCCESS.\n\
         SFTPOptions NoHostkeyRotation\n\
         AuthOrder mod_auth_file.c\n\
         AuthUserFile {passwd}\n\
         RequireValidShell off\n\
         DefaultRoot ~\n",
        pid = p(&d.join("proftpd.pid")),
        scoreboard = p(&d.join("proftpd.scoreboard")),
        system = p(&d.join("system.log")),
        log = p(log),
        authorized = p(authorized),
        passwd = p(passwd),
    );
    for key in host_keys {
        let _ = writeln!(text, "SFTPHostKey {}", p(key));
    }
    text
}

/// Waits until the server accepts connections (`true`) or exits (`false`: e.g. the port
/// was taken).
fn wait_ready(child: &mut Child, port: u16) -> Result<bool, HarnessError> {
    let started = Instant::now();
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    loop {
        if child
            .try_wait()
            .map_err(HarnessError::io("cannot poll proftpd"))?
            .is_some()
        {
            return Ok(false);
        }
        // The connect proves something accepts on the port; the socket's owner proves it
        // is this proftpd, not a server another test started there in between (whose
        // root our test would then write into).
        if TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
            && owns_listener(child.id(), port)
        {
            return Ok(true);
        }
        if started.elapsed() > STARTUP_TIMEOUT {
            return Ok(false);
        }
        thread::sleep(POLL_INTERVAL);
    }
}

/// Whether process `pid` holds the socket listening on 127.0.0.1:`port`, from
/// /proc/net/tcp and the process's descriptors. Where /proc cannot tell (not readable),
/// assumes it does.
fn owns_listener(pid: u32, port: u16) -> bool {
    let Ok(table) = fs::read_to_string("/proc/net/tcp") else {
        return true;
    };
    let local = format!("0100007F:{port:04X}");
    // Columns: sl, local_address, rem_address, st, ..., inode (the tenth); 0A is LISTEN.
    let inodes: Vec<String> = table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            match (cols.get(1), cols.get(3), cols.get(9)) {
                (Some(&addr), Some(&"0A"), Some(&inode)) if addr == local => {
                    Some(format!("socket:[{inode}]"))
                }
                _ => None,
            }
        })
        .collect();
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return true;
    };
    fds.flatten().any(|fd| {
        fs::read_link(fd.path())
            .is_ok_and(|target| inodes.iter().any(|i| target.as_os_str() == i.as_str()))
    })
}

/// Kills the server's process group (listener and sessions) and reaps the listener.
fn kill_group(child: &mut Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn free_port() -> Result<u16, HarnessError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(HarnessError::io("cannot bind 127.0.0.1:0"))?;
    Ok(listener
        .local_addr()
        .map_err(HarnessError::io("cannot read the bound port"))?
        .port())
}

fn pub_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

fn chown_to(user: &TestUser, path: &Path) -> Result<(), HarnessError> {
    nix::unistd::chown(path, Some(user.uid), Some(user.gid)).map_err(|errno| {
        HarnessError::Setup(format!(
            "cannot chown {} to {}: {errno}",
            path.display(),
            user.name
        ))
    })
}

/// 24 random characters from /dev/urandom (alphanumeric).
fn random_password() -> Result<String, HarnessError> {
    use std::io::Read as _;
    let mut bytes = [0u8; 24];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(HarnessError::io("cannot read /dev/urandom"))?;
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    Ok(bytes
        .iter()
        .map(|b| {
            let i = usize::from(*b) % CHARS.len();
            char::from(CHARS.get(i).copied().unwrap_or(b'x'))
        })
        .collect())
}
