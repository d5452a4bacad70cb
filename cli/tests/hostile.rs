//! The hostile-input table (`tests/hostile/*.cases`): deep nesting, flat chains,
//! cycles through every serialiser, huge values, regular-expression pathologies,
//! integer edge cases, invalid UTF-8 and NUL bytes. Each case runs the `nixie`
//! binary under a 4 GiB address-space limit and a timeout, and must end in its
//! expected output, or exit 1 with the expected fragment on stderr: never a
//! signal, never a hang. Release builds run the table (CI does); debug builds
//! list the cases as ignored, as the largest inputs take minutes there.
//!
//! A case is `### name`, an optional `args: …` line (default `--eval --strict`),
//! the source, then `--- ok` and the exact output, or `--- error` and a fragment
//! of the message. In the source, `{{N*text}}` stands for `text` repeated N times
//! and `{{bytes:ff 00}}` for raw bytes.

use libtest_mimic::{Arguments, Failed, Trial};
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Case {
    args: Vec<String>,
    source: Vec<u8>,
    ok: bool,
    expect: String,
}

const ADDRESS_SPACE: u64 = 4 << 30;
const TIMEOUT: Duration = Duration::from_secs(60);

/// The source with `{{…}}` expansions made.
fn expand(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.extend_from_slice(&rest.as_bytes()[..start]);
        let end = rest[start..].find("}}").expect("a {{ expansion is closed") + start;
        let inner = &rest[start + 2..end];
        if let Some(hex) = inner.strip_prefix("bytes:") {
            for b in hex.split_whitespace() {
                out.push(u8::from_str_radix(b, 16).expect("hex byte"));
            }
        } else {
            let (n, piece) = inner.split_once('*').expect("{{N*text}}");
            let n: usize = n.parse().expect("a repeat count");
            out.extend_from_slice(piece.repeat(n).as_bytes());
        }
        rest = &rest[end + 2..];
    }
    out.extend_from_slice(rest.as_bytes());
    out
}

fn parse(text: &str) -> Vec<(String, Case)> {
    let mut cases = Vec::new();
    for block in text.split("\n### ").skip(1) {
        let (name, body) = block.split_once('\n').expect("a case has a body");
        let mut lines: Vec<&str> = body.lines().filter(|l| !l.starts_with("# ")).collect();
        let mut args = vec!["--eval".to_string(), "--strict".to_string()];
        if let Some(a) = lines.first().and_then(|l| l.strip_prefix("args: ")) {
            args = a.split_whitespace().map(String::from).collect();
            lines.remove(0);
        }
        let sep = lines
            .iter()
            .position(|l| *l == "--- ok" || *l == "--- error")
            .unwrap_or_else(|| panic!("case {name} has no --- line"));
        let source = expand(&lines[..sep].join("\n"));
        let expect = lines[sep + 1..].join("\n").trim_end().to_string();
        let ok = lines[sep] == "--- ok";
        cases.push((
            name.trim().to_string(),
            Case {
                args,
                source,
                ok,
                expect,
            },
        ));
    }
    cases
}

fn run(name: &str, case: &Case) -> Result<(), Failed> {
    let dir = std::env::temp_dir().join(format!("nixie-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let file = dir.join(format!("{name}.nix"));
    std::fs::write(&file, &case.source).map_err(|e| e.to_string())?;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nixie"));
    cmd.args(&case.args)
        .arg(&file)
        .env("NIX_REMOTE", "dummy://")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe and touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: ADDRESS_SPACE,
                rlim_max: ADDRESS_SPACE,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().map_err(|e| e.to_string())?;
    let (mut so, mut se) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = so.read_to_end(&mut b);
        b
    });
    let err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = se.read_to_end(&mut b);
        b
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("no result within {TIMEOUT:?}").into());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
    let _ = std::fs::remove_file(&file);
    if let Some(sig) = status.signal() {
        return Err(format!("killed by signal {sig}; stderr:\n{stderr}").into());
    }
    let code = status.code().unwrap_or(-1);
    let short = |s: &str| s.chars().take(2000).collect::<String>();
    if case.ok {
        if code != 0 || stdout.trim_end() != case.expect {
            return Err(format!(
                "exit {code}\nexpected: {}\nstdout: {}\nstderr: {}",
                case.expect,
                short(&stdout),
                short(&stderr)
            )
            .into());
        }
    } else if code != 1 || !stderr.contains(&case.expect) {
        return Err(format!(
            "exit {code}, expected 1 with {:?}\nstdout: {}\nstderr: {}",
            case.expect,
            short(&stdout),
            short(&stderr)
        )
        .into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the hostile table exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "cases"))
        .collect();
    files.sort();
    let mut trials = Vec::new();
    for f in files {
        let group = f.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&f).expect("a readable case file");
        for (name, case) in parse(&text) {
            let full = format!("{group}::{name}");
            trials.push(
                Trial::test(full, move || run(&name, &case))
                    .with_ignored_flag(cfg!(debug_assertions)),
            );
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
