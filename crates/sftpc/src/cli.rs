//! The command line: `sftpc [options] [user@]host`, parsed into [`Invocation`].
//!
//! Short options take their value attached or as the next argument (`-P22`, `-P 22`), as
//! getopt does; options come before the destination. `-o` takes OpenSSH's `Name=Value` (or
//! `Name Value`) with names matched case-insensitively.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use sftpclient::{SftpConfig, Version};

use crate::connect::{Algorithms, ConnectOptions, HostKeyPolicy, UnknownHost, expand_tilde};

/// The usage text printed by `-h` and after a usage error.
pub const USAGE: &str = "\
usage: sftpc [-P port] [-i identity]... [--password-env VAR] [-o Name=Value]...
             [-b batchfile] [-s sftp-version]
             [--known-hosts FILE | --accept-fingerprint FP | --accept-any-host-key]
             [-q] [-v] [user@]host

  -P port                 server port (default 22)
  -i identity             private key file; repeatable (default ~/.ssh/id_*)
  --password-env VAR      take the password from environment variable VAR
  -o Name=Value           OpenSSH option (Ciphers, KexAlgorithms, MACs, HostKeyAlgorithms,
                          Compression, Port, User, IdentityFile, StrictHostKeyChecking) or
                          a client config setting; repeatable
  -b batchfile            run the commands in batchfile (`-` for stdin); stop at the first
                          failing command
  -s sftp-version         highest SFTP version to use, 3 to 6 (default 3)
  --known-hosts FILE      check the host key against FILE (default ~/.ssh/known_hosts)
  --accept-fingerprint FP accept a host key with this fingerprint (SHA256:...); repeatable
  --accept-any-host-key   accept any host key (dangerous: no protection against a
                          man in the middle)
  -q                      quiet: no progress, no summaries, no command echo
  -v                      verbose: report connection details
  -h, --help              show this help

commands: cd, pwd, lcd, lpwd, ls [-l] [-a] [mask], get [-a] remote [local],
put [-a] local [remote], append local remote, rename from to, rm path, mkdir path,
rmdir path, chmod mode path, stat path, df [path], ln [-s] target link, readlink path,
help, quit (exit, bye)
";

/// Where batch commands come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchSource {
    /// `-b FILE`.
    File(PathBuf),
    /// `-b -`.
    Stdin,
}

/// Everything the command line says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    /// How to connect.
    pub connect: ConnectOptions,
    /// `-b`: run a batch instead of an interactive session.
    pub batch: Option<BatchSource>,
    /// `-q`.
    pub quiet: bool,
    /// `-v`.
    pub verbose: bool,
}

/// The outcome of parsing the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// Run a session.
    Run(Box<Invocation>),
    /// `-h` / `--help`: print [`USAGE`].
    Help,
}

/// A malformed command line (exit status 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn usage(message: impl Into<String>) -> UsageError {
    UsageError(message.into())
}

/// Which host key option was given, to reject contradictory ones.
#[derive(Default)]
struct HostKeyChoice {
    known_hosts: Option<PathBuf>,
    fingerprints: Vec<String>,
    accept_any: bool,
    strict: Option<UnknownHost>,
    strict_no: bool,
}

impl HostKeyChoice {
    fn policy(self) -> Result<HostKeyPolicy, UsageError> {
        let chosen = usize::from(self.known_hosts.is_some())
            + usize::from(!self.fingerprints.is_empty())
            + usize::from(self.accept_any);
        if chosen > 1 {
            return Err(usage(
                "--known-hosts, --accept-fingerprint and --accept-any-host-key exclude each other",
            ));
        }
        if self.accept_any || (self.strict_no && self.fingerprints.is_empty()) {
            return Ok(HostKeyPolicy::AcceptAnyDangerously);
        }
        if !self.fingerprints.is_empty() {
            return Ok(HostKeyPolicy::Fingerprints(self.fingerprints));
        }
        Ok(HostKeyPolicy::KnownHosts {
            file: self.known_hosts,
            unknown: self.strict.unwrap_or(UnknownHost::Ask),
        })
    }
}

