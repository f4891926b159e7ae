//! The SftpClient surface against OpenSSH sshd + sftp-server (SFTP v3 and OpenSSH's
//! extensions): the seed's examples, every method and every event.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod component_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use component_support::{client, data, host_fingerprints, logged_on, new_log, take};
use sftpclient::SftpClient;
use ssh_test::Sshd;

/// Seed example: "logon with password", then a listing.
#[test]
fn seed_example_logon_with_password() {
    let sshd = Sshd::start().unwrap();
    let Some(password) = sshd.password_or_skip("seed_example_logon_with_password") else {
        return;
    };
    sshd.write_file("hello.txt", b"hi").unwrap();
    let mut sftp = SftpClient::new();
    sftp.set_ssh_user(sshd.user()).unwrap();
    sftp.set_ssh_password(password).unwrap();
    let fps = host_fingerprints(&sshd);
    sftp.on_ssh_server_authentication(move |e| {
        // Accept=True is pre-set when the key matches; check it ourselves here.
        e.accept = fps.split(',').any(|f| f == e.fingerprint);
    });
    sftp.ssh_logon("127.0.0.1", sshd.port()).unwrap();
    assert!(sftp.connected());
    assert_eq!(sftp.ssh_auth_mode(), 2);
    sftp.list_directory().unwrap();
    let names: Vec<String> = (0..sftp.dir_list_count())
        .map(|i| sftp.dir_list_file_name(i))
        .collect();
    assert!(names.contains(&"hello.txt".to_owned()), "{names:?}");
    sftp.ssh_logoff().unwrap();
    assert!(!sftp.connected());

    // A wrong password fails with 1032 and on_connected reports it.
    let mut bad = client(&sshd);
    bad.set_ssh_auth_mode(2).unwrap();
    bad.set_ssh_password("wrong").unwrap();
    let seen = new_log();
    let s = seen.clone();
    bad.on_connected(move |e| s.lock().unwrap().push(format!("{}", e.status_code)));
    let err = bad.ssh_logon("127.0.0.1", sshd.port()).unwrap_err();
    assert_eq!(err.code(), 1032, "{err}");
    assert_eq!(take(&seen), vec!["1032".to_owned()]);
}

/// Seed example: "logon with a PEM key" (cstPEMKeyFile, subject "*"), and the ssh_cert_*
/// properties filled from the key.
#[test]
fn seed_example_logon_with_pem_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("id_rsa_pem");
    let out = std::process::Command::new("ssh-keygen")
        .args([
            "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-C", "pem-key", "-f",
        ])
        .arg(&key)
        .output()
        .unwrap();
    assert!(out.status.success());
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let sshd = Sshd::builder()
        .authorized_key(public.trim())
        .start()
        .unwrap();
    let mut sftp = SftpClient::new();
    sftp.set_ssh_user(sshd.user()).unwrap();
    sftp.config(&format!(
        "SSHAcceptServerHostKeyFingerprint={}",
        host_fingerprints(&sshd)
    ))
    .unwrap();
    sftp.set_ssh_auth_mode(3).unwrap();
    sftp.set_ssh_cert_store_type(6).unwrap();
    sftp.set_ssh_cert_store(key.to_str().unwrap()).unwrap();
    sftp.set_ssh_cert_subject("*").unwrap();
    assert!(sftp.ssh_cert_private_key_available());
    assert_eq!(sftp.ssh_cert_public_key_algorithm(), "ssh-rsa");
    assert_eq!(sftp.ssh_cert_public_key_length(), 2048);
    assert_eq!(sftp.ssh_cert_subject(), "");
    let line = ssh_keys::PublicKeyLine::parse(public.trim()).unwrap();
    assert_eq!(
        sftp.ssh_cert_fingerprint_sha256(),
        line.key.fingerprint(ssh_keys::HashAlg::Sha256).hex()
    );
    assert_eq!(
        sftp.ssh_cert_fingerprint(),
        line.key.fingerprint(ssh_keys::HashAlg::Md5).hex()
    );
    assert_eq!(sftp.ssh_cert_encoded(), line.key.to_blob());
    sftp.ssh_logon("127.0.0.1", sshd.port()).unwrap();
    assert!(sftp.connected());
    // A subject that names no key in the store is refused.
    let mut other = SftpClient::new();
    other.set_ssh_cert_store_type(6).unwrap();
    other.set_ssh_cert_store(key.to_str().unwrap()).unwrap();
    assert!(other.set_ssh_cert_subject("someone else").is_err());
}

/// Seed example: ChangeRemotePath relative and absolute, and `..`.
#[test]
fn seed_example_change_remote_path() {
    let sshd = Sshd::start().unwrap();
    sshd.create_dir("a/b").unwrap();
    sshd.write_file("a/b/f.txt", b"x").unwrap();
    let mut sftp = logged_on(&sshd, 3);
    let root = sftp.remote_path();
    assert!(root.starts_with('/'), "{root}");
    sftp.change_remote_path("a").unwrap();
    assert_eq!(sftp.remote_path(), format!("{root}/a"));
    sftp.change_remote_path("b").unwrap();
    assert_eq!(sftp.remote_path(), format!("{root}/a/b"));
    sftp.change_remote_path("..").unwrap();
    assert_eq!(sftp.remote_path(), format!("{root}/a"));
    sftp.change_remote_path(&format!("{root}/a/b")).unwrap();
    assert_eq!(sftp.remote_path(), format!("{root}/a/b"));
    sftp.set_remote_file("f.txt").unwrap();
    assert!(sftp.check_file_exists().unwrap());
    let err = sftp.change_remote_path("does-not-exist").unwrap_err();
    assert_eq!(err.code(), 1106, "{err}");
    let err = sftp.change_remote_path("f.txt").unwrap_err();
    assert_eq!(err.code(), 1106, "{err}");
    assert_eq!(sftp.remote_path(), format!("{root}/a/b"));
    // With DisableRealPath the path is normalised locally.
    sftp.config("DisableRealPath=True").unwrap();
    sftp.change_remote_path("../../a/./b/..").unwrap();
    assert_eq!(sftp.remote_path(), format!("{root}/a"));
}

