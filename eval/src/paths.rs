//! Lexical path normalisation, as Nix applies it to path values.

use std::path::{Path, PathBuf};

/// Resolve `raw` against `dir` (if relative) and normalise `.`, `..` and repeated slashes.
pub fn resolve(dir: &Path, raw: &str) -> PathBuf {
    let joined = if raw.starts_with('/') {
        raw.to_string()
    } else {
        format!("{}/{}", dir.to_string_lossy(), raw)
    };
    PathBuf::from(normalise(&joined))
}

/// Normalise an absolute path string lexically.
pub fn normalise(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        "/".to_string()
    } else {
        let mut out = String::with_capacity(p.len());
        for s in parts {
            out.push('/');
            out.push_str(s);
        }
        out
    }
}

/// The names a path walks through (`..` kept, `.` and the root dropped), last
/// first, as a work list for resolving symlinks one name at a time.
pub fn names_reversed(p: &Path) -> Vec<std::ffi::OsString> {
    use std::path::Component;
    p.components()
        .rev()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_os_string()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises() {
        for (i, o) in [
            ("/a/b/../c", "/a/c"),
            ("/a//b/", "/a/b"),
            ("/..", "/"),
            ("/a/./b", "/a/b"),
            ("/", "/"),
        ] {
            assert_eq!(normalise(i), o, "{i}");
        }
        assert_eq!(resolve(Path::new("/x/y"), "../z"), PathBuf::from("/x/z"));
    }
}
