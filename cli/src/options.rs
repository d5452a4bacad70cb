//! The command line, named as `nix-instantiate` names it, and `--option NAME VALUE`
//! applied to the settings as C++ Nix applies it.

use clap::Parser;
use nixie_eval::settings::{LintLevel, Lints, Settings};
use std::path::PathBuf;

/// Command-line options, named as `nix-instantiate` names them.
#[derive(Parser, Debug)]
#[command(
    name = "nixie",
    version,
    about = "Evaluate Nix expressions (a nix-instantiate --eval drop-in)"
)]
pub struct Cli {
    /// Evaluate and print the result (the only mode besides --parse).
    #[arg(long)]
    pub eval: bool,
    /// Parse the input and check it for syntax and scope errors only.
    #[arg(long)]
    pub parse: bool,
    /// Print the compiled bytecode of the input instead of evaluating it (a
    /// debugging aid; the listing's format may change).
    #[arg(long)]
    pub dump_bytecode: bool,
    /// Evaluate the result completely, not just to weak head normal form.
    #[arg(long)]
    pub strict: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Print the result as XML.
    #[arg(long)]
    pub xml: bool,
    /// Leave source locations out of the XML output.
    #[arg(long)]
    pub no_location: bool,
    /// Treat the arguments as expressions instead of file names.
    #[arg(short = 'E', long = "expr")]
    pub expr: bool,
    /// Select an attribute of the result (repeatable).
    #[arg(short = 'A', long = "attr", value_name = "ATTRPATH")]
    pub attr: Vec<String>,
    /// Add a search path entry (`name=path` or `path`).
    #[arg(short = 'I', value_name = "PATH")]
    pub include: Vec<String>,
    /// Pass an argument (a Nix expression) to a top-level function.
    #[arg(long = "arg", num_args = 2, value_names = ["NAME", "EXPR"])]
    pub arg: Vec<String>,
    /// Pass a string argument to a top-level function.
    #[arg(long = "argstr", num_args = 2, value_names = ["NAME", "VALUE"])]
    pub argstr: Vec<String>,
    /// Print the evaluation trace with errors.
    #[arg(long)]
    pub show_trace: bool,
    /// Do not print the trace (the default).
    #[arg(long)]
    pub no_show_trace: bool,
    /// Allow function calls to nest N + 1 deep (C++ Nix's default is 10000; nixie's,
    /// about a million).
    #[arg(long, value_name = "N")]
    pub max_call_depth: Option<usize>,
    /// Compute store paths without writing anything to the store.
    #[arg(long)]
    pub readonly_mode: bool,
    /// Write to the store even with `--eval`.
    #[arg(long)]
    pub read_write_mode: bool,
    /// The store: `dummy://`, `local?root=DIR`, a directory (its root), or `local`.
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
    /// Make a GC root (a symlink) for each instantiated derivation.
    #[arg(long, value_name = "PATH")]
    pub add_root: Option<PathBuf>,
    /// Accepted for compatibility (roots made with `--add-root` are always plain symlinks).
    #[arg(long)]
    pub indirect: bool,
    /// Experimental features to switch on.
    #[arg(long, value_name = "FEATURES")]
    pub extra_experimental_features: Vec<String>,
    /// Set a configuration option (`--option NAME VALUE`).
    #[arg(long, num_args = 2, value_names = ["NAME", "VALUE"])]
    pub option: Vec<String>,
    /// Pure evaluation: no environment, no paths outside the store, no search path.
    #[arg(long)]
    pub pure_eval: bool,
    /// Restricted evaluation: only the search path and allowed URIs are reachable.
    #[arg(long)]
    pub restrict_eval: bool,
    /// URI prefixes reachable in restricted mode (space-separated).
    #[arg(long, value_name = "URIS")]
    pub allowed_uris: Vec<String>,
    /// Lint absolute and home path literals: ignore, warn or fatal.
    #[arg(long, value_name = "LEVEL")]
    pub lint_absolute_path_literals: Option<LintArg>,
    /// Lint relative path literals without `./`: ignore, warn or fatal.
    #[arg(long, value_name = "LEVEL")]
    pub lint_short_path_literals: Option<LintArg>,
    /// Lint unquoted URL literals: ignore, warn or fatal.
    #[arg(long, value_name = "LEVEL")]
    pub lint_url_literals: Option<LintArg>,
    /// Allow impure operations (switches pure evaluation off).
    #[arg(long)]
    pub impure: bool,
    /// Limit the memory the evaluation may hold (bytes; a `K`, `M` or `G` suffix
    /// multiplies by 1024s): beyond it, "memory limit exceeded".
    #[arg(long, value_name = "BYTES", value_parser = parse_size)]
    pub max_memory: Option<usize>,
    /// Stop the evaluation after this many seconds of wall-clock time.
    #[arg(long, value_name = "SECONDS")]
    pub time_limit: Option<f64>,
    /// Stop the evaluation after this many calls of lambdas and builtins (a
    /// deterministic time limit).
    #[arg(long, value_name = "N")]
    pub max_steps: Option<u64>,
    /// Limit the size of the printed result and of `toJSON` and `toXML` strings
    /// (bytes; `K`, `M`, `G` suffixes as for --max-memory).
    #[arg(long, value_name = "BYTES", value_parser = parse_size)]
    pub max_output: Option<usize>,
    /// Print the documentation of a builtin and exit.
    #[arg(long, value_name = "NAME")]
    pub doc: Option<String>,
    /// Files (or expressions with -E); `-` reads standard input.
    pub inputs: Vec<String>,
}

/// A `--lint-*` level.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum LintArg {
    Ignore,
    Warn,
    Fatal,
}

