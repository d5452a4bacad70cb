//! POSIX extended regular expressions as C++ Nix accepts them (through the C++
//! standard library's `std::regex::extended`): a parser that checks the syntax the way
//! that library does, and a translation into the syntax of the `regex` crate.
//!
//! The matching semantics follow the C++ library: bytes, not characters; `.` and
//! negated brackets match a newline; character classes are those of the C locale. The
//! crate's leftmost-first semantics agree with the C++ library's depth-first matcher
//! except where an alternation offers a longer match through a later branch: the C++
//! matcher tries every branch of an alternation and keeps the longest match. Patterns
//! with an alternation therefore carry their syntax tree, which `backtrack` runs when
//! the longest match matters (searching for `split`).

/// A parsed regular expression.
#[derive(Debug, Clone)]
pub enum Node {
    /// Matches the empty string.
    Empty,
    /// One byte.
    Byte(u8),
    /// A set of bytes (`.` and bracket expressions).
    Set(Box<ByteSet>),
    /// `^`.
    Start,
    /// `$`.
    End,
    /// A capture group (numbered from 1).
    Group(u32, Box<Node>),
    /// A sequence.
    Concat(Vec<Node>),
    /// An alternation.
    Alt(Vec<Node>),
    /// A greedy repetition; `max` None is unbounded.
    Repeat {
        /// The repeated node.
        node: Box<Node>,
        /// Least number of repetitions.
        min: u32,
        /// Most, if bounded.
        max: Option<u32>,
    },
}

/// A set of bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByteSet(pub [u64; 4]);

impl ByteSet {
    fn empty() -> ByteSet {
        ByteSet([0; 4])
    }

    fn insert(&mut self, b: u8) {
        self.0[(b >> 6) as usize] |= 1 << (b & 63);
    }

    fn insert_range(&mut self, lo: u8, hi: u8) {
        for b in lo..=hi {
            self.insert(b);
        }
    }

    /// Whether the set holds `b`.
    #[inline]
    pub fn contains(&self, b: u8) -> bool {
        self.0[(b >> 6) as usize] & (1 << (b & 63)) != 0
    }

    fn negate(&mut self) {
        for w in &mut self.0 {
            *w = !*w;
        }
    }

    /// Add the bytes of a C-locale character class; false if the name is unknown.
    fn add_class(&mut self, name: &[u8]) -> bool {
        let name = name.to_ascii_lowercase();
        let pred: fn(u8) -> bool = match name.as_slice() {
            b"alnum" => |b| b.is_ascii_alphanumeric(),
            b"alpha" => |b| b.is_ascii_alphabetic(),
            b"blank" => |b| b == b' ' || b == b'\t',
            b"cntrl" => |b| b.is_ascii_control(),
            b"digit" | b"d" => |b| b.is_ascii_digit(),
            b"graph" => |b| b.is_ascii_graphic(),
            b"lower" => |b| b.is_ascii_lowercase(),
            b"print" => |b| b.is_ascii_graphic() || b == b' ',
            b"punct" => |b| b.is_ascii_punctuation(),
            b"space" | b"s" => |b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c),
            b"upper" => |b| b.is_ascii_uppercase(),
            b"xdigit" => |b| b.is_ascii_hexdigit(),
            b"w" => |b| b.is_ascii_alphanumeric() || b == b'_',
            _ => return false,
        };
        for b in 0..=255u8 {
            if pred(b) {
                self.insert(b);
            }
        }
        true
    }
}

/// A pattern the C++ library would reject.
#[derive(Debug)]
pub struct Invalid;

/// Characters that a backslash makes literal; any other escape is an error.
const ESCAPABLE: &[u8] = b".[\\()*+?{|^$";

/// The parse of a pattern: its tree, its number of groups, and whether it has an
/// alternation.
pub struct Parsed {
    /// The syntax tree.
    pub node: Node,
    /// Number of capture groups.
    pub groups: u32,
    /// Whether some `|` occurs (outside brackets).
    pub has_alt: bool,
}

/// Parse a POSIX extended regular expression.
pub fn parse(pat: &[u8]) -> Result<Parsed, Invalid> {
    let mut p = Parser {
        s: pat,
        i: 0,
        groups: 0,
        has_alt: false,
    };
    let node = p.alternation(0)?;
    if p.i != p.s.len() {
        // Only an unmatched `)` stops the top level early.
        return Err(Invalid);
    }
    Ok(Parsed {
        node,
        groups: p.groups,
        has_alt: p.has_alt,
    })
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    groups: u32,
    has_alt: bool,
}

