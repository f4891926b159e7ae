//! Host and client keys, generated once per test process with `ssh-keygen`.
//!
//! RSA-3072 generation takes a noticeable fraction of a second, so the key set is made once
//! (all five keys in parallel) and its bytes are kept in memory; every server writes its own
//! copies into its own directory.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use crate::{HarnessError, tool};

/// `ssh-keygen` from openssh-client.
const SSH_KEYGEN: &str = "ssh-keygen";

/// The host key types every throwaway server has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HostKeyType {
    /// `ssh-ed25519`.
    Ed25519,
    /// `ecdsa-sha2-nistp256`.
    EcdsaP256,
    /// `ssh-rsa` key of 3072 bits (signs with rsa-sha2-256/512 by default).
    Rsa3072,
}

impl HostKeyType {
    /// All host key types, in the order the server's config lists them.
    pub const ALL: [HostKeyType; 3] = [Self::Ed25519, Self::EcdsaP256, Self::Rsa3072];

    /// The file name of the private key inside the server directory.
    pub(crate) fn file_name(self) -> &'static str {
        match self {
            Self::Ed25519 => "ssh_host_ed25519_key",
            Self::EcdsaP256 => "ssh_host_ecdsa_key",
            Self::Rsa3072 => "ssh_host_rsa_key",
        }
    }

    /// `ssh-keygen` arguments selecting this key type.
    fn keygen_args(self) -> &'static [&'static str] {
        match self {
            Self::Ed25519 => &["-t", "ed25519"],
            Self::EcdsaP256 => &["-t", "ecdsa", "-b", "256"],
            Self::Rsa3072 => &["-t", "rsa", "-b", "3072"],
        }
    }
}

/// One host key of a running server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostKey {
    /// Which of the harness's key types this is.
    pub key_type: HostKeyType,
    /// The key's algorithm name as the public key line states it (e.g. `ssh-ed25519`).
    pub algorithm: String,
    /// The OpenSSH public key line (`algorithm base64 comment`).
    pub line: String,
    /// The private key file the server loads.
    pub private_key_path: PathBuf,
}

/// A key pair as bytes: the private key file and the public key line.
#[derive(Debug)]
pub(crate) struct KeyPair {
    pub(crate) private: Vec<u8>,
    pub(crate) public: String,
}

impl KeyPair {
    /// Writes `path` (mode 0600) and `path.pub` (mode 0644).
    pub(crate) fn write(&self, path: &Path) -> Result<(), HarnessError> {
        tool::write_with_mode(path, &self.private, 0o600)?;
        tool::write_with_mode(&pub_path(path), format!("{}\n", self.public), 0o644)
    }

    /// The algorithm name: the first word of the public key line.
    pub(crate) fn algorithm(&self) -> String {
        self.public
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned()
    }
}

/// The key material shared by all servers of one test process.
#[derive(Debug)]
pub(crate) struct KeySet {
    pub(crate) host: Vec<(HostKeyType, KeyPair)>,
    pub(crate) client_ed25519: KeyPair,
    pub(crate) client_rsa: KeyPair,
}

static KEYS: OnceLock<Result<KeySet, String>> = OnceLock::new();

/// The process-wide key set, generated on first use.
pub(crate) fn key_set() -> Result<&'static KeySet, HarnessError> {
    KEYS.get_or_init(|| generate().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|message| HarnessError::Setup(format!("cannot generate keys: {message}")))
}

fn pub_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

fn spawn_keygen(
    args: &[&str],
    comment: &str,
    path: &Path,
) -> Result<(Command, Child), HarnessError> {
    let mut command = Command::new(SSH_KEYGEN);
    command
        .args(["-q", "-N", "", "-C", comment])
        .args(args)
        .arg("-f")
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = command.spawn().map_err(HarnessError::io(format!(
        "cannot run `{}` (is openssh-client installed?)",
        tool::describe(&command)
    )))?;
    Ok((command, child))
}

fn finish_keygen(command: &Command, child: Child, path: &Path) -> Result<KeyPair, HarnessError> {
    let output = child
        .wait_with_output()
        .map_err(HarnessError::io("cannot wait for ssh-keygen"))?;
    if !output.status.success() {
        return Err(HarnessError::Tool {
            command: tool::describe(command),
            status: output.status.to_string(),
            output: tool::output_text(&output),
        });
    }
    let private =
        fs::read(path).map_err(HarnessError::io(format!("cannot read {}", path.display())))?;
    let public = fs::read_to_string(pub_path(path))
        .map_err(HarnessError::io(format!(
            "cannot read {}.pub",
            path.display()
        )))?
        .trim()
        .to_owned();
    Ok(KeyPair { private, public })
}

fn generate() -> Result<KeySet, HarnessError> {
    let scratch = tempfile::Builder::new()
        .prefix("ssh-test-keygen-")
        .tempdir()
        .map_err(HarnessError::io("cannot create a temp dir for ssh-keygen"))?;
    let dir = scratch.path();

    // Start all five, then collect: the two RSA keys dominate and run side by side.
    let mut host_jobs = Vec::new();
    for key_type in HostKeyType::ALL {
        let path = dir.join(key_type.file_name());
        let job = spawn_keygen(key_type.keygen_args(), "ssh-test host key", &path)?;
        host_jobs.push((key_type, path, job));
    }
    let ed_path = dir.join("id_ed25519");
    let ed_job = spawn_keygen(&["-t", "ed25519"], "ssh-test client key", &ed_path)?;
    let rsa_path = dir.join("id_rsa");
    let rsa_job = spawn_keygen(
        &["-t", "rsa", "-b", "3072"],
        "ssh-test client key",
        &rsa_path,
    )?;

    let mut host = Vec::new();
    for (key_type, path, (command, child)) in host_jobs {
        host.push((key_type, finish_keygen(&command, child, &path)?));
    }
    let client_ed25519 = finish_keygen(&ed_job.0, ed_job.1, &ed_path)?;
    let client_rsa = finish_keygen(&rsa_job.0, rsa_job.1, &rsa_path)?;
    Ok(KeySet {
        host,
        client_ed25519,
        client_rsa,
    })
}
