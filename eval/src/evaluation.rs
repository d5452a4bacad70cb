//! The builder API: assemble packs, IO and search paths into an [`Evaluation`],
//! then evaluate sources and files with it.

use crate::builtins::{Pack, PartialApp};
use crate::compiler::{Globals, SourceShape};
use crate::errors::Error;
use crate::host::{Host, WarningSink};
use crate::io::{Io, StdIo};
use crate::limits::InterruptHandle;
use crate::settings::Settings;
use crate::store::{DummyStore, Store};
use crate::value::{Attrs, NixString, Thunk, ThunkState, Value};
use crate::vm::Vm;
use std::any::Any;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// One registration of a pack, with its own state.
struct Registered {
    pack: &'static Pack,
    state: Option<(std::any::TypeId, &'static str, Rc<dyn Any>)>,
}

/// Collects the configuration of an evaluation.
pub struct EvaluationBuilder {
    packs: Vec<Registered>,
    io: Rc<dyn Io>,
    store: Rc<dyn Store>,
    search_path: Vec<(String, String)>,
    nix_globals: Vec<(&'static str, bool, &'static str)>,
    settings: Settings,
    warning_sink: Option<WarningSink>,
}

/// A configured evaluator: packs registered, caches shared across calls.
pub struct Evaluation {
    vm: Vm,
    docs: Vec<(String, &'static str)>,
    /// The counters when the evaluation was built (they count per thread).
    stats_from: crate::stats::Statistics,
    /// `builtins.builtins`, which holds the set it is in: emptied on drop, so that
    /// the builtins do not outlive the evaluation in a reference cycle.
    builtins_self: Thunk,
}

impl Drop for Evaluation {
    fn drop(&mut self) {
        self.builtins_self.replace(ThunkState::Blackhole);
    }
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
    /// A pack was registered with state of another type than it declares.
    WrongState {
        /// The pack.
        pack: &'static str,
        /// The state type it needs.
        expected: &'static str,
        /// The type it was given.
        given: &'static str,
    },
    /// A pack given state that declares none.
    UnexpectedState {
        /// The pack.
        pack: &'static str,
    },
    /// A memory limit was set, but the global allocator does not count
    /// ([`crate::memory::CountingAlloc`]).
    MemoryNotCounted,
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
            BuildError::WrongState {
                pack,
                expected,
                given,
            } => write!(
                f,
                "pack '{pack}' needs state of type {expected}, but was registered with {given}"
            ),
            BuildError::UnexpectedState { pack } => write!(
                f,
                "pack '{pack}' declares no state: register it with pack, not pack_with_state"
            ),
            BuildError::MemoryNotCounted => write!(
                f,
                "a memory limit needs nixie_eval::memory::CountingAlloc as the global allocator"
            ),
        }
    }
}

impl std::error::Error for BuildError {}

impl EvaluationBuilder {
    /// Register a pack of builtins.
    pub fn pack(mut self, p: &'static Pack) -> Self {
        self.packs.push(Registered {
            pack: p,
            state: None,
        });
        self
    }

