//! Shared setup for the SftpClient surface tests.

// Test helpers outside #[test] functions are not covered by clippy.toml's allow-in-tests.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use std::sync::{Arc, Mutex};

use sftpclient::SftpClient;
use ssh_keys::{HashAlg, PublicKeyLine};
use ssh_test::Sshd;

/// The server's host key fingerprints (SHA-256, colon hex), comma-separated.
pub fn host_fingerprints(sshd: &Sshd) -> String {
    sshd.host_public_keys()
        .iter()
        .map(|k| {
            PublicKeyLine::parse(&k.line)
                .unwrap()
                .key
                .fingerprint(HashAlg::Sha256)
                .hex()
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A client for `sshd` that trusts its host keys and logs on with the harness's client
/// key (public key authentication works as any user).
pub fn client(sshd: &Sshd) -> SftpClient {
    let mut c = SftpClient::new();
    c.set_ssh_host("127.0.0.1").unwrap();
    c.set_ssh_port(sshd.port()).unwrap();
    c.set_ssh_user(sshd.user()).unwrap();
    c.set_timeout(20).unwrap();
    c.config(&format!(
        "SSHAcceptServerHostKeyFingerPrint={}",
        host_fingerprints(sshd)
    ))
    .unwrap();
    c.set_ssh_auth_mode(3).unwrap();
    c.set_ssh_cert_store_type(99).unwrap();
    c.set_ssh_cert_store(sshd.client_key_path().to_str().unwrap())
        .unwrap();
    c.set_ssh_cert_subject("*").unwrap();
    c
}

/// A client for `sshd` logged on at SFTP version `version`.
pub fn logged_on(sshd: &Sshd, version: u32) -> SftpClient {
    let mut c = client(sshd);
    c.config(&format!("ProtocolVersion={version}")).unwrap();
    c.ssh_logon("127.0.0.1", sshd.port()).unwrap();
    c
}

/// A shared log of strings, for event handlers.
pub type Log = Arc<Mutex<Vec<String>>>;

pub fn new_log() -> Log {
    Arc::new(Mutex::new(Vec::new()))
}

pub fn take(log: &Log) -> Vec<String> {
    std::mem::take(&mut *log.lock().unwrap())
}

/// Deterministic test data.
pub fn data(len: usize, seed: u32) -> Vec<u8> {
    ssh_test::test_data(len, seed)
}

/// Registers a handler for every one of the 13 events; each pushes one tagged line to the
/// returned log. on_ssh_keyboard_interactive answers every prompt with `kbd_password`;
/// on_ssh_server_authentication checks the fingerprint against the key blob.
pub fn record_every_event(sftp: &mut SftpClient, kbd_password: &str) -> Log {
    let log = new_log();
    let l = log.clone();
    sftp.on_connected(move |e| {
        l.lock()
            .unwrap()
            .push(format!("connected {} {}", e.status_code, e.description))
    });
    let l = log.clone();
    sftp.on_connection_status(move |e| {
        l.lock()
            .unwrap()
            .push(format!("status {} {}", e.connection_event, e.status_code))
    });
    let l = log.clone();
    sftp.on_dir_list(move |e| {
        let size = if e.is_dir { 0 } else { e.file_size };
        assert!(!e.dir_entry.is_empty(), "{e:?}");
        assert!(e.dir_entry.contains(&e.file_name), "{e:?}");
        assert!(!e.file_time.is_empty(), "{e:?}");
        l.lock()
            .unwrap()
            .push(format!("dir {} {} {size}", e.file_name, e.is_dir))
    });
    let l = log.clone();
    sftp.on_disconnected(move |e| {
        l.lock()
            .unwrap()
            .push(format!("disconnected {} {}", e.status_code, e.description))
    });
    let l = log.clone();
    sftp.on_start_transfer(move |e| {
        l.lock().unwrap().push(format!(
            "start {} {} {}",
            e.direction, e.local_file, e.remote_file
        ))
    });
    let l = log.clone();
    sftp.on_end_transfer(move |e| {
        l.lock().unwrap().push(format!(
            "end {} {} {}",
            e.direction, e.local_file, e.remote_file
        ))
    });
    let l = log.clone();
    sftp.on_transfer(move |e| {
        l.lock().unwrap().push(format!(
            "transfer {} {} {} {}",
            e.direction, e.remote_file, e.bytes_transferred, e.percent_done
        ))
    });
    let l = log.clone();
    sftp.on_error(move |e| {
        l.lock().unwrap().push(format!(
            "error {} {} {}",
            e.error_code, e.local_file, e.remote_file
        ))
    });
    let l = log.clone();
    sftp.on_log(move |e| {
        assert!((1..=3).contains(&e.log_level), "{e:?}");
        l.lock()
            .unwrap()
            .push(format!("log {} {}", e.log_type, e.message))
    });
    let l = log.clone();
    sftp.on_ssh_custom_auth(move |e| l.lock().unwrap().push(format!("custom {}", e.packet)));
    let l = log.clone();
    let password = kbd_password.to_owned();
    sftp.on_ssh_keyboard_interactive(move |e| {
        l.lock()
            .unwrap()
            .push(format!("kbd {}|{}", e.prompt, e.echo_response));
        e.response = password.clone();
    });
    let l = log.clone();
    sftp.on_ssh_server_authentication(move |e| {
        let key = ssh_keys::PublicKey::from_blob(&e.host_key).unwrap();
        assert_eq!(e.fingerprint, key.fingerprint(HashAlg::Sha256).hex());
        l.lock().unwrap().push(format!(
            "hostkey {} {} {}",
            e.key_algorithm, e.accept, e.fingerprint
        ))
    });
    let l = log.clone();
    sftp.on_ssh_status(move |e| l.lock().unwrap().push(format!("ssh {}", e.message)));
    log
}

/// The lines of `log` that start with `tag` followed by a space, without the tag.
pub fn tagged(log: &[String], tag: &str) -> Vec<String> {
    let prefix = format!("{tag} ");
    log.iter()
        .filter_map(|l| l.strip_prefix(&prefix).map(str::to_owned))
        .collect()
}

/// Drives a logged-on client (registered with [`record_every_event`], logged on with
/// keyboard-interactive) through a listing, an upload, a download, a failing download and
/// a logoff, asserting each of the 13 events fired (on_ssh_custom_auth: not at all in this
/// auth mode) with plausible parameters. `root` is the served directory on disk, which the
/// client starts in.
pub fn drive_every_event(
    sftp: &mut SftpClient,
    events: &Log,
    version: u32,
    root: &std::path::Path,
    local: &std::path::Path,
) {
    let at = format!("v{version}");
    // Logon: host key, SSH status, connection status, keyboard-interactive, connected, log.
    let logon = take(events);
    let hostkeys = tagged(&logon, "hostkey");
    assert_eq!(hostkeys.len(), 1, "{at}: {logon:?}");
    let parts: Vec<&str> = hostkeys[0].split(' ').collect();
    assert_eq!(parts.len(), 3, "{at}: {hostkeys:?}");
    assert!(!parts[0].is_empty(), "{at}: key algorithm");
    assert_eq!(parts[1], "true", "{at}: pre-accepted by fingerprint");
    assert_eq!(parts[2].split(':').count(), 32, "{at}: SHA-256 fingerprint");
    let ssh = tagged(&logon, "ssh");
    assert!(
        ssh.iter().any(|m| m.starts_with("Connecting to 127.0.0.1")),
        "{at}: {ssh:?}"
    );
    assert!(
        ssh.iter().any(|m| m.starts_with("Server host key")),
        "{at}: {ssh:?}"
    );
    assert!(
        tagged(&logon, "status").contains(&"Remote host connection complete 0".to_owned()),
        "{at}: {logon:?}"
    );
    let kbd = tagged(&logon, "kbd");
    assert!(
        kbd.iter()
            .any(|p| p.to_lowercase().contains("password") && p.ends_with("|false")),
        "{at}: {logon:?}"
    );
    assert_eq!(tagged(&logon, "connected"), ["0 OK"], "{at}");
    assert!(!tagged(&logon, "log").is_empty(), "{at}: no log lines");
    assert!(tagged(&logon, "custom").is_empty(), "{at}: {logon:?}");
    assert!(tagged(&logon, "error").is_empty(), "{at}: {logon:?}");

    let dir = format!("ev{version}");
    sftp.make_directory(&dir).unwrap();
    sftp.change_remote_path(&dir).unwrap();
    let remote_dir = sftp.remote_path();
    take(events);

    // Upload: start (0), progress to the full size, end.
    let payload = data(90_000, version + 40);
    let src = local.join(format!("ev-src{version}"));
    std::fs::write(&src, &payload).unwrap();
    let src_name = src.to_str().unwrap().to_owned();
    sftp.set_local_file(&src_name).unwrap();
    sftp.set_remote_file("e.bin").unwrap();
    sftp.upload().unwrap();
    assert_eq!(
        std::fs::read(root.join(&dir).join("e.bin")).unwrap(),
        payload,
        "{at}"
    );
    let up = take(events);
    let starts = tagged(&up, "start");
    assert_eq!(starts.len(), 1, "{at}: {starts:?}");
    assert!(
        starts[0].starts_with(&format!("0 {src_name} ")) && starts[0].ends_with("e.bin"),
        "{at}: {starts:?}"
    );
    let progress = tagged(&up, "transfer");
    assert!(!progress.is_empty(), "{at}: no on_transfer");
    let last = progress.last().unwrap();
    assert!(last.starts_with("0 "), "{at}: {last}");
    assert!(last.ends_with(" 90000 100"), "{at}: {last}");
    assert_eq!(tagged(&up, "end"), starts, "{at}");

    // Download: direction 1, to a file.
    let back = local.join(format!("ev-back{version}"));
    let back_name = back.to_str().unwrap().to_owned();
    sftp.set_local_file(&back_name).unwrap();
    sftp.download().unwrap();
    assert_eq!(std::fs::read(&back).unwrap(), payload, "{at}");
    let down = take(events);
    let starts = tagged(&down, "start");
    assert_eq!(starts.len(), 1, "{at}: {starts:?}");
    assert!(
        starts[0].starts_with(&format!("1 {back_name} ")),
        "{at}: {starts:?}"
    );
    let last = tagged(&down, "transfer").pop().unwrap();
    assert!(last.starts_with("1 "), "{at}: {last}");
    assert!(last.ends_with(" 90000 100"), "{at}: {last}");
    assert_eq!(tagged(&down, "end"), starts, "{at}");

    // Listing: one on_dir_list per entry, inside start/end with direction 1.
    sftp.make_directory("sub").unwrap();
    sftp.set_remote_file("").unwrap();
    sftp.list_directory().unwrap();
    let listing = take(events);
    let mut entries = tagged(&listing, "dir");
    entries.sort();
    assert_eq!(entries, ["e.bin false 90000", "sub true 0"], "{at}");
    assert_eq!(tagged(&listing, "start").len(), 1, "{at}: {listing:?}");
    assert!(tagged(&listing, "start")[0].starts_with("1 "), "{at}");
    assert_eq!(tagged(&listing, "end").len(), 1, "{at}: {listing:?}");

    // A failing download: on_error with the error's code and both names.
    let missing = local.join(format!("ev-missing{version}"));
    let missing_name = missing.to_str().unwrap().to_owned();
    sftp.set_local_file(&missing_name).unwrap();
    sftp.set_remote_file("missing.bin").unwrap();
    let err = sftp.download().unwrap_err();
    let errors = tagged(&take(events), "error");
    assert_eq!(errors.len(), 1, "{at}: {errors:?}");
    assert!(
        errors[0].starts_with(&format!("{} {missing_name} ", err.code())),
        "{at}: {errors:?} vs {err}"
    );
    assert!(errors[0].ends_with("missing.bin"), "{at}: {errors:?}");
    assert_ne!(err.code(), 0);

    // Clean up, then logoff: connection status, disconnected.
    sftp.set_remote_file("e.bin").unwrap();
    sftp.delete_file("e.bin").unwrap();
    sftp.remove_directory("sub").unwrap();
    sftp.change_remote_path("..").unwrap();
    sftp.remove_directory(&dir).unwrap();
    assert!(!root.join(&dir).exists(), "{at}: {remote_dir}");
    take(events);
    sftp.ssh_logoff().unwrap();
    let off = take(events);
    assert!(
        tagged(&off, "status").contains(&"Remote host disconnected 0".to_owned()),
        "{at}: {off:?}"
    );
    assert_eq!(tagged(&off, "disconnected"), ["0 OK"], "{at}");
    assert!(!sftp.connected());
}

/// Logs on with ssh_auth_mode 99: on_ssh_custom_auth answers the server's SERVICE_ACCEPT
/// with a password USERAUTH_REQUEST built by set_ssh_param + encode_packet. Returns the
/// message numbers the handler saw.
pub fn custom_auth_logon(
    sftp: &mut SftpClient,
    host_port: u16,
    user: &str,
    password: &str,
) -> Vec<u8> {
    sftp.set_ssh_auth_mode(99).unwrap();
    let helper = SftpClient::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let (user, password) = (user.to_owned(), password.to_owned());
    sftp.on_ssh_custom_auth(move |e| {
        let packet = helper.decode_packet(&e.packet).unwrap();
        s.lock().unwrap().push(packet[0]);
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
    sftp.ssh_logon("127.0.0.1", host_port).unwrap();
    assert!(sftp.connected());
    seen.lock().unwrap().clone()
}
