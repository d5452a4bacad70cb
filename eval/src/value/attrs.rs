//! Nix attribute sets: immutable maps from names to values, sorted by name.

use super::shared_slice::Writer;
use super::{drop_queue, NixString, SharedSlice, Value};
use crate::source::Span;
use std::rc::Rc;

/// An immutable attribute set, cheap to clone; entries are sorted by name.
#[derive(Clone)]
pub struct Attrs(SharedSlice<(NixString, Value), SetHead>);

/// What a set keeps before its entries (which are in name order, in the same
/// allocation): a hash index for large sets, and where the entries were defined
/// (a thin pointer: most sets are small).
struct SetHead {
    index: Index,
    positions: Option<Positions>,
}

/// Sets this small are searched by name pointer before by name bytes.
const SCAN_BY_POINTER: usize = 8;

/// Bytes of a set's allocation besides its entries (reference count and header).
pub(crate) const SET_HEADER_BYTES: usize = SharedSlice::<(NixString, Value), SetHead>::HEADER_BYTES;

/// A new set of these entries and positions (counted for the statistics).
fn made(entries: Vec<(NixString, Value)>, positions: Option<Positions>) -> Attrs {
    crate::stats::count!(sets);
    crate::stats::count!(set_elements, entries.len());
    let head = SetHead {
        index: Index::default(),
        positions,
    };
    Attrs(SharedSlice::from_vec(head, entries))
}

/// Where each attribute of a set was defined, parallel to its entries; sets written
/// as literals share their table with the code that builds them.
pub(crate) type Positions = Rc<PositionTable>;

/// The positions of a set's attributes, in the order of its entries.
pub(crate) enum PositionTable {
    /// Each entry's position.
    Listed(Box<[AttrPos]>),
    /// The positions of `left // right`, told by one bit per entry: which input it
    /// came from (its index there is the count of earlier entries from the same
    /// side). A bit per entry where a copied table costs eight bytes: updates are
    /// made by the thousand, positions are read only for errors and
    /// `unsafeGetAttrPos`.
    Merged {
        /// The left input's table, if it had one.
        left: Option<Positions>,
        /// The right input's table, if it had one.
        right: Option<Positions>,
        /// Bit `i` (of word `i / 64`) is set when entry `i` came from the right.
        from_right: Box<[u64]>,
        /// Number of entries.
        len: u32,
    },
}

impl PositionTable {
    /// A table of these positions.
    pub(crate) fn new(positions: impl IntoIterator<Item = AttrPos>) -> Positions {
        Rc::new(PositionTable::Listed(positions.into_iter().collect()))
    }

    /// Number of entries the table describes.
    pub(crate) fn len(&self) -> usize {
        match self {
            PositionTable::Listed(p) => p.len(),
            PositionTable::Merged { len, .. } => *len as usize,
        }
    }

    /// The position of entry `i`, if it is in range ([`AttrPos::NONE`] if unknown).
    pub(crate) fn get(&self, mut i: usize) -> Option<AttrPos> {
        let mut table = self;
        loop {
            match table {
                PositionTable::Listed(p) => return p.get(i).copied(),
                PositionTable::Merged {
                    left,
                    right,
                    from_right,
                    len,
                } => {
                    if i >= *len as usize {
                        return None;
                    }
                    let (word, bit) = (i / 64, i % 64);
                    let below = from_right[word] & ((1u64 << bit) - 1);
                    let rights = from_right[..word]
                        .iter()
                        .map(|w| w.count_ones() as usize)
                        .sum::<usize>()
                        + below.count_ones() as usize;
                    let (side, at) = if from_right[word] >> bit & 1 == 1 {
                        (right, rights)
                    } else {
                        (left, i - rights)
                    };
                    match side {
                        Some(t) => (table, i) = (t, at),
                        None => return Some(AttrPos::NONE),
                    }
                }
            }
        }
    }
}

/// Builds the [`PositionTable::Merged`] of an update, one entry at a time.
struct MergedPositions {
    from_right: Vec<u64>,
    len: usize,
}

impl MergedPositions {
    fn with_capacity(n: usize) -> Self {
        MergedPositions {
            from_right: Vec::with_capacity(n.div_ceil(64)),
            len: 0,
        }
    }

