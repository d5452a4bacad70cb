//! The example pack works end to end inside an evaluation.

use std::path::Path;

fn eval(src: &str) -> Result<String, String> {
    let mut e = custom_builtins::evaluation().expect("the example pack does not collide");
    let v = e
        .eval_source("«test»", src, Path::new("/"))
        .and_then(|v| e.deep_force(v));
    match v {
        Ok(v) => {
            Ok(String::from_utf8_lossy(&nixie_eval::printer::print_value(&v, None)).into_owned())
        }
        Err(err) => Err(e.render_error(&err, true)),
    }
}

#[test]
fn typed_builtin() {
    assert_eq!(
        eval("[ (builtins.clamp 0 10 42) (builtins.clamp 0 10 (-3)) (builtins.clamp 0 10 5) ]")
            .unwrap(),
        "[ 10 0 5 ]"
    );
    let err = eval("builtins.clamp 0 10 \"x\"").unwrap_err();
    assert!(
        err.contains("expected an integer but found a string: \"x\""),
        "{err}"
    );
    assert!(err.contains("while calling the 'clamp' builtin"), "{err}");
    assert!(eval("(builtins.tryEval (builtins.clamp 5 1 0)).success").unwrap() == "false");
}

#[test]
fn lazy_builtin() {
    assert_eq!(
        eval("builtins.when false (throw \"never\") 7").unwrap(),
        "7"
    );
    assert!(eval("builtins.when true (throw \"forced\") 7")
        .unwrap_err()
        .contains("forced"));
}

#[test]
fn async_builtin_calls_back_into_nix() {
    assert_eq!(eval("builtins.iterate (x: x * 2) 10 1").unwrap(), "1024");
    assert_eq!(
        eval("builtins.iterate (s: s + \"a\") 3 \"\"").unwrap(),
        "\"aaa\""
    );
    assert!(eval("builtins.iterate 1 1 1")
        .unwrap_err()
        .contains("expected a function"));
}

#[test]
fn pack_state_is_shared_within_an_evaluation() {
    assert_eq!(
        eval("[ (builtins.tick 0) (builtins.tick 0) (builtins.tick 0) ]").unwrap(),
        "[ 1 2 3 ]"
    );
    // A fresh evaluation has fresh state.
    assert_eq!(eval("builtins.tick 0").unwrap(), "1");
}

#[test]
fn docs_are_available() {
    let e = custom_builtins::evaluation().unwrap();
    assert_eq!(
        e.doc("clamp"),
        Some("Clamp an integer into the range `[lo, hi]`.")
    );
}

#[test]
fn namespaced_pack_with_a_set_argument() {
    assert_eq!(
        eval(r#"builtins.net.describe { url = "https://example.org/" + "x"; }"#).unwrap(),
        r#""download <- https://example.org/x [unchecked] x3""#
    );
    assert_eq!(
        eval(r#"let h = "abc"; in builtins.net.describe { url = "u"; sha256 = h; name = "n"; maxAttempts = 1 + 1; }"#)
            .unwrap(),
        r#""n <- u [abc] x2""#
    );
    let err = eval(r#"builtins.net.describe { url = "u"; bogus = 1; }"#).unwrap_err();
    assert!(
        err.contains("unsupported argument 'bogus' to 'describe'"),
        "{err}"
    );
    let err = eval(r#"builtins.net.describe { name = "n"; }"#).unwrap_err();
    assert!(err.contains("attribute 'url' missing"), "{err}");
    let err = eval(r#"builtins.net.describe { url = 1; }"#).unwrap_err();
    assert!(
        err.contains("expected a string but found an integer: 1"),
        "{err}"
    );
    // Not visible outside its namespace.
    assert!(eval("builtins ? describe").unwrap() == "false");
}

#[test]
fn try_call_sees_catchable_errors() {
    assert_eq!(
        eval(r#"builtins.net.attempt (x: throw "no") 1 "fallback""#).unwrap(),
        r#""fallback""#
    );
    assert_eq!(
        eval("builtins.net.attempt (x: x + 1) 1 (throw \"unused\")").unwrap(),
        "2"
    );
    // Uncatchable errors still propagate.
    assert!(eval(r#"builtins.net.attempt (x: abort "stop") 1 0"#)
        .unwrap_err()
        .contains("stop"));
}

#[test]
fn stepping_builtin() {
    assert_eq!(
        eval("builtins.until (x: x > 100) (x: x * 2) 1").unwrap(),
        "128"
    );
    assert_eq!(
        eval("builtins.until (x: true) (x: throw \"never\") 5").unwrap(),
        "5"
    );
    // A million steps run in one frame.
    assert_eq!(
        eval("builtins.until (x: x == 1000000) (x: x + 1) 0").unwrap(),
        "1000000"
    );
    let err = eval("builtins.until (x: 1) (x: x) 0").unwrap_err();
    assert!(
        err.contains("while evaluating the return value of the predicate passed to builtins.until"),
        "{err}"
    );
    assert!(
        err.contains("expected a Boolean but found an integer: 1"),
        "{err}"
    );
    let err = eval("builtins.until (x: x > 2) (x: if x == 2 then throw \"two\" else x + 1) 0")
        .unwrap_err();
    assert!(err.contains("while calling the 'until' builtin"), "{err}");
    assert!(err.contains("error: two"), "{err}");
    assert_eq!(
        eval("(builtins.tryEval (builtins.until (x: throw \"t\") (x: x) 0)).success").unwrap(),
        "false"
    );
}

#[test]
fn stepping_builtin_on_the_suspending_path() {
    // A plain string converts on the fast path; a set with `__toString` makes the
    // conversion call into Nix, so the same steps run inside a generator.
    assert_eq!(
        eval("builtins.callWithString \"a\" (s: s + \"!\")").unwrap(),
        "\"a!\""
    );
    assert_eq!(
        eval("builtins.callWithString { __toString = _: \"b\"; } (s: s + \"?\")").unwrap(),
        "\"b?\""
    );
    let err = eval("builtins.callWithString { __toString = _: \"b\"; } (s: throw \"in ${s}\")")
        .unwrap_err();
    assert!(err.contains("error: in b"), "{err}");
}