/// Parses the arguments after the program name.
pub fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Parsed, UsageError> {
    let args: Vec<String> = args
        .into_iter()
        .map(|a| {
            a.into_string()
                .map_err(|a| usage(format!("argument is not UTF-8: {}", a.to_string_lossy())))
        })
        .collect::<Result<_, _>>()?;
    let mut rest = args.into_iter();
    let mut port: Option<u16> = None;
    let mut user: Option<String> = None;
    let mut identities = Vec::new();
    let mut password_env = None;
    let mut batch = None;
    let mut sftp_version = SftpConfig::default().protocol_version;
    let mut host_keys = HostKeyChoice::default();
    let mut algorithms = Algorithms::default();
    let mut settings = Vec::new();
    let mut quiet = false;
    let mut verbose = false;
    let mut destination = None;

    while let Some(arg) = rest.next() {
        if destination.is_some() {
            return Err(usage(format!(
                "unexpected argument after the destination: {arg}"
            )));
        }
        match arg.as_str() {
            "-h" | "--help" => return Ok(Parsed::Help),
            "-q" => quiet = true,
            "-v" => verbose = true,
            "--accept-any-host-key" => host_keys.accept_any = true,
            "--password-env" => password_env = Some(value(&mut rest, &arg)?),
            "--known-hosts" => {
                host_keys.known_hosts = Some(expand_tilde(&value(&mut rest, &arg)?));
            }
            "--accept-fingerprint" => host_keys.fingerprints.push(value(&mut rest, &arg)?),
            "--" => {
                destination = Some(value(&mut rest, "--")?);
            }
            long if long.starts_with("--") => {
                return Err(usage(format!("unknown option {long}")));
            }
            short if short.starts_with('-') && short.len() > 1 => {
                // The flag is `-` and one character (which may not be ASCII).
                let cut = short.char_indices().nth(2).map_or(short.len(), |(i, _)| i);
                let (flag, attached) = short.split_at(cut);
                let mut take = || -> Result<String, UsageError> {
                    if attached.is_empty() {
                        value(&mut rest, flag)
                    } else {
                        Ok(attached.to_owned())
                    }
                };
                match flag {
                    "-P" => port = Some(parse_port(&take()?)?),
                    "-i" => identities.push(expand_tilde(&take()?)),
                    "-b" => {
                        let file = take()?;
                        batch = Some(if file == "-" {
                            BatchSource::Stdin
                        } else {
                            BatchSource::File(expand_tilde(&file))
                        });
                    }
                    "-s" => sftp_version = parse_version(&take()?)?,
                    "-o" => {
                        let option = take()?;
                        let (name, val) = split_option(&option)?;
                        match name.to_ascii_lowercase().as_str() {
                            "port" => port = Some(parse_port(val)?),
                            "user" => user = Some(val.to_owned()),
                            "identityfile" => identities.push(expand_tilde(val)),
                            "ciphers" => algorithms.ciphers = Some(val.to_owned()),
                            "kexalgorithms" => algorithms.kex = Some(val.to_owned()),
                            "macs" => algorithms.macs = Some(val.to_owned()),
                            "hostkeyalgorithms" => {
                                algorithms.host_key = Some(val.to_owned());
                            }
                            "compression" => algorithms.compression = Some(parse_yes_no(val)?),
                            "stricthostkeychecking" => match val.to_ascii_lowercase().as_str() {
                                "yes" => host_keys.strict = Some(UnknownHost::Reject),
                                "ask" => host_keys.strict = Some(UnknownHost::Ask),
                                "accept-new" => {
                                    host_keys.strict = Some(UnknownHost::AcceptNew);
                                }
                                "no" | "off" => host_keys.strict_no = true,
                                other => {
                                    return Err(usage(format!(
                                        "StrictHostKeyChecking must be yes, ask, accept-new or no, not {other:?}"
                                    )));
                                }
                            },
                            _ => settings.push((name.to_owned(), val.to_owned())),
                        }
                    }
                    "-q" | "-v" | "-h" => {
                        return Err(usage(format!("option {flag} takes no value: {short}")));
                    }
                    other => return Err(usage(format!("unknown option {other}"))),
                }
            }
            _ => destination = Some(arg),
        }
    }

    let destination = destination.ok_or_else(|| usage("no destination given"))?;
    let (dest_user, host) = match destination.rsplit_once('@') {
        Some((u, h)) => (Some(u.to_owned()), h.to_owned()),
        None => (None, destination),
    };
    if host.is_empty() {
        return Err(usage("empty host name"));
    }
    if dest_user.as_deref() == Some("") {
        return Err(usage("empty user name"));
    }
    let connect = ConnectOptions {
        host,
        port: port.unwrap_or(22),
        // `user@host` on the command line wins over `-o User=`.
        user: dest_user.or(user),
        identities,
        password_env,
        host_key_policy: host_keys.policy()?,
        algorithms,
        settings,
        sftp_version,
        interactive: false,
        verbose,
        quiet,
    };
    Ok(Parsed::Run(Box::new(Invocation {
        connect,
        batch,
        quiet,
        verbose,
    })))
}