/// Deepest nesting of groups accepted (the parser recurses once per level).
const MAX_NESTING: usize = 250;

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn alternation(&mut self, depth: usize) -> Result<Node, Invalid> {
        if depth > MAX_NESTING {
            return Err(Invalid);
        }
        let mut branches = vec![self.branch(depth)?];
        while self.peek() == Some(b'|') {
            self.i += 1;
            self.has_alt = true;
            branches.push(self.branch(depth)?);
        }
        Ok(if branches.len() == 1 {
            branches.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(branches)
        })
    }

    fn branch(&mut self, depth: usize) -> Result<Node, Invalid> {
        let mut items: Vec<Node> = Vec::new();
        while let Some(c) = self.peek() {
            let atom = match c {
                b'|' | b')' => break,
                b'(' => {
                    self.i += 1;
                    self.groups += 1;
                    let n = self.groups;
                    let inner = self.alternation(depth + 1)?;
                    if self.peek() != Some(b')') {
                        return Err(Invalid);
                    }
                    self.i += 1;
                    Node::Group(n, Box::new(inner))
                }
                b'.' => {
                    self.i += 1;
                    let mut set = ByteSet::empty();
                    set.negate();
                    // The C++ library's `.` matches anything but a NUL byte.
                    set.0[0] &= !1;
                    Node::Set(Box::new(set))
                }
                b'[' => {
                    self.i += 1;
                    Node::Set(Box::new(self.bracket()?))
                }
                b'^' => {
                    self.i += 1;
                    Node::Start
                }
                b'$' => {
                    self.i += 1;
                    Node::End
                }
                b'\\' => {
                    let Some(&e) = self.s.get(self.i + 1) else {
                        return Err(Invalid);
                    };
                    if !ESCAPABLE.contains(&e) {
                        return Err(Invalid);
                    }
                    self.i += 2;
                    Node::Byte(e)
                }
                b'*' | b'+' | b'?' | b'{' => return Err(Invalid),
                other => {
                    self.i += 1;
                    Node::Byte(other)
                }
            };
            let atom = self.quantifiers(atom, depth)?;
            items.push(atom);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }

    fn quantifiers(&mut self, mut atom: Node, depth: usize) -> Result<Node, Invalid> {
        let mut stacked = depth;
        loop {
            let (min, max) = match self.peek() {
                Some(b'*') => {
                    self.i += 1;
                    (0, None)
                }
                Some(b'+') => {
                    self.i += 1;
                    (1, None)
                }
                Some(b'?') => {
                    self.i += 1;
                    (0, Some(1))
                }
                Some(b'{') => {
                    self.i += 1;
                    self.interval()?
                }
                _ => return Ok(atom),
            };
            if matches!(atom, Node::Start | Node::End) {
                return Err(Invalid);
            }
            // Each quantifier nests the tree one level deeper.
            stacked += 1;
            if stacked > MAX_NESTING {
                return Err(Invalid);
            }
            atom = Node::Repeat {
                node: Box::new(atom),
                min,
                max,
            };
        }
    }

    fn number(&mut self) -> Result<Option<u32>, Invalid> {
        let start = self.i;
        let mut n: u32 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add((d - b'0') as u32))
                .ok_or(Invalid)?;
            self.i += 1;
        }
        Ok((self.i > start).then_some(n))
    }

    /// `{m}`, `{m,}` or `{m,n}`, after the `{`.
    fn interval(&mut self) -> Result<(u32, Option<u32>), Invalid> {
        let min = self.number()?.ok_or(Invalid)?;
        let max = match self.peek() {
            Some(b'}') => Some(min),
            Some(b',') => {
                self.i += 1;
                self.number()?
            }
            _ => return Err(Invalid),
        };
        if self.peek() != Some(b'}') {
            return Err(Invalid);
        }
        self.i += 1;
        if max.is_some_and(|m| m < min) {
            return Err(Invalid);
        }
        Ok((min, max))
    }

    /// A bracket expression, after the `[`.
    fn bracket(&mut self) -> Result<ByteSet, Invalid> {
        let mut set = ByteSet::empty();
        let negated = self.peek() == Some(b'^');
        if negated {
            self.i += 1;
        }
        // A `]` first is literal.
        let mut first = true;
        // The previous single-byte item, which may start a range.
        let mut prev: Option<u8> = None;
        // Just after a completed range, `-` can only end the expression.
        let mut after_range = false;
        loop {
            let Some(c) = self.peek() else {
                return Err(Invalid);
            };
            if c == b']' && !first {
                self.i += 1;
                break;
            }
            first = false;
            if c == b'[' {
                if let Some(&k @ (b':' | b'.' | b'=')) = self.s.get(self.i + 1) {
                    let body_start = self.i + 2;
                    let end = self.s[body_start..]
                        .windows(2)
                        .position(|w| w[0] == k && w[1] == b']')
                        .ok_or(Invalid)?;
                    let body = &self.s[body_start..body_start + end];
                    self.i = body_start + end + 2;
                    match k {
                        b':' => {
                            if !set.add_class(body) {
                                return Err(Invalid);
                            }
                            // A class cannot start a range.
                            if self.peek() == Some(b'-') && self.s.get(self.i + 1) != Some(&b']') {
                                return Err(Invalid);
                            }
                            prev = None;
                            after_range = false;
                        }
                        _ => {
                            let b = collating(body)?;
                            self.item(&mut set, &mut prev, &mut after_range, b)?;
                        }
                    }
                    continue;
                }
            }
            self.i += 1;
            self.item(&mut set, &mut prev, &mut after_range, c)?;
        }
        if negated {
            set.negate();
        }
        Ok(set)
    }

    /// One byte in a bracket expression: a literal, or the start or end of a range.
    fn item(
        &mut self,
        set: &mut ByteSet,
        prev: &mut Option<u8>,
        after_range: &mut bool,
        c: u8,
    ) -> Result<(), Invalid> {
        if c == b'-' && !self.at_bracket_end() {
            if *after_range {
                return Err(Invalid);
            }
            if let Some(lo) = prev.take() {
                // A range `lo-hi`.
                let hi = match self.peek() {
                    Some(b'[') => match self.s.get(self.i + 1) {
                        Some(&k @ (b'.' | b'=')) => {
                            let body_start = self.i + 2;
                            let end = self.s[body_start..]
                                .windows(2)
                                .position(|w| w[0] == k && w[1] == b']')
                                .ok_or(Invalid)?;
                            let b = collating(&self.s[body_start..body_start + end])?;
                            self.i = body_start + end + 2;
                            b
                        }
                        Some(b':') => return Err(Invalid),
                        _ => {
                            self.i += 1;
                            b'['
                        }
                    },
                    Some(h) => {
                        self.i += 1;
                        h
                    }
                    None => return Err(Invalid),
                };
                if hi < lo {
                    return Err(Invalid);
                }
                set.insert_range(lo, hi);
                *after_range = true;
                return Ok(());
            }
        }
        set.insert(c);
        *prev = Some(c);
        *after_range = false;
        Ok(())
    }

    fn at_bracket_end(&self) -> bool {
        self.peek() == Some(b']')
    }
}

