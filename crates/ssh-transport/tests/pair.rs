//! In-memory client/server tests: every algorithm, rekeying, payload flow.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(clippy::field_reassign_with_default)]

use ssh_transport::testing::{ClientEvent, Pair, ServerConfig, ServerEvent};
use ssh_transport::{KexCause, TransportConfig, cipher, compress, kex, mac};

fn only(list: &str) -> Vec<String> {
    vec![list.to_owned()]
}

fn connect(client: TransportConfig, server: ServerConfig) -> Pair {
    let mut p = Pair::new(client, server);
    p.run();
    p
}

fn assert_up(p: &Pair) {
    assert!(
        p.client.is_established(),
        "client not established: {:?} / events {:?} / server error {:?}",
        p.client.error(),
        p.client_events,
        p.server.error
    );
    assert!(p.server.error.is_none(), "server: {:?}", p.server.error);
}

/// Sends payloads both ways and checks they arrive intact.
fn exchange(p: &mut Pair, n: usize) {
    let before = p.client_payloads().len();
    for i in 0..n {
        let mut msg = vec![94u8];
        msg.extend(std::iter::repeat_n(i as u8, 100 + i * 37));
        p.client.send(&msg).unwrap();
        p.server.send(&msg);
    }
    p.run();
    let got = p.client_payloads();
    assert_eq!(got.len() - before, n, "client got {:?}", p.client_events);
    let server_got = p
        .server
        .events
        .iter()
        .filter(|e| matches!(e, ServerEvent::Payload(_)))
        .count();
    assert!(server_got >= n);
}

#[test]
fn default_kex_and_data() {
    let mut p = connect(TransportConfig::default(), ServerConfig::new());
    assert_up(&p);
    assert!(p.client.strict_kex());
    assert!(p.client.session_id().is_some());
    assert_eq!(
        p.client.server_sig_algs().unwrap(),
        vec!["ssh-ed25519".to_owned()]
    );
    assert!(
        matches!(p.client_events[0], ClientEvent::HostKey(ref fp) if fp.starts_with("SHA256:"))
    );
    assert!(
        p.client_events
            .iter()
            .any(|e| matches!(e, ClientEvent::ExtInfo(_)))
    );
    exchange(&mut p, 5);
}

#[test]
fn every_kex_method() {
    for k in kex::ALL {
        let mut c = TransportConfig::default();
        c.kex_algorithms = only(k.name());
        let mut p = connect(c, ServerConfig::new());
        assert_up(&p);
        assert_eq!(p.client.negotiated().unwrap().kex.name(), k.name());
        exchange(&mut p, 2);
    }
}

#[test]
fn every_cipher_and_mac() {
    for c in cipher::ALL {
        let mut cfg = TransportConfig::default();
        cfg.ciphers = only(c.name());
        let mut p = connect(cfg, ServerConfig::new());
        assert_up(&p);
        assert_eq!(p.client.negotiated().unwrap().cipher_c2s.name(), c.name());
        exchange(&mut p, 3);
    }
    for m in mac::ALL {
        let mut cfg = TransportConfig::default();
        cfg.ciphers = only("aes128-ctr");
        cfg.macs = only(m.name());
        let mut p = connect(cfg, ServerConfig::new());
        assert_up(&p);
        assert_eq!(
            p.client.negotiated().unwrap().mac_s2c.unwrap().name(),
            m.name()
        );
        exchange(&mut p, 3);
    }
}

#[test]
fn every_host_key_type() {
    use ssh_keys::KeyKind;
    for kind in [
        KeyKind::Ed25519,
        KeyKind::EcdsaP256,
        KeyKind::EcdsaP384,
        KeyKind::EcdsaP521,
        KeyKind::Rsa { bits: 2048 },
    ] {
        let key = std::sync::Arc::new(ssh_transport::testing::generate_key(kind).unwrap());
        let server = ServerConfig::new().with_host_key(key.clone());
        let algs = server.host_key_algorithms.clone();
        for alg in algs {
            let mut c = TransportConfig::default();
            c.host_key_algorithms = only(&alg);
            let s = ServerConfig::new().with_host_key(key.clone());
            let p = connect(c, s);
            assert_up(&p);
            assert_eq!(p.client.negotiated().unwrap().host_key, alg);
        }
    }
}

#[test]
fn compression_both_kinds() {
    for z in ["zlib", "zlib@openssh.com"] {
        let mut c = TransportConfig::default();
        c.compression = only(z);
        let mut p = connect(c, ServerConfig::new());
        assert_up(&p);
        assert_eq!(p.client.negotiated().unwrap().compression_c2s.name(), z);
        exchange(&mut p, 3);
    }
    let _ = compress::ALL;
}

