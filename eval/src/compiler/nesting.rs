//! How deeply source nests, found before parsing. C++ Nix's parser refuses a
//! source nested beyond about 10,000 levels ("memory exhausted"); a source
//! nested beyond [`MAX_NESTING`] is refused here with a clean error at the first
//! token past it, and one whose syntax tree is deeper than the caller's stack can
//! hold is compiled on a stack grown to fit (parts of the compiler recurse once
//! per level of the tree).

use crate::errors::{Error, ErrorKind};
use crate::source::Span;
use rnix::SyntaxKind as K;

/// The deepest nesting of brackets, braces, parentheses and interpolations accepted.
pub(crate) const MAX_NESTING: usize = 10_000;

/// Trees up to this depth are parsed on the caller's stack (which may be small:
/// an embedder's thread).
const SHALLOW: usize = 100;

/// Stack the parser and the tree's drop need per level, with room to spare
/// (unoptimised builds use far more).
const STACK_PER_LEVEL: usize = if cfg!(debug_assertions) { 8192 } else { 1024 };

/// The depth of `text`'s syntax tree (an over-estimate), or an error at the first
/// token nested past [`MAX_NESTING`]. Brackets, braces, parentheses and interpolations nest; so do a
/// run of unary `!` and `-`, and a chain of the right-associative `//`, `++` and
/// `->`, each of which the parser (and C++ Nix's) takes one level per operator.
pub(crate) fn tree_depth(text: &str, file: u32) -> Result<usize, Error> {
    // Every bracket and operator character, in strings and comments too: a cheap
    // over-estimate that settles all but the largest sources, which cannot nest
    // past the limit if they have fewer such characters than it.
    let rough = text.bytes().filter(|b| NESTS[*b as usize]).count();
    if rough <= MAX_NESTING {
        return Ok(rough);
    }
    scanned_depth(text, file)
}

/// The bytes that may open a level of the tree: brackets and operator characters.
const NESTS: [bool; 256] = {
    let mut table = [false; 256];
    let chars = b"([{!-/+*&|=<>?.";
    let mut i = 0;
    while i < chars.len() {
        table[chars[i] as usize] = true;
        i += 1;
    }
    table
};

/// [`tree_depth`] from the tokens: brackets in strings and comments do not count.
fn scanned_depth(text: &str, file: u32) -> Result<usize, Error> {
    // Per open bracket: the length of the right-associative chain running there.
    let mut chains: Vec<usize> = vec![0];
    // Binary operators of any kind since the last separator, on all levels.
    let mut operators = 0usize;
    let mut tree = 0usize;
    // The sum of `chains`.
    let mut chained = 0usize;
    let (mut unary, mut deepest, mut offset) = (0usize, 0usize, 0usize);
    let mut operand_before = false;
    for (kind, token) in super::parser::tokenize(text) {
        let at = offset;
        offset += token.len();
        if matches!(kind, K::TOKEN_WHITESPACE | K::TOKEN_COMMENT) {
            continue;
        }
        let levels = chains.len();
        let chain = chains
            .last_mut()
            .expect("the outermost level is never closed");
        match kind {
            K::TOKEN_L_PAREN | K::TOKEN_L_BRACK | K::TOKEN_L_BRACE | K::TOKEN_INTERPOL_START => {
                chains.push(0)
            }
            K::TOKEN_R_PAREN | K::TOKEN_R_BRACK | K::TOKEN_R_BRACE | K::TOKEN_INTERPOL_END
                if levels > 1 =>
            {
                chained -= chains.pop().unwrap_or(0);
            }
            K::TOKEN_UPDATE | K::TOKEN_CONCAT | K::TOKEN_IMPLICATION => {
                *chain += 1;
                chained += 1;
            }
            _ if is_binary(kind) && operand_before => operators += 1,
            K::TOKEN_INVERT => unary += 1,
            K::TOKEN_SUB if !operand_before => unary += 1,
            K::TOKEN_SEMICOLON
            | K::TOKEN_COMMA
            | K::TOKEN_ASSIGN
            | K::TOKEN_COLON
            | K::TOKEN_IN
            | K::TOKEN_THEN
            | K::TOKEN_ELSE => {
                chained -= *chain;
                *chain = 0;
                operators = 0;
            }
            _ => {}
        }
        if !matches!(kind, K::TOKEN_INVERT | K::TOKEN_SUB) {
            unary = 0;
        }
        operand_before = !matches!(
            kind,
            K::TOKEN_L_PAREN
                | K::TOKEN_L_BRACK
                | K::TOKEN_L_BRACE
                | K::TOKEN_INTERPOL_START
                | K::TOKEN_INVERT
                | K::TOKEN_SUB
                | K::TOKEN_UPDATE
                | K::TOKEN_CONCAT
                | K::TOKEN_IMPLICATION
                | K::TOKEN_SEMICOLON
                | K::TOKEN_COMMA
                | K::TOKEN_ASSIGN
                | K::TOKEN_COLON
                | K::TOKEN_IN
                | K::TOKEN_THEN
                | K::TOKEN_ELSE
        );
        let depth = chains.len() - 1 + chained + unary;
        if depth > MAX_NESTING {
            return Err(Error::new(
                ErrorKind::Parse("syntax error, expression nested too deeply".into()),
                Some(Span {
                    file,
                    start: at as u32,
                    end: (at + token.len()) as u32,
                }),
            ));
        }
        deepest = deepest.max(depth);
        tree = tree.max(depth + operators);
    }
    Ok(deepest.max(tree))
}

