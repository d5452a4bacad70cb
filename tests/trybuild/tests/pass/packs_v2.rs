//! Namespaced packs, state per pack instance, docs that follow `overrides`, a
//! panicking builtin, and `crate = path`.
use nixie_eval::builtins;
use nixie_eval::Evaluation;
use std::cell::Cell;
use std::path::Path;

/// A call counter.
#[derive(Default)]
pub struct Counter(Cell<i64>);

/// Re-exported, as a crate that wraps nixie might do.
mod reexport {
    pub use nixie_eval as nixie;
}

#[builtins(name = "a", namespace = "a", state = Counter)]
mod a {
    use nixie_eval::prelude::*;

    /// Count in pack a.
    #[builtin("tick")]
    fn tick(#[state] c: Rc<super::Counter>, _v: Value) -> Result<i64, Error> {
        c.0.set(c.0.get() + 1);
        Ok(c.0.get())
    }

    /// Panic on purpose.
    #[builtin("boom")]
    fn boom(_v: Value) -> Result<i64, Error> {
        panic!("kaboom")
    }
}

#[builtins(name = "b", namespace = "b", state = Counter, crate = crate::reexport::nixie)]
mod b {
    use crate::reexport::nixie::prelude::*;

    /// Count in pack b.
    #[builtin("tick")]
    fn tick(#[state] c: Rc<super::Counter>, _v: Value) -> Result<i64, Error> {
        c.0.set(c.0.get() + 10);
        Ok(c.0.get())
    }
}

#[builtins(name = "better-a", namespace = "a", overrides)]
mod better_a {
    use nixie_eval::prelude::*;

    /// The overriding boom.
    #[builtin("boom")]
    fn boom(_v: Value) -> Result<i64, Error> {
        Ok(0)
    }
}

fn run(e: &mut Evaluation, src: &str) -> String {
    match e.eval_source("t", src, Path::new("/")).and_then(|v| e.deep_force(v)) {
        Ok(v) => nixie_eval::printer::print_string(&v),
        Err(err) => e.render_error(&err, false),
    }
}

fn main() {
    // Two packs with the same state type each get their own instance.
    let mut e = Evaluation::builder()
        .pack_with_state(&a::PACK, Counter::default())
        .pack_with_state(&b::PACK, Counter::default())
        .build()
        .unwrap();
    assert_eq!(
        run(&mut e, "with builtins; [ (a.tick 0) (b.tick 0) (a.tick 0) (b.tick 0) ]"),
        "[ 1 10 2 20 ]"
    );
    // A panicking builtin is an uncatchable error naming it; the evaluation goes on.
    let out = run(&mut e, "(builtins.tryEval (builtins.a.boom 1)).success");
    assert!(out.contains("builtin 'boom' panicked: kaboom"), "{out}");
    assert_eq!(run(&mut e, "builtins.a.tick 0"), "3");
    assert_eq!(e.doc("a.boom"), Some("Panic on purpose."));
    // Docs follow an override.
    let mut e = Evaluation::builder()
        .pack_with_state(&a::PACK, Counter::default())
        .pack(&better_a::PACK)
        .build()
        .unwrap();
    assert_eq!(run(&mut e, "builtins.a.boom 1"), "0");
    assert_eq!(e.doc("a.boom"), Some("The overriding boom."));
    assert_eq!(e.doc("a.tick"), Some("Count in pack a."));
}
