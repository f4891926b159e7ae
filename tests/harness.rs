//! Proves the `ssh-test` harness with OpenSSH's own clients: every test starts its own
//! throwaway server, so the tests run in parallel.

// Test code: a panic is how a test fails (clippy.toml covers only `#[test]` functions).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use ssh_test::{HostKeyType, SftpServer, Sshd};

/// Deterministic bytes that are not all alike (a small LCG), so a mixed-up chunk shows.
fn pattern(len: usize, seed: u32) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        })
        .collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// mkdir, put, get, ls -l, rename, rm through `sftp -b`, checked on disk.
fn sftp_round_trip(server: SftpServer) {
    let sshd = Sshd::start_with(server).unwrap();
    let local = tempfile::tempdir().unwrap();
    let big = pattern(300_000, 7);
    let small = b"hello from the harness\n".to_vec();
    fs::write(local.path().join("big.bin"), &big).unwrap();
    fs::write(local.path().join("small.txt"), &small).unwrap();
    sshd.write_file("served/readme.txt", b"prepared by the test\n")
        .unwrap();

    let l = local.path().display();
    let batch = format!(
        "mkdir up\n\
         put \"{l}/big.bin\" up/big.bin\n\
         put \"{l}/small.txt\" up/small.txt\n\
         get up/big.bin \"{l}/big.back\"\n\
         get served/readme.txt \"{l}/readme.back\"\n\
         ls -l up\n\
         rename up/big.bin up/renamed.bin\n\
         rm up/small.txt\n\
         ls -l up\n"
    );
    let out = sshd.sftp_batch(&batch).unwrap();
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "sftp -b failed ({:?}):\n{stdout}\n{}\n--- log ---\n{}",
        out.status,
        text(&out.stderr),
        sshd.log()
    );

    let root = sshd.sftp_root();
    assert!(root.join("up").is_dir());
    assert_eq!(fs::read(root.join("up/renamed.bin")).unwrap(), big);
    assert!(!root.join("up/big.bin").exists());
    assert!(!root.join("up/small.txt").exists());
    assert_eq!(fs::read(local.path().join("big.back")).unwrap(), big);
    assert_eq!(
        fs::read(local.path().join("readme.back")).unwrap(),
        b"prepared by the test\n"
    );
    // The first listing shows both uploads, the second only the renamed file.
    let listings: Vec<Vec<&str>> = stdout
        .split("sftp> ls -l up")
        .skip(1)
        .map(|part| {
            part.lines()
                .take_while(|line| !line.starts_with("sftp>"))
                .filter(|line| line.starts_with("-rw"))
                .collect()
        })
        .collect();
    assert_eq!(listings.len(), 2, "{stdout}");
    let names = |listing: &[&str]| -> Vec<String> {
        let mut names: Vec<String> = listing
            .iter()
            // OpenSSH's sftp-server lists "up/big.bin", Green End "big.bin".
            .map(|line| line.rsplit([' ', '/']).next().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(&listings[0]), ["big.bin", "small.txt"], "{stdout}");
    assert_eq!(names(&listings[1]), ["renamed.bin"], "{stdout}");
    assert!(listings[1][0].contains(" 300000 "), "{stdout}");
    // umask 022 reached the server.
    let mode = fs::metadata(root.join("up/renamed.bin"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o022, 0, "mode {mode:o}");
}

#[test]
fn sftp_batch_against_openssh_sftp_server() {
    sftp_round_trip(SftpServer::OpenSsh);
}

#[test]
fn sftp_batch_against_green_end_sftp_server() {
    sftp_round_trip(SftpServer::GreenEnd);
}

#[test]
fn sftp_batch_against_internal_sftp() {
    sftp_round_trip(SftpServer::Internal);
}

#[test]
fn public_key_login_runs_a_command_as_the_test_user() {
    let sshd = Sshd::start().unwrap();
    let out = sshd.ssh_output(&[], "id -un; pwd").unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stderr),
        sshd.log()
    );
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().next(), Some(sshd.user()));
    assert!(sshd.log().contains("Accepted publickey"));

    // The RSA client key is authorized as well.
    let key = sshd.client_rsa_key_path().display().to_string();
    let out = sshd
        .ssh_output(&["-o", &format!("IdentityFile={key}")], "true")
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn known_hosts_lists_every_host_key_and_the_client_pins_them() {
    let sshd = Sshd::start().unwrap();
    let known = fs::read_to_string(sshd.known_hosts_path()).unwrap();
    assert_eq!(known.lines().count(), 3);
    for key in sshd.host_public_keys() {
        assert!(known.contains(&format!("[127.0.0.1]:{} {}", sshd.port(), key.line)));
    }
    assert_eq!(
        sshd.host_public_key(HostKeyType::EcdsaP256)
            .unwrap()
            .algorithm,
        "ecdsa-sha2-nistp256"
    );
    for algorithm in ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512"] {
        let out = sshd
            .ssh_output(&["-o", &format!("HostKeyAlgorithms={algorithm}")], "true")
            .unwrap();
        assert!(out.status.success(), "{algorithm}: {}", text(&out.stderr));
    }

    // A known_hosts file with a different key for this host makes the client refuse.
    // (The client key is an ed25519 key that is not the host key.)
    let wrong = sshd.dir().join("wrong_known_hosts");
    let line = sshd.client_public_key();
    fs::write(&wrong, format!("[127.0.0.1]:{} {line}\n", sshd.port())).unwrap();
    let kh = format!("UserKnownHostsFile={}", wrong.display());
    let out = sshd
        .ssh_output(&["-o", &kh, "-o", "HostKeyAlgorithms=ssh-ed25519"], "true")
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("HOST IDENTIFICATION HAS CHANGED"),
        "{}",
        text(&out.stderr)
    );
}

