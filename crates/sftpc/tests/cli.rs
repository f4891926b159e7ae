//! sftpc against real servers: OpenSSH's sftp-server (v3) and Green End gesftpserver (v3 to
//! v6), each test with its own throwaway sshd. Most tests drive the interpreter through the
//! library with in-memory output; a few run the built `sftpc` binary. Results are checked
//! on disk in the served directory and the local temp directory.

// Test helpers outside #[test] functions are not covered by clippy.toml's allow-in-tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use sftpc::cli::{Parsed, parse_args};
use sftpc::connect::{ConnectOptions, connect};
use sftpc::shell::{Mode, ProgressMode, Shell};
use ssh_test::{SftpServer, Sshd, assert_same, test_data};
use tempfile::TempDir;

/// The command line that reaches `sshd` with the harness's key and known_hosts.
fn cli_args(sshd: &Sshd, version: u32) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["-P".into(), sshd.port().to_string().into()];
    args.push("-i".into());
    args.push(sshd.client_key_path().into());
    args.push("--known-hosts".into());
    args.push(sshd.known_hosts_path().into());
    args.push("-s".into());
    args.push(version.to_string().into());
    args.push(format!("{}@127.0.0.1", sshd.user()).into());
    args
}

fn options(sshd: &Sshd, version: u32) -> ConnectOptions {
    match parse_args(cli_args(sshd, version)).unwrap() {
        Parsed::Run(inv) => inv.connect,
        Parsed::Help => unreachable!(),
    }
}

/// A server, a connected shell and a local directory.
struct Setup {
    sshd: Sshd,
    shell: Shell,
    local: TempDir,
}

impl Setup {
    fn new(server: SftpServer, version: u32) -> Self {
        let sshd = Sshd::start_with(server).unwrap();
        let local = tempfile::tempdir().unwrap();
        let sftp = connect(&options(&sshd, version)).unwrap();
        assert_eq!(sftp.version().unwrap(), version, "negotiated version");
        let shell = Shell::new(sftp, local.path().to_path_buf(), ProgressMode::Summary).unwrap();
        Self { sshd, shell, local }
    }

    fn root(&self) -> PathBuf {
        self.sshd.sftp_root().canonicalize().unwrap()
    }

    fn local(&self, name: &str) -> PathBuf {
        self.local.path().join(name)
    }

    /// Runs `script` as a batch (with echo); returns (status, stdout, stderr).
    fn batch(&mut self, script: &str) -> (i32, String, String) {
        let mut input = script.as_bytes();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = self
            .shell
            .run(&mut input, &mut out, &mut err, Mode::Batch { echo: true });
        (
            status,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    /// Runs `script` and insists that it succeeds; returns stdout.
    #[track_caller]
    fn ok(&mut self, script: &str) -> String {
        let (status, out, err) = self.batch(script);
        assert_eq!(status, 0, "script {script:?} failed:\n{out}\n{err}");
        assert!(err.is_empty(), "unexpected stderr: {err}");
        out
    }
}

/// Every command, checked on disk.
fn every_command(server: SftpServer, version: u32) {
    let mut s = Setup::new(server, version);
    let root = s.root();
    let content = test_data(300_000, version);
    std::fs::write(s.local("local.bin"), &content).unwrap();
    std::fs::write(s.local("extra.txt"), b"appended tail\n").unwrap();
    std::fs::create_dir(s.local("sub")).unwrap();

    // pwd / lpwd.
    let out = s.ok("pwd\nlpwd\n");
    assert!(
        out.contains(&format!("Remote working directory: {}\n", root.display())),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "Local working directory: {}\n",
            s.local.path().display()
        )),
        "{out}"
    );
    assert!(out.contains("sftp> pwd\n"), "batch echo: {out}");

    // mkdir, cd.
    let out = s.ok("mkdir d\ncd d\npwd\n");
    assert!(root.join("d").is_dir());
    assert!(out.contains(&format!("Remote working directory: {}/d\n", root.display())));
    assert_eq!(s.shell.remote_cwd(), format!("{}/d", root.display()));

