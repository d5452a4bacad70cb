//! The hash algorithms Nix builtins take by name (`hashString`, `hashFile`,
//! output hashes): the one place that maps a name to a digest.

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

/// The digest of `data` with the algorithm Nix calls `algo` (`md5`, `sha1`,
/// `sha256`, `sha512`), or current Nix's error for another name.
pub fn digest(algo: &[u8], data: &[u8]) -> Result<Vec<u8>, crate::Error> {
    Ok(match algo {
        b"md5" => Md5::digest(data).to_vec(),
        b"sha1" => Sha1::digest(data).to_vec(),
        b"sha256" => Sha256::digest(data).to_vec(),
        b"sha512" => Sha512::digest(data).to_vec(),
        b"blake3" => return Err(crate::Error::msg(
            "experimental Nix feature 'blake3-hashes' is disabled; add '--extra-experimental-features blake3-hashes' to enable it",
        )),
        other => {
            return Err(crate::Error::msg(format!(
                "unknown hash algorithm '{}', expect 'blake3', 'md5', 'sha1', 'sha256', or 'sha512'",
                String::from_utf8_lossy(other)
            )))
        }
    })
}
