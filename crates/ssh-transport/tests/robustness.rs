//! ROBUSTNESS.md transport (T2–T9) and key exchange (K1, K3–K10) cases, plus F2, F3 and
//! F5 where they concern the transport. Each test asserts the defined outcome.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(clippy::field_reassign_with_default)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use ssh_keys::KeyKind;
use ssh_transport::testing::{
    ClientEvent, Direction, Pair, ServerConfig, ServerEvent, generate_key,
};
use ssh_transport::{
    AlgorithmKind, ClientTransport, KexError, StrictKexMode, TransportConfig, TransportError,
    TransportEvent,
};
use ssh_wire::Writer;

const VERSION: &[u8] = b"SSH-2.0-Hostile_1.0\r\n";

fn fresh() -> ClientTransport {
    ClientTransport::new(TransportConfig::default(), Instant::now())
}

/// An unencrypted packet with explicit fields (may be malformed on purpose).
fn raw_packet(packet_len: u32, padding_len: u8, payload: &[u8], pad: usize) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&packet_len.to_be_bytes());
    v.push(padding_len);
    v.extend_from_slice(payload);
    v.extend(std::iter::repeat_n(0u8, pad));
    v
}

/// A well-formed unencrypted packet.
fn packet(payload: &[u8]) -> Vec<u8> {
    let mut pad = 8 - (5 + payload.len()) % 8;
    if pad < 4 {
        pad += 8;
    }
    raw_packet((1 + payload.len() + pad) as u32, pad as u8, payload, pad)
}

fn feed(bytes: &[u8]) -> (ClientTransport, Result<(), TransportError>) {
    let mut t = fresh();
    let mut input = VERSION.to_vec();
    input.extend_from_slice(bytes);
    let r = t.handle_input(&input);
    (t, r)
}

fn out_contains_disconnect(t: &mut ClientTransport) -> bool {
    let mut out = Vec::new();
    t.poll_transmit(&mut out);
    // Unencrypted: a DISCONNECT payload starts with byte 1 after the 5-byte header.
    out.windows(6).any(|w| w[4] != 0 && w[5] == 1)
}

#[test]
fn t2_packet_length_too_small() {
    for len in 0u32..5 {
        let (mut t, r) = feed(&raw_packet(len, 4, &[], 8));
        assert_eq!(r, Err(TransportError::BadPacketLength { len }), "len {len}");
        assert!(out_contains_disconnect(&mut t));
        // Sticky.
        assert_eq!(t.send(&[94]), Err(TransportError::BadPacketLength { len }));
    }
}

#[test]
fn k8_upper_layer_message_before_kexinit() {
    let (t, r) = feed(&packet(&[94, 1, 2]));
    assert!(matches!(r, Err(TransportError::UnexpectedMessage { .. })));
    assert!(t.error().is_some());
    // An IGNORE before KEXINIT is tolerated until we know whether the server is strict.
    let (t, r) = feed(&packet(&[2, 0, 0, 0, 0]));
    assert_eq!(r, Ok(()));
    assert!(t.error().is_none());
}

#[test]
fn t3_packet_length_huge() {
    for len in [0xFFFF_FFFFu32, 0x7FFF_FFFF, 256 * 1024 + 1] {
        let (_, r) = feed(&raw_packet(len, 4, &[], 8));
        assert_eq!(
            r,
            Err(TransportError::PacketTooLarge {
                len,
                max: 256 * 1024
            })
        );
    }
}

#[test]
fn t4_not_block_aligned() {
    // 1 + 4 + 4 = 9; 9 + 4 = 13 is not a multiple of 8.
    let (_, r) = feed(&raw_packet(9, 4, &[20, 0, 0, 0], 4));
    assert_eq!(r, Err(TransportError::BadPacketLength { len: 9 }));
}

/// T4 for CBC with MAC-then-encrypt: a corrupted length field or MAC is not reported at
/// once (that would tell an attacker how the tampered block decrypted) but only after
/// PACKET_MAX bytes of the bad packet arrived, like OpenSSH's `ssh_packet_start_discard`.
#[test]
fn t4_cbc_errors_wait_for_packet_max_bytes() {
    // Offset 1: inside the encrypted length field. Offset 40: in the MAC of the 16-byte
    // payload's 32-byte packet (hmac-sha2-256 tag at 32..64).
    for offset in [1usize, 40] {
        let mut p = flip_after_kex("aes128-cbc", Some("hmac-sha2-256"), offset);
        assert!(
            p.client.error().is_none(),
            "@{offset}: failed before PACKET_MAX bytes: {:?}",
            p.client.error()
        );
        assert!(p.client_payloads().is_empty());
        // 200 KiB more: still under PACKET_MAX (256 KiB) since the bad packet began.
        for _ in 0..25 {
            p.server.send(&big_payload(8 * 1024));
        }
        p.run();
        assert!(
            p.client.error().is_none(),
            "@{offset}: {:?}",
            p.client.error()
        );
        assert!(p.client_payloads().is_empty());
        for _ in 0..10 {
            p.server.send(&big_payload(8 * 1024));
        }
        p.run();
        assert!(
            matches!(
                p.client.error(),
                Some(
                    TransportError::MacMismatch { .. }
                        | TransportError::BadPacketLength { .. }
                        | TransportError::PacketTooLarge { .. }
                )
            ),
            "@{offset}: {:?}",
            p.client.error()
        );
        assert!(p.client_payloads().is_empty(), "@{offset}: data delivered");
    }
    // Not CBC: the same corruption fails at once.
    let p = flip_after_kex("aes128-ctr", Some("hmac-sha2-256"), 40);
    assert!(matches!(
        p.client.error(),
        Some(TransportError::MacMismatch { .. })
    ));
}

