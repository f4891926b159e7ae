//! Output formatting: `ls -l` lines, `stat` and `df` reports, sizes, rates and dates.
//!
//! Dates are UTC (`2026-11-24 01:57`): sftpc has no time zone database, and UTC reads the
//! same on every machine.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sftpclient::{FileType, Metadata, StatVfs};

/// `drwxr-xr-x`-style mode string from the file type and permission bits.
pub fn mode_string(meta: &Metadata) -> String {
    let kind = match meta.file_type() {
        Some(FileType::DIRECTORY) => 'd',
        Some(FileType::SYMLINK) => 'l',
        Some(FileType::REGULAR) => '-',
        Some(FileType::SOCKET) => 's',
        Some(FileType::CHAR_DEVICE) => 'c',
        Some(FileType::BLOCK_DEVICE) => 'b',
        Some(FileType::FIFO) => 'p',
        _ => '?',
    };
    let mut out = String::with_capacity(10);
    out.push(kind);
    let Some(perm) = meta.permissions() else {
        out.push_str("?????????");
        return out;
    };
    // (read, write, execute bit, special bit, letter when special+exec, when special only)
    let triads = [
        (0o400, 0o200, 0o100, 0o4000, 's', 'S'),
        (0o040, 0o020, 0o010, 0o2000, 's', 'S'),
        (0o004, 0o002, 0o001, 0o1000, 't', 'T'),
    ];
    for (r, w, x, special, both, only) in triads {
        out.push(if perm & r != 0 { 'r' } else { '-' });
        out.push(if perm & w != 0 { 'w' } else { '-' });
        out.push(match (perm & x != 0, perm & special != 0) {
            (true, true) => both,
            (false, true) => only,
            (true, false) => 'x',
            (false, false) => '-',
        });
    }
    out
}

/// Owner and group as names (v4+) or numbers (v3), `?` when the server sent neither.
pub fn owner_group(meta: &Metadata) -> (String, String) {
    if let Some((o, g)) = meta.owner_group() {
        return (o.to_owned(), g.to_owned());
    }
    match meta.uid_gid() {
        Some((u, g)) => (u.to_string(), g.to_string()),
        None => ("?".to_owned(), "?".to_owned()),
    }
}

/// One `ls -l` line: mode, owner, group, size, modification time (UTC), name.
pub fn long_line(meta: &Metadata, name: &str) -> String {
    let (owner, group) = owner_group(meta);
    let size = meta
        .size()
        .map_or_else(|| "?".to_owned(), |s| s.to_string());
    let when = meta
        .modified()
        .map_or_else(|| "????-??-?? ??:??".to_owned(), |t| date_time(t, false));
    format!(
        "{} {owner:<8} {group:<8} {size:>12} {when} {name}",
        mode_string(meta)
    )
}

/// The `stat` report, one `Name: value` per line.
pub fn stat_report(meta: &Metadata, path: &str) -> String {
    let kind = match meta.file_type() {
        Some(FileType::DIRECTORY) => "directory",
        Some(FileType::SYMLINK) => "symbolic link",
        Some(FileType::REGULAR) => "regular file",
        Some(FileType::SOCKET) => "socket",
        Some(FileType::CHAR_DEVICE) => "character device",
        Some(FileType::BLOCK_DEVICE) => "block device",
        Some(FileType::FIFO) => "fifo",
        Some(FileType::SPECIAL) => "special",
        _ => "unknown",
    };
    let (owner, group) = owner_group(meta);
    let mut lines = vec![
        format!("File: {path}"),
        format!("Type: {kind}"),
        format!(
            "Size: {}",
            meta.size()
                .map_or_else(|| "unknown".to_owned(), |s| s.to_string())
        ),
    ];
    if let Some(perm) = meta.permissions() {
        lines.push(format!(
            "Mode: {:04o} ({})",
            perm & 0o7777,
            mode_string(meta)
        ));
    }
    lines.push(format!("Owner: {owner}"));
    lines.push(format!("Group: {group}"));
    if let Some(t) = meta.modified() {
        lines.push(format!("Modified: {}", date_time(t, true)));
    }
    if let Some(t) = meta.accessed() {
        lines.push(format!("Accessed: {}", date_time(t, true)));
    }
    lines.join("\n")
}

/// The `df` report in KiB, as OpenSSH's `sftp df` prints it.
pub fn df_report(v: &StatVfs) -> String {
    let kib = |blocks: u64| u128::from(blocks) * u128::from(v.frsize) / 1024;
    let size = kib(v.blocks);
    let used = kib(v.blocks.saturating_sub(v.bfree));
    let avail = kib(v.bavail);
    let root = kib(v.bfree);
    let capacity = used.saturating_mul(100).checked_div(size).unwrap_or(0);
    format!(
        "{:>15} {:>15} {:>15} {:>15} {:>9}\n{size:>15} {used:>15} {avail:>15} {root:>15} {capacity:>8}%",
        "Size (KiB)", "Used", "Avail", "(root)", "%Capacity"
    )
}

