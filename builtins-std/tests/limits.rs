//! Resource limits: each limit ends a runaway evaluation with its own message, no
//! trace and no position; `tryEval` cannot catch it; the evaluation can run again
//! after `reset_limits`.

use nixie_eval::limits::Exceeded;
use nixie_eval::memory::CountingAlloc;
use nixie_eval::{Error, ErrorKind, Evaluation, Limits, Settings};
use std::path::Path;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: CountingAlloc<std::alloc::System> = CountingAlloc(std::alloc::System);

const FOREVER: &str = "let f = x: f (x + 1); in f 0";

fn limited(f: impl FnOnce(&mut Limits)) -> Evaluation {
    let mut settings = Settings::default();
    f(&mut settings.limits);
    nixie_builtins_std::register(Evaluation::builder())
        .settings(settings)
        .build()
        .expect("the counting allocator is installed")
}

fn run(e: &mut Evaluation, src: &str) -> Result<String, Error> {
    let v = e.eval_source("«test»", src, Path::new("/"))?;
    let v = e.deep_force(v)?;
    Ok(String::from_utf8(e.print(&v)?).expect("ASCII output"))
}

fn exceeded(r: Result<String, Error>) -> Exceeded {
    match r {
        Err(e) => match e.kind() {
            ErrorKind::LimitExceeded(x) => *x,
            other => panic!("not a limit: {other:?}"),
        },
        Ok(v) => panic!("finished with {v}"),
    }
}

#[test]
fn steps_limit_a_runaway_loop_and_the_evaluation_runs_again() {
    let mut e = limited(|l| l.steps = Some(100_000));
    assert_eq!(exceeded(run(&mut e, FOREVER)), Exceeded::Steps(100_000));
    e.reset_limits();
    assert_eq!(run(&mut e, "1 + 1").expect("fresh budget"), "2");
}

#[test]
fn a_limit_gathers_no_trace_and_no_position() {
    let mut e = limited(|l| l.steps = Some(10_000));
    let err = run(
        &mut e,
        "[ (builtins.map (x: x) [ (let f = x: f x; in f 1) ]) ]",
    )
    .expect_err("runs away");
    assert_eq!(
        e.render_error(&err, true),
        "error: step limit exceeded (10000 calls)\n"
    );
}

#[test]
fn try_eval_does_not_catch_a_limit() {
    let mut e = limited(|l| l.steps = Some(50_000));
    let src = format!("builtins.tryEval ({FOREVER})");
    assert_eq!(exceeded(run(&mut e, &src)), Exceeded::Steps(50_000));
}

#[test]
fn time_limit() {
    let mut e = limited(|l| l.time = Some(Duration::from_millis(200)));
    let start = Instant::now();
    assert!(matches!(exceeded(run(&mut e, FOREVER)), Exceeded::Time(_)));
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn memory_limit_and_the_memory_is_given_back() {
    let mut e = limited(|l| l.memory = Some(16 << 20));
    // Every element is kept: the list grows until the budget is spent.
    let src = "builtins.length (builtins.foldl' (acc: x: [ acc acc x ]) [ ] (builtins.genList (x: x) 100000000))";
    assert_eq!(exceeded(run(&mut e, src)), Exceeded::Memory(16 << 20));
    e.reset_limits();
    assert_eq!(
        run(&mut e, "builtins.length (builtins.genList (x: x) 1000)").expect("within"),
        "1000"
    );
}

#[test]
fn output_limit_on_printing_and_serialising() {
    let mut e = limited(|l| l.output = Some(1000));
    let big = "builtins.genList (x: x) 1000";
    assert_eq!(exceeded(run(&mut e, big)), Exceeded::Output(1000));
    let json = format!("builtins.stringLength (builtins.toJSON ({big}))");
    assert_eq!(exceeded(run(&mut e, &json)), Exceeded::Output(1000));
    let xml = format!("builtins.stringLength (builtins.toXML ({big}))");
    assert_eq!(exceeded(run(&mut e, &xml)), Exceeded::Output(1000));
    assert_eq!(
        run(&mut e, "builtins.toJSON [ 1 2 ]").expect("small"),
        r#""[1,2]""#
    );
}

#[test]
fn interrupt_from_another_thread() {
    let mut e = limited(|_| {});
    let handle = e.interrupt_handle();
    let firing = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        handle.interrupt();
    });
    assert_eq!(exceeded(run(&mut e, FOREVER)), Exceeded::Interrupted);
    firing.join().expect("the interrupting thread ends");
    // Still interrupted until reset.
    assert_eq!(exceeded(run(&mut e, FOREVER)), Exceeded::Interrupted);
    e.reset_limits();
    assert_eq!(run(&mut e, "3 * 3").expect("reset"), "9");
    let err = run(&mut limited(|l| l.steps = Some(1)), FOREVER).expect_err("one step");
    assert_eq!(err.message(), "step limit exceeded (1 calls)");
}

#[test]
fn a_dropped_evaluation_gives_its_memory_back() {
    let build_and_drop = || {
        let mut e = limited(|_| {});
        assert_eq!(
            run(
                &mut e,
                "builtins.length (builtins.attrNames builtins) > 100"
            )
            .expect("runs"),
            "true"
        );
    };
    build_and_drop();
    let before = nixie_eval::memory::allocated_here();
    for _ in 0..10 {
        build_and_drop();
    }
    let kept = nixie_eval::memory::allocated_here() - before;
    assert!(kept < 4096, "10 evaluations kept {kept} bytes");
}
