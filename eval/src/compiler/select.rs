//! Compilation of attribute paths: `e.a.b`, `e.a or d`, `e ? a.b`, and names that are
//! known at compile time.

use super::{CResult, Compiler};
use crate::errors::Error;
use crate::opcode::{ContextWhat, Op};
use crate::source::Span;
use rnix::ast;
use rowan::ast::AstNode;

impl Compiler<'_> {
    /// Compile one attribute-path component for a runtime lookup: a constant name, or a
    /// dynamic name pushed on the stack (returns None then).
    pub(super) fn attr_name(&mut self, a: &ast::Attr) -> Result<Option<u32>, Error> {
        if let Some(n) = self.static_attr_name(a)? {
            return Ok(Some(self.name_const(&n)));
        }
        let span = self.span_of(a);
        let expr = match a {
            ast::Attr::Dynamic(d) => d.expr().ok_or_else(|| self.missing(span))?,
            ast::Attr::Str(s) => ast::Expr::Str(s.clone()),
            ast::Attr::Ident(_) => unreachable!("identifiers are static names"),
        };
        let pos = self.nix_pos(&expr).unwrap_or(self.point(span.start));
        self.within("while evaluating an attribute name", Some(pos), |c| {
            c.compile(&expr)?;
            c.emit(Op::Force, pos);
            c.emit(Op::AttrName, pos);
            Ok(())
        })?;
        Ok(None)
    }

    /// The name of an attribute-path component, if it is known at compile time.
    pub(crate) fn static_attr_name(&self, a: &ast::Attr) -> Result<Option<String>, Error> {
        Ok(match a {
            ast::Attr::Ident(i) => Some(i.syntax().text().to_string()),
            ast::Attr::Str(s) => match s.normalized_parts().as_slice() {
                [] => Some(String::new()),
                [ast::InterpolPart::Literal(l)] => Some(l.clone()),
                _ => None,
            },
            ast::Attr::Dynamic(d) => match d.expr() {
                Some(ast::Expr::Str(s)) => match s.normalized_parts().as_slice() {
                    [] => Some(String::new()),
                    [ast::InterpolPart::Literal(l)] => Some(l.clone()),
                    _ => None,
                },
                _ => None,
            },
        })
    }

    pub(super) fn compile_select(&mut self, s: &ast::Select, span: Span) -> CResult {
        let lhs = s.expr().ok_or_else(|| self.missing(span))?;
        let lhs_pos = self.nix_pos(&lhs);
        self.within("while selecting an attribute", lhs_pos, |c| {
            c.compile(&lhs)?;
            c.emit(Op::Force, span);
            Ok(())
        })?;
        let path: Vec<ast::Attr> = s
            .attrpath()
            .ok_or_else(|| self.missing(span))?
            .attrs()
            .collect();
        let shown = self.show_attr_path(&path);
        let at = Some(self.point(span.start));
        let text = self.context_text(&shown);
        let what = ContextWhat::Attribute(text);
        match s.default_expr() {
            None => self.within_what(what, at, None, |c| {
                for (i, a) in path.iter().enumerate() {
                    if i > 0 {
                        c.emit(Op::Force, span);
                    }
                    let sel = match c.attr_name(a)? {
                        Some(n) => Op::Select(n),
                        None => Op::SelectDyn,
                    };
                    c.emit(sel, c.point(span.start));
                }
                c.within_what(ContextWhat::Definition(text), None, None, |c| {
                    c.emit(Op::Force, span);
                    Ok(())
                })
            }),
            Some(def) => self.within_what(what, at, None, |c| {
                let mut misses = Vec::new();
                for (i, a) in path.iter().enumerate() {
                    if i > 0 {
                        c.emit(Op::Force, span);
                    }
                    let aspan = c.span_of(a);
                    let j = match c.attr_name(a)? {
                        Some(n) => c.emit(Op::SelectOr { name: n, jump: 0 }, aspan),
                        None => c.emit(Op::SelectOrDyn(0), aspan),
                    };
                    misses.push(j);
                }
                c.emit(Op::Force, span);
                let jend = c.emit(Op::Jump(0), span);
                c.f().depth -= 1;
                let miss = c.here();
                for m in misses {
                    c.patch(m, miss);
                }
                c.compile(&def)?;
                let end = c.here();
                c.patch(jend, end);
                Ok(())
            }),
        }
    }

    /// An attribute path as C++ Nix shows it in messages: names joined by dots,
    /// a dynamic component as `"${…}"`.
    pub(super) fn show_attr_path(&self, path: &[ast::Attr]) -> String {
        if path.iter().all(|a| matches!(a, ast::Attr::Ident(_))) {
            let names: Vec<String> = path.iter().map(|a| a.syntax().text().to_string()).collect();
            return names.join(".");
        }
        let parts: Vec<String> = path
            .iter()
            .map(|a| match self.static_attr_name(a) {
                Ok(Some(n)) => crate::printer::identifier_text(n.as_bytes()),
                _ => match a {
                    ast::Attr::Dynamic(d) => match d.expr() {
                        Some(e) => format!("\"${{{}}}\"", super::show::show(self, &e)),
                        None => String::new(),
                    },
                    other => format!("\"${{{}}}\"", other.syntax().text()),
                },
            })
            .collect();
        parts.join(".")
    }

    pub(super) fn compile_has_attr(&mut self, h: &ast::HasAttr, span: Span) -> CResult {
        let lhs = h.expr().ok_or_else(|| self.missing(span))?;
        let pos = self.nix_pos(&lhs);
        self.within("in the argument of '?'", pos, |c| {
            c.compile(&lhs)?;
            c.emit(Op::Force, span);
            Ok(())
        })?;
        let path: Vec<ast::Attr> = h
            .attrpath()
            .ok_or_else(|| self.missing(span))?
            .attrs()
            .collect();
        let mut exits = Vec::new();
        for (i, a) in path.iter().enumerate() {
            let last = i + 1 == path.len();
            if i > 0 {
                self.emit(Op::Force, span);
            }
            match (self.attr_name(a)?, last) {
                (Some(c), true) => {
                    self.emit(Op::HasFinal(c), span);
                }
                (None, true) => {
                    self.emit(Op::HasFinalDyn, span);
                }
                (Some(c), false) => exits.push(self.emit(Op::HasStep { name: c, jump: 0 }, span)),
                (None, false) => exits.push(self.emit(Op::HasStepDyn(0), span)),
            }
        }
        let end = self.here();
        for e in exits {
            self.patch(e, end);
        }
        Ok(())
    }
}
