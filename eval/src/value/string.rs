//! Nix strings: immutable byte strings that carry a string context.

use super::context::NixContext;
use std::fmt;
use std::rc::Rc;

/// An immutable byte string with an optional context, cheap to clone.
#[derive(Clone)]
pub struct NixString(Rc<Inner>);

struct Inner {
    bytes: Bytes,
    context: Option<Box<NixContext>>,
}

/// Strings up to this long keep their bytes in the string's own allocation.
const INLINE: usize = 22;

/// A string's bytes: short ones (most names) inline, so that reading them is one
/// pointer away from the value, longer ones on the heap.
enum Bytes {
    Inline(u8, [u8; INLINE]),
    Heap(Box<[u8]>),
}

impl Bytes {
    fn inline(b: &[u8]) -> Option<Bytes> {
        let mut data = [0; INLINE];
        data.get_mut(..b.len())?.copy_from_slice(b);
        Some(Bytes::Inline(b.len() as u8, data))
    }

    fn from_slice(b: &[u8]) -> Bytes {
        Bytes::inline(b).unwrap_or_else(|| Bytes::Heap(b.into()))
    }

    fn from_box(b: Box<[u8]>) -> Bytes {
        Bytes::inline(&b).unwrap_or(Bytes::Heap(b))
    }

    #[inline]
    fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Inline(len, data) => &data[..*len as usize],
            Bytes::Heap(b) => b,
        }
    }
}

impl NixString {
    /// A string from bytes with a context (an empty context is stored as none).
    pub fn with_context(bytes: impl Into<Box<[u8]>>, context: NixContext) -> Self {
        NixString::of(Bytes::from_box(bytes.into()), context)
    }

    fn of(bytes: Bytes, context: NixContext) -> Self {
        NixString(Rc::new(Inner {
            bytes,
            context: if context.is_empty() {
                None
            } else {
                Some(Box::new(context))
            },
        }))
    }

    /// The raw bytes.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        self.0.bytes.as_slice()
    }

    /// The string as UTF-8, replacing invalid sequences.
    pub fn to_str_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.as_bytes())
    }

    /// The string as UTF-8 if it is valid.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(self.as_bytes()).ok()
    }

    /// The context, if any.
    pub fn context(&self) -> Option<&NixContext> {
        self.0.context.as_deref()
    }

    /// Whether the string has a non-empty context.
    pub fn has_context(&self) -> bool {
        self.0.context.is_some()
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// Whether the string is empty.
    pub fn is_empty(&self) -> bool {
        self.as_bytes().is_empty()
    }

    /// Whether two strings share the same allocation.
    pub fn ptr_eq(&self, other: &NixString) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// Concatenate two strings, merging their contexts.
    pub fn concat(&self, other: &NixString) -> NixString {
        let mut b = Vec::with_capacity(self.len() + other.len());
        b.extend_from_slice(self.as_bytes());
        b.extend_from_slice(other.as_bytes());
        let mut ctx = NixContext::new();
        merge_context(&mut ctx, self.context());
        merge_context(&mut ctx, other.context());
        NixString::of(Bytes::from_box(b.into_boxed_slice()), ctx)
    }
}

impl NixString {
    /// Fail (as C++ Nix's `forceStringNoCtx` does) if the string has a context.
    pub fn require_no_context(&self) -> Result<(), crate::Error> {
        match self.context().and_then(|c| c.iter().next()) {
            None => Ok(()),
            Some(e) => Err(crate::Error::msg(format!(
                "the string '{}' is not allowed to refer to a store path (such as '{}')",
                self.to_str_lossy(),
                e.display()
            ))),
        }
    }
}

/// Add every element of `from` to `into`.
pub fn merge_context(into: &mut NixContext, from: Option<&NixContext>) {
    if let Some(f) = from {
        into.extend(f.iter().cloned());
    }
}

impl From<&str> for NixString {
    fn from(s: &str) -> Self {
        NixString::of(Bytes::from_slice(s.as_bytes()), NixContext::new())
    }
}

impl From<String> for NixString {
    fn from(s: String) -> Self {
        NixString::with_context(s.into_bytes(), NixContext::new())
    }
}

impl From<Vec<u8>> for NixString {
    fn from(s: Vec<u8>) -> Self {
        NixString::with_context(s, NixContext::new())
    }
}

impl From<&[u8]> for NixString {
    fn from(s: &[u8]) -> Self {
        NixString::of(Bytes::from_slice(s), NixContext::new())
    }
}

impl PartialEq for NixString {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for NixString {}

impl std::hash::Hash for NixString {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state)
    }
}

/// Lets byte-string keys look up `NixString` keys (hash and equality agree on bytes).
impl std::borrow::Borrow<[u8]> for NixString {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialOrd for NixString {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for NixString {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl fmt::Display for NixString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_str_lossy())
    }
}

impl fmt::Debug for NixString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_str_lossy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_strings_keep_their_bytes() {
        for len in [0, 1, INLINE - 1, INLINE, INLINE + 1, 100] {
            let text: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let from_slice = NixString::from(&text[..]);
            let from_vec = NixString::from(text.clone());
            assert_eq!(from_slice.as_bytes(), &text[..], "length {len}");
            assert_eq!(from_vec.as_bytes(), &text[..], "length {len}");
            assert_eq!(from_slice.len(), len);
            assert_eq!(from_slice, from_vec);
        }
    }

    #[test]
    fn concatenation_crosses_the_inline_limit() {
        let a = NixString::from("x".repeat(INLINE - 2).as_str());
        let b = NixString::from("yz");
        let c = NixString::from("!");
        assert_eq!(a.concat(&b).len(), INLINE);
        assert_eq!(
            a.concat(&b).concat(&c).as_bytes(),
            format!("{}yz!", "x".repeat(INLINE - 2)).as_bytes()
        );
    }
}
