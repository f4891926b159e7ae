//! The whole stack end to end: our own SSH transport, auth and channel under the SFTP API,
//! against a real OpenSSH sshd.

// Test helpers outside #[test] functions are not covered by clippy.toml's allow-in-tests.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::time::Duration;

use sftpclient::{ErrorKind, HostKeyPolicy, Session, Sftp, SftpConfig, TransferOptions, Version};
use ssh_test::{SftpServer, Sshd, test_data};

fn builder(sshd: &Sshd) -> sftpclient::SessionBuilder {
    Session::builder("127.0.0.1")
        .port(sshd.port())
        .user(sshd.user())
        .known_hosts(sshd.known_hosts_path())
        .timeout(Some(Duration::from_secs(20)))
}

/// A session with the harness's client key and its SFTP channel at the default version.
fn connect(sshd: &Sshd) -> (Session, Sftp) {
    connect_with(sshd, SftpConfig::default())
}

/// [`connect`] with SFTP settings of the caller's.
fn connect_with(sshd: &Sshd, config: SftpConfig) -> (Session, Sftp) {
    let session = builder(sshd)
        .private_key_file(sshd.client_key_path(), None)
        .unwrap()
        .connect()
        .unwrap();
    let sftp = session.sftp(config).unwrap();
    (session, sftp)
}

/// Uploads `data` as `up.bin` and downloads it back, checking both copies.
fn round_trip(sshd: &Sshd, sftp: &Sftp, data: &[u8]) {
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("src.bin");
    std::fs::write(&src, data).unwrap();
    sftp.upload(&src, "up.bin", &TransferOptions::default())
        .unwrap();
    assert!(std::fs::read(sshd.sftp_root().join("up.bin")).unwrap() == data);
    let dst = local.path().join("dst.bin");
    sftp.download("up.bin", &dst, &TransferOptions::default())
        .unwrap();
    assert!(std::fs::read(&dst).unwrap() == data);
}

#[test]
fn publickey_known_hosts_and_transfers() {
    let sshd = Sshd::start().unwrap();
    let session = builder(&sshd)
        .private_key_file(sshd.client_key_path(), None)
        .unwrap()
        .connect()
        .unwrap();
    assert!(
        session
            .server_version()
            .unwrap()
            .unwrap()
            .starts_with("SSH-2.0-OpenSSH")
    );
    let sftp = session.sftp(SftpConfig::default()).unwrap();
    assert_eq!(sftp.version().unwrap(), 3);

    round_trip(&sshd, &sftp, &test_data(3_000_000, 13));
    let names: Vec<String> = sftp
        .read_dir(".")
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(names.contains(&"up.bin".to_owned()), "{names:?}");
    drop(sftp);
    session.disconnect().unwrap();
}

/// The Green End server behind sshd, with an SFTP v6 session to it.
fn green_end_v6() -> (Sshd, Session, Sftp) {
    let sshd = Sshd::start_with(SftpServer::GreenEnd).unwrap();
    let (session, sftp) = connect_with(
        &sshd,
        SftpConfig {
            protocol_version: Version::V6,
            ..SftpConfig::default()
        },
    );
    assert_eq!(sftp.version().unwrap(), 6);
    (sshd, session, sftp)
}

#[test]
fn green_end_v6_over_native_ssh() {
    let (sshd, _session, sftp) = green_end_v6();
    sftp.create_dir("x").unwrap();
    assert!(sshd.sftp_root().join("x").is_dir());
}

#[test]
fn unknown_host_key_is_rejected_with_1030() {
    let sshd = Sshd::start().unwrap();
    let empty = tempfile::NamedTempFile::new().unwrap();
    let err = Session::builder("127.0.0.1")
        .port(sshd.port())
        .user(sshd.user())
        .known_hosts(empty.path())
        .private_key_file(sshd.client_key_path(), None)
        .unwrap()
        .connect()
        .unwrap_err();
    assert_eq!(err.code(), 1030, "{err}");
    // A wrong fingerprint is rejected too; the right one is accepted.
    let err = builder(&sshd)
        .host_key_policy(HostKeyPolicy::Fingerprints(vec!["SHA256:AAAA".into()]))
        .private_key_file(sshd.client_key_path(), None)
        .unwrap()
        .connect()
        .unwrap_err();
    assert_eq!(err.code(), 1030, "{err}");
}

