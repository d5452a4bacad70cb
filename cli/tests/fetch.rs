//! The fetchers end to end: `nixie` run on `file://` URLs, an HTTP server on
//! 127.0.0.1 started here, and a Git repository made here. Expected store
//! paths were checked against C++ Nix 2.8 (`nix-instantiate --read-write-mode`
//! with a local store under a root).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nixie-fetch-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Evaluate `expr` strictly with a store and a fetch cache under `dir`.
fn eval(dir: &Path, expr: &str) -> Result<String, String> {
    eval_with(dir, expr, &[])
}

/// As [`eval`], with more command-line arguments.
fn eval_with(dir: &Path, expr: &str, extra: &[&str]) -> Result<String, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_nixie"))
        .args(extra)
        .args([
            "--read-write-mode",
            "--eval",
            "--strict",
            "-E",
            expr,
            "--store",
        ])
        .arg(dir.join("store"))
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env_remove("NIX_PATH")
        .env_remove("NIX_STORE_DIR")
        .output()
        .unwrap();
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn store_entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("store/nix/store"))
        .map(|r| {
            r.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// A tiny HTTP server: `/x` is "hello\n", anything else 404; counts requests.
fn serve() -> (u16, Arc<AtomicUsize>) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    std::thread::spawn(move || {
        for s in l.incoming().take(50) {
            let Ok(mut s) = s else { continue };
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]);
            h.fetch_add(1, Ordering::SeqCst);
            let path = req.split_whitespace().nth(1).unwrap_or("");
            let (status, body) = if path.ends_with("/x") {
                ("200 OK", "hello\n")
            } else {
                ("404 Not Found", "no such file")
            };
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, hits)
}

// C++ Nix 2.8: builtins.fetchurl of a file named `x` holding "hello\n".
const HELLO_X: &str = "\"/nix/store/974pyy65p8annw3kp4ibcknbhz1pndwm-x\"";

#[test]
fn fetchurl_file_url_and_hash_mismatch() {
    let d = scratch("url");
    std::fs::write(d.join("x"), "hello\n").unwrap();
    let url = format!("file://{}/x", d.display());
    assert_eq!(
        eval(&d, &format!("builtins.fetchurl \"{url}\"")).unwrap(),
        HELLO_X
    );
    let e = eval(
        &d,
        &format!("builtins.fetchurl {{ url = \"{url}/../y\"; name = \"y\"; sha256 = \"0000000000000000000000000000000000000000000000000000\"; }}"),
    )
    .unwrap_err();
    assert!(e.contains("unable to download"), "{e}");
    let before = store_entries(&d);
    let e = eval(
        &d,
        &format!("builtins.fetchurl {{ url = \"{url}\"; name = \"z\"; sha256 = \"0000000000000000000000000000000000000000000000000000\"; }}"),
    )
    .unwrap_err();
    assert!(
        e.contains(&format!("hash mismatch in file downloaded from '{url}':\n         specified: sha256:0000000000000000000000000000000000000000000000000000\n         got:       sha256:")),
        "{e}"
    );
    assert_eq!(store_entries(&d), before, "nothing added on a mismatch");
}

#[test]
fn fetchurl_http_cache_and_404() {
    let d = scratch("http");
    let (port, hits) = serve();
    let e = format!("builtins.fetchurl \"http://127.0.0.1:{port}/x\"");
    assert_eq!(eval(&d, &e).unwrap(), HELLO_X);
    assert_eq!(eval(&d, &e).unwrap(), HELLO_X);
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "second fetch came from the cache"
    );
    // With no time to live, every fetch downloads again.
    let ttl0 = ["--option", "tarball-ttl", "0"];
    assert_eq!(eval_with(&d, &e, &ttl0).unwrap(), HELLO_X);
    assert_eq!(
        hits.load(Ordering::SeqCst),
        2,
        "tarball-ttl 0 skips the cache"
    );
    let err = eval(
        &d,
        &format!("builtins.fetchurl \"http://127.0.0.1:{port}/missing\""),
    )
    .unwrap_err();
    assert!(
        err.contains(&format!(
            "unable to download 'http://127.0.0.1:{port}/missing': HTTP error 404"
        )),
        "{err}"
    );
}

