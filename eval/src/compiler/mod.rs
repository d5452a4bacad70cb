//! The compiler: rnix syntax tree → bytecode protos, with every variable
//! resolved at compile time into a local slot, an upvalue, a global constant
//! or a chain of lookups through the enclosing `with` scopes.

mod bindings;
mod calls;
mod disasm;
mod doc_comments;
mod flat_list;
mod functions;
mod names;
mod nesting;
mod parse_error;
mod parser;
mod paths;
mod scope;
mod select;
mod show;
mod strings;
mod trace;

use crate::errors::{Error, ErrorKind};
use crate::opcode::{Capture, Op, Proto, ProtoKind};
use crate::source::Span;
use crate::value::{Attrs, NixString, Value};
use rnix::ast::{self, AstToken};
use rowan::ast::AstNode;
use rustc_hash::FxHashMap;
use scope::{FuncState, Key, Scope};
use std::path::Path;
use std::rc::Rc;

/// Names every file can see without binding them (`builtins`, `true`, `map`, …).
pub type Globals = FxHashMap<Rc<str>, Value>;

pub use crate::settings::{LintLevel, Lints};

pub(crate) use disasm::disassemble;
pub(crate) use names::Names;

/// Parse and compile one source text into the proto of its top-level expression,
/// with the lint warnings it raised.
/// What a source holds: an expression, or (as a REPL line may) the bindings of
/// an attribute set without its braces, which compile to that set.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SourceShape {
    Expression,
    Bindings,
    /// An expression, also shown back as C++ Nix's `--parse` shows it.
    Shown,
}

pub(crate) use doc_comments::before as doc_comment_before;

/// What the language accepts beyond the core: lint levels and experimental
/// syntax.
#[derive(Clone, Copy, Default)]
pub(crate) struct Syntax {
    pub(crate) lints: Lints,
    /// `|>` and `<|` (experimental feature `pipe-operators`).
    pub(crate) pipe_operators: bool,
}

/// A compiled source: its code, the lint warnings found, and (for
/// [`SourceShape::Shown`]) the expression as C++ Nix shows it.
pub(crate) struct Compiled {
    pub(crate) proto: Rc<Proto>,
    pub(crate) warnings: Vec<Error>,
    pub(crate) shown: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn compile_source(
    text: &str,
    file: u32,
    dir: &Path,
    file_name: &str,
    globals: &Globals,
    names: &Names,
    syntax: Syntax,
    shape: SourceShape,
) -> Result<Compiled, Error> {
    // The syntax tree is as deep as the source nests, and parts of the compiler
    // walk it recursively: deep sources are refused, or handled on a stack sized
    // for them.
    let depth = nesting::tree_depth(text, file)?;
    nesting::on_stack_for(depth, || {
        compile_text(text, file, dir, file_name, globals, names, syntax, shape)
    })
}

#[allow(clippy::too_many_arguments)]
fn compile_text(
    text: &str,
    file: u32,
    dir: &Path,
    file_name: &str,
    globals: &Globals,
    names: &Names,
    syntax: Syntax,
    shape: SourceShape,
) -> Result<Compiled, Error> {
    // Line ends arrive normalised (`SourceMap::add`): no carriage returns.
    let parsed = match shape {
        SourceShape::Expression | SourceShape::Shown => parser::parse(text),
        SourceShape::Bindings => parser::parse_bindings(text),
    };
    let tree = parsed.map_err(|e| parse_error::parse_error(&e, file, text))?;
    let root = tree.root();
    let expr = root.expr().ok_or_else(|| {
        Error::new(
            ErrorKind::Parse("syntax error, unexpected end of file".into()),
            None,
        )
    })?;
    let span = Span {
        file,
        start: 0,
        end: text.len() as u32,
    };
    let mut c = Compiler {
        file,
        dir: Rc::from(dir),
        file_name: file_name.to_string(),
        text,
        globals,
        names,
        funcs: vec![FuncState::new(ProtoKind::File, span, None)],
        with_count: 0,
        lints: syntax.lints,
        pipe_operators: syntax.pipe_operators,
        warnings: Vec::new(),
        next_attr_pos: None,
        line_starts: std::cell::OnceCell::new(),
        last_column: std::cell::Cell::new((0, 0)),
        file_rc: Rc::from(file_name),
    };
    c.compile(&expr)?;
    let shown = (shape == SourceShape::Shown).then(|| show::show(&c, &expr));
    c.emit(Op::Force, span);
    c.emit(Op::Return, span);
    let f = c.funcs.pop().expect("the file function is always present");
    let proto = c.finish(f);
    Ok(Compiled {
        proto,
        warnings: c.warnings,
        shown,
    })
}

/// Where a resolved name lives.
#[derive(Clone, Copy)]
pub(crate) enum Loc {
    Local(u32),
    Upvalue(u32),
}

pub(crate) struct Compiler<'a> {
    file: u32,
    dir: Rc<Path>,
    file_name: String,
    text: &'a str,
    globals: &'a Globals,
    /// The evaluation's shared name strings.
    names: &'a Names,
    funcs: Vec<FuncState>,
    with_count: u32,
    lints: Lints,
    /// The `pipe-operators` experimental feature is on (`|>` and `<|` allowed).
    pipe_operators: bool,
    warnings: Vec<Error>,
    /// Where the attribute whose value is compiled next is defined (taken by the
    /// thunk made for it, for "from the definition of" trace lines).
    next_attr_pos: Option<Span>,
    /// Byte offsets where lines start, made when first needed.
    line_starts: std::cell::OnceCell<Vec<u32>>,
    /// The last offset whose column was counted, and that column (from 0).
    last_column: std::cell::Cell<(u32, u32)>,
    /// The file's name, shared by the positions of its lambdas.
    file_rc: Rc<str>,
}

