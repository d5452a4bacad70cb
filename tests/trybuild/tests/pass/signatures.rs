//! Every supported argument kind, result kind and context compiles and runs.
use nixie_eval::builtins;
use nixie_eval::Evaluation;
use std::path::Path;

/// An alias of `Result`, as crates often define.
type R<T> = Result<T, nixie_eval::Error>;

/// A set argument.
#[derive(nixie_eval::FromAttrs)]
pub struct Opts {
    url: String,
    #[nix(rename = "outputHash")]
    hash: Option<String>,
    #[nix(default)]
    retries: i64,
}

#[builtins(name = "shapes")]
mod shapes {
    use nixie_eval::convert::{KeepPaths, ToStringRules};
    use nixie_eval::prelude::*;
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    /// Integers in and out.
    #[builtin("inc")]
    fn inc(n: i64) -> Result<i64, ErrorKind> {
        Ok(n + 1)
    }

    /// An argument with its own trace line.
    #[builtin("dec")]
    fn dec(#[context = "while evaluating the number to decrement"] n: i64) -> Result<i64, ErrorKind> {
        Ok(n - 1)
    }

    /// Floats (ints are accepted too), bools and numbers.
    #[builtin("scale")]
    fn scale(f: f64, neg: bool, n: NixNumber) -> Result<f64, Error> {
        Ok(if neg { -f * n.as_f64() } else { f * n.as_f64() })
    }

    /// Strings, lists and sets.
    #[builtin("describe")]
    fn describe(s: NixString, l: List, a: Attrs, t: String) -> Result<String, String> {
        Ok(format!("{} {} {} {t}", s, l.len(), a.len()))
    }

    /// Paths in, a `Vec` out.
    #[builtin("parts")]
    fn parts(p: PathBuf) -> super::R<Vec<String>> {
        Ok(p.iter().map(|c| c.to_string_lossy().into_owned()).collect())
    }

    /// A map result.
    #[builtin("pair", global)]
    fn pair(k: NixString, v: Value) -> Result<BTreeMap<String, Value>, ErrorKind> {
        let mut m = BTreeMap::new();
        m.insert(k.to_string(), v);
        Ok(m)
    }

    /// `Option`, `Vec` and map arguments.
    #[builtin("collections")]
    fn collections(o: Option<i64>, v: Vec<i64>, m: BTreeMap<NixString, bool>) -> Result<i64, Error> {
        Ok(o.unwrap_or(0) + v.iter().sum::<i64>() + m.values().filter(|b| **b).count() as i64)
    }

    /// An optional result.
    #[builtin("nonEmpty")]
    fn non_empty(s: NixString) -> Result<Option<NixString>, ErrorKind> {
        Ok(if s.is_empty() { None } else { Some(s) })
    }

    /// A lazy argument (never forced here), and a typed lazy one.
    #[builtin("first")]
    fn first(a: Value, #[lazy] _b: Value, _c: Lazy<i64>) -> Result<Value, ErrorKind> {
        Ok(a)
    }

    /// Coerced strings.
    #[builtin("coerced")]
    fn coerced(a: Coerced, b: Coerced<KeepPaths>, c: Coerced<ToStringRules>) -> Result<String, Error> {
        Ok(format!("{}|{}|{}", a.to_str_lossy(), b.to_str_lossy(), c.to_str_lossy()))
    }

    /// A set argument described by a struct.
    #[builtin("fetch")]
    fn fetch(o: super::Opts) -> Result<String, Error> {
        Ok(format!("{} {:?} {}", o.url, o.hash, o.retries))
    }

    /// The context: IO and settings.
    #[builtin("envOr")]
    fn env_or(cx: &mut Ctx, name: NixString) -> Result<String, ErrorKind> {
        Ok(cx.io().env_var(&name.to_str_lossy()).unwrap_or_default())
    }

    /// A raw identifier.
    #[builtin("match2")]
    fn r#match(a: i64) -> Result<i64, Error> {
        Ok(a * 2)
    }

    /// A plain builtin with an explicit suspending path.
    #[builtin("orForce", suspend = or_force_slowly)]
    fn or_force(cx: &mut Ctx, v: Value) -> Result<Value, Error> {
        match v {
            Value::Thunk(_) => Err(cx.suspend()),
            v => Ok(v),
        }
    }

    async fn or_force_slowly(co: &mut Co, v: Value) -> Result<Value, Error> {
        Ok(co.force(v).await)
    }

    /// An async builtin calling back into Nix with one and two arguments.
    #[builtin("twice")]
    async fn twice(co: &mut Co, f: Callable, #[lazy] x: Value) -> Result<Value, ErrorKind> {
        let once = co.call(f.0.clone(), x).await;
        Ok(co.call(f.0, once).await)
    }

    /// Typed forcing, deep forcing, try-calls, coercion and comparison.
    #[builtin("tour")]
    async fn tour(co: &mut Co, f: Value, x: Lazy<i64>) -> Result<Vec<Value>, Error> {
        let n = x.force(co).await?;
        let sum = co.call(f.clone(), [Value::Int(n), Value::Int(1)]).await;
        let caught = co.try_call(f, [Value::Null, Value::Null]).await.is_err();
        let s = co.coerce_to_string(Value::Int(n), Coercion::ToString).await;
        let eq = co.equal(sum.clone(), Value::Int(n + 1)).await;
        let lt = co.less(Value::Int(1), sum.clone()).await?;
        let deep = co.deep_force(Value::List(vec![sum.clone()].into())).await;
        let env = co.ctx(|cx| cx.settings().pure_eval);
        Ok(vec![sum, Value::Bool(caught), Value::String(s), Value::Bool(eq), Value::Bool(lt), deep, Value::Bool(env)])
    }

    /// A constant.
    #[constant("answer", global)]
    fn answer() -> i64 {
        42
    }
}

fn main() {
    let mut e = Evaluation::builder().pack(&shapes::PACK).build().unwrap();
    let src = r#"with builtins; [ (inc 1) (scale 1.5 true 2) (describe "s" [ 1 ] { } "t") (pair "k" 1)
      (collections null [ 1 (1 + 1) ] { a = true; b = false; }) (nonEmpty "") (first 3 (throw "no") (throw "no"))
      (coerced { outPath = "o"; } /a/b 12) (coerced { __toString = s: "x"; } "y" [ 1 null ])
      (fetch { url = "u" + "v"; outputHash = null; }) (match2 21) (orForce (1 + 1))
      (twice (x: x * 2) 5) (tour (a: b: if a == null then throw "t" else a + b) (2 + 3)) answer ]"#;
    let v = e.eval_source("t", src, Path::new("/")).unwrap();
    let v = e.deep_force(v).unwrap();
    let out = nixie_eval::printer::print_string(&v);
    assert_eq!(
        out,
        r#"[ 2 -3 "s 1 0 t" { k = 1; } 4 null 3 "o|/a/b|12" "x|y|1 " "uv None 0" 42 2 20 [ 6 true "5" true true [ 6 ] false ] 42 ]"#
    );
    assert_eq!(e.doc("inc"), Some("Integers in and out."));
    // A failed conversion carries the parameter's own trace line, then the builtin's.
    let err = e.eval_source("t", "builtins.dec \"x\"", Path::new("/")).unwrap_err();
    let shown = e.render_error(&err, true);
    assert!(shown.contains("… while calling the 'dec' builtin"), "{shown}");
    assert!(shown.contains("… while evaluating the number to decrement\n"), "{shown}");
    assert!(shown.contains("error: expected an integer but found a string: \"x\""), "{shown}");
}
