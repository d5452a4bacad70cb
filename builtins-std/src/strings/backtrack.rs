//! A depth-first matcher with the semantics of the C++ standard library's POSIX
//! matcher, which C++ Nix uses: branches are tried in order, a greedy repetition
//! first tries one more iteration and only tries stopping while no match has been
//! found yet, every branch of an alternation is tried and the longest match wins
//! (the first one found among equally long ones), and a repetition may repeat an
//! empty iteration at most twice at the same position.
//!
//! The `regex` crate agrees with this except for alternations (longest, not first)
//! and for the captures of empty iterations, so it is only used for those patterns
//! and for the non-empty retry after an empty match of `split`. The search keeps an
//! explicit stack: its depth never reaches the Rust stack.

use super::posix::{ByteSet, Node};

#[derive(Debug, Clone)]
enum Inst {
    Byte(u8),
    Set(u32),
    Start,
    End,
    Save(u32),
    /// Try both, the first one first.
    Alt(u32, u32),
    /// A greedy repetition point: `more` is one more iteration, `less` stops; `id`
    /// indexes its empty-iteration counter.
    Repeat {
        more: u32,
        less: u32,
        id: u32,
    },
    Jump(u32),
    Accept,
}

/// A compiled program.
pub struct Program {
    insts: Vec<Inst>,
    sets: Vec<ByteSet>,
    repeats: u32,
    slots: usize,
}

/// Largest program we build (bounded repetitions copy their operand).
const MAX_INSTS: usize = 2_000_000;

/// The program is too large.
pub struct TooBig;

impl Program {
    /// Compile a syntax tree with `groups` capture groups.
    pub fn compile(node: &Node, groups: u32) -> Result<Program, TooBig> {
        let mut p = Program {
            insts: Vec::new(),
            sets: Vec::new(),
            repeats: 0,
            slots: 2 * (groups as usize + 1),
        };
        p.emit(node)?;
        p.push(Inst::Accept)?;
        Ok(p)
    }

    fn push(&mut self, i: Inst) -> Result<u32, TooBig> {
        if self.insts.len() >= MAX_INSTS {
            return Err(TooBig);
        }
        self.insts.push(i);
        Ok(self.insts.len() as u32 - 1)
    }

    fn here(&self) -> u32 {
        self.insts.len() as u32
    }

    fn patch(&mut self, at: u32, to: u32) {
        match &mut self.insts[at as usize] {
            Inst::Jump(t) => *t = to,
            Inst::Alt(_, b) => *b = to,
            Inst::Repeat { less, .. } => *less = to,
            _ => {}
        }
    }

    fn new_repeat(&mut self, more: u32) -> Result<u32, TooBig> {
        let id = self.repeats;
        self.repeats += 1;
        self.push(Inst::Repeat { more, less: 0, id })
    }

