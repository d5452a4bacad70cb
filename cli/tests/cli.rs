//! End-to-end tests of the `nixie` binary: flags, output formats, exit codes.
//! Expected outputs were produced by `nix-instantiate` (2.8.0) on the same input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn nixie(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nixie"))
        .args(args)
        .current_dir(dir)
        .env_remove("NIX_PATH")
        .output()
        .expect("the nixie binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh scratch directory with some files.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nixie-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("d/sub")).unwrap();
    std::fs::write(d.join("hello.txt"), "hello\n").unwrap();
    std::fs::write(d.join("d/a"), "x").unwrap();
    std::fs::write(d.join("d/sub/b"), "y").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(d.join("d/sub/b"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink("a", d.join("d/link")).unwrap();
    std::fs::write(
        d.join("f.nix"),
        "{ x ? 1, y }: { inherit x y; s = \"${toString x}-${y}\"; }",
    )
    .unwrap();
    std::fs::create_dir_all(d.join("inc/lib")).unwrap();
    std::fs::write(d.join("inc/lib/default.nix"), "{ v = 42; }").unwrap();
    d
}

#[test]
fn expression_strict_and_lazy() {
    let d = scratch("expr");
    let o = nixie(
        &d,
        &[
            "--eval",
            "--strict",
            "-E",
            "{ a = 1 + 1; b = [ (2 * 3) ]; }",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "{ a = 2; b = [ 6 ]; }\n");
    let o = nixie(&d, &["--eval", "-E", "{ a = 1 + 1; b = 1; }"]);
    assert_eq!(stdout(&o), "{ a = <CODE>; b = 1; }\n");
}

#[test]
fn json_and_xml() {
    let d = scratch("formats");
    let o = nixie(
        &d,
        &[
            "--eval",
            "--json",
            "--strict",
            "-E",
            r#"{ a = [1 2.5 "x\n" null true]; b = { c = 1; }; }"#,
        ],
    );
    assert_eq!(
        stdout(&o),
        "{\"a\":[1,2.5,\"x\\n\",null,true],\"b\":{\"c\":1}}\n"
    );
    let o = nixie(&d, &["--eval", "--json", "-E", "{ a = throw \"no\"; }"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "",
        "--json prints nothing when evaluation fails"
    );
    let o = nixie(
        &d,
        &[
            "--eval",
            "--xml",
            "--no-location",
            "--strict",
            "-E",
            r#"{ a = [ 1 "x<" ]; f = x: x; g = { a, b ? 1, ... }: a; }"#,
        ],
    );
    let want = r#"<?xml version='1.0' encoding='utf-8'?>
<expr>
  <attrs>
    <attr name="a">
      <list>
        <int value="1" />
        <string value="x&lt;" />
      </list>
    </attr>
    <attr name="f">
      <function>
        <varpat name="x" />
      </function>
    </attr>
    <attr name="g">
      <function>
        <attrspat ellipsis="1">
          <attr name="a" />
          <attr name="b" />
        </attrspat>
      </function>
    </attr>
  </attrs>
</expr>
"#;
    assert_eq!(stdout(&o), want);
}

#[test]
fn file_with_args_and_attr_path() {
    let d = scratch("args");
    let o = nixie(
        &d,
        &[
            "--eval", "--strict", "f.nix", "--arg", "x", "5", "--argstr", "y", "hi", "-A", "s",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "\"5-hi\"\n");
    // Without arguments a function is printed, not called.
    let o = nixie(&d, &["--eval", "f.nix"]);
    assert_eq!(stdout(&o), "<LAMBDA>\n");
    // A required argument without a value.
    let o = nixie(&d, &["--eval", "f.nix", "--arg", "x", "1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o)
        .contains("cannot evaluate a function that has an argument without a value ('y')"));
}

#[test]
fn search_path_from_flag_and_env() {
    let d = scratch("search");
    let o = nixie(&d, &["--eval", "-I", "inc", "-E", "(import <lib>).v"]);
    assert_eq!(stdout(&o), "42\n", "{}", stderr(&o));
    let o = Command::new(env!("CARGO_BIN_EXE_nixie"))
        .args(["--eval", "-E", "(import <x/lib>).v"])
        .current_dir(&d)
        .env("NIX_PATH", format!("x={}", d.join("inc").display()))
        .output()
        .unwrap();
    assert_eq!(stdout(&o), "42\n", "{}", stderr(&o));
    let o = nixie(&d, &["--eval", "-E", "<nope>"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("file 'nope' was not found in the Nix search path"));
}

#[test]
fn paths_are_copied_to_the_store_when_interpolated() {
    let d = scratch("store");
    let o = nixie(
        &d,
        &[
            "--eval",
            "--strict",
            "-E",
            r#"[ "${./hello.txt}" "${./d}" (toString ./d) ]"#,
        ],
    );
    let want = format!(
        "[ \"/nix/store/i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt\" \"/nix/store/qdrv63xs109xd7y4grc4c8cjv9cfzln6-d\" \"{}\" ]\n",
        d.join("d").display()
    );
    assert_eq!(stdout(&o), want, "{}", stderr(&o));
    let o = nixie(&d, &["--eval", "-E", r#""${./missing}""#]);
    assert_eq!(o.status.code(), Some(1));
    // C++ Nix's words, without a position (the corpus's eval-fail-nonexist-path).
    assert!(stderr(&o).starts_with("error: path '"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("missing' does not exist"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn parse_mode_and_errors() {
    let d = scratch("parse");
    let o = Command::new(env!("CARGO_BIN_EXE_nixie"))
        .args(["--parse", "-"])
        .current_dir(&d)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(b"let x = 1; in x +")?;
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("error: syntax error"),
        "{}",
        stderr(&o)
    );
    let o = nixie(&d, &["--eval", "-E", "let x = 1; in y"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: undefined variable 'y'\n       at «string»:1:15:\n            1| let x = 1; in y\n             |               ^\n"
    );
    let o = nixie(&d, &["--eval", "--frobnicate"]);
    assert_eq!(o.status.code(), Some(1), "unknown flags are usage errors");
    assert_eq!(
        stderr(&o),
        "error: unrecognised flag '--frobnicate'\nTry 'nix-instantiate --help' for more information.\n"
    );
}

#[test]
fn lints() {
    let d = scratch("lints");
    let o = nixie(
        &d,
        &[
            "--eval",
            "--lint-absolute-path-literals",
            "fatal",
            "-E",
            "/tmp/foo",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("absolute path literals are not portable"));
    let o = nixie(
        &d,
        &["--eval", "--lint-short-path-literals", "warn", "-E", "a/b"],
    );
    assert!(o.status.success());
    assert!(stderr(&o).starts_with("warning: relative path literal 'a/b' should be prefixed"));
}

#[test]
fn deep_recursion_where_cpp_nix_overflows() {
    let d = scratch("deep");
    let o = nixie(
        &d,
        &[
            "--eval",
            "-E",
            "let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 1000000",
        ],
    );
    assert_eq!(stdout(&o), "1000000\n", "{}", stderr(&o));
}

/// Special files: a FIFO, a dangling link, a name that is not UTF-8 (outputs as
/// nix-instantiate prints them).
#[test]
fn file_types_and_names_as_nix_sees_them() {
    use std::os::unix::ffi::OsStrExt;
    let d = scratch("ftypes");
    let dir = d.join("special");
    std::fs::create_dir_all(&dir).unwrap();
    let made = Command::new("mkfifo")
        .arg(dir.join("fifo"))
        .status()
        .unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink("nowhere", dir.join("dangling")).unwrap();
    std::fs::write(dir.join(std::ffi::OsStr::from_bytes(b"n\xffame")), "x").unwrap();
    let o = nixie(
        &d,
        &["--eval", "--strict", "-E", "builtins.readDir ./special"],
    );
    assert_eq!(
        o.stdout,
        b"{ dangling = \"symlink\"; fifo = \"unknown\"; \"n\xffame\" = \"regular\"; }\n"
    );
    let o = nixie(
        &d,
        &[
            "--eval",
            "--strict",
            "-E",
            "[ (builtins.readFileType ./special/fifo) (builtins.pathExists ./special/dangling) ]",
        ],
    );
    assert_eq!(stdout(&o), "[ \"unknown\" true ]\n");
    let o = nixie(&d, &["--eval", "-E", "\"${./special/fifo}\""]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("/special/fifo' has an unsupported type"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&d);
}

/// `nixPath`, `findFile`, `__findFile`/`__nixPath` overrides, `hashFile` and
/// `currentSystem` (outputs from nix-instantiate 2.8 on the same files).
#[test]
fn search_path_builtins_hash_file_and_system() {
    let d = scratch("findfile");
    let inc = d.join("inc");
    let inc = inc.to_str().unwrap();
    let ip = format!("foo={inc}/lib");
    let run = |e: &str| {
        let o = nixie(&d, &["-I", &ip, "-I", inc, "--eval", "--strict", "-E", e]);
        (stdout(&o), stderr(&o))
    };
    assert_eq!(
        run("builtins.nixPath").0,
        format!("[ {{ path = \"{inc}/lib\"; prefix = \"foo\"; }} {{ path = \"{inc}\"; prefix = \"\"; }} ]\n")
    );
    assert_eq!(
        run(r#"builtins.findFile [ { path = ./d; } { prefix = "x"; path = "%I"; } ] "x/lib/default.nix""#.replace("%I", inc).as_str()).0,
        format!("{inc}/lib/default.nix\n")
    );
    assert_eq!(
        run(r#"let __findFile = p: n: "${n}!"; in <abc>"#).0,
        "\"abc!\"\n"
    );
    assert_eq!(
        run(r#"let __nixPath = [ { prefix = "q"; path = ./inc; } ]; in (import <q/lib>).v"#).0,
        "42\n"
    );
    assert_eq!(
        run(r#"__findFile __nixPath "foo""#).0,
        format!("{inc}/lib\n")
    );
    assert!(run(r#"builtins.findFile [ { prefix = "x"; } ] "x""#)
        .1
        .contains("attribute 'path' missing"));
    assert_eq!(
        run(r#"builtins.tryEval (builtins.findFile [ ] "x")"#).0,
        "{ success = false; value = false; }\n"
    );
    assert_eq!(
        run(r#"builtins.hashFile "sha256" ./hello.txt"#).0,
        "\"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03\"\n"
    );
    assert!(run(r#"builtins.hashFile "sha3" ./hello.txt"#)
        .1
        .contains("unknown hash algorithm 'sha3'"));
    assert_eq!(run("builtins.currentSystem").0, "\"x86_64-linux\"\n");
    let _ = std::fs::remove_dir_all(&d);
}

/// Trace lines that builtins give errors, as current C++ Nix prints them.
#[test]
fn builtins_describe_errors_in_traces() {
    let d = scratch("traces");
    let cases: &[(&str, &str, &str)] = &[
        (
            "add-error-context message",
            r#"builtins.addErrorContext "doing ${"x"}" (throw "y")"#,
            "error:\n       … doing x\n",
        ),
        (
            "derivation attribute",
            r#"builtins.derivationStrict { name = "n"; builder = 1; system = {}; }"#,
            "… while evaluating attribute 'system' of derivation 'n'\n         at «string»:1:54:",
        ),
        (
            "derivation name position",
            r#"builtins.derivationStrict { name = "n"; builder = 1; system = {}; }"#,
            "… while evaluating derivation 'n'\n         whose name attribute is located at «string»:1:29\n",
        ),
        (
            "toJSON attribute path",
            r#"builtins.toJSON { a.b = [ 1 (throw "z") ]; }"#,
            "… while evaluating list element at index 1\n         at «string»:1:19:",
        ),
    ];
    for (name, expr, want) in cases {
        let o = nixie(&d, &["--eval", "--strict", "--show-trace", "-E", expr]);
        assert_eq!(o.status.code(), Some(1), "{name}");
        assert!(stderr(&o).contains(want), "{name}: {}", stderr(&o));
    }
    let o = nixie(
        &d,
        &[
            "--eval",
            "-E",
            r#"builtins.unsafeGetAttrPos "a" (builtins.mapAttrs (n: v: v) { a = 1; })"#,
        ],
    );
    assert_eq!(stdout(&o), "null\n", "{}", stderr(&o));
}

/// A misspelt `-A` path suggests near names, as `nix-instantiate` does.
#[test]
fn attribute_paths_suggest_near_names() {
    let d = scratch("attr-path-suggestions");
    std::fs::write(d.join("a.nix"), "{ hello = 1; world = 2; }").unwrap();
    let o = nixie(&d, &["--eval", "a.nix", "-A", "helo"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: attribute 'helo' in selection path 'helo' not found\n       Did you mean hello?\n"
    );
}

/// An explicit `--max-call-depth N` lets calls nest N + 1 deep and refuses the next,
/// counting lambdas, builtins and partial applications as C++ Nix's `callFunction`
/// does (0 allows one call and nothing inside it).
#[test]
fn max_call_depth_is_exact() {
    let d = scratch("max-call-depth");
    let count = "let f = x: if x == 0 then 0 else f (x - 1); in f";
    let cases: &[(&str, &str, &str, Option<&str>)] = &[
        ("zero allows one call", "0", "(x: x) 1", Some("1")),
        (
            "zero refuses a call inside it",
            "0",
            "(x: (y: y) x) 1",
            None,
        ),
        (
            "zero refuses a builtin inside it",
            "0",
            "(x: builtins.add x 1) 1",
            None,
        ),
        (
            "zero allows a top-level builtin",
            "0",
            "builtins.add 1 2",
            Some("3"),
        ),
        (
            "one allows a call inside",
            "1",
            "(x: (y: y) x) 1",
            Some("1"),
        ),
        (
            "a hundred nest 101 deep",
            "100",
            &format!("{count} 100"),
            Some("0"),
        ),
        ("not 102", "100", &format!("{count} 101"), None),
    ];
    for (name, n, expr, want) in cases {
        let o = nixie(&d, &["--eval", "--max-call-depth", n, "-E", expr]);
        match want {
            Some(v) => assert_eq!(stdout(&o), format!("{v}\n"), "{name}: {}", stderr(&o)),
            None => {
                assert_eq!(o.status.code(), Some(1), "{name}");
                assert!(
                    stderr(&o).starts_with("error: stack overflow; max-call-depth exceeded"),
                    "{name}: {}",
                    stderr(&o)
                );
            }
        }
    }
    // The corpus's eval-fail-infinite-recursion-lambda, whose expectation C++ Nix's
    // test suite records with show-trace set in its nix.conf.
    std::fs::write(d.join("omega.nix"), "(x: x x) (x: x x)\n").unwrap();
    let o = nixie(
        &d,
        &["--show-trace", "--max-call-depth", "100", "omega.nix"],
    );
    let err = stderr(&o);
    assert!(
        err.contains("\n       (197 duplicate frames omitted)\n"),
        "{err}"
    );
    assert!(
        err.contains("\n       error: stack overflow; max-call-depth exceeded\n       at ")
            && err.ends_with("omega.nix:1:14:\n            1| (x: x x) (x: x x)\n             |              ^\n            2|\n"),
        "{err}"
    );
}

/// `NIX_SHOW_STATS` prints C++ Nix's statistics object after the result; the counts
/// of calls, builtin calls, `++`, list elements and `//` equal nix-instantiate's for
/// the same expression. `NIX_SHOW_STATS_PATH` writes it to a file instead.
#[test]
fn show_stats_counts_as_nix_does() {
    let d = scratch("show-stats");
    let expr = "let f = x: x + 1; l = [ 1 2 ] ++ [ 3 ]; in builtins.length l + f 1 + f 2 + ({ a = 1; } // { b = 2; }).a";
    let o = Command::new(env!("CARGO_BIN_EXE_nixie"))
        .current_dir(&d)
        .env("NIX_SHOW_STATS", "1")
        .args(["--eval", "-E", expr])
        .output()
        .expect("running nixie");
    assert_eq!(stdout(&o), "9\n");
    let err = stderr(&o);
    assert!(err.starts_with("{\n  \"cpuTime\": "), "{err}");
    for line in [
        "  \"nrFunctionCalls\": 2,",
        "  \"nrPrimOpCalls\": 1,",
        "  \"nrOpUpdates\": 1,",
        "  \"list\": {\n    \"bytes\": 96,\n    \"concats\": 1,\n    \"elements\": 6\n  },",
    ] {
        assert!(err.contains(line), "missing {line:?} in\n{err}");
    }
    let path = d.join("stats.json");
    let o = Command::new(env!("CARGO_BIN_EXE_nixie"))
        .current_dir(&d)
        .env("NIX_SHOW_STATS", "1")
        .env("NIX_SHOW_STATS_PATH", &path)
        .args(["--eval", "-E", expr])
        .output()
        .expect("running nixie");
    assert_eq!((stdout(&o), stderr(&o)), ("9\n".to_string(), String::new()));
    let written = std::fs::read_to_string(&path).expect("statistics written");
    assert!(written.contains("  \"nrFunctionCalls\": 2,"), "{written}");
    let o = Command::new(env!("CARGO_BIN_EXE_nixie"))
        .current_dir(&d)
        .env("NIX_SHOW_STATS", "0")
        .args(["--eval", "-E", "1"])
        .output()
        .expect("running nixie");
    assert_eq!(stderr(&o), "", "NIX_SHOW_STATS=0 asks for nothing");
}

/// `--dump-bytecode` listings of representative programs, pinned as golden files
/// (`tests/bytecode/NAME.nix` → `NAME.txt`), so that a compiler change shows up as a
/// diff. `NIXIE_BLESS=1` rewrites the goldens.
macro_rules! bytecode_goldens {
    ($($name:ident),*) => {$(
        #[test]
        fn $name() {
            bytecode_golden(stringify!($name));
        }
    )*};
}

mod bytecode {
    use super::*;

    pub(super) fn bytecode_golden(name: &str) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bytecode");
        let src = std::fs::read_to_string(dir.join(format!("{name}.nix"))).expect("source");
        // Run from `/` so that path literals list the same on every machine.
        let o = nixie(Path::new("/"), &["--dump-bytecode", "-E", &src]);
        assert!(o.status.success(), "{}", stderr(&o));
        let listing = stdout(&o);
        let golden = dir.join(format!("{name}.txt"));
        if std::env::var_os("NIXIE_BLESS").is_some() {
            std::fs::write(&golden, &listing).expect("writing the golden listing");
            return;
        }
        let expected = std::fs::read_to_string(&golden).expect("golden listing");
        assert_eq!(listing, expected, "bytecode of {name}.nix changed");
    }

    bytecode_goldens!(fib, sets, functions, strings, with);
}

#[test]
fn an_import_through_a_symlink_shares_the_target_s_value() {
    // tvix's eval-okay-observable-eval-cache, whose symlink the corpus copy lost.
    let d = scratch("import-symlink");
    std::fs::write(d.join("one.nix"), "let id = x: x; in { inherit id; }").unwrap();
    std::fs::write(d.join("three.nix"), "let id = x: x; in { inherit id; }").unwrap();
    std::os::unix::fs::symlink("one.nix", d.join("two.nix")).unwrap();
    std::os::unix::fs::symlink("two.nix", d.join("link-to-link.nix")).unwrap();
    let o = nixie(
        &d,
        &[
            "--eval",
            "--strict",
            "-E",
            "[ (import ./one.nix == import ./two.nix) (import ./one.nix == import ./link-to-link.nix) (import ./one.nix == import ./three.nix) ]",
        ],
    );
    assert_eq!(stdout(&o), "[ true true false ]\n", "{}", stderr(&o));
    std::os::unix::fs::symlink("loop.nix", d.join("loop.nix")).unwrap();
    let o = nixie(&d, &["--eval", "-E", "import ./loop.nix"]);
    assert!(
        stderr(&o).contains("too many symbolic links encountered while traversing the path"),
        "{}",
        stderr(&o)
    );
}
