//! Expressions printed back as C++ Nix's `Expr::show` prints its syntax tree
//! (for `assertion '…' failed` and attribute paths in traces): every operation
//! parenthesised, operators that are calls shown as calls (`(__sub a b)`),
//! attribute sets with their bindings sorted and nested paths merged, paths
//! made absolute.

use super::Compiler;
use crate::printer::{escape_string, float_to_nix, identifier_text};
use rnix::ast::{self, HasEntry};
use rowan::ast::AstNode;
use std::collections::BTreeMap;

/// `e` as C++ Nix shows it.
pub(super) fn show(c: &Compiler, e: &ast::Expr) -> String {
    let mut out = String::new();
    expr(c, e, &mut out);
    out
}

fn literal_string(s: &str) -> String {
    let mut out = Vec::new();
    escape_string(&mut out, s.as_bytes());
    String::from_utf8_lossy(&out).into_owned()
}

fn sub(c: &Compiler, e: Option<ast::Expr>, out: &mut String) {
    match e {
        Some(e) => expr(c, &e, out),
        None => out.push_str("«missing»"),
    }
}

fn expr(c: &Compiler, e: &ast::Expr, out: &mut String) {
    use ast::Expr as E;
    match e {
        E::Literal(l) => match l.kind() {
            ast::LiteralKind::Integer(i) => match i.value() {
                Ok(v) => out.push_str(&v.to_string()),
                Err(_) => out.push_str(&l.syntax().text().to_string()),
            },
            ast::LiteralKind::Float(f) => match f.value() {
                Ok(v) => out.push_str(&float_to_nix(v)),
                Err(_) => out.push_str(&l.syntax().text().to_string()),
            },
            ast::LiteralKind::Uri(_) => {
                out.push_str(&literal_string(&l.syntax().text().to_string()))
            }
        },
        E::Str(s) => string(c, s, out),
        E::PathAbs(_) | E::PathRel(_) | E::PathHome(_) | E::PathSearch(_) => path(c, e, out),
        E::Paren(p) => sub(c, p.expr(), out),
        E::Root(r) => sub(c, r.expr(), out),
        E::Ident(i) => out.push_str(&i.syntax().text().to_string()),
        E::CurPos(_) => out.push_str("__curPos"),
        E::Select(s) => {
            out.push('(');
            sub(c, s.expr(), out);
            out.push_str(").");
            let path: Vec<ast::Attr> = s
                .attrpath()
                .map(|p| p.attrs().collect())
                .unwrap_or_default();
            out.push_str(&c.show_attr_path(&path));
            if let Some(d) = s.default_expr() {
                out.push_str(" or (");
                expr(c, &d, out);
                out.push(')');
            }
        }
        E::HasAttr(h) => {
            out.push_str("((");
            sub(c, h.expr(), out);
            out.push_str(") ? ");
            let path: Vec<ast::Attr> = h
                .attrpath()
                .map(|p| p.attrs().collect())
                .unwrap_or_default();
            out.push_str(&c.show_attr_path(&path));
            out.push(')');
        }
        E::AttrSet(s) => {
            if s.rec_token().is_some() {
                out.push_str("rec ");
            }
            out.push_str("{ ");
            bindings(c, s, out);
            out.push('}');
        }
        E::List(l) => {
            out.push_str("[ ");
            for item in l.items() {
                out.push('(');
                expr(c, &item, out);
                out.push_str(") ");
            }
            out.push(']');
        }
        E::Lambda(l) => lambda(c, l, out),
        E::Apply(_) => {
            // The parser folds `f a b` into one call of `f` with two arguments.
            let mut args = Vec::new();
            let mut f = e.clone();
            while let E::Apply(a) = &f {
                args.push(a.argument());
                match a.lambda() {
                    Some(next) => f = next,
                    None => break,
                }
            }
            out.push('(');
            expr(c, &f, out);
            for a in args.into_iter().rev() {
                out.push(' ');
                sub(c, a, out);
            }
            out.push(')');
        }
        E::LetIn(l) => {
            out.push_str("(let ");
            bindings(c, l, out);
            out.push_str("in ");
            sub(c, l.body(), out);
            out.push(')');
        }
        E::LegacyLet(l) => {
            out.push_str("(rec { ");
            bindings(c, l, out);
            out.push_str("}).body");
        }
        E::With(w) => {
            out.push_str("(with ");
            sub(c, w.namespace(), out);
            out.push_str("; ");
            sub(c, w.body(), out);
            out.push(')');
        }
        E::IfElse(i) => {
            out.push_str("(if ");
            sub(c, i.condition(), out);
            out.push_str(" then ");
            sub(c, i.body(), out);
            out.push_str(" else ");
            sub(c, i.else_body(), out);
            out.push(')');
        }
        E::Assert(a) => {
            out.push_str("assert ");
            sub(c, a.condition(), out);
            out.push_str("; ");
            sub(c, a.body(), out);
        }
        E::UnaryOp(u) => match u.operator() {
            Some(ast::UnaryOpKind::Invert) => {
                out.push_str("(! ");
                sub(c, u.expr(), out);
                out.push(')');
            }
            _ => {
                out.push_str("(__sub 0 ");
                sub(c, u.expr(), out);
                out.push(')');
            }
        },
        E::BinOp(b) => binop(c, b, out),
        E::Error(_) => out.push_str("«error»"),
    }
}

