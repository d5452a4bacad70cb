//! Compilation of binding groups: attribute sets (plain and `rec`), `let`, and
//! legacy `let { … }`, including nested attribute paths, `inherit` and dynamic names.

use super::scope::{Key, Scope};
use super::{CResult, Compiler};
use crate::errors::{Error, ErrorKind};
use crate::opcode::{ContextWhat, Op, ProtoKind};
use crate::source::{raw_bytes, Span};
use crate::value::Value;
use rnix::ast::{self, HasEntry};
use rowan::ast::AstNode;
use std::rc::Rc;

/// The right-hand side of one binding.
enum BindVal {
    Expr(ast::Expr),
    /// `inherit name;`: the name from the enclosing scope.
    Inherit(String),
    /// `inherit (froms[i]) name;`
    InheritFrom(usize, String),
    /// A set built from nested attribute paths (`a.b = …; a.c = …;`); boxed, so
    /// that the entries of a large group stay small.
    Set(Box<AttrTree>),
}

struct StaticEntry {
    name: String,
    val: BindVal,
    span: Span,
}

struct DynEntry {
    key: ast::Attr,
    val: BindVal,
    span: Span,
}

/// The bindings of one set, with nested paths merged.
#[derive(Default)]
struct AttrTree {
    statics: Vec<StaticEntry>,
    /// Where each name of `statics` is (so that large groups are built in linear time).
    by_name: rustc_hash::FxHashMap<String, usize>,
    dynamics: Vec<DynEntry>,
    /// The set's first definition was a `rec { … }` literal: all its bindings share one
    /// recursive scope (a `rec` literal merged in later loses its `rec`, as in C++ Nix).
    rec: bool,
}

impl AttrTree {
    /// The index of the static entry named `name`.
    fn find(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// Add a static entry whose name is not there yet.
    fn push_static(&mut self, entry: StaticEntry) {
        self.by_name.insert(entry.name.clone(), self.statics.len());
        self.statics.push(entry);
    }
}

/// A binding group after parsing: its tree and the sources of `inherit (e)`.
struct Group {
    tree: AttrTree,
    froms: Vec<ast::Expr>,
}

impl Compiler<'_> {
    fn build_group(&mut self, node: &impl HasEntry) -> Result<Group, Error> {
        let mut g = Group {
            tree: AttrTree::default(),
            froms: Vec::new(),
        };
        self.add_entries(node, &mut g.tree, &mut g.froms, "")?;
        Ok(g)
    }

    /// Add a set's entries to `tree`, the set at attribute path `at` ("" at the top).
    fn add_entries(
        &mut self,
        node: &impl HasEntry,
        tree: &mut AttrTree,
        froms: &mut Vec<ast::Expr>,
        at: &str,
    ) -> CResult {
        for entry in node.entries() {
            match entry {
                ast::Entry::Inherit(inh) => {
                    let from = match inh.from() {
                        Some(f) => {
                            let span = self.span_of(&f);
                            froms.push(f.expr().ok_or_else(|| self.missing(span))?);
                            Some(froms.len() - 1)
                        }
                        None => None,
                    };
                    for a in inh.attrs() {
                        let span = self.span_of(&a);
                        let Some(name) = self.static_attr_name(&a)? else {
                            return Err(self.err(
                                ErrorKind::Parse(
                                    "dynamic attributes not allowed in inherit".into(),
                                ),
                                span,
                            ));
                        };
                        let val = match from {
                            Some(i) => BindVal::InheritFrom(i, name.clone()),
                            None => BindVal::Inherit(name.clone()),
                        };
                        if let Some(prev) = tree.find(&name) {
                            let prev = tree.statics[prev].span;
                            return Err(self.dup(&join(at, &name), prev, span));
                        }
                        tree.push_static(StaticEntry { name, val, span });
                    }
                }
                ast::Entry::AttrpathValue(av) => {
                    let span = self.span_of(&av);
                    let path: Vec<ast::Attr> = av
                        .attrpath()
                        .ok_or_else(|| self.missing(span))?
                        .attrs()
                        .collect();
                    let value = av.value().ok_or_else(|| self.missing(span))?;
                    self.insert_path(tree, &path, value, span, froms, at)?;
                }
            }
        }
        Ok(())
    }

