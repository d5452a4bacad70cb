//! One shared string per attribute or formal name across an evaluation's code, so
//! that a set built from a literal holds the very strings its selections look up
//! (lookups compare pointers before they compare bytes).

use crate::value::NixString;
use rustc_hash::FxHashMap;
use std::cell::RefCell;

/// The names met while compiling, each with its one string.
#[derive(Default)]
pub(crate) struct Names(RefCell<FxHashMap<Box<str>, NixString>>);

impl Names {
    /// The shared string of `name`.
    pub(crate) fn get(&self, name: &str) -> NixString {
        let mut map = self.0.borrow_mut();
        if let Some(s) = map.get(name) {
            return s.clone();
        }
        // A name written with bytes that are not UTF-8 holds those bytes, as
        // a string literal does.
        let s = NixString::from(crate::source::raw_bytes(name).as_ref());
        map.insert(name.into(), s.clone());
        s
    }
}