fn binop(c: &Compiler, b: &ast::BinOp, out: &mut String) {
    use ast::BinOpKind as K;
    let (l, r) = (b.lhs(), b.rhs());
    let infix = |op: &str, out: &mut String| {
        out.push('(');
        sub(c, l.clone(), out);
        out.push_str(&format!(" {op} "));
        sub(c, r.clone(), out);
        out.push(')');
    };
    let call = |f: &str, swap: bool, out: &mut String| {
        let (x, y) = if swap { (&r, &l) } else { (&l, &r) };
        out.push_str(&format!("({f} "));
        sub(c, x.clone(), out);
        out.push(' ');
        sub(c, y.clone(), out);
        out.push(')');
    };
    match b.operator() {
        Some(K::Equal) => infix("==", out),
        Some(K::NotEqual) => infix("!=", out),
        Some(K::And) => infix("&&", out),
        Some(K::Or) => infix("||", out),
        Some(K::Implication) => infix("->", out),
        Some(K::Concat) => infix("++", out),
        Some(K::Update) => infix("//", out),
        Some(K::Add) => infix("+", out),
        Some(K::Sub) => call("__sub", false, out),
        Some(K::Mul) => call("__mul", false, out),
        Some(K::Div) => call("__div", false, out),
        Some(K::Less) => call("__lessThan", false, out),
        Some(K::More) => call("__lessThan", true, out),
        Some(K::LessOrEq) => {
            out.push_str("(! ");
            call("__lessThan", true, out);
            out.push(')');
        }
        Some(K::MoreOrEq) => {
            out.push_str("(! ");
            call("__lessThan", false, out);
            out.push(')');
        }
        Some(K::PipeRight) => call_of(c, r.clone(), l.clone(), out),
        Some(K::PipeLeft) => call_of(c, l.clone(), r.clone(), out),
        None => out.push_str("«error»"),
    }
}

fn call_of(c: &Compiler, f: Option<ast::Expr>, x: Option<ast::Expr>, out: &mut String) {
    out.push('(');
    sub(c, f, out);
    out.push(' ');
    sub(c, x, out);
    out.push(')');
}

fn string(c: &Compiler, s: &ast::Str, out: &mut String) {
    let parts = s.normalized_parts();
    if !parts
        .iter()
        .any(|p| matches!(p, ast::InterpolPart::Interpolation(_)))
    {
        let text: String = parts
            .iter()
            .map(|p| match p {
                ast::InterpolPart::Literal(l) => l.as_str(),
                ast::InterpolPart::Interpolation(_) => "",
            })
            .collect();
        out.push_str(&literal_string(&text));
        return;
    }
    out.push('(');
    let mut first = true;
    for p in &parts {
        if let ast::InterpolPart::Literal(l) = p {
            if l.is_empty() {
                continue;
            }
        }
        if !first {
            out.push_str(" + ");
        }
        first = false;
        match p {
            ast::InterpolPart::Literal(l) => out.push_str(&literal_string(l)),
            ast::InterpolPart::Interpolation(i) => sub(c, i.expr(), out),
        }
    }
    out.push(')');
}

fn path(c: &Compiler, e: &ast::Expr, out: &mut String) {
    let text = e.syntax().text().to_string();
    if let ast::Expr::PathSearch(_) = e {
        let name = text.trim_start_matches('<').trim_end_matches('>');
        out.push_str(&format!("(__findFile __nixPath {})", literal_string(name)));
        return;
    }
    if e.syntax().children().next().is_some() {
        // An interpolated path is a concatenation.
        out.push_str(&format!("({text})"));
        return;
    }
    let resolved = if let Some(rest) = text.strip_prefix("~/") {
        let home = std::env::var("HOME").unwrap_or_default();
        format!("{home}/{rest}")
    } else {
        crate::paths::resolve(&c.dir, &text)
            .to_string_lossy()
            .into_owned()
    };
    out.push_str(&resolved);
}

fn lambda(c: &Compiler, l: &ast::Lambda, out: &mut String) {
    out.push('(');
    match l.param() {
        Some(ast::Param::IdentParam(i)) => {
            out.push_str(&i.syntax().text().to_string());
        }
        Some(ast::Param::Pattern(p)) => {
            let mut formals: Vec<(String, Option<ast::Expr>)> = p
                .pat_entries()
                .map(|e| {
                    let name = e
                        .ident()
                        .map(|i| i.syntax().text().to_string())
                        .unwrap_or_default();
                    (name, e.default())
                })
                .collect();
            formals.sort_by(|a, b| a.0.cmp(&b.0));
            out.push_str("{ ");
            let mut first = true;
            for (name, def) in formals {
                if !first {
                    out.push_str(", ");
                }
                first = false;
                out.push_str(&name);
                if let Some(d) = def {
                    out.push_str(" ? ");
                    expr(c, &d, out);
                }
            }
            if p.ellipsis_token().is_some() {
                if !first {
                    out.push_str(", ");
                }
                out.push_str("...");
            }
            out.push_str(" }");
            if let Some(b) = p.pat_bind() {
                let name = b
                    .ident()
                    .map(|i| i.syntax().text().to_string())
                    .unwrap_or_default();
                out.push_str(&format!(" @ {name}"));
            }
        }
        None => {}
    }
    out.push_str(": ");
    sub(c, l.body(), out);
    out.push(')');
}

