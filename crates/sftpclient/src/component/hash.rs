//! Local hashes for CheckFileHash, in the check-file extension's algorithm names.

use md5::Digest as _;

/// `data` hashed with the check-file algorithm `name` (md5, sha1, sha224, sha256, sha384,
/// sha512); `None` for other names.
pub(crate) fn digest(name: &str, data: &[u8]) -> Option<Vec<u8>> {
    Some(match name.to_ascii_lowercase().as_str() {
        "md5" => md5::Md5::digest(data).to_vec(),
        "sha1" => sha1::Sha1::digest(data).to_vec(),
        "sha224" => sha2::Sha224::digest(data).to_vec(),
        "sha256" => sha2::Sha256::digest(data).to_vec(),
        "sha384" => sha2::Sha384::digest(data).to_vec(),
        "sha512" => sha2::Sha512::digest(data).to_vec(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_digests() {
        let hex = |v: Vec<u8>| v.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(
            hex(super::digest("md5", b"abc").unwrap()),
            "900150983cd24fb0d6963f7d28e17f72"
        );
        assert!(hex(super::digest("SHA256", b"abc").unwrap()).starts_with("ba7816bf"));
        assert!(super::digest("crc32", b"abc").is_none());
    }
}
