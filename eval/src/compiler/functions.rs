//! Compilation of lambdas and their `{ … }` formals.

use super::scope::Key;
use super::{CResult, Compiler};
use crate::errors::{Error, ErrorKind};
use crate::opcode::{Op, ProtoKind};
use crate::source::Span;
use crate::value::{NixString, Value};
use rnix::ast;
use rowan::ast::AstNode;
use std::rc::Rc;

impl Compiler<'_> {
    pub(super) fn compile_lambda(
        &mut self,
        l: &ast::Lambda,
        name: Option<Rc<str>>,
    ) -> Result<u32, Error> {
        let span = self.span_of(l);
        let param = l.param().ok_or_else(|| self.missing(span))?;
        let body = l.body().ok_or_else(|| self.missing(span))?;
        let inner_name = name.clone();
        let doc = super::doc_comments::for_lambda(self.text, l).map(Rc::from);
        self.child(ProtoKind::Lambda, span, name, |c| {
            c.f().depth = 1; // slot 0: the argument
            c.f().doc = doc;
            match &param {
                ast::Param::IdentParam(ip) => {
                    let n = ip
                        .ident()
                        .map(|i| i.syntax().text().to_string())
                        .unwrap_or_default();
                    c.f().param = Some(Rc::from(n.as_str()));
                    c.f()
                        .scopes
                        .last_mut()
                        .expect("function scope")
                        .bind(Key::Name(Rc::from(n)), 0);
                }
                ast::Param::Pattern(p) => c.compile_formals(p, span)?,
            }
            let bspan = c.span_of(&body);
            // C++ Nix gives a curried lambda's inner lambdas the binding's name too.
            match super::strip_parens(&body) {
                ast::Expr::Lambda(inner) if inner_name.is_some() => {
                    let idx = c.compile_lambda(&inner, inner_name)?;
                    c.emit(Op::Closure(idx), bspan);
                }
                _ => c.compile(&body)?,
            }
            c.emit(Op::Force, bspan);
            c.emit(Op::Return, bspan);
            Ok(())
        })
    }

    pub(super) fn compile_formals(&mut self, p: &ast::Pattern, span: Span) -> CResult {
        let entries: Vec<ast::PatEntry> = p.pat_entries().collect();
        let mut formals: Vec<(NixString, bool)> = Vec::new();
        let mut spans = Vec::new();
        let bind_name = p
            .pat_bind()
            .and_then(|b| b.ident())
            .map(|i| i.syntax().text().to_string());
        self.f().param = bind_name.as_deref().map(Rc::from);
        for e in &entries {
            let n = e
                .ident()
                .map(|i| i.syntax().text().to_string())
                .unwrap_or_default();
            let clashes_with_bind = bind_name.as_deref() == Some(n.as_str());
            if clashes_with_bind || formals.iter().any(|(f, _)| f.as_bytes() == n.as_bytes()) {
                // Nix places a clash with the `@` name at the function, others at
                // the repeated formal.
                let espan = if clashes_with_bind {
                    span
                } else {
                    self.span_of(e)
                };
                return Err(self.err(
                    ErrorKind::Parse(format!("duplicate formal function argument '{n}'")),
                    espan,
                ));
            }
            formals.push((self.names.get(n.as_str()), e.default().is_some()));
            spans.push(match e.ident() {
                Some(i) => self.span_of(&i),
                None => self.span_of(e),
            });
        }
        self.f().formals = Some(crate::opcode::Formals {
            entries: formals.clone(),
            spans,
            ellipsis: p.ellipsis_token().is_some(),
        });
        self.emit(Op::Local(0), span);
        self.emit(Op::Force, span);
        self.emit(Op::CheckFormals, span);
        if let Some(bind) = p.pat_bind().and_then(|b| b.ident()) {
            let n = bind.syntax().text().to_string();
            self.f()
                .scopes
                .last_mut()
                .expect("function scope")
                .bind(Key::Name(Rc::from(n)), 0);
        }
        let mut slots = Vec::new();
        for (n, _) in &formals {
            let c = self.constant(Value::String(n.clone()));
            let slot = self.f().depth;
            self.emit(Op::Formal(c), span);
            slots.push(slot);
        }
        for ((n, _), slot) in formals.iter().zip(&slots) {
            let key = Key::Name(Rc::from(n.to_str_lossy().as_ref()));
            self.f()
                .scopes
                .last_mut()
                .expect("function scope")
                .bind(key, *slot);
        }
        for (e, slot) in entries.iter().zip(slots) {
            if let Some(d) = e.default() {
                let dspan = self.span_of(&d);
                let idx = self.thunk_proto(&d)?;
                self.emit(Op::FinalizeDefault { slot, proto: idx }, dspan);
            }
        }
        Ok(())
    }
}
