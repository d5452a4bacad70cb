//! Store paths: the NAR serialisation of a file tree, its hash, and the store path
//! Nix gives a path when it is copied to the store (`"${./file}"`).

use crate::io::{FileKind, Io};
use sha2::{Digest, Sha256};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

pub use crate::encoding::{base32, hex};

/// XOR-fold a hash down to `n` bytes, as Nix compresses hashes for store paths.
fn compress(hash: &[u8], n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    for (i, b) in hash.iter().enumerate() {
        out[i % n] ^= b;
    }
    out
}

/// The store path of an object of `kind` (e.g. "source") with the given SHA-256.
pub fn make_store_path(kind: &str, sha256: &[u8], name: &str, store_dir: &str) -> String {
    let fingerprint = format!("{kind}:sha256:{}:{store_dir}:{name}", hex(sha256));
    let h = Sha256::digest(fingerprint.as_bytes());
    format!("{store_dir}/{}-{name}", base32(&compress(&h, 20)))
}

fn nar_str(h: &mut Sha256, s: &[u8]) {
    h.update((s.len() as u64).to_le_bytes());
    h.update(s);
    let pad = (8 - s.len() % 8) % 8;
    h.update(&[0u8; 8][..pad]);
}

/// SHA-256 of the NAR serialisation of `path`.
pub fn nar_sha256(io: &dyn Io, path: &Path) -> std::io::Result<[u8; 32]> {
    let mut h = Sha256::new();
    nar_str(&mut h, b"nix-archive-1");
    // Explicit work-list: nodes to serialise and the strings between them.
    enum Step {
        Node(std::path::PathBuf),
        Text(&'static [u8]),
        Name(std::ffi::OsString),
    }
    let mut work = vec![Step::Node(path.to_path_buf())];
    while let Some(step) = work.pop() {
        let p = match step {
            Step::Text(t) => {
                nar_str(&mut h, t);
                continue;
            }
            Step::Name(n) => {
                nar_str(&mut h, n.as_bytes());
                continue;
            }
            Step::Node(p) => p,
        };
        nar_str(&mut h, b"(");
        nar_str(&mut h, b"type");
        match io.file_kind(&p)? {
            FileKind::Regular { executable } => {
                nar_str(&mut h, b"regular");
                if executable {
                    nar_str(&mut h, b"executable");
                    nar_str(&mut h, b"");
                }
                nar_str(&mut h, b"contents");
                nar_str(&mut h, &io.read_file(&p)?);
                nar_str(&mut h, b")");
            }
            FileKind::Symlink => {
                nar_str(&mut h, b"symlink");
                nar_str(&mut h, b"target");
                nar_str(&mut h, io.read_link(&p)?.as_os_str().as_bytes());
                nar_str(&mut h, b")");
            }
            FileKind::Other => {
                return Err(std::io::Error::other(format!(
                    "file '{}' has an unsupported type",
                    p.display()
                )))
            }
            FileKind::Directory => {
                nar_str(&mut h, b"directory");
                let mut names = io.read_dir_names(&p)?;
                names.sort();
                work.push(Step::Text(b")"));
                for name in names.into_iter().rev() {
                    work.push(Step::Text(b")"));
                    let child = p.join(&name);
                    work.push(Step::Node(child));
                    // "entry" "(" "name" <name> "node" come before the child.
                    work.push(Step::Text(b"node"));
                    work.push(Step::Name(name));
                    work.push(Step::Text(b"name"));
                    work.push(Step::Text(b"("));
                    work.push(Step::Text(b"entry"));
                }
            }
        }
    }
    Ok(h.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_nix() {
        // sha256("") in Nix base 32, as `nix hash to-base32` prints it.
        let h = Sha256::digest(b"");
        assert_eq!(
            base32(&h),
            "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73"
        );
    }
}
