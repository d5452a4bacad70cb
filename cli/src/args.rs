//! The command line read as C++ Nix reads `nix-instantiate`'s: compound short
//! flags expanded (`-vvv`, `-j3`), `--` ending the flags, `-` meaning standard
//! input, every setting also a flag (`--pure-eval`, `--no-pure-eval`,
//! `--extra-allowed-uris X`), and Nix's usage errors, word for word.
//!
//! The vocabulary is [`crate::flags`]; this module only applies it.

use crate::flags::{self, Kind};
use std::path::PathBuf;

/// What the command line asks for.
#[derive(Debug, Default)]
pub struct Cli {
    pub eval: bool,
    pub parse: bool,
    pub find_file: bool,
    pub dump_bytecode: bool,
    pub doc: Option<String>,
    pub help: bool,
    pub version: bool,
    /// The arguments are expressions (`-E`).
    pub expr: bool,
    /// `-` was given: read an expression from standard input.
    pub read_stdin: bool,
    pub attr: Vec<String>,
    /// `--arg`, `--argstr`, … in order (a later one for a name replaces an earlier one).
    pub auto_args: Vec<(String, AutoArg)>,
    pub include: Vec<String>,
    pub strict: bool,
    pub output: OutputKind,
    pub location: bool,
    pub impure: bool,
    pub readonly_mode: bool,
    pub read_write_mode: bool,
    pub store: Option<String>,
    pub add_root: Option<PathBuf>,
    /// Settings in the order given, from `--option` and from setting flags.
    pub settings: Vec<SettingArg>,
    pub max_memory: Option<String>,
    pub time_limit: Option<String>,
    pub max_steps: Option<String>,
    pub max_output: Option<String>,
    /// `--no-gc-warning`.
    pub no_gc_warning: bool,
    /// `--log-format`'s value, checked as C++ Nix checks it.
    pub log_format: Option<String>,
    /// Files, or expressions with `-E`.
    pub inputs: Vec<String>,
    /// The hidden generators: `--generate-man-page`, `--generate-completions SHELL`.
    pub generate: Option<Generate>,
}

/// A setting the command line gives.
#[derive(Debug)]
pub struct SettingArg {
    pub name: String,
    pub value: String,
    /// Given with `--option` (whose bad values are warnings, where a setting
    /// flag's are errors).
    pub via_option: bool,
}

/// How `--eval` prints its result.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    #[default]
    Plain,
    Raw,
    Json,
    Xml,
}

/// An argument for the top-level function.
#[derive(Debug, Clone)]
pub enum AutoArg {
    /// `--arg`: an expression, evaluated when used.
    Expr(String),
    /// `--argstr`: a string.
    Str(String),
    /// `--arg-from-file`: the contents of a file.
    File(String),
    /// `--arg-from-stdin`: the contents of standard input.
    Stdin,
}

/// A hidden generator flag's request.
#[derive(Debug, Clone)]
pub enum Generate {
    ManPage,
    Completions(String),
}

/// A usage error: printed as `error: …` with a pointer to `--help`, exit 1.
#[derive(Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

/// Read the arguments (without the program name).
pub fn parse(args: Vec<String>) -> Result<Cli, UsageError> {
    let mut cli = Cli {
        location: true,
        ..Cli::default()
    };
    let words = expand_compound(args);
    let mut rest = words.into_iter().peekable();
    let mut dash_dash = false;
    while let Some(arg) = rest.next() {
        if !dash_dash && arg == "--" {
            dash_dash = true;
        } else if arg == "-" {
            cli.read_stdin = true;
        } else if dash_dash && arg.starts_with('-') {
            // After `--`, nix-instantiate's own switches still count (it reads
            // every argument the common parser leaves it); nothing else does.
            if OWN_SWITCHES.contains(&arg.as_str()) {
                apply(&mut cli, &arg, Vec::new())?;
            } else if matches!(arg.as_str(), "-A" | "--attr" | "--add-root") {
                // Each argument after `--` reaches it alone: never with its value.
                return Err(missing_argument(&arg, 1, 0));
            } else {
                return Err(UsageError(format!("unexpected argument '{arg}'")));
            }
        } else if !dash_dash && arg.starts_with('-') {
            let (name, arity) = lookup(&arg).ok_or_else(|| unrecognised(&arg))?;
            let mut values = Vec::with_capacity(arity);
            for n in 0..arity {
                values.push(
                    rest.next()
                        .ok_or_else(|| missing_argument(&name, arity, n))?,
                );
            }
            apply(&mut cli, &name, values)?;
        } else {
            cli.inputs.push(arg);
        }
    }
    Ok(cli)
}

/// The switches nix-instantiate reads itself, which it recognises even after `--`.
const OWN_SWITCHES: &[&str] = &[
    "--help",
    "--version",
    "--expr",
    "-E",
    "--eval",
    "--eval-only",
    "--read-write-mode",
    "--parse",
    "--parse-only",
    "--find-file",
    "--indirect",
    "--raw",
    "--xml",
    "--json",
    "--no-location",
    "--strict",
    "--dry-run",
];

