//! The command line's vocabulary: every flag `nixie` (as `nix-instantiate`)
//! accepts and every setting `--option` and the setting flags know, with the
//! text `--help`, the man page and the shell completions show for them. One
//! table, read by the parser (`args`) and by the help generator (`help`).

/// A flag: its names, the words it takes and what it is for.
pub struct Flag {
    /// The long name, without the leading `--`.
    pub long: &'static str,
    /// The one-letter name, if there is one.
    pub short: Option<char>,
    /// Names of the arguments the flag takes, in order (none for a switch).
    pub labels: &'static [&'static str],
    /// One line on what the flag does.
    pub help: &'static str,
    /// The section of `--help` it is listed under.
    pub heading: Heading,
}

/// A section of `--help`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Heading {
    Mode,
    Input,
    Output,
    Evaluation,
    Limits,
    Store,
    /// Accepted as C++ Nix accepts them; they concern building or logging,
    /// which an evaluator does not do.
    Accepted,
    /// Not listed: the generators of the man page and completions.
    Hidden,
}

impl Heading {
    /// The section's title.
    pub fn title(self) -> &'static str {
        match self {
            Heading::Mode => "Modes",
            Heading::Input => "Input",
            Heading::Output => "Output",
            Heading::Evaluation => "Evaluation",
            Heading::Limits => "Resource limits (nixie's own)",
            Heading::Store => "Store",
            Heading::Accepted => "Accepted for compatibility (no effect on evaluation)",
            Heading::Hidden => "Hidden",
        }
    }
}

const fn flag(
    long: &'static str,
    short: Option<char>,
    labels: &'static [&'static str],
    heading: Heading,
    help: &'static str,
) -> Flag {
    Flag {
        long,
        short,
        labels,
        help,
        heading,
    }
}

use Heading::*;