/// `1.5 MiB`-style size with binary units.
pub fn human_bytes(bytes: f64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes;
    let mut unit = "B";
    for next in UNITS {
        unit = next;
        if value < 1024.0 {
            break;
        }
        if next != "PiB" {
            value /= 1024.0;
        }
    }
    if unit == "B" {
        format!("{value:.0} B")
    } else {
        format!("{value:.1} {unit}")
    }
}

/// The transfer summary line: `<name>: <bytes> bytes in <secs> s (<rate>/s)`.
pub fn summary_line(name: &str, bytes: u64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    // A transfer faster than the clock's resolution is reported at the rate of 1 µs.
    let rate = bytes as f64 / secs.max(1e-6);
    format!(
        "{name}: {bytes} bytes in {secs:.2} s ({}/s)",
        human_bytes(rate)
    )
}

/// `YYYY-MM-DD HH:MM[:SS] UTC`-style time (seconds and zone with `precise`).
pub fn date_time(t: SystemTime, precise: bool) -> String {
    let secs: i64 = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    };
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (y, mo, d) = civil_from_days(days);
    let (h, mi, s) = (of_day / 3600, of_day % 3600 / 60, of_day % 60);
    if precise {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} UTC")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}")
    }
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (the well-known
/// era-of-400-years conversion).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe.saturating_add(era.saturating_mul(400)) + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let t = |s: u64| UNIX_EPOCH + Duration::from_secs(s);
        assert_eq!(date_time(t(0), true), "1970-01-01 00:00:00 UTC");
        assert_eq!(date_time(t(1_500_000_000), false), "2017-07-14 02:40");
        assert_eq!(date_time(t(951_782_400), false), "2000-02-29 00:00");
        assert_eq!(date_time(t(4_107_542_399), true), "2100-02-28 23:59:59 UTC");
        assert_eq!(
            date_time(UNIX_EPOCH - Duration::from_secs(86_400), false),
            "1969-12-31 00:00"
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(human_bytes(0.0), "0 B");
        assert_eq!(human_bytes(1023.0), "1023 B");
        assert_eq!(human_bytes(1536.0), "1.5 KiB");
        assert_eq!(human_bytes(256.0 * 1024.0 * 1024.0), "256.0 MiB");
        assert_eq!(
            summary_line("a", 2048, Duration::from_secs(2)),
            "a: 2048 bytes in 2.00 s (1.0 KiB/s)"
        );
    }
}

/// A writer that shows control characters as `?`: names, link targets and error messages
/// come from the server, and must not drive the user's terminal (escape sequences that
/// move the cursor, retitle the window or rewrite earlier lines). Newline and tab pass;
/// C0 controls, DEL and the two-byte UTF-8 forms of the C1 controls (U+0080 to U+009F)
/// become `?`.
pub struct Printable<'a> {
    inner: &'a mut dyn std::io::Write,
    /// The previous byte was 0xC2, the lead byte of the C1 controls' UTF-8 form.
    after_c2: bool,
}

impl<'a> Printable<'a> {
    /// Wraps `inner`.
    pub fn new(inner: &'a mut dyn std::io::Write) -> Self {
        Self {
            inner,
            after_c2: false,
        }
    }
}

impl std::io::Write for Printable<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut clean = Vec::with_capacity(buf.len().saturating_add(1));
        for &b in buf {
            if self.after_c2 {
                self.after_c2 = false;
                if (0x80..=0x9f).contains(&b) {
                    clean.push(b'?');
                    continue;
                }
                clean.push(0xc2);
            }
            match b {
                b'\n' | b'\t' => clean.push(b),
                0x00..=0x1f | 0x7f => clean.push(b'?'),
                0xc2 => self.after_c2 = true,
                _ => clean.push(b),
            }
        }
        self.inner.write_all(&clean)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.after_c2 {
            self.after_c2 = false;
            self.inner.write_all(&[0xc2])?;
        }
        self.inner.flush()
    }
}

/// `text` with control characters shown as `?` (see [`Printable`]).
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '?'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod printable_tests {
    use super::*;
    use std::io::Write;

    fn through(pieces: &[&[u8]]) -> Vec<u8> {
        let mut sink = Vec::new();
        {
            let mut w = Printable::new(&mut sink);
            for p in pieces {
                w.write_all(p).unwrap();
            }
            w.flush().unwrap();
        }
        sink
    }

    #[test]
    fn controls_are_neutralised() {
        assert_eq!(through(&[b"a\x1b[2Jb\n"]), b"a?[2Jb\n");
        assert_eq!(through(&[b"\x07\x7f\r\t"]), b"???\t");
        // C1 CSI (U+009B) as UTF-8, also split across writes.
        assert_eq!(through(&["x\u{9b}y".as_bytes()]), b"x?y");
        assert_eq!(through(&[b"x\xc2", b"\x9by"]), b"x?y");
        // Other characters, including ones whose UTF-8 starts with 0xC2, pass.
        assert_eq!(through(&["é ¢ ü".as_bytes()]), "é ¢ ü".as_bytes());
        assert_eq!(through(&[b"\xc2"]), b"\xc2");
        assert_eq!(printable("a\u{1b}]0;x\u{7}b\u{9b}"), "a?]0;x?b?");
    }
}
