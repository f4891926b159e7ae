use ssh_wire::{Decode, DecodeError, Encode, Reader, Writer};

use super::pk_ok::MAX_KEY_BLOB_LEN;
use super::{MsgType, expect_type, text};

/// Longest signature blob accepted, in bytes: an RSA-16384 signature is 2 KiB plus the
/// algorithm name; 16 KiB bounds the odd certificate or security-key signature too.
const MAX_SIGNATURE_LEN: usize = 16 * 1024;

/// RFC 4252 §5: `byte SSH_MSG_USERAUTH_REQUEST, string user name (UTF-8), string service
/// name, string method name, ....` followed by the method-specific fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserauthRequest<'a> {
    /// `user name`.
    pub user: &'a str,
    /// `service name`: `ssh-connection` for everything this project does.
    pub service: &'a str,
    /// `method name` and the fields that follow it.
    pub method: MethodRequest<'a>,
}

/// The method-specific tail of a USERAUTH_REQUEST.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodRequest<'a> {
    /// RFC 4252 §5.2 `none`: no fields.
    None,
    /// RFC 4252 §8 `password`: `boolean FALSE, string plaintext password`.
    Password {
        /// `plaintext password` (UTF-8).
        password: &'a str,
    },
    /// RFC 4252 §8 `password`: `boolean TRUE, string old password, string new password`.
    PasswordChange {
        /// `plaintext old password`.
        old: &'a str,
        /// `plaintext new password`.
        new: &'a str,
    },
    /// RFC 4252 §7 `publickey`: `boolean has_signature, string algorithm, string blob,
    /// [string signature]`. Without a signature it is a probe ("would this key do?").
    PublicKey {
        /// `public key algorithm name`.
        algorithm: &'a str,
        /// `public key blob` (or certificate blob).
        public_key: &'a [u8],
        /// `signature` over the RFC 4252 §7 data, absent in a probe.
        signature: Option<&'a [u8]>,
    },
    /// RFC 4256 §3.1 `keyboard-interactive`: `string language tag, string submethods`.
    KeyboardInteractive {
        /// `language tag` (deprecated, empty).
        language: &'a str,
        /// `submethods` hint (usually empty).
        submethods: &'a str,
    },
    /// Any other method: the name and the raw bytes after it.
    Other {
        /// `method name`.
        name: &'a str,
        /// Method-specific fields, undecoded.
        data: &'a [u8],
    },
}

impl MethodRequest<'_> {
    /// The RFC 4252 `method name`.
    pub fn name(&self) -> &str {
        match self {
            Self::None => "none",
            Self::Password { .. } | Self::PasswordChange { .. } => "password",
            Self::PublicKey { .. } => "publickey",
            Self::KeyboardInteractive { .. } => "keyboard-interactive",
            Self::Other { name, .. } => name,
        }
    }
}

impl Encode for UserauthRequest<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::USERAUTH_REQUEST.0)
            .string(self.user.as_bytes())
            .string(self.service.as_bytes())
            .string(self.method.name().as_bytes());
        match self.method {
            MethodRequest::None => {}
            MethodRequest::Password { password } => {
                w.bool(false).string(password.as_bytes());
            }
            MethodRequest::PasswordChange { old, new } => {
                w.bool(true).string(old.as_bytes()).string(new.as_bytes());
            }
            MethodRequest::PublicKey {
                algorithm,
                public_key,
                signature,
            } => {
                w.bool(signature.is_some())
                    .string(algorithm.as_bytes())
                    .string(public_key);
                if let Some(sig) = signature {
                    w.string(sig);
                }
            }
            MethodRequest::KeyboardInteractive {
                language,
                submethods,
            } => {
                w.string(language.as_bytes()).string(submethods.as_bytes());
            }
            MethodRequest::Other { data, .. } => {
                w.raw(data);
            }
        }
    }
}

impl<'a> Decode<'a> for UserauthRequest<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::USERAUTH_REQUEST)?;
        let user = text(r, "user_name")?;
        let service = text(r, "service_name")?;
        let name = text(r, "method_name")?;
        let method = match name {
            "none" => MethodRequest::None,
            "password" => {
                if r.bool("change")? {
                    MethodRequest::PasswordChange {
                        old: text(r, "old_password")?,
                        new: text(r, "new_password")?,
                    }
                } else {
                    MethodRequest::Password {
                        password: text(r, "password")?,
                    }
                }
            }
            "publickey" => {
                let has_signature = r.bool("has_signature")?;
                let algorithm = text(r, "public_key_algorithm_name")?;
                let public_key = r.string_max(MAX_KEY_BLOB_LEN, "public_key_blob")?;
                let signature = if has_signature {
                    Some(r.string_max(MAX_SIGNATURE_LEN, "signature")?)
                } else {
                    None
                };
                MethodRequest::PublicKey {
                    algorithm,
                    public_key,
                    signature,
                }
            }
            "keyboard-interactive" => MethodRequest::KeyboardInteractive {
                language: text(r, "language_tag")?,
                submethods: text(r, "submethods")?,
            },
            _ => MethodRequest::Other {
                name,
                data: r.rest(),
            },
        };
        Ok(Self {
            user,
            service,
            method,
        })
    }
}

/// RFC 4252 §7: the data a public key signature covers — `string session identifier`
/// followed by the request exactly as sent, up to and including the public key blob, with
/// `has_signature` TRUE.
pub fn publickey_signed_data(
    session_id: &[u8],
    user: &str,
    service: &str,
    algorithm: &str,
    public_key: &[u8],
) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut w = Writer::new(&mut buf);
    w.string(session_id)
        .u8(MsgType::USERAUTH_REQUEST.0)
        .string(user.as_bytes())
        .string(service.as_bytes())
        .string(b"publickey")
        .bool(true)
        .string(algorithm.as_bytes())
        .string(public_key);
    buf
}
