//! `nixie repl` sessions (`tests/repl/*.transcript`): each case is a transcript
//! as current Nix's REPL prints it, the lines after a prompt its input. The input
//! is fed to `nixie repl` on standard input with `_NIX_TEST_REPL_ECHO` set (the
//! input echoed after each prompt, as Nix's own REPL tests run it), in
//! `tests/repl/files`; the output, standard error merged in, must be the
//! transcript, with that directory written `$DIR`.

use libtest_mimic::{Arguments, Failed, Trial};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const PROMPT: &str = "nix-repl> ";
const CONTINUATION: &str = "        > ";

/// The input lines of a transcript.
fn input_of(transcript: &str) -> String {
    let mut input = String::new();
    for line in transcript.lines() {
        if let Some(l) = line
            .strip_prefix(PROMPT)
            .or(line.strip_prefix(CONTINUATION))
        {
            input.push_str(l);
            input.push('\n');
        }
    }
    input
}

fn run(transcript: &str, dir: &Path) -> Result<(), Failed> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("exec '{}' repl 2>&1", env!("CARGO_BIN_EXE_nixie")))
        .current_dir(dir)
        .env("_NIX_TEST_REPL_ECHO", "1")
        .env("HOME", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input_of(transcript).as_bytes())?;
    let out = child.wait_with_output()?;
    let text = String::from_utf8_lossy(&out.stdout).replace(&*dir.to_string_lossy(), "$DIR");
    // The banner, then the session; the prompt left at the end of the input goes.
    let session = text.splitn(4, '\n').nth(3).unwrap_or("").to_string();
    let session = session
        .trim_end()
        .trim_end_matches(PROMPT.trim_end())
        .trim_end();
    let want = transcript.trim_end();
    if session != want {
        return Err(format!("want:\n{want}\n\ngot:\n{session}").into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/repl");
    let dir = here.join("files");
    let mut trials = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&here)
        .expect("the transcripts exist")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "transcript"))
        .collect();
    files.sort();
    for file in files {
        let group = file.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&file).expect("a readable transcript");
        for block in text.split("\n### ").skip(1) {
            let (name, transcript) = block.split_once('\n').expect("a case has a transcript");
            let (transcript, dir) = (transcript.to_string(), dir.clone());
            trials.push(Trial::test(format!("{group}::{name}"), move || {
                run(&transcript, &dir)
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
