//! Fuzz target bodies (wired into `fuzz/` by the workspace). Each must never panic.

use std::time::Instant;

use ssh_wire::{Decode, Encode};

use crate::msg::ext_info::ExtInfo;
use crate::msg::generic::{Debug, Disconnect, Ignore, Unimplemented};
use crate::msg::kex_dh::{DhInit, DhReply};
use crate::msg::kex_ecdh::{EcdhInit, EcdhReply};
use crate::msg::kex_gex::{GexGroup, GexInit, GexRequest};
use crate::msg::kexinit::{KexInit, NewKeys};
use crate::packet::Opener;
use crate::{ClientTransport, TransportConfig, TransportEvent};

/// `transport_deframer`: arbitrary bytes through the unkeyed deframer, packet by packet.
pub fn deframer(data: &[u8]) {
    let mut opener = Opener::new();
    let mut buf = data.to_vec();
    let mut dbuf = Vec::new();
    let mut pos = 0usize;
    while let Some(rest) = buf.get_mut(pos..) {
        match opener.open(rest, &mut dbuf) {
            Ok(Some(p)) => {
                assert!(p.payload.end <= p.consumed);
                pos = pos.saturating_add(p.consumed);
            }
            Ok(None) | Err(_) => break,
        }
    }
}

/// Decode; if that succeeds, re-encode, decode again and require the same value.
macro_rules! roundtrip {
    ($ty:ty, $data:expr) => {{
        if let Ok(v) = <$ty>::from_bytes($data) {
            let again = v.to_bytes();
            let w = <$ty>::from_bytes(&again);
            assert!(w.is_ok(), "re-encoded value does not decode");
            assert_eq!(w.ok().map(|w| w.to_bytes()), Some(again.clone()));
        }
    }};
}

/// `transport_messages`: every transport message decoder; the first byte picks which.
/// Decoded values must re-encode and decode again.
pub fn messages(data: &[u8]) {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    match sel % 14 {
        0 => roundtrip!(KexInit, body),
        1 => roundtrip!(NewKeys, body),
        2 => roundtrip!(Disconnect, body),
        3 => roundtrip!(Ignore<'_>, body),
        4 => roundtrip!(Unimplemented, body),
        5 => roundtrip!(Debug, body),
        6 => roundtrip!(ExtInfo, body),
        7 => roundtrip!(EcdhInit<'_>, body),
        8 => roundtrip!(EcdhReply<'_>, body),
        9 => roundtrip!(DhInit<'_>, body),
        10 => roundtrip!(DhReply<'_>, body),
        11 => roundtrip!(GexRequest, body),
        12 => roundtrip!(GexGroup<'_>, body),
        _ => roundtrip!(GexInit<'_>, body),
    }
}

/// `transport_client`: the whole client fed arbitrary server bytes (any split decided by
/// the first byte), draining events and output; it must end in an error or keep waiting.
pub fn client(data: &[u8]) {
    let Some((&split, body)) = data.split_first() else {
        return;
    };
    let mut t = ClientTransport::new(TransportConfig::default(), Instant::now());
    let mut out = Vec::new();
    for piece in body.chunks(usize::from(split).max(1)) {
        if t.handle_input(piece).is_err() {
            break;
        }
        while let Some(ev) = t.poll_event() {
            if matches!(ev, TransportEvent::HostKey(_)) {
                let _ = t.accept_host_key();
            }
        }
        t.poll_transmit(&mut out);
        out.clear();
    }
}
