//! What an error's trace says about the code it escaped from: the position C++
//! Nix gives each expression (its `getPos`), and the context ranges that make
//! an error escaping part of an expression carry a `… while …` frame such as
//! `in the left operand of '=='`. Ranges are tables beside the code, read only
//! while an error unwinds.

use super::{CResult, Compiler};
use crate::opcode::{ContextRange, ContextWhat, Op, FIXED_CONTEXTS, NO_POS};
use crate::source::Span;
use rnix::ast;
use rowan::ast::AstNode;
use std::rc::Rc;

impl Compiler<'_> {
    /// A zero-width span at a byte offset of this file.
    pub(super) fn point(&self, offset: u32) -> Span {
        Span {
            file: self.file,
            start: offset,
            end: offset,
        }
    }

    /// The position C++ Nix's parser gives an expression: the start of most
    /// constructs, the operator of a binary operation, nothing for literals and
    /// `let`, the first element of a list.
    pub(super) fn nix_pos(&self, e: &ast::Expr) -> Option<Span> {
        let start = self.point(self.span_of(e).start);
        match e {
            ast::Expr::Literal(_) | ast::Expr::LetIn(_) | ast::Expr::Error(_) => None,
            ast::Expr::Str(s) => s
                .normalized_parts()
                .iter()
                .any(|p| matches!(p, ast::InterpolPart::Interpolation(_)))
                .then_some(start),
            ast::Expr::PathAbs(_)
            | ast::Expr::PathRel(_)
            | ast::Expr::PathHome(_)
            | ast::Expr::PathSearch(_) => e.syntax().children().next().is_some().then_some(start),
            ast::Expr::Paren(p) => p.expr().and_then(|i| self.nix_pos(&i)),
            ast::Expr::Root(r) => r.expr().and_then(|i| self.nix_pos(&i)),
            ast::Expr::List(l) => l.items().next().and_then(|i| self.nix_pos(&i)),
            ast::Expr::HasAttr(h) => h.expr().and_then(|i| self.nix_pos(&i)),
            ast::Expr::UnaryOp(u) if u.operator() == Some(ast::UnaryOpKind::Invert) => {
                u.expr().and_then(|i| self.nix_pos(&i))
            }
            ast::Expr::BinOp(b) => Some(self.operator_pos(b)),
            _ => Some(start),
        }
    }

    /// The position of a binary operation's operator token.
    pub(super) fn operator_pos(&self, b: &ast::BinOp) -> Span {
        let token = b
            .syntax()
            .children_with_tokens()
            .filter_map(|c| c.into_token())
            .find(|t| !t.kind().is_trivia());
        match token {
            Some(t) => self.point(u32::from(t.text_range().start())),
            None => self.point(self.span_of(b).start),
        }
    }

    /// Compile `body`; an error escaping the code it emits gets the frame `what` at `pos`.
    pub(super) fn within(
        &mut self,
        what: &str,
        pos: Option<Span>,
        body: impl FnOnce(&mut Self) -> CResult,
    ) -> CResult {
        self.within_since(None, what, pos, body)
    }

    /// Like `within`, for a frame whose code began at `from` (some of it emitted
    /// before `body` runs), when given.
    pub(super) fn within_since(
        &mut self,
        from: Option<u32>,
        what: &str,
        pos: Option<Span>,
        body: impl FnOnce(&mut Self) -> CResult,
    ) -> CResult {
        let what = match FIXED_CONTEXTS.iter().position(|f| *f == what) {
            Some(i) => ContextWhat::Fixed(i as u8),
            None => ContextWhat::Text(self.context_text(what)),
        };
        self.within_what(what, pos, from, body)
    }

    /// A text for this proto's context frames; its index.
    pub(super) fn context_text(&mut self, text: &str) -> u32 {
        let texts = &mut self.f().context_texts;
        texts.push(Rc::from(text));
        (texts.len() - 1) as u32
    }

    /// Like `within_since`, with the frame's text given as a [`ContextWhat`].
    pub(super) fn within_what(
        &mut self,
        what: ContextWhat,
        pos: Option<Span>,
        from: Option<u32>,
        body: impl FnOnce(&mut Self) -> CResult,
    ) -> CResult {
        let start = from.unwrap_or(self.f().code.len() as u32);
        body(self)?;
        let end = self.f().code.len() as u32;
        // A peephole may have merged a lone `Force` into the `Local` before it.
        let merged = end == start && matches!(self.f().code.last(), Some(Op::ForceLocal(_)));
        let start = if merged { start - 1 } else { start };
        if end > start {
            self.f().contexts.push(ContextRange {
                start,
                end,
                pos: pos.map_or(NO_POS, |p| p.start),
                what,
            });
        }
        Ok(())
    }
}
