//! Test data shared by every crate's tests.

/// `len` bytes of deterministic, incompressible-looking data (an xorshift stream seeded by
/// `seed`): different seeds give different contents, the same seed the same bytes.
pub fn test_data(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

/// Asserts that two contents are equal, reporting the lengths and the first differing
/// offset instead of printing megabytes of bytes.
#[track_caller]
pub fn assert_same(actual: &[u8], expected: &[u8]) {
    let first = actual.iter().zip(expected).position(|(a, b)| a != b);
    assert!(
        actual == expected,
        "contents differ: {} bytes vs {} expected, first difference at {first:?}",
        actual.len(),
        expected.len()
    );
}