/// Seed example: file-mask listing (and FileMaskDelimiter, ExcludeFileMask,
/// IgnoreFileMaskCasing), on_dir_list, on_start_transfer/on_end_transfer, Attr*.
#[test]
fn seed_example_file_mask_listing() {
    let sshd = Sshd::start().unwrap();
    for name in ["a.txt", "B.TXT", "c.csv", "d.bin", "[x].txt"] {
        sshd.write_file(name, b"12345").unwrap();
    }
    sshd.create_dir("sub").unwrap();
    std::os::unix::fs::symlink("a.txt", sshd.sftp_root().join("link.txt")).unwrap();
    let mut sftp = logged_on(&sshd, 3);
    let events = new_log();
    let e2 = events.clone();
    sftp.on_dir_list(move |e| {
        e2.lock().unwrap().push(format!(
            "{}|{}|{}|{}|{}|{}",
            e.file_name,
            e.is_dir,
            e.is_symlink,
            e.file_size,
            e.config("AttrPermission").unwrap_or_default(),
            e.dir_entry.is_empty()
        ))
    });
    let bounds = new_log();
    let (b1, b2) = (bounds.clone(), bounds.clone());
    sftp.on_start_transfer(move |e| {
        b1.lock()
            .unwrap()
            .push(format!("start {} {}", e.direction, e.remote_file))
    });
    sftp.on_end_transfer(move |e| {
        b2.lock()
            .unwrap()
            .push(format!("end {} {}", e.direction, e.remote_file))
    });

    let names = |s: &SftpClient| {
        let mut v: Vec<String> = (0..s.dir_list_count())
            .map(|i| s.dir_list_file_name(i))
            .collect();
        v.sort();
        v
    };
    sftp.set_remote_file("*.txt").unwrap();
    sftp.list_directory().unwrap();
    assert_eq!(names(&sftp), ["[x].txt", "a.txt", "link.txt"]);
    assert_eq!(take(&bounds), ["start 1 *.txt", "end 1 *.txt"]);
    let ev = take(&events);
    assert_eq!(ev.len(), 3);
    assert!(
        ev.contains(&"a.txt|false|false|5|100644|false".to_owned()),
        "{ev:?}"
    );
    assert!(
        ev.iter().any(|l| l.starts_with("link.txt|false|true|")),
        "{ev:?}"
    );
    // The raw entry is the server's long name; file time per the default format.
    let i = (0..sftp.dir_list_count())
        .find(|&i| sftp.dir_list_file_name(i) == "a.txt")
        .unwrap();
    assert!(
        sftp.dir_list_entry(i).starts_with("-rw-r--r--"),
        "{}",
        sftp.dir_list_entry(i)
    );
    assert!(sftp.dir_list_entry(i).ends_with("a.txt"));
    let t = sftp.dir_list_file_time(i);
    assert_eq!(t.len(), "MMM dd HH:mm".len(), "{t}");
    assert_eq!(sftp.dir_list_file_size(i), 5);
    // Attr* also answer from config() after the listing (last entry).
    sftp.set_remote_file("a.txt").unwrap();
    sftp.list_directory().unwrap();
    assert_eq!(sftp.config("AttrPermission").unwrap(), "100644");
    assert_eq!(sftp.config("AttrFileType").unwrap(), "1");
    assert!(
        sftp.config("AttrAccessTime")
            .unwrap()
            .parse::<i64>()
            .unwrap()
            > 0
    );
    assert_eq!(
        sftp.config("AttrCreationTime").unwrap(),
        "0",
        "v3 has no creation time"
    );
    assert_eq!(
        sftp.config("AttrLinkCount").unwrap(),
        "",
        "v3 has no link count"
    );
    assert!(sftp.config("AttrOwnerId").unwrap().parse::<u32>().is_ok());
    assert!(sftp.config("AttrGroupId").unwrap().parse::<u32>().is_ok());
    sftp.set_remote_file("*.txt").unwrap();

    sftp.config("IgnoreFileMaskCasing=True").unwrap();
    sftp.list_directory().unwrap();
    assert_eq!(names(&sftp), ["B.TXT", "[x].txt", "a.txt", "link.txt"]);

    sftp.config("FileMaskDelimiter=|").unwrap();
    sftp.config("ExcludeFileMask=link*|[[]*").unwrap();
    sftp.set_remote_file("*.txt|*.csv").unwrap();
    sftp.list_directory().unwrap();
    assert_eq!(names(&sftp), ["B.TXT", "a.txt", "c.csv"]);

    // A directory name lists the directory; a literal file name lists just it.
    sftp.config("ExcludeFileMask=").unwrap();
    sftp.set_remote_file("").unwrap();
    sftp.list_directory().unwrap();
    assert_eq!(sftp.dir_list_count(), 7);
    let sub = (0..7)
        .find(|&i| sftp.dir_list_file_name(i) == "sub")
        .unwrap();
    assert!(sftp.dir_list_is_dir(sub));
    assert!(!sftp.dir_list_is_symlink(sub));
    // `[` opens a set: the seed escapes it as `[[]`.
    sftp.set_remote_file("[[]x].txt").unwrap();
    sftp.list_directory().unwrap();
    assert_eq!(names(&sftp), ["[x].txt"]);
    sftp.set_remote_file("a.txt").unwrap();
    sftp.list_directory().unwrap();
    assert_eq!(names(&sftp), ["a.txt"]);
    // FiletimeFormat.
    sftp.config("FiletimeFormat=yyyy-MM-dd").unwrap();
    sftp.set_remote_file("a.txt").unwrap();
    sftp.list_directory().unwrap();
    assert_eq!(sftp.dir_list_file_time(0).len(), 10);
    assert_eq!(sftp.dir_list_file_name(99), "");
}

