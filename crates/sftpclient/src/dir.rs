//! [`ReadDir`]: the entries of a remote directory, read in batches as iterated.

use std::collections::VecDeque;

use sftp_proto::{Request, Response, StatusCode};

use crate::engine::{status_ok, unexpected};
use crate::error::{Error, Result};
use crate::sftp::{Metadata, Sftp};

/// One directory entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    name: Vec<u8>,
    longname: Option<Vec<u8>>,
    metadata: Metadata,
}

impl DirEntry {
    /// The entry's name (lossily decoded when the server sent other than UTF-8).
    pub fn file_name(&self) -> String {
        String::from_utf8_lossy(&self.name).into_owned()
    }

    /// The name exactly as the server sent it.
    pub fn file_name_bytes(&self) -> &[u8] {
        &self.name
    }

    /// The server's `ls -l`-style line (SFTP v3 only). For display: never parse it.
    pub fn longname(&self) -> Option<String> {
        self.longname
            .as_deref()
            .map(|l| String::from_utf8_lossy(l).into_owned())
    }

    /// The entry's attributes as listed (links not followed).
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }
}

/// Iterator over a remote directory (see [`Sftp::read_dir`]). Entries `.` and `..` are
/// skipped. The handle is closed at the end or on drop.
#[derive(Debug)]
pub struct ReadDir {
    sftp: Sftp,
    handle: Option<Vec<u8>>,
    path: String,
    batch: VecDeque<DirEntry>,
    /// NAME replies in a row that brought no entries (a server stuck in a loop).
    empty_batches: u32,
}

/// Empty NAME replies tolerated in a row before the listing is abandoned as a protocol
/// error: a hostile server must not keep the iterator spinning forever.
const MAX_EMPTY_BATCHES: u32 = 16;

impl ReadDir {
    pub(crate) fn new(sftp: Sftp, handle: Vec<u8>, path: &str) -> Self {
        Self {
            sftp,
            handle: Some(handle),
            path: path.to_owned(),
            batch: VecDeque::new(),
            empty_batches: 0,
        }
    }

    /// Reads the next batch; `Ok(false)` at the end of the directory.
    fn fill(&mut self) -> Result<bool> {
        let Some(handle) = self.handle.as_deref() else {
            return Ok(false);
        };
        let what = format!("readdir {}", self.path);
        let mut engine = self.sftp.lock()?;
        let batch = &mut self.batch;
        let more = engine.call(&Request::Readdir { handle }, |r| match r {
            Response::Name(n) => {
                for e in n.entries {
                    if e.filename == b"." || e.filename == b".." {
                        continue;
                    }
                    batch.push_back(DirEntry {
                        name: e.filename.to_vec(),
                        longname: e.longname.map(<[u8]>::to_vec),
                        metadata: Metadata::new(e.attrs),
                    });
                }
                Ok(n.end_of_list != Some(true))
            }
            Response::Status(s) if s.code == StatusCode::EOF => Ok(false),
            Response::Status(s) => Err(Error::status(s.code, &s.message_lossy(), &what)),
            other => Err(unexpected(&what, &other)),
        })??;
        drop(engine);
        if self.batch.is_empty() && more {
            self.empty_batches = self.empty_batches.saturating_add(1);
            if self.empty_batches >= MAX_EMPTY_BATCHES {
                return Err(Error::protocol(format!(
                    "{what}: the server keeps sending empty NAME replies"
                )));
            }
        } else {
            self.empty_batches = 0;
        }
        if !more {
            self.close_handle()?;
        }
        Ok(more || !self.batch.is_empty())
    }

    fn close_handle(&mut self) -> Result<()> {
        let Some(handle) = self.handle.take() else {
            return Ok(());
        };
        let what = format!("closedir {}", self.path);
        let mut engine = self.sftp.lock()?;
        engine.call(&Request::Close { handle: &handle }, |r| status_ok(&what, r))?
    }
}

impl Iterator for ReadDir {
    type Item = Result<DirEntry>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(entry) = self.batch.pop_front() {
                return Some(Ok(entry));
            }
            match self.fill() {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => {
                    self.handle = None;
                    return Some(Err(e));
                }
            }
        }
    }
}

impl Drop for ReadDir {
    fn drop(&mut self) {
        let _ = self.close_handle();
    }
}
