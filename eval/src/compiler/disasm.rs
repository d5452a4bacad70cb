//! A readable listing of compiled code (`nixie --dump-bytecode`): each body with
//! what it is, what it captures and its instructions, constants and children
//! named next to the instructions that use them, so that a change to the compiler
//! shows up as a diff of a golden listing.

use crate::opcode::{Op, Proto};
use std::fmt::Write;
use std::rc::Rc;

/// The listing of `root` and every body inside it, outermost first.
pub(crate) fn disassemble(root: &Rc<Proto>) -> String {
    let mut out = String::new();
    // A work-list, not recursion: bodies nest as deeply as the source does.
    let mut todo: Vec<(Rc<Proto>, String, usize)> = vec![(root.clone(), String::new(), 0)];
    while let Some((p, path, depth)) = todo.pop() {
        write_proto(&p, &path, depth, &mut out);
        for (i, c) in p.children.iter().enumerate().rev() {
            todo.push((c.clone(), child_path(&path, i), depth + 1));
        }
    }
    out
}

/// The name of child `i` of the body at `path` (`#0`, `#0.2`, …).
fn child_path(path: &str, i: usize) -> String {
    if path.is_empty() {
        format!("#{i}")
    } else {
        format!("{path}.{i}")
    }
}

fn write_proto(p: &Proto, path: &str, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    let mut head = format!("{pad}{:?}", p.kind).to_lowercase();
    if !path.is_empty() {
        let _ = write!(head, " {path}");
    }
    if let Some(name) = &p.name {
        let _ = write!(head, " '{name}'");
    }
    if let Some((file, line, col)) = &p.position {
        let _ = write!(head, " at {file}:{line}:{col}");
    }
    if let Some(param) = &p.param {
        let _ = write!(head, " ({param})");
    }
    if let Some(f) = &p.formals {
        let names: Vec<String> = f
            .entries
            .iter()
            .map(|(n, default)| {
                let q = if *default { " ?" } else { "" };
                format!("{}{q}", n.to_str_lossy())
            })
            .collect();
        let rest = if f.ellipsis { ", ..." } else { "" };
        let _ = write!(head, " {{ {}{rest} }}", names.join(", "));
    }
    if !p.captures.is_empty() {
        let _ = write!(head, " captures {:?}", p.captures);
    }
    let _ = writeln!(out, "{head}");
    for (ip, op) in p.code.iter().enumerate() {
        let text = format!("{op:?}");
        match note(p, path, op) {
            Some(n) => {
                let _ = writeln!(out, "{pad}  {ip:>4}  {text:<28} ; {n}");
            }
            None => {
                let _ = writeln!(out, "{pad}  {ip:>4}  {text}");
            }
        }
    }
}

/// What an instruction's operand refers to: a constant's value or a child's name.
fn note(p: &Proto, path: &str, op: &Op) -> Option<String> {
    let constant = |c: u32| {
        p.consts.get(c as usize).map(|v| match v {
            crate::value::Value::Builtin(b) => format!("builtins.{}", b.name()),
            v => String::from_utf8_lossy(&crate::printer::print_value(v, None)).into_owned(),
        })
    };
    match *op {
        Op::Const(c)
        | Op::Select(c)
        | Op::HasFinal(c)
        | Op::Formal(c)
        | Op::SelectOr { name: c, .. }
        | Op::HasStep { name: c, .. }
        | Op::WithSelect { name: c, .. }
        | Op::CallBuiltin { builtin: c, .. } => constant(c),
        Op::Thunk(i) | Op::ThunkSpec(i) | Op::Closure(i) | Op::Finalize { proto: i, .. } => {
            Some(child_path(path, i as usize))
        }
        Op::FinalizeDefault { proto: i, .. } => Some(child_path(path, i as usize)),
        _ => None,
    }
}
