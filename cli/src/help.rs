//! `--help`, the man page and the shell completions, generated from the one
//! table of flags and settings ([`crate::flags`]) through a `clap::Command` that
//! describes the command line (the parsing itself is [`crate::args`]').

use crate::flags::{self, Heading, Kind};
use clap::{Arg, ArgAction, Command};

const ABOUT: &str = "Evaluate Nix expressions: a drop-in for nix-instantiate";

const LONG_ABOUT: &str = "\
Evaluate Nix expressions: a drop-in for nix-instantiate.

Without --eval or --parse, nixie instantiates: it evaluates each input to derivations, \
writes their .drv files to the store and prints their paths. With --eval it prints the \
value instead. An input is a file (a directory means its default.nix), <name> for a \
file in the search path, or with -E an expression; - reads an expression from standard \
input. Without inputs, ./default.nix is read.

`nixie repl [FILES]` starts the interactive read-eval-print loop.";

/// The command line as clap describes it (for help, man page and completions).
pub fn command() -> Command {
    let mut cmd = Command::new("nixie")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .long_about(LONG_ABOUT)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true)
        .after_long_help(after_help())
        .subcommand(
            Command::new("repl")
                .about("The interactive read-eval-print loop (:? lists its commands)")
                .arg(Arg::new("files").num_args(0..).value_name("FILES")),
        );
    for f in flags::FLAGS.iter().filter(|f| f.heading != Heading::Hidden) {
        let mut a = Arg::new(f.long)
            .long(f.long)
            .help(f.help)
            .help_heading(f.heading.title());
        if let Some(c) = f.short {
            a = a.short(c);
        }
        a = match f.labels.len() {
            0 => a.action(ArgAction::SetTrue),
            n => a
                .num_args(n)
                .value_names(f.labels)
                .action(ArgAction::Append),
        };
        cmd = cmd.arg(a);
    }
    for s in flags::SETTINGS {
        let Some(help) = s.help else { continue };
        if flags::FLAGS.iter().any(|f| f.long == s.name) {
            continue;
        }
        let a = Arg::new(s.name)
            .long(s.name)
            .help(help)
            .help_heading("Settings (also --option NAME VALUE)");
        cmd = cmd.arg(match s.kind {
            Kind::Bool => a.action(ArgAction::SetTrue),
            Kind::Value | Kind::List => a.num_args(1).value_name("VALUE"),
        });
    }
    cmd.arg(
        Arg::new("inputs")
            .num_args(0..)
            .value_name("FILES")
            .help("Files, <name>s, or expressions with -E; - reads standard input"),
    )
}

/// The sections after the flags: how settings work, the ignored settings, the
/// environment.
fn after_help() -> String {
    let mut out = String::from(
        "Settings:\n  A Boolean setting NAME is switched on by --NAME and off by --no-NAME; a list \
         setting is replaced by --NAME VALUE and extended by --extra-NAME VALUE. Unknown \
         settings given to --option are warned about and ignored.\n\n  Accepted and ignored \
         (they concern building, the daemon or caches):\n",
    );
    let ignored: Vec<&str> = flags::SETTINGS
        .iter()
        .filter(|s| s.help.is_none())
        .map(|s| s.name)
        .collect();
    for line in wrap(&ignored.join(", "), 76) {
        out.push_str(&format!("    {line}\n"));
    }
    out.push_str("\nEnvironment:\n");
    for (name, what) in flags::ENVIRONMENT {
        out.push_str(&format!("  {name:<20} {what}\n"));
    }
    out.push_str("\nExit status: 0 on success, 1 on an evaluation or usage error.\n");
    out
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let cur = lines.last_mut().expect("lines starts with one line");
        if !cur.is_empty() && cur.len() + 1 + word.len() > width {
            lines.push(word.to_string());
        } else {
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(word);
        }
    }
    lines
}

/// The text `--help` prints.
pub fn help_text() -> String {
    command().render_long_help().to_string()
}

/// The man page, in roff.
pub fn man_page() -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    clap_mangen::Man::new(command())
        .render(&mut out)
        .map_err(|e| format!("rendering the man page: {e}"))?;
    Ok(out)
}

/// Completions for `shell` (bash, zsh, fish, elvish, powershell).
pub fn completions(shell: &str) -> Result<Vec<u8>, String> {
    use clap_complete::Shell;
    let shell: Shell = shell
        .parse()
        .map_err(|_| format!("unknown shell '{shell}' (bash, zsh, fish, elvish, powershell)"))?;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command(), "nixie", &mut out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_flag_setting_and_variable() {
        let text = help_text();
        for f in flags::FLAGS.iter().filter(|f| f.heading != Heading::Hidden) {
            assert!(text.contains(&format!("--{}", f.long)), "--{}", f.long);
        }
        for s in flags::SETTINGS {
            assert!(text.contains(s.name), "{}", s.name);
        }
        for (v, _) in flags::ENVIRONMENT {
            assert!(text.contains(v), "{v}");
        }
    }

    #[test]
    fn the_man_page_and_completions_name_the_flags() {
        let man = String::from_utf8(man_page().unwrap()).unwrap();
        assert!(man.starts_with(".ie"), "{}", &man[..40]);
        assert!(man.contains("read\\-write\\-mode"));
        let bash = String::from_utf8(completions("bash").unwrap()).unwrap();
        assert!(bash.contains("--read-write-mode"));
        assert!(completions("tcsh").is_err());
    }

    #[test]
    fn the_clap_description_is_consistent() {
        command().debug_assert();
    }
}