/// An SSH_ASKPASS script that prints the password, so `ssh` can log in without a tty.
fn askpass(dir: &Path, password: &str) -> String {
    let path = dir.join("askpass.sh");
    fs::write(&path, format!("#!/bin/sh\nprintf '%s\\n' '{password}'\n")).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

#[test]
fn password_and_keyboard_interactive_login() {
    let sshd = Sshd::start().unwrap();
    let Some(password) = sshd.password_or_skip("password_and_keyboard_interactive_login") else {
        return;
    };
    let local = tempfile::tempdir().unwrap();
    let script = askpass(local.path(), password);
    for (method, accepted) in [
        ("password", "Accepted password for"),
        (
            "keyboard-interactive",
            "Accepted keyboard-interactive/pam for",
        ),
    ] {
        let out = sshd
            .ssh_command(
                &[
                    "-o",
                    "BatchMode=no",
                    "-o",
                    "PubkeyAuthentication=no",
                    "-o",
                    &format!("PreferredAuthentications={method}"),
                    "-o",
                    "NumberOfPasswordPrompts=1",
                ],
                "echo logged-in",
            )
            .env("SSH_ASKPASS", &script)
            .env("SSH_ASKPASS_REQUIRE", "force")
            .env("DISPLAY", ":0")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{method}: {}\n--- log ---\n{}",
            text(&out.stderr),
            sshd.log()
        );
        assert_eq!(text(&out.stdout).trim(), "logged-in");
        assert!(sshd.log().contains(accepted), "{method}: {}", sshd.log());
    }
}

#[test]
fn algorithm_knobs_take_effect() {
    let sshd = Sshd::builder()
        .kex_algorithms("ecdh-sha2-nistp256")
        .ciphers("aes128-ctr")
        .macs("hmac-sha2-256")
        .host_key_algorithms("ecdsa-sha2-nistp256")
        .compression("yes")
        .start()
        .unwrap();
    let out = sshd.ssh_output(&["-vv", "-C"], "true").unwrap();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for line in [
        "debug1: kex: algorithm: ecdh-sha2-nistp256",
        "debug1: kex: host key algorithm: ecdsa-sha2-nistp256",
        "debug1: kex: server->client cipher: aes128-ctr MAC: hmac-sha2-256 compression: zlib@openssh.com",
        "debug1: kex: client->server cipher: aes128-ctr MAC: hmac-sha2-256 compression: zlib@openssh.com",
    ] {
        assert!(stderr.contains(line), "missing {line:?} in:\n{stderr}");
    }

    // A client that insists on something the server no longer offers cannot connect.
    for (option, expected) in [
        (
            "Ciphers=chacha20-poly1305@openssh.com",
            "no matching cipher found",
        ),
        ("MACs=hmac-sha2-512", "no matching MAC found"),
        (
            "KexAlgorithms=curve25519-sha256",
            "no matching key exchange method found",
        ),
        (
            "HostKeyAlgorithms=ssh-ed25519",
            "no matching host key type found",
        ),
    ] {
        let out = sshd.ssh_output(&["-o", option], "true").unwrap();
        assert!(!out.status.success(), "{option} was accepted");
        assert!(
            text(&out.stderr).contains(expected),
            "{option}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn extra_config_and_authentication_methods() {
    // Two public keys required: the ed25519 key alone is only a partial success.
    let sshd = Sshd::builder()
        .authentication_methods("publickey,publickey")
        .extra_config("Banner none")
        .start()
        .unwrap();
    let config = fs::read_to_string(sshd.config_path()).unwrap();
    assert!(config.contains("AuthenticationMethods publickey,publickey\n"));
    assert!(config.contains("Banner none\n"));
    let out = sshd.ssh_output(&[], "true").unwrap();
    assert!(!out.status.success());
    assert!(sshd.log().contains("Partial publickey"), "{}", sshd.log());

    let rsa = format!("IdentityFile={}", sshd.client_rsa_key_path().display());
    let out = sshd.ssh_output(&["-o", &rsa], "true").unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stderr),
        sshd.log()
    );
}