/// Every flag, in the order `--help` lists them.
pub const FLAGS: &[Flag] = &[
    flag(
        "eval",
        None,
        &[],
        Mode,
        "Evaluate and print the result instead of instantiating derivations.",
    ),
    flag("eval-only", None, &[], Mode, "The same as --eval."),
    flag(
        "parse",
        None,
        &[],
        Mode,
        "Parse the input and print it back as C++ Nix shows an expression.",
    ),
    flag("parse-only", None, &[], Mode, "The same as --parse."),
    flag(
        "find-file",
        None,
        &[],
        Mode,
        "Look each argument up in the search path and print its path.",
    ),
    flag(
        "dump-bytecode",
        None,
        &[],
        Mode,
        "Print the compiled bytecode of the input (a debugging aid; the format may change).",
    ),
    flag(
        "doc",
        None,
        &["name"],
        Mode,
        "Print the documentation of a builtin.",
    ),
    flag("help", None, &[], Mode, "Print this help."),
    flag("version", None, &[], Mode, "Print the version."),
    flag(
        "expr",
        Some('E'),
        &[],
        Input,
        "Treat the arguments as expressions instead of file names.",
    ),
    flag(
        "attr",
        Some('A'),
        &["attrPath"],
        Input,
        "Select an attribute path of the result (repeatable; `a.b.\"c.d\".0`).",
    ),
    flag(
        "arg",
        None,
        &["name", "expr"],
        Input,
        "Pass the value of expr as the argument name to a top-level function.",
    ),
    flag(
        "argstr",
        None,
        &["name", "string"],
        Input,
        "Pass the string as the argument name to a top-level function.",
    ),
    flag(
        "arg-from-file",
        None,
        &["name", "path"],
        Input,
        "Pass the contents of the file as the argument name.",
    ),
    flag(
        "arg-from-stdin",
        None,
        &["name"],
        Input,
        "Pass the contents of standard input as the argument name.",
    ),
    flag(
        "include",
        Some('I'),
        &["path"],
        Input,
        "Add a search path entry (`name=path`, `path` or a URL).",
    ),
    flag(
        "strict",
        None,
        &[],
        Output,
        "Evaluate the result completely, not only to its outermost constructor.",
    ),
    flag("json", None, &[], Output, "Print the result as JSON."),
    flag("xml", None, &[], Output, "Print the result as XML."),
    flag(
        "raw",
        None,
        &[],
        Output,
        "Print the result, a string, without quotes or a newline.",
    ),
    flag(
        "no-location",
        None,
        &[],
        Output,
        "Leave source positions out of the XML output.",
    ),
    flag(
        "option",
        None,
        &["name", "value"],
        Evaluation,
        "Set a setting (see SETTINGS below).",
    ),
    flag(
        "impure",
        None,
        &[],
        Evaluation,
        "Allow impure operations (switches pure evaluation off).",
    ),
    flag(
        "max-memory",
        None,
        &["bytes"],
        Limits,
        "Stop when the evaluation holds more memory (K, M, G suffixes).",
    ),
    flag(
        "time-limit",
        None,
        &["seconds"],
        Limits,
        "Stop after this many seconds.",
    ),
    flag(
        "max-steps",
        None,
        &["n"],
        Limits,
        "Stop after this many calls (a deterministic time limit).",
    ),
    flag(
        "max-output",
        None,
        &["bytes"],
        Limits,
        "Limit the printed result and toJSON/toXML strings (K, M, G suffixes).",
    ),
    flag(
        "readonly-mode",
        None,
        &[],
        Store,
        "Compute store paths without writing to the store.",
    ),
    flag(
        "read-write-mode",
        None,
        &[],
        Store,
        "Write to the store even with --eval.",
    ),
    flag("dry-run", None, &[], Store, "The same as --readonly-mode."),
    flag(
        "store",
        None,
        &["store-uri"],
        Store,
        "The store: `dummy://`, `local?root=DIR`, a directory, or `local`.",
    ),
    flag(
        "eval-store",
        None,
        &["store-url"],
        Store,
        "The store to evaluate in (nixie uses --store for both).",
    ),
    flag(
        "add-root",
        None,
        &["path"],
        Store,
        "Make a GC root (a symlink) for each instantiated derivation.",
    ),
    flag(
        "indirect",
        None,
        &[],
        Accepted,
        "Accepted; roots made with --add-root are plain symlinks.",
    ),
    flag(
        "no-gc-warning",
        None,
        &[],
        Accepted,
        "Do not warn about instantiating without --add-root.",
    ),
    flag(
        "repair",
        None,
        &[],
        Accepted,
        "Accepted; nixie does not repair store paths.",
    ),
    flag(
        "verbose",
        Some('v'),
        &[],
        Accepted,
        "Increase the logging verbosity.",
    ),
    flag(
        "quiet",
        None,
        &[],
        Accepted,
        "Decrease the logging verbosity.",
    ),
    flag(
        "debug",
        None,
        &[],
        Accepted,
        "Set the logging verbosity to debug.",
    ),
    flag(
        "log-format",
        None,
        &["format"],
        Accepted,
        "raw, internal-json, bar or bar-with-logs.",
    ),
    flag(
        "no-build-output",
        Some('Q'),
        &[],
        Accepted,
        "Do not show build output.",
    ),
    flag(
        "keep-failed",
        Some('K'),
        &[],
        Accepted,
        "Keep the directories of failed builds.",
    ),
    flag(
        "keep-going",
        Some('k'),
        &[],
        Accepted,
        "Keep going after a build fails.",
    ),
    flag(
        "fallback",
        None,
        &[],
        Accepted,
        "Build from source if substitution fails.",
    ),
    flag(
        "max-jobs",
        Some('j'),
        &["jobs"],
        Accepted,
        "The maximum number of parallel builds.",
    ),
    flag(
        "cores",
        None,
        &["n"],
        Accepted,
        "CPU cores a build may use.",
    ),
    flag(
        "max-silent-time",
        None,
        &["n"],
        Accepted,
        "Seconds of silence before a build is killed.",
    ),
    flag(
        "timeout",
        None,
        &["n"],
        Accepted,
        "Seconds before a build is killed.",
    ),
    flag(
        "override-flake",
        None,
        &["original-ref", "resolved-ref"],
        Accepted,
        "Accepted; nixie has no flake registry.",
    ),
    flag(
        "generate-man-page",
        None,
        &[],
        Hidden,
        "Print the man page (roff).",
    ),
    flag(
        "generate-completions",
        None,
        &["shell"],
        Hidden,
        "Print completions for bash, zsh, fish, elvish or powershell.",
    ),
];

/// What a setting holds, which decides how it is written as a flag.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// `--name` sets it, `--no-name` clears it.
    Bool,
    /// `--name VALUE`.
    Value,
    /// `--name VALUE` replaces the list, `--extra-name VALUE` adds to it.
    List,
}

/// A setting (`--option NAME VALUE`, or `--NAME` as a flag).
pub struct Setting {
    /// The setting's name.
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// What it does in nixie; `None` for a setting accepted and ignored.
    pub help: Option<&'static str>,
}

const fn used(name: &'static str, kind: Kind, help: &'static str) -> Setting {
    Setting {
        name,
        kind,
        help: Some(help),
    }
}

const fn ignored(name: &'static str, kind: Kind) -> Setting {
    Setting {
        name,
        kind,
        help: None,
    }
}

