//! Syntax errors in C++ Nix's words: rnix's errors translated to the names Nix's
//! grammar gives its tokens (`'then'`, `identifier`, `'~/…' path`, `end of
//! file`) and to the expectations Nix's parser reports in the same places.

use crate::errors::{Error, ErrorKind};
use crate::source::Span;
use rnix::SyntaxKind as K;

/// Nix's name for a token, given its kind and text.
fn token_name(kind: K, text: &str) -> String {
    let fixed = match kind {
        K::TOKEN_IDENT => "identifier",
        K::TOKEN_INTEGER => "integer",
        K::TOKEN_FLOAT => "floating-point literal",
        K::TOKEN_PATH_ABS | K::TOKEN_PATH_REL => "path",
        K::TOKEN_PATH_HOME => "'~/…' path",
        K::TOKEN_PATH_SEARCH => "'<…>' path",
        K::TOKEN_URI => "URI",
        K::TOKEN_STRING_START if text.starts_with("''") => "start of an indented string",
        K::TOKEN_STRING_START => "'\"'",
        K::TOKEN_STRING_END if text.starts_with("''") => "end of an indented string",
        K::TOKEN_STRING_END => "'\"'",
        K::TOKEN_INTERPOL_START => "'${'",
        K::TOKEN_ERROR if text.starts_with("''") => "start of an indented string",
        K::TOKEN_ERROR => "invalid token",
        K::TOKEN_CUR_POS => "'__curPos'",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_string();
    }
    // Keywords and operators are named by their text.
    format!("'{text}'")
}

/// The token starting at `offset`, and the last significant one before it.
fn tokens_around(source: &str, offset: usize) -> (Option<(K, &str)>, Option<K>) {
    let mut pos = 0;
    let mut prev = None;
    for (kind, text) in super::parser::tokenize(source) {
        if pos >= offset {
            return (Some((kind, text)), prev);
        }
        if !matches!(kind, K::TOKEN_WHITESPACE | K::TOKEN_COMMENT) {
            prev = Some(kind);
        }
        pos += text.len();
    }
    (None, prev)
}

/// Where an indented string opens right after `.` or `?` (an attribute name
/// position), if one does.
fn indented_string_as_attr_name(source: &str) -> Option<usize> {
    let mut pos = 0;
    let mut prev = None;
    for (kind, text) in super::parser::tokenize(source) {
        if kind == K::TOKEN_STRING_START
            && text.starts_with("''")
            && matches!(prev, Some(K::TOKEN_DOT | K::TOKEN_QUESTION))
        {
            return Some(pos);
        }
        if !matches!(kind, K::TOKEN_WHITESPACE | K::TOKEN_COMMENT) {
            prev = Some(kind);
        }
        pos += text.len();
    }
    None
}

/// What Nix's parser says it expected, where rnix expected `want`.
fn expecting(want: &[K], prev: Option<K>) -> Option<String> {
    let has = |k: K| want.contains(&k);
    if has(K::TOKEN_IDENT) && has(K::TOKEN_OR) && !has(K::TOKEN_L_PAREN) {
        // An attribute name.
        return match prev {
            Some(K::TOKEN_DOT | K::TOKEN_QUESTION) => {
                Some("identifier or 'or' or '${' or '\"'".into())
            }
            Some(K::TOKEN_L_BRACE | K::TOKEN_SEMICOLON | K::TOKEN_LET | K::TOKEN_REC) => {
                Some("'inherit'".into())
            }
            _ => None,
        };
    }
    match want {
        [K::TOKEN_ASSIGN] => Some("'.' or '='".into()),
        [K::TOKEN_R_BRACE] => Some("'}' or ','".into()),
        [K::TOKEN_STRING_END, ..] | [K::TOKEN_STRING_CONTENT, ..] => Some("'\"'".into()),
        // More alternatives than Nix's parser lists.
        w if w.len() > 4 || w.is_empty() => None,
        w => Some(
            w.iter()
                .map(|k| token_name(*k, &kind_text(*k)))
                .collect::<Vec<_>>()
                .join(" or "),
        ),
    }
}

/// The text of a fixed token kind (keywords and punctuation).
fn kind_text(k: K) -> String {
    let s = match k {
        K::TOKEN_THEN => "then",
        K::TOKEN_ELSE => "else",
        K::TOKEN_IN => "in",
        K::TOKEN_SEMICOLON => ";",
        K::TOKEN_COLON => ":",
        K::TOKEN_COMMA => ",",
        K::TOKEN_DOT => ".",
        K::TOKEN_ASSIGN => "=",
        K::TOKEN_R_PAREN => ")",
        K::TOKEN_R_BRACK => "]",
        K::TOKEN_R_BRACE => "}",
        K::TOKEN_L_BRACE => "{",
        K::TOKEN_INTERPOL_END => "}",
        K::TOKEN_AT => "@",
        K::TOKEN_QUESTION => "?",
        other => return format!("{other:?}"),
    };
    s.to_string()
}

