//! Which store an invocation uses: `--store` / `NIX_REMOTE` (`dummy://`,
//! `local?root=DIR`, a directory, `local`/`daemon` for the system store), else the
//! per-user local store. `NIX_STORE_DIR` sets the logical store directory.

use nixie_eval::io::{Io, StdIo};
use nixie_eval::store::{DummyStore, Store};
use nixie_store::{LocalStore, StoreIo};
use std::path::PathBuf;
use std::rc::Rc;

/// The store and the IO that sees it.
pub struct StoreSetup {
    pub store: Rc<dyn Store>,
    pub io: Rc<dyn Io>,
}

/// The root directory a store URL names (`None` for the dummy store).
fn root_of(url: &str) -> Result<Option<PathBuf>, String> {
    if url == "dummy://" || url == "dummy" {
        return Ok(None);
    }
    if url == "auto" {
        return Ok(Some(LocalStore::default_root()));
    }
    if url == "local" || url == "daemon" || url == "unix://" {
        return Ok(Some(PathBuf::from("/")));
    }
    // Anything that looks like a path is a local store rooted there.
    if url.starts_with('/') || url.starts_with('.') || (url.contains('/') && !url.contains("://")) {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        return Ok(Some(nixie_eval::paths::resolve(&cwd, url)));
    }
    if let Some(params) = url.strip_prefix("local?") {
        for kv in params.split('&') {
            if let Some(root) = kv.strip_prefix("root=") {
                return Ok(Some(PathBuf::from(root)));
            }
        }
        return Ok(Some(PathBuf::from("/")));
    }
    Err(format!("don't know how to open Nix store with URI '{url}'"))
}

/// Open the store named by `url` (or the default).
pub fn open(url: Option<&str>) -> Result<StoreSetup, String> {
    let store_dir = std::env::var("NIX_STORE_DIR")
        .ok()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "/nix/store".into());
    let from_env = std::env::var("NIX_REMOTE").ok().filter(|u| !u.is_empty());
    let url = url.map(String::from).or(from_env);
    let root = match url.as_deref() {
        Some(u) => root_of(u)?,
        None => Some(LocalStore::default_root()),
    };
    let std_io: Rc<dyn Io> = Rc::new(StdIo);
    Ok(match root {
        None => StoreSetup {
            store: Rc::new(DummyStore::new(store_dir)),
            io: std_io,
        },
        Some(root) => {
            let store: Rc<dyn Store> = Rc::new(LocalStore::new(root, store_dir, true));
            StoreSetup {
                io: Rc::new(StoreIo::new(std_io, store.clone())),
                store,
            }
        }
    })
}
