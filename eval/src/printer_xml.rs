//! Rendering values as XML, in the format of `nix-instantiate --xml` and
//! `builtins.toXML`.
//!
//! [`XmlPrinter`] walks the value with an explicit work-list (never recursing on
//! the Rust stack). In strict mode it stops at every unevaluated thunk it needs and
//! hands it back to the caller ([`XmlStep::Force`]); once the caller has forced it,
//! [`XmlPrinter::resume`] carries on where it stopped. That way `builtins.toXML`
//! forces exactly what it prints, as it goes, while the CLI's `--xml` (on a value
//! already forced) uses the same code without forcing anything.

use crate::source::{SourceMap, Span};
use crate::value::{merge_context, Attrs, NixContext, NixString, Value};
use rustc_hash::FxHashSet;

enum Item {
    /// A value to print at an indentation depth.
    Val(Value, usize),
    /// `<attr name="…">` at a depth, with where the attribute was defined.
    AttrOpen(NixString, Option<Span>, usize),
    /// A closing tag (`</attr>`, `</list>`, …) at a depth.
    Close(&'static str, usize),
}

/// What [`XmlPrinter::resume`] needs next.
pub enum XmlStep {
    /// Force this thunk, then call `resume` again.
    Force(Value),
    /// The document is complete; take it with [`XmlPrinter::finish`].
    Done,
}

/// How deeply values may nest in XML, in levels of indentation (two per set,
/// one per list): the indentation alone makes the document quadratic in the
/// depth, so this stays near C++ Nix's limit (its default `max-call-depth` of
/// 10,000 values) rather than at [`crate::limits::MAX_VALUE_DEPTH`].
pub const MAX_XML_INDENT: usize = 10_000;

/// A resumable XML renderer of one value.
pub struct XmlPrinter {
    out: Vec<u8>,
    work: Vec<Item>,
    context: NixContext,
    drvs_seen: FxHashSet<Box<[u8]>>,
    strict: bool,
    /// Print a function inside a set or list as `<unevaluated />` (a value not
    /// forced deeply, printed as C++ Nix would have left it).
    lazy_functions: bool,
}

const HEADER: &[u8] = b"<?xml version='1.0' encoding='utf-8'?>\n<expr>\n";

/// Append `s` with the characters XML attribute values need escaped.
fn escape_into(out: &mut Vec<u8>, s: &[u8]) {
    let mut start = 0;
    for (i, &c) in s.iter().enumerate() {
        let rep: &[u8] = match c {
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'&' => b"&amp;",
            b'"' => b"&quot;",
            b'\n' => b"&#xA;",
            _ => continue,
        };
        out.extend_from_slice(&s[start..i]);
        out.extend_from_slice(rep);
        start = i + 1;
    }
    out.extend_from_slice(&s[start..]);
}

fn indent(out: &mut Vec<u8>, depth: usize) {
    out.resize(out.len() + 2 * depth, b' ');
}

/// The value of a set's attribute if present and evaluated; `Err` with the thunk
/// when it still has to be forced.
fn attr_now(a: &Attrs, name: &[u8]) -> Result<Option<Value>, Value> {
    match a.get(name) {
        None => Ok(None),
        Some(v) => {
            let s = v.shallow();
            if let Value::Thunk(_) = s {
                Err(s)
            } else {
                Ok(Some(s))
            }
        }
    }
}

impl XmlPrinter {
    /// A printer for `v`. With `strict`, unevaluated thunks are handed back to be
    /// forced; without, they print as `<unevaluated />`.
    pub fn new(v: Value, strict: bool) -> XmlPrinter {
        XmlPrinter {
            out: HEADER.to_vec(),
            work: vec![Item::Val(v, 1)],
            context: NixContext::new(),
            drvs_seen: FxHashSet::default(),
            strict,
            lazy_functions: false,
        }
    }

    /// Print until a thunk must be forced or the document is complete; fails on
    /// values nested deeper than [`MAX_XML_INDENT`] (cyclic ones included).
    pub fn resume(&mut self) -> Result<XmlStep, crate::Error> {
        self.resume_located(None)
    }

