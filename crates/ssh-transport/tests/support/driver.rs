//! A minimal blocking driver over std::net::TcpStream for the probe example and the
//! interop tests (the library itself never touches sockets).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use ssh_transport::{
    ClientTransport, DisconnectReason, ExtInfo, HostKeyInfo, KexCause, TransportConfig,
    TransportError, TransportEvent,
};

/// Owned copy of a client event.
#[derive(Debug, Clone)]
pub enum Event {
    /// Host key offered (accepted or rejected by the policy).
    HostKey(HostKeyInfo),
    /// Kex done.
    KexDone(KexCause),
    /// Upper-layer payload.
    Payload(Vec<u8>),
    /// EXT_INFO.
    ExtInfo(ExtInfo),
    /// Something else (debug, unimplemented).
    Other,
}

/// A transport on a socket.
pub struct Blocking {
    pub t: ClientTransport,
    pub stream: TcpStream,
    pub events: Vec<Event>,
    /// Host key policy: return true to accept.
    pub accept: Box<dyn FnMut(&HostKeyInfo) -> bool>,
}

impl Blocking {
    pub fn connect(addr: &str, config: TransportConfig) -> Result<Self, String> {
        let stream = TcpStream::connect(addr).map_err(|e| format!("connect {addr}: {e}"))?;
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        Ok(Self {
            t: ClientTransport::new(config, Instant::now()),
            stream,
            events: Vec::new(),
            accept: Box::new(|_| true),
        })
    }

    fn flush(&mut self) -> Result<(), String> {
        let mut out = Vec::new();
        self.t.poll_transmit(&mut out);
        if !out.is_empty() {
            self.stream
                .write_all(&out)
                .map_err(|e| format!("write: {e}"))?;
        }
        Ok(())
    }

    fn drain_events(&mut self) -> Result<(), String> {
        loop {
            let ev = match self.t.poll_event() {
                None => return Ok(()),
                Some(TransportEvent::HostKey(info)) => {
                    if (self.accept)(&info) {
                        self.t.accept_host_key().map_err(|e| e.to_string())?;
                    } else {
                        self.t.reject_host_key();
                    }
                    Event::HostKey(info)
                }
                Some(TransportEvent::KexDone { cause }) => Event::KexDone(cause),
                Some(TransportEvent::Payload(p)) => Event::Payload(p.to_vec()),
                Some(TransportEvent::ExtInfo(i)) => Event::ExtInfo(i),
                Some(TransportEvent::Closed(e)) => return Err(e.to_string()),
                Some(_) => Event::Other,
            };
            self.events.push(ev);
        }
    }

    /// Pumps I/O until `done(events)` holds, failing on error or after `timeout`.
    pub fn run_until(
        &mut self,
        timeout: Duration,
        mut done: impl FnMut(&[Event]) -> bool,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            self.drain_events()?;
            self.flush()?;
            if let Some(e) = self.t.error() {
                return Err(e.to_string());
            }
            if done(&self.events) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("timed out; events so far: {:?}", self.events.len()));
            }
            match self.stream.read(&mut buf) {
                Ok(0) => return Err("server closed the connection".into()),
                Ok(n) => {
                    if let Err(e) = self.t.handle_input(buf.get(..n).unwrap_or_default()) {
                        let _ = self.flush();
                        return Err(e.to_string());
                    }
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) => return Err(format!("read: {e}")),
            }
            if let Some(at) = self.t.poll_timeout()
                && Instant::now() >= at
            {
                self.t
                    .handle_timeout(Instant::now())
                    .map_err(|e: TransportError| e.to_string())?;
            }
        }
    }

    /// Number of KexDone events.
    pub fn kex_count(&self) -> usize {
        self.events
            .iter()
            .filter(|e| matches!(e, Event::KexDone(_)))
            .count()
    }

    /// Sends DISCONNECT and flushes.
    pub fn disconnect(&mut self) -> Result<(), String> {
        self.t.disconnect(DisconnectReason::BY_APPLICATION, "bye");
        self.flush()
    }
}
