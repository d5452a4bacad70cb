//! String contexts: the store objects a string refers to. Each element is a
//! plain store path, a derivation with all its outputs and its build closure, or
//! one output of a derivation. C++ Nix encodes them as `/nix/store/…`,
//! `=/nix/store/….drv` and `!out!/nix/store/….drv`; [`ContextElem::encode`] and
//! [`ContextElem::decode`] convert to that form.

use std::collections::BTreeSet;
use std::rc::Rc;

/// One element of a string context (ordered as C++ Nix orders them).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContextElem {
    /// A store path (`path = true` in `getContext`).
    Opaque(Rc<str>),
    /// A derivation and everything it depends on (`allOutputs = true`).
    DrvDeep(Rc<str>),
    /// One output of a derivation (`outputs = [ … ]`).
    Built {
        /// The derivation's store path.
        drv: Rc<str>,
        /// The output's name.
        output: Rc<str>,
    },
}

impl ContextElem {
    /// A plain store path element.
    pub fn opaque(path: &str) -> ContextElem {
        ContextElem::Opaque(Rc::from(path))
    }

    /// An element for a derivation with all its outputs.
    pub fn drv_deep(drv: &str) -> ContextElem {
        ContextElem::DrvDeep(Rc::from(drv))
    }

    /// An element for one output of a derivation.
    pub fn built(drv: &str, output: &str) -> ContextElem {
        ContextElem::Built {
            drv: Rc::from(drv),
            output: Rc::from(output),
        }
    }

    /// The store path it names: the path, or the derivation's path.
    pub fn store_path(&self) -> &str {
        match self {
            ContextElem::Opaque(p) | ContextElem::DrvDeep(p) => p,
            ContextElem::Built { drv, .. } => drv,
        }
    }

    /// C++ Nix's encoding.
    pub fn encode(&self) -> String {
        match self {
            ContextElem::Opaque(p) => p.to_string(),
            ContextElem::DrvDeep(p) => format!("={p}"),
            ContextElem::Built { drv, output } => format!("!{output}!{drv}"),
        }
    }

    /// Parse C++ Nix's encoding.
    pub fn decode(e: &str) -> ContextElem {
        if let Some(p) = e.strip_prefix('=') {
            return ContextElem::drv_deep(p);
        }
        if let Some((output, drv)) = e.strip_prefix('!').and_then(|r| r.split_once('!')) {
            return ContextElem::built(drv, output);
        }
        ContextElem::opaque(e)
    }

    /// How current Nix shows it in messages: the path, `drv^output`, or
    /// `drv (deep)`.
    pub fn display(&self) -> String {
        match self {
            ContextElem::Opaque(p) => p.to_string(),
            ContextElem::DrvDeep(p) => format!("{p} (deep)"),
            ContextElem::Built { drv, output } => format!("{drv}^{output}"),
        }
    }
}

/// The string context: the elements a string refers to.
pub type NixContext = BTreeSet<ContextElem>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_round_trips_and_orders_as_nix() {
        let elems = [
            ContextElem::opaque("/nix/store/aaa-x"),
            ContextElem::drv_deep("/nix/store/bbb-y.drv"),
            ContextElem::built("/nix/store/bbb-y.drv", "dev"),
        ];
        for e in &elems {
            assert_eq!(&ContextElem::decode(&e.encode()), e);
        }
        let set: NixContext = elems.iter().rev().cloned().collect();
        assert_eq!(set.into_iter().collect::<Vec<_>>(), elems.to_vec());
        assert_eq!(elems[2].display(), "/nix/store/bbb-y.drv^dev");
        assert_eq!(elems[1].display(), "/nix/store/bbb-y.drv (deep)");
    }
}