    /// Register a pack together with the state its builtins share. Each
    /// registration has its own state, whatever its type.
    pub fn pack_with_state<T: 'static>(mut self, p: &'static Pack, state: T) -> Self {
        self.packs.push(Registered {
            pack: p,
            state: Some((
                std::any::TypeId::of::<T>(),
                std::any::type_name::<T>(),
                Rc::new(state),
            )),
        });
        self
    }

    /// Add a builtin written in Nix: `source` is an expression evaluated (lazily) with
    /// every registered builtin in scope; it becomes `builtins.<name>`, and a top-level
    /// name too when `global`.
    pub fn nix_global(mut self, name: &'static str, global: bool, source: &'static str) -> Self {
        self.nix_globals.push((name, global, source));
        self
    }

    /// Use this IO implementation instead of the real file system.
    pub fn io(mut self, io: Rc<dyn Io>) -> Self {
        self.io = io;
        self
    }

    /// Keep store objects here (the default, a [`DummyStore`], computes paths and
    /// keeps nothing). The store also decides the logical store directory.
    pub fn store(mut self, store: Rc<dyn Store>) -> Self {
        self.store = store;
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

    /// Use these settings (call depth, lints, features, purity).
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// Change the settings in place.
    pub fn configure(mut self, f: impl FnOnce(&mut Settings)) -> Self {
        f(&mut self.settings);
        self
    }

    /// Send warnings and trace output here instead of standard error.
    pub fn warning_sink(mut self, sink: impl Fn(&str) + 'static) -> Self {
        self.warning_sink = Some(Rc::new(sink));
        self
    }

    /// Check each registration's state against what its pack declares.
    fn check_states(&self) -> Result<(), BuildError> {
        for r in &self.packs {
            match (&r.pack.state, &r.state) {
                (Some(st), None) => {
                    return Err(BuildError::MissingState {
                        pack: r.pack.name,
                        type_name: st.type_name,
                    })
                }
                (Some(st), Some((t, given, _))) if *t != (st.type_id)() => {
                    return Err(BuildError::WrongState {
                        pack: r.pack.name,
                        expected: st.type_name,
                        given,
                    })
                }
                (None, Some(_)) => return Err(BuildError::UnexpectedState { pack: r.pack.name }),
                _ => {}
            }
        }
        Ok(())
    }

    /// Build the evaluation; fails if two packs define the same name.
    pub fn build(self) -> Result<Evaluation, BuildError> {
        self.check_states()?;
        if self.settings.limits.memory.is_some() && !crate::memory::is_counting() {
            return Err(BuildError::MemoryNotCounted);
        }
        let mut table = NameTable::default();
        let mut states: Vec<Option<Rc<dyn Any>>> = Vec::new();
        let mut regs = vec![
            Registered {
                pack: &crate::lang_builtins::LANG_PACK,
                state: None,
            },
            Registered {
                pack: &crate::lang_builtins::MACHINE_PACK,
                state: None,
            },
        ];
        regs.extend(self.packs);
        let pure = self.settings.pure_eval;
        for (id, r) in regs.into_iter().enumerate() {
            states.push(r.state.map(|(_, _, s)| s));
            table.add_pack(r.pack, id as u32, pure)?;
        }
        // Pure evaluation has no search path at all.
        let search_path = if pure { Vec::new() } else { self.search_path };
        let unrestricted_io = self.io.clone();
        let (io, allowed) = if pure || self.settings.restrict_eval {
            let list = crate::purity::AllowList::default();
            for (_, dir) in &search_path {
                if !dir.contains("://") {
                    list.allow(&crate::paths::resolve(&self.io.current_dir(), dir));
                }
            }
            let io = crate::purity::RestrictedIo::new(self.io, list.clone(), pure);
            (Rc::new(io) as Rc<dyn Io>, Some(list))
        } else {
            (self.io, None)
        };
        let mut host = Host::new(io, self.store);
        host.unrestricted_io = unrestricted_io;
        host.allowed = allowed;
        host.search_path = search_path;
        host.states = states;
        host.settings = self.settings;
        if let Some(sink) = self.warning_sink {
            host.warning_sink = sink;
        }
        table.add_search_path(&host.search_path);
        table.add_host_value(
            "storeDir",
            Value::string(host.store_dir()),
            "The logical store directory (`/nix/store` unless `NIX_STORE_DIR` says otherwise).",
        );
        let (globals, builtins, this) = table.finish();
        let mut vm = Vm::new(Rc::new(globals), host);
        let mut builtins = builtins;
        // Builtins written in Nix are compiled against everything registered so far.
        for (name, global, source) in self.nix_globals {
            let label = format!("«builtin {name}»");
            let file = vm
                .sources
                .add(label.clone(), "/".into(), None, Rc::from(source));
            let proto = vm
                .compile(file, std::path::Path::new("/"), &label)
                .map_err(|e| BuildError::NixGlobal {
                    name,
                    message: e.kind.message(),
                })?;
            let value = Value::suspended(proto);
            builtins.retain(|(k, _)| k.as_bytes() != name.as_bytes());
            builtins.push((NixString::from(name), value.clone()));
            let set = Attrs::from_unsorted(builtins.clone());
            this.set_value(Value::Attrs(set.clone()));
            let mut g = (*vm.globals).clone();
            g.insert(Rc::from("builtins"), Value::Attrs(set));
            g.insert(Rc::from(global_name(name, global).as_str()), value);
            vm.globals = Rc::new(g);
        }
        Ok(Evaluation {
            vm,
            docs: table.docs,
            stats_from: crate::stats::Statistics::now(),
            builtins_self: this,
        })
    }
}

