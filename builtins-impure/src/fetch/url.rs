//! Downloading: HTTP(S) through `ureq` (blocking, rustls), `file://` URLs read
//! directly; the `file` entries of the fetch cache; and `builtins.fetchurl`, which
//! puts a download into the store as a flat file.

use super::{cache, err, store_path_string};
use nixie_eval::hash::{Hash, HashFormat};
use nixie_eval::prelude::*;
use nixie_eval::store::FileIngestion;
use serde_json::json;
use sha2::{Digest, Sha256};

/// The arguments `fetchurl` and `fetchTarball` take (Nix's `fetch` helper).
pub struct FetchArgs {
    /// Which builtin is called (`fetchurl` or `fetchTarball`), for messages.
    pub who: &'static str,
    /// The URL to fetch.
    pub url: String,
    /// The expected SHA-256 (`sha256`), of the file or of the unpacked tree's NAR.
    pub expected: Option<Hash>,
    /// The store path name.
    pub name: String,
}

async fn string_no_ctx(co: &mut Co, v: Value, what: &str) -> Result<String, Error> {
    let s: NixString = co
        .force_to(v)
        .await
        .map_err(|e| e.with_hint(what.to_string()))?;
    s.require_no_context()?;
    Ok(s.to_string())
}

/// The last component of a URL, as Nix's `baseNameOf` takes it.
pub fn base_name_of(url: &str) -> String {
    let t = url.strip_suffix('/').unwrap_or(url);
    t.rsplit('/').next().unwrap_or(t).to_string()
}

/// Read `fetchurl`'s or `fetchTarball`'s argument: a URL or a set of `url`,
/// `sha256` and `name`, checked as Nix checks them.
pub async fn fetch_args(co: &mut Co, arg: Value, who: &'static str) -> Result<FetchArgs, Error> {
    let arg = co.force(arg).await;
    let mut url = None;
    let mut expected = None;
    let mut name = if who == "fetchTarball" { "source" } else { "" }.to_string();
    let mut name_passed = false;
    let is_attrs = matches!(arg, Value::Attrs(_));
    if let Value::Attrs(attrs) = &arg {
        for (n, v) in attrs.iter() {
            match n.as_bytes() {
                b"url" => {
                    url = Some(
                        string_no_ctx(co, v.clone(), "while evaluating the url we should fetch")
                            .await?,
                    )
                }
                b"sha256" => {
                    let h = string_no_ctx(
                        co,
                        v.clone(),
                        "while evaluating the sha256 of the content we should fetch",
                    )
                    .await?;
                    expected = Some(if h.is_empty() {
                        let h = Hash {
                            algo: "sha256",
                            digest: vec![0; 32],
                        };
                        co.ctx(|cx| {
                            cx.warn(&format!(
                                "warning: found empty hash, assuming '{}'\n",
                                h.to_string(HashFormat::Sri)
                            ))
                        });
                        h
                    } else {
                        Hash::parse_any(&h, Some("sha256"))?
                    });
                }
                b"name" => {
                    name_passed = true;
                    name = string_no_ctx(
                        co,
                        v.clone(),
                        "while evaluating the name of the content we should fetch",
                    )
                    .await?;
                }
                _ => return Err(err(format!("unsupported argument '{n}' to '{who}'"))),
            }
        }
    } else {
        url = Some(string_no_ctx(co, arg, "while evaluating the url we should fetch").await?);
    }
    let Some(url) = url else {
        return Err(err("'url' argument required"));
    };
    if url.starts_with("channel:") && who == "fetchTarball" {
        return Err(err(format!(
            "unable to fetch '{url}': channel URLs need the network, which nixie's fetchTarball does not resolve"
        )));
    }
    if name.is_empty() {
        name = base_name_of(&url);
    }
    if let Err(e) = nixie_eval::store::validate_name(&name) {
        let resolution = if name_passed {
            format!("Please change the value for the 'name' attribute passed to '{who}', so that it can create a valid store path.")
        } else if is_attrs {
            format!("Please add a valid 'name' attribute to the argument for '{who}', so that it can create a valid store path.")
        } else {
            format!("Please pass an attribute set with 'url' and 'name' attributes to '{who}',  so that it can create a valid store path.")
        };
        return Err(err(format!(
            "invalid store path name when fetching URL '{url}': {e}. {resolution}"
        )));
    }
    if expected.is_none() && co.ctx(|cx| cx.settings().pure_eval) {
        return Err(err(format!(
            "in pure evaluation mode, '{who}' requires a 'sha256' argument"
        )));
    }
    Ok(FetchArgs {
        who,
        url,
        expected,
        name,
    })
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// The local path of a `file://` URL (`None` for other URLs).
pub fn file_url_path(url: &str) -> Option<std::path::PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    let rest = url.strip_prefix("file://")?;
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    Some(std::path::PathBuf::from(std::ffi::OsString::from_vec(
        percent_decode(rest),
    )))
}

