//! The `nix-instantiate` compatibility table: each case of
//! `tests/invocations/cases.txt` is a named test (`cargo test -p nixie-cli --test
//! invocations -- <name>`) that runs nixie with the case's arguments and
//! standard input in `tests/invocations/files` and compares stdout, stderr and
//! the exit status with what C++ Nix printed.

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One invocation and what C++ Nix made of it.
struct Case {
    name: String,
    args: Vec<String>,
    stdin: String,
    stdout: String,
    stderr: String,
    status: i32,
}

fn files_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invocations/files")
}

/// Split arguments as a shell does, for the quoting the table uses (single
/// quotes, and words separated by spaces).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur: Option<String> = None;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                cur.get_or_insert_with(String::new);
            }
            ' ' if !quoted => words.extend(cur.take()),
            c => cur.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(cur);
    words
}

fn parse_cases(text: &str) -> Vec<Case> {
    let dir = files_dir().to_string_lossy().into_owned();
    let mut cases: Vec<Case> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("## ") {
            cases.push(Case {
                name: name.to_string(),
                args: Vec::new(),
                stdin: String::new(),
                stdout: String::new(),
                stderr: String::new(),
                status: 0,
            });
            continue;
        }
        let Some(c) = cases.last_mut() else { continue };
        let line = line.replace("@DIR@", &dir);
        if let Some(a) = line.strip_prefix("$ ") {
            c.args = shell_words(a);
        } else if let Some(s) = line.strip_prefix("< ") {
            c.stdin.push_str(s);
            c.stdin.push('\n');
        } else if let Some(s) = line.strip_prefix(">~ ") {
            c.stdout.push_str(s);
        } else if let Some(s) = line.strip_prefix("> ") {
            c.stdout.push_str(s);
            c.stdout.push('\n');
        } else if line == "!" || line.starts_with("! ") {
            c.stderr.push_str(line.get(2..).unwrap_or(""));
            c.stderr.push('\n');
        } else if let Some(s) = line.strip_prefix("? ") {
            c.status = s.parse().expect("an exit status");
        }
    }
    cases
}

fn run(case: &Case) -> Result<(), Failed> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nixie"))
        .args(&case.args)
        .current_dir(files_dir())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NIX_REMOTE", "dummy://")
        .env("HOME", "/homeless-shelter")
        .env("TERM", "dumb")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running nixie: {e}"))?;
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let _ = stdin.write_all(case.stdin.as_bytes());
    }
    let o = child.wait_with_output().map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    let mut problems = Vec::new();
    if stdout != case.stdout {
        problems.push(format!(
            "stdout:\n--- want\n{}\n--- got\n{stdout}",
            case.stdout
        ));
    }
    if stderr != case.stderr {
        problems.push(format!(
            "stderr:\n--- want\n{}\n--- got\n{stderr}",
            case.stderr
        ));
    }
    if o.status.code() != Some(case.status) {
        problems.push(format!(
            "exit status: want {}, got {:?}",
            case.status,
            o.status.code()
        ));
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(problems.join("\n").into()),
    }
}

fn main() {
    let args = Arguments::from_args();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invocations/cases.txt");
    let text = std::fs::read_to_string(&path).expect("the invocation table");
    let trials = parse_cases(&text)
        .into_iter()
        .map(|c| Trial::test(c.name.clone(), move || run(&c)))
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