fn value(rest: &mut impl Iterator<Item = String>, option: &str) -> Result<String, UsageError> {
    rest.next()
        .ok_or_else(|| usage(format!("option {option} needs a value")))
}

fn parse_port(text: &str) -> Result<u16, UsageError> {
    match text.parse::<u16>() {
        Ok(p) if p != 0 => Ok(p),
        _ => Err(usage(format!("bad port {text:?}: expected 1 to 65535"))),
    }
}

fn parse_version(text: &str) -> Result<Version, UsageError> {
    text.parse::<u32>()
        .ok()
        .and_then(Version::from_u32)
        .ok_or_else(|| usage(format!("bad SFTP version {text:?}: expected 3, 4, 5 or 6")))
}

fn parse_yes_no(text: &str) -> Result<bool, UsageError> {
    match text.to_ascii_lowercase().as_str() {
        "yes" | "true" => Ok(true),
        "no" | "false" => Ok(false),
        _ => Err(usage(format!("expected yes or no, not {text:?}"))),
    }
}

/// Splits `Name=Value` or `Name Value` (OpenSSH accepts both).
fn split_option(option: &str) -> Result<(&str, &str), UsageError> {
    let split = option
        .split_once('=')
        .or_else(|| option.trim().split_once(char::is_whitespace));
    match split {
        Some((name, val)) if !name.trim().is_empty() => Ok((name.trim(), val.trim())),
        _ => Err(usage(format!("-o needs Name=Value, not {option:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Parsed, UsageError> {
        parse_args(args.iter().map(OsString::from))
    }

    fn run(args: &[&str]) -> Invocation {
        match parse(args) {
            Ok(Parsed::Run(inv)) => *inv,
            other => panic!("expected a run, got {other:?}"),
        }
    }

    #[test]
    fn defaults() {
        let inv = run(&["example.org"]);
        assert_eq!(inv.connect.host, "example.org");
        assert_eq!(inv.connect.port, 22);
        assert_eq!(inv.connect.user, None);
        assert!(inv.connect.identities.is_empty());
        assert_eq!(inv.connect.sftp_version, Version::V3);
        assert_eq!(
            inv.connect.host_key_policy,
            HostKeyPolicy::KnownHosts {
                file: None,
                unknown: UnknownHost::Ask
            }
        );
        assert_eq!(inv.batch, None);
        assert!(!inv.quiet && !inv.verbose);
    }

    #[test]
    fn every_option() {
        let inv = run(&[
            "-P",
            "2222",
            "-i",
            "/k1",
            "-i/k2",
            "--password-env",
            "PW",
            "-o",
            "Ciphers=aes128-ctr",
            "-oKexAlgorithms=curve25519-sha256",
            "-o",
            "MACs hmac-sha2-256",
            "-o",
            "hostkeyalgorithms=ssh-ed25519",
            "-o",
            "Compression=yes",
            "-o",
            "IdentityFile=/k3",
            "-o",
            "StrictHostKeyChecking=accept-new",
            "-o",
            "MaxOutstandingPackets=32",
            "-b",
            "-",
            "-s",
            "6",
            "--known-hosts",
            "/kh",
            "-q",
            "-v",
            "alice@host.example",
        ]);
        let c = &inv.connect;
        assert_eq!(c.port, 2222);
        assert_eq!(c.user.as_deref(), Some("alice"));
        assert_eq!(c.host, "host.example");
        assert_eq!(
            c.identities,
            [
                PathBuf::from("/k1"),
                PathBuf::from("/k2"),
                PathBuf::from("/k3")
            ]
        );
        assert_eq!(c.password_env.as_deref(), Some("PW"));
        assert_eq!(c.algorithms.ciphers.as_deref(), Some("aes128-ctr"));
        assert_eq!(c.algorithms.kex.as_deref(), Some("curve25519-sha256"));
        assert_eq!(c.algorithms.macs.as_deref(), Some("hmac-sha2-256"));
        assert_eq!(c.algorithms.host_key.as_deref(), Some("ssh-ed25519"));
        assert_eq!(c.algorithms.compression, Some(true));
        assert_eq!(
            c.settings,
            [("MaxOutstandingPackets".to_owned(), "32".to_owned())]
        );
        assert_eq!(c.sftp_version, Version::V6);
        assert_eq!(
            c.host_key_policy,
            HostKeyPolicy::KnownHosts {
                file: Some(PathBuf::from("/kh")),
                unknown: UnknownHost::AcceptNew
            }
        );
        assert_eq!(inv.batch, Some(BatchSource::Stdin));
        assert!(inv.quiet && inv.verbose);
    }

    #[test]
    fn port_and_user_from_o() {
        let inv = run(&["-o", "Port=2200", "-o", "User=bob", "h"]);
        assert_eq!(inv.connect.port, 2200);
        assert_eq!(inv.connect.user.as_deref(), Some("bob"));
        // user@host wins over -o User.
        let inv = run(&["-o", "User=bob", "carol@h"]);
        assert_eq!(inv.connect.user.as_deref(), Some("carol"));
        // The last port given wins.
        let inv = run(&["-P", "1", "-o", "Port=2", "h"]);
        assert_eq!(inv.connect.port, 2);
    }

    #[test]
    fn host_key_policies() {
        let inv = run(&[
            "--accept-fingerprint",
            "SHA256:abc",
            "--accept-fingerprint",
            "SHA256:def",
            "h",
        ]);
        assert_eq!(
            inv.connect.host_key_policy,
            HostKeyPolicy::Fingerprints(vec!["SHA256:abc".into(), "SHA256:def".into()])
        );
        let inv = run(&["--accept-any-host-key", "h"]);
        assert_eq!(
            inv.connect.host_key_policy,
            HostKeyPolicy::AcceptAnyDangerously
        );
        let inv = run(&["-o", "StrictHostKeyChecking=no", "h"]);
        assert_eq!(
            inv.connect.host_key_policy,
            HostKeyPolicy::AcceptAnyDangerously
        );
        assert!(parse(&["--accept-any-host-key", "--known-hosts", "/x", "h"]).is_err());
        assert!(
            parse(&[
                "--accept-fingerprint",
                "SHA256:x",
                "--known-hosts",
                "/x",
                "h"
            ])
            .is_err()
        );
    }

    #[test]
    fn batch_file() {
        let inv = run(&["-b", "/tmp/cmds", "h"]);
        assert_eq!(
            inv.batch,
            Some(BatchSource::File(PathBuf::from("/tmp/cmds")))
        );
    }

    #[test]
    fn help() {
        assert_eq!(parse(&["-h"]), Ok(Parsed::Help));
        assert_eq!(parse(&["--help"]), Ok(Parsed::Help));
    }

    #[test]
    fn usage_errors() {
        for bad in [
            &[][..],
            &["-P"],
            &["-P", "0", "h"],
            &["-P", "70000", "h"],
            &["-s", "2", "h"],
            &["-s", "7", "h"],
            &["-x", "h"],
            &["--bogus", "h"],
            &["-o", "novalue", "h"],
            &["-o", "Compression=maybe", "h"],
            &["-o", "StrictHostKeyChecking=perhaps", "h"],
            &["h", "extra"],
            &["user@"],
            &["@h"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be a usage error");
        }
    }

    #[test]
    fn ipv6_and_at_in_user() {
        let inv = run(&["::1"]);
        assert_eq!(inv.connect.host, "::1");
        let inv = run(&["a@b@host"]);
        assert_eq!(inv.connect.user.as_deref(), Some("a@b"));
        assert_eq!(inv.connect.host, "host");
    }
}
