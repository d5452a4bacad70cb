//! `--json` and `--xml` renderings of a deep-forced value (work-list based).

use nixie_eval::value::Value;
use nixie_eval::{Error, Evaluation};
use std::path::Path;

/// Render as JSON, as `nix-instantiate --json` does: with the same printer as
/// `builtins.toJSON` (the one JSON writer of the project).
pub fn to_json(eval: &mut Evaluation, v: Value) -> Result<Vec<u8>, Error> {
    let to_json = eval.eval_source("«json»", "builtins.toJSON", Path::new("/"))?;
    let v = eval.deep_force(v)?;
    // C++ Nix serialises without calling the builtin: no frame for it.
    let json = eval
        .call(to_json, v)
        .map_err(|e| e.without_outer_frame(|f| f.what == "while calling the 'toJSON' builtin"))?;
    match json {
        Value::String(s) => Ok(s.as_bytes().to_vec()),
        _ => unreachable!("builtins.toJSON returns a string"),
    }
}

/// Render as XML, as `nix-instantiate --xml` does (shared with `builtins.toXML`).
pub fn to_xml(
    eval: &Evaluation,
    v: &Value,
    strict: bool,
    location: bool,
) -> Result<Vec<u8>, Error> {
    eval.to_xml(v, strict, location)
}
