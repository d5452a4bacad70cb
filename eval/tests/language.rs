//! Table-driven language tests: every case in `tests/cases/*.cases` is a Nix
//! source with the output `nix-instantiate --eval --strict` gives, or the kind
//! and a fragment of the error it raises (format: `tests/cases/README.md`).

use nixie_eval::testing::run_case_dir;
use nixie_eval::Evaluation;
use std::path::Path;

/// Cases that do not pass yet, each with the reason; the test fails if one starts passing.
const KNOWN_GAPS: &[(&str, &str)] = &[];

#[test]
fn language_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let (total, mut failures) = run_case_dir(&dir, || {
        Evaluation::builder()
            .build()
            .expect("no packs, no collisions")
    });
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