#[test]
fn t5_bad_padding() {
    // padding_length 3 (< 4).
    let (_, r) = feed(&raw_packet(12, 3, &[2, 0, 0, 0, 0, 0, 0, 0], 3));
    assert!(matches!(
        r,
        Err(TransportError::BadPadding { padding_len: 3, .. })
    ));
    // padding_length leaves no payload.
    let (_, r) = feed(&raw_packet(12, 11, &[], 11));
    assert!(matches!(
        r,
        Err(TransportError::BadPadding {
            padding_len: 11,
            ..
        })
    ));
    // padding_length larger than the packet.
    let (_, r) = feed(&raw_packet(12, 200, &[], 11));
    assert!(matches!(
        r,
        Err(TransportError::BadPadding {
            padding_len: 200,
            ..
        })
    ));
}

/// Establishes a pair with the given cipher/MAC, then flips one bit of the next
/// server-to-client packet at `offset`.
fn flip_after_kex(cipher: &str, mac: Option<&str>, offset: usize) -> Pair {
    flip_after_kex_sized(cipher, mac, offset, 16)
}

fn big_payload(len: usize) -> Vec<u8> {
    let mut v = vec![94u8];
    v.extend((1..len).map(|i| (i * 7) as u8));
    v
}

fn flip_after_kex_sized(cipher: &str, mac: Option<&str>, offset: usize, len: usize) -> Pair {
    let mut c = TransportConfig::default();
    c.ciphers = vec![cipher.into()];
    if let Some(m) = mac {
        c.macs = vec![m.into()];
    }
    let mut p = Pair::new(c, ServerConfig::new());
    p.run();
    assert!(p.client.is_established());
    let mut flipped = false;
    p.tamper = Some(Box::new(move |dir, bytes: &mut Vec<u8>| {
        if dir == Direction::ToClient && !flipped && offset < bytes.len() {
            bytes[offset] ^= 0x10;
            flipped = true;
        }
    }));
    p.server.send(&big_payload(len));
    p.run();
    p
}

#[test]
fn t6_integrity_failure_every_offset() {
    for (cipher, mac) in [
        ("aes128-gcm@openssh.com", None),
        ("chacha20-poly1305@openssh.com", None),
        ("aes128-ctr", Some("hmac-sha2-256")),
        ("aes128-ctr", Some("hmac-sha2-256-etm@openssh.com")),
        ("aes256-cbc", Some("hmac-sha1")),
    ] {
        // The packet is at most 64 bytes here: every offset of it.
        for offset in 0..64 {
            let p = flip_after_kex(cipher, mac, offset);
            let err = p.client.error().cloned();
            if err.is_none() {
                // No error: either the flip was past the end of the packet (the payload
                // arrives intact), or it enlarged the length field and the deframer waits
                // for bytes that never come (nothing delivered; the driver's deadline ends
                // it). An altered payload would be a missed flip.
                let got = p.client_payloads();
                assert!(
                    got.is_empty() || got == vec![big_payload(16)],
                    "{cipher}/{mac:?} @{offset}: altered payload delivered"
                );
                continue;
            }
            assert!(
                matches!(
                    err,
                    Some(
                        TransportError::MacMismatch { .. }
                            | TransportError::BadPacketLength { .. }
                            | TransportError::PacketTooLarge { .. }
                            | TransportError::BadPadding { .. }
                    )
                ),
                "{cipher}/{mac:?} @{offset}: {err:?}"
            );
            assert!(
                p.client_payloads().is_empty(),
                "{cipher}/{mac:?} @{offset}: plaintext of a bad packet delivered"
            );
        }
    }
}

#[test]
fn t6_integrity_failure_across_8k() {
    // An 8 KiB packet, one bit flipped at offsets spread over all of it (header, body,
    // padding and MAC/tag), for each MAC mode and AEAD.
    for (cipher, mac) in [
        ("aes256-gcm@openssh.com", None),
        ("chacha20-poly1305@openssh.com", None),
        ("aes192-ctr", Some("hmac-sha2-512")),
        ("aes128-ctr", Some("hmac-sha1-etm@openssh.com")),
    ] {
        for offset in (4..8200).step_by(83) {
            let p = flip_after_kex_sized(cipher, mac, offset, 8192);
            assert!(
                p.client.error().is_some() && p.client_payloads().is_empty(),
                "{cipher}/{mac:?} @{offset}: {:?}",
                p.client.error()
            );
        }
    }
}