/// upload / download with overwrite, start_byte resume (reset after success), events,
/// local_file "" (data through on_transfer), TransferredDataLimit, append, ranges.
#[test]
fn transfers_and_on_transfer() {
    let sshd = Sshd::start().unwrap();
    let mut sftp = logged_on(&sshd, 3);
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("src.bin");
    let payload = data(300_000, 1);
    std::fs::write(&src, &payload).unwrap();
    let progress = Arc::new(Mutex::new(Vec::<(i32, i64, i32)>::new()));
    let p = progress.clone();
    sftp.on_transfer(move |e| {
        p.lock()
            .unwrap()
            .push((e.direction, e.bytes_transferred, e.percent_done))
    });

    sftp.set_local_file(src.to_str().unwrap()).unwrap();
    sftp.set_remote_file("up.bin").unwrap();
    sftp.upload().unwrap();
    assert_eq!(
        std::fs::read(sshd.sftp_root().join("up.bin")).unwrap(),
        payload
    );
    let seen = std::mem::take(&mut *progress.lock().unwrap());
    assert!(!seen.is_empty());
    assert!(seen.iter().all(|&(d, _, _)| d == 0));
    assert_eq!(seen.last().unwrap().1, 300_000);
    assert_eq!(seen.last().unwrap().2, 100);
    // overwrite=False: the existing remote file is not replaced.
    let err = sftp.upload().unwrap_err();
    assert_eq!(err.code(), 1103, "{err}");
    sftp.set_overwrite(true).unwrap();
    sftp.upload().unwrap();
    progress.lock().unwrap().clear();

    // Download: 1108 when the local file exists and overwrite is off.
    let dst = local.path().join("dst.bin");
    std::fs::write(&dst, b"old").unwrap();
    sftp.set_overwrite(false).unwrap();
    sftp.set_local_file(dst.to_str().unwrap()).unwrap();
    let err = sftp.download().unwrap_err();
    assert_eq!(err.code(), 1108, "{err}");
    assert_eq!(std::fs::read(&dst).unwrap(), b"old");
    // A remote file that cannot be opened leaves the local file alone, even with overwrite.
    sftp.set_overwrite(true).unwrap();
    sftp.set_remote_file("no-such.bin").unwrap();
    let err = sftp.download().unwrap_err();
    assert_eq!(err.code(), 1103, "{err}");
    assert_eq!(std::fs::read(&dst).unwrap(), b"old");
    sftp.set_remote_file("up.bin").unwrap();
    sftp.set_overwrite(false).unwrap();
    // Resume from start_byte keeps the first bytes of the local file.
    std::fs::write(&dst, &payload[..1000]).unwrap();
    sftp.set_start_byte(1000).unwrap();
    sftp.download().unwrap();
    assert_eq!(std::fs::read(&dst).unwrap(), payload);
    assert_eq!(sftp.start_byte(), 0, "start_byte is reset after success");
    let seen = std::mem::take(&mut *progress.lock().unwrap());
    assert!(seen.iter().all(|&(d, _, _)| d == 1));

    // local_file "": the data comes through on_transfer's text.
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    sftp.on_transfer(move |e| g.lock().unwrap().extend_from_slice(&e.text));
    sftp.set_local_file("").unwrap();
    sftp.download().unwrap();
    assert_eq!(*got.lock().unwrap(), payload);
    // TransferredDataLimit with start_byte: a ranged download.
    got.lock().unwrap().clear();
    sftp.config("TransferredDataLimit=100").unwrap();
    sftp.set_start_byte(50).unwrap();
    sftp.download().unwrap();
    assert_eq!(*got.lock().unwrap(), payload[50..150].to_vec());
    sftp.config("TransferredDataLimit=0").unwrap();

    // append.
    let tail = local.path().join("tail.bin");
    std::fs::write(&tail, b"TAIL").unwrap();
    sftp.set_local_file(tail.to_str().unwrap()).unwrap();
    sftp.append().unwrap();
    let remote = std::fs::read(sshd.sftp_root().join("up.bin")).unwrap();
    assert_eq!(remote.len(), 300_004);
    assert_eq!(&remote[300_000..], b"TAIL");
    sftp.set_remote_file("new-by-append.bin").unwrap();
    sftp.append().unwrap();
    assert_eq!(
        std::fs::read(sshd.sftp_root().join("new-by-append.bin")).unwrap(),
        b"TAIL"
    );

    // download_range / upload_range.
    let mut buf = vec![0u8; 64];
    let n = sftp
        .download_range("", "up.bin", 299_990, 64, &mut buf)
        .unwrap();
    assert_eq!(n, 14);
    assert_eq!(&buf[..10], &payload[299_990..]);
    sftp.upload_range("", "ranged.bin", 10, 3, b"abcdef")
        .unwrap();
    assert_eq!(
        std::fs::read(sshd.sftp_root().join("ranged.bin")).unwrap(),
        b"\0\0\0\0\0\0\0\0\0\0abc"
    );

    // Missing names: 1107.
    sftp.set_remote_file("").unwrap();
    assert_eq!(sftp.upload().unwrap_err().code(), 1107);
}

/// queue_file with several files in flight (SimultaneousTransferLimit), a per-file
/// cancel in on_transfer, and per-file on_error with the local and remote names.
#[test]
fn queue_file_several_in_flight() {
    let sshd = Sshd::start().unwrap();
    let mut sftp = logged_on(&sshd, 3);
    let local = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for i in 0..5u32 {
        let p = local.path().join(format!("q{i}.bin"));
        std::fs::write(&p, data(200_000 + i as usize, i)).unwrap();
        files.push(p);
    }
    sftp.config("SimultaneousTransferLimit=3").unwrap();
    let active = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (a1, a2, pk) = (active.clone(), active.clone(), peak.clone());
    sftp.on_start_transfer(move |_| {
        let now = a1.fetch_add(1, Ordering::SeqCst) + 1;
        pk.fetch_max(now, Ordering::SeqCst);
    });
    sftp.on_end_transfer(move |_| {
        a2.fetch_sub(1, Ordering::SeqCst);
    });
    sftp.on_transfer(|e| {
        if e.remote_file == "q1.bin" && e.bytes_transferred > 0 {
            e.cancel = true;
        }
    });
    let errors = new_log();
    let e2 = errors.clone();
    sftp.on_error(move |e| {
        e2.lock().unwrap().push(format!(
            "{}|{}|{}",
            e.error_code, e.local_file, e.remote_file
        ))
    });
    for (i, p) in files.iter().enumerate() {
        sftp.queue_file(p.to_str().unwrap(), &format!("q{i}.bin"))
            .unwrap();
    }
    let missing = local.path().join("missing.bin");
    sftp.queue_file(missing.to_str().unwrap(), "missing.bin")
        .unwrap();
    let err = sftp.upload().unwrap_err();
    assert_eq!(err.code(), 302, "{err}");
    assert!(peak.load(Ordering::SeqCst) >= 2, "several files in flight");
    let errors = take(&errors);
    assert_eq!(
        errors,
        vec![format!("302|{}|missing.bin", missing.display())]
    );
    for i in [0usize, 2, 3, 4] {
        assert_eq!(
            std::fs::read(sshd.sftp_root().join(format!("q{i}.bin"))).unwrap(),
            data(200_000 + i, i as u32)
        );
    }
    let partial = std::fs::read(sshd.sftp_root().join("q1.bin")).unwrap();
    assert!(partial.len() < 200_001, "q1 was cancelled");

    // Download queue; reset_queue empties it.
    let out = tempfile::tempdir().unwrap();
    sftp.on_transfer(|_| {});
    sftp.queue_file("unused", "q0.bin").unwrap();
    sftp.reset_queue().unwrap();
    for i in [0usize, 2, 3] {
        sftp.queue_file(
            out.path().join(format!("d{i}")).to_str().unwrap(),
            &format!("q{i}.bin"),
        )
        .unwrap();
    }
    sftp.download().unwrap();
    for i in [0usize, 2, 3] {
        assert_eq!(
            std::fs::read(out.path().join(format!("d{i}"))).unwrap(),
            data(200_000 + i, i as u32)
        );
    }
    // A queued download of a missing remote file leaves an existing local file alone, even
    // with overwrite.
    let kept = out.path().join("kept");
    std::fs::write(&kept, b"old").unwrap();
    sftp.set_overwrite(true).unwrap();
    sftp.queue_file(kept.to_str().unwrap(), "no-such.bin")
        .unwrap();
    sftp.queue_file(out.path().join("d4").to_str().unwrap(), "q4.bin")
        .unwrap();
    let err = sftp.download().unwrap_err();
    assert_eq!(err.code(), 1103, "{err}");
    assert_eq!(std::fs::read(&kept).unwrap(), b"old");
}

