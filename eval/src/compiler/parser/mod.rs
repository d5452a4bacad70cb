//! The parser: Nix source to a syntax tree with rnix's node kinds and shapes, so
//! that rnix's typed AST reads it, built in time linear in the source however
//! long its chains and however deep its nesting (rnix's own parser stops at 512
//! levels and slows down quadratically on long application chains). It stops at
//! the first error, which it reports as rnix would, for `parse_error` to word as
//! C++ Nix does.

mod lexer;
mod tokens;
mod tree;

use super::nesting::MAX_NESTING;
use super::{RED_ZONE, STACK_SEGMENT};
use lexer::Token;
use rnix::{ParseError, SyntaxKind as K, TextRange, TextSize};
use tokens::{is_trivia, Tokens};

pub(crate) use lexer::tokenize;
use tree::{Checkpoint, TreeBuilder};

pub(crate) use tree::Tree;

type Parsed<T> = Result<T, ParseError>;

/// Parse `text` into its syntax tree, or the first syntax error.
pub(crate) fn parse(text: &str) -> Parsed<Tree> {
    let mut p = parser(text);
    p.tree.start_node(K::NODE_ROOT);
    p.expr()?;
    p.finish_root()
}

/// Parse `text` as the bindings of an attribute set without its braces (a REPL
/// line such as `a = 1; b.c = 2;`): a tree whose root holds that set.
pub(crate) fn parse_bindings(text: &str) -> Parsed<Tree> {
    let mut p = parser(text);
    p.tree.start_node(K::NODE_ROOT);
    p.start(K::NODE_ATTR_SET);
    p.binding_entries(None)?;
    p.finish();
    p.finish_root()
}

fn parser(text: &str) -> Parser<'_, impl Iterator<Item = Token<'_>>> {
    Parser {
        tokens: Tokens::new(tokenize(text)),
        tree: TreeBuilder::new(),
        trivia: Vec::new(),
        placed: 0,
        depth: 0,
    }
}

/// How an operator level groups a chain of its operators.
#[derive(Clone, Copy)]
enum Assoc {
    Left,
    Right,
    /// At most one operator (a second is a syntax error).
    None,
}

/// One precedence level of the expression grammar, loosest first.
#[derive(Clone, Copy)]
enum Level {
    Binary(&'static [K], Assoc),
    /// `!e`, looser than arithmetic.
    Not,
    /// `e ? a.b`, any number of times.
    HasAttr,
    /// `-e`, tighter than `?`.
    Negate,
}

const LEVELS: [Level; 14] = [
    Level::Binary(&[K::TOKEN_PIPE_LEFT], Assoc::Right),
    Level::Binary(&[K::TOKEN_PIPE_RIGHT], Assoc::Left),
    Level::Binary(&[K::TOKEN_IMPLICATION], Assoc::Right),
    Level::Binary(&[K::TOKEN_OR_OR], Assoc::Left),
    Level::Binary(&[K::TOKEN_AND_AND], Assoc::Left),
    Level::Binary(&[K::TOKEN_EQUAL, K::TOKEN_NOT_EQUAL], Assoc::None),
    Level::Binary(
        &[
            K::TOKEN_LESS,
            K::TOKEN_LESS_OR_EQ,
            K::TOKEN_MORE,
            K::TOKEN_MORE_OR_EQ,
        ],
        Assoc::None,
    ),
    Level::Binary(&[K::TOKEN_UPDATE], Assoc::Right),
    Level::Not,
    Level::Binary(&[K::TOKEN_ADD, K::TOKEN_SUB], Assoc::Left),
    Level::Binary(&[K::TOKEN_MUL, K::TOKEN_DIV], Assoc::Left),
    Level::Binary(&[K::TOKEN_CONCAT], Assoc::Right),
    Level::HasAttr,
    Level::Negate,
];

/// What may start an operand, for the error when something else is found.
const OPERAND_STARTS: [K; 6] = [
    K::TOKEN_L_PAREN,
    K::TOKEN_REC,
    K::TOKEN_L_BRACE,
    K::TOKEN_L_BRACK,
    K::TOKEN_STRING_START,
    K::TOKEN_IDENT,
];

struct Parser<'a, I> {
    tokens: Tokens<'a, I>,
    tree: TreeBuilder<'a>,
    /// Whitespace and comments read but not yet in the tree: they go in front of
    /// the next token or node.
    trivia: Vec<Token<'a>>,
    /// Bytes of source in the tree so far.
    placed: usize,
    /// Expressions open around the current one.
    depth: usize,
}

