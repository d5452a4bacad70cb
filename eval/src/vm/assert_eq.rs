//! Why `assert a == b` failed: C++ Nix walks the two values again after the
//! comparison said no, and reports the first difference it meets, with the way
//! to it ("while comparing attribute 'b'", "where left hand side is").

use super::gen::Request;
use crate::context::Co;
use crate::errors::{Error, ErrorKind};
use crate::printer::short;
use crate::source::Span;
use crate::value::Value;

/// One step from the compared values to a nested pair, with its trace lines
/// (innermost first): (parent + 1 or 0, frames).
type Path = Vec<(usize, Vec<(String, Option<Span>)>)>;

fn difference(msg: String, paths: &Path, mut at: usize) -> Error {
    let mut e = Error::unpositioned(ErrorKind::AssertionUnequal(msg));
    while at > 0 {
        let (parent, frames) = &paths[at - 1];
        for (what, pos) in frames {
            e.push_frame(what.clone(), *pos);
        }
        at = *parent;
    }
    e
}

fn is_number(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Float(_))
}

/// Compare `a` and `b` as `==` does; fail with the first difference found. Returns
/// null when none is found (then the assertion fails without an explanation).
pub(super) async fn explain(
    mut co: Co,
    a: Value,
    b: Value,
    eq: Option<Span>,
) -> Result<Value, Error> {
    let mut paths: Path = Vec::new();
    let mut work = vec![(a, b, 0usize)];
    while let Some((x, y, at)) = work.pop() {
        let nested = at > 0;
        if nested && x.same_object(&y) {
            continue;
        }
        let x = co.force(x).await;
        let y = co.force(y).await;
        let fail = |msg: String| difference(msg, &paths, at);
        if is_number(&x) && is_number(&y) {
            if super::ops::equal_shallow(&x, &y) == Some(true) {
                continue;
            }
            return Err(fail(format!(
                "{} with value '{}' is not equal to {} with value '{}'",
                x.type_description(),
                short(&x),
                y.type_description(),
                short(&y)
            )));
        }
        if std::mem::discriminant(&x) != std::mem::discriminant(&y)
            && !(x.is_function() && y.is_function())
        {
            return Err(fail(format!(
                "{} of value '{}' is not equal to {} of value '{}'",
                x.type_description(),
                short(&x),
                y.type_description(),
                short(&y)
            )));
        }
        match (&x, &y) {
            (Value::Bool(p), Value::Bool(q)) if p != q => {
                return Err(fail(format!("boolean '{p}' is not equal to boolean '{q}'")));
            }
            (Value::String(p), Value::String(q)) if p.as_bytes() != q.as_bytes() => {
                return Err(fail(format!(
                    "string '{}' is not equal to string '{}'",
                    short(&x),
                    short(&y)
                )));
            }
            (Value::Path(p), Value::Path(q)) if p != q => {
                return Err(fail(format!(
                    "path '{}' is not equal to path '{}'",
                    p.display(),
                    q.display()
                )));
            }
            (Value::List(p), Value::List(q)) => {
                if p.len() != q.len() {
                    return Err(fail(format!(
                        "list of size '{}' is not equal to list of size '{}', left hand side is '{}', right hand side is '{}'",
                        p.len(),
                        q.len(),
                        short(&x),
                        short(&y)
                    )));
                }
                for (i, (e1, e2)) in p.iter().zip(q.iter()).enumerate().rev() {
                    paths.push((at, vec![(format!("while comparing list element {i}"), eq)]));
                    work.push((e1.clone(), e2.clone(), paths.len()));
                }
            }
            (Value::Attrs(p), Value::Attrs(q)) => {
                if let (Some(o1), Some(o2)) = (p.get(b"outPath"), q.get(b"outPath")) {
                    if is_derivation(&mut co, &x).await && is_derivation(&mut co, &y).await {
                        let what = "while comparing a derivation by its 'outPath' attribute";
                        paths.push((at, vec![(what.into(), eq)]));
                        work.push((o1.clone(), o2.clone(), paths.len()));
                        continue;
                    }
                }
                if p.len() != q.len() {
                    return Err(fail(format!(
                        "attribute names of attribute set '{}' differs from attribute set '{}'",
                        short(&x),
                        short(&y)
                    )));
                }
                for (i, ((k1, _), (k2, _))) in p.iter().zip(q.iter()).enumerate() {
                    if k1 == k2 {
                        continue;
                    }
                    let (shown_x, shown_y) = (short(&x), short(&y));
                    return Err(fail(if !q.contains(k1.as_bytes()) {
                        format!(
                            "attribute name '{}' is contained in '{shown_x}', but not in '{shown_y}'",
                            k1.to_str_lossy()
                        )
                    } else {
                        let _ = i;
                        format!(
                            "attribute name '{}' is missing in '{shown_x}', but is contained in '{shown_y}'",
                            k2.to_str_lossy()
                        )
                    }));
                }
                let n = p.len();
                for i in (0..n).rev() {
                    let (name, v1) = &p.entries()[i];
                    let v2 = &q.entries()[i].1;
                    let mut frames = Vec::new();
                    if let Some(r) = q.position(i) {
                        frames.push(("where right hand side is".to_string(), Some(r)));
                    }
                    if let Some(l) = p.position(i) {
                        frames.push(("where left hand side is".to_string(), Some(l)));
                    }
                    frames.push((
                        format!("while comparing attribute '{}'", name.to_str_lossy()),
                        eq,
                    ));
                    paths.push((at, frames));
                    work.push((v1.clone(), v2.clone(), paths.len()));
                }
            }
            _ if x.is_function() => {
                return Err(fail(
                    "distinct functions and immediate comparisons of identical functions compare as unequal"
                        .into(),
                ));
            }
            (Value::Float(p), Value::Float(q)) if p != q => {
                return Err(fail(format!(
                    "float '{p:.6}' is not equal to float '{q:.6}'"
                )));
            }
            _ => {}
        }
    }
    Ok(Value::Null)
}

async fn is_derivation(co: &mut Co, v: &Value) -> bool {
    let Value::Attrs(a) = v else { return false };
    match a.get(b"type") {
        Some(t) => {
            let t = co.value_of(Request::Force(t.clone())).await;
            matches!(t, Value::String(s) if s.as_bytes() == b"derivation")
        }
        None => false,
    }
}
