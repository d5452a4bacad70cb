//! Nix attribute sets: immutable maps from names to values, sorted by name.

use super::{drop_queue, NixString, Value};
use std::rc::Rc;

/// An immutable attribute set, cheap to clone; entries are sorted by name.
#[derive(Clone)]
pub struct Attrs(Rc<Entries>);

struct Entries(Vec<(NixString, Value)>, Index);

/// A hash index over the names of a large set, built on its first lookup (binary search
/// over long runs of names costs a cache miss and a comparison per step).
#[derive(Default)]
struct Index(std::cell::OnceCell<rustc_hash::FxHashMap<NixString, u32>>);

/// Sets at least this large get a hash index on their first lookup.
const INDEX_FROM: usize = 48;

impl Drop for Entries {
    fn drop(&mut self) {
        if self.0.iter().all(|(_, v)| {
            matches!(
                v,
                Value::Null
                    | Value::Bool(_)
                    | Value::Int(_)
                    | Value::Float(_)
                    | Value::String(_)
                    | Value::Path(_)
            )
        }) {
            return;
        }
        let vals: Vec<Value> = std::mem::take(&mut self.0)
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        drop_queue::defer_vec(vals);
    }
}

impl Attrs {
    /// The empty set.
    pub fn empty() -> Attrs {
        Attrs(Rc::new(Entries(Vec::new(), Index::default())))
    }

    /// Build from entries that are already sorted by name and free of duplicates.
    pub fn from_sorted(v: Vec<(NixString, Value)>) -> Attrs {
        debug_assert!(v.windows(2).all(|w| w[0].0 < w[1].0));
        Attrs(Rc::new(Entries(v, Index::default())))
    }

    /// Build from unsorted entries; on duplicates the last one wins.
    pub fn from_unsorted(mut v: Vec<(NixString, Value)>) -> Attrs {
        v.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(NixString, Value)> = Vec::with_capacity(v.len());
        for (k, val) in v {
            match out.last_mut() {
                Some(last) if last.0 == k => last.1 = val,
                _ => out.push((k, val)),
            }
        }
        Attrs(Rc::new(Entries(out, Index::default())))
    }

    /// Look up a name.
    #[inline]
    pub fn get(&self, name: &[u8]) -> Option<&Value> {
        let e = &self.0 .0;
        if e.len() >= INDEX_FROM {
            let index = self.0 .1 .0.get_or_init(|| {
                e.iter()
                    .enumerate()
                    .map(|(i, (k, _))| (k.clone(), i as u32))
                    .collect()
            });
            return index.get(name).map(|i| &e[*i as usize].1);
        }
        e.binary_search_by(|(k, _)| k.as_bytes().cmp(name))
            .ok()
            .map(|i| &e[i].1)
    }

    /// Whether the set has the name.
    pub fn contains(&self, name: &[u8]) -> bool {
        self.get(name).is_some()
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        self.0 .0.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0 .0.is_empty()
    }

    /// Entries in name order.
    pub fn iter(
        &self,
    ) -> impl DoubleEndedIterator<Item = (&NixString, &Value)> + ExactSizeIterator {
        self.0 .0.iter().map(|(k, v)| (k, v))
    }

    /// Entries in name order, as a slice.
    pub fn entries(&self) -> &[(NixString, Value)] {
        &self.0 .0
    }

    /// An address identifying this set (for `«repeated»` detection).
    pub fn addr(&self) -> usize {
        Rc::as_ptr(&self.0) as *const u8 as usize
    }

    /// How many values share this set.
    pub(crate) fn ref_count(&self) -> usize {
        Rc::strong_count(&self.0)
    }

    /// Whether two sets share the same allocation.
    pub fn ptr_eq(&self, other: &Attrs) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// `self // other`: a merge of two sorted runs; `other` wins.
    pub fn update(&self, other: &Attrs) -> Attrs {
        if other.is_empty() {
            return self.clone();
        }
        if self.is_empty() {
            return other.clone();
        }
        let (a, b) = (&self.0 .0, &other.0 .0);
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => {
                    out.push(a[i].clone());
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    out.push(b[j].clone());
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    out.push(b[j].clone());
                    i += 1;
                    j += 1;
                }
            }
        }
        out.extend_from_slice(&a[i..]);
        out.extend_from_slice(&b[j..]);
        Attrs::from_sorted(out)
    }
}

/// Collects entries for a new set, detecting duplicate names.
#[derive(Default)]
pub struct AttrsBuilder {
    entries: Vec<(NixString, Value)>,
}

impl AttrsBuilder {
    /// An empty builder with room for `n` entries.
    pub fn with_capacity(n: usize) -> Self {
        AttrsBuilder {
            entries: Vec::with_capacity(n),
        }
    }

    /// Add an entry (duplicates are checked by `finish`).
    pub fn push(&mut self, name: NixString, value: Value) {
        self.entries.push((name, value));
    }

    /// Sort the entries; on a duplicate name returns it as the error.
    pub fn finish(mut self) -> Result<Attrs, NixString> {
        if !self.entries.windows(2).all(|w| w[0].0 < w[1].0) {
            self.entries.sort_by(|a, b| a.0.cmp(&b.0));
            if let Some(w) = self.entries.windows(2).find(|w| w[0].0 == w[1].0) {
                return Err(w[0].0.clone());
            }
        }
        Ok(Attrs::from_sorted(self.entries))
    }
}
