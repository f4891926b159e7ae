//! The seed's 30 methods (config is in `config.rs`) and the config actions (CheckFileHash,
//! CopyRemoteFile, CopyRemoteData, ReadLink, GetSpaceInfo).

use std::sync::atomic::Ordering;
use std::time::Duration;

use sftp_proto::ext::{
    CHECK_FILE_HASHES, CheckFileReply, CheckFileTarget, ExtendedRequest, SpaceAvailable, names,
};
use sftp_proto::{FileAttributes, FileTime, Request, Response, StatusCode};

use super::events::{DirListEvent, TransferBoundaryEvent, fire};
use super::mask::{MaskSet, has_wildcards};
use super::properties::{DirRecord, EntryAttrs, FileProps};
use super::transfer::{Direction, JobSpec};
use super::{SftpClient, invalid, now_unix, timefmt};
use crate::engine::{status_ok, unexpected};
use crate::error::{Error, ErrorKind, Result, code};
use crate::{OpenOptions, Sftp};

impl SftpClient {
    /// Appends local_file to remote_file (created when missing); start_byte does not apply.
    /// Logs on first when no session is in place.
    pub fn append(&mut self) -> Result<()> {
        let sftp = self.begin(true)?;
        let (local, remote) = self.file_pair()?;
        let spec = JobSpec {
            direction: Direction::Upload,
            local: local.clone(),
            remote: self.resolve(&remote),
            remote_display: remote.clone(),
            start: 0,
            append: true,
        };
        let r = self.run_jobs(&sftp, vec![spec]);
        self.end();
        r
    }

    /// Changes remote_path: absolute with a leading `/`, otherwise relative to the current
    /// one (`..` is the parent). The directory must exist (1106 otherwise).
    pub fn change_remote_path(&mut self, remote_path: &str) -> Result<()> {
        let sftp = self.begin(false)?;
        let r = (|| {
            let target = if remote_path.starts_with('/') {
                remote_path.to_owned()
            } else {
                self.resolve(remote_path)
            };
            let target =
                if self.cfg.flag("DisableRealPath") || !self.cfg.flag("NormalizeRemotePath") {
                    normalize(&target)
                } else {
                    sftp.canonicalize(&target)
                        .map_err(|e| cannot_resolve(&target, e))?
                };
            let meta = sftp
                .metadata(&target)
                .map_err(|e| cannot_resolve(&target, e))?;
            if !meta.is_dir() {
                return Err(Error::new(
                    ErrorKind::InvalidState,
                    code::CANNOT_RESOLVE_PATH,
                    format!("Cannot resolve path: {target} is not a directory"),
                ));
            }
            self.log(2, "SFTP", &format!("remote path is now {target}"));
            self.props.remote_path = target;
            Ok(())
        })();
        self.end();
        r
    }