    /// Nix's error for attribute `full` defined again at `span`, first at `prev`.
    fn dup(&self, full: &str, prev: Span, span: Span) -> Error {
        let (file, line, col) = self.position_text(prev.start);
        let msg = format!("attribute '{full}' already defined at {file}:{line}:{col}");
        self.err(ErrorKind::Parse(msg), span)
    }

    fn insert_path(
        &mut self,
        tree: &mut AttrTree,
        path: &[ast::Attr],
        value: ast::Expr,
        span: Span,
        froms: &mut Vec<ast::Expr>,
        at: &str,
    ) -> CResult {
        let first = &path[0];
        let rest = &path[1..];
        let Some(name) = self.static_attr_name(first)? else {
            let val = if rest.is_empty() {
                BindVal::Expr(value)
            } else {
                let mut sub = AttrTree::default();
                let inner = join(at, &first.syntax().text().to_string());
                self.insert_path(&mut sub, rest, value, span, froms, &inner)?;
                BindVal::Set(Box::new(sub))
            };
            tree.dynamics.push(DynEntry {
                key: first.clone(),
                val,
                span,
            });
            return Ok(());
        };
        let existing = tree.find(&name);
        let inner = join(at, &name);
        match existing {
            None => {
                let val = if rest.is_empty() {
                    BindVal::Expr(value)
                } else {
                    let mut sub = AttrTree::default();
                    self.insert_path(&mut sub, rest, value, span, froms, &inner)?;
                    BindVal::Set(Box::new(sub))
                };
                tree.push_static(StaticEntry { name, val, span });
            }
            Some(i) => {
                // Merging is allowed only between nested paths and set literals.
                let mergeable_literal =
                    |v: &BindVal| matches!(v, BindVal::Expr(ast::Expr::AttrSet(_)));
                if !matches!(tree.statics[i].val, BindVal::Set(_))
                    && mergeable_literal(&tree.statics[i].val)
                {
                    let BindVal::Expr(ast::Expr::AttrSet(lit)) =
                        std::mem::replace(&mut tree.statics[i].val, BindVal::Set(Box::default()))
                    else {
                        unreachable!("checked to be a set literal")
                    };
                    let BindVal::Set(sub) = &mut tree.statics[i].val else {
                        unreachable!("just replaced")
                    };
                    sub.rec = lit.rec_token().is_some();
                    self.add_entries(&lit, sub, froms, &inner)?;
                }
                let prev = tree.statics[i].span;
                match (&mut tree.statics[i].val, rest.is_empty()) {
                    (BindVal::Set(sub), false) => {
                        self.insert_path(sub, rest, value, span, froms, &inner)?
                    }
                    (BindVal::Set(sub), true) => match value {
                        ast::Expr::AttrSet(lit) => self.add_entries(&lit, sub, froms, &inner)?,
                        _ => return Err(self.dup(&inner, prev, span)),
                    },
                    // A value where the new path goes on: Nix names the whole path.
                    _ => {
                        let mut full = inner.clone();
                        for a in rest {
                            let n = self
                                .static_attr_name(a)?
                                .unwrap_or_else(|| a.syntax().text().to_string());
                            full = join(&full, &n);
                        }
                        return Err(self.dup(&full, prev, span));
                    }
                }
            }
        }
        Ok(())
    }

    fn fresh_hidden(&mut self) -> u32 {
        let id = self.with_count;
        self.with_count += 1;
        id
    }

    /// `{ … }` or `rec { … }`.
    pub(super) fn compile_attrset(&mut self, s: &ast::AttrSet, span: Span) -> CResult {
        let group = self.build_group(s)?;
        if s.rec_token().is_some() {
            self.compile_rec_group(group, span, RecBody::Set)
        } else {
            self.compile_plain_group(group, span)
        }
    }

