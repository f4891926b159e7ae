//! firewall_type through real proxies on loopback: OpenSSH's `ssh -D` (SOCKS4, SOCKS4A,
//! SOCKS5), dante (SOCKS5 with username/password), tinyproxy (HTTP CONNECT with Basic
//! authentication) and an HTTP CONNECT proxy run by the test; and local_port binding.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod component_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use component_support::client;
use ssh_test::Sshd;

/// `ssh -N -D` to the test server: a SOCKS4/4A/5 proxy on a free loopback port. Killed
/// (by its own pid) when dropped.
struct SocksProxy {
    child: Child,
    port: u16,
}

impl SocksProxy {
    fn start(sshd: &Sshd) -> SocksProxy {
        let port = free_port();
        let child = Command::new("ssh")
            .args(["-N", "-D", &format!("127.0.0.1:{port}")])
            .args(["-p", &sshd.port().to_string()])
            .arg("-i")
            .arg(sshd.client_key_path())
            .args([
                "-o",
                "BatchMode=yes",
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                "IdentitiesOnly=yes",
            ])
            .arg("-o")
            .arg(format!(
                "UserKnownHostsFile={}",
                sshd.known_hosts_path().display()
            ))
            .arg(format!("{}@127.0.0.1", sshd.user()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let proxy = SocksProxy { child, port };
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "ssh -D did not start listening");
            std::thread::sleep(Duration::from_millis(50));
        }
        proxy
    }
}

impl Drop for SocksProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn socks4_socks4a_socks5_through_ssh_d() {
    let sshd = Sshd::start().unwrap();
    sshd.write_file("via-proxy.txt", b"x").unwrap();
    let proxy = SocksProxy::start(&sshd);
    for (kind, host) in [
        (3, "localhost"),
        (2, "127.0.0.1"),
        (10, "localhost"),
        (3, "127.0.0.1"),
    ] {
        let mut sftp = client(&sshd);
        sftp.set_ssh_host(host).unwrap();
        sftp.set_firewall_type(kind).unwrap();
        assert_eq!(sftp.firewall_port(), 1080);
        sftp.set_firewall_host("127.0.0.1").unwrap();
        sftp.set_firewall_port(proxy.port).unwrap();
        let events = component_support::new_log();
        let e = events.clone();
        sftp.on_connection_status(move |ev| e.lock().unwrap().push(ev.connection_event.clone()));
        sftp.connect()
            .unwrap_or_else(|e| panic!("firewall_type {kind}: {e}"));
        assert!(
            component_support::take(&events).contains(&"Firewall connection complete".to_owned())
        );
        sftp.set_remote_file("via-proxy.txt").unwrap();
        assert!(sftp.check_file_exists().unwrap(), "firewall_type {kind}");
        sftp.ssh_logoff().unwrap();
    }
    // The proxy cannot reach a closed port: firewall error 118.
    let mut sftp = client(&sshd);
    sftp.set_ssh_port(free_port()).unwrap();
    sftp.set_firewall_type(3).unwrap();
    sftp.set_firewall_host("127.0.0.1").unwrap();
    sftp.set_firewall_port(proxy.port).unwrap();
    assert_eq!(sftp.connect().unwrap_err().code(), 118);
}

/// A one-connection HTTP CONNECT proxy that wants `Basic user:pass`.
fn http_proxy() -> (u16, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut client, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(client.try_clone().unwrap());
        let mut request = String::new();
        let mut auth_ok = false;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            // base64("user:pass")
            if line.eq_ignore_ascii_case("Proxy-Authorization: Basic dXNlcjpwYXNz\r\n") {
                auth_ok = true;
            }
            if request.is_empty() {
                request = line.trim().to_owned();
            }
        }
        if !auth_ok {
            client
                .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
                .unwrap();
            return request;
        }
        let target = request.split_whitespace().nth(1).unwrap().to_owned();
        let upstream = TcpStream::connect(&target).unwrap();
        client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .unwrap();
        let (mut up_r, mut up_w) = (upstream.try_clone().unwrap(), upstream);
        let mut down_w = client;
        let pump = std::thread::spawn(move || {
            let _ = std::io::copy(&mut up_r, &mut down_w);
        });
        let mut buffered = reader.buffer().to_vec();
        let mut rest = reader.into_inner();
        up_w.write_all(&buffered).unwrap();
        buffered.clear();
        let mut buf = [0u8; 16384];
        loop {
            match rest.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if up_w.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = up_w.shutdown(std::net::Shutdown::Both);
        let _ = pump.join();
        request
    });
    (port, handle)
}

