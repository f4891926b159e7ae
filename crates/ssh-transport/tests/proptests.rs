//! Property tests: the deframer against the sealer under every cipher/MAC and arbitrary
//! splits, codec round trips for every transport message, and the fuzz bodies on
//! arbitrary input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use ssh_transport::msg::MsgType;
use ssh_transport::msg::ext_info::ExtInfo;
use ssh_transport::msg::generic::{Debug, Disconnect, Ignore, Unimplemented};
use ssh_transport::msg::kex_dh::{DhInit, DhReply};
use ssh_transport::msg::kex_ecdh::{EcdhInit, EcdhReply};
use ssh_transport::msg::kex_gex::{GexGroup, GexInit, GexRequest};
use ssh_transport::msg::kexinit::KexInit;
use ssh_transport::packet::{Opener, Protection, Sealer};
use ssh_transport::{DisconnectReason, cipher, fuzzing, mac};
use ssh_wire::{Decode, Encode, Mpint};

fn keyed(ci: usize, mi: usize, seed: u8) -> (Protection, Protection) {
    let c = cipher::ALL[ci % cipher::ALL.len()];
    let m = mac::ALL[mi % mac::ALL.len()];
    let key: Vec<u8> = (0..c.key_len())
        .map(|i| seed.wrapping_add(i as u8))
        .collect();
    let iv: Vec<u8> = (0..c.iv_len()).map(|i| seed ^ (i as u8)).collect();
    let mkey: Vec<u8> = (0..m.key_len())
        .map(|i| seed.wrapping_mul(3) ^ i as u8)
        .collect();
    let mac_alg = (c.tag_len() == 0).then_some(m);
    let seal = Protection::new(
        c,
        c.encryptor(&key, &iv).unwrap(),
        mac_alg,
        mac_alg.map(|m| m.instance(&mkey).unwrap()),
    );
    let open = Protection::new(
        c,
        c.decryptor(&key, &iv).unwrap(),
        mac_alg,
        mac_alg.map(|m| m.instance(&mkey).unwrap()),
    );
    (seal, open)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn deframer_recovers_every_payload(
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 1..600), 1..8),
        ci in 0usize..16,
        mi in 0usize..16,
        seed in any::<u8>(),
        splits in prop::collection::vec(1usize..97, 1..20),
        keyed_mode in any::<bool>(),
    ) {
        let mut sealer = Sealer::new();
        let mut opener = Opener::new();
        if keyed_mode {
            let (s, o) = keyed(ci, mi, seed);
            sealer.rekey(s);
            opener.rekey(o);
        }
        let mut wire = Vec::new();
        for p in &payloads {
            sealer.seal(p, &mut wire).unwrap();
        }
        // Feed in arbitrary pieces; the deframer must wait for complete packets.
        let mut buf = Vec::new();
        let mut dbuf = Vec::new();
        let mut got = Vec::new();
        let mut fed = 0usize;
        let mut i = 0usize;
        while fed < wire.len() {
            let n = splits[i % splits.len()].min(wire.len() - fed);
            i += 1;
            buf.extend_from_slice(&wire[fed..fed + n]);
            fed += n;
            while let Some(p) = opener.open(&mut buf, &mut dbuf).unwrap() {
                got.push(buf[p.payload.clone()].to_vec());
                buf.drain(..p.consumed);
            }
        }
        prop_assert_eq!(got, payloads);
        prop_assert!(buf.is_empty());
    }

    #[test]
    fn kexinit_roundtrip(
        lists in prop::collection::vec(prop::collection::vec("[a-z0-9@.-]{1,20}", 0..5), 10),
        cookie in any::<[u8; 16]>(),
        follows in any::<bool>(),
        reserved in any::<u32>(),
    ) {
        let m = KexInit {
            cookie,
            kex_algorithms: lists[0].clone(),
            server_host_key_algorithms: lists[1].clone(),
            encryption_algorithms_client_to_server: lists[2].clone(),
            encryption_algorithms_server_to_client: lists[3].clone(),
            mac_algorithms_client_to_server: lists[4].clone(),
            mac_algorithms_server_to_client: lists[5].clone(),
            compression_algorithms_client_to_server: lists[6].clone(),
            compression_algorithms_server_to_client: lists[7].clone(),
            languages_client_to_server: lists[8].clone(),
            languages_server_to_client: lists[9].clone(),
            first_kex_packet_follows: follows,
            reserved,
        };
        prop_assert_eq!(KexInit::from_bytes(&m.to_bytes()).unwrap(), m.clone());
        // Trailing junk after `reserved` is rejected (ROBUSTNESS T8).
        let mut junk = m.to_bytes();
        junk.push(0);
        prop_assert!(KexInit::from_bytes(&junk).is_err());
    }

    #[test]
    fn generic_roundtrips(
        reason in any::<u32>(),
        text in "[ -~]{0,200}",
        data in prop::collection::vec(any::<u8>(), 0..300),
        seq in any::<u32>(),
        flag in any::<bool>(),
    ) {
        let d = Disconnect { reason: DisconnectReason(reason), description: text.clone(), language: String::new() };
        prop_assert_eq!(Disconnect::from_bytes(&d.to_bytes()).unwrap(), d);
        let g = Debug { always_display: flag, message: text.clone(), language: "en".into() };
        prop_assert_eq!(Debug::from_bytes(&g.to_bytes()).unwrap(), g);
        let i = Ignore { data: &data };
        let bytes = i.to_bytes();
        prop_assert_eq!(Ignore::from_bytes(&bytes).unwrap(), i);
        let u = Unimplemented { seq };
        prop_assert_eq!(Unimplemented::from_bytes(&u.to_bytes()).unwrap(), u);
        let e = ExtInfo { extensions: vec![(text.clone(), data.clone())] };
        prop_assert_eq!(ExtInfo::from_bytes(&e.to_bytes()).unwrap(), e);
    }

    #[test]
    fn kex_message_roundtrips(
        a in prop::collection::vec(any::<u8>(), 0..200),
        b in prop::collection::vec(any::<u8>(), 0..200),
        c in prop::collection::vec(any::<u8>(), 0..200),
        n in any::<[u32; 3]>(),
    ) {
        let m = EcdhInit { q_c: &a };
        let bytes = m.to_bytes();
        prop_assert_eq!(EcdhInit::from_bytes(&bytes).unwrap(), m);
        let m = EcdhReply { k_s: &a, q_s: &b, signature: &c };
        let bytes = m.to_bytes();
        prop_assert_eq!(EcdhReply::from_bytes(&bytes).unwrap(), m);
        let e = Mpint::from_magnitude(&b);
        let m = DhInit { e };
        let bytes = m.to_bytes();
        prop_assert_eq!(DhInit::from_bytes(&bytes).unwrap(), m);
        let m = DhReply { msg_type: MsgType::KEX_31, k_s: &a, f: Mpint::from_magnitude(&c), signature: &b };
        let bytes = m.to_bytes();
        prop_assert_eq!(DhReply::from_bytes(&bytes).unwrap(), m);
        let m = GexRequest { min: n[0], n: n[1], max: n[2] };
        prop_assert_eq!(GexRequest::from_bytes(&m.to_bytes()).unwrap(), m);
        let m = GexGroup { p: Mpint::from_magnitude(&a), g: Mpint::from_magnitude(&b) };
        let bytes = m.to_bytes();
        prop_assert_eq!(GexGroup::from_bytes(&bytes).unwrap(), m);
        let m = GexInit { e: Mpint::from_magnitude(&c) };
        let bytes = m.to_bytes();
        prop_assert_eq!(GexInit::from_bytes(&bytes).unwrap(), m);
    }

    #[test]
    fn fuzz_bodies_never_panic(data in prop::collection::vec(any::<u8>(), 0..2048)) {
        fuzzing::deframer(&data);
        fuzzing::messages(&data);
        fuzzing::client(&data);
    }

    #[test]
    fn fuzz_client_with_plausible_prefix(tail in prop::collection::vec(any::<u8>(), 0..1024), split in any::<u8>()) {
        let mut data = vec![split];
        data.extend_from_slice(b"SSH-2.0-X\r\n");
        data.extend_from_slice(&tail);
        fuzzing::client(&data);
        let mut framed = vec![0, 0, 1, 0, 6];
        framed.extend_from_slice(&tail);
        fuzzing::deframer(&framed);
    }
}