    /// Whether remote_file exists; false without a session.
    pub fn check_file_exists(&mut self) -> Result<bool> {
        let Some(sftp) = self.sftp.clone() else {
            return Ok(false);
        };
        let path = self.resolve(&self.props.remote_file.clone());
        match sftp.symlink_metadata(&path) {
            Ok(_) => Ok(true),
            Err(e) if e.sftp_status() == Some(StatusCode::NO_SUCH_FILE) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Connects to ssh_host:ssh_port. The SSH stack authenticates as part of the
    /// handshake, so this also logs on (as ssh_logon does, with the current properties).
    pub fn connect(&mut self) -> Result<()> {
        self.interrupted.store(false, Ordering::SeqCst);
        self.busy = true;
        let r = self.open_session();
        self.busy = false;
        r
    }

    /// Creates the empty file `file_name` (an existing file is an error unless overwrite
    /// is set, which truncates it).
    pub fn create_file(&mut self, file_name: &str) -> Result<()> {
        let sftp = self.begin(false)?;
        let path = self.resolve(file_name);
        let mut options = OpenOptions::new();
        options.write(true).create(true);
        if self.props.overwrite {
            options.truncate(true);
        } else {
            options.create_new(true);
        }
        self.log(2, "SFTP", &format!("create {path}"));
        let r = sftp
            .open_with(&path, &options)
            .and_then(crate::RemoteFile::close);
        self.end();
        r
    }

    /// Hex text to bytes (for on_ssh_custom_auth packets).
    pub fn decode_packet(&self, encoded_packet: &str) -> Result<Vec<u8>> {
        ssh_auth::custom::decode_packet(encoded_packet).map_err(param_error)
    }

    /// Deletes the remote file (or empty directory) `file_name`. Logs on first.
    pub fn delete_file(&mut self, file_name: &str) -> Result<()> {
        let sftp = self.begin(true)?;
        let path = self.resolve(file_name);
        self.log(2, "SFTP", &format!("remove {path}"));
        let r = match sftp.symlink_metadata(&path) {
            Ok(m) if m.is_dir() => sftp.remove_dir(&path),
            _ => sftp.remove_file(&path),
        };
        self.end();
        r
    }

    /// Closes the connection at once, without logging off.
    pub fn disconnect(&mut self) -> Result<()> {
        let was = self.session.is_some();
        self.sftp = None;
        self.session = None;
        self.server_key_clear();
        if was {
            self.connection_status("Remote host disconnected", 0, "OK");
            fire!(
                self,
                disconnected,
                &mut super::DisconnectedEvent {
                    status_code: 0,
                    description: "OK".to_owned(),
                }
            );
        }
        Ok(())
    }

    /// Processes pending events. Events here fire as they happen, inside the method that
    /// causes them, so this only waits SelectWaitMillis (bounded to one second).
    pub fn do_events(&mut self) -> Result<()> {
        let ms = u64::try_from(self.cfg.int("SelectWaitMillis"))
            .unwrap_or(0)
            .min(1000);
        std::thread::sleep(Duration::from_millis(ms));
        Ok(())
    }

    /// Downloads remote_file to local_file (or, with local_file "", through on_transfer's
    /// `text`), from start_byte, at most TransferredDataLimit bytes; or, when files were
    /// queued with queue_file, all of them. Logs on first.
    pub fn download(&mut self) -> Result<()> {
        self.transfer(Direction::Download)
    }

    /// Reads up to `count` bytes at `start_byte` of `path/file_name` into `buffer`;
    /// returns how many were read (fewer at the end of the file).
    pub fn download_range(
        &mut self,
        path: &str,
        file_name: &str,
        start_byte: i64,
        count: i64,
        buffer: &mut [u8],
    ) -> Result<i64> {
        use std::io::{Read, Seek, SeekFrom};
        let sftp = self.begin(true)?;
        let r = (|| {
            let full = self.range_path(path, file_name);
            let start =
                u64::try_from(start_byte).map_err(|_| invalid("start_byte cannot be negative"))?;
            let count = usize::try_from(count).map_err(|_| invalid("count cannot be negative"))?;
            let want = count.min(buffer.len());
            let mut file = sftp.open(&full)?;
            file.seek(SeekFrom::Start(start)).map_err(io_err)?;
            let mut got = 0usize;
            while got < want {
                let slot = buffer.get_mut(got..want).unwrap_or_default();
                match file.read(slot).map_err(io_err)? {
                    0 => break,
                    n => got = got.saturating_add(n),
                }
            }
            file.close()?;
            Ok(i64::try_from(got).unwrap_or(i64::MAX))
        })();
        self.end();
        r
    }

    /// Bytes to hex text (for on_ssh_custom_auth packets).
    pub fn encode_packet(&self, packet: &[u8]) -> Result<String> {
        Ok(ssh_auth::custom::encode_packet(packet))
    }

    /// Reads `field` of an SSH packet payload as text (see the seed's field names and
    /// `%type,...` lists).
    pub fn get_ssh_param(&self, payload: &[u8], field: &str) -> Result<String> {
        ssh_auth::custom::get_ssh_param(payload, field).map_err(param_error)
    }

    /// Reads `field` of an SSH packet payload as bytes.
    pub fn get_ssh_param_bytes(&self, payload: &[u8], field: &str) -> Result<Vec<u8>> {
        ssh_auth::custom::get_ssh_param_bytes(payload, field).map_err(param_error)
    }

    /// Interrupts the current method. A method runs while `&mut self` is borrowed, so from
    /// another thread or an event handler use [`interrupt_handle`](Self::interrupt_handle);
    /// called between methods this has no effect.
    pub fn interrupt(&mut self) -> Result<()> {
        if self.busy {
            self.interrupted.store(true, Ordering::SeqCst);
        }
        Ok(())
    }

    /// Lists the directory or mask in remote_file (relative to remote_path; several masks
    /// split by FileMaskDelimiter; ExcludeFileMask; IgnoreFileMaskCasing): fires
    /// on_dir_list per entry between on_start_transfer and on_end_transfer, and fills the
    /// dir_list_* properties. Logs on first.
    pub fn list_directory(&mut self) -> Result<()> {
        let sftp = self.begin(true)?;
        let r = self.list_inner(&sftp);
        self.end();
        r
    }

    /// Creates directory `new_dir`. Logs on first.
    pub fn make_directory(&mut self, new_dir: &str) -> Result<()> {
        let sftp = self.begin(true)?;
        let path = self.resolve(new_dir);
        self.log(2, "SFTP", &format!("mkdir {path}"));
        let r = sftp.create_dir(&path);
        self.end();
        r
    }

    /// Fills the file_* properties from remote_file's attributes (of the link itself with
    /// GetSymlinkAttrs=True).
    pub fn query_file_attributes(&mut self) -> Result<()> {
        let sftp = self.begin(false)?;
        let path = self.resolve(&self.props.remote_file.clone());
        let r = if self.cfg.flag("GetSymlinkAttrs") {
            sftp.symlink_metadata(&path)
        } else {
            sftp.metadata(&path)
        };
        self.end();
        let meta = r?;
        self.file = FileProps::from_attrs(meta.attributes());
        self.file_loaded = self.file.clone();
        Ok(())
    }

    /// Queues a transfer for the next download or upload (several run at once, up to
    /// SimultaneousTransferLimit, over the one SFTP channel).
    pub fn queue_file(&mut self, local_file: &str, remote_file: &str) -> Result<()> {
        self.queue
            .push((local_file.to_owned(), remote_file.to_owned()));
        Ok(())
    }

    /// Removes directory `dir_name`. Logs on first.
    pub fn remove_directory(&mut self, dir_name: &str) -> Result<()> {
        let sftp = self.begin(true)?;
        let path = self.resolve(dir_name);
        self.log(2, "SFTP", &format!("rmdir {path}"));
        let r = sftp.remove_dir(&path);
        self.end();
        r
    }

    /// Renames remote_file to `new_name` (an existing target is replaced only with
    /// overwrite set). Logs on first.
    pub fn rename_file(&mut self, new_name: &str) -> Result<()> {
        let sftp = self.begin(true)?;
        let (from, to) = (
            self.resolve(&self.props.remote_file.clone()),
            self.resolve(new_name),
        );
        if self.props.remote_file.is_empty() {
            self.end();
            return Err(missing_names());
        }
        self.log(2, "SFTP", &format!("rename {from} -> {to}"));
        let r = sftp.rename(&from, &to, self.props.overwrite);
        self.end();
        r
    }

    /// Disconnects and puts every property and setting back to its default (event
    /// handlers stay registered).
    pub fn reset(&mut self) -> Result<()> {
        self.disconnect()?;
        let shared = self.shared.clone();
        let interrupted = self.interrupted.clone();
        *self = SftpClient::new();
        self.shared = shared;
        self.interrupted = interrupted;
        self.apply_shared();
        Ok(())
    }

    /// Empties the transfer queue (transfers already running are not affected).
    pub fn reset_queue(&mut self) -> Result<()> {
        self.queue.clear();
        Ok(())
    }

    /// Appends a field to an SSH packet payload: `field_type` s, sb, m, i, l, b or f.
    pub fn set_ssh_param(
        &self,
        payload: &[u8],
        field_type: &str,
        field_value: &str,
    ) -> Result<Vec<u8>> {
        ssh_auth::custom::set_ssh_param(payload, field_type, field_value).map_err(param_error)
    }

    /// Logs off: ends SFTP, closes the channel and sends DISCONNECT.
    pub fn ssh_logoff(&mut self) -> Result<()> {
        let Some(session) = self.session.take() else {
            return Ok(());
        };
        if let Some(sftp) = self.sftp.take() {
            let _ = sftp.close();
        }
        let r = session.disconnect();
        if r.is_err() {
            // The seed: a failed logoff still ends the connection locally.
            drop(session);
        }
        self.server_key_clear();
        self.status("Logged off");
        self.connection_status("Remote host disconnected", 0, "OK");
        fire!(
            self,
            disconnected,
            &mut super::DisconnectedEvent {
                status_code: 0,
                description: "OK".to_owned(),
            }
        );
        Ok(())
    }

    /// Connects to `ssh_host:ssh_port`, exchanges keys, verifies the host key
    /// (on_ssh_server_authentication) and authenticates per ssh_auth_mode, then starts SFTP.
    pub fn ssh_logon(&mut self, ssh_host: &str, ssh_port: u16) -> Result<()> {
        if self.session.is_none() {
            self.set_ssh_host(ssh_host)?;
            self.set_ssh_port(ssh_port)?;
        }
        self.apply_shared();
        self.log(
            3,
            "SSH",
            &format!(
                "logon as {} with password {}",
                self.props.ssh_user, self.props.ssh_password
            ),
        );
        self.connect()
    }

    /// Sends the writable file_* properties for remote_file: permissions, times (atime
    /// defaults to mtime at v3, which sets both together), and owner/group/ACL when they
    /// were changed since query_file_attributes.
    pub fn update_file_attributes(&mut self) -> Result<()> {
        let sftp = self.begin(false)?;
        let path = self.resolve(&self.props.remote_file.clone());
        let version = sftp.version().unwrap_or(3);
        let f = &self.file;
        let mut attrs = FileAttributes::default();
        if f.permissions != 0 {
            attrs.permissions = Some((f.permissions as u32) & 0o7777);
        }
        if f.modified_time != 0 || f.access_time != 0 {
            let m = if f.modified_time != 0 {
                f.modified_time
            } else {
                f.access_time
            };
            let a = if f.access_time != 0 {
                f.access_time
            } else {
                f.modified_time
            };
            attrs.mtime = Some(file_time_ms(m));
            attrs.atime = Some(file_time_ms(a));
        }
        if f.creation_time != 0 {
            attrs.createtime = Some(file_time_ms(f.creation_time));
        }
        let loaded = &self.file_loaded;
        if f.owner_id != loaded.owner_id || f.group_id != loaded.group_id {
            if version >= 4 {
                attrs.owner_group = Some((f.owner_id.clone(), f.group_id.clone()));
            } else {
                match (f.owner_id.parse::<u32>(), f.group_id.parse::<u32>()) {
                    (Ok(u), Ok(g)) => attrs.uid_gid = Some((u, g)),
                    _ => {
                        self.end();
                        return Err(invalid(
                            "at SFTP v3 file_owner_id and file_group_id are numeric ids",
                        ));
                    }
                }
            }
        }
        if f.acl != loaded.acl && !f.acl.is_empty() {
            attrs.acl = Some(f.acl.as_bytes().to_vec());
        }
        self.log(2, "SFTP", &format!("setstat {path}"));
        let r = sftp.set_metadata(&path, &attrs);
        self.end();
        r
    }

    /// Uploads local_file to remote_file (overwrite, start_byte resume); or, when files
    /// were queued with queue_file, all of them. Logs on first.
    pub fn upload(&mut self) -> Result<()> {
        self.transfer(Direction::Upload)
    }

    /// Writes `count` bytes of `buffer` at `start_byte` of `path/file_name` (created when
    /// missing; a gap past the end reads as zeros).
    pub fn upload_range(
        &mut self,
        path: &str,
        file_name: &str,
        start_byte: i64,
        count: i64,
        buffer: &[u8],
    ) -> Result<()> {
        use std::io::{Seek, SeekFrom, Write};
        let sftp = self.begin(true)?;
        let r = (|| {
            let full = self.range_path(path, file_name);
            let start =
                u64::try_from(start_byte).map_err(|_| invalid("start_byte cannot be negative"))?;
            let count = usize::try_from(count).map_err(|_| invalid("count cannot be negative"))?;
            let data = buffer.get(..count).ok_or_else(|| {
                invalid(format!(
                    "count {count} is larger than the buffer ({})",
                    buffer.len()
                ))
            })?;
            let mut options = OpenOptions::new();
            options.write(true).create(true);
            let mut file = sftp.open_with(&full, &options)?;
            file.seek(SeekFrom::Start(start)).map_err(io_err)?;
            file.write_all(data).map_err(io_err)?;
            file.close()
        })();
        self.end();
        r
    }

    // ----- config actions -----

    /// SSHKeyRenegotiate: re-exchange keys now and wait until they are in use.
    pub(crate) fn renegotiate_keys(&mut self) -> Result<()> {
        match &self.session {
            Some(session) => session.renegotiate(),
            None => Err(super::not_connected()),
        }
    }

    /// CheckFileHash: the server's hash of remote_file (check-file) against local_file's.
    pub(crate) fn check_file_hash(&mut self) -> Result<()> {
        let sftp = self.begin(true)?;
        let r = (|| {
            let (local, remote) = self.file_pair()?;
            let remote = self.resolve(&remote);
            let offered = {
                let e = sftp.lock()?;
                let x = e.session().extensions();
                x.offers(names::CHECK_FILE) || x.offers(names::CHECK_FILE_NAME)
            };
            let request = Request::Extended(ExtendedRequest::CheckFile {
                target: CheckFileTarget::Name(remote.as_bytes()),
                hash_algorithms: CHECK_FILE_HASHES.as_bytes(),
                start_offset: 0,
                length: 0,
                block_size: 0,
            });
            let what = format!("check-file {remote}");
            let (alg, hash) = sftp.lock()?.call(&request, |r| match r {
                Response::ExtendedReply(data) => {
                    let reply = CheckFileReply::decode(data)
                        .map_err(|e| Error::protocol(format!("{what}: bad reply: {e}")))?;
                    Ok((
                        reply.algorithm_name().unwrap_or_default().to_owned(),
                        reply.hashes.to_vec(),
                    ))
                }
                // Some servers advertise check-file only at v6 (ProFTPD: in supported2), so
                // it is tried anyway; a refusal means "unsupported here": 1109.
                Response::Status(s) => Err(Error::new(
                    ErrorKind::Unsupported,
                    code::HASH_MISMATCH,
                    format!(
                        "CheckFileHash: {what}: {} ({}){}",
                        s.message_lossy(),
                        s.code.name().unwrap_or("status"),
                        if offered {
                            ""
                        } else {
                            "; the server does not offer check-file"
                        }
                    ),
                )),
                other => Err(unexpected(&what, &other)),
            })??;
            let data =
                std::fs::read(&local).map_err(|e| Error::local(format!("read {local}"), e))?;
            let mine = super::hash::digest(&alg, &data).ok_or_else(|| {
                Error::new(
                    ErrorKind::Unsupported,
                    code::HASH_MISMATCH,
                    format!("CheckFileHash: the server chose hash {alg:?}, which is not one we asked for"),
                )
            })?;
            self.log(2, "SFTP", &format!("check-file {remote}: {alg}"));
            if mine == hash {
                Ok(())
            } else {
                Err(Error::new(
                    ErrorKind::InvalidState,
                    code::HASH_MISMATCH,
                    format!(
                        "CheckFileHash failed because of hash value mismatch ({alg}) for {remote} and {local}"
                    ),
                ))
            }
        })();
        self.end();
        r
    }

    /// CopyRemoteFile: copies remote_file to `dest` on the server (overwrite applies).
    pub(crate) fn copy_remote_file(&mut self, dest: &str) -> Result<()> {
        let sftp = self.begin(true)?;
        let (from, to) = (
            self.resolve(&self.props.remote_file.clone()),
            self.resolve(dest),
        );
        self.log(2, "SFTP", &format!("copy {from} -> {to}"));
        let r = if self.props.remote_file.is_empty() {
            Err(missing_names())
        } else {
            sftp.copy(&from, &to, self.props.overwrite)
        };
        self.end();
        r
    }

    /// CopyRemoteData: `DestFile=...;Length=...;WriteOffset=...`, reading remote_file from
    /// start_byte (copy-data extension).
    pub(crate) fn copy_remote_data(&mut self, spec: &str) -> Result<()> {
        let sftp = self.begin(true)?;
        let r = (|| {
            let mut dest = None;
            let mut length = 0u64;
            let mut write_offset = 0u64;
            for part in spec.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                let (k, v) = part.split_once('=').ok_or_else(|| {
                    invalid(format!("CopyRemoteData: {part:?} is not Name=Value"))
                })?;
                let num = || {
                    super::config::parse_int(v)
                        .and_then(|n| u64::try_from(n).ok())
                        .ok_or_else(|| invalid(format!("CopyRemoteData: {k}={v} is not a number")))
                };
                match k.trim().to_ascii_lowercase().as_str() {
                    "destfile" => dest = Some(v.trim().to_owned()),
                    "length" => length = num()?,
                    "writeoffset" => write_offset = num()?,
                    other => {
                        return Err(invalid(format!("CopyRemoteData: unknown field {other:?}")));
                    }
                }
            }
            let dest = dest.ok_or_else(|| invalid("CopyRemoteData needs DestFile=..."))?;
            if self.props.remote_file.is_empty() {
                return Err(missing_names());
            }
            if !sftp.has_extension(names::COPY_DATA)? {
                return Err(Error::unsupported(
                    "CopyRemoteData: the server does not offer copy-data",
                ));
            }
            let from = self.resolve(&self.props.remote_file.clone());
            let to = self.resolve(&dest);
            let source = sftp.open(&from)?;
            let mut options = OpenOptions::new();
            options.write(true).create(true);
            let target = sftp.open_with(&to, &options)?;
            let read_offset = u64::try_from(self.props.start_byte).unwrap_or(0);
            let what = format!("copy-data {from} -> {to}");
            self.log(2, "SFTP", &what);
            sftp.lock()?.call(
                &Request::Extended(ExtendedRequest::CopyData {
                    read_handle: source.handle(),
                    read_offset,
                    read_length: length,
                    write_handle: target.handle(),
                    write_offset,
                }),
                |r| status_ok(&what, r),
            )??;
            source.close()?;
            target.close()
        })();
        self.end();
        r
    }

    /// ReadLink: the target of the symbolic link `path`.
    pub(crate) fn read_link(&mut self, path: &str) -> Result<String> {
        let sftp = self.begin(true)?;
        let r = sftp.read_link(&self.resolve(path));
        self.end();
        r
    }

    /// GetSpaceInfo: (free, total) bytes of remote_path's file system, by
    /// statvfs@openssh.com or space-available; FreeSpace and TotalSpace then show them.
    pub(crate) fn get_space_info(&mut self) -> Result<(u64, u64)> {
        let sftp = self.begin(true)?;
        let r = (|| {
            let path = if self.props.remote_path.is_empty() {
                ".".to_owned()
            } else {
                self.props.remote_path.clone()
            };
            if sftp.has_extension(names::STATVFS)? {
                let s = sftp.statvfs(&path)?;
                return Ok((s.available_bytes(), s.total_bytes()));
            }
            if !sftp.has_extension(names::SPACE_AVAILABLE)? {
                return Err(Error::unsupported(
                    "GetSpaceInfo: the server offers neither statvfs@openssh.com nor space-available",
                ));
            }
            let what = format!("space-available {path}");
            sftp.lock()?.call(
                &Request::Extended(ExtendedRequest::SpaceAvailable {
                    path: path.as_bytes(),
                }),
                |r| match r {
                    Response::ExtendedReply(data) => SpaceAvailable::decode(data)
                        .map(|s| (s.bytes_available_to_user, s.bytes_on_device))
                        .map_err(|e| Error::protocol(format!("{what}: bad reply: {e}"))),
                    Response::Status(s) => Err(Error::status(s.code, &s.message_lossy(), &what)),
                    other => Err(unexpected(&what, &other)),
                },
            )?
        })();
        self.end();
        let space = r?;
        self.space = Some(space);
        Ok(space)
    }

    // ----- helpers -----

    /// Starts a method: clears the interrupt flag, marks the client busy, and returns the
    /// session (logging on first when `auto_logon`).
    pub(crate) fn begin(&mut self, auto_logon: bool) -> Result<Sftp> {
        self.interrupted.store(false, Ordering::SeqCst);
        let sftp = if auto_logon {
            self.sftp_auto()
        } else {
            self.sftp_required()
        }?;
        self.busy = true;
        Ok(sftp)
    }

    pub(crate) fn end(&mut self) {
        self.busy = false;
    }

    fn server_key_clear(&mut self) {
        self.server_key = None;
    }

    fn file_pair(&self) -> Result<(String, String)> {
        if self.props.local_file.is_empty() || self.props.remote_file.is_empty() {
            return Err(missing_names());
        }
        Ok((
            self.props.local_file.clone(),
            self.props.remote_file.clone(),
        ))
    }

    fn range_path(&self, path: &str, file_name: &str) -> String {
        if path.is_empty() {
            self.resolve(file_name)
        } else if file_name.is_empty() {
            self.resolve(path)
        } else {
            self.resolve(&format!("{}/{}", path.trim_end_matches('/'), file_name))
        }
    }

    fn transfer(&mut self, direction: Direction) -> Result<()> {
        let sftp = self.begin(true)?;
        let specs: Vec<JobSpec> = if self.queue.is_empty() {
            let remote = self.props.remote_file.clone();
            let local = self.props.local_file.clone();
            if remote.is_empty() || (local.is_empty() && direction == Direction::Upload) {
                self.end();
                return Err(missing_names());
            }
            vec![JobSpec {
                direction,
                local,
                remote: self.resolve(&remote),
                remote_display: remote,
                start: u64::try_from(self.props.start_byte).unwrap_or(0),
                append: false,
            }]
        } else {
            let queue = std::mem::take(&mut self.queue);
            queue
                .into_iter()
                .map(|(local, remote)| JobSpec {
                    direction,
                    local,
                    remote: self.resolve(&remote),
                    remote_display: remote,
                    start: 0,
                    append: false,
                })
                .collect()
        };
        let single = specs.len() == 1;
        let r = self.run_jobs(&sftp, specs);
        if r.is_ok() && single {
            // The seed: start_byte goes back to 0 after a successful transfer.
            self.props.start_byte = 0;
        }
        self.end();
        r
    }

    fn list_inner(&mut self, sftp: &Sftp) -> Result<()> {
        let spec = self.props.remote_file.clone();
        let delimiter = self.cfg.text("FileMaskDelimiter").to_owned();
        let fold = self.cfg.flag("IgnoreFileMaskCasing");
        let parts: Vec<String> = if delimiter.is_empty() {
            vec![spec.clone()]
        } else {
            spec.split(delimiter.as_str())
                .map(|p| p.trim().to_owned())
                .collect()
        };
        // The directory comes from the first part; masks are the last components.
        let first = parts.first().cloned().unwrap_or_default();
        let (dir, mut masks): (String, Vec<String>) = if first.is_empty() {
            (self.resolve(""), Vec::new())
        } else {
            let (dir_part, last) = match first.rsplit_once('/') {
                Some((d, l)) => (
                    if d.is_empty() {
                        "/".to_owned()
                    } else {
                        d.to_owned()
                    },
                    l.to_owned(),
                ),
                None => (String::new(), first.clone()),
            };
            if has_wildcards(&last) || parts.len() > 1 {
                (self.resolve(&dir_part), vec![last])
            } else {
                // A plain name: a directory is listed; a file lists just itself.
                let full = self.resolve(&first);
                match sftp.metadata(&full) {
                    Ok(m) if m.is_dir() => (full, Vec::new()),
                    _ => (self.resolve(&dir_part), vec![escape_mask(&last)]),
                }
            }
        };
        for p in parts.iter().skip(1) {
            let last = p.rsplit('/').next().unwrap_or(p);
            masks.push(last.to_owned());
        }
        let dir = if dir.is_empty() { ".".to_owned() } else { dir };
        let include = MaskSet::new(&masks.join("\u{0}"), "\u{0}", fold);
        let exclude = MaskSet::new(self.cfg.text("ExcludeFileMask"), &delimiter, fold);
        let pattern = self.cfg.text("FiletimeFormat").to_owned();
        let version = sftp.version().unwrap_or(3);
        self.dir_list.clear();
        fire!(
            self,
            start_transfer,
            &mut TransferBoundaryEvent {
                direction: 1,
                local_file: String::new(),
                remote_file: spec.clone(),
            }
        );
        self.log(2, "SFTP", &format!("list {dir}"));
        let now = now_unix();
        let result = (|| {
            for entry in sftp.read_dir(&dir)? {
                if self.interrupted.load(Ordering::SeqCst) {
                    return Err(interrupted());
                }
                let entry = entry?;
                let name = entry.file_name();
                if (!include.is_empty() && !include.matches(&name))
                    || (!exclude.is_empty() && exclude.matches(&name))
                {
                    continue;
                }
                let meta = entry.metadata();
                let attrs = meta.attributes().clone();
                let secs = attrs.mtime.map_or(0, |t| t.seconds);
                let file_time = timefmt::file_time(secs, now, &pattern);
                let is_symlink = meta.is_symlink();
                let record = DirRecord {
                    entry: entry
                        .longname()
                        .unwrap_or_else(|| synth_longname(&attrs, &name, &file_time, version)),
                    file_name: name,
                    file_size: i64::try_from(meta.len()).unwrap_or(i64::MAX),
                    file_time,
                    is_dir: meta.is_dir() && !is_symlink,
                    is_symlink,
                    attrs: EntryAttrs { attrs },
                };
                let mut event = DirListEvent {
                    dir_entry: record.entry.clone(),
                    file_name: record.file_name.clone(),
                    is_dir: record.is_dir,
                    file_size: record.file_size,
                    file_time: record.file_time.clone(),
                    is_symlink: record.is_symlink,
                    attrs: record.attrs.clone(),
                };
                self.last_entry = record.attrs.clone();
                fire!(self, dir_list, &mut event);
                self.dir_list.push(record);
            }
            Ok(())
        })();
        fire!(
            self,
            end_transfer,
            &mut TransferBoundaryEvent {
                direction: 1,
                local_file: String::new(),
                remote_file: spec,
            }
        );
        result
    }
}

/// A name as a mask matching only itself.
fn escape_mask(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '*' | '?' | '[' | '\\' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            other => out.push(other),
        }
    }
    out
}