type CResult = Result<(), Error>;

/// Stack left when compiling a nested expression grows the stack (one level of
/// the compiler's recursion takes a few KiB at most).
const RED_ZONE: usize = 128 * 1024;

/// Stack added each time it grows.
const STACK_SEGMENT: usize = 2 * 1024 * 1024;

impl<'a> Compiler<'a> {
    fn f(&mut self) -> &mut FuncState {
        self.funcs
            .last_mut()
            .expect("at least the file function is being compiled")
    }

    fn span_of(&self, node: &impl AstNode) -> Span {
        let r = node.syntax().text_range();
        Span {
            file: self.file,
            start: u32::from(r.start()),
            end: u32::from(r.end()),
        }
    }

    /// The file, line and column of a byte offset.
    fn position_text(&self, offset: u32) -> (Rc<str>, u32, u32) {
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i as u32 + 1))
                .collect()
        });
        let line = starts.partition_point(|s| *s <= offset);
        let start = starts[line - 1];
        // Positions are mostly asked for in source order: count on from the last
        // one when it is earlier on the same line (a long line stays linear).
        let (last, last_col) = self.last_column.get();
        let (from, col) = if (start..=offset).contains(&last) {
            (last, last_col)
        } else {
            (start, 0)
        };
        let col = col
            + self
                .text
                .get(from as usize..offset as usize)
                .map_or(offset - from, |t| t.chars().count() as u32);
        self.last_column.set((offset, col));
        (self.file_rc.clone(), line as u32, col + 1)
    }

    fn err(&self, kind: ErrorKind, span: Span) -> Error {
        Error::new(kind, Some(span))
    }

    fn emit(&mut self, op: Op, span: Span) -> usize {
        if matches!(op, Op::Force) && self.top_is_forced() {
            return self.f().code.len();
        }
        if matches!(op, Op::Force) {
            let f = self.f();
            let at = f.code.len() as u32;
            if let (Some(Op::Local(s)), false) = (f.code.last().copied(), f.label == Some(at)) {
                *f.code.last_mut().expect("checked above") = Op::ForceLocal(s);
                return at as usize - 1;
            }
        }
        let f = self.f();
        let ip = f.code.len() as u32;
        if f.spans.last().map(|(_, s)| *s != span).unwrap_or(true) {
            f.spans.push((ip, span));
        }
        f.depth = (f.depth as i32 + op.stack_effect()) as u32;
        f.code.push(op);
        ip as usize
    }

    fn here(&mut self) -> u32 {
        let f = self.f();
        f.label = Some(f.code.len() as u32);
        f.code.len() as u32
    }

    /// Whether the value on top of the stack is known to be forced here: the previous
    /// instruction always produces a forced value and no jump lands between them.
    fn top_is_forced(&mut self) -> bool {
        let f = self.f();
        let at = f.code.len() as u32;
        if f.label == Some(at) {
            return false;
        }
        match f.code.last() {
            Some(Op::Const(c)) => !matches!(f.consts[*c as usize], Value::Thunk(_)),
            Some(op) => op.result_is_forced(),
            None => false,
        }
    }

    fn patch(&mut self, at: usize, target: u32) {
        let op = &mut self.f().code[at];
        match op.jump_target_mut() {
            Some(t) => *t = target,
            None => unreachable!("patching a non-jump instruction {op:?}"),
        }
    }

    fn constant(&mut self, v: Value) -> u32 {
        let f = self.f();
        f.consts.push(v);
        (f.consts.len() - 1) as u32
    }

    fn name_const(&mut self, name: &str) -> u32 {
        let s = self.names.get(name);
        self.constant(Value::String(s))
    }

    fn push_const(&mut self, v: Value, span: Span) {
        let c = self.constant(v);
        self.emit(Op::Const(c), span);
    }

    fn finish(&self, f: FuncState) -> Rc<Proto> {
        crate::stats::count!(exprs, f.code.len());
        let spec = if f.kind == ProtoKind::Thunk {
            speculable(&f.code, &f.consts)
        } else {
            None
        };
        Rc::new(Proto {
            code: f.code,
            consts: f.consts,
            children: f.children,
            captures: f.captures,
            spans: f.spans,
            span: f.span,
            position: (f.kind == ProtoKind::Lambda).then(|| self.position_text(f.span.start)),
            contexts: f.contexts,
            context_texts: f.context_texts,
            positions: f.positions,
            attr_pos: f.attr_pos,
            kind: f.kind,
            name: f.name,
            formals: f.formals,
            param: f.param,
            doc: f.doc,
            spec,
            dir: self.dir.clone(),
        })
    }

    /// Compile a child function with `body`, returning its index among the current function's children.
    fn child(
        &mut self,
        kind: ProtoKind,
        span: Span,
        name: Option<Rc<str>>,
        body: impl FnOnce(&mut Self) -> CResult,
    ) -> Result<u32, Error> {
        self.funcs.push(FuncState::new(kind, span, name));
        let r = body(self);
        let f = self.funcs.pop().expect("child function pushed above");
        r?;
        let proto = self.finish(f);
        let parent = self.f();
        parent.children.push(proto);
        Ok((parent.children.len() - 1) as u32)
    }

    // ----- name resolution -------------------------------------------------

    fn resolve_in(&mut self, level: usize, key: &Key) -> Option<Loc> {
        if let Some(slot) = self.funcs[level].find_local(key) {
            return Some(Loc::Local(slot));
        }
        if let Some(i) = self.funcs[level].capture_keys.iter().position(|k| k == key) {
            return Some(Loc::Upvalue(i as u32));
        }
        if level == 0 {
            return None;
        }
        let outer = self.resolve_in(level - 1, key)?;
        let f = &mut self.funcs[level];
        f.captures.push(match outer {
            Loc::Local(s) => Capture::Local(s),
            Loc::Upvalue(u) => Capture::Upvalue(u),
        });
        f.capture_keys.push(key.clone());
        Some(Loc::Upvalue((f.captures.len() - 1) as u32))
    }

    fn resolve(&mut self, key: &Key) -> Option<Loc> {
        let top = self.funcs.len() - 1;
        self.resolve_in(top, key)
    }

    /// All `with` ids visible from the current function, innermost first.
    fn visible_withs(&self) -> Vec<u32> {
        let mut out = Vec::new();
        for f in self.funcs.iter().rev() {
            out.extend(f.withs());
        }
        out
    }

    fn emit_loc(&mut self, loc: Loc, span: Span) {
        match loc {
            Loc::Local(s) => self.emit(Op::Local(s), span),
            Loc::Upvalue(u) => self.emit(Op::Upvalue(u), span),
        };
    }

    /// Push the value of variable `name` (unforced).
    fn compile_var(&mut self, name: &str, span: Span) -> CResult {
        let key = Key::Name(Rc::from(name));
        if let Some(loc) = self.resolve(&key) {
            self.emit_loc(loc, span);
            return Ok(());
        }
        if let Some(v) = self.globals.get(name) {
            let v = v.clone();
            self.push_const(v, span);
            return Ok(());
        }
        let withs = self.visible_withs();
        if withs.is_empty() {
            return Err(self.err(ErrorKind::UndefinedVariable(name.to_string()), span));
        }
        let name_c = self.name_const(name);
        let mut exits = Vec::new();
        for w in withs {
            let loc = self
                .resolve(&Key::With(w))
                .expect("with scopes are always resolvable");
            self.emit_loc(loc, span);
            self.emit(Op::Force, span);
            exits.push(self.emit(
                Op::WithSelect {
                    name: name_c,
                    jump: 0,
                },
                span,
            ));
        }
        self.emit(Op::Undefined(name_c), span);
        // The failing path ends in an error; the value paths all arrive with one more value.
        self.f().depth += 1;
        let end = self.here();
        for e in exits {
            self.patch(e, end);
        }
        Ok(())
    }

    // ----- expressions -------------------------------------------------------

    /// Whether an expression is a constant that needs no thunk.
    fn literal_value(&self, e: &ast::Expr) -> Option<Value> {
        match e {
            ast::Expr::Literal(l) => match l.kind() {
                ast::LiteralKind::Integer(i) => i.value().ok().map(Value::Int),
                ast::LiteralKind::Float(f) => f.value().ok().map(Value::Float),
                ast::LiteralKind::Uri(u) => Some(Value::string(u.syntax().text())),
            },
            ast::Expr::Str(s) => {
                let parts = s.normalized_parts();
                match parts.as_slice() {
                    [] => Some(Value::string("")),
                    [ast::InterpolPart::Literal(l)] if !l.contains('\0') => {
                        Some(Value::string(crate::source::raw_bytes(l).as_ref()))
                    }
                    _ => None,
                }
            }
            ast::Expr::Paren(p) => p.expr().and_then(|e| self.literal_value(&e)),
            ast::Expr::List(l) => self
                .constant_items(l)
                .map(|items| Value::List(crate::value::List::from(items))),
            _ => None,
        }
    }

    /// The values of a list literal whose elements are all constants (numbers,
    /// plain strings and such lists, as large data lists are): the list is then
    /// one constant, built once, instead of an instruction per element.
    fn constant_items(&self, l: &ast::List) -> Option<Vec<Value>> {
        // Nested lists recurse here: the stack grows on the heap as they need.
        if let Some(items) = flat_list::flat_literal_items(l) {
            return Some(items);
        }
        stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
            l.items().map(|e| self.literal_value(&e)).collect()
        })
    }

    /// Push an expression's value without evaluating it: a constant, a variable's
    /// value, a closure, or a new thunk.
    fn compile_lazy(&mut self, e: &ast::Expr, name: Option<Rc<str>>) -> CResult {
        let attr_pos = self.next_attr_pos.take();
        let span = self.span_of(e);
        if let Some(v) = self.literal_value(e) {
            self.push_const(v, span);
            return Ok(());
        }
        // A path literal is a constant too (as in C++ Nix), once linted and resolved.
        if let ast::Expr::PathAbs(_) | ast::Expr::PathRel(_) | ast::Expr::PathHome(_) = e {
            let p = ast::Path::cast(e.syntax().clone()).expect("matched a path node");
            if paths::is_plain_literal(&p) {
                return self.compile_path(&p, span);
            }
        }
        match e {
            ast::Expr::Ident(id) => {
                let n = id.syntax().text().to_string();
                // Variables bound lexically or globally are already values; a `with` lookup is not.
                let key = Key::Name(Rc::from(n.as_str()));
                if self.resolve(&key).is_some() || self.globals.contains_key(n.as_str()) {
                    return self.compile_var(&n, span);
                }
            }
            ast::Expr::Paren(p) => {
                if let Some(inner) = p.expr() {
                    return self.compile_lazy(&inner, name);
                }
            }
            ast::Expr::Lambda(l) => {
                let idx = self.compile_lambda(l, name)?;
                self.emit(Op::Closure(idx), span);
                return Ok(());
            }
            _ => {}
        }
        self.next_attr_pos = attr_pos;
        let idx = self.thunk_proto(e)?;
        self.emit(Op::Thunk(idx), span);
        Ok(())
    }

    /// Mark the value compiled next as attribute `at`'s (outside C++ Nix's own
    /// derivation code, whose definitions its traces leave out).
    fn defining_attribute(&mut self, at: Span) {
        if !self.file_name.starts_with('«') {
            self.next_attr_pos = Some(self.point(at.start));
        }
    }

    /// Compile `e` as the body of a new thunk proto.
    fn thunk_proto(&mut self, e: &ast::Expr) -> Result<u32, Error> {
        let attr_pos = self.next_attr_pos.take();
        let span = self.span_of(e);
        self.child(ProtoKind::Thunk, span, None, |c| {
            c.f().attr_pos = attr_pos;
            c.compile(e)?;
            c.emit(Op::Force, span);
            c.emit(Op::Return, span);
            Ok(())
        })
    }

    /// Compile an expression, leaving its value (possibly a thunk) on the stack.
    /// Nested expressions recurse here: the stack grows on the heap as they need.
    pub(crate) fn compile(&mut self, e: &ast::Expr) -> CResult {
        stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || self.compile_expr(e))
    }

    fn compile_expr(&mut self, e: &ast::Expr) -> CResult {
        let span = self.span_of(e);
        match e {
            ast::Expr::Literal(l) if matches!(l.kind(), ast::LiteralKind::Uri(_)) => {
                let text = l.syntax().text().to_string();
                self.lint(
                    self.lints.url_literals,
                    format!("URL literal '{text}' is deprecated; use a string instead (lint-url-literals)"),
                    span,
                )?;
                self.push_const(Value::string(text), span);
            }
            ast::Expr::Literal(_) | ast::Expr::Str(_) if self.literal_value(e).is_some() => {
                let v = self.literal_value(e).expect("checked just above");
                self.push_const(v, span);
            }
            ast::Expr::Literal(l) => {
                let text = l.syntax().text().to_string();
                let what = if matches!(l.kind(), ast::LiteralKind::Integer(_)) {
                    "integer"
                } else {
                    "float"
                };
                return Err(self.err(ErrorKind::Parse(format!("invalid {what} '{text}'")), span));
            }
            ast::Expr::Str(s) => self.compile_string(s, span)?,
            ast::Expr::PathAbs(_)
            | ast::Expr::PathRel(_)
            | ast::Expr::PathHome(_)
            | ast::Expr::PathSearch(_) => {
                let p = ast::Path::cast(e.syntax().clone()).expect("matched a path node");
                self.compile_path(&p, span)?
            }
            ast::Expr::Paren(p) => self.compile(&p.expr().ok_or_else(|| self.missing(span))?)?,
            ast::Expr::Root(r) => self.compile(&r.expr().ok_or_else(|| self.missing(span))?)?,
            ast::Expr::Ident(id) => {
                let n = id.syntax().text().to_string();
                self.compile_var(&n, span)?;
            }
            ast::Expr::List(l) => {
                if let Some(items) = self.constant_items(l) {
                    self.push_const(Value::List(crate::value::List::from(items)), span);
                    return Ok(());
                }
                let mut n = 0;
                for item in l.items() {
                    self.compile_lazy(&item, None)?;
                    n += 1;
                }
                self.emit(Op::List(n), span);
            }
            ast::Expr::AttrSet(s) => self.compile_attrset(s, span)?,
            ast::Expr::LetIn(l) => self.compile_let(l, span)?,
            ast::Expr::LegacyLet(l) => self.compile_legacy_let(l, span)?,
            ast::Expr::Lambda(l) => {
                let idx = self.compile_lambda(l, None)?;
                self.emit(Op::Closure(idx), span);
            }
            ast::Expr::Apply(a) => self.compile_apply(a, span)?,
            ast::Expr::IfElse(i) => {
                let cond = i.condition().ok_or_else(|| self.missing(span))?;
                let cpos = self.nix_pos(&cond).unwrap_or(span);
                let mut jf = 0;
                self.within("while evaluating a branch condition", Some(cpos), |c| {
                    c.compile(&cond)?;
                    c.emit(Op::Force, cpos);
                    jf = c.emit(Op::JumpIfFalse(0), cpos);
                    Ok(())
                })?;
                self.compile(&i.body().ok_or_else(|| self.missing(span))?)?;
                let jend = self.emit(Op::Jump(0), span);
                self.f().depth -= 1;
                let else_at = self.here();
                self.patch(jf, else_at);
                self.compile(&i.else_body().ok_or_else(|| self.missing(span))?)?;
                let end = self.here();
                self.patch(jend, end);
            }
            ast::Expr::Assert(a) => {
                let cond = a.condition().ok_or_else(|| self.missing(span))?;
                let cpos = self.nix_pos(&cond).unwrap_or(span);
                let text = show::show(self, &cond);
                self.within(
                    "in the condition of the assert statement",
                    Some(cpos),
                    |c| {
                        c.compile(&cond)?;
                        c.emit(Op::Force, cpos);
                        c.emit(Op::AssertBool, cpos);
                        Ok(())
                    },
                )?;
                let at = self.point(span.start);
                let ok = self.emit(Op::JumpIfTrue(0), at);
                if let ast::Expr::BinOp(b) = strip_parens(&cond) {
                    if b.operator() == Some(ast::BinOpKind::Equal) {
                        self.explain_unequal(&b, &text, at)?;
                    }
                }
                self.push_const(Value::Bool(false), at);
                let c = self.constant(Value::string(text));
                self.emit(Op::Assert(c), at);
                let ok_at = self.here();
                self.patch(ok, ok_at);
                self.compile(&a.body().ok_or_else(|| self.missing(span))?)?;
            }
            ast::Expr::With(w) => {
                let ns = w.namespace().ok_or_else(|| self.missing(span))?;
                self.compile_lazy(&ns, None)?;
                let id = self.with_count;
                self.with_count += 1;
                let slot = self.f().depth - 1;
                let mut scope = Scope::of(Key::With(id), slot);
                scope.with = Some(id);
                self.f().scopes.push(scope);
                let r = self.compile(&w.body().ok_or_else(|| self.missing(span))?);
                self.f().scopes.pop();
                r?;
                self.emit(Op::CloseScope(1), span);
            }
            ast::Expr::Select(s) => self.compile_select(s, span)?,
            ast::Expr::HasAttr(h) => self.compile_has_attr(h, span)?,
            ast::Expr::UnaryOp(u)
                if u.operator() == Some(ast::UnaryOpKind::Negate)
                    && self.resolve(&Key::Name(Rc::from("__sub"))).is_some() =>
            {
                let loc = self
                    .resolve(&Key::Name(Rc::from("__sub")))
                    .expect("checked by the guard");
                self.emit_loc(loc, span);
                self.emit(Op::Force, span);
                self.push_const(Value::Int(0), span);
                self.emit(Op::Call, span);
                self.emit(Op::Force, span);
                self.compile_lazy(&u.expr().ok_or_else(|| self.missing(span))?, None)?;
                self.emit(Op::Call, span);
            }
            ast::Expr::UnaryOp(u) if u.operator() == Some(ast::UnaryOpKind::Invert) => {
                let inner = u.expr().ok_or_else(|| self.missing(span))?;
                let pos = self.nix_pos(&inner).unwrap_or(span);
                self.within("in the argument of '!'", Some(pos), |c| {
                    c.compile(&inner)?;
                    c.emit(Op::Force, pos);
                    c.emit(Op::Not, pos);
                    Ok(())
                })?;
            }
            ast::Expr::UnaryOp(u) => {
                let at = self.point(span.start);
                self.within("while calling the 'sub' builtin", Some(at), |c| {
                    c.compile(&u.expr().ok_or_else(|| c.missing(span))?)?;
                    c.emit(Op::Force, span);
                    c.emit(Op::Negate, span);
                    Ok(())
                })?;
            }
            ast::Expr::BinOp(b) => self.compile_binop(b, span)?,
            ast::Expr::CurPos(_) => {
                let (_, line, col) = self.position_text(span.start);
                let attrs = Attrs::from_sorted(vec![
                    (NixString::from("column"), Value::Int(col as i64)),
                    (
                        NixString::from("file"),
                        Value::string(self.file_name.as_str()),
                    ),
                    (NixString::from("line"), Value::Int(line as i64)),
                ]);
                self.push_const(Value::Attrs(attrs), span);
            }
            ast::Expr::Error(_) => {
                return Err(self.err(ErrorKind::Parse("syntax error".into()), span))
            }
        }
        Ok(())
    }

    /// After `assert l == r` failed: evaluate both sides again and report their first
    /// difference, as C++ Nix does.
    fn explain_unequal(&mut self, b: &ast::BinOp, text: &str, at: Span) -> CResult {
        let span = self.span_of(b);
        let (l, r) = (
            b.lhs().ok_or_else(|| self.missing(span))?,
            b.rhs().ok_or_else(|| self.missing(span))?,
        );
        let eq = self.operator_pos(b);
        let what = format!("while evaluating the condition of the assertion '{text}'");
        self.within(&what, Some(at), |c| {
            c.compile(&l)?;
            c.emit(Op::Force, span);
            c.compile(&r)?;
            c.emit(Op::Force, span);
            c.emit(Op::ExplainUnequal, eq);
            Ok(())
        })
    }

    fn missing(&self, span: Span) -> Error {
        self.err(
            ErrorKind::Parse("syntax error, incomplete expression".into()),
            span,
        )
    }
}

