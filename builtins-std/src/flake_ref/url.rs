//! URLs as current Nix reads and writes them: RFC 3986 syntax (as Boost.URL
//! checks it), a scheme, an optional authority, the path as percent-decoded
//! segments, the query as a sorted map and a decoded fragment.

use super::error::{FlakeError, FlakeResult, Warnings};
use super::ip;
use std::collections::BTreeMap;

/// A decoded URL query: names to values, sorted by name.
pub type Query = BTreeMap<String, String>;

/// How the host of an authority is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HostType {
    /// A registered name (or empty).
    #[default]
    Name,
    /// A dotted IPv4 address.
    IPv4,
    /// An IPv6 address (written in brackets).
    IPv6,
    /// A future IP literal `vX.…` (written in brackets).
    IPvFuture,
}

/// The `user:password@host:port` part of a URL, decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Authority {
    /// How the host is written.
    pub host_type: HostType,
    /// The host, without brackets.
    pub host: String,
    /// The user name, if there is user information.
    pub user: Option<String>,
    /// The password, if the user information has a `:`.
    pub password: Option<String>,
    /// The port, if one is given.
    pub port: Option<u16>,
}

/// A parsed URL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedUrl {
    /// The scheme, as written (e.g. `git+https`).
    pub scheme: String,
    /// The authority, if the URL has `//`.
    pub authority: Option<Authority>,
    /// The path split at `/`, each segment percent-decoded; an absolute path
    /// starts with an empty segment.
    pub path: Vec<String>,
    /// The decoded query.
    pub query: Query,
    /// The decoded fragment (empty if none).
    pub fragment: String,
}

/// Whether a byte is unreserved in a URL (letters, digits, `-._~`).
fn is_unreserved(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~')
}