    fn compile_plain_group(&mut self, group: Group, span: Span) -> CResult {
        let mut from_ids = Vec::new();
        if !group.froms.is_empty() {
            self.f().scopes.push(Scope::default());
            for e in &group.froms {
                self.compile_lazy(e, None)?;
                let id = self.fresh_hidden();
                let slot = self.f().depth - 1;
                self.f()
                    .scopes
                    .last_mut()
                    .expect("pushed above")
                    .bind(Key::Hidden(id), slot);
                from_ids.push(id);
            }
        }
        let r = self.emit_set(&group.tree, &from_ids, span);
        if !group.froms.is_empty() {
            self.f().scopes.pop();
            r?;
            self.emit(Op::CloseScope(group.froms.len() as u32), span);
            return Ok(());
        }
        r
    }

    /// Push a set built from `tree`, whose values are compiled in the current scope.
    fn emit_set(&mut self, tree: &AttrTree, from_ids: &[u32], span: Span) -> CResult {
        let mut order: Vec<&StaticEntry> = tree.statics.iter().collect();
        order.sort_by(|a, b| raw_bytes(&a.name).cmp(&raw_bytes(&b.name)));
        for e in &order {
            self.push_const(Value::string(raw_bytes(&e.name).as_ref()), e.span);
            self.emit_bind_value(&e.val, &e.name, from_ids, e.span)?;
        }
        self.finish_set(tree, order.len(), from_ids, span)
    }

    /// Push the dynamic entries of `tree` after its `statics` static ones, then build the set.
    fn finish_set(
        &mut self,
        tree: &AttrTree,
        statics: usize,
        from_ids: &[u32],
        span: Span,
    ) -> CResult {
        for d in &tree.dynamics {
            self.compile_dyn_key(&d.key)?;
            self.emit_bind_value(&d.val, "", from_ids, d.span)?;
        }
        let n = (statics + tree.dynamics.len()) as u32;
        let op = if tree.dynamics.is_empty() {
            let mut order: Vec<&StaticEntry> = tree.statics.iter().collect();
            order.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
            let positions = crate::value::PositionTable::new(
                order.iter().map(|e| crate::value::AttrPos::at(e.span)),
            );
            let f = self.f();
            f.positions.push(positions);
            Op::Attrs {
                n,
                at: (f.positions.len() - 1) as u32,
            }
        } else {
            Op::AttrsDyn(n)
        };
        self.emit(op, span);
        Ok(())
    }

    fn compile_dyn_key(&mut self, key: &ast::Attr) -> CResult {
        let span = self.span_of(key);
        match key {
            ast::Attr::Dynamic(d) => self.compile(&d.expr().ok_or_else(|| self.missing(span))?)?,
            ast::Attr::Str(s) => self.compile_string(s, span)?,
            ast::Attr::Ident(_) => unreachable!("identifiers are static names"),
        }
        self.emit(Op::Force, span);
        self.emit(Op::AttrName, span);
        Ok(())
    }

    /// Push the (lazy) value of a binding in a non-recursive context.
    fn emit_bind_value(
        &mut self,
        val: &BindVal,
        name: &str,
        from_ids: &[u32],
        span: Span,
    ) -> CResult {
        match val {
            BindVal::Expr(e) => {
                self.defining_attribute(span);
                self.compile_lazy(e, Some(Rc::from(name)))
            }
            BindVal::Inherit(n) => {
                if self.resolves_lexically(n) {
                    self.compile_var(n, span)
                } else {
                    let n = n.clone();
                    let idx = self.child(ProtoKind::Thunk, span, None, |c| {
                        c.compile_var(&n, span)?;
                        c.emit(Op::Force, span);
                        c.emit(Op::Return, span);
                        Ok(())
                    })?;
                    self.emit(Op::Thunk(idx), span);
                    Ok(())
                }
            }
            BindVal::InheritFrom(i, n) => {
                let idx = self.inherit_from_proto(from_ids[*i], n, span)?;
                self.emit(Op::Thunk(idx), span);
                Ok(())
            }
            BindVal::Set(t) if t.rec => {
                let idx = self.rec_tree_proto(t, from_ids, span)?;
                self.emit(Op::Thunk(idx), span);
                Ok(())
            }
            BindVal::Set(t) => {
                if t.dynamics.is_empty() && !tree_has_from(t) {
                    self.emit_set(t, from_ids, span)
                } else {
                    let ids = from_ids.to_vec();
                    let idx = self.child(ProtoKind::Thunk, span, None, |c| {
                        c.emit_set(t, &ids, span)?;
                        c.emit(Op::Return, span);
                        Ok(())
                    })?;
                    self.emit(Op::Thunk(idx), span);
                    Ok(())
                }
            }
        }
    }

