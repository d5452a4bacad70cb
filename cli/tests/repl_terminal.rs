//! `nixie repl` on a pseudo-terminal, as a user types at it: completion of
//! variables and attribute paths, Ctrl-C cancelling a running evaluation while
//! the session goes on, the history file, and Ctrl-D leaving.

use expectrl::{Eof, Session};
use std::process::Command;
use std::time::Duration;

fn start(home: &std::path::Path) -> Session {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nixie"));
    cmd.arg("repl")
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env_remove("XDG_DATA_HOME");
    let mut session = Session::spawn(cmd).expect("nixie repl starts on a pseudo-terminal");
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    session.expect("nix-repl> ").expect("the first prompt");
    session
}

fn temp_home(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("nixie-repl-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary home");
    dir
}

#[test]
fn completes_variables_builtins_and_attribute_paths() {
    let home = temp_home("complete");
    let mut s = start(&home);
    s.send_line("greeting = { hello = 1; help = 2; }").unwrap();
    s.expect("nix-repl> ").unwrap();
    // A variable, then an attribute of it.
    s.send("greet\t").unwrap();
    s.expect("greeting").unwrap();
    s.send(".hell\t").unwrap();
    s.expect("greeting.hello").unwrap();
    s.send("\r").unwrap();
    s.expect("\n1\r\n").unwrap();
    s.expect("nix-repl> ").unwrap();
    // A builtin.
    s.send("builtins.stringLen\t").unwrap();
    s.expect("builtins.stringLength").unwrap();
    s.send(" \"abc\"\r").unwrap();
    s.expect("\n3\r\n").unwrap();
    s.expect("nix-repl> ").unwrap();
    s.send("\x04").unwrap();
    s.expect(Eof).unwrap();
}

#[test]
fn ctrl_c_cancels_the_evaluation_and_keeps_the_session() {
    let home = temp_home("interrupt");
    let mut s = start(&home);
    s.send_line("kept = 42").unwrap();
    s.expect("nix-repl> ").unwrap();
    let slow = "builtins.foldl' (a: b: a + b) 0 (builtins.genList (x: builtins.foldl' (a: b: a + b) 0 (builtins.genList (y: y) 1000)) 1000000)";
    s.send_line(slow).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    s.send("\x03").unwrap();
    s.expect("error: interrupted by the user").unwrap();
    s.expect("nix-repl> ").unwrap();
    s.send_line("kept").unwrap();
    s.expect("42").unwrap();
    s.expect("nix-repl> ").unwrap();
    // Ctrl-C at the prompt drops the line being typed.
    s.send("1 +\x03").unwrap();
    s.expect("nix-repl> ").unwrap();
    s.send_line("kept + 1").unwrap();
    s.expect("43").unwrap();
    s.expect("nix-repl> ").unwrap();
    s.send("\x04").unwrap();
    s.expect(Eof).unwrap();
}

#[test]
fn history_is_kept_in_a_file() {
    let home = temp_home("history");
    let mut s = start(&home);
    s.send_line("1 + 2").unwrap();
    s.expect("3").unwrap();
    s.send_line(":q").unwrap();
    s.expect(Eof).unwrap();
    let history = std::fs::read_to_string(home.join(".local/share/nixie/repl-history"))
        .expect("a history file");
    assert!(history.lines().any(|l| l == "1 + 2"), "{history}");
    // A new session recalls it (Ctrl-P, as the up arrow does).
    let mut s = start(&home);
    // Ctrl-P twice: the line before the last (`:q`).
    s.send("\x10\x10").unwrap();
    s.expect("1 + 2").unwrap();
    s.send("\r").unwrap();
    s.expect("3").unwrap();
    s.expect("nix-repl> ").unwrap();
    s.send("\x04").unwrap();
    s.expect(Eof).unwrap();
}
