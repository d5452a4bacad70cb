//! `builtins.replaceStrings`: a resumable scan that asks for a replacement string
//! only when its pattern matches (replacements are lazy in current Nix).

use nixie_eval::prelude::*;
use nixie_eval::value::{merge_context, NixContext};

/// The state of a replacement in progress.
pub struct Replacer {
    from: Vec<NixString>,
    /// Replacements fetched so far, by pattern index.
    to: Vec<Option<NixString>>,
    subject: NixString,
    pos: usize,
    out: Vec<u8>,
    ctx: NixContext,
    replaced: bool,
    /// Bytes that start some pattern (when no pattern is empty).
    first: [bool; 256],
    has_empty: bool,
}

/// What the scan needs next.
pub enum Progress {
    /// Finished: the result.
    Done(NixString),
    /// The replacement of pattern `i` is needed.
    Need(usize),
}

impl Replacer {
    /// Start replacing `from` patterns in `subject`.
    pub fn new(from: Vec<NixString>, subject: NixString) -> Replacer {
        let mut first = [false; 256];
        let mut has_empty = false;
        for f in &from {
            match f.as_bytes().first() {
                Some(&b) => first[b as usize] = true,
                None => has_empty = true,
            }
        }
        let n = from.len();
        Replacer {
            from,
            to: vec![None; n],
            out: Vec::new(),
            ctx: NixContext::new(),
            pos: 0,
            replaced: false,
            subject,
            first,
            has_empty,
        }
    }

    /// Provide the replacement of pattern `i`.
    pub fn provide(&mut self, i: usize, s: NixString) {
        self.to[i] = Some(s);
    }

    /// Scan on until done or a replacement is needed.
    pub fn run(&mut self) -> Progress {
        let subject = self.subject.clone();
        let s = subject.as_bytes();
        if self.from.is_empty() {
            return Progress::Done(subject);
        }
        while self.pos <= s.len() {
            if !self.has_empty {
                let start = self.pos;
                while self.pos < s.len() && !self.first[s[self.pos] as usize] {
                    self.pos += 1;
                }
                if self.replaced {
                    self.out.extend_from_slice(&s[start..self.pos]);
                }
                if self.pos == s.len() {
                    break;
                }
            }
            let rest = &s[self.pos..];
            match self
                .from
                .iter()
                .position(|f| rest.starts_with(f.as_bytes()))
            {
                Some(i) => {
                    let Some(rep) = &self.to[i] else {
                        return Progress::Need(i);
                    };
                    if !self.replaced {
                        // Everything before this point is unchanged.
                        self.out.reserve(s.len());
                        self.out.extend_from_slice(&s[..self.pos]);
                        self.replaced = true;
                    }
                    self.out.extend_from_slice(rep.as_bytes());
                    merge_context(&mut self.ctx, rep.context());
                    let n = self.from[i].len();
                    if n == 0 {
                        if let Some(&c) = s.get(self.pos) {
                            self.out.push(c);
                        }
                        self.pos += 1;
                    } else {
                        self.pos += n;
                    }
                }
                None => {
                    if self.replaced {
                        if let Some(&c) = s.get(self.pos) {
                            self.out.push(c);
                        }
                    }
                    self.pos += 1;
                }
            }
        }
        if !self.replaced {
            return Progress::Done(subject);
        }
        let mut ctx = std::mem::take(&mut self.ctx);
        if ctx.is_empty() {
            if let Some(c) = subject.context() {
                ctx = c.clone();
            }
        } else {
            merge_context(&mut ctx, subject.context());
        }
        Progress::Done(NixString::with_context(std::mem::take(&mut self.out), ctx))
    }
}
