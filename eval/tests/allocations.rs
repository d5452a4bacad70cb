//! Allocations per call, pinned: a plain builtin allocates nothing, an async
//! builtin once (its boxed future), a Nix lambda nothing.

use nixie_eval::builtins;
use nixie_eval::Evaluation;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;

/// Counts the allocations of each thread (tests run in parallel threads).
struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the thread-local may already be gone while a thread exits.
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[builtins(name = "probe")]
mod probe {
    use nixie_eval::prelude::*;

    /// Identity, synchronous.
    #[builtin("idSync")]
    fn id_sync(x: i64) -> Result<i64, Error> {
        Ok(x)
    }

    /// Identity, with its context.
    #[builtin("idCx")]
    fn id_cx(cx: &mut Ctx, x: i64) -> Result<i64, Error> {
        let _ = cx.settings();
        Ok(x)
    }

    /// Identity, as a generator.
    #[builtin("idAsync")]
    async fn id_async(co: &mut Co, x: i64) -> Result<i64, Error> {
        let _ = &co;
        Ok(x)
    }

    /// One callback into Nix.
    #[builtin("apply")]
    async fn apply(co: &mut Co, f: Value, x: Value) -> Result<Value, Error> {
        Ok(co.call(f, x).await)
    }
}

const N: u64 = 20_000;

/// Allocations of the loop calling `call` once per iteration.
fn allocations(call: &str) -> u64 {
    let mut e = Evaluation::builder()
        .pack(&probe::PACK)
        .build()
        .expect("no collisions");
    let src = format!(
        "let f = x: x; go = n: if n == 0 then 0 else if {call} == n then go (n - 1) else go (n - 1); in go {N}"
    );
    let before = ALLOCS.with(Cell::get);
    let v = e
        .eval_source("alloc", &src, Path::new("/"))
        .expect("the loop evaluates");
    let n = ALLOCS.with(Cell::get) - before;
    drop(v);
    n
}

/// Extra allocations per call over the loop without a call.
fn per_call(call: &str) -> f64 {
    // Warm up caches (thread locals, the drop queue) once.
    let _ = allocations("n");
    let base = allocations("n");
    allocations(call).saturating_sub(base) as f64 / N as f64
}

#[test]
fn plain_builtins_allocate_nothing_per_call() {
    assert!(per_call("builtins.idSync n") < 0.01);
    assert!(per_call("builtins.idCx n") < 0.01);
}

#[test]
fn async_builtins_allocate_once_per_call() {
    let a = per_call("builtins.idAsync n");
    assert!((0.99..1.01).contains(&a), "{a}");
}

#[test]
fn lambdas_allocate_nothing_per_call() {
    assert!(per_call("f n") < 0.01);
}

#[test]
fn a_callback_costs_the_generator_only() {
    let a = per_call("builtins.apply f n");
    assert!(a < 1.01, "{a}");
}

#[test]
fn a_memory_limit_needs_the_counting_allocator() {
    let mut settings = nixie_eval::Settings::default();
    settings.limits.memory = Some(1 << 30);
    let r = Evaluation::builder().settings(settings).build();
    assert!(matches!(r, Err(nixie_eval::BuildError::MemoryNotCounted)));
}