    fn push(&mut self, right: bool) {
        if self.len.is_multiple_of(64) {
            self.from_right.push(0);
        }
        if right {
            let last = self.from_right.len() - 1;
            self.from_right[last] |= 1 << (self.len % 64);
        }
        self.len += 1;
    }

    fn finish(self, left: Option<Positions>, right: Option<Positions>) -> Positions {
        Rc::new(PositionTable::Merged {
            left,
            right,
            from_right: self.from_right.into_boxed_slice(),
            len: self.len as u32,
        })
    }
}

/// Where one attribute was defined: a file of the source map and a byte offset,
/// or nowhere (attributes made by builtins).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AttrPos {
    file: u32,
    offset: u32,
}

impl AttrPos {
    /// No known position.
    pub(crate) const NONE: AttrPos = AttrPos {
        file: u32::MAX,
        offset: 0,
    };

    /// The position where `span` starts.
    pub(crate) fn at(span: Span) -> AttrPos {
        AttrPos {
            file: span.file,
            offset: span.start,
        }
    }

    /// As a zero-width span, if known.
    pub(crate) fn span(self) -> Option<Span> {
        (self.file != u32::MAX).then_some(Span {
            file: self.file,
            start: self.offset,
            end: self.offset,
        })
    }
}

/// A hash index over the names of a large set, built on its first lookup (binary search
/// over long runs of names costs a cache miss and a comparison per step).
#[derive(Default)]
struct Index(std::cell::OnceCell<Box<rustc_hash::FxHashMap<NixString, u32>>>);

/// Sets at least this large get a hash index on their first lookup.
const INDEX_FROM: usize = 48;

/// The last owner of a set hands its values to the iterative drop queue (a value
/// may be the last owner of a deep structure); the names are dropped with the block.
impl Drop for Attrs {
    fn drop(&mut self) {
        if let Some(entries) = self.0.get_mut() {
            drop_queue::defer_entries(entries);
        }
    }
}

impl Attrs {
    /// The empty set.
    pub fn empty() -> Attrs {
        made(Vec::new(), None)
    }

    /// Build from entries that are already sorted by name and free of duplicates.
    pub fn from_sorted(v: Vec<(NixString, Value)>) -> Attrs {
        debug_assert!(v.windows(2).all(|w| w[0].0 < w[1].0));
        made(v, None)
    }

