//! Table-driven tests of the standard builtins (`tests/cases/*.cases`, same format
//! as the evaluator's language cases), each checked against nix-instantiate and
//! each a test of its own, named `file::case`
//! (`cargo test -p nixie-builtins-std --test cases -- lists::length-basic`).

use libtest_mimic::{Arguments, Trial};
use nixie_eval::testing::{check_case, load_case_dir};
use nixie_eval::Evaluation;
use std::path::Path;

fn main() {
    let args = Arguments::from_args();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let cases = load_case_dir(&dir).expect("the case files are readable");
    assert!(!cases.is_empty(), "no cases found");
    let trials = cases
        .into_iter()
        .map(|case| {
            Trial::test(case.name.clone(), move || {
                let mut eval = nixie_builtins_std::register(Evaluation::builder())
                    .build()
                    .expect("std packs do not collide");
                check_case(&case, &mut eval).map_err(Into::into)
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
