//! The bit-exact store table (`tests/store-table`): every case of `cases.nix` is
//! instantiated by `nixie` into a scratch store, and its paths, `.drv` text and
//! store objects are compared with what C++ Nix wrote (`expected.json`, recorded
//! by `record.sh`). Each case is a test of its own (`cargo test --test store_table
//! -- NAME`).

use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value as Json;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Cases where current Nix (which nixie follows) differs from the 2.8 recording;
/// see the table's README.
const CURRENT_NIX_DIFFERS: &[&str] = &[
    "structured-floats-precision",
    "structured-backspace-formfeed",
    "legacy-json-attr",
    "path-symlink",
];

fn table_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/store-table")
}

fn run_case(name: &str, want: &Json, root: &Path) -> Result<(), Failed> {
    let cases = table_dir().join("cases.nix");
    let out = Command::new(env!("CARGO_BIN_EXE_nixie"))
        .args(["--read-write-mode", "--eval", "--strict", "--json"])
        .arg(table_dir().join("driver.nix"))
        .arg("--arg")
        .arg("cases")
        .arg(&cases)
        .args(["--argstr", "name", name, "--store"])
        .arg(root)
        .env_remove("NIX_PATH")
        .env_remove("NIX_STORE_DIR")
        .output()
        .map_err(|e| format!("running nixie: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned().into());
    }
    let got: Json = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    let physical = |p: &Json| root.join(p.as_str().unwrap_or_default().trim_start_matches('/'));
    let mut diffs = Vec::new();
    let mut check = |what: &str, got: Json, want: &Json| {
        if &got != want {
            diffs.push(format!("{what}:\n  got:  {got}\n  want: {want}"));
        }
    };
    if got["kind"] == "derivation" {
        check("outPath", got["out"].clone(), &want["outPath"]);
        check("drvPath", got["drvPath"].clone(), &want["drvPath"]);
        check("outputs", got["outputs"].clone(), &want["outputs"]);
        let text = std::fs::read_to_string(physical(&got["drvPath"])).unwrap_or_default();
        check(".drv", Json::String(text), &want["drv"]);
    } else {
        check("path", got["path"].clone(), &want["path"]);
        let phys = physical(&got["path"]);
        let (kind, contents) = describe(&phys)?;
        check("type", Json::String(kind), &want["type"]);
        check("contents", contents, &want["contents"]);
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join("\n").into())
    }
}

fn kind_of(p: &Path) -> std::io::Result<&'static str> {
    let m = std::fs::symlink_metadata(p)?;
    Ok(if m.file_type().is_symlink() {
        "symlink"
    } else if m.is_dir() {
        "directory"
    } else if m.permissions().mode() & 0o100 != 0 {
        "executable"
    } else {
        "regular"
    })
}

/// A store object as the table records it: its type, and its text, link target
/// or listing.
fn describe(p: &Path) -> Result<(String, Json), Failed> {
    let err = |e: std::io::Error| Failed::from(format!("reading '{}': {e}", p.display()));
    let kind = kind_of(p).map_err(err)?;
    let contents = match kind {
        "symlink" => Json::String(std::fs::read_link(p).map_err(err)?.to_string_lossy().into()),
        "directory" => Json::Array(
            listing(p)
                .map_err(err)?
                .into_iter()
                .map(Json::String)
                .collect(),
        ),
        _ => Json::String(String::from_utf8_lossy(&std::fs::read(p).map_err(err)?).into()),
    };
    Ok((kind.to_string(), contents))
}

fn listing(top: &Path) -> std::io::Result<Vec<String>> {
    let mut lines = Vec::new();
    let mut todo = vec![top.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d)? {
            let full = e?.path();
            let rel = full
                .strip_prefix(top)
                .unwrap_or(&full)
                .to_string_lossy()
                .into_owned();
            let kind = kind_of(&full)?;
            lines.push(match kind {
                "directory" => {
                    todo.push(full.clone());
                    format!("{kind} {rel}")
                }
                "symlink" => format!("{kind} {rel} -> {}", std::fs::read_link(&full)?.display()),
                _ => {
                    let data = std::fs::read(&full)?;
                    let h = nixie_eval::hash::digest(b"sha256", &data).expect("sha256 is known");
                    format!("{kind} {rel} sha256={}", nixie_eval::encoding::hex(&h))
                }
            });
        }
    }
    lines.sort_by(|a, b| rel_of(a).cmp(rel_of(b)));
    Ok(lines)
}

fn rel_of(line: &str) -> &[u8] {
    let rest = line.split_once(' ').map(|x| x.1).unwrap_or(line);
    rest.split(' ').next().unwrap_or(rest).as_bytes()
}

fn main() {
    let args = Arguments::from_args();
    let text =
        std::fs::read_to_string(table_dir().join("expected.json")).expect("the table exists");
    let table: serde_json::Map<String, Json> =
        serde_json::from_str(&text).expect("the table is JSON");
    let root = std::env::temp_dir().join(format!("nixie-store-table-{}", std::process::id()));
    let trials = table
        .into_iter()
        .map(|(name, want)| {
            let root = root.clone();
            let ignored = CURRENT_NIX_DIFFERS.contains(&name.as_str());
            Trial::test(name.clone(), move || run_case(&name, &want, &root))
                .with_ignored_flag(ignored)
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    let _ = Command::new("chmod")
        .arg("-R")
        .arg("u+w")
        .arg(&root)
        .status();
    let _ = std::fs::remove_dir_all(&root);
    conclusion.exit();
}
