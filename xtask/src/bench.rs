//! `cargo xtask bench`: this project's client against OpenSSH's `sftp` on the same
//! throwaway server, in one run, alternating (ours, theirs) pair by pair after a warm-up.
//!
//! Every sample is a whole process (connect, authenticate, work, disconnect): wall time on
//! a monotonic clock around it, user+system CPU and peak RSS from `/usr/bin/time`. Each
//! transfer starts with its destination removed (outside the timing). Ratios are computed pair by
//! pair (theirs ÷ ours, so above 1 means we are faster) and summarised by their median,
//! which keeps a noisy shared machine from favouring either side. Data lives on tmpfs
//! (/dev/shm) so the disk is not measured. Nothing here asserts a time.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use ssh_test::{SftpServer, Sshd};

use crate::{Result, cargo, workspace_root};

/// Remote data lives here (tmpfs), linked into the served directory as `shm/`.
const REMOTE_DATA: &str = "/dev/shm/sftp-bench-remote";
/// Local data for both clients.
const LOCAL_DATA: &str = "/dev/shm/sftp-bench-local";

/// The three cipher setups the goals name.
const CIPHERS: &[(&str, &str, Option<&str>)] = &[
    ("aes128-gcm", "aes128-gcm@openssh.com", None),
    ("chacha20-poly1305", "chacha20-poly1305@openssh.com", None),
    (
        "aes128-ctr+hmac-sha2-256-etm",
        "aes128-ctr",
        Some("hmac-sha2-256-etm@openssh.com"),
    ),
];

struct Options {
    pairs: usize,
    size_mib: u64,
    small_files: usize,
    list_entries: usize,
    server: SftpServer,
}

/// One timed process.
#[derive(Clone, Copy, Debug)]
struct Sample {
    wall: f64,
    cpu: f64,
    rss_kib: u64,
}

/// One comparison's results.
struct Row {
    name: String,
    bytes: Option<u64>,
    ours: Vec<Sample>,
    theirs: Vec<Sample>,
}

pub(crate) fn bench(args: &[String]) -> Result {
    let mut options = Options {
        pairs: 5,
        size_mib: 1024,
        small_files: 1000,
        list_entries: 10_000,
        server: SftpServer::Internal,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => {
                options.pairs = 2;
                options.size_mib = 256;
            }
            "--pairs" => options.pairs = parse_next(&mut args, "--pairs")?,
            "--size-mib" => options.size_mib = parse_next(&mut args, "--size-mib")?,
            "--sftp-server" => options.server = SftpServer::OpenSsh,
            other => {
                return Err(format!(
                    "unknown bench option {other}; options: --quick, --pairs N, --size-mib N, \
                     --sftp-server (OpenSSH's sftp-server instead of internal-sftp)"
                ));
            }
        }
    }
    crate::ensure_prerequisites()?;
    if !Path::new("/usr/bin/time").exists() {
        if ssh_test::is_root() {
            crate::run("apt-get", &["install", "-y", "time"])?;
        } else {
            return Err("bench needs /usr/bin/time (Debian package `time`)".into());
        }
    }
    println!("==> building the benchmark client (release)");
    crate::run(
        cargo(),
        &[
            "build",
            "--release",
            "-p",
            "sftpclient",
            "--example",
            "bench_client",
        ],
    )?;
    let client = workspace_root().join("target/release/examples/bench_client");

    println!(
        "==> starting sshd ({:?}) and writing test data to /dev/shm",
        options.server
    );
    let sshd = Sshd::builder()
        .sftp_server(options.server)
        .start()
        .map_err(|e| e.to_string())?;
    let _hold = PageReportingHold::start();
    let data = prepare_data(&sshd, &options)?;
    let result = run_all(&sshd, &client, &options, &data);
    let _ = std::fs::remove_dir_all(REMOTE_DATA);
    let _ = std::fs::remove_dir_all(LOCAL_DATA);
    let rows = result?;
    let report = render(&rows, &options);
    println!("\n{report}");
    let dir = workspace_root().join("bench-results");
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let path = dir.join(format!("bench-{stamp}.md"));
    std::fs::write(&path, &report).map_err(|e| format!("write {}: {e}", path.display()))?;
    println!("written to {}", path.display());
    Ok(())
}

