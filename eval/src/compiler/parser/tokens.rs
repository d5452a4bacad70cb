//! The stream of tokens the parser reads, with lookahead past whitespace and
//! comments.

use super::lexer::Token;
use rnix::SyntaxKind as K;
use std::collections::VecDeque;

/// Tokens not yet consumed, read ahead as far as the parser looks.
pub(super) struct Tokens<'a, I> {
    inner: I,
    ahead: VecDeque<Token<'a>>,
}

pub(super) fn is_trivia(kind: K) -> bool {
    matches!(kind, K::TOKEN_WHITESPACE | K::TOKEN_COMMENT)
}

impl<'a, I: Iterator<Item = Token<'a>>> Tokens<'a, I> {
    pub(super) fn new(inner: I) -> Self {
        Tokens {
            inner,
            ahead: VecDeque::new(),
        }
    }

    /// Read one more token into the lookahead; false at the end of the input.
    fn fill(&mut self) -> bool {
        let Some(token) = self.inner.next() else {
            return false;
        };
        self.ahead.push_back(token);
        true
    }

    /// The next token, whitespace and comments included.
    pub(super) fn peek_raw(&mut self) -> Option<Token<'a>> {
        if self.ahead.is_empty() && !self.fill() {
            return None;
        }
        self.ahead.front().copied()
    }

    /// The `n`th token from here that is not whitespace or a comment.
    pub(super) fn peek_significant(&mut self, n: usize) -> Option<Token<'a>> {
        let mut seen = 0;
        let mut i = 0;
        loop {
            if i == self.ahead.len() && !self.fill() {
                return None;
            }
            let token = self.ahead[i];
            if !is_trivia(token.0) {
                if seen == n {
                    return Some(token);
                }
                seen += 1;
            }
            i += 1;
        }
    }

    /// Take the next token, whitespace and comments included.
    pub(super) fn next_raw(&mut self) -> Option<Token<'a>> {
        if self.ahead.is_empty() && !self.fill() {
            return None;
        }
        self.ahead.pop_front()
    }
}
