//! Embedding Nixie: evaluate a Nix file (a service configuration), walk the
//! resulting value, and convert it into a typed Rust structure with serde.
//!
//! The conversion goes value → `serde_json::Value` (forcing everything first)
//! → the caller's `Deserialize` type, so any serde type works.

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

/// Convert a deep-forced value into JSON data (functions become null).
pub fn to_json(v: &Value) -> serde_json::Value {
    // Explicit work-list: (value, where to put it).
    enum Slot {
        Root,
        Index(usize, usize),
        Key(usize, String),
    }
    let mut nodes: Vec<serde_json::Value> = vec![serde_json::Value::Null];
    let mut work = vec![(v.shallow(), Slot::Root)];
    let mut links: Vec<(usize, Slot)> = Vec::new();
    while let Some((v, slot)) = work.pop() {
        let id = nodes.len();
        let node = match &v {
            Value::Null | Value::Closure(_) | Value::Builtin(_) | Value::Thunk(_) => {
                serde_json::Value::Null
            }
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Value::from(*f),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Path(p) => serde_json::Value::String(p.to_string_lossy().into_owned()),
            Value::List(l) => {
                for (i, e) in l.iter().enumerate() {
                    work.push((e.shallow(), Slot::Index(id, i)));
                }
                serde_json::Value::Array(vec![serde_json::Value::Null; l.len()])
            }
            Value::Attrs(a) => {
                for (k, e) in a.iter() {
                    work.push((e.shallow(), Slot::Key(id, k.to_string())));
                }
                serde_json::Value::Object(Default::default())
            }
        };
        nodes.push(node);
        links.push((id, slot));
    }
    // Attach children to parents, last created first (children always follow parents).
    for (id, slot) in links.into_iter().rev() {
        let node = std::mem::take(&mut nodes[id]);
        match slot {
            Slot::Root => nodes[0] = node,
            Slot::Index(p, i) => {
                if let serde_json::Value::Array(a) = &mut nodes[p] {
                    a[i] = node;
                }
            }
            Slot::Key(p, k) => {
                if let serde_json::Value::Object(o) = &mut nodes[p] {
                    o.insert(k, node);
                }
            }
        }
    }
    std::mem::take(&mut nodes[0])
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
    let v = eval.deep_force(v).map_err(|e| render(&eval, e))?;
    serde_json::from_value(to_json(&v)).map_err(|e| LoadError::Shape(e.to_string()))
}
