//! The tokens of Nix source (rnix's tokenizer, with Nix's reading of `0.`), and
//! the stream the parser reads them from, with lookahead past whitespace and
//! comments.

use rnix::SyntaxKind as K;
use std::collections::VecDeque;

/// A token: its kind and its text, a slice of the source.
pub(super) type Token<'a> = (K, &'a str);

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

/// The tokens of `text`: rnix's tokenizer, with `0.` read as Nix reads it.
pub(crate) fn tokenize(text: &str) -> impl Iterator<Item = Token<'_>> {
    let mut split = VecDeque::new();
    let mut inner = rnix::tokenize(text);
    std::iter::from_fn(move || {
        if let Some(token) = split.pop_front() {
            return Some(token);
        }
        let token = inner.next()?;
        let Some([zero, dot]) = split_zero_dot(token) else {
            return Some(token);
        };
        split.push_back(dot);
        split.extend(rnix::tokenize(&token.1[2..]));
        Some(zero)
    })
}

/// Nix reads `0.` not followed by a digit as the integer 0 and a `.` (a float
/// needs a digit after the point when it starts with 0); rnix's tokenizer takes
/// it as a float. The two tokens, when that is the case.
fn split_zero_dot((kind, text): Token<'_>) -> Option<[Token<'_>; 2]> {
    let zero_dot = kind == K::TOKEN_FLOAT
        && text.starts_with("0.")
        && !text[2..].starts_with(|c: char| c.is_ascii_digit());
    zero_dot.then(|| [(K::TOKEN_INTEGER, &text[..1]), (K::TOKEN_DOT, &text[1..2])])
}
