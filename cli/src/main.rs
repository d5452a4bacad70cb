//! `nixie`: evaluate Nix expressions from the command line, as a drop-in for
//! `nix-instantiate --eval` (and `--parse`).

mod attr_path;
mod output;

use clap::Parser;
use nixie_eval::settings::{LintLevel, Lints};
use nixie_eval::value::{Attrs, NixString, Value};
use nixie_eval::{Error, Evaluation};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Command-line options, named as `nix-instantiate` names them.
#[derive(Parser, Debug)]
#[command(
    name = "nixie",
    version,
    about = "Evaluate Nix expressions (a nix-instantiate --eval drop-in)"
)]
struct Cli {
    /// Evaluate and print the result (the only mode besides --parse).
    #[arg(long)]
    eval: bool,
    /// Parse the input and check it for syntax and scope errors only.
    #[arg(long)]
    parse: bool,
    /// Evaluate the result completely, not just to weak head normal form.
    #[arg(long)]
    strict: bool,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    /// Print the result as XML.
    #[arg(long)]
    xml: bool,
    /// Leave source locations out of the XML output.
    #[arg(long)]
    no_location: bool,
    /// Treat the arguments as expressions instead of file names.
    #[arg(short = 'E', long = "expr")]
    expr: bool,
    /// Select an attribute of the result (repeatable).
    #[arg(short = 'A', long = "attr", value_name = "ATTRPATH")]
    attr: Vec<String>,
    /// Add a search path entry (`name=path` or `path`).
    #[arg(short = 'I', value_name = "PATH")]
    include: Vec<String>,
    /// Pass an argument (a Nix expression) to a top-level function.
    #[arg(long = "arg", num_args = 2, value_names = ["NAME", "EXPR"])]
    arg: Vec<String>,
    /// Pass a string argument to a top-level function.
    #[arg(long = "argstr", num_args = 2, value_names = ["NAME", "VALUE"])]
    argstr: Vec<String>,
    /// Print the evaluation trace with errors.
    #[arg(long)]
    show_trace: bool,
    /// Do not print the trace (the default).
    #[arg(long)]
    no_show_trace: bool,
    /// Limit the depth of nested calls.
    #[arg(long, value_name = "N")]
    max_call_depth: Option<usize>,
    /// Accepted for compatibility; no store is written.
    #[arg(long)]
    readonly_mode: bool,
    /// Accepted for compatibility.
    #[arg(long)]
    read_write_mode: bool,
    /// Accepted for compatibility.
    #[arg(long, value_name = "FEATURES")]
    extra_experimental_features: Vec<String>,
    /// Accepted for compatibility (`--option NAME VALUE`).
    #[arg(long, num_args = 2, value_names = ["NAME", "VALUE"])]
    option: Vec<String>,
    /// Lint absolute and home path literals: ignore, warn or fatal.
    #[arg(long, value_name = "LEVEL")]
    lint_absolute_path_literals: Option<LintArg>,
    /// Lint relative path literals without `./`: ignore, warn or fatal.
    #[arg(long, value_name = "LEVEL")]
    lint_short_path_literals: Option<LintArg>,
    /// Lint unquoted URL literals: ignore, warn or fatal.
    #[arg(long, value_name = "LEVEL")]
    lint_url_literals: Option<LintArg>,
    /// Allow impure operations (accepted for compatibility; nixie does not restrict them yet).
    #[arg(long)]
    impure: bool,
    /// Print the documentation of a builtin and exit.
    #[arg(long, value_name = "NAME")]
    doc: Option<String>,
    /// Files (or expressions with -E); `-` reads standard input.
    inputs: Vec<String>,
}

/// A `--lint-*` level.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum LintArg {
    Ignore,
    Warn,
    Fatal,
}

fn lint_level(a: Option<LintArg>) -> LintLevel {
    match a {
        None | Some(LintArg::Ignore) => LintLevel::Off,
        Some(LintArg::Warn) => LintLevel::Warn,
        Some(LintArg::Fatal) => LintLevel::Fatal,
    }
}

