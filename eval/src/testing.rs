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

/// Run every `.cases` file in `dir` with fresh evaluations from `make`; returns the
/// number of cases and a description of each failure.
pub fn run_case_dir(dir: &Path, make: impl Fn() -> Evaluation) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    let mut total = 0;
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    for path in files {
        if path.extension().is_none_or(|e| e != "cases") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            failures.push(format!("{}: unreadable", path.display()));
            continue;
        };
        for case in parse_cases(&text) {
            total += 1;
            let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut e = make();
                eval_strict(&mut e, &case.source)
            }));
            let Ok(got) = got else {
                failures.push(format!("{}: PANIC", case.name));
                continue;
            };
            match (&case.expect, got) {
                (Expect::Ok(want), Ok(out)) if *want == out => {}
                (Expect::Ok(want), Ok(out)) => {
                    failures.push(format!("{}: want {want:?}, got {out:?}", case.name))
                }
                (Expect::Ok(want), Err(e)) => {
                    failures.push(format!("{}: want {want:?}, got error {e}", case.name))
                }
                (Expect::Error { fragment, .. }, Err(e)) if e.contains(fragment.as_str()) => {}
                (Expect::Error { kind, fragment }, Err(e)) => failures.push(format!(
                    "{}: want {kind} error containing {fragment:?}, got {e}",
                    case.name
                )),
                (Expect::Error { kind, .. }, Ok(out)) => {
                    failures.push(format!("{}: want {kind} error, got {out:?}", case.name))
                }
            }
        }
    }
    (total, failures)
}
