//! Connects to an SSH server, completes key exchange, prints what was negotiated and the
//! host key, then disconnects.
//!
//! `cargo run -p ssh-transport --example probe -- [--kex LIST] [--cipher LIST] [--mac LIST]
//! [--hostkey LIST] [--compression LIST] [--strict-kex 0..3] HOST:PORT`

#[path = "../tests/support/driver.rs"]
mod driver;

use std::process::ExitCode;
use std::time::Duration;

use ssh_transport::{StrictKexMode, TransportConfig};

fn usage() -> ExitCode {
    eprintln!(
        "usage: probe [--kex LIST] [--cipher LIST] [--mac LIST] [--hostkey LIST] \
         [--compression LIST] [--strict-kex 0..3] HOST:PORT"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut config = TransportConfig::default();
    let mut addr = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut list = |field: &mut Vec<String>| match args.next() {
            Some(v) => {
                *field = TransportConfig::parse_list(&v);
                true
            }
            None => false,
        };
        let ok = match arg.as_str() {
            "--kex" => list(&mut config.kex_algorithms),
            "--cipher" => list(&mut config.ciphers),
            "--mac" => list(&mut config.macs),
            "--hostkey" => list(&mut config.host_key_algorithms),
            "--compression" => list(&mut config.compression),
            "--strict-kex" => match args
                .next()
                .and_then(|v| v.parse().ok())
                .and_then(StrictKexMode::from_level)
            {
                Some(m) => {
                    config.strict_kex = m;
                    true
                }
                None => false,
            },
            "-h" | "--help" => return usage(),
            other if !other.starts_with('-') && addr.is_none() => {
                addr = Some(other.to_owned());
                true
            }
            _ => false,
        };
        if !ok {
            return usage();
        }
    }
    let Some(addr) = addr else {
        return usage();
    };
    match probe(&addr, config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("probe: {addr}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn probe(addr: &str, config: TransportConfig) -> Result<(), String> {
    let mut d = driver::Blocking::connect(addr, config)?;
    d.run_until(Duration::from_secs(30), |ev| {
        ev.iter().any(|e| matches!(e, driver::Event::KexDone(_)))
    })?;
    let t = &d.t;
    println!("server: {}", t.server_version().unwrap_or("?"));
    let n = t.negotiated().ok_or("no negotiated algorithms")?;
    println!("kex: {}", n.kex.name());
    println!("hostkey algorithm: {}", n.host_key);
    println!("cipher c2s: {}", n.cipher_c2s.name());
    println!("cipher s2c: {}", n.cipher_s2c.name());
    println!("mac c2s: {}", n.mac_c2s_name());
    println!("mac s2c: {}", n.mac_s2c_name());
    println!("compression c2s: {}", n.compression_c2s.name());
    println!("compression s2c: {}", n.compression_s2c.name());
    println!("strict kex: {}", if t.strict_kex() { "yes" } else { "no" });
    for e in &d.events {
        if let driver::Event::HostKey(info) = e {
            println!("host key: {} {}", info.key.key_type(), info.fingerprint);
        }
    }
    d.disconnect()
}