#[test]
fn password_and_wrong_password() {
    let sshd = Sshd::start().unwrap();
    let Some(password) = sshd.password_or_skip("password_and_wrong_password") else {
        return;
    };
    let session = builder(&sshd).password(password).connect().unwrap();
    let sftp = session.sftp(SftpConfig::default()).unwrap();
    assert!(sftp.canonicalize(".").is_ok());
    let err = builder(&sshd)
        .password("definitely wrong")
        .connect()
        .unwrap_err();
    assert_eq!(err.code(), 1032, "{err}");
}

#[test]
fn keyboard_interactive_with_password() {
    let sshd = Sshd::start().unwrap();
    let Some(password) = sshd.password_or_skip("keyboard_interactive_with_password") else {
        return;
    };
    let session = builder(&sshd)
        .password(password)
        .keyboard_interactive(None)
        .auth_mode(sftpclient::AuthMode::KeyboardInteractive)
        .connect()
        .unwrap();
    let sftp = session.sftp(SftpConfig::default()).unwrap();
    assert!(sftp.metadata(".").unwrap().is_dir());
}

#[test]
fn no_host_key_policy_is_a_usage_error() {
    let err = Session::builder("127.0.0.1").port(1).connect().unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidState);
}

/// Pids of the processes whose parent is `parent` (from /proc).
fn children_of(parent: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // Field 4 (ppid) follows the parenthesised command name.
        let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
        if after
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok())
            == Some(parent)
        {
            out.push(pid);
        }
    }
    out
}

/// A download whose remote file cannot be opened leaves the local side as it was: an
/// existing file keeps its contents even with overwrite, and no file is created without.
#[test]
fn failed_remote_open_leaves_the_local_file_alone() {
    let sshd = Sshd::start().unwrap();
    let (_session, sftp) = connect(&sshd);
    let local = tempfile::tempdir().unwrap();
    let existing = local.path().join("existing");
    std::fs::write(&existing, b"keep me").unwrap();
    let overwrite = TransferOptions {
        overwrite: true,
        ..TransferOptions::default()
    };
    let err = sftp.download("missing", &existing, &overwrite).unwrap_err();
    assert_eq!(
        err.sftp_status(),
        Some(sftpclient::StatusCode::NO_SUCH_FILE),
        "{err}"
    );
    assert_eq!(std::fs::read(&existing).unwrap(), b"keep me");
    let absent = local.path().join("absent");
    sftp.download("missing", &absent, &TransferOptions::default())
        .unwrap_err();
    assert!(!absent.exists(), "a local file was left behind");
    // The session still works, and an existing local file without overwrite is refused
    // (code 1108) with the remote file opened and closed again.
    sshd.write_file("there", b"data").unwrap();
    let err = sftp
        .download("there", &existing, &TransferOptions::default())
        .unwrap_err();
    assert_eq!(err.code(), 1108, "{err}");
    assert_eq!(std::fs::read(&existing).unwrap(), b"keep me");
    assert_eq!(sftp.download("there", &absent, &overwrite).unwrap(), 4);
}

