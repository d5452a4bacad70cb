//! `fetchGit` and `fetchTree { type = "git"; }` through the `git` binary.
//!
//! Why the binary rather than a library: C++ Nix itself runs `git fetch` for
//! the network part, and the binary handles every transport (`https`, `ssh`,
//! `file`, `git`), credential helper, proxy and `~/.gitconfig` setting the
//! user already has, which a library would re-implement partially. Trees are
//! read out of the object database (`ls-tree` + `cat-file --batch`), so no
//! checkout filters (`autocrlf`, smudge) apply, as with Nix's libgit2 reader.
//!
//! A local non-bare repository with neither `ref` nor `rev` is taken from its
//! working tree: tracked files as they are on disk (uncommitted changes
//! included, untracked files not), and if it is dirty there is no `rev` but a
//! `dirtyRev` (`<HEAD>-dirty`). Otherwise the commit is read from the local
//! repository, or from a bare clone under the fetch cache (`git/` there),
//! refreshed when its ref is older than `tarball-ttl`.

use super::tree::{Fetched, Input};
use super::{cache, err, TempDir};
use nixie_eval::prelude::*;
use nixie_eval::store::FileIngestion;
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The Git input attributes nixie acts on.
#[derive(Clone, Debug, Default)]
pub struct GitArgs {
    /// The repository URL (`file://` for a local path).
    pub url: String,
    /// The branch or tag (`ref`).
    pub git_ref: Option<String>,
    /// The commit (`rev`).
    pub rev: Option<String>,
    /// The store path name (default `source`).
    pub name: String,
    /// Whether to fetch submodules.
    pub submodules: bool,
    /// Whether to fetch only the commit (no `revCount`).
    pub shallow: bool,
    /// Whether to fetch every ref.
    pub all_refs: bool,
    /// Whether `export-ignore` in `.gitattributes` drops files.
    pub export_ignore: bool,
    /// A `lastModified` the caller supplied.
    pub last_modified: Option<u64>,
    /// A `revCount` the caller supplied.
    pub rev_count: Option<u64>,
}

impl GitArgs {
    /// The arguments of a checked `git` input.
    pub fn from_input(i: &Input) -> Result<GitArgs, Error> {
        let url = i
            .str("url")?
            .ok_or_else(|| err("input attribute 'url' is missing"))?;
        let rev = i.str("rev")?.map(str::to_string);
        if let Some(r) = &rev {
            if r.len() != 40 || !r.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(err(format!(
                    "hash '{r}' has wrong length for hash algorithm 'sha1'"
                )));
            }
        }
        let git_ref = i.str("ref")?.map(str::to_string);
        if let Some(r) = &git_ref {
            if r.is_empty()
                || r.contains("..")
                || r.contains(['~', '^', ':', ' ', '\\', '?', '*', '['])
            {
                return Err(err(format!("invalid Git branch/tag name '{r}'")));
            }
        }
        Ok(GitArgs {
            url: super::tree::fix_git_url(url),
            git_ref,
            rev,
            name: i.str("name")?.unwrap_or("source").to_string(),
            submodules: i.bool("submodules")?.unwrap_or(false),
            shallow: i.bool("shallow")?.unwrap_or(false),
            all_refs: i.bool("allRefs")?.unwrap_or(false),
            export_ignore: i.bool("exportIgnore")?.unwrap_or(false),
            last_modified: i.int("lastModified")?,
            rev_count: i.int("revCount")?,
        })
    }

    /// How Nix shows the input: `git+<url>?<query>` with the query sorted.
    pub fn input_string(&self) -> String {
        let mut q: Vec<String> = Vec::new();
        if self.export_ignore {
            q.push("exportIgnore=1".into());
        }
        if let Some(r) = &self.git_ref {
            q.push(format!("ref={r}"));
        }
        if let Some(r) = &self.rev {
            q.push(format!("rev={r}"));
        }
        if self.shallow {
            q.push("shallow=1".into());
        }
        if self.submodules {
            q.push("submodules=1".into());
        }
        let base = if self.url.starts_with("git:") {
            self.url.clone()
        } else {
            format!("git+{}", self.url)
        };
        if q.is_empty() {
            base
        } else {
            format!("{base}?{}", q.join("&"))
        }
    }
}

fn git(dir: Option<&Path>) -> Command {
    let mut c = Command::new("git");
    if let Some(d) = dir {
        c.arg("-C").arg(d);
    }
    c.stdin(Stdio::null());
    c
}

