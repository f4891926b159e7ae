//! Known-answer tests. Sources: RFC 2202 / RFC 4231 (HMAC), NIST SP 800-38A (AES-CTR,
//! AES-CBC), RFC 3526 (group primes, checked by their published first/last words), and
//! for RFC 4253 §7.2 key derivation and the §8 / RFC 4419 exchange hash, values computed
//! independently with Python's hashlib/hmac from the same inputs (no RFC vectors exist).
//! The interop matrix against OpenSSH (tests/interop.rs) checks the same code end to end.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ssh_transport::cipher::{self, CipherAlgorithm, DirectionalCipher};
use ssh_transport::kex::{self, ExchangeHash, HashAlg, KeyLetter, SharedSecret, derive_key};
use ssh_transport::mac;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn sha256(b: &[u8]) -> Vec<u8> {
    HashAlg::Sha256.digest(&[b])
}

fn k() -> SharedSecret {
    let mag: Vec<u8> = (0x80u8..0xa0).collect();
    SharedSecret::from_mpint_magnitude(&mag)
}

#[test]
fn key_derivation_matches_independent_computation() {
    let h = sha256(b"exchange hash");
    let sid = sha256(b"session");
    let k = k();
    let cases: [(HashAlg, KeyLetter, usize, &str); 4] = [
        (
            HashAlg::Sha256,
            KeyLetter::EncClientToServer,
            64,
            "26ffa18983d08be9afaedf5fc295195231c20dbbf0e326f6a93d15093227a7b0\
             e3cd85c5670a606d3b4142d184acb8a72e9f3e83651311fa21cb84d64dd26550",
        ),
        (
            HashAlg::Sha256,
            KeyLetter::IvClientToServer,
            12,
            "673937c215890f189eef7414",
        ),
        (
            HashAlg::Sha1,
            KeyLetter::MacClientToServer,
            20,
            "4e35c90bb7053e35218ea3824ec9fd44b58c0934",
        ),
        (
            HashAlg::Sha512,
            KeyLetter::MacServerToClient,
            64,
            "2d9d29fb3615e6b3da5a1f45d2d2d51a5da6126db70bd360af318aebe500a01c\
             b18ec8a730669131ef81d3bf96f67a437b4bdff7e26ea0bb440a2705bbd8dded",
        ),
    ];
    for (alg, letter, len, want) in cases {
        let got = derive_key(alg, &k, &h, letter, &sid, len);
        assert_eq!(
            got.as_slice(),
            hex(&want.replace(' ', "")).as_slice(),
            "{alg:?} {letter:?}"
        );
    }
}

#[test]
fn exchange_hash_matches_independent_computation() {
    let ic = [&[0x14u8][..], &[b'c'; 16]].concat();
    let is = [&[0x14u8][..], &[b's'; 16]].concat();
    let mut h = ExchangeHash::new(b"SSH-2.0-A", b"SSH-2.0-B", &ic, &is);
    h.string(b"hostkey-blob")
        .string(&[1u8; 32])
        .string(&[2u8; 32])
        .raw(k().encoded());
    assert_eq!(
        h.finish(HashAlg::Sha256),
        hex("a0bd34bc5d137485a6a6aa8e35da192a11a4fb7f1389542edc352a18f1e8cd69")
    );
    let mut h = ExchangeHash::new(b"SSH-2.0-A", b"SSH-2.0-B", &ic, &is);
    h.string(b"hostkey-blob")
        .u32(2048)
        .u32(3072)
        .u32(8192)
        .mpint(&[0x17])
        .mpint(&[0x02])
        .mpint(&[0x80, 0x01])
        .mpint(&[0x05])
        .raw(k().encoded());
    assert_eq!(
        h.finish(HashAlg::Sha1),
        hex("539821352d7e9614d546962ba81a001d8be48df7")
    );
}

