//! Example: evaluate an expression with the standard packs through the builder API.

use nixie_eval::Evaluation;

fn main() {
    let mut eval = nixie_builtins_std::register(Evaluation::builder())
        .build()
        .expect("the standard pack has no collisions with the language pack");
    let v = eval.eval_source(
        "«example»",
        "let x = 20; in x * 2 + 2",
        std::path::Path::new("/"),
    );
    match v {
        Ok(v) => println!(
            "{}",
            String::from_utf8_lossy(&nixie_eval::printer::print_value(&v, None))
        ),
        Err(e) => eprint!("{}", eval.render_error(&e, false)),
    }
}
