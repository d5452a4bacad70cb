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
        other => return Err(unknown_algo(&String::from_utf8_lossy(other))),
    })
}

/// Current Nix's error for an algorithm name it does not take.
fn unknown_algo(name: &str) -> crate::Error {
    if name == "blake3" {
        return crate::Error::msg(
            "experimental Nix feature 'blake3-hashes' is disabled; add '--extra-experimental-features blake3-hashes' to enable it",
        );
    }
    crate::Error::usage(format!(
        "unknown hash algorithm '{name}', expect 'blake3', 'md5', 'sha1', 'sha256', or 'sha512'"
    ))
}

/// The text forms a hash is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashFormat {
    /// Lower-case hexadecimal.
    Base16,
    /// Nix's base 32.
    Nix32,
    /// Base 64.
    Base64,
    /// `algo-<base 64>`.
    Sri,
}

impl HashFormat {
    /// Parse a format name as `convertHash` takes it; `base32` is accepted with a
    /// deprecation warning (handed to `warn`).
    pub fn parse(name: &str, warn: impl FnOnce(&str)) -> Result<HashFormat, crate::Error> {
        Ok(match name {
            "base16" => HashFormat::Base16,
            "nix32" => HashFormat::Nix32,
            "base32" => {
                warn("warning: \"base32\" is a deprecated alias for hash format \"nix32\".\n");
                HashFormat::Nix32
            }
            "base64" => HashFormat::Base64,
            "sri" => HashFormat::Sri,
            other => {
                return Err(crate::Error::msg(format!(
                    "unknown hash format '{other}', expect 'base16', 'base32', 'base64', or 'sri'"
                )))
            }
        })
    }
}

/// A digest with its algorithm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hash {
    /// `md5`, `sha1`, `sha256` or `sha512`.
    pub algo: &'static str,
    /// The digest bytes.
    pub digest: Vec<u8>,
}

/// The algorithms by name, with their digest sizes.
const ALGOS: [(&str, usize); 4] = [("md5", 16), ("sha1", 20), ("sha256", 32), ("sha512", 64)];

/// The algorithm Nix calls `name`, or current Nix's error.
pub fn parse_algo(name: &str) -> Result<&'static str, crate::Error> {
    match ALGOS.iter().find(|(n, _)| *n == name) {
        Some((n, _)) => Ok(n),
        None => Err(unknown_algo(name)),
    }
}

fn size_of(algo: &str) -> usize {
    ALGOS
        .iter()
        .find(|(n, _)| *n == algo)
        .map(|(_, s)| *s)
        .expect("algorithms come from parse_algo")
}

impl Hash {
    /// Parse a hash in any form Nix accepts: `algo:body`, SRI `algo-<base 64>`, or a
    /// bare body in base 16, Nix base 32 or base 64 (told apart by length), whose
    /// algorithm `algo` gives. A prefix and `algo` must agree.
    pub fn parse_any(text: &str, algo: Option<&str>) -> Result<Hash, crate::Error> {
        let bad = |m: String| crate::Error::msg(m);
        let (prefix, rest, sri) = match text.split_once(':') {
            Some((a, r)) => (Some(a), r, false),
            None => match text.split_once('-') {
                Some((a, r)) => (Some(a), r, true),
                None => (None, text, false),
            },
        };
        let prefix = prefix.map(parse_algo).transpose()?;
        let given = algo.map(parse_algo).transpose()?;
        let algo = match (prefix, given) {
            (None, None) => {
                return Err(bad(format!(
                    "hash '{text}' does not include a type, nor is the type otherwise known from context"
                )))
            }
            (Some(p), Some(g)) if p != g => {
                return Err(bad(format!("hash '{text}' should have type '{g}'")))
            }
            (Some(a), _) | (None, Some(a)) => a,
        };
        let size = size_of(algo);
        let (decoded, name) = if sri {
            (crate::encoding::base64_decode(rest), "SRI")
        } else if rest.len() == 2 * size {
            (crate::encoding::hex_decode(rest), "base16")
        } else if rest.len() == (size * 8).div_ceil(5) {
            (crate::encoding::base32_decode(rest), "nix32")
        } else if rest.len() == size.div_ceil(3) * 4 {
            (crate::encoding::base64_decode(rest), "Base64")
        } else {
            return Err(bad(format!(
                "hash '{rest}' has wrong length for hash algorithm '{algo}'"
            )));
        };
        let digest = decoded.unwrap_or_default();
        if digest.len() != size {
            return Err(bad(format!(
                "invalid {name} hash '{rest}', length {} != expected length {size}",
                digest.len()
            )));
        }
        Ok(Hash { algo, digest })
    }

    /// The hash written in `format` (only SRI carries the algorithm).
    pub fn to_string(&self, format: HashFormat) -> String {
        match format {
            HashFormat::Base16 => crate::encoding::hex(&self.digest),
            HashFormat::Nix32 => crate::encoding::base32(&self.digest),
            HashFormat::Base64 => crate::encoding::base64(&self.digest),
            HashFormat::Sri => format!("{}-{}", self.algo, crate::encoding::base64(&self.digest)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form_and_formats_back() {
        let h = Hash {
            algo: "sha256",
            digest: Sha256::digest(b"").to_vec(),
        };
        for f in [
            HashFormat::Base16,
            HashFormat::Nix32,
            HashFormat::Base64,
            HashFormat::Sri,
        ] {
            let text = h.to_string(f);
            let algo = if f == HashFormat::Sri {
                None
            } else {
                Some("sha256")
            };
            assert_eq!(Hash::parse_any(&text, algo).unwrap(), h, "{text}");
            assert_eq!(
                Hash::parse_any(&format!("sha256:{}", h.to_string(HashFormat::Nix32)), None)
                    .unwrap(),
                h
            );
        }
        let err = Hash::parse_any("abc", None).unwrap_err().message();
        assert!(err.contains("does not include a type"), "{err}");
        let err = Hash::parse_any("sha1:abc", Some("sha256"))
            .unwrap_err()
            .message();
        assert_eq!(err, "hash 'sha1:abc' should have type 'sha256'");
        let err = Hash::parse_any("abc", Some("sha256"))
            .unwrap_err()
            .message();
        assert_eq!(
            err,
            "hash 'abc' has wrong length for hash algorithm 'sha256'"
        );
    }
}
