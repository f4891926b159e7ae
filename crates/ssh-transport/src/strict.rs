//! Which messages may arrive when: RFC 4253 §7.1 (only kex messages between KEXINIT and
//! NEWKEYS), strict kex (OpenSSH PROTOCOL §1.10: during the initial exchange anything but
//! the expected kex messages is fatal), and rekeying (KexCause). One function decides, so
//! the rules can be read and tested in one place.

use crate::error::TransportError;
use crate::msg::MsgType;

/// Why a key exchange runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KexCause {
    /// The first exchange of the connection.
    Initial,
    /// A re-exchange (threshold, request, timer or the server).
    Rekey,
}

/// Where the connection is, as far as message admission is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Window {
    /// Initial exchange, the server's KEXINIT not yet received (strictness unknown).
    BeforePeerKexInit,
    /// A key exchange after the server's KEXINIT and before its NEWKEYS.
    InKex {
        /// Initial or rekey.
        cause: KexCause,
        /// Strict kex in force.
        strict: bool,
    },
    /// Keys in force; any key exchange we started has not yet seen the server's KEXINIT.
    Established,
}

/// What to do with an incoming message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Admit {
    /// Handle in the transport.
    Transport,
    /// Hand to the upper layers.
    Upper,
    /// Answer SSH_MSG_UNIMPLEMENTED (RFC 4253 §11.4) and carry on.
    Unimplemented,
}

/// Decides how message `msg` (packet `seq`) is handled in `window`.
pub(crate) fn admit(window: Window, msg: MsgType, seq: u32) -> Result<Admit, TransportError> {
    let unexpected = |phase| TransportError::UnexpectedMessage { msg, phase };
    // RFC 4253 §11.1 / OpenSSH: a DISCONNECT is honoured in every state, strict or not.
    if msg == MsgType::DISCONNECT {
        return Ok(Admit::Transport);
    }
    match window {
        Window::BeforePeerKexInit => match msg {
            // Tolerated for now; if the server turns out to be strict, its KEXINIT then
            // arrives with a nonzero sequence number and is rejected.
            MsgType::IGNORE | MsgType::DEBUG | MsgType::UNIMPLEMENTED | MsgType::KEXINIT => {
                Ok(Admit::Transport)
            }
            _ => Err(unexpected("initial key exchange")),
        },
        Window::InKex { cause, strict } => {
            let kex_msg = msg == MsgType::NEWKEYS || (30..=49).contains(&msg.0);
            if kex_msg {
                return Ok(Admit::Transport);
            }
            if strict && cause == KexCause::Initial {
                return Err(TransportError::StrictKexViolation { msg, seq });
            }
            match msg {
                MsgType::IGNORE | MsgType::DEBUG | MsgType::UNIMPLEMENTED => Ok(Admit::Transport),
                _ => Err(unexpected(match cause {
                    KexCause::Initial => "initial key exchange",
                    KexCause::Rekey => "key re-exchange",
                })),
            }
        }
        Window::Established => match msg.0 {
            0x02..=0x04 | 0x07 | 0x14 => Ok(Admit::Transport),
            0x05 | 0x06 => Ok(Admit::Upper),
            0x15..=0x31 => Err(unexpected("established connection")),
            0x32..=0xff => Ok(Admit::Upper),
            _ => Ok(Admit::Unimplemented),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT_INITIAL: Window = Window::InKex {
        cause: KexCause::Initial,
        strict: true,
    };
    const LAX_INITIAL: Window = Window::InKex {
        cause: KexCause::Initial,
        strict: false,
    };
    const STRICT_REKEY: Window = Window::InKex {
        cause: KexCause::Rekey,
        strict: true,
    };

    #[test]
    fn strict_initial_rejects_everything_but_kex() {
        for ty in [0u8, 2, 3, 4, 5, 6, 7, 20, 50, 80, 94, 255] {
            let err = admit(STRICT_INITIAL, MsgType(ty), 3).unwrap_err();
            assert_eq!(
                err,
                TransportError::StrictKexViolation {
                    msg: MsgType(ty),
                    seq: 3
                },
                "type {ty}"
            );
        }
        for ty in [21u8, 30, 31, 33, 49] {
            assert_eq!(admit(STRICT_INITIAL, MsgType(ty), 1), Ok(Admit::Transport));
        }
        assert_eq!(
            admit(STRICT_INITIAL, MsgType::DISCONNECT, 1),
            Ok(Admit::Transport)
        );
    }

    #[test]
    fn lax_initial_allows_generic_only() {
        for ty in [2u8, 3, 4] {
            assert_eq!(admit(LAX_INITIAL, MsgType(ty), 1), Ok(Admit::Transport));
        }
        for ty in [5u8, 6, 7, 20, 50, 52, 80, 94] {
            assert!(matches!(
                admit(LAX_INITIAL, MsgType(ty), 1),
                Err(TransportError::UnexpectedMessage { .. })
            ));
        }
    }

    #[test]
    fn rekey_is_never_strict_about_generic_messages() {
        assert_eq!(
            admit(STRICT_REKEY, MsgType::IGNORE, 9),
            Ok(Admit::Transport)
        );
        assert!(matches!(
            admit(STRICT_REKEY, MsgType(94), 9),
            Err(TransportError::UnexpectedMessage { .. })
        ));
        assert!(matches!(
            admit(STRICT_REKEY, MsgType::KEXINIT, 9),
            Err(TransportError::UnexpectedMessage { .. })
        ));
    }

    #[test]
    fn established() {
        assert_eq!(admit(Window::Established, MsgType(94), 0), Ok(Admit::Upper));
        assert_eq!(admit(Window::Established, MsgType(5), 0), Ok(Admit::Upper));
        assert_eq!(
            admit(Window::Established, MsgType(0), 0),
            Ok(Admit::Unimplemented)
        );
        assert_eq!(
            admit(Window::Established, MsgType(9), 0),
            Ok(Admit::Unimplemented)
        );
        assert_eq!(
            admit(Window::Established, MsgType::KEXINIT, 0),
            Ok(Admit::Transport)
        );
        assert!(admit(Window::Established, MsgType::NEWKEYS, 0).is_err());
        assert!(admit(Window::Established, MsgType(31), 0).is_err());
    }

    #[test]
    fn before_peer_kexinit() {
        assert_eq!(
            admit(Window::BeforePeerKexInit, MsgType::IGNORE, 0),
            Ok(Admit::Transport)
        );
        assert!(admit(Window::BeforePeerKexInit, MsgType(94), 0).is_err());
        assert!(admit(Window::BeforePeerKexInit, MsgType::NEWKEYS, 0).is_err());
    }
}
