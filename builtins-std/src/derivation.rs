//! Derivations: `derivationStrict` computes a derivation's store paths exactly as
//! Nix does (ATerm serialisation, hashing modulo fixed-output inputs, output and
//! `.drv` paths); `derivation` (written in Nix, [`DERIVATION_NIX`]) wraps it into the
//! familiar set with `outPath`, `drvPath`, `type = "derivation"` and one attribute per
//! output. The `.drv` file goes to the store (when the store keeps anything).

mod aterm;

use nixie_eval::builtins;
use nixie_eval::encoding::hex;
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

/// Hashes "modulo fixed outputs" of the derivations made so far, by `.drv` path: a
/// derivation that depends on another is hashed with the other's hash in its place.
/// Their output names are kept too, for dependents on a whole `.drv` (`drvPath`).
#[derive(Default)]
pub struct DrvHashes(
    RefCell<BTreeMap<String, [u8; 32]>>,
    RefCell<BTreeMap<String, BTreeSet<String>>>,
);

/// The `derivation` function, written in Nix on top of `derivationStrict`.
pub const DERIVATION_NIX: &str = r#"
drvAttrs @ { outputs ? [ "out" ], ... }:
let
  strict = builtins.derivationStrict drvAttrs;
  forOutput = outputName: {
    name = outputName;
    value = common // {
      outPath = strict.${outputName};
      drvPath = strict.drvPath;
      type = "derivation";
      inherit outputName;
    };
  };
  perOutput = map forOutput outputs;
  common = drvAttrs // builtins.listToAttrs perOutput // {
    all = map (o: o.value) perOutput;
    inherit drvAttrs;
  };
in (builtins.head perOutput).value
"#;

/// A derivation being assembled.
#[derive(Default, Clone)]
struct Drv {
    /// Output name → (path, hash algorithm, hash).
    outputs: BTreeMap<String, (String, String, String)>,
    /// Input derivation path → output names.
    input_drvs: BTreeMap<String, BTreeSet<String>>,
    input_srcs: BTreeSet<String>,
    system: String,
    builder: String,
    args: Vec<String>,
    env: BTreeMap<String, String>,
}

fn aterm_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn aterm_list<T>(
    out: &mut String,
    items: impl IntoIterator<Item = T>,
    mut each: impl FnMut(&mut String, T),
) {
    out.push('[');
    for (i, it) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(out, it);
    }
    out.push(']');
}

impl Drv {
    /// The ATerm text of the derivation, with `input_drvs` as given (paths or hashes).
    fn aterm(&self, input_drvs: &BTreeMap<String, BTreeSet<String>>) -> String {
        let mut o = String::from("Derive(");
        aterm_list(&mut o, &self.outputs, |o, (name, (path, algo, hash))| {
            o.push('(');
            aterm_string(o, name);
            for f in [path, algo, hash] {
                o.push(',');
                aterm_string(o, f);
            }
            o.push(')');
        });
        o.push(',');
        aterm_list(&mut o, input_drvs, |o, (path, outs)| {
            o.push('(');
            aterm_string(o, path);
            o.push(',');
            aterm_list(o, outs, |o, s| aterm_string(o, s));
            o.push(')');
        });
        o.push(',');
        aterm_list(&mut o, &self.input_srcs, |o, s| aterm_string(o, s));
        for f in [&self.system, &self.builder] {
            o.push(',');
            aterm_string(&mut o, f);
        }
        o.push(',');
        aterm_list(&mut o, &self.args, |o, s| aterm_string(o, s));
        o.push(',');
        aterm_list(&mut o, &self.env, |o, (k, v)| {
            o.push('(');
            aterm_string(o, k);
            o.push(',');
            aterm_string(o, v);
            o.push(')');
        });
        o.push(')');
        o
    }

