//! Symmetric ciphers used to encrypt private key files (OpenSSH `cipher.c` names).

use aes::cipher::{
    BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit, StreamCipher, StreamCipherSeek,
};
use aes_gcm::AeadInOut;
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

use crate::KeyError;

/// A key-file cipher with the sizes OpenSSH uses for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cipher {
    /// OpenSSH name (`aes256-ctr` ...).
    pub name: &'static str,
    /// Key length in bytes.
    pub key_len: usize,
    /// IV length in bytes.
    pub iv_len: usize,
    /// Block size: encrypted data is padded to a multiple of it.
    pub block_len: usize,
    /// Length of the authentication tag that follows the ciphertext (AEAD ciphers).
    pub tag_len: usize,
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    None,
    AesCtr,
    AesCbc,
    TdesCbc,
    AesGcm,
    ChaChaPoly,
}

const fn c(
    name: &'static str,
    key_len: usize,
    iv_len: usize,
    block_len: usize,
    tag_len: usize,
    kind: Kind,
) -> Cipher {
    Cipher {
        name,
        key_len,
        iv_len,
        block_len,
        tag_len,
        kind,
    }
}

/// Every cipher `ssh-keygen -Z` accepts for key files.
const CIPHERS: [Cipher; 12] = [
    c("none", 0, 0, 8, 0, Kind::None),
    c("aes128-ctr", 16, 16, 16, 0, Kind::AesCtr),
    c("aes192-ctr", 24, 16, 16, 0, Kind::AesCtr),
    c("aes256-ctr", 32, 16, 16, 0, Kind::AesCtr),
    c("aes128-cbc", 16, 16, 16, 0, Kind::AesCbc),
    c("aes192-cbc", 24, 16, 16, 0, Kind::AesCbc),
    c("aes256-cbc", 32, 16, 16, 0, Kind::AesCbc),
    c("3des-cbc", 24, 8, 8, 0, Kind::TdesCbc),
    c("aes128-gcm@openssh.com", 16, 12, 16, 16, Kind::AesGcm),
    c("aes256-gcm@openssh.com", 32, 12, 16, 16, Kind::AesGcm),
    c(
        "chacha20-poly1305@openssh.com",
        64,
        0,
        8,
        16,
        Kind::ChaChaPoly,
    ),
    // Legacy alias OpenSSH still understands.
    c("rijndael-cbc@lysator.liu.se", 32, 16, 16, 0, Kind::AesCbc),
];

impl Cipher {
    /// The cipher named `name`, if supported.
    pub fn by_name(name: &str) -> Option<Cipher> {
        CIPHERS.iter().copied().find(|c| c.name == name)
    }

    /// Whether this is the `none` cipher.
    pub fn is_none(&self) -> bool {
        self.kind == Kind::None
    }

    /// Decrypts `data` in place; `tag` is the AEAD tag (empty for other ciphers). A tag
    /// mismatch is reported as a wrong passphrase for `format`.
    pub fn decrypt(
        &self,
        key: &[u8],
        iv: &[u8],
        data: &mut [u8],
        tag: &[u8],
        format: &'static str,
    ) -> Result<(), KeyError> {
        let bad_len = || KeyError::MalformedFile {
            format,
            reason: format!(
                "encrypted data is not a multiple of the {} block size",
                self.name
            ),
        };
        if data.len() % self.block_len != 0 {
            return Err(bad_len());
        }
        let internal = || KeyError::MalformedFile {
            format,
            reason: "cipher key or IV of the wrong size".to_owned(),
        };
        match (self.kind, self.key_len) {
            (Kind::None, _) => {}
            (Kind::AesCtr, 16) => ctr_apply::<aes::Aes128>(key, iv, data).ok_or_else(internal)?,
            (Kind::AesCtr, 24) => ctr_apply::<aes::Aes192>(key, iv, data).ok_or_else(internal)?,
            (Kind::AesCtr, _) => ctr_apply::<aes::Aes256>(key, iv, data).ok_or_else(internal)?,
            (Kind::AesCbc, 16) => cbc_decrypt::<aes::Aes128>(key, iv, data).ok_or_else(internal)?,
            (Kind::AesCbc, 24) => cbc_decrypt::<aes::Aes192>(key, iv, data).ok_or_else(internal)?,
            (Kind::AesCbc, _) => cbc_decrypt::<aes::Aes256>(key, iv, data).ok_or_else(internal)?,
            (Kind::TdesCbc, _) => {
                cbc_decrypt::<des::TdesEde3>(key, iv, data).ok_or_else(internal)?
            }
            (Kind::AesGcm, _) => {
                let tag = aes_gcm::Tag::try_from(tag).map_err(|_| internal())?;
                let nonce = aes_gcm::Nonce::try_from(iv).map_err(|_| internal())?;
                let ok = if self.key_len == 16 {
                    aes_gcm::Aes128Gcm::new_from_slice(key)
                        .map_err(|_| internal())?
                        .decrypt_inout_detached(&nonce, &[], data.into(), &tag)
                } else {
                    aes_gcm::Aes256Gcm::new_from_slice(key)
                        .map_err(|_| internal())?
                        .decrypt_inout_detached(&nonce, &[], data.into(), &tag)
                };
                ok.map_err(|_| KeyError::WrongPassphrase { format })?;
            }
            (Kind::ChaChaPoly, _) => {
                let expected = chachapoly_tag(key, data).ok_or_else(internal)?;
                if !bool::from(expected.as_slice().ct_eq(tag)) {
                    return Err(KeyError::WrongPassphrase { format });
                }
                chachapoly_apply(key, data).ok_or_else(internal)?;
            }
        }
        Ok(())
    }