    /// Build from unsorted entries; on duplicates the last one wins.
    pub fn from_unsorted(mut v: Vec<(NixString, Value)>) -> Attrs {
        v.sort_by(|a, b| a.0.cmp(&b.0));
        // Of equal names (kept in order by the stable sort), the last one's value wins.
        v.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                std::mem::swap(&mut later.1, &mut kept.1);
            }
            same
        });
        made(v, None)
    }

    /// Build from entries sorted by name and free of duplicates, each with where
    /// it was defined (if known), as `unsafeGetAttrPos` and traces report it.
    pub fn from_sorted_positioned(v: Vec<(NixString, Value, Option<Span>)>) -> Attrs {
        let positions = PositionTable::new(
            v.iter()
                .map(|(_, _, at)| at.map_or(AttrPos::NONE, AttrPos::at)),
        );
        let entries = v.into_iter().map(|(k, v, _)| (k, v)).collect();
        Attrs::from_sorted_at(entries, positions)
    }

    /// Build from sorted, duplicate-free entries and where each was defined.
    pub(crate) fn from_sorted_at(v: Vec<(NixString, Value)>, positions: Positions) -> Attrs {
        debug_assert_eq!(v.len(), positions.len());
        made(v, Some(positions))
    }

    /// Look up a name.
    #[inline]
    pub fn get(&self, name: &[u8]) -> Option<&Value> {
        self.index_of(name).map(|i| &self.0[i].1)
    }

    /// The value of attribute `name`, found by pointer among a small set's names
    /// first (a set built from a literal holds the strings its selections use).
    #[inline]
    pub(crate) fn get_name(&self, name: &NixString) -> Option<&Value> {
        let e = &self.0[..];
        if e.len() <= SCAN_BY_POINTER {
            if let Some((_, v)) = e.iter().find(|(k, _)| k.ptr_eq(name)) {
                return Some(v);
            }
        }
        self.get(name.as_bytes())
    }

    /// The index of a name among the entries.
    #[inline]
    fn index_of(&self, name: &[u8]) -> Option<usize> {
        let e = &self.0[..];
        if e.len() >= INDEX_FROM {
            let index = self.0.head().index.0.get_or_init(|| {
                Box::new(
                    e.iter()
                        .enumerate()
                        .map(|(i, (k, _))| (k.clone(), i as u32))
                        .collect(),
                )
            });
            return index.get(name).map(|i| *i as usize);
        }
        e.binary_search_by(|(k, _)| k.as_bytes().cmp(name)).ok()
    }

    /// Where attribute `name` was defined, if it is in the set and that is known.
    pub fn position_of(&self, name: &[u8]) -> Option<Span> {
        let i = self.index_of(name)?;
        self.position(i)
    }

    /// Where the `i`th entry (in name order) was defined, if known.
    pub fn position(&self, i: usize) -> Option<Span> {
        self.0
            .head()
            .positions
            .as_ref()
            .and_then(|p| p.get(i))
            .and_then(AttrPos::span)
    }

    /// Whether the set has the name.
    pub fn contains(&self, name: &[u8]) -> bool {
        self.get(name).is_some()
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Entries in name order.
    pub fn iter(
        &self,
    ) -> impl DoubleEndedIterator<Item = (&NixString, &Value)> + ExactSizeIterator {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// Entries in name order, as a slice.
    pub fn entries(&self) -> &[(NixString, Value)] {
        &self.0
    }

    /// An address identifying this set (for `«repeated»` detection).
    pub fn addr(&self) -> usize {
        self.0.addr()
    }

    /// How many values share this set.
    pub(crate) fn ref_count(&self) -> usize {
        self.0.ref_count()
    }

    /// Whether two sets share the same allocation.
    pub fn ptr_eq(&self, other: &Attrs) -> bool {
        self.0.addr() == other.0.addr()
    }

    /// `self // other`: a merge of two sorted runs; `other` wins.
    pub fn update(&self, other: &Attrs) -> Attrs {
        if other.is_empty() {
            return self.clone();
        }
        if self.is_empty() {
            return other.clone();
        }
        let (a, b) = (&self.0[..], &other.0[..]);
        let max = a.len() + b.len();
        let merged = SharedSlice::build_at_most(max, |out| {
            let positions = match (&self.0.head().positions, &other.0.head().positions) {
                (None, None) => {
                    merge(a, b, out, |_| {});
                    None
                }
                (pa, pb) => {
                    let mut tracked = MergedPositions::with_capacity(max);
                    merge(a, b, out, |from| tracked.push(matches!(from, From::Right)));
                    Some(tracked.finish(pa.clone(), pb.clone()))
                }
            };
            SetHead {
                index: Index::default(),
                positions,
            }
        });
        crate::stats::count!(sets);
        crate::stats::count!(set_elements, merged.len());
        Attrs(merged)
    }
}

/// Which input of [`merge`] an entry of its result came from.
enum From {
    Left,
    Right,
}

/// `a // b` of two sorted entry lists into `out`, telling `taken` where each entry
/// came from (a separate instance per caller, so the untracked merge pays nothing).
fn merge(
    a: &[(NixString, Value)],
    b: &[(NixString, Value)],
    out: &mut Writer<(NixString, Value)>,
    mut taken: impl FnMut(From),
) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => {
                out.push(a[i].clone());
                taken(From::Left);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j].clone());
                taken(From::Right);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(b[j].clone());
                taken(From::Right);
                i += 1;
                j += 1;
            }
        }
    }
    for e in &a[i..] {
        out.push(e.clone());
        taken(From::Left);
    }
    for e in &b[j..] {
        out.push(e.clone());
        taken(From::Right);
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

#[cfg(test)]
mod size_tests {
    #[test]
    fn set_headers_stay_small() {
        // The count and length, the hash index (boxed, built only for large
        // sets) and a thin pointer to the positions, before the entries in the
        // same block: every set literal allocates one.
        assert_eq!(super::SET_HEADER_BYTES, 24);
        assert_eq!(std::mem::size_of::<super::Attrs>(), 8);
    }
}