fn make_tarball(path: &Path) {
    let f = std::fs::File::create(path).unwrap();
    let gz = flate2::write::GzEncoder::new(f, flate2::Compression::default());
    let mut b = tar::Builder::new(gz);
    for (name, data, mode) in [("top/a", "a\n", 0o755), ("top/sub/b", "b\n", 0o644)] {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(mode);
        h.set_mtime(1_600_000_000);
        h.set_cksum();
        b.append_data(&mut h, name, data.as_bytes()).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap();
}

#[test]
fn fetch_tarball_and_tree() {
    let d = scratch("tar");
    make_tarball(&d.join("t.tar.gz"));
    let url = format!("file://{}/t.tar.gz", d.display());
    let p = eval(&d, &format!("builtins.fetchTarball \"{url}\"")).unwrap();
    let a = eval(
        &d,
        &format!("builtins.readFile \"${{builtins.fetchTarball \"{url}\"}}/sub/b\""),
    )
    .unwrap();
    assert_eq!(a, "\"b\\n\"");
    let t = eval(&d, &format!("let t = builtins.fetchTree {{ type = \"tarball\"; url = \"{url}\"; }}; in [ t.outPath t.lastModified t.narHash ]")).unwrap();
    assert!(t.starts_with(&format!("[ {p} 1600000000 \"sha256-")), "{t}");
    let nar = t.split('"').nth(3).unwrap().to_string();
    let pinned = eval(
        &d,
        &format!("builtins.fetchTarball {{ url = \"{url}\"; sha256 = \"{nar}\"; }}"),
    )
    .unwrap();
    assert_eq!(pinned, p);
    let bad = eval(&d, &format!("builtins.fetchTarball {{ url = \"{url}\"; name = \"other\"; sha256 = \"sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"; }}")).unwrap_err();
    assert!(bad.contains("NAR hash mismatch in input"), "{bad}");
    std::fs::write(d.join("junk.tar.gz"), "not an archive").unwrap();
    let bad = eval(
        &d,
        &format!(
            "builtins.fetchTarball \"file://{}/junk.tar.gz\"",
            d.display()
        ),
    )
    .unwrap_err();
    assert!(bad.contains("Failed to open archive"), "{bad}");
}

fn git(repo: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args([
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@e",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env("GIT_AUTHOR_DATE", "2020-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2020-01-01T00:00:00Z")
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn fetch_git_local_clean_dirty_and_by_rev() {
    let d = scratch("git");
    let repo = d.join("repo");
    std::fs::create_dir_all(repo.join("d")).unwrap();
    git(&repo, &["init", "-q", "."]);
    std::fs::write(repo.join("a"), "one\n").unwrap();
    std::fs::write(repo.join("d/b"), "two\n").unwrap();
    std::fs::write(repo.join(".gitattributes"), "d/b export-ignore\n").unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "first"]);
    let rev = "16c991026523759cde67d37404721684bdcc4858";
    let r = repo.display();
    // C++ Nix 2.8 gives this path for the clean tree (export-ignore applied).
    let got = eval(&d, &format!("let g = builtins.fetchGit {r}; in [ g.outPath g.rev g.shortRev g.revCount g.lastModified g.lastModifiedDate ]")).unwrap();
    assert_eq!(got, format!("[ \"/nix/store/hawmck282gci6mblim426z013d3af2xd-source\" \"{rev}\" \"16c9910\" 1 1577836800 \"20200101000000\" ]"));
    let by_rev = eval(
        &d,
        &format!("(builtins.fetchGit {{ url = \"file://{r}\"; rev = \"{rev}\"; }}).outPath"),
    )
    .unwrap();
    assert_eq!(
        by_rev,
        "\"/nix/store/hawmck282gci6mblim426z013d3af2xd-source\""
    );
    std::fs::write(repo.join("a"), "changed\n").unwrap();
    let dirty = eval(&d, &format!("let g = builtins.fetchGit {r}; in [ g.rev g.dirtyShortRev (builtins.readFile \"${{g}}/a\") ]")).unwrap();
    assert_eq!(
        dirty,
        "[ \"0000000000000000000000000000000000000000\" \"16c9910-dirty\" \"changed\\n\" ]"
    );
    let shallow_tree = eval(&d, &format!("(builtins.fetchTree {{ type = \"git\"; url = \"file://{r}\"; rev = \"{rev}\"; }}) ? revCount")).unwrap();
    assert_eq!(shallow_tree, "false");
}

#[test]
fn fetch_git_with_submodules() {
    let d = scratch("submodules");
    let (sub, main) = (d.join("sub"), d.join("main"));
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::create_dir_all(&main).unwrap();
    git(&sub, &["init", "-q", "."]);
    std::fs::write(sub.join("s.txt"), "s\n").unwrap();
    git(&sub, &["add", "."]);
    git(&sub, &["commit", "-q", "-m", "s"]);
    git(&main, &["init", "-q", "."]);
    std::fs::write(main.join("m.txt"), "m\n").unwrap();
    git(&main, &["add", "."]);
    git(&main, &["commit", "-q", "-m", "m"]);
    git(
        &main,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            "../sub",
            "sub",
        ],
    );
    git(&main, &["commit", "-q", "-m", "sub"]);
    let m = main.display();
    // Without submodules the submodule is an empty directory; with them, its files.
    let listing = |attrs: &str| {
        eval(
            &d,
            &format!("let g = builtins.fetchGit {{ url = {m}; {attrs} }}; in builtins.readDir \"${{g}}/sub\""),
        )
    };
    assert_eq!(listing("").unwrap(), "{ }");
    assert_eq!(
        listing("submodules = true;").unwrap(),
        "{ \"s.txt\" = \"regular\"; }"
    );
    let rev = eval(&d, &format!("(builtins.fetchGit {m}).rev")).unwrap();
    let by_rev = format!("submodules = true; rev = {rev};");
    assert_eq!(listing(&by_rev).unwrap(), "{ \"s.txt\" = \"regular\"; }");
}
