//! Nixie's evaluator core: the Nix language's values, a compiler from `rnix`
//! syntax trees to bytecode, a virtual machine whose only loop runs a stack of
//! frames (bytecode or suspended builtins) so evaluation never recurses on the
//! Rust stack, the error type with spans and traces, the IO boundary, and the
//! builder API through which packs of builtins join an evaluation. Builtin packs
//! and the `nixie` command line depend on this crate; it depends on none of them.
//!
//! The machine (frames, thunks, bytecode) is private: the public API is values,
//! the builder and [`Evaluation`], errors, the [`io::Io`] trait, and what builtins
//! see, [`Ctx`] and [`Co`].
//!
//! # Writing builtins
//! ```
//! use nixie_eval::{builtins, Evaluation, FromAttrs};
//!
//! /// The attribute set `probe.fetch` takes.
//! #[derive(FromAttrs)]
//! #[nix(unknown = "unsupported argument '{name}' to 'fetch'")]
//! pub struct FetchArgs {
//!     url: nixie_eval::NixString,
//!     #[nix(default = "\"source\".into()")]
//!     name: String,
//!     sha256: Option<nixie_eval::NixString>,
//! }
//!
//! /// Counts calls of `probe.count`.
//! #[derive(Default)]
//! pub struct Counter(std::cell::Cell<i64>);
//!
//! #[builtins(name = "probe", namespace = "probe", state = Counter)]
//! pub mod probe {
//!     use nixie_eval::prelude::*;
//!
//!     /// Describe a fetch (a set argument; computed values work).
//!     #[builtin("fetch")]
//!     fn fetch(args: super::FetchArgs) -> Result<String, Error> {
//!         let hash = args.sha256.map(|h| h.to_string()).unwrap_or_else(|| "none".into());
//!         Ok(format!("{} from {} ({hash})", args.name, args.url))
//!     }
//!
//!     /// `x` unless `c` is true (`x` is only forced when it is returned).
//!     #[builtin("unless")]
//!     fn unless(c: bool, x: Lazy<Value>) -> Result<Value, Error> {
//!         Ok(if c { Value::Null } else { x.into_value() })
//!     }
//!
//!     /// Apply `f` to `x` `n` times (an async callback into Nix).
//!     #[builtin("iterate")]
//!     async fn iterate(co: &mut Co, f: Callable, n: i64, x: Value) -> Result<Value, Error> {
//!         let mut acc = x;
//!         for _ in 0..n {
//!             acc = co.call(f.0.clone(), acc).await;
//!         }
//!         Ok(acc)
//!     }
//!
//!     /// How many times this was called, and whether a file exists (IO).
//!     #[builtin("count")]
//!     fn count(cx: &mut Ctx, #[state] n: Rc<super::Counter>, path: std::path::PathBuf) -> Result<Vec<Value>, Error> {
//!         n.0.set(n.0.get() + 1);
//!         Ok(vec![Value::Int(n.0.get()), Value::Bool(cx.io().path_exists(&path))])
//!     }
//! }
//!
//! fn main() {
//!     let mut eval = Evaluation::builder()
//!         .pack_with_state(&probe::PACK, Counter::default())
//!         .build()
//!         .unwrap();
//!     let src = r#"with builtins.probe; [
//!       (fetch { url = "https://x/" + "y"; })
//!       (unless true (throw "not forced"))
//!       (iterate (x: x * 2) 3 1)
//!       (count /.) (count /nonexistent)
//!     ]"#;
//!     let v = eval.eval_source("«doc»", src, "/".as_ref()).unwrap();
//!     let v = eval.deep_force(v).unwrap();
//!     assert_eq!(
//!         nixie_eval::printer::print_string(&v),
//!         r#"[ "source from https://x/y (none)" null 8 [ 1 true ] [ 2 false ] ]"#
//!     );
//! }
//! ```

#![deny(missing_docs)]

extern crate self as nixie_eval;