    /// [`XmlPrinter::resume`], writing where attributes and functions were
    /// defined (`column`, `line`, and `path` for a file) as `nix-instantiate
    /// --xml` does when `sources` are given.
    pub fn resume_located(&mut self, sources: Option<&SourceMap>) -> Result<XmlStep, crate::Error> {
        while let Some(item) = self.work.pop() {
            let (v, d) = match item {
                Item::AttrOpen(name, at, d) => {
                    let pos = sources.zip(at).map(|(m, sp)| span_position(m, sp));
                    self.open_attr(&name, pos, d);
                    continue;
                }
                Item::Close(tag, d) => {
                    indent(&mut self.out, d);
                    self.out.extend_from_slice(b"</");
                    self.out.extend_from_slice(tag.as_bytes());
                    self.out.extend_from_slice(b">\n");
                    continue;
                }
                Item::Val(v, d) => (v, d),
            };
            if d > MAX_XML_INDENT {
                return Err(crate::Error::new(crate::ErrorKind::StackOverflow, None));
            }
            let v = v.shallow();
            if let Value::Thunk(_) = &v {
                if self.strict {
                    self.work.push(Item::Val(v.clone(), d));
                    return Ok(XmlStep::Force(v));
                }
            }
            if let Value::Attrs(a) = &v {
                if let Err(t) = self.print_attrs(a, d) {
                    self.work.push(Item::Val(v.clone(), d));
                    return Ok(XmlStep::Force(t));
                }
                continue;
            }
            // C++ Nix keeps a function inside a set or list unevaluated until
            // something forces it: shown lazily, it is `<unevaluated />`.
            if self.lazy_functions && d > 1 && matches!(v, Value::Closure(_)) {
                self.empty_element(d, "unevaluated", None);
                continue;
            }
            let pos = match (&v, sources) {
                (Value::Closure(c), Some(m)) => Some(span_position(m, c.proto.span)),
                _ => None,
            };
            self.print_leaf(&v, d, pos);
        }
        Ok(XmlStep::Done)
    }

    /// The document and the union of the contexts of the strings it prints.
    pub fn finish(mut self) -> (Vec<u8>, NixContext) {
        self.out.extend_from_slice(b"</expr>\n");
        (self.out, self.context)
    }

    /// `<attr …>`, its XML attributes in C++ Nix's (alphabetical) order.
    fn open_attr(&mut self, name: &NixString, pos: Option<XmlPos>, d: usize) {
        indent(&mut self.out, d);
        self.out.extend_from_slice(b"<attr");
        write_line_col(&mut self.out, pos.as_ref());
        self.out.extend_from_slice(b" name=\"");
        escape_into(&mut self.out, name.as_bytes());
        self.out.push(b'"');
        write_path(&mut self.out, pos.as_ref());
        self.out.extend_from_slice(b">\n");
    }

    fn empty_element(&mut self, d: usize, tag: &str, attr: Option<(&str, &[u8])>) {
        indent(&mut self.out, d);
        self.out.push(b'<');
        self.out.extend_from_slice(tag.as_bytes());
        if let Some((name, value)) = attr {
            self.out.push(b' ');
            self.out.extend_from_slice(name.as_bytes());
            self.out.extend_from_slice(b"=\"");
            escape_into(&mut self.out, value);
            self.out.push(b'"');
        }
        self.out.extend_from_slice(b" />\n");
    }

    fn open_element(&mut self, d: usize, tag: &str) {
        indent(&mut self.out, d);
        self.out.push(b'<');
        self.out.extend_from_slice(tag.as_bytes());
        self.out.extend_from_slice(b">\n");
    }

    fn push_attrs_children(&mut self, a: &Attrs, d: usize) {
        for (k, e) in a.iter().rev() {
            self.work.push(Item::Close("attr", d));
            self.work.push(Item::Val(e.clone(), d + 1));
            self.work
                .push(Item::AttrOpen(k.clone(), a.position_of(k.as_bytes()), d));
        }
    }

