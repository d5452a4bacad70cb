//! Version strings as `nix-env` compares them: components, their order, and the
//! split of a derivation name into a name and a version.

use std::cmp::Ordering;

/// The components of a version: runs of digits and runs of other characters, with
/// `.` and `-` separating them.
pub struct Components<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Components<'a> {
    /// The components of `s`.
    pub fn new(s: &'a [u8]) -> Self {
        Components { s, i: 0 }
    }
}

fn is_sep(b: u8) -> bool {
    b == b'.' || b == b'-'
}

impl<'a> Iterator for Components<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let s = self.s;
        while self.i < s.len() && is_sep(s[self.i]) {
            self.i += 1;
        }
        if self.i >= s.len() {
            return None;
        }
        let start = self.i;
        if s[start].is_ascii_digit() {
            while self.i < s.len() && s[self.i].is_ascii_digit() {
                self.i += 1;
            }
        } else {
            while self.i < s.len() && !s[self.i].is_ascii_digit() && !is_sep(s[self.i]) {
                self.i += 1;
            }
        }
        Some(&s[start..self.i])
    }
}

fn number(c: &[u8]) -> Option<i64> {
    if c.is_empty() || !c.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(c).ok()?.parse().ok()
}

/// Whether component `a` sorts before component `b`.
fn component_less(a: &[u8], b: &[u8]) -> bool {
    let (na, nb) = (number(a), number(b));
    match (na, nb) {
        (Some(x), Some(y)) => x < y,
        _ if a.is_empty() && nb.is_some() => true,
        _ if a == b"pre" && b != b"pre" => true,
        _ if b == b"pre" => false,
        // A number sorts after a word: `2.3a` < `2.3.1`.
        (_, Some(_)) => true,
        (Some(_), _) => false,
        _ => a < b,
    }
}

/// Compare two version strings.
pub fn compare(a: &[u8], b: &[u8]) -> Ordering {
    let (mut ia, mut ib) = (Components::new(a), Components::new(b));
    loop {
        let (ca, cb) = (ia.next(), ib.next());
        if ca.is_none() && cb.is_none() {
            return Ordering::Equal;
        }
        let (ca, cb) = (ca.unwrap_or(b""), cb.unwrap_or(b""));
        if ca == cb {
            continue;
        }
        if component_less(ca, cb) {
            return Ordering::Less;
        }
        if component_less(cb, ca) {
            return Ordering::Greater;
        }
    }
}

/// Split a derivation name at the first `-` that is not followed by a letter.
pub fn parse_drv_name(s: &[u8]) -> (&[u8], &[u8]) {
    for i in 0..s.len() {
        if s[i] == b'-' && s.get(i + 1).is_some_and(|c| !c.is_ascii_alphabetic()) {
            return (&s[..i], &s[i + 1..]);
        }
    }
    (s, b"")
}
