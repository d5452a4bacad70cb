//! `builtins.sort` as a stepper: force the comparator, force the elements, then a
//! natural merge sort (ascending runs, strictly descending runs reversed, then
//! neighbouring runs merged until one is left). Stable, one comparator call per
//! comparison; comparisons `lessThan` can decide without Nix run inline.

use crate::list_steps::{boolean, callable};
use nixie_eval::ops::less;
use nixie_eval::prelude::*;

/// How two elements are compared.
enum Order {
    /// Not known until the comparator is forced.
    Unknown,
    /// `builtins.lessThan` itself: compared by Nix's `<`.
    LessThan,
    /// A Nix function `a: b: bool`.
    Func(Value),
}

/// Which way the run being scanned goes.
#[derive(Clone, Copy)]
enum Dir {
    /// Its first two elements are being compared.
    First,
    Ascending,
    Descending,
}

/// Where the sort is.
enum Phase {
    /// Forcing the comparator.
    Comparator,
    /// Forcing element `i`.
    Forcing(usize),
    /// Scanning the run that began at `start`; the pending question is
    /// `v[i] < v[i - 1]`.
    Runs { start: usize, i: usize, dir: Dir },
    /// Merging the runs `a..mid` and `b..hi` (pair `k` of the pass); the pending
    /// question is `v[b] < v[a]`.
    Merge {
        k: usize,
        a: usize,
        b: usize,
        mid: usize,
        hi: usize,
    },
}

/// The state of one `sort`.
pub(crate) struct Sort {
    order: Order,
    v: Vec<Value>,
    buf: Vec<Value>,
    /// Where the runs of the current pass begin (and where the last ends).
    bounds: Vec<usize>,
    /// The bounds of the runs the current pass is producing.
    merged: Vec<usize>,
    phase: Phase,
}

/// What the sort does next: ask Nix, or carry on with a comparison decided here.
enum Ask {
    Nix(Next),
    Decided(bool),
}

impl Sort {
    /// The steps of sorting `list` (not empty) with `f`.
    pub(crate) fn steps(f: Value, list: &List) -> Steps {
        let s = Sort {
            order: Order::Unknown,
            v: list.iter().cloned().collect(),
            buf: Vec::new(),
            bounds: Vec::new(),
            merged: Vec::new(),
            phase: Phase::Comparator,
        };
        Steps::new(Next::Force(f), s)
    }

    /// Take the forced comparator, then force the elements.
    fn comparator(&mut self, f: Value) -> Result<Next, Error> {
        let f = callable(f).map_err(|e| {
            Error::from(e).context("while evaluating the first argument passed to builtins.sort")
        })?;
        self.order = match &f {
            Value::Builtin(p) if p.name() == "lessThan" && p.args_given() == 0 => Order::LessThan,
            _ => Order::Func(f),
        };
        self.force_from(0)
    }

    /// Force the elements from `i` on (those evaluated already in place), then sort.
    fn force_from(&mut self, mut i: usize) -> Result<Next, Error> {
        while let Some(x) = self.v.get(i) {
            if let Value::Thunk(t) = x {
                match t.value() {
                    Some(v) => self.v[i] = v,
                    None => {
                        self.phase = Phase::Forcing(i);
                        return Ok(Next::Force(x.clone()));
                    }
                }
            }
            i += 1;
        }
        self.bounds.push(0);
        match self.start_run(0) {
            Some((x, y)) => match self.ask(x, y)? {
                Ask::Nix(next) => Ok(next),
                Ask::Decided(r) => self.advance(Some(r)),
            },
            None => Ok(self.sorted()),
        }
    }

    /// The result, once sorted.
    fn sorted(&mut self) -> Next {
        Next::Done(Value::List(List::from(std::mem::take(&mut self.v))))
    }

    /// `v[x] < v[y]`, decided here or asked of Nix.
    fn ask(&self, x: usize, y: usize) -> Result<Ask, Error> {
        let (a, b) = (&self.v[x], &self.v[y]);
        Ok(match &self.order {
            Order::LessThan => match (a, b) {
                (Value::List(_), _) | (_, Value::List(_)) => {
                    Ask::Nix(Next::Less(a.clone(), b.clone()))
                }
                _ => Ask::Decided(less(a, b).map_err(|e| Error::from(e).context(ORDERING))?),
            },
            Order::Func(f) => Ask::Nix(Next::Call(f.clone(), CallArgs::Two(a.clone(), b.clone()))),
            Order::Unknown => unreachable!("comparisons start once the comparator is known"),
        })
    }

    /// The comparator's answer as a Boolean.
    fn verdict(&self, answer: &Value) -> Result<bool, Error> {
        boolean(answer, "the sorting function passed to builtins.sort")
    }

    /// Carry on from the answer `lt` to the pending question (none when a phase
    /// begins), until Nix must be asked something or the sort is done.
    fn advance(&mut self, mut lt: Option<bool>) -> Result<Next, Error> {
        loop {
            let question = match self.phase {
                Phase::Forcing(_) | Phase::Comparator => {
                    unreachable!("forcing answers are taken in resume")
                }
                Phase::Runs { start, i, dir } => self.scan(start, i, dir, lt.take()),
                Phase::Merge { k, a, b, mid, hi } => self.merge(k, a, b, mid, hi, lt.take()),
            };
            let Some((x, y)) = question else {
                return Ok(self.sorted());
            };
            match self.ask(x, y)? {
                Ask::Nix(next) => return Ok(next),
                Ask::Decided(r) => lt = Some(r),
            }
        }
    }

