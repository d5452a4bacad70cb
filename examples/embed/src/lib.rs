//! Embedding Nixie: evaluate a Nix file (a service configuration), walk the
//! resulting value, and convert it into a typed Rust structure with serde.
//!
//! The conversion goes value → JSON text (by `builtins.toJSON`, forcing
//! everything) → the caller's `Deserialize` type, so any serde type works.

use nixie_eval::value::Value;
use nixie_eval::{Error, Evaluation};
use serde::de::DeserializeOwned;
use std::path::Path;

/// What went wrong while loading a configuration.
#[derive(Debug)]
pub enum LoadError {
    /// Evaluation failed; the message is rendered with positions.
    Eval(String),
    /// The value does not have the shape of the target type.
    Shape(String),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Eval(m) => f.write_str(m),
            LoadError::Shape(m) => write!(f, "configuration has the wrong shape: {m}"),
        }
    }
}

/// The JSON text of a value, written by `builtins.toJSON` (the project's one JSON
/// printer, which `nixie --json` uses too). Functions are an error, as in Nix.
pub fn to_json(eval: &mut Evaluation, v: Value) -> Result<String, Error> {
    let to_json = eval.eval_source("«embed»", "builtins.toJSON", Path::new("/"))?;
    match eval.call(to_json, v)? {
        Value::String(s) => Ok(s.to_str_lossy().into_owned()),
        _ => unreachable!("builtins.toJSON returns a string"),
    }
}

/// Evaluate `path` (called with `args` if it is a function of a set) into `T`.
pub fn load<T: DeserializeOwned>(path: &Path, args: &[(&str, &str)]) -> Result<T, LoadError> {
    let mut eval = nixie_builtins_std::register(Evaluation::builder())
        .build()
        .map_err(|e| LoadError::Eval(e.to_string()))?;
    let render = |eval: &Evaluation, e: Error| LoadError::Eval(eval.render_error(&e, false));
    let v = eval.eval_file(path).map_err(|e| render(&eval, e))?;
    let arg_set = nixie_eval::value::Attrs::from_unsorted(
        args.iter()
            .map(|(k, v)| ((*k).into(), Value::string(*v)))
            .collect(),
    );
    let v = eval.auto_call(v, &arg_set).map_err(|e| render(&eval, e))?;
    let json = to_json(&mut eval, v).map_err(|e| render(&eval, e))?;
    serde_json::from_str(&json).map_err(|e| LoadError::Shape(e.to_string()))
}
