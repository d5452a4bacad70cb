//! The parser against rnix's: the same tree for every source rnix reads without
//! error, and the same first error otherwise, except where this parser follows
//! C++ Nix and rnix does not.

use super::parse;
use std::path::{Path, PathBuf};

/// The tree as text, every node and token with its range.
fn shape(node: &rnix::SyntaxNode) -> String {
    format!("{node:#?}")
}

/// Compare the two parsers on `text`; a description of the difference, if any.
fn difference(text: &str) -> Option<String> {
    let theirs = rnix::Root::parse(text);
    let ours = parse(text);
    match (theirs.errors().first(), ours) {
        (None, Ok(tree)) => {
            let (a, b) = (shape(&theirs.syntax()), shape(tree.root().syntax_node()));
            let first = a.lines().zip(b.lines()).position(|(x, y)| x != y);
            (a != b).then(|| {
                let at = first.unwrap_or(0);
                let near = |s: &str| {
                    s.lines()
                        .skip(at.saturating_sub(3))
                        .take(6)
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                format!(
                    "trees differ at line {at}:\nrnix:\n{}\nours:\n{}",
                    near(&a),
                    near(&b)
                )
            })
        }
        (Some(e), Err(ours)) if *e == ours => None,
        (theirs, ours) => Some(format!(
            "results differ: rnix {theirs:?}, ours {:?}",
            ours.map(|_| ())
        )),
    }
}

trait SyntaxNodeOf {
    fn syntax_node(&self) -> &rnix::SyntaxNode;
}

impl SyntaxNodeOf for rnix::Root {
    fn syntax_node(&self) -> &rnix::SyntaxNode {
        rowan::ast::AstNode::syntax(self)
    }
}

pub(super) const SAME_AS_RNIX: &[&str] = &[
    "1",
    "  1  ",
    "# c\n1 # d\n",
    "f x y",
    "f x.y or z",
    "a b or c",
    "a.b.c or d.e",
    "x: y: x + y",
    "{ a, b ? 1, ... } @ args: a",
    "args @ { a, ... }: a",
    "{ }: 1",
    "{ } @ x: 1",
    "{ a = 1; b.c = 2; inherit x; inherit (y) z \"w\"; ${q} = 3; }",
    "rec { a = 1; }",
    "let a = 1; in a",
    "let { body = 1; }",
    "with x; assert y; if a then b else c",
    "[ 1 2.5 \"s\" ./p ~/h <n> http://x.y (f x) { } [ ] ]",
    "\"a ${b} c\" + ''d ${e} f''",
    "./a/${b}/c",
    "- - 1 - -2",
    "!a || !b && c -> d",
    "a // b // c",
    "a ++ b ++ c",
    "a == b",
    "a < b",
    "a ? b.c ? d",
    "a |> b |> c",
    "a <| b <| c",
    "__curPos",
    "x.__curPos",
    "1 + 2 * 3 / 4 - 5",
    "[ 1 )",
    "{ a = 1; )",
    "let a = 1",
    "x @ y @ { }: 1",
    "{ a, a }: 1",
    "\"abc",
    "1 2 )",
    "if 1 then 2",
    "{ inherit a",
    "1 < 2 < 3",
];

#[test]
fn same_trees_and_errors_as_rnix() {
    let failures: Vec<String> = SAME_AS_RNIX
        .iter()
        .filter_map(|text| difference(text).map(|d| format!("{text:?}: {d}")))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

pub(super) fn nix_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            nix_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "nix") {
            out.push(path);
        }
    }
}

/// Every file of the conformance corpus, when it is beside the checkout.
#[test]
fn same_trees_and_errors_as_rnix_on_the_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/lang-tests");
    let mut files = Vec::new();
    nix_files(&corpus, &mut files);
    let mut failures = Vec::new();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let text = text.replace("\r\n", " \n").replace('\r', "\n");
        if let Some(d) = difference(&text) {
            failures.push(format!("{}: {d}", file.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Where this parser follows C++ Nix and rnix does not: rnix takes any token as
/// the closing parenthesis, reads `0.` as a float, and stops at 512 levels.
#[test]
fn where_rnix_is_not_nix() {
    use rnix::{ParseError as P, SyntaxKind as K, TextRange};
    let range = |a: u32, b: u32| TextRange::new(a.into(), b.into());
    let paren: Box<[K]> = [K::TOKEN_R_PAREN].into();
    let cases: Vec<(String, Result<(), P>)> = vec![
        (
            "f (1 ;".into(),
            Err(P::UnexpectedWanted(
                K::TOKEN_SEMICOLON,
                range(5, 6),
                paren.clone(),
            )),
        ),
        (
            "(1 ] )".into(),
            Err(P::UnexpectedWanted(
                K::TOKEN_R_BRACK,
                range(3, 4),
                paren.clone(),
            )),
        ),
        ("(1".into(), Err(P::UnexpectedEOFWanted(paren.clone()))),
        (
            "0.".into(),
            Err(P::UnexpectedEOFWanted(
                [K::TOKEN_IDENT, K::TOKEN_OR, K::TOKEN_CUR_POS].into(),
            )),
        ),
        ("0.e1".into(), Ok(())),
        ("0.5 + 1.".into(), Ok(())),
        (format!("{}1{}", "(".repeat(5000), ")".repeat(5000)), Ok(())),
        (
            format!("{}1{}", "(".repeat(20_000), ")".repeat(20_000)),
            Err(P::RecursionLimitExceeded),
        ),
    ];
    for (text, want) in cases {
        let got = parse(&text).map(|_| ());
        assert_eq!(got, want, "{}", &text[..text.len().min(40)]);
    }
}

/// `0.e1` is the integer 0 selecting `e1`, as in C++ Nix.
#[test]
fn zero_dot_is_an_integer_and_a_dot() {
    let tree = parse("0.e1").expect("parses");
    let text = shape(tree.root().syntax_node());
    assert!(text.contains("NODE_SELECT"), "{text}");
    assert!(text.contains("TOKEN_INTEGER@0..1 \"0\""), "{text}");
}

/// A REPL line of bindings parses as the inside of a set, in place (positions
/// are the line's own), and one cut short ends at the end of the file.
#[test]
fn bindings_without_braces() {
    let tree = super::parse_bindings("a = 1; b.c = 2; inherit (x) y;").expect("parses");
    let text = shape(tree.root().syntax_node());
    assert!(text.contains("NODE_ATTR_SET@0..30"), "{text}");
    assert_eq!(text.matches("NODE_ATTRPATH_VALUE@").count(), 2, "{text}");
    assert!(text.contains("NODE_INHERIT@16..30"), "{text}");
    use rnix::{ParseError as P, SyntaxKind as K};
    assert!(matches!(
        super::parse_bindings("a = "),
        Err(P::UnexpectedEOF | P::UnexpectedEOFWanted(_))
    ));
    assert!(matches!(
        super::parse_bindings("1 + 1"),
        Err(P::UnexpectedWanted(K::TOKEN_INTEGER, ..) | P::Unexpected(..))
    ));
}