/// One binding of a set being shown: its text, or a set (written with nested
/// paths or merged from a literal) whose bindings may still grow.
enum Shown {
    Value(String),
    Set(Set),
}

/// The bindings of a set being shown, merged as C++ Nix merges `a.b = 1;` with
/// `a = { c = 2; };`.
#[derive(Default)]
struct Set {
    plain: BTreeMap<String, Shown>,
    inherits: Vec<String>,
    inherits_from: Vec<(String, Vec<String>)>,
    dynamic: Vec<String>,
}

fn bindings(c: &Compiler, node: &impl HasEntry, out: &mut String) {
    let mut set = Set::default();
    fill(c, &mut set, node);
    write_set(&set, out);
}

/// Add the bindings of `node` to `set`.
fn fill(c: &Compiler, set: &mut Set, node: &impl HasEntry) {
    for entry in node.entries() {
        match entry {
            ast::Entry::Inherit(i) => {
                let names: Vec<String> = i
                    .attrs()
                    .map(|a| match c.static_attr_name(&a) {
                        Ok(Some(n)) => identifier_text(n.as_bytes()),
                        _ => a.syntax().text().to_string(),
                    })
                    .collect();
                match i.from() {
                    Some(f) => {
                        let from = f.expr().map(|e| show(c, &e)).unwrap_or_default();
                        set.inherits_from.push((from, names));
                    }
                    None => set.inherits.extend(names),
                }
            }
            ast::Entry::AttrpathValue(kv) => {
                let path: Vec<ast::Attr> = kv
                    .attrpath()
                    .map(|p| p.attrs().collect())
                    .unwrap_or_default();
                insert(c, set, &path, kv.value());
            }
        }
    }
}

/// A plain (not `rec`) set literal, which merges with other definitions.
fn mergeable(value: &Option<ast::Expr>) -> Option<ast::AttrSet> {
    match value {
        Some(ast::Expr::AttrSet(s)) if s.rec_token().is_none() => Some(s.clone()),
        _ => None,
    }
}

fn insert(c: &Compiler, set: &mut Set, path: &[ast::Attr], value: Option<ast::Expr>) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let name = match c.static_attr_name(first) {
        Ok(Some(n)) => identifier_text(n.as_bytes()),
        _ => {
            let inner = match first {
                ast::Attr::Dynamic(d) => d.expr().map(|e| show(c, &e)).unwrap_or_default(),
                other => other.syntax().text().to_string(),
            };
            let shown = if rest.is_empty() {
                value.map(|v| show(c, &v)).unwrap_or_default()
            } else {
                let mut nested = Set::default();
                insert(c, &mut nested, rest, value);
                let mut s = String::new();
                write_braced(&nested, &mut s);
                s
            };
            set.dynamic.push(format!("\"${{{inner}}}\" = {shown}; "));
            return;
        }
    };
    if rest.is_empty() {
        match (mergeable(&value), set.plain.get_mut(&name)) {
            (Some(lit), Some(Shown::Set(existing))) => fill(c, existing, &lit),
            (Some(lit), _) => {
                let mut inner = Set::default();
                fill(c, &mut inner, &lit);
                set.plain.insert(name, Shown::Set(inner));
            }
            (None, _) => {
                let text = value.map(|v| show(c, &v)).unwrap_or_default();
                set.plain.insert(name, Shown::Value(text));
            }
        }
        return;
    }
    let entry = set
        .plain
        .entry(name)
        .or_insert_with(|| Shown::Set(Set::default()));
    if let Shown::Set(inner) = entry {
        insert(c, inner, rest, value);
    }
}

fn write_braced(set: &Set, out: &mut String) {
    out.push_str("{ ");
    write_set(set, out);
    out.push('}');
}

fn write_set(set: &Set, out: &mut String) {
    let mut inherits = set.inherits.clone();
    inherits.sort();
    if !inherits.is_empty() {
        out.push_str(&format!("inherit {}; ", inherits.join(" ")));
    }
    for (from, names) in &set.inherits_from {
        let mut names = names.clone();
        names.sort();
        out.push_str(&format!("inherit ({from}) {}; ", names.join(" ")));
    }
    for (name, v) in &set.plain {
        out.push_str(name);
        out.push_str(" = ");
        match v {
            Shown::Value(s) => out.push_str(s),
            Shown::Set(inner) => write_braced(inner, out),
        }
        out.push_str("; ");
    }
    for d in &set.dynamic {
        out.push_str(d);
    }
}
