//! Archives: unpacking `.tar` (plain or compressed with gzip, xz, bzip2 or
//! zstd, told apart by their magic numbers as libarchive does) and `.zip`, the
//! `tarball` entries of the fetch cache, and `builtins.fetchTarball`.

use super::{cache, err, sri, store_path_string, TempDir};
use nixie_eval::prelude::*;
use nixie_eval::store::FileIngestion;
use serde_json::json;
use std::io::Read;
use std::path::{Path, PathBuf};

/// What fetching a tarball produced.
pub struct Tarball {
    /// The store path of the unpacked tree.
    pub path: String,
    /// The SHA-256 of the tree's NAR.
    pub nar_sha256: [u8; 32],
    /// The newest modification time of the archive's entries.
    pub last_modified: u64,
}

fn archive_error(e: impl std::fmt::Display) -> Error {
    err(format!("Failed to open archive ({e})"))
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// Unpack `data` (any supported archive) into the empty directory `dest`;
/// returns the newest entry modification time (0 if none).
pub fn unpack(data: &[u8], dest: &Path) -> Result<u64, Error> {
    if data.is_empty() {
        return Ok(0);
    }
    if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(data)).map_err(archive_error)?;
        let mut newest = 0i64;
        for i in 0..z.len() {
            let f = z.by_index(i).map_err(archive_error)?;
            if let Some(t) = f.last_modified() {
                let days = days_from_civil(t.year().into(), t.month().into(), t.day().into());
                let secs = days * 86400
                    + i64::from(t.hour()) * 3600
                    + i64::from(t.minute()) * 60
                    + i64::from(t.second());
                newest = newest.max(secs);
            }
        }
        z.extract(dest)
            .map_err(|e| err(format!("cannot read file from tarball: {e}")))?;
        return Ok(newest.max(0) as u64);
    }
    let tar_bytes = decompress(data)?;
    let mut newest = 0u64;
    let mut ar = tar::Archive::new(&tar_bytes[..]);
    for e in ar.entries().map_err(archive_error)? {
        let e = e.map_err(archive_error)?;
        newest = newest.max(e.header().mtime().unwrap_or(0));
    }
    let mut ar = tar::Archive::new(&tar_bytes[..]);
    ar.set_preserve_mtime(false);
    ar.set_unpack_xattrs(false);
    ar.unpack(dest)
        .map_err(|e| err(format!("cannot read file from tarball: {e}")))?;
    Ok(newest)
}

fn decompress(data: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    let r: std::io::Result<usize> = if data.starts_with(&[0x1f, 0x8b]) {
        flate2::read::MultiGzDecoder::new(data).read_to_end(&mut out)
    } else if data.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        xz2::read::XzDecoder::new_multi_decoder(data).read_to_end(&mut out)
    } else if data.starts_with(b"BZh") {
        bzip2::read::MultiBzDecoder::new(data).read_to_end(&mut out)
    } else if data.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        zstd::stream::read::Decoder::new(data).and_then(|mut d| d.read_to_end(&mut out))
    } else if data.len() >= 262 && &data[257..262] == b"ustar" {
        return Ok(data.to_vec());
    } else {
        return Err(archive_error("Unrecognized archive format"));
    };
    r.map_err(|e| {
        err(format!(
            "Failed to open archive (decompression failed: {e})"
        ))
    })?;
    Ok(out)
}

/// The root of an unpacked tree: its only entry if that is a directory (as Nix
/// strips a single top-level directory), else the directory itself.
pub fn singleton_root(dir: &Path) -> PathBuf {
    let entries: Vec<_> = std::fs::read_dir(dir)
        .map(|r| r.filter_map(|e| e.ok()).collect())
        .unwrap_or_default();
    if let [only] = &entries[..] {
        if only.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            return only.path();
        }
    }
    dir.to_path_buf()
}

fn check_local(url: &str) -> Result<(), Error> {
    let Some(p) = super::url::file_url_path(url) else {
        return Ok(());
    };
    if !p.is_absolute() {
        return Err(err(format!("tarball '{url}' must use an absolute path. The 'file' scheme does not support relative paths.")));
    }
    if !p.exists() {
        return Err(err(format!("tarball \"{}\" does not exist.", p.display())));
    }
    if p.is_dir() {
        if p.join(".git").exists() {
            return Err(err(format!("tarball \"{}\" is a git repository, not a tarball. Please use `git+file` as the scheme.", p.display())));
        }
        return Err(err(format!(
            "tarball \"{}\" is a directory, not a file.",
            p.display()
        )));
    }
    Ok(())
}

