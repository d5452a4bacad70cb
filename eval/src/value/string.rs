//! Nix strings: immutable byte strings that carry a string context.

use super::context::NixContext;
use super::string_block::StringBlock;
use std::fmt;

/// An immutable byte string with an optional context, cheap to clone.
#[derive(Clone)]
pub struct NixString(StringBlock);

/// A context as a string stores it: none when empty.
fn stored(context: NixContext) -> Option<Box<NixContext>> {
    if context.is_empty() {
        None
    } else {
        Some(Box::new(context))
    }
}

impl NixString {
    /// A string from bytes with a context (an empty context is stored as none).
    pub fn with_context(bytes: impl Into<Box<[u8]>>, context: NixContext) -> Self {
        NixString(StringBlock::take(bytes.into(), stored(context)))
    }

    /// The raw bytes.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        self.0.bytes()
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
        self.0.context()
    }

    /// Whether the string has a non-empty context.
    pub fn has_context(&self) -> bool {
        self.0.context().is_some()
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
        self.0.ptr_eq(&other.0)
    }

    /// Concatenate two strings, merging their contexts.
    pub fn concat(&self, other: &NixString) -> NixString {
        let (a, b) = (self.as_bytes(), other.as_bytes());
        let context = match (self.context(), other.context()) {
            (None, None) => None,
            (x, y) => {
                let mut ctx = NixContext::new();
                merge_context(&mut ctx, x);
                merge_context(&mut ctx, y);
                stored(ctx)
            }
        };
        NixString(StringBlock::from_parts(&[a, b], context))
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
        NixString(StringBlock::copy(s.as_bytes(), None))
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
        NixString(StringBlock::copy(s, None))
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
    fn strings_keep_their_bytes_whatever_their_length() {
        for len in [0, 1, 22, 23, 100, 5000] {
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
    fn concatenation_joins_bytes_and_contexts() {
        let a = NixString::from("x".repeat(20).as_str());
        let b = NixString::from("yz");
        assert_eq!(
            a.concat(&b).as_bytes(),
            format!("{}yz", "x".repeat(20)).as_bytes()
        );
        assert!(!a.concat(&b).has_context());
        let mut ctx = NixContext::new();
        ctx.insert(crate::value::ContextElem::Opaque("/nix/store/abc-x".into()));
        let c = NixString::with_context(b"!".to_vec(), ctx);
        let joined = b.concat(&c);
        assert_eq!(joined.as_bytes(), b"yz!");
        assert_eq!(joined.context().map(|c| c.iter().count()), Some(1));
    }
}