/// Run a git command; its standard output, or an error with its stderr.
fn run(mut c: Command, what: &str) -> Result<Vec<u8>, Error> {
    let out = c
        .output()
        .map_err(|e| err(format!("{what}: cannot run 'git': {e}")))?;
    if !out.status.success() {
        return Err(err(format!(
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr).trim_end()
        )));
    }
    Ok(out.stdout)
}

fn text(b: Vec<u8>) -> String {
    String::from_utf8_lossy(&b).trim().to_string()
}

fn rev_of(dir: &Path, what: &str) -> Option<String> {
    let mut c = git(Some(dir));
    c.args(["rev-parse", "--verify", "--quiet"])
        .arg(format!("{what}^{{commit}}"));
    run(c, "").ok().map(text).filter(|s| !s.is_empty())
}

fn commit_time(dir: &Path, rev: &str) -> Result<u64, Error> {
    let mut c = git(Some(dir));
    c.args(["log", "-1", "--format=%ct", rev]);
    Ok(text(run(c, "reading the commit time")?)
        .parse()
        .unwrap_or(0))
}

fn rev_count(dir: &Path, rev: &str) -> Result<u64, Error> {
    let mut c = git(Some(dir));
    c.args(["rev-list", "--count", rev]);
    Ok(text(run(c, "counting commits")?).parse().unwrap_or(0))
}

/// Paths (files and the directories above them) that `export-ignore` drops.
fn export_ignored(
    dir: &Path,
    source: Option<&str>,
    files: &[String],
) -> Result<Vec<String>, Error> {
    let mut all: Vec<String> = Vec::new();
    for f in files {
        let mut p = f.as_str();
        while let Some((d, _)) = p.rsplit_once('/') {
            all.push(d.to_string());
            p = d;
        }
        all.push(f.clone());
    }
    all.sort();
    all.dedup();
    let mut c = git(Some(dir));
    c.args(["check-attr", "-z", "--stdin"]);
    if let Some(s) = source {
        c.arg(format!("--source={s}"));
    }
    c.arg("export-ignore")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c
        .spawn()
        .map_err(|e| err(format!("cannot run 'git': {e}")))?;
    let mut stdin = child.stdin.take().expect("piped");
    let input: Vec<u8> = all.iter().flat_map(|p| p.bytes().chain([0])).collect();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child
        .wait_with_output()
        .map_err(|e| err(format!("git check-attr: {e}")))?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(err(format!(
            "git check-attr: {}",
            String::from_utf8_lossy(&out.stderr).trim_end()
        )));
    }
    let fields: Vec<&[u8]> = out.stdout.split(|b| *b == 0).collect();
    let mut dropped = Vec::new();
    for t in fields.chunks(3) {
        if let [path, _, value] = t {
            if *value == b"set" {
                dropped.push(String::from_utf8_lossy(path).into_owned());
            }
        }
    }
    Ok(dropped)
}

fn is_dropped(path: &str, dropped: &[String]) -> bool {
    dropped.iter().any(|d| {
        path == d
            || path
                .strip_prefix(d.as_str())
                .is_some_and(|r| r.starts_with('/'))
    })
}

/// Directories whose files `export-ignore` dropped stay, empty (as in Nix).
fn keep_dirs_of_dropped<'a>(
    dest: &Path,
    paths: impl Iterator<Item = &'a str>,
    dropped: &[String],
) -> Result<(), Error> {
    for p in paths {
        if let Some((dir, _)) = p.rsplit_once('/') {
            if is_dropped(p, dropped) && !is_dropped(dir, dropped) {
                std::fs::create_dir_all(dest.join(dir)).map_err(|e| err(e.to_string()))?;
            }
        }
    }
    Ok(())
}

fn write_entry(dest: &Path, rel: &str, mode: &str, contents: &[u8]) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    let p = dest.join(rel);
    let io = |e: std::io::Error| err(format!("writing '{}': {e}", p.display()));
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    match mode {
        "120000" => {
            use std::os::unix::ffi::OsStrExt;
            std::os::unix::fs::symlink(std::ffi::OsStr::from_bytes(contents), &p).map_err(io)?
        }
        "160000" => std::fs::create_dir_all(&p).map_err(io)?,
        _ => {
            std::fs::write(&p, contents).map_err(io)?;
            let m = if mode == "100755" { 0o755 } else { 0o644 };
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(m)).map_err(io)?;
        }
    }
    Ok(())
}

