//! What the CLI writes to standard error: errors and warnings, in C++ Nix's
//! colours on a colour terminal and as plain text anywhere else.

use nixie_eval::{Error, Evaluation};
use std::sync::OnceLock;

/// Whether standard error gets colours (decided once, as C++ Nix does).
fn colour() -> bool {
    static COLOUR: OnceLock<bool> = OnceLock::new();
    *COLOUR.get_or_init(nixie_eval::stderr_has_colour)
}

/// Write already rendered text, filtered for where standard error goes.
fn write(text: &str) {
    eprint!("{}", nixie_eval::terminal_text(text, colour()));
}

/// `error: msg`, for errors that come from no evaluation.
pub fn error(msg: &str) {
    write(&format!("\x1b[31;1merror:\x1b[0m {msg}\n"));
}

/// `warning: msg`.
pub fn warning(msg: &str) {
    write(&format!("\x1b[35;1mwarning:\x1b[0m {msg}\n"));
}

/// An evaluation error, with its trace if asked for.
pub fn evaluation_error(eval: &Evaluation, e: &Error, show_trace: bool) {
    if colour() {
        eprint!("{}", eval.render_error_coloured(e, show_trace));
    } else {
        eprint!("{}", eval.render_error(e, show_trace));
    }
}

/// The warning sink for evaluations: a warning's own label is coloured as C++
/// Nix colours it.
pub fn warning_sink(text: &str) {
    for label in ["evaluation warning:", "warning:"] {
        if let Some(rest) = text.strip_prefix(label) {
            return write(&format!("\x1b[35;1m{label}\x1b[0m{rest}"));
        }
    }
    write(text)
}
