//! Git branch, tag and commit names as Nix checks them: its `refRegex` and
//! `revRegex`, and `isLegalRefName` (libgit2's reference, branch and tag name
//! rules plus Nix's own extra checks).

/// Whether `s` is a 40-digit hexadecimal commit hash (Nix's `revRegex`).
pub fn is_rev(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|c| c.is_ascii_hexdigit())
}

/// Whether `s` matches Nix's loose `refRegex`: a letter, digit or `@`, then
/// letters, digits and `_./@+-`.
pub fn matches_ref_regex(s: &str) -> bool {
    let b = s.as_bytes();
    b.first()
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'@')
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || b"_./@+-".contains(c))
}

/// Whether a byte may appear in a reference name component.
fn is_valid_ref_byte(c: u8) -> bool {
    // Bytes above 0x7f are signed in libgit2's check and so always pass.
    c > b' ' && !b"~^:\\?[*".contains(&c)
}

/// Whether one `/`-separated component of a reference name is valid: not empty,
/// no leading `.`, no `..` or `@{`, no forbidden bytes, no `.lock` suffix.
fn valid_component(comp: &str) -> bool {
    let b = comp.as_bytes();
    !b.is_empty()
        && b[0] != b'.'
        && b.iter().all(|c| is_valid_ref_byte(*c))
        && !comp.contains("..")
        && !comp.contains("@{")
        && !comp.ends_with(".lock")
}

/// Whether `s` is upper-case letters and underscores, not starting or ending
/// with an underscore (like `HEAD` or `FETCH_HEAD`).
fn all_caps(s: &str) -> bool {
    s.bytes().all(|c| c.is_ascii_uppercase() || c == b'_')
        && !s.starts_with('_')
        && !s.ends_with('_')
}

/// libgit2's `git_reference_name_is_valid`: components valid, no trailing `.`;
/// a one-level name must be all capitals, and a longer one must not start with
/// an all-capitals component.
fn reference_name_is_valid(name: &str) -> bool {
    if name.is_empty() || name.ends_with('.') {
        return false;
    }
    let comps: Vec<&str> = name.split('/').collect();
    if !comps.iter().all(|c| valid_component(c)) {
        return false;
    }
    if comps.len() == 1 {
        all_caps(name)
    } else {
        !all_caps(comps[0])
    }
}

/// Whether `name` is a legal Git branch or tag name (Nix's `isLegalRefName`).
pub fn is_legal_ref_name(name: &str) -> bool {
    if name == "@" || name.contains('\u{7f}') {
        return false;
    }
    if reference_name_is_valid(name) {
        return true;
    }
    let branch = name != "HEAD"
        && !name.starts_with('-')
        && reference_name_is_valid(&format!("refs/heads/{name}"));
    let tag = !name.starts_with('-') && reference_name_is_valid(&format!("refs/tags/{name}"));
    branch || tag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_names() {
        for ok in [
            "main",
            "release/23.05",
            "HEAD",
            "v1.0",
            "a@b",
            "-x/y",
            "ünï",
        ] {
            assert!(is_legal_ref_name(ok), "{ok}");
        }
        for bad in [
            "@", "", "a..b", ".a", "a/.b", "a.lock", "a b", "a~", "a:b", "a/", "a//b", "-x", "a.",
            "x@{y", "a\u{7f}",
        ] {
            assert!(!is_legal_ref_name(bad), "{bad}");
        }
    }

    #[test]
    fn regexes() {
        assert!(is_rev(&"aB".repeat(20)));
        assert!(!is_rev("abc"));
        assert!(matches_ref_regex("release/1.0+x"));
        assert!(!matches_ref_regex("-a"));
        assert!(!matches_ref_regex(""));
    }
}
