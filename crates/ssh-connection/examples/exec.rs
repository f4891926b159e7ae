//! Runs one command on a server over the whole stack, as `ssh user@host COMMAND` would.
//!
//! ```text
//! cargo run -p ssh-connection --example exec -- [-p PORT] [-i KEY] [--passphrase-env VAR]
//!     [--password-env VAR] [--kbd-int] [--known-hosts FILE | --accept FINGERPRINT]
//!     user@host COMMAND...
//! ```
//!
//! The host key must be listed for `host` (`[host]:port` when the port is not 22) in the
//! OpenSSH known_hosts file, or its `SHA256:` fingerprint must equal `--accept`; otherwise
//! the connection is refused (seed error 1030). The command's stdout and stderr are copied
//! through and the example exits with the remote exit status (255 on a local error).
#![allow(clippy::print_stderr)]

use std::io::{BufRead as _, Read as _, Write as _};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ssh_auth::{AuthConfig, AuthEvent, AuthMode, KeySigner, PromptPattern, Signer};
use ssh_connection::{
    ChannelId, ClientSession, ConnectionEvent, RequestKind, SessionConfig, SessionError,
    SessionEvent,
};
use ssh_transport::TransportError;

struct Args {
    port: u16,
    key: Option<String>,
    passphrase_env: Option<String>,
    password_env: Option<String>,
    kbd_int: bool,
    known_hosts: Option<String>,
    accept: Option<String>,
    user: String,
    host: String,
    command: String,
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: exec [-p PORT] [-i KEY] [--passphrase-env VAR] [--password-env VAR] [--kbd-int] \
         [--known-hosts FILE | --accept FINGERPRINT] user@host COMMAND..."
    );
    ExitCode::from(255)
}

fn parse() -> Option<Args> {
    let mut it = std::env::args().skip(1);
    let mut a = Args {
        port: 22,
        key: None,
        passphrase_env: None,
        password_env: None,
        kbd_int: false,
        known_hosts: None,
        accept: None,
        user: String::new(),
        host: String::new(),
        command: String::new(),
    };
    let target = loop {
        let arg = it.next()?;
        match arg.as_str() {
            "-p" => a.port = it.next()?.parse().ok()?,
            "-i" => a.key = Some(it.next()?),
            "--passphrase-env" => a.passphrase_env = Some(it.next()?),
            "--password-env" => a.password_env = Some(it.next()?),
            "--kbd-int" => a.kbd_int = true,
            "--known-hosts" => a.known_hosts = Some(it.next()?),
            "--accept" => a.accept = Some(it.next()?),
            _ => break arg,
        }
    };
    let (user, host) = target.split_once('@')?;
    a.user = user.to_owned();
    a.host = host.to_owned();
    a.command = it.collect::<Vec<_>>().join(" ");
    if a.command.is_empty() || (a.known_hosts.is_none() && a.accept.is_none()) {
        return None;
    }
    Some(a)
}

fn main() -> ExitCode {
    let Some(args) = parse() else {
        return usage();
    };
    match run(&args) {
        Ok(status) => ExitCode::from(u8::try_from(status).unwrap_or(255)),
        Err(msg) => {
            eprintln!("exec: {msg}");
            ExitCode::from(255)
        }
    }
}

fn auth_config(args: &Args) -> Result<AuthConfig, String> {
    let password = match &args.password_env {
        Some(var) => Some(std::env::var(var).map_err(|_| format!("${var} is not set"))?),
        None => None,
    };
    let key: Option<Box<dyn Signer>> = match &args.key {
        Some(path) => {
            let data = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
            let passphrase = match &args.passphrase_env {
                Some(var) => Some(std::env::var(var).map_err(|_| format!("${var} is not set"))?),
                None => None,
            };
            match ssh_keys::decode_any(&data, passphrase.as_deref().map(str::as_bytes))
                .map_err(|e| format!("{path}: {e}"))?
            {
                ssh_keys::LoadedKey::Private(k, _) => Some(Box::new(KeySigner::new(*k))),
                ssh_keys::LoadedKey::Public(..) => {
                    return Err(format!("{path}: a public key, not a private key"));
                }
            }
        }
        None => None,
    };
    let mode = match (&key, &password, args.kbd_int) {
        (_, _, true) => AuthMode::KeyboardInteractive,
        (Some(_), Some(_), false) => AuthMode::MultiFactor,
        (Some(_), None, false) => AuthMode::PublicKey,
        (None, Some(_), false) => AuthMode::Password,
        (None, None, false) => AuthMode::None,
    };
    let mut config = AuthConfig::new(args.user.clone(), mode);
    if let Some(p) = password {
        config = config.with_password(p);
        config.password_prompt = Some(PromptPattern::new("*assword*"));
    }
    if let Some(k) = key {
        config = config.with_key(k);
    }
    Ok(config)
}

