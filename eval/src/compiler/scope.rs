//! Compile-time scopes: the state of each function being compiled and the
//! resolution of names into local slots, upvalues, or `with` lookups.

use crate::opcode::{Capture, Formals, Op, Proto, ProtoKind};
use crate::source::Span;
use crate::value::Value;
use std::rc::Rc;

/// A name visible in a scope: a user variable, or the hidden slot of a `with`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub(super) enum Key {
    /// A variable.
    Name(Rc<str>),
    /// The n-th `with` scope of the compilation.
    With(u32),
    /// A hidden slot (the source set of an `inherit (e)`).
    Hidden(u32),
}

/// One lexical scope inside a function.
#[derive(Default)]
pub(super) struct Scope {
    /// Names bound in this scope with their local slots, in binding order.
    names: Vec<(Key, u32)>,
    /// The slot of each name, once the scope is large (a `let` of thousands of
    /// bindings resolves each name in constant time).
    index: rustc_hash::FxHashMap<Key, u32>,
    /// Set while compiling a plain `inherit` of a `let`/`rec`, whose names come from outside.
    pub hidden: bool,
    /// The id of this scope's `with` value, if it is a `with` scope.
    pub with: Option<u32>,
}

/// Scopes with more names than this get a hash index.
const INDEX_FROM: usize = 16;

impl Scope {
    /// A scope binding only `key`, in `slot`.
    pub fn of(key: Key, slot: u32) -> Scope {
        let mut s = Scope::default();
        s.bind(key, slot);
        s
    }

    /// Bind `key` to `slot` (a later binding of the same key shadows the earlier one).
    pub fn bind(&mut self, key: Key, slot: u32) {
        if !self.index.is_empty() {
            self.index.insert(key.clone(), slot);
        } else if self.names.len() == INDEX_FROM {
            self.index = self.names.iter().cloned().collect();
            self.index.insert(key.clone(), slot);
        }
        self.names.push((key, slot));
    }

    /// The slot `key` is bound to here.
    pub fn lookup(&self, key: &Key) -> Option<u32> {
        if self.index.is_empty() {
            self.names
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, s)| *s)
        } else {
            self.index.get(key).copied()
        }
    }
}

/// The state of one function (lambda, thunk or file) being compiled.
pub(super) struct FuncState {
    pub code: Vec<Op>,
    pub consts: Vec<Value>,
    pub children: Vec<Rc<Proto>>,
    pub captures: Vec<Capture>,
    pub capture_keys: Vec<Key>,
    pub spans: Vec<(u32, Span)>,
    pub contexts: Vec<crate::opcode::ContextRange>,
    pub context_texts: Vec<Rc<str>>,
    pub positions: Vec<crate::value::Positions>,
    pub attr_pos: Option<Span>,
    pub scopes: Vec<Scope>,
    /// Values on this frame's stack at the current point (locals + temporaries).
    pub depth: u32,
    pub kind: ProtoKind,
    pub name: Option<Rc<str>>,
    pub formals: Option<Formals>,
    pub param: Option<Rc<str>>,
    pub doc: Option<Rc<str>>,
    pub span: Span,
    /// The most recent jump target; no peephole may look across it.
    pub label: Option<u32>,
}

impl FuncState {
    pub fn new(kind: ProtoKind, span: Span, name: Option<Rc<str>>) -> Self {
        FuncState {
            code: Vec::new(),
            consts: Vec::new(),
            children: Vec::new(),
            captures: Vec::new(),
            capture_keys: Vec::new(),
            spans: Vec::new(),
            contexts: Vec::new(),
            context_texts: Vec::new(),
            positions: Vec::new(),
            attr_pos: None,
            scopes: vec![Scope::default()],
            depth: 0,
            kind,
            name,
            formals: None,
            param: None,
            doc: None,
            span,
            label: None,
        }
    }

    /// Find `key` among this function's own scopes.
    pub fn find_local(&self, key: &Key) -> Option<u32> {
        for scope in self.scopes.iter().rev() {
            if scope.hidden {
                continue;
            }
            if let Some(slot) = scope.lookup(key) {
                return Some(slot);
            }
        }
        None
    }

    /// `with` ids visible in this function, innermost first (skipping hidden scopes).
    pub fn withs(&self) -> Vec<u32> {
        self.scopes
            .iter()
            .rev()
            .filter(|s| !s.hidden)
            .filter_map(|s| s.with)
            .collect()
    }
}