/// Whether a token is a binary operator (each one nests the tree a level).
fn is_binary(kind: K) -> bool {
    matches!(
        kind,
        K::TOKEN_ADD
            | K::TOKEN_SUB
            | K::TOKEN_MUL
            | K::TOKEN_DIV
            | K::TOKEN_AND_AND
            | K::TOKEN_OR_OR
            | K::TOKEN_EQUAL
            | K::TOKEN_NOT_EQUAL
            | K::TOKEN_LESS
            | K::TOKEN_LESS_OR_EQ
            | K::TOKEN_MORE
            | K::TOKEN_MORE_OR_EQ
            | K::TOKEN_QUESTION
            | K::TOKEN_DOT
            | K::TOKEN_PIPE_RIGHT
            | K::TOKEN_PIPE_LEFT
    )
}

/// Run `f` (which parses and compiles) on the caller's stack, or for a tree
/// `depth` deep, on a stack grown to hold it.
pub(crate) fn on_stack_for<R>(depth: usize, f: impl FnOnce() -> R) -> R {
    if depth <= SHALLOW {
        return f();
    }
    stacker::grow(depth * STACK_PER_LEVEL + (1 << 20), f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let text = format!("\"{}\" # {}\n[ [ 1 ] ]", "[".repeat(2000), "(".repeat(2000));
        assert_eq!(scanned_depth(&text, 0).expect("shallow"), 2);
    }

    #[test]
    fn left_associative_chains_are_deep_trees_of_any_length() {
        let text = vec!["1"; 50_000].join(" - ");
        assert_eq!(scanned_depth(&text, 0).expect("accepted"), 49_999);
        let text = vec!["1"; 2 * MAX_NESTING].join(" * ");
        assert!(scanned_depth(&text, 0).is_ok());
    }

    #[test]
    fn right_associative_chains_and_unary_runs_nest() {
        let chain = vec!["{ }"; 3_000].join(" // ");
        assert_eq!(scanned_depth(&chain, 0).expect("deep enough"), 3_000);
        let run = format!("{}1", "- ".repeat(3_000));
        assert_eq!(scanned_depth(&run, 0).expect("deep enough"), 3_000);
        let lists = vec!["[ ] ++ [ ]"; 3_000].join("; ");
        assert_eq!(scanned_depth(&lists, 0).expect("separate chains"), 2);
    }

    #[test]
    fn too_deep_is_refused_where_it_gets_too_deep() {
        let text = "[".repeat(MAX_NESTING + 5);
        let e = scanned_depth(&text, 0).expect_err("too deep");
        assert_eq!(e.span().map(|s| s.start), Some(MAX_NESTING as u32));
    }
}
