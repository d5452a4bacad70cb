//! Text files in the store: `builtins.toFile`.

use nixie_eval::builtins;

#[builtins(name = "store-text")]
pub mod defs {
    use nixie_eval::prelude::*;
    use nixie_eval::value::ContextElem;
    use std::collections::BTreeSet;

    /// `toFile name contents`: store `contents` as a file named `name` and return
    /// its store path. The file may refer to other store paths (through the
    /// string's context) but not to derivations or their outputs.
    #[builtin("toFile")]
    fn to_file(cx: &mut Ctx, name: NixString, contents: NixString) -> Result<Value, Error> {
        name.require_no_context()?;
        let name = name.to_string();
        let mut refs = BTreeSet::new();
        for c in contents.context().into_iter().flatten() {
            match c {
                ContextElem::Opaque(p) => {
                    refs.insert(p.to_string());
                }
                other => {
                    return Err(Error::msg(format!(
                        "files created by builtins.toFile may not reference derivations, but {name} references {}",
                        other.display()
                    )))
                }
            }
        }
        nixie_eval::store::validate_name(&name).map_err(Error::msg)?;
        let path = cx.add_text(&name, contents.as_bytes(), &refs)?;
        let mut ctx = nixie_eval::value::NixContext::new();
        ctx.insert(ContextElem::opaque(&path));
        Ok(Value::String(NixString::with_context(
            path.into_bytes(),
            ctx,
        )))
    }
}

pub use defs::PACK;
