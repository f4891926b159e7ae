//! A small blocking driver for interop tests: runs one command over a `ClientSession`
//! against a throwaway sshd and reports what happened.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code,
    clippy::type_complexity
)]

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use ssh_auth::{AuthConfig, AuthEvent};
use ssh_connection::{
    ChannelId, ClientSession, ConnectionEvent, SessionConfig, SessionError, SessionEvent,
};
use ssh_test::Sshd;
use ssh_transport::TransportError;

/// What a run produced.
#[derive(Debug, Default)]
pub struct Outcome {
    pub status: Option<u32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub stdout_len: u64,
    pub error: Option<SessionError>,
    pub auth_events: Vec<AuthEvent>,
    pub rekeys: u32,
}

/// Host key policy for a run.
pub enum HostKeys {
    KnownHostsOfServer,
    RejectAll,
}

pub fn run(
    sshd: &Sshd,
    auth: AuthConfig,
    command: &str,
    tweak: impl FnOnce(&mut SessionConfig),
    hosts: HostKeys,
    on_stdout: Option<&mut dyn FnMut(&[u8])>,
) -> Outcome {
    run_feeding(sshd, auth, command, tweak, hosts, on_stdout, &[])
}

/// Like [`run`], sending the concatenation of `stdin` to the command through
/// `ClientSession::send_data_parts` (then EOF).
pub fn run_feeding(
    sshd: &Sshd,
    auth: AuthConfig,
    command: &str,
    tweak: impl FnOnce(&mut SessionConfig),
    hosts: HostKeys,
    mut on_stdout: Option<&mut dyn FnMut(&[u8])>,
    stdin: &[&[u8]],
) -> Outcome {
    let stdin_len: usize = stdin.iter().map(|p| p.len()).sum();
    let mut fed: Option<usize> = None;
    let mut config = SessionConfig::new(auth);
    tweak(&mut config);
    let known = std::fs::read_to_string(sshd.known_hosts_path()).unwrap();
    let known = ssh_keys::KnownHosts::parse(&known);
    let mut stream = TcpStream::connect(sshd.addr()).unwrap();
    stream.set_nodelay(true).unwrap();
    let mut session = ClientSession::new(config, Instant::now());
    let mut out = Vec::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut channel: Option<ChannelId> = None;
    let mut o = Outcome::default();
    let give_up = Instant::now() + Duration::from_secs(600);
    loop {
        assert!(Instant::now() < give_up, "interop run hung");
        while let Some(ev) = session.poll_event() {
            match ev {
                SessionEvent::HostKey(info) => {
                    let ok = match hosts {
                        HostKeys::KnownHostsOfServer => {
                            known.lookup("127.0.0.1", sshd.port(), &info.key)
                                == ssh_keys::HostKeyStatus::Known
                        }
                        HostKeys::RejectAll => false,
                    };
                    if ok {
                        let _ = session.accept_host_key();
                    } else {
                        session.reject_host_key();
                    }
                }
                SessionEvent::Auth(ev) => {
                    if let AuthEvent::Prompt(p) = &ev {
                        let a = session.auth().unwrap();
                        if p.index + 1 == p.count {
                            a.send_prompt_responses().unwrap();
                        }
                    }
                    if let AuthEvent::PasswordChangeRequired { .. } = &ev {
                        let _ = session.auth().unwrap().decline_password_change();
                    }
                    o.auth_events.push(ev);
                    let _ = session.pump();
                }
                SessionEvent::Authenticated => {
                    channel = Some(session.connection().unwrap().open_session().unwrap());
                    let _ = session.pump();
                }
                SessionEvent::Channel(ev) => {
                    let c = session.connection();
                    match (ev, c) {
                        (ConnectionEvent::ChannelOpened { channel: ch }, Some(c)) => {
                            c.exec(ch, command).unwrap();
                        }
                        (ConnectionEvent::RequestSucceeded { channel: ch, .. }, Some(c)) => {
                            if stdin_len > 0 {
                                fed = Some(0);
                            } else {
                                // The channel may already be closed (its events are queued).
                                let _ = c.send_eof(ch);
                            }
                        }
                        (ConnectionEvent::Data { data, .. }, _) => {
                            o.stdout_len += data.len() as u64;
                            match on_stdout.as_mut() {
                                Some(f) => f(&data),
                                None => o.stdout.extend_from_slice(&data),
                            }
                        }
                        (ConnectionEvent::ExtendedData { data, .. }, _) => {
                            o.stderr.extend_from_slice(&data);
                        }
                        (ConnectionEvent::ExitStatus { status, .. }, _) => o.status = Some(status),
                        (ConnectionEvent::Closed { channel: ch }, _) if Some(ch) == channel => {
                            session.logoff().unwrap();
                        }
                        (other, _) => {
                            if matches!(
                                other,
                                ConnectionEvent::RequestFailed { .. }
                                    | ConnectionEvent::ChannelOpenFailed { .. }
                            ) {
                                panic!("{other:?}");
                            }
                        }
                    }
                    let _ = session.pump();
                }
                SessionEvent::Debug(_) => {}
                SessionEvent::Rekeyed => o.rekeys += 1,
                SessionEvent::Closed(e) => {
                    out.clear();
                    session.poll_transmit(&mut out);
                    let _ = stream.write_all(&out);
                    if e != SessionError::Transport(TransportError::Closed) {
                        o.error = Some(e);
                    }
                    return o;
                }
            }
        }
        if let (Some(done), Some(ch)) = (fed, channel) {
            let mut skip = done;
            let rest: Vec<&[u8]> = stdin
                .iter()
                .filter_map(|p| {
                    if skip >= p.len() {
                        skip -= p.len();
                        None
                    } else {
                        let r = &p[skip..];
                        skip = 0;
                        Some(r)
                    }
                })
                .collect();
            let n = session.send_data_parts(ch, &rest).unwrap();
            let done = done + n;
            fed = Some(done);
            if done == stdin_len {
                session.connection().unwrap().send_eof(ch).unwrap();
                session.pump().unwrap();
                fed = None;
            }
            if n > 0 {
                out.clear();
                session.poll_transmit(&mut out);
                stream.write_all(&out).unwrap();
                continue;
            }
        }
        out.clear();
        if session.poll_transmit(&mut out) > 0 {
            stream.write_all(&out).unwrap();
            continue;
        }
        let now = Instant::now();
        let wait = session
            .poll_timeout()
            .map_or(Duration::from_secs(1), |d| d.saturating_duration_since(now))
            .clamp(Duration::from_millis(1), Duration::from_secs(1));
        stream.set_read_timeout(Some(wait)).unwrap();
        match stream.read(&mut buf) {
            Ok(0) => session.handle_eof(),
            Ok(n) => {
                let _ = session.handle_input(&buf[..n]);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                let _ = session.handle_timeout(Instant::now());
            }
            Err(e) => panic!("read: {e}"),
        }
    }
}

/// Runs `command` with `auth`, defaults, the server's known_hosts.
pub fn exec(sshd: &Sshd, auth: AuthConfig, command: &str) -> Outcome {
    run(
        sshd,
        auth,
        command,
        |_| {},
        HostKeys::KnownHostsOfServer,
        None,
    )
}