#[test]
fn t6_forged_and_short_tags() {
    // Truncating the stream mid-tag never yields a packet; appending garbage after a
    // truncated tag fails authentication.
    let mut c = TransportConfig::default();
    c.ciphers = vec!["aes256-gcm@openssh.com".into()];
    let mut p = Pair::new(c, ServerConfig::new());
    p.run();
    let mut cut = true;
    p.tamper = Some(Box::new(move |dir, bytes: &mut Vec<u8>| {
        if dir == Direction::ToClient && cut {
            cut = false;
            let n = bytes.len();
            bytes.truncate(n - 3);
            bytes.extend_from_slice(&[0, 0, 0]);
        }
    }));
    p.server.send(&[94, 1, 2, 3]);
    p.run();
    assert!(matches!(
        p.client.error(),
        Some(TransportError::MacMismatch { .. })
    ));
    assert!(p.client_payloads().is_empty());
}

#[test]
fn t7_sequence_wrap_during_initial_kex() {
    let mut c = TransportConfig::default();
    c.strict_kex = StrictKexMode::Disabled;
    let mut p = Pair::new(c, ServerConfig::new());
    p.client
        .set_sequence_numbers_for_test(0xFFFF_FFFE, 0xFFFF_FFFE);
    p.run();
    assert_eq!(p.client.error(), Some(&TransportError::SequenceWrap));
}

#[test]
fn t7_wrap_after_kex_is_allowed_without_key_reuse() {
    // After the initial exchange the counter may wrap (RFC 4253 §6.4); the packet-count
    // rekey (2^31) keeps a (key, seq) pair from repeating.
    let mut c = TransportConfig::default();
    c.strict_kex = StrictKexMode::Disabled;
    let mut p = Pair::new(c, ServerConfig::new());
    p.run();
    assert!(p.client.is_established());
    let (_, recv) = p.client.sequence_numbers();
    let (ssend, _) = p.server.sequence_numbers();
    assert_eq!(recv, ssend);
    p.client.send(&[94, 1]).unwrap();
    p.run();
    assert!(p.client.is_established());
}

#[test]
fn t8_unknown_types_get_unimplemented() {
    let mut p = Pair::new(TransportConfig::default(), ServerConfig::new());
    p.run();
    for ty in [0u8, 9, 19] {
        p.server.seal(&[ty, 1, 2, 3]);
    }
    p.run();
    let unimpl: Vec<_> = p
        .server
        .events
        .iter()
        .filter(|e| matches!(e, ServerEvent::Unimplemented(_)))
        .collect();
    assert_eq!(unimpl.len(), 3, "{:?}", p.server.events);
    assert!(p.client.is_established());
    // Types >= 50 go to the upper layer, unparsed by the transport.
    p.server.seal(&[255, 1]);
    p.run();
    assert_eq!(p.client_payloads().last().unwrap(), &vec![255, 1]);
}

/// Delivers what the server sent to the client and returns the payloads the client
/// handed out, rejecting those whose first byte is in `reject`.
fn deliver_rejecting(p: &mut Pair, reject: &[u8]) -> Vec<Vec<u8>> {
    let bytes = std::mem::take(&mut p.server.out);
    p.client.handle_input(&bytes).unwrap();
    let mut got = Vec::new();
    while let Some(ev) = p.client.poll_event() {
        if let TransportEvent::Payload(payload) = ev {
            let payload = payload.to_vec();
            if reject.contains(&payload[0]) {
                p.client.reject_last_payload().unwrap();
                // Each payload is rejected at most once.
                assert_eq!(
                    p.client.reject_last_payload(),
                    Err(TransportError::NoPayloadToReject)
                );
            }
            got.push(payload);
        }
    }
    let mut out = Vec::new();
    p.client.poll_transmit(&mut out);
    p.server.handle_input(&out);
    got
}

fn server_unimplemented(p: &Pair) -> Vec<u32> {
    p.server
        .events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Unimplemented(seq) => Some(*seq),
            _ => None,
        })
        .collect()
}

