//! The seed's 13 events: one struct of parameters each (writable parameters are plain
//! `pub` fields the handler may change) and the registration methods on [`SftpClient`].
//!
//! Handlers are kept behind a shared lock because some fire from inside the SSH driver's
//! callbacks (host key, keyboard-interactive, custom auth) while a method runs. A handler
//! gets only its event struct, never the client: the driver is not re-entered.

use std::sync::{Arc, Mutex};

use super::SftpClient;

/// `on_connected`: a connection attempt finished.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectedEvent {
    /// 0 on success, otherwise the error code.
    pub status_code: i32,
    /// "OK" on success, otherwise the error text.
    pub description: String,
}

/// `on_connection_status`: the connection state changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectionStatusEvent {
    /// What happened ("Firewall connection complete", "Remote host connection complete",
    /// "SSH handshake complete", "Remote host disconnected", "SSH connection broken").
    pub connection_event: String,
    /// 0, or the error code.
    pub status_code: i32,
    /// Text for the status.
    pub description: String,
}

/// `on_dir_list`: one entry of a listing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirListEvent {
    /// The raw entry (the server's long name; synthesised `ls -l` style at v4+).
    pub dir_entry: String,
    /// The entry's name.
    pub file_name: String,
    /// Whether it is a directory (false for symbolic links).
    pub is_dir: bool,
    /// Size in bytes.
    pub file_size: i64,
    /// Modification time formatted per FiletimeFormat.
    pub file_time: String,
    /// Whether it is a symbolic link.
    pub is_symlink: bool,
    pub(crate) attrs: super::properties::EntryAttrs,
}

impl DirListEvent {
    /// The seed's `config("AttrXxx")` queries inside this event (AttrAccessTime,
    /// AttrCreationTime, AttrFileType, AttrGroupId, AttrLinkCount, AttrOwnerId,
    /// AttrPermission); `None` for other names.
    pub fn config(&self, name: &str) -> Option<String> {
        self.attrs.query(name)
    }
}

/// `on_disconnected`: the connection was closed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DisconnectedEvent {
    /// 0 for a normal close, otherwise the error code.
    pub status_code: i32,
    /// "OK", or the error text.
    pub description: String,
}

/// `on_start_transfer` and `on_end_transfer`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransferBoundaryEvent {
    /// 0: the client sends (upload); 1: the server sends (download, listing).
    pub direction: i32,
    /// The local file ("" for listings and for downloads to events).
    pub local_file: String,
    /// The remote file.
    pub remote_file: String,
}

/// `on_start_transfer`.
pub type StartTransferEvent = TransferBoundaryEvent;
/// `on_end_transfer`.
pub type EndTransferEvent = TransferBoundaryEvent;

/// `on_error`: a failure during a transfer (per file for queued transfers).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorEvent {
    /// The error code.
    pub error_code: i32,
    /// The error text.
    pub description: String,
    /// The local file concerned.
    pub local_file: String,
    /// The remote file concerned.
    pub remote_file: String,
}

/// `on_log`: one log line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogEvent {
    /// 1 Info, 2 Verbose, 3 Debug.
    pub log_level: i32,
    /// The message (passwords masked when MaskSensitiveData is on).
    pub message: String,
    /// The kind of message ("Info", "SSH", "SFTP", "Data").
    pub log_type: String,
}

/// `on_ssh_custom_auth`: the server's last packet during amCustom authentication.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SshCustomAuthEvent {
    /// Writable: in, the server's packet (hex, message number first); out, the hex packet
    /// to send (build it with set_ssh_param + encode_packet). Leave it unchanged or empty to
    /// give up.
    pub packet: String,
}

/// `on_ssh_keyboard_interactive`: one prompt.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SshKeyboardInteractiveEvent {
    /// The request's name.
    pub name: String,
    /// The request's instructions.
    pub instructions: String,
    /// The prompt.
    pub prompt: String,
    /// Writable: the answer (pre-filled with ssh_password when PasswordPrompt matches).
    pub response: String,
    /// Whether the answer may be echoed.
    pub echo_response: bool,
}

/// `on_ssh_server_authentication`: the server's host key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SshServerAuthenticationEvent {
    /// The key in SSH wire format.
    pub host_key: Vec<u8>,
    /// Colon-separated hex fingerprint per SSHFingerprintHashAlgorithm (SHA-256 default).
    pub fingerprint: String,
    /// The negotiated host key algorithm.
    pub key_algorithm: String,
    /// For host certificates: the key id; otherwise "".
    pub cert_subject: String,
    /// For host certificates: the CA key's SHA-256 fingerprint; otherwise "".
    pub cert_issuer: String,
    /// Reserved.
    pub status: String,
    /// Writable: whether to trust the key. Pre-set when it matches the accepted host key
    /// (ssh_accept_server_host_key_*, SSHAcceptServerHostKeyFingerPrint,
    /// SSHAcceptServerCAKey, SSHAcceptAnyServerHostKey).
    pub accept: bool,
}

/// `on_ssh_status`: progress of the secure connection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SshStatusEvent {
    /// The message.
    pub message: String,
}

