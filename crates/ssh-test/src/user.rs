//! The account the throwaway servers let in.
//!
//! As root, the harness uses a dedicated system user ([`TEST_USER`]) with a home directory,
//! `/bin/sh` as login shell (an external SFTP subsystem is started through the login shell;
//! `sh` starts it quickly and prints nothing) and a random password that is set once per
//! machine and kept in a root-only file. Creation happens under an exclusive `flock`, so test
//! processes running in parallel agree on one user and one password.
//!
//! Not as root, sshd can only let in the user it runs as: the current user, by public key only.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use nix::fcntl::{Flock, FlockArg};
use nix::unistd::{Gid, Uid, User};

use crate::{HarnessError, tool};

/// The name of the system user the harness creates when it runs as root.
pub const TEST_USER: &str = "sshtest";

/// Where the harness keeps its per-machine state (root only).
const STATE_DIR: &str = "/var/lib/ssh-test";

/// The user a server lets in.
#[derive(Debug)]
pub(crate) struct TestUser {
    pub(crate) name: String,
    pub(crate) uid: Uid,
    pub(crate) gid: Gid,
    /// `None` when not root: only public key authentication is set up then.
    pub(crate) password: Option<String>,
}

static USER: OnceLock<Result<TestUser, String>> = OnceLock::new();

/// Whether the test process runs as root (and so can create users and use PAM).
pub fn is_root() -> bool {
    Uid::effective().is_root()
}

/// The process-wide test user, created on first use when running as root.
pub(crate) fn test_user() -> Result<&'static TestUser, HarnessError> {
    USER.get_or_init(|| {
        let user = if is_root() {
            ensure_system_user()
        } else {
            current_user()
        };
        user.map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|message| HarnessError::Setup(format!("cannot set up the test user: {message}")))
}

fn lookup(name: &str) -> Result<Option<User>, HarnessError> {
    User::from_name(name)
        .map_err(|errno| HarnessError::Setup(format!("cannot look up user {name}: {errno}")))
}

fn current_user() -> Result<TestUser, HarnessError> {
    let uid = Uid::current();
    let user = User::from_uid(uid)
        .map_err(|errno| HarnessError::Setup(format!("cannot look up uid {uid}: {errno}")))?
        .ok_or_else(|| HarnessError::Setup(format!("uid {uid} has no passwd entry")))?;
    Ok(TestUser {
        name: user.name,
        uid: user.uid,
        gid: user.gid,
        password: None,
    })
}

fn random_password() -> Result<String, HarnessError> {
    let mut bytes = [0_u8; 12];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(HarnessError::io("cannot read /dev/urandom"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn ensure_system_user() -> Result<TestUser, HarnessError> {
    let state = Path::new(STATE_DIR);
    fs::create_dir_all(state).map_err(HarnessError::io(format!("cannot create {STATE_DIR}")))?;
    tool::chmod(state, 0o700)?;
    let lock_path = state.join("lock");
    let lock_file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(HarnessError::io(format!(
            "cannot open {}",
            lock_path.display()
        )))?;
    // Held until the end of this function: one process at a time creates the user.
    let _lock = Flock::lock(lock_file, FlockArg::LockExclusive).map_err(|(_, errno)| {
        HarnessError::Setup(format!("cannot lock {}: {errno}", lock_path.display()))
    })?;

    let password_path = state.join(format!("{TEST_USER}.password"));
    let mut created = false;
    if lookup(TEST_USER)?.is_none() {
        tool::run(
            Command::new("useradd")
                .args(["--create-home", "--shell", "/bin/sh"])
                .args(["--comment", "ssh-test harness user"])
                .arg(TEST_USER),
            None,
        )?;
        created = true;
    }
    let known = if created {
        None
    } else {
        fs::read_to_string(&password_path)
            .ok()
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
    };
    let password = match known {
        Some(password) => password,
        None => {
            let password = random_password()?;
            tool::run(
                &mut Command::new("chpasswd"),
                Some(format!("{TEST_USER}:{password}\n").as_bytes()),
            )?;
            tool::write_with_mode(&password_path, format!("{password}\n"), 0o600)?;
            password
        }
    };
    let user = lookup(TEST_USER)?
        .ok_or_else(|| HarnessError::Setup(format!("user {TEST_USER} vanished after useradd")))?;
    Ok(TestUser {
        name: user.name,
        uid: user.uid,
        gid: user.gid,
        password: Some(password),
    })
}
