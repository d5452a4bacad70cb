//! What the REPL does with an input: bindings add variables, an expression is
//! evaluated and printed, and `:` commands do what current Nix's REPL does
//! with them (those that build say that nixie does not build).

use super::{After, Problem, Session};
use nixie_eval::printer_pretty::{print_pretty, PrettyOptions};
use nixie_eval::value::{Attrs, Value};
use nixie_eval::ErrorKind;
use std::path::Path;

/// The source name of REPL input, in positions and messages.
const INPUT: &str = "«string»";

const HELP: &str = "\
The following commands are available:

  <expr>                       Evaluate and print an expression
  <x> = <expr>                 Bind an expression to a variable (also
                               `a = 1; b.c = 2;` and `inherit (e) x`)
  :a, :add <expr>              Add the attributes of a set to the scope
  :doc <expr>                  Show the documentation of a builtin
  :l, :load <path>             Load a Nix file and add its attributes to the scope
  :ll, :last-loaded            Show the variables the last :l or :a added
  :p, :print <expr>            Evaluate and print an expression completely
                               (strings as they are, without escaping)
  :q, :quit                    Leave the REPL
  :r, :reload                  Load every loaded file again
  :t <expr>                    Describe the type of the value
  :te, :trace-enable [bool]    Show error traces, or not (toggles without bool)
  :?, :help                    Show this help

:b, :bl, :i, :sh, :u and :log build derivations; nixie evaluates but does not build.
";

/// Whether `e` says the input ended before the expression did.
fn incomplete(e: &nixie_eval::Error) -> bool {
    matches!(e.kind(), ErrorKind::Parse(m) if m.contains("unexpected end of file"))
}

fn is_parse_error(e: &nixie_eval::Error) -> bool {
    matches!(e.kind(), ErrorKind::Parse(_))
}

impl Session {
    /// Handle one complete or incomplete input.
    pub(crate) fn process(&mut self, input: &str) -> After {
        let line = input.trim();
        if line.is_empty() {
            return After::Prompt;
        }
        let (command, arg) = match line.strip_prefix(':') {
            Some(_) => match line.find(char::is_whitespace) {
                Some(at) => (&line[..at], line[at..].trim()),
                None => (line, ""),
            },
            None => ("", line),
        };
        let mut after = After::Prompt;
        self.report(|s| {
            after = s.command(command, arg)?;
            Ok(())
        });
        after
    }

    fn command(&mut self, command: &str, arg: &str) -> Result<After, Problem> {
        match command {
            "" => return self.bindings_or_expression(arg),
            ":?" | ":help" => print!("{HELP}"),
            ":a" | ":add" => {
                let v = self.evaluate(arg)?;
                self.add_attrs(v)?;
            }
            ":l" | ":load" => self.load(arg)?,
            ":ll" | ":last-loaded" => self.show_last_loaded()?,
            ":r" | ":reload" => self.reload()?,
            ":p" | ":print" => {
                let v = self.evaluate(arg)?;
                let v = self.ev().deep_force(v)?;
                match &v {
                    Value::String(s) => println!("{}", s.to_str_lossy()),
                    _ => println!("{}", self.pretty(&v, usize::MAX)),
                }
            }
            ":t" => {
                let v = self.evaluate(arg)?;
                println!("{}", describe_type(&v));
            }
            ":doc" => self.doc(arg)?,
            ":te" | ":trace-enable" => self.trace_enable(command, arg)?,
            ":q" | ":quit" => return Ok(After::Quit),
            ":b" | ":bl" | ":i" | ":sh" | ":u" | ":log" | ":e" | ":edit" | ":lf"
            | ":load-flake" => {
                return Err(Problem::Message(format!(
                    "'{command}' is not available: nixie evaluates Nix expressions but does not build, edit or load flakes"
                )))
            }
            _ => return Err(Problem::Message(format!("unknown command '{command}'"))),
        }
        Ok(After::Prompt)
    }