/// The flags nix-instantiate reads itself (and nixie's own), not through Nix's
/// common argument parser: the two word a missing argument differently.
const OWN_FLAGS: &[&str] = &[
    "attr",
    "add-root",
    "doc",
    "max-memory",
    "time-limit",
    "max-steps",
    "max-output",
    "generate-completions",
];

fn missing_argument(name: &str, arity: usize, given: usize) -> UsageError {
    UsageError(match OWN_FLAGS.contains(&canonical(name)) {
        true => format!("'{name}' requires an argument"),
        false => format!("flag '{name}' requires {arity} argument(s), but only {given} were given"),
    })
}

/// The long name of a flag as typed (`--long` or `-x`).
fn canonical(name: &str) -> &str {
    match name.strip_prefix("--") {
        Some(l) => l,
        None => {
            let c = name
                .chars()
                .nth(1)
                .expect("a short flag is a dash and a letter");
            flags::FLAGS
                .iter()
                .find(|f| f.short == Some(c))
                .map_or(name, |f| f.long)
        }
    }
}

fn unrecognised(arg: &str) -> UsageError {
    UsageError(format!("unrecognised flag '{arg}'"))
}

/// `-qlf` is `-q -l -f`, and `-j3` is `-j 3`: a run of letters after one dash is
/// a run of short flags, and what follows the first non-letter is an argument.
fn expand_compound(args: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut dash_dash = false;
    for arg in args {
        let b = arg.as_bytes();
        dash_dash |= arg == "--";
        if dash_dash || b.len() <= 2 || b[0] != b'-' || !b[1].is_ascii_alphabetic() {
            out.push(arg);
            continue;
        }
        for (j, c) in arg.char_indices().skip(1) {
            if c.is_ascii_alphabetic() {
                out.push(format!("-{c}"));
            } else {
                out.push(arg[j..].to_string());
                break;
            }
        }
    }
    out
}

/// The canonical name (`--long`, or `-x` as typed) of a flag and how many
/// arguments it takes; settings count as flags.
fn lookup(arg: &str) -> Option<(String, usize)> {
    if let Some(long) = arg.strip_prefix("--") {
        if let Some(f) = flags::FLAGS.iter().find(|f| f.long == long) {
            return Some((arg.to_string(), f.labels.len()));
        }
        return setting_flag(long).map(|(_, _, arity)| (arg.to_string(), arity));
    }
    let mut chars = arg.chars().skip(1);
    let (c, None) = (chars.next()?, chars.next()) else {
        return None;
    };
    let f = flags::FLAGS.iter().find(|f| f.short == Some(c))?;
    Some((arg.to_string(), f.labels.len()))
}

/// A setting written as a flag: the setting, the value a switch gives it, the
/// number of arguments.
fn setting_flag(long: &str) -> Option<(&'static str, Option<&'static str>, usize)> {
    if let Some(s) = flags::setting(long) {
        return Some(match s.kind {
            Kind::Bool => (s.name, Some("true"), 0),
            Kind::Value | Kind::List => (s.name, None, 1),
        });
    }
    if let Some(s) = long.strip_prefix("no-").and_then(flags::setting) {
        return (s.kind == Kind::Bool).then_some((s.name, Some("false"), 0));
    }
    let s = long.strip_prefix("extra-").and_then(flags::setting)?;
    (s.kind == Kind::List).then_some((s.name, None, 1))
}

/// Record flag `name` (as typed, `--long` or `-x`) with its arguments.
fn apply(cli: &mut Cli, name: &str, mut v: Vec<String>) -> Result<(), UsageError> {
    let long = canonical(name);
    let mut take = || v.remove(0);
    match long {
        "eval" | "eval-only" => cli.eval = true,
        "parse" | "parse-only" => {
            cli.parse = true;
            cli.eval = true;
        }
        "find-file" => cli.find_file = true,
        "dump-bytecode" => cli.dump_bytecode = true,
        "doc" => cli.doc = Some(take()),
        "help" => cli.help = true,
        "version" => cli.version = true,
        "expr" => cli.expr = true,
        "attr" => cli.attr.push(take()),
        "arg" => push_arg(cli, take(), AutoArg::Expr(v.remove(0))),
        "argstr" => push_arg(cli, take(), AutoArg::Str(v.remove(0))),
        "arg-from-file" => push_arg(cli, take(), AutoArg::File(v.remove(0))),
        "arg-from-stdin" => push_arg(cli, take(), AutoArg::Stdin),
        "include" => cli.include.push(take()),
        "strict" => cli.strict = true,
        "json" => cli.output = OutputKind::Json,
        "xml" => cli.output = OutputKind::Xml,
        "raw" => cli.output = OutputKind::Raw,
        "no-location" => cli.location = false,
        "option" => {
            let name = take();
            cli.settings.push(SettingArg {
                name,
                value: v.remove(0),
                via_option: true,
            });
        }
        "impure" => cli.impure = true,
        "max-memory" => cli.max_memory = Some(take()),
        "time-limit" => cli.time_limit = Some(take()),
        "max-steps" => cli.max_steps = Some(take()),
        "max-output" => cli.max_output = Some(take()),
        "readonly-mode" | "dry-run" => cli.readonly_mode = true,
        "read-write-mode" => cli.read_write_mode = true,
        "store" => cli.store = Some(take()),
        "eval-store" => {
            take();
        }
        "add-root" => cli.add_root = Some(PathBuf::from(take())),
        "no-gc-warning" => cli.no_gc_warning = true,
        "log-format" => cli.log_format = Some(take()),
        "generate-man-page" => cli.generate = Some(Generate::ManPage),
        "generate-completions" => cli.generate = Some(Generate::Completions(take())),
        _ if flags::FLAGS.iter().any(|f| f.long == long) => {} // accepted, no effect
        _ => {
            let (setting, switch, _) =
                setting_flag(long).expect("lookup found this flag among the settings");
            let value = match switch {
                Some(s) => s.to_string(),
                None => take(),
            };
            let name = match long.starts_with("extra-") {
                true => format!("extra-{setting}"),
                false => setting.to_string(),
            };
            cli.settings.push(SettingArg {
                name,
                value,
                via_option: false,
            });
        }
    }
    Ok(())
}