/// Write the tree of commit `rev` in `repo` into `dest`, straight from the
/// object database; returns the submodules met (path, commit).
fn export_commit(
    repo: &Path,
    rev: &str,
    dest: &Path,
    export_ignore: bool,
) -> Result<Vec<(String, String)>, Error> {
    let mut c = git(Some(repo));
    c.args(["ls-tree", "-r", "-z", "--full-tree", rev]);
    let listing = run(c, "listing the tree")?;
    let mut entries = Vec::new();
    for rec in listing.split(|b| *b == 0).filter(|r| !r.is_empty()) {
        let rec = String::from_utf8_lossy(rec);
        let Some((meta, path)) = rec.split_once('\t') else {
            continue;
        };
        let mut m = meta.split(' ');
        let (Some(mode), Some(_ty), Some(oid)) = (m.next(), m.next(), m.next()) else {
            continue;
        };
        entries.push((mode.to_string(), oid.to_string(), path.to_string()));
    }
    let dropped = if export_ignore {
        let files: Vec<String> = entries.iter().map(|e| e.2.clone()).collect();
        export_ignored(repo, Some(rev), &files)?
    } else {
        Vec::new()
    };
    keep_dirs_of_dropped(dest, entries.iter().map(|e| e.2.as_str()), &dropped)?;
    entries.retain(|e| !is_dropped(&e.2, &dropped));
    let mut child = git(Some(repo))
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| err(format!("cannot run 'git': {e}")))?;
    let mut stdin = child.stdin.take().expect("piped");
    let blobs: Vec<String> = entries
        .iter()
        .filter(|e| e.0 != "160000")
        .map(|e| e.1.clone())
        .collect();
    let writer = std::thread::spawn(move || {
        for b in blobs {
            if writeln!(stdin, "{b}").is_err() {
                break;
            }
        }
    });
    let mut out = BufReader::new(child.stdout.take().expect("piped"));
    let mut links = Vec::new();
    for (mode, oid, path) in &entries {
        if mode == "160000" {
            write_entry(dest, path, mode, &[])?;
            links.push((path.clone(), oid.clone()));
            continue;
        }
        let mut header = String::new();
        out.read_line(&mut header)
            .map_err(|e| err(format!("git cat-file: {e}")))?;
        let size: usize = header
            .split_whitespace()
            .nth(2)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| err(format!("git cat-file: unexpected '{}'", header.trim())))?;
        let mut buf = vec![0; size + 1];
        out.read_exact(&mut buf)
            .map_err(|e| err(format!("git cat-file: {e}")))?;
        buf.pop();
        write_entry(dest, path, mode, &buf)?;
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(links)
}

/// Copy the tracked files of a working tree (as they are on disk) into `dest`;
/// returns the paths of the submodules met.
fn export_workdir(repo: &Path, dest: &Path, export_ignore: bool) -> Result<Vec<String>, Error> {
    use std::os::unix::fs::PermissionsExt;
    let mut c = git(Some(repo));
    c.args(["ls-files", "-z", "--cached", "--stage"]);
    let listing = run(c, "listing the working tree")?;
    let mut entries = Vec::new();
    for rec in listing.split(|b| *b == 0).filter(|r| !r.is_empty()) {
        let rec = String::from_utf8_lossy(rec);
        if let Some((meta, path)) = rec.split_once('\t') {
            let mode = meta.split(' ').next().unwrap_or("").to_string();
            entries.push((mode, path.to_string()));
        }
    }
    entries.dedup_by(|a, b| a.1 == b.1);
    let dropped = if export_ignore {
        let files: Vec<String> = entries.iter().map(|e| e.1.clone()).collect();
        export_ignored(repo, None, &files)?
    } else {
        Vec::new()
    };
    keep_dirs_of_dropped(dest, entries.iter().map(|e| e.1.as_str()), &dropped)?;
    let mut links = Vec::new();
    for (mode, path) in entries {
        if is_dropped(&path, &dropped) {
            continue;
        }
        let src = repo.join(&path);
        let Ok(meta) = std::fs::symlink_metadata(&src) else {
            continue; // deleted in the working tree
        };
        if mode == "160000" {
            write_entry(dest, &path, "160000", &[])?;
            links.push(path);
        } else if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&src).map_err(|e| err(e.to_string()))?;
            use std::os::unix::ffi::OsStrExt;
            write_entry(dest, &path, "120000", target.as_os_str().as_bytes())?;
        } else if meta.is_file() {
            let data = std::fs::read(&src).map_err(|e| err(e.to_string()))?;
            let exec = meta.permissions().mode() & 0o100 != 0;
            write_entry(dest, &path, if exec { "100755" } else { "100644" }, &data)?;
        }
    }
    Ok(links)
}

