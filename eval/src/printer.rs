//! Rendering values as `nix-instantiate --eval` prints them, and as JSON.
//! Both walk nested values with an explicit work-list, never by recursion.

use crate::value::{NixString, Value};
use rustc_hash::FxHashSet;

/// Format a float as C++ streams do by default (`%g`, 6 significant digits).
pub fn float_to_nix(f: f64) -> String {
    if f.is_nan() {
        return if f.is_sign_negative() {
            "-nan".into()
        } else {
            "nan".into()
        };
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf".into() } else { "inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let sci = format!("{:.5e}", f);
    let (mant, exp) = sci.split_once('e').expect("{:e} always has an exponent");
    let exp: i32 = exp.parse().expect("exponent is an integer");
    if (-4..6).contains(&exp) {
        let decimals = (5 - exp).max(0) as usize;
        strip_zeros(format!("{:.*}", decimals, f))
    } else {
        let m = strip_zeros(mant.to_string());
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{m}e{sign}{:02}", exp.abs())
    }
}

fn strip_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Format a float as `toString` does (`%f`).
pub fn float_to_string(f: f64) -> String {
    format!("{:.6}", f)
}

const KEYWORDS: &[&str] = &[
    "if", "then", "else", "assert", "with", "let", "in", "rec", "inherit",
];

/// Whether an attribute name can be printed without quotes.
pub fn is_plain_identifier(s: &[u8]) -> bool {
    let Some(first) = s.first() else { return false };
    if !(first.is_ascii_alphabetic() || *first == b'_') {
        return false;
    }
    if !s
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'\'' | b'-'))
    {
        return false;
    }
    !KEYWORDS.iter().any(|k| k.as_bytes() == s)
}

/// Append a Nix string literal for `s`.
pub fn escape_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'$' if s.get(i + 1) == Some(&b'{') => out.extend_from_slice(b"\\$"),
            c => out.push(c),
        }
        i += 1;
    }
    out.push(b'"');
}

