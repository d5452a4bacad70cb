//! Table-driven language tests: every case in `tests/cases/*.cases` is a Nix
//! source with the output `nix-instantiate --eval --strict` gives, or the kind
//! and a fragment of the error it raises (format: `tests/cases/README.md`).

use nixie_eval::{Evaluation, Value};
use std::path::Path;

struct Case {
    name: String,
    source: String,
    expect: Expect,
}

enum Expect {
    Ok(String),
    Error { kind: String, fragment: String },
}

fn parse_cases(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let blocks = text.split("\n### ").skip(1);
    if text.starts_with("### ") {
        // The first block would have been skipped above; files start with comments, so this is rare.
        panic!("case files start with a comment header");
    }
    for block in blocks {
        let (name, rest) = block.split_once('\n').expect("a case has a name line");
        let mut lines: Vec<&str> = rest.split('\n').collect();
        if lines.first() == Some(&"# differs-from-2.8") {
            lines.remove(0);
        }
        let sep = lines
            .iter()
            .position(|l| l.starts_with("--- "))
            .unwrap_or_else(|| panic!("case {name} has no --- line"));
        let source = lines[..sep].join("\n");
        let header = lines[sep];
        let body: Vec<&str> = lines[sep + 1..].to_vec();
        let mut body = body.join("\n");
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

fn eval_strict(src: &str) -> Result<String, String> {
    let mut e = Evaluation::builder()
        .build()
        .expect("no packs, no collisions");
    let dir = Path::new("/");
    let run = |e: &mut Evaluation| -> Result<Value, nixie_eval::Error> {
        let v = e.eval_source("«string»", src, dir)?;
        e.deep_force(v)
    };
    match run(&mut e) {
        Ok(v) => {
            Ok(String::from_utf8_lossy(&nixie_eval::printer::print_value(&v, None)).into_owned())
        }
        Err(err) => Err(e.render_error(&err, true)),
    }
}

/// Cases that do not pass yet, each with the reason; the test fails if one starts passing.
const KNOWN_GAPS: &[(&str, &str)] = &[];

#[test]
fn language_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut failures = Vec::new();
    let mut total = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/cases exists") {
        let path = entry.expect("readable directory entry").path();
        if path.extension().is_none_or(|e| e != "cases") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("case file is UTF-8");
        for case in parse_cases(&text) {
            total += 1;
            let got = std::panic::catch_unwind(|| eval_strict(&case.source));
            let got = match got {
                Ok(g) => g,
                Err(_) => {
                    failures.push(format!("{}: PANIC", case.name));
                    continue;
                }
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
    assert!(total >= 200, "expected at least 200 cases, found {total}");
    for (gap, why) in KNOWN_GAPS {
        match failures
            .iter()
            .position(|f| f.starts_with(&format!("{gap}:")))
        {
            Some(i) => {
                failures.remove(i);
            }
            None => failures.push(format!(
                "{gap}: listed as a known gap ({why}) but passes now; remove it"
            )),
        }
    }
    if !failures.is_empty() {
        panic!(
            "{} of {total} cases failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}
