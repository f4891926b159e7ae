//! The SftpClient surface against the Green End SFTP server at every version, 3 to 6.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod component_support;

use component_support::{
    client, custom_auth_logon, data, drive_every_event, logged_on, new_log, record_every_event,
    take,
};
use ssh_test::{SftpServer, Sshd};

/// Every method that touches the server, at v3, v4, v5 and v6 on one server.
#[test]
fn methods_at_every_version() {
    let sshd = Sshd::start_with(SftpServer::GreenEnd).unwrap();
    let local = tempfile::tempdir().unwrap();
    for version in 3..=6u32 {
        let dir = format!("v{version}");
        sshd.create_dir(&dir).unwrap();
        let mut sftp = logged_on(&sshd, version);
        assert_eq!(
            sftp.config("NegotiatedProtocolVersion").unwrap(),
            version.to_string()
        );
        sftp.change_remote_path(&dir).unwrap();
        assert!(
            sftp.remote_path().ends_with(&format!("/{dir}")),
            "{}",
            sftp.remote_path()
        );

        // upload / download through on_transfer.
        let payload = data(150_000, version);
        let src = local.path().join(format!("src{version}"));
        std::fs::write(&src, &payload).unwrap();
        sftp.set_local_file(src.to_str().unwrap()).unwrap();
        sftp.set_remote_file("f.bin").unwrap();
        sftp.upload().unwrap();
        let on_disk = sshd.sftp_root().join(&dir).join("f.bin");
        assert_eq!(std::fs::read(&on_disk).unwrap(), payload, "v{version}");
        let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let g = got.clone();
        sftp.on_transfer(move |e| g.lock().unwrap().extend_from_slice(&e.text));
        sftp.set_local_file("").unwrap();
        sftp.download().unwrap();
        assert_eq!(*got.lock().unwrap(), payload, "v{version}");
        sftp.on_transfer(|_| {});

        // Listing with a mask and on_dir_list.
        sftp.create_file("g.txt").unwrap();
        sftp.make_directory("sub").unwrap();
        let listed = new_log();
        let l = listed.clone();
        sftp.on_dir_list(move |e| {
            let size = if e.is_dir { 0 } else { e.file_size };
            l.lock()
                .unwrap()
                .push(format!("{} {} {size}", e.file_name, e.is_dir));
        });
        sftp.set_remote_file("*.bin").unwrap();
        sftp.list_directory().unwrap();
        assert_eq!(take(&listed), ["f.bin false 150000"], "v{version}");
        sftp.set_remote_file("").unwrap();
        sftp.list_directory().unwrap();
        let mut all = take(&listed);
        all.sort();
        assert_eq!(
            all,
            ["f.bin false 150000", "g.txt false 0", "sub true 0"],
            "v{version}"
        );
        assert!(!sftp.dir_list_entry(0).is_empty());

        // Attributes.
        sftp.set_remote_file("f.bin").unwrap();
        sftp.query_file_attributes().unwrap();
        assert_eq!(sftp.file_size(), 150_000);
        assert_eq!(sftp.file_type(), 1);
        sftp.set_file_permissions(0o640).unwrap();
        sftp.set_file_modified_time(1_200_000_000_000).unwrap();
        sftp.update_file_attributes().unwrap();
        sftp.query_file_attributes().unwrap();
        assert_eq!(sftp.file_permissions() & 0o777, 0o640, "v{version}");
        assert_eq!(sftp.file_modified_time(), 1_200_000_000_000, "v{version}");
        if version >= 4 {
            assert!(!sftp.file_owner_id().is_empty());
            assert!(!sftp.file_group_id().is_empty());
        }
        assert!(sftp.file_access_time() > 0);
        assert_eq!(sftp.file_acl(), "", "no ACL sent");
        assert!(!sftp.file_is_symlink());
        if version == 6 {
            // Green End sends attrib-bits-valid at v6; no allocation size or creation time.
            assert_ne!(sftp.file_attribute_bits_valid(), 0);
            assert_eq!(
                sftp.file_attribute_bits() & !sftp.file_attribute_bits_valid(),
                0
            );
        }
        assert_eq!(sftp.file_allocation_size(), 0);
        assert_eq!(sftp.file_creation_time(), 0);

        // rename, delete, rmdir, check_file_exists.
        sftp.set_remote_file("g.txt").unwrap();
        sftp.rename_file("h.txt").unwrap();
        assert!(!sftp.check_file_exists().unwrap());
        sftp.set_remote_file("h.txt").unwrap();
        assert!(sftp.check_file_exists().unwrap());
        sftp.delete_file("h.txt").unwrap();
        sftp.remove_directory("sub").unwrap();
        assert!(!sshd.sftp_root().join(&dir).join("sub").exists());

        // Ranges and resume.
        let mut buf = [0u8; 10];
        assert_eq!(
            sftp.download_range("", "f.bin", 100, 10, &mut buf).unwrap(),
            10
        );
        assert_eq!(&buf, &payload[100..110]);
        sftp.upload_range(&sftp.remote_path(), "f.bin", 0, 4, b"ABCD")
            .unwrap();
        assert_eq!(&std::fs::read(&on_disk).unwrap()[..4], b"ABCD");

        // GetSpaceInfo: statvfs@openssh.com or space-available.
        sftp.config("GetSpaceInfo").unwrap();
        assert!(sftp.config("TotalSpace").unwrap().parse::<u64>().unwrap() > 0);
        // No check-file, copy-file or copy-data here.
        sftp.set_local_file(src.to_str().unwrap()).unwrap();
        sftp.set_remote_file("f.bin").unwrap();
        assert_eq!(sftp.config("CheckFileHash").unwrap_err().code(), 1109);
        assert!(sftp.config("CopyRemoteFile=copy.bin").is_err());
        sftp.ssh_logoff().unwrap();
    }
}

