//! The TCP connection to the SSH server: direct (optionally bound to local_host /
//! local_port), or through a proxy per firewall_type: 1 HTTP CONNECT tunnel (Basic auth),
//! 2 SOCKS4, 10 SOCKS4A, 3 SOCKS5 (RFC 1928, username/password per RFC 1929);
//! firewall_auto_detect takes the proxy from ALL_PROXY / HTTPS_PROXY / HTTP_PROXY (and
//! honours NO_PROXY). Proxy failures carry the seed's code 118.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::properties::Props;
use crate::error::{Error, ErrorKind, Result};

/// The seed's "Firewall error".
pub(crate) const FIREWALL_ERROR: i32 = 118;

/// Longest HTTP CONNECT response head read: a hostile proxy cannot make us buffer more.
const MAX_HTTP_HEAD: usize = 16 * 1024;

/// Where to go through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Proxy {
    /// The seed's firewall_type.
    pub kind: i32,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
}

/// Connects to `host:port` as the properties say; `true` when through a proxy.
pub(crate) fn open(
    props: &Props,
    host: &str,
    port: u16,
    timeout: Option<Duration>,
) -> Result<(TcpStream, bool)> {
    let proxy = if props.firewall_type != 0 {
        Some(Proxy {
            kind: props.firewall_type,
            host: props.firewall_host.clone(),
            port: props.firewall_port,
            user: props.firewall_user.clone(),
            password: props.firewall_password.clone(),
        })
    } else if props.firewall_auto_detect {
        from_env(host, &|k| std::env::var(k).ok())
    } else {
        None
    };
    let Some(proxy) = proxy else {
        let socket = connect(host, port, props, timeout, 0)?;
        return Ok((socket, false));
    };
    if proxy.host.is_empty() {
        return Err(fw("firewall_type is set but firewall_host is empty"));
    }
    let mut socket = connect(&proxy.host, proxy.port, props, timeout, FIREWALL_ERROR)?;
    socket
        .set_read_timeout(timeout)
        .and_then(|()| socket.set_write_timeout(timeout))
        .map_err(|e| fw(format!("proxy socket: {e}")))?;
    match proxy.kind {
        1 => http_connect(&mut socket, &proxy, host, port)?,
        2 => socks4(&mut socket, &proxy, host, port, false)?,
        10 => socks4(&mut socket, &proxy, host, port, true)?,
        3 => socks5(&mut socket, &proxy, host, port)?,
        other => return Err(fw(format!("firewall_type {other} is not 1, 2, 3 or 10"))),
    }
    socket
        .set_read_timeout(None)
        .map_err(|e| fw(format!("proxy socket: {e}")))?;
    Ok((socket, true))
}

/// The proxy named by the standard environment variables, unless NO_PROXY covers `host`.
pub(crate) fn from_env(host: &str, var: &dyn Fn(&str) -> Option<String>) -> Option<Proxy> {
    let get = |name: &str| {
        var(name)
            .or_else(|| var(&name.to_ascii_uppercase()))
            .filter(|v| !v.trim().is_empty())
    };
    if let Some(no) = get("no_proxy") {
        let h = host.to_ascii_lowercase();
        let covered = no
            .split(',')
            .map(|p| p.trim().to_ascii_lowercase())
            .any(|p| {
                p == "*"
                    || (!p.is_empty()
                        && (h == p.trim_start_matches('.')
                            || h.ends_with(&format!(".{}", p.trim_start_matches('.')))))
            });
        if covered {
            return None;
        }
    }
    let url = get("all_proxy")
        .or_else(|| get("https_proxy"))
        .or_else(|| get("http_proxy"))?;
    parse_proxy_url(&url)
}