fn build_evaluation(cli: &Cli) -> Evaluation {
    let mut b = nixie_builtins_std::register(Evaluation::builder());
    #[cfg(feature = "impure")]
    {
        b = nixie_builtins_impure::register(b);
    }
    for i in &cli.include {
        b = b.search_path_entry(i);
    }
    if let Ok(np) = std::env::var("NIX_PATH") {
        for e in np.split(':').filter(|e| !e.is_empty()) {
            b = b.search_path_entry(e);
        }
    }
    let features: Vec<String> = cli
        .extra_experimental_features
        .iter()
        .flat_map(|f| f.split_whitespace())
        .map(String::from)
        .collect();
    let lints = Lints {
        absolute_path: lint_level(cli.lint_absolute_path_literals),
        short_path: lint_level(cli.lint_short_path_literals),
        url_literals: lint_level(cli.lint_url_literals),
    };
    let max_call_depth = cli.max_call_depth;
    b = b.configure(|s| {
        s.lints = lints;
        s.features = features;
        s.max_call_depth = max_call_depth;
    });
    b.build().unwrap_or_else(|c| {
        eprintln!("error: {c}");
        std::process::exit(1)
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let mut eval = build_evaluation(&cli);
    if let Some(name) = &cli.doc {
        return match eval.doc(name) {
            Some(d) => {
                println!("{d}");
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("error: no builtin named '{name}'");
                ExitCode::FAILURE
            }
        };
    }
    let inputs = if cli.inputs.is_empty() {
        if cli.expr {
            eprintln!("error: -E needs an expression");
            return ExitCode::from(2);
        }
        vec!["./default.nix".to_string()]
    } else {
        cli.inputs.clone()
    };
    for input in &inputs {
        let code = if cli.parse {
            parse_one(&cli, &mut eval, input, &cwd)
        } else {
            eval_one(&cli, &mut eval, input, &cwd)
        };
        if code != ExitCode::SUCCESS {
            return code;
        }
    }
    ExitCode::SUCCESS
}

/// Read an input: (name for messages, directory for relative paths, text, file path).
fn read_input(
    cli: &Cli,
    input: &str,
    cwd: &Path,
) -> Result<(String, PathBuf, String, Option<PathBuf>), String> {
    if cli.expr {
        return Ok((
            "«string»".into(),
            cwd.to_path_buf(),
            input.to_string(),
            None,
        ));
    }
    if input == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("reading standard input: {e}"))?;
        return Ok(("«stdin»".into(), cwd.to_path_buf(), s, None));
    }
    let mut path = nixie_eval::paths::resolve(cwd, input);
    if path.is_dir() {
        path.push("default.nix");
    }
    let bytes = std::fs::read(&path)
        .map_err(|e| format!("getting status of '{}': {}", path.display(), e))?;
    let text = nixie_eval::source::decode_source(&bytes);
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| "/".into());
    Ok((path.to_string_lossy().into_owned(), dir, text, Some(path)))
}

fn parse_one(cli: &Cli, eval: &mut Evaluation, input: &str, cwd: &Path) -> ExitCode {
    match read_input(cli, input, cwd) {
        Ok((name, dir, text, _)) => match eval.check_source(&name, &text, &dir) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => report(eval, &e, cli.show_trace),
        },
        Err(m) => {
            eprintln!("error: {m}");
            ExitCode::FAILURE
        }
    }
}

fn report(eval: &Evaluation, e: &Error, trace: bool) -> ExitCode {
    eprint!("{}", eval.render_error(e, trace));
    ExitCode::FAILURE
}

fn auto_args(cli: &Cli, eval: &mut Evaluation, cwd: &Path) -> Result<Attrs, Error> {
    let mut entries = Vec::new();
    for pair in cli.arg.chunks(2) {
        let v = eval.eval_source("«string»", &pair[1], cwd)?;
        entries.push((NixString::from(pair[0].as_str()), v));
    }
    for pair in cli.argstr.chunks(2) {
        entries.push((
            NixString::from(pair[0].as_str()),
            Value::string(pair[1].as_str()),
        ));
    }
    Ok(Attrs::from_unsorted(entries))
}

fn eval_one(cli: &Cli, eval: &mut Evaluation, input: &str, cwd: &Path) -> ExitCode {
    let (name, dir, text, path) = match read_input(cli, input, cwd) {
        Ok(x) => x,
        Err(m) => {
            eprintln!("error: {m}");
            return ExitCode::FAILURE;
        }
    };
    let result = (|| -> Result<Vec<u8>, Error> {
        let args = auto_args(cli, eval, cwd)?;
        let root = match &path {
            Some(p) => eval.eval_file(p)?,
            None => eval.eval_source(&name, &text, &dir)?,
        };
        let paths = if cli.attr.is_empty() {
            vec![String::new()]
        } else {
            cli.attr.clone()
        };
        let mut out = Vec::new();
        for ap in &paths {
            let v = attr_path::select(eval, root.clone(), ap, &args)?;
            let v = if args.is_empty() {
                v
            } else {
                eval.auto_call(v, &args)?
            };
            let v = eval.force(v)?;
            if cli.json {
                out.extend(output::to_json(eval, v)?);
            } else if cli.xml {
                let v = eval.deep_force(v)?;
                out.extend(output::to_xml(&v, !cli.no_location));
            } else {
                let v = if cli.strict { eval.deep_force(v)? } else { v };
                out.extend(nixie_eval::printer::print_value(&v, None));
            }
            if !cli.xml {
                out.push(b'\n');
            }
        }
        Ok(out)
    })();
    match result {
        Ok(out) => {
            use std::io::Write;
            let mut so = std::io::stdout().lock();
            let _ = so.write_all(&out);
            let _ = so.flush();
            ExitCode::SUCCESS
        }
        Err(e) => report(eval, &e, cli.show_trace),
    }
}
