//! Public key files: the OpenSSH one-line form (`type base64 comment`, as in `.pub` files,
//! authorized_keys and known_hosts) and RFC 4716 (`---- BEGIN SSH2 PUBLIC KEY ----`).

use base64::Engine as _;

use crate::{KeyError, PublicKey};

const FORMAT_LINE: &str = "OpenSSH public key";
const FORMAT_RFC4716: &str = "RFC 4716";
/// RFC 4716 §3.3: header lines are at most 1024 bytes; we cap the whole file elsewhere.
const MAX_RFC4716_HEADER_LEN: usize = 1024;

/// A public key with the comment that accompanied it in its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKeyLine {
    /// The key.
    pub key: PublicKey,
    /// The comment (rest of the line, or RFC 4716 `Comment:` header), possibly empty.
    pub comment: String,
}

impl PublicKeyLine {
    /// Parses `type base64 [comment]`. The type field must match the type inside the blob.
    pub fn parse(line: &str) -> Result<PublicKeyLine, KeyError> {
        let line = line.trim();
        let (key_type, rest) = split_field(line);
        let (b64, comment) = split_field(rest);
        if key_type.is_empty() || b64.is_empty() {
            return Err(KeyError::MalformedFile {
                format: FORMAT_LINE,
                reason: "expected `key-type base64 [comment]`".to_owned(),
            });
        }
        let blob = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| KeyError::MalformedFile {
                format: FORMAT_LINE,
                reason: "key data is not valid base64".to_owned(),
            })?;
        let key = PublicKey::from_blob(&blob)?;
        if key.key_type() != key_type {
            return Err(KeyError::MalformedFile {
                format: FORMAT_LINE,
                reason: format!(
                    "line says `{}` but the key is {}",
                    crate::error::echo(key_type),
                    key.key_type()
                ),
            });
        }
        Ok(PublicKeyLine {
            key,
            comment: comment.trim().to_owned(),
        })
    }

    /// The line as OpenSSH writes it (`type base64 comment`, no newline).
    pub fn to_line(&self) -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(self.key.to_blob());
        if self.comment.is_empty() {
            format!("{} {b64}", self.key.key_type())
        } else {
            format!("{} {b64} {}", self.key.key_type(), self.comment)
        }
    }

    /// Parses an RFC 4716 SSH2 public key file.
    pub fn parse_rfc4716(text: &str) -> Result<PublicKeyLine, KeyError> {
        const BEGIN: &str = "---- BEGIN SSH2 PUBLIC KEY ----";
        const END: &str = "---- END SSH2 PUBLIC KEY ----";
        if text.len() > crate::MAX_KEY_FILE_LEN {
            return Err(KeyError::MalformedFile {
                format: FORMAT_RFC4716,
                reason: "file too large".to_owned(),
            });
        }
        let mut lines = text
            .lines()
            .map(str::trim_end)
            .skip_while(|l| l.trim() != BEGIN);
        if lines.next().is_none() {
            return Err(KeyError::MalformedFile {
                format: FORMAT_RFC4716,
                reason: "no BEGIN SSH2 PUBLIC KEY line".to_owned(),
            });
        }
        let mut comment = String::new();
        let mut body = String::new();
        let mut header = String::new();
        let mut continuing = false;
        let mut ended = false;
        for line in lines {
            if line.trim() == END {
                ended = true;
                break;
            }
            // RFC 4716 §3.3: a header line contains ':'; a trailing '\' continues it.
            if continuing || (body.is_empty() && line.contains(':')) {
                let (part, more) = match line.strip_suffix('\\') {
                    Some(p) => (p, true),
                    None => (line, false),
                };
                header.push_str(part);
                if header.len() > MAX_RFC4716_HEADER_LEN {
                    return Err(KeyError::MalformedFile {
                        format: FORMAT_RFC4716,
                        reason: "header longer than 1024 bytes".to_owned(),
                    });
                }
                continuing = more;
                if !more {
                    if let Some((name, value)) = header.split_once(':') {
                        if name.trim().eq_ignore_ascii_case("Comment") {
                            comment = value.trim().trim_matches('"').to_owned();
                        }
                    }
                    header.clear();
                }
                continue;
            }
            body.push_str(line.trim());
        }
        if !ended {
            return Err(KeyError::Truncated {
                format: FORMAT_RFC4716,
                reason: "the END SSH2 PUBLIC KEY line is missing",
            });
        }
        let blob = base64::engine::general_purpose::STANDARD
            .decode(body.as_bytes())
            .map_err(|_| KeyError::MalformedFile {
                format: FORMAT_RFC4716,
                reason: "key data is not valid base64".to_owned(),
            })?;
        Ok(PublicKeyLine {
            key: PublicKey::from_blob(&blob)?,
            comment,
        })
    }

    /// Writes the key in RFC 4716 form, base64 wrapped at 70 columns (as `ssh-keygen -e`).
    pub fn to_rfc4716(&self) -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(self.key.to_blob());
        let mut out = String::from("---- BEGIN SSH2 PUBLIC KEY ----\n");
        if !self.comment.is_empty() {
            out.push_str(&format!("Comment: \"{}\"\n", self.comment.replace('"', "")));
        }
        for chunk in b64.as_bytes().chunks(70) {
            out.push_str(&String::from_utf8_lossy(chunk));
            out.push('\n');
        }
        out.push_str("---- END SSH2 PUBLIC KEY ----\n");
        out
    }
}

/// Splits off the first whitespace-delimited field.
pub(crate) fn split_field(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find([' ', '\t']) {
        Some(i) => (
            s.get(..i).unwrap_or(s),
            s.get(i..).unwrap_or("").trim_start(),
        ),
        None => (s, ""),
    }
}
