//! Values as current Nix's REPL shows them: sets and lists of more than one
//! item (or of one nested item) over several lines, indented by two spaces;
//! nothing below a depth limit (`{ ... }`, `[ ... ]`); a set or list met again
//! inside itself as `«repeated»`; derivations as `«derivation /nix/store/…drv»`;
//! optionally in the REPL's colours. Values not yet evaluated print as
//! `«thunk»`: the caller forces what it wants shown. The walk is a work-list, so
//! any depth prints without recursion.

use crate::printer::{attr_name, derivation_path, escape_string, function_text, print_value};
use crate::value::{NixString, Value};
use rustc_hash::FxHashSet;

/// How [`print_pretty`] prints.
#[derive(Clone, Copy, Debug)]
pub struct PrettyOptions {
    /// Sets and lists this deep or deeper print as `{ ... }` and `[ ... ]` (the
    /// value itself is at depth 0).
    pub max_depth: usize,
    /// Use ANSI colours, as on a terminal.
    pub colours: bool,
}

const CYAN: &str = "\x1b[36;1m";
const GREEN: &str = "\x1b[32;1m";
const MAGENTA: &str = "\x1b[35;1m";
const BLUE: &str = "\x1b[34;1m";
const NORMAL: &str = "\x1b[0m";

/// `v` as the REPL prints it.
pub fn print_pretty(v: &Value, options: PrettyOptions) -> String {
    let mut p = Pretty {
        options,
        out: String::new(),
        indent: 0,
        seen: FxHashSet::default(),
    };
    let mut work = vec![Next::Val(v.clone(), 0)];
    while let Some(next) = work.pop() {
        p.step(next, &mut work);
    }
    p.out
}

/// What is left to print, next last.
enum Next {
    Val(Value, usize),
    Text(&'static str),
    /// An attribute's name and ` = `.
    Name(String),
    /// Before an item of a set or list: a newline and the indent, or a space.
    Space(bool),
    /// The end of a set or list: one level less indent, then the closer.
    Close(bool, &'static str),
}

struct Pretty {
    options: PrettyOptions,
    out: String,
    indent: usize,
    seen: FxHashSet<usize>,
}

/// A value seen through any thunk that holds it.
fn seen_through(v: &Value) -> Option<Value> {
    match v {
        Value::Thunk(t) => t.value(),
        other => Some(other.clone()),
    }
}

/// Whether a set or list whose only item is `item` spreads over lines: when the
/// item nests (a set or list) or is not evaluated.
fn nests(item: &Value) -> bool {
    matches!(
        seen_through(item),
        None | Some(Value::Attrs(_) | Value::List(_))
    )
}

impl Pretty {
    fn coloured(&mut self, colour: &str, text: &str) {
        if self.options.colours {
            self.out.push_str(colour);
            self.out.push_str(text);
            self.out.push_str(NORMAL);
        } else {
            self.out.push_str(text);
        }
    }

    fn step(&mut self, next: Next, work: &mut Vec<Next>) {
        match next {
            Next::Text(t) => self.out.push_str(t),
            Next::Name(t) => self.out.push_str(&t),
            Next::Space(true) => {
                self.out.push('\n');
                self.out.extend(std::iter::repeat_n(' ', self.indent));
            }
            Next::Space(false) => self.out.push(' '),
            Next::Close(pretty, closer) => {
                self.indent -= 2;
                self.step(Next::Space(pretty), work);
                self.out.push_str(closer);
            }
            Next::Val(v, depth) => self.value(&v, depth, work),
        }
    }

    fn value(&mut self, v: &Value, depth: usize, work: &mut Vec<Next>) {
        let Some(v) = seen_through(v) else {
            return self.coloured(MAGENTA, "«thunk»");
        };
        match &v {
            Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Null => {
                let text = String::from_utf8_lossy(&print_value(&v, Some(0))).into_owned();
                self.coloured(CYAN, &text);
            }
            Value::String(s) => {
                let mut text = Vec::new();
                escape_string(&mut text, s.as_bytes());
                self.coloured(MAGENTA, &String::from_utf8_lossy(&text));
            }
            Value::Path(_) => {
                let text = String::from_utf8_lossy(&print_value(&v, Some(0))).into_owned();
                self.coloured(GREEN, &text);
            }
            Value::Closure(_) | Value::Builtin(_) => {
                let text = function_text(&v).expect("a function");
                self.coloured(BLUE, &text);
            }
            Value::List(l) => {
                if !l.is_empty() && !self.seen.insert(l.addr()) {
                    return self.coloured(MAGENTA, "«repeated»");
                }
                if depth >= self.options.max_depth {
                    return self.out.push_str("[ ... ]");
                }
                let items: Vec<Value> = l.iter().cloned().collect();
                let pretty = items.len() > 1 || items.first().is_some_and(nests);
                self.open("[");
                work.push(Next::Close(pretty, "]"));
                for item in items.into_iter().rev() {
                    work.push(Next::Val(item, depth + 1));
                    work.push(Next::Space(pretty));
                }
            }
            Value::Attrs(a) => {
                if !self.seen.insert(a.addr()) {
                    return self.coloured(MAGENTA, "«repeated»");
                }
                if let Some(path) = derivation_path(a) {
                    return self.coloured(GREEN, &format!("«derivation {path}»"));
                }
                if depth >= self.options.max_depth {
                    return self.out.push_str("{ ... }");
                }
                let entries: Vec<(NixString, Value)> =
                    a.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                let pretty = entries.len() > 1 || entries.first().is_some_and(|e| nests(&e.1));
                self.open("{");
                work.push(Next::Close(pretty, "}"));
                for (name, value) in entries.into_iter().rev() {
                    work.push(Next::Text(";"));
                    work.push(Next::Val(value, depth + 1));
                    let mut text = Vec::new();
                    attr_name(&mut text, &name);
                    text.extend_from_slice(b" = ");
                    work.push(Next::Name(String::from_utf8_lossy(&text).into_owned()));
                    work.push(Next::Space(pretty));
                }
            }
            Value::Thunk(_) => unreachable!("seen through"),
        }
    }

    fn open(&mut self, opener: &str) {
        self.out.push_str(opener);
        self.indent += 2;
    }
}
