//! IP address literals in URL hosts: recognising dotted IPv4 and IPv6
//! addresses, and writing IPv6 addresses in their canonical short form.

/// Whether `s` is a dotted IPv4 address with octets written without leading zeros.
pub fn is_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|c| c.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// The 16-bit groups of one side of an IPv6 address (`last` allows a trailing
/// IPv4 address), or `None` if malformed.
fn groups(part: &str, last: bool) -> Option<Vec<u16>> {
    if part.is_empty() {
        return Some(Vec::new());
    }
    let items: Vec<&str> = part.split(':').collect();
    let mut out = Vec::new();
    for (i, g) in items.iter().enumerate() {
        if last && i == items.len() - 1 && g.contains('.') {
            if !is_ipv4(g) {
                return None;
            }
            let o: Vec<u16> = g.split('.').filter_map(|x| x.parse().ok()).collect();
            out.push(o[0] << 8 | o[1]);
            out.push(o[2] << 8 | o[3]);
        } else if (1..=4).contains(&g.len()) && g.bytes().all(|c| c.is_ascii_hexdigit()) {
            out.push(u16::from_str_radix(g, 16).ok()?);
        } else {
            return None;
        }
    }
    Some(out)
}

/// The eight groups of an IPv6 address (hex groups with at most one `::`,
/// possibly ending in an IPv4 address), or `None` if malformed.
pub fn parse_ipv6(s: &str) -> Option<[u16; 8]> {
    let mut out = [0u16; 8];
    match s.split_once("::") {
        Some((head, tail)) => {
            let (h, t) = (groups(head, false)?, groups(tail, true)?);
            if h.len() + t.len() > 7 {
                return None;
            }
            out[..h.len()].copy_from_slice(&h);
            out[8 - t.len()..].copy_from_slice(&t);
        }
        None => {
            let g = groups(s, true)?;
            if g.len() != 8 {
                return None;
            }
            out.copy_from_slice(&g);
        }
    }
    Some(out)
}

/// An IPv6 address in canonical form: lower-case hex without leading zeros,
/// the first longest run of two or more zero groups written `::`.
pub fn format_ipv6(g: &[u16; 8]) -> String {
    let (mut best, mut best_len, mut i) = (0, 0, 0);
    while i < 8 {
        let start = i;
        while i < 8 && g[i] == 0 {
            i += 1;
        }
        if i - start > best_len {
            (best, best_len) = (start, i - start);
        }
        i += 1;
    }
    let hex = |r: &[u16]| r.iter().map(|x| format!("{x:x}")).collect::<Vec<_>>();
    if best_len < 2 {
        return hex(g).join(":");
    }
    format!(
        "{}::{}",
        hex(&g[..best]).join(":"),
        hex(&g[best + best_len..]).join(":")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert!(is_ipv4("1.2.3.4"));
        assert!(!is_ipv4("1.2.3.256"));
        assert!(!is_ipv4("01.2.3.4"));
        let f = |s: &str| parse_ipv6(s).map(|g| format_ipv6(&g));
        assert_eq!(f("::1").as_deref(), Some("::1"));
        assert_eq!(f("0:0:0:0:0:0:0:1").as_deref(), Some("::1"));
        assert_eq!(
            f("2001:DB8:0:0:1:0:0:1").as_deref(),
            Some("2001:db8::1:0:0:1")
        );
        assert_eq!(f("::").as_deref(), Some("::"));
        assert_eq!(f("1:2:3:4:5:6:7:8").as_deref(), Some("1:2:3:4:5:6:7:8"));
        assert!(parse_ipv6("1:2").is_none());
        assert!(parse_ipv6("1::2::3").is_none());
    }
}