/// Nix's `downloadTarball`: `url` unpacked into the store as `name`, through the
/// fetch cache. `check` sees the tree's NAR hash before it is ingested.
pub fn download_tarball(
    cx: &mut Ctx<'_>,
    url: &str,
    name: &str,
    check: &dyn Fn(&[u8; 32]) -> Result<(), Error>,
) -> Result<Tarball, Error> {
    check_local(url)?;
    let store = cx.store();
    if let Some(e) = cache::lookup("tarball", url, cache::ttl(cx)).filter(|e| !e.expired) {
        let got = (|| {
            let path = e.info.get("storePath")?.as_str()?.to_string();
            let nar = nixie_eval::encoding::hex_decode(e.info.get("narHash")?.as_str()?)?;
            let nar: [u8; 32] = nar.try_into().ok()?;
            let lm = e.info.get("lastModified")?.as_u64()?;
            store.is_valid(&path).ok()?.then_some((path, nar, lm))
        })();
        if let Some((path, nar, lm)) = got {
            let cached_name = path.rsplit('/').next().and_then(|b| b.get(33..));
            if cached_name == Some(name) {
                check(&nar)?;
                return Ok(Tarball {
                    path,
                    nar_sha256: nar,
                    last_modified: lm,
                });
            }
            // The same tree under another name: ingest it from the store.
            if let Some(src) = store.physical_path(Path::new(&path)) {
                check(&nar)?;
                let (p, sha) = cx.fetch_to_store(&src, name, FileIngestion::Recursive)?;
                return Ok(Tarball {
                    path: p.to_string(),
                    nar_sha256: sha,
                    last_modified: lm,
                });
            }
        }
    }
    let data = super::url::download(url)?;
    let tmp = TempDir::new("tarball").map_err(|e| err(e.to_string()))?;
    let dest = tmp.path().join("unpack");
    std::fs::create_dir(&dest).map_err(|e| err(e.to_string()))?;
    let last_modified = unpack(&data, &dest)?;
    let root = singleton_root(&dest);
    let nar = nixie_eval::store::nar_sha256(cx.io(), &root)
        .map_err(|e| err(format!("reading unpacked tarball: {e}")))?;
    check(&nar)?;
    let (path, sha) = cx.fetch_to_store(&root, name, FileIngestion::Recursive)?;
    let path = path.to_string();
    cache::upsert(
        "tarball",
        url,
        json!({
            "storePath": path,
            "narHash": nixie_eval::store::hex(&sha),
            "lastModified": last_modified,
        }),
    );
    Ok(Tarball {
        path,
        nar_sha256: sha,
        last_modified,
    })
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// How Nix shows a `file` or `tarball` input: its URL with `narHash` added.
pub fn input_string(url: &str, nar: Option<&[u8]>) -> String {
    match nar {
        Some(h) => {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}narHash={}", percent_encode(&sri(h)))
        }
        None => url.to_string(),
    }
}

/// Nix's `checkLocks` failure for a NAR hash.
pub fn nar_mismatch(input: &str, want: &[u8], got: &[u8]) -> Error {
    err(format!(
        "NAR hash mismatch in input '{input}', expected '{}' but got '{}'",
        sri(want),
        sri(got)
    ))
}

/// `builtins.fetchTarball` on checked arguments: the unpacked tree's store path.
pub fn fetch_tarball(cx: &mut Ctx<'_>, a: &super::url::FetchArgs) -> Result<NixString, Error> {
    let want = a.expected.as_ref().map(|h| h.digest.clone());
    if let Some(w) = &want {
        let p = nixie_eval::store::fixed_output_path(
            &a.name,
            FileIngestion::Recursive,
            "sha256",
            w,
            &cx.store_dir(),
        );
        if cx.store().is_valid(&p).unwrap_or(false) {
            return Ok(store_path_string(&p));
        }
    }
    let input = input_string(&a.url, want.as_deref());
    let check =
        |got: &[u8; 32]| match &want {
            Some(w) if w[..] != got[..] => Err(nar_mismatch(&input, w, got)
                .with_hint(format!("while fetching the input '{input}'"))),
            _ => Ok(()),
        };
    let t = download_tarball(cx, &a.url, &a.name, &check)?;
    Ok(store_path_string(&t.path))
}
