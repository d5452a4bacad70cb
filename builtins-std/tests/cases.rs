//! Table-driven tests of the standard builtins (`tests/cases/*.cases`, same format
//! as the evaluator's language cases), each checked against nix-instantiate.

use nixie_eval::testing::run_case_dir;
use nixie_eval::Evaluation;
use std::path::Path;

#[test]
fn std_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let (total, failures) = run_case_dir(&dir, || {
        nixie_builtins_std::register(Evaluation::builder())
            .build()
            .expect("std packs do not collide")
    });
    assert!(total > 0, "no cases found");
    if !failures.is_empty() {
        panic!(
            "{} of {total} cases failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}