    /// Encrypts `data` (already padded to the block size) in place and returns the tag
    /// (empty for non-AEAD ciphers).
    pub fn encrypt(&self, key: &[u8], iv: &[u8], data: &mut [u8]) -> Option<Vec<u8>> {
        match (self.kind, self.key_len) {
            (Kind::None, _) => {}
            (Kind::AesCtr, 16) => ctr_apply::<aes::Aes128>(key, iv, data)?,
            (Kind::AesCtr, 24) => ctr_apply::<aes::Aes192>(key, iv, data)?,
            (Kind::AesCtr, _) => ctr_apply::<aes::Aes256>(key, iv, data)?,
            (Kind::AesCbc, 16) => cbc_encrypt::<aes::Aes128>(key, iv, data)?,
            (Kind::AesCbc, 24) => cbc_encrypt::<aes::Aes192>(key, iv, data)?,
            (Kind::AesCbc, _) => cbc_encrypt::<aes::Aes256>(key, iv, data)?,
            (Kind::TdesCbc, _) => cbc_encrypt::<des::TdesEde3>(key, iv, data)?,
            (Kind::AesGcm, _) => {
                let nonce = aes_gcm::Nonce::try_from(iv).ok()?;
                let tag = if self.key_len == 16 {
                    aes_gcm::Aes128Gcm::new_from_slice(key)
                        .ok()?
                        .encrypt_inout_detached(&nonce, &[], data.into())
                        .ok()?
                } else {
                    aes_gcm::Aes256Gcm::new_from_slice(key)
                        .ok()?
                        .encrypt_inout_detached(&nonce, &[], data.into())
                        .ok()?
                };
                return Some(tag.to_vec());
            }
            (Kind::ChaChaPoly, _) => {
                chachapoly_apply(key, data)?;
                return chachapoly_tag(key, data).map(|t| t.to_vec());
            }
        }
        Some(Vec::new())
    }
}

fn ctr_apply<C>(key: &[u8], iv: &[u8], data: &mut [u8]) -> Option<()>
where
    C: aes::cipher::BlockCipherEncrypt
        + aes::cipher::BlockSizeUser<BlockSize = aes::cipher::consts::U16>
        + KeyInit,
{
    let mut cipher = ctr::Ctr128BE::<C>::new_from_slices(key, iv).ok()?;
    cipher.apply_keystream(data);
    Some(())
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], data: &mut [u8]) -> Option<()>
where
    C: aes::cipher::BlockCipherDecrypt + KeyInit,
{
    let mut dec = cbc::Decryptor::<C>::new_from_slices(key, iv).ok()?;
    let block_len = iv.len();
    for chunk in data.chunks_exact_mut(block_len) {
        let mut block = aes::cipher::Block::<C>::try_from(&*chunk).ok()?;
        dec.decrypt_block(&mut block);
        chunk.copy_from_slice(&block);
    }
    Some(())
}

fn cbc_encrypt<C>(key: &[u8], iv: &[u8], data: &mut [u8]) -> Option<()>
where
    C: aes::cipher::BlockCipherEncrypt + KeyInit,
{
    let mut enc = cbc::Encryptor::<C>::new_from_slices(key, iv).ok()?;
    let block_len = iv.len();
    for chunk in data.chunks_exact_mut(block_len) {
        let mut block = aes::cipher::Block::<C>::try_from(&*chunk).ok()?;
        enc.encrypt_block(&mut block);
        chunk.copy_from_slice(&block);
    }
    Some(())
}

/// OpenSSH `chacha20-poly1305@openssh.com` as used for key files (sequence number 0, no
/// length header): the payload key is the first 32 bytes of the 64-byte key.
fn chachapoly_cipher(key: &[u8]) -> Option<chacha20::ChaCha20Legacy> {
    let main_key = key.get(..32)?;
    chacha20::ChaCha20Legacy::new_from_slices(main_key, &[0u8; 8]).ok()
}

/// Encrypts or decrypts with the keystream from block 1 on (block 0 makes the Poly1305 key).
fn chachapoly_apply(key: &[u8], data: &mut [u8]) -> Option<()> {
    let mut cipher = chachapoly_cipher(key)?;
    cipher.try_seek(64u64).ok()?;
    cipher.apply_keystream(data);
    Some(())
}

/// The Poly1305 tag over `ciphertext` with the one-time key from keystream block 0.
fn chachapoly_tag(key: &[u8], ciphertext: &[u8]) -> Option<Zeroizing<[u8; 16]>> {
    let mut cipher = chachapoly_cipher(key)?;
    let mut poly_key = Zeroizing::new([0u8; 32]);
    cipher.apply_keystream(poly_key.as_mut_slice());
    let mac = poly1305::Poly1305::new_from_slice(poly_key.as_slice()).ok()?;
    let tag = mac.compute_unpadded(ciphertext);
    let mut out = Zeroizing::new([0u8; 16]);
    out.copy_from_slice(&tag);
    Some(out)
}