/// Where a VM kernel with free page reporting (virtio-balloon) says how long freed memory
/// waits before it is handed back to the host.
const PAGE_REPORTING_DELAY: &str = "/sys/module/page_reporting/parameters/min_free_ms";

/// Keeps freed memory in the guest for five minutes while the bench runs, then restores
/// the setting. On a VM that hands freed pages back to its host at once (`min_free_ms`
/// 0), the first write into each page of a new file faults on the host, and that time
/// shows up as the writing process's system time: back-to-back runs of the same 1 GiB
/// download measured 0.6 to 1.7 s of system time, depending on how much memory had been
/// reported meanwhile. With the hold, and memory touched before each large transfer
/// ([`prefault`]), six runs in a row measured 0.64 to 0.69 s.
struct PageReportingHold {
    original: Option<String>,
}

impl PageReportingHold {
    fn start() -> Self {
        let original = std::fs::read_to_string(PAGE_REPORTING_DELAY)
            .ok()
            .map(|v| v.trim().to_owned());
        let held = original
            .as_ref()
            .filter(|v| v.as_str() == "0")
            .and_then(|_| std::fs::write(PAGE_REPORTING_DELAY, "300000").ok());
        match held {
            Some(()) => {
                println!("==> holding freed memory in the guest for 5 min while benchmarking");
                HOLDING.store(true, Ordering::SeqCst);
                Self { original }
            }
            None => Self { original: None },
        }
    }
}

impl Drop for PageReportingHold {
    fn drop(&mut self) {
        if let Some(v) = &self.original {
            HOLDING.store(false, Ordering::SeqCst);
            let _ = std::fs::write(PAGE_REPORTING_DELAY, v);
        }
    }
}

/// Whether a [`PageReportingHold`] is in force.
static HOLDING: AtomicBool = AtomicBool::new(false);

/// Writes and frees `len` bytes of tmpfs (at most half the available memory), so that
/// the pages the next transfers allocate are ones the host backs and, under the hold,
/// keeps backing. Only while a [`PageReportingHold`] is in force.
fn prefault(len: u64) {
    if !HOLDING.load(Ordering::SeqCst) {
        return;
    }
    let available = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemAvailable:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib * 1024);
    let len = len.min(available / 2);
    let path = Path::new(LOCAL_DATA).join("prefault.bin");
    if let Ok(mut file) = std::fs::File::create(&path) {
        let block = vec![0u8; 1 << 20];
        let mut written = 0u64;
        while written < len && file.write_all(&block).is_ok() {
            written += block.len() as u64;
        }
    }
    let _ = std::fs::remove_file(&path);
}

fn parse_next<T: std::str::FromStr>(
    args: &mut std::slice::Iter<'_, String>,
    name: &str,
) -> Result<T> {
    args.next()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("{name} needs a number"))
}

/// Paths of the generated data.
struct Data {
    local_big: PathBuf,
    local_small: PathBuf,
}

fn prepare_data(sshd: &Sshd, options: &Options) -> Result<Data> {
    let _ = std::fs::remove_dir_all(REMOTE_DATA);
    let _ = std::fs::remove_dir_all(LOCAL_DATA);
    let remote = Path::new(REMOTE_DATA);
    let local = Path::new(LOCAL_DATA);
    for dir in [
        remote.to_path_buf(),
        remote.join("small"),
        remote.join("many"),
        remote.join("up"),
        remote.join("up-small-ours"),
        remote.join("up-small-theirs"),
        local.to_path_buf(),
        local.join("small"),
        local.join("get-small-ours"),
        local.join("get-small-theirs"),
    ] {
        std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    }
    let local_big = local.join("big.bin");
    write_pseudo_random(&local_big, options.size_mib * 1024 * 1024)?;
    std::fs::copy(&local_big, remote.join("big.bin")).map_err(|e| format!("copy: {e}"))?;
    let local_small = local.join("small");
    for i in 0..options.small_files {
        let name = format!("f{i:05}");
        let content: Vec<u8> = (0..4096u32)
            .map(|b| (b ^ i as u32).to_le_bytes()[0])
            .collect();
        for dir in [remote.join("small"), local_small.clone()] {
            std::fs::write(dir.join(&name), &content).map_err(|e| format!("write: {e}"))?;
        }
    }
    for i in 0..options.list_entries {
        let path = remote.join("many").join(format!("entry-{i:05}"));
        std::fs::write(&path, b"").map_err(|e| format!("write {}: {e}", path.display()))?;
    }
    if ssh_test::is_root() {
        crate::run("chown", &["-R", sshd.user(), REMOTE_DATA])?;
    }
    std::os::unix::fs::symlink(remote, sshd.sftp_root().join("shm"))
        .map_err(|e| format!("link the data into the served directory: {e}"))?;
    Ok(Data {
        local_big,
        local_small,
    })
}

