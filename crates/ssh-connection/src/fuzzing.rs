//! Bodies of the cargo-fuzz targets (always compiled so they build and lint with the crate;
//! the tests run them over random inputs).

use ssh_wire::{Decode, Encode};

use crate::msg::{
    ChannelClose, ChannelData, ChannelEof, ChannelFailure, ChannelOpen, ChannelRequest,
    ChannelSuccess, ExtendedData, GlobalRequest, OpenConfirmation, OpenFailure, RequestFailure,
    RequestSuccess, WindowAdjust,
};
use crate::{Connection, ConnectionConfig, WindowPolicy};

/// Decodes `data` as every connection message (decoded values must re-encode to the same
/// bytes, booleans excepted), then feeds it — split into u16-length-prefixed messages — to a
/// connection with an open channel 0, checking that memory stays bounded.
pub fn channel_msgs(data: &[u8]) {
    round_trip::<GlobalRequest<'_>>(data);
    round_trip::<RequestSuccess<'_>>(data);
    round_trip::<RequestFailure>(data);
    round_trip::<ChannelOpen<'_>>(data);
    round_trip::<OpenConfirmation<'_>>(data);
    round_trip::<OpenFailure<'_>>(data);
    round_trip::<WindowAdjust>(data);
    round_trip::<ChannelData<'_>>(data);
    round_trip::<ExtendedData<'_>>(data);
    round_trip::<ChannelEof>(data);
    round_trip::<ChannelClose>(data);
    round_trip::<ChannelRequest<'_>>(data);
    round_trip::<ChannelSuccess>(data);
    round_trip::<ChannelFailure>(data);

    for policy in [WindowPolicy::OnDelivery, WindowPolicy::OnConsume] {
        let mut conn = Connection::new(ConnectionConfig {
            max_window_size: 4096,
            max_packet_size: 1024,
            window_policy: policy,
        });
        let Ok(ch) = conn.open_session() else {
            return;
        };
        let confirm = OpenConfirmation {
            recipient_channel: ch.0,
            sender_channel: 7,
            initial_window_size: 4096,
            maximum_packet_size: 1024,
            data: &[],
        };
        if conn.handle_payload(&confirm.to_bytes()).is_err() {
            return;
        }
        let mut buffered = 0usize;
        let mut rest = data;
        while let Some((len, tail)) = rest.split_first_chunk::<2>() {
            let len = usize::from(u16::from_be_bytes(*len)).min(tail.len());
            let (msg, tail) = tail.split_at(len);
            rest = tail;
            if conn.handle_payload(msg).is_err() {
                break;
            }
            while conn.poll_payload().is_some() {}
            while let Some(ev) = conn.poll_event() {
                if let crate::ConnectionEvent::Data { data, .. }
                | crate::ConnectionEvent::ExtendedData { data, .. } = ev
                {
                    buffered = buffered.saturating_add(data.len());
                }
            }
            // Unconsumed data is bounded by window + 10 % grace.
            if policy == WindowPolicy::OnConsume {
                assert!(buffered <= 4096 + 409);
            }
            let _ = conn.send_data(ch, &[0u8; 3000]);
        }
    }
}

fn round_trip<'a, T: Decode<'a> + Encode>(data: &'a [u8]) {
    if let Ok(v) = T::from_bytes(data) {
        let again = v.to_bytes();
        assert_eq!(again.len(), data.len(), "re-encoding changed the length");
        for (a, b) in again.iter().zip(data) {
            assert!(a == b || (*a == 1 && *b > 1), "re-encoding changed a byte");
        }
    }
}
