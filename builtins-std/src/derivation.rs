//! Derivations: `derivationStrict` computes a derivation's store paths exactly as
//! Nix does (ATerm serialisation, hashing modulo fixed-output inputs, output and
//! `.drv` paths); `derivation` (written in Nix, [`DERIVATION_NIX`]) wraps it into the
//! familiar set with `outPath`, `drvPath`, `type = "derivation"` and one attribute per
//! output. Nothing is written to a store.

use nixie_eval::builtins;
use nixie_eval::encoding::hex;
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

/// Hashes "modulo fixed outputs" of the derivations made so far, by `.drv` path: a
/// derivation that depends on another is hashed with the other's hash in its place.
#[derive(Default)]
pub struct DrvHashes(RefCell<BTreeMap<String, [u8; 32]>>);

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

/// Whether a name is a valid store path name.
fn valid_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("name must not be empty".into());
    }
    if name.len() > 211 {
        return Err("name must be less than 212 characters".into());
    }
    if name.starts_with('.') {
        return Err("name must not begin with a period".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "+-._?=".contains(*c)))
    {
        return Err(format!("invalid character '{c}' in name"));
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

    /// The attributes `derivationStrict` reads before all others.
    #[derive(FromAttrs)]
    #[nix(allow_unknown)]
    pub struct DrvHead {
        name: NixString,
        #[nix(rename = "__structuredAttrs", default)]
        structured: bool,
        #[nix(rename = "__ignoreNulls", default)]
        ignore_nulls: bool,
    }

    async fn string_of(co: &mut Co, v: Value, ctx: &mut NixContext) -> Result<String, ErrorKind> {
        let s = co.coerce_to_string(v, Coercion::Derivation).await;
        nixie_eval::value::merge_context(ctx, s.context());
        Ok(s.to_string())
    }

    /// Instantiate a derivation from its attributes: compute its output paths and its
    /// `.drv` path (nothing is written to a store). Returns `{ drvPath; <output> = path; }`.
    #[builtin("derivationStrict", global)]
    async fn derivation_strict(
        co: &mut Co,
        #[state] known: Rc<super::DrvHashes>,
        attrs: Attrs,
    ) -> Result<Value, ErrorKind> {
        let head: DrvHead = co.force_to(Value::Attrs(attrs.clone())).await?;
        let name = head.name.to_string();
        valid_name(&name)
            .map_err(|why| ErrorKind::Other(format!("invalid derivation name '{name}': {why}")))?;
        let (structured, ignore_nulls) = (head.structured, head.ignore_nulls);
        if structured {
            return Err(ErrorKind::Other(
                "__structuredAttrs is not supported by nixie yet".into(),
            ));
        }
        let mut drv = Drv::default();
        let mut ctx = NixContext::new();
        let mut outputs: Vec<String> = vec!["out".into()];
        let (mut hash, mut hash_algo, mut hash_mode) = (None, String::new(), "flat".to_string());
        for (k, v) in attrs.iter() {
            let key = k.to_string();
            if key == "__ignoreNulls" {
                continue;
            }
            let v = co.force(v.clone()).await;
            if ignore_nulls && matches!(v, Value::Null) {
                continue;
            }
            if key == "args" {
                let Value::List(l) = &v else {
                    return Err(nixie_eval::convert::type_error("a list", &v));
                };
                for a in l.iter() {
                    drv.args.push(string_of(co, a.clone(), &mut ctx).await?);
                }
                continue;
            }
            if key == "outputs" {
                let Value::List(l) = &v else {
                    return Err(nixie_eval::convert::type_error("a list", &v));
                };
                let mut seen = BTreeSet::new();
                outputs.clear();
                for o in l.iter() {
                    let o = string_of(co, o.clone(), &mut ctx).await?;
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
                drv.env.insert(key, outputs.join(" "));
                continue;
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
            drv.env.insert(key, s);
        }
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
                ContextElem::DrvDeep(path) | ContextElem::Opaque(path) => {
                    drv.input_srcs.insert(path.to_string());
                }
            }
        }
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
        let mut refs: Vec<&String> = drv.input_srcs.iter().chain(drv.input_drvs.keys()).collect();
        refs.sort();
        refs.dedup();
        let mut kind = String::from("text");
        for r in refs {
            kind.push(':');
            kind.push_str(r);
        }
        let drv_hash: [u8; 32] = sha2::Sha256::digest(text.as_bytes()).into();
        let drv_path = make_store_path(&kind, &drv_hash, &format!("{name}.drv"), &store);
        let modulo = drv
            .hash_modulo(&known.0.borrow())
            .map_err(ErrorKind::Other)?;
        known.0.borrow_mut().insert(drv_path.clone(), modulo);
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
        assert!(valid_name(".hidden").is_err());
        assert!(valid_name("a b").is_err());
    }
}
