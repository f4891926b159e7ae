//! Project tasks, run as `cargo xtask <task>` (an alias in `.cargo/config.toml`).
//!
//! - `test`: install the system packages the tests need (as root), then format check,
//!   clippy, the docs (warnings denied), the whole test suite, and a check that no test
//!   server outlived its test;
//! - `sshd [--green-end | --internal]`: a throwaway server to poke at by hand;
//! - `fuzz TARGET SECONDS`: run a cargo-fuzz target on the stable toolchain;
//! - `demo`: a throwaway sshd, then `sftpc` in batch mode moving a 256 MiB file there and
//!   back, with SHA-256 sums compared;
//! - `bench`: compare with OpenSSH's `sftp` on a throwaway server (docs/performance.md).

use std::env;
use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::thread;
use std::time::{Duration, Instant};

mod bench;

use ssh_test::{SftpServer, Sshd};

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  test                            install prerequisites (as root), then fmt check, clippy, docs,
                                  all tests, and a check for leftover test servers
  sshd [--green-end | --internal] start a throwaway sshd on 127.0.0.1 and wait for Ctrl-C
                                  or end of input
  fuzz TARGET SECONDS             run a cargo-fuzz target for SECONDS (see docs/fuzzing.md)
  fuzz list                       list the fuzz targets
  demo                            start a throwaway sshd and move a 256 MiB file there and
                                  back with sftpc, comparing SHA-256 sums
  bench [--quick] [--pairs N] [--size-mib N] [--sftp-server]
                                  compare with OpenSSH's sftp on a throwaway server
";

/// Something on the system the tests need, and the Debian package that provides it.
struct Prerequisite {
    /// An absolute path, or a program name looked up on `PATH`.
    program: &'static str,
    package: &'static str,
}

