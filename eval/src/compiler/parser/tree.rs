//! Building the syntax tree: rowan green nodes with rnix's kinds, so that rnix's
//! typed AST reads them. Recently built equal tokens and small nodes are shared
//! (small nodes by the identity of their children), in fixed-size tables, so
//! that building stays linear however deep or long the source is (rowan's own
//! cache rehashes whole subtrees when it grows). A deep tree is dropped one level
//! at a time.

use rnix::SyntaxKind as K;
use rowan::{GreenNode, GreenToken, NodeOrToken};
use std::hash::{BuildHasher, Hash};

/// Hashes the keys of the token and node tables.
const HASHER: rustc_hash::FxBuildHasher = rustc_hash::FxBuildHasher;

type Element = NodeOrToken<GreenNode, GreenToken>;

/// Nodes with at most this many children are shared when equal.
const SHARED_CHILDREN: usize = 3;

/// Trees deeper than this are dropped level by level, not by recursion.
const DEEP: u32 = 1_000;

/// Where a node may later be opened around the children built since.
#[derive(Clone, Copy)]
pub(super) struct Checkpoint(usize);

/// A green tree under construction.
pub(super) struct TreeBuilder<'a> {
    /// Finished elements not yet in a node.
    children: Vec<Element>,
    /// The index in `children` and the depth of each node among them, in order
    /// (tokens have depth 0: a list of a million numbers keeps a million
    /// whitespace tokens here).
    depths: Vec<(u32, u32)>,
    /// Open nodes: their kind and where their children start.
    open: Vec<(K, usize)>,
    /// Tokens built recently, by kind and text.
    tokens: Recent<GreenToken>,
    /// Nodes of at most [`SHARED_CHILDREN`] children built recently, by kind and
    /// children.
    nodes: Recent<GreenNode>,
    /// The depth of the deepest node built.
    deepest: u32,
    /// Marks the text's lifetime: tokens are built from slices of it.
    text: std::marker::PhantomData<&'a str>,
}

fn raw(kind: K) -> rowan::SyntaxKind {
    rowan::SyntaxKind(kind as u16)
}

/// The last element built for each of a fixed number of hash slots: it shares
/// the frequent tokens and leaves (whitespace, keywords, common names) in
/// constant memory and time, where a table of every element would grow with the
/// source.
struct Recent<T> {
    slots: Vec<Option<T>>,
}

/// Slots of a [`Recent`] table (a power of two).
const RECENT_SLOTS: usize = 1 << 12;

impl<T: Clone> Recent<T> {
    fn new() -> Self {
        Recent {
            slots: vec![None; RECENT_SLOTS],
        }
    }

    fn slot(hash: u64) -> usize {
        (hash >> 52) as usize & (RECENT_SLOTS - 1)
    }

    fn get(&self, hash: u64, same: impl Fn(&T) -> bool) -> Option<T> {
        self.slots[Self::slot(hash)]
            .as_ref()
            .filter(|t| same(t))
            .cloned()
    }

    fn insert(&mut self, hash: u64, t: T) {
        self.slots[Self::slot(hash)] = Some(t);
    }

    fn get_or_insert(
        &mut self,
        hash: u64,
        same: impl Fn(&T) -> bool,
        make: impl FnOnce() -> T,
    ) -> T {
        if let Some(t) = self.get(hash, same) {
            return t;
        }
        let t = make();
        self.insert(hash, t.clone());
        t
    }
}

/// A child's identity: equal children of shared nodes are the same allocation.
fn identity(e: NodeOrToken<&rowan::GreenNodeData, &rowan::GreenTokenData>) -> usize {
    match e {
        NodeOrToken::Node(n) => n as *const rowan::GreenNodeData as usize,
        NodeOrToken::Token(t) => t as *const rowan::GreenTokenData as usize,
    }
}

fn owned_identity(e: &Element) -> usize {
    match e {
        NodeOrToken::Node(n) => identity(NodeOrToken::Node(n)),
        NodeOrToken::Token(t) => identity(NodeOrToken::Token(t)),
    }
}

/// The hash of a node of `kind` with children of these identities.
fn node_hash(kind: rowan::SyntaxKind, children: impl Iterator<Item = usize>) -> u64 {
    let mut h = HASHER.build_hasher();
    kind.0.hash(&mut h);
    for c in children {
        c.hash(&mut h);
    }
    std::hash::Hasher::finish(&h)
}

impl<'a> TreeBuilder<'a> {
    pub(super) fn new() -> Self {
        TreeBuilder {
            children: Vec::new(),
            depths: Vec::new(),
            open: Vec::new(),
            tokens: Recent::new(),
            nodes: Recent::new(),
            deepest: 0,
            text: std::marker::PhantomData,
        }
    }