#[test]
fn http_connect_tunnel_with_basic_auth() {
    let sshd = Sshd::start().unwrap();
    let (port, proxy) = http_proxy();
    let mut sftp = client(&sshd);
    sftp.set_firewall_type(1).unwrap();
    assert_eq!(sftp.firewall_port(), 80);
    sftp.set_firewall_host("127.0.0.1").unwrap();
    sftp.set_firewall_port(port).unwrap();
    sftp.set_firewall_user("user").unwrap();
    sftp.set_firewall_password("pass").unwrap();
    sftp.connect().unwrap();
    sftp.list_directory().unwrap();
    sftp.ssh_logoff().unwrap();
    drop(sftp);
    assert_eq!(
        proxy.join().unwrap(),
        format!("CONNECT 127.0.0.1:{} HTTP/1.1", sshd.port())
    );

    // Wrong credentials: 407 becomes the firewall error 118.
    let (port, proxy) = http_proxy();
    let mut sftp = client(&sshd);
    sftp.set_firewall_type(1).unwrap();
    sftp.set_firewall_host("127.0.0.1").unwrap();
    sftp.set_firewall_port(port).unwrap();
    sftp.set_firewall_user("user").unwrap();
    sftp.set_firewall_password("wrong").unwrap();
    let err = sftp.connect().unwrap_err();
    assert_eq!(err.code(), 118, "{err}");
    assert!(err.description().contains("407"), "{err}");
    proxy.join().unwrap();
}

#[test]
fn local_host_and_local_port_binding() {
    let sshd = Sshd::start().unwrap();
    let port = free_port();
    let mut first = client(&sshd);
    first.set_local_host("127.0.0.1").unwrap();
    first.set_local_port(port).unwrap();
    first.connect().unwrap();
    assert_eq!(first.local_host(), "127.0.0.1");
    // The port is taken by the first connection: the second cannot bind it.
    let mut second = client(&sshd);
    second.set_local_port(port).unwrap();
    let err = second.connect().unwrap_err();
    assert_eq!(err.code(), 10048, "{err}");
    let mut third = client(&sshd);
    third.set_local_host("not-an-ip").unwrap();
    assert_eq!(third.connect().unwrap_err().code(), 10049);
}

