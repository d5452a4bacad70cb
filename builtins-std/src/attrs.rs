//! Attribute sets: `attrNames`, `getAttr`, `removeAttrs`, `mapAttrs`, `listToAttrs`,
//! `zipAttrsWith`, `functionArgs`, ….

use nixie_eval::builtins;

#[builtins(name = "attrs")]
pub mod defs {
    use crate::attrs_steps::ListToAttrs;
    use nixie_eval::convert::type_error;
    use nixie_eval::prelude::*;

    /// A forced value as a set, or Nix's type error.
    fn expect_attrs(v: &Value) -> Result<&Attrs, ErrorKind> {
        match v {
            Value::Attrs(a) => Ok(a),
            other => Err(type_error("a set", other)),
        }
    }

    /// The names of the attributes of a set, sorted (as strings).
    #[builtin("attrNames")]
    fn attr_names(
        #[context = "while evaluating the argument passed to builtins.attrNames"] set: Attrs,
    ) -> Result<List, ErrorKind> {
        Ok(set.iter().map(|(k, _)| Value::String(k.clone())).collect())
    }

    /// The values of the attributes of a set, in the order of their sorted names.
    /// The values are not evaluated.
    #[builtin("attrValues")]
    fn attr_values(
        #[context = "while evaluating the argument passed to builtins.attrValues"] set: Attrs,
    ) -> Result<List, ErrorKind> {
        Ok(set.iter().map(|(_, v)| v.clone()).collect())
    }

    /// `getAttr name set` is `set.${name}`; fails if the attribute is missing.
    #[builtin("getAttr")]
    fn get_attr(name: NixString, set: Attrs) -> Result<Value, Error> {
        name.require_no_context()?;
        set.get(name.as_bytes()).cloned().ok_or_else(|| {
            Error::from(ErrorKind::MissingAttribute(
                name.to_str_lossy().into_owned(),
            ))
            .context("in the attribute set under consideration")
        })
    }

    /// `hasAttr name set` is `set ? ${name}`.
    #[builtin("hasAttr")]
    fn has_attr(name: NixString, set: Attrs) -> Result<bool, ErrorKind> {
        name.require_no_context()?;
        Ok(set.contains(name.as_bytes()))
    }

    /// `removeAttrs set names`: the set without the attributes in the list of names
    /// (names it does not have are ignored).
    #[builtin("removeAttrs", global)]
    async fn remove_attrs(co: &mut Co, set: Attrs, names: List) -> Result<Attrs, ErrorKind> {
        let entries = set.entries();
        let mut gone: Vec<usize> = Vec::new();
        for n in names.iter() {
            let n = co.force(n.clone()).await;
            let Value::String(s) = &n else {
                return Err(type_error("a string", &n));
            };
            s.require_no_context()?;
            if let Ok(i) = entries.binary_search_by(|(k, _)| k.as_bytes().cmp(s.as_bytes())) {
                gone.push(i);
            }
        }
        if gone.is_empty() {
            return Ok(set);
        }
        gone.sort_unstable();
        gone.dedup();
        let mut out = Vec::with_capacity(entries.len() - gone.len());
        let mut skip = gone.iter().copied().peekable();
        for (i, e) in entries.iter().enumerate() {
            if skip.peek() == Some(&i) {
                skip.next();
                continue;
            }
            out.push(e.clone());
        }
        Ok(Attrs::from_sorted(out))
    }

    /// `intersectAttrs e1 e2`: the attributes of `e2` whose names are also in `e1`.
    /// Takes time proportional to the smaller set times the logarithm of the larger.
    #[builtin("intersectAttrs")]
    fn intersect_attrs(e1: Attrs, e2: Attrs) -> Result<Attrs, ErrorKind> {
        let mut out: Vec<(NixString, Value)> = Vec::new();
        if e1.len() <= e2.len() {
            for (k, _) in e1.iter() {
                if let Some(v) = e2.get(k.as_bytes()) {
                    out.push((k.clone(), v.clone()));
                }
            }
        } else {
            for (k, v) in e2.iter() {
                if e1.contains(k.as_bytes()) {
                    out.push((k.clone(), v.clone()));
                }
            }
        }
        if out.len() == e2.len() {
            return Ok(e2);
        }
        Ok(Attrs::from_sorted(out))
    }