    /// Print a set (or derivation); `Err(thunk)` if an attribute deciding how it
    /// prints must be forced first (nothing has been printed then).
    fn print_attrs(&mut self, a: &Attrs, d: usize) -> Result<(), Value> {
        let strict = self.strict;
        let get = |name: &[u8]| -> Result<Option<Value>, Value> {
            match attr_now(a, name) {
                Err(_) if !strict => Ok(None),
                r => r,
            }
        };
        let is_drv =
            matches!(get(b"type")?, Some(Value::String(s)) if s.as_bytes() == b"derivation");
        if !is_drv {
            self.open_element(d, "attrs");
            self.work.push(Item::Close("attrs", d));
            self.push_attrs_children(a, d + 1);
            return Ok(());
        }
        let drv_path = match get(b"drvPath")? {
            Some(Value::String(s)) => Some(s),
            _ => None,
        };
        let out_path = match get(b"outPath")? {
            Some(Value::String(s)) => Some(s),
            _ => None,
        };
        indent(&mut self.out, d);
        self.out.extend_from_slice(b"<derivation");
        for (name, s) in [("drvPath", &drv_path), ("outPath", &out_path)] {
            if let Some(s) = s {
                self.out.push(b' ');
                self.out.extend_from_slice(name.as_bytes());
                self.out.extend_from_slice(b"=\"");
                escape_into(&mut self.out, s.as_bytes());
                self.out.push(b'"');
                merge_context(&mut self.context, s.context());
            }
        }
        self.out.extend_from_slice(b">\n");
        self.work.push(Item::Close("derivation", d));
        let first = match &drv_path {
            Some(p) if !p.is_empty() => self.drvs_seen.insert(p.as_bytes().into()),
            _ => false,
        };
        if first {
            self.push_attrs_children(a, d + 1);
        } else {
            self.empty_element(d + 1, "repeated", None);
        }
        Ok(())
    }