/// A proxy daemon run in the foreground from a config in its own tempdir, on a free
/// loopback port. Killed (by its own pid) and reaped when dropped; dante's worker processes
/// exit by themselves once their parent is gone.
struct Daemon {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Daemon {
    /// Writes `config(dir, port)` to `dir/proxy.conf`, runs `program` with `args` followed by
    /// that file's path, and waits until the port accepts connections.
    fn start(program: &str, args: &[&str], config: impl Fn(&Path, u16) -> String) -> Daemon {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let conf = dir.path().join("proxy.conf");
        std::fs::write(&conf, config(dir.path(), port)).unwrap();
        let log = std::fs::File::create(dir.path().join("stderr.log")).unwrap();
        let child = Command::new(program)
            .args(args)
            .arg(&conf)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("{program}: {e} (run `cargo xtask test` to install it)"));
        let mut daemon = Daemon { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = daemon.child.try_wait().unwrap() {
                panic!("{program} exited with {status}:\n{}", daemon.log());
            }
            assert!(
                Instant::now() < deadline,
                "{program} did not start listening:\n{}",
                daemon.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        daemon
    }

    /// The daemon's log files, for failure messages.
    fn log(&self) -> String {
        ["stderr.log", "proxy.log"]
            .iter()
            .filter_map(|f| std::fs::read_to_string(self.dir.path().join(f)).ok())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// dante (`danted`, foreground unless `-D`) as a SOCKS5 proxy that requires RFC 1929
/// username/password authentication, checked against the system's users (so it needs
/// root to read the shadow passwords).
fn dante() -> Daemon {
    Daemon::start("/usr/sbin/danted", &["-N", "1", "-f"], |dir, port| {
        format!(
            "logoutput: {log}\n\
             internal: 127.0.0.1 port = {port}\n\
             external: 127.0.0.1\n\
             clientmethod: none\n\
             socksmethod: username\n\
             user.privileged: root\n\
             user.unprivileged: nobody\n\
             client pass {{\n  from: 127.0.0.0/8 to: 0.0.0.0/0\n}}\n\
             socks pass {{\n  from: 127.0.0.0/8 to: 127.0.0.0/8\n  command: connect\n  socksmethod: username\n  log: connect disconnect error\n}}\n",
            log = dir.join("proxy.log").display(),
        )
    })
}

/// tinyproxy (`-d`: foreground) allowing only loopback clients with
/// `Basic user:pass`, and CONNECT only to `connect_port`.
fn tinyproxy(connect_port: u16) -> Daemon {
    Daemon::start("/usr/bin/tinyproxy", &["-d", "-c"], |dir, port| {
        format!(
            "Port {port}\n\
             LogFile \"{log}\"\n\
             Listen 127.0.0.1\n\
             Timeout 30\n\
             MaxClients 20\n\
             Allow 127.0.0.1\n\
             BasicAuth user pass\n\
             ConnectPort {connect_port}\n\
             LogLevel Info\n",
            log = dir.join("proxy.log").display(),
        )
    })
}

/// A listening port that nothing should reach: after the test, `accept` must find no
/// connection.
fn untouched_target() -> TcpListener {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    listener
}

fn assert_untouched(target: &TcpListener) {
    match target.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok((_, from)) => panic!("the proxy connected to the target from {from}"),
        Err(e) => panic!("accept: {e}"),
    }
}

/// Lists the remote directory and checks that `name` is among the entries.
fn assert_lists(sftp: &mut sftpclient::SftpClient, name: &str) {
    let listed = component_support::new_log();
    let l = listed.clone();
    sftp.on_dir_list(move |e| l.lock().unwrap().push(e.file_name.clone()));
    sftp.list_directory().unwrap();
    let names = component_support::take(&listed);
    assert!(names.iter().any(|n| n == name), "{names:?}");
}

#[test]
fn socks5_username_password_through_dante() {
    let sshd = Sshd::start().unwrap();
    let Some(password) = sshd.password_or_skip("socks5_username_password_through_dante") else {
        return;
    };
    sshd.write_file("via-dante.txt", b"x").unwrap();
    let proxy = dante();
    let mut sftp = client(&sshd);
    sftp.set_firewall_type(3).unwrap();
    sftp.set_firewall_host("127.0.0.1").unwrap();
    sftp.set_firewall_port(proxy.port).unwrap();
    sftp.set_firewall_user(sshd.user()).unwrap();
    sftp.set_firewall_password(password).unwrap();
    let events = component_support::new_log();
    let e = events.clone();
    sftp.on_connection_status(move |ev| e.lock().unwrap().push(ev.connection_event.clone()));
    sftp.connect()
        .unwrap_or_else(|e| panic!("{e}\n{}", proxy.log()));
    assert!(component_support::take(&events).contains(&"Firewall connection complete".to_owned()));
    assert_lists(&mut sftp, "via-dante.txt");
    sftp.ssh_logoff().unwrap();
}

#[test]
fn socks5_wrong_password_refused_by_dante() {
    let sshd = Sshd::start().unwrap();
    let Some(password) = sshd.password_or_skip("socks5_wrong_password_refused_by_dante") else {
        return;
    };
    let proxy = dante();
    let target = untouched_target();
    let mut sftp = client(&sshd);
    sftp.set_ssh_port(target.local_addr().unwrap().port())
        .unwrap();
    sftp.set_firewall_type(3).unwrap();
    sftp.set_firewall_host("127.0.0.1").unwrap();
    sftp.set_firewall_port(proxy.port).unwrap();
    sftp.set_firewall_user(sshd.user()).unwrap();
    sftp.set_firewall_password(&format!("{password}-wrong"))
        .unwrap();
    let err = sftp.connect().unwrap_err();
    assert_eq!(err.code(), 118, "{err}");
    assert!(err.description().contains("user name or password"), "{err}");
    assert!(!sftp.connected());
    assert_untouched(&target);
}

#[test]
fn http_connect_basic_auth_through_tinyproxy() {
    let sshd = Sshd::start().unwrap();
    sshd.write_file("via-tinyproxy.txt", b"x").unwrap();
    let proxy = tinyproxy(sshd.port());
    let mut sftp = client(&sshd);
    sftp.set_firewall_type(1).unwrap();
    sftp.set_firewall_host("127.0.0.1").unwrap();
    sftp.set_firewall_port(proxy.port).unwrap();
    sftp.set_firewall_user("user").unwrap();
    sftp.set_firewall_password("pass").unwrap();
    sftp.connect()
        .unwrap_or_else(|e| panic!("{e}\n{}", proxy.log()));
    assert_lists(&mut sftp, "via-tinyproxy.txt");
    sftp.ssh_logoff().unwrap();
    assert!(
        proxy
            .log()
            .contains(&format!("CONNECT 127.0.0.1:{} HTTP/1.1", sshd.port())),
        "{}",
        proxy.log()
    );
}

#[test]
fn http_connect_wrong_password_refused_by_tinyproxy() {
    let sshd = Sshd::start().unwrap();
    let target = untouched_target();
    let target_port = target.local_addr().unwrap().port();
    let proxy = tinyproxy(target_port);
    let mut sftp = client(&sshd);
    sftp.set_ssh_port(target_port).unwrap();
    sftp.set_firewall_type(1).unwrap();
    sftp.set_firewall_host("127.0.0.1").unwrap();
    sftp.set_firewall_port(proxy.port).unwrap();
    sftp.set_firewall_user("user").unwrap();
    sftp.set_firewall_password("wrong").unwrap();
    let err = sftp.connect().unwrap_err();
    assert_eq!(err.code(), 118, "{err}");
    // tinyproxy 1.11 answers a CONNECT with bad credentials 401, not 407.
    assert!(err.description().contains("401"), "{err}");
    assert!(!sftp.connected());
    assert_untouched(&target);
}
