//! Table-driven language tests: every case in `tests/cases/*.cases` is a Nix
//! source with the output `nix-instantiate --eval --strict` gives, or the kind
//! and a fragment of the error it raises (format: `tests/cases/README.md`). Each
//! case is a test of its own, named `file::case`
//! (`cargo test -p nixie-eval --test language -- language::int-literal`).

use libtest_mimic::{Arguments, Trial};
use nixie_eval::testing::{check_case, load_case_dir};
use nixie_eval::Evaluation;
use std::path::Path;

fn main() {
    let args = Arguments::from_args();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let cases = load_case_dir(&dir).expect("the case files are readable");
    assert!(
        cases.len() >= 200,
        "expected at least 200 cases, found {}",
        cases.len()
    );
    let trials = cases
        .into_iter()
        .map(|case| {
            Trial::test(case.name.clone(), move || {
                let mut eval = Evaluation::builder()
                    .build()
                    .expect("no packs, no collisions");
                check_case(&case, &mut eval).map_err(Into::into)
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
