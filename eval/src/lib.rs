//! Nixie's evaluator core: the Nix language's values, a compiler from `rnix`
//! syntax trees to bytecode, a virtual machine whose only loop runs a stack of
//! frames (bytecode or suspended generators) so evaluation never recurses on the
//! Rust stack, the error type with spans and traces, the IO boundary, and the
//! builder API through which packs of builtins join an evaluation. Builtin packs
//! and the `nixie` command line depend on this crate; it depends on none of them.

extern crate self as nixie_eval;

pub mod builtins;
pub mod compiler;
pub mod convert;
pub mod errors;
pub mod evaluation;
pub mod io;
mod lang_builtins;
pub mod opcode;
pub mod paths;
pub mod printer;
pub mod printer_xml;
pub mod source;
pub mod store;
pub mod testing;
pub mod value;
pub mod vm;

pub use errors::{Error, ErrorKind};
pub use nixie_builtin_macros::{builtin, builtins};

/// The names a builtin module usually needs.
pub mod prelude {
    pub use crate::builtins::Args;
    pub use crate::convert::{Callable, FromValue, IntoValue, NixNumber};
    pub use crate::errors::ErrorKind;
    pub use crate::value::{Attrs, List, NixString, Thunk, Value};
    pub use crate::vm::{force, GenCo, Request, Vm};
    pub use std::rc::Rc;
}
pub use evaluation::{BuildError, Evaluation, EvaluationBuilder};
pub use value::Value;
