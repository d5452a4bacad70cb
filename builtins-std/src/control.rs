//! Evaluation control and debugging: `seq`, `deepSeq`, `trace`, `warn`,
//! `traceVerbose`, `addErrorContext`, `break`, `placeholder`.

use nixie_eval::builtins;

#[builtins(name = "control")]
pub mod defs {
    use nixie_eval::prelude::*;
    use sha2::{Digest, Sha256};

    /// `seq e1 e2`: evaluate `e1` (to weak head normal form), then return `e2`.
    #[builtin("seq")]
    fn seq(_e1: Value, e2: Value) -> Result<Value, ErrorKind> {
        Ok(e2)
    }

    /// `deepSeq e1 e2`: evaluate `e1` completely (every list element and attribute
    /// value, recursively), then return `e2`.
    #[builtin("deepSeq")]
    async fn deep_seq(co: &mut Co, e1: Value, #[lazy] e2: Value) -> Result<Value, ErrorKind> {
        if matches!(e1, Value::List(_) | Value::Attrs(_)) {
            co.deep_force(e1).await;
        }
        Ok(co.force(e2).await)
    }

    /// `trace e1 e2`: evaluate `e1`, print it on standard error as `trace: <e1>`
    /// (a string as it is, other values without evaluating them further), then
    /// return `e2`.
    #[builtin("trace")]
    fn trace(cx: &mut Ctx, e1: Value, #[lazy] e2: Value) -> Result<Value, ErrorKind> {
        let mut text = b"trace: ".to_vec();
        match &e1 {
            Value::String(s) => text.extend_from_slice(s.as_bytes()),
            other => text.extend(nixie_eval::printer::show_value(other).into_bytes()),
        }
        text.push(b'\n');
        cx.warn(&String::from_utf8_lossy(&text));
        Ok(e2)
    }

    /// `warn msg e`: print the string `msg` on standard error as an evaluation
    /// warning (`evaluation warning: msg`), then return `e`; with the
    /// `abort-on-warn` setting, end the evaluation with an error instead.
    #[builtin("warn")]
    fn warn(cx: &mut Ctx, msg: NixString, #[lazy] e: Value) -> Result<Value, ErrorKind> {
        let msg = msg.to_str_lossy();
        // Continuation lines are indented under the message, unless the message starts
        // on its own line (as current Nix prints them).
        let text = match msg.strip_prefix('\n') {
            Some(rest) => format!("evaluation warning:\n{rest}\n"),
            None => format!(
                "evaluation warning: {}\n",
                msg.replace('\n', "\n                    ")
            ),
        };
        cx.warn(&text);
        if cx.settings().abort_on_warn {
            return Err(ErrorKind::Other(
                "aborting to reveal stack trace of warning, as abort-on-warn is set".into(),
            ));
        }
        Ok(e)
    }

    /// `traceVerbose e1 e2`: like `trace` when verbose tracing is enabled (the
    /// `trace-verbose` setting); Nixie has no such setting, so this returns `e2`
    /// without evaluating `e1`.
    #[builtin("traceVerbose")]
    fn trace_verbose(#[lazy] _e1: Value, #[lazy] e2: Value) -> Result<Value, ErrorKind> {
        Ok(e2)
    }

    /// `addErrorContext context e`: evaluate and return `e`; an error raised while
    /// evaluating it gets `context` as a line of its trace.
    #[builtin("addErrorContext")]
    async fn add_error_context(
        co: &mut Co,
        #[lazy] context: Value,
        #[lazy] e: Value,
    ) -> Result<Value, ErrorKind> {
        Ok(co.force_annotated(e, context).await)
    }

    /// `break e`: return `e` (in C++ Nix this enters the debugger when it is enabled).
    #[builtin("break")]
    fn break_(#[lazy] e: Value) -> Result<Value, ErrorKind> {
        Ok(e)
    }

    /// `placeholder output`: the placeholder string (`/` followed by a hash) that a
    /// derivation builder sees replaced by the path of the output named `output`.
    #[builtin("placeholder", global)]
    fn placeholder(output: NixString) -> Result<String, ErrorKind> {
        output.require_no_context()?;
        let mut h = Sha256::new();
        h.update(b"nix-output:");
        h.update(output.as_bytes());
        Ok(format!("/{}", nixie_eval::encoding::base32(&h.finalize())))
    }
}

pub use defs::PACK;

#[cfg(test)]
mod tests {
    use nixie_eval::Evaluation;
    use std::cell::RefCell;
    use std::path::Path;
    use std::rc::Rc;

    /// Evaluate strictly; return the printed value (or error) and what went to the
    /// warning sink.
    fn run(src: &str) -> (String, String) {
        let out = Rc::new(RefCell::new(String::new()));
        let sink = out.clone();
        let mut eval = crate::register(Evaluation::builder())
            .warning_sink(move |w: &str| sink.borrow_mut().push_str(w))
            .build()
            .expect("std packs do not collide");
        let r = eval
            .eval_source("«test»", src, Path::new("/"))
            .and_then(|v| eval.deep_force(v));
        let printed = match r {
            Ok(v) => {
                String::from_utf8_lossy(&nixie_eval::printer::print_value(&v, None)).into_owned()
            }
            Err(e) => eval.render_error(&e, false),
        };
        let warnings = out.borrow().clone();
        (printed, warnings)
    }

    #[test]
    fn trace_prints_strings_raw_and_values_in_nix_syntax() {
        let (v, w) = run(r#"builtins.trace "hello \"you\"" (builtins.trace [ 1 "a" null ] 2)"#);
        assert_eq!(v, "2");
        assert_eq!(w, "trace: hello \"you\"\ntrace: [ 1 \"a\" null ]\n");
    }

    #[test]
    fn trace_does_not_force_nested_values() {
        let (v, w) = run(r#"let x = throw "no"; in builtins.trace { a = x; b = "s"; } 1"#);
        assert_eq!(v, "1");
        assert_eq!(w, "trace: { a = «thunk»; b = \"s\"; }\n");
    }

    #[test]
    fn trace_prints_before_evaluating_the_result() {
        let (_, w) = run(r#"builtins.trace "outer" (builtins.trace "inner" 1)"#);
        assert_eq!(w, "trace: outer\ntrace: inner\n");
        let (v, w) = run(r#"builtins.trace "first" (throw "second")"#);
        assert!(v.contains("second"), "{v}");
        assert_eq!(w, "trace: first\n");
    }

    #[test]
    fn trace_prints_functions_and_numbers() {
        let (_, w) =
            run("builtins.trace (x: x) (builtins.trace 1.5 (builtins.trace builtins.add 0))");
        // As current C++ Nix (2.8 printed `<LAMBDA>` and `<PRIMOP>`).
        assert_eq!(
            w,
            "trace: «lambda @ «test»:1:17»\ntrace: 1.5\ntrace: «primop add»\n"
        );
    }

    #[test]
    fn warn_prints_an_evaluation_warning() {
        let (v, w) = run(r#"builtins.warn "careful" 3"#);
        assert_eq!(v, "3");
        assert_eq!(w, "evaluation warning: careful\n");
        let (_, w) = run(r#"builtins.warn "foo\nbar" null"#);
        assert_eq!(w, "evaluation warning: foo\n                    bar\n");
        let (_, w) = run(r#"builtins.warn "\nfoo\nbar" null"#);
        assert_eq!(w, "evaluation warning:\nfoo\nbar\n");
    }

    #[test]
    fn trace_verbose_is_silent() {
        let (v, w) = run(r#"builtins.traceVerbose "quiet" 3"#);
        assert_eq!(v, "3");
        assert_eq!(w, "");
    }
}