/// Download `url` into memory, failing with Nix's (curl's) wording.
pub fn download(url: &str) -> Result<Vec<u8>, Error> {
    if let Some(p) = file_url_path(url) {
        return std::fs::read(&p).map_err(|_| {
            err(format!(
                "unable to download '{url}': Couldn't read a file:// file (37) Couldn't open file {}",
                p.display()
            ))
        });
    }
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        let scheme = url.split(':').next().unwrap_or(url);
        return Err(err(format!(
            "unable to download '{url}': Unsupported protocol (1) Protocol \"{scheme}\" not supported"
        )));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .user_agent(concat!("nixie/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut resp = agent.get(url).call().map_err(|e| {
        let what = match &e {
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                "Couldn't connect to server (7) "
            }
            ureq::Error::HostNotFound => "Couldn't resolve host name (6) ",
            ureq::Error::ConnectionFailed => "Couldn't connect to server (7) ",
            _ => "",
        };
        err(format!("unable to download '{url}': {what}{e}"))
    })?;
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(u64::MAX)
        .read_to_vec()
        .map_err(|e| err(format!("unable to download '{url}': {e}")))?;
    if status >= 400 {
        let mut msg = format!("unable to download '{url}': HTTP error {status}");
        let text = String::from_utf8_lossy(&body);
        if !body.is_empty() && (body.len() < 1024 || text.contains("<html>")) {
            msg.push_str("\n\nresponse body:\n\n");
            msg.push_str(text.trim_end_matches(['\n', '\r', ' ', '\t']));
        }
        return Err(err(msg));
    }
    Ok(body)
}

/// Nix's `downloadFile`: `url` in the store as the flat file `name`, through the
/// fetch cache. `check` sees the contents before anything is ingested (a failure
/// leaves the store as it was). Returns the store path, the file's SHA-256 and
/// the SHA-256 of its NAR.
pub fn download_file(
    cx: &mut Ctx<'_>,
    url: &str,
    name: &str,
    check: &dyn Fn(&[u8; 32]) -> Result<(), Error>,
) -> Result<(String, [u8; 32], [u8; 32]), Error> {
    let key = format!("{url}\0{name}");
    let store = cx.store();
    let cached = cache::lookup("file", &key, cache::ttl(cx)).and_then(|e| {
        let path = e.info.get("storePath")?.as_str()?.to_string();
        let sha = nixie_eval::encoding::hex_decode(e.info.get("sha256")?.as_str()?)?;
        let sha: [u8; 32] = sha.try_into().ok()?;
        let nar = nixie_eval::encoding::hex_decode(e.info.get("narHash")?.as_str()?)?;
        let nar: [u8; 32] = nar.try_into().ok()?;
        store
            .is_valid(&path)
            .unwrap_or(false)
            .then_some((path, sha, nar, e.expired))
    });
    if let Some((path, sha, nar, false)) = &cached {
        check(sha)?;
        return Ok((path.clone(), *sha, *nar));
    }
    let data = match download(url) {
        Ok(d) => d,
        Err(e) => match cached {
            Some((path, sha, nar, _)) => {
                cx.warn(&format!("warning: {}; using cached version\n", e.message()));
                check(&sha)?;
                return Ok((path, sha, nar));
            }
            None => return Err(e),
        },
    };
    let sha: [u8; 32] = Sha256::digest(&data).into();
    check(&sha)?;
    let nar: [u8; 32] = Sha256::digest(nixie_eval::store::nar_of_file(&data, false)).into();
    let tmp = super::TempDir::new("fetchurl").map_err(|e| err(e.to_string()))?;
    let file = tmp.path().join("download");
    std::fs::write(&file, &data).map_err(|e| err(format!("writing '{}': {e}", file.display())))?;
    let (path, _) = cx.fetch_to_store(&file, name, FileIngestion::Flat)?;
    let path = path.to_string();
    cache::upsert(
        "file",
        &key,
        json!({
            "storePath": path,
            "sha256": nixie_eval::store::hex(&sha),
            "narHash": nixie_eval::store::hex(&nar),
            "url": url,
        }),
    );
    Ok((path, sha, nar))
}

/// `builtins.fetchurl` on checked arguments: the downloaded file's store path.
pub fn fetchurl(cx: &mut Ctx<'_>, a: &FetchArgs) -> Result<NixString, Error> {
    if let Some(h) = &a.expected {
        let store_dir = cx.store_dir();
        let want = nixie_eval::store::fixed_output_path(
            &a.name,
            FileIngestion::Flat,
            h.algo,
            &h.digest,
            &store_dir,
        );
        if cx.store().is_valid(&want).unwrap_or(false) {
            return Ok(store_path_string(&want));
        }
    }
    let check = |got: &[u8; 32]| -> Result<(), Error> {
        match &a.expected {
            Some(h) if h.digest != got[..] => {
                let got = Hash {
                    algo: "sha256",
                    digest: got.to_vec(),
                };
                Err(err(format!(
                    "hash mismatch in file downloaded from '{}':\n  specified: {}:{}\n  got:       {}:{}",
                    a.url,
                    h.algo,
                    h.to_string(HashFormat::Nix32),
                    got.algo,
                    got.to_string(HashFormat::Nix32)
                )))
            }
            _ => Ok(()),
        }
    };
    let _ = a.who;
    let (path, _, _) = download_file(cx, &a.url, &a.name, &check)?;
    Ok(store_path_string(&path))
}
