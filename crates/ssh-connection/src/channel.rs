//! One channel's lifecycle and flow-control arithmetic.
//!
//! ```text
//!            open_session()
//!                 │ sends CHANNEL_OPEN
//!                 ▼
//!          ┌─────────────┐  OPEN_FAILURE, or a confirmation with a
//!          │   Opening   │──max packet < 64 (we send CLOSE) ──► gone (ChannelOpenFailed)
//!          └─────────────┘
//!                 │ OPEN_CONFIRMATION (ChannelOpened)
//!                 ▼
//!          ┌─────────────┐  DATA / EXTENDED_DATA / EOF / requests / WINDOW_ADJUST
//!          │    Open     │◄─┐   (eof_sent, eof_received are flags: EOF is half-close)
//!          └─────────────┘──┘
//!            │         │
//!   close()  │         │ CLOSE received: we answer CLOSE at once (RFC 4254 §5.3)
//!            ▼         ▼
//!    ┌─────────────┐   gone (Closed)
//!    │  CloseSent  │  DATA ignored but counted; EOF/requests ignored
//!    └─────────────┘
//!            │ CLOSE received
//!            ▼
//!          gone (Closed); later messages for the id are "nonexistent channel" errors
//! ```

use std::collections::VecDeque;

use bytes::BytesMut;

use crate::error::ConnectionError;

/// Our number for a channel: the `sender channel` of our CHANNEL_OPEN and the
/// `recipient channel` of everything the server sends about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelId(pub u32);

/// Channel requests we send and whose replies we wait for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    /// `exec`.
    Exec,
    /// `subsystem`.
    Subsystem,
    /// `env`.
    Env,
    /// `shell`.
    Shell,
    /// `signal`.
    Signal,
}

/// Smallest `maximum packet size` accepted from the server. Below this the channel is
/// useless (each data message carries a handful of bytes) and a 0 would make writers spin;
/// RFC 4254 sets no floor, ROBUSTNESS.md C3 asks for one.
pub const MIN_REMOTE_MAX_PACKET: u32 = 64;

/// Phases of a channel.
#[derive(Debug)]
pub(crate) enum ChannelState {
    /// CHANNEL_OPEN sent, no answer yet.
    Opening(Opening),
    /// Confirmed.
    Open(OpenChannel),
    /// We sent CLOSE; waiting for theirs.
    CloseSent(OpenChannel),
}

/// What an opening channel remembers.
#[derive(Debug)]
pub(crate) struct Opening {
    /// `close()` was called before the confirmation: close as soon as it arrives.
    pub close_requested: bool,
    /// What the confirmation will set up.
    pub local_window_max: u32,
    /// Our advertised maximum packet.
    pub local_max_packet: u32,
}

/// Both directions of a confirmed channel.
#[derive(Debug)]
pub(crate) struct OpenChannel {
    /// The server's id (the `recipient channel` of what we send).
    pub remote_id: u32,
    /// Bytes we may still send (≤ 2^32 - 1; u64 so sums cannot overflow).
    pub remote_window: u64,
    /// Largest data message the server accepts.
    pub remote_max_packet: u32,
    /// Bytes the server may still send, as the server counts it. Negative by up to the
    /// grace when the server overshoots.
    pub local_window: i64,
    /// The window we grant when the application keeps up (MaxWindowSize).
    pub local_window_max: u32,
    /// Largest data message we accept (MaxPacketSize).
    pub local_max_packet: u32,
    /// Bytes the application consumed that have not been credited back yet.
    pub unacked: u64,
    /// The server sent EOF.
    pub eof_received: bool,
    /// We sent EOF.
    pub eof_sent: bool,
    /// Our requests with want_reply, oldest first (RFC 4254 §5.4: replies come in order).
    pub pending_requests: VecDeque<RequestKind>,
    /// A write was cut short by the window: tell the writer when it opens again.
    pub blocked: bool,
    /// Closed by us because the confirmation was unusable: the app already got
    /// ChannelOpenFailed, so the final CLOSE produces no event.
    pub silent_close: bool,
    /// The block this channel's borrowed data is copied into. One per channel: data
    /// the application holds back on one channel then pins only that channel's blocks,
    /// and each block is freed or reused as soon as its own channel's data is read.
    pub rx: BytesMut,
}

impl OpenChannel {
    /// Bytes the server may overshoot our window by before we give up: 10 % of the window,
    /// as OpenSSH tolerates (channels.c, "peer ignored channel window").
    fn grace(&self) -> i64 {
        i64::from(self.local_window_max / 10)
    }

    /// Accounts for `len` bytes of DATA or EXTENDED_DATA from the server (C2).
    pub fn receive(&mut self, id: ChannelId, len: usize) -> Result<(), ConnectionError> {
        if len > self.local_max_packet as usize {
            return Err(ConnectionError::OversizedData {
                channel: id,
                len,
                max: self.local_max_packet,
            });
        }
        let len = i64::try_from(len).unwrap_or(i64::MAX);
        self.local_window = self.local_window.saturating_sub(len);
        if self.local_window < -self.grace() {
            return Err(ConnectionError::PeerIgnoredWindow {
                channel: id,
                excess: self.local_window.unsigned_abs(),
            });
        }
        Ok(())
    }

    /// The application consumed `n` bytes: returns the WINDOW_ADJUST to send, if it is
    /// time (when at least half the window is used up, so adjusts are few and large).
    pub fn consume(&mut self, n: u64) -> Option<u32> {
        self.unacked = self.unacked.saturating_add(n);
        let max = i64::from(self.local_window_max);
        let deficit = max.saturating_sub(self.local_window);
        if self.unacked == 0 || deficit < max / 2 {
            return None;
        }
        let add = self
            .unacked
            .min(u64::try_from(deficit).unwrap_or(0))
            .min(u64::from(u32::MAX));
        let add = u32::try_from(add).ok().filter(|&a| a > 0)?;
        self.local_window = self.local_window.saturating_add(i64::from(add));
        self.unacked = self.unacked.saturating_sub(u64::from(add));
        Some(add)
    }

    /// Raises the window ceiling to `new_max` (MaxWindowSize can only grow) and returns
    /// the extra credit to grant now.
    pub fn grow_window(&mut self, new_max: u32) -> Option<u32> {
        let extra = new_max
            .checked_sub(self.local_window_max)
            .filter(|&e| e > 0)?;
        self.local_window_max = new_max;
        self.local_window = self.local_window.saturating_add(i64::from(extra));
        Some(extra)
    }

    /// WINDOW_ADJUST from the server (C1). Returns whether a blocked writer can go on.
    pub fn add_remote_window(&mut self, id: ChannelId, add: u32) -> Result<bool, ConnectionError> {
        let new = self.remote_window.saturating_add(u64::from(add));
        if new > u64::from(u32::MAX) {
            return Err(ConnectionError::WindowOverflow {
                channel: id,
                window: self.remote_window,
                add,
            });
        }
        self.remote_window = new;
        // A zero adjust changes nothing and wakes nobody (no busy loop).
        let wake = add > 0 && self.blocked;
        if wake {
            self.blocked = false;
        }
        Ok(wake)
    }
}