/// Everything the test suite needs from the system, in one place: add a line here when a
/// test starts using another program.
const PREREQUISITES: &[Prerequisite] = &[
    Prerequisite {
        program: ssh_test::SSHD_PATH,
        package: "openssh-server",
    },
    Prerequisite {
        program: "ssh",
        package: "openssh-client",
    },
    Prerequisite {
        program: "sftp",
        package: "openssh-client",
    },
    Prerequisite {
        program: "ssh-keygen",
        package: "openssh-client",
    },
    Prerequisite {
        program: ssh_test::OPENSSH_SFTP_SERVER_PATH,
        package: "openssh-sftp-server",
    },
    Prerequisite {
        program: ssh_test::GREEN_END_SFTP_SERVER_PATH,
        package: "gesftpserver",
    },
    // ProFTPD with mod_sftp: the third SFTP server (check-file, copy-file,
    // space-available).
    Prerequisite {
        program: "/usr/sbin/proftpd",
        package: "proftpd-core",
    },
    Prerequisite {
        program: "/usr/lib/proftpd/mod_sftp.so",
        package: "proftpd-mod-crypto",
    },
    Prerequisite {
        program: "puttygen",
        package: "putty-tools",
    },
    // Real proxies for the firewall tests: dante (SOCKS5, username/password) and tinyproxy
    // (HTTP CONNECT, Basic auth), each started by its test on its own port.
    Prerequisite {
        program: "/usr/sbin/danted",
        package: "dante-server",
    },
    Prerequisite {
        program: "/usr/bin/tinyproxy",
        package: "tinyproxy",
    },
];

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.split_first() {
        Some((task, rest)) => run_task(task, rest),
        None => Err(format!("no task given\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_task(task: &str, args: &[String]) -> Result {
    match (task, args) {
        ("test", []) => test(),
        ("sshd", []) => sshd(SftpServer::OpenSsh),
        ("sshd", [flag]) if flag == "--green-end" => sshd(SftpServer::GreenEnd),
        ("sshd", [flag]) if flag == "--internal" => sshd(SftpServer::Internal),
        ("fuzz", [list]) if list == "list" => fuzz(list, 0),
        ("fuzz", [target, seconds]) => {
            let seconds = seconds
                .parse()
                .map_err(|_| format!("SECONDS must be a whole number, not {seconds:?}"))?;
            fuzz(target, seconds)
        }
        ("demo", []) => demo(),
        ("bench", options) => bench::bench(options),
        ("help" | "-h" | "--help", _) => {
            print!("{USAGE}");
            Ok(())
        }
        _ => Err(format!(
            "unknown task or arguments: {}\n\n{USAGE}",
            std::iter::once(task)
                .chain(args.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" ")
        )),
    }
}

/// Runs one cargo-fuzz target (a name under `fuzz/fuzz_targets`) for `seconds`, or lists
/// the targets when `target` is `list`.
///
/// cargo-fuzz instruments with `-Z` flags that only nightly accepts; `RUSTC_BOOTSTRAP=1` lets
/// the machine's stable compiler accept them, for the fuzz build only (docs/fuzzing.md).
fn fuzz(target: &str, seconds: u64) -> Result {
    let fuzz_dir = workspace_root().join("fuzz");
    let targets = fuzz_targets(&fuzz_dir)?;
    if target == "list" {
        targets.iter().for_each(|t| println!("{t}"));
        return Ok(());
    }
    if !targets.iter().any(|t| t == target) {
        return Err(format!(
            "no fuzz target `{target}`; targets: {}",
            targets.join(" ")
        ));
    }
    let has_cargo_fuzz = Command::new(cargo())
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_cargo_fuzz {
        println!("cargo-fuzz is missing; installing it from crates.io");
        run(cargo(), &["install", "cargo-fuzz", "--locked"])?;
    }
    let corpus = format!("corpus/{target}");
    let max_time = format!("-max_total_time={seconds}");
    let shown = format!("cargo fuzz run {target} {corpus} -- {max_time}");
    println!("==> {shown} (in fuzz/, RUSTC_BOOTSTRAP=1)");
    let status = Command::new(cargo())
        .args(["fuzz", "run", target, &corpus, "--", &max_time])
        .current_dir(&fuzz_dir)
        .env("RUSTC_BOOTSTRAP", "1")
        .status()
        .map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{shown}` failed ({status}); crashes are in fuzz/artifacts/{target}/"
        ))
    }
}

/// The fuzz targets: the file stems in `fuzz/fuzz_targets`, sorted.
fn fuzz_targets(fuzz_dir: &Path) -> Result<Vec<String>> {
    let dir = fuzz_dir.join("fuzz_targets");
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut targets: Vec<String> = entries
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            (path.extension()? == "rs").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    targets.sort();
    Ok(targets)
}

/// The workspace root (this crate lives in `<root>/xtask`).
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn cargo() -> OsString {
    env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Runs `program args` in the workspace root with inherited stdio; fails unless it exits 0.
fn run(program: impl Into<OsString>, args: &[&str]) -> Result {
    run_env(program, args, &[])
}

/// Like [`run`], with more environment variables set.
fn run_env(program: impl Into<OsString>, args: &[&str], vars: &[(&str, &str)]) -> Result {
    let program = program.into();
    let shown = format!("{} {}", program.to_string_lossy(), args.join(" "));
    let status = Command::new(&program)
        .args(args)
        .current_dir(workspace_root())
        .env("DEBIAN_FRONTEND", "noninteractive")
        .envs(vars.iter().copied())
        .status()
        .map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Prints the step, runs it, prints how long it took.
fn step(
    name: &str,
    timings: &mut Vec<(String, Duration)>,
    body: impl FnOnce() -> Result,
) -> Result {
    println!("==> {name}");
    let started = Instant::now();
    let result = body();
    let took = started.elapsed();
    let verdict = if result.is_ok() { "ok" } else { "FAILED" };
    println!("<== {name}: {verdict} in {:.1} s", took.as_secs_f64());
    timings.push((name.to_owned(), took));
    result.map_err(|e| format!("step `{name}` failed: {e}"))
}

/// The packages of `prerequisites`, each once, in order.
fn packages<'a>(prerequisites: impl Iterator<Item = &'a Prerequisite>) -> Vec<&'static str> {
    let mut packages = Vec::new();
    for prerequisite in prerequisites {
        if !packages.contains(&prerequisite.package) {
            packages.push(prerequisite.package);
        }
    }
    packages
}

/// An absolute path must exist (libraries such as mod_sftp.so are not executable); a bare
/// name must be an executable on `PATH`.
fn present(program: &str) -> bool {
    if program.starts_with('/') {
        Path::new(program).exists()
    } else {
        ssh_test::on_path(program)
    }
}

fn missing_packages() -> Vec<&'static str> {
    packages(PREREQUISITES.iter().filter(|p| !present(p.program)))
}

fn ensure_prerequisites() -> Result {
    let missing = missing_packages();
    if missing.is_empty() {
        println!("all prerequisites present");
        return Ok(());
    }
    let all = packages(PREREQUISITES.iter());
    if !ssh_test::is_root() {
        return Err(format!(
            "missing packages: {}\ninstall them as root with:\n  apt-get update && apt-get install -y {}",
            missing.join(" "),
            all.join(" ")
        ));
    }
    println!("missing packages: {}; installing", missing.join(" "));
    run("apt-get", &["update"])?;
    let mut install = vec!["install", "-y"];
    install.extend(&all);
    run("apt-get", &install)?;
    let still = missing_packages();
    if still.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "still missing after apt-get install: {}",
            still.join(" ")
        ))
    }
}

fn test() -> Result {
    let mut timings = Vec::new();
    let mut failed = Vec::new();
    let mut record = |result: Result| {
        if let Err(message) = result {
            failed.push(message);
        }
    };
    // Without the packages nothing below can pass: stop early.
    step("prerequisites", &mut timings, ensure_prerequisites)?;
    // The other steps all run, so one report shows every problem.
    record(step("cargo fmt --all -- --check", &mut timings, || {
        run(cargo(), &["fmt", "--all", "--", "--check"])
    }));
    record(step(
        "cargo clippy --workspace --all-targets -- -D warnings",
        &mut timings,
        || {
            run(
                cargo(),
                &[
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ],
            )
        },
    ));
    // Every public item is documented (missing_docs); its links must resolve too.
    record(step(
        "cargo doc --workspace --no-deps (warnings denied)",
        &mut timings,
        || {
            run_env(
                cargo(),
                &["doc", "--workspace", "--no-deps"],
                &[("RUSTDOCFLAGS", "-D warnings")],
            )
        },
    ));
    // Servers that were already running (e.g. a `cargo xtask sshd` in another terminal)
    // are not the tests' business.
    let before: Vec<u32> = ssh_test::marked_processes().iter().map(|p| p.pid).collect();
    record(step("cargo test --workspace", &mut timings, || {
        run(cargo(), &["test", "--workspace"])
    }));
    record(step("no test server left running", &mut timings, || {
        no_leftover_servers(&before)
    }));

    println!("\nsteps:");
    for (name, took) in &timings {
        println!("  {:>7.1} s  {name}", took.as_secs_f64());
    }
    let total: Duration = timings.iter().map(|(_, took)| *took).sum();
    println!("  {:>7.1} s  total", total.as_secs_f64());
    if failed.is_empty() {
        println!("all steps passed");
        Ok(())
    } else {
        Err(failed.join("\n"))
    }
}

/// Fails if a process with a harness server directory in its command line, not running
/// before the tests, is still alive a few seconds after them.
fn no_leftover_servers(before: &[u32]) -> Result {
    let started = Instant::now();
    loop {
        let leftovers: Vec<_> = ssh_test::marked_processes()
            .into_iter()
            .filter(|p| !before.contains(&p.pid))
            .collect();
        if leftovers.is_empty() {
            println!("no process mentions {}*", ssh_test::DIR_MARKER);
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(5) {
            let list: Vec<String> = leftovers
                .iter()
                .map(|p| format!("  {} {}", p.pid, p.command_line))
                .collect();
            return Err(format!(
                "test servers outlived their tests:\n{}",
                list.join("\n")
            ));
        }
        thread::sleep(Duration::from_millis(100));
    }
}

/// Quotes `arg` for a POSIX shell if it needs it.
fn shell_quote(arg: &str) -> String {
    let plain = arg
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_./=:@,+".contains(&b));
    if plain && !arg.is_empty() {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

fn sshd(server: SftpServer) -> Result {
    let sshd = Sshd::start_with(server).map_err(|e| e.to_string())?;
    let options: Vec<String> = sshd
        .client_options()
        .iter()
        .map(|o| shell_quote(&o.to_string_lossy()))
        .collect();
    let password = sshd
        .password()
        .unwrap_or("(none: not root, public key only)");
    println!(
        "sshd listening on 127.0.0.1:{} (pid {}, sftp subsystem: {server:?})",
        sshd.port(),
        sshd.pid()
    );
    println!("port:        {}", sshd.port());
    println!("user:        {}", sshd.user());
    println!("password:    {password}");
    println!("key:         {}", sshd.client_key_path().display());
    println!("known_hosts: {}", sshd.known_hosts_path().display());
    println!("sftp root:   {}", sshd.sftp_root().display());
    println!("log:         {}", sshd.log_path().display());
    println!("\nsftp {} 127.0.0.1", options.join(" "));
    println!("\nPress Ctrl-C or Ctrl-D (end of input) to stop.");
    // Ctrl-C ends this process without unwinding; the server's watchdog then kills it.
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(sshd);
    println!("stopped");
    Ok(())
}

/// Size of the demo file: big enough to show pipelining and the progress display.
const DEMO_FILE_SIZE: u64 = 256 * 1024 * 1024;

/// `cargo xtask demo`: prerequisites, a throwaway OpenSSH sshd on loopback, a generated
/// 256 MiB file, `sftpc` (release build) in batch mode: put, ls -l, get; SHA-256 of the
/// original and the copy compared; then rename and rm; the server stopped.
fn demo() -> Result {
    println!("==> checking the system packages (OpenSSH server and client, sftp-server)");
    ensure_prerequisites()?;

    println!("==> building sftpc (cargo build --release -p sftpc)");
    run(cargo(), &["build", "--release", "-p", "sftpc"])?;
    let target_dir = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let sftpc = target_dir.join("release").join("sftpc");
    if !sftpc.is_file() {
        return Err(format!("the build left no {}", sftpc.display()));
    }

    let work = tempfile::Builder::new()
        .prefix("sftpc-demo-")
        .tempdir()
        .map_err(|e| format!("cannot create a temp dir: {e}"))?;
    let original = work.path().join("demo.bin");
    let copy = work.path().join("demo.back.bin");
    println!(
        "==> generating {} MiB of pseudo-random data in {}",
        DEMO_FILE_SIZE / (1024 * 1024),
        original.display()
    );
    let started = Instant::now();
    generate_file(&original, DEMO_FILE_SIZE)?;
    println!("    done in {:.1} s", started.elapsed().as_secs_f64());

    println!("==> starting a throwaway OpenSSH sshd on 127.0.0.1");
    let sshd = Sshd::start_with(SftpServer::OpenSsh).map_err(|e| e.to_string())?;
    println!(
        "    listening on port {} (pid {}), user {}, serving {}",
        sshd.port(),
        sshd.pid(),
        sshd.user(),
        sshd.sftp_root().display()
    );

    let sftpc_args = |batch: &Path| -> Vec<OsString> {
        vec![
            "-P".into(),
            sshd.port().to_string().into(),
            "-i".into(),
            sshd.client_key_path().into(),
            "--known-hosts".into(),
            sshd.known_hosts_path().into(),
            "-b".into(),
            batch.into(),
            format!("{}@127.0.0.1", sshd.user()).into(),
        ]
    };
    let run_sftpc = |what: &str, commands: &str| -> Result {
        let batch = work.path().join("batch");
        std::fs::write(&batch, commands)
            .map_err(|e| format!("cannot write {}: {e}", batch.display()))?;
        let args = sftpc_args(&batch);
        let shown: Vec<String> = std::iter::once(sftpc.display().to_string())
            .chain(args.iter().map(|a| shell_quote(&a.to_string_lossy())))
            .collect();
        println!("==> {what}\n    {}", shown.join(" "));
        let status = Command::new(&sftpc)
            .args(&args)
            .status()
            .map_err(|e| format!("cannot run sftpc: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("sftpc failed ({status})"))
        }
    };

    run_sftpc(
        "uploading, listing and downloading with sftpc",
        &format!(
            "put {} demo.bin\nls -l\nget demo.bin {}\n",
            quote_word(&original),
            quote_word(&copy)
        ),
    )?;

    println!("==> comparing SHA-256 sums");
    let sent = sha256_file(&original)?;
    let received = sha256_file(&copy)?;
    let on_server = sha256_file(&sshd.sftp_root().join("demo.bin"))?;
    println!("    {sent}  original   {}", original.display());
    println!("    {on_server}  on server  demo.bin");
    println!("    {received}  downloaded {}", copy.display());
    if sent != received || sent != on_server {
        return Err("SHA-256 sums differ: the round trip corrupted the file".to_owned());
    }
    println!("    all three match");

    run_sftpc(
        "renaming and removing the remote file with sftpc",
        "rename demo.bin demo-renamed.bin\nls -l\nrm demo-renamed.bin\nls -l\n",
    )?;
    if sshd.sftp_root().join("demo-renamed.bin").exists() {
        return Err("the remote file is still there after rm".to_owned());
    }

    println!("==> stopping the server");
    drop(sshd);
    println!("demo finished: 256 MiB up and down, SHA-256 sums match");
    Ok(())
}

/// Writes `size` bytes of xorshift64* output through a buffer: fast, incompressible enough
/// for a transfer demo, and the same every run.
fn generate_file(path: &Path, size: u64) -> Result {
    use std::io::Write;
    let file = std::fs::File::create(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut written = 0u64;
    while written < size {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let word = state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes();
        out.write_all(&word)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written = written.saturating_add(8);
    }
    out.flush()
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Hex SHA-256 of a file.
fn sha256_file(path: &Path) -> Result<String> {
    use sha2::Digest;
    let mut file =
        std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(buf.get(..n).unwrap_or_default());
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Quotes a path for an sftpc batch line.
fn quote_word(path: &Path) -> String {
    format!("'{}'", path.display())
}