/// The MAC input is `uint32 seq || data`, so an RFC vector whose message starts with four
/// bytes can be fed as (seq, rest).
fn mac_kat(alg: &dyn mac::MacAlgorithm, key: &[u8], msg: &[u8], want: &str) {
    let m = alg.instance(key).unwrap();
    let seq = u32::from_be_bytes(msg[..4].try_into().unwrap());
    let mut tag = vec![0u8; alg.tag_len()];
    m.sign(seq, &msg[4..], &mut tag);
    let want = hex(want);
    assert_eq!(tag, want[..alg.tag_len()], "{}", alg.name());
    assert!(m.verify(seq, &msg[4..], &tag));
    let mut bad = tag.clone();
    bad[0] ^= 1;
    assert!(!m.verify(seq, &msg[4..], &bad));
}

#[test]
fn hmac_rfc_vectors() {
    let msg = b"what do ya want for nothing?";
    // RFC 4231 test case 2.
    let sha256 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    let sha512 = "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554\
                  9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737";
    // RFC 2202 test case 2.
    let sha1 = "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79";
    let md5 = "750c783e6ab0b503eaa86e310a5db738";
    // Keys shorter than the block are zero-padded by HMAC, so "Jefe" works for every
    // key length the SSH algorithm declares only if we pass it as is.
    for (alg, want) in [
        (&mac::HmacSha256 as &dyn mac::MacAlgorithm, sha256),
        (&mac::HmacSha256Etm, sha256),
        (&mac::HmacSha256_96, sha256),
        (&mac::HmacSha512, sha512),
        (&mac::HmacSha512Etm, sha512),
        (&mac::HmacSha512_96, sha512),
        (&mac::HmacSha1, sha1),
        (&mac::HmacSha1Etm, sha1),
        (&mac::HmacSha1_96, sha1),
        (&mac::HmacMd5, md5),
        (&mac::HmacMd5_96, md5),
    ] {
        mac_kat(alg, b"Jefe", msg, &want.replace(' ', ""));
    }
}

fn apply(c: Option<DirectionalCipher>, data: &mut [u8]) {
    match c.unwrap() {
        DirectionalCipher::Plain(mut p) => p.apply(data),
        DirectionalCipher::Aead(_) => panic!("not a plain cipher"),
    }
}

#[test]
fn aes_ctr_and_cbc_sp800_38a() {
    let key = hex("2b7e151628aed2a6abf7158809cf4f3c");
    let pt = hex("6bc1bee22e409f96e93d7e117393172a");
    // F.5.1 CTR-AES128.Encrypt, block 1.
    let mut data = pt.clone();
    apply(
        cipher::Aes128Ctr.encryptor(&key, &hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")),
        &mut data,
    );
    assert_eq!(data, hex("874d6191b620e3261bef6864990db6ce"));
    // F.2.1 CBC-AES128.Encrypt, block 1.
    let iv = hex("000102030405060708090a0b0c0d0e0f");
    let mut data = pt.clone();
    apply(cipher::Aes128Cbc.encryptor(&key, &iv), &mut data);
    assert_eq!(data, hex("7649abac8119b246cee98e9b12e9197d"));
    apply(cipher::Aes128Cbc.decryptor(&key, &iv), &mut data);
    assert_eq!(data, pt);
}

#[test]
fn rfc3526_primes() {
    use ssh_transport::kex::KexAlgorithm;
    for (alg, bits, tail) in [
        (
            &kex::DhGroup1Sha1 as &dyn KexAlgorithm,
            1024,
            "ece65381ffffffffffffffff",
        ),
        (&kex::DhGroup14Sha256, 2048, "8aacaa68ffffffffffffffff"),
        (
            &kex::DhGroup16Sha512,
            4096,
            "4df435c934063199ffffffffffffffff",
        ),
        (
            &kex::DhGroup18Sha512,
            8192,
            "60c980dd98edd3dfffffffffffffffff",
        ),
    ] {
        let p = alg.group().unwrap().p;
        assert_eq!(p.bits(), bits);
        let h = format!("{p:x}");
        assert!(h.starts_with("ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd1"));
        assert!(h.ends_with(tail), "{bits}: {}", &h[h.len() - 32..]);
    }
}
