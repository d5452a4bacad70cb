//! The settings of an evaluation: what the builder configures and builtins may
//! read (through their context), such as purity, call depth, lints and features.

/// How strictly a lint is applied.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub enum LintLevel {
    /// Not checked.
    #[default]
    Off,
    /// Reported as a warning.
    Warn,
    /// Reported as an error.
    Fatal,
}

/// The `--lint-*` settings of current Nix.
#[derive(Clone, Copy, Default, Debug)]
pub struct Lints {
    /// Absolute (`/x`) and home (`~/x`) path literals.
    pub absolute_path: LintLevel,
    /// Relative path literals not starting with `./` or `../`.
    pub short_path: LintLevel,
    /// Unquoted URL literals.
    pub url_literals: LintLevel,
}

/// The settings an evaluation runs with. Builtins read them through
/// [`crate::Ctx::settings`] or [`crate::Co::ctx`]; only the builder sets them.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Settings {
    /// `max-call-depth`: calls may nest one deeper than this before "stack overflow".
    /// Calls of lambdas, builtins and functors count, as in C++ Nix's `callFunction`;
    /// C++ Nix also counts `==`, string coercion and serialisers, which nixie runs
    /// without nesting. `None`: about a million nested calls, bounded by frames.
    pub max_call_depth: Option<usize>,
    /// Count the work of the interpreter loop too (thunks made and avoided, attribute
    /// lookups) for [`crate::Evaluation::statistics`], as `NIX_SHOW_STATS` asks; off,
    /// the loop runs an instance without the counters.
    pub count_statistics: bool,
    /// The path and URL literal lints.
    pub lints: Lints,
    /// Experimental features switched on (`extra-experimental-features`).
    pub features: Vec<String>,
    /// Pure evaluation (`pure-eval`): no access to the environment or to paths
    /// outside the allowed ones.
    pub pure_eval: bool,
    /// Restricted evaluation (`restrict-eval`): only the search path and allowed
    /// URIs are reachable.
    pub restrict_eval: bool,
    /// Compute the paths of `path`, `toFile`, copied sources and `.drv` files
    /// without writing them (`--readonly-mode`, and `--eval` without
    /// `--read-write-mode`); fetchers still write, as in C++ Nix.
    pub read_only: bool,
    /// How long fetched URLs stay cached, in seconds (`tarball-ttl`; `None`: Nix's
    /// default of an hour).
    pub tarball_ttl: Option<u64>,
    /// URI prefixes fetchers may reach in restricted mode (`allowed-uris`).
    pub allowed_uris: Vec<String>,
    /// Resource limits (memory, time, steps, output size).
    pub limits: crate::limits::Limits,
    /// `abort-on-warn`: `builtins.warn` ends the evaluation with an error after
    /// printing its warning, so that the trace shows where it came from.
    pub abort_on_warn: bool,
}

impl Settings {
    /// How deeply a walk over a whole value (`deepSeq`, `==`, coercion) may nest: `max-call-depth` when set, [`crate::limits::MAX_VALUE_DEPTH`] if not.
    pub fn value_depth(&self) -> usize {
        self.max_call_depth
            .unwrap_or(crate::limits::MAX_VALUE_DEPTH)
    }

    /// Whether an experimental feature is switched on.
    pub fn has_feature(&self, name: &str) -> bool {
        self.features.iter().any(|f| f == name)
    }
}
