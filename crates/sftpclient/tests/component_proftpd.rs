//! The SftpClient surface against ProFTPD mod_sftp (v3–v6), the server with check-file,
//! copy-file and space-available: the seed's CheckFileHash and CopyRemoteFile examples.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod component_support;

use component_support::{
    custom_auth_logon, data, drive_every_event, new_log, record_every_event, take,
};
use sftpclient::SftpClient;
use ssh_keys::{HashAlg, PublicKeyLine};
use ssh_test::Proftpd;

fn start(test: &str) -> Option<Proftpd> {
    match Proftpd::start() {
        Ok(p) => Some(p),
        Err(ssh_test::HarnessError::Setup(why)) => {
            use std::io::Write as _;
            let _ = writeln!(std::io::stderr(), "skipped: {test}: {why}");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

fn client(p: &Proftpd, version: u32) -> SftpClient {
    let fps: Vec<String> = p
        .host_public_key_lines()
        .iter()
        .map(|l| {
            PublicKeyLine::parse(l)
                .unwrap()
                .key
                .fingerprint(HashAlg::Sha256)
                .hex()
        })
        .collect();
    let mut c = SftpClient::new();
    c.set_ssh_user(p.user()).unwrap();
    c.set_timeout(20).unwrap();
    c.config(&format!(
        "SSHAcceptServerHostKeyFingerPrint={}",
        fps.join(",")
    ))
    .unwrap();
    c.config(&format!("ProtocolVersion={version}")).unwrap();
    c.set_ssh_auth_mode(3).unwrap();
    c.set_ssh_cert_store_type(99).unwrap();
    c.set_ssh_cert_store(p.client_key_path().to_str().unwrap())
        .unwrap();
    c.set_ssh_cert_subject("*").unwrap();
    c
}

/// Seed example: CheckFileHash after an upload; a changed local file gives 1109.
#[test]
fn seed_example_check_file_hash() {
    let Some(p) = start("seed_example_check_file_hash") else {
        return;
    };
    let local = tempfile::tempdir().unwrap();
    let file = local.path().join("data.bin");
    std::fs::write(&file, data(100_000, 7)).unwrap();
    // v6 advertises check-file in supported2; where it is not advertised the request is
    // tried anyway.
    for version in [3u32, 4, 5, 6] {
        std::fs::write(&file, data(100_000, 7)).unwrap();
        let mut sftp = client(&p, version);
        sftp.ssh_logon("127.0.0.1", p.port()).unwrap();
        sftp.set_local_file(file.to_str().unwrap()).unwrap();
        sftp.set_remote_file("data.bin").unwrap();
        sftp.set_overwrite(true).unwrap();
        sftp.upload().unwrap();
        assert_eq!(sftp.config("CheckFileHash").unwrap(), "True", "v{version}");
        std::fs::write(&file, data(100_000, 8)).unwrap();
        let err = sftp.config("CheckFileHash").unwrap_err();
        assert_eq!(err.code(), 1109, "{err}");
        assert!(err.description().contains("mismatch"), "{err}");
    }
}

/// Seed example: CopyRemoteFile (copy-file, server side), with overwrite honoured.
#[test]
fn seed_example_copy_remote_file() {
    let Some(p) = start("seed_example_copy_remote_file") else {
        return;
    };
    p.write_file("src.txt", b"copy me").unwrap();
    p.write_file("taken.txt", b"keep").unwrap();
    let mut sftp = client(&p, 6);
    sftp.ssh_logon("127.0.0.1", p.port()).unwrap();
    sftp.set_remote_file("src.txt").unwrap();
    sftp.config("CopyRemoteFile=/dst.txt").unwrap();
    assert_eq!(
        std::fs::read(p.sftp_root().join("dst.txt")).unwrap(),
        b"copy me"
    );
    assert!(sftp.config("CopyRemoteFile=taken.txt").is_err());
    assert_eq!(
        std::fs::read(p.sftp_root().join("taken.txt")).unwrap(),
        b"keep"
    );
    sftp.set_overwrite(true).unwrap();
    sftp.config("CopyRemoteFile=taken.txt").unwrap();
    assert_eq!(
        std::fs::read(p.sftp_root().join("taken.txt")).unwrap(),
        b"copy me"
    );
}

/// The methods and events at every version; password logon; GetSpaceInfo.
#[test]
fn methods_at_every_version() {
    let Some(p) = start("proftpd methods_at_every_version") else {
        return;
    };
    let local = tempfile::tempdir().unwrap();
    // ProFTPD sends ATTRS with EXTENDED and a zero count at v3 (every ATTRS) and v6
    // (READDIR): the session's default quirks accept them, so every version runs.
    for version in 3..=6u32 {
        let mut sftp = client(&p, version);
        if version == 4 {
            // Password logon, as in the seed's first example.
            sftp.set_ssh_auth_mode(2).unwrap();
            sftp.set_ssh_password(p.password()).unwrap();
        }
        let events = new_log();
        let e = events.clone();
        sftp.on_connected(move |ev| {
            e.lock()
                .unwrap()
                .push(format!("connected {}", ev.status_code))
        });
        sftp.ssh_logon("127.0.0.1", p.port()).unwrap();
        assert_eq!(take(&events), ["connected 0"]);
        assert_eq!(
            sftp.config("NegotiatedProtocolVersion").unwrap(),
            version.to_string()
        );
        assert_eq!(sftp.remote_path(), "/", "chroot");
        let dir = format!("v{version}");
        sftp.make_directory(&dir).unwrap();
        sftp.change_remote_path(&dir).unwrap();
        assert_eq!(sftp.remote_path(), format!("/{dir}"));

        let payload = data(120_000, version);
        let src = local.path().join(format!("s{version}"));
        std::fs::write(&src, &payload).unwrap();
        sftp.set_local_file(src.to_str().unwrap()).unwrap();
        sftp.set_remote_file("f.bin").unwrap();
        sftp.upload().unwrap();
        assert_eq!(
            std::fs::read(p.sftp_root().join(&dir).join("f.bin")).unwrap(),
            payload
        );
        let back = local.path().join(format!("b{version}"));
        sftp.set_local_file(back.to_str().unwrap()).unwrap();
        sftp.download().unwrap();
        assert_eq!(std::fs::read(&back).unwrap(), payload);

        let listed = new_log();
        let l = listed.clone();
        sftp.on_dir_list(move |ev| l.lock().unwrap().push(ev.file_name.clone()));
        sftp.set_remote_file("*.bin").unwrap();
        sftp.list_directory().unwrap();
        assert_eq!(take(&listed), ["f.bin"]);

        sftp.set_remote_file("f.bin").unwrap();
        sftp.query_file_attributes().unwrap();
        assert_eq!(sftp.file_size(), 120_000);
        sftp.set_file_permissions(0o600).unwrap();
        sftp.update_file_attributes().unwrap();
        sftp.query_file_attributes().unwrap();
        assert_eq!(sftp.file_permissions() & 0o777, 0o600, "v{version}");

        sftp.rename_file("g.bin").unwrap();
        sftp.set_remote_file("g.bin").unwrap();
        assert!(sftp.check_file_exists().unwrap());
        sftp.config("GetSpaceInfo").unwrap();
        assert!(sftp.config("TotalSpace").unwrap().parse::<u64>().unwrap() > 0);
        sftp.delete_file("g.bin").unwrap();
        sftp.change_remote_path("..").unwrap();
        sftp.remove_directory(&dir).unwrap();
        sftp.ssh_logoff().unwrap();
    }
}

/// Every one of the 13 events at v3, v4, v5 and v6: keyboard-interactive logon (host key,
/// SSH status, connection status, connected, log), upload, download, listing, a failing
/// download (on_error), logoff (disconnected); then an amCustom logon through
/// on_ssh_custom_auth.
#[test]
fn events_at_every_version() {
    let Some(p) = start("proftpd events_at_every_version") else {
        return;
    };
    // Keyboard-interactive goes through mod_sftp_pam (PAM service `sftp`, so `other`:
    // pam_unix), which checks the system account's password, not the one in ProFTPD's own
    // user file. The harness hands that password out through an Sshd (same system user).
    let sshd = ssh_test::Sshd::start().unwrap();
    let Some(system_password) = sshd.password_or_skip("proftpd events_at_every_version") else {
        return;
    };
    let local = tempfile::tempdir().unwrap();
    for version in 3..=6u32 {
        let mut sftp = client(&p, version);
        sftp.config("LogLevel=2").unwrap();
        sftp.set_ssh_auth_mode(4).unwrap();
        let events = record_every_event(&mut sftp, system_password);
        sftp.ssh_logon("127.0.0.1", p.port()).unwrap();
        assert_eq!(
            sftp.config("NegotiatedProtocolVersion").unwrap(),
            version.to_string()
        );
        drive_every_event(&mut sftp, &events, version, p.sftp_root(), local.path());

        let mut custom = client(&p, version);
        // SERVICE_ACCEPT (6) only: the first password request succeeds.
        assert_eq!(
            custom_auth_logon(&mut custom, p.port(), p.user(), p.password()),
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