pub mod builtins;
mod coerce;
pub(crate) mod compiler;
pub mod context;
pub mod convert;
mod corepkgs;
pub mod encoding;
pub mod errors;
pub mod evaluation;
pub mod hash;
mod host;
pub mod io;
mod lang_builtins;
pub mod limits;
pub mod memory;
pub(crate) mod opcode;
pub mod paths;
pub mod printer;
pub mod printer_pretty;
pub mod printer_xml;
mod purity;
mod render;
pub mod settings;
pub mod source;
mod stats;
pub mod steps;
pub mod store;
pub mod suggestions;
mod terminal;
pub mod testing;
pub mod value;
pub(crate) mod vm;

pub use coerce::cannot_coerce;
pub use context::{CallArgs, Co, Coercion, Ctx};
pub use convert::{AbsolutePath, Callable, Coerced, FromValue, IntoValue, Lazy, NixNumber};
pub use errors::{Error, ErrorKind};
pub use evaluation::{BuildError, Evaluation, EvaluationBuilder};
pub use host::WarningSink;
pub use limits::{InterruptHandle, Limits};
pub use nixie_builtin_macros::{builtin, builtins, FromAttrs};
pub use purity::{describe_io_error, is_forbidden};
pub use settings::Settings;
pub use stats::Statistics;
pub use steps::{Next, Stepper, Steps};
pub use terminal::{stderr_has_colour, terminal_text};
pub use value::{Attrs, List, NixString, Thunk, Value};

/// Nix's operators on evaluated values, for builtins that need them without a
/// round trip: arithmetic, `==` where it is decidable without forcing, and `<`.
pub mod ops {
    pub use crate::vm::ops::{arith, equal_now, equal_shallow, less};
}

/// The names a builtin module usually needs.
pub mod prelude {
    pub use crate::context::{CallArgs, Co, Coercion, Ctx};
    pub use crate::convert::{
        AbsolutePath, Callable, Coerced, FromValue, IntoValue, Lazy, NixNumber,
    };
    pub use crate::errors::{Error, ErrorKind, TraceFrame, TraceSource};
    pub use crate::steps::{Next, Stepper, Steps};
    pub use crate::value::{Attrs, List, NixString, Thunk, Value};
    pub use crate::FromAttrs;
    pub use std::rc::Rc;
}

/// What code generated by `#[builtins]` calls; not for use by hand.
#[doc(hidden)]
pub mod __private {
    use crate::convert::BuiltinResult;
    use crate::errors::{Control, Error};
    use crate::value::Value;

    const ORDINALS: [&str; 4] = ["first", "second", "third", "fourth"];

    /// An argument's conversion, with the given trace line on a real error.
    pub fn argument_in<T>(r: Result<T, Error>, what: &str) -> Result<T, Error> {
        r.map_err(|e| e.context(what))
    }

    /// An argument's conversion, with Nix's trace line on a real error.
    pub fn argument<T>(r: Result<T, Error>, index: usize, builtin: &str) -> Result<T, Error> {
        r.map_err(|mut e| {
            if e.control.is_none() {
                e.push_frame(
                    format!(
                        "while evaluating the {} argument passed to builtins.{builtin}",
                        ORDINALS.get(index).copied().unwrap_or("next")
                    ),
                    None,
                );
            }
            e
        })
    }

    /// The first failure among the arguments' conversions: a blocked one before it
    /// means "force and call again" (the error then comes on the next pass).
    pub fn first_failure<const N: usize>(errs: [Option<Error>; N]) -> Error {
        errs.into_iter()
            .flatten()
            .next()
            .unwrap_or_else(|| Error::control(Control::Blocked))
    }

    /// The result of a suspending path.
    pub fn async_result<R: BuiltinResult>(r: R) -> Result<Value, Error> {
        r.into_result()
    }

    /// A plain builtin's result on its suspending path: steps carried out there.
    pub async fn finish(
        co: &mut crate::Co,
        r: Result<crate::steps::Returned, Error>,
    ) -> Result<Value, Error> {
        r?.finish(co).await
    }
}
