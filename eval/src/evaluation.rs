//! The builder API: assemble packs, IO and search paths into an [`Evaluation`],
//! then evaluate sources and files with it.

use crate::builtins::{Pack, PartialApp};
use crate::compiler::Globals;
use crate::errors::Error;
use crate::io::{Io, StdIo};
use crate::value::{Attrs, Captures, Closure, NixString, Thunk, ThunkState, Value};
use crate::vm::Vm;
use std::path::Path;
use std::rc::Rc;

/// Collects the configuration of an evaluation.
pub struct EvaluationBuilder {
    packs: Vec<&'static Pack>,
    states: Vec<(std::any::TypeId, Rc<dyn std::any::Any>)>,
    io: Rc<dyn Io>,
    search_path: Vec<(String, String)>,
    nix_globals: Vec<(&'static str, bool, &'static str)>,
}

/// A configured evaluator: packs registered, caches shared across calls.
pub struct Evaluation {
    vm: Vm,
    docs: Vec<(&'static str, &'static str)>,
}

/// Why an evaluation could not be built from its packs.
#[derive(Debug, Clone)]
pub enum BuildError {
    /// A name defined by two packs, neither overriding.
    Collision {
        /// The name.
        name: String,
        /// The pack that defined it first.
        first: &'static str,
        /// The pack that defined it again.
        second: &'static str,
    },
    /// A builtin written in Nix does not compile.
    NixGlobal {
        /// Its name.
        name: &'static str,
        /// The compiler's message.
        message: String,
    },
    /// A pack that needs state was registered with `pack` instead of `pack_with_state`.
    MissingState {
        /// The pack.
        pack: &'static str,
        /// The state type it needs.
        type_name: &'static str,
    },
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Collision { name, first, second } => write!(
                f,
                "builtin '{name}' is defined by both pack '{first}' and pack '{second}' (mark one pack as overriding)"
            ),
            BuildError::NixGlobal { name, message } => {
                write!(f, "builtin '{name}' (written in Nix) does not compile: {message}")
            }
            BuildError::MissingState { pack, type_name } => write!(
                f,
                "pack '{pack}' needs state of type {type_name}: register it with pack_with_state"
            ),
        }
    }
}

impl std::error::Error for BuildError {}

impl EvaluationBuilder {
    /// Register a pack of builtins.
    pub fn pack(mut self, p: &'static Pack) -> Self {
        self.packs.push(p);
        self
    }

    /// Add a builtin written in Nix: `source` is an expression evaluated (lazily) with
    /// every registered builtin in scope; it becomes `builtins.<name>`, and a top-level
    /// name too when `global`.
    pub fn nix_global(mut self, name: &'static str, global: bool, source: &'static str) -> Self {
        self.nix_globals.push((name, global, source));
        self
    }

    /// Register a pack together with the state its builtins share.
    pub fn pack_with_state<T: 'static>(mut self, p: &'static Pack, state: T) -> Self {
        self.packs.push(p);
        self.states
            .push((std::any::TypeId::of::<T>(), Rc::new(state)));
        self
    }

    /// Use this IO implementation instead of the real file system.
    pub fn io(mut self, io: Rc<dyn Io>) -> Self {
        self.io = io;
        self
    }

    /// Add a search path entry (`prefix=path`, or a bare path) as `-I` does.
    pub fn search_path_entry(mut self, entry: &str) -> Self {
        match entry.split_once('=') {
            Some((p, d)) => self.search_path.push((p.to_string(), d.to_string())),
            None => self.search_path.push((String::new(), entry.to_string())),
        }
        self
    }

    /// Build the evaluation; fails if two packs define the same name.
    pub fn build(self) -> Result<Evaluation, BuildError> {
        let mut globals = Globals::default();
        let mut builtins: Vec<(NixString, Value)> = Vec::new();
        let mut owner: Vec<(&'static str, &'static str)> = Vec::new();
        let mut docs = Vec::new();
        let mut packs = vec![&crate::lang_builtins::LANG_PACK];
        packs.extend(self.packs);
        for pack in &packs {
            if let Some(st) = &pack.state {
                if !self.states.iter().any(|(t, _)| *t == (st.type_id)()) {
                    return Err(BuildError::MissingState {
                        pack: pack.name,
                        type_name: st.type_name,
                    });
                }
            }
        }
        for pack in packs {
            let mut add = |name: &'static str, global: bool, v: Value| -> Result<(), BuildError> {
                if let Some((_, first)) = owner.iter().find(|(n, _)| *n == name) {
                    if !pack.overrides {
                        return Err(BuildError::Collision {
                            name: name.into(),
                            first,
                            second: pack.name,
                        });
                    }
                    builtins.retain(|(k, _)| k.as_bytes() != name.as_bytes());
                } else {
                    owner.push((name, pack.name));
                }
                builtins.push((NixString::from(name), v.clone()));
                let gname = if global {
                    name.to_string()
                } else {
                    format!("__{name}")
                };
                globals.insert(Rc::from(gname.as_str()), v);
                Ok(())
            };
            for (def, global) in pack.builtins {
                add(
                    def.name,
                    *global,
                    Value::Builtin(Rc::new(PartialApp {
                        def,
                        args: Vec::new(),
                    })),
                )?;
                docs.push((def.name, def.doc));
            }
            for pv in pack.values {
                add(pv.name, pv.global, (pv.make)())?;
            }
        }
        let this = Thunk::blank();
        builtins.push((NixString::from("builtins"), Value::Thunk(this.clone())));
        let set = Attrs::from_unsorted(builtins.clone());
        this.set_value(Value::Attrs(set.clone()));
        globals.insert(Rc::from("builtins"), Value::Attrs(set));
        let mut vm = Vm::new(Rc::new(globals), self.io);
        vm.search_path = self.search_path;
        vm.states = self.states.into_iter().collect();
        // Builtins written in Nix are compiled against everything registered so far.
        for (name, global, source) in self.nix_globals {
            let label = format!("«builtin {name}»");
            let file = vm
                .sources
                .add(label.clone(), "/".into(), None, Rc::from(source));
            let proto = vm
                .compile(source, file, std::path::Path::new("/"), &label)
                .map_err(|e| BuildError::NixGlobal {
                    name,
                    message: e.kind.message(),
                })?;
            let value = Value::Thunk(Thunk::new(ThunkState::Suspended(Closure {
                proto,
                captures: Captures::None,
            })));
            builtins.retain(|(k, _)| k.as_bytes() != name.as_bytes());
            builtins.push((NixString::from(name), value.clone()));
            let set = Attrs::from_unsorted(builtins.clone());
            this.set_value(Value::Attrs(set.clone()));
            let mut g = (*vm.globals).clone();
            g.insert(Rc::from("builtins"), Value::Attrs(set));
            let gname = if global {
                name.to_string()
            } else {
                format!("__{name}")
            };
            g.insert(Rc::from(gname.as_str()), value);
            vm.globals = Rc::new(g);
        }
        Ok(Evaluation { vm, docs })
    }
}

