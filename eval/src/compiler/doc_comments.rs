//! Doc comments (`/** … */`, RFC 145) as C++ Nix attaches them: a comment
//! directly before a lambda documents it; failing that, one directly before the
//! attribute path of the binding whose value the lambda is. "Directly" allows
//! whitespace and other comments in between, nothing else.

use rnix::ast;
use rowan::ast::AstNode;

/// The doc comment of lambda `l` in `text`, its inner text with the indentation
/// stripped, as C++ Nix's `DocComment::getInnerText` gives it.
pub(super) fn for_lambda(text: &str, l: &ast::Lambda) -> Option<String> {
    let start = usize::from(l.syntax().text_range().start());
    if let Some(doc) = before(text, start) {
        return Some(doc);
    }
    // The binding `path = <lambda>;` (parentheses are no node in C++ Nix's tree).
    let mut node = l.syntax().parent()?;
    while node.kind() == rnix::SyntaxKind::NODE_PAREN {
        node = node.parent()?;
    }
    let binding = ast::AttrpathValue::cast(node)?;
    let path = binding.attrpath()?;
    before(text, usize::from(path.syntax().text_range().start()))
}

/// The doc comment that ends right before `offset` (only whitespace and other
/// comments between), if any.
pub(crate) fn before(text: &str, offset: usize) -> Option<String> {
    let mut end = offset.min(text.len());
    loop {
        let head = text[..end].trim_end_matches([' ', '\t', '\r', '\n']);
        if let Some(inner) = head.strip_suffix("*/") {
            let open = inner.rfind("/*")?;
            let comment = &head[open..];
            if is_doc_comment(comment) {
                return Some(inner_text(comment));
            }
            end = open;
            continue;
        }
        // A line comment ending the text before: skip the line.
        let line_start = head.rfind('\n').map_or(0, |i| i + 1);
        let line = &head[line_start..];
        if line.trim_start().starts_with('#') && line_start < head.len() {
            end = line_start;
            continue;
        }
        return None;
    }
}

/// `/**` then anything but `/` or `*` (so `/**/` and `/*** …` are not).
fn is_doc_comment(comment: &str) -> bool {
    let b = comment.as_bytes();
    b.len() >= 5 && b.starts_with(b"/**") && !matches!(b[3], b'/' | b'*')
}

/// The text between `/**` and `*/`, the opening turned into indentation, then
/// the common indentation of its lines removed (C++ Nix's `stripIndentation`).
fn inner_text(comment: &str) -> String {
    let body = format!("   {}", &comment[3..comment.len() - 2]);
    strip_indentation(&body)
}

/// C++ Nix's `stripIndentation`, quirks included: the smallest indentation (in
/// spaces) of the lines with text is removed from every line (a line of spaces
/// only raises it to its own length if that is larger); every line, the last
/// included, ends with a newline.
fn strip_indentation(s: &str) -> String {
    let b = s.as_bytes();
    let (mut min, mut cur, mut at_start) = (10_000usize, 0usize, true);
    for &c in b {
        if at_start && c == b' ' {
            cur += 1;
        } else if c == b'\n' {
            if at_start {
                min = min.max(cur);
            }
            cur = 0;
            at_start = true;
        } else if at_start {
            min = min.min(cur);
            at_start = false;
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut pos = 0;
    while pos < b.len() {
        let eol = s[pos..].find('\n').map_or(b.len(), |i| pos + i);
        if eol - pos > min {
            out.push_str(&s[pos + min..eol]);
        }
        out.push('\n');
        pos = eol + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_directly_before_count() {
        let t = "/** doc */ x";
        assert_eq!(before(t, 11).as_deref(), Some("doc \n"));
        let t = "/**\n  Two\n  lines\n*/\n# note\n/* plain */ x";
        assert_eq!(before(t, t.len() - 1).as_deref(), Some(" \nTwo\nlines\n"));
        // As C++ Nix: the spaces of the first line are cut to the indentation.
        let t = "/**\n      boom\n    */\n    x";
        assert_eq!(before(t, t.len() - 1).as_deref(), Some("\nboom\n\n"));
        assert_eq!(before("/* plain */ x", 12), None);
        assert_eq!(before("/**/ x", 5), None);
        assert_eq!(before("/** doc */ y = x", 15), None);
    }
}
