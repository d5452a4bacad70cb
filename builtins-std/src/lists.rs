//! List builtins: `length`, `head`, `map`, `filter`, `foldl'`, `sort`, `genericClosure`, ….
//!
//! Strictness follows current C++ Nix: elements are only forced where Nix forces them,
//! `map`/`genList` build unevaluated applications, and functions passed as arguments are
//! forced no earlier than Nix forces them.

use nixie_eval::builtins;

#[builtins(name = "lists")]
pub mod defs {
    use crate::list_steps::*;
    use crate::sort_steps::Sort;
    use nixie_eval::convert::type_error;
    use nixie_eval::prelude::*;
    use std::collections::{BTreeMap, BTreeSet, VecDeque};
    use std::ffi::OsString;

    /// The set `genericClosure` takes.
    #[derive(FromAttrs)]
    #[nix(allow_unknown)]
    pub struct ClosureArgs {
        #[nix(rename = "startSet")]
        start_set: List,
        operator: Option<Value>,
    }

    // ----- helpers -------------------------------------------------------------------

    /// Force a value inside a builtin body; an evaluated value costs no suspension.
    macro_rules! forced {
        ($co:expr, $v:expr) => {
            $co.force($v).await
        };
    }

    /// Call `f x` (forced).
    fn call(co: &mut Co, f: Value, x: Value) -> nixie_eval::context::ValueFuture<'_> {
        co.call(f, x)
    }

    /// Force `f` and require something callable.
    async fn force_function(co: &mut Co, f: Value) -> Result<Value, ErrorKind> {
        let f = co.force(f).await;
        callable(f)
    }

    /// For builtins that are lazy in their function argument (`map`, `genList`): reject an
    /// already evaluated non-function at once, as current Nix does, but never force a
    /// pending thunk (so self-referential definitions keep working).
    fn check_function_if_evaluated(f: &Value) -> Result<Value, ErrorKind> {
        let v = f.shallow();
        if matches!(v, Value::Thunk(_)) {
            return Ok(v);
        }
        callable(v)
    }

    /// Nix `<` on two forced values (as `builtins.lessThan` and ordered key sets compare).
    async fn nix_less(co: &mut Co, a: &Value, b: &Value) -> Result<bool, Error> {
        co.less(a.clone(), b.clone()).await
    }

    fn index_error(name: &str, i: i64, len: usize) -> ErrorKind {
        ErrorKind::Other(format!(
            "'builtins.{name}' called with index {i} on a list of size {len}"
        ))
    }

    fn missing(name: &str) -> ErrorKind {
        ErrorKind::MissingAttribute(name.to_string())
    }

    // ----- simple accessors ----------------------------------------------------------

    /// The number of elements of a list.
    #[builtin("length")]
    fn length(l: List) -> Result<i64, ErrorKind> {
        Ok(l.len() as i64)
    }

    /// The first element of a list; an error if the list is empty.
    #[builtin("head")]
    fn head(
        #[context = "while evaluating the first argument passed to 'builtins.head'"] l: List,
    ) -> Result<Value, ErrorKind> {
        match l.get(0) {
            Some(v) => Ok(v.clone()),
            None => Err(ErrorKind::Other(
                "'builtins.head' called on an empty list".into(),
            )),
        }
    }

    /// The list without its first element; an error if the list is empty.
    #[builtin("tail")]
    fn tail(
        #[context = "while evaluating the first argument passed to 'builtins.tail'"] l: List,
    ) -> Result<List, ErrorKind> {
        if l.is_empty() {
            return Err(ErrorKind::Other(
                "'builtins.tail' called on an empty list".into(),
            ));
        }
        Ok(List::from(l.as_slice()[1..].to_vec()))
    }

    /// Element `n` of a list, counting from zero.
    #[builtin("elemAt")]
    fn elem_at(
        #[context = "while evaluating the first argument passed to 'builtins.elemAt'"] l: List,
        #[context = "while evaluating the second argument passed to 'builtins.elemAt'"] n: i64,
    ) -> Result<Value, ErrorKind> {
        usize::try_from(n)
            .ok()
            .and_then(|i| l.get(i))
            .cloned()
            .ok_or_else(|| index_error("elemAt", n, l.len()))
    }

    /// Whether `x` is equal (by Nix `==`) to some element of the list.
    #[builtin("elem")]
    fn elem(#[lazy] x: Value, list: List) -> Result<Steps, ErrorKind> {
        if list.is_empty() {
            return Ok(Steps::done(false));
        }
        Ok(Steps::new(Next::Force(x.clone()), Elem::new(x, list)))
    }

    // ----- building lists ------------------------------------------------------------

    /// Apply `f` to every element of a list; the applications stay unevaluated.
    #[builtin("map", global)]
    fn map(#[lazy] f: Value, list: List) -> Result<List, ErrorKind> {
        if list.is_empty() {
            return Ok(list);
        }
        let f = check_function_if_evaluated(&f).map_err(|e| {
            Error::from(e).context("while evaluating the first argument passed to builtins.map")
        })?;
        Ok(list
            .iter()
            .map(|x| Value::Thunk(Thunk::apply(f.clone(), x.clone())))
            .collect())
    }

    /// How many elements a builtin makes between checks of the memory budget and
    /// the interrupt.
    const BULK_CHECK_EVERY: i64 = 1 << 16;

    /// The list `[ (f 0) (f 1) … (f (n - 1)) ]`, with unevaluated elements.
    #[builtin("genList")]
    fn gen_list(#[lazy] f: Value, n: i64) -> Result<List, ErrorKind> {
        if n < 0 {
            return Err(ErrorKind::Other(format!("cannot create list of size {n}")));
        }
        let f = check_function_if_evaluated(&f).map_err(|e| {
            Error::from(e).context("while evaluating the first argument passed to builtins.genList")
        })?;
        let mut v = Vec::new();
        usize::try_from(n)
            .ok()
            .and_then(|len| v.try_reserve_exact(len).ok())
            .ok_or_else(|| ErrorKind::Other(format!("cannot create list of size {n}")))?;
        nixie_eval::limits::check_bulk()?;
        for i in 0..n {
            if i % BULK_CHECK_EVERY == 0 {
                nixie_eval::limits::check_bulk()?;
            }
            v.push(Value::Thunk(Thunk::apply(f.clone(), Value::Int(i))));
        }
        Ok(List::from(v))
    }

    /// The elements of a list for which the predicate returns true.
    #[builtin("filter")]
    fn filter(#[lazy] f: Value, list: List) -> Result<Steps, ErrorKind> {
        if list.is_empty() {
            return Ok(Steps::done(list));
        }
        Ok(Steps::new(
            Next::Force(f.clone()),
            Filter {
                f,
                list,
                at: None,
                kept: Vec::new(),
            },
        ))
    }

    /// Concatenate a list of lists.
    #[builtin("concatLists")]
    fn concat_lists(lists: List) -> Result<Steps, Error> {
        let mut steps = ConcatLists::new(lists);
        Ok(match steps.scan()? {
            Next::Done(v) => Steps::done(v),
            next => Steps::new(next, steps),
        })
    }

    /// Apply `f` (which must return a list) to every element and concatenate the results.
    #[builtin("concatMap")]
    fn concat_map(f: Callable, list: List) -> Result<Steps, ErrorKind> {
        let Some(x) = list.get(0).cloned() else {
            return Ok(Steps::done(list));
        };
        let first = Next::Call(f.0.clone(), CallArgs::One(x));
        Ok(Steps::new(
            first,
            ConcatMap {
                f: f.0,
                list,
                at: 0,
                parts: Vec::new(),
                total: 0,
            },
        ))
    }

    // ----- folds and predicates ------------------------------------------------------

    /// Left fold, forcing the accumulator after each step: `op (… (op nul x0) …) xn`.
    /// The initial accumulator is only forced when the list is empty.
    #[builtin("foldl'")]
    fn foldl_strict(
        #[context = "while evaluating the first argument passed to builtins.foldlStrict"]
        op: Callable,
        #[lazy] nul: Value,
        #[context = "while evaluating the third argument passed to builtins.foldlStrict"]
        list: List,
    ) -> Result<Steps, ErrorKind> {
        let Some(x) = list.get(0).cloned() else {
            return Ok(Steps::answer(Next::Force(nul)));
        };
        let first = Next::Call(op.0.clone(), CallArgs::Two(nul, x));
        Ok(Steps::new(
            first,
            Fold {
                op: op.0,
                list,
                at: 1,
            },
        ))
    }

    /// Whether the predicate holds for some element (stops at the first that does).
    #[builtin("any")]
    fn any(f: Callable, list: List) -> Result<Steps, ErrorKind> {
        Ok(quantifier(
            f,
            list,
            true,
            "the function passed to builtins.any",
        ))
    }

    /// Whether the predicate holds for every element (stops at the first that does not).
    #[builtin("all")]
    fn all(f: Callable, list: List) -> Result<Steps, ErrorKind> {
        Ok(quantifier(
            f,
            list,
            false,
            "the function passed to builtins.all",
        ))
    }

    /// `any` (`stop_on` true) or `all` (false) of `f` over `list`.
    fn quantifier(f: Callable, list: List, stop_on: bool, what: &'static str) -> Steps {
        let Some(x) = list.get(0).cloned() else {
            return Steps::done(!stop_on);
        };
        let first = Next::Call(f.0.clone(), CallArgs::One(x));
        Steps::new(
            first,
            Quantifier {
                f: f.0,
                list,
                at: 0,
                stop_on,
                what,
            },
        )
    }

    /// Split a list into `{ right; wrong; }`: the elements for which the predicate
    /// returns true, and the others, each in their original order.
    #[builtin("partition")]
    fn partition(f: Callable, list: List) -> Result<Steps, ErrorKind> {
        let mut p = Partition {
            f: f.0,
            list,
            at: 0,
            testing: None,
            right: Vec::new(),
            wrong: Vec::new(),
        };
        Ok(match p.force_next() {
            Next::Done(v) => Steps::done(v),
            first => Steps::new(first, p),
        })
    }

    /// Group the elements of a list by the string `f` returns for each: a set from those
    /// strings to the lists of elements, in their original order.
    #[builtin("groupBy")]
    fn group_by(f: Callable, list: List) -> Result<Steps, ErrorKind> {
        let Some(x) = list.get(0).cloned() else {
            return Ok(Steps::done(Attrs::from_sorted(Vec::new())));
        };
        let first = Next::Call(f.0.clone(), CallArgs::One(x));
        Ok(Steps::new(
            first,
            GroupBy {
                f: f.0,
                list,
                at: 0,
                groups: BTreeMap::new(),
            },
        ))
    }

    // ----- sorting -------------------------------------------------------------------

    /// Sort a list with a comparator `a: b: a < b`; the sort is stable. A comparator
    /// that is not a strict weak order still yields a permutation of the list.
    #[builtin("sort")]
    fn sort(#[lazy] f: Value, list: List) -> Result<Steps, ErrorKind> {
        if list.is_empty() {
            return Ok(Steps::done(list));
        }
        Ok(Sort::steps(f, &list))
    }

    // ----- genericClosure ------------------------------------------------------------

    /// The keys `genericClosure` has seen, ordered as Nix's `<` orders them. Common key
    /// types get a native ordered set; anything else a sorted vector searched with Nix
    /// comparisons.
    enum KeySet {
        Empty,
        Ints(BTreeSet<i64>),
        Strings(BTreeSet<NixString>),
        Paths(BTreeSet<OsString>),
        General(Vec<Value>),
    }

    impl KeySet {
        /// Some key already in the set, for the error of comparing with a new key.
        fn sample(&self) -> Option<Value> {
            match self {
                KeySet::Empty => None,
                KeySet::Ints(s) => s.first().map(|i| Value::Int(*i)),
                KeySet::Strings(s) => s.first().map(|x| Value::String(x.clone())),
                KeySet::Paths(s) => s
                    .first()
                    .map(|p| Value::Path(Rc::new(std::path::PathBuf::from(p.clone())))),
                KeySet::General(v) => v.first().cloned(),
            }
        }

        fn into_general(self) -> Vec<Value> {
            match self {
                KeySet::Empty => Vec::new(),
                KeySet::Ints(s) => s.into_iter().map(Value::Int).collect(),
                KeySet::Strings(s) => s.into_iter().map(Value::String).collect(),
                KeySet::Paths(s) => s
                    .into_iter()
                    .map(|p| Value::Path(Rc::new(p.into())))
                    .collect(),
                KeySet::General(v) => v,
            }
        }

        /// Add a forced key; false if an equivalent key was already there.
        async fn insert(&mut self, co: &mut Co, key: Value) -> Result<bool, ErrorKind> {
            match (&mut *self, &key) {
                (KeySet::Empty, Value::Int(i)) => {
                    *self = KeySet::Ints(BTreeSet::from([*i]));
                    return Ok(true);
                }
                (KeySet::Empty, Value::String(s)) => {
                    *self = KeySet::Strings(BTreeSet::from([s.clone()]));
                    return Ok(true);
                }
                (KeySet::Empty, Value::Path(p)) => {
                    *self = KeySet::Paths(BTreeSet::from([p.as_os_str().to_owned()]));
                    return Ok(true);
                }
                (KeySet::Empty, _) => {
                    *self = KeySet::General(vec![key]);
                    return Ok(true);
                }
                (KeySet::Ints(s), Value::Int(i)) => return Ok(s.insert(*i)),
                (KeySet::Strings(s), Value::String(x)) => return Ok(s.insert(x.clone())),
                (KeySet::Paths(s), Value::Path(p)) => return Ok(s.insert(p.as_os_str().to_owned())),
                (KeySet::General(_), _) => {}
                (KeySet::Ints(_), Value::Float(_)) => {}
                _ => {
                    // A key of another type than those seen so far: Nix compares them,
                    // which fails unless both are numbers.
                    if let Some(other) = self.sample() {
                        nixie_eval::ops::less(&key, &other)?;
                    }
                }
            }
            if !matches!(self, KeySet::General(_)) {
                *self = KeySet::General(std::mem::replace(self, KeySet::Empty).into_general());
            }
            let KeySet::General(v) = self else {
                return Ok(false);
            };
            // First position whose key is greater than the new one.
            let (mut lo, mut hi) = (0, v.len());
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if nix_less(co, &key, &v[mid]).await? {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            if lo > 0 && !nix_less(co, &v[lo - 1], &key).await? {
                return Ok(false);
            }
            v.insert(lo, key);
            Ok(true)
        }
    }

    /// The closure of `startSet` under `operator`: every set reachable by applying
    /// `operator` (which returns a list of sets), each kept once per distinct `key`
    /// (keys are compared with Nix's ordering), in the order they were found.
    #[builtin("genericClosure")]
    async fn generic_closure(co: &mut Co, args: ClosureArgs) -> Result<List, Error> {
        let start = args.start_set;
        if start.is_empty() {
            return Ok(start);
        }
        let op = args.operator.ok_or_else(|| {
            Error::from(missing("operator"))
                .context("in the attrset passed as argument to builtins.genericClosure")
        })?;
        let op = force_function(co, op).await?;
        let mut work: VecDeque<Value> = start.iter().cloned().collect();
        drop(start);
        let mut keys = KeySet::Empty;
        let mut res = Vec::new();
        while let Some(e) = work.pop_front() {
            let e = forced!(co, e);
            let Value::Attrs(a) = &e else {
                return Err(type_error("a set", &e).into());
            };
            let key = a.get(b"key").ok_or_else(|| {
                let shown = nixie_eval::printer::short(&e);
                Error::from(missing("key")).context(format!("in genericClosure element {shown}"))
            })?;
            let key = forced!(co, key.clone());
            if !keys.insert(co, key).await? {
                continue;
            }
            res.push(e.clone());
            let calling = format!(
                "while calling operator on genericClosure element {}",
                nixie_eval::printer::short(&e)
            );
            co.set_context(vec![TraceFrame::new(calling.clone(), None)]);
            let r = call(co, op.clone(), e).await;
            let next = co.force_to::<List>(r).await;
            co.clear_context();
            let next = next.map_err(|err| {
                err.context(
                    "while evaluating the return value of the `operator` passed to builtins.genericClosure",
                )
                .context(calling)
            })?;
            for x in next.iter() {
                work.push_back(forced!(co, x.clone()));
            }
        }
        Ok(List::from(res))
    }
}

pub use defs::PACK;