/// What to export: a working tree as it is, or a commit of a repository.
enum Export {
    Workdir {
        repo: PathBuf,
        dest: PathBuf,
    },
    Commit {
        repo: PathBuf,
        rev: String,
        dest: PathBuf,
    },
}

/// The repository holding submodule `path` of `repo`: its checkout, or the copy
/// Git keeps under `modules/`.
fn submodule_repo(repo: &Path, path: &str) -> Result<PathBuf, Error> {
    let candidates = [
        repo.join(path),
        repo.join(".git/modules").join(path),
        repo.join("modules").join(path),
    ];
    candidates
        .into_iter()
        .find(|c| c.join(".git").exists() || c.join("HEAD").is_file())
        .ok_or_else(|| {
            err(format!(
                "nixie's fetchGit cannot fetch submodule '{path}' of '{}': it is not checked out locally",
                repo.display()
            ))
        })
}

/// Export a tree and, with `submodules`, the submodules inside it (a work list,
/// however deep they nest).
fn export_tree(first: Export, export_ignore: bool, submodules: bool) -> Result<(), Error> {
    let mut todo = vec![first];
    while let Some(job) = todo.pop() {
        match job {
            Export::Workdir { repo, dest } => {
                for path in export_workdir(&repo, &dest, export_ignore)? {
                    let sub = repo.join(&path);
                    if submodules && sub.join(".git").exists() {
                        todo.push(Export::Workdir {
                            repo: sub,
                            dest: dest.join(&path),
                        });
                    }
                }
            }
            Export::Commit { repo, rev, dest } => {
                for (path, oid) in export_commit(&repo, &rev, &dest, export_ignore)? {
                    if submodules {
                        todo.push(Export::Commit {
                            repo: submodule_repo(&repo, &path)?,
                            rev: oid,
                            dest: dest.join(&path),
                        });
                    }
                }
            }
        }
    }
    Ok(())
}

fn default_remote_ref(url: &str) -> Option<String> {
    let mut c = git(None);
    c.args(["ls-remote", "--symref", url, "HEAD"]);
    let out = String::from_utf8_lossy(&run(c, "").ok()?).into_owned();
    out.lines().find_map(|l| {
        l.strip_prefix("ref: ")?
            .split('\t')
            .next()
            .map(str::to_string)
    })
}

/// Make sure the bare clone of `url` under the cache has what `a` asks for;
/// returns its directory and the ref used.
fn update_clone(cx: &mut Ctx<'_>, a: &GitArgs) -> Result<(PathBuf, String), Error> {
    let h = Sha256::digest(format!(
        "{}{}",
        a.url,
        if a.shallow { ";shallow" } else { "" }
    ));
    let dir = cache::dir()
        .join("git")
        .join(nixie_eval::store::base32(&h[..20]));
    if !dir.join("HEAD").exists() {
        std::fs::create_dir_all(&dir).map_err(|e| err(e.to_string()))?;
        let mut c = git(Some(&dir));
        c.args(["init", "--bare", "--quiet"]);
        run(c, "creating the Git cache")?;
    }
    let git_ref = match &a.git_ref {
        Some(r) => r.clone(),
        None => default_remote_ref(&a.url).unwrap_or_else(|| {
            cx.warn(&format!(
                "warning: could not read HEAD ref from repo at '{}', using 'master'\n",
                a.url
            ));
            "master".into()
        }),
    };
    let local_ref = if git_ref.starts_with("refs/") {
        dir.join(&git_ref)
    } else {
        dir.join("refs/heads").join(&git_ref)
    };
    let ttl = cache::ttl(cx);
    let do_fetch = match &a.rev {
        Some(r) => rev_of(&dir, r).is_none(),
        None if a.all_refs => true,
        None => std::fs::metadata(&local_ref)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_none_or(|age| age.as_secs() >= ttl),
    };
    if do_fetch {
        let fetch_ref = if a.all_refs {
            "refs/*:refs/*".to_string()
        } else if let Some(r) = &a.rev {
            r.clone()
        } else if git_ref.starts_with("refs/") {
            format!("{git_ref}:{git_ref}")
        } else if git_ref == "HEAD" {
            "HEAD:HEAD".into()
        } else {
            format!("refs/heads/{git_ref}:refs/heads/{git_ref}")
        };
        let mut c = git(Some(&dir));
        c.args(["fetch", "--quiet", "--force"]);
        if a.shallow {
            c.arg("--depth=1");
        }
        c.args(["--", &a.url, &fetch_ref]);
        match run(c, &format!("Failed to fetch git repository '{}'", a.url)) {
            Ok(_) => {
                if a.rev.is_none() {
                    let _ = std::fs::File::options()
                        .append(true)
                        .open(&local_ref)
                        .and_then(|f| f.set_modified(std::time::SystemTime::now()));
                }
            }
            Err(e) if local_ref.exists() => cx.warn(&format!(
                "warning: {}\nwarning: could not update local clone of Git repository '{}'; continuing with the most recent version\n",
                e.message(),
                a.url
            )),
            Err(e) => return Err(e),
        }
    }
    Ok((dir, git_ref))
}

