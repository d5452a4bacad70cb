//! The lexer against rnix's tokenizer: the same tokens everywhere, except that
//! `0.` not followed by a digit is the integer 0 and a dot, as in C++ Nix.

use super::lexer::{tokenize, Token};
use super::tests::{nix_files, SAME_AS_RNIX};
use proptest::prelude::*;
use rnix::SyntaxKind as K;
use std::path::Path;

/// rnix's tokens for `text`, or `None` where rnix reads a float `0.` that Nix
/// splits (after the split, the rest of the source is read in another context).
fn rnix_tokens(text: &str) -> Option<Vec<Token<'_>>> {
    let tokens: Vec<Token<'_>> = rnix::tokenize(text).collect();
    let zero_dot = tokens.iter().any(|(kind, t)| {
        *kind == K::TOKEN_FLOAT
            && t.starts_with("0.")
            && !t[2..].starts_with(|c: char| c.is_ascii_digit())
    });
    (!zero_dot).then_some(tokens)
}

fn assert_same_tokens(text: &str) {
    if let Some(theirs) = rnix_tokens(text) {
        let ours: Vec<Token<'_>> = tokenize(text).collect();
        assert_eq!(ours, theirs, "tokens of {text:?}");
    }
}

/// Sources where the lexer's choices are finest: paths next to operators,
/// URIs, search paths, strings with escapes and interpolations, comments.
const EDGES: &[&str] = &[
    "a.b.c",
    "1+1+1",
    "a/b",
    "a//b",
    "a/*c*/b",
    "a /b",
    "/a/b",
    "/ a",
    "//",
    "/${x}",
    "./a/${b}c/${d}",
    "./a${b}/",
    "./a/",
    "./a//b",
    "~/a",
    "~a",
    "~",
    "<a/b>",
    "<a",
    "<>",
    "<a/b",
    "a<b>c",
    "x<|y",
    "a<=b",
    "http://x.y/z?q=1&r=$s",
    "a_b:c",
    "a:b",
    "a: b",
    "\"a\\\"b\\${c}$${d}${e}\"",
    "\"\\",
    "''a'''b''$c''\\n${d}''",
    "''a'",
    "''",
    "\"",
    "/* a * / b */ c",
    "/* a",
    "/*/",
    "# a\nb",
    "1.5e3 .5 1. 1.e5 1e5 01.5 00 0.5 1.5E-3 2.e",
    "${a}",
    "{ ${a} = { b = 1; }; }",
    "\"${ { a = \"${b}\"; }.a }\"",
    "a-b-c a'b 'a",
    "... .. .",
    "$a",
    "a\u{a0}b é",
    "\"\u{1F600}\"",
    "1/2",
    "a.b/c",
    "x.y:z",
];

#[test]
fn same_tokens_as_rnix_on_edge_cases() {
    for text in EDGES.iter().chain(SAME_AS_RNIX) {
        assert_same_tokens(text);
    }
}

/// Every file of the conformance corpus, when it is beside the checkout.
#[test]
fn same_tokens_as_rnix_on_the_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/lang-tests");
    let mut files = Vec::new();
    nix_files(&corpus, &mut files);
    for file in &files {
        if let Ok(text) = std::fs::read_to_string(file) {
            assert_same_tokens(&text);
        }
    }
}

#[test]
fn zero_dot_splits() {
    let tokens: Vec<Token<'_>> = tokenize("0.e1 0.5 00.5").collect();
    let kinds: Vec<K> = tokens.iter().map(|t| t.0).collect();
    use K::*;
    assert_eq!(
        kinds,
        [
            TOKEN_INTEGER,
            TOKEN_DOT,
            TOKEN_IDENT,
            TOKEN_WHITESPACE,
            TOKEN_FLOAT,
            TOKEN_WHITESPACE,
            TOKEN_INTEGER,
            TOKEN_FLOAT
        ]
    );
}

/// Long runs of path characters take linear time (rnix's tokenizer looks at the
/// whole run again at every token in it).
#[test]
fn long_runs_are_linear() {
    for unit in ["a.", "1+", "a-", "<", "x_:"] {
        let text = unit.repeat(200_000);
        let started = std::time::Instant::now();
        let count = tokenize(&text).count();
        assert!(count >= 1);
        let took = started.elapsed();
        assert!(took.as_secs() < 5, "{unit:?}×200000 took {took:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]
    /// Random sources from the characters that matter to the lexer.
    #[test]
    fn same_tokens_as_rnix_on_random_sources(
        text in proptest::string::string_regex(
            r#"([a-z_0-9./~<>:+\-*"'${}\\ \n#|&=!?@,;()\[\]eE]|''|\$\{|//|/\*|\*/|\.\.\.){0,24}"#
        ).expect("a valid pattern")
    ) {
        assert_same_tokens(&text);
    }
}