    /// The hash Nix uses for this derivation when others depend on it.
    fn hash_modulo(&self, known: &BTreeMap<String, [u8; 32]>) -> Result<[u8; 32], String> {
        if let Some((path, algo, hash)) = self.fixed_output() {
            let s = format!("fixed:out:{algo}:{hash}:{path}");
            return Ok(Sha256::digest(s.as_bytes()).into());
        }
        let mut replaced = BTreeMap::new();
        for (path, outs) in &self.input_drvs {
            let h = known
                .get(path)
                .ok_or_else(|| format!("derivation '{path}' was not made by this evaluation"))?;
            replaced.insert(hex(h), outs.clone());
        }
        Ok(Sha256::digest(self.aterm(&replaced).as_bytes()).into())
    }

    fn fixed_output(&self) -> Option<(&str, &str, &str)> {
        match self.outputs.get("out") {
            Some((p, a, h)) if self.outputs.len() == 1 && !h.is_empty() => Some((p, a, h)),
            _ => None,
        }
    }
}

use nixie_eval::store::validate_name as valid_name;

/// Make sure the hashes and outputs of `paths` (and of their inputs, however deep)
/// are known, reading the `.drv` files of those this evaluation did not make
/// from the store. A work list, so long chains need no stack.
fn load_foreign(
    cx: &mut nixie_eval::Ctx,
    known: &DrvHashes,
    paths: impl IntoIterator<Item = String>,
) -> Result<(), String> {
    let mut todo: Vec<String> = paths.into_iter().collect();
    let mut parsed: BTreeMap<String, Drv> = BTreeMap::new();
    while let Some(path) = todo.last().cloned() {
        if known.0.borrow().contains_key(&path) {
            todo.pop();
            continue;
        }
        if !parsed.contains_key(&path) {
            let text = cx
                .io()
                .read_file(std::path::Path::new(&path))
                .map_err(|e| {
                    nixie_eval::describe_io_error(
                        "reading derivation",
                        std::path::Path::new(&path),
                        &e,
                    )
                })?;
            let drv = aterm::parse(&text)
                .map_err(|why| format!("error parsing derivation '{path}': {why}"))?;
            parsed.insert(path.clone(), drv);
        }
        let drv = &parsed[&path];
        let missing: Vec<String> = drv
            .input_drvs
            .keys()
            .filter(|p| !known.0.borrow().contains_key(*p))
            .cloned()
            .collect();
        if missing.is_empty() {
            let h = drv.hash_modulo(&known.0.borrow())?;
            known.0.borrow_mut().insert(path.clone(), h);
            let outs = drv.outputs.keys().cloned().collect();
            known.1.borrow_mut().insert(path.clone(), outs);
            todo.pop();
        } else if missing.iter().any(|m| todo.contains(m)) {
            return Err(format!("derivation '{path}' depends on itself"));
        } else {
            todo.extend(missing);
        }
    }
    Ok(())
}

/// Parse an output hash in any form Nix takes: (algorithm, digest).
fn parse_hash(hash: &str, algo: &str) -> Result<(String, Vec<u8>), nixie_eval::Error> {
    let algo = (!algo.is_empty()).then_some(algo);
    let h = nixie_eval::hash::Hash::parse_any(hash, algo)?;
    Ok((h.algo.to_string(), h.digest))
}

#[builtins(name = "derivation", state = DrvHashes)]
pub mod defs {
    use super::{parse_hash, valid_name, Drv};
    use nixie_eval::prelude::*;
    use nixie_eval::store::{hex, make_store_path};
    use nixie_eval::value::{ContextElem, NixContext};
    use sha2::Digest;
    use std::collections::BTreeSet;

    /// Attributes whose top-level form has no effect with structured attributes.
    const OUTPUT_CHECKS: &[&str] = &[
        "allowedReferences",
        "allowedRequisites",
        "disallowedReferences",
        "disallowedRequisites",
        "maxSize",
        "maxClosureSize",
    ];