/// `scheme://[user[:password]@]host[:port][/]`: socks5/socks5h → 3, socks4 → 2,
/// socks4a → 10, http/https or no scheme → 1.
pub(crate) fn parse_proxy_url(url: &str) -> Option<Proxy> {
    let url = url.trim();
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("http".to_owned(), url),
    };
    let (kind, default_port) = match scheme.as_str() {
        "socks5" | "socks5h" | "socks" => (3, 1080),
        "socks4" => (2, 1080),
        "socks4a" => (10, 1080),
        "http" | "https" => (1, 80),
        _ => return None,
    };
    let rest = rest.split('/').next().unwrap_or(rest);
    let (userinfo, hostport) = match rest.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, rest),
    };
    let (user, password) = match userinfo {
        Some(u) => match u.split_once(':') {
            Some((a, b)) => (percent_decode(a), percent_decode(b)),
            None => (percent_decode(u), String::new()),
        },
        None => (String::new(), String::new()),
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        let port = after
            .strip_prefix(':')
            .map_or(Some(default_port), |p| p.parse().ok())?;
        (h.to_owned(), port)
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), p.parse().ok()?),
            None => (hostport.to_owned(), default_port),
        }
    };
    (!host.is_empty()).then_some(Proxy {
        kind,
        host,
        port,
        user,
        password,
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A TCP connection to `host:port`, bound to local_host/local_port when set. Failures get
/// the TCP/IP codes (10061 refused, 10060 timed out, 11001 host not found), or `code`
/// when it is not 0 (the proxy connection: 118).
fn connect(
    host: &str,
    port: u16,
    props: &Props,
    timeout: Option<Duration>,
    code: i32,
) -> Result<TcpStream> {
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| {
            let c = if code != 0 { code } else { 11001 };
            Error::new(
                ErrorKind::ConnectionLost,
                c,
                format!("cannot resolve {host}: {e}"),
            )
            .with_source(e)
        })?
        .collect();
    let local_ip: Option<IpAddr> = if props.local_host.trim().is_empty() {
        None
    } else {
        Some(props.local_host.trim().parse().map_err(|_| {
            Error::new(
                ErrorKind::InvalidState,
                10049,
                format!(
                    "local_host {:?} is not an IP address of this machine",
                    props.local_host
                ),
            )
        })?)
    };
    let mut last = None;
    for addr in addrs {
        let attempt = if local_ip.is_some() || props.local_port != 0 {
            bound_connect(addr, local_ip, props.local_port, timeout)
        } else {
            match timeout {
                Some(t) => TcpStream::connect_timeout(&addr, t),
                None => TcpStream::connect(addr),
            }
        };
        match attempt {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Err(e) => last = Some(e),
        }
    }
    let e = last.unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no address"));
    let c = match (code, e.kind()) {
        (0, std::io::ErrorKind::ConnectionRefused) => 10061,
        (0, std::io::ErrorKind::TimedOut) => 10060,
        (0, std::io::ErrorKind::AddrInUse) => 10048,
        (0, std::io::ErrorKind::AddrNotAvailable) => 10049,
        (0, _) => 1036,
        (c, _) => c,
    };
    Err(Error::new(
        ErrorKind::ConnectionLost,
        c,
        format!("cannot connect to {host}:{port}: {e}"),
    )
    .with_source(e))
}

/// Binds first, then connects (std cannot; socket2 can).
fn bound_connect(
    addr: SocketAddr,
    local_ip: Option<IpAddr>,
    local_port: u16,
    timeout: Option<Duration>,
) -> std::io::Result<TcpStream> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    let ip = local_ip.unwrap_or(match addr {
        SocketAddr::V4(_) => IpAddr::from([0u8, 0, 0, 0]),
        SocketAddr::V6(_) => IpAddr::from([0u16; 8]),
    });
    socket.bind(&SocketAddr::new(ip, local_port).into())?;
    match timeout {
        Some(t) => socket.connect_timeout(&addr.into(), t)?,
        None => socket.connect(&addr.into())?,
    }
    Ok(socket.into())
}

fn fw(description: impl Into<String>) -> Error {
    Error::new(ErrorKind::ConnectionLost, FIREWALL_ERROR, description)
}