#[test]
fn t8_upper_layer_rejects_a_payload_with_its_sequence_number() {
    let mut p = Pair::new(TransportConfig::default(), ServerConfig::new());
    p.run();
    assert!(p.client.is_established());
    // Nothing handed out yet: nothing to reject, and the error is not fatal.
    assert_eq!(
        p.client.reject_last_payload(),
        Err(TransportError::NoPayloadToReject)
    );
    assert!(p.client.is_established());

    let (seq_94, _) = p.server.sequence_numbers();
    p.server.seal(&[94, 0, 0, 0, 0, 0, 0, 0, 0]);
    let (seq_200, _) = p.server.sequence_numbers();
    p.server.seal(&[200, 1, 2, 3]);
    p.server.seal(&[2, 0, 0, 0, 0]); // IGNORE between the two (transport-internal)
    let (seq_150, _) = p.server.sequence_numbers();
    p.server.seal(&[150]);
    assert_eq!(seq_200, seq_94 + 1);
    assert_eq!(seq_150, seq_200 + 2);
    let got = deliver_rejecting(&mut p, &[150, 200]);
    assert_eq!(got.len(), 3);
    assert_eq!(server_unimplemented(&p), vec![seq_200, seq_150]);
    assert!(p.client.is_established());
    assert!(p.server.error.is_none(), "{:?}", p.server.error);

    // The connection goes on both ways.
    p.client.send(&[94, 0, 0, 0, 0, 0, 0, 0, 1, b'x']).unwrap();
    p.server.send(&[94, 0, 0, 0, 0, 0, 0, 0, 1, b'y']);
    p.run();
    assert_eq!(
        p.client_payloads().last().unwrap(),
        &vec![94, 0, 0, 0, 0, 0, 0, 0, 1, b'y']
    );
    assert!(matches!(
        p.server.events.back(),
        Some(ServerEvent::Payload(m)) if m.last() == Some(&b'x')
    ));
}

#[test]
fn t8_reject_during_our_rekey_is_answered_after_it() {
    let mut p = Pair::new(TransportConfig::default(), ServerConfig::new());
    p.run();
    // We start a rekey; the server, not yet having seen our KEXINIT, sends a message we
    // reject. The reply waits behind the exchange and carries the pre-reset number.
    p.client.request_rekey().unwrap();
    let (seq, _) = p.server.sequence_numbers();
    p.server.seal(&[200]);
    let bytes = std::mem::take(&mut p.server.out);
    p.client.handle_input(&bytes).unwrap();
    let mut rejected = false;
    while let Some(ev) = p.client.poll_event() {
        if let TransportEvent::Payload(payload) = ev {
            assert_eq!(payload, [200]);
            p.client.reject_last_payload().unwrap();
            rejected = true;
        }
    }
    assert!(rejected);
    p.run();
    assert_eq!(p.client_kex_count(), 2);
    assert_eq!(server_unimplemented(&p), vec![seq]);
    assert!(p.client.is_established());
    assert!(p.server.error.is_none(), "{:?}", p.server.error);
}

#[test]
fn t8_trailing_bytes_on_known_messages() {
    let mut p = Pair::new(TransportConfig::default(), ServerConfig::new());
    p.run();
    p.server.seal(&[2, 0, 0, 0, 1, 0xAA, 0xBB]); // IGNORE + 1 trailing byte
    p.run();
    assert!(matches!(
        p.client.error(),
        Some(TransportError::Decode { .. })
    ));

    let mut p = Pair::new(TransportConfig::default(), ServerConfig::new());
    p.run();
    p.server.seal(&[21, 0]); // NEWKEYS + 1 byte while established: stray
    p.run();
    assert!(matches!(
        p.client.error(),
        Some(TransportError::UnexpectedMessage { .. })
    ));
}

#[test]
fn t9_decompression_bomb_and_corrupt_stream() {
    let mut c = TransportConfig::default();
    c.compression = vec!["zlib".into()];
    let mut p = Pair::new(c, ServerConfig::new());
    p.run();
    assert!(p.client.is_established());
    let mut bomb = vec![94u8];
    bomb.extend(std::iter::repeat_n(0u8, 300 * 1024));
    p.server.seal(&bomb);
    p.run();
    assert!(matches!(
        p.client.error(),
        Some(TransportError::Decompression(_))
    ));
    assert!(p.client_payloads().is_empty());

    // Below the cap, a large compressed payload is delivered intact.
    let mut c = TransportConfig::default();
    c.compression = vec!["zlib".into()];
    let mut p = Pair::new(c, ServerConfig::new());
    p.run();
    let mut ok = vec![94u8];
    ok.extend(std::iter::repeat_n(7u8, 200 * 1024));
    p.server.send(&ok);
    p.run();
    assert_eq!(p.client_payloads(), vec![ok]);
}

#[test]
fn k1_no_common_algorithm() {
    for (kind, setup) in [
        (AlgorithmKind::Kex, 0),
        (AlgorithmKind::HostKey, 1),
        (AlgorithmKind::CipherClientToServer, 2),
        (AlgorithmKind::MacClientToServer, 3),
        (AlgorithmKind::CompressionClientToServer, 4),
    ] {
        let mut c = TransportConfig::default();
        c.ciphers = vec!["aes128-ctr".into()];
        let mut s = ServerConfig::new();
        match setup {
            0 => s.kex = vec!["ext-info-s".into(), "kex-strict-s-v00@openssh.com".into()],
            1 => s.host_key_algorithms = vec!["x-unknown@example.com".into()],
            2 => s.ciphers = vec!["aes256-ctr".into()],
            3 => s.macs = vec!["hmac-md5".into()],
            _ => s.compression = vec!["zlib".into()],
        }
        if setup == 3 {
            c.macs = vec!["hmac-sha2-256".into()];
        }
        if setup == 4 {
            c.compression = vec!["none".into()];
        }
        let mut p = Pair::new(c, s);
        p.run();
        match p.client.error() {
            Some(TransportError::NoCommonAlgorithm { kind: k, .. }) => assert_eq!(*k, kind),
            other => panic!("setup {setup}: {other:?}"),
        }
    }
}

