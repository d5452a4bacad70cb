//! Instantiation (`nixie FILE` without `--eval`): find the derivations a value
//! denotes, as `nix-instantiate` does (a derivation; the derivation-valued attributes
//! of a set, recursing where `recurseForDerivations = true`; the elements of a
//! list), and print their `.drv` paths (already written to the store by
//! `derivationStrict`), or the GC roots made for them with `--add-root`.

use nixie_eval::value::{Attrs, Value};
use nixie_eval::{Error, ErrorKind, Evaluation};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A derivation found: its `.drv` path and the output it stands for.
pub struct Found {
    pub drv_path: String,
    pub output: String,
}

/// Where GC roots go and how many were made so far.
pub struct Roots {
    pub add_root: Option<PathBuf>,
    pub made: usize,
    pub warned: bool,
}

fn string_attr(eval: &mut Evaluation, a: &Attrs, name: &str) -> Result<Option<String>, Error> {
    match a.get(name.as_bytes()) {
        None => Ok(None),
        Some(v) => match eval.force(v.clone())? {
            Value::String(s) => Ok(Some(s.to_string())),
            other => Err(Error::from(nixie_eval::convert::type_error(
                "a string", &other,
            ))),
        },
    }
}

/// If `v` is a derivation, record it (once) and return true.
fn take_derivation(
    eval: &mut Evaluation,
    v: &Value,
    found: &mut Vec<Found>,
    done: &mut BTreeSet<String>,
) -> Result<bool, Error> {
    let Value::Attrs(a) = v else { return Ok(false) };
    if string_attr(eval, a, "type")?.as_deref() != Some("derivation") {
        return Ok(false);
    }
    let drv_path = string_attr(eval, a, "drvPath")?
        .ok_or_else(|| Error::msg("attribute 'drvPath' missing".to_string()))?;
    let output = string_attr(eval, a, "outputName")?.unwrap_or_default();
    if output.is_empty() {
        return Err(Error::msg(format!(
            "derivation '{drv_path}' lacks an 'outputName' attribute"
        )));
    }
    if done.insert(format!("{drv_path}!{output}")) {
        found.push(Found { drv_path, output });
    }
    Ok(true)
}

/// A value still to look at: a top-level value (or list element), or the value
/// of an attribute (recursed into only with `recurseForDerivations = true`).
enum Todo {
    Top(Value),
    Attr(Value),
}

/// The derivations `root` denotes, in `nix-instantiate`'s order. The work list
/// keeps deep structures off the Rust stack.
pub fn derivations(eval: &mut Evaluation, root: Value, args: &Attrs) -> Result<Vec<Found>, Error> {
    let mut found = Vec::new();
    let mut done = BTreeSet::new();
    let mut todo = vec![Todo::Top(root)];
    while let Some(item) = todo.pop() {
        let v = match item {
            Todo::Attr(v) => {
                let v = eval.force(v)?;
                if !take_derivation(eval, &v, &mut found, &mut done)? && recurses(eval, &v)? {
                    todo.push(Todo::Top(v));
                }
                continue;
            }
            Todo::Top(v) => {
                let called = eval.auto_call(v, args)?;
                eval.force(called)?
            }
        };
        if take_derivation(eval, &v, &mut found, &mut done)? {
            continue;
        }
        match &v {
            Value::Attrs(a) => todo.extend(a.iter().rev().map(|(_, c)| Todo::Attr(c.clone()))),
            Value::List(l) => todo.extend(l.iter().rev().cloned().map(Todo::Top)),
            _ => {
                return Err(Error::from(ErrorKind::Other(
                    "expression does not evaluate to a derivation (or a set or list of those)"
                        .into(),
                )))
            }
        }
    }
    Ok(found)
}

/// Whether a set asks to be searched for derivations.
fn recurses(eval: &mut Evaluation, v: &Value) -> Result<bool, Error> {
    let Value::Attrs(a) = v else { return Ok(false) };
    match a.get(b"recurseForDerivations") {
        Some(r) => Ok(matches!(eval.force(r.clone())?, Value::Bool(true))),
        None => Ok(false),
    }
}

/// The line printed for a derivation: its `.drv` path or GC root, and `!output`
/// unless the output is `out`.
pub fn print_line(f: &Found, roots: &mut Roots) -> Result<String, String> {
    let shown = match &roots.add_root {
        None => {
            if !roots.warned {
                roots.warned = true;
                crate::diagnostics::warning(
                    "you did not specify '--add-root'; the result might be removed by the garbage collector",
                );
            }
            f.drv_path.clone()
        }
        Some(root) => {
            roots.made += 1;
            let mut name = root.clone().into_os_string();
            if roots.made > 1 {
                name.push(format!("-{}", roots.made));
            }
            let name = PathBuf::from(name);
            make_root(&name, &f.drv_path)?;
            name.to_string_lossy().into_owned()
        }
    };
    Ok(if f.output == "out" {
        shown
    } else {
        format!("{shown}!{}", f.output)
    })
}

/// Point the symlink `root` at `target`, replacing an old root atomically.
fn make_root(root: &Path, target: &str) -> Result<(), String> {
    let tmp = root.with_file_name(format!(
        ".{}.tmp-{}",
        root.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id()
    ));
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp)
        .and_then(|()| std::fs::rename(&tmp, root))
        .map_err(|e| format!("creating symlink '{}': {e}", root.display()))
}
