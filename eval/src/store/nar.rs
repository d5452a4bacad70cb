//! The NAR (Nix ARchive) serialisation of a file-system object, as Nix hashes and
//! stores it: written to any [`Write`] sink (a hasher, or a buffer for the store),
//! with an optional filter that leaves entries out.

use crate::io::{FileKind, Io};
use std::ffi::OsString;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Decides, for each entry below the root, whether it goes into the archive.
pub type NarFilter<'a> = &'a dyn Fn(&Path) -> bool;

/// Write one NAR string: its length, its bytes, zero padding to 8 bytes.
pub(crate) fn write_str(w: &mut impl Write, s: &[u8]) -> std::io::Result<()> {
    w.write_all(&(s.len() as u64).to_le_bytes())?;
    w.write_all(s)?;
    w.write_all(&[0u8; 8][..(8 - s.len() % 8) % 8])
}

/// The NAR of a single regular file with the given contents.
pub fn nar_of_file(contents: &[u8], executable: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(contents.len() + 160);
    let mut strs: Vec<&[u8]> = vec![b"nix-archive-1", b"(", b"type", b"regular"];
    if executable {
        strs.extend([b"executable".as_slice(), b""]);
    }
    strs.push(b"contents");
    for s in strs {
        write_str(&mut out, s).expect("writing to a Vec cannot fail");
    }
    write_str(&mut out, contents).expect("writing to a Vec cannot fail");
    write_str(&mut out, b")").expect("writing to a Vec cannot fail");
    out
}

/// One step of the serialisation: a node to dump, or a string between nodes.
enum Step {
    Node(PathBuf),
    Text(&'static [u8]),
    Name(OsString),
}

/// Serialise `path` as a NAR into `sink`. Entries for which `filter` says no are
/// left out (the root is always included). Errors are the file system's, or
/// "file '…' has an unsupported type" for FIFOs, sockets and devices.
pub fn dump_path(
    io: &dyn Io,
    path: &Path,
    filter: Option<NarFilter<'_>>,
    sink: &mut impl Write,
) -> std::io::Result<()> {
    write_str(sink, b"nix-archive-1")?;
    let mut work = vec![Step::Node(path.to_path_buf())];
    while let Some(step) = work.pop() {
        match step {
            Step::Text(t) => write_str(sink, t)?,
            Step::Name(n) => write_str(sink, n.as_bytes())?,
            Step::Node(p) => dump_node(io, &p, filter, sink, &mut work)?,
        }
    }
    Ok(())
}

fn dump_node(
    io: &dyn Io,
    p: &Path,
    filter: Option<NarFilter<'_>>,
    sink: &mut impl Write,
    work: &mut Vec<Step>,
) -> std::io::Result<()> {
    write_str(sink, b"(")?;
    write_str(sink, b"type")?;
    match io.file_kind(p)? {
        FileKind::Regular { executable } => {
            write_str(sink, b"regular")?;
            if executable {
                write_str(sink, b"executable")?;
                write_str(sink, b"")?;
            }
            write_str(sink, b"contents")?;
            write_str(sink, &io.read_file(p)?)?;
            write_str(sink, b")")
        }
        FileKind::Symlink => {
            write_str(sink, b"symlink")?;
            write_str(sink, b"target")?;
            write_str(sink, io.read_link(p)?.as_os_str().as_bytes())?;
            write_str(sink, b")")
        }
        FileKind::Other => Err(std::io::Error::other(format!(
            "file '{}' has an unsupported type",
            p.display()
        ))),
        FileKind::Directory => {
            write_str(sink, b"directory")?;
            let mut names = io.read_dir_names(p)?;
            names.sort();
            work.push(Step::Text(b")"));
            for name in names.into_iter().rev() {
                let child = p.join(&name);
                if filter.is_some_and(|keep| !keep(&child)) {
                    continue;
                }
                // "entry" "(" "name" <name> "node" <child> ")", pushed in reverse.
                work.push(Step::Text(b")"));
                work.push(Step::Node(child));
                work.push(Step::Text(b"node"));
                work.push(Step::Name(name));
                work.push(Step::Text(b"name"));
                work.push(Step::Text(b"("));
                work.push(Step::Text(b"entry"));
            }
            Ok(())
        }
    }
}

/// A sink that only counts and hashes what is written (no buffer).
pub(crate) struct HashingSink {
    pub(crate) hasher: sha2::Sha256,
    pub(crate) len: u64,
}

impl Write for HashingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        self.hasher.update(buf);
        self.len += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// SHA-256 of the NAR serialisation of `path`.
pub fn nar_sha256(io: &dyn Io, path: &Path) -> std::io::Result<[u8; 32]> {
    use sha2::Digest;
    let mut sink = HashingSink {
        hasher: sha2::Sha256::new(),
        len: 0,
    };
    dump_path(io, path, None, &mut sink)?;
    Ok(sink.hasher.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::base32;
    use sha2::{Digest, Sha256};

    #[test]
    fn file_nar_matches_nix() {
        // `nix hash path` of a file containing "hello\n" (sha256, nix base 32).
        let nar = nar_of_file(b"hello\n", false);
        assert_eq!(
            base32(&Sha256::digest(&nar)),
            "04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqw"
        );
    }
}
