use ssh_wire::{Decode, DecodeError, Encode, Reader, Writer};

use super::{MAX_TEXT_LEN, MsgType, expect_type, text};

/// Longest signal name accepted (`TERM`, `KILL`, `foo@example.com`); names are short.
const MAX_SIGNAL_NAME_LEN: usize = 256;
/// Longest request type name accepted.
const MAX_REQUEST_TYPE_LEN: usize = 256;

/// The fixed start of RFC 4254 §5.4: `byte SSH_MSG_CHANNEL_REQUEST, uint32 recipient
/// channel, string request type, boolean want reply`. Decoded on its own first so that a
/// request with a malformed body can still be answered with CHANNEL_FAILURE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelRequestHeader<'a> {
    /// `recipient channel`.
    pub recipient_channel: u32,
    /// `request type`.
    pub request_type: &'a str,
    /// `want reply`.
    pub want_reply: bool,
}

impl<'a> ChannelRequestHeader<'a> {
    /// Reads the header, leaving `r` at the type-specific fields.
    pub fn decode_prefix(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::CHANNEL_REQUEST)?;
        Ok(Self {
            recipient_channel: r.u32("recipient_channel")?,
            request_type: text(r, MAX_REQUEST_TYPE_LEN, "request_type")?,
            want_reply: r.bool("want_reply")?,
        })
    }
}

/// RFC 4254 §5.4 `SSH_MSG_CHANNEL_REQUEST` with its type-specific fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelRequest<'a> {
    /// `recipient channel`.
    pub recipient_channel: u32,
    /// `want reply`.
    pub want_reply: bool,
    /// `request type` and its fields.
    pub body: RequestBody<'a>,
}

/// RFC 4254 §10 `exit-signal` fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitSignal<'a> {
    /// `signal name (without the "SIG" prefix)`.
    pub signal_name: &'a str,
    /// `core dumped`.
    pub core_dumped: bool,
    /// `error message in ISO-10646 UTF-8 encoding`.
    pub error_message: &'a str,
    /// `language tag`.
    pub language: &'a str,
}

/// The request types this client sends or understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestBody<'a> {
    /// §6.5 `shell`.
    Shell,
    /// §6.5 `exec`: `string command`.
    Exec {
        /// `command`.
        command: &'a [u8],
    },
    /// §6.5 `subsystem`: `string subsystem name`.
    Subsystem {
        /// `subsystem name` (`sftp`).
        name: &'a str,
    },
    /// §6.4 `env`: `string variable name, string variable value`.
    Env {
        /// `variable name`.
        name: &'a str,
        /// `variable value`.
        value: &'a [u8],
    },
    /// §6.9 `signal`: `string signal name (without the "SIG" prefix)`.
    Signal {
        /// `signal name`.
        name: &'a str,
    },
    /// §6.10 `exit-status`: `uint32 exit_status`.
    ExitStatus {
        /// `exit_status`.
        status: u32,
    },
    /// §6.10 `exit-signal`.
    ExitSignal(ExitSignal<'a>),
    /// Any other type (`keepalive@openssh.com`, `eow@openssh.com`, ...), fields raw.
    Other {
        /// `request type`.
        request_type: &'a str,
        /// Type-specific fields, undecoded.
        data: &'a [u8],
    },
}

impl RequestBody<'_> {
    /// The `request type` string.
    pub fn request_type(&self) -> &str {
        match self {
            Self::Shell => "shell",
            Self::Exec { .. } => "exec",
            Self::Subsystem { .. } => "subsystem",
            Self::Env { .. } => "env",
            Self::Signal { .. } => "signal",
            Self::ExitStatus { .. } => "exit-status",
            Self::ExitSignal(_) => "exit-signal",
            Self::Other { request_type, .. } => request_type,
        }
    }
}

impl Encode for ChannelRequest<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::CHANNEL_REQUEST.0)
            .u32(self.recipient_channel)
            .string(self.body.request_type().as_bytes())
            .bool(self.want_reply);
        match self.body {
            RequestBody::Shell => {}
            RequestBody::Exec { command } => {
                w.string(command);
            }
            RequestBody::Subsystem { name } | RequestBody::Signal { name } => {
                w.string(name.as_bytes());
            }
            RequestBody::Env { name, value } => {
                w.string(name.as_bytes()).string(value);
            }
            RequestBody::ExitStatus { status } => {
                w.u32(status);
            }
            RequestBody::ExitSignal(s) => {
                w.string(s.signal_name.as_bytes())
                    .bool(s.core_dumped)
                    .string(s.error_message.as_bytes())
                    .string(s.language.as_bytes());
            }
            RequestBody::Other { data, .. } => {
                w.raw(data);
            }
        }
    }
}

impl<'a> Decode<'a> for ChannelRequest<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let header = ChannelRequestHeader::decode_prefix(r)?;
        let body = match header.request_type {
            "shell" => RequestBody::Shell,
            "exec" => RequestBody::Exec {
                command: r.string("command")?,
            },
            "subsystem" => RequestBody::Subsystem {
                name: text(r, MAX_TEXT_LEN, "subsystem_name")?,
            },
            "env" => RequestBody::Env {
                name: text(r, MAX_TEXT_LEN, "variable_name")?,
                value: r.string("variable_value")?,
            },
            "signal" => RequestBody::Signal {
                name: text(r, MAX_SIGNAL_NAME_LEN, "signal_name")?,
            },
            "exit-status" => RequestBody::ExitStatus {
                status: r.u32("exit_status")?,
            },
            "exit-signal" => RequestBody::ExitSignal(ExitSignal {
                signal_name: text(r, MAX_SIGNAL_NAME_LEN, "signal_name")?,
                core_dumped: r.bool("core_dumped")?,
                error_message: text(r, MAX_TEXT_LEN, "error_message")?,
                language: text(r, MAX_TEXT_LEN, "language_tag")?,
            }),
            other => RequestBody::Other {
                request_type: other,
                data: r.rest(),
            },
        };
        Ok(Self {
            recipient_channel: header.recipient_channel,
            want_reply: header.want_reply,
            body,
        })
    }
}

/// RFC 4254 §5.4: `byte SSH_MSG_CHANNEL_SUCCESS, uint32 recipient channel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelSuccess {
    /// `recipient channel`.
    pub recipient_channel: u32,
}

/// RFC 4254 §5.4: `byte SSH_MSG_CHANNEL_FAILURE, uint32 recipient channel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelFailure {
    /// `recipient channel`.
    pub recipient_channel: u32,
}

impl Encode for ChannelSuccess {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::CHANNEL_SUCCESS.0).u32(self.recipient_channel);
    }
}

impl<'a> Decode<'a> for ChannelSuccess {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::CHANNEL_SUCCESS)?;
        Ok(Self {
            recipient_channel: r.u32("recipient_channel")?,
        })
    }
}

impl Encode for ChannelFailure {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::CHANNEL_FAILURE.0).u32(self.recipient_channel);
    }
}

impl<'a> Decode<'a> for ChannelFailure {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::CHANNEL_FAILURE)?;
        Ok(Self {
            recipient_channel: r.u32("recipient_channel")?,
        })
    }
}
