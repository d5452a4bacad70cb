//! `--json` and `--xml` renderings of a deep-forced value (work-list based).

use nixie_eval::printer::{float_to_nix, json_string};
use nixie_eval::value::Value;
use nixie_eval::{Error, ErrorKind};
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
                return Err(Error::new(
                    ErrorKind::Other("cannot convert a function to JSON".into()),
                    None,
                ))
            }
            Value::Thunk(_) => unreachable!("deep-forced before rendering"),
        }
    }
    Ok(out.into_bytes())
}

fn json_float(f: f64) -> String {
    float_to_nix(f)
}

fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => o.push_str("&quot;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '\n' => o.push_str("&#xA;"),
            '\r' => o.push_str("&#xD;"),
            '\t' => o.push_str("&#x9;"),
            c => o.push(c),
        }
    }
    o
}

enum Xml {
    Val(Value, usize),
    Line(String),
}

/// Render as XML, as `nix-instantiate --xml` does.
pub fn to_xml(v: &Value, _location: bool) -> Vec<u8> {
    let mut out = String::from("<?xml version='1.0' encoding='utf-8'?>\n<expr>\n");
    let mut work = vec![Xml::Val(v.clone(), 1)];
    while let Some(item) = work.pop() {
        let (v, d) = match item {
            Xml::Line(l) => {
                out.push_str(&l);
                continue;
            }
            Xml::Val(v, d) => (v.shallow(), d),
        };
        let ind = "  ".repeat(d);
        match &v {
            Value::Null => {
                let _ = writeln!(out, "{ind}<null />");
            }
            Value::Bool(b) => {
                let _ = writeln!(out, "{ind}<bool value=\"{b}\" />");
            }
            Value::Int(i) => {
                let _ = writeln!(out, "{ind}<int value=\"{i}\" />");
            }
            Value::Float(f) => {
                let _ = writeln!(out, "{ind}<float value=\"{}\" />", float_to_nix(*f));
            }
            Value::String(s) => {
                let _ = writeln!(
                    out,
                    "{ind}<string value=\"{}\" />",
                    xml_escape(&s.to_str_lossy())
                );
            }
            Value::Path(p) => {
                let _ = writeln!(
                    out,
                    "{ind}<path value=\"{}\" />",
                    xml_escape(&p.to_string_lossy())
                );
            }
            Value::List(l) => {
                let _ = writeln!(out, "{ind}<list>");
                work.push(Xml::Line(format!("{ind}</list>\n")));
                for e in l.iter().rev() {
                    work.push(Xml::Val(e.clone(), d + 1));
                }
            }
            Value::Attrs(a) => {
                let _ = writeln!(out, "{ind}<attrs>");
                work.push(Xml::Line(format!("{ind}</attrs>\n")));
                for (k, e) in a.iter().rev() {
                    work.push(Xml::Line(format!("{ind}  </attr>\n")));
                    work.push(Xml::Val(e.clone(), d + 2));
                    work.push(Xml::Line(format!(
                        "{ind}  <attr name=\"{}\">\n",
                        xml_escape(&k.to_str_lossy())
                    )));
                }
            }
            Value::Closure(c) => match &c.proto.formals {
                None => {
                    let name = xml_escape(c.proto.param.as_deref().unwrap_or(""));
                    let _ = writeln!(
                        out,
                        "{ind}<function>\n{ind}  <varpat name=\"{name}\" />\n{ind}</function>"
                    );
                }
                Some(f) => {
                    let _ = writeln!(out, "{ind}<function>");
                    let _ = writeln!(
                        out,
                        "{ind}  <attrspat{}>",
                        if f.ellipsis { " ellipsis=\"1\"" } else { "" }
                    );
                    for (n, _) in &f.entries {
                        let _ = writeln!(
                            out,
                            "{ind}    <attr name=\"{}\" />",
                            xml_escape(&n.to_str_lossy())
                        );
                    }
                    let _ = writeln!(out, "{ind}  </attrspat>\n{ind}</function>");
                }
            },
            Value::Builtin(_) => {
                let _ = writeln!(out, "{ind}<unevaluated />");
            }
            Value::Thunk(_) => {
                let _ = writeln!(out, "{ind}<unevaluated />");
            }
        }
    }
    out.push_str("</expr>\n");
    out.into_bytes()
}
