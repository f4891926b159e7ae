//! RFC 4253 §4.2 protocol version exchange.
//!
//! The server may send other lines before its identification (RFC 4253 §4.2: "other lines
//! of data before sending the version string"); they are bounded in number and length.

use crate::error::TransportError;

/// Longest line accepted before or as the identification, CR LF included. RFC 4253 allows
/// 255 for the identification; pre-banner lines are OpenSSH-bounded at 8 KiB
/// (`SSH_MAX_BANNER_LEN`-style) so a hostile server cannot make us buffer without limit.
pub const MAX_LINE_LEN: usize = 8192;

/// Most lines accepted before the identification (OpenSSH `SSH_MAX_PRE_BANNER_LINES`).
pub const MAX_PRE_BANNER_LINES: usize = 1024;

/// Outcome of scanning buffered bytes for the server's identification.
#[derive(Debug, PartialEq, Eq)]
pub enum Scan {
    /// Need more bytes; `consumed` pre-banner bytes may be dropped.
    NeedMore {
        /// Bytes of complete pre-banner lines.
        consumed: usize,
    },
    /// Found: the identification without CR LF, and bytes consumed through its LF.
    Found {
        /// The identification line.
        version: String,
        /// Bytes consumed.
        consumed: usize,
    },
}

/// Scans `buf` (bytes after previously consumed lines). `lines_seen` counts pre-banner
/// lines across calls.
pub fn scan(buf: &[u8], lines_seen: &mut usize) -> Result<Scan, TransportError> {
    let mut pos = 0usize;
    loop {
        let rest = buf.get(pos..).unwrap_or_default();
        let Some(nl) = rest.iter().position(|&b| b == b'\n') else {
            if rest.len() >= MAX_LINE_LEN {
                return Err(TransportError::BadIdentification {
                    reason: "line too long",
                });
            }
            return Ok(Scan::NeedMore { consumed: pos });
        };
        if nl.saturating_add(1) > MAX_LINE_LEN {
            return Err(TransportError::BadIdentification {
                reason: "line too long",
            });
        }
        let line = rest.get(..nl).unwrap_or_default();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let next = pos.saturating_add(nl).saturating_add(1);
        if line.starts_with(b"SSH-") {
            if line.len() > 253 {
                return Err(TransportError::BadIdentification {
                    reason: "identification longer than 255 bytes",
                });
            }
            if !line.iter().all(|b| (0x20..=0x7e).contains(b)) {
                return Err(TransportError::BadIdentification {
                    reason: "identification has non-printable characters",
                });
            }
            let version = String::from_utf8_lossy(line).into_owned();
            return Ok(Scan::Found {
                version,
                consumed: next,
            });
        }
        *lines_seen = lines_seen.saturating_add(1);
        if *lines_seen > MAX_PRE_BANNER_LINES {
            return Err(TransportError::BadIdentification {
                reason: "too many lines before the identification",
            });
        }
        pos = next;
    }
}

/// Whether `version` matches any of the comma-separated glob `patterns` (`*` any run,
/// `?` one character), as OpenSSH `match_pattern_list`.
pub fn matches_pattern_list(version: &str, patterns: &str) -> bool {
    patterns
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .any(|p| glob(p.as_bytes(), version.as_bytes()))
}

/// Iterative glob match with single-star backtracking (linear in practice, no recursion).
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p = p.saturating_add(1);
            }
            Some(&c) if c == b'?' || Some(&c) == text.get(t) => {
                p = p.saturating_add(1);
                t = t.saturating_add(1);
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp.saturating_add(1);
                    t = st.saturating_add(1);
                    star = Some((sp, t));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .unwrap_or_default()
        .iter()
        .all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DEFAULT_VERSION_PATTERN;

    #[test]
    fn default_pattern() {
        assert!(matches_pattern_list(
            "SSH-2.0-OpenSSH_9.2p1 Debian-2",
            DEFAULT_VERSION_PATTERN
        ));
        assert!(matches_pattern_list(
            "SSH-1.99-foo",
            DEFAULT_VERSION_PATTERN
        ));
        assert!(!matches_pattern_list(
            "SSH-1.5-foo",
            DEFAULT_VERSION_PATTERN
        ));
        assert!(matches_pattern_list("SSH-2.0-x", "SSH-2.0-?"));
        assert!(!matches_pattern_list("SSH-2.0-xy", "SSH-2.0-?"));
    }

    #[test]
    fn scan_lines() {
        let mut n = 0;
        let got = scan(b"hello\r\nworld\nSSH-2.0-X y\r\nrest", &mut n).unwrap();
        assert_eq!(
            got,
            Scan::Found {
                version: "SSH-2.0-X y".into(),
                consumed: 26
            }
        );
        assert_eq!(n, 2);
        let mut n = 0;
        assert_eq!(
            scan(b"abc\nSSH-2.0", &mut n).unwrap(),
            Scan::NeedMore { consumed: 4 }
        );
        let long = vec![b'a'; MAX_LINE_LEN + 1];
        assert!(scan(&long, &mut 0).is_err());
        let many = b"x\n".repeat(MAX_PRE_BANNER_LINES + 1);
        assert!(scan(&many, &mut 0).is_err());
    }
}