/// make_directory, create_file, check_file_exists, rename_file, delete_file,
/// remove_directory, query/update_file_attributes, ReadLink, CopyRemoteData,
/// CopyRemoteFile (via copy-data), GetSpaceInfo, and the connection queries.
#[test]
fn file_operations_and_queries() {
    let sshd = Sshd::start().unwrap();
    let mut sftp = logged_on(&sshd, 3);
    let root = sshd.sftp_root().to_path_buf();
    sftp.make_directory("dir").unwrap();
    assert!(root.join("dir").is_dir());
    sftp.create_file("dir/empty").unwrap();
    assert_eq!(std::fs::read(root.join("dir/empty")).unwrap(), b"");
    assert!(
        sftp.create_file("dir/empty").is_err(),
        "exists, overwrite off"
    );
    sftp.set_remote_file("dir/empty").unwrap();
    assert!(sftp.check_file_exists().unwrap());
    sftp.rename_file("dir/renamed").unwrap();
    assert!(!sftp.check_file_exists().unwrap());
    assert!(root.join("dir/renamed").is_file());

    sshd.write_file("attrs.txt", b"0123456789").unwrap();
    sftp.set_remote_file("attrs.txt").unwrap();
    sftp.query_file_attributes().unwrap();
    assert_eq!(sftp.file_size(), 10);
    assert_eq!(sftp.file_permissions_octal(), "100644");
    assert_eq!(sftp.file_permissions(), 0o100644);
    assert_eq!(sftp.file_type(), 1);
    assert!(!sftp.file_is_dir());
    sftp.set_file_permissions_octal("600").unwrap();
    sftp.set_file_modified_time(1_000_000_000_000).unwrap();
    sftp.set_file_access_time(1_000_000_000_000).unwrap();
    sftp.update_file_attributes().unwrap();
    sftp.query_file_attributes().unwrap();
    assert_eq!(sftp.file_permissions() & 0o777, 0o600);
    assert_eq!(sftp.file_modified_time(), 1_000_000_000_000);

    // Symbolic links: ReadLink, GetSymlinkAttrs.
    std::os::unix::fs::symlink("attrs.txt", root.join("ln")).unwrap();
    assert_eq!(sftp.config("ReadLink=ln").unwrap(), "attrs.txt");
    sftp.set_remote_file("ln").unwrap();
    sftp.query_file_attributes().unwrap();
    assert!(!sftp.file_is_symlink());
    sftp.config("GetSymlinkAttrs=True").unwrap();
    sftp.query_file_attributes().unwrap();
    assert!(sftp.file_is_symlink());

    // Seed example: CopyRemoteData (copy-data is an OpenSSH extension).
    sftp.set_remote_file("attrs.txt").unwrap();
    sftp.set_start_byte(2).unwrap();
    sftp.config("CopyRemoteData=DestFile=copy.txt;Length=5;WriteOffset=3")
        .unwrap();
    assert_eq!(
        std::fs::read(root.join("copy.txt")).unwrap(),
        b"\x00\x00\x0023456"
    );
    sftp.set_start_byte(0).unwrap();
    // CopyRemoteFile without copy-file falls back to copy-data.
    sftp.config("CopyRemoteFile=whole.txt").unwrap();
    assert_eq!(
        std::fs::read(root.join("whole.txt")).unwrap(),
        b"0123456789"
    );
    // CheckFileHash: OpenSSH has no check-file: 1109.
    let lf = tempfile::NamedTempFile::new().unwrap();
    sftp.set_local_file(lf.path().to_str().unwrap()).unwrap();
    assert_eq!(sftp.config("CheckFileHash").unwrap_err().code(), 1109);

    // GetSpaceInfo through statvfs@openssh.com.
    sftp.config("GetSpaceInfo").unwrap();
    let free: u64 = sftp.config("FreeSpace").unwrap().parse().unwrap();
    let total: u64 = sftp.config("TotalSpace").unwrap().parse().unwrap();
    assert!(total > 0 && free <= total);

    assert_eq!(sftp.config("NegotiatedProtocolVersion").unwrap(), "3");
    assert!(
        sftp.config("ServerSSHVersionString")
            .unwrap()
            .starts_with("SSH-2.0-OpenSSH")
    );
    assert_eq!(sftp.config("NegotiatedStrictKex").unwrap(), "True");
    let sha256 = sftp.config("SSHFingerprintSHA256").unwrap();
    assert!(host_fingerprints(&sshd).split(',').any(|f| f == sha256));
    assert_eq!(sftp.config("SSHFingerprintMD5").unwrap().len(), 47);
    assert_eq!(sftp.config("SSHFingerprintSHA1").unwrap().len(), 59);

    sftp.delete_file("whole.txt").unwrap();
    assert!(!root.join("whole.txt").exists());
    sftp.delete_file("dir/renamed").unwrap();
    sftp.remove_directory("dir").unwrap();
    assert!(!root.join("dir").exists());
    assert_eq!(sftp.delete_file("nope").unwrap_err().code(), 1103);
}