/// The byte a collating element `[.x.]` or equivalence class `[=x=]` names.
fn collating(body: &[u8]) -> Result<u8, Invalid> {
    match body {
        [b] => Ok(*b),
        _ => {
            let name = std::str::from_utf8(body).map_err(|_| Invalid)?;
            COLLATING_NAMES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, b)| *b)
                .ok_or(Invalid)
        }
    }
}

/// The POSIX names of the portable character set's collating elements.
const COLLATING_NAMES: &[(&str, u8)] = &[
    ("NUL", 0),
    ("tab", b'\t'),
    ("newline", b'\n'),
    ("vertical-tab", 0x0b),
    ("form-feed", 0x0c),
    ("carriage-return", b'\r'),
    ("space", b' '),
    ("exclamation-mark", b'!'),
    ("quotation-mark", b'"'),
    ("number-sign", b'#'),
    ("dollar-sign", b'$'),
    ("percent-sign", b'%'),
    ("ampersand", b'&'),
    ("apostrophe", b'\''),
    ("left-parenthesis", b'('),
    ("right-parenthesis", b')'),
    ("asterisk", b'*'),
    ("plus-sign", b'+'),
    ("comma", b','),
    ("hyphen", b'-'),
    ("hyphen-minus", b'-'),
    ("period", b'.'),
    ("full-stop", b'.'),
    ("slash", b'/'),
    ("solidus", b'/'),
    ("zero", b'0'),
    ("one", b'1'),
    ("two", b'2'),
    ("three", b'3'),
    ("four", b'4'),
    ("five", b'5'),
    ("six", b'6'),
    ("seven", b'7'),
    ("eight", b'8'),
    ("nine", b'9'),
    ("colon", b':'),
    ("semicolon", b';'),
    ("less-than-sign", b'<'),
    ("equals-sign", b'='),
    ("greater-than-sign", b'>'),
    ("question-mark", b'?'),
    ("commercial-at", b'@'),
    ("left-square-bracket", b'['),
    ("backslash", b'\\'),
    ("reverse-solidus", b'\\'),
    ("right-square-bracket", b']'),
    ("circumflex", b'^'),
    ("circumflex-accent", b'^'),
    ("underscore", b'_'),
    ("low-line", b'_'),
    ("grave-accent", b'`'),
    ("left-brace", b'{'),
    ("left-curly-bracket", b'{'),
    ("vertical-line", b'|'),
    ("right-brace", b'}'),
    ("right-curly-bracket", b'}'),
    ("tilde", b'~'),
    ("DEL", 0x7f),
];

