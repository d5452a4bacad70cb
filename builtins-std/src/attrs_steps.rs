//! The loop of `listToAttrs` as a stepper the VM runs directly: elements and
//! their names already evaluated are read at once, the others forced on request.

use nixie_eval::convert::type_error;
use nixie_eval::prelude::*;
use nixie_eval::source::Span;
use std::collections::BTreeSet;

/// The trace line of an error in a pair's shape.
const PAIR: &str = "in a {name=...; value=...;} pair";

/// `listToAttrs list`: a set from `{ name; value; }` pairs; the first of equal
/// names wins, values stay unevaluated.
pub(crate) struct ListToAttrs {
    list: List,
    /// The element read next.
    at: usize,
    /// The element whose name is being forced.
    naming: Option<Attrs>,
    /// The pairs read so far, with where each one's `value` is defined.
    out: Vec<(NixString, Value, Option<Span>)>,
    /// The names seen so far, built only once an element without `value` shows
    /// up (that is an error only if its name has not been seen before).
    seen: Option<BTreeSet<NixString>>,
}

impl ListToAttrs {
    pub(crate) fn new(list: List) -> ListToAttrs {
        let out = Vec::with_capacity(list.len());
        ListToAttrs {
            list,
            at: 0,
            naming: None,
            out,
            seen: None,
        }
    }

    /// Read elements from `at` on up to the first request (an element or a name
    /// to force) or the end (the set).
    pub(crate) fn scan(&mut self) -> Result<Next, Error> {
        while let Some(e) = self.list.get(self.at) {
            if !e.is_forced() {
                return Ok(Next::Force(e.clone()));
            }
            let e = e.shallow();
            if let Some(next) = self.element(e)? {
                return Ok(next);
            }
        }
        let mut out = std::mem::take(&mut self.out);
        // A stable sort keeps the first occurrence of each name first in its run.
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.dedup_by(|later, earlier| later.0 == earlier.0);
        Ok(Next::Done(Value::Attrs(Attrs::from_sorted_positioned(out))))
    }

    /// Read an evaluated element; the request for its name if that must be forced.
    fn element(&mut self, e: Value) -> Result<Option<Next>, Error> {
        let Value::Attrs(a) = e else {
            return Err(Error::from(type_error("a set", &e)).context(
                "while evaluating an element of the list passed to builtins.listToAttrs",
            ));
        };
        let Some(n) = a.get(b"name") else {
            return Err(Error::from(ErrorKind::MissingAttribute("name".into())).context(PAIR));
        };
        if !n.is_forced() {
            let n = n.clone();
            self.naming = Some(a);
            return Ok(Some(Next::Force(n)));
        }
        let n = n.shallow();
        self.named(&a, n)?;
        Ok(None)
    }

    /// Take the element `a` whose name evaluated to `n`.
    fn named(&mut self, a: &Attrs, n: Value) -> Result<(), Error> {
        let Value::String(name) = n else {
            return Err(Error::from(type_error("a string", &n)).context(
                "while evaluating the `name` attribute of an element of the list passed to builtins.listToAttrs",
            ));
        };
        name.require_no_context()?;
        match a.get(b"value") {
            Some(v) => {
                if let Some(seen) = &mut self.seen {
                    seen.insert(name.clone());
                }
                self.out.push((name, v.clone(), a.position_of(b"value")));
            }
            None => {
                let out = &self.out;
                let seen = self
                    .seen
                    .get_or_insert_with(|| out.iter().map(|(k, ..)| k.clone()).collect());
                if !seen.contains(&name) {
                    return Err(
                        Error::from(ErrorKind::MissingAttribute("value".into())).context(PAIR)
                    );
                }
            }
        }
        self.at += 1;
        Ok(())
    }
}

impl Stepper for ListToAttrs {
    fn resume(&mut self, answer: Value) -> Result<Next, Error> {
        match self.naming.take() {
            Some(a) => self.named(&a, answer)?,
            None => {
                if let Some(next) = self.element(answer)? {
                    return Ok(next);
                }
            }
        }
        self.scan()
    }
}