/// An attribute name as Nix prints a symbol: as it is when it is an identifier,
/// else as a quoted string.
pub(crate) fn identifier_text(k: &[u8]) -> String {
    let mut out = Vec::new();
    attr_name(&mut out, &NixString::from(k));
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn attr_name(out: &mut Vec<u8>, k: &NixString) {
    if is_plain_identifier(k.as_bytes()) {
        out.extend_from_slice(k.as_bytes());
    } else {
        escape_string(out, k.as_bytes());
    }
}

enum Item {
    Val(Value, usize),
    Text(&'static str),
    Name(NixString),
}

/// A value printed as `nix-instantiate --eval` prints it, as text (bytes that are
/// not UTF-8 replaced).
pub fn print_string(v: &Value) -> String {
    String::from_utf8_lossy(&print_value(v, None)).into_owned()
}

/// Print a value in `nix-instantiate --eval` syntax. `max_depth` limits nesting
/// (deeper values print as `…`); unforced thunks print as `<CODE>`.
pub fn print_value(v: &Value, max_depth: Option<usize>) -> Vec<u8> {
    print_bounded(v, max_depth, usize::MAX).expect("no output is longer than usize::MAX bytes")
}

/// [`print_value`], or `None` as soon as the text grows past `max_bytes`.
pub fn print_bounded(v: &Value, max_depth: Option<usize>, max_bytes: usize) -> Option<Vec<u8>> {
    print_with(v, max_depth, max_bytes, Mode::Short)
}

/// How [`print_with`] prints what C++ Nix would print differently.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A forced derivation as `«derivation …»`.
    Short,
    /// A derivation in full, as `printAmbiguous` prints it.
    Full,
    /// As `Full`, and a function inside a set or list as `<CODE>`: C++ Nix
    /// keeps such a function unevaluated until something forces it.
    Lazy,
}

/// As `nix-instantiate --eval` prints (C++ Nix's `printAmbiguous`): a derivation
/// in full, like any set; `None` past `max_bytes`.
pub(crate) fn print_ambiguous(v: &Value, max_bytes: usize) -> Option<Vec<u8>> {
    print_with(v, None, max_bytes, Mode::Full)
}

/// [`print_ambiguous`] of a value not forced deeply (`--eval` without
/// `--strict`): a function inside a set or list prints as `<CODE>`.
pub(crate) fn print_lazy(v: &Value, max_bytes: usize) -> Option<Vec<u8>> {
    print_with(v, None, max_bytes, Mode::Lazy)
}

/// A set or list met again prints as `«repeated»`. As in C++ Nix, which keys
/// lists by the value cell that holds them, a list is known by the thunk it was
/// reached through, and the outermost list (a copy there) is not remembered:
/// `let x = [ x ]; in x` is `[ [ «repeated» ] ]`.
fn print_with(
    v: &Value,
    max_depth: Option<usize>,
    max_bytes: usize,
    mode: Mode,
) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut seen: FxHashSet<usize> = FxHashSet::default();
    let mut work = vec![Item::Val(v.clone(), 0)];
    while let Some(item) = work.pop() {
        if out.len() > max_bytes {
            return None;
        }
        let (v, depth, cell) = match item {
            Item::Text(t) => {
                out.extend_from_slice(t.as_bytes());
                continue;
            }
            Item::Name(k) => {
                attr_name(&mut out, &k);
                out.extend_from_slice(b" = ");
                continue;
            }
            Item::Val(v, d) => {
                // C++ Nix keys lists by the cell that holds them: here the thunk
                // they were reached through, if any.
                let cell = match &v {
                    Value::Thunk(t) => Some(t.addr()),
                    _ => None,
                };
                (v.shallow(), d, cell)
            }
        };
        match &v {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Value::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Value::Float(f) => out.extend_from_slice(float_to_nix(*f).as_bytes()),
            Value::String(s) => escape_string(&mut out, s.as_bytes()),
            Value::Path(p) => out.extend_from_slice(p.to_string_lossy().as_bytes()),
            Value::Closure(_) if mode == Mode::Lazy && depth > 0 => {
                out.extend_from_slice(b"<CODE>")
            }
            Value::Closure(_) => out.extend_from_slice(b"<LAMBDA>"),
            Value::Builtin(p) => out.extend_from_slice(if p.args.is_empty() {
                b"<PRIMOP>"
            } else {
                b"<PRIMOP-APP>"
            }),
            Value::Thunk(_) => out.extend_from_slice(b"<CODE>"),
            Value::List(l) => {
                if max_depth.is_some_and(|m| depth >= m) && !l.is_empty() {
                    out.extend_from_slice(b"[ ... ]");
                    continue;
                }
                let key = cell.unwrap_or_else(|| l.addr());
                if !l.is_empty() && depth > 0 && !seen.insert(key) {
                    out.extend_from_slice("«repeated»".as_bytes());
                    continue;
                }
                out.extend_from_slice(b"[ ");
                work.push(Item::Text("]"));
                for e in l.iter().rev() {
                    work.push(Item::Text(" "));
                    work.push(Item::Val(e.clone(), depth + 1));
                }
            }
            Value::Attrs(a) => {
                if let Some(path) = derivation_path(a).filter(|_| mode == Mode::Short) {
                    out.extend_from_slice("«derivation ".as_bytes());
                    out.extend_from_slice(path.as_bytes());
                    out.extend_from_slice("»".as_bytes());
                    continue;
                }
                if max_depth.is_some_and(|m| depth >= m) && !a.is_empty() {
                    out.extend_from_slice(b"{ ... }");
                    continue;
                }
                if !a.is_empty() && !seen.insert(a.addr()) {
                    out.extend_from_slice("«repeated»".as_bytes());
                    continue;
                }
                out.extend_from_slice(b"{ ");
                work.push(Item::Text("}"));
                for (k, e) in a.iter().rev() {
                    work.push(Item::Text("; "));
                    work.push(Item::Val(e.clone(), depth + 1));
                    work.push(Item::Name(k.clone()));
                }
            }
        }
    }
    (out.len() <= max_bytes).then_some(out)
}