/// TransferMode=1 (ASCII): LocalEOL CrLf against the server's LF (from the `newline`
/// extension at v4+, ServerEOL at v3).
#[test]
fn ascii_mode_converts_line_endings() {
    let sshd = Sshd::start_with(SftpServer::GreenEnd).unwrap();
    let local = tempfile::tempdir().unwrap();
    for version in [3u32, 6] {
        let mut sftp = logged_on(&sshd, version);
        sftp.config("TransferMode=1").unwrap();
        sftp.config("LocalEOL=\"CrLf\"").unwrap();
        sftp.config("ServerEOL=\"Lf\"").unwrap();
        sftp.set_overwrite(true).unwrap();
        let src = local.path().join("dos.txt");
        std::fs::write(&src, b"one\r\ntwo\r\nthree").unwrap();
        sftp.set_local_file(src.to_str().unwrap()).unwrap();
        sftp.set_remote_file("unix.txt").unwrap();
        sftp.upload().unwrap();
        assert_eq!(
            std::fs::read(sshd.sftp_root().join("unix.txt")).unwrap(),
            b"one\ntwo\nthree"
        );
        let back = local.path().join("back.txt");
        sftp.set_local_file(back.to_str().unwrap()).unwrap();
        sftp.download().unwrap();
        assert_eq!(
            std::fs::read(&back).unwrap(),
            b"one\r\ntwo\r\nthree",
            "v{version}"
        );
    }
}

/// Every one of the 13 events at v3, v4, v5 and v6: keyboard-interactive logon (host key,
/// SSH status, connection status, connected, log), upload, download, listing, a failing
/// download (on_error), logoff (disconnected); then an amCustom logon through
/// on_ssh_custom_auth.
#[test]
fn events_at_every_version() {
    let sshd = Sshd::start_with(SftpServer::GreenEnd).unwrap();
    let Some(password) = sshd.password_or_skip("greenend events_at_every_version") else {
        return;
    };
    let local = tempfile::tempdir().unwrap();
    for version in 3..=6u32 {
        let mut sftp = client(&sshd);
        sftp.config(&format!("ProtocolVersion={version}")).unwrap();
        sftp.config("LogLevel=2").unwrap();
        sftp.set_ssh_auth_mode(4).unwrap();
        let events = record_every_event(&mut sftp, password);
        sftp.ssh_logon("127.0.0.1", sshd.port()).unwrap();
        assert_eq!(
            sftp.config("NegotiatedProtocolVersion").unwrap(),
            version.to_string()
        );
        drive_every_event(&mut sftp, &events, version, sshd.sftp_root(), local.path());

        let mut custom = client(&sshd);
        custom
            .config(&format!("ProtocolVersion={version}"))
            .unwrap();
        // SERVICE_ACCEPT (6) only: the first password request succeeds.
        assert_eq!(
            custom_auth_logon(&mut custom, sshd.port(), sshd.user(), password),
            [6],
            "v{version}"
        );
        assert_eq!(
            custom.config("NegotiatedProtocolVersion").unwrap(),
            version.to_string()
        );
        custom.ssh_logoff().unwrap();
    }
}
