//! `nixie`: evaluate Nix expressions from the command line, as a drop-in for
//! `nix-instantiate`: instantiation (the default: `.drv` files written, their paths
//! printed), `--eval` and `--parse`.

mod allocator;
mod args;
mod attr_path;
mod diagnostics;
mod flags;
mod help;
mod inputs;
mod instantiate;
mod options;
mod output;
mod process;
mod repl;
mod stats;
mod store_setup;

use args::Cli;
use nixie_eval::{Error, Evaluation};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Print an error the way Nix prints one before any evaluation, and exit 1.
fn fail(msg: &str) -> ! {
    diagnostics::error(msg);
    std::process::exit(1)
}

/// The evaluation the command line describes, and whether errors show traces.
fn build_evaluation(cli: &Cli) -> (Evaluation, bool) {
    let mut b = nixie_builtins_std::register(Evaluation::builder());
    #[cfg(feature = "impure")]
    {
        b = nixie_builtins_impure::register(b);
    }
    let mut settings = nixie_eval::Settings::default();
    let applied = options::apply(cli, &mut settings).unwrap_or_else(|m| fail(&m));
    for i in &cli.include {
        b = b.search_path_entry(i);
    }
    // NIX_PATH, when set, wins over the nix-path setting (as in C++ Nix).
    let nix_path = match std::env::var("NIX_PATH") {
        Ok(np) => np.split(':').map(String::from).collect(),
        Err(_) => applied.nix_path.unwrap_or_default(),
    };
    for e in nix_path.iter().filter(|e| !e.is_empty()) {
        b = b.search_path_entry(e);
    }
    // As nix-instantiate: evaluation alone writes nothing unless asked to.
    settings.count_statistics = stats::wanted();
    settings.read_only = cli.readonly_mode || (cli.eval && !cli.read_write_mode);
    let setup = store_setup::open(applied.store.as_deref()).unwrap_or_else(|m| fail(&m));
    b = b
        .settings(settings)
        .store(setup.store)
        .io(setup.io)
        .warning_sink(diagnostics::warning_sink);
    let eval = b.build().unwrap_or_else(|c| fail(&c.to_string()));
    (eval, applied.show_trace)
}

/// mimalloc, counted for `--max-memory`.
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static ALLOCATOR: nixie_eval::memory::CountingAlloc<allocator::MiMalloc> =
    nixie_eval::memory::CountingAlloc(allocator::MiMalloc);

/// The C library's `malloc`, counted for `--max-memory`: for heap profilers
/// (valgrind's massif, heaptrack) that only see `malloc`.
#[cfg(feature = "system-allocator")]
#[global_allocator]
static ALLOCATOR: nixie_eval::memory::CountingAlloc<std::alloc::System> =
    nixie_eval::memory::CountingAlloc(std::alloc::System);

/// Ctrl-C interrupts the evaluation ("interrupted by the user"); a second one,
/// before the evaluation noticed the first, ends the process at once.
pub(crate) fn interrupt_on_sigint(eval: &Evaluation) {
    let flag = eval.interrupt_handle().flag();
    let sigint = signal_hook::consts::SIGINT;
    // Registered first, so it sees the flag as the first signal left it.
    let _ = signal_hook::flag::register_conditional_shutdown(sigint, 130, flag.clone());
    let _ = signal_hook::flag::register(sigint, flag);
}

/// The name usage errors point to for help: nixie answers as the program it
/// stands in for.
const PROGRAM: &str = "nix-instantiate";

fn usage_error(msg: &str) -> ExitCode {
    diagnostics::error(msg);
    point_to_help();
    ExitCode::FAILURE
}

/// The line after a usage error.
fn point_to_help() {
    eprintln!("Try '{PROGRAM} --help' for more information.");
}

/// C++ Nix's log formats (nixie writes no build logs; the value is only checked).
const LOG_FORMATS: &[&str] = &[
    "raw",
    "raw-with-logs",
    "internal-json",
    "bar",
    "bar-with-logs",
    "multiline",
    "multiline-with-logs",
];

