//! Microbenchmark of the SFTP codec on the transfer hot path: encoding WRITE requests into a
//! reused buffer and decoding DATA replies through the deframer, for 32 KiB and 255 KiB
//! payloads. Both include one copy of the payload; compare the rates with the link speed
//! (about 0.5 GB/s on loopback here) to see what share of a transfer the codec costs.
//!
//! ```text
//! cargo run --release -p sftp-proto --example bench_codec
//! ```

use std::hint::black_box;
use std::time::Instant;

use sftp_proto::packet::{Response, ServerPacket, encode_write_header};
use sftp_proto::{Deframer, RequestId, Version};

/// Bytes moved per measurement.
const TOTAL: usize = 1 << 30;

fn main() {
    for payload in [32 * 1024, 255 * 1024] {
        let data = vec![0x5au8; payload];
        let rounds = TOTAL / payload;

        // WRITE: header + payload into a reused buffer.
        let mut out = Vec::with_capacity(payload + 64);
        let write = measure(|| {
            for i in 0..rounds {
                out.clear();
                let ok =
                    encode_write_header(&mut out, RequestId(i as u32), b"handle00", 0, payload);
                out.extend_from_slice(black_box(&data));
                black_box((ok, &out));
            }
        });

        // DATA: framed replies pushed through the deframer and decoded (payload borrowed).
        let mut frame = Vec::new();
        ServerPacket::Response {
            id: RequestId(7),
            response: Response::Data {
                data: &data,
                end_of_file: None,
            },
        }
        .encode(Version::V3, &mut frame);
        let mut deframer = Deframer::new(payload + 1024);
        let mut seen = 0usize;
        let data_rate = measure(|| {
            for _ in 0..rounds {
                deframer.push(black_box(&frame));
                while let Ok(Some(packet)) = deframer.next_packet() {
                    if let Ok(ServerPacket::Response {
                        response: Response::Data { data, .. },
                        ..
                    }) = ServerPacket::decode(Version::V3, packet)
                    {
                        seen += black_box(data).len();
                    }
                }
            }
        });
        assert_eq!(seen, 2 * rounds * payload);

        println!(
            "{:>4} KiB payloads: WRITE encode {write:>6.0} MB/s | DATA deframe+decode {data_rate:>6.0} MB/s",
            payload / 1024
        );
    }
}

/// Runs `work` twice (the first run warms caches and page tables) and returns the second
/// run's rate in MB/s.
fn measure(mut work: impl FnMut()) -> f64 {
    work();
    let t = Instant::now();
    work();
    TOTAL as f64 / t.elapsed().as_secs_f64() / 1e6
}
