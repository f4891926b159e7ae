//! The idiomatic API against real SFTP servers at every version they offer, over
//! `ssh -s sftp` pipes (so these tests exercise the SFTP layer whatever the SSH layers do).
//! Results are checked on disk in the served directory.

// Test helpers outside #[test] functions are not covered by clippy.toml's allow-in-tests.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::time::{Duration, UNIX_EPOCH};

use sftpclient::{
    ErrorKind, ProcessStream, Sftp, SftpConfig, StatusCode, TransferOptions, Version,
};
use ssh_test::{SftpServer, Sshd, assert_same, test_data};

fn connect(sshd: &Sshd, version: Version) -> Sftp {
    let stream = ProcessStream::spawn(sshd.subsystem_command("sftp")).unwrap();
    let config = SftpConfig {
        protocol_version: version,
        ..SftpConfig::default()
    };
    Sftp::new(stream, config).unwrap()
}

fn exercise(server: SftpServer, version: Version) {
    let sshd = Sshd::start_with(server).unwrap();
    let root = sshd.sftp_root().to_path_buf();
    let sftp = connect(&sshd, version);
    assert_eq!(
        sftp.version().unwrap(),
        version.number(),
        "negotiated version"
    );

    // Directories.
    sftp.create_dir("d").unwrap();
    assert!(root.join("d").is_dir());
    assert!(sftp.metadata("d").unwrap().is_dir());
    let err = sftp.create_dir("d").unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::AlreadyExists, "{err}");

    // RemoteFile: write-behind across many chunks, read-ahead, seek.
    let content = test_data(300_000, 1);
    let mut f = sftp.create("d/a.bin").unwrap();
    for piece in content.chunks(7000) {
        f.write_all(piece).unwrap();
    }
    f.close().unwrap();
    assert_same(&std::fs::read(root.join("d/a.bin")).unwrap(), &content);

    let mut f = sftp.open("d/a.bin").unwrap();
    let mut back = Vec::new();
    f.read_to_end(&mut back).unwrap();
    assert_same(&back, &content);
    f.seek(SeekFrom::Start(123_456)).unwrap();
    let mut part = [0u8; 1000];
    f.read_exact(&mut part).unwrap();
    assert_same(&part, &content[123_456..124_456]);
    assert_eq!(f.seek(SeekFrom::End(-10)).unwrap(), 299_990);
    let mut tail = Vec::new();
    f.read_to_end(&mut tail).unwrap();
    assert_same(&tail, &content[299_990..]);
    assert_eq!(f.metadata().unwrap().len(), 300_000);
    f.close().unwrap();

    // Metadata and setstat.
    let m = sftp.metadata("d/a.bin").unwrap();
    assert_eq!(m.len(), 300_000);
    assert!(m.is_file());
    sftp.set_permissions("d/a.bin", 0o640).unwrap();
    let disk = std::fs::metadata(root.join("d/a.bin")).unwrap();
    assert_eq!(disk.permissions().mode() & 0o777, 0o640);
    let when = UNIX_EPOCH + Duration::from_secs(1_500_000_000);
    sftp.set_times("d/a.bin", when, when).unwrap();
    let disk = std::fs::metadata(root.join("d/a.bin")).unwrap();
    assert_eq!(disk.mtime(), 1_500_000_000);
    assert_eq!(
        sftp.metadata("d/a.bin").unwrap().modified().unwrap(),
        when,
        "mtime read back"
    );

    // Listing.
    sshd.write_file("d/other.txt", b"x").unwrap();
    let mut names: Vec<String> = sftp
        .read_dir("d")
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["a.bin", "other.txt"]);

    // Rename: never overwrites unless asked.
    sftp.rename("d/a.bin", "d/b.bin", false).unwrap();
    assert!(root.join("d/b.bin").exists() && !root.join("d/a.bin").exists());
    let err = sftp.rename("d/other.txt", "d/b.bin", false).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::AlreadyExists, "{err}");
    assert_same(&std::fs::read(root.join("d/b.bin")).unwrap(), &content);
    sftp.rename("d/other.txt", "d/b.bin", true).unwrap();
    assert_same(&std::fs::read(root.join("d/b.bin")).unwrap(), b"x");

    // Links.
    sftp.symlink("b.bin", "d/link").unwrap();
    assert_eq!(
        std::fs::read_link(root.join("d/link")).unwrap().to_str(),
        Some("b.bin")
    );
    assert_eq!(sftp.read_link("d/link").unwrap(), "b.bin");
    assert!(sftp.symlink_metadata("d/link").unwrap().is_symlink());
    assert!(sftp.metadata("d/link").unwrap().is_file());
    // The file must belong to the server's user (the kernel's protected_hardlinks).
    sftp.create("d/own.bin").unwrap().close().unwrap();
    match sftp.hard_link("d/own.bin", "d/hard") {
        Ok(()) => assert_eq!(std::fs::metadata(root.join("d/hard")).unwrap().nlink(), 2),
        Err(e) => assert_eq!(e.kind(), &ErrorKind::Unsupported, "{e}"),
    }

    // canonicalize.
    let real = sftp.canonicalize(".").unwrap();
    assert_eq!(
        std::path::Path::new(&real),
        root.canonicalize().unwrap(),
        "realpath of ."
    );

    // Whole-file transfers.
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("src.bin");
    let big = test_data(2_500_000, 2);
    std::fs::write(&src, &big).unwrap();
    let opts = TransferOptions::default();
    let mut calls = 0;
    let n = sftp
        .upload_with(&src, "up.bin", &opts, &mut |p| {
            calls += 1;
            assert_eq!(p.total, Some(2_500_000));
            true
        })
        .unwrap();
    assert_eq!(n, 2_500_000);
    assert!(calls > 1);
    assert_same(&std::fs::read(root.join("up.bin")).unwrap(), &big);
    let err = sftp.upload(&src, "d/b.bin", &opts).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::AlreadyExists, "{err}");
    assert_same(&std::fs::read(root.join("d/b.bin")).unwrap(), b"x");

    let dst = local.path().join("dst.bin");
    assert_eq!(sftp.download("up.bin", &dst, &opts).unwrap(), 2_500_000);
    assert_same(&std::fs::read(&dst).unwrap(), &big);
    let err = sftp.download("up.bin", &dst, &opts).unwrap_err();
    assert_eq!((err.kind(), err.code()), (&ErrorKind::AlreadyExists, 1108));

    // Resume a download from the middle of a partial local file.
    std::fs::write(&dst, &big[..1_000_000]).unwrap();
    let resume = TransferOptions {
        start_at: 1_000_000,
        ..TransferOptions::default()
    };
    assert_eq!(sftp.download("up.bin", &dst, &resume).unwrap(), 2_500_000);
    assert_same(&std::fs::read(&dst).unwrap(), &big);

    // Cancel: the local file holds exactly the verified prefix, never the whole.
    let cancelled = local.path().join("cancelled.bin");
    let err = sftp
        .download_with("up.bin", &cancelled, &opts, &mut |p| {
            p.transferred < 500_000
        })
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Cancelled);
    let partial = std::fs::read(&cancelled).unwrap();
    assert!(partial.len() >= 500_000 && partial.len() < big.len());
    assert_same(&partial, &big[..partial.len()]);

    // Resume an upload.
    sshd.write_file("resume.bin", &big[..700_000]).unwrap();
    let resume = TransferOptions {
        start_at: 700_000,
        ..TransferOptions::default()
    };
    sftp.upload(&src, "resume.bin", &resume).unwrap();
    assert_same(&std::fs::read(root.join("resume.bin")).unwrap(), &big);

    // Server-side copy and statvfs where offered.
    match sftp.copy("up.bin", "copy.bin", false) {
        Ok(()) => assert_same(&std::fs::read(root.join("copy.bin")).unwrap(), &big),
        Err(e) => assert_eq!(e.kind(), &ErrorKind::Unsupported, "{e}"),
    }
    match sftp.statvfs(".") {
        Ok(s) => assert!(s.total_bytes() > 0),
        Err(e) => assert_eq!(e.kind(), &ErrorKind::Unsupported, "{e}"),
    }

    // Removal and errors carrying the server's status.
    sftp.remove_file("up.bin").unwrap();
    assert!(!root.join("up.bin").exists());
    let err = sftp.metadata("up.bin").unwrap_err();
    assert_eq!(err.sftp_status(), Some(StatusCode::NO_SUCH_FILE), "{err}");
    assert_eq!(err.code(), 1103);
    let err = sftp.remove_dir("d").unwrap_err();
    assert!(err.sftp_status().is_some(), "{err}");
    for name in ["d/b.bin", "d/link", "d/own.bin"] {
        sftp.remove_file(name).unwrap();
    }
    let _ = sftp.remove_file("d/hard");
    sftp.remove_dir("d").unwrap();
    assert!(!root.join("d").exists());
    sftp.close().unwrap();
}

