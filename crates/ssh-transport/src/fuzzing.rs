//! Fuzz target bodies (wired into `fuzz/` by the workspace). Each must never panic.

use std::time::Instant;

use ssh_wire::{Decode, Encode};

use crate::cipher::{self, CipherAlgorithm};
use crate::mac::{self, MacAlgorithm};
use crate::msg::ext_info::ExtInfo;
use crate::msg::generic::{Debug, Disconnect, Ignore, Unimplemented};
use crate::msg::kex_dh::{DhInit, DhReply};
use crate::msg::kex_ecdh::{EcdhInit, EcdhReply};
use crate::msg::kex_gex::{GexGroup, GexInit, GexRequest};
use crate::msg::kexinit::{KexInit, NewKeys};
use crate::packet::{Opener, Protection};
use crate::{ClientTransport, TransportConfig, TransportEvent};

/// `transport_deframer`: arbitrary bytes through the deframer, packet by packet. The first
/// byte picks the protection (none, or a fixed key for CBC+HMAC, CTR+EtM, AES-GCM or
/// chacha20-poly1305, so the decrypt, verify and CBC discard paths run) and the second how
/// the input is split into arrivals.
pub fn deframer(data: &[u8]) {
    let Some((&[sel, split], data)) = data.split_first_chunk::<2>() else {
        return;
    };
    let mut opener = Opener::new();
    let keyed: Option<(&dyn CipherAlgorithm, Option<&dyn MacAlgorithm>)> = match sel % 5 {
        1 => Some((&cipher::Aes128Cbc, Some(&mac::HmacSha256))),
        2 => Some((&cipher::Aes128Ctr, Some(&mac::HmacSha256Etm))),
        3 => Some((&cipher::Aes128Gcm, None)),
        4 => Some((&cipher::ChaCha20Poly1305, None)),
        _ => None,
    };
    if let Some((c, m)) = keyed {
        let key = vec![7u8; c.key_len()];
        let iv = vec![9u8; c.iv_len()];
        let mac_key = m.map(|m| vec![5u8; m.key_len()]);
        let Some(decryptor) = c.decryptor(&key, &iv) else {
            return;
        };
        let instance = m.zip(mac_key.as_ref()).and_then(|(m, k)| m.instance(k));
        opener.rekey(Protection::new(c, decryptor, m, instance));
    }
    // Bytes arrive `step` at a time (all at once for 0), as a driver would append them.
    let step = match usize::from(split) {
        0 => usize::MAX,
        n => n,
    };
    let mut buf: Vec<u8> = Vec::new();
    let mut dbuf = Vec::new();
    for arrival in data.chunks(step.min(data.len().max(1))) {
        buf.extend_from_slice(arrival);
        loop {
            match opener.open(&mut buf, &mut dbuf) {
                Ok(Some(p)) => {
                    assert!(p.payload.end <= p.consumed || p.decompressed);
                    assert!(p.consumed <= buf.len());
                    buf.drain(..p.consumed);
                }
                Ok(None) => break,
                Err(_) => return,
            }
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
