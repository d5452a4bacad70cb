//! Compilation of path literals (relative, absolute, `~/…`, `<…>`) and the path and URL
//! literal lints.

use super::{CResult, Compiler, LintLevel};
use crate::errors::{Error, ErrorKind};
use crate::opcode::Op;
use crate::source::Span;
use crate::value::Value;
use rnix::ast;
use rowan::ast::AstNode;
use std::path::PathBuf;
use std::rc::Rc;

impl Compiler<'_> {
    /// Apply a lint: a warning, an error, or nothing.
    pub(super) fn lint(&mut self, level: LintLevel, message: String, span: Span) -> CResult {
        match level {
            LintLevel::Off => Ok(()),
            LintLevel::Warn => {
                self.warnings
                    .push(Error::new(ErrorKind::Other(message), Some(span)));
                Ok(())
            }
            LintLevel::Fatal => Err(Error::new(ErrorKind::Other(message), Some(span))),
        }
    }

    pub(super) fn lint_path(&mut self, p: &ast::Path, span: Span) -> CResult {
        let text = p.syntax().text().to_string();
        match p {
            ast::Path::PathAbs(_) => self.lint(
                self.lints.absolute_path,
                format!("absolute path literals are not portable. Consider replacing path literal '{text}' by a string, relative path, or parameter (lint-absolute-path-literals)"),
                span,
            ),
            ast::Path::PathHome(_) => self.lint(
                self.lints.absolute_path,
                format!("home path literals are not portable. Consider replacing path literal '{text}' by a string, relative path, or parameter (lint-absolute-path-literals)"),
                span,
            ),
            ast::Path::PathRel(_) if !text.starts_with("./") && !text.starts_with("../") => self.lint(
                self.lints.short_path,
                format!("relative path literal '{text}' should be prefixed with '.' for clarity: './{text}' (lint-short-path-literals)"),
                span,
            ),
            _ => Ok(()),
        }
    }

    pub(super) fn compile_path(&mut self, p: &ast::Path, span: Span) -> CResult {
        if let ast::Path::PathSearch(s) = p {
            let text = s
                .content()
                .map(|c| c.text().to_string())
                .unwrap_or_default();
            let inner = text
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string();
            // `<x>` is `__findFile __nixPath "x"`; unless either is bound lexically,
            // the search path is resolved directly.
            let overridden = ["__findFile", "__nixPath"]
                .iter()
                .any(|n| self.resolve(&super::Key::Name(Rc::from(*n))).is_some());
            if overridden {
                self.compile_var("__findFile", span)?;
                self.emit(Op::Force, span);
                self.compile_var("__nixPath", span)?;
                self.emit(Op::Call, span);
                self.emit(Op::Force, span);
                self.push_const(Value::string(inner), span);
                self.emit(Op::Call, span);
                return Ok(());
            }
            self.push_const(Value::string(inner), span);
            self.emit(Op::SearchPath, span);
            return Ok(());
        }
        self.lint_path(p, span)?;
        let parts = p.parts();
        if let [ast::InterpolPart::Literal(l)] = parts.as_slice() {
            let path = self.literal_path(l.text(), span)?;
            self.push_const(Value::Path(Rc::new(path)), span);
            return Ok(());
        }
        let mut n = 0;
        for part in &parts {
            match part {
                ast::InterpolPart::Literal(l) => {
                    let mut t = l.text().to_string();
                    if n == 0 && t.starts_with('~') {
                        t = format!("{}{}", home_dir(), &t[1..]);
                    }
                    self.push_const(Value::string(t), span);
                }
                ast::InterpolPart::Interpolation(i) => {
                    self.compile(&i.expr().ok_or_else(|| self.missing(span))?)?;
                    self.emit(Op::Force, span);
                    self.emit(Op::CoerceInterp, span);
                }
            }
            n += 1;
        }
        self.emit(Op::Interpolate(n), span);
        self.emit(Op::ToPath, span);
        Ok(())
    }

    pub(super) fn literal_path(&self, text: &str, span: Span) -> Result<PathBuf, Error> {
        let raw = if let Some(rest) = text.strip_prefix('~') {
            format!("{}{}", home_dir(), rest)
        } else {
            text.to_string()
        };
        let _ = span;
        Ok(crate::paths::resolve(&self.dir, &raw))
    }
}

pub(super) fn home_dir() -> String {
    std::env::var("HOME").unwrap_or_default()
}

/// Whether `p` is a path literal without interpolation or search (`./a/b`,
/// `~/x`), which compiles to a constant.
pub(super) fn is_plain_literal(p: &ast::Path) -> bool {
    !matches!(p, ast::Path::PathSearch(_))
        && matches!(p.parts().as_slice(), [ast::InterpolPart::Literal(_)])
}
