//! Table-driven test support: run `.cases` files (Nix source → the output of
//! `nix-instantiate --eval --strict`, or the kind and a fragment of the error)
//! against an evaluation. The format is described in `eval/tests/cases/README.md`.

use crate::{Evaluation, Value};
use std::path::Path;

/// One case of a `.cases` file.
pub struct Case {
    /// The case's name.
    pub name: String,
    /// The Nix source.
    pub source: String,
    /// What it must give.
    pub expect: Expect,
}

/// The expected result of a case.
pub enum Expect {
    /// This printed value.
    Ok(String),
    /// An error of this kind whose text contains the fragment.
    Error {
        /// The kind (informational).
        kind: String,
        /// A fragment of the message.
        fragment: String,
    },
}

/// Parse the text of a `.cases` file.
pub fn parse_cases(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    for block in text.split("\n### ").skip(1) {
        let (name, rest) = block.split_once('\n').unwrap_or((block, ""));
        let mut lines: Vec<&str> = rest.split('\n').collect();
        if lines.first() == Some(&"# differs-from-2.8") {
            lines.remove(0);
        }
        let Some(sep) = lines.iter().position(|l| l.starts_with("--- ")) else {
            cases.push(Case {
                name: name.trim().to_string(),
                source: String::new(),
                expect: Expect::Error {
                    kind: "malformed".into(),
                    fragment: "case has no --- line".into(),
                },
            });
            continue;
        };
        let source = lines[..sep].join("\n");
        let header = lines[sep];
        let mut body = lines[sep + 1..].join("\n");
        while body.ends_with('\n') {
            body.pop();
        }
        let expect = if header == "--- ok" {
            Expect::Ok(body)
        } else {
            let kind = header.trim_start_matches("--- error").trim().to_string();
            Expect::Error {
                kind,
                fragment: body,
            }
        };
        cases.push(Case {
            name: name.trim().to_string(),
            source,
            expect,
        });
    }
    cases
}

/// Evaluate a source strictly and print it, or render the error with its trace.
pub fn eval_strict(eval: &mut Evaluation, src: &str) -> Result<String, String> {
    let run = |e: &mut Evaluation| -> Result<Value, crate::Error> {
        let v = e.eval_source("«string»", src, Path::new("/"))?;
        e.deep_force(v)
    };
    match run(eval) {
        Ok(v) => Ok(String::from_utf8_lossy(&crate::printer::print_value(&v, None)).into_owned()),
        Err(err) => Err(eval.render_error(&err, true)),
    }
}

/// Every case of the `.cases` files in `dir`, each named `file::case` (the
/// file's stem, then the case's name), in file order.
pub fn load_case_dir(dir: &Path) -> Result<Vec<Case>, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "cases"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        for mut case in parse_cases(&text) {
            case.name = format!("{stem}::{}", case.name);
            cases.push(case);
        }
    }
    Ok(cases)
}

/// Run one case in `eval`: `Ok` if it gives what it expects, else what it gave.
pub fn check_case(case: &Case, eval: &mut Evaluation) -> Result<(), String> {
    match (&case.expect, eval_strict(eval, &case.source)) {
        (Expect::Ok(want), Ok(out)) if *want == out => Ok(()),
        (Expect::Ok(want), Ok(out)) => Err(format!("want {want:?}, got {out:?}")),
        (Expect::Ok(want), Err(e)) => Err(format!("want {want:?}, got error {e}")),
        (Expect::Error { fragment, .. }, Err(e)) if e.contains(fragment.as_str()) => Ok(()),
        (Expect::Error { kind, fragment }, Err(e)) => Err(format!(
            "want {kind} error containing {fragment:?}, got {e}"
        )),
        (Expect::Error { kind, .. }, Ok(out)) => Err(format!("want {kind} error, got {out:?}")),
    }
}
