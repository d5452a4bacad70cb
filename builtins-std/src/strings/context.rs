//! String contexts as C++ Nix encodes their elements: a plain store path
//! (`/nix/store/…`), a derivation with all its outputs and its build closure
//! (`=/nix/store/….drv`), or one output of a derivation (`!out!/nix/store/….drv`).

use nixie_eval::prelude::*;
use nixie_eval::value::{merge_context, ContextElem, NixContext};
use std::collections::BTreeMap;

#[derive(Default)]
struct Info {
    path: bool,
    all_outputs: bool,
    outputs: Vec<String>,
}

/// `builtins.getContext`: a set from store paths to `{ path; allOutputs; outputs; }`.
pub fn get_context(s: &NixString) -> Attrs {
    let Some(ctx) = s.context() else {
        return Attrs::empty();
    };
    let mut by_path: BTreeMap<&str, Info> = BTreeMap::new();
    for e in ctx {
        match e {
            ContextElem::Opaque(p) => by_path.entry(p).or_default().path = true,
            ContextElem::DrvDeep(p) => by_path.entry(p).or_default().all_outputs = true,
            ContextElem::Built { drv, output } => by_path
                .entry(drv)
                .or_default()
                .outputs
                .push(output.to_string()),
        }
    }
    let entries = by_path
        .into_iter()
        .map(|(p, info)| {
            let mut fields: Vec<(NixString, Value)> = Vec::new();
            if info.all_outputs {
                fields.push(("allOutputs".into(), Value::Bool(true)));
            }
            if !info.outputs.is_empty() {
                let mut outs = info.outputs;
                outs.sort();
                fields.push((
                    "outputs".into(),
                    Value::List(outs.into_iter().map(Value::string).collect()),
                ));
            }
            if info.path {
                fields.push(("path".into(), Value::Bool(true)));
            }
            (NixString::from(p), Value::Attrs(Attrs::from_sorted(fields)))
        })
        .collect();
    Attrs::from_sorted(entries)
}

/// Whether a store path names a derivation.
pub fn is_derivation(p: &str) -> bool {
    p.ends_with(".drv")
}

/// `builtins.unsafeDiscardOutputDependency`: deep derivation elements become plain.
pub fn discard_output_dependency(s: &NixString) -> NixString {
    let Some(ctx) = s.context() else {
        return s.clone();
    };
    if !ctx.iter().any(|e| matches!(e, ContextElem::DrvDeep(_))) {
        return s.clone();
    }
    let new: NixContext = ctx
        .iter()
        .map(|e| match e {
            ContextElem::DrvDeep(p) => ContextElem::Opaque(p.clone()),
            _ => e.clone(),
        })
        .collect();
    NixString::with_context(s.as_bytes(), new)
}

/// `builtins.addDrvOutputDependencies`: a plain derivation path becomes a deep one.
pub fn add_drv_output_dependencies(s: &NixString) -> Result<NixString, ErrorKind> {
    let n = s.context().map_or(0, |c| c.len());
    let only = match s.context() {
        Some(c) if n == 1 => c.iter().next().cloned(),
        _ => None,
    };
    let Some(e) = only else {
        return Err(ErrorKind::Other(format!(
            "context of string '{}' must have exactly one element, but has {n}",
            s.to_str_lossy()
        )));
    };
    let new = match &e {
        ContextElem::Opaque(p) => {
            if !is_derivation(p) {
                return Err(ErrorKind::Other(format!(
                    "path '{p}' is not a derivation"
                )));
            }
            ContextElem::DrvDeep(p.clone())
        }
        ContextElem::DrvDeep(_) => return Ok(s.clone()),
        ContextElem::Built { output, .. } => {
            return Err(ErrorKind::Other(format!(
                "`addDrvOutputDependencies` can only act on derivations, not on a derivation output such as '{output}'"
            )))
        }
    };
    let mut ctx = NixContext::new();
    ctx.insert(new);
    Ok(NixString::with_context(s.as_bytes(), ctx))
}

/// What `appendContext` may say about one store path.
#[derive(nixie_eval::FromAttrs)]
#[nix(allow_unknown)]
struct ContextInfo {
    path: Option<bool>,
    #[nix(rename = "allOutputs")]
    all_outputs: Option<bool>,
    outputs: Option<Vec<NixString>>,
}

/// `s` with the context described by `ctx` (in the form `getContext` returns) added.
pub fn append_context(
    cx: &mut nixie_eval::Ctx<'_>,
    s: &NixString,
    ctx: &Attrs,
) -> Result<NixString, nixie_eval::Error> {
    use nixie_eval::FromValue;
    let store_dir = cx.store_dir();
    let mut new = NixContext::new();
    merge_context(&mut new, s.context());
    for (name, info) in ctx.iter() {
        let path = name.to_str_lossy();
        if !nixie_eval::store::is_store_path(&path, &store_dir) {
            return Err(nixie_eval::Error::msg(format!(
                "context key '{path}' is not a store path"
            )));
        }
        let info = ContextInfo::from_value(info, cx)?;
        if info.path == Some(true) {
            new.insert(ContextElem::opaque(&path));
        }
        if info.all_outputs == Some(true) {
            if !is_derivation(&path) {
                return Err(nixie_eval::Error::msg(format!(
                    "tried to add all-outputs context of {path}, which is not a derivation, to a string"
                )));
            }
            new.insert(ContextElem::drv_deep(&path));
        }
        let outputs = info.outputs.unwrap_or_default();
        if !outputs.is_empty() && !is_derivation(&path) {
            return Err(nixie_eval::Error::msg(format!(
                "tried to add derivation output context of {path}, which is not a derivation, to a string"
            )));
        }
        for out in outputs {
            out.require_no_context()?;
            new.insert(ContextElem::built(&path, &out.to_str_lossy()));
        }
    }
    Ok(NixString::with_context(s.as_bytes(), new))
}