/// The `drvPath` of a forced derivation set, for `«derivation …»`.
pub(crate) fn derivation_path(a: &crate::value::Attrs) -> Option<String> {
    let t = a.get(b"type")?.shallow();
    let Value::String(t) = t else { return None };
    if t.as_bytes() != b"derivation" {
        return None;
    }
    match a.get(b"drvPath")?.shallow() {
        Value::String(p) => Some(p.to_string()),
        _ => None,
    }
}

/// A function as C++ Nix shows it where it shows values in full:
/// `«lambda f @ file:line:column»`, `«primop map»`, `«partially applied primop
/// map»`; `None` for other values.
pub(crate) fn function_text(v: &Value) -> Option<String> {
    match v {
        Value::Closure(c) => {
            let mut t = String::from("«lambda");
            if let Some(n) = &c.proto.name {
                t.push(' ');
                t.push_str(n);
            }
            if let Some((file, line, col)) = &c.proto.position {
                t.push_str(&format!(" @ {file}:{line}:{col}"));
            }
            t.push('»');
            Some(t)
        }
        Value::Builtin(p) => {
            let what = if p.args.is_empty() {
                ""
            } else {
                "partially applied "
            };
            Some(format!("«{what}primop {}»", p.def.name))
        }
        _ => None,
    }
}

/// A value as C++ Nix shows it in error messages (its `errorPrintOptions`): ten
/// levels deep, at most ten attributes and ten list items in all (the rest
/// `«N attributes elided»`), strings cut after 1024 bytes, functions as
/// `«lambda f @ file:line:column»`, unevaluated values as `«thunk»`.
pub fn short(v: &Value) -> String {
    ErrorPrinter::new(Budget::ERRORS).print(v)
}

/// A value as C++ Nix's `trace` shows it (its default print options): as
/// [`short`] shows it, without cutting anything.
pub fn show_value(v: &Value) -> String {
    ErrorPrinter::new(Budget::UNLIMITED).print(v)
}

/// How much an [`ErrorPrinter`] shows before eliding.
struct Budget {
    depth: usize,
    attrs: usize,
    items: usize,
    string: usize,
}

impl Budget {
    const ERRORS: Budget = Budget {
        depth: 10,
        attrs: 10,
        items: 10,
        string: 1024,
    };
    const UNLIMITED: Budget = Budget {
        depth: usize::MAX,
        attrs: usize::MAX,
        items: usize::MAX,
        string: usize::MAX,
    };
}

/// The state of one [`short`] or [`show_value`] rendering.
struct ErrorPrinter {
    out: Vec<u8>,
    attrs: usize,
    items: usize,
    seen: FxHashSet<usize>,
    budget: Budget,
}

/// What is left to print; `Items` and `Attrs` hold the rest of a list or set
/// (reversed, next last), checked against the budget as each is reached.
enum Next {
    Val(Value, usize),
    Text(&'static str),
    Items(Vec<Value>, usize),
    Attrs(Vec<(NixString, Value)>, usize),
    CountItem,
    CountAttr,
}

/// ` «N things elided»`.
fn elided(n: usize, one: &str, many: &str) -> String {
    format!(" «{n} {} elided»", if n == 1 { one } else { many })
}

impl ErrorPrinter {
    fn new(budget: Budget) -> ErrorPrinter {
        ErrorPrinter {
            out: Vec::new(),
            attrs: 0,
            items: 0,
            seen: FxHashSet::default(),
            budget,
        }
    }

    fn print(mut self, v: &Value) -> String {
        let mut work = vec![Next::Val(v.clone(), 0)];
        while let Some(next) = work.pop() {
            match next {
                Next::Text(t) => self.out.extend_from_slice(t.as_bytes()),
                Next::Val(v, depth) => self.value(&v, depth, &mut work),
                Next::CountItem => self.items += 1,
                Next::CountAttr => self.attrs += 1,
                Next::Items(mut rest, depth) => {
                    let Some(first) = rest.pop() else { continue };
                    if self.items >= self.budget.items {
                        let t = elided(rest.len() + 1, "item", "items");
                        self.out.extend_from_slice(t.as_bytes());
                        continue;
                    }
                    work.push(Next::Items(rest, depth));
                    work.push(Next::CountItem);
                    work.push(Next::Val(first, depth + 1));
                    work.push(Next::Text(" "));
                }
                Next::Attrs(mut rest, depth) => {
                    let Some((k, v)) = rest.pop() else { continue };
                    if self.attrs >= self.budget.attrs {
                        let t = elided(rest.len() + 1, "attribute", "attributes");
                        self.out.extend_from_slice(t.as_bytes());
                        continue;
                    }
                    work.push(Next::Attrs(rest, depth));
                    work.push(Next::CountAttr);
                    work.push(Next::Text(";"));
                    work.push(Next::Val(v, depth + 1));
                    self.out.push(b' ');
                    attr_name(&mut self.out, &k);
                    self.out.extend_from_slice(b" = ");
                }
            }
        }
        String::from_utf8_lossy(&self.out).into_owned()
    }