    pub(super) fn token(&mut self, kind: K, text: &'a str) {
        let hash = HASHER.hash_one((kind as u16, text));
        let token = self.tokens.get_or_insert(
            hash,
            |t| t.kind() == raw(kind) && t.text() == text,
            || GreenToken::new(raw(kind), text),
        );
        self.children.push(NodeOrToken::Token(token));
    }

    pub(super) fn start_node(&mut self, kind: K) {
        self.open.push((kind, self.children.len()));
    }

    pub(super) fn checkpoint(&self) -> Checkpoint {
        Checkpoint(self.children.len())
    }

    /// Open a node around everything built since `at`.
    pub(super) fn start_node_at(&mut self, at: Checkpoint, kind: K) {
        debug_assert!(at.0 <= self.children.len());
        self.open.push((kind, at.0));
    }

    pub(super) fn finish_node(&mut self) {
        let (kind, first) = self
            .open
            .pop()
            .expect("the parser finishes only the nodes it opened");
        // Most nodes hold tokens only, or end with a node: look from the end first.
        let inside = match self.depths.last() {
            Some(&(at, _)) if (at as usize) < first => self.depths.len(),
            _ => self
                .depths
                .partition_point(|&(at, _)| (at as usize) < first),
        };
        let depth = 1 + self.depths[inside..]
            .iter()
            .map(|&(_, d)| d)
            .max()
            .unwrap_or(0);
        self.depths.truncate(inside);
        self.deepest = self.deepest.max(depth);
        let node = self.node(kind, first);
        let at = u32::try_from(self.children.len()).expect("a source has under 4 G elements");
        self.depths.push((at, depth));
        self.children.push(NodeOrToken::Node(node));
    }

    fn node(&mut self, kind: K, first: usize) -> GreenNode {
        let parts = &self.children[first..];
        if parts.len() > SHARED_CHILDREN {
            return GreenNode::new(raw(kind), self.children.drain(first..));
        }
        let hash = node_hash(raw(kind), parts.iter().map(owned_identity));
        let same = |n: &GreenNode| {
            n.kind() == raw(kind)
                && n.children().len() == parts.len()
                && n.children()
                    .map(identity)
                    .eq(parts.iter().map(owned_identity))
        };
        if let Some(n) = self.nodes.get(hash, same) {
            self.children.truncate(first);
            return n;
        }
        let n = GreenNode::new(raw(kind), self.children.drain(first..));
        self.nodes.insert(hash, n.clone());
        n
    }

    /// The finished tree (the one node left) and its depth.
    pub(super) fn finish(mut self) -> Tree {
        debug_assert!(self.open.is_empty() && self.children.len() == 1);
        // The tree holds every cached node: dropping the caches frees none.
        self.deepest = 0;
        let depth = self.depths.pop().map_or(0, |(_, d)| d);
        match self.children.pop() {
            Some(NodeOrToken::Node(n)) => Tree::new(n, depth),
            _ => unreachable!("the parser always builds one root node"),
        }
    }
}

/// A syntax tree that is dropped without recursion when it is deep.
pub(crate) struct Tree {
    green: Option<GreenNode>,
    depth: u32,
}

impl Tree {
    fn new(green: GreenNode, depth: u32) -> Self {
        Tree {
            green: Some(green),
            depth,
        }
    }

    /// The typed root, for reading (its nodes keep the tree alive while they live).
    pub(crate) fn root(&self) -> rnix::Root {
        let green = self.green.clone().expect("present until dropped");
        let node = rnix::SyntaxNode::new_root(green);
        <rnix::Root as rowan::ast::AstNode>::cast(node).expect("the root node is NODE_ROOT")
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        if let Some(root) = self.green.take() {
            if self.depth > DEEP {
                drop_level_by_level(vec![root]);
            }
        }
    }
}

impl Drop for TreeBuilder<'_> {
    fn drop(&mut self) {
        // What is left after an error may be deep; the caches share its nodes.
        if self.deepest > DEEP {
            let nodes = self.children.drain(..).filter_map(|e| e.into_node());
            let cached = self.nodes.slots.drain(..).flatten();
            drop_level_by_level(nodes.chain(cached).collect());
        }
    }
}

/// Drop `roots` and their trees without recursion: every node is held, parents
/// before children, so dropping them in that order frees each after its parent.
fn drop_level_by_level(roots: Vec<GreenNode>) {
    let mut seen = rustc_hash::FxHashSet::default();
    let mut held = Vec::with_capacity(roots.len());
    for root in &roots {
        if seen.insert(&**root as *const rowan::GreenNodeData as usize) {
            held.push(root.clone());
        }
    }
    let mut next = 0;
    while next < held.len() {
        let node = held[next].clone();
        for child in node.children().filter_map(|c| c.into_node()) {
            if seen.insert(child as *const rowan::GreenNodeData as usize) {
                held.push(child.to_owned());
            }
        }
        next += 1;
    }
    drop(roots);
    drop(held);
}
