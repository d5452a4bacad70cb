//! Unpacking a NAR into a directory tree: the inverse of `nixie_eval::store::dump_path`,
//! for the store to materialise the objects the evaluator hands it.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A malformed archive.
fn bad(what: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("bad archive: {what}"),
    )
}

/// Reads the strings of a NAR one by one.
struct Reader<'a> {
    nar: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self) -> std::io::Result<&'a [u8]> {
        let len_end = self.pos.checked_add(8).filter(|&e| e <= self.nar.len());
        let len_end = len_end.ok_or_else(|| bad("unexpected end"))?;
        let mut len = [0u8; 8];
        len.copy_from_slice(&self.nar[self.pos..len_end]);
        let len = usize::try_from(u64::from_le_bytes(len)).map_err(|_| bad("string too long"))?;
        let end = len_end.checked_add(len).filter(|&e| e <= self.nar.len());
        let end = end.ok_or_else(|| bad("unexpected end"))?;
        let padded = end + (8 - len % 8) % 8;
        if padded > self.nar.len() {
            return Err(bad("unexpected end"));
        }
        self.pos = padded;
        Ok(&self.nar[len_end..end])
    }

    fn expect(&mut self, s: &[u8]) -> std::io::Result<()> {
        if self.bytes()? == s {
            Ok(())
        } else {
            Err(bad(&format!("expected '{}'", String::from_utf8_lossy(s))))
        }
    }
}

/// An open directory: where its entries go and the last name seen (names must be
/// strictly increasing).
struct Dir {
    path: PathBuf,
    last: Vec<u8>,
}

/// Unpack `nar` at `dest` (which must not exist).
pub(crate) fn restore(nar: &[u8], dest: &Path) -> std::io::Result<()> {
    let mut r = Reader { nar, pos: 0 };
    r.expect(b"nix-archive-1")?;
    let mut stack: Vec<Dir> = Vec::new();
    let mut next = Some(dest.to_path_buf());
    loop {
        if let Some(path) = next.take() {
            match node(&mut r, &path)? {
                Some(dir) => stack.push(dir),
                // A file or symlink inside a directory: close its entry.
                None if !stack.is_empty() => r.expect(b")")?,
                None => {}
            }
            continue;
        }
        let Some(dir) = stack.last_mut() else { break };
        match r.bytes()? {
            b")" => {
                stack.pop();
                if !stack.is_empty() {
                    r.expect(b")")?;
                }
            }
            b"entry" => {
                r.expect(b"(")?;
                r.expect(b"name")?;
                let name = r.bytes()?;
                check_name(name, &dir.last)?;
                dir.last = name.to_vec();
                r.expect(b"node")?;
                use std::os::unix::ffi::OsStrExt;
                next = Some(dir.path.join(std::ffi::OsStr::from_bytes(name)));
            }
            _ => return Err(bad("expected an entry")),
        }
    }
    if r.pos != nar.len() {
        return Err(bad("trailing data"));
    }
    Ok(())
}

fn check_name(name: &[u8], last: &[u8]) -> std::io::Result<()> {
    if name.is_empty() || name == b"." || name == b".." || name.contains(&b'/') || name.contains(&0)
    {
        return Err(bad("invalid file name"));
    }
    if !last.is_empty() && name <= last {
        return Err(bad("file names not sorted"));
    }
    Ok(())
}

/// Unpack one node at `path`; a directory is returned open for its entries (a
/// file or symlink is complete, its closing parenthesis read).
fn node(r: &mut Reader<'_>, path: &Path) -> std::io::Result<Option<Dir>> {
    r.expect(b"(")?;
    r.expect(b"type")?;
    match r.bytes()? {
        b"regular" => {
            let mut tag = r.bytes()?;
            let executable = tag == b"executable";
            if executable {
                r.expect(b"")?;
                tag = r.bytes()?;
            }
            if tag != b"contents" {
                return Err(bad("expected contents"));
            }
            let contents = r.bytes()?;
            let mut f = fs::File::create_new(path)?;
            f.write_all(contents)?;
            let mode = if executable { 0o555 } else { 0o444 };
            f.set_permissions(fs::Permissions::from_mode(mode))?;
            r.expect(b")")?;
            Ok(None)
        }
        b"symlink" => {
            r.expect(b"target")?;
            use std::os::unix::ffi::OsStrExt;
            let target = std::ffi::OsStr::from_bytes(r.bytes()?);
            std::os::unix::fs::symlink(target, path)?;
            r.expect(b")")?;
            Ok(None)
        }
        b"directory" => {
            fs::create_dir(path)?;
            Ok(Some(Dir {
                path: path.to_path_buf(),
                last: Vec::new(),
            }))
        }
        _ => Err(bad("unknown file type")),
    }
}

/// Make the directories of a restored tree read-only, as store objects are
/// (deepest first, so that every directory can still be entered while going down).
pub(crate) fn seal(root: &Path) -> std::io::Result<()> {
    let mut dirs = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(d) = todo.pop() {
        if !fs::symlink_metadata(&d)?.is_dir() {
            continue;
        }
        for e in fs::read_dir(&d)? {
            todo.push(e?.path());
        }
        dirs.push(d);
    }
    for d in dirs.iter().rev() {
        fs::set_permissions(d, fs::Permissions::from_mode(0o555))?;
    }
    Ok(())
}
