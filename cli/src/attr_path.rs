//! `-A` attribute paths: `a.b."c.d".0`, applied with auto-calling at each step.

use nixie_eval::value::{Attrs, Value};
use nixie_eval::{Error, ErrorKind, Evaluation};

/// Split an attribute path on dots; a double-quoted run keeps its dots. An
/// empty last component is dropped (`a.` is `a`), an empty inner one kept.
pub fn split(path: &str) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match c {
            '.' => out.push(std::mem::take(&mut cur)),
            '"' => loop {
                match chars.next() {
                    None => {
                        return Err(Error::msg(format!(
                            "missing closing quote in selection path '{path}'"
                        )))
                    }
                    Some('"') => break,
                    Some(c) => cur.push(c),
                }
            },
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// Follow `path` from `v`, auto-calling functions with `args` before each step.
/// A component that is a number indexes a list.
pub fn select(
    eval: &mut Evaluation,
    mut v: Value,
    path: &str,
    args: &Attrs,
) -> Result<Value, Error> {
    for comp in split(path)? {
        v = eval.auto_call(v, args)?;
        v = eval.force(v)?;
        let shape = |what: &str, v: &Value| {
            Error::msg(format!(
                "the expression selected by the selection path '{path}' should be {what} but is {}",
                v.type_description()
            ))
        };
        v = match comp.parse::<u32>() {
            Ok(i) => match &v {
                Value::List(l) => l.get(i as usize).cloned().ok_or_else(|| {
                    Error::from(ErrorKind::Other(format!(
                        "list index {i} in selection path '{path}' is out of range"
                    )))
                })?,
                other => return Err(shape("a list", other)),
            },
            Err(_) => match &v {
                Value::Attrs(_) if comp.is_empty() => {
                    return Err(Error::msg(format!(
                        "empty attribute name in selection path '{path}'"
                    )))
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
                other => return Err(shape("a set", other)),
            },
        };
    }
    Ok(v)
}