/// An `ls -l` line for servers that send no long name (v4+).
fn synth_longname(a: &FileAttributes, name: &str, time: &str, _version: u32) -> String {
    let perms = a.permissions.unwrap_or(0);
    let kind = if a.is_symlink() {
        'l'
    } else if a.is_dir() {
        'd'
    } else {
        '-'
    };
    let mut mode = String::with_capacity(10);
    mode.push(kind);
    for (i, c) in ['r', 'w', 'x', 'r', 'w', 'x', 'r', 'w', 'x']
        .iter()
        .enumerate()
    {
        let bit = 1u32 << (8 - i);
        mode.push(if perms & bit != 0 { *c } else { '-' });
    }
    let (owner, group) = match (&a.owner_group, a.uid_gid) {
        (Some((o, g)), _) => (o.clone(), g.clone()),
        (None, Some((u, g))) => (u.to_string(), g.to_string()),
        _ => ("?".to_owned(), "?".to_owned()),
    };
    format!(
        "{mode} {:>3} {owner:<8} {group:<8} {:>8} {time} {name}",
        a.link_count.unwrap_or(1),
        a.size.unwrap_or(0)
    )
}

/// Lexical normalisation of an absolute path (`.` and `..`), for DisableRealPath.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    if path.starts_with('/') {
        format!("/{}", parts.join("/"))
    } else {
        parts.join("/")
    }
}