/// Fills `path` with `len` bytes of fast pseudo-random (incompressible) data.
fn write_pseudo_random(path: &Path, len: u64) -> Result {
    let file =
        std::fs::File::create(path).map_err(|e| format!("create {}: {e}", path.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut block = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        for word in block.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for (b, v) in word.iter_mut().zip(x.to_le_bytes()) {
                *b = v;
            }
        }
        let n = usize::try_from(left.min(block.len() as u64)).unwrap_or(block.len());
        out.write_all(block.get(..n).unwrap_or_default())
            .map_err(|e| format!("write {}: {e}", path.display()))?;
        left -= n as u64;
    }
    out.flush()
        .map_err(|e| format!("write {}: {e}", path.display()))
}

fn run_all(sshd: &Sshd, client: &Path, options: &Options, data: &Data) -> Result<Vec<Row>> {
    let size = options.size_mib * 1024 * 1024;
    let mut rows = Vec::new();
    for (label, cipher, mac) in CIPHERS {
        let ours = |args: &[&str]| ours_command(sshd, client, Some(cipher), *mac, None, args);
        let theirs = |batch: &str| theirs_command(sshd, Some(cipher), *mac, None, batch);
        let local_get = format!("{LOCAL_DATA}/got.bin");
        rows.push(compare(
            format!("{} MiB download, {label}", options.size_mib),
            Some(size),
            options.pairs,
            || {
                remove(&local_get);
                ours(&["get", "shm/big.bin", &local_get])
            },
            || {
                remove(&local_get);
                theirs(&format!("get shm/big.bin {local_get}"))
            },
        )?);
        let big = data.local_big.display().to_string();
        let remote_up = format!("{REMOTE_DATA}/up/big.bin");
        rows.push(compare(
            format!("{} MiB upload, {label}", options.size_mib),
            Some(size),
            options.pairs,
            || {
                remove(&remote_up);
                ours(&["put", &big, "shm/up/big.bin"])
            },
            || {
                remove(&remote_up);
                theirs(&format!("put {big} shm/up/big.bin"))
            },
        )?);
        let ceiling = sshd.ssh_command(
            &ssh_algorithm_args(Some(cipher), *mac, None)
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            &format!("cat {REMOTE_DATA}/big.bin"),
        );
        let samples = (0..options.pairs.max(1))
            .map(|_| measure(clone_command(&ceiling)))
            .collect::<Result<Vec<_>>>()?;
        rows.push(Row {
            name: format!("(ceiling) ssh cat {} MiB, {label}", options.size_mib),
            bytes: Some(size),
            ours: Vec::new(),
            theirs: samples,
        });
    }
    let default = |args: &[&str]| ours_command(sshd, client, None, None, None, args);
    let small = data.local_small.display().to_string();
    rows.push(compare(
        format!("{} x 4 KiB download", options.small_files),
        Some(options.small_files as u64 * 4096),
        options.pairs,
        || {
            empty_dir(&format!("{LOCAL_DATA}/get-small-ours"));
            default(&[
                "get-dir",
                "shm/small",
                &format!("{LOCAL_DATA}/get-small-ours"),
            ])
        },
        || {
            empty_dir(&format!("{LOCAL_DATA}/get-small-theirs"));
            theirs_command(
                sshd,
                None,
                None,
                None,
                &format!("get shm/small/* {LOCAL_DATA}/get-small-theirs/"),
            )
        },
    )?);
    rows.push(compare(
        format!("{} x 4 KiB upload", options.small_files),
        Some(options.small_files as u64 * 4096),
        options.pairs,
        || {
            empty_dir(&format!("{REMOTE_DATA}/up-small-ours"));
            default(&["put-dir", &small, "shm/up-small-ours"])
        },
        || {
            empty_dir(&format!("{REMOTE_DATA}/up-small-theirs"));
            theirs_command(
                sshd,
                None,
                None,
                None,
                &format!("put {small}/* shm/up-small-theirs/"),
            )
        },
    )?);
    rows.push(compare(
        format!("list {} entries", options.list_entries),
        None,
        options.pairs,
        || default(&["list", "shm/many"]),
        || theirs_command(sshd, None, None, None, "ls -1 shm/many"),
    )?);
    let kex = Some("curve25519-sha256");
    rows.push(compare(
        "connect + auth + realpath (curve25519-sha256)".to_owned(),
        None,
        options.pairs,
        || ours_command(sshd, client, None, None, kex, &["connect"]),
        || theirs_command(sshd, None, None, kex, "pwd"),
    )?);
    Ok(rows)
}

