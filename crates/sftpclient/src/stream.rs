//! The byte stream an SFTP session runs over.
//!
//! Normally that is an SSH channel of this crate's own SSH stack; the seam also lets a
//! session run over the stdin/stdout of a subsystem process ([`ProcessStream`], e.g. an
//! OpenSSH `ssh -s host sftp` child), which is how the SFTP layer is tested against real
//! servers independently of the SSH layers.

use std::io::{self, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use bytes::Bytes;

/// Size of one receive: large enough that a 256 KiB DATA packet takes a handful of calls.
const RECV_CHUNK: usize = 256 * 1024;

/// A reliable, ordered, bidirectional byte stream carrying one SFTP session.
///
/// The session never has more than its pipelining window of requests in flight, and reads
/// every reply before sending more than that, so a stream may block in `send` while the
/// peer's replies wait to be read without deadlocking.
pub trait SftpStream: Send {
    /// Sends all of `data`.
    fn send(&mut self, data: &[u8]) -> io::Result<()>;

    /// Sends all of `parts`, one after the other, as one stream of bytes. Streams that can
    /// frame the parts without joining them first (an SSH channel does) override this:
    /// uploads hand the WRITE header and the file data separately.
    fn send_parts(&mut self, parts: &[&[u8]]) -> io::Result<()> {
        for part in parts {
            self.send(part)?;
        }
        Ok(())
    }

    /// Waits until some bytes arrive and hands them to `sink`, in one or more pieces, in
    /// order; returns how many, or 0 at the end of the stream. Handing out borrowed pieces
    /// (rather than filling a caller's buffer) lets a stream pass on data where it already
    /// is, so received bytes are copied once, into the SFTP deframer.
    fn recv(&mut self, sink: &mut dyn FnMut(&[u8])) -> io::Result<usize>;

    /// Like [`SftpStream::recv`], but hands out shared pieces. A stream whose data already
    /// lies in [`Bytes`] (an SSH channel's does) passes them on, so that the SFTP layer
    /// keeps them rather than copying; the default copies what `recv` gives.
    fn recv_bytes(&mut self, sink: &mut dyn FnMut(Bytes)) -> io::Result<usize> {
        self.recv(&mut |data| sink(Bytes::copy_from_slice(data)))
    }

    /// Ends the session: no more data will be sent.
    fn close(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// An SFTP stream over a child process's stdin and stdout (a subsystem started by another
/// program, such as `ssh -s host sftp`). The child is killed and reaped on drop.
#[derive(Debug)]
pub struct ProcessStream {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: ChildStdout,
    /// Reused receive buffer.
    buf: Vec<u8>,
}

impl ProcessStream {
    /// Spawns `command` with piped stdin and stdout (stderr is inherited).
    pub fn spawn(mut command: Command) -> io::Result<Self> {
        let child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        Self::from_child(child)
    }

    /// Wraps an already spawned child whose stdin and stdout are pipes.
    pub fn from_child(mut child: Child) -> io::Result<Self> {
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the child's stdin and stdout must be pipes",
            ));
        };
        Ok(Self {
            child,
            stdin: Some(stdin),
            stdout,
            buf: vec![0; RECV_CHUNK],
        })
    }
}

impl SftpStream for ProcessStream {
    fn send(&mut self, data: &[u8]) -> io::Result<()> {
        match &mut self.stdin {
            Some(stdin) => stdin.write_all(data),
            None => Err(io::Error::new(io::ErrorKind::BrokenPipe, "stream closed")),
        }
    }

    fn recv(&mut self, sink: &mut dyn FnMut(&[u8])) -> io::Result<usize> {
        loop {
            match self.stdout.read(&mut self.buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
                Ok(n) => {
                    if let Some(data) = self.buf.get(..n).filter(|d| !d.is_empty()) {
                        sink(data);
                    }
                    return Ok(n);
                }
            }
        }
    }

    fn close(&mut self) -> io::Result<()> {
        // Closing stdin tells the subsystem to finish.
        self.stdin = None;
        Ok(())
    }
}

impl Drop for ProcessStream {
    fn drop(&mut self) {
        self.stdin = None;
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