fn file_time_ms(ms: i64) -> FileTime {
    FileTime {
        seconds: ms.div_euclid(1000),
        nanoseconds: u32::try_from(ms.rem_euclid(1000).saturating_mul(1_000_000)).ok(),
    }
}

fn cannot_resolve(path: &str, e: Error) -> Error {
    if e.sftp_status().is_some() {
        Error::new(
            ErrorKind::InvalidState,
            code::CANNOT_RESOLVE_PATH,
            format!("Cannot resolve path: {path}: {}", e.description()),
        )
    } else {
        e
    }
}

fn missing_names() -> Error {
    Error::new(
        ErrorKind::InvalidState,
        code::MISSING_FILE_NAME,
        "You must set local_file/remote_file before attempting to download/upload.",
    )
}

pub(crate) fn interrupted() -> Error {
    Error::new(
        ErrorKind::Cancelled,
        code::SFTP_COMMAND_FAILED,
        "interrupted",
    )
}

fn io_err(e: std::io::Error) -> Error {
    match e.into_inner() {
        Some(inner) => match inner.downcast::<Error>() {
            Ok(e) => *e,
            Err(other) => Error::local("I/O", std::io::Error::other(other)),
        },
        None => Error::local("I/O", std::io::Error::other("unknown")),
    }
}

fn param_error(e: ssh_auth::custom::ParamError) -> Error {
    invalid(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A listed name turned into a mask matches that name and nothing else of the
        /// same length that differs in one character.
        #[test]
        fn escaped_names_match_only_themselves(name in "[a-z*?\\[\\]\\\\.]{1,12}", flip in 0usize..12) {
            let mask = MaskSet::new(&escape_mask(&name), "", false);
            prop_assert!(mask.matches(&name));
            let mut other: Vec<char> = name.chars().collect();
            let i = flip % other.len();
            other[i] = if other[i] == 'x' { 'y' } else { 'x' };
            let other: String = other.into_iter().collect();
            prop_assert!(!mask.matches(&other));
        }
    }

    #[test]
    fn lexical_normalisation() {
        assert_eq!(normalize("/a/b/../c/./d/"), "/a/c/d");
        assert_eq!(normalize("/../.."), "/");
        assert_eq!(file_time_ms(1_500).seconds, 1);
        assert_eq!(file_time_ms(-1).seconds, -1);
    }
}