    // put, with the summary line.
    let out = s.ok("put local.bin\n");
    assert_same(&std::fs::read(root.join("d/local.bin")).unwrap(), &content);
    assert!(
        out.contains("local.bin: 300000 bytes in "),
        "summary line: {out}"
    );

    // ls and ls -l.
    let out = s.ok("ls\nls -l\n");
    assert!(out.contains("\nlocal.bin\n"), "{out}");
    let long = out
        .lines()
        .find(|l| l.ends_with(" local.bin") && l.len() > "local.bin".len() + 10)
        .unwrap_or_else(|| panic!("no ls -l line: {out}"));
    assert!(long.starts_with("-rw-r--r--"), "{long}");
    assert!(long.contains(" 300000 "), "{long}");

    // get to another name.
    let out = s.ok("get local.bin back.bin\n");
    assert_same(&std::fs::read(s.local("back.bin")).unwrap(), &content);
    assert!(out.contains("local.bin: 300000 bytes in "), "{out}");

    // get into a local directory keeps the name.
    s.ok("get local.bin sub\n");
    assert_same(&std::fs::read(s.local("sub/local.bin")).unwrap(), &content);

    // append.
    s.ok("append extra.txt local.bin\n");
    let mut expected = content.clone();
    expected.extend_from_slice(b"appended tail\n");
    assert_same(&std::fs::read(root.join("d/local.bin")).unwrap(), &expected);

