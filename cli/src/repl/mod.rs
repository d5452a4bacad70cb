//! `nixie repl`: read a line, evaluate it in the variables defined so far, print
//! the value, as current Nix's `nix repl` does. Lines are read with a line
//! editor (history, completion) on a terminal, and plainly otherwise; with
//! `_NIX_TEST_REPL_ECHO` set (as Nix's own REPL tests set it), each line read is
//! echoed after its prompt, so that a transcript reads as a session.

mod commands;
mod editor;

use nixie_eval::value::Attrs;
use nixie_eval::Evaluation;
use std::cell::{RefCell, RefMut};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;

const PROMPT: &str = "nix-repl> ";
/// The prompt of a line that continues an incomplete input, as wide as [`PROMPT`].
const CONTINUATION: &str = "        > ";

/// The session: the evaluation, the variables defined in it, and what was loaded.
pub(crate) struct Session {
    /// Shared with the line editor's completion.
    eval: Rc<RefCell<Evaluation>>,
    /// The variables lines see, beyond the builtins.
    scope: Attrs,
    /// Files loaded with `:l` (or given on the command line), for `:r`.
    loaded: Vec<String>,
    /// The variables the last `:l` or `:a` added, for `:ll`.
    last_loaded: Option<Attrs>,
    show_trace: bool,
    cwd: PathBuf,
    colours: bool,
}

/// What the loop does after a line.
pub(crate) enum After {
    Prompt,
    /// The input so far does not parse yet: read another line into it.
    MoreInput,
    Quit,
}

/// Run the REPL; `files` are loaded first, as with `:l`.
pub(crate) fn run(eval: Evaluation, files: &[String], show_trace: bool) -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stdin());
    let mut session = Session {
        eval: Rc::new(RefCell::new(eval)),
        scope: Attrs::empty(),
        loaded: Vec::new(),
        last_loaded: None,
        show_trace,
        cwd,
        colours: terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    println!("Nixie {}\nType :? for help.\n", env!("CARGO_PKG_VERSION"));
    for file in files {
        session.report(|s| s.load(file));
    }
    let reader: Box<dyn LineReader> = if terminal {
        match editor::Editor::new(&session) {
            Ok(e) => Box::new(e),
            Err(m) => {
                crate::diagnostics::error(&m);
                Box::new(Plain::new())
            }
        }
    } else {
        Box::new(Plain::new())
    };
    // After the line editor has set up its terminal, which takes SIGINT for
    // itself: Ctrl-C while evaluating interrupts the evaluation.
    crate::interrupt_on_sigint(&session.eval.borrow());
    session.main_loop(reader);
    ExitCode::SUCCESS
}

/// Where lines come from.
pub(crate) trait LineReader {
    /// The next line (without its newline), `Ok(None)` at the end of the input,
    /// `Err(())` when the user pressed Ctrl-C.
    fn line(&mut self, prompt: &str, session: &mut Session) -> Result<Option<String>, ()>;
    /// Remember a complete input in the history.
    fn remember(&mut self, _input: &str) {}
}

/// Lines from standard input, not a terminal.
struct Plain {
    echo: bool,
    stdin: std::io::StdinLock<'static>,
}

impl Plain {
    fn new() -> Self {
        Plain {
            echo: std::env::var_os("_NIX_TEST_REPL_ECHO").is_some(),
            stdin: std::io::stdin().lock(),
        }
    }
}

impl LineReader for Plain {
    fn line(&mut self, prompt: &str, _: &mut Session) -> Result<Option<String>, ()> {
        print!("{prompt}");
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        match self.stdin.read_line(&mut line) {
            Ok(0) | Err(_) => Ok(None),
            Ok(_) => {
                let line = line.strip_suffix('\n').unwrap_or(&line).to_string();
                if self.echo {
                    println!("{line}");
                }
                Ok(Some(line))
            }
        }
    }
}

impl Session {
    /// The evaluation, borrowed for one step.
    fn ev(&self) -> RefMut<'_, Evaluation> {
        self.eval.borrow_mut()
    }

    fn main_loop(&mut self, mut reader: Box<dyn LineReader>) {
        let mut input = String::new();
        loop {
            let prompt = if input.is_empty() {
                PROMPT
            } else {
                CONTINUATION
            };
            let line = match reader.line(prompt, self) {
                Ok(Some(line)) => line,
                Ok(None) => {
                    println!();
                    return;
                }
                Err(()) => {
                    input.clear();
                    continue;
                }
            };
            if !input.is_empty() {
                input.push('\n');
            }
            input.push_str(&line);
            self.ev().reset_limits();
            let after = self.process(&input);
            if matches!(after, After::MoreInput) {
                continue;
            }
            reader.remember(&input);
            input.clear();
            if matches!(after, After::Quit) {
                return;
            }
            println!();
        }
    }

    /// Run `f`, printing the error it ends in as the command line prints errors.
    fn report(&mut self, f: impl FnOnce(&mut Self) -> Result<(), Problem>) {
        match f(self) {
            Ok(()) => {}
            Err(Problem::Eval(e)) => {
                crate::diagnostics::evaluation_error(&self.eval.borrow(), &e, self.show_trace)
            }
            Err(Problem::Message(m)) => crate::diagnostics::error(&m),
        }
        let _ = std::io::stdout().flush();
    }
}

/// Why a line failed: an evaluation error, or one of the REPL's own.
pub(crate) enum Problem {
    Eval(nixie_eval::Error),
    Message(String),
}

impl From<nixie_eval::Error> for Problem {
    fn from(e: nixie_eval::Error) -> Self {
        Problem::Eval(e)
    }
}
