//! Large data lists read straight from the green tree.
//!
//! A list literal of numbers is one constant (see `Compiler::constant_items`).
//! Reading its elements through rnix's typed nodes makes a red node, a token
//! cursor and a text lookup per element; generated data files hold lists of
//! millions of numbers, so the common flat case is read from the green nodes.

use rnix::SyntaxKind as K;
use rowan::{GreenNodeData, NodeOrToken};

use crate::value::Value;

fn is(kind: rowan::SyntaxKind, k: K) -> bool {
    kind == rowan::SyntaxKind(k as u16)
}

/// The values of a list literal's elements if every one is a number or URI
/// literal; `None` for anything else (the typed reading handles the rest).
pub(super) fn flat_literal_items(list: &rnix::ast::List) -> Option<Vec<Value>> {
    use rowan::ast::AstNode;
    let green = list.syntax().green();
    let mut items = Vec::new();
    for child in green.children() {
        match child {
            NodeOrToken::Node(node) if is(node.kind(), K::NODE_LITERAL) => {
                let value = literal(node)?;
                if items.is_empty() {
                    // Room for every element (each has a space token after it), made
                    // only once the list looks like data: a list of other things
                    // allocates nothing here.
                    items.reserve(green.children().len() / 2);
                }
                items.push(value)
            }
            NodeOrToken::Node(_) => return None,
            NodeOrToken::Token(_) => {}
        }
    }
    Some(items)
}

/// The value of a literal node, as `Compiler::literal_value` reads it.
fn literal(node: &GreenNodeData) -> Option<Value> {
    let NodeOrToken::Token(token) = node.children().next()? else {
        return None;
    };
    let (kind, text) = (token.kind(), token.text());
    if is(kind, K::TOKEN_INTEGER) {
        text.parse().ok().map(Value::Int)
    } else if is(kind, K::TOKEN_FLOAT) {
        text.parse().ok().map(Value::Float)
    } else if is(kind, K::TOKEN_URI) {
        Some(Value::string(text))
    } else {
        None
    }
}