/// on_ssh_server_authentication (fingerprint per SSHFingerprintHashAlgorithm, accept),
/// the ssh_accept_server_host_key_* properties, SSHAcceptAnyServerHostKey, on_ssh_status,
/// on_connection_status, on_connected, on_disconnected, on_log with MaskSensitiveData, and
/// the setters refused while connected.
#[test]
fn host_key_and_connection_events() {
    let sshd = Sshd::start().unwrap();
    // No acceptance at all: 1030.
    let mut sftp = client(&sshd);
    sftp.config("SSHAcceptServerHostKeyFingerPrint=").unwrap();
    let err = sftp.ssh_logon("127.0.0.1", sshd.port()).unwrap_err();
    assert_eq!(err.code(), 1030, "{err}");
    assert!(!sftp.connected());

    // The handler sees the key and decides; MD5 fingerprints on request.
    let seen = new_log();
    let s = seen.clone();
    sftp.config("SSHFingerprintHashAlgorithm=MD5").unwrap();
    sftp.on_ssh_server_authentication(move |e| {
        let key = ssh_keys::PublicKey::from_blob(&e.host_key).unwrap();
        assert_eq!(e.fingerprint, key.fingerprint(ssh_keys::HashAlg::Md5).hex());
        s.lock()
            .unwrap()
            .push(format!("{} {}", e.key_algorithm, e.accept));
        e.accept = true;
    });
    let status = new_log();
    let st = status.clone();
    sftp.on_ssh_status(move |e| st.lock().unwrap().push(e.message.clone()));
    let conn = new_log();
    let (c1, c2, c3) = (conn.clone(), conn.clone(), conn.clone());
    sftp.on_connection_status(move |e| {
        c1.lock()
            .unwrap()
            .push(format!("status {} {}", e.connection_event, e.status_code))
    });
    sftp.on_connected(move |e| {
        c2.lock()
            .unwrap()
            .push(format!("connected {} {}", e.status_code, e.description))
    });
    sftp.on_disconnected(move |e| {
        c3.lock()
            .unwrap()
            .push(format!("disconnected {} {}", e.status_code, e.description))
    });
    let logs = new_log();
    let l = logs.clone();
    sftp.on_log(move |e| {
        l.lock()
            .unwrap()
            .push(format!("{} {}", e.log_level, e.message))
    });
    sftp.config("LogLevel=3").unwrap();
    sftp.set_ssh_password("pa55word-secret").unwrap();
    sftp.ssh_logon("127.0.0.1", sshd.port()).unwrap();
    let seen = take(&seen);
    assert_eq!(seen.len(), 1);
    assert!(seen[0].ends_with(" false"), "not pre-accepted: {seen:?}");
    let status = take(&status);
    assert!(
        status
            .iter()
            .any(|m| m.starts_with("Connecting to 127.0.0.1")),
        "{status:?}"
    );
    assert!(
        status.iter().any(|m| m.starts_with("Server host key")),
        "{status:?}"
    );
    let conn_events = take(&conn);
    assert!(
        conn_events.contains(&"status Remote host connection complete 0".to_owned()),
        "{conn_events:?}"
    );
    assert!(
        conn_events.contains(&"connected 0 OK".to_owned()),
        "{conn_events:?}"
    );
    let logs_now = take(&logs);
    assert!(
        logs_now.iter().any(|m| m.contains("********")),
        "{logs_now:?}"
    );
    assert!(
        !logs_now.iter().any(|m| m.contains("pa55word-secret")),
        "masked: {logs_now:?}"
    );

    // Refused while connected, with the seed's codes.
    assert_eq!(sftp.set_ssh_host("x").unwrap_err().code(), 101);
    assert_eq!(sftp.set_ssh_port(2222).unwrap_err().code(), 100);
    assert_eq!(sftp.set_local_port(1).unwrap_err().code(), 106);
    assert_eq!(sftp.set_local_host("127.0.0.1").unwrap_err().code(), 107);
    assert_eq!(
        sftp.ssh_logon("127.0.0.1", sshd.port()).unwrap_err().code(),
        104
    );
    assert_eq!(sftp.local_host(), "127.0.0.1");
    sftp.ssh_logoff().unwrap();
    assert!(take(&conn).contains(&"disconnected 0 OK".to_owned()));

    // MaskSensitiveData=False shows the password in Debug logs.
    sftp.config("MaskSensitiveData=False").unwrap();
    sftp.ssh_logon("127.0.0.1", sshd.port()).unwrap();
    assert!(take(&logs).iter().any(|m| m.contains("pa55word-secret")));
    sftp.disconnect().unwrap();

    // ssh_accept_server_host_key_encoded pre-sets accept.
    let mut sftp = client(&sshd);
    sftp.config("SSHAcceptServerHostKeyFingerPrint=").unwrap();
    let key_line = &sshd.host_public_keys()[0].line;
    let mut hka = sshd
        .host_public_keys()
        .iter()
        .map(|k| k.algorithm.clone())
        .collect::<Vec<_>>();
    hka.truncate(1);
    sftp.config(&format!(
        "SSHPublicKeyAlgorithms={}",
        host_key_algorithms_for(&hka[0])
    ))
    .unwrap();
    sftp.set_ssh_accept_server_host_key_encoded(key_line.as_bytes())
        .unwrap();
    assert!(
        !sftp
            .ssh_accept_server_host_key_fingerprint_sha256()
            .is_empty()
    );
    let pre = new_log();
    let p = pre.clone();
    sftp.on_ssh_server_authentication(move |e| p.lock().unwrap().push(e.accept.to_string()));
    sftp.ssh_logon("127.0.0.1", sshd.port()).unwrap();
    assert_eq!(take(&pre), ["true"]);
    sftp.disconnect().unwrap();

    // SSHAcceptAnyServerHostKey.
    let mut sftp = client(&sshd);
    sftp.config("SSHAcceptServerHostKeyFingerPrint=").unwrap();
    sftp.config("SSHAcceptAnyServerHostKey=Yes").unwrap();
    sftp.ssh_logon("127.0.0.1", sshd.port()).unwrap();
    assert!(sftp.connected());
}

/// The host key algorithms that select a key of `key_algorithm`'s type.
fn host_key_algorithms_for(key_algorithm: &str) -> String {
    match key_algorithm {
        "ssh-rsa" => "rsa-sha2-512,rsa-sha2-256".to_owned(),
        other => other.to_owned(),
    }
}

/// interrupt from on_transfer through the interrupt handle; the connection stays usable.
#[test]
fn interrupt_stops_a_transfer() {
    let sshd = Sshd::start().unwrap();
    sshd.write_file("big.bin", data(2_000_000, 3)).unwrap();
    let mut sftp = logged_on(&sshd, 3);
    let handle = sftp.interrupt_handle();
    sftp.on_transfer(move |e| {
        if e.bytes_transferred > 100_000 {
            handle.interrupt();
        }
    });
    let out = tempfile::tempdir().unwrap();
    sftp.set_local_file(out.path().join("big").to_str().unwrap())
        .unwrap();
    sftp.set_remote_file("big.bin").unwrap();
    let err = sftp.download().unwrap_err();
    assert_eq!(*err.kind(), sftpclient::ErrorKind::Cancelled, "{err}");
    assert!(std::fs::metadata(out.path().join("big")).unwrap().len() < 2_000_000);
    // interrupt() between methods does nothing; the session still works.
    sftp.interrupt().unwrap();
    sftp.on_transfer(|_| {});
    sftp.set_overwrite(true).unwrap();
    sftp.download().unwrap();
    assert_eq!(
        std::fs::read(out.path().join("big")).unwrap(),
        data(2_000_000, 3)
    );
}