/// `on_transfer`: progress of one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransferEvent {
    /// 0: upload; 1: download.
    pub direction: i32,
    /// The local file ("" when the data comes through `text`).
    pub local_file: String,
    /// The remote file.
    pub remote_file: String,
    /// Bytes of this file transferred so far (start_byte included).
    pub bytes_transferred: i64,
    /// Percent done, -1 when the size is unknown.
    pub percent_done: i32,
    /// For downloads with local_file "": the data of this piece.
    pub text: Vec<u8>,
    /// Writable: cancel this file.
    pub cancel: bool,
}

type Handler<E> = Option<Box<dyn FnMut(&mut E) + Send>>;

/// The registered handlers.
#[derive(Default)]
pub(crate) struct Handlers {
    pub connected: Handler<ConnectedEvent>,
    pub connection_status: Handler<ConnectionStatusEvent>,
    pub dir_list: Handler<DirListEvent>,
    pub disconnected: Handler<DisconnectedEvent>,
    pub end_transfer: Handler<EndTransferEvent>,
    pub error: Handler<ErrorEvent>,
    pub log: Handler<LogEvent>,
    pub ssh_custom_auth: Handler<SshCustomAuthEvent>,
    pub ssh_keyboard_interactive: Handler<SshKeyboardInteractiveEvent>,
    pub ssh_server_authentication: Handler<SshServerAuthenticationEvent>,
    pub ssh_status: Handler<SshStatusEvent>,
    pub start_transfer: Handler<StartTransferEvent>,
    pub transfer: Handler<TransferEvent>,
}

/// Handlers plus what the driver-side callbacks need to decide (log level, masking).
#[derive(Default)]
pub(crate) struct Shared {
    pub handlers: Handlers,
    pub log_level: i32,
    pub mask: bool,
    /// Strings replaced by `****` in log lines when masking.
    pub secrets: Vec<String>,
}

impl Shared {
    pub(crate) fn log(&mut self, level: i32, log_type: &str, message: &str) {
        if level > self.log_level || self.log_level <= 0 {
            return;
        }
        let Some(h) = self.handlers.log.as_mut() else {
            return;
        };
        let mut message = message.to_owned();
        if self.mask {
            for s in self.secrets.iter().filter(|s| !s.is_empty()) {
                message = message.replace(s.as_str(), "********");
            }
        }
        h(&mut LogEvent {
            log_level: level,
            message,
            log_type: log_type.to_owned(),
        });
    }

    pub(crate) fn status(&mut self, message: &str) {
        if let Some(h) = self.handlers.ssh_status.as_mut() {
            h(&mut SshStatusEvent {
                message: message.to_owned(),
            });
        }
        self.log(1, "SSH", message);
    }
}

pub(crate) type SharedRef = Arc<Mutex<Shared>>;

/// Locks the shared state even if a handler panicked while holding it (the data is still
/// consistent: handlers only see copies).
pub(crate) fn lock(shared: &SharedRef) -> std::sync::MutexGuard<'_, Shared> {
    shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

macro_rules! registration {
    ($($(#[$doc:meta])* $method:ident => $field:ident : $event:ty;)*) => {
        impl SftpClient {
            $(
                $(#[$doc])*
                pub fn $method(&mut self, handler: impl FnMut(&mut $event) + Send + 'static) {
                    lock(&self.shared).handlers.$field = Some(Box::new(handler));
                }
            )*
        }
    };
}

registration! {
    /// Registers `on_connected`: after a connection completes or fails.
    on_connected => connected: ConnectedEvent;
    /// Registers `on_connection_status`: when the connection state changes.
    on_connection_status => connection_status: ConnectionStatusEvent;
    /// Registers `on_dir_list`: once per entry of list_directory.
    on_dir_list => dir_list: DirListEvent;
    /// Registers `on_disconnected`: when the connection closes.
    on_disconnected => disconnected: DisconnectedEvent;
    /// Registers `on_end_transfer`: after a transfer or listing.
    on_end_transfer => end_transfer: EndTransferEvent;
    /// Registers `on_error`: failures during transfers (per file in queues).
    on_error => error: ErrorEvent;
    /// Registers `on_log`: log lines up to LogLevel.
    on_log => log: LogEvent;
    /// Registers `on_ssh_custom_auth`: each server packet during amCustom authentication.
    on_ssh_custom_auth => ssh_custom_auth: SshCustomAuthEvent;
    /// Registers `on_ssh_keyboard_interactive`: once per keyboard-interactive prompt.
    on_ssh_keyboard_interactive => ssh_keyboard_interactive: SshKeyboardInteractiveEvent;
    /// Registers `on_ssh_server_authentication`: the server's host key, to accept or not.
    on_ssh_server_authentication => ssh_server_authentication: SshServerAuthenticationEvent;
    /// Registers `on_ssh_status`: progress of the SSH handshake.
    on_ssh_status => ssh_status: SshStatusEvent;
    /// Registers `on_start_transfer`: before a transfer or listing.
    on_start_transfer => start_transfer: StartTransferEvent;
    /// Registers `on_transfer`: progress (and data, for downloads to events).
    on_transfer => transfer: TransferEvent;
}

/// Fires one event if a handler is registered.
macro_rules! fire {
    ($client:expr, $field:ident, $event:expr) => {{
        let mut guard = $crate::component::events::lock(&$client.shared);
        if let Some(h) = guard.handlers.$field.as_mut() {
            h($event);
        }
    }};
}
pub(crate) use fire;
