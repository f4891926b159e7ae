//! Test harness: throwaway OpenSSH servers on 127.0.0.1 for interop tests.
//!
//! [`Sshd::start`] (or [`Sshd::builder`] for the knobs) writes a fresh directory with host
//! keys (ed25519, ecdsa-p256, rsa-3072), an authorized client key pair, an `sshd_config` and
//! a served directory `root/`, then runs `/usr/sbin/sshd -D` on a free loopback port as a
//! child of the test process in its own process group. The [`Sshd`] value knows the port,
//! user, password, key files and a matching known_hosts file, runs OpenSSH's own clients
//! against the server ([`Sshd::sftp_batch`], [`Sshd::ssh_output`],
//! [`Sshd::spawn_subsystem`]) and kills everything when dropped.
//!
//! ```no_run
//! use ssh_test::{SftpServer, Sshd};
//!
//! let sshd = Sshd::builder().sftp_server(SftpServer::GreenEnd).ciphers("aes128-ctr").start()?;
//! let out = sshd.sftp_batch("mkdir docs\n")?;
//! assert!(out.status.success());
//! assert!(sshd.sftp_root().join("docs").is_dir());
//! # Ok::<(), ssh_test::HarnessError>(())
//! ```
//!
//! As root the server lets in the system user [`TEST_USER`] by public key, password and
//! keyboard-interactive (PAM); otherwise it lets in the current user by public key only. See
//! `docs/testing.md` for the details and the cleanup guarantees.

mod client;
mod data;
mod error;
mod keys;
mod process;
mod proftpd;
mod sshd;
mod tool;
mod user;

pub use data::{assert_same, test_data};
pub use error::HarnessError;
pub use keys::{HostKey, HostKeyType};
pub use process::{MarkedProcess, marked_processes};
pub use proftpd::{PROFTPD_DIR_MARKER, PROFTPD_PATH, Proftpd};
pub use sshd::{
    GREEN_END_SFTP_SERVER_PATH, OPENSSH_SFTP_SERVER_PATH, SSHD_PATH, SftpServer, Sshd, SshdBuilder,
};
pub use tool::on_path;
pub use user::{TEST_USER, is_root};

/// Every server directory is a temp dir whose name starts with this, so a leftover server
/// is recognisable by its command line (`sshd -D -f /tmp/ssh-test-sshd-XXXX/sshd_config`).
pub const DIR_MARKER: &str = "ssh-test-sshd-";