    /// `catAttrs name sets`: the values of the attribute `name` of those sets in the
    /// list that have it, in list order.
    #[builtin("catAttrs")]
    async fn cat_attrs(co: &mut Co, name: NixString, sets: List) -> Result<List, ErrorKind> {
        name.require_no_context()?;
        let mut out = Vec::new();
        for s in sets.iter() {
            let s = co.force(s.clone()).await;
            let set = expect_attrs(&s).map_err(|e| {
                Error::from(e).context(
                    "while evaluating an element in the list passed as second argument to builtins.catAttrs",
                )
            })?;
            if let Some(v) = set.get(name.as_bytes()) {
                out.push(v.clone());
            }
        }
        Ok(List::from(out))
    }

    /// `mapAttrs f set`: a set with the same names whose values are `f name value`
    /// (evaluated lazily).
    #[builtin("mapAttrs")]
    fn map_attrs(#[lazy] f: Value, set: Attrs) -> Result<Attrs, ErrorKind> {
        let out = set
            .iter()
            .map(|(k, v)| {
                let fk = Thunk::apply(f.clone(), Value::String(k.clone()));
                (
                    k.clone(),
                    Value::Thunk(Thunk::apply(Value::Thunk(fk), v.clone())),
                )
            })
            .collect();
        Ok(Attrs::from_sorted(out))
    }

    /// `listToAttrs [ { name = …; value = …; } … ]`: a set from name/value pairs. When a
    /// name occurs more than once, the first occurrence wins. Values are not evaluated.
    #[builtin("listToAttrs")]
    fn list_to_attrs(
        #[context = "while evaluating the argument passed to builtins.listToAttrs"] l: List,
    ) -> Result<Steps, Error> {
        let mut steps = ListToAttrs::new(l);
        Ok(match steps.scan()? {
            Next::Done(v) => Steps::done(v),
            next => Steps::new(next, steps),
        })
    }

    /// `functionArgs f`: for a lambda with a `{ … }` pattern, a set mapping each formal
    /// argument to whether it has a default; `{ }` for other lambdas and for builtins.
    #[builtin("functionArgs")]
    fn function_args(f: Value) -> Result<Attrs, ErrorKind> {
        match &f {
            Value::Closure(c) => Ok(c.formal_args().unwrap_or_else(Attrs::empty)),
            Value::Builtin(_) => Ok(Attrs::empty()),
            _ => Err(ErrorKind::Other(
                "'functionArgs' requires a function".into(),
            )),
        }
    }

    /// `zipAttrsWith f sets`: a set with every name found in the list of sets, whose
    /// value is `f name [ values of that name, in list order ]` (evaluated lazily).
    #[builtin("zipAttrsWith")]
    async fn zip_attrs_with(co: &mut Co, f: Callable, sets: List) -> Result<Attrs, ErrorKind> {
        let mut pairs: Vec<(NixString, Value)> = Vec::new();
        for s in sets.iter() {
            let s = co.force(s.clone()).await;
            pairs.extend(
                expect_attrs(&s)?
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone())),
            );
        }
        // Each set is a sorted run: the stable sort merges them, keeping list order
        // among equal names.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        let out = pairs
            .chunk_by(|a, b| a.0 == b.0)
            .map(|group| {
                let name = group[0].0.clone();
                let values: List = group.iter().map(|(_, v)| v.clone()).collect();
                let fname = Thunk::apply(f.0.clone(), Value::String(name.clone()));
                let app = Thunk::apply(Value::Thunk(fname), Value::List(values));
                (name, Value::Thunk(app))
            })
            .collect();
        Ok(Attrs::from_sorted(out))
    }
}

pub use defs::PACK;