#[test]
fn k6_signature_over_wrong_hash_or_wrong_algorithm() {
    let mut s = ServerConfig::new();
    s.corrupt_signature = true;
    let mut p = Pair::new(TransportConfig::default(), s);
    p.run();
    assert!(matches!(
        p.client.error(),
        Some(TransportError::Kex(KexError::SignatureInvalid { .. }))
    ));
    assert!(
        !p.client_events
            .iter()
            .any(|e| matches!(e, ClientEvent::HostKey(_)))
    );

    let rsa = Arc::new(generate_key(KeyKind::Rsa { bits: 2048 }).unwrap());
    let mut s = ServerConfig::new().with_host_key(rsa);
    s.signature_algorithm = Some("ssh-rsa".into());
    let mut c = TransportConfig::default();
    c.host_key_algorithms = vec!["rsa-sha2-256".into()];
    let mut p = Pair::new(c, s);
    p.run();
    assert!(matches!(
        p.client.error(),
        Some(TransportError::Kex(KexError::SignatureInvalid { .. }))
    ));
}

#[test]
fn k7_host_key_type_mismatch_and_rejection() {
    let ecdsa = Arc::new(generate_key(KeyKind::EcdsaP256).unwrap());
    let mut s = ServerConfig::new();
    s.reply_key = Some(ecdsa);
    s.signature_algorithm = Some("ecdsa-sha2-nistp256".into());
    let mut c = TransportConfig::default();
    c.host_key_algorithms = vec!["ssh-ed25519".into()];
    let mut p = Pair::new(c, s);
    p.run();
    assert!(
        matches!(
            p.client.error(),
            Some(TransportError::Kex(KexError::HostKeyTypeMismatch { .. }))
        ),
        "{:?} / server {:?}",
        p.client.error(),
        p.server.error
    );

    // Rejected by the caller: DISCONNECT 9 reaches the server.
    let mut p = Pair::new(TransportConfig::default(), ServerConfig::new());
    p.accept_host_key = false;
    p.run();
    assert_eq!(
        p.client.error(),
        Some(&TransportError::Kex(KexError::HostKeyRejected))
    );
    assert!(p.server.events.contains(&ServerEvent::Disconnect(9)));
}

#[test]
fn k7_host_key_never_accepted_times_out() {
    let mut p = Pair::new(TransportConfig::default(), ServerConfig::new());
    let start = p.now;
    // Drive by hand and never answer the HostKey event.
    let mut saw = false;
    for _ in 0..4 {
        let mut buf = Vec::new();
        p.client.poll_transmit(&mut buf);
        p.server.handle_input(&buf);
        let out = std::mem::take(&mut p.server.out);
        p.client.handle_input(&out).unwrap();
        while let Some(ev) = p.client.poll_event() {
            saw |= matches!(ev, TransportEvent::HostKey(_));
        }
    }
    assert!(saw);
    let deadline = p.client.poll_timeout().unwrap();
    assert!(deadline > start);
    assert_eq!(
        p.client.handle_timeout(deadline),
        Err(TransportError::Timeout {
            phase: "key exchange"
        })
    );
}

#[test]
fn k8_strict_terrapin_prefix_is_fatal() {
    // IGNORE before the server's KEXINIT (the sequence-number shift of Terrapin).
    let mut s = ServerConfig::new();
    s.inject_before_kexinit = vec![vec![2, 0, 0, 0, 0]];
    let mut p = Pair::new(TransportConfig::default(), s);
    p.run();
    assert!(matches!(
        p.client.error(),
        Some(TransportError::StrictKexViolation { seq: 1, .. })
    ));

    // IGNORE between KEXINIT and NEWKEYS.
    let mut s = ServerConfig::new();
    s.inject_before_newkeys = vec![vec![2, 0, 0, 0, 0]];
    let mut p = Pair::new(TransportConfig::default(), s);
    p.run();
    assert!(matches!(
        p.client.error(),
        Some(TransportError::StrictKexViolation { .. })
    ));
    assert!(!p.client.is_established());
}

#[test]
fn k8_non_strict_allows_ignore_but_not_upper_messages() {
    for level in [0u8, 1] {
        let mut c = TransportConfig::default();
        c.strict_kex = StrictKexMode::from_level(level).unwrap();
        let mut s = ServerConfig::new();
        s.strict_kex = false;
        s.inject_before_newkeys = vec![vec![2, 0, 0, 0, 0], vec![4, 0, 0, 0, 0, 0, 0, 0, 0, 0]];
        let mut p = Pair::new(c, s);
        p.run();
        assert!(
            p.client.is_established(),
            "level {level}: {:?}",
            p.client.error()
        );
        assert!(!p.client.strict_kex());
    }
    let mut s = ServerConfig::new();
    s.strict_kex = false;
    s.inject_before_newkeys = vec![vec![52]];
    let mut c = TransportConfig::default();
    c.strict_kex = StrictKexMode::Disabled;
    let mut p = Pair::new(c, s);
    p.run();
    assert!(matches!(
        p.client.error(),
        Some(TransportError::UnexpectedMessage { .. })
    ));
}

