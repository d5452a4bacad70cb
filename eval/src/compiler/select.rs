//! Compilation of attribute paths: `e.a.b`, `e.a or d`, `e ? a.b`, and names that are
//! known at compile time.

use super::{CResult, Compiler};
use crate::errors::Error;
use crate::opcode::Op;
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
        match a {
            ast::Attr::Dynamic(d) => {
                self.compile(&d.expr().ok_or_else(|| self.missing(span))?)?;
            }
            ast::Attr::Str(s) => self.compile_string(s, span)?,
            ast::Attr::Ident(_) => unreachable!("identifiers are static names"),
        }
        self.emit(Op::Force, span);
        self.emit(Op::AttrName, span);
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
        self.compile(&s.expr().ok_or_else(|| self.missing(span))?)?;
        self.emit(Op::Force, span);
        let path: Vec<ast::Attr> = s
            .attrpath()
            .ok_or_else(|| self.missing(span))?
            .attrs()
            .collect();
        match s.default_expr() {
            None => {
                for (i, a) in path.iter().enumerate() {
                    if i > 0 {
                        self.emit(Op::Force, span);
                    }
                    let aspan = self.span_of(a);
                    match self.attr_name(a)? {
                        Some(c) => self.emit(Op::Select(c), aspan),
                        None => self.emit(Op::SelectDyn, aspan),
                    };
                }
            }
            Some(def) => {
                let mut misses = Vec::new();
                for (i, a) in path.iter().enumerate() {
                    if i > 0 {
                        self.emit(Op::Force, span);
                    }
                    let aspan = self.span_of(a);
                    let j = match self.attr_name(a)? {
                        Some(c) => self.emit(Op::SelectOr { name: c, jump: 0 }, aspan),
                        None => self.emit(Op::SelectOrDyn(0), aspan),
                    };
                    misses.push(j);
                }
                let jend = self.emit(Op::Jump(0), span);
                self.f().depth -= 1;
                let miss = self.here();
                for m in misses {
                    self.patch(m, miss);
                }
                self.compile(&def)?;
                let end = self.here();
                self.patch(jend, end);
            }
        }
        Ok(())
    }

    pub(super) fn compile_has_attr(&mut self, h: &ast::HasAttr, span: Span) -> CResult {
        self.compile(&h.expr().ok_or_else(|| self.missing(span))?)?;
        self.emit(Op::Force, span);
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
