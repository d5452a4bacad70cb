//! `nixie`: evaluate Nix expressions from the command line, as a drop-in for
//! `nix-instantiate`: instantiation (the default: `.drv` files written, their paths
//! printed), `--eval` and `--parse`.

mod attr_path;
mod diagnostics;
mod instantiate;
mod options;
mod output;
mod repl;
mod stats;
mod store_setup;

use clap::Parser;
use nixie_eval::value::{Attrs, NixString, Value};
use nixie_eval::{Error, Evaluation};
use options::Cli;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Print an error the way Nix prints one before any evaluation, and exit 1.
fn fail(msg: &str) -> ! {
    diagnostics::error(msg);
    std::process::exit(1)
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
    let mut settings = nixie_eval::Settings::default();
    let mut store_url = cli.store.clone();
    options::apply(cli, &mut settings, &mut store_url).unwrap_or_else(|m| fail(&m));
    // As nix-instantiate: evaluation alone writes nothing unless asked to.
    settings.count_statistics = stats::wanted();
    settings.read_only = cli.readonly_mode || ((cli.eval || cli.parse) && !cli.read_write_mode);
    let setup = store_setup::open(store_url.as_deref()).unwrap_or_else(|m| fail(&m));
    b = b
        .settings(settings)
        .store(setup.store)
        .io(setup.io)
        .warning_sink(diagnostics::warning_sink);
    b.build().unwrap_or_else(|c| fail(&c.to_string()))
}

/// Evaluation allocates and frees many small objects; mimalloc's thread-local free
/// lists serve them faster than the system allocator. Counting serves `--max-memory`.
#[global_allocator]
static ALLOCATOR: nixie_eval::memory::CountingAlloc<mimalloc::MiMalloc> =
    nixie_eval::memory::CountingAlloc(mimalloc::MiMalloc);

/// Ctrl-C interrupts the evaluation ("interrupted by the user"); a second one,
/// before the evaluation noticed the first, ends the process at once.
pub(crate) fn interrupt_on_sigint(eval: &Evaluation) {
    let flag = eval.interrupt_handle().flag();
    let sigint = signal_hook::consts::SIGINT;
    // Registered first, so it sees the flag as the first signal left it.
    let _ = signal_hook::flag::register_conditional_shutdown(sigint, 130, flag.clone());
    let _ = signal_hook::flag::register(sigint, flag);
}

fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "repl") {
        args.remove(1);
        let cli = Cli::parse_from(args);
        let eval = build_evaluation(&cli);
        return repl::run(eval, &cli.inputs, cli.show_trace);
    }
    let cli = Cli::parse_from(args);
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let mut eval = build_evaluation(&cli);
    interrupt_on_sigint(&eval);
    if let Some(name) = &cli.doc {
        return match eval.doc(name) {
            Some(d) => {
                println!("{d}");
                ExitCode::SUCCESS
            }
            None => {
                diagnostics::error(&format!("no builtin named '{name}'"));
                ExitCode::FAILURE
            }
        };
    }
    let inputs = if cli.inputs.is_empty() {
        if cli.expr {
            diagnostics::error("-E needs an expression");
            return ExitCode::from(2);
        }
        vec!["./default.nix".to_string()]
    } else {
        cli.inputs.clone()
    };
    let mut roots = instantiate::Roots {
        add_root: cli
            .add_root
            .as_ref()
            .map(|r| nixie_eval::paths::resolve(&cwd, &r.to_string_lossy())),
        made: 0,
        warned: false,
    };
    for input in &inputs {
        let code = if cli.dump_bytecode {
            dump_bytecode(&cli, &mut eval, input, &cwd)
        } else if cli.parse {
            parse_one(&cli, &mut eval, input, &cwd)
        } else {
            eval_one(&cli, &mut eval, input, &cwd, &mut roots)
        };
        if code != ExitCode::SUCCESS {
            return code;
        }
    }
    if stats::wanted() {
        if let Err(m) = stats::show(&eval) {
            diagnostics::error(&m);
            return ExitCode::FAILURE;
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
            nixie_eval::source::decode_source(input.as_bytes()),
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
            diagnostics::error(&m);
            ExitCode::FAILURE
        }
    }
}

fn dump_bytecode(cli: &Cli, eval: &mut Evaluation, input: &str, cwd: &Path) -> ExitCode {
    match read_input(cli, input, cwd) {
        Ok((name, dir, text, _)) => match eval.disassemble_source(&name, &text, &dir) {
            Ok(listing) => {
                print!("{listing}");
                ExitCode::SUCCESS
            }
            Err(e) => report(eval, &e, cli.show_trace),
        },
        Err(m) => {
            diagnostics::error(&m);
            ExitCode::FAILURE
        }
    }
}

fn report(eval: &Evaluation, e: &Error, trace: bool) -> ExitCode {
    diagnostics::evaluation_error(eval, e, trace);
    if e.is_usage() {
        eprintln!("Try 'nix-instantiate --help' for more information.");
    }
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

fn eval_one(
    cli: &Cli,
    eval: &mut Evaluation,
    input: &str,
    cwd: &Path,
    roots: &mut instantiate::Roots,
) -> ExitCode {
    let (name, dir, text, path) = match read_input(cli, input, cwd) {
        Ok(x) => x,
        Err(m) => {
            diagnostics::error(&m);
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
            if !cli.eval {
                for f in instantiate::derivations(eval, v, &args)? {
                    let line = instantiate::print_line(&f, roots).map_err(Error::msg)?;
                    out.extend(line.into_bytes());
                    out.push(b'\n');
                }
                continue;
            }
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
                out.extend(output::to_xml(&v, !cli.no_location)?);
            } else {
                let v = if cli.strict { eval.deep_force(v)? } else { v };
                out.extend(eval.print(&v)?);
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
