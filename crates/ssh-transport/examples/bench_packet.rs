//! Packet-layer throughput: seal (encrypt+MAC) then open (verify+decrypt) of 32 KiB
//! payloads through `Sealer`/`Opener`, beside the raw primitives of the same crates doing
//! the same cryptographic work. Run optimised:
//!
//! `cargo run --release -p ssh-transport --example bench_packet [-- SECONDS]`
//!
//! Prints one line per configuration: packet MB/s, primitive MB/s and their ratio; then
//! ring's chacha20-poly1305@openssh.com for comparison, and the copy figures.

// A benchmark binary: setup failures may panic.
#![allow(clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use cipher::{KeyIvInit, StreamCipher};
use hmac::{KeyInit, Mac};
use ring::aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey, chacha20_poly1305_openssh};
use ssh_transport::cipher::{self as ciphers, CipherAlgorithm};
use ssh_transport::mac::{self as macs, MacAlgorithm};
use ssh_transport::packet::{Opener, Protection, Sealer};

const PAYLOAD: usize = 32 * 1024;

fn pair(c: &dyn CipherAlgorithm, m: Option<&dyn MacAlgorithm>) -> (Sealer, Opener) {
    let key = vec![7u8; c.key_len()];
    let iv = vec![9u8; c.iv_len()];
    let mk = m.map(|m| vec![5u8; m.key_len()]);
    let mut s = Sealer::new();
    let mut o = Opener::new();
    s.rekey(Protection::new(
        c,
        c.encryptor(&key, &iv).expect("key"),
        m,
        m.zip(mk.as_ref()).and_then(|(m, k)| m.instance(k)),
    ));
    o.rekey(Protection::new(
        c,
        c.decryptor(&key, &iv).expect("key"),
        m,
        m.zip(mk.as_ref()).and_then(|(m, k)| m.instance(k)),
    ));
    (s, o)
}

/// Runs `f` repeatedly for `secs` and returns MB/s of payload.
fn measure(secs: f64, mut f: impl FnMut()) -> f64 {
    for _ in 0..50 {
        f();
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs_f64(secs) {
        for _ in 0..32 {
            f();
        }
        n += 32;
    }
    (n as f64 * PAYLOAD as f64) / start.elapsed().as_secs_f64() / 1e6
}

fn packet_layer(secs: f64, c: &dyn CipherAlgorithm, m: Option<&dyn MacAlgorithm>) -> f64 {
    let (mut s, mut o) = pair(c, m);
    let payload = vec![0x5au8; PAYLOAD];
    let mut wire = Vec::with_capacity(PAYLOAD + 256);
    let mut dbuf = Vec::new();
    measure(secs, || {
        wire.clear();
        s.seal(&payload, &mut wire).expect("seal");
        let p = o
            .open(&mut wire, &mut dbuf)
            .expect("open")
            .expect("whole packet");
        black_box(&wire[p.payload]);
    })
}

/// One 32 KiB copy per iteration with the destination 5 bytes past the source modulo
/// 4 KiB, where framing puts a payload: by plain `copy_from_slice` (glibc `memcpy`) and by
/// the chunked copy the packet layer uses.
fn raw_copy(secs: f64, chunked: bool) -> f64 {
    let mut buf = vec![0x5au8; 4 * PAYLOAD];
    let (src, dst) = buf.split_at_mut(2 * PAYLOAD);
    let (src, dst) = (&src[..PAYLOAD], &mut dst[5..5 + PAYLOAD]);
    measure(secs, || {
        if chunked {
            ssh_wire::copy::copy_bytes(dst, black_box(src));
        } else {
            dst.copy_from_slice(black_box(src));
        }
        black_box(&dst);
    })
}

fn raw_gcm(secs: f64) -> f64 {
    let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &[7u8; 16]).expect("key"));
    let mut buf = vec![0x5au8; PAYLOAD + 8];
    let mut ctr = 0u64;
    measure(secs, || {
        let nonce = |c: u64| {
            let mut n = [0u8; 12];
            n[4..].copy_from_slice(&c.to_be_bytes());
            Nonce::assume_unique_for_key(n)
        };
        let tag = key
            .seal_in_place_separate_tag(nonce(ctr), Aad::from([0u8; 4]), &mut buf)
            .expect("seal");
        key.open_in_place_separate_tag(nonce(ctr), Aad::from([0u8; 4]), tag, &mut buf, 0..)
            .expect("open");
        ctr += 1;
    })
}