/// Removes a destination left by the previous run, outside the timing: every transfer
/// creates its file, so neither client is charged for freeing the old copy's pages (which
/// `ssh cat > /dev/null`, the ceiling, never pays either).
fn remove(path: &str) {
    let _ = std::fs::remove_file(path);
}

/// Removes the files in `dir` (kept itself, with its owner), outside the timing.
fn empty_dir(dir: &str) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn ssh_algorithm_args(cipher: Option<&str>, mac: Option<&str>, kex: Option<&str>) -> Vec<String> {
    let mut args = Vec::new();
    if let Some(c) = cipher {
        args.push("-c".to_owned());
        args.push(c.to_owned());
    }
    if let Some(m) = mac {
        args.push("-o".to_owned());
        args.push(format!("MACs={m}"));
    }
    if let Some(k) = kex {
        args.push("-o".to_owned());
        args.push(format!("KexAlgorithms={k}"));
    }
    args
}

fn ours_command(
    sshd: &Sshd,
    client: &Path,
    cipher: Option<&str>,
    mac: Option<&str>,
    kex: Option<&str>,
    args: &[&str],
) -> Command {
    let mut command = Command::new(client);
    command
        .args(args)
        .env("BENCH_HOST", "127.0.0.1")
        .env("BENCH_PORT", sshd.port().to_string())
        .env("BENCH_USER", sshd.user())
        .env("BENCH_KEY", sshd.client_key_path())
        .env("BENCH_KNOWN_HOSTS", sshd.known_hosts_path());
    for (var, value) in [
        ("BENCH_CIPHER", cipher),
        ("BENCH_MAC", mac),
        ("BENCH_KEX", kex),
    ] {
        if let Some(value) = value {
            command.env(var, value);
        }
    }
    command
}