#[test]
fn strict_kex_modes_0_to_3() {
    // Server without strict kex, chacha20-poly1305 negotiated (Terrapin-affected).
    let chacha = |level: u8| {
        let mut c = TransportConfig::default();
        c.strict_kex = StrictKexMode::from_level(level).unwrap();
        c.ciphers = vec!["chacha20-poly1305@openssh.com".into()];
        let mut s = ServerConfig::new();
        s.strict_kex = false;
        let mut p = Pair::new(c, s);
        p.run();
        p
    };
    assert!(chacha(0).client.is_established());
    assert!(chacha(1).client.is_established());
    assert!(matches!(
        chacha(2).client.error(),
        Some(TransportError::TerrapinVulnerable { .. })
    ));
    assert_eq!(
        chacha(3).client.error(),
        Some(&TransportError::StrictKexRequired)
    );
    // Mode 2 with CBC + EtM is refused; with an unaffected pair it proceeds.
    let mut c = TransportConfig::default();
    c.strict_kex = StrictKexMode::RejectAffected;
    c.ciphers = vec!["aes128-cbc".into()];
    c.macs = vec!["hmac-sha2-256-etm@openssh.com".into()];
    let mut s = ServerConfig::new();
    s.strict_kex = false;
    let mut p = Pair::new(c, s);
    p.run();
    assert!(matches!(
        p.client.error(),
        Some(TransportError::TerrapinVulnerable { .. })
    ));
    let mut c = TransportConfig::default();
    c.strict_kex = StrictKexMode::RejectAffected;
    c.ciphers = vec!["aes128-gcm@openssh.com".into()];
    let mut s = ServerConfig::new();
    s.strict_kex = false;
    let mut p = Pair::new(c, s);
    p.run();
    assert!(p.client.is_established());
    // With a strict server every mode but 0 negotiates strict kex, even with chacha.
    for level in 0..=3u8 {
        let mut c = TransportConfig::default();
        c.strict_kex = StrictKexMode::from_level(level).unwrap();
        c.ciphers = vec!["chacha20-poly1305@openssh.com".into()];
        let mut p = Pair::new(c, ServerConfig::new());
        p.run();
        assert!(p.client.is_established());
        assert_eq!(p.client.strict_kex(), level > 0);
    }
}

#[test]
fn k9_duplicate_kexinit_and_stray_newkeys() {
    let mut p = Pair::new(TransportConfig::default(), ServerConfig::new());
    p.run();
    p.server.request_rekey();
    let again = {
        let mut v = Vec::new();
        Writer::new(&mut v).u8(20).raw(&[0; 16]);
        for _ in 0..10 {
            Writer::new(&mut v).string(b"curve25519-sha256");
        }
        Writer::new(&mut v).bool(false).u32(0);
        v
    };
    p.server.seal(&again);
    p.run();
    assert!(matches!(
        p.client.error(),
        Some(TransportError::UnexpectedMessage { .. })
    ));
}

#[test]
fn k10_ext_info_abuse() {
    // Count 0xFFFFFFFF with an empty body.
    let mut p = Pair::new(TransportConfig::default(), ServerConfig::new());
    p.run();
    p.server.seal(&[7, 0xFF, 0xFF, 0xFF, 0xFF]);
    p.run();
    assert!(matches!(
        p.client.error(),
        Some(TransportError::Decode { .. })
    ));

    // A third EXT_INFO (the server sent one already).
    let mut p = Pair::new(TransportConfig::default(), ServerConfig::new());
    p.run();
    p.server.seal(&[7, 0, 0, 0, 0]);
    p.server.seal(&[7, 0, 0, 0, 0]);
    p.run();
    assert!(matches!(
        p.client.error(),
        Some(TransportError::ExtInfo { .. })
    ));

    // After authentication: not allowed any more.
    let mut s = ServerConfig::new();
    s.ext_info = false;
    let mut p = Pair::new(TransportConfig::default(), s);
    p.run();
    p.server.seal(&[94]);
    p.run();
    p.client.set_authenticated();
    p.server.seal(&[7, 0, 0, 0, 0]);
    p.run();
    assert!(matches!(
        p.client.error(),
        Some(TransportError::ExtInfo { .. })
    ));

    // server-sig-algs with a NUL.
    let mut s = ServerConfig::new();
    s.ext_info = false;
    let mut p = Pair::new(TransportConfig::default(), s);
    p.run();
    let mut v = Vec::new();
    Writer::new(&mut v)
        .u8(7)
        .u32(1)
        .string(b"server-sig-algs")
        .string(b"ssh-ed25519\0rsa-sha2-256");
    p.server.seal(&v);
    p.run();
    assert!(matches!(
        p.client.error(),
        Some(TransportError::ExtInfo { .. })
    ));

    // More than 1024 entries.
    let mut s = ServerConfig::new();
    s.ext_info = false;
    let mut p = Pair::new(TransportConfig::default(), s);
    p.run();
    let mut v = Vec::new();
    Writer::new(&mut v).u8(7).u32(1025);
    for _ in 0..1025 {
        Writer::new(&mut v).string(b"x").string(b"");
    }
    p.server.seal(&v);
    p.run();
    assert!(matches!(
        p.client.error(),
        Some(TransportError::Decode { .. })
    ));
}

