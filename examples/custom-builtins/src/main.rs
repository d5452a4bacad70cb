//! Evaluate an expression that uses the example pack and print the result.

use std::path::Path;

fn main() {
    let mut eval = match custom_builtins::evaluation() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let src = std::env::args().nth(1).unwrap_or_else(|| {
        "[ (builtins.clamp 0 10 42) (builtins.iterate (x: x * 2) 10 1) (builtins.tick null) (builtins.tick null) ]".into()
    });
    let result = eval
        .eval_source("«example»", &src, Path::new("/"))
        .and_then(|v| eval.deep_force(v));
    match result {
        Ok(v) => println!(
            "{}",
            String::from_utf8_lossy(&nixie_eval::printer::print_value(&v, None))
        ),
        Err(e) => {
            eprint!("{}", eval.render_error(&e, false));
            std::process::exit(1);
        }
    }
}