fn theirs_command(
    sshd: &Sshd,
    cipher: Option<&str>,
    mac: Option<&str>,
    kex: Option<&str>,
    batch: &str,
) -> Command {
    let batch_file = Path::new(LOCAL_DATA).join("batch.txt");
    let _ = std::fs::write(&batch_file, format!("{batch}\n"));
    let mut args = ssh_algorithm_args(cipher, mac, kex);
    args.push("-b".to_owned());
    args.push(batch_file.display().to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    sshd.sftp_command(&args)
}

/// Alternates ours and theirs: one warm-up each, then `pairs` pairs.
fn compare(
    name: String,
    bytes: Option<u64>,
    pairs: usize,
    ours: impl Fn() -> Command,
    theirs: impl Fn() -> Command,
) -> Result<Row> {
    print!("  {name}: ");
    let _ = std::io::stdout().flush();
    if let Some(b) = bytes.filter(|b| *b >= 64 << 20) {
        prefault(b.saturating_mul(3));
    }
    measure(ours()).map_err(|e| format!("{name} (ours): {e}"))?;
    measure(theirs()).map_err(|e| format!("{name} (OpenSSH): {e}"))?;
    let mut row = Row {
        name: name.clone(),
        bytes,
        ours: Vec::new(),
        theirs: Vec::new(),
    };
    for _ in 0..pairs.max(1) {
        row.ours
            .push(measure(ours()).map_err(|e| format!("{name} (ours): {e}"))?);
        row.theirs
            .push(measure(theirs()).map_err(|e| format!("{name} (OpenSSH): {e}"))?);
        print!(".");
        let _ = std::io::stdout().flush();
    }
    println!();
    Ok(row)
}

fn clone_command(command: &Command) -> Command {
    let mut copy = Command::new(command.get_program());
    copy.args(command.get_args());
    copy
}

/// Runs `command` under `/usr/bin/time`, output discarded.
fn measure(command: Command) -> Result<Sample> {
    let stats = Path::new(LOCAL_DATA).join("time.txt");
    let mut timed = Command::new("/usr/bin/time");
    timed
        .arg("-f")
        .arg("%e %U %S %M")
        .arg("-o")
        .arg(&stats)
        .arg(command.get_program())
        .args(command.get_args())
        .envs(command.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // Wall time from our own clock (`/usr/bin/time` resolves only 10 ms, too coarse for
    // the sub-second rows); its CPU and RSS figures are the child's own.
    let started = Instant::now();
    let output = timed.output().map_err(|e| format!("cannot run: {e}"))?;
    let wall = started.elapsed().as_secs_f64();
    if !output.status.success() {
        return Err(format!(
            "exited with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let text = std::fs::read_to_string(&stats).map_err(|e| format!("read timing: {e}"))?;
    let fields: Vec<f64> = text
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    match fields.as_slice() {
        [_, user, sys, rss] => Ok(Sample {
            wall,
            cpu: user + sys,
            rss_kib: *rss as u64,
        }),
        _ => Err(format!("unexpected timing output {text:?}")),
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values.get(n / 2).copied().unwrap_or(f64::NAN),
        n => {
            let a = values.get(n / 2 - 1).copied().unwrap_or(f64::NAN);
            let b = values.get(n / 2).copied().unwrap_or(f64::NAN);
            (a + b) / 2.0
        }
    }
}

fn render(rows: &[Row], options: &Options) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Benchmark: ours vs OpenSSH sftp, {:?} server, {} pairs after a warm-up, medians.\n\
         ratio = OpenSSH time / our time, per pair, median (> 1: we are faster). \
         CPU = user + system seconds of the client process tree (sftp includes its ssh \
         child); per GiB for transfers. CPU ratio = our CPU / OpenSSH's, per pair, median \
         (< 1: we use less).\n",
        options.server, options.pairs
    );
    let _ = writeln!(
        out,
        "| benchmark | ours (s) | OpenSSH (s) | ratio | ours MB/s | OpenSSH MB/s | ours CPU | OpenSSH CPU | CPU ratio | ours RSS | OpenSSH RSS |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        let ours = median(row.ours.iter().map(|s| s.wall).collect());
        let theirs = median(row.theirs.iter().map(|s| s.wall).collect());
        let ratio = median(
            row.ours
                .iter()
                .zip(&row.theirs)
                .map(|(o, t)| t.wall / o.wall)
                .collect(),
        );
        // Per pair too: load on the shared machine inflates both clients' CPU alike.
        let cpu_ratio = median(
            row.ours
                .iter()
                .zip(&row.theirs)
                .filter(|(_, t)| t.cpu > 0.0)
                .map(|(o, t)| o.cpu / t.cpu)
                .collect(),
        );
        let rate = |secs: f64| match row.bytes {
            Some(b) if secs > 0.0 => format!("{:.0}", b as f64 / secs / 1e6),
            _ => "".to_owned(),
        };
        let gib = row.bytes.map(|b| b as f64 / f64::from(1u32 << 30));
        let cpu = |samples: &[Sample]| {
            let c = median(samples.iter().map(|s| s.cpu).collect());
            match gib {
                Some(g) if g >= 0.25 && !c.is_nan() => format!("{:.2} s/GiB", c / g),
                _ if c.is_nan() => String::new(),
                _ => format!("{c:.2} s"),
            }
        };
        let rss = |samples: &[Sample]| {
            samples
                .iter()
                .map(|s| s.rss_kib)
                .max()
                .map_or(String::new(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
        };
        let show = |v: f64| {
            if v.is_nan() {
                String::new()
            } else {
                format!("{v:.3}")
            }
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            row.name,
            show(ours),
            show(theirs),
            if ratio.is_nan() {
                String::new()
            } else {
                format!("{ratio:.2}x")
            },
            rate(ours),
            rate(theirs),
            cpu(&row.ours),
            cpu(&row.theirs),
            if cpu_ratio.is_nan() {
                String::new()
            } else {
                format!("{cpu_ratio:.2}")
            },
            rss(&row.ours),
            rss(&row.theirs),
        );
    }
    out
}
