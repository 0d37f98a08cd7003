//! Block-cipher decryption shared by the key-encryption schemes.

use zeroize::Zeroizing;

/// CBC decryption with PKCS#7 padding; `None` when the padding is wrong (a wrong passphrase).
pub(crate) fn cbc_decrypt<C>(key: &[u8], iv: &[u8], data: &[u8]) -> Option<Zeroizing<Vec<u8>>>
where
    C: aes::cipher::BlockDecryptMut + aes::cipher::BlockCipher + aes::cipher::KeyInit,
{
    use aes::cipher::block_padding::Pkcs7;
    use aes::cipher::{BlockDecryptMut as _, KeyIvInit};
    cbc::Decryptor::<C>::new_from_slices(key, iv)
        .ok()?
        .decrypt_padded_vec_mut::<Pkcs7>(data)
        .ok()
        .map(Zeroizing::new)
}