/// Auto-logon: list_directory and friends log on when no session is in place; methods
/// without auto-logon say so; check_file_exists is false without a session.
#[test]
fn auto_logon_and_not_connected() {
    let sshd = Sshd::start().unwrap();
    sshd.write_file("f", b"x").unwrap();
    let mut sftp = client(&sshd);
    sftp.set_remote_file("f").unwrap();
    assert!(!sftp.check_file_exists().unwrap());
    assert_eq!(sftp.query_file_attributes().unwrap_err().code(), 212);
    assert_eq!(sftp.change_remote_path("x").unwrap_err().code(), 212);
    sftp.list_directory().unwrap();
    assert!(sftp.connected());
    assert_eq!(sftp.dir_list_count(), 1);
    assert!(sftp.check_file_exists().unwrap());
    sftp.do_events().unwrap();
    sftp.reset().unwrap();
    assert!(!sftp.connected());
    assert_eq!(sftp.ssh_host(), "");
    assert_eq!(sftp.ssh_port(), 22);
}

/// Keyboard-interactive (ssh_auth_mode 4) through on_ssh_keyboard_interactive.
#[test]
fn keyboard_interactive_event() {
    let sshd = Sshd::start().unwrap();
    let Some(password) = sshd.password_or_skip("keyboard_interactive_event") else {
        return;
    };
    let password = password.to_owned();
    let mut sftp = client(&sshd);
    sftp.set_ssh_auth_mode(4).unwrap();
    let prompts = new_log();
    let p = prompts.clone();
    sftp.on_ssh_keyboard_interactive(move |e| {
        p.lock()
            .unwrap()
            .push(format!("{}|{}", e.prompt, e.echo_response));
        e.response = password.clone();
    });
    sftp.ssh_logon("127.0.0.1", sshd.port()).unwrap();
    let prompts = take(&prompts);
    assert!(
        prompts
            .iter()
            .any(|p| p.to_lowercase().contains("password") && p.ends_with("|false")),
        "{prompts:?}"
    );
}

/// amCustom (99): on_ssh_custom_auth builds a password USERAUTH_REQUEST with
/// set_ssh_param + encode_packet, reading the server's packets with decode_packet +
/// get_ssh_param.
#[test]
fn custom_auth_event() {
    let sshd = Sshd::start().unwrap();
    let Some(password) = sshd.password_or_skip("custom_auth_event") else {
        return;
    };
    let (user, password) = (sshd.user().to_owned(), password.to_owned());
    let mut sftp = client(&sshd);
    sftp.set_ssh_auth_mode(99).unwrap();
    let helper = SftpClient::new();
    let seen = new_log();
    let s = seen.clone();
    sftp.on_ssh_custom_auth(move |e| {
        let packet = helper.decode_packet(&e.packet).unwrap();
        // SERVICE_ACCEPT (6) first, then USERAUTH_FAILURE (51) after a failed try.
        s.lock().unwrap().push(packet[0].to_string());
        let mut p = helper.set_ssh_param(&[], "b", "50").unwrap();
        for (t, v) in [
            ("s", user.as_str()),
            ("s", "ssh-connection"),
            ("s", "password"),
            ("f", "False"),
            ("s", password.as_str()),
        ] {
            p = helper.set_ssh_param(&p, t, v).unwrap();
        }
        e.packet = helper.encode_packet(&p).unwrap();
    });
    sftp.ssh_logon("127.0.0.1", sshd.port()).unwrap();
    assert!(sftp.connected());
    assert_eq!(take(&seen), ["6"]);
}

/// SSH settings reach the transport: algorithm lists (and their refusal when nothing is
/// implemented), ClientSSHVersionString, SSHVersionPattern, UseStrictKeyExchange, rekey
/// threshold, keepalives, window and packet sizes, DH group size, close behaviour.
#[test]
fn ssh_settings_reach_the_transport() {
    let sshd = Sshd::builder()
        .kex_algorithms("+diffie-hellman-group-exchange-sha256")
        .start()
        .unwrap();
    sshd.write_file("f.bin", data(400_000, 9)).unwrap();
    let mut sftp = client(&sshd);
    sftp.set_ssh_encryption_algorithms("arcfour,3des-ctr")
        .unwrap();
    assert_eq!(
        sftp.ssh_logon("127.0.0.1", sshd.port()).unwrap_err().code(),
        1003
    );
    sftp.set_ssh_encryption_algorithms("arcfour,aes128-gcm@openssh.com")
        .unwrap();
    sftp.set_ssh_compression_algorithms("zlib,none").unwrap();
    sftp.config("SSHKeyExchangeAlgorithms=diffie-hellman-group-exchange-sha256")
        .unwrap();
    sftp.config("PreferredDHGroupBits=2048").unwrap();
    sftp.config("SSHMacAlgorithms=hmac-sha2-512").unwrap();
    sftp.config("SSHPublicKeyAlgorithms=ssh-ed25519").unwrap();
    sftp.config("ClientSSHVersionString=SSH-2.0-SeedPort_1.0")
        .unwrap();
    sftp.config("UseStrictKeyExchange=0").unwrap();
    sftp.config("KeyRenegotiationThreshold=65536").unwrap();
    sftp.config("SSHKeepAliveInterval=1").unwrap();
    sftp.config("SSHKeepAliveCountMax=5").unwrap();
    sftp.config("MaxWindowSize=1048576").unwrap();
    sftp.config("MaxPacketSize=16384").unwrap();
    sftp.config("MaxFileData=14745").unwrap();
    sftp.config("MaxOutstandingPackets=4").unwrap();
    sftp.config("WaitForChannelClose=False").unwrap();
    sftp.config("WaitForServerDisconnect=True").unwrap();
    sftp.config("SSHPubKeyAuthSigAlgorithms=ssh-ed25519")
        .unwrap();
    sftp.ssh_logon("127.0.0.1", sshd.port()).unwrap();
    assert_eq!(sftp.config("NegotiatedStrictKex").unwrap(), "False");
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    sftp.on_transfer(move |e| g.lock().unwrap().extend_from_slice(&e.text));
    sftp.set_remote_file("f.bin").unwrap();
    sftp.download().unwrap();
    assert_eq!(
        *got.lock().unwrap(),
        data(400_000, 9),
        "across several rekeys"
    );
    assert!(
        sftp.config("MaxWindowSize=1024").is_err(),
        "only grows while connected"
    );
    sftp.ssh_logoff().unwrap();
    let log = sshd.log();
    assert!(
        log.contains("SeedPort_1.0"),
        "client version in the server log"
    );
    assert!(
        log.contains("aes128-gcm@openssh.com"),
        "cipher in the server log"
    );
    // A version pattern the server does not match: 1002.
    let mut sftp = client(&sshd);
    sftp.config("SSHVersionPattern=*SSH-2.0-NotOpenSSH*")
        .unwrap();
    assert_eq!(
        sftp.ssh_logon("127.0.0.1", sshd.port()).unwrap_err().code(),
        1002
    );
    // AsyncTransfer=False still transfers (one request at a time).
    let mut sftp = client(&sshd);
    sftp.config("AsyncTransfer=False").unwrap();
    sftp.ssh_logon("127.0.0.1", sshd.port()).unwrap();
    let out = tempfile::tempdir().unwrap();
    sftp.set_local_file(out.path().join("f").to_str().unwrap())
        .unwrap();
    sftp.set_remote_file("f.bin").unwrap();
    sftp.download().unwrap();
    assert_eq!(
        std::fs::read(out.path().join("f")).unwrap(),
        data(400_000, 9)
    );
}