    /// One step of scanning runs; the next question, or None when sorted.
    fn scan(
        &mut self,
        start: usize,
        mut i: usize,
        dir: Dir,
        lt: Option<bool>,
    ) -> Option<(usize, usize)> {
        let n = self.v.len();
        let dir = match (dir, lt) {
            (Dir::First, Some(r)) => {
                i += 1;
                if r {
                    Dir::Descending
                } else {
                    Dir::Ascending
                }
            }
            (Dir::Ascending, Some(false)) | (Dir::Descending, Some(true)) => {
                i += 1;
                dir
            }
            (Dir::Ascending, Some(true)) | (Dir::Descending, Some(false)) => {
                return self.end_run(start, i, dir);
            }
            (_, None) => dir,
        };
        if i < n {
            self.phase = Phase::Runs { start, i, dir };
            Some((i, i - 1))
        } else {
            self.end_run(start, i, dir)
        }
    }

    /// The run `start..end` is complete: start the next one, or the merging.
    fn end_run(&mut self, start: usize, end: usize, dir: Dir) -> Option<(usize, usize)> {
        if let Dir::Descending = dir {
            self.v[start..end].reverse();
        }
        self.bounds.push(end);
        self.start_run(end)
    }

    /// Begin a run at `start` (or the merging, past the end).
    fn start_run(&mut self, start: usize) -> Option<(usize, usize)> {
        let n = self.v.len();
        if start >= n {
            return self.start_pass();
        }
        if start + 1 >= n {
            self.bounds.push(n);
            return self.start_pass();
        }
        self.phase = Phase::Runs {
            start,
            i: start + 1,
            dir: Dir::First,
        };
        Some((start + 1, start))
    }

    /// Begin a merging pass, or finish when one run is left.
    fn start_pass(&mut self) -> Option<(usize, usize)> {
        if self.bounds.len() <= 2 {
            return None;
        }
        self.merged.clear();
        self.merged.push(0);
        self.buf.clear();
        self.next_pair(0)
    }

    /// Merge pair `k` of the pass onwards: the next question, the next pass, or None.
    fn next_pair(&mut self, mut k: usize) -> Option<(usize, usize)> {
        loop {
            if k + 1 >= self.bounds.len() {
                std::mem::swap(&mut self.v, &mut self.buf);
                std::mem::swap(&mut self.bounds, &mut self.merged);
                return self.start_pass();
            }
            let (lo, mid) = (self.bounds[k], self.bounds[k + 1]);
            match self.bounds.get(k + 2) {
                Some(&hi) => {
                    self.phase = Phase::Merge {
                        k,
                        a: lo,
                        b: mid,
                        mid,
                        hi,
                    };
                    return Some((mid, lo));
                }
                None => {
                    let v = &mut self.v;
                    self.buf.extend(v[lo..mid].iter_mut().map(std::mem::take));
                    self.merged.push(mid);
                    k += 1;
                }
            }
        }
    }

    /// One step of merging `a..mid` with `b..hi`, given `lt = v[b] < v[a]`.
    fn merge(
        &mut self,
        k: usize,
        mut a: usize,
        mut b: usize,
        mid: usize,
        hi: usize,
        lt: Option<bool>,
    ) -> Option<(usize, usize)> {
        let v = &mut self.v;
        match lt {
            Some(true) => {
                self.buf.push(std::mem::take(&mut v[b]));
                b += 1;
            }
            Some(false) => {
                self.buf.push(std::mem::take(&mut v[a]));
                a += 1;
            }
            None => {}
        }
        if a < mid && b < hi {
            self.phase = Phase::Merge { k, a, b, mid, hi };
            return Some((b, a));
        }
        self.buf.extend(v[a..mid].iter_mut().map(std::mem::take));
        self.buf.extend(v[b..hi].iter_mut().map(std::mem::take));
        self.merged.push(hi);
        self.next_pair(k + 2)
    }
}

impl Stepper for Sort {
    fn resume(&mut self, answer: Value) -> Result<Next, Error> {
        match self.phase {
            Phase::Comparator => self.comparator(answer),
            Phase::Forcing(i) => {
                self.v[i] = answer;
                self.force_from(i + 1)
            }
            Phase::Runs { .. } | Phase::Merge { .. } => {
                let lt = match self.order {
                    Order::Func(_) => self.verdict(&answer)?,
                    _ => matches!(answer, Value::Bool(true)),
                };
                self.advance(Some(lt))
            }
        }
    }

    fn trace(&self, error: Error) -> Error {
        // Only `lessThan`'s comparisons of lists are asked of the VM.
        match (&self.order, &self.phase) {
            (Order::LessThan, Phase::Runs { .. } | Phase::Merge { .. }) => error.context(ORDERING),
            _ => error,
        }
    }
}

/// The trace line of a comparison error under `lessThan`.
const ORDERING: &str = "while evaluating the ordering function passed to builtins.sort";