impl Evaluation {
    /// Start configuring an evaluation (the language builtins are always included).
    pub fn builder() -> EvaluationBuilder {
        EvaluationBuilder {
            packs: Vec::new(),
            states: Vec::new(),
            io: Rc::new(StdIo),
            search_path: Vec::new(),
            nix_globals: Vec::new(),
        }
    }

    /// The VM, for embedders that need lower-level access.
    pub fn vm(&mut self) -> &mut Vm {
        &mut self.vm
    }

    /// Parse and compile a source without evaluating it (syntax and scope errors only).
    pub fn check_source(&mut self, name: &str, text: &str, dir: &Path) -> Result<(), Error> {
        let file = self
            .vm
            .sources
            .add(name.into(), dir.to_path_buf(), None, Rc::from(text));
        self.vm.compile(text, file, dir, name).map(|_| ())
    }

    /// Evaluate a source text to weak head normal form. `dir` anchors relative paths.
    pub fn eval_source(&mut self, name: &str, text: &str, dir: &Path) -> Result<Value, Error> {
        let file = self
            .vm
            .sources
            .add(name.into(), dir.to_path_buf(), None, Rc::from(text));
        let proto = self.vm.compile(text, file, dir, name)?;
        self.vm.run_proto(proto)
    }

    /// Evaluate a file (a directory means its `default.nix`) to weak head normal form.
    pub fn eval_file(&mut self, path: &Path) -> Result<Value, Error> {
        let v = self.vm.import_file(path)?;
        self.vm.force_value(v)
    }

    /// Force a value to weak head normal form.
    pub fn force(&mut self, v: Value) -> Result<Value, Error> {
        self.vm.force_value(v)
    }

    /// Force a value completely (as `--strict` does).
    pub fn deep_force(&mut self, v: Value) -> Result<Value, Error> {
        self.vm.deep_force(v)
    }

    /// Call a function value and force the result.
    pub fn call(&mut self, f: Value, arg: Value) -> Result<Value, Error> {
        self.vm.call_value(f, arg)
    }

    /// Render an error with positions (and the trace, if asked).
    pub fn render_error(&self, e: &Error, show_trace: bool) -> String {
        e.render(&self.vm.sources, show_trace)
    }

    /// The documentation of a builtin, by name.
    pub fn doc(&self, name: &str) -> Option<&'static str> {
        self.docs.iter().find(|(n, _)| *n == name).map(|(_, d)| *d)
    }
}

impl Evaluation {
    /// Call a function the way `nix-instantiate` does with `--arg`/`--argstr`: a
    /// lambda with formals gets the matching arguments; anything else is returned as is.
    pub fn auto_call(&mut self, v: Value, args: &Attrs) -> Result<Value, Error> {
        let v = self.force(v)?;
        match &v {
            Value::Closure(c) => {
                let Some(formals) = &c.proto.formals else {
                    return Ok(v);
                };
                let mut picked = Vec::new();
                for (name, has_default) in &formals.entries {
                    match args.get(name.as_bytes()) {
                        Some(a) => picked.push((name.clone(), a.clone())),
                        None if *has_default => {}
                        None => {
                            return Err(Error::new(
                                crate::ErrorKind::Other(format!(
                                    "cannot evaluate a function that has an argument without a value ('{name}')"
                                )),
                                Some(c.proto.span),
                            ))
                        }
                    }
                }
                let arg = if formals.ellipsis {
                    args.clone()
                } else {
                    Attrs::from_unsorted(picked)
                };
                self.call(v.clone(), Value::Attrs(arg))
            }
            Value::Attrs(a) if a.contains(b"__functor") => {
                let f = a.get(b"__functor").cloned().expect("checked by the guard");
                let inner = self.call(f, v.clone())?;
                self.auto_call(inner, args)
            }
            _ => Ok(v),
        }
    }
}
