//! The line editor of an interactive session (rustyline): history kept in a
//! file, and completion of commands, variables, builtins and attribute paths
//! (`pkgs.hel<TAB>` evaluates `pkgs` and offers its attributes).

use super::{LineReader, Session};
use nixie_eval::value::{Attrs, Value};
use nixie_eval::Evaluation;
use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;

const COMMANDS: &[&str] = &[
    ":?",
    ":a",
    ":add",
    ":doc",
    ":help",
    ":l",
    ":load",
    ":ll",
    ":last-loaded",
    ":p",
    ":print",
    ":q",
    ":quit",
    ":r",
    ":reload",
    ":t",
    ":te",
    ":trace-enable",
];

/// What completion sees: the evaluation and the session's variables.
struct Completion {
    eval: Rc<RefCell<Evaluation>>,
    scope: RefCell<Attrs>,
    cwd: PathBuf,
}

impl rustyline::Helper for Completion {}
impl rustyline::hint::Hinter for Completion {
    type Hint = String;
}
impl rustyline::highlight::Highlighter for Completion {}
impl rustyline::validate::Validator for Completion {}

impl Completer for Completion {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let before = &line[..pos];
        let start = before
            .rfind(|c: char| c.is_whitespace() || "(){}[];=".contains(c))
            .map_or(0, |i| i + 1);
        let word = &before[start..];
        let candidates = if word.starts_with(':') && start == 0 {
            COMMANDS
                .iter()
                .filter(|c| c.starts_with(word))
                .map(|c| c.to_string())
                .collect()
        } else if let Some(dot) = word.rfind('.') {
            self.attributes(&word[..dot], &word[dot + 1..])
        } else {
            self.variables(word)
        };
        Ok((start, candidates))
    }
}

impl Completion {
    fn variables(&self, prefix: &str) -> Vec<String> {
        let mut names: Vec<String> = self.eval.borrow().global_names();
        names.extend(
            self.scope
                .borrow()
                .iter()
                .map(|(k, _)| k.to_str_lossy().into_owned()),
        );
        names.retain(|n| n.starts_with(prefix));
        names.sort();
        names.dedup();
        names
    }

    /// `set.prefix…` for the attributes of the set `expr` evaluates to; nothing
    /// when it does not evaluate to a set.
    fn attributes(&self, expr: &str, prefix: &str) -> Vec<String> {
        let Ok(mut eval) = self.eval.try_borrow_mut() else {
            return Vec::new();
        };
        eval.reset_limits();
        let scope = self.scope.borrow().clone();
        let value = eval
            .eval_source_in("«string»", expr, &self.cwd, &scope)
            .and_then(|v| eval.force(v));
        let Ok(Value::Attrs(attrs)) = value else {
            return Vec::new();
        };
        attrs
            .iter()
            .map(|(k, _)| k.to_str_lossy().into_owned())
            .filter(|n| n.starts_with(prefix))
            .map(|n| format!("{expr}.{n}"))
            .collect()
    }
}

/// Lines from a terminal, through the editor.
pub(crate) struct Editor {
    editor: rustyline::Editor<Completion, DefaultHistory>,
    history: Option<PathBuf>,
}

impl Editor {
    pub(crate) fn new(session: &Session) -> Result<Editor, String> {
        let config = rustyline::Config::builder()
            .completion_type(rustyline::CompletionType::List)
            .auto_add_history(false)
            .build();
        let mut editor = rustyline::Editor::with_config(config)
            .map_err(|e| format!("starting the line editor: {e}"))?;
        editor.set_helper(Some(Completion {
            eval: session.eval.clone(),
            scope: RefCell::new(session.scope.clone()),
            cwd: session.cwd.clone(),
        }));
        let history = super::commands::history_file();
        if let Some(h) = &history {
            let _ = editor.load_history(h);
        }
        Ok(Editor { editor, history })
    }
}

impl LineReader for Editor {
    fn line(&mut self, prompt: &str, session: &mut Session) -> Result<Option<String>, ()> {
        if let Some(h) = self.editor.helper_mut() {
            *h.scope.borrow_mut() = session.scope.clone();
        }
        match self.editor.readline(prompt) {
            Ok(line) => Ok(Some(line)),
            Err(ReadlineError::Interrupted) => Err(()),
            Err(_) => Ok(None),
        }
    }

    fn remember(&mut self, input: &str) {
        let _ = self.editor.add_history_entry(input);
        if let Some(h) = &self.history {
            if let Some(dir) = h.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = self.editor.save_history(h);
        }
    }
}