#[test]
fn rekey_on_request_and_from_server_many_times() {
    let mut p = connect(TransportConfig::default(), ServerConfig::new());
    assert_up(&p);
    for i in 0..4 {
        if i % 2 == 0 {
            p.client.request_rekey().unwrap();
        } else {
            p.server.request_rekey();
        }
        p.run();
        assert_up(&p);
        exchange(&mut p, 2);
    }
    assert_eq!(p.client_kex_count(), 5);
    assert_eq!(p.server.kex_count(), 5);
    // Strict kex: sequence numbers restart at every NEWKEYS, so they stay small.
    let (s, r) = p.client.sequence_numbers();
    assert!(s < 10 && r < 10, "{s} {r}");
    assert!(
        p.client_events
            .iter()
            .any(|e| matches!(e, ClientEvent::KexDone(KexCause::Rekey)))
    );
}

#[test]
fn rekey_by_byte_threshold_with_data_queued() {
    let mut c = TransportConfig::default();
    c.rekey_threshold = Some(4096);
    c.strict_kex = ssh_transport::StrictKexMode::Disabled;
    let mut p = connect(c, ServerConfig::new());
    assert_up(&p);
    for _ in 0..10 {
        exchange(&mut p, 8);
        assert_up(&p);
    }
    assert!(
        p.client_kex_count() >= 4,
        "kex count {}",
        p.client_kex_count()
    );
}

#[test]
fn arbitrary_splits() {
    for chunk in [1usize, 3, 7, 64] {
        let mut p = Pair::new(TransportConfig::default(), ServerConfig::new());
        p.chunk = chunk;
        p.run();
        assert_up(&p);
        exchange(&mut p, 3);
    }
}

#[test]
fn reading_into_the_receive_buffer_at_arbitrary_splits() {
    for chunk in [1usize, 5, 64, 4096, usize::MAX] {
        let mut p = Pair::new(TransportConfig::default(), ServerConfig::new());
        p.chunk = chunk;
        p.read_into = true;
        p.run();
        assert_up(&p);
        exchange(&mut p, 40);
        p.client.request_rekey().unwrap();
        p.run();
        exchange(&mut p, 3);
        assert_eq!(p.client_kex_count(), 2, "chunk {chunk}");
    }
}

#[test]
fn unused_receive_room_is_not_processed() {
    let mut p = Pair::new(TransportConfig::default(), ServerConfig::new());
    p.run();
    assert_up(&p);
    // Room lent but not filled (a read that returned nothing) must not be taken for
    // received bytes; a count beyond the room is capped at the room.
    let room = p.client.recv_buffer(1 << 16);
    room.fill(0xff);
    p.client.handle_received(0).unwrap();
    assert!(p.client.is_established());
    assert!(p.client.recv_buffer(8).len() >= 1 << 16);
    exchange(&mut p, 2);
    let room_len = p.client.recv_buffer(1).len();
    let before = p.client_payloads().len();
    p.client.recv_buffer(1).fill(0);
    let r = p.client.handle_received(room_len + 1_000_000);
    // Zeros are a packet_length of 0: rejected as a bad length, never a panic or a read
    // past the room.
    assert!(r.is_err());
    assert_eq!(p.client_payloads().len(), before);
}

#[test]
fn rekey_by_time() {
    let mut c = TransportConfig::default();
    c.rekey_interval = Some(std::time::Duration::from_secs(60));
    let mut p = connect(c, ServerConfig::new());
    assert_up(&p);
    let at = p.client.poll_timeout().unwrap();
    assert!(at >= p.now + std::time::Duration::from_secs(60));
    p.client.handle_timeout(at).unwrap();
    p.run();
    assert_up(&p);
    assert_eq!(p.client_kex_count(), 2);
    assert_eq!(p.server.kex_count(), 2);
    exchange(&mut p, 2);
}

