//! Interop tests against real SSH/SFTP servers started on 127.0.0.1 by `ssh-test`.
//!
//! This library is empty; the tests are the `[[test]]` targets beside it
//! (`harness.rs` proves the harness itself with OpenSSH's own clients).
