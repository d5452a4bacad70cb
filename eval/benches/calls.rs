//! Micro-benchmarks (divan, with its allocation profiler): one call of a plain
//! builtin, an async builtin and a Nix lambda, each as a Nix loop of `N`
//! iterations calling the function once, beside the same loop without the call.
//! Divan prints time and allocations per loop; divide the difference by `N`.
//! Run with `cargo bench -p nixie-eval --bench calls`. The allocation counts are
//! also pinned by the test `eval/tests/allocations.rs`.

use divan::Bencher;
use nixie_eval::builtins;
use nixie_eval::Evaluation;
use std::path::Path;

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

#[builtins(name = "bench")]
mod bench {
    use nixie_eval::prelude::*;

    /// Identity, synchronous.
    #[builtin("idSync")]
    fn id_sync(x: i64) -> Result<i64, ErrorKind> {
        Ok(x)
    }

    /// Identity, as a generator.
    #[builtin("idAsync")]
    async fn id_async(co: &mut Co, x: i64) -> Result<i64, ErrorKind> {
        let _ = &co;
        Ok(x)
    }
}

/// Calls per loop.
const N: i64 = 10_000;

fn main() {
    divan::main();
}

/// The loop, with `call` (an expression in `n`) evaluated once per iteration.
#[divan::bench(args = ["n", "builtins.idSync n", "builtins.idAsync n", "f n"])]
fn call_loop(bencher: Bencher, call: &str) {
    let mut e = Evaluation::builder()
        .pack(&bench::PACK)
        .build()
        .expect("no collisions");
    let src = format!(
        "let f = x: x; go = n: if n == 0 then 0 else if {call} == n then go (n - 1) else go (n - 1); in go {N}"
    );
    bencher.bench_local(|| {
        e.eval_source("bench", &src, Path::new("/"))
            .expect("the loop evaluates")
    });
}
