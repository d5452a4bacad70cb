//! Every supported builtin signature shape compiles and runs.
use nixie_eval::builtins;
use nixie_eval::Evaluation;
use std::path::Path;

#[builtins(name = "shapes")]
mod shapes {
    use nixie_eval::prelude::*;
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    /// Integers in and out.
    #[builtin("inc")]
    fn inc(n: i64) -> Result<i64, ErrorKind> {
        Ok(n + 1)
    }

    /// Floats (ints are accepted too), bools and numbers.
    #[builtin("scale")]
    fn scale(f: f64, neg: bool, n: NixNumber) -> Result<f64, ErrorKind> {
        Ok(if neg { -f * n.as_f64() } else { f * n.as_f64() })
    }

    /// Strings, lists and sets.
    #[builtin("describe")]
    fn describe(s: NixString, l: List, a: Attrs) -> Result<String, ErrorKind> {
        Ok(format!("{} {} {}", s, l.len(), a.len()))
    }

    /// Paths, `Option`, `Vec` and maps as results.
    #[builtin("parts")]
    fn parts(p: PathBuf) -> Result<Vec<String>, ErrorKind> {
        Ok(p.iter().map(|c| c.to_string_lossy().into_owned()).collect())
    }

    /// A map result.
    #[builtin("pair", global)]
    fn pair(k: NixString, v: Value) -> Result<BTreeMap<String, Value>, ErrorKind> {
        let mut m = BTreeMap::new();
        m.insert(k.to_string(), v);
        Ok(m)
    }

    /// An optional result.
    #[builtin("nonEmpty")]
    fn non_empty(s: NixString) -> Result<Option<NixString>, ErrorKind> {
        Ok(if s.is_empty() { None } else { Some(s) })
    }

    /// A lazy argument (never forced here).
    #[builtin("first")]
    fn first(a: Value, #[lazy] _b: Value) -> Result<Value, ErrorKind> {
        Ok(a)
    }

    /// The VM.
    #[builtin("envOr")]
    fn env_or(vm: &mut Vm, name: NixString) -> Result<String, ErrorKind> {
        Ok(vm.io.env_var(&name.to_str_lossy()).unwrap_or_default())
    }

    /// An async builtin calling back into Nix.
    #[builtin("twice")]
    async fn twice(co: GenCo, f: Callable, #[lazy] x: Value) -> Result<Value, ErrorKind> {
        let once = co.yield_(Request::Call(f.0.clone(), x)).await;
        let r = co.yield_(Request::Call(f.0, once)).await;
        Ok(force(&co, r).await)
    }

    /// A constant.
    #[constant("answer", global)]
    fn answer() -> i64 {
        42
    }
}

fn main() {
    let mut e = Evaluation::builder().pack(&shapes::PACK).build().unwrap();
    let src = r#"[ (builtins.inc 1) (builtins.scale 1.5 true 2) (builtins.describe "s" [ 1 ] { }) (pair "k" 1)
                   (builtins.nonEmpty "") (builtins.first 3 (throw "no")) (builtins.twice (x: x * 2) 5) answer ]"#;
    let v = e.eval_source("t", src, Path::new("/")).unwrap();
    let v = e.deep_force(v).unwrap();
    let out = String::from_utf8(nixie_eval::printer::print_value(&v, None)).unwrap();
    assert_eq!(out, r#"[ 2 -3 "s 1 0" { k = 1; } null 3 20 42 ]"#);
    assert_eq!(e.doc("inc"), Some("Integers in and out."));
}
