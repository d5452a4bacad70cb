//! Git remote locations as Nix normalises them (`fixGitURL`): absolute paths
//! become `file://` URLs, SCP-like `user@host:path` becomes an `ssh://` URL,
//! and a `git+` prefix on a URL's scheme is dropped.

use super::error::{FlakeError, FlakeResult, Warnings};
use super::ip::{format_ipv6, is_ipv4, parse_ipv6};
use super::url::{parse_url, parse_url_scheme, path_to_url_path, Authority, HostType, ParsedUrl};

/// Schemes Git handles itself, which are never read as an SCP host.
const GIT_SCHEMES: [&str; 7] = ["ssh", "http", "https", "file", "ftp", "ftps", "git"];

/// Whether `s` is one of [`GIT_SCHEMES`], with or without a `git+` prefix.
fn is_git_scheme(s: &str) -> bool {
    let s = s.strip_prefix("git+").unwrap_or(s);
    GIT_SCHEMES.contains(&s)
}

/// Where an SCP-like location splits into host and path, following Git's rules
/// (no `://`, no `/` before the first `:`, `[…]` hosts), or `None`.
fn scp_split(url: &str) -> Option<(&str, &str)> {
    if url.contains("://") {
        return None;
    }
    let colon = url.find(':')?;
    let mut host = &url[..colon];
    if host.contains('/') || is_git_scheme(host) {
        return None;
    }
    let bracket = match url.find("@[") {
        Some(at) => Some(at + 1),
        None => url.starts_with('[').then_some(0),
    };
    if let Some(start) = bracket {
        if let Some(close) = url[start + 1..].find(']').map(|i| i + start + 1) {
            if url[close + 1..].starts_with(':') {
                host = &url[..close + 1];
            } else {
                return None;
            }
        }
    }
    Some((host, &url[host.len() + 1..]))
}

/// The authority of an SCP-like host (`user@host`, `[v6]`, an IPv4 address).
fn scp_authority(host_part: &str) -> FlakeResult<(Authority, &str)> {
    let (user, host) = match host_part.split_once('@') {
        Some((u, h)) => (Some(u.to_string()), h),
        None => (None, host_part),
    };
    let (host_type, name) = if is_ipv4(host) {
        (HostType::IPv4, host.to_string())
    } else if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        let Some(groups) = parse_ipv6(inner) else {
            return Err(FlakeError::bad_url(format!(
                "Git SCP bracketed URL is not valid: '{inner}' is not a valid IPv6 address"
            )));
        };
        (HostType::IPv6, format_ipv6(&groups))
    } else {
        (HostType::Name, host.to_string())
    };
    let authority = Authority {
        host_type,
        host: name,
        user,
        ..Authority::default()
    };
    Ok((authority, host))
}

/// Nix's warning for an SCP-like location whose path is relative.
fn relative_scp_warning(url: &str, host: &str, path: &str, res: &ParsedUrl) -> String {
    let mut tilde = res.clone();
    tilde.path.insert(1, "~".into());
    format!(
        "SCP-style URL '{url}' has a relative path which cannot be faithfully converted to an SSH URL: \
         we will convert it to an absolute path when making an SSH URL.\n\n\
         Use an explicit absolute path:\n\n    {host}:/{path}\n\n\
         or with an explicit SSH URL:\n\n    {res}\n\n\
         instead, to explicitly use an absolute path (and silence this warning). \
         Or, to be relative to the remote user's home directory:\n\n    {host}:~/{path}\n\n\
         or with an explicit SSH URL:\n\n    {tilde}"
    )
}

/// An SCP-like location (`git@host:owner/repo`) as an `ssh://` URL, if it is one.
fn try_parse_scp(url: &str, w: &mut Warnings) -> FlakeResult<Option<ParsedUrl>> {
    let Some((host_part, path)) = scp_split(url) else {
        return Ok(None);
    };
    let (authority, host) = scp_authority(host_part)?;
    if path.is_empty() {
        return Err(FlakeError::bad_url(format!(
            "SCP-style Git URL '{url}' has an empty path"
        )));
    }
    let mut res = ParsedUrl {
        scheme: "ssh".into(),
        authority: Some(authority),
        path: path.split('/').map(str::to_string).collect(),
        ..ParsedUrl::default()
    };
    if !res.path[0].is_empty() {
        res.path.insert(0, String::new());
        if !res.path[1].starts_with('~') {
            w.push(relative_scp_warning(url, host, path, &res));
        }
    }
    Ok(Some(res))
}

/// A Git remote location as a URL, as Nix's `fixGitURL` makes it.
pub fn fix_git_url(url: &str, w: &mut Warnings) -> FlakeResult<ParsedUrl> {
    if url.starts_with('/') {
        return Ok(ParsedUrl {
            scheme: "file".into(),
            authority: Some(Authority::default()),
            path: path_to_url_path(url),
            ..ParsedUrl::default()
        });
    }
    if let Some(scp) = try_parse_scp(url, w)? {
        return Ok(scp);
    }
    let mut parsed = parse_url(url, false, w)?;
    if let (Some("git"), transport) = parse_url_scheme(&parsed.scheme) {
        parsed.scheme = transport.to_string();
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(s: &str) -> (String, usize) {
        let mut w = Vec::new();
        let u = fix_git_url(s, &mut w).unwrap().to_string();
        (u, w.len())
    }

    #[test]
    fn git_locations() {
        assert_eq!(fix("/srv/repo"), ("file:///srv/repo".into(), 0));
        assert_eq!(fix("git+https://h/r?x=1"), ("https://h/r?x=1".into(), 0));
        assert_eq!(
            fix("git@github.com:o/r"),
            ("ssh://git@github.com/o/r".into(), 1)
        );
        assert_eq!(fix("host:/abs"), ("ssh://host/abs".into(), 0));
        assert_eq!(fix("host:~/r"), ("ssh://host/~/r".into(), 0));
        assert_eq!(fix("u@[::0001]:r").0, "ssh://u@[::1]/r");
        assert!(fix_git_url("host:", &mut Vec::new()).is_err());
    }
}
