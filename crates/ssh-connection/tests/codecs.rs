//! proptest round trips for every connection message, and the fuzz body.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use ssh_connection::fuzzing;
use ssh_connection::msg::{
    ChannelClose, ChannelData, ChannelEof, ChannelFailure, ChannelOpen, ChannelRequest,
    ChannelSuccess, ExitSignal, ExtendedData, GlobalRequest, OpenConfirmation, OpenFailure,
    OpenFailureReason, RequestBody, RequestFailure, RequestSuccess, WindowAdjust,
};
use ssh_wire::{Decode, Encode};

fn check<'a, T: Decode<'a> + Encode + PartialEq + std::fmt::Debug>(v: &T, bytes: &'a [u8]) {
    assert_eq!(&T::from_bytes(bytes).unwrap(), v);
    assert_eq!(v.to_bytes(), bytes);
}

fn text() -> impl Strategy<Value = String> {
    ".{0,30}"
}

proptest! {
    #[test]
    fn fixed_messages(id in any::<u32>(), n in any::<u32>(), t in any::<u32>(),
                      d in proptest::collection::vec(any::<u8>(), 0..64)) {
        let m = WindowAdjust { recipient_channel: id, bytes_to_add: n };
        check(&m, &m.to_bytes());
        let m = ChannelData { recipient_channel: id, data: &d };
        check(&m, &m.to_bytes());
        let m = ExtendedData { recipient_channel: id, data_type: t, data: &d };
        check(&m, &m.to_bytes());
        let m = ChannelEof { recipient_channel: id };
        check(&m, &m.to_bytes());
        let mut trailing = m.to_bytes();
        trailing.push(0);
        prop_assert!(ChannelEof::from_bytes(&trailing).is_err());
        let m = ChannelClose { recipient_channel: id };
        check(&m, &m.to_bytes());
        let m = ChannelSuccess { recipient_channel: id };
        check(&m, &m.to_bytes());
        let m = ChannelFailure { recipient_channel: id };
        check(&m, &m.to_bytes());
        check(&RequestFailure, &RequestFailure.to_bytes());
        let m = RequestSuccess { data: &d };
        check(&m, &m.to_bytes());
    }

    #[test]
    fn open_messages(a in text(), b in text(), id in any::<u32>(), s in any::<u32>(),
                     w in any::<u32>(), p in any::<u32>(), r in any::<u32>(),
                     d in proptest::collection::vec(any::<u8>(), 0..32)) {
        let m = ChannelOpen { channel_type: &a, sender_channel: s, initial_window_size: w,
                              maximum_packet_size: p, data: &d };
        check(&m, &m.to_bytes());
        let m = OpenConfirmation { recipient_channel: id, sender_channel: s,
                                   initial_window_size: w, maximum_packet_size: p, data: &d };
        check(&m, &m.to_bytes());
        let m = OpenFailure { recipient_channel: id, reason: OpenFailureReason(r),
                              description: &a, language: &b };
        check(&m, &m.to_bytes());
        let m = GlobalRequest { name: &a, want_reply: w % 2 == 0, data: &d };
        check(&m, &m.to_bytes());
    }

    #[test]
    fn channel_requests(a in "[a-z]{0,20}", b in text(), id in any::<u32>(), want in any::<bool>(),
                        st in any::<u32>(), core in any::<bool>(), which in 0..8u8,
                        d in proptest::collection::vec(any::<u8>(), 0..32)) {
        let other = format!("{a}@x");
        let body = match which {
            0 => RequestBody::Shell,
            1 => RequestBody::Exec { command: &d },
            2 => RequestBody::Subsystem { name: &b },
            3 => RequestBody::Env { name: &b, value: &d },
            4 => RequestBody::Signal { name: &a },
            5 => RequestBody::ExitStatus { status: st },
            6 => RequestBody::ExitSignal(ExitSignal { signal_name: &a, core_dumped: core,
                                                      error_message: &b, language: &a }),
            _ => RequestBody::Other { request_type: &other, data: &d },
        };
        let m = ChannelRequest { recipient_channel: id, want_reply: want, body };
        check(&m, &m.to_bytes());
    }

    #[test]
    fn fuzz_channel_msgs(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        fuzzing::channel_msgs(&data);
    }

    #[test]
    fn fuzz_channel_msgs_structured(
        msgs in proptest::collection::vec(
            (prop_oneof![Just(93u8), Just(94), Just(95), Just(96), Just(97), Just(98), Just(99), Just(100), Just(80), Just(90), Just(91), Just(92)],
             proptest::collection::vec(any::<u8>(), 0..40)), 0..12)) {
        let mut input = Vec::new();
        for (ty, body) in msgs {
            // Aim most messages at channel 0, the one the fuzz body opens.
            let mut m = vec![ty, 0, 0, 0, 0];
            m.extend_from_slice(&body);
            input.extend_from_slice(&u16::try_from(m.len()).unwrap().to_be_bytes());
            input.extend_from_slice(&m);
        }
        fuzzing::channel_msgs(&input);
    }
}
