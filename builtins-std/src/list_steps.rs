//! The loops of the list builtins that call Nix functions (`foldl'`, `filter`,
//! `any`, `all`, `concatMap`, `partition`, `groupBy`), as steppers the VM runs
//! directly: one frame per loop, resumed with each call's result.

use nixie_eval::convert::type_error;
use nixie_eval::prelude::*;
use std::collections::BTreeMap;

/// `answer` as a Boolean; anything else is a type error traced as the return
/// value of `what`.
pub(crate) fn boolean(answer: &Value, what: &str) -> Result<bool, Error> {
    match answer {
        Value::Bool(b) => Ok(*b),
        other => Err(Error::from(type_error("a Boolean", other))
            .context(format!("while evaluating the return value of {what}"))),
    }
}

/// `f` if it is callable (a lambda, a builtin, or a set with `__functor`).
pub(crate) fn callable(f: Value) -> Result<Value, ErrorKind> {
    match &f {
        Value::Closure(_) | Value::Builtin(_) => Ok(f),
        Value::Attrs(a) if a.contains(b"__functor") => Ok(f),
        other => Err(type_error("a function", other)),
    }
}

/// `foldl' op nul list` after its first call: each answer is the accumulator.
pub(crate) struct Fold {
    pub(crate) op: Value,
    pub(crate) list: List,
    /// The element the next call takes.
    pub(crate) at: usize,
}

impl Stepper for Fold {
    fn resume(&mut self, acc: Value) -> Result<Next, Error> {
        Ok(match self.list.get(self.at) {
            Some(x) => {
                self.at += 1;
                Next::Call(self.op.clone(), CallArgs::Two(acc, x.clone()))
            }
            None => Next::Done(acc),
        })
    }
}

/// `filter f list`: forces `f`, then keeps the elements it accepts.
pub(crate) struct Filter {
    /// The function (as given until the first answer forces it).
    pub(crate) f: Value,
    pub(crate) list: List,
    /// The element the pending call tests (none while the function is forced).
    pub(crate) at: Option<usize>,
    pub(crate) kept: Vec<Value>,
}

impl Stepper for Filter {
    fn resume(&mut self, answer: Value) -> Result<Next, Error> {
        let next = match self.at {
            None => {
                self.f = callable(answer).map_err(|e| {
                    Error::from(e)
                        .context("while evaluating the first argument passed to builtins.filter")
                })?;
                0
            }
            Some(i) => {
                let what = "the filtering function passed to builtins.filter";
                if boolean(&answer, what)? {
                    self.kept.push(self.list.as_slice()[i].clone());
                }
                i + 1
            }
        };
        Ok(match self.list.get(next) {
            Some(x) => {
                self.at = Some(next);
                Next::Call(self.f.clone(), CallArgs::One(x.clone()))
            }
            None if self.kept.len() == self.list.len() => {
                Next::Done(Value::List(self.list.clone()))
            }
            None => Next::Done(Value::List(List::from(std::mem::take(&mut self.kept)))),
        })
    }
}

/// `any f list` (`stop_on` true) or `all f list` (false): stops at the first
/// answer equal to `stop_on`.
pub(crate) struct Quantifier {
    pub(crate) f: Value,
    pub(crate) list: List,
    pub(crate) at: usize,
    pub(crate) stop_on: bool,
    pub(crate) what: &'static str,
}

impl Stepper for Quantifier {
    fn resume(&mut self, answer: Value) -> Result<Next, Error> {
        if boolean(&answer, self.what)? == self.stop_on {
            return Ok(Next::Done(Value::Bool(self.stop_on)));
        }
        self.at += 1;
        Ok(match self.list.get(self.at) {
            Some(x) => Next::Call(self.f.clone(), CallArgs::One(x.clone())),
            None => Next::Done(Value::Bool(!self.stop_on)),
        })
    }
}

/// `elem x list`: forces `x`, then compares it with each element in turn until
/// one is equal. Comparisons that the two values decide at once (numbers,
/// strings, the very same object) are made here; the others are asked for.
pub(crate) struct Elem {
    /// `x` as given (for identity with an element).
    x: Value,
    /// `x` forced (none until the first answer).
    forced: Option<Value>,
    list: List,
    /// The element the pending comparison is with.
    at: usize,
}

impl Elem {
    /// The steps after asking for `x` forced.
    pub(crate) fn new(x: Value, list: List) -> Elem {
        Elem {
            x,
            forced: None,
            list,
            at: 0,
        }
    }

    /// Compare with the elements from `from` on, up to the first that needs a
    /// Nix comparison.
    fn scan(&mut self, from: usize) -> Next {
        let fx = self
            .forced
            .as_ref()
            .expect("scanning starts after x is forced");
        for (i, e) in self.list.as_slice().iter().enumerate().skip(from) {
            if self.x.same_object(e) {
                return Next::Done(Value::Bool(true));
            }
            match nixie_eval::ops::equal_now(fx, e) {
                Some(true) => return Next::Done(Value::Bool(true)),
                Some(false) => {}
                None => {
                    self.at = i;
                    return Next::Equal(fx.clone(), e.clone());
                }
            }
        }
        Next::Done(Value::Bool(false))
    }
}

impl Stepper for Elem {
    fn resume(&mut self, answer: Value) -> Result<Next, Error> {
        if self.forced.is_none() {
            self.forced = Some(answer);
            return Ok(self.scan(0));
        }
        if matches!(answer, Value::Bool(true)) {
            return Ok(Next::Done(Value::Bool(true)));
        }
        Ok(self.scan(self.at + 1))
    }
}