    /// A line of bindings (`x = 1`, `a = 1; b = 2;`, `inherit (a) b`) adds its
    /// variables; anything else is an expression to evaluate and print.
    fn bindings_or_expression(&mut self, text: &str) -> Result<After, Problem> {
        // As bindings, then with a `;` added (`inherit (a) b`): input that ends
        // too early even so is incomplete.
        for (attempt, last) in [(text.to_string(), false), (format!("{text};"), true)] {
            let dir = self.cwd.clone();
            let result = self
                .ev()
                .eval_bindings_in(INPUT, &attempt, &dir, &self.scope);
            match result {
                Ok(attrs) => {
                    self.scope = self.scope.update(&attrs);
                    return Ok(After::Prompt);
                }
                Err(e) if last && incomplete(&e) => return Ok(After::MoreInput),
                Err(e) if is_parse_error(&e) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let dir = self.cwd.clone();
        let v = match self.ev().eval_source_in(INPUT, text, &dir, &self.scope) {
            Ok(v) => v,
            Err(e) if incomplete(&e) => return Ok(After::MoreInput),
            Err(e) => return Err(e.into()),
        };
        let v = self.ev().force(v)?;
        let v = self.force_shown(v)?;
        println!("{}", self.pretty(&v, 1));
        Ok(After::Prompt)
    }

    /// Evaluate a command's argument to weak head normal form.
    fn evaluate(&mut self, text: &str) -> Result<Value, Problem> {
        let dir = self.cwd.clone();
        let v = self.ev().eval_source_in(INPUT, text, &dir, &self.scope)?;
        Ok(self.ev().force(v)?)
    }

    /// Force what printing a value one level deep shows: its items, and the
    /// `drvPath` of a derivation.
    fn force_shown(&mut self, v: Value) -> Result<Value, Problem> {
        let items: Vec<Value> = match &v {
            Value::Attrs(a) => a.iter().map(|(_, v)| v.clone()).collect(),
            Value::List(l) => l.iter().cloned().collect(),
            _ => Vec::new(),
        };
        for item in items {
            let item = self.ev().force(item)?;
            if let Value::Attrs(a) = &item {
                if let (Some(t), Some(p)) = (a.get(b"type"), a.get(b"drvPath")) {
                    if matches!(self.ev().force(t.clone())?, Value::String(s) if s.as_bytes() == b"derivation")
                    {
                        self.ev().force(p.clone())?;
                    }
                }
            }
        }
        Ok(v)
    }

    fn pretty(&self, v: &Value, max_depth: usize) -> String {
        print_pretty(
            v,
            PrettyOptions {
                max_depth,
                colours: self.colours,
            },
        )
    }

    /// Load a file as `:l` does: its value (called with no arguments when it is
    /// a function with formals) is a set whose attributes join the scope.
    pub(crate) fn load(&mut self, file: &str) -> Result<(), Problem> {
        let path = nixie_eval::paths::resolve(&self.cwd, file);
        if !path.exists() {
            return Err(Problem::Message(format!(
                "path '{}' does not exist",
                path.display()
            )));
        }
        let v = self.ev().eval_file(&path)?;
        let v = self.ev().auto_call(v, &Attrs::empty())?;
        self.add_attrs(v)?;
        self.loaded.retain(|f| f != file);
        self.loaded.push(file.to_string());
        Ok(())
    }

    /// Start the scope afresh (variables bound since are gone, as in Nix) and
    /// load every loaded file again, read anew.
    fn reload(&mut self) -> Result<(), Problem> {
        self.ev().forget_imports();
        self.scope = Attrs::empty();
        for file in self.loaded.clone() {
            println!("Loading \"{file}\"...");
            self.load(&file)?;
        }
        Ok(())
    }

    /// Add a set's attributes to the scope, saying which.
    fn add_attrs(&mut self, v: Value) -> Result<(), Problem> {
        let v = self.ev().force(v)?;
        let Value::Attrs(attrs) = v else {
            return Err(Problem::Message(format!(
                "expected a set but found {}",
                v.type_description()
            )));
        };
        self.scope = self.scope.update(&attrs);
        println!("Added {} variables.", attrs.len());
        let names: Vec<String> = attrs
            .iter()
            .map(|(k, _)| identifier(k.as_bytes()))
            .collect();
        println!(
            "{}",
            names
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
        if names.len() > 20 {
            println!("... and {} more; view with :ll", names.len() - 20);
        }
        self.last_loaded = Some(attrs);
        Ok(())
    }

    /// The names the last `:l` or `:a` added, one a line.
    fn show_last_loaded(&mut self) -> Result<(), Problem> {
        let Some(attrs) = &self.last_loaded else {
            return Err(Problem::Message("nothing has been loaded yet".into()));
        };
        for (name, _) in attrs.iter() {
            println!("{}", name.to_str_lossy());
        }
        Ok(())
    }

    /// `:doc expr`: a builtin's documentation, a lambda's doc comment, or, for
    /// `e.name` whose value is neither, the doc comment of that attribute's
    /// definition (as current Nix's REPL shows them).
    fn doc(&mut self, arg: &str) -> Result<(), Problem> {
        // An error here is left to the whole expression, which reports it as
        // written.
        let fallback = match split_last_selection(arg) {
            Some((set, name)) => match self.evaluate(set) {
                Ok(Value::Attrs(a)) if a.contains(name.as_bytes()) => {
                    self.ev().attribute_doc(&a, name.as_bytes())
                }
                _ => None,
            },
            None => None,
        };
        let v = self.evaluate(arg)?;
        let text = match &v {
            Value::Builtin(b) => self.ev().doc(b.name()).map(str::to_string),
            Value::Closure(_) => self.ev().lambda_doc(&v),
            _ => None,
        };
        match text.or(fallback) {
            Some(t) => println!("{}", t.trim()),
            None => return Err(Problem::Message("value does not have documentation".into())),
        }
        Ok(())
    }

    fn trace_enable(&mut self, command: &str, arg: &str) -> Result<(), Problem> {
        self.show_trace = match arg {
            "true" => true,
            "false" => false,
            "" => !self.show_trace,
            _ => {
                return Err(Problem::Message(format!(
                    "unexpected argument '{arg}' to {command}"
                )))
            }
        };
        if self.show_trace {
            println!("showing error traces");
        } else {
            println!("not showing error traces");
        }
        Ok(())
    }
}

/// A name as Nix prints an attribute name: plain when it is an identifier,
/// quoted otherwise.
fn identifier(name: &[u8]) -> String {
    let mut out = Vec::new();
    if nixie_eval::printer::is_plain_identifier(name) {
        out.extend_from_slice(name);
    } else {
        nixie_eval::printer::escape_string(&mut out, name);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What `:t` says of a value.
fn describe_type(v: &Value) -> &'static str {
    match v {
        Value::Builtin(b) if b.args_given() > 0 => "a partially applied built-in function",
        other => other.type_description(),
    }
}

/// The history file: `$XDG_DATA_HOME/nixie/repl-history` (or under
/// `~/.local/share`).
pub(crate) fn history_file() -> Option<std::path::PathBuf> {
    let base = match std::env::var_os("XDG_DATA_HOME") {
        Some(d) if !d.is_empty() => std::path::PathBuf::from(d),
        _ => Path::new(&std::env::var_os("HOME")?).join(".local/share"),
    };
    Some(base.join("nixie/repl-history"))
}

/// `e.name` split into `e` and `name` when the text is a selection ending in a
/// plain name (`lib.version`, `(import ./x.nix).a.b`), not an application or
/// a path (`import ./x.nix`); `None` otherwise.
fn split_last_selection(text: &str) -> Option<(&str, &str)> {
    let text = text.trim();
    let (mut depth, mut quoted, mut last_dot) = (0i32, false, None);
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            '.' if depth == 0 => last_dot = Some(i),
            c if depth == 0 && (c.is_whitespace() || c == '/') => return None,
            _ => {}
        }
    }
    let dot = last_dot?;
    let (set, name) = (&text[..dot], &text[dot + 1..]);
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '\'' | '-'));
    (plain && !set.is_empty() && !set.ends_with('.')).then_some((set, name))
}

#[cfg(test)]
mod tests {
    use super::split_last_selection;

    #[test]
    fn only_selections_split() {
        assert_eq!(
            split_last_selection("lib.version"),
            Some(("lib", "version"))
        );
        assert_eq!(
            split_last_selection("(import ./x.nix).a.b"),
            Some(("(import ./x.nix).a", "b"))
        );
        assert_eq!(split_last_selection("import ./x.nix"), None);
        assert_eq!(split_last_selection("./x.nix"), None);
        assert_eq!(split_last_selection("f a.b"), None);
        assert_eq!(split_last_selection("a.\"b.c\""), None);
        assert_eq!(split_last_selection("constant"), None);
    }
}