impl<'a, I: Iterator<Item = Token<'a>>> Parser<'a, I> {
    // ---- tokens and tree ----

    /// The kind of the next significant token (reading whitespace and comments
    /// up to it).
    fn peek(&mut self) -> Option<K> {
        while let Some(token) = self.tokens.peek_raw().filter(|t| is_trivia(t.0)) {
            self.tokens.next_raw();
            self.trivia.push(token);
        }
        self.tokens.peek_raw().map(|t| t.0)
    }

    /// Put the whitespace and comments up to the next significant token in the tree.
    fn flush_trivia(&mut self) {
        self.peek();
        self.place_trivia();
    }

    /// Put the whitespace and comments already read in the tree.
    fn place_trivia(&mut self) {
        for (kind, text) in self.trivia.drain(..) {
            self.placed += text.len();
            self.tree.token(kind, text);
        }
    }

    /// Put the next token in the tree (as `kind`, if given).
    fn bump_as(&mut self, kind: Option<K>) -> Parsed<()> {
        let Some(token) = self.tokens.next_raw() else {
            return Err(ParseError::UnexpectedEOF);
        };
        if is_trivia(token.0) {
            self.trivia.push(token);
            return Ok(());
        }
        self.place_trivia();
        self.placed += token.1.len();
        self.tree.token(kind.unwrap_or(token.0), token.1);
        Ok(())
    }

    fn bump(&mut self) -> Parsed<()> {
        self.bump_as(None)
    }

    fn start(&mut self, kind: K) {
        self.flush_trivia();
        self.tree.start_node(kind);
    }

    fn checkpoint(&mut self) -> Checkpoint {
        self.flush_trivia();
        self.tree.checkpoint()
    }

    fn wrap(&mut self, at: Checkpoint, kind: K) {
        self.tree.start_node_at(at, kind);
    }

    fn finish(&mut self) {
        self.tree.finish_node();
    }

    fn range_from(&self, start: usize) -> TextRange {
        TextRange::new(size(start), size(self.placed))
    }

    /// Put tokens in the tree while the one after each satisfies `more`.
    fn skip_while(&mut self, more: impl Fn(K) -> bool) -> Parsed<()> {
        loop {
            self.bump()?;
            match self.peek() {
                Some(k) if more(k) => {}
                _ => return Ok(()),
            }
        }
    }

    /// The next token's kind, which must be one of `allowed`.
    fn want(&mut self, allowed: &[K]) -> Parsed<K> {
        match self.peek() {
            Some(k) if allowed.contains(&k) => Ok(k),
            Some(k) => {
                self.flush_trivia();
                let start = self.placed;
                self.skip_while(|next| !allowed.contains(&next))?;
                Err(ParseError::UnexpectedWanted(
                    k,
                    self.range_from(start),
                    allowed.into(),
                ))
            }
            None => Err(ParseError::UnexpectedEOFWanted(allowed.into())),
        }
    }

    fn expect(&mut self, kind: K) -> Parsed<()> {
        self.want(&[kind])?;
        self.bump()
    }

    fn ident(&mut self) -> Parsed<()> {
        self.want(&[K::TOKEN_IDENT])?;
        self.start(K::NODE_IDENT);
        self.bump()?;
        self.finish();
        Ok(())
    }

    /// Run `f` one level deeper, on a stack with room for it.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Parsed<T>) -> Parsed<T> {
        if self.depth >= MAX_NESTING {
            return Err(ParseError::RecursionLimitExceeded);
        }
        self.depth += 1;
        let out = stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || f(self));
        self.depth -= 1;
        out
    }

    // ---- expressions ----

    fn expr(&mut self) -> Parsed<()> {
        self.nested(Self::expr_here)
    }

    fn expr_here(&mut self) -> Parsed<()> {
        let node = match self.peek() {
            Some(K::TOKEN_LET) => return self.let_expr(),
            Some(K::TOKEN_WITH) => K::NODE_WITH,
            Some(K::TOKEN_ASSERT) => K::NODE_ASSERT,
            Some(K::TOKEN_IF) => {
                self.start(K::NODE_IF_ELSE);
                self.bump()?;
                self.expr()?;
                self.expect(K::TOKEN_THEN)?;
                self.expr()?;
                self.expect(K::TOKEN_ELSE)?;
                self.expr()?;
                self.finish();
                return Ok(());
            }
            _ => return self.level(0).map(drop),
        };
        // `with e; body` and `assert e; body`.
        self.start(node);
        self.bump()?;
        self.expr()?;
        self.expect(K::TOKEN_SEMICOLON)?;
        self.expr()?;
        self.finish();
        Ok(())
    }

    /// `let … in e`, or the old `let { … }`.
    fn let_expr(&mut self) -> Parsed<()> {
        let at = self.checkpoint();
        self.bump()?;
        if self.peek() == Some(K::TOKEN_L_BRACE) {
            self.wrap(at, K::NODE_LEGACY_LET);
            self.bump()?;
            self.bindings(K::TOKEN_R_BRACE)?;
        } else {
            self.wrap(at, K::NODE_LET_IN);
            self.bindings(K::TOKEN_IN)?;
            self.expr()?;
        }
        self.finish();
        Ok(())
    }

    /// An expression of operator level `i` or tighter.
    fn level(&mut self, i: usize) -> Parsed<Checkpoint> {
        let Some(&level) = LEVELS.get(i) else {
            return self.application();
        };
        match level {
            Level::Binary(ops, assoc) => {
                let at = self.level(i + 1)?;
                while self.peek().is_some_and(|k| ops.contains(&k)) {
                    self.wrap(at, K::NODE_BIN_OP);
                    self.bump()?;
                    match assoc {
                        Assoc::Right => self.nested(|p| p.level(i))?,
                        Assoc::Left | Assoc::None => self.level(i + 1)?,
                    };
                    self.finish();
                    if !matches!(assoc, Assoc::Left) {
                        break;
                    }
                }
                Ok(at)
            }
            Level::Not | Level::Negate => {
                let op = match level {
                    Level::Not => K::TOKEN_INVERT,
                    _ => K::TOKEN_SUB,
                };
                if self.peek() != Some(op) {
                    return self.level(i + 1);
                }
                let at = self.checkpoint();
                self.start(K::NODE_UNARY_OP);
                self.bump()?;
                self.nested(|p| p.level(i))?;
                self.finish();
                Ok(at)
            }
            Level::HasAttr => {
                let at = self.level(i + 1)?;
                while self.peek() == Some(K::TOKEN_QUESTION) {
                    self.wrap(at, K::NODE_HAS_ATTR);
                    self.bump()?;
                    self.attrpath()?;
                    self.finish();
                }
                Ok(at)
            }
        }
    }

    /// A function applied to arguments, or one operand.
    fn application(&mut self) -> Parsed<Checkpoint> {
        let at = self.operand()?;
        while self.peek().is_some_and(K::is_fn_arg) {
            self.wrap(at, K::NODE_APPLY);
            self.operand()?;
            self.finish();
        }
        Ok(at)
    }

    /// An operand: a literal, a name, a bracketed form or a function, with the
    /// selection that may follow it.
    fn operand(&mut self) -> Parsed<Checkpoint> {
        let Some(kind) = self.peek() else {
            return Err(ParseError::UnexpectedEOF);
        };
        let at = self.checkpoint();
        match kind {
            K::TOKEN_L_PAREN => {
                self.start(K::NODE_PAREN);
                self.bump()?;
                self.expr()?;
                self.expect(K::TOKEN_R_PAREN)?;
                self.finish();
            }
            K::TOKEN_REC => {
                self.start(K::NODE_ATTR_SET);
                self.bump()?;
                self.expect(K::TOKEN_L_BRACE)?;
                self.bindings(K::TOKEN_R_BRACE)?;
                self.finish();
            }
            K::TOKEN_L_BRACE if self.pattern_ahead() => {
                self.start(K::NODE_LAMBDA);
                self.start(K::NODE_PATTERN);
                self.bump()?;
                self.nested(|p| p.pattern(false))?;
                self.finish();
                self.expect(K::TOKEN_COLON)?;
                self.expr()?;
                self.finish();
            }
            K::TOKEN_L_BRACE => {
                self.start(K::NODE_ATTR_SET);
                self.bump()?;
                self.bindings(K::TOKEN_R_BRACE)?;
                self.finish();
            }
            K::TOKEN_L_BRACK => self.nested(Self::list)?,
            K::TOKEN_STRING_START => self.nested(Self::string)?,
            K::TOKEN_PATH_ABS | K::TOKEN_PATH_REL | K::TOKEN_PATH_HOME | K::TOKEN_PATH_SEARCH => {
                self.path(kind)?
            }
            k if k.is_literal() => {
                self.start(K::NODE_LITERAL);
                self.bump()?;
                self.finish();
            }
            K::TOKEN_IDENT => self.name_or_lambda(at)?,
            other => {
                self.flush_trivia();
                let start = self.placed;
                let len = self.tokens.peek_raw().map_or(0, |t| t.1.len());
                let range = TextRange::new(size(start), size(start + len));
                return Err(ParseError::UnexpectedWanted(
                    other,
                    range,
                    OPERAND_STARTS.into(),
                ));
            }
        }
        self.selection(at)?;
        Ok(at)
    }

    /// `.a.b` (with an `or` default) after an operand; a bare `or` there is an
    /// argument named `or`, as in C++ Nix (`a b or c` is `(a (b or)) c`).
    fn selection(&mut self, at: Checkpoint) -> Parsed<()> {
        match self.peek() {
            Some(K::TOKEN_DOT) => {
                self.wrap(at, K::NODE_SELECT);
                self.bump()?;
                self.attrpath()?;
                if self.peek() == Some(K::TOKEN_OR) {
                    self.bump()?;
                    self.nested(Self::operand)?;
                }
                self.finish();
            }
            Some(K::TOKEN_OR) => {
                self.wrap(at, K::NODE_APPLY);
                self.start(K::NODE_IDENT);
                self.bump_as(Some(K::TOKEN_IDENT))?;
                self.finish();
                self.finish();
            }
            _ => {}
        }
        Ok(())
    }

    /// Whether the `{` ahead opens a function's pattern rather than a set.
    fn pattern_ahead(&mut self) -> bool {
        let after = |p: &mut Self, n| p.tokens.peek_significant(n).map(|t| t.0);
        matches!(
            (after(self, 1), after(self, 2)),
            (
                Some(K::TOKEN_IDENT),
                Some(K::TOKEN_COMMA | K::TOKEN_QUESTION | K::TOKEN_R_BRACE)
            ) | (Some(K::TOKEN_ELLIPSIS), Some(K::TOKEN_R_BRACE))
                | (Some(K::TOKEN_R_BRACE), Some(K::TOKEN_COLON | K::TOKEN_AT))
        )
    }

    /// A name, `__curPos`, or a function `x: …` or `x @ { … }: …`.
    fn name_or_lambda(&mut self, at: Checkpoint) -> Parsed<()> {
        let text = self.tokens.peek_raw().map(|t| t.1);
        match self.tokens.peek_significant(1).map(|t| t.0) {
            Some(K::TOKEN_COLON) => {
                self.ident()?;
                self.wrap(at, K::NODE_LAMBDA);
                self.wrap(at, K::NODE_IDENT_PARAM);
                self.finish();
                self.expect(K::TOKEN_COLON)?;
                self.expr()?;
                self.finish();
            }
            Some(K::TOKEN_AT) => {
                self.ident()?;
                self.wrap(at, K::NODE_LAMBDA);
                self.wrap(at, K::NODE_PATTERN);
                self.wrap(at, K::NODE_PAT_BIND);
                self.expect(K::TOKEN_AT)?;
                self.finish();
                self.expect(K::TOKEN_L_BRACE)?;
                self.nested(|p| p.pattern(true))?;
                self.finish();
                self.expect(K::TOKEN_COLON)?;
                self.expr()?;
                self.finish();
            }
            _ if text == Some("__curPos") => {
                self.start(K::NODE_CUR_POS);
                self.bump_as(Some(K::TOKEN_CUR_POS))?;
                self.finish();
            }
            _ => self.ident()?,
        }
        Ok(())
    }

    fn list(&mut self) -> Parsed<()> {
        self.start(K::NODE_LIST);
        self.bump()?;
        while self.peek().is_some_and(|k| k != K::TOKEN_R_BRACK) {
            self.operand()?;
        }
        self.bump()?;
        self.finish();
        Ok(())
    }

    /// A path, with the interpolations it may hold.
    fn path(&mut self, kind: K) -> Parsed<()> {
        let node = match kind {
            K::TOKEN_PATH_ABS => K::NODE_PATH_ABS,
            K::TOKEN_PATH_REL => K::NODE_PATH_REL,
            K::TOKEN_PATH_HOME => K::NODE_PATH_HOME,
            _ => K::NODE_PATH_SEARCH,
        };
        self.start(node);
        self.bump()?;
        if node != K::NODE_PATH_SEARCH && self.peek() == Some(K::TOKEN_INTERPOL_START) {
            loop {
                match self.tokens.peek_raw().map(|t| t.0) {
                    Some(K::TOKEN_PATH_ABS | K::TOKEN_PATH_REL | K::TOKEN_PATH_HOME) => {
                        self.bump()?
                    }
                    Some(K::TOKEN_INTERPOL_START) => self.interpolation(K::NODE_INTERPOL)?,
                    _ => break,
                }
            }
        }
        self.finish();
        Ok(())
    }

    /// `${ e }`, as a node of `kind`.
    fn interpolation(&mut self, kind: K) -> Parsed<()> {
        self.start(kind);
        self.bump()?;
        self.expr()?;
        self.expect(K::TOKEN_INTERPOL_END)?;
        self.finish();
        Ok(())
    }

    fn string(&mut self) -> Parsed<()> {
        self.start(K::NODE_STRING);
        self.expect(K::TOKEN_STRING_START)?;
        let parts = [
            K::TOKEN_STRING_END,
            K::TOKEN_STRING_CONTENT,
            K::TOKEN_INTERPOL_START,
        ];
        loop {
            match self.want(&parts)? {
                K::TOKEN_STRING_CONTENT => self.bump()?,
                K::TOKEN_INTERPOL_START => self.interpolation(K::NODE_INTERPOL)?,
                _ => break,
            }
        }
        self.expect(K::TOKEN_STRING_END)?;
        self.finish();
        Ok(())
    }

    // ---- attributes, bindings and patterns ----

    /// One attribute name: a name, a string or `${ e }`.
    fn attr(&mut self) -> Parsed<()> {
        match self.peek() {
            Some(K::TOKEN_INTERPOL_START) => self.interpolation(K::NODE_DYNAMIC),
            Some(K::TOKEN_STRING_START) => self.nested(Self::string),
            _ => {
                self.want(&[K::TOKEN_IDENT, K::TOKEN_OR, K::TOKEN_CUR_POS])?;
                self.start(K::NODE_IDENT);
                self.bump_as(Some(K::TOKEN_IDENT))?;
                self.finish();
                Ok(())
            }
        }
    }

    fn attrpath(&mut self) -> Parsed<()> {
        self.start(K::NODE_ATTRPATH);
        loop {
            self.attr()?;
            if self.peek() != Some(K::TOKEN_DOT) {
                break;
            }
            self.bump()?;
        }
        self.finish();
        Ok(())
    }

    /// Bindings up to `until` (`}` or `in`), which is consumed.
    /// Close the root, after the whole source is read.
    fn finish_root(mut self) -> Parsed<Tree> {
        self.flush_trivia();
        if self.peek().is_some() {
            let start = self.placed;
            self.skip_while(|_| true)?;
            return Err(ParseError::UnexpectedExtra(self.range_from(start)));
        }
        self.tree.finish_node();
        Ok(self.tree.finish())
    }

    fn bindings(&mut self, until: K) -> Parsed<()> {
        self.binding_entries(Some(until))?;
        self.bump()
    }

    /// Bindings up to `until` (not taken) or the end of the source.
    fn binding_entries(&mut self, until: Option<K>) -> Parsed<()> {
        loop {
            match self.peek() {
                None => break,
                Some(k) if Some(k) == until => break,
                Some(K::TOKEN_INHERIT) => self.inherit()?,
                Some(_) => {
                    self.start(K::NODE_ATTRPATH_VALUE);
                    self.attrpath()?;
                    self.expect(K::TOKEN_ASSIGN)?;
                    self.expr()?;
                    self.expect(K::TOKEN_SEMICOLON)?;
                    self.finish();
                }
            }
        }
        Ok(())
    }

    /// `inherit a b;` or `inherit (e) a b;`.
    fn inherit(&mut self) -> Parsed<()> {
        self.start(K::NODE_INHERIT);
        self.bump()?;
        if self.peek() == Some(K::TOKEN_L_PAREN) {
            self.start(K::NODE_INHERIT_FROM);
            self.bump()?;
            self.expr()?;
            self.expect(K::TOKEN_R_PAREN)?;
            self.finish();
        }
        loop {
            match self.peek() {
                Some(K::TOKEN_SEMICOLON) => break,
                Some(_) => self.attr()?,
                None => return Err(ParseError::UnexpectedEOF),
            }
        }
        self.expect(K::TOKEN_SEMICOLON)?;
        self.finish();
        Ok(())
    }

    /// A function's formals after the `{`, and an `@ name` after them (a second
    /// binding when `bound`).
    fn pattern(&mut self, bound: bool) -> Parsed<()> {
        if self.peek().is_none_or(|k| k == K::TOKEN_R_BRACE) {
            self.bump()?;
        } else {
            self.formals()?;
        }
        if self.peek() == Some(K::TOKEN_AT) {
            self.start(if bound {
                K::NODE_ERROR
            } else {
                K::NODE_PAT_BIND
            });
            let start = self.placed;
            self.bump()?;
            self.ident()?;
            self.finish();
            if bound {
                return Err(ParseError::UnexpectedDoubleBind(self.range_from(start)));
            }
        }
        Ok(())
    }

    /// `a, b ? e, … }`.
    fn formals(&mut self) -> Parsed<()> {
        loop {
            let allowed = [K::TOKEN_R_BRACE, K::TOKEN_ELLIPSIS, K::TOKEN_IDENT];
            match self.want(&allowed)? {
                K::TOKEN_R_BRACE => return self.bump(),
                K::TOKEN_ELLIPSIS => {
                    self.bump()?;
                    return self.expect(K::TOKEN_R_BRACE);
                }
                _ => {
                    self.start(K::NODE_PAT_ENTRY);
                    self.ident()?;
                    if self.peek() == Some(K::TOKEN_QUESTION) {
                        self.bump()?;
                        self.expr()?;
                    }
                    self.finish();
                    if self.peek() != Some(K::TOKEN_COMMA) {
                        return self.expect(K::TOKEN_R_BRACE);
                    }
                    self.bump()?;
                }
            }
        }
    }
}

fn size(offset: usize) -> TextSize {
    TextSize::from(u32::try_from(offset).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod lexer_tests;
#[cfg(test)]
mod tests;
