//! Nix lists: immutable, shared vectors of values.

use super::{drop_queue, Shared, Value};

/// An immutable list, cheap to clone.
#[derive(Clone)]
pub struct List(Shared<Items>);

struct Items(Vec<Value>);

impl Drop for Items {
    fn drop(&mut self) {
        drop_queue::defer_vec(std::mem::take(&mut self.0));
    }
}

impl List {
    /// The elements.
    #[inline]
    pub fn as_slice(&self) -> &[Value] {
        &self.0 .0
    }

    /// Number of elements.
    #[inline]
    pub fn len(&self) -> usize {
        self.0 .0.len()
    }

    /// Whether the list has no elements.
    pub fn is_empty(&self) -> bool {
        self.0 .0.is_empty()
    }

    /// Element `i`, if in range.
    pub fn get(&self, i: usize) -> Option<&Value> {
        self.0 .0.get(i)
    }

    /// Iterate over the elements.
    pub fn iter(&self) -> std::slice::Iter<'_, Value> {
        self.0 .0.iter()
    }

    /// How many values share this list.
    pub(crate) fn ref_count(&self) -> usize {
        Shared::strong_count(&self.0)
    }

    /// Whether two lists share the same allocation.
    pub fn ptr_eq(&self, other: &List) -> bool {
        Shared::ptr_eq(&self.0, &other.0)
    }

    /// An address identifying this list (for `«repeated»` detection).
    pub fn addr(&self) -> usize {
        Shared::as_ptr(&self.0) as *const u8 as usize
    }

    /// The concatenation of two lists.
    pub fn concat(&self, other: &List) -> List {
        if self.is_empty() {
            return other.clone();
        }
        if other.is_empty() {
            return self.clone();
        }
        let mut v = Vec::with_capacity(self.len() + other.len());
        v.extend_from_slice(self.as_slice());
        v.extend_from_slice(other.as_slice());
        List::from(v)
    }

    /// Replace element `i` (used to memoise forced elements in place when unshared).
    pub fn set_if_unique(&mut self, i: usize, v: Value) -> bool {
        match Shared::get_mut(&mut self.0) {
            Some(items) => {
                items.0[i] = v;
                true
            }
            None => false,
        }
    }
}

impl From<Vec<Value>> for List {
    fn from(v: Vec<Value>) -> Self {
        crate::stats::count!(lists);
        crate::stats::count!(list_elements, v.len());
        List(Shared::new(Items(v)))
    }
}

impl FromIterator<Value> for List {
    fn from_iter<T: IntoIterator<Item = Value>>(iter: T) -> Self {
        List::from(iter.into_iter().collect::<Vec<_>>())
    }
}
