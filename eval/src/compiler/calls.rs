//! Compilation of operators and calls: binary operators (with lexically overridden
//! `__sub`/`__lessThan`/…), and direct calls of known builtins.

use super::scope::Key;
use super::{CResult, Compiler};
use crate::opcode::Op;
use crate::source::Span;
use crate::value::Value;
use crate::ErrorKind;
use rnix::ast;
use rowan::ast::AstNode;
use std::rc::Rc;

impl Compiler<'_> {
    /// The builtin a function expression denotes at compile time: a global name bound to
    /// an unapplied builtin (`map`), or `builtins.name` with `builtins` not rebound.
    pub(super) fn known_builtin(&mut self, f: &ast::Expr) -> Option<Value> {
        let global = |c: &mut Self, name: &str| -> Option<Value> {
            if c.resolve(&Key::Name(Rc::from(name))).is_some() {
                return None;
            }
            c.globals.get(name).cloned()
        };
        let v = match f {
            ast::Expr::Ident(id) => global(self, &id.syntax().text().to_string())?,
            ast::Expr::Select(s) if s.default_expr().is_none() => {
                let ast::Expr::Ident(base) = s.expr()? else {
                    return None;
                };
                if base.syntax().text() != "builtins" {
                    return None;
                }
                let path: Vec<ast::Attr> = s.attrpath()?.attrs().collect();
                let [attr] = path.as_slice() else { return None };
                let name = self.static_attr_name(attr).ok()??;
                let Value::Attrs(set) = global(self, "builtins")? else {
                    return None;
                };
                set.get(name.as_bytes())?.shallow()
            }
            ast::Expr::Paren(p) => return self.known_builtin(&p.expr()?),
            _ => return None,
        };
        match &v {
            Value::Builtin(p) if p.args.is_empty() => Some(v),
            _ => None,
        }
    }

    /// Compile an application chain `f a1 … an` in one pass over the chain (it can be
    /// millions long): a known builtin taking at most n arguments is called directly
    /// (no partial applications); anything else is called one argument at a time,
    /// each call placed at its own application.
    pub(super) fn compile_apply(&mut self, a: &ast::Apply, span: Span) -> CResult {
        // The arguments, outermost first, each with the span of its application.
        let mut args = Vec::new();
        let mut head = ast::Expr::Apply(a.clone());
        while let ast::Expr::Apply(app) = &head {
            let at = self.span_of(app);
            let (Some(f), Some(x)) = (app.lambda(), app.argument()) else {
                return Err(self.missing(at));
            };
            args.push((x, at));
            head = f;
        }
        args.reverse();
        if let Some(b) = self.known_builtin(&head) {
            let arity = match &b {
                Value::Builtin(p) => p.def.arity as usize,
                _ => unreachable!("known_builtin gives builtins"),
            };
            if args.len() >= arity {
                return self.direct_builtin_call(b, arity, &args, span);
            }
        }
        self.compile(&head)?;
        for (x, at) in &args {
            self.emit(Op::Force, *at);
            self.compile_lazy(x, None)?;
            // Arguments may be computed eagerly when that is unobservable.
            self.speculate_last_thunk();
            self.emit(Op::Call, *at);
        }
        Ok(())
    }

    /// A thunk just made for an argument may be computed eagerly instead.
    fn speculate_last_thunk(&mut self) {
        if let Some(Op::Thunk(i)) = self.f().code.last().copied() {
            *self.f().code.last_mut().expect("checked above") = Op::ThunkSpec(i);
        }
    }

    /// `b a1 … an` for a builtin `b` of `arity` ≤ n: one direct call, then the
    /// remaining arguments applied to its result.
    fn direct_builtin_call(
        &mut self,
        b: Value,
        arity: usize,
        args: &[(ast::Expr, Span)],
        span: Span,
    ) -> CResult {
        let c = self.constant(b);
        for (x, _) in &args[..arity] {
            self.compile_lazy(x, None)?;
            self.speculate_last_thunk();
        }
        self.emit(
            Op::CallBuiltin {
                builtin: c,
                argc: arity as u32,
            },
            span,
        );
        for (x, _) in &args[arity..] {
            self.emit(Op::Force, span);
            self.compile_lazy(x, None)?;
            self.emit(Op::Call, span);
        }
        Ok(())
    }

    /// If the operator's desugared function (`__sub`, `__lessThan`, …) is bound lexically by
    /// the program, that binding's name, whether operands swap, and whether to negate.
    pub(super) fn overridden_operator(
        &mut self,
        op: ast::BinOpKind,
    ) -> Option<(&'static str, bool, bool)> {
        use ast::BinOpKind as K;
        let (name, swap, negate) = match op {
            K::Sub => ("__sub", false, false),
            K::Mul => ("__mul", false, false),
            K::Div => ("__div", false, false),
            K::Less => ("__lessThan", false, false),
            K::More => ("__lessThan", true, false),
            K::LessOrEq => ("__lessThan", true, true),
            K::MoreOrEq => ("__lessThan", false, true),
            _ => return None,
        };
        self.resolve(&Key::Name(Rc::from(name)))
            .map(|_| (name, swap, negate))
    }

    pub(super) fn compile_binop(&mut self, b: &ast::BinOp, span: Span) -> CResult {
        // A left-nested chain (`a + b - c …`, `a && b || c …`) is compiled from its
        // innermost link out, without recursing once per link.
        let mut outer = Vec::new();
        let mut inner = b.clone();
        while let Some(ast::Expr::BinOp(lhs)) = inner.lhs() {
            if !(self.chains(&inner) && self.chains(&lhs)) {
                break;
            }
            outer.push(std::mem::replace(&mut inner, lhs));
        }
        if outer.is_empty() {
            return self.compile_link(b, span, None);
        }
        let from = self.f().code.len() as u32;
        let inner_span = self.span_of(&inner);
        self.compile_link(&inner, inner_span, None)?;
        for link in outer.iter().rev() {
            let link_span = self.span_of(link);
            self.compile_link(link, link_span, Some(from))?;
        }
        Ok(())
    }

    /// Whether `b` may be a link of a chain compiled without recursion: a
    /// left-associative operator that is not overridden in scope.
    fn chains(&mut self, b: &ast::BinOp) -> bool {
        use ast::BinOpKind as K;
        match b.operator() {
            Some(K::Add | K::And | K::Or) => true,
            Some(op @ (K::Sub | K::Mul | K::Div)) => self.overridden_operator(op).is_none(),
            _ => false,
        }
    }

    /// One binary operation; its left operand's code is already emitted, from
    /// `lhs_from`, when that is given.
    fn compile_link(&mut self, b: &ast::BinOp, span: Span, lhs_from: Option<u32>) -> CResult {
        use ast::BinOpKind as K;
        let lhs = b.lhs().ok_or_else(|| self.missing(span))?;
        let rhs = b.rhs().ok_or_else(|| self.missing(span))?;
        let op = b.operator().ok_or_else(|| self.missing(span))?;
        match op {
            K::And | K::Or | K::Implication => {
                let sym = match op {
                    K::And => "&&",
                    K::Or => "||",
                    _ => "->",
                };
                let (lpos, rpos) = (
                    self.nix_pos(&lhs).unwrap_or(span),
                    self.nix_pos(&rhs).unwrap_or(span),
                );
                let mut j = 0;
                self.within_since(
                    lhs_from,
                    &format!("in the left operand of '{sym}'"),
                    Some(lpos),
                    |c| {
                        if lhs_from.is_none() {
                            c.compile(&lhs)?;
                        }
                        c.emit(Op::Force, lpos);
                        j = match op {
                            K::Or => c.emit(Op::JumpIfTrue(0), lpos),
                            _ => c.emit(Op::JumpIfFalse(0), lpos),
                        };
                        Ok(())
                    },
                )?;
                self.within(
                    &format!("in the right operand of '{sym}'"),
                    Some(rpos),
                    |c| {
                        c.compile(&rhs)?;
                        c.emit(Op::Force, rpos);
                        c.emit(Op::AssertBool, rpos);
                        Ok(())
                    },
                )?;
                let jend = self.emit(Op::Jump(0), span);
                self.f().depth -= 1;
                let short = self.here();
                self.patch(j, short);
                self.push_const(Value::Bool(!matches!(op, K::And)), span);
                let end = self.here();
                self.patch(jend, end);
            }
            K::PipeRight | K::PipeLeft => {
                if !self.pipe_operators {
                    return Err(self.err(
                        ErrorKind::Parse(
                            "experimental Nix feature 'pipe-operators' is disabled; add \
                             '--extra-experimental-features pipe-operators' to enable it"
                                .into(),
                        ),
                        self.operator_pos(b),
                    ));
                }
                let (f, x) = if op == K::PipeRight {
                    (&rhs, &lhs)
                } else {
                    (&lhs, &rhs)
                };
                self.compile(f)?;
                self.emit(Op::Force, span);
                self.compile_lazy(x, None)?;
                self.emit(Op::Call, span);
            }
            K::Sub | K::Mul | K::Div | K::Less | K::More | K::LessOrEq | K::MoreOrEq
                if self.overridden_operator(op).is_some() =>
            {
                let (name, swap, negate) =
                    self.overridden_operator(op).expect("checked by the guard");
                let loc = self
                    .resolve(&Key::Name(Rc::from(name)))
                    .expect("checked by the guard");
                let (x, y) = if swap { (&rhs, &lhs) } else { (&lhs, &rhs) };
                self.emit_loc(loc, span);
                self.emit(Op::Force, span);
                self.compile_lazy(x, None)?;
                self.emit(Op::Call, span);
                self.emit(Op::Force, span);
                self.compile_lazy(y, None)?;
                self.emit(Op::Call, span);
                if negate {
                    self.emit(Op::Force, span);
                    self.emit(Op::Not, span);
                }
            }
            _ => self.compile_strict_binop(op, &lhs, &rhs, span, lhs_from)?,
        }
        Ok(())
    }

    /// A binary operation on two forced operands, with C++ Nix's trace frames: the
    /// operands of `==`, `!=`, `++`, `//` and `+` are evaluated "in the left operand
    /// of …"; `-`, `*`, `/` and the comparisons are calls of builtins. The left
    /// operand's code is already emitted, from `lhs_from`, when that is given.
    fn compile_strict_binop(
        &mut self,
        op: ast::BinOpKind,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
        lhs_from: Option<u32>,
    ) -> CResult {
        use ast::BinOpKind as K;
        let at = self.nix_pos_of_op(lhs, span);
        let o = match op {
            K::Add => Op::Add,
            K::Sub => Op::Sub,
            K::Mul => Op::Mul,
            K::Div => Op::Div,
            K::Equal => Op::Eq,
            K::NotEqual => Op::NotEq,
            K::Less => Op::Less,
            K::LessOrEq => Op::LessEq,
            K::More => Op::Greater,
            K::MoreOrEq => Op::GreaterEq,
            K::Concat => Op::Concat,
            K::Update => Op::Update,
            K::And | K::Or | K::Implication | K::PipeLeft | K::PipeRight => {
                unreachable!("handled in compile_binop")
            }
        };
        let operands = |c: &mut Self, names: Option<(&str, &str)>| -> CResult {
            let sides = [
                (lhs, names.map(|n| n.0), lhs_from),
                (rhs, names.map(|n| n.1), None),
            ];
            for (e, name, from) in sides {
                let pos = c.nix_pos(e);
                // Forcing the operand is placed at it (an infinite recursion there, say).
                let espan = c.span_of(e);
                let operand = |c: &mut Self| {
                    if from.is_none() {
                        c.compile(e)?;
                    }
                    c.emit(Op::Force, espan);
                    Ok(())
                };
                match name {
                    Some(what) => c.within_since(from, what, pos, operand)?,
                    None => operand(c)?,
                }
            }
            Ok(())
        };
        match op {
            K::Equal | K::NotEqual | K::Concat | K::Update => {
                let sym = match op {
                    K::Equal => "==",
                    K::NotEqual => "!=",
                    K::Concat => "++",
                    _ => "//",
                };
                let (l, r) = (
                    format!("in the left operand of '{sym}'"),
                    format!("in the right operand of '{sym}'"),
                );
                operands(self, Some((&l, &r)))?;
                self.emit(o, at);
            }
            K::Add => {
                operands(self, Some(("in an operand of '+'", "in an operand of '+'")))?;
                // C++ Nix reports a failed addition at the operand it could not add.
                let rpos = self.point(self.span_of(rhs).start);
                self.emit(o, rpos);
            }
            K::Sub | K::Mul | K::Div => {
                let name = match op {
                    K::Sub => "sub",
                    K::Mul => "mul",
                    _ => "div",
                };
                self.within_since(
                    lhs_from,
                    &format!("while calling the '{name}' builtin"),
                    Some(at),
                    |c| {
                        operands(c, None)?;
                        c.emit(o, at);
                        Ok(())
                    },
                )?;
            }
            _ => {
                let call = |c: &mut Self| {
                    c.within("while calling the 'lessThan' builtin", Some(at), |c| {
                        operands(c, None)?;
                        c.emit(o, at);
                        Ok(())
                    })
                };
                if matches!(op, K::LessOrEq | K::MoreOrEq) {
                    self.within("in the argument of '!'", Some(at), call)?;
                } else {
                    call(self)?;
                }
            }
        }
        Ok(())
    }

    /// The operator position of the binary operation whose left operand is `lhs`.
    fn nix_pos_of_op(&self, lhs: &ast::Expr, span: Span) -> Span {
        lhs.syntax()
            .parent()
            .and_then(ast::BinOp::cast)
            .map(|b| self.operator_pos(&b))
            .unwrap_or(span)
    }
}