/// SFTP transfer settings: PreserveFileTime, UseFxpStat=False (percent -1),
/// LogSFTPFileData, RealTimeUpload, NormalizeRemotePath, AllowBackslashInName.
#[test]
fn sftp_transfer_settings() {
    let sshd = Sshd::start().unwrap();
    sshd.create_dir("d/e").unwrap();
    let mut sftp = logged_on(&sshd, 3);
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("old.txt");
    std::fs::write(&src, b"old contents").unwrap();
    let t2001 = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    std::fs::File::options()
        .write(true)
        .open(&src)
        .unwrap()
        .set_modified(t2001)
        .unwrap();
    sftp.config("PreserveFileTime=True").unwrap();
    sftp.set_local_file(src.to_str().unwrap()).unwrap();
    sftp.set_remote_file("old.txt").unwrap();
    sftp.upload().unwrap();
    let remote_mtime = std::fs::metadata(sshd.sftp_root().join("old.txt"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(remote_mtime, t2001);
    let back = local.path().join("back.txt");
    sftp.set_local_file(back.to_str().unwrap()).unwrap();
    sftp.download().unwrap();
    assert_eq!(std::fs::metadata(&back).unwrap().modified().unwrap(), t2001);

    // UseFxpStat=False: no size, percent_done -1; LogSFTPFileData logs the data.
    sftp.config("UseFxpStat=False").unwrap();
    sftp.config("LogSFTPFileData=True").unwrap();
    sftp.config("LogLevel=3").unwrap();
    let pct = new_log();
    let p = pct.clone();
    sftp.on_transfer(move |e| p.lock().unwrap().push(e.percent_done.to_string()));
    let logs = new_log();
    let l = logs.clone();
    sftp.on_log(move |e| {
        l.lock()
            .unwrap()
            .push(format!("{} {}", e.log_type, e.message))
    });
    sftp.set_local_file("").unwrap();
    sftp.download().unwrap();
    assert!(take(&pct).iter().all(|p| p == "-1"));
    assert!(take(&logs).contains(&"Data old contents".to_owned()));
    sftp.config("UseFxpStat=True").unwrap();
    sftp.config("LogLevel=1").unwrap();

    // RealTimeUpload: the file keeps growing while it is uploaded.
    let growing = local.path().join("growing.log");
    std::fs::write(&growing, b"line 0\n").unwrap();
    let writer_path = growing.clone();
    let writer = std::thread::spawn(move || {
        for i in 1..=5 {
            std::thread::sleep(std::time::Duration::from_millis(100));
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&writer_path)
                .unwrap();
            std::io::Write::write_all(&mut f, format!("line {i}\n").as_bytes()).unwrap();
        }
    });
    sftp.config("RealTimeUpload=True").unwrap();
    sftp.config("RealTimeUploadAgeLimit=1").unwrap();
    sftp.set_local_file(growing.to_str().unwrap()).unwrap();
    sftp.set_remote_file("growing.log").unwrap();
    sftp.upload().unwrap();
    writer.join().unwrap();
    assert_eq!(
        std::fs::read(sshd.sftp_root().join("growing.log")).unwrap(),
        std::fs::read(&growing).unwrap()
    );
    sftp.config("RealTimeUpload=False").unwrap();

    // Backslashes are path separators unless AllowBackslashInName; lexical paths with
    // NormalizeRemotePath=False.
    let root = sftp.remote_path();
    sftp.change_remote_path("d\\e").unwrap();
    assert_eq!(sftp.remote_path(), format!("{root}/d/e"));
    sftp.config("NormalizeRemotePath=False").unwrap();
    sftp.change_remote_path("../../d/./e/..").unwrap();
    assert_eq!(sftp.remote_path(), format!("{root}/d"));
    sftp.config("AllowBackslashInName=True").unwrap();
    assert!(
        sftp.change_remote_path("e\\..").is_err(),
        "a name with a backslash"
    );
}

/// PasswordPrompt fills keyboard-interactive prompts with ssh_password when no handler
/// answers them; multi-factor (1) with DoNotRepeatAuthMethods and
/// TryAllAvailableAuthMethods.
#[test]
fn password_prompt_and_multi_factor() {
    let sshd = Sshd::start().unwrap();
    let Some(password) = sshd.password_or_skip("password_prompt_and_multi_factor") else {
        return;
    };
    let mut sftp = client(&sshd);
    sftp.set_ssh_auth_mode(4).unwrap();
    sftp.set_ssh_password(password).unwrap();
    sftp.config("PasswordPrompt=Pass*:").unwrap();
    let seen = new_log();
    let s = seen.clone();
    sftp.on_ssh_keyboard_interactive(move |e| {
        s.lock().unwrap().push(e.response.is_empty().to_string())
    });
    sftp.ssh_logon("127.0.0.1", sshd.port()).unwrap();
    assert!(
        take(&seen).contains(&"false".to_owned()),
        "pre-filled response"
    );
    sftp.ssh_logoff().unwrap();
    let mut sftp = client(&sshd);
    sftp.set_ssh_auth_mode(1).unwrap();
    sftp.set_ssh_password(password).unwrap();
    sftp.config("DoNotRepeatAuthMethods=True").unwrap();
    sftp.config("TryAllAvailableAuthMethods=True").unwrap();
    sftp.ssh_logon("127.0.0.1", sshd.port()).unwrap();
    assert!(sftp.connected());
}

/// SSHAcceptServerCAKey: a host certificate signed by that CA is pre-accepted; the event
/// shows the certificate's key id and issuer; another CA's certificate is not.
#[test]
fn host_certificate_and_ssh_accept_server_ca_key() {
    let dir = tempfile::tempdir().unwrap();
    let keygen = |args: &[&str]| {
        let out = std::process::Command::new("ssh-keygen")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ca = dir.path().join("ca");
    let other_ca = dir.path().join("other_ca");
    keygen(&["-q", "-t", "ed25519", "-N", "", "-f", ca.to_str().unwrap()]);
    keygen(&[
        "-q",
        "-t",
        "ed25519",
        "-N",
        "",
        "-f",
        other_ca.to_str().unwrap(),
    ]);
    // The harness uses the same host keys for every server: sign the ed25519 one.
    let probe = Sshd::start().unwrap();
    let host = probe
        .host_public_key(ssh_test::HostKeyType::Ed25519)
        .unwrap()
        .line
        .clone();
    drop(probe);
    let host_pub = dir.path().join("host.pub");
    std::fs::write(&host_pub, format!("{host}\n")).unwrap();
    keygen(&[
        "-q",
        "-s",
        ca.to_str().unwrap(),
        "-I",
        "host-id",
        "-h",
        "-n",
        "127.0.0.1",
        host_pub.to_str().unwrap(),
    ]);
    let cert = dir.path().join("host-cert.pub");
    let sshd = Sshd::builder()
        .extra_config(format!("HostCertificate {}", cert.display()))
        .start()
        .unwrap();
    let ca_line = std::fs::read_to_string(ca.with_extension("pub")).unwrap();
    let other_line = std::fs::read_to_string(other_ca.with_extension("pub")).unwrap();
    for (ca_key, ok) in [(ca_line, true), (other_line, false)] {
        let mut sftp = client(&sshd);
        sftp.config("SSHAcceptServerHostKeyFingerPrint=").unwrap();
        sftp.config("SSHPublicKeyAlgorithms=ssh-ed25519-cert-v01@openssh.com")
            .unwrap();
        sftp.config(&format!("SSHAcceptServerCAKey={}", ca_key.trim()))
            .unwrap();
        let seen = new_log();
        let s = seen.clone();
        sftp.on_ssh_server_authentication(move |e| {
            s.lock().unwrap().push(format!(
                "{} {} {}",
                e.key_algorithm, e.cert_subject, e.accept
            ));
        });
        let r = sftp.ssh_logon("127.0.0.1", sshd.port());
        let seen = take(&seen);
        if ok {
            r.unwrap();
            assert_eq!(seen, ["ssh-ed25519-cert-v01@openssh.com host-id true"]);
        } else {
            assert_eq!(r.unwrap_err().code(), 1030);
            assert_eq!(seen, ["ssh-ed25519-cert-v01@openssh.com host-id false"]);
        }
    }
}

/// SignedSSHCert: a key that is not in authorized_keys logs on with a certificate from a
/// CA the server trusts (TrustedUserCAKeys); without the certificate it is refused.
#[test]
fn signed_ssh_cert_authentication() {
    let dir = tempfile::tempdir().unwrap();
    let keygen = |args: &[&str]| {
        let out = std::process::Command::new("ssh-keygen")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ca = dir.path().join("user_ca");
    let key = dir.path().join("id_cert");
    keygen(&["-q", "-t", "ed25519", "-N", "", "-f", ca.to_str().unwrap()]);
    keygen(&[
        "-q",
        "-t",
        "rsa",
        "-b",
        "2048",
        "-N",
        "",
        "-f",
        key.to_str().unwrap(),
    ]);
    let sshd = Sshd::builder()
        .trusted_user_ca_keys(ca.with_extension("pub"))
        .start()
        .unwrap();
    keygen(&[
        "-q",
        "-s",
        ca.to_str().unwrap(),
        "-I",
        "alice-cert",
        "-n",
        sshd.user(),
        key.with_extension("pub").to_str().unwrap(),
    ]);
    let cert_line = std::fs::read_to_string(dir.path().join("id_cert-cert.pub")).unwrap();
    let mut sftp = client(&sshd);
    sftp.set_ssh_cert_store_type(6).unwrap();
    sftp.set_ssh_cert_store(key.to_str().unwrap()).unwrap();
    sftp.set_ssh_cert_subject("*").unwrap();
    assert_eq!(
        sftp.ssh_logon("127.0.0.1", sshd.port()).unwrap_err().code(),
        1032
    );
    // The seed names the certificate by an RSA certificate algorithm.
    let b64 = cert_line.split_whitespace().nth(1).unwrap();
    sftp.config(&format!(
        "SignedSSHCert=rsa-sha2-256-cert-v01@openssh.com {b64}"
    ))
    .unwrap();
    sftp.ssh_logon("127.0.0.1", sshd.port()).unwrap();
    assert!(sftp.connected());
}

#[test]
fn ssh_key_renegotiate_rekeys_and_the_session_keeps_working() {
    let sshd = Sshd::start().unwrap();
    let mut c = logged_on(&sshd, 3);
    sshd.write_file("before.bin", data(300_000, 1)).unwrap();
    // Twice: each call waits until the new keys are in use.
    c.config("SSHKeyRenegotiate").unwrap();
    c.config("SSHKeyRenegotiate").unwrap();
    c.set_remote_file("before.bin").unwrap();
    c.set_local_file("").unwrap();
    let mut got = Vec::new();
    let sink = Arc::new(Mutex::new(Vec::new()));
    let s = sink.clone();
    c.on_transfer(move |e| s.lock().unwrap().extend_from_slice(&e.text));
    c.download().unwrap();
    got.extend_from_slice(&sink.lock().unwrap());
    assert!(got == data(300_000, 1), "download after rekeys");
    // The server logs our NEWKEYS when it processes it, possibly just after our call
    // returned: give its log a moment.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while sshd.log().matches("SSH2_MSG_NEWKEYS received").count() < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "expected the initial exchange and two re-exchanges in the server log"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
