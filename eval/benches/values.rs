//! Micro-benchmarks (divan) of the value operations every program leans on:
//! forcing a thunk, selecting an attribute (small set, large hashed set), `//` of
//! a small set onto a large one, each as a Nix loop of `N` iterations beside the
//! same loop doing nothing. Divide the difference by `N`. Run with
//! `cargo bench -p nixie-eval --bench values`.

use divan::Bencher;
use nixie_eval::Evaluation;
use std::path::Path;

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

/// Iterations per loop.
const N: i64 = 10_000;

fn main() {
    divan::main();
}

/// The loop, with `work` (an expression in `n`, an integer) evaluated once per
/// iteration; `small` has 4 attributes, `large` 1,000 (hash-indexed).
#[divan::bench(args = [
    "n",
    "(let t = n + 1; in t)",
    "small.c",
    "large.a500",
    "(large // { a1 = n; }).a1",
    "(small // { e = n; }).e",
])]
fn value_loop(bencher: Bencher, work: &str) {
    let mut e = Evaluation::builder().build().expect("no packs");
    let large: String = (0..1000).map(|i| format!("a{i} = {i}; ")).collect();
    let src = format!(
        "let small = {{ a = 1; b = 2; c = 3; d = 4; }}; large = {{ {large} }}; \
         go = n: if n == 0 then 0 else if {work} == null then 0 else go (n - 1); in go {N}"
    );
    bencher.bench_local(|| {
        e.eval_source("bench", &src, Path::new("/"))
            .expect("the loop evaluates")
    });
}