/// Fetch a Git input; `check` sees the tree's NAR hash before it is ingested.
pub fn fetch(
    cx: &mut Ctx<'_>,
    a: &GitArgs,
    check: &dyn Fn(&[u8; 32]) -> Result<(), Error>,
) -> Result<Fetched, Error> {
    if a.export_ignore && a.submodules {
        return Err(err(
            "exportIgnore and submodules are not supported together yet",
        ));
    }
    let local = super::url::file_url_path(&a.url).filter(|p| p.join(".git").exists());
    let tmp = TempDir::new("git").map_err(|e| err(e.to_string()))?;
    let dest = tmp.path().join("tree");
    std::fs::create_dir(&dest).map_err(|e| err(e.to_string()))?;
    let mut out = Fetched {
        submodules: Some(a.submodules),
        ..Fetched::default()
    };
    match &local {
        Some(repo) if a.git_ref.is_none() && a.rev.is_none() => {
            let head = rev_of(repo, "HEAD");
            let mut c = git(Some(repo));
            c.args([
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--ignore-submodules=none",
            ]);
            let dirty = !run(c, "reading the working tree status")?.is_empty();
            let job = Export::Workdir {
                repo: repo.clone(),
                dest: dest.clone(),
            };
            export_tree(job, a.export_ignore, a.submodules)?;
            if dirty {
                cx.warn(&format!(
                    "warning: Git tree '{}' is dirty\n",
                    repo.display()
                ));
                out.dirty_rev = head.as_ref().map(|h| format!("{h}-dirty"));
            } else {
                let rev = head.clone().unwrap_or_else(|| "0".repeat(40));
                if !a.shallow {
                    out.rev_count = Some(match &head {
                        Some(h) => a.rev_count.map_or_else(|| rev_count(repo, h), Ok)?,
                        None => 0,
                    });
                }
                out.rev = Some(rev);
            }
            out.last_modified = Some(match &head {
                Some(h) => commit_time(repo, h)?,
                None => 0,
            });
        }
        _ => {
            let (repo, git_ref) = match &local {
                Some(repo) => {
                    let r = match &a.git_ref {
                        Some(r) => r.clone(),
                        None => {
                            let mut c = git(Some(repo));
                            c.args(["symbolic-ref", "-q", "HEAD"]);
                            run(c, "").map(text).unwrap_or_else(|_| "HEAD".into())
                        }
                    };
                    (repo.clone(), r)
                }
                None => update_clone(cx, a)?,
            };
            let rev = match &a.rev {
                Some(r) => rev_of(&repo, r).ok_or_else(|| {
                    err(format!(
                        "Cannot find Git revision '{r}' in ref '{git_ref}' of repository '{}'! Please make sure that the rev exists on the ref you've specified or add allRefs = true; to fetchGit.",
                        local.as_ref().map_or(a.url.clone(), |p| p.display().to_string())
                    ))
                })?,
                None => rev_of(&repo, &git_ref).ok_or_else(|| {
                    err(format!(
                        "resolving Git reference '{git_ref}' of repository '{}' failed",
                        a.url
                    ))
                })?,
            };
            let job = Export::Commit {
                repo: repo.clone(),
                rev: rev.clone(),
                dest: dest.clone(),
            };
            export_tree(job, a.export_ignore, a.submodules)?;
            out.last_modified = Some(match a.last_modified {
                Some(n) => n,
                None => commit_time(&repo, &rev)?,
            });
            if !a.shallow {
                out.rev_count = Some(match a.rev_count {
                    Some(n) => n,
                    None => rev_count(&repo, &rev)?,
                });
            }
            out.rev = Some(rev);
        }
    }
    let nar = nixie_eval::store::nar_sha256(cx.io(), &dest)
        .map_err(|e| err(format!("reading the exported tree: {e}")))?;
    check(&nar)?;
    let (path, sha) = cx.fetch_to_store(&dest, &a.name, FileIngestion::Recursive)?;
    out.path = path.to_string();
    out.nar_sha256 = Some(sha);
    Ok(out)
}