#[test]
fn connection_killed_mid_download_fails_cleanly() {
    let sshd = Sshd::start().unwrap();
    let size = 64 * 1024 * 1024;
    let data = test_data(size, 11);
    sshd.write_file("big.bin", &data).unwrap();
    let (_session, sftp) = connect(&sshd);
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("big.bin");
    let mut killed = false;
    let err = sftp
        .download_with("big.bin", &dst, &TransferOptions::default(), &mut |p| {
            if !killed && p.transferred > 4 * 1024 * 1024 {
                // Kill the server's per-connection processes: the TCP connection drops.
                // sshd's monitor, its unprivileged child and the sftp-server all hold the
                // socket, so the whole tree below the listener goes.
                signal_all(&tree_below(sshd.pid()), "-9");
                killed = true;
            }
            true
        })
        .unwrap_err();
    assert!(killed, "the transfer ended before the kill");
    assert_eq!(err.kind(), &ErrorKind::ConnectionLost, "{err}");
    assert!(err.description().contains("truncated"), "{err}");
    let partial = std::fs::read(&dst).unwrap();
    assert!(
        partial.len() < data.len(),
        "a complete-looking file was left"
    );
    assert!(
        partial == data[..partial.len()],
        "the kept prefix is corrupt"
    );
    // The session stays failed with the same error.
    assert_eq!(
        sftp.metadata("big.bin").unwrap_err().kind(),
        &ErrorKind::ConnectionLost
    );
}

/// Every process below `pid`, children first found breadth-first.
fn tree_below(pid: u32) -> Vec<u32> {
    let mut tree = children_of(pid);
    let mut i = 0;
    while let Some(&p) = tree.get(i) {
        tree.extend(children_of(p));
        i += 1;
    }
    tree
}