#[test]
fn openssh_sftp_server_v3() {
    exercise(SftpServer::OpenSsh, Version::V3);
}

#[test]
fn green_end_v3() {
    exercise(SftpServer::GreenEnd, Version::V3);
}

#[test]
fn green_end_v4() {
    exercise(SftpServer::GreenEnd, Version::V4);
}

#[test]
fn green_end_v5() {
    exercise(SftpServer::GreenEnd, Version::V5);
}

#[test]
fn green_end_v6() {
    exercise(SftpServer::GreenEnd, Version::V6);
}

#[test]
fn openssh_offered_v6_negotiates_v3() {
    let sshd = Sshd::start().unwrap();
    let sftp = connect(&sshd, Version::V6);
    assert_eq!(sftp.version().unwrap(), 3);
    assert!(sftp.has_extension("limits@openssh.com").unwrap());
}

fn batch(server: SftpServer, version: Version) {
    let sshd = Sshd::start_with(server).unwrap();
    let root = sshd.sftp_root().to_path_buf();
    let sftp = connect(&sshd, version);
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("src");
    std::fs::create_dir(&src).unwrap();
    // Sizes around the chunk boundaries, empty files and a few large ones.
    let sizes: Vec<usize> = (0..120)
        .map(|i| match i % 8 {
            0 => 0,
            1 => 32 * 1024,
            2 => 32 * 1024 + 1,
            3 => 4096,
            4 => 261_120 * 2 + 7,
            _ => (i * 7919) % 100_000,
        })
        .collect();
    let mut up = Vec::new();
    for (i, size) in sizes.iter().enumerate() {
        let path = src.join(format!("f{i:03}"));
        std::fs::write(&path, test_data(*size, i as u32)).unwrap();
        up.push((path, format!("b/f{i:03}")));
    }
    sftp.create_dir("b").unwrap();
    let opts = TransferOptions::default();
    let total = sftp.upload_many(&up, &opts).unwrap();
    assert_eq!(total, sizes.iter().sum::<usize>() as u64);
    for (i, size) in sizes.iter().enumerate() {
        assert_same(
            &std::fs::read(root.join(format!("b/f{i:03}"))).unwrap(),
            &test_data(*size, i as u32),
        );
    }
    // Again without overwrite: refused, nothing changed.
    let err = sftp.upload_many(&up[..3], &opts).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::AlreadyExists, "{err}");

    let dst = local.path().join("dst");
    std::fs::create_dir(&dst).unwrap();
    let down: Vec<(String, std::path::PathBuf)> = (0..sizes.len())
        .map(|i| (format!("b/f{i:03}"), dst.join(format!("f{i:03}"))))
        .collect();
    assert_eq!(sftp.download_many(&down, &opts).unwrap(), total);
    for (i, size) in sizes.iter().enumerate() {
        assert_same(
            &std::fs::read(dst.join(format!("f{i:03}"))).unwrap(),
            &test_data(*size, i as u32),
        );
    }
    let missing = [("b/nope".to_owned(), dst.join("nope"))];
    let err = sftp.download_many(&missing, &opts).unwrap_err();
    assert_eq!(err.sftp_status(), Some(StatusCode::NO_SUCH_FILE), "{err}");
    assert!(err.description().contains("b/nope"), "{err}");
}

#[test]
fn batch_openssh_v3() {
    batch(SftpServer::OpenSsh, Version::V3);
}

#[test]
fn batch_green_end_v6() {
    batch(SftpServer::GreenEnd, Version::V6);
}
