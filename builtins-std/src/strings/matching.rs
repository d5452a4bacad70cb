//! `builtins.match` and `builtins.split`: compiled patterns (cached per thread, one
//! compilation per distinct pattern), whole-string matching, and the iteration of
//! `split`, which follows the C++ standard library's `regex_iterator` (after an
//! empty match, a non-empty match at the same place is tried before moving on).

use super::backtrack::{Mode, Program, Slots};
use super::posix::{self, Node};
use regex::bytes::{Regex, RegexBuilder};
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

/// A pattern, parsed once; its matchers are built on first use.
pub struct Compiled {
    node: Node,
    groups: u32,
    /// `split` must take its matches from the backtracker (alternations).
    search_needs_engine: bool,
    /// Captures must come from the backtracker (empty iterations of groups).
    captures_need_engine: bool,
    search: OnceCell<Result<Regex, String>>,
    full: OnceCell<Result<Regex, String>>,
    program: OnceCell<Option<Program>>,
    source: Box<[u8]>,
}

/// Most patterns kept; the cache is emptied when it grows beyond.
const CACHE_LIMIT: usize = 4096;

thread_local! {
    static CACHE: RefCell<HashMap<Box<[u8]>, Rc<Compiled>>> = RefCell::new(HashMap::new());
}

fn invalid(pat: &[u8]) -> String {
    format!(
        "invalid regular expression '{}'",
        String::from_utf8_lossy(pat)
    )
}

/// The compiled form of a pattern (from the cache when it was seen before).
pub fn compile(pat: &[u8]) -> Result<Rc<Compiled>, String> {
    if let Some(c) = CACHE.with(|c| c.borrow().get(pat).cloned()) {
        return Ok(c);
    }
    let parsed = posix::parse(pat).map_err(|_| invalid(pat))?;
    let has_nullable_group_repeat = parsed.groups > 0 && nullable_group_repeat(&parsed.node);
    let c = Rc::new(Compiled {
        search_needs_engine: parsed.has_alt || has_nullable_group_repeat,
        captures_need_engine: has_nullable_group_repeat,
        groups: parsed.groups,
        node: parsed.node,
        search: OnceCell::new(),
        full: OnceCell::new(),
        program: OnceCell::new(),
        source: pat.into(),
    });
    // Check now that the crate accepts it (size limits), so errors come at once.
    c.search()?;
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(pat.into(), c.clone());
    });
    Ok(c)
}

/// Whether a repetition whose operand can match the empty string contains a group.
fn nullable_group_repeat(n: &Node) -> bool {
    match n {
        Node::Repeat { node, .. } => {
            (nullable(node) && has_group(node)) || nullable_group_repeat(node)
        }
        Node::Group(_, inner) => nullable_group_repeat(inner),
        Node::Concat(v) | Node::Alt(v) => v.iter().any(nullable_group_repeat),
        _ => false,
    }
}

fn nullable(n: &Node) -> bool {
    match n {
        Node::Empty | Node::Start | Node::End => true,
        Node::Byte(_) | Node::Set(_) => false,
        Node::Group(_, inner) => nullable(inner),
        Node::Concat(v) => v.iter().all(nullable),
        Node::Alt(v) => v.iter().any(nullable),
        Node::Repeat { node, min, .. } => *min == 0 || nullable(node),
    }
}

fn has_group(n: &Node) -> bool {
    match n {
        Node::Group(..) => true,
        Node::Concat(v) | Node::Alt(v) => v.iter().any(has_group),
        Node::Repeat { node, .. } => has_group(node),
        _ => false,
    }
}

impl Compiled {
    fn build(&self, anchored: bool) -> Result<Regex, String> {
        let body = posix::to_rust(&self.node);
        let src = if anchored {
            format!("(?s-u)\\A(?:{body})\\z")
        } else {
            format!("(?s-u){body}")
        };
        RegexBuilder::new(&src)
            .unicode(false)
            .size_limit(64 << 20)
            .dfa_size_limit(16 << 20)
            .nest_limit(1000)
            .build()
            .map_err(|e| match e {
                regex::Error::CompiledTooBig(_) => format!(
                    "memory limit exceeded by regular expression '{}'",
                    String::from_utf8_lossy(&self.source)
                ),
                _ => invalid(&self.source),
            })
    }

    fn search(&self) -> Result<&Regex, String> {
        self.search
            .get_or_init(|| self.build(false))
            .as_ref()
            .map_err(Clone::clone)
    }

    fn full(&self) -> Result<&Regex, String> {
        self.full
            .get_or_init(|| self.build(true))
            .as_ref()
            .map_err(Clone::clone)
    }

    fn program(&self) -> Option<&Program> {
        self.program
            .get_or_init(|| Program::compile(&self.node, self.groups).ok())
            .as_ref()
    }

    /// Number of capture groups.
    pub fn groups(&self) -> usize {
        self.groups as usize
    }

    /// `builtins.match`: the groups' spans if the whole of `s` matches.
    pub fn full_match(&self, s: &[u8]) -> Result<Option<Slots>, String> {
        if self.captures_need_engine {
            if let Some(p) = self.program() {
                // The crate decides quickly whether there is a match at all.
                if !self.full()?.is_match(s) {
                    return Ok(None);
                }
                if let Some(m) = p.run(s, 0, Mode::Exact, false) {
                    return Ok(Some(m));
                }
            }
        }
        let re = self.full()?;
        if self.groups == 0 {
            return Ok(re.is_match(s).then(|| vec![Some(0), Some(s.len())]));
        }
        Ok(re.captures(s).map(|c| slots_of(&c, self.groups)))
    }

    /// The leftmost match at or after `from`, as the C++ library reports it.
    fn search_at(&self, s: &[u8], from: usize) -> Result<Option<Slots>, String> {
        let re = self.search()?;
        if self.search_needs_engine {
            let Some(m) = re.find_at(s, from) else {
                return Ok(None);
            };
            if let Some(p) = self.program() {
                if let Some(slots) = p.run(s, m.start(), Mode::Prefix, false) {
                    return Ok(Some(slots));
                }
            }
        }
        if self.groups == 0 {
            return Ok(re
                .find_at(s, from)
                .map(|m| vec![Some(m.start()), Some(m.end())]));
        }
        Ok(re.captures_at(s, from).map(|c| slots_of(&c, self.groups)))
    }

    /// `builtins.split`: the matches of the pattern in `s`, in order, as the C++
    /// library's iterator finds them.
    pub fn matches(&self, s: &[u8]) -> Result<Vec<Slots>, String> {
        let mut out = Vec::new();
        let mut next = self.search_at(s, 0)?;
        while let Some(m) = next {
            let (start, end) = (m[0].unwrap_or(0), m[1].unwrap_or(0));
            out.push(m);
            if start == end {
                if end >= s.len() {
                    break;
                }
                // A non-empty match right here comes first.
                if let Some(p) = self.program() {
                    if let Some(m2) = p.run(s, end, Mode::Prefix, true) {
                        next = Some(m2);
                        continue;
                    }
                }
                next = self.search_at(s, end + 1)?;
            } else {
                next = self.search_at(s, end)?;
            }
        }
        Ok(out)
    }
}

fn slots_of(c: &regex::bytes::Captures<'_>, groups: u32) -> Slots {
    let mut v = Vec::with_capacity(2 * (groups as usize + 1));
    for i in 0..=groups as usize {
        match c.get(i) {
            Some(m) => {
                v.push(Some(m.start()));
                v.push(Some(m.end()));
            }
            None => {
                v.push(None);
                v.push(None);
            }
        }
    }
    v
}
