//! `-A` attribute paths: `a.b."c.d".0`, applied with auto-calling at each step.

use nixie_eval::value::{Attrs, Value};
use nixie_eval::{Error, ErrorKind, Evaluation};

/// Split an attribute path on dots, honouring double quotes.
pub fn split(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in path.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Follow `path` from `v`, auto-calling functions with `args` before each step.
pub fn select(
    eval: &mut Evaluation,
    mut v: Value,
    path: &str,
    args: &Attrs,
) -> Result<Value, Error> {
    if path.is_empty() {
        return Ok(v);
    }
    for comp in split(path) {
        v = eval.auto_call(v, args)?;
        v = eval.force(v)?;
        v = match &v {
            Value::List(l) if comp.parse::<usize>().is_ok() => {
                let i = comp.parse::<usize>().expect("checked by the guard");
                l.get(i).cloned().ok_or_else(|| {
                    Error::from(ErrorKind::Other(format!(
                        "list index {i} in selection path '{path}' is out of range"
                    )))
                })?
            }
            Value::Attrs(a) => a.get(comp.as_bytes()).cloned().ok_or_else(|| {
                let e = Error::from(ErrorKind::Other(format!(
                    "attribute '{comp}' in selection path '{path}' not found"
                )));
                let names = a.iter().map(|(k, _)| k.as_bytes());
                match nixie_eval::suggestions::did_you_mean(comp.as_bytes(), names) {
                    Some(h) => e.with_hint(h),
                    None => e,
                }
            })?,
            other => {
                return Err(Error::msg(format!(
                "the expression selected by the selection path '{path}' should be a set but is {}",
                other.type_description()
            )))
            }
        };
    }
    Ok(v)
}