    // The recursion follows the nesting of the pattern, which the parser bounds.
    fn emit(&mut self, node: &Node) -> Result<(), TooBig> {
        match node {
            Node::Empty => {}
            Node::Byte(b) => {
                self.push(Inst::Byte(*b))?;
            }
            Node::Set(s) => {
                self.sets.push((**s).clone());
                self.push(Inst::Set(self.sets.len() as u32 - 1))?;
            }
            Node::Start => {
                self.push(Inst::Start)?;
            }
            Node::End => {
                self.push(Inst::End)?;
            }
            Node::Group(n, inner) => {
                self.push(Inst::Save(2 * n))?;
                self.emit(inner)?;
                self.push(Inst::Save(2 * n + 1))?;
            }
            Node::Concat(items) => {
                for it in items {
                    self.emit(it)?;
                }
            }
            Node::Alt(branches) => {
                let mut jumps = Vec::new();
                for (i, b) in branches.iter().enumerate() {
                    if i + 1 < branches.len() {
                        let alt = self.push(Inst::Alt(0, 0))?;
                        let first = self.here();
                        if let Inst::Alt(a, _) = &mut self.insts[alt as usize] {
                            *a = first;
                        }
                        self.emit(b)?;
                        jumps.push(self.push(Inst::Jump(0))?);
                        let next = self.here();
                        self.patch(alt, next);
                    } else {
                        self.emit(b)?;
                    }
                }
                let end = self.here();
                for j in jumps {
                    self.patch(j, end);
                }
            }
            Node::Repeat { node, min, max } => {
                let plus = *min >= 1 && max.is_none();
                // `x+` is `x` followed by a repetition point that loops back to it.
                let copies = if plus { *min - 1 } else { *min };
                for _ in 0..copies {
                    self.emit(node)?;
                }
                match max {
                    None if plus => {
                        let body = self.here();
                        self.emit(node)?;
                        let r = self.new_repeat(body)?;
                        let end = self.here();
                        self.patch(r, end);
                    }
                    None => {
                        let r = self.new_repeat(0)?;
                        let body = self.here();
                        if let Inst::Repeat { more, .. } = &mut self.insts[r as usize] {
                            *more = body;
                        }
                        self.emit(node)?;
                        self.push(Inst::Jump(r))?;
                        let end = self.here();
                        self.patch(r, end);
                    }
                    Some(max) => {
                        // Nested optional copies: `x{0,2}` is `(x(x)?)?`.
                        let mut points = Vec::new();
                        for _ in *min..*max {
                            let r = self.new_repeat(0)?;
                            let body = self.here();
                            if let Inst::Repeat { more, .. } = &mut self.insts[r as usize] {
                                *more = body;
                            }
                            points.push(r);
                            self.emit(node)?;
                        }
                        let end = self.here();
                        for r in points {
                            self.patch(r, end);
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// How a run accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The whole rest of the input must match.
    Exact,
    /// Any prefix may match; the longest found wins.
    Prefix,
}

enum Step {
    Explore(u32, usize),
    RestoreSlot(u32, Option<usize>),
    RestoreCount(u32, (usize, u32)),
    AltRight(u32, usize),
    MergeSol(bool),
    RepeatLess(u32, usize),
}

/// The capture slots of a match: `slots[2i]..slots[2i+1]` is group i (0 = the match).
pub type Slots = Vec<Option<usize>>;

impl Program {
    /// Run the program anchored at `start`: the captures of the match, if any.
    /// `not_null`: an empty match does not count.
    pub fn run(&self, hay: &[u8], start: usize, mode: Mode, not_null: bool) -> Option<Slots> {
        let mut cur: Slots = vec![None; self.slots];
        let mut best: Option<Slots> = None;
        let mut best_end: Option<usize> = None;
        let mut has_sol = false;
        let mut counts: Vec<(usize, u32)> = vec![(0, 0); self.repeats as usize];
        let mut stack = vec![Step::Explore(0, start)];
        while let Some(step) = stack.pop() {
            let (mut pc, mut pos) = match step {
                Step::Explore(pc, pos) => (pc, pos),
                Step::RestoreSlot(s, v) => {
                    cur[s as usize] = v;
                    continue;
                }
                Step::RestoreCount(id, v) => {
                    counts[id as usize] = v;
                    continue;
                }
                Step::AltRight(b, pos) => {
                    stack.push(Step::MergeSol(has_sol));
                    has_sol = false;
                    stack.push(Step::Explore(b, pos));
                    continue;
                }
                Step::MergeSol(saved) => {
                    has_sol |= saved;
                    continue;
                }
                Step::RepeatLess(less, pos) => {
                    if !has_sol {
                        stack.push(Step::Explore(less, pos));
                    }
                    continue;
                }
            };
            // Follow the thread until it fails, accepts or branches.
            loop {
                match &self.insts[pc as usize] {
                    Inst::Byte(b) => {
                        if hay.get(pos) == Some(b) {
                            pc += 1;
                            pos += 1;
                        } else {
                            break;
                        }
                    }
                    Inst::Set(i) => match hay.get(pos) {
                        Some(&c) if self.sets[*i as usize].contains(c) => {
                            pc += 1;
                            pos += 1;
                        }
                        _ => break,
                    },
                    Inst::Start => {
                        if pos == 0 {
                            pc += 1;
                        } else {
                            break;
                        }
                    }
                    Inst::End => {
                        if pos == hay.len() {
                            pc += 1;
                        } else {
                            break;
                        }
                    }
                    Inst::Save(s) => {
                        stack.push(Step::RestoreSlot(*s, cur[*s as usize]));
                        cur[*s as usize] = Some(pos);
                        pc += 1;
                    }
                    Inst::Jump(t) => pc = *t,
                    Inst::Alt(a, b) => {
                        stack.push(Step::AltRight(*b, pos));
                        pc = *a;
                    }
                    Inst::Repeat { more, less, id } => {
                        stack.push(Step::RepeatLess(*less, pos));
                        let c = counts[*id as usize];
                        if c.1 == 0 || c.0 != pos {
                            stack.push(Step::RestoreCount(*id, c));
                            counts[*id as usize] = (pos, 1);
                            pc = *more;
                        } else if c.1 < 2 {
                            stack.push(Step::RestoreCount(*id, c));
                            counts[*id as usize] = (pos, c.1 + 1);
                            pc = *more;
                        } else {
                            break;
                        }
                    }
                    Inst::Accept => {
                        let ok = match mode {
                            Mode::Exact => pos == hay.len(),
                            Mode::Prefix => true,
                        } && !(not_null && pos == start);
                        if ok {
                            has_sol = true;
                            if best_end.is_none_or(|e| e < pos) {
                                best_end = Some(pos);
                                let mut s = cur.clone();
                                s[0] = Some(start);
                                s[1] = Some(pos);
                                best = Some(s);
                            }
                        }
                        break;
                    }
                }
            }
        }
        best
    }
}
