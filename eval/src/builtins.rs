//! The internal builtin interface: definitions, partial application, and the
//! handful of builtins the language itself needs (`import`, `throw`, `abort`,
//! `toString`, `tryEval`, and the `builtins` set).

use crate::errors::ErrorKind;
use crate::value::Value;
use crate::vm::{GenCo, Vm};
use std::future::Future;
use std::pin::Pin;

/// Largest number of arguments a builtin can take.
pub const MAX_ARITY: usize = 4;

/// The forced (or, for lazy parameters, unforced) arguments of a saturated call.
pub type Args = [Value; MAX_ARITY];

/// The future an `async` builtin returns.
pub type BuiltinFuture = Pin<Box<dyn Future<Output = Result<Value, ErrorKind>>>>;

/// How a builtin runs.
#[derive(Clone, Copy)]
pub enum BuiltinFn {
    /// Runs to completion on its arguments; never suspends.
    Sync(fn(&mut Vm, Args) -> Result<Value, ErrorKind>),
    /// Runs as a generator that may ask the VM to force, call, compare…. The VM
    /// reference is only for set-up (such as fetching pack state) before the future.
    Async(fn(&mut Vm, GenCo, Args) -> BuiltinFuture),
}

/// A builtin function's definition.
pub struct BuiltinDef {
    /// Its name (`builtins.<name>`).
    pub name: &'static str,
    /// Its documentation.
    pub doc: &'static str,
    /// How many arguments it takes (1..=MAX_ARITY).
    pub arity: u8,
    /// Bit i set: argument i is passed unforced.
    pub lazy: u8,
    /// The implementation.
    pub func: BuiltinFn,
}

/// A builtin applied to fewer arguments than its arity.
pub struct PartialApp {
    /// The builtin.
    pub def: &'static BuiltinDef,
    /// The arguments so far.
    pub args: Vec<Value>,
}

/// A constant or global a pack contributes.
pub struct PackValue {
    /// The name.
    pub name: &'static str,
    /// Whether it is also visible without `builtins.`.
    pub global: bool,
    /// Produces the value.
    pub make: fn() -> Value,
}

/// A set of builtins and constants registered together with an evaluation.
pub struct Pack {
    /// The pack's name, for collision messages.
    pub name: &'static str,
    /// Builtin functions, with whether each is a top-level global too.
    pub builtins: &'static [(&'static BuiltinDef, bool)],
    /// Constants.
    pub values: &'static [PackValue],
    /// Whether this pack's names replace earlier packs' names instead of colliding.
    pub overrides: bool,
    /// The type of the pack's state, if it has any.
    pub state: Option<PackState>,
}

/// The type of state a pack's builtins share.
pub struct PackState {
    /// Its `TypeId`.
    pub type_id: fn() -> std::any::TypeId,
    /// Its name, for messages.
    pub type_name: &'static str,
}