    // chmod and stat.
    let out = s.ok("chmod 600 local.bin\nstat local.bin\n");
    let mode = std::fs::metadata(root.join("d/local.bin"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(out.contains("Type: regular file"), "{out}");
    assert!(out.contains(&format!("Size: {}", expected.len())), "{out}");
    assert!(out.contains("Mode: 0600 (-rw-------)"), "{out}");

    // rename.
    s.ok("rename local.bin moved.bin\n");
    assert!(!root.join("d/local.bin").exists());
    assert_same(&std::fs::read(root.join("d/moved.bin")).unwrap(), &expected);

    // ln -s and readlink.
    let out = s.ok("ln -s moved.bin link.bin\nreadlink link.bin\n");
    assert_eq!(
        std::fs::read_link(root.join("d/link.bin")).unwrap(),
        Path::new("moved.bin")
    );
    assert!(out.contains("\nmoved.bin\n"), "{out}");

    // ln (hard link): both servers offer hardlink@openssh.com (and v6 has LINK).
    s.ok("ln moved.bin hard.bin\n");
    {
        use std::os::unix::fs::MetadataExt;
        assert_eq!(
            std::fs::metadata(root.join("d/hard.bin")).unwrap().ino(),
            std::fs::metadata(root.join("d/moved.bin")).unwrap().ino()
        );
    }

    // Masks.
    let out = s.ok("ls *.bin\nls m?ved.[a-c,x]in\n");
    let listed: Vec<&str> = out.lines().filter(|l| !l.starts_with("sftp> ")).collect();
    assert_eq!(
        listed,
        ["hard.bin", "link.bin", "moved.bin", "moved.bin"],
        "{out}"
    );
    let (status, _, err) = s.batch("ls *.nothing\n");
    assert_eq!(status, 1);
    assert!(err.contains("sftpc: ls: [1106] "), "{err}");

    // df: both servers offer statvfs@openssh.com.
    let out = s.ok("df\n");
    let numbers: Vec<u64> = out
        .lines()
        .last()
        .unwrap()
        .split_whitespace()
        .map(|n| n.trim_end_matches('%').parse().unwrap())
        .collect();
    assert_eq!(numbers.len(), 5, "{out}");
    assert!(numbers[0] > 0 && numbers[1] <= numbers[0], "{out}");

    // rm, lcd, rmdir, cd with no argument.
    s.ok("rm link.bin\n");
    assert!(std::fs::symlink_metadata(root.join("d/link.bin")).is_err());
    let out = s.ok("lcd sub\nlpwd\nput local.bin from-sub.bin\n");
    assert!(out.contains("/sub\n"), "{out}");
    assert!(root.join("d/from-sub.bin").is_file());
    s.ok("mkdir empty\nrmdir empty\n");
    assert!(!root.join("d/empty").exists());
    let out = s.ok("cd\npwd\n");
    assert!(out.contains(&format!("Remote working directory: {}\n", root.display())));

    // quit ends the batch: later lines do not run.
    let (status, _, _) = s.batch("quit\nmkdir never\n");
    assert_eq!(status, 0);
    assert!(!root.join("never").exists());
}

#[test]
fn every_command_openssh_v3() {
    every_command(SftpServer::OpenSsh, 3);
}

#[test]
fn every_command_green_end_v3() {
    every_command(SftpServer::GreenEnd, 3);
}

#[test]
fn every_command_green_end_v4() {
    every_command(SftpServer::GreenEnd, 4);
}

#[test]
fn every_command_green_end_v5() {
    every_command(SftpServer::GreenEnd, 5);
}

#[test]
fn every_command_green_end_v6() {
    every_command(SftpServer::GreenEnd, 6);
}

/// Failures in a batch: the first one stops the run with status 1 and the code on stderr;
/// a `-` prefix lets the batch go on.
fn batch_failures(server: SftpServer, version: u32) {
    let mut s = Setup::new(server, version);
    let root = s.root();
    let (status, out, err) = s.batch("mkdir a\nrm does-not-exist\nmkdir b\n");
    assert_eq!(status, 1);
    assert!(root.join("a").is_dir());
    assert!(
        !root.join("b").exists(),
        "the batch went on after a failure"
    );
    assert!(
        err.starts_with("sftpc: rm: [1103] "),
        "error line with code: {err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(out.contains("sftp> rm does-not-exist\n"), "{out}");

    let (status, _, err) = s.batch("-rm does-not-exist\nmkdir c\n");
    assert_eq!(status, 0, "{err}");
    assert!(root.join("c").is_dir());
    assert!(err.starts_with("sftpc: rm: [1103] "), "{err}");

    // Usage errors fail too, without a code.
    let (status, _, err) = s.batch("chmod 999 c\nmkdir d\n");
    assert_eq!(status, 1);
    assert!(err.starts_with("sftpc: chmod: bad mode"), "{err}");
    let (status, _, err) = s.batch("frobnicate\n");
    assert_eq!(status, 1);
    assert!(err.contains("unknown command"), "{err}");
    assert!(!root.join("d").exists());

    // Comments, blank lines and `@` (no echo).
    let (status, out, _) = s.batch("# comment\n\n@mkdir e\n");
    assert_eq!(status, 0);
    assert!(root.join("e").is_dir());
    assert!(!out.contains("mkdir e"), "{out}");

    // Without -b, failures do not stop the run: piped commands end with status 1, a
    // prompted (terminal) session with 0.
    for (prompt, expected) in [(false, 1), (true, 0)] {
        let mut input = "rmdir no-such-dir\nmkdir after-failure\npwd\n".as_bytes();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = s
            .shell
            .run(&mut input, &mut out, &mut err, Mode::Interactive { prompt });
        let (out, err) = (
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        );
        assert_eq!(status, expected, "prompt {prompt}: {err}");
        assert!(err.starts_with("sftpc: rmdir: [1103] "), "{err}");
        assert!(root.join("after-failure").is_dir());
        assert_eq!(
            out.matches("sftp> ").count(),
            if prompt { 4 } else { 0 },
            "{out}"
        );
        assert!(out.contains("Remote working directory: "), "{out}");
        std::fs::remove_dir(root.join("after-failure")).unwrap();
    }

    // A name with terminal escape sequences is shown defused.
    s.sshd
        .write_file("evil\u{1b}]0;owned\u{7}.txt", b"x")
        .unwrap();
    let out = s.ok("ls evil*\n");
    assert!(out.contains("\nevil?]0;owned?.txt\n"), "{out:?}");
    assert!(!out.contains('\u{1b}'), "{out:?}");

    // A failing get leaves no file behind when there was none.
    let (status, _, err) = s.batch("get nothing-here.bin\n");
    assert_eq!(status, 1);
    assert!(err.starts_with("sftpc: get: [1103] "), "{err}");
    assert!(!s.local("nothing-here.bin").exists());
}

#[test]
fn batch_failures_openssh() {
    batch_failures(SftpServer::OpenSsh, 3);
}

#[test]
fn batch_failures_green_end_v6() {
    batch_failures(SftpServer::GreenEnd, 6);
}

/// `get -a` and `put -a` continue from the destination's size; plain get and put
/// overwrite an existing destination (longer or shorter) completely.
fn resume_and_overwrite(server: SftpServer, version: u32) {
    let mut s = Setup::new(server, version);
    let root = s.root();
    let content = test_data(400_000, 7);
    s.sshd.write_file("remote.bin", &content).unwrap();

    // get -a: the local prefix is kept as it is (zeros here), the rest is fetched.
    std::fs::write(s.local("remote.bin"), vec![0u8; 150_000]).unwrap();
    let out = s.ok("get -a remote.bin\n");
    let got = std::fs::read(s.local("remote.bin")).unwrap();
    assert_eq!(got.len(), content.len());
    assert!(got[..150_000].iter().all(|&b| b == 0), "prefix re-fetched");
    assert_same(&got[150_000..], &content[150_000..]);
    assert!(out.contains("remote.bin: 250000 bytes in "), "{out}");

    // get -a on a complete file moves nothing.
    let out = s.ok("get -a remote.bin\n");
    assert!(out.contains("remote.bin: 0 bytes in "), "{out}");

    // Plain get overwrites a longer local file completely.
    std::fs::write(s.local("remote.bin"), vec![1u8; 900_000]).unwrap();
    s.ok("get remote.bin\n");
    assert_same(&std::fs::read(s.local("remote.bin")).unwrap(), &content);

    // put -a: same on the remote side.
    let upload = test_data(350_000, 8);
    std::fs::write(s.local("up.bin"), &upload).unwrap();
    s.sshd.write_file("up.bin", vec![0u8; 100_000]).unwrap();
    let out = s.ok("put -a up.bin\n");
    let put = std::fs::read(root.join("up.bin")).unwrap();
    assert_eq!(put.len(), upload.len());
    assert!(put[..100_000].iter().all(|&b| b == 0), "prefix re-sent");
    assert_same(&put[100_000..], &upload[100_000..]);
    assert!(out.contains("up.bin: 250000 bytes in "), "{out}");

    // Plain put overwrites a longer remote file completely.
    s.sshd.write_file("up.bin", vec![1u8; 900_000]).unwrap();
    s.ok("put up.bin\n");
    assert_same(&std::fs::read(root.join("up.bin")).unwrap(), &upload);

    // A destination longer than the source cannot be resumed.
    std::fs::write(s.local("remote.bin"), vec![1u8; 500_000]).unwrap();
    let (status, _, err) = s.batch("get -a remote.bin\n");
    assert_eq!(status, 1);
    assert!(err.contains("is longer than"), "{err}");
    assert_eq!(
        std::fs::metadata(s.local("remote.bin")).unwrap().len(),
        500_000
    );

    // rename replaces an existing target where the server can (posix-rename, v5+).
    s.sshd.write_file("x.txt", b"x").unwrap();
    s.sshd.write_file("y.txt", b"y").unwrap();
    let (status, _, err) = s.batch("rename x.txt y.txt\n");
    let can_replace = s
        .shell
        .sftp()
        .has_extension("posix-rename@openssh.com")
        .unwrap()
        || version >= 5;
    if can_replace {
        assert_eq!(status, 0, "{err}");
        assert_eq!(std::fs::read(root.join("y.txt")).unwrap(), b"x");
        assert!(!root.join("x.txt").exists());
    } else {
        assert_eq!(status, 1);
        assert!(err.starts_with("sftpc: rename: [1103] "), "{err}");
        assert_eq!(std::fs::read(root.join("y.txt")).unwrap(), b"y");
    }
}

#[test]
fn resume_and_overwrite_openssh() {
    resume_and_overwrite(SftpServer::OpenSsh, 3);
}

#[test]
fn resume_and_overwrite_green_end_v3() {
    resume_and_overwrite(SftpServer::GreenEnd, 3);
}

#[test]
fn resume_and_overwrite_green_end_v4() {
    resume_and_overwrite(SftpServer::GreenEnd, 4);
}

#[test]
fn resume_and_overwrite_green_end_v5() {
    resume_and_overwrite(SftpServer::GreenEnd, 5);
}

#[test]
fn resume_and_overwrite_green_end_v6() {
    resume_and_overwrite(SftpServer::GreenEnd, 6);
}

// ---- The built binary ----

fn sftpc(args: &[OsString], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sftpc"));
    command
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        use std::io::Write;
        pipe.write_all(text.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn binary_batch_file_and_exit_codes() {
    let sshd = Sshd::start().unwrap();
    let root = sshd.sftp_root().canonicalize().unwrap();
    let local = tempfile::tempdir().unwrap();
    let data = test_data(100_000, 3);
    let source = local.path().join("in.bin");
    std::fs::write(&source, &data).unwrap();
    let back = local.path().join("out.bin");
    let batch = local.path().join("cmds");
    std::fs::write(
        &batch,
        format!(
            "mkdir up\nput {} up/in.bin\nls -l up\nget up/in.bin {}\n",
            source.display(),
            back.display()
        ),
    )
    .unwrap();

    let mut args = vec![OsString::from("-b"), batch.clone().into()];
    args.extend(cli_args(&sshd, 3));
    let out = sftpc(&args, None);
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_same(&std::fs::read(root.join("up/in.bin")).unwrap(), &data);
    assert_same(&std::fs::read(&back).unwrap(), &data);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("sftp> put "), "{stdout}");
    assert!(stdout.contains("in.bin: 100000 bytes in "), "{stdout}");
    assert!(stdout.contains(" 100000 "), "ls -l line: {stdout}");

    // -q: no echo, no summary.
    let mut quiet = vec![OsString::from("-q"), "-b".into(), batch.clone().into()];
    quiet.extend(cli_args(&sshd, 3));
    std::fs::remove_dir_all(root.join("up")).unwrap();
    let out = sftpc(&quiet, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(!stdout.contains("sftp>"), "{stdout}");
    assert!(!stdout.contains("bytes in"), "{stdout}");

    // A failing command: exit 1 with the code on stderr.
    let mut args = vec![OsString::from("-b"), "-".into()];
    args.extend(cli_args(&sshd, 3));
    let out = sftpc(&args, Some("rmdir no-such-dir\nmkdir after\n"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("sftpc: rmdir: [1103] "),
        "{}",
        text(&out.stderr)
    );
    assert!(!root.join("after").exists());

    // Usage error: exit 2.
    let out = sftpc(&["-P".into()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("usage: sftpc"));
    let out = sftpc(&["-h".into()], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("usage: sftpc"));

    // Unknown host key (empty known_hosts): exit 255.
    let empty = local.path().join("empty_known_hosts");
    std::fs::write(&empty, "").unwrap();
    let args: Vec<OsString> = vec![
        "-b".into(),
        "-".into(),
        "-P".into(),
        sshd.port().to_string().into(),
        "-i".into(),
        sshd.client_key_path().into(),
        "--known-hosts".into(),
        empty.clone().into(),
        format!("{}@127.0.0.1", sshd.user()).into(),
    ];
    let out = sftpc(&args, Some("pwd\n"));
    assert_eq!(out.status.code(), Some(255), "{}", text(&out.stderr));
    // The documented code for a rejected host key.
    assert!(
        text(&out.stderr).contains("sftpc: connect: [1030]"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&empty).unwrap(), b"", "known_hosts written");
}

/// SHA256 fingerprint of a public key line, from ssh-keygen.
fn fingerprint(line: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key.pub");
    std::fs::write(&path, format!("{line}\n")).unwrap();
    let out = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    text(&out.stdout)
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_owned()
}

#[test]
fn binary_fingerprint_and_accept_any_policies() {
    let sshd = Sshd::start().unwrap();
    let base = |policy: &[&str]| {
        let mut args: Vec<OsString> = vec![
            "-b".into(),
            "-".into(),
            "-P".into(),
            sshd.port().to_string().into(),
            "-i".into(),
            sshd.client_key_path().into(),
        ];
        args.extend(policy.iter().map(OsString::from));
        args.push(format!("{}@127.0.0.1", sshd.user()).into());
        args
    };
    let good: Vec<String> = sshd
        .host_public_keys()
        .iter()
        .map(|k| fingerprint(&k.line))
        .collect();
    let mut policy = Vec::new();
    for fp in &good {
        policy.push("--accept-fingerprint");
        policy.push(fp.as_str());
    }
    let out = sftpc(&base(&policy), Some("mkdir by-fingerprint\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(sshd.sftp_root().join("by-fingerprint").is_dir());

    let wrong = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let out = sftpc(
        &base(&["--accept-fingerprint", wrong]),
        Some("mkdir wrong-fingerprint\n"),
    );
    assert_eq!(out.status.code(), Some(255), "{}", text(&out.stderr));
    assert!(!sshd.sftp_root().join("wrong-fingerprint").exists());

    let out = sftpc(&base(&["--accept-any-host-key"]), Some("mkdir any\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(sshd.sftp_root().join("any").is_dir());
}

#[test]
fn binary_password_from_environment() {
    let sshd = Sshd::start().unwrap();
    let Some(password) = sshd.password_or_skip("binary_password_from_environment") else {
        return;
    };
    let local = tempfile::tempdir().unwrap();
    // No usable key: a key file that does not exist.
    let args: Vec<OsString> = vec![
        "-b".into(),
        "-".into(),
        "-P".into(),
        sshd.port().to_string().into(),
        "-i".into(),
        local.path().join("no-such-key").into(),
        "--known-hosts".into(),
        sshd.known_hosts_path().into(),
        "--password-env".into(),
        "SFTPC_TEST_PASSWORD".into(),
        format!("{}@127.0.0.1", sshd.user()).into(),
    ];
    let run = |pw: &str| {
        Command::new(env!("CARGO_BIN_EXE_sftpc"))
            .args(&args)
            .env("SFTPC_TEST_PASSWORD", pw)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().unwrap().write_all(b"mkdir pw\n")?;
                child.wait_with_output()
            })
            .unwrap()
    };
    let out = run("wrong password");
    assert_eq!(out.status.code(), Some(255), "{}", text(&out.stderr));
    let out = run(password);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(sshd.sftp_root().join("pw").is_dir());
}

/// The server's session dies mid-download (its sftp-server is killed): `get` fails with a
/// clear error and status 1, and the local file is cut to the bytes received intact, so it
/// cannot pass for the complete file.
#[test]
fn binary_get_fails_cleanly_when_the_server_dies() {
    const SIZE: usize = 96 * 1024 * 1024;
    let sshd = Sshd::start().unwrap();
    let content = test_data(SIZE, 11);
    sshd.write_file("big.bin", &content).unwrap();
    let local = tempfile::tempdir().unwrap();
    let dest = local.path().join("big.bin");
    let mut args = vec![OsString::from("-b"), "-".into()];
    args.extend(cli_args(&sshd, 3));
    let mut child = Command::new(env!("CARGO_BIN_EXE_sftpc"))
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "get big.bin {}", dest.display()).unwrap();
    }
    // Wait until the download is under way, then kill this server's sftp-server.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::fs::metadata(&dest).map_or(0, |m| m.len()) < 4 * 1024 * 1024 {
        assert!(
            std::time::Instant::now() < deadline,
            "download never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let dir = sshd.dir().to_string_lossy().into_owned();
    let servers: Vec<_> = ssh_test::marked_processes()
        .into_iter()
        .filter(|p| {
            p.command_line
                .starts_with(ssh_test::OPENSSH_SFTP_SERVER_PATH)
                && p.command_line.contains(&dir)
        })
        .collect();
    // One per channel: a download this large is spread over two.
    assert!(!servers.is_empty(), "{servers:?}");
    for server in &servers {
        let killed = Command::new("kill")
            .args(["-KILL", &server.pid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
    }

    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("sftpc: get: ["), "{stderr}");
    assert!(stderr.contains("received intact"), "{stderr}");
    let got = std::fs::read(&dest).unwrap();
    assert!(
        got.len() < SIZE,
        "the local file looks complete after a failed download"
    );
    assert_same(&got, &content[..got.len()]);
}