    /// Append `"key":<JSON of v>` to the structured attributes' object.
    async fn json_member(
        co: &mut Co,
        json: &mut Vec<u8>,
        key: &NixString,
        v: Value,
        ctx: &mut NixContext,
    ) -> Result<(), ErrorKind> {
        json.push(if json.is_empty() { b'{' } else { b',' });
        crate::json::write::string(json, key.as_bytes())?;
        json.push(b':');
        let text = crate::json::defs::json_text(co, v).await?;
        nixie_eval::value::merge_context(ctx, text.context());
        json.extend_from_slice(text.as_bytes());
        Ok(())
    }

    async fn string_of(co: &mut Co, v: Value, ctx: &mut NixContext) -> Result<String, ErrorKind> {
        let s = co.coerce_to_string(v, Coercion::Derivation).await;
        nixie_eval::value::merge_context(ctx, s.context());
        Ok(s.to_string())
    }

    /// Instantiate a derivation from its attributes: compute its output paths and its
    /// `.drv` path, and write the `.drv` to the store when it keeps anything. Returns `{ drvPath; <output> = path; }`.
    #[builtin("derivationStrict", global)]
    async fn derivation_strict(
        co: &mut Co,
        #[state] known: Rc<super::DrvHashes>,
        #[context = "while evaluating the argument passed to builtins.derivationStrict"]
        attrs: Attrs,
    ) -> Result<Value, Error> {
        let Some(name) = attrs.get(b"name") else {
            return Err(Error::from(ErrorKind::MissingAttribute("name".into()))
                .context("in the attrset passed as argument to builtins.derivationStrict"));
        };
        let name_pos = attrs.position_of(b"name");
        let name_frames = vec![
            TraceFrame::new(
                "while evaluating the `name` attribute passed to builtins.derivationStrict",
                None,
            ),
            TraceFrame::new("while evaluating the derivation attribute 'name'", name_pos),
        ];
        co.set_context(name_frames.clone());
        let name = co.force(name.clone()).await;
        co.clear_context();
        let name = match &name {
            Value::String(s) => s.to_string(),
            other => {
                let mut e = Error::from(nixie_eval::convert::type_error("a string", other));
                for f in name_frames {
                    e = e.with_frame(f);
                }
                return Err(e);
            }
        };
        let drv_frame = TraceFrame::always_located(
            format!("while evaluating derivation '{name}'\n  whose name attribute is located at"),
            name_pos,
        );
        let mut current = None;
        let r = derivation_internal(co, known, &attrs, name, &drv_frame, &mut current).await;
        co.clear_context();
        r.map_err(|e| {
            let e = Error::from(e);
            match current {
                Some(f) => e.with_frame(f),
                None => e,
            }
            .with_frame(drv_frame)
        })
    }

    /// A Boolean flag attribute of `derivationStrict`'s argument (false when absent).
    async fn flag(
        co: &mut Co,
        attrs: &Attrs,
        name: &str,
        drv_frame: &TraceFrame,
    ) -> Result<bool, Error> {
        let Some(v) = attrs.get(name.as_bytes()) else {
            return Ok(false);
        };
        let what =
            format!("while evaluating the `{name}` attribute passed to builtins.derivationStrict");
        co.set_context(vec![TraceFrame::new(what.clone(), None), drv_frame.clone()]);
        let v = co.force(v.clone()).await;
        co.clear_context();
        match v {
            Value::Bool(b) => Ok(b),
            other => {
                Err(Error::from(nixie_eval::convert::type_error("a Boolean", &other)).context(what))
            }
        }
    }

    /// The frame C++ Nix gives an error about attribute `key` of derivation `name`.
    fn attr_frame(attrs: &Attrs, key: &str, name: &str) -> TraceFrame {
        TraceFrame::new(
            format!("while evaluating attribute '{key}' of derivation '{name}'"),
            attrs.position_of(key.as_bytes()),
        )
    }