/// The two primitives the chacha20-poly1305@openssh.com implementation is built from,
/// doing its work: length and payload keystreams, the Poly1305 key, the tag both ways.
fn raw_chacha(secs: f64) -> f64 {
    use poly1305::universal_hash::{KeyInit as _, UniversalHash as _};
    // Whole blocks through `update` (the four-block path), the tail through
    // `compute_unpadded`: the fastest way the crate offers.
    let tag = |mut poly: poly1305::Poly1305, data: &[u8]| {
        let (blocks, rest) = poly1305::Block::slice_as_chunks(data);
        poly.update(blocks);
        poly.compute_unpadded(rest)
    };
    let stream = |key: &[u8; 32], seq: u64| {
        chacha20::ChaCha20Legacy::new(key.into(), &seq.to_be_bytes().into())
    };
    let (k2, k1) = ([7u8; 32], [8u8; 32]);
    let mut buf = vec![0x5au8; PAYLOAD + 12];
    let mut seq = 0u64;
    measure(secs, || {
        for open in [false, true] {
            let mut block0 = [0u8; 64];
            let mut main = stream(&k2, seq);
            main.apply_keystream(&mut block0);
            let poly = poly1305::Poly1305::new(block0[..32].try_into().expect("32"));
            let mut length = [buf[0], buf[1], buf[2], buf[3]];
            stream(&k1, seq).apply_keystream(&mut length);
            black_box(length);
            if open {
                black_box(tag(poly, &buf));
                main.apply_keystream(&mut buf[4..]);
            } else {
                main.apply_keystream(&mut buf[4..]);
                black_box(tag(poly, &buf));
            }
        }
        seq = seq.wrapping_add(1);
    })
}

/// ring's implementation of the same construction (what this crate used before).
fn ring_chacha(secs: f64) -> f64 {
    let s = chacha20_poly1305_openssh::SealingKey::new(&[7u8; 64]);
    let o = chacha20_poly1305_openssh::OpeningKey::new(&[7u8; 64]);
    let mut buf = vec![0x5au8; PAYLOAD + 12];
    let mut seq = 0u32;
    measure(secs, || {
        let mut tag = [0u8; 16];
        s.seal_in_place(seq, &mut buf, &mut tag);
        o.open_in_place(seq, &mut buf, &tag).expect("open");
        seq = seq.wrapping_add(1);
    })
}

fn raw_ctr_hmac(secs: f64) -> f64 {
    let mut enc = ctr::Ctr128BE::<aes::Aes128>::new_from_slices(&[7u8; 16], &[9u8; 16]).expect("k");
    let mut dec = ctr::Ctr128BE::<aes::Aes128>::new_from_slices(&[7u8; 16], &[9u8; 16]).expect("k");
    let keyed = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&[5u8; 32]).expect("k");
    let mut buf = vec![0x5au8; PAYLOAD + 12];
    measure(secs, || {
        enc.apply_keystream(&mut buf[4..]);
        let mut m = keyed.clone();
        m.update(&[0, 0, 0, 1]);
        m.update(&buf);
        let tag = m.finalize().into_bytes();
        let mut v = keyed.clone();
        v.update(&[0, 0, 0, 1]);
        v.update(&buf);
        v.verify_slice(&tag).expect("verify");
        dec.apply_keystream(&mut buf[4..]);
    })
}

fn main() {
    let secs: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    if std::env::var("BENCH_ONLY").as_deref() == Ok("gcm-packet") {
        println!("{}", packet_layer(secs, &ciphers::Aes128Gcm, None));
        return;
    }
    let rows: [(&str, f64, f64); 3] = [
        (
            "aes128-gcm@openssh.com",
            packet_layer(secs, &ciphers::Aes128Gcm, None),
            raw_gcm(secs),
        ),
        (
            "chacha20-poly1305@openssh.com",
            packet_layer(secs, &ciphers::ChaCha20Poly1305, None),
            raw_chacha(secs),
        ),
        (
            "aes128-ctr + hmac-sha2-256-etm@openssh.com",
            packet_layer(secs, &ciphers::Aes128Ctr, Some(&macs::HmacSha256Etm)),
            raw_ctr_hmac(secs),
        ),
    ];
    println!(
        "{:<44} {:>11} {:>14} {:>6}",
        "algorithm (32 KiB payloads, seal+open)", "packet MB/s", "primitive MB/s", "ratio"
    );
    for (name, packet, raw) in rows {
        println!(
            "{name:<44} {packet:>11.1} {raw:>14.1} {:>6.2}",
            packet / raw
        );
    }
    println!(
        "(ring's chacha20_poly1305_openssh, seal+open: {:.1} MB/s)",
        ring_chacha(secs)
    );
    println!(
        "(one 32 KiB copy to 5 bytes past the source: memcpy {:.1} MB/s, chunked {:.1} MB/s)",
        raw_copy(secs, false),
        raw_copy(secs, true)
    );
}
