//! The fetch cache, like C++ Nix's `fetcher-cache`: what a URL (or other key)
//! fetched to, with the time it was fetched, so that within `tarball-ttl` seconds
//! it is not fetched again. Entries are JSON files under
//! `$XDG_CACHE_HOME/nixie/fetch` (or `~/.cache/nixie/fetch`); a broken or
//! unreadable entry is treated as missing, and a failure to write one is ignored.

use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

/// Nix's default `tarball-ttl`, in seconds.
pub const DEFAULT_TTL: u64 = 3600;

/// The seconds an entry stays fresh: the `tarball-ttl` setting, else
/// [`DEFAULT_TTL`]. Zero means every entry is expired.
pub fn ttl(cx: &nixie_eval::Ctx<'_>) -> u64 {
    cx.settings().tarball_ttl.unwrap_or(DEFAULT_TTL)
}

/// The cache directory: `$XDG_CACHE_HOME/nixie/fetch` or `~/.cache/nixie/fetch`.
pub fn dir() -> PathBuf {
    let base = match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        Some(x) => PathBuf::from(x),
        None => {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/tmp".into())).join(".cache")
        }
    };
    base.join("nixie").join("fetch")
}

/// The current Unix time in seconds.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A cached entry: its information and whether it is older than the TTL.
pub struct Entry {
    /// What was recorded (fetcher-specific attributes).
    pub info: Json,
    /// Whether the entry is older than `tarball-ttl`.
    pub expired: bool,
}

fn file_of(kind: &str, key: &str) -> PathBuf {
    let h = Sha256::digest(format!("{kind}\0{key}").as_bytes());
    dir().join(format!("{kind}-{}.json", nixie_eval::store::hex(&h)))
}

/// The entry of `kind` (`file`, `tarball`, …) for `key` (usually a URL), if any;
/// it has expired after `ttl` seconds.
pub fn lookup(kind: &str, key: &str, ttl: u64) -> Option<Entry> {
    let text = std::fs::read(file_of(kind, key)).ok()?;
    let j: Json = serde_json::from_slice(&text).ok()?;
    if j.get("kind")?.as_str()? != kind || j.get("key")?.as_str()? != key {
        return None;
    }
    let time = j.get("timestamp")?.as_u64()?;
    Some(Entry {
        info: j.get("info")?.clone(),
        expired: ttl == 0 || time.saturating_add(ttl) < now(),
    })
}

/// Record (or replace) the entry of `kind` for `key`, stamped now.
pub fn upsert(kind: &str, key: &str, info: Json) {
    let path = file_of(kind, key);
    let j = json!({ "kind": kind, "key": key, "timestamp": now(), "info": info });
    let Some(parent) = path.parent() else { return };
    if std::fs::create_dir_all(parent).is_err() {
        return;
    }
    // Write a temporary file and rename it, so a reader never sees half an entry.
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, j.to_string()).is_ok() && std::fs::rename(&tmp, &path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}