/// An expression without its enclosing parentheses.
pub(crate) fn strip_parens(e: &ast::Expr) -> ast::Expr {
    match e {
        ast::Expr::Paren(p) => p
            .expr()
            .map(|i| strip_parens(&i))
            .unwrap_or_else(|| e.clone()),
        other => other.clone(),
    }
}

/// Recognise a thunk body `a op b` (integer `+`, `-`, `*` on captures and constants).
fn speculable(code: &[Op], consts: &[Value]) -> Option<crate::opcode::Spec> {
    use crate::opcode::{Spec, SpecOperand};
    let operand = |ops: &[Op]| -> Option<(SpecOperand, usize)> {
        match ops {
            [Op::Upvalue(u), Op::Force, ..] => Some((SpecOperand::Capture(*u), 2)),
            [Op::Const(c), ..] => match consts[*c as usize] {
                Value::Int(i) => Some((SpecOperand::Int(i), 1)),
                _ => None,
            },
            _ => None,
        }
    };
    let (a, n) = operand(code)?;
    let (b, m) = operand(&code[n..])?;
    let op = match &code[n + m..] {
        [Op::Add, Op::Return] => b'+',
        [Op::Sub, Op::Return] => b'-',
        [Op::Mul, Op::Return] => b'*',
        _ => return None,
    };
    Some(Spec { op, a, b })
}

#[cfg(test)]
mod disasm_tests {
    use super::*;

    #[test]
    fn fib_bytecode_is_compact() {
        let g = Globals::default();
        let p = compile_source(
            "let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in fib 5",
            0,
            Path::new("/"),
            "t",
            &g,
            &Names::default(),
            Syntax::default(),
            SourceShape::Expression,
        )
        .unwrap()
        .proto;
        let out = disassemble(&p);
        let lambda = &p.children[0];
        assert!(lambda.code.len() <= 22, "{out}");
    }
}