/// Whether a byte is one of RFC 3986's sub-delimiters.
fn is_sub_delim(c: u8) -> bool {
    matches!(
        c,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

/// Whether `s` consists of unreserved characters, sub-delimiters, well-formed
/// percent escapes and the bytes in `extra`.
fn valid_chars(s: &str, extra: &[u8]) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            if i + 2 >= b.len() {
                return false;
            }
            if !(b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit()) {
                return false;
            }
            i += 3;
            continue;
        }
        if !(is_unreserved(c) || is_sub_delim(c) || extra.contains(&c)) {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether `s` is made of path characters (`pchar`: unreserved characters,
/// sub-delimiters, `:`, `@`, percent escapes) and the bytes in `extra`.
pub fn valid_pchars(s: &str, extra: &[u8]) -> bool {
    let mut all = vec![b':', b'@'];
    all.extend_from_slice(extra);
    valid_chars(s, &all)
}

/// `s` with every byte that is not unreserved and not in `keep` written as an
/// upper-case percent escape.
pub fn percent_encode(s: &str, keep: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if is_unreserved(c) || keep.as_bytes().contains(&c) {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

/// `s` with the bytes in `set` percent-escaped and everything else as it is.
fn encode_chars(s: &str, set: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() && set.contains(&(c as u8)) {
            out.push_str(&format!("%{:02X}", c as u8));
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` with its percent escapes decoded, or Nix's error for a malformed escape.
pub fn percent_decode(s: &str) -> FlakeResult<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let hex = |j: usize| b.get(j).and_then(|c| (*c as char).to_digit(16));
        match (hex(i + 1), hex(i + 2)) {
            (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
            _ => {
                let why = if i + 2 >= b.len() {
                    "incomplete pct-encoding"
                } else {
                    "bad hexdig in pct-encoding"
                };
                return Err(FlakeError::bad_url(format!(
                    "invalid URI parameter '{s}': {why}"
                )));
            }
        }
        i += 3;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Decode a query (`a=1&b=2`). Parameters without `=` are skipped with a
/// warning; the first of repeated names wins. `lenient` also takes unescaped
/// spaces and double quotes.
pub fn decode_query(query: &str, lenient: bool, w: &mut Warnings) -> FlakeResult<Query> {
    let fixed = if lenient {
        encode_chars(query, b" \"")
    } else {
        query.to_string()
    };
    if !valid_pchars(&fixed, b"/?") {
        return Err(FlakeError::bad_url(format!(
            "invalid URI query '{query}': leftover"
        )));
    }
    let mut out = Query::new();
    if fixed.is_empty() {
        return Ok(out);
    }
    for param in fixed.split('&') {
        match param.split_once('=') {
            Some((k, v)) => {
                let (k, v) = (percent_decode(k)?, percent_decode(v)?);
                out.entry(k).or_insert(v);
            }
            None => w.push(format!(
                "dubious URI query '{param}' is missing equal sign '=', ignoring"
            )),
        }
    }
    Ok(out)
}

/// A query written as `name=value&…`, names and values escaped.
pub fn encode_query(q: &Query) -> String {
    let parts: Vec<String> = q
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                percent_encode(k, ":@/?"),
                percent_encode(v, ":@/?")
            )
        })
        .collect();
    parts.join("&")
}

/// Path segments escaped and joined with `/`.
pub fn encode_url_path(path: &[String]) -> String {
    let parts: Vec<String> = path.iter().map(|p| percent_encode(p, ":@")).collect();
    parts.join("/")
}

/// A scheme split at its first `+` into the application and transport parts
/// (`tarball+https` is `(Some("tarball"), "https")`).
pub fn parse_url_scheme(scheme: &str) -> (Option<&str>, &str) {
    match scheme.split_once('+') {
        Some((app, transport)) => (Some(app), transport),
        None => (None, scheme),
    }
}

impl std::fmt::Display for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(user) = &self.user {
            write!(f, "{}", percent_encode(user, ""))?;
            if let Some(pw) = &self.password {
                write!(f, ":{}", percent_encode(pw, ""))?;
            }
            write!(f, "@")?;
        }
        match self.host_type {
            HostType::Name => write!(f, "{}", percent_encode(&self.host, ""))?,
            HostType::IPv4 => write!(f, "{}", self.host)?,
            HostType::IPv6 | HostType::IPvFuture => {
                write!(f, "[{}]", percent_encode(&self.host, ":"))?
            }
        }
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

impl std::fmt::Display for ParsedUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:", self.scheme)?;
        if let Some(a) = &self.authority {
            write!(f, "//{a}")?;
        }
        write!(f, "{}", encode_url_path(&self.path))?;
        if !self.query.is_empty() {
            write!(f, "?{}", encode_query(&self.query))?;
        }
        if !self.fragment.is_empty() {
            write!(f, "#{}", percent_encode(&self.fragment, ""))?;
        }
        Ok(())
    }
}

/// The URL with unescaped spaces and quotes in its query, and spaces, quotes and
/// carets in its fragment, escaped (what Nix accepts for compatibility).
fn lenient_fixup(url: &str) -> String {
    let mut fixed = String::with_capacity(url.len());
    let mut view = url;
    if let Some((before, after)) = view.split_once('?') {
        fixed.push_str(before);
        fixed.push('?');
        let end = after.find('#').unwrap_or(after.len());
        fixed.push_str(&encode_chars(&after[..end], b" \""));
        view = &after[end..];
    }
    if let Some((before, after)) = view.split_once('#') {
        fixed.push_str(before);
        fixed.push('#');
        fixed.push_str(&encode_chars(after, b" \"^"));
        return fixed;
    }
    fixed.push_str(view);
    fixed
}

/// The still-encoded parts of a URI reference.
struct RawParts<'a> {
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    path: &'a str,
    query: &'a str,
    fragment: Option<&'a str>,
}

/// The scheme of a URI reference and the rest, if it starts with one.
fn split_scheme(s: &str) -> (Option<&str>, &str) {
    let b = s.as_bytes();
    if !b.first().is_some_and(|c| c.is_ascii_alphabetic()) {
        return (None, s);
    }
    let end = b
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')))
        .unwrap_or(b.len());
    if b.get(end) == Some(&b':') {
        (Some(&s[..end]), &s[end + 1..])
    } else {
        (None, s)
    }
}

/// Split a URI reference into its parts and check their characters.
fn split_reference(s: &str) -> Option<RawParts<'_>> {
    let (scheme, rest) = split_scheme(s);
    let (rest, fragment) = match rest.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (rest, None),
    };
    let (hier, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = match hier.strip_prefix("//") {
        Some(a) => {
            let end = a.find('/').unwrap_or(a.len());
            (Some(&a[..end]), &a[end..])
        }
        None => (None, hier),
    };
    if scheme.is_none() && authority.is_none() {
        let first = path.split('/').next().unwrap_or("");
        if first.contains(':') {
            return None;
        }
    }
    let ok = valid_pchars(path, b"/")
        && valid_pchars(query, b"/?")
        && fragment.is_none_or(|f| valid_pchars(f, b"/?"));
    ok.then_some(RawParts {
        scheme,
        authority,
        path,
        query,
        fragment,
    })
}

/// Whether `s` is an IPv6 address, optionally with a `%25` zone of unreserved
/// characters and escapes.
fn is_ipv6(s: &str) -> bool {
    let (addr, zone) = s.split_once("%25").unwrap_or((s, "x"));
    !zone.is_empty()
        && valid_chars(zone, b"")
        && !zone.bytes().any(is_sub_delim)
        && ip::parse_ipv6(addr).is_some()
}

/// Whether `s` (between brackets) is an `IPvFuture` literal (`vX.…`).
fn is_ipvfuture(s: &str) -> bool {
    let Some(rest) = s.strip_prefix(['v', 'V']) else {
        return false;
    };
    let Some((ver, addr)) = rest.split_once('.') else {
        return false;
    };
    !ver.is_empty()
        && ver.bytes().all(|c| c.is_ascii_hexdigit())
        && !addr.is_empty()
        && addr
            .bytes()
            .all(|c| is_unreserved(c) || is_sub_delim(c) || c == b':')
}

/// The host and its kind, and the port text, of `host[:port]`; `None` if malformed.
fn split_host_port(hp: &str) -> Option<(HostType, String, &str)> {
    if let Some(rest) = hp.strip_prefix('[') {
        let (lit, after) = rest.split_once(']')?;
        let port = match after {
            "" => "",
            p => p.strip_prefix(':')?,
        };
        let kind = if is_ipvfuture(lit) {
            HostType::IPvFuture
        } else if is_ipv6(lit) {
            HostType::IPv6
        } else {
            return None;
        };
        return Some((kind, percent_decode(lit).ok()?, port));
    }
    let (host, port) = hp.split_once(':').unwrap_or((hp, ""));
    if !valid_chars(host, b"") {
        return None;
    }
    if ip::is_ipv4(host) {
        return Some((HostType::IPv4, host.to_string(), port));
    }
    Some((HostType::Name, percent_decode(host).ok()?, port))
}

/// Parse an encoded authority; `Ok(None)` if it is malformed.
fn parse_authority(a: &str) -> FlakeResult<Option<Authority>> {
    let (userinfo, hostport) = match a.split_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, a),
    };
    if userinfo.is_some_and(|u| !valid_chars(u, b":")) {
        return Ok(None);
    }
    let Some((host_type, host, port)) = split_host_port(hostport) else {
        return Ok(None);
    };
    if !port.bytes().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let port = if port.is_empty() {
        None
    } else {
        match port.parse::<u16>() {
            Ok(n) if n != 0 => Some(n),
            _ => return Err(FlakeError::bad_url(format!("port '{port}' is invalid"))),
        }
    };
    let (user, password) = match userinfo {
        None => (None, None),
        Some(u) => match u.split_once(':') {
            Some((n, p)) => (Some(percent_decode(n)?), Some(percent_decode(p)?)),
            None => (Some(percent_decode(u)?), None),
        },
    };
    Ok(Some(Authority {
        host_type,
        host,
        user,
        password,
        port,
    }))
}

/// Parse a URL as Nix's `parseURL` does. `lenient` accepts unescaped spaces and
/// quotes in the query, and spaces, quotes and carets in the fragment.
pub fn parse_url(url: &str, lenient: bool, w: &mut Warnings) -> FlakeResult<ParsedUrl> {
    let fixed = if lenient {
        lenient_fixup(url)
    } else {
        url.to_string()
    };
    let invalid = || FlakeError::bad_url(format!("'{url}' is not a valid URL: leftover"));
    let raw = split_reference(&fixed).ok_or_else(invalid)?;
    // A malformed authority is a syntax error; a bad port number is only found
    // after the scheme is checked.
    let authority = raw.authority.map(parse_authority);
    if let Some(Ok(None)) = authority {
        return Err(invalid());
    }
    let Some(scheme) = raw.scheme else {
        return Err(FlakeError::bad_url(format!(
            "'{fixed}' doesn't have a scheme"
        )));
    };
    let authority = authority.transpose()?.flatten();
    let is_file = parse_url_scheme(scheme).1 == "file";
    if let Some(a) = authority.as_ref().filter(|a| is_file && !a.host.is_empty()) {
        return Err(FlakeError::bad_url(format!(
            "file:// URL '{fixed}' has unexpected authority '{a}'"
        )));
    }
    let encoded_path = if is_file && raw.path.is_empty() {
        "/"
    } else {
        raw.path
    };
    let path = encoded_path
        .split('/')
        .map(percent_decode)
        .collect::<FlakeResult<Vec<_>>>()?;
    Ok(ParsedUrl {
        scheme: scheme.to_string(),
        authority,
        path,
        query: decode_query(raw.query, lenient, w)?,
        fragment: percent_decode(raw.fragment.unwrap_or(""))?,
    })
}

/// The segments of a URL path that are not empty.
pub fn nonempty_segments(path: &[String]) -> Vec<String> {
    path.iter().filter(|s| !s.is_empty()).cloned().collect()
}

/// A file system path as URL path segments, the way `std::filesystem::path`
/// splits it: repeated slashes collapse, and a trailing slash gives an empty
/// element (plus the empty file name Nix adds for it).
pub fn path_to_url_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    if path.starts_with('/') {
        out.push(String::new());
    }
    let rel = path.trim_start_matches('/');
    out.extend(rel.split('/').filter(|c| !c.is_empty()).map(str::to_string));
    if !rel.is_empty() && rel.ends_with('/') {
        out.push(String::new());
    }
    if path.is_empty() || path.ends_with('/') {
        out.push(String::new());
    }
    out
}

/// URL path segments as a file system path (`/` joins segments, an empty first
/// segment makes it absolute), or Nix's error for a segment with `/` or NUL.
pub fn url_path_to_path(path: &[String]) -> FlakeResult<String> {
    for comp in path {
        if comp.contains('/') {
            return Err(FlakeError::bad_url(format!(
                "URL path component '{comp}' contains '/', which is not allowed in file names"
            )));
        }
        if comp.contains('\0') {
            let shown = comp.replace('\0', "\u{2400}");
            return Err(FlakeError::bad_url(format!(
                "URL path component '{shown}' contains NUL byte which is not allowed"
            )));
        }
    }
    let mut it = path.iter().peekable();
    let mut out = String::new();
    if it.peek().is_some_and(|s| s.is_empty()) {
        it.next();
        out.push('/');
    }
    for seg in it {
        if !out.is_empty() && !out.ends_with('/') {
            out.push('/');
        }
        out.push_str(seg);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> ParsedUrl {
        parse_url(s, true, &mut Vec::new()).unwrap()
    }

    #[test]
    fn splits_and_prints_urls() {
        let u = parse("git+ssh://git@example.org:2222/a%20b/c?ref=x&z=%2F#frag");
        assert_eq!(u.scheme, "git+ssh");
        let a = u.authority.clone().unwrap();
        assert_eq!(
            (a.user.as_deref(), a.host.as_str(), a.port),
            (Some("git"), "example.org", Some(2222))
        );
        assert_eq!(u.path, ["", "a b", "c"]);
        assert_eq!(u.query.get("z").map(String::as_str), Some("/"));
        assert_eq!(u.fragment, "frag");
        assert_eq!(
            u.to_string(),
            "git+ssh://git@example.org:2222/a%20b/c?ref=x&z=/#frag"
        );
        assert_eq!(parse("file://").to_string(), "file:///");
        assert_eq!(
            parse("http://[::1]:80/x").authority.unwrap().host_type,
            HostType::IPv6
        );
    }

    #[test]
    fn rejects_malformed_urls() {
        let w = &mut Vec::new();
        for bad in [
            "a b:c",
            "http://h:x/",
            "x:%zz",
            "http://[zz]/",
            "/abs",
            "git@h:p",
        ] {
            assert!(parse_url(bad, false, w).unwrap_err().is_bad_url(), "{bad}");
        }
        assert_eq!(
            parse_url("http://h:0/", false, w).unwrap_err().message(),
            "port '0' is invalid"
        );
    }

    #[test]
    fn lenient_query_and_warnings() {
        let mut w = Vec::new();
        let u = parse_url("a:b?x=a b&y&x=2#c d^", true, &mut w).unwrap();
        assert_eq!(u.query.get("x").map(String::as_str), Some("a b"));
        assert_eq!(u.fragment, "c d^");
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn file_system_paths() {
        assert_eq!(path_to_url_path("/"), ["", ""]);
        assert_eq!(path_to_url_path("/foo/"), ["", "foo", "", ""]);
        assert_eq!(path_to_url_path("//a//b"), ["", "a", "b"]);
        assert_eq!(path_to_url_path("rel"), ["rel"]);
        let back = |p: &str| url_path_to_path(&path_to_url_path(p)).unwrap();
        assert_eq!(back("/foo/"), "/foo/");
        assert_eq!(back("/a/./b"), "/a/./b");
        assert_eq!(back("/"), "/");
    }
}