#[test]
fn f2_disconnect_with_huge_description_even_in_strict_kex() {
    // As large as a packet allows (1 MiB would be rejected as PacketTooLarge, T3).
    let mut desc = vec![b'A'; 200 * 1024];
    desc[10] = 0x1b; // an escape character
    let mut v = Vec::new();
    Writer::new(&mut v).u8(1).u32(11).string(&desc).string(b"");
    let mut s = ServerConfig::new();
    s.inject_before_newkeys = vec![v];
    let mut p = Pair::new(TransportConfig::default(), s);
    p.run();
    match p.client.error() {
        Some(TransportError::Disconnected {
            reason,
            description,
        }) => {
            assert_eq!(reason.0, 11);
            assert!(description.len() <= 1024);
            assert!(!description.contains('\u{1b}'));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn f3_keepalive_unanswered_times_out_and_replies_are_swallowed() {
    let mut c = TransportConfig::default();
    c.keepalive_interval = Some(Duration::from_secs(5));
    c.keepalive_count_max = 2;
    let mut p = Pair::new(c, ServerConfig::new());
    p.run();
    p.client.set_authenticated();
    let mut now = p.now;
    let mut sent = 0;
    while let Some(at) = p.client.poll_timeout() {
        now = now.max(at);
        if p.client.handle_timeout(now).is_err() {
            break;
        }
        let mut out = Vec::new();
        p.client.poll_transmit(&mut out);
        if !out.is_empty() {
            p.server.handle_input(&out);
            sent += 1;
        }
        assert!(sent < 10);
    }
    assert_eq!(sent, 2);
    assert_eq!(
        p.client.error(),
        Some(&TransportError::Timeout { phase: "keepalive" })
    );
    assert_eq!(
        p.server
            .events
            .iter()
            .filter(|e| matches!(e, ServerEvent::Payload(m) if m[0] == 80))
            .count(),
        2
    );

    // Answered keepalives keep the connection up and the replies are not passed up.
    let mut c = TransportConfig::default();
    c.keepalive_interval = Some(Duration::from_secs(5));
    c.keepalive_count_max = 1;
    let mut p = Pair::new(c, ServerConfig::new());
    p.run();
    p.client.set_authenticated();
    let keepalives = |p: &Pair| {
        p.server
            .events
            .iter()
            .filter(|e| matches!(e, ServerEvent::Payload(m) if m[0] == 80))
            .count()
    };
    let mut answered = 0;
    for _ in 0..20 {
        let now = p.client.poll_timeout().unwrap();
        p.client.handle_timeout(now).unwrap();
        p.run();
        while answered < keepalives(&p) {
            p.server.send(&[82]);
            answered += 1;
        }
        p.run();
    }
    assert!(answered >= 5, "{answered}");
    assert!(p.client.is_established());
    assert!(
        p.client_payloads().is_empty(),
        "keepalive replies leaked upward"
    );
}

#[test]
fn f5_queue_is_bounded_during_rekey_and_stall_times_out() {
    let mut c = TransportConfig::default();
    c.max_queued_packets = 4;
    let mut p = Pair::new(c, ServerConfig::new());
    p.run();
    p.client.request_rekey().unwrap();
    for _ in 0..4 {
        p.client.send(&[94]).unwrap();
    }
    assert_eq!(
        p.client.send(&[94]),
        Err(TransportError::QueueFull { limit: 4 })
    );
    assert!(p.client.error().is_none(), "QueueFull is not fatal");
    // The server stalls (never answers): the kex deadline fires.
    let deadline = p.client.poll_timeout().unwrap();
    assert_eq!(
        p.client.handle_timeout(deadline),
        Err(TransportError::Timeout {
            phase: "key exchange"
        })
    );
}

#[test]
fn version_exchange_rules() {
    let mut s = ServerConfig::new();
    s.banner_lines = vec!["Welcome".into(), "to the test".into()];
    let mut p = Pair::new(TransportConfig::default(), s);
    p.run();
    assert!(p.client.is_established());
    assert_eq!(p.client.server_version(), Some("SSH-2.0-TestServer_1.0"));

    let mut s = ServerConfig::new();
    s.version = "SSH-1.5-Old".into();
    let mut p = Pair::new(TransportConfig::default(), s);
    p.run();
    assert!(matches!(
        p.client.error(),
        Some(TransportError::VersionMismatch { .. })
    ));
}

#[test]
fn k3_k4_k5_peer_values_are_validated() {
    use ssh_transport::kex::{self, KexAlgorithm};
    // Curve25519: wrong lengths and low-order points.
    let curve = &kex::Curve25519Sha256;
    for bad in [vec![], vec![9u8; 31], vec![9u8; 33], vec![9u8; 64]] {
        let e = curve.client_ephemeral(None).unwrap();
        assert!(matches!(
            e.agree(&bad),
            Err(KexError::BadPeerPublicKey { .. })
        ));
    }
    let mut one = [0u8; 32];
    one[0] = 1;
    for low in [[0u8; 32], one] {
        let e = curve.client_ephemeral(None).unwrap();
        assert!(matches!(
            e.agree(&low),
            Err(KexError::BadPeerPublicKey { .. })
        ));
    }
    // NIST: compressed, wrong length, not on curve, infinity.
    let nist = &kex::EcdhNistp256;
    let good = nist.client_ephemeral(None).unwrap().public().to_vec();
    let mut compressed = good[..33].to_vec();
    compressed[0] = 2;
    let mut off_curve = good.clone();
    off_curve[64] ^= 1;
    for bad in [compressed, good[..64].to_vec(), off_curve, vec![0u8]] {
        let e = nist.client_ephemeral(None).unwrap();
        assert!(matches!(
            e.agree(&bad),
            Err(KexError::BadPeerPublicKey { .. })
        ));
    }
    // DH: f = 0, 1, p-1, p, p+1, > p.
    let dh = &kex::DhGroup14Sha256;
    let p = dh.group().unwrap().p;
    let one = num_bigint::BigUint::from(1u32);
    for f in [
        num_bigint::BigUint::from(0u32),
        one.clone(),
        &p - &one,
        p.clone(),
        &p + &one,
        &p << 1,
    ] {
        let e = dh.client_ephemeral(None).unwrap();
        assert!(
            matches!(
                e.agree(&f.to_bytes_be()),
                Err(KexError::BadPeerPublicKey { .. })
            ),
            "f = {f}"
        );
    }
    // GEX group checks.
    let g = kex::DhGroup {
        p: p.clone(),
        g: num_bigint::BigUint::from(2u32),
    };
    assert!(g.validate_gex(2048, 8192).is_ok());
    assert!(
        g.validate_gex(3072, 8192).is_err(),
        "smaller than requested min"
    );
    let small = kex::DhGroup {
        p: kex::DhGroup1Sha1.group().unwrap().p,
        g: num_bigint::BigUint::from(2u32),
    };
    assert!(small.validate_gex(2048, 8192).is_err(), "1024-bit group");
    for generator in [0u32, 1] {
        let bad = kex::DhGroup {
            p: p.clone(),
            g: num_bigint::BigUint::from(generator),
        };
        assert!(bad.validate_gex(2048, 8192).is_err());
    }
    let bad = kex::DhGroup {
        p: p.clone(),
        g: &p - &one,
    };
    assert!(bad.validate_gex(2048, 8192).is_err());
}

#[test]
fn wrong_first_kex_packet_guess_is_discarded() {
    // The server guesses its first method (mlkem) and sends a junk KEX_30; the client
    // prefers curve25519, so the guess is wrong and that packet must be skipped.
    let mut c = TransportConfig::default();
    c.kex_algorithms = vec!["curve25519-sha256".into(), "mlkem768x25519-sha256".into()];
    let mut s = ServerConfig::new();
    s.kex = vec!["mlkem768x25519-sha256".into(), "curve25519-sha256".into()];
    s.wrong_guess_packet = Some(vec![30, 0, 0, 0, 3, 1, 2, 3]);
    let mut p = Pair::new(c, s);
    p.run();
    assert!(p.client.is_established(), "{:?}", p.client.error());
    assert_eq!(
        p.client.negotiated().unwrap().kex.name(),
        "curve25519-sha256"
    );
}

#[test]
fn k7_plain_key_under_certificate_algorithm() {
    // The server negotiates a certificate algorithm but sends a plain key as K_S (signed
    // correctly with the plain algorithm): the type check must fail closed.
    let ed = Arc::new(generate_key(KeyKind::Ed25519).unwrap());
    let mut s = ServerConfig::new().with_host_key(ed.clone());
    s.host_key_algorithms = vec!["ssh-ed25519-cert-v01@openssh.com".into()];
    s.reply_key = Some(ed);
    s.signature_algorithm = Some("ssh-ed25519".into());
    let mut c = TransportConfig::default();
    c.host_key_algorithms = vec!["ssh-ed25519-cert-v01@openssh.com".into()];
    let mut p = Pair::new(c, s);
    p.run();
    assert!(
        matches!(
            p.client.error(),
            Some(TransportError::Kex(KexError::HostKeyTypeMismatch { .. }))
        ),
        "{:?} / server {:?}",
        p.client.error(),
        p.server.error
    );
}