    fn print_leaf(&mut self, v: &Value, d: usize, pos: Option<XmlPos>) {
        match v {
            Value::Null => self.empty_element(d, "null", None),
            Value::Bool(b) => {
                let s: &[u8] = if *b { b"true" } else { b"false" };
                self.empty_element(d, "bool", Some(("value", s)))
            }
            Value::Int(i) => {
                self.empty_element(d, "int", Some(("value", i.to_string().as_bytes())))
            }
            Value::Float(f) => self.empty_element(
                d,
                "float",
                Some(("value", crate::printer::float_to_nix(*f).as_bytes())),
            ),
            Value::String(s) => {
                merge_context(&mut self.context, s.context());
                self.empty_element(d, "string", Some(("value", s.as_bytes())))
            }
            Value::Path(p) => {
                let s = p.to_string_lossy();
                self.empty_element(d, "path", Some(("value", s.as_bytes())))
            }
            Value::List(l) => {
                self.open_element(d, "list");
                self.work.push(Item::Close("list", d));
                for e in l.iter().rev() {
                    self.work.push(Item::Val(e.clone(), d + 1));
                }
            }
            Value::Closure(c) => {
                indent(&mut self.out, d);
                self.out.extend_from_slice(b"<function");
                write_line_col(&mut self.out, pos.as_ref());
                write_path(&mut self.out, pos.as_ref());
                self.out.extend_from_slice(b">\n");
                match &c.proto.formals {
                    None => {
                        let name = c.proto.param.as_deref().unwrap_or("");
                        self.empty_element(d + 1, "varpat", Some(("name", name.as_bytes())));
                    }
                    Some(f) => {
                        indent(&mut self.out, d + 1);
                        self.out.extend_from_slice(b"<attrspat");
                        if f.ellipsis {
                            self.out.extend_from_slice(b" ellipsis=\"1\"");
                        }
                        if let Some(name) = c.proto.param.as_deref() {
                            self.out.extend_from_slice(b" name=\"");
                            escape_into(&mut self.out, name.as_bytes());
                            self.out.push(b'"');
                        }
                        self.out.extend_from_slice(b">\n");
                        let mut names: Vec<&NixString> = f.entries.iter().map(|(n, _)| n).collect();
                        names.sort();
                        for n in names {
                            self.empty_element(d + 2, "attr", Some(("name", n.as_bytes())));
                        }
                        indent(&mut self.out, d + 1);
                        self.out.extend_from_slice(b"</attrspat>\n");
                    }
                }
                indent(&mut self.out, d);
                self.out.extend_from_slice(b"</function>\n");
            }
            Value::Builtin(_) | Value::Thunk(_) => self.empty_element(d, "unevaluated", None),
            Value::Attrs(_) => unreachable!("sets are printed by print_attrs"),
        }
    }
}

/// Where something was defined, as XML shows it: the file's path (none for a
/// source that is no file), line and column.
type XmlPos = (Option<String>, usize, usize);

/// ` column="…" line="…"` of a position, if there is one.
fn write_line_col(out: &mut Vec<u8>, pos: Option<&XmlPos>) {
    if let Some((_, line, col)) = pos {
        out.extend_from_slice(format!(" column=\"{col}\" line=\"{line}\"").as_bytes());
    }
}

/// ` path="…"` of a position in a file.
fn write_path(out: &mut Vec<u8>, pos: Option<&XmlPos>) {
    if let Some((Some(path), _, _)) = pos {
        out.extend_from_slice(b" path=\"");
        escape_into(out, path.as_bytes());
        out.push(b'"');
    }
}

fn span_position(sources: &SourceMap, span: Span) -> XmlPos {
    let (line, col) = sources.line_col(span);
    let path = sources
        .file(span.file)
        .path
        .as_ref()
        .map(|p| p.to_string_lossy().into_owned());
    (path, line, col)
}

/// Render a value as `nix-instantiate --xml` does, forcing nothing (unevaluated
/// thunks print as `<unevaluated />`, and so do functions inside sets and lists
/// unless `forced`), with where attributes and functions were defined when
/// `sources` are given.
pub fn to_xml(
    v: &Value,
    sources: Option<&SourceMap>,
    forced: bool,
) -> Result<Vec<u8>, crate::Error> {
    let mut p = XmlPrinter::new(v.clone(), false);
    p.lazy_functions = !forced;
    // A non-strict printer never stops to ask for a thunk to be forced.
    p.resume_located(sources)?;
    Ok(p.finish().0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::List;

    #[test]
    fn escapes_and_nests() {
        let v = Value::List(List::from(vec![
            Value::string("a<\"&>\nb"),
            Value::Attrs(Attrs::from_sorted(vec![("x".into(), Value::Int(1))])),
            Value::List(List::from(vec![])),
        ]));
        let s = String::from_utf8(to_xml(&v, None, true).expect("shallow")).unwrap();
        assert_eq!(
            s,
            "<?xml version='1.0' encoding='utf-8'?>\n<expr>\n  <list>\n    <string value=\"a&lt;&quot;&amp;&gt;&#xA;b\" />\n    <attrs>\n      <attr name=\"x\">\n        <int value=\"1\" />\n      </attr>\n    </attrs>\n    <list>\n    </list>\n  </list>\n</expr>\n"
        );
    }

    #[test]
    fn deep_list_does_not_overflow() {
        let handle = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(|| {
                let mut v = Value::List(List::from(vec![]));
                for _ in 0..3000 {
                    v = Value::List(List::from(vec![v]));
                }
                to_xml(&v, None, true)
                    .expect("within the depth limit")
                    .len()
            })
            .unwrap();
        assert!(handle.join().unwrap() > 3000);
    }

    #[test]
    fn cyclic_and_too_deep_values_fail_cleanly() {
        let mut v = Value::List(List::from(vec![]));
        for _ in 0..MAX_XML_INDENT + 1 {
            v = Value::List(List::from(vec![v]));
        }
        let e = to_xml(&v, None, true).expect_err("too deep");
        assert_eq!(e.message(), "stack overflow; max-call-depth exceeded");
    }
}
