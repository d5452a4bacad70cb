//! The `async` variants of the string builtins, for the arguments their plain
//! versions cannot handle without running Nix code (sets with `__toString`,
//! unevaluated list elements). Each has the same name as its builtin, for traces.

use super::context::{built, drv_deep, is_derivation, is_store_path};
use super::replace::{Progress, Replacer};
use super::support::{coerce, slow_variant};
use nixie_eval::builtins::Args;
use nixie_eval::convert::type_error;
use nixie_eval::prelude::*;
use nixie_eval::value::{merge_context, NixContext};

slow_variant!(STRING_LENGTH, "stringLength", 1, string_length);
async fn string_length(co: GenCo, args: Args) -> Result<Value, ErrorKind> {
    let [s, ..] = args;
    let s = coerce(&co, s, true).await?;
    Ok(Value::Int(s.len() as i64))
}

slow_variant!(SUBSTRING, "substring", 3, substring);
async fn substring(co: GenCo, args: Args) -> Result<Value, ErrorKind> {
    let [start, len, s, ..] = args;
    let (start, len) = (i64::from_value(start)?, i64::from_value(len)?);
    let s = coerce(&co, s, true).await?;
    Ok(Value::String(super::substring_of(&s, start, len)))
}

slow_variant!(
    CONCAT_STRINGS_SEP,
    "concatStringsSep",
    2,
    concat_strings_sep
);
async fn concat_strings_sep(co: GenCo, args: Args) -> Result<Value, ErrorKind> {
    let [sep, list, ..] = args;
    let (sep, list) = (NixString::from_value(sep)?, List::from_value(list)?);
    let mut parts = Vec::with_capacity(list.len());
    for e in list.iter() {
        parts.push(coerce(&co, e.clone(), true).await?);
    }
    Ok(Value::String(super::join(&sep, &parts)))
}

slow_variant!(REPLACE_STRINGS, "replaceStrings", 3, replace_strings);
async fn replace_strings(co: GenCo, args: Args) -> Result<Value, ErrorKind> {
    let [from, to, s, ..] = args;
    let (from, to, s) = (
        List::from_value(from)?,
        List::from_value(to)?,
        NixString::from_value(s)?,
    );
    let mut pats = Vec::with_capacity(from.len());
    for p in from.iter() {
        match force(&co, p.clone()).await {
            Value::String(p) => pats.push(p),
            other => return Err(type_error("a string", &other)),
        }
    }
    let mut r = Replacer::new(pats, s);
    loop {
        match r.run() {
            Progress::Done(x) => return Ok(Value::String(x)),
            Progress::Need(i) => {
                let v = to.get(i).cloned().unwrap_or(Value::Null);
                match force(&co, v).await {
                    Value::String(t) => r.provide(i, t),
                    other => return Err(type_error("a string", &other)),
                }
            }
        }
    }
}

slow_variant!(BASE_NAME_OF, "baseNameOf", 1, base_name_of);
async fn base_name_of(co: GenCo, args: Args) -> Result<Value, ErrorKind> {
    let [v, ..] = args;
    let s = coerce(&co, v, false).await?;
    Ok(Value::String(super::base_name(&s)))
}

slow_variant!(DIR_OF, "dirOf", 1, dir_of);
async fn dir_of(co: GenCo, args: Args) -> Result<Value, ErrorKind> {
    let [v, ..] = args;
    let s = coerce(&co, v, false).await?;
    Ok(Value::String(super::dir_name(&s)))
}

slow_variant!(
    UNSAFE_DISCARD_STRING_CONTEXT,
    "unsafeDiscardStringContext",
    1,
    unsafe_discard_string_context
);
async fn unsafe_discard_string_context(co: GenCo, args: Args) -> Result<Value, ErrorKind> {
    let [v, ..] = args;
    let s = coerce(&co, v, true).await?;
    Ok(Value::String(NixString::from(s.as_bytes())))
}

slow_variant!(
    UNSAFE_DISCARD_OUTPUT_DEPENDENCY,
    "unsafeDiscardOutputDependency",
    1,
    unsafe_discard_output_dependency
);
async fn unsafe_discard_output_dependency(co: GenCo, args: Args) -> Result<Value, ErrorKind> {
    let [v, ..] = args;
    let s = coerce(&co, v, true).await?;
    Ok(Value::String(super::context::discard_output_dependency(&s)))
}

slow_variant!(
    ADD_DRV_OUTPUT_DEPENDENCIES,
    "addDrvOutputDependencies",
    1,
    add_drv_output_dependencies
);
async fn add_drv_output_dependencies(co: GenCo, args: Args) -> Result<Value, ErrorKind> {
    let [v, ..] = args;
    let s = coerce(&co, v, true).await?;
    super::context::add_drv_output_dependencies(&s).map(Value::String)
}

async fn force_bool(co: &GenCo, v: Value) -> Result<bool, ErrorKind> {
    match force(co, v).await {
        Value::Bool(b) => Ok(b),
        other => Err(type_error("a Boolean", &other)),
    }
}

slow_variant!(APPEND_CONTEXT, "appendContext", 3, append_context);
/// Arguments: the store directory, the string, the context to add.
async fn append_context(co: GenCo, args: Args) -> Result<Value, ErrorKind> {
    let [store_dir, s, ctx, ..] = args;
    let (store_dir, s, ctx) = (
        NixString::from_value(store_dir)?,
        NixString::from_value(s)?,
        Attrs::from_value(ctx)?,
    );
    let store_dir = store_dir.to_str_lossy();
    let mut new = NixContext::new();
    merge_context(&mut new, s.context());
    for (name, info) in ctx.iter() {
        let path = name.to_str_lossy();
        if !is_store_path(&path, &store_dir) {
            return Err(ErrorKind::Other(format!(
                "context key '{path}' is not a store path"
            )));
        }
        let info = match force(&co, info.clone()).await {
            Value::Attrs(a) => a,
            other => return Err(type_error("a set", &other)),
        };
        if let Some(p) = info.get(b"path") {
            if force_bool(&co, p.clone()).await? {
                new.insert(Rc::from(&*path));
            }
        }
        if let Some(a) = info.get(b"allOutputs") {
            if force_bool(&co, a.clone()).await? {
                if !is_derivation(&path) {
                    return Err(ErrorKind::Other(format!(
                        "tried to add all-outputs context of {path}, which is not a derivation, to a string"
                    )));
                }
                new.insert(drv_deep(&path));
            }
        }
        if let Some(o) = info.get(b"outputs") {
            let outs = match force(&co, o.clone()).await {
                Value::List(l) => l,
                other => return Err(type_error("a list", &other)),
            };
            if !outs.is_empty() && !is_derivation(&path) {
                return Err(ErrorKind::Other(format!(
                    "tried to add derivation output context of {path}, which is not a derivation, to a string"
                )));
            }
            for out in outs.iter() {
                match force(&co, out.clone()).await {
                    Value::String(n) => {
                        super::no_context(&n)?;
                        new.insert(built(&path, &n.to_str_lossy()));
                    }
                    other => return Err(type_error("a string", &other)),
                }
            }
        }
    }
    Ok(Value::String(NixString::with_context(s.as_bytes(), new)))
}
