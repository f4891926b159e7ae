//! PEM-style armor (RFC 7468 textual encoding, plus the RFC 1421 headers legacy encrypted PEM
//! keys carry): `-----BEGIN LABEL-----`, optional `Name: value` headers, base64, `-----END`.

use base64::Engine as _;
use zeroize::Zeroizing;

use crate::KeyError;

/// Largest key file accepted, in bytes. A PEM RSA-16384 private key is about 13 KiB and a
/// certificate with many principals a few KiB; 1 MiB bounds the work on hostile input.
pub const MAX_KEY_FILE_LEN: usize = 1024 * 1024;

/// Most headers accepted in one armored block (legacy PEM has two).
const MAX_HEADERS: usize = 16;

/// A decoded armored block.
pub(crate) struct Armor {
    /// The label between `BEGIN ` and the dashes.
    pub label: String,
    /// RFC 1421 headers (`Proc-Type`, `DEK-Info`), in order.
    pub headers: Vec<(String, String)>,
    /// The base64-decoded body (may hold secrets: zeroized on drop).
    pub data: Zeroizing<Vec<u8>>,
}

impl Armor {
    /// Parses the first armored block in `text`. `format` names the file format in errors.
    pub fn parse(text: &str, format: &'static str) -> Result<Armor, KeyError> {
        if text.len() > MAX_KEY_FILE_LEN {
            return Err(KeyError::MalformedFile {
                format,
                reason: format!("file larger than {MAX_KEY_FILE_LEN} bytes"),
            });
        }
        let mut lines = text.lines().map(str::trim);
        let label = loop {
            let Some(line) = lines.next() else {
                return Err(KeyError::MalformedFile {
                    format,
                    reason: "no -----BEGIN line".to_owned(),
                });
            };
            if let Some(label) = line
                .strip_prefix("-----BEGIN ")
                .and_then(|l| l.strip_suffix("-----"))
            {
                break label.to_owned();
            }
        };
        let end = format!("-----END {label}-----");
        let mut headers = Vec::new();
        let mut body = Zeroizing::new(String::new());
        let mut in_headers = true;
        let mut ended = false;
        for line in lines {
            if line == end {
                ended = true;
                break;
            }
            if line.starts_with("-----") {
                return Err(KeyError::MalformedFile {
                    format,
                    reason: "END line does not match the BEGIN line".to_owned(),
                });
            }
            if in_headers {
                if let Some((name, value)) = line.split_once(':') {
                    if headers.len() >= MAX_HEADERS {
                        return Err(KeyError::MalformedFile {
                            format,
                            reason: "too many headers".to_owned(),
                        });
                    }
                    headers.push((name.trim().to_owned(), value.trim().to_owned()));
                    continue;
                }
                in_headers = false;
                if line.is_empty() {
                    continue;
                }
            }
            body.push_str(line);
        }
        if !ended {
            return Err(KeyError::Truncated {
                format,
                reason: "the -----END line is missing",
            });
        }
        let data = base64::engine::general_purpose::STANDARD
            .decode(body.as_bytes())
            .map_err(|_| KeyError::MalformedFile {
                format,
                reason: "the body is not valid base64".to_owned(),
            })?;
        Ok(Armor {
            label,
            headers,
            data: Zeroizing::new(data),
        })
    }

    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Armors `data` with `label`, wrapping base64 at `width` characters.
pub(crate) fn encode(label: &str, data: &[u8], width: usize) -> String {
    let b64 = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(data));
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(width.max(1)) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