/// The pattern in the syntax of the `regex` crate (bytes, Unicode off, `.` matching
/// a newline).
pub fn to_rust(node: &Node) -> String {
    let mut out = String::from("(?s-u)");
    // An explicit work-list: a node to emit, or literal text to append.
    enum Item<'a> {
        Node(&'a Node),
        Text(String),
    }
    let mut work = vec![Item::Node(node)];
    while let Some(item) = work.pop() {
        let n = match item {
            Item::Text(t) => {
                out.push_str(&t);
                continue;
            }
            Item::Node(n) => n,
        };
        match n {
            Node::Empty => {}
            Node::Byte(b) => push_byte(&mut out, *b),
            Node::Set(s) => push_set(&mut out, s),
            Node::Start => out.push('^'),
            Node::End => out.push('$'),
            Node::Group(_, inner) => {
                out.push('(');
                work.push(Item::Text(")".into()));
                work.push(Item::Node(inner));
            }
            Node::Concat(items) => {
                for it in items.iter().rev() {
                    work.push(Item::Node(it));
                }
            }
            Node::Alt(branches) => {
                out.push_str("(?:");
                work.push(Item::Text(")".into()));
                for (i, b) in branches.iter().enumerate().rev() {
                    work.push(Item::Node(b));
                    if i > 0 {
                        work.push(Item::Text("|".into()));
                    }
                }
            }
            Node::Repeat { node, min, max } => {
                out.push_str("(?:");
                let q = match (min, max) {
                    (0, None) => "*".to_string(),
                    (1, None) => "+".to_string(),
                    (0, Some(1)) => "?".to_string(),
                    (m, None) => format!("{{{m},}}"),
                    (m, Some(x)) if m == x => format!("{{{m}}}"),
                    (m, Some(x)) => format!("{{{m},{x}}}"),
                };
                work.push(Item::Text(format!("){q}")));
                work.push(Item::Node(node));
            }
        }
    }
    out
}

fn push_byte(out: &mut String, b: u8) {
    if b.is_ascii_alphanumeric() || b == b'_' {
        out.push(b as char);
    } else {
        out.push_str(&format!("\\x{b:02X}"));
    }
}

fn push_set(out: &mut String, s: &ByteSet) {
    let mut ranges = Vec::new();
    let mut b = 0usize;
    while b < 256 {
        if s.contains(b as u8) {
            let lo = b;
            while b + 1 < 256 && s.contains((b + 1) as u8) {
                b += 1;
            }
            ranges.push((lo as u8, b as u8));
        }
        b += 1;
    }
    if ranges.is_empty() {
        // Matches nothing.
        out.push_str("[^\\x00-\\xFF]");
        return;
    }
    out.push('[');
    for (lo, hi) in ranges {
        out.push_str(&format!("\\x{lo:02X}"));
        if hi != lo {
            out.push_str(&format!("-\\x{hi:02X}"));
        }
    }
    out.push(']');
}
