//! Process bookkeeping through `/proc`: descendants of a server, leftover servers.

use std::collections::{HashMap, VecDeque};
use std::fs;

use crate::DIR_MARKER;

/// One line of `/proc/PID/stat` that the harness cares about.
struct Stat {
    ppid: i32,
    zombie: bool,
}

fn stat(pid: i32) -> Option<Stat> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) state ppid ...": comm may contain spaces and parentheses.
    let (_, rest) = text.rsplit_once(')')?;
    let mut fields = rest.split_whitespace();
    let state = fields.next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some(Stat {
        ppid,
        zombie: state == "Z" || state == "X",
    })
}

fn all_pids() -> Vec<i32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect()
}

/// A live descendant of a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Descendant {
    pub(crate) pid: i32,
    /// It has no live children of its own.
    pub(crate) leaf: bool,
}

/// The live descendants of `root` (not `root` itself), parents before children.
///
/// sshd's per-connection processes call `setsid()`, so they leave the listener's process
/// group; only the parent links in `/proc` still tie them to the listener.
pub(crate) fn descendants(root: i32) -> Vec<Descendant> {
    let mut children: HashMap<i32, Vec<i32>> = HashMap::new();
    for pid in all_pids() {
        if let Some(stat) = stat(pid).filter(|s| !s.zombie) {
            children.entry(stat.ppid).or_default().push(pid);
        }
    }
    let children_of = |pid: &i32| children.get(pid).map(Vec::as_slice).unwrap_or_default();
    let mut order = Vec::new();
    let mut queue = VecDeque::from([root]);
    while let Some(pid) = queue.pop_front() {
        for &child in children_of(&pid) {
            order.push(Descendant {
                pid: child,
                leaf: children_of(&child).is_empty(),
            });
            queue.push_back(child);
        }
    }
    order
}

/// A process whose command line mentions a harness server directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkedProcess {
    /// Its pid.
    pub pid: u32,
    /// Its command line, arguments joined by spaces.
    pub command_line: String,
}

/// Live processes (not zombies, not this process) whose command line contains
/// [`DIR_MARKER`]: a listening harness `sshd`, its pre-auth children and the
/// `sftp-server -d DIR/root` subsystems.
///
/// Used by `cargo xtask test` to prove that no server outlived its test. Post-auth sshd
/// processes rewrite their command line (`sshd: user [priv]`) and are not found this way.
pub fn marked_processes() -> Vec<MarkedProcess> {
    let own = std::process::id();
    let mut found = Vec::new();
    for pid in all_pids() {
        let Ok(pid_u32) = u32::try_from(pid) else {
            continue;
        };
        if pid_u32 == own || stat(pid).is_none_or(|s| s.zombie) {
            continue;
        }
        let Ok(raw) = fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let command_line = raw
            .split(|&b| b == 0)
            .filter(|arg| !arg.is_empty())
            .map(String::from_utf8_lossy)
            .collect::<Vec<_>>()
            .join(" ");
        if command_line.contains(DIR_MARKER) {
            found.push(MarkedProcess {
                pid: pid_u32,
                command_line,
            });
        }
    }
    found
}
