//! Micro-benchmark: the cost of one call of a sync builtin, an async builtin and a
//! Nix lambda, in time and heap allocations per call. Each is measured as a Nix loop
//! of N iterations that calls the function once per iteration, minus the same loop
//! without the call. Run with `cargo bench -p nixie-eval --bench calls`.

use nixie_eval::builtins;
use nixie_eval::Evaluation;
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Counts every allocation made by the process.
struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

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

const N: i64 = 2_000_000;

/// (seconds, allocations) of evaluating the loop with `call` applied to `n`.
fn measure(call: &str) -> (f64, u64) {
    let mut best = (f64::MAX, u64::MAX);
    for _ in 0..5 {
        let mut e = Evaluation::builder()
            .pack(&bench::PACK)
            .build()
            .expect("no collisions");
        let src = format!(
            "let f = x: x; go = n: if n == 0 then 0 else if {call} == n then go (n - 1) else go (n - 1); in go {N}"
        );
        let a0 = ALLOCS.load(Ordering::Relaxed);
        let t0 = Instant::now();
        let v = e
            .eval_source("bench", &src, Path::new("/"))
            .expect("the loop evaluates");
        let dt = t0.elapsed().as_secs_f64();
        let da = ALLOCS.load(Ordering::Relaxed) - a0;
        drop(v);
        if dt < best.0 {
            best = (dt, da);
        }
    }
    best
}

fn main() {
    let (t0, a0) = measure("n");
    println!("{:<14} {:>12} {:>16}", "call", "ns/call", "allocs/call");
    for (name, call) in [
        ("sync builtin", "builtins.idSync n"),
        ("async builtin", "builtins.idAsync n"),
        ("Nix lambda", "f n"),
    ] {
        let (t, a) = measure(call);
        let ns = (t - t0) * 1e9 / N as f64;
        let allocs = (a.saturating_sub(a0)) as f64 / N as f64;
        println!("{name:<14} {ns:>12.1} {allocs:>16.2}");
    }
}