/// The name a builtin is visible under outside `builtins`.
fn global_name(name: &str, global: bool) -> String {
    if global {
        name.to_string()
    } else {
        format!("__{name}")
    }
}

/// The names registered so far: `builtins`' entries, namespaces, globals and docs.
#[derive(Default)]
struct NameTable {
    globals: Globals,
    builtins: Vec<(NixString, Value)>,
    namespaces: Vec<(&'static str, Vec<(NixString, Value)>)>,
    owner: Vec<(String, &'static str)>,
    docs: Vec<(String, &'static str)>,
}

impl NameTable {
    /// Add a pack's names; in pure mode an impure pack's constants are left out.
    fn add_pack(&mut self, pack: &'static Pack, id: u32, pure: bool) -> Result<(), BuildError> {
        for (def, global) in pack.builtins {
            let v = Value::Builtin(Rc::new(PartialApp {
                def,
                pack: id,
                args: Vec::new(),
            }));
            self.add(pack, def.name, *global, v, def.doc)?;
        }
        for pv in pack.values.iter().filter(|_| !(pure && pack.impure)) {
            self.add(pack, pv.name, pv.global, (pv.make)(), pv.doc)?;
        }
        Ok(())
    }

    fn add(
        &mut self,
        pack: &'static Pack,
        name: &'static str,
        global: bool,
        v: Value,
        doc: &'static str,
    ) -> Result<(), BuildError> {
        let full = match pack.namespace {
            Some(ns) => format!("{ns}.{name}"),
            None => name.to_string(),
        };
        match self.owner.iter().find(|(n, _)| *n == full) {
            Some((_, first)) if !pack.overrides => {
                return Err(BuildError::Collision {
                    name: full,
                    first,
                    second: pack.name,
                })
            }
            Some(_) => {}
            None => self.owner.push((full.clone(), pack.name)),
        }
        self.docs.retain(|(n, _)| *n != full);
        self.docs.push((full, doc));
        let entries = match pack.namespace {
            Some(ns) => match self.namespaces.iter_mut().position(|(n, _)| *n == ns) {
                Some(i) => &mut self.namespaces[i].1,
                None => {
                    self.namespaces.push((ns, Vec::new()));
                    &mut self.namespaces.last_mut().expect("pushed just above").1
                }
            },
            None => &mut self.builtins,
        };
        entries.retain(|(k, _)| k.as_bytes() != name.as_bytes());
        entries.push((NixString::from(name), v.clone()));
        if pack.namespace.is_none() {
            self.globals
                .insert(Rc::from(global_name(name, global).as_str()), v);
        }
        Ok(())
    }

    /// A value of `builtins` that the host knows (`builtins.<name>` and `__<name>`).
    fn add_host_value(&mut self, name: &'static str, v: Value, doc: &'static str) {
        self.builtins.push((NixString::from(name), v.clone()));
        self.globals
            .insert(Rc::from(format!("__{name}").as_str()), v);
        self.docs.push((name.into(), doc));
    }

    /// `builtins.nixPath` (and `__nixPath`): the search path as `{ path; prefix; }` sets.
    fn add_search_path(&mut self, entries: &[(String, String)]) {
        let list: Vec<Value> = entries
            .iter()
            .map(|(prefix, path)| {
                Value::Attrs(Attrs::from_sorted(vec![
                    (NixString::from("path"), Value::string(path.as_str())),
                    (NixString::from("prefix"), Value::string(prefix.as_str())),
                ]))
            })
            .collect();
        let v = Value::List(list.into());
        self.builtins.push((NixString::from("nixPath"), v.clone()));
        self.globals.insert(Rc::from("__nixPath"), v);
        self.docs.push((
            "nixPath".into(),
            "The search path (`-I`, `NIX_PATH`) as a list of `{ path; prefix; }` sets.",
        ));
    }

    /// The globals, the entries of `builtins`, and the thunk `builtins.builtins` is.
    fn finish(&mut self) -> (Globals, Vec<(NixString, Value)>, Thunk) {
        let mut builtins = std::mem::take(&mut self.builtins);
        for (ns, entries) in std::mem::take(&mut self.namespaces) {
            builtins.retain(|(k, _)| k.as_bytes() != ns.as_bytes());
            builtins.push((
                NixString::from(ns),
                Value::Attrs(Attrs::from_unsorted(entries)),
            ));
        }
        let this = Thunk::blank();
        builtins.push((NixString::from("builtins"), Value::Thunk(this.clone())));
        let set = Attrs::from_unsorted(builtins.clone());
        this.set_value(Value::Attrs(set.clone()));
        let mut globals = std::mem::take(&mut self.globals);
        globals.insert(Rc::from("builtins"), Value::Attrs(set));
        (globals, builtins, this)
    }
}

impl Evaluation {
    /// Start configuring an evaluation (the language builtins are always included).
    pub fn builder() -> EvaluationBuilder {
        EvaluationBuilder {
            packs: Vec::new(),
            io: Rc::new(StdIo),
            store: Rc::new(DummyStore::default()),
            search_path: Vec::new(),
            nix_globals: Vec::new(),
            settings: Settings::default(),
            warning_sink: None,
        }
    }

    /// The settings the evaluation runs with.
    pub fn settings(&self) -> Settings {
        self.vm.host.borrow().settings.clone()
    }

    /// A handle that stops this evaluation from any thread (see [`InterruptHandle`]).
    pub fn interrupt_handle(&self) -> InterruptHandle {
        self.vm.meter.interrupt_handle()
    }

    /// A value printed as `nix-instantiate --eval --strict` prints it, within
    /// the output limit ([`crate::Limits::output`]).
    pub fn print(&self, v: &Value) -> Result<Vec<u8>, Error> {
        let max = self.vm.meter.limits().output.unwrap_or(usize::MAX);
        crate::printer::print_ambiguous(v, max)
            .ok_or_else(|| Error::limit(crate::limits::Exceeded::Output(max)))
    }

    /// A value printed as `nix-instantiate --eval` without `--strict` prints it:
    /// as [`Evaluation::print`], with a function inside a set or list as
    /// `<CODE>`, since C++ Nix has not evaluated it.
    pub fn print_lazy(&self, v: &Value) -> Result<Vec<u8>, Error> {
        let max = self.vm.meter.limits().output.unwrap_or(usize::MAX);
        crate::printer::print_lazy(v, max)
            .ok_or_else(|| Error::limit(crate::limits::Exceeded::Output(max)))
    }

    /// A value rendered as `nix-instantiate --xml` renders it, forcing nothing:
    /// `strict` says it was forced deeply first (without, a function inside a
    /// set or list is `<unevaluated />`, as C++ Nix leaves it); with `location`,
    /// attributes and functions carry where they were defined.
    pub fn to_xml(&self, v: &Value, strict: bool, location: bool) -> Result<Vec<u8>, Error> {
        crate::printer_xml::to_xml(v, location.then_some(&self.vm.sources), strict)
    }

    /// Count the resource limits ([`crate::Limits`]) afresh from now, and drop a
    /// pending interrupt (a REPL does this before each input).
    pub fn reset_limits(&mut self) {
        self.vm.meter.reset();
    }

    /// Register a source and compile it.
    fn compile_source(
        &mut self,
        name: &str,
        text: &str,
        dir: &Path,
    ) -> Result<Rc<crate::opcode::Proto>, Error> {
        self.compile_in(name, text, dir, None, SourceShape::Expression)
    }

    /// Parse and compile a source without evaluating it (syntax and scope errors only).
    pub fn check_source(&mut self, name: &str, text: &str, dir: &Path) -> Result<(), Error> {
        self.compile_source(name, text, dir).map(|_| ())
    }

    /// The compiled code of a source, listed one instruction a line (for
    /// `--dump-bytecode`; the format is for reading and may change).
    pub fn disassemble_source(
        &mut self,
        name: &str,
        text: &str,
        dir: &Path,
    ) -> Result<String, Error> {
        let proto = self.compile_source(name, text, dir)?;
        Ok(crate::compiler::disassemble(&proto))
    }

    /// Evaluate a source text to weak head normal form. `dir` anchors relative paths.
    /// Text read from bytes should come through [`crate::source::decode_source`],
    /// which carries bytes that are not UTF-8 (and the characters U+10FF00 and up)
    /// so that string literals keep them exactly.
    pub fn eval_source(&mut self, name: &str, text: &str, dir: &Path) -> Result<Value, Error> {
        let proto = self.compile_source(name, text, dir)?;
        self.vm.run_proto(proto)
    }

    /// A source text compiled now (syntax and scope errors are errors now) and
    /// left unevaluated: a thunk that evaluates it when forced (how `--arg`
    /// passes its expression).
    pub fn lazy_source(&mut self, name: &str, text: &str, dir: &Path) -> Result<Value, Error> {
        let proto = self.compile_source(name, text, dir)?;
        Ok(Value::suspended(proto))
    }

    /// Evaluate a source text as [`Evaluation::eval_source`] does, with the names
    /// of `scope` bound to its values (shadowing builtins, as `let` would): how a
    /// REPL evaluates a line in the variables it has defined.
    pub fn eval_source_in(
        &mut self,
        name: &str,
        text: &str,
        dir: &Path,
        scope: &Attrs,
    ) -> Result<Value, Error> {
        let proto = self.compile_in(name, text, dir, Some(scope), SourceShape::Expression)?;
        self.vm.run_proto(proto)
    }

    /// Evaluate a source text that holds the bindings of an attribute set without
    /// its braces (`a = 1; b.c = 2; inherit (x) y;`), with the names of `scope`
    /// bound as in [`Evaluation::eval_source_in`]: the set they make. Each binding
    /// sees `scope`, not its neighbours (the set is not recursive).
    pub fn eval_bindings_in(
        &mut self,
        name: &str,
        text: &str,
        dir: &Path,
        scope: &Attrs,
    ) -> Result<Attrs, Error> {
        let proto = self.compile_in(name, text, dir, Some(scope), SourceShape::Bindings)?;
        match self.vm.run_proto(proto)? {
            Value::Attrs(a) => Ok(a),
            _ => unreachable!("bindings compile to an attribute set"),
        }
    }

    /// Register a source and compile it, in `scope` when given.
    fn compile_in(
        &mut self,
        name: &str,
        text: &str,
        dir: &Path,
        scope: Option<&Attrs>,
        shape: SourceShape,
    ) -> Result<Rc<crate::opcode::Proto>, Error> {
        let file = self
            .vm
            .sources
            .add(name.into(), dir.to_path_buf(), None, Rc::from(text));
        self.vm
            .compile_in(file, dir, name, scope, shape)
            .map(|(proto, _)| proto)
    }

    /// A source parsed and printed back as C++ Nix's `nix-instantiate --parse`
    /// prints it: every operation parenthesised, operators that are calls shown
    /// as calls, paths made absolute. Syntax and scope errors are errors.
    pub fn show_source(&mut self, name: &str, text: &str, dir: &Path) -> Result<String, Error> {
        let file = self
            .vm
            .sources
            .add(name.into(), dir.to_path_buf(), None, Rc::from(text));
        let (_, shown) = self
            .vm
            .compile_in(file, dir, name, None, SourceShape::Shown)?;
        Ok(shown.expect("a Shown source is shown"))
    }

    /// The file an expression path means, as `import` finds it: symbolic links
    /// followed, then a directory means its `default.nix`.
    pub fn resolve_expr_path(&self, path: &Path) -> Result<PathBuf, Error> {
        self.vm.resolve_expr_path(path)
    }

    /// Forget the files imported so far, so that importing one again reads it
    /// afresh (a REPL's `:r`).
    pub fn forget_imports(&mut self) {
        self.vm.host.borrow_mut().import_cache.clear();
    }

    /// The names every source sees without binding them (`builtins`, `map`,
    /// `true`, …), sorted.
    pub fn global_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.vm.globals.keys().map(|k| k.to_string()).collect();
        names.sort();
        names
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

    /// The work done on this thread since the evaluation was built (what
    /// `NIX_SHOW_STATS` reports); another evaluation run on the same thread meanwhile
    /// is counted too.
    pub fn statistics(&self) -> crate::stats::Statistics {
        crate::stats::Statistics::of_machine(&self.stats_from, &self.vm.tally)
    }

    /// Render an error with positions (and the trace, if asked).
    pub fn render_error(&self, e: &Error, show_trace: bool) -> String {
        e.render(&self.vm.sources, show_trace)
    }

    /// Render an error as `render_error` does, in C++ Nix's colours for a terminal.
    pub fn render_error_coloured(&self, e: &Error, show_trace: bool) -> String {
        e.render_coloured(&self.vm.sources, show_trace)
    }

    /// The documentation of a builtin or constant, by name (`ns.name` for a
    /// namespaced pack's).
    pub fn doc(&self, name: &str) -> Option<&'static str> {
        self.docs.iter().find(|(n, _)| *n == name).map(|(_, d)| *d)
    }

    /// What `:doc` shows for a lambda, as C++ Nix's `getDoc` words it:
    /// ``Function `name` `` and where it is defined, then its doc comment
    /// (`/** … */` before it or before its binding); `None` for other values.
    pub fn lambda_doc(&self, v: &Value) -> Option<String> {
        let Value::Closure(c) = v else { return None };
        let mut s = match &c.proto.name {
            Some(n) => format!("Function `{n}`\\\n  … "),
            None => "Function ".to_string(),
        };
        if let Some((file, line, col)) = &c.proto.position {
            s.push_str(&format!("defined at {file}:{line}:{col}"));
        }
        if let Some(doc) = c.proto.doc.as_deref().filter(|d| !d.is_empty()) {
            s.push_str("\n\n");
            s.push_str(doc);
        }
        Some(s)
    }

    /// What `:doc` shows for attribute `name` of `attrs` that is not a
    /// function, as C++ Nix words it: ``Attribute `name` ``, where it is
    /// defined, and the doc comment before its definition; `None` when the
    /// attribute has no known position.
    pub fn attribute_doc(&self, attrs: &Attrs, name: &[u8]) -> Option<String> {
        let span = attrs.position_of(name)?;
        let (line, col) = self.vm.sources.line_col(span);
        let file = self.vm.sources.file(span.file);
        let mut s = format!(
            "Attribute `{}`\n\n  … defined at {}:{line}:{col}\n\n",
            String::from_utf8_lossy(name),
            file.name
        );
        match crate::compiler::doc_comment_before(&file.text, span.start as usize) {
            Some(doc) => s.push_str(&doc),
            None => s.push_str("No documentation found.\n\n"),
        }
        Some(s)
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