#[test]
fn subsystem_pipe_speaks_raw_sftp() {
    // SSH_FXP_INIT(version) → SSH_FXP_VERSION(min(version, server's)).
    for (server, offered, expected) in [(SftpServer::OpenSsh, 3, 3), (SftpServer::GreenEnd, 6, 6)] {
        let sshd = Sshd::start_with(server).unwrap();
        let mut child = sshd.spawn_subsystem("sftp").unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut init = vec![0, 0, 0, 5, 1];
        init.extend_from_slice(&u32::to_be_bytes(offered));
        stdin.write_all(&init).unwrap();
        let mut head = [0_u8; 9];
        stdout.read_exact(&mut head).unwrap();
        assert_eq!(head[4], 2, "{server:?}: not SSH_FXP_VERSION: {head:?}");
        let version = u32::from_be_bytes([head[5], head[6], head[7], head[8]]);
        assert_eq!(version, expected, "{server:?}");
        drop(stdin);
        let mut rest = Vec::new();
        stdout.read_to_end(&mut rest).unwrap();
        assert!(child.wait().unwrap().success());
    }
}

#[test]
fn dropping_the_server_closes_the_port_and_ends_the_process() {
    let sshd = Sshd::start().unwrap();
    let port = sshd.port();
    let pid = sshd.pid();
    let dir = sshd.dir().to_owned();
    assert!(
        sshd.log()
            .contains(&format!("Server listening on 127.0.0.1 port {port}"))
    );
    // An established connection gets the server's banner.
    let mut stream = TcpStream::connect(sshd.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut banner = [0_u8; 8];
    stream.read_exact(&mut banner).unwrap();
    assert_eq!(&banner, b"SSH-2.0-");
    // A live authenticated session, to be cut by the drop.
    let mut session = sshd.spawn_subsystem("sftp").unwrap();

    drop(sshd);
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "port {port} still accepts"
    );
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "pid {pid} still exists"
    );
    assert!(!dir.exists(), "{} was not removed", dir.display());
    // The client notices that its server is gone.
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    assert!(session.wait().is_ok());
    assert!(
        ssh_test::marked_processes()
            .iter()
            .all(|p| !p.command_line.contains(&dir.display().to_string())),
        "{:?}",
        ssh_test::marked_processes()
    );
}

#[test]
fn a_rejected_config_reports_sshds_words() {
    let err = Sshd::builder()
        .extra_config("NoSuchKeyword yes")
        .start()
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("sshd -t rejected"), "{message}");
    assert!(message.contains("NoSuchKeyword"), "{message}");
}

/// Whether `pid` is gone or only a zombie waiting for init to reap it.
fn not_running(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat.rsplit_once(')').is_some_and(|(_, rest)| {
            let rest = rest.trim_start();
            rest.starts_with('Z') || rest.starts_with('X')
        }),
    }
}

#[test]
fn a_panicking_test_still_stops_its_server() {
    let (tx, rx) = std::sync::mpsc::channel();
    let result = std::thread::spawn(move || {
        let sshd = Sshd::start().unwrap();
        tx.send((sshd.pid(), sshd.dir().to_owned())).unwrap();
        panic!("deliberate panic with a running server");
    })
    .join();
    assert!(result.is_err());
    let (pid, dir) = rx.recv().unwrap();
    assert!(not_running(pid), "pid {pid} still running");
    assert!(!dir.exists());
}

const CHILD_ENV: &str = "SSH_TEST_HARNESS_CHILD";

/// Run in a child process by `a_killed_test_process_leaves_no_server`: start a server, report
/// it, and wait to be killed.
#[test]
fn killed_child_helper() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let sshd = Sshd::start().unwrap();
    println!("ssh-test-server {} {}", sshd.pid(), sshd.dir().display());
    std::io::stdout().flush().unwrap();
    std::thread::sleep(Duration::from_secs(120));
}

#[test]
fn a_killed_test_process_leaves_no_server() {
    use std::io::BufRead;
    /// Kills the child test process even if this test fails half-way.
    struct KillOnDrop(std::process::Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "killed_child_helper",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(KillOnDrop)
        .unwrap();
    let stdout = std::io::BufReader::new(child.0.stdout.take().unwrap());
    // libtest may print "test killed_child_helper ... " on the same line first.
    let line = stdout
        .lines()
        .map(Result::unwrap)
        .find_map(|line| Some(line.split_once("ssh-test-server ")?.1.to_owned()))
        .unwrap();
    let mut words = line.split_whitespace();
    let pid: u32 = words.next().unwrap().parse().unwrap();
    let dir = std::path::PathBuf::from(words.next().unwrap());
    assert!(!not_running(pid));

    drop(child); // SIGKILL: the child test process gets no chance to unwind or drop
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !not_running(pid) || dir.exists() {
        if std::time::Instant::now() >= deadline {
            // Say which one is left, and in what state, so a failure under load can be told
            // apart from a leak.
            let state = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let left: Vec<String> = fs::read_dir(&dir)
                .map(|entries| {
                    entries
                        .flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            panic!(
                "outlived its killed test process: sshd {pid} (stat: {state:?}), {} \
                 (exists: {}, entries: {left:?})",
                dir.display(),
                dir.exists()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
