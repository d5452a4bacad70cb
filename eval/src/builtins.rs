//! What a pack is made of: builtin definitions, constants, and the pack itself.
//! `#[builtins]` generates these; an evaluation's builder registers packs.

use crate::context::{Co, Ctx};
use crate::errors::Error;
use crate::value::Value;
use std::future::Future;
use std::pin::Pin;

/// Largest number of arguments a builtin can take.
pub const MAX_ARITY: usize = 4;

/// The arguments of a saturated call (forced, except the lazy ones), as many as the
/// builtin's arity.
pub type Args = [Value; MAX_ARITY];

/// The future an `async` builtin returns.
pub type BuiltinFuture = Pin<Box<dyn Future<Output = Result<Value, Error>>>>;

/// The fast path of a plain builtin: runs to completion on its arguments, or
/// hands the VM the steps of a loop over Nix calls.
pub type SyncFn = fn(&mut Ctx<'_>, &[Value]) -> Result<crate::steps::Returned, Error>;

/// The suspending path of a builtin: a future that may ask the VM for work.
pub type AsyncFn = fn(Co, Args) -> BuiltinFuture;

/// How a builtin runs.
#[derive(Clone, Copy)]
pub enum BuiltinFn {
    /// A plain builtin. When it (or an argument conversion) asks to suspend, the
    /// call runs again on `slow`, with the same arguments.
    Sync {
        /// The fast path.
        fast: SyncFn,
        /// The suspending path, if there is one.
        slow: Option<AsyncFn>,
    },
    /// A builtin that always runs as a generator.
    Async(AsyncFn),
    /// A builtin of the machine itself (`import`); only `nixie-eval` can make one.
    Machine(MachineFn),
}

/// A builtin with access to the machine (such as `import`, which compiles code).
#[derive(Clone, Copy)]
pub struct MachineFn(pub(crate) fn(&mut crate::vm::Vm, &[Value]) -> Result<Value, Error>);

/// A builtin function's definition.
pub struct BuiltinDef {
    /// Its name (`builtins.<name>`).
    pub name: &'static str,
    /// Its documentation.
    pub doc: &'static str,
    /// The names of its parameters, for documentation and traces.
    pub params: &'static [&'static str],
    /// How many arguments it takes (1..=MAX_ARITY).
    pub arity: u8,
    /// Bit i set: argument i is passed unforced.
    pub lazy: u8,
    /// The implementation.
    pub func: BuiltinFn,
}

/// A builtin applied to fewer arguments than its arity (or to none yet).
pub struct PartialApp {
    pub(crate) def: &'static BuiltinDef,
    /// The registered pack instance the builtin belongs to (for its state).
    pub(crate) pack: u32,
    pub(crate) args: Vec<Value>,
}

impl PartialApp {
    /// The builtin's name.
    pub fn name(&self) -> &'static str {
        self.def.name
    }

    /// How many arguments it has been given so far.
    pub fn args_given(&self) -> usize {
        self.args.len()
    }

    /// How many more arguments it takes before it runs.
    pub fn missing_args(&self) -> usize {
        self.def.arity as usize - self.args.len()
    }
}

/// A constant or global a pack contributes.
pub struct PackValue {
    /// The name.
    pub name: &'static str,
    /// Whether it is also visible without `builtins.`.
    pub global: bool,
    /// Produces the value.
    pub make: fn() -> Value,
    /// Its documentation.
    pub doc: &'static str,
}

/// A set of builtins and constants registered together with an evaluation.
pub struct Pack {
    /// The pack's name, for collision messages.
    pub name: &'static str,
    /// Where its builtins appear: `builtins.NS.name` when set, else `builtins.name`.
    pub namespace: Option<&'static str>,
    /// Builtin functions, with whether each is a top-level global too.
    pub builtins: &'static [(&'static BuiltinDef, bool)],
    /// Constants.
    pub values: &'static [PackValue],
    /// Whether this pack's names replace earlier packs' names instead of colliding.
    pub overrides: bool,
    /// Whether its constants are left out in pure evaluation mode.
    pub impure: bool,
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