fn main() -> ExitCode {
    allocator::return_freed_memory_soon();
    allocator::use_small_pages();
    let mut argv: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let is_repl = argv.first().is_some_and(|a| a == "repl");
    if is_repl {
        argv.remove(0);
    }
    let cli = match args::parse(argv) {
        Ok(cli) => cli,
        Err(args::UsageError(m)) => return usage_error(&m),
    };
    if let Some(code) = informational(&cli) {
        return code;
    }
    if let Some(f) = cli
        .log_format
        .as_deref()
        .filter(|f| !LOG_FORMATS.contains(f))
    {
        diagnostics::error(&format!("option 'log-format' has an invalid value '{f}'"));
        return ExitCode::FAILURE;
    }
    let (mut eval, show_trace) = build_evaluation(&cli);
    if is_repl {
        return repl::run(eval, &cli.inputs, show_trace);
    }
    interrupt_on_sigint(&eval);
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let code = match run(&cli, &mut eval, &cwd) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(&eval, &e, show_trace),
    };
    if code == ExitCode::SUCCESS && stats::wanted() {
        if let Err(m) = stats::show(&eval) {
            diagnostics::error(&m);
            return ExitCode::FAILURE;
        }
    }
    code
}

/// `--help`, `--version`, `--doc` and the generators, which evaluate nothing.
fn informational(cli: &Cli) -> Option<ExitCode> {
    let text = if cli.help {
        help::help_text().into_bytes()
    } else if cli.version {
        format!("nixie (Nixie) {}\n", env!("CARGO_PKG_VERSION")).into_bytes()
    } else if let Some(g) = &cli.generate {
        let made = match g {
            args::Generate::ManPage => help::man_page(),
            args::Generate::Completions(shell) => help::completions(shell),
        };
        match made {
            Ok(t) => t,
            Err(m) => return Some(usage_error(&m)),
        }
    } else if let Some(name) = &cli.doc {
        let (eval, _) = build_evaluation(cli);
        match eval.doc(name) {
            Some(d) => format!("{d}\n").into_bytes(),
            None => {
                diagnostics::error(&format!("no builtin named '{name}'"));
                return Some(ExitCode::FAILURE);
            }
        }
    } else {
        return None;
    };
    let _ = std::io::stdout().write_all(&text);
    Some(ExitCode::SUCCESS)
}

/// Every input, in nix-instantiate's order: standard input first, then the
/// files or expressions (`./default.nix` when there is none of either).
fn run(cli: &Cli, eval: &mut Evaluation, cwd: &Path) -> Result<(), Error> {
    if cli.find_file {
        for name in &cli.inputs {
            let p = inputs::find_file(eval, name)?;
            let _ = writeln!(std::io::stdout(), "{}", p.display());
        }
        return Ok(());
    }
    let args = process::auto_args(cli, eval, cwd)?;
    let mut roots = instantiate::Roots {
        add_root: cli
            .add_root
            .as_ref()
            .map(|r| nixie_eval::paths::resolve(cwd, &r.to_string_lossy())),
        made: 0,
        warned: cli.no_gc_warning,
    };
    let mut step = |eval: &mut Evaluation, src: inputs::Source| -> Result<(), Error> {
        if cli.dump_bytecode {
            let listing = eval.disassemble_source(&src.name, &src.text, &src.dir)?;
            let _ = std::io::stdout().write_all(listing.as_bytes());
            return Ok(());
        }
        process::process(cli, eval, &src, &args, &mut roots)
    };
    if cli.read_stdin {
        step(eval, inputs::stdin(cwd).map_err(Error::msg)?)?;
    }
    let defaults = ["./default.nix".to_string()];
    let files: &[String] = match cli.inputs.is_empty() && !cli.expr && !cli.read_stdin {
        true => &defaults,
        false => &cli.inputs,
    };
    for input in files {
        let src = match cli.expr {
            true => inputs::expression(input, cwd),
            false => inputs::file(eval, input, cwd)?,
        };
        step(eval, src)?;
    }
    Ok(())
}

fn report(eval: &Evaluation, e: &Error, trace: bool) -> ExitCode {
    diagnostics::evaluation_error(eval, e, trace);
    if e.is_usage() {
        point_to_help();
    }
    ExitCode::FAILURE
}
