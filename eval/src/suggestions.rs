//! "Did you mean …?" hints, chosen as C++ Nix chooses them: the names within
//! edit distance 2 of the one asked for, nearest first, at most five.

/// Edit distance (insertions, deletions, substitutions) between two byte strings.
fn distance(a: &[u8], b: &[u8]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, x) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(x != y);
            cur[j + 1] = substitution.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The hint line for a `query` not among `names`, if any name is close enough:
/// `Did you mean x?` or `Did you mean one of x, y or z?`.
pub fn did_you_mean<'a>(query: &[u8], names: impl Iterator<Item = &'a [u8]>) -> Option<String> {
    let mut near: Vec<(usize, &[u8])> = names
        .map(|n| (distance(query, n), n))
        .filter(|(d, _)| *d <= 2)
        .collect();
    near.sort();
    near.dedup();
    near.truncate(5);
    let shown: Vec<String> = near
        .iter()
        .map(|(_, n)| String::from_utf8_lossy(n).into_owned())
        .collect();
    match shown.as_slice() {
        [] => None,
        [one] => Some(format!("Did you mean {one}?")),
        [init @ .., last] => Some(format!(
            "Did you mean one of {} or {last}?",
            init.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn nearest_names_first_at_most_five() {
        let names: [&[u8]; 4] = [b"greeting", b"meeting", b"x", b"greetings"];
        assert_eq!(
            did_you_mean(b"greting", names.into_iter()).as_deref(),
            Some("Did you mean one of greeting, greetings or meeting?")
        );
        assert_eq!(did_you_mean(b"zzzzzz", names.into_iter()), None);
        let many: [&[u8]; 7] = [b"a", b"b", b"c", b"d", b"e", b"f", b"g"];
        assert_eq!(
            did_you_mean(b"h", many.into_iter()).as_deref(),
            Some("Did you mean one of a, b, c, d or e?")
        );
    }
}
