//! Regression guard for the size of the input: large binding groups and literals are
//! parsed, compiled and evaluated in (near) linear time. The bounds are generous
//! (C++ Nix takes under a second on each); a quadratic step blows through them.
//! Run optimised, as CI does: unoptimised parsing is many times slower.

use nixie_eval::{printer, Evaluation};
use std::path::Path;
use std::time::{Duration, Instant};

/// Generous: each case takes well under a second optimised.
const BOUND: Duration = Duration::from_secs(20);

fn eval_timed(src: &str) -> (String, Duration) {
    let start = Instant::now();
    let mut e = Evaluation::builder()
        .build()
        .expect("no packs, no collisions");
    let v = e
        .eval_source("«test»", src, Path::new("/"))
        .and_then(|v| e.deep_force(v))
        .map_err(|err| e.render_error(&err, false))
        .expect("large inputs evaluate");
    let out = printer::print_value(&v, None);
    let out = String::from_utf8_lossy(&out[..out.len().min(60)]).into_owned();
    (out, start.elapsed())
}

fn bindings(n: usize, f: impl Fn(usize) -> String) -> String {
    (0..n).map(f).collect()
}

/// One named test per case: the generated source and the start of its printed value.
macro_rules! cases {
    ($($name:ident: $src:expr => $expected:expr;)*) => {$(
        #[test]
        #[cfg_attr(debug_assertions, ignore = "run optimised (CI: cargo test --release)")]
        fn $name() {
            let (out, took) = eval_timed(&$src);
            assert!(out.starts_with($expected), "printed {out}, expected {}", $expected);
            assert!(took < BOUND, "took {took:?} (bound {BOUND:?})");
        }
    )*};
}

cases! {
    let_of_200000_bindings: format!(
        "let {} in x0 + x199999",
        bindings(200_000, |i| format!("x{i} = {i};\n"))
    ) => "199999";
    let_of_200000_bindings_referring_back: format!(
        "let x0 = 0;\n{} in x199999",
        bindings(199_999, |i| format!("x{} = x{i} + 1;\n", i + 1))
    ) => "199999";
    set_of_50000_bindings: format!(
        "{{ {} }}.x49999",
        bindings(50_000, |i| format!("x{i} = {i};\n"))
    ) => "49999";
    rec_set_of_50000_bindings: format!(
        "(rec {{ x0 = 0; {} }}).x49999",
        bindings(49_999, |i| format!("x{} = x{i} + 1;\n", i + 1))
    ) => "49999";
    nested_paths_into_one_set_50000: format!(
        "{{ {} }}.a.x49999",
        bindings(50_000, |i| format!("a.x{i} = {i};\n"))
    ) => "49999";
    inherit_of_50000_names: format!(
        "let s = {{ {} }}; in {{ inherit (s){}; }}.x49999",
        bindings(50_000, |i| format!("x{i} = {i};\n")),
        bindings(50_000, |i| format!(" x{i}"))
    ) => "49999";
    application_chain_of_1000000: format!(
        "let f = x: f; in f{} == f",
        " 1".repeat(1_000_000)
    ) => "false";
    list_of_2000000_elements: format!(
        "[ {} ]",
        bindings(2_000_000, |i| format!("{i} "))
    ) => "[ 0 1 2 3 ";
}