fn host_key_ok(args: &Args, info: &ssh_transport::HostKeyInfo) -> Result<bool, String> {
    if let Some(fp) = &args.accept {
        return Ok(&info.fingerprint == fp);
    }
    let Some(path) = &args.known_hosts else {
        return Ok(false);
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let status = ssh_keys::KnownHosts::parse(&text).lookup(&args.host, args.port, &info.key);
    Ok(status == ssh_keys::HostKeyStatus::Known)
}

fn run(args: &Args) -> Result<u32, String> {
    let auth = auth_config(args)?;
    let mut stream = TcpStream::connect((args.host.as_str(), args.port))
        .map_err(|e| format!("connect {}:{}: {e}", args.host, args.port))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut session = ClientSession::new(SessionConfig::new(auth), Instant::now());
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut channel: Option<ChannelId> = None;
    let mut status: Option<u32> = None;
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    loop {
        out.clear();
        session.poll_transmit(&mut out);
        if !out.is_empty() {
            stream.write_all(&out).map_err(|e| format!("write: {e}"))?;
        }
        while let Some(ev) = session.poll_event() {
            match ev {
                SessionEvent::HostKey(info) => {
                    if host_key_ok(args, &info)? {
                        let _ = session.accept_host_key();
                    } else {
                        eprintln!("exec: host key {} not trusted", info.fingerprint);
                        session.reject_host_key();
                    }
                }
                SessionEvent::Auth(AuthEvent::Banner { message, .. }) => {
                    let clean: String = message
                        .chars()
                        .filter(|c| !c.is_control() || *c == '\n')
                        .collect();
                    eprint!("{clean}");
                }
                SessionEvent::Auth(AuthEvent::Prompt(p)) => {
                    if let Some(a) = session.auth() {
                        if !p.prefilled {
                            eprint!("{}", p.prompt);
                            let mut line = String::new();
                            let _ = std::io::stdin().lock().read_line(&mut line);
                            let _ = a.set_prompt_response(p.index, line.trim_end_matches('\n'));
                        }
                        if p.index + 1 == p.count {
                            let _ = a.send_prompt_responses();
                        }
                    }
                    let _ = session.pump();
                }
                SessionEvent::Auth(AuthEvent::PasswordChangeRequired { .. }) => {
                    if let Some(a) = session.auth() {
                        let _ = a.decline_password_change();
                    }
                    let _ = session.pump();
                }
                SessionEvent::Auth(_) | SessionEvent::Debug(_) | SessionEvent::Rekeyed => {}
                SessionEvent::Authenticated => {
                    if let Some(c) = session.connection() {
                        channel = c.open_session().ok();
                    }
                    let _ = session.pump();
                }
                SessionEvent::Channel(ev) => {
                    let conn = session.connection();
                    match (ev, conn) {
                        (ConnectionEvent::ChannelOpened { channel: ch }, Some(c)) => {
                            let _ = c.exec(ch, &args.command);
                        }
                        (ConnectionEvent::RequestSucceeded { channel: ch, .. }, Some(c)) => {
                            // No input for the command.
                            let _ = c.send_eof(ch);
                        }
                        (
                            ConnectionEvent::RequestFailed {
                                request: RequestKind::Exec,
                                ..
                            },
                            _,
                        ) => return Err("the server refused to run the command (1033)".into()),
                        (ConnectionEvent::ChannelOpenFailed { error, .. }, _) => {
                            return Err(format!("channel open failed (1020): {error:?}"));
                        }
                        (ConnectionEvent::Data { data, .. }, _) => {
                            let _ = stdout.lock().write_all(&data);
                        }
                        (ConnectionEvent::ExtendedData { data, .. }, _) => {
                            let _ = stderr.lock().write_all(&data);
                        }
                        (ConnectionEvent::ExitStatus { status: s, .. }, _) => status = Some(s),
                        (ConnectionEvent::ExitSignal { signal_name, .. }, _) => {
                            eprintln!("exec: remote command killed by SIG{signal_name}");
                            status = Some(255);
                        }
                        (ConnectionEvent::Closed { channel: ch }, _) if Some(ch) == channel => {
                            let _ = stdout.lock().flush();
                            let _ = session.logoff();
                        }
                        _ => {}
                    }
                    let _ = session.pump();
                }
                SessionEvent::Closed(SessionError::Transport(TransportError::Closed)) => {
                    out.clear();
                    session.poll_transmit(&mut out);
                    let _ = stream.write_all(&out);
                    return status.ok_or_else(|| "no exit status from the server".to_owned());
                }
                SessionEvent::Closed(e) => {
                    out.clear();
                    session.poll_transmit(&mut out);
                    let _ = stream.write_all(&out);
                    return Err(format!("error {}: {e}", e.seed_code()));
                }
            }
        }
        out.clear();
        if session.poll_transmit(&mut out) > 0 {
            stream.write_all(&out).map_err(|e| format!("write: {e}"))?;
            continue;
        }
        let now = Instant::now();
        let wait = session
            .poll_timeout()
            .map_or(Duration::from_secs(1), |d| d.saturating_duration_since(now))
            .clamp(Duration::from_millis(1), Duration::from_secs(1));
        stream
            .set_read_timeout(Some(wait))
            .map_err(|e| e.to_string())?;
        match stream.read(&mut buf) {
            Ok(0) => session.handle_eof(),
            Ok(n) => {
                let _ = session.handle_input(buf.get(..n).unwrap_or_default());
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                let _ = session.handle_timeout(Instant::now());
            }
            Err(e) => return Err(format!("read: {e}")),
        }
    }
}