    /// `derivationStrict` once the name is known; `current` says which attribute was
    /// being read when an error is returned.
    async fn derivation_internal(
        co: &mut Co,
        known: Rc<super::DrvHashes>,
        attrs: &Attrs,
        name: String,
        drv_frame: &TraceFrame,
        current: &mut Option<TraceFrame>,
    ) -> Result<Value, ErrorKind> {
        valid_name(&name).map_err(|why| {
            ErrorKind::Other(format!(
                "invalid derivation name: {why}. Please pass a different 'name'."
            ))
        })?;
        let structured = flag(co, attrs, "__structuredAttrs", drv_frame).await?;
        let ignore_nulls = flag(co, attrs, "__ignoreNulls", drv_frame).await?;
        let mut drv = Drv::default();
        let mut ctx = NixContext::new();
        let mut outputs: Vec<String> = vec!["out".into()];
        let (mut hash, mut hash_algo, mut hash_mode) = (None, String::new(), "flat".to_string());
        // With `__structuredAttrs`: the JSON object of the attributes, written as `__json`.
        let mut json: Vec<u8> = Vec::new();
        for (k, v) in attrs.iter() {
            let key = k.to_string();
            if key == "__ignoreNulls" || (structured && key == "__structuredAttrs") {
                continue;
            }
            let here = attr_frame(attrs, &key, &name);
            *current = Some(here.clone());
            co.set_context(vec![here.clone(), drv_frame.clone()]);
            let v = co.force(v.clone()).await;
            if ignore_nulls && matches!(v, Value::Null) {
                continue;
            }
            if key == "__contentAddressed" || key == "__impure" {
                if !matches!(v, Value::Bool(_)) {
                    return Err(nixie_eval::convert::type_error("a Boolean", &v));
                }
                continue;
            }
            if key == "args" {
                let Value::List(l) = &v else {
                    return Err(nixie_eval::convert::type_error("a list", &v));
                };
                let element =
                    TraceFrame::new("while evaluating an element of the argument list", None);
                co.set_context(vec![element, here.clone(), drv_frame.clone()]);
                for a in l.iter() {
                    drv.args.push(string_of(co, a.clone(), &mut ctx).await?);
                }
                co.set_context(vec![here.clone(), drv_frame.clone()]);
                continue;
            }
            if key == "outputs" {
                // Without structured attributes the names are a string's words.
                let names: Vec<Value> = match (&v, structured) {
                    (Value::List(l), _) => l.iter().cloned().collect(),
                    (_, true) => {
                        return Err(nixie_eval::convert::type_error("a list", &v));
                    }
                    (_, false) => string_of(co, v.clone(), &mut ctx)
                        .await?
                        .split_ascii_whitespace()
                        .map(Value::string)
                        .collect(),
                };
                let mut seen = BTreeSet::new();
                outputs.clear();
                for o in names {
                    let o = string_of(co, o, &mut ctx).await?;
                    if o == "drv" || o == "drvPath" || valid_name(&o).is_err() {
                        return Err(ErrorKind::Other(format!(
                            "invalid derivation output name '{o}'"
                        )));
                    }
                    if !seen.insert(o.clone()) {
                        return Err(ErrorKind::Other(format!(
                            "duplicate derivation output '{o}'"
                        )));
                    }
                    outputs.push(o);
                }
                if outputs.is_empty() {
                    return Err(ErrorKind::Other(
                        "derivation cannot have an empty set of outputs".into(),
                    ));
                }
                if structured {
                    json_member(co, &mut json, k, v, &mut ctx).await?;
                } else {
                    drv.env.insert(key, outputs.join(" "));
                }
                continue;
            }
            if structured {
                json_member(co, &mut json, k, v.clone(), &mut ctx).await?;
                if OUTPUT_CHECKS.contains(&key.as_str()) {
                    co.ctx(|cx| {
                        cx.warn(&format!(
                            "warning: 'structuredAttrs' disables the effect of the derivation attribute '{key}'; use 'outputChecks.<output>.{key}' instead\n"
                        ))
                    });
                }
                if ![
                    "builder",
                    "system",
                    "outputHash",
                    "outputHashAlgo",
                    "outputHashMode",
                ]
                .contains(&key.as_str())
                {
                    continue;
                }
            }
            let s = string_of(co, v, &mut ctx).await?;
            match key.as_str() {
                "builder" => drv.builder = s.clone(),
                "system" => drv.system = s.clone(),
                "outputHash" => hash = Some(s.clone()),
                "outputHashAlgo" => hash_algo = s.clone(),
                "outputHashMode" => {
                    if !["flat", "recursive", "nar", "text", "git"].contains(&s.as_str()) {
                        return Err(ErrorKind::Other(format!(
                            "invalid value '{s}' for 'outputHashMode' attribute"
                        )));
                    }
                    hash_mode = s.clone()
                }
                _ => {}
            }
            if !structured && key == "__json" {
                co.ctx(|cx| cx.warn("warning: setting structured attributes via '__json' is deprecated, and may be disallowed in future versions of Nix. Set '__structuredAttrs = true' instead.\n"));
                // Current Nix parses it and writes it back in its own form.
                let parsed = crate::json::parse::parse(s.as_bytes())?;
                let text = crate::json::defs::json_text(co, parsed).await?;
                drv.env.insert(key, text.to_string());
            } else if !structured {
                drv.env.insert(key, s);
            }
        }
        if structured {
            if json.is_empty() {
                json.push(b'{');
            }
            json.push(b'}');
            let text = String::from_utf8(json).map_err(|_| {
                ErrorKind::Other("structured attributes are not valid UTF-8".into())
            })?;
            drv.env.insert("__json".into(), text);
        }
        *current = None;
        co.clear_context();
        if !attrs.contains(b"builder") {
            return Err(ErrorKind::Other(
                "required attribute 'builder' missing".into(),
            ));
        }
        if !attrs.contains(b"system") {
            return Err(ErrorKind::Other(
                "required attribute 'system' missing".into(),
            ));
        }
        for c in ctx.iter() {
            match c {
                ContextElem::Built { drv: path, output } => {
                    drv.input_drvs
                        .entry(path.to_string())
                        .or_default()
                        .insert(output.to_string());
                }
                ContextElem::Opaque(path) => {
                    drv.input_srcs.insert(path.to_string());
                }
                // The whole closure of the `.drv`, every derivation in it with all
                // its outputs.
                ContextElem::DrvDeep(path) => {
                    let closure = co.ctx(|cx| cx.closure(path))?;
                    let drvs = closure.iter().filter(|p| p.ends_with(".drv")).cloned();
                    co.ctx(|cx| super::load_foreign(cx, &known, drvs))
                        .map_err(ErrorKind::Other)?;
                    for p in closure {
                        if let Some(outs) = known.1.borrow().get(&p) {
                            drv.input_drvs.insert(p.clone(), outs.clone());
                        }
                        drv.input_srcs.insert(p);
                    }
                }
            }
        }
        let inputs: Vec<String> = drv.input_drvs.keys().cloned().collect();
        co.ctx(|cx| super::load_foreign(cx, &known, inputs))
            .map_err(ErrorKind::Other)?;
        let store = co.ctx(|cx| cx.store_dir());
        let path_name = |out: &str| {
            if out == "out" {
                name.clone()
            } else {
                format!("{name}-{out}")
            }
        };
        if let Some(h) = hash {
            if outputs != ["out"] {
                return Err(ErrorKind::Other(
                    "multiple outputs are not supported in fixed-output derivations".into(),
                ));
            }
            let (algo, digest) = parse_hash(&h, &hash_algo)?;
            let recursive = match hash_mode.as_str() {
                "flat" => false,
                "recursive" | "nar" => true,
                other => {
                    return Err(ErrorKind::Other(format!(
                        "outputHashMode '{other}' is not supported by nixie yet"
                    )))
                }
            };
            let path = if recursive && algo == "sha256" {
                make_store_path("source", &digest, &name, &store)
            } else {
                let inner = format!(
                    "fixed:out:{}{algo}:{}:",
                    if recursive { "r:" } else { "" },
                    hex(&digest)
                );
                let inner_hash: [u8; 32] = sha2::Sha256::digest(inner.as_bytes()).into();
                make_store_path("output:out", &inner_hash, &name, &store)
            };
            let algo_field = if recursive { format!("r:{algo}") } else { algo };
            drv.env.insert("out".into(), path.clone());
            drv.outputs
                .insert("out".into(), (path, algo_field, hex(&digest)));
        } else {
            for o in &outputs {
                drv.env.insert(o.clone(), String::new());
                drv.outputs
                    .insert(o.clone(), (String::new(), String::new(), String::new()));
            }
            let h = drv
                .hash_modulo(&known.0.borrow())
                .map_err(ErrorKind::Other)?;
            for o in &outputs {
                let p = make_store_path(&format!("output:{o}"), &h, &path_name(o), &store);
                drv.env.insert(o.clone(), p.clone());
                if let Some(entry) = drv.outputs.get_mut(o) {
                    entry.0 = p;
                }
            }
        }
        let text = drv.aterm(&drv.input_drvs);
        let refs: BTreeSet<String> = drv
            .input_srcs
            .iter()
            .chain(drv.input_drvs.keys())
            .cloned()
            .collect();
        let drv_name = format!("{name}.drv");
        let drv_path = co.ctx(|cx| cx.add_text(&drv_name, text.as_bytes(), &refs))?;
        let modulo = drv
            .hash_modulo(&known.0.borrow())
            .map_err(ErrorKind::Other)?;
        known.0.borrow_mut().insert(drv_path.clone(), modulo);
        let output_names = drv.outputs.keys().cloned().collect();
        known.1.borrow_mut().insert(drv_path.clone(), output_names);
        let mut out = Vec::new();
        let mut c = NixContext::new();
        c.insert(ContextElem::drv_deep(&drv_path));
        out.push((
            NixString::from("drvPath"),
            Value::String(NixString::with_context(drv_path.clone().into_bytes(), c)),
        ));
        for (o, (p, _, _)) in &drv.outputs {
            let mut c = NixContext::new();
            c.insert(ContextElem::built(&drv_path, o));
            out.push((
                NixString::from(o.as_str()),
                Value::String(NixString::with_context(p.clone().into_bytes(), c)),
            ));
        }
        Ok(Value::Attrs(Attrs::from_unsorted(out)))
    }
}

pub use defs::PACK;

#[cfg(test)]
mod tests {
    use super::*;
    use nixie_eval::store::make_store_path;

    #[test]
    fn hash_formats() {
        let zero = "0000000000000000000000000000000000000000000000000000";
        assert_eq!(parse_hash(zero, "sha256").unwrap().1, vec![0u8; 32]);
        let hexed = "a".repeat(64);
        assert_eq!(parse_hash(&hexed, "sha256").unwrap().1, vec![0xaa; 32]);
        let sri = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        assert_eq!(
            parse_hash(sri, "").unwrap(),
            ("sha256".to_string(), vec![0u8; 32])
        );
        assert!(parse_hash("xyz", "sha256").is_err());
        assert_eq!(
            make_store_path("source", &[0u8; 32], "x", "/nix/store").len(),
            "/nix/store/".len() + 32 + 2
        );
    }

    #[test]
    fn names() {
        assert!(valid_name("hello-1.0").is_ok());
        assert!(valid_name(".hidden").is_ok());
        assert!(valid_name("..-x").is_err());
        assert!(valid_name("a b").is_err());
    }
}