#[test]
fn send_with_writes_in_place_and_checks_types() {
    for compression in ["none", "zlib"] {
        let mut c = TransportConfig::default();
        c.compression = only(compression);
        let mut p = connect(c, ServerConfig::new());
        assert_up(&p);
        p.client
            .send_with(5, |b| b.copy_from_slice(&[94, 1, 2, 3, 4]))
            .unwrap();
        // Transport messages are refused, without harming the connection.
        assert_eq!(
            p.client.send(&[2, 0, 0, 0, 0]),
            Err(ssh_transport::TransportError::NotUpperLayerMessage {
                msg: ssh_transport::msg::MsgType(2)
            })
        );
        assert!(matches!(
            p.client.send_with(3, |b| b.copy_from_slice(&[21, 0, 0])),
            Err(ssh_transport::TransportError::NotUpperLayerMessage { .. })
        ));
        assert!(p.client.send(&[]).is_err());
        p.client.send(&[95]).unwrap();
        // Appending writers: the message is exactly `len` bytes, cut or zero-padded.
        p.client
            .send_appending(5, |out| out.extend_from_slice(&[96, 7, 7]))
            .unwrap();
        p.client
            .send_appending(2, |out| out.extend_from_slice(&[97, 8, 9, 10]))
            .unwrap();
        assert!(matches!(
            p.client.send_appending(1, |out| out.push(21)),
            Err(ssh_transport::TransportError::NotUpperLayerMessage { .. })
        ));
        p.run();
        assert_up(&p);
        let got: Vec<_> = p
            .server
            .events
            .iter()
            .filter_map(|e| match e {
                ServerEvent::Payload(m) => Some(m.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            got,
            vec![
                vec![94, 1, 2, 3, 4],
                vec![95],
                vec![96, 7, 7, 0, 0],
                vec![97, 8]
            ]
        );
    }
}

/// An OpenSSH host certificate (PROTOCOL.certkeys) over `key`, signed by an ed25519 CA,
/// built field by field so the test needs no external tool.
fn host_certificate(key: &ssh_keys::PrivateKey) -> ssh_keys::PublicKey {
    let ca = ssh_transport::testing::generate_key(ssh_keys::KeyKind::Ed25519).unwrap();
    let plain = key.public_key().to_blob();
    let mut r = ssh_wire::Reader::new(&plain);
    let key_type = r.utf8("type").unwrap();
    // The cert fields after the nonce repeat the plain key's fields after its type name.
    let body = r.rest();
    let mut principals = Vec::new();
    ssh_wire::Writer::new(&mut principals).string(b"127.0.0.1");
    let mut cert = Vec::new();
    ssh_wire::Writer::new(&mut cert)
        .string(format!("{key_type}-cert-v01@openssh.com").as_bytes())
        .string(&[7u8; 32])
        .raw(body)
        .u64(1)
        .u32(2)
        .string(b"host")
        .string(&principals)
        .u64(0)
        .u64(u64::MAX)
        .string(b"")
        .string(b"")
        .string(b"")
        .string(&ca.public_key().to_blob());
    let sig = ca.sign("ssh-ed25519", &cert).unwrap();
    ssh_wire::Writer::new(&mut cert).string(&sig);
    let parsed = ssh_keys::PublicKey::from_blob(&cert).unwrap();
    parsed.certificate().unwrap().verify_signature().unwrap();
    parsed
}

#[test]
fn host_certificates_every_cert_algorithm() {
    use ssh_keys::KeyKind;
    for kind in [
        KeyKind::Ed25519,
        KeyKind::EcdsaP256,
        KeyKind::Rsa { bits: 2048 },
    ] {
        let key = std::sync::Arc::new(ssh_transport::testing::generate_key(kind).unwrap());
        let cert = host_certificate(&key);
        let algs = cert.key_algorithms();
        assert!(!algs.is_empty());
        for &alg in algs {
            assert!(alg.ends_with("-cert-v01@openssh.com"));
            let mut c = TransportConfig::default();
            c.host_key_algorithms = only(alg);
            let s = ServerConfig::new()
                .with_host_key(key.clone())
                .with_host_certificate(cert.clone());
            let p = connect(c, s);
            assert_up(&p);
            assert_eq!(p.client.negotiated().unwrap().host_key, alg);
            // The certificate itself is what the caller was asked to trust.
            assert_eq!(p.client.host_key_blob(), Some(cert.to_blob().as_slice()));
        }
    }
}

#[test]
fn host_certificate_survives_rekey() {
    let key = std::sync::Arc::new(
        ssh_transport::testing::generate_key(ssh_keys::KeyKind::Ed25519).unwrap(),
    );
    let cert = host_certificate(&key);
    let mut c = TransportConfig::default();
    c.host_key_algorithms = only("ssh-ed25519-cert-v01@openssh.com");
    let s = ServerConfig::new()
        .with_host_key(key)
        .with_host_certificate(cert);
    let mut p = connect(c, s);
    assert_up(&p);
    p.client.request_rekey().unwrap();
    p.run();
    assert_up(&p);
    exchange(&mut p, 3);
    let rekeys = p
        .client_events
        .iter()
        .filter(|e| matches!(e, ClientEvent::KexDone(KexCause::Rekey)))
        .count();
    assert!(rekeys >= 1, "{:?}", p.client_events);
}