    /// If `x` is a variable whose value already sits in a slot below `slot` (or in an
    /// enclosing function), where it lives.
    fn existing_alias(&mut self, x: &ast::Expr, slot: u32) -> Option<super::Loc> {
        let x = match x {
            ast::Expr::Paren(p) => p.expr()?,
            other => other.clone(),
        };
        let ast::Expr::Ident(id) = x else { return None };
        let name = id.syntax().text().to_string();
        match self.resolve(&Key::Name(Rc::from(name.as_str())))? {
            super::Loc::Local(s) if s < slot => Some(super::Loc::Local(s)),
            super::Loc::Upvalue(u) => Some(super::Loc::Upvalue(u)),
            super::Loc::Local(_) => None,
        }
    }

    fn resolves_lexically(&mut self, n: &str) -> bool {
        self.resolve(&Key::Name(Rc::from(n))).is_some() || self.globals.contains_key(n)
    }

    fn inherit_from_proto(&mut self, from_id: u32, name: &str, span: Span) -> Result<u32, Error> {
        let name = name.to_string();
        self.child(ProtoKind::Thunk, span, None, |c| {
            let loc = c
                .resolve(&Key::Hidden(from_id))
                .expect("inherit sources are bound before use");
            c.emit_loc(loc, span);
            c.emit(Op::Force, span);
            let k = c.name_const(&name);
            c.emit(Op::Select(k), span);
            c.emit(Op::Force, span);
            c.emit(Op::Return, span);
            Ok(())
        })
    }

    /// `let … in body`.
    pub(super) fn compile_let(&mut self, l: &ast::LetIn, span: Span) -> CResult {
        let group = self.build_group(l)?;
        if !group.tree.dynamics.is_empty() {
            return Err(self.err(
                ErrorKind::Parse("dynamic attributes not allowed in let".into()),
                self.point(span.start),
            ));
        }
        let body = l.body().ok_or_else(|| self.missing(span))?;
        self.compile_rec_group(group, span, RecBody::Expr(body))
    }

    /// `let { … }`: a recursive set whose `body` attribute is the value.
    pub(super) fn compile_legacy_let(&mut self, l: &ast::LegacyLet, span: Span) -> CResult {
        let group = self.build_group(l)?;
        self.compile_rec_group(group, span, RecBody::Set)?;
        self.emit(Op::Force, span);
        let at = self.point(span.start);
        let text = self.context_text("body");
        self.within_what(ContextWhat::Attribute(text), Some(at), None, |c| {
            let k = c.name_const("body");
            c.emit(Op::Select(k), at);
            c.within_what(ContextWhat::Definition(text), None, None, |c| {
                c.emit(Op::Force, span);
                Ok(())
            })
        })
    }

    /// A thunk proto building the recursive set `tree` (merged from a `rec` literal).
    fn rec_tree_proto(
        &mut self,
        tree: &AttrTree,
        from_ids: &[u32],
        span: Span,
    ) -> Result<u32, Error> {
        let ids = from_ids.to_vec();
        self.child(ProtoKind::Thunk, span, None, |c| {
            c.compile_rec_tree(tree, &[], &ids, span, RecBody::Set)?;
            c.emit(Op::Return, span);
            Ok(())
        })
    }

    fn compile_rec_group(&mut self, group: Group, span: Span, body: RecBody) -> CResult {
        let Group { tree, froms } = group;
        self.compile_rec_tree(&tree, &froms, &[], span, body)
    }