/// Every setting nixie knows: those it acts on first, then those of C++ Nix it
/// accepts without effect (they concern building, the daemon or caches).
pub const SETTINGS: &[Setting] = &[
    used(
        "pure-eval",
        Kind::Bool,
        "Pure evaluation: no environment, no paths outside the store.",
    ),
    used(
        "restrict-eval",
        Kind::Bool,
        "Only the search path and allowed-uris are reachable.",
    ),
    used(
        "allowed-uris",
        Kind::List,
        "URI prefixes reachable in restricted and pure mode.",
    ),
    used(
        "max-call-depth",
        Kind::Value,
        "Allow calls to nest this deep (default: about a million).",
    ),
    used(
        "show-trace",
        Kind::Bool,
        "Print the evaluation trace with errors.",
    ),
    used(
        "abort-on-warn",
        Kind::Bool,
        "Make builtins.warn end the evaluation with an error after its warning.",
    ),
    used(
        "experimental-features",
        Kind::List,
        "Experimental features to switch on.",
    ),
    used(
        "tarball-ttl",
        Kind::Value,
        "Seconds a downloaded tarball stays fresh.",
    ),
    used(
        "nix-path",
        Kind::List,
        "Search path entries, as NIX_PATH gives them.",
    ),
    used("store", Kind::Value, "The store (as --store)."),
    used(
        "lint-absolute-path-literals",
        Kind::Value,
        "Lint absolute path literals: ignore, warn or fatal.",
    ),
    used(
        "lint-short-path-literals",
        Kind::Value,
        "Lint relative path literals without ./: ignore, warn or fatal.",
    ),
    used(
        "lint-url-literals",
        Kind::Value,
        "Lint unquoted URL literals: ignore, warn or fatal.",
    ),
    ignored("allow-import-from-derivation", Kind::Bool),
    ignored("allow-unsafe-native-code-during-evaluation", Kind::Bool),
    ignored("builders", Kind::Value),
    ignored("build-users-group", Kind::Value),
    ignored("eval-cache", Kind::Bool),
    ignored("keep-derivations", Kind::Bool),
    ignored("keep-outputs", Kind::Bool),
    ignored("narinfo-cache-negative-ttl", Kind::Value),
    ignored("sandbox", Kind::Bool),
    ignored("substitute", Kind::Bool),
    ignored("substituters", Kind::List),
    ignored("trusted-substituters", Kind::List),
    ignored("system", Kind::Value),
    ignored("eval-system", Kind::Value),
    ignored("extra-platforms", Kind::List),
    ignored("system-features", Kind::List),
    ignored("trusted-public-keys", Kind::List),
    ignored("warn-dirty", Kind::Bool),
    ignored("accept-flake-config", Kind::Bool),
    ignored("flake-registry", Kind::Value),
    ignored("use-registries", Kind::Bool),
    ignored("trace-verbose", Kind::Bool),
    ignored("trace-function-calls", Kind::Bool),
    ignored("access-tokens", Kind::List),
    ignored("connect-timeout", Kind::Value),
    ignored("download-attempts", Kind::Value),
    ignored("fsync-metadata", Kind::Bool),
    ignored("gc-reserved-space", Kind::Value),
    ignored("log-lines", Kind::Value),
    ignored("require-sigs", Kind::Bool),
    ignored("filter-syscalls", Kind::Bool),
    ignored("sandbox-paths", Kind::List),
    ignored("debugger-on-trace", Kind::Bool),
    ignored("debugger-on-warn", Kind::Bool),
    ignored("ignore-try", Kind::Bool),
    ignored("use-xdg-base-directories", Kind::Bool),
    ignored("print-missing", Kind::Bool),
    ignored("http-connections", Kind::Value),
    ignored("netrc-file", Kind::Value),
    ignored("post-build-hook", Kind::Value),
    ignored("pre-build-hook", Kind::Value),
    ignored("build-hook", Kind::Value),
    ignored("auto-optimise-store", Kind::Bool),
    ignored("min-free", Kind::Value),
    ignored("max-free", Kind::Value),
    ignored("cores", Kind::Value),
    ignored("max-jobs", Kind::Value),
    ignored("keep-going", Kind::Bool),
    ignored("keep-failed", Kind::Bool),
    ignored("fallback", Kind::Bool),
    ignored("max-silent-time", Kind::Value),
    ignored("timeout", Kind::Value),
];

/// The setting called `name`, if nixie knows it.
pub fn setting(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name)
}

/// The environment variables nixie reads, for `--help` and the man page.
pub const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "NIX_PATH",
        "Search path entries, separated by ':' (after those of -I).",
    ),
    ("NIX_STORE_DIR", "The store directory (default /nix/store)."),
    (
        "NIX_REMOTE",
        "The store, when --store is not given (dummy://, local?root=DIR, ...).",
    ),
    (
        "NIX_SHOW_STATS",
        "When set (and not 0), print evaluation statistics as JSON on exit.",
    ),
    (
        "NIX_SHOW_STATS_PATH",
        "Write the statistics to this file instead of standard error.",
    ),
    (
        "NIX_ABORT_ON_WARN",
        "When 1, yes or true: the abort-on-warn setting.",
    ),
    ("NO_COLOR", "When set, never colour the output."),
    (
        "XDG_DATA_HOME",
        "The default store's root (nixie/) and the REPL's history (nixie/repl-history).",
    ),
    (
        "XDG_CACHE_HOME",
        "Where fetched URLs and repositories are cached (nixie/fetch).",
    ),
    (
        "HOME",
        "For ~/ paths, and the XDG directories when those are unset.",
    ),
];
