//! `--json` and `--xml` renderings of a deep-forced value (work-list based).

use nixie_eval::printer::{float_to_nix, json_string};
use nixie_eval::value::Value;
use nixie_eval::Error;
use std::fmt::Write;

enum Json {
    Val(Value),
    Text(&'static str),
    Key(String),
}

/// Render as JSON, as `nix-instantiate --json` does.
pub fn to_json(v: &Value) -> Result<Vec<u8>, Error> {
    let mut out = String::new();
    let mut work = vec![Json::Val(v.clone())];
    while let Some(item) = work.pop() {
        let v = match item {
            Json::Text(t) => {
                out.push_str(t);
                continue;
            }
            Json::Key(k) => {
                json_string(&mut out, &k);
                out.push(':');
                continue;
            }
            Json::Val(v) => v.shallow(),
        };
        match &v {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => out.push_str(&json_float(*f)),
            Value::String(s) => json_string(&mut out, &s.to_str_lossy()),
            Value::Path(p) => json_string(&mut out, &p.to_string_lossy()),
            Value::List(l) => {
                out.push('[');
                work.push(Json::Text("]"));
                for (i, e) in l.iter().enumerate().rev() {
                    work.push(Json::Val(e.clone()));
                    if i > 0 {
                        work.push(Json::Text(","));
                    }
                }
            }
            Value::Attrs(a) => {
                if let Some(p) = a.get(b"outPath") {
                    work.push(Json::Val(p.clone()));
                    continue;
                }
                out.push('{');
                work.push(Json::Text("}"));
                let entries: Vec<_> = a.iter().collect();
                for (i, (k, e)) in entries.into_iter().enumerate().rev() {
                    work.push(Json::Val(e.clone()));
                    work.push(Json::Key(k.to_string()));
                    if i > 0 {
                        work.push(Json::Text(","));
                    }
                }
            }
            Value::Closure(_) | Value::Builtin(_) => {
                return Err(Error::msg("cannot convert a function to JSON"))
            }
            Value::Thunk(_) => unreachable!("deep-forced before rendering"),
        }
    }
    Ok(out.into_bytes())
}

fn json_float(f: f64) -> String {
    float_to_nix(f)
}

/// Render as XML, as `nix-instantiate --xml` does (shared with `builtins.toXML`).
pub fn to_xml(v: &Value, location: bool) -> Vec<u8> {
    nixie_eval::printer_xml::to_xml(v, location)
}