fn io_fw(what: &str) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| fw(format!("{what}: {e}")).with_source(e)
}

/// RFC 7231 §4.3.6 CONNECT, with RFC 7617 Basic credentials when a user is set.
fn http_connect(s: &mut TcpStream, proxy: &Proxy, host: &str, port: u16) -> Result<()> {
    use base64::Engine as _;
    let target = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let mut req = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
    if !proxy.user.is_empty() {
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", proxy.user, proxy.password));
        req.push_str(&format!("Proxy-Authorization: Basic {token}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())
        .map_err(io_fw("sending CONNECT"))?;
    // Read the head byte by byte: nothing after it may be consumed (it is SSH).
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() >= MAX_HTTP_HEAD {
            return Err(fw("the HTTP proxy's response head is too long"));
        }
        match s
            .read(&mut byte)
            .map_err(io_fw("reading the CONNECT response"))?
        {
            0 => return Err(fw("the HTTP proxy closed the connection")),
            _ => head.extend_from_slice(&byte),
        }
    }
    let text = String::from_utf8_lossy(&head);
    let status_line = text.lines().next().unwrap_or_default();
    let code = status_line.split_whitespace().nth(1).unwrap_or_default();
    if code.starts_with('2') {
        Ok(())
    } else {
        Err(fw(format!(
            "the HTTP proxy refused CONNECT {target}: {status_line}"
        )))
    }
}

/// SOCKS4 (IPv4 address) or SOCKS4A (name resolved by the proxy).
fn socks4(
    s: &mut TcpStream,
    proxy: &Proxy,
    host: &str,
    port: u16,
    name_by_proxy: bool,
) -> Result<()> {
    let mut req = vec![4u8, 1];
    req.extend_from_slice(&port.to_be_bytes());
    let ip = if name_by_proxy {
        None
    } else {
        Some(
            (host, port)
                .to_socket_addrs()
                .map_err(io_fw("resolving the server for SOCKS4"))?
                .find_map(|a| match a.ip() {
                    IpAddr::V4(v4) => Some(v4),
                    IpAddr::V6(_) => None,
                })
                .ok_or_else(|| fw(format!("SOCKS4 needs an IPv4 address for {host}")))?,
        )
    };
    match ip {
        Some(v4) => req.extend_from_slice(&v4.octets()),
        // SOCKS4A: 0.0.0.x with x != 0, the name after the user id.
        None => req.extend_from_slice(&[0, 0, 0, 1]),
    }
    req.extend_from_slice(proxy.user.as_bytes());
    req.push(0);
    if ip.is_none() {
        req.extend_from_slice(host.as_bytes());
        req.push(0);
    }
    s.write_all(&req)
        .map_err(io_fw("sending the SOCKS4 request"))?;
    let mut reply = [0u8; 8];
    s.read_exact(&mut reply)
        .map_err(io_fw("reading the SOCKS4 reply"))?;
    match reply {
        [0, 0x5a, ..] => Ok(()),
        [_, code, ..] => Err(fw(format!(
            "the SOCKS4 proxy refused the connection (code 0x{code:02x})"
        ))),
    }
}

/// RFC 1928 SOCKS5 CONNECT with a domain name, RFC 1929 username/password when set.
fn socks5(s: &mut TcpStream, proxy: &Proxy, host: &str, port: u16) -> Result<()> {
    let methods: &[u8] = if proxy.user.is_empty() {
        &[0x00]
    } else {
        &[0x00, 0x02]
    };
    let mut hello = vec![5u8, u8::try_from(methods.len()).unwrap_or(1)];
    hello.extend_from_slice(methods);
    s.write_all(&hello)
        .map_err(io_fw("sending the SOCKS5 greeting"))?;
    let mut choice = [0u8; 2];
    s.read_exact(&mut choice)
        .map_err(io_fw("reading the SOCKS5 method"))?;
    match choice {
        [5, 0x00] => {}
        [5, 0x02] => {
            let user = proxy.user.as_bytes();
            let pass = proxy.password.as_bytes();
            let (Ok(ul), Ok(pl)) = (u8::try_from(user.len()), u8::try_from(pass.len())) else {
                return Err(fw("SOCKS5 user name and password are limited to 255 bytes"));
            };
            let mut auth = vec![1u8, ul];
            auth.extend_from_slice(user);
            auth.push(pl);
            auth.extend_from_slice(pass);
            s.write_all(&auth)
                .map_err(io_fw("sending SOCKS5 credentials"))?;
            let mut status = [0u8; 2];
            s.read_exact(&mut status)
                .map_err(io_fw("reading the SOCKS5 auth status"))?;
            if status[1] != 0 {
                return Err(fw("the SOCKS5 proxy rejected the user name or password"));
            }
        }
        [_, 0xff] => {
            return Err(fw(
                "the SOCKS5 proxy accepts none of our authentication methods",
            ));
        }
        [v, m] => return Err(fw(format!("unexpected SOCKS5 method reply {v:#x} {m:#x}"))),
    }
    let mut req = vec![5u8, 1, 0];
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => {
            req.push(1);
            req.extend_from_slice(&v4.octets());
        }
        Ok(IpAddr::V6(v6)) => {
            req.push(4);
            req.extend_from_slice(&v6.octets());
        }
        Err(_) => {
            let name = host.as_bytes();
            let len =
                u8::try_from(name.len()).map_err(|_| fw("host name longer than 255 bytes"))?;
            req.push(3);
            req.push(len);
            req.extend_from_slice(name);
        }
    }
    req.extend_from_slice(&port.to_be_bytes());
    s.write_all(&req)
        .map_err(io_fw("sending the SOCKS5 request"))?;
    let mut head = [0u8; 4];
    s.read_exact(&mut head)
        .map_err(io_fw("reading the SOCKS5 reply"))?;
    if head[0] != 5 {
        return Err(fw("the SOCKS5 proxy sent a malformed reply"));
    }
    if head[1] != 0 {
        return Err(fw(format!(
            "the SOCKS5 proxy refused the connection (reply 0x{:02x})",
            head[1]
        )));
    }
    // Skip the bound address: its length depends on its type.
    let skip = match head[3] {
        1 => 4 + 2,
        4 => 16 + 2,
        3 => {
            let mut len = [0u8; 1];
            s.read_exact(&mut len)
                .map_err(io_fw("reading the SOCKS5 reply"))?;
            usize::from(len[0]) + 2
        }
        other => {
            return Err(fw(format!(
                "SOCKS5 reply with unknown address type {other}"
            )));
        }
    };
    let mut rest = vec![0u8; skip];
    s.read_exact(&mut rest)
        .map_err(io_fw("reading the SOCKS5 reply"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls() {
        let p = parse_proxy_url("socks5://u:p%40ss@127.0.0.1:1081").unwrap();
        assert_eq!(
            (
                p.kind,
                p.host.as_str(),
                p.port,
                p.user.as_str(),
                p.password.as_str()
            ),
            (3, "127.0.0.1", 1081, "u", "p@ss")
        );
        let p = parse_proxy_url("http://proxy.example:3128/").unwrap();
        assert_eq!((p.kind, p.port), (1, 3128));
        assert_eq!(parse_proxy_url("socks4a://h").unwrap().kind, 10);
        assert_eq!(parse_proxy_url("socks4://h").unwrap().kind, 2);
        assert!(parse_proxy_url("ftp://h").is_none());
        let env = |k: &str| match k {
            "ALL_PROXY" => Some("socks5://127.0.0.1:9".to_owned()),
            "NO_PROXY" => Some("localhost,.internal".to_owned()),
            _ => None,
        };
        assert_eq!(from_env("example.com", &env).unwrap().port, 9);
        assert!(from_env("db.internal", &env).is_none());
        assert!(from_env("localhost", &env).is_none());
    }
}
