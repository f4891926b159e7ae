//! Local-file guarantees of the batch transfers: a batch that fails leaves the local files
//! it never reached as they were, and a batch larger than the process's descriptor limit
//! works (files are opened when their transfer starts and closed when it ends).
//!
//! One test per binary: the descriptor test lowers this process's RLIMIT_NOFILE.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use nix::sys::resource::{Resource, getrlimit, setrlimit};
use sftpclient::{Session, SftpConfig, StatusCode, TransferOptions};
use ssh_test::{Sshd, assert_same, test_data};

fn connect(sshd: &Sshd) -> sftpclient::Sftp {
    let session = Session::builder("127.0.0.1")
        .port(sshd.port())
        .user(sshd.user())
        .known_hosts(sshd.known_hosts_path())
        .private_key_file(sshd.client_key_path(), None)
        .unwrap()
        .connect()
        .unwrap();
    session.sftp(SftpConfig::default()).unwrap()
}

#[test]
fn batches_respect_local_files_and_descriptor_limits() {
    let sshd = Sshd::start().unwrap();
    let sftp = connect(&sshd);
    let local = tempfile::tempdir().unwrap();

    // 1. Download with overwrite, the first remote file missing: the batch fails, and the
    //    local files it did not get to (far more than the files in flight) keep their
    //    contents, as does the local file of the missing remote one.
    let files = 60;
    sshd.create_dir("d").unwrap();
    for i in 1..files {
        sshd.write_file(format!("d/f{i}"), test_data(1000 + i, i as u32))
            .unwrap();
    }
    let dst = local.path().join("dst");
    std::fs::create_dir(&dst).unwrap();
    let mut pairs = Vec::new();
    for i in 0..files {
        let path = dst.join(format!("f{i}"));
        std::fs::write(&path, b"keep").unwrap();
        pairs.push((format!("d/f{i}"), path));
    }
    let overwrite = TransferOptions {
        overwrite: true,
        ..TransferOptions::default()
    };
    let err = sftp.download_many(&pairs, &overwrite).unwrap_err();
    assert_eq!(err.sftp_status(), Some(StatusCode::NO_SUCH_FILE), "{err}");
    assert_eq!(std::fs::read(&pairs[0].1).unwrap(), b"keep");
    let mut untouched = 0;
    for (i, (_, path)) in pairs.iter().enumerate().skip(1) {
        let got = std::fs::read(path).unwrap();
        if got == b"keep" {
            untouched += 1;
        } else {
            // Reached before the failure: then it is the complete remote file or a
            // prefix of it, never anything else.
            let want = test_data(1000 + i, i as u32);
            assert!(got.len() <= want.len() && got == want[..got.len()], "f{i}");
        }
    }
    assert!(
        untouched >= files - 1 - sftpclient::FILES_IN_FLIGHT,
        "only {untouched} local files kept"
    );

    // 2. More files than the descriptor limit allows open at once, both ways.
    let many = 400;
    let src = local.path().join("src");
    std::fs::create_dir(&src).unwrap();
    let mut up = Vec::new();
    for i in 0..many {
        let path = src.join(format!("u{i}"));
        std::fs::write(&path, test_data(i * 13, i as u32)).unwrap();
        up.push((path, format!("u/u{i}")));
    }
    sftp.create_dir("u").unwrap();
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    setrlimit(Resource::RLIMIT_NOFILE, 128, hard).unwrap();
    let uploaded = sftp.upload_many(&up, &TransferOptions::default());
    let back: Vec<(String, std::path::PathBuf)> = (0..many)
        .map(|i| (format!("u/u{i}"), dst.join(format!("u{i}"))))
        .collect();
    let downloaded = sftp.download_many(&back, &TransferOptions::default());
    setrlimit(Resource::RLIMIT_NOFILE, soft, hard).unwrap();
    let total: u64 = (0..many).map(|i| (i * 13) as u64).sum();
    assert_eq!(uploaded.unwrap(), total);
    assert_eq!(downloaded.unwrap(), total);
    for i in 0..many {
        assert_same(
            &std::fs::read(dst.join(format!("u{i}"))).unwrap(),
            &test_data(i * 13, i as u32),
        );
    }
}