fn push_arg(cli: &mut Cli, name: String, arg: AutoArg) {
    cli.auto_args.retain(|(n, _)| *n != name);
    cli.auto_args.push((name, arg));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(args: &[&str]) -> Result<Cli, UsageError> {
        parse(args.iter().map(|s| s.to_string()).collect())
    }

    fn err(args: &[&str]) -> String {
        cli(args).expect_err("a usage error").0
    }

    #[test]
    fn every_flag_in_the_table_is_understood() {
        for f in flags::FLAGS {
            let mut args = vec![format!("--{}", f.long)];
            args.extend(f.labels.iter().map(|l| l.to_string()));
            parse(args).unwrap_or_else(|e| panic!("--{}: {e:?}", f.long));
        }
    }

    #[test]
    fn unknown_flags_are_nix_usage_errors() {
        assert_eq!(err(&["--foo"]), "unrecognised flag '--foo'");
        assert_eq!(err(&["--no-foo"]), "unrecognised flag '--no-foo'");
        assert_eq!(err(&["--no-store"]), "unrecognised flag '--no-store'");
        assert_eq!(err(&["-X"]), "unrecognised flag '-X'");
    }

    #[test]
    fn missing_arguments_are_counted() {
        assert_eq!(
            err(&["--arg", "x"]),
            "flag '--arg' requires 2 argument(s), but only 1 were given"
        );
        assert_eq!(err(&["-A"]), "'-A' requires an argument");
        assert_eq!(err(&["--add-root"]), "'--add-root' requires an argument");
        assert_eq!(
            err(&["--option", "x"]),
            "flag '--option' requires 2 argument(s), but only 1 were given"
        );
    }

    #[test]
    fn compound_short_flags_expand() {
        let c = cli(&["-vvE", "-j3", "-A", "x", "1"]).unwrap();
        assert!(c.expr);
        assert_eq!(c.attr, ["x"]);
        assert_eq!(c.inputs, ["1"]);
    }

    #[test]
    fn flag_arguments_may_start_with_a_dash() {
        let c = cli(&["--arg", "x", "--eval", "-E", "1"]).unwrap();
        assert!(!c.eval);
        assert!(matches!(&c.auto_args[0].1, AutoArg::Expr(e) if e == "--eval"));
    }

    #[test]
    fn dash_reads_stdin_and_double_dash_ends_flags() {
        let c = cli(&["-", "--", "x", "--eval", "-E"]).unwrap();
        assert!(c.read_stdin && c.expr && c.eval);
        assert_eq!(c.inputs, ["x"]);
        assert_eq!(err(&["--", "--foo"]), "unexpected argument '--foo'");
        assert_eq!(err(&["--", "-v"]), "unexpected argument '-v'");
    }

    #[test]
    fn settings_are_flags() {
        let c = cli(&[
            "--pure-eval",
            "--no-show-trace",
            "--max-call-depth",
            "5",
            "--extra-allowed-uris",
            "https://x",
            "--sandbox",
            "--option",
            "foo",
            "bar",
        ])
        .unwrap();
        let s: Vec<(&str, &str)> = c
            .settings
            .iter()
            .map(|a| (a.name.as_str(), a.value.as_str()))
            .collect();
        assert_eq!(
            s,
            [
                ("pure-eval", "true"),
                ("show-trace", "false"),
                ("max-call-depth", "5"),
                ("extra-allowed-uris", "https://x"),
                ("sandbox", "true"),
                ("foo", "bar"),
            ]
        );
        assert_eq!(
            err(&["--no-max-call-depth"]),
            "unrecognised flag '--no-max-call-depth'"
        );
        assert_eq!(
            err(&["--extra-pure-eval"]),
            "unrecognised flag '--extra-pure-eval'"
        );
    }

    #[test]
    fn a_later_argument_replaces_an_earlier_one() {
        let c = cli(&["--arg", "x", "1", "--argstr", "x", "s"]).unwrap();
        assert_eq!(c.auto_args.len(), 1);
        assert!(matches!(&c.auto_args[0].1, AutoArg::Str(s) if s == "s"));
    }
}