    /// Compile a recursive binding group. `froms` are its own `inherit (e)` sources; when
    /// it has none, `outer_from_ids` are those of the group it was merged into.
    fn compile_rec_tree(
        &mut self,
        tree: &AttrTree,
        froms: &[ast::Expr],
        outer_from_ids: &[u32],
        span: Span,
        body: RecBody,
    ) -> CResult {
        let base = self.f().depth;
        let mut scope = Scope::default();
        let mut from_ids = Vec::new();
        for (i, _) in froms.iter().enumerate() {
            let id = self.fresh_hidden();
            scope.bind(Key::Hidden(id), base + i as u32);
            from_ids.push(id);
        }
        if froms.is_empty() {
            from_ids = outer_from_ids.to_vec();
        }
        let nfrom = froms.len() as u32;
        for (i, e) in tree.statics.iter().enumerate() {
            scope.bind(
                Key::Name(Rc::from(e.name.as_str())),
                base + nfrom + i as u32,
            );
        }
        let total = nfrom + tree.statics.len() as u32;
        self.f().scopes.push(scope);
        let r = self.compile_rec_inner(tree, froms, &from_ids, base, span, body);
        self.f().scopes.pop();
        r?;
        self.emit(Op::CloseScope(total), span);
        Ok(())
    }

    fn compile_rec_inner(
        &mut self,
        tree: &AttrTree,
        froms: &[ast::Expr],
        from_ids: &[u32],
        base: u32,
        span: Span,
        body: RecBody,
    ) -> CResult {
        let nfrom = froms.len() as u32;
        // `rec { __overrides = …; }`: every binding may be replaced, so none is a
        // constant or an alias, and each reads the overrides first.
        let overrides = match body {
            RecBody::Set => tree
                .statics
                .iter()
                .position(|e| e.name.as_str() == "__overrides")
                .map(|i| base + nfrom + i as u32),
            RecBody::Expr(_) => None,
        };
        // Phase 1: a slot per binding: constants directly, everything else a blank thunk.
        let mut pending: Vec<(u32, Pending)> = Vec::new();
        for (i, f) in froms.iter().enumerate() {
            self.emit(Op::Blank, span);
            pending.push((base + i as u32, Pending::From(f)));
        }
        for (i, e) in tree.statics.iter().enumerate() {
            let slot = base + nfrom + i as u32;
            let overridden = overrides.is_some_and(|o| o != slot);
            let literal = match &e.val {
                BindVal::Expr(x) if !overridden => self.literal_value(x),
                _ => None,
            };
            match &e.val {
                _ if overridden => {
                    self.emit(Op::Blank, e.span);
                    pending.push((slot, Pending::Bind(e)));
                }
                BindVal::Expr(_) if literal.is_some() => {
                    let v = literal.expect("checked just above");
                    self.push_const(v, e.span);
                }
                // `b = a;` shares a's value (as C++ Nix shares the variable's value), as
                // long as a's slot already exists here.
                BindVal::Expr(x) if self.existing_alias(x, slot).is_some() => {
                    let loc = self.existing_alias(x, slot).expect("checked just above");
                    self.emit_loc(loc, e.span);
                }
                BindVal::Inherit(n) => {
                    self.f().scopes.last_mut().expect("rec scope").hidden = true;
                    let lexical = self.resolves_lexically(n);
                    if lexical {
                        let r = self.compile_var(n, e.span);
                        self.f().scopes.last_mut().expect("rec scope").hidden = false;
                        r?;
                    } else {
                        self.f().scopes.last_mut().expect("rec scope").hidden = false;
                        self.emit(Op::Blank, e.span);
                        pending.push((slot, Pending::Bind(e)));
                    }
                }
                _ => {
                    self.emit(Op::Blank, e.span);
                    pending.push((slot, Pending::Bind(e)));
                }
            }
        }
        // Phase 2: give each blank thunk its code, now that every slot exists.
        for (slot, p) in pending {
            let idx = match (overrides, &p) {
                // An inherited name keeps its own (lexical) meaning.
                (Some(o), Pending::Bind(e))
                    if o != slot && !matches!(e.val, BindVal::Inherit(_)) =>
                {
                    self.overridable_proto(e, from_ids)?
                }
                _ => self.pending_proto(p, from_ids)?,
            };
            self.emit(Op::Finalize { slot, proto: idx }, span);
        }
        match body {
            RecBody::Expr(b) => self.compile(&b),
            RecBody::Set => {
                let mut order: Vec<(usize, &StaticEntry)> =
                    tree.statics.iter().enumerate().collect();
                order.sort_by(|a, b| raw_bytes(&a.1.name).cmp(&raw_bytes(&b.1.name)));
                for (i, e) in &order {
                    self.push_const(Value::string(raw_bytes(&e.name).as_ref()), e.span);
                    self.emit(Op::Local(base + nfrom + *i as u32), e.span);
                }
                self.finish_set(tree, order.len(), from_ids, span)?;
                match overrides {
                    Some(slot) => self.apply_overrides(slot, span),
                    None => Ok(()),
                }
            }
        }
    }