fn span_of(file: u32, start: usize, end: usize) -> Span {
    Span {
        file,
        start: start as u32,
        end: end as u32,
    }
}

/// Translate rnix's first error for `source` into Nix's message and position.
pub(super) fn parse_error(e: &rnix::ParseError, file: u32, source: &str) -> Error {
    use rnix::ParseError as P;
    let len = source.len();
    let at_eof = |msg: String| Error::new(ErrorKind::Parse(msg), Some(span_of(file, len, len)));
    let (range, want): (rnix::TextRange, Option<&[K]>) = match e {
        P::Unexpected(r) => (*r, Some(&[])),
        P::UnexpectedExtra(r) => (*r, None),
        P::UnexpectedWanted(_, r, want) => (*r, Some(&want[..])),
        P::UnexpectedDoubleBind(r) => {
            let (s, e) = (usize::from(r.start()), usize::from(r.end()));
            return Error::new(
                ErrorKind::Parse("syntax error, unexpected '@'".into()),
                Some(span_of(file, s, e)),
            );
        }
        P::UnexpectedEOF => return at_eof("syntax error, unexpected end of file".into()),
        P::UnexpectedEOFWanted(want) => {
            let (_, prev) = tokens_around(source, len);
            let expected = match &want[..] {
                // Mid-file Nix also names ',', at the end only '}'.
                [K::TOKEN_R_BRACE] => Some("'}'".to_string()),
                w => expecting(w, prev),
            };
            let msg = match expected {
                Some(x) => format!("syntax error, unexpected end of file, expecting {x}"),
                None => "syntax error, unexpected end of file".to_string(),
            };
            return at_eof(msg);
        }
        P::DuplicatedArgs(r, name) => {
            let (s, e) = (usize::from(r.start()), usize::from(r.end()));
            return Error::new(
                ErrorKind::Parse(format!("duplicate formal function argument '{name}'")),
                Some(span_of(file, s, e)),
            );
        }
        P::RecursionLimitExceeded => {
            return at_eof("syntax error, expression nested too deeply".into())
        }
        other => return at_eof(format!("syntax error: {other}")),
    };
    let (start, end) = (usize::from(range.start()), usize::from(range.end()));
    let (token, prev) = tokens_around(source, start);
    let Some((kind, text)) = token else {
        return at_eof("syntax error, unexpected end of file".into());
    };
    // An unterminated string runs to the end of the file, except that an
    // indented string cannot be an attribute name at all.
    if kind == K::TOKEN_ERROR && want.is_some_and(|w| w.contains(&K::TOKEN_STRING_END)) {
        if let Some(at) = indented_string_as_attr_name(source) {
            let msg = "syntax error, unexpected start of an indented string, expecting identifier or 'or' or '${' or '\"'";
            return Error::new(
                ErrorKind::Parse(msg.into()),
                Some(span_of(file, at, at + 2)),
            );
        }
        return at_eof("syntax error, unexpected end of file, expecting '\"'".into());
    }
    if matches!(kind, K::TOKEN_PATH_ABS | K::TOKEN_PATH_REL) && text == "//" {
        return Error::new(
            ErrorKind::Parse("syntax error, unexpected '//'".into()),
            Some(span_of(file, start, end)),
        );
    }
    let path_like = matches!(
        kind,
        K::TOKEN_PATH_ABS | K::TOKEN_PATH_REL | K::TOKEN_PATH_HOME | K::TOKEN_ERROR
    );
    let named = text.trim_end_matches('/');
    if path_like && text.ends_with('/') && named.contains(|c: char| c.is_alphanumeric() || c == '.')
    {
        return Error::new(
            ErrorKind::Parse("path has a trailing slash".into()),
            // C++ Nix's lexer reports it where the path ends.
            Some(span_of(file, end, end)),
        );
    }
    let mut msg = format!("syntax error, unexpected {}", token_name(kind, text));
    let expected = match want {
        None => Some("end of file".to_string()),
        Some(w) => expecting(w, prev),
    };
    if let Some(x) = expected {
        msg.push_str(", expecting ");
        msg.push_str(&x);
    }
    Error::new(ErrorKind::Parse(msg), Some(span_of(file, start, end)))
}
