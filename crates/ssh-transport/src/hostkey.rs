//! Host key checks after a key exchange: parse K_S, match it to the negotiated algorithm
//! (ROBUSTNESS K7), and verify the signature over the exchange hash (K6).

use ssh_keys::PublicKey;

use crate::error::KexError;

/// Parses `k_s`, checks it can make `algorithm` signatures, and verifies `signature` over
/// `exchange_hash`. Only a key that passes all three is handed to the caller.
pub fn verify_host_key(
    k_s: &[u8],
    algorithm: &str,
    exchange_hash: &[u8],
    signature: &[u8],
) -> Result<PublicKey, KexError> {
    let key = PublicKey::from_blob(k_s).map_err(|e| KexError::BadHostKey {
        reason: e.to_string(),
    })?;
    if !key.signature_algorithms().contains(&algorithm) {
        return Err(KexError::HostKeyTypeMismatch {
            negotiated: algorithm.to_owned(),
            key_type: key.key_type().to_owned(),
        });
    }
    key.verify(algorithm, exchange_hash, signature)
        .map_err(|e| KexError::SignatureInvalid {
            reason: e.to_string(),
        })?;
    Ok(key)
}
