//! Store path names: the fingerprints Nix hashes for each kind of object and the
//! rules for valid names.

use crate::encoding::{base32, hex};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// XOR-fold a hash down to `n` bytes, as Nix compresses hashes for store paths.
fn compress(hash: &[u8], n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    for (i, b) in hash.iter().enumerate() {
        out[i % n] ^= b;
    }
    out
}

/// The store path of an object of `kind` (e.g. `source`, `text:<refs>`,
/// `output:out`) whose inner hash is the SHA-256 `sha256`.
pub fn make_store_path(kind: &str, sha256: &[u8], name: &str, store_dir: &str) -> String {
    let fingerprint = format!("{kind}:sha256:{}:{store_dir}:{name}", hex(sha256));
    let h = Sha256::digest(fingerprint.as_bytes());
    format!("{store_dir}/{}-{name}", base32(&compress(&h, 20)))
}

fn with_refs(kind: &str, refs: &BTreeSet<String>) -> String {
    let mut k = String::from(kind);
    for r in refs {
        k.push(':');
        k.push_str(r);
    }
    k
}

/// The path of a text object (`toFile`, a `.drv`) with these contents and references.
pub fn text_path(name: &str, contents: &[u8], refs: &BTreeSet<String>, store_dir: &str) -> String {
    make_store_path(
        &with_refs("text", refs),
        &Sha256::digest(contents),
        name,
        store_dir,
    )
}

/// The path of a source tree whose NAR has SHA-256 `nar_sha256`.
pub fn source_path(
    name: &str,
    nar_sha256: &[u8],
    refs: &BTreeSet<String>,
    store_dir: &str,
) -> String {
    make_store_path(&with_refs("source", refs), nar_sha256, name, store_dir)
}

/// How a file system object becomes a store object: its contents (`Flat`, a single
/// file) or its NAR serialisation (`Recursive`) are hashed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileIngestion {
    /// The bytes of a regular file.
    Flat,
    /// The NAR of a tree.
    Recursive,
}

/// The path of a fixed-output object: hashed with `algo` (`sha256`, `sha1`, …) to
/// `digest` under the given ingestion method.
pub fn fixed_output_path(
    name: &str,
    method: FileIngestion,
    algo: &str,
    digest: &[u8],
    store_dir: &str,
) -> String {
    if method == FileIngestion::Recursive && algo == "sha256" {
        return source_path(name, digest, &BTreeSet::new(), store_dir);
    }
    let r = if method == FileIngestion::Recursive {
        "r:"
    } else {
        ""
    };
    let inner = format!("fixed:out:{r}{algo}:{}:", hex(digest));
    make_store_path(
        "output:out",
        &Sha256::digest(inner.as_bytes()),
        name,
        store_dir,
    )
}

/// Check a store path name as current Nix does; the error is Nix's message.
pub fn validate_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("name must not be empty".into());
    }
    if name.len() > 211 {
        return Err(format!(
            "name '{name}' must be no longer than 211 characters"
        ));
    }
    for dots in [".", ".."] {
        if name == dots {
            return Err(format!("name '{name}' is not valid"));
        }
        if name.strip_prefix(dots).is_some_and(|r| r.starts_with('-')) {
            return Err(format!(
                "name '{name}' is not valid: first dash-separated component must not be '{dots}'"
            ));
        }
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "+-._?=".contains(*c)))
    {
        return Err(format!("name '{name}' contains illegal character '{c}'"));
    }
    Ok(())
}

/// Whether `p` is a store path directly in `store_dir` (a hash and a valid name).
pub fn is_store_path(p: &str, store_dir: &str) -> bool {
    let Some(base) = p.strip_prefix(store_dir).and_then(|r| r.strip_prefix('/')) else {
        return false;
    };
    base.len() > 33
        && base.as_bytes()[32] == b'-'
        && base[..32].bytes().all(crate::encoding::is_base32_char)
        && validate_name(&base[33..]).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_nix() {
        // sha256("") in Nix base 32, as `nix hash to-base32` prints it.
        assert_eq!(
            base32(&Sha256::digest(b"")),
            "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73"
        );
    }

    #[test]
    fn text_path_matches_nix() {
        // nix-instantiate --eval -E 'builtins.toFile "a" "x"'
        assert_eq!(
            text_path("a", b"x", &BTreeSet::new(), "/nix/store"),
            "/nix/store/12wigjpizrn8axaqxj288q1b751qmwya-a"
        );
    }
}
