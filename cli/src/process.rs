//! One input, processed as `nix-instantiate` processes an expression: parsed
//! and shown (`--parse`), or evaluated and, for each `-A` path, printed
//! (`--eval`) or instantiated. Each result is written as soon as it is made.

use crate::args::{AutoArg, Cli, OutputKind};
use crate::inputs::Source;
use crate::{attr_path, instantiate, output};
use nixie_eval::value::{Attrs, NixString, Value};
use nixie_eval::{Error, Evaluation};
use std::io::Write;
use std::path::Path;

/// The arguments `--arg` and friends pass to a top-level function. An `--arg`
/// expression is parsed now and evaluated only if used.
pub fn auto_args(cli: &Cli, eval: &mut Evaluation, cwd: &Path) -> Result<Attrs, Error> {
    let mut entries = Vec::new();
    for (name, arg) in &cli.auto_args {
        let v = match arg {
            AutoArg::Expr(e) => eval.lazy_source("«string»", e, cwd)?,
            AutoArg::Str(s) => Value::string(s.as_str()),
            AutoArg::File(p) => {
                let path = nixie_eval::paths::resolve(cwd, p);
                let bytes = std::fs::read(&path).map_err(|e| {
                    Error::msg(nixie_eval::describe_io_error("reading file", &path, &e))
                })?;
                Value::string(bytes.as_slice())
            }
            AutoArg::Stdin => {
                Value::string(crate::inputs::read_stdin().map_err(Error::msg)?.as_slice())
            }
        };
        entries.push((NixString::from(name.as_str()), v));
    }
    Ok(Attrs::from_unsorted(entries))
}

/// Write a result and flush it, so that it is out before a later error.
fn emit(bytes: &[u8]) {
    let mut so = std::io::stdout().lock();
    let _ = so.write_all(bytes);
    let _ = so.flush();
}

/// Process one source.
pub fn process(
    cli: &Cli,
    eval: &mut Evaluation,
    src: &Source,
    args: &Attrs,
    roots: &mut instantiate::Roots,
) -> Result<(), Error> {
    if cli.parse {
        let mut shown = eval.show_source(&src.name, &src.text, &src.dir)?;
        shown.push('\n');
        emit(shown.as_bytes());
        return Ok(());
    }
    let root = match &src.path {
        Some(p) => eval.eval_file(p)?,
        None => eval.eval_source(&src.name, &src.text, &src.dir)?,
    };
    let paths = if cli.attr.is_empty() {
        vec![String::new()]
    } else {
        cli.attr.clone()
    };
    for ap in &paths {
        let v = attr_path::select(eval, root.clone(), ap, args)?;
        let v = eval.force(v)?;
        let out = if cli.eval {
            let v = match args.is_empty() {
                true => v,
                false => {
                    let r = eval.auto_call(v, args)?;
                    eval.force(r)?
                }
            };
            render(cli, eval, v)?
        } else {
            let mut out = Vec::new();
            for f in instantiate::derivations(eval, v, args)? {
                let line = instantiate::print_line(&f, roots).map_err(Error::msg)?;
                out.extend(line.into_bytes());
                out.push(b'\n');
            }
            out
        };
        emit(&out);
    }
    // The result is left for the process's exit to reclaim, as C++ Nix leaves its
    // heap: freeing a package set value by value costs 6% of `fixpoint`'s run.
    std::mem::forget(root);
    Ok(())
}

/// The text `--eval` prints for a value, in the output kind asked for.
fn render(cli: &Cli, eval: &mut Evaluation, v: Value) -> Result<Vec<u8>, Error> {
    Ok(match cli.output {
        OutputKind::Raw => {
            // As C++ Nix: coerced as an interpolation is (a path is copied).
            let f = eval.eval_source(
                "«raw»",
                "v: builtins.addErrorContext \"while generating the nix-instantiate output\" \"${v}\"",
                Path::new("/"),
            )?;
            // The wrapper's own frame is not C++ Nix's.
            let r = eval.call(f, v).and_then(|r| eval.force(r)).map_err(|e| {
                e.without_outer_frame(|f| f.what == "while evaluating a path segment")
            })?;
            match r {
                Value::String(s) => s.as_bytes().to_vec(),
                _ => unreachable!("an interpolation is a string"),
            }
        }
        OutputKind::Json => {
            let mut out = output::to_json(eval, v)?;
            out.push(b'\n');
            out
        }
        OutputKind::Xml => {
            let v = if cli.strict { eval.deep_force(v)? } else { v };
            output::to_xml(eval, &v, cli.strict, cli.location)?
        }
        OutputKind::Plain if cli.strict => {
            let v = eval.deep_force(v)?;
            let mut out = eval.print(&v)?;
            out.push(b'\n');
            out
        }
        OutputKind::Plain => {
            let mut out = eval.print_lazy(&v)?;
            out.push(b'\n');
            out
        }
    })
}
