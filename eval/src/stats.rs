//! Evaluation statistics, as `NIX_SHOW_STATS` reports them: counters bumped where
//! the work happens, the machine's in its own fields and the rest per thread (read
//! as the difference from a snapshot taken when the evaluation was built).

use std::cell::Cell;

/// What the machine counts itself, in its hot paths (plain fields of the machine:
/// one add each).
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) thunks: u64,
    pub(crate) thunks_avoided: u64,
    pub(crate) function_calls: u64,
    pub(crate) primop_calls: u64,
    pub(crate) lookups: u64,
}

/// What is counted on this thread, by values and the compiler (pending
/// applications, sets, lists, `//`, `++`, compiled instructions).
pub(crate) struct Counters {
    pub(crate) thunks: Cell<u64>,
    pub(crate) updates: Cell<u64>,
    pub(crate) update_values_copied: Cell<u64>,
    pub(crate) list_concats: Cell<u64>,
    pub(crate) lists: Cell<u64>,
    pub(crate) list_elements: Cell<u64>,
    pub(crate) sets: Cell<u64>,
    pub(crate) set_elements: Cell<u64>,
    pub(crate) exprs: Cell<u64>,
}

thread_local! {
    pub(crate) static COUNTERS: Counters = const {
        Counters {
            thunks: Cell::new(0),
            updates: Cell::new(0),
            update_values_copied: Cell::new(0),
            list_concats: Cell::new(0),
            lists: Cell::new(0),
            list_elements: Cell::new(0),
            sets: Cell::new(0),
            set_elements: Cell::new(0),
            exprs: Cell::new(0),
        }
    };
}

/// Add `n` (default 1) to a counter of this thread.
macro_rules! count {
    ($field:ident) => {
        $crate::stats::count!($field, 1)
    };
    ($field:ident, $n:expr) => {
        $crate::stats::COUNTERS.with(|c| c.$field.set(c.$field.get() + $n as u64))
    };
}
pub(crate) use count;

/// How much work an evaluation did, in the terms of C++ Nix's statistics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Statistics {
    /// Thunks made (suspended code, pending applications, recursive bindings).
    pub thunks: u64,
    /// Thunks not made because their value was computed at once (C++ Nix's `nrAvoided`).
    pub thunks_avoided: u64,
    /// Calls of Nix functions.
    pub function_calls: u64,
    /// Calls of builtins.
    pub primop_calls: u64,
    /// Attribute selections.
    pub lookups: u64,
    /// `//` operations.
    pub updates: u64,
    /// Attributes in the results of `//`.
    pub update_values_copied: u64,
    /// `++` operations.
    pub list_concats: u64,
    /// Lists made.
    pub lists: u64,
    /// Elements of the lists made.
    pub list_elements: u64,
    /// Attribute sets made.
    pub sets: u64,
    /// Attributes of the sets made.
    pub set_elements: u64,
    /// Environments made (one per call of a Nix function).
    pub envs: u64,
    /// Values in those environments (the argument of each call).
    pub env_elements: u64,
    /// Instructions compiled (C++ Nix counts expression nodes).
    pub exprs: u64,
}

impl Statistics {
    /// Bytes of one value.
    pub const VALUE_BYTES: u64 = std::mem::size_of::<crate::value::Value>() as u64;
    /// Bytes of one attribute of a set (its name and value).
    pub const ATTR_BYTES: u64 =
        std::mem::size_of::<(crate::value::NixString, crate::value::Value)>() as u64;
    /// Bytes of a set's header.
    pub const SET_BYTES: u64 = crate::value::SET_HEADER_BYTES as u64;

    /// What this thread has counted so far (the machine's own counts are zero).
    pub(crate) fn now() -> Statistics {
        COUNTERS.with(|c| Statistics {
            thunks: c.thunks.get(),
            updates: c.updates.get(),
            update_values_copied: c.update_values_copied.get(),
            list_concats: c.list_concats.get(),
            lists: c.lists.get(),
            list_elements: c.list_elements.get(),
            sets: c.sets.get(),
            set_elements: c.set_elements.get(),
            exprs: c.exprs.get(),
            ..Statistics::default()
        })
    }

    /// The work of one machine: what this thread counted since `earlier` (taken
    /// with [`Statistics::now`]) and the machine's tally. C++ Nix makes an
    /// environment per call; nixie's closures capture instead, so calls stand for
    /// environments.
    pub(crate) fn of_machine(earlier: &Statistics, t: &Tally) -> Statistics {
        let now = Statistics::now();
        Statistics {
            thunks: now.thunks - earlier.thunks + t.thunks,
            thunks_avoided: t.thunks_avoided,
            function_calls: t.function_calls,
            primop_calls: t.primop_calls,
            lookups: t.lookups,
            updates: now.updates - earlier.updates,
            update_values_copied: now.update_values_copied - earlier.update_values_copied,
            list_concats: now.list_concats - earlier.list_concats,
            lists: now.lists - earlier.lists,
            list_elements: now.list_elements - earlier.list_elements,
            sets: now.sets - earlier.sets,
            set_elements: now.set_elements - earlier.set_elements,
            envs: t.function_calls,
            env_elements: t.function_calls,
            exprs: now.exprs - earlier.exprs,
        }
    }
}