/// Concatenate lists, sharing the only non-empty one if there is just one.
pub(crate) fn concat_parts(parts: Vec<List>, total: usize) -> List {
    if let Some(l) = parts.iter().find(|l| !l.is_empty()) {
        if l.len() == total {
            return l.clone();
        }
    }
    let mut out = Vec::with_capacity(total);
    for l in &parts {
        out.extend_from_slice(l.as_slice());
    }
    List::from(out)
}

/// `concatLists lists`: takes the lists already evaluated as they are and asks
/// for the others to be forced.
pub(crate) struct ConcatLists {
    lists: List,
    /// The element taken next.
    at: usize,
    parts: Vec<List>,
    total: usize,
}

impl ConcatLists {
    pub(crate) fn new(lists: List) -> ConcatLists {
        ConcatLists {
            lists,
            at: 0,
            parts: Vec::new(),
            total: 0,
        }
    }

    /// Take the evaluated elements from `at` on, up to the first that must be
    /// forced (asked for), or the end (the concatenation).
    pub(crate) fn scan(&mut self) -> Result<Next, Error> {
        while let Some(e) = self.lists.get(self.at) {
            if !e.is_forced() {
                return Ok(Next::Force(e.clone()));
            }
            let v = e.shallow();
            self.take(v)?;
        }
        let parts = std::mem::take(&mut self.parts);
        Ok(Next::Done(Value::List(concat_parts(parts, self.total))))
    }

    /// Take the element at `at`, evaluated: it must be a list.
    fn take(&mut self, v: Value) -> Result<(), Error> {
        let Value::List(l) = v else {
            return Err(Error::from(type_error("a list", &v))
                .context("while evaluating a value of the list passed to builtins.concatLists"));
        };
        self.total += l.len();
        self.parts.push(l);
        self.at += 1;
        Ok(())
    }
}

impl Stepper for ConcatLists {
    fn resume(&mut self, answer: Value) -> Result<Next, Error> {
        self.take(answer)?;
        self.scan()
    }
}

/// `concatMap f list`: each answer must be a list.
pub(crate) struct ConcatMap {
    pub(crate) f: Value,
    pub(crate) list: List,
    pub(crate) at: usize,
    pub(crate) parts: Vec<List>,
    pub(crate) total: usize,
}

impl Stepper for ConcatMap {
    fn resume(&mut self, answer: Value) -> Result<Next, Error> {
        let Value::List(l) = answer else {
            return Err(Error::from(type_error("a list", &answer)).context_at(
                "while evaluating the return value of the function passed to builtins.concatMap",
                self.f.defined_at(),
            ));
        };
        self.total += l.len();
        self.parts.push(l);
        self.at += 1;
        Ok(match self.list.get(self.at) {
            Some(x) => Next::Call(self.f.clone(), CallArgs::One(x.clone())),
            None => Next::Done(Value::List(concat_parts(
                std::mem::take(&mut self.parts),
                self.total,
            ))),
        })
    }
}

/// `partition f list`: forces each element, then asks `f` about it.
pub(crate) struct Partition {
    pub(crate) f: Value,
    pub(crate) list: List,
    pub(crate) at: usize,
    /// The forced element the pending call tests; none while forcing it.
    pub(crate) testing: Option<Value>,
    pub(crate) right: Vec<Value>,
    pub(crate) wrong: Vec<Value>,
}

impl Partition {
    /// Force element `at`, or finish past the end.
    pub(crate) fn force_next(&mut self) -> Next {
        match self.list.get(self.at) {
            Some(x) => Next::Force(x.clone()),
            None => Next::Done(Value::Attrs(Attrs::from_sorted(vec![
                (
                    "right".into(),
                    Value::List(List::from(std::mem::take(&mut self.right))),
                ),
                (
                    "wrong".into(),
                    Value::List(List::from(std::mem::take(&mut self.wrong))),
                ),
            ]))),
        }
    }
}

impl Stepper for Partition {
    fn resume(&mut self, answer: Value) -> Result<Next, Error> {
        match self.testing.take() {
            None => {
                self.testing = Some(answer.clone());
                Ok(Next::Call(self.f.clone(), CallArgs::One(answer)))
            }
            Some(x) => {
                let what = "the partition function passed to builtins.partition";
                if boolean(&answer, what)? {
                    self.right.push(x);
                } else {
                    self.wrong.push(x);
                }
                self.at += 1;
                Ok(self.force_next())
            }
        }
    }
}

/// `groupBy f list`: each answer is the name of the element's group.
pub(crate) struct GroupBy {
    pub(crate) f: Value,
    pub(crate) list: List,
    pub(crate) at: usize,
    pub(crate) groups: BTreeMap<NixString, Vec<Value>>,
}

impl Stepper for GroupBy {
    fn resume(&mut self, answer: Value) -> Result<Next, Error> {
        let Value::String(name) = answer else {
            return Err(Error::from(type_error("a string", &answer)).context(
                "while evaluating the return value of the grouping function passed to builtins.groupBy",
            ));
        };
        name.require_no_context()?;
        self.groups
            .entry(name)
            .or_default()
            .push(self.list.as_slice()[self.at].clone());
        self.at += 1;
        Ok(match self.list.get(self.at) {
            Some(x) => Next::Call(self.f.clone(), CallArgs::One(x.clone())),
            None => Next::Done(Value::Attrs(Attrs::from_sorted(
                std::mem::take(&mut self.groups)
                    .into_iter()
                    .map(|(k, v)| (k, Value::List(List::from(v))))
                    .collect(),
            ))),
        })
    }
}