    /// The set just built, updated with its `__overrides` (forced now, as C++
    /// Nix forces them when it makes the set).
    fn apply_overrides(&mut self, slot: u32, span: Span) -> CResult {
        self.within("while evaluating the `__overrides` attribute", None, |c| {
            c.emit(Op::Local(slot), span);
            c.emit(Op::Force, span);
            c.emit(Op::Update, span);
            Ok(())
        })
    }

    /// A thunk for binding `e` of a set with `__overrides`: the override's value
    /// if `__overrides` has one by that name, else the binding's own.
    fn overridable_proto(&mut self, e: &StaticEntry, from_ids: &[u32]) -> Result<u32, Error> {
        let sp = e.span;
        self.child(ProtoKind::Thunk, sp, None, |c| {
            let name = c.name_const(e.name.as_str());
            c.compile_var("__overrides", sp)?;
            c.emit(Op::Force, sp);
            let miss = c.emit(Op::SelectOr { name, jump: 0 }, sp);
            c.emit(Op::Force, sp);
            let end = c.emit(Op::Jump(0), sp);
            c.f().depth -= 1;
            let here = c.here();
            c.patch(miss, here);
            let lambda = matches!(&e.val, BindVal::Expr(ast::Expr::Lambda(_)));
            let idx = c.pending_proto(Pending::Bind(e), from_ids)?;
            c.emit(
                if lambda {
                    Op::Closure(idx)
                } else {
                    Op::Thunk(idx)
                },
                sp,
            );
            c.emit(Op::Force, sp);
            let here = c.here();
            c.patch(end, here);
            c.emit(Op::Return, sp);
            Ok(())
        })
    }

    /// The child proto that gives a pending slot its value.
    fn pending_proto(&mut self, p: Pending, from_ids: &[u32]) -> Result<u32, Error> {
        Ok(match p {
            Pending::From(f) => self.thunk_proto(f)?,
            Pending::Bind(e) => match &e.val {
                BindVal::Expr(ast::Expr::Lambda(l)) => {
                    self.compile_lambda(l, Some(Rc::from(e.name.as_str())))?
                }
                BindVal::Expr(x) => {
                    self.defining_attribute(e.span);
                    self.thunk_proto(x)?
                }
                BindVal::Inherit(n) => {
                    let n = n.clone();
                    let sp = e.span;
                    self.f().scopes.last_mut().expect("rec scope").hidden = true;
                    let r = self.child(ProtoKind::Thunk, sp, None, |c| {
                        c.compile_var(&n, sp)?;
                        c.emit(Op::Force, sp);
                        c.emit(Op::Return, sp);
                        Ok(())
                    });
                    self.f().scopes.last_mut().expect("rec scope").hidden = false;
                    r?
                }
                BindVal::InheritFrom(i, n) => self.inherit_from_proto(from_ids[*i], n, e.span)?,
                BindVal::Set(t) if t.rec => self.rec_tree_proto(t, from_ids, e.span)?,
                BindVal::Set(t) => {
                    let ids = from_ids.to_vec();
                    let sp = e.span;
                    self.child(ProtoKind::Thunk, sp, None, |c| {
                        c.emit_set(t, &ids, sp)?;
                        c.emit(Op::Return, sp);
                        Ok(())
                    })?
                }
            },
        })
    }
}

enum RecBody {
    Expr(ast::Expr),
    Set,
}

enum Pending<'t> {
    From(&'t ast::Expr),
    Bind(&'t StaticEntry),
}

fn tree_has_from(t: &AttrTree) -> bool {
    t.statics.iter().any(|e| match &e.val {
        BindVal::InheritFrom(..) => true,
        BindVal::Set(s) => tree_has_from(s),
        _ => false,
    })
}

#[allow(dead_code)]
fn node_text(n: &impl AstNode) -> String {
    n.syntax().text().to_string()
}

/// `at.name`, or `name` at the top.
fn join(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_string()
    } else {
        format!("{at}.{name}")
    }
}
