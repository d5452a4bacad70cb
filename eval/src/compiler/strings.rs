//! Compilation of string literals and interpolation.

use super::{CResult, Compiler};
use crate::errors::ErrorKind;
use crate::opcode::Op;
use crate::source::Span;
use crate::value::Value;
use rnix::ast;

impl Compiler<'_> {
    /// Compile a (possibly indented, possibly interpolated) string to a string value.
    pub(super) fn compile_string(&mut self, s: &ast::Str, span: Span) -> CResult {
        let parts = s.normalized_parts();
        let mut n = 0;
        for part in &parts {
            match part {
                ast::InterpolPart::Literal(l) => {
                    if l.is_empty() {
                        continue;
                    }
                    if l.contains('\0') {
                        // C++ Nix places it where the string's text starts.
                        let at = if self.text[span.start as usize..].starts_with('"') {
                            self.point(span.start + 1)
                        } else {
                            span
                        };
                        return Err(self.err(
                            ErrorKind::Other(format!(
                                "input string '{}' cannot be represented as Nix string because it contains null bytes",
                                l.replace('\0', "␀")
                            )),
                            at,
                        ));
                    }
                    self.push_const(Value::string(crate::source::raw_bytes(l).as_ref()), span);
                }
                ast::InterpolPart::Interpolation(i) => {
                    let e = i.expr().ok_or_else(|| self.missing(span))?;
                    let espan = self.span_of(&e);
                    let pos = self.nix_pos(&e);
                    self.within("in an operand of '+'", pos, |c| {
                        c.compile(&e)?;
                        c.emit(Op::Force, espan);
                        Ok(())
                    })?;
                    // Where the interpolation starts (`${`).
                    let dollar = self.point(self.span_of(i).start);
                    self.emit(Op::CoerceInterp, dollar);
                }
            }
            n += 1;
        }
        if n == 0 {
            self.push_const(Value::string(""), span);
        } else {
            self.emit(Op::Interpolate(n), span);
        }
        Ok(())
    }
}
