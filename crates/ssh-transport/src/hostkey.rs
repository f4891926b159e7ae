//! Host key checks after a key exchange: parse K_S, match it to the negotiated algorithm
//! (ROBUSTNESS K7), and verify the signature over the exchange hash (K6).

use ssh_keys::PublicKey;

use crate::error::KexError;

/// Parses `k_s`, checks it can make `algorithm` signatures, and verifies `signature` over
/// `exchange_hash`. Only a key that passes all three is handed to the caller.
///
/// `algorithm` is the negotiated host key algorithm. For an OpenSSH certificate
/// (PROTOCOL.certkeys, e.g. `ssh-ed25519-cert-v01@openssh.com`) K_S is the whole certificate
/// and the signature blob names the certified key's plain algorithm (`ssh-ed25519`, or
/// `rsa-sha2-512` for `rsa-sha2-512-cert-v01@openssh.com`). A plain key under a certificate
/// name, or a certificate under a plain name, is a mismatch. Whether the certificate's CA is
/// trusted is the caller's decision (the key goes out in the HostKey event).
pub fn verify_host_key(
    k_s: &[u8],
    algorithm: &str,
    exchange_hash: &[u8],
    signature: &[u8],
) -> Result<PublicKey, KexError> {
    let key = PublicKey::from_blob(k_s).map_err(|e| KexError::BadHostKey {
        reason: e.to_string(),
    })?;
    // `key_algorithms` is the plain signature list for a plain key and the `-cert-v01` names
    // for a certificate, so this is the K7 "key type matches the negotiated name" check.
    let signature_algorithm = PublicKey::signature_algorithm_for(algorithm)
        .filter(|_| key.key_algorithms().contains(&algorithm))
        .ok_or_else(|| KexError::HostKeyTypeMismatch {
            negotiated: algorithm.to_owned(),
            key_type: key.key_type().to_owned(),
        })?;
    key.verify(signature_algorithm, exchange_hash, signature)
        .map_err(|e| KexError::SignatureInvalid {
            reason: e.to_string(),
        })?;
    Ok(key)
}