pub fn lint_level(a: Option<LintArg>) -> LintLevel {
    match a {
        None | Some(LintArg::Ignore) => LintLevel::Off,
        Some(LintArg::Warn) => LintLevel::Warn,
        Some(LintArg::Fatal) => LintLevel::Fatal,
    }
}

/// Settings C++ Nix knows that nixie accepts and ignores (they concern building,
/// the daemon or caches, not evaluation).
const IGNORED_SETTINGS: &[&str] = &[
    "allow-import-from-derivation",
    "allow-unsafe-native-code-during-evaluation",
    "builders",
    "build-users-group",
    "cores",
    "eval-cache",
    "keep-derivations",
    "keep-outputs",
    "max-jobs",
    "narinfo-cache-negative-ttl",
    "sandbox",
    "substitute",
    "substituters",
    "system",
    "eval-system",
    "trusted-public-keys",
    "warn-dirty",
    "show-trace",
    "accept-flake-config",
    "flake-registry",
    "use-registries",
    "trace-verbose",
    "experimental-features",
    "nix-path",
    "extra-nix-path",
    "access-tokens",
    "connect-timeout",
    "download-attempts",
    "fsync-metadata",
    "gc-reserved-space",
    "keep-going",
    "log-lines",
    "require-sigs",
    "store",
    "extra-substituters",
    "extra-trusted-public-keys",
    "filter-syscalls",
    "sandbox-paths",
    "debugger-on-trace",
    "abort-on-warn",
    "pure-eval",
    "restrict-eval",
    "allowed-uris",
    "max-call-depth",
    "extra-experimental-features",
    "lint-absolute-path-literals",
    "lint-short-path-literals",
    "lint-url-literals",
];

/// A byte count, with an optional `K`, `M` or `G` suffix (powers of 1024).
fn parse_size(text: &str) -> Result<usize, String> {
    let (digits, unit) = match text.char_indices().last() {
        Some((i, c)) if "KMGkmg".contains(c) => (&text[..i], c.to_ascii_uppercase()),
        _ => (text, 'B'),
    };
    let n: usize = digits
        .parse()
        .map_err(|_| format!("'{text}' is not a size in bytes"))?;
    let shift = match unit {
        'K' => 10,
        'M' => 20,
        'G' => 30,
        _ => 0,
    };
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("'{text}' is too large"))
}

/// Without `--max-memory`, under an address-space limit (`ulimit -v`): half of it,
/// so that running out ends in "memory limit exceeded" rather than in an
/// allocation failure, which aborts the process (the allocator reserves address
/// space beyond what it hands out).
fn memory_from_address_space_limit() -> Option<usize> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes the struct it is given and nothing else.
    if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut lim) } != 0
        || lim.rlim_cur == libc::RLIM_INFINITY
    {
        return None;
    }
    usize::try_from(lim.rlim_cur / 2).ok()
}

/// The resource limits the command line asks for.
fn limits(cli: &Cli) -> Result<nixie_eval::Limits, String> {
    let mut l = nixie_eval::Limits::default();
    l.memory = cli.max_memory.or_else(memory_from_address_space_limit);
    l.steps = cli.max_steps;
    l.output = cli.max_output;
    l.time = match cli.time_limit {
        None => None,
        Some(t) => Some(
            std::time::Duration::try_from_secs_f64(t)
                .map_err(|_| format!("'{t}' is not a number of seconds"))?,
        ),
    };
    Ok(l)
}

fn parse_bool(name: &str, value: &str) -> Result<bool, String> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!(
            "Boolean setting '{name}' has invalid value '{value}'"
        )),
    }
}

/// Apply the command line's purity flags and `--option`s to `s`, warning about
/// unknown settings as C++ Nix does.
pub fn apply(cli: &Cli, s: &mut Settings, store: &mut Option<String>) -> Result<(), String> {
    s.lints = Lints {
        absolute_path: lint_level(cli.lint_absolute_path_literals),
        short_path: lint_level(cli.lint_short_path_literals),
        url_literals: lint_level(cli.lint_url_literals),
    };
    s.features = words(&cli.extra_experimental_features);
    s.max_call_depth = cli.max_call_depth;
    s.pure_eval = cli.pure_eval;
    s.restrict_eval = cli.restrict_eval;
    s.allowed_uris = words(&cli.allowed_uris);
    s.limits = limits(cli)?;
    for pair in cli.option.chunks(2) {
        let (name, value) = (pair[0].as_str(), pair[1].as_str());
        match name.strip_prefix("extra-").unwrap_or(name) {
            "pure-eval" => s.pure_eval = parse_bool(name, value)?,
            "restrict-eval" => s.restrict_eval = parse_bool(name, value)?,
            "allowed-uris" => s
                .allowed_uris
                .extend(value.split_whitespace().map(String::from)),
            "experimental-features" => s
                .features
                .extend(value.split_whitespace().map(String::from)),
            "store" => *store = Some(value.to_string()),
            "tarball-ttl" => {
                s.tarball_ttl =
                    Some(value.parse().map_err(|_| {
                        format!("setting 'tarball-ttl' has invalid value '{value}'")
                    })?)
            }
            "max-call-depth" => {
                s.max_call_depth =
                    Some(value.parse().map_err(|_| {
                        format!("setting 'max-call-depth' has invalid value '{value}'")
                    })?)
            }
            _ if IGNORED_SETTINGS.contains(&name) => {}
            _ => crate::diagnostics::warning(&format!("unknown setting '{name}'")),
        }
    }
    if cli.impure {
        s.pure_eval = false;
    }
    Ok(())
}

fn words(v: &[String]) -> Vec<String> {
    v.iter()
        .flat_map(|f| f.split_whitespace())
        .map(String::from)
        .collect()
}