    fn value(&mut self, v: &Value, depth: usize, work: &mut Vec<Next>) {
        match v {
            Value::Thunk(t) => match t.value() {
                Some(x) => self.value(&x, depth, work),
                None => self.out.extend_from_slice("«thunk»".as_bytes()),
            },
            Value::String(s) if s.len() > self.budget.string => {
                let max = self.budget.string;
                let mut cut = Vec::new();
                escape_string(&mut cut, &s.as_bytes()[..max]);
                cut.pop(); // the closing quote goes before the elision
                self.out.extend_from_slice(&cut);
                let rest = elided(s.len() - max, "byte", "bytes");
                self.out.extend_from_slice(format!("\"{rest}").as_bytes());
            }
            Value::Closure(_) | Value::Builtin(_) => {
                let t = function_text(v).expect("a function");
                self.out.extend_from_slice(t.as_bytes());
            }
            Value::List(l) if l.is_empty() => self.out.extend_from_slice(b"[ ]"),
            Value::List(_) if depth >= self.budget.depth => self.out.extend_from_slice(b"[ ... ]"),
            Value::List(l) => {
                if !self.seen.insert(l.addr()) {
                    self.out.extend_from_slice("«repeated»".as_bytes());
                    return;
                }
                self.out.push(b'[');
                work.push(Next::Text(" ]"));
                work.push(Next::Items(l.iter().rev().cloned().collect(), depth));
            }
            Value::Attrs(a) if a.is_empty() => self.out.extend_from_slice(b"{ }"),
            Value::Attrs(_) if depth >= self.budget.depth => self.out.extend_from_slice(b"{ ... }"),
            Value::Attrs(a) => {
                if !self.seen.insert(a.addr()) {
                    self.out.extend_from_slice("«repeated»".as_bytes());
                    return;
                }
                let mut entries: Vec<(NixString, Value)> =
                    a.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                let plain = |k: &NixString| !matches!(k.as_bytes(), b"type" | b"_type");
                entries.sort_by(|x, y| (plain(&x.0), &x.0).cmp(&(plain(&y.0), &y.0)));
                entries.reverse();
                self.out.push(b'{');
                work.push(Next::Text(" }"));
                work.push(Next::Attrs(entries, depth));
            }
            other => self.out.extend_from_slice(&print_value(other, Some(0))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_cpp_streams() {
        for (f, s) in [
            (1.0, "1"),
            (0.1, "0.1"),
            (1e20, "1e+20"),
            (1.5e-7, "1.5e-07"),
            (100000.0, "100000"),
            (1234567.0, "1.23457e+06"),
            (1.234567891, "1.23457"),
            (-2.5, "-2.5"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (123456.7, "123457"),
        ] {
            assert_eq!(float_to_nix(f), s, "{f}");
        }
        assert_eq!(float_to_string(1.5), "1.500000");
    }

    #[test]
    fn identifiers() {
        assert!(is_plain_identifier(b"a-b'c_1"));
        assert!(!is_plain_identifier(b"1a"));
        assert!(!is_plain_identifier(b"a b"));
        assert!(!is_plain_identifier(b"if"));
        assert!(!is_plain_identifier(b""));
    }

    #[test]
    fn strings_escape() {
        let mut o = Vec::new();
        escape_string(&mut o, b"a\"b\\c\nd${e}$f");
        assert_eq!(String::from_utf8(o).unwrap(), r#""a\"b\\c\nd\${e}$f""#);
    }
}