fn signal_all(pids: &[u32], signal: &str) {
    for pid in pids {
        let _ = std::process::Command::new("kill")
            .args([signal, &pid.to_string()])
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// ROBUSTNESS F3 at the driver: a server that stops mid-download (its processes are
/// stopped: the socket stays open, nothing comes) ends in a timeout error after the
/// session's inactivity timeout, not a hang, however many reads the transfer made before.
#[test]
fn stalled_server_mid_download_times_out() {
    let sshd = Sshd::start().unwrap();
    let data = test_data(64 << 20, 5);
    sshd.write_file("big.bin", &data).unwrap();
    let session = builder(&sshd)
        .timeout(Some(Duration::from_secs(2)))
        .private_key_file(sshd.client_key_path(), None)
        .unwrap()
        .connect()
        .unwrap();
    let sftp = session.sftp(SftpConfig::default()).unwrap();
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("big.bin");
    let mut stopped: Vec<u32> = Vec::new();
    let mut stalled_at = None;
    let err = sftp
        .download_with("big.bin", &dst, &TransferOptions::default(), &mut |p| {
            if stopped.is_empty() && p.transferred > 4 * 1024 * 1024 {
                stopped = tree_below(sshd.pid());
                signal_all(&stopped, "-STOP");
                stalled_at = Some(std::time::Instant::now());
            }
            true
        })
        .unwrap_err();
    let waited = stalled_at.map(|t| t.elapsed());
    signal_all(&stopped, "-CONT");
    assert!(!stopped.is_empty(), "the transfer ended before the stall");
    assert_eq!(err.kind(), &ErrorKind::Timeout, "{err}");
    assert_eq!(err.code(), 301, "{err}");
    let waited = waited.unwrap();
    assert!(
        waited >= Duration::from_millis(1500) && waited < Duration::from_secs(15),
        "timed out after {waited:?}"
    );
    let partial = std::fs::read(&dst).unwrap();
    assert!(
        partial == data[..partial.len()],
        "the kept prefix is corrupt"
    );
}

#[test]
fn interrupt_from_another_thread_cancels_and_keeps_the_session() {
    let sshd = Sshd::start().unwrap();
    let data = test_data(16 << 20, 9);
    sshd.write_file("big.bin", &data).unwrap();
    let (_session, sftp) = connect(&sshd);
    let handle = sftp.interrupt_handle();
    let (reached, reached_rx) = std::sync::mpsc::channel();
    let (done, done_rx) = std::sync::mpsc::channel::<()>();
    let other = std::thread::spawn(move || {
        reached_rx.recv().unwrap();
        handle.interrupt();
        done.send(()).unwrap();
    });
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("big.bin");
    let mut signalled = false;
    let err = sftp
        .download_with("big.bin", &dst, &TransferOptions::default(), &mut |p| {
            if !signalled && p.transferred > 1 << 20 {
                signalled = true;
                reached.send(()).unwrap();
                done_rx.recv().unwrap();
            }
            true
        })
        .unwrap_err();
    other.join().unwrap();
    assert_eq!(err.kind(), &ErrorKind::Cancelled, "{err}");
    let partial = std::fs::read(&dst).unwrap();
    assert!(partial.len() < data.len() && partial == data[..partial.len()]);
    // The session is still good: the abandoned replies are dropped, the next call works.
    assert_eq!(sftp.metadata("big.bin").unwrap().len(), data.len() as u64);
    let again = local.path().join("again.bin");
    sftp.download("big.bin", &again, &TransferOptions::default())
        .unwrap();
    assert!(std::fs::read(&again).unwrap() == data);
}

#[test]
fn renegotiate_waits_for_new_keys_and_transfers_continue() {
    let sshd = Sshd::start().unwrap();
    let (session, sftp) = connect(&sshd);
    sftp.create_dir("a").unwrap();
    for _ in 0..3 {
        session.renegotiate().unwrap();
    }
    sftp.create_dir("b").unwrap();
    assert!(sshd.sftp_root().join("a").is_dir() && sshd.sftp_root().join("b").is_dir());
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while sshd.log().matches("SSH2_MSG_NEWKEYS received").count() < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "expected 3 re-exchanges in the server log"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn local_write_failure_is_a_local_io_error_and_the_session_survives() {
    // ROBUSTNESS F6: the disk fills up during a download.
    let sshd = Sshd::start().unwrap();
    let data = test_data(4 << 20, 7);
    sshd.write_file("big.bin", &data).unwrap();
    let (_session, sftp) = connect(&sshd);
    let overwrite = TransferOptions {
        overwrite: true,
        ..TransferOptions::default()
    };
    let err = sftp
        .download("big.bin", "/dev/full", &overwrite)
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.code()),
        (&ErrorKind::LocalIo, 302),
        "{err}"
    );
    // Outstanding reads were abandoned and the handle closed: the session goes on.
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("ok.bin");
    sftp.download("big.bin", &dst, &TransferOptions::default())
        .unwrap();
    assert!(std::fs::read(&dst).unwrap() == data);
}

/// A size that is not a multiple of any chunk, above `STRIPE_MIN`.
const STRIPED: usize = 20 * 1024 * 1024 + 12_345;

#[test]
fn large_transfers_use_several_channels_and_stay_intact() {
    let sshd = Sshd::start().unwrap();
    let data = test_data(STRIPED, 21);
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("src.bin");
    std::fs::write(&src, &data).unwrap();

    // Small transfers stay on the session's own channel.
    let (_session, sftp) = connect(&sshd);
    let small = local.path().join("small.bin");
    std::fs::write(&small, &data[..1 << 20]).unwrap();
    sftp.upload(&small, "small.bin", &TransferOptions::default())
        .unwrap();
    assert_eq!(sftp.channels(), 1);

    let overwrite = TransferOptions {
        overwrite: true,
        ..TransferOptions::default()
    };
    assert_eq!(
        sftp.upload(&src, "up.bin", &overwrite).unwrap(),
        data.len() as u64
    );
    assert_eq!(sftp.channels(), SftpConfig::default().upload_channels);
    assert!(std::fs::read(sshd.sftp_root().join("up.bin")).unwrap() == data);

    let dst = local.path().join("dst.bin");
    assert_eq!(
        sftp.download("up.bin", &dst, &overwrite).unwrap(),
        data.len() as u64
    );
    assert!(std::fs::read(&dst).unwrap() == data);
    // The channels are kept, not reopened.
    assert_eq!(sftp.channels(), SftpConfig::default().upload_channels);

    // Resumed both ways from an offset that is not chunk-aligned.
    let at = 9 * 1024 * 1024 + 77;
    std::fs::write(&dst, &data[..at]).unwrap();
    let resume = TransferOptions {
        overwrite: false,
        start_at: at as u64,
    };
    sftp.download("up.bin", &dst, &resume).unwrap();
    assert!(std::fs::read(&dst).unwrap() == data);
    sshd.write_file("up2.bin", &data[..at]).unwrap();
    sftp.upload(&src, "up2.bin", &resume).unwrap();
    assert!(std::fs::read(sshd.sftp_root().join("up2.bin")).unwrap() == data);
}

#[test]
fn green_end_v6_large_transfers_over_several_channels() {
    let (sshd, _session, sftp) = green_end_v6();
    round_trip(&sshd, &sftp, &test_data(STRIPED, 22));
    assert_eq!(sftp.channels(), SftpConfig::default().upload_channels);
}

#[test]
fn refused_channels_leave_the_transfer_on_those_opened() {
    // MaxSessions 1: no further channel; 3: two of the three wanted.
    for (max_sessions, channels) in [(1, 1), (3, 3)] {
        // sshd takes the first value it reads: this one wins over the harness's own.
        let sshd = Sshd::builder()
            .extra_config(format!("MaxSessions {max_sessions}"))
            .start()
            .unwrap();
        let (_session, sftp) = connect(&sshd);
        round_trip(&sshd, &sftp, &test_data(STRIPED, 23));
        assert_eq!(sftp.channels(), channels, "MaxSessions {max_sessions}");
    }
}

#[test]
fn one_transfer_channel_when_configured() {
    let sshd = Sshd::start().unwrap();
    let data = test_data(STRIPED, 24);
    sshd.write_file("big.bin", &data).unwrap();
    let (_session, sftp) = connect_with(
        &sshd,
        SftpConfig {
            download_channels: 1,
            upload_channels: 1,
            ..SftpConfig::default()
        },
    );
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("dst.bin");
    sftp.download("big.bin", &dst, &TransferOptions::default())
        .unwrap();
    assert!(std::fs::read(&dst).unwrap() == data);
    assert_eq!(sftp.channels(), 1);
}

#[test]
fn losing_a_transfer_channel_mid_download_fails_cleanly_and_the_session_recovers() {
    let sshd = Sshd::start().unwrap();
    let data = test_data(48 << 20, 25);
    sshd.write_file("big.bin", &data).unwrap();
    let (_session, sftp) = connect(&sshd);
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("big.bin");
    let dir = sshd.dir().to_string_lossy().into_owned();
    let mut killed = false;
    let err = sftp
        .download_with("big.bin", &dst, &TransferOptions::default(), &mut |p| {
            if !killed && p.transferred > 4 << 20 {
                // The newest sftp-server is one of the further channels'.
                let helper = ssh_test::marked_processes()
                    .into_iter()
                    .filter(|p| {
                        p.command_line
                            .starts_with(ssh_test::OPENSSH_SFTP_SERVER_PATH)
                            && p.command_line.contains(&dir)
                    })
                    .map(|p| p.pid)
                    .max()
                    .unwrap();
                signal_all(&[helper], "-9");
                killed = true;
            }
            true
        })
        .unwrap_err();
    assert!(killed, "the transfer ended before the kill");
    assert!(err.description().contains("truncated"), "{err}");
    let partial = std::fs::read(&dst).unwrap();
    assert!(partial.len() < data.len() && partial == data[..partial.len()]);
    // The session's own channel is fine; the next large transfer replaces the lost one.
    sftp.download(
        "big.bin",
        &dst,
        &TransferOptions {
            overwrite: true,
            ..TransferOptions::default()
        },
    )
    .unwrap();
    assert!(std::fs::read(&dst).unwrap() == data);
    assert_eq!(sftp.channels(), SftpConfig::default().download_channels);
}
