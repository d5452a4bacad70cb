//! The store, instantiation and purity from the command line. Expected outputs
//! are C++ Nix's (2.8 run here, with current Nix's wording where they differ:
//! "pure evaluation mode" for 2.8's "pure eval mode", the "unknown setting" warning).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nixie-store-cli-{name}-{}", std::process::id()));
    let _ = Command::new("chmod").arg("-R").arg("u+w").arg(&d).status();
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn nixie(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nixie"))
        .args(args)
        .current_dir(dir)
        .env_remove("NIX_PATH")
        .env_remove("NIX_REMOTE")
        .env_remove("NIX_STORE_DIR")
        .env("XDG_DATA_HOME", dir.join("data"))
        .output()
        .expect("the nixie binary runs")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The innermost `error: …` line of an output (after any trace frames), or its
/// first line when it has none.
fn headline(s: &str) -> String {
    s.lines()
        .map(str::trim_start)
        .rfind(|l| l.starts_with("error: "))
        .or_else(|| s.lines().next())
        .unwrap_or("")
        .to_string()
}

const DRVS: &str = r#"{
  a = derivation { name = "a"; system = "x"; builder = "/bin/sh"; };
  b = derivation { name = "b"; system = "x"; builder = "/bin/sh"; outputs = [ "dev" "out" ]; };
  n = { c = derivation { name = "c"; system = "x"; builder = "/bin/sh"; }; };
  r = { recurseForDerivations = true; d = derivation { name = "d"; system = "x"; builder = "/bin/sh"; }; };
  l = 1;
}"#;

#[test]
fn instantiation_writes_drv_files_and_prints_their_paths() {
    let d = scratch("inst");
    std::fs::write(d.join("d.nix"), DRVS).unwrap();
    let o = nixie(&d, &["--store", "./root", "d.nix"]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        out(&o),
        "/nix/store/l9ldjc53ry43x24hvq73jx7dx0489mhj-a.drv\n\
         /nix/store/m644wsiq7mjh9rsxm3yw1f0x8qfvjg00-b.drv!dev\n\
         /nix/store/wwk71dy0w17kn5spjd8hbsrk6520xs11-d.drv\n"
    );
    assert!(err(&o).contains("warning: you did not specify '--add-root'"));
    let drv = d.join("root/nix/store/l9ldjc53ry43x24hvq73jx7dx0489mhj-a.drv");
    assert_eq!(
        std::fs::read_to_string(drv).unwrap(),
        r#"Derive([("out","/nix/store/0pd4llb3k36fnppfxwp6nlwsxwlv0y2c-a","","")],[],[],"x","/bin/sh",[],[("builder","/bin/sh"),("name","a"),("out","/nix/store/0pd4llb3k36fnppfxwp6nlwsxwlv0y2c-a"),("system","x")])"#
    );
    assert!(d.join("root/nix/var/nix/db/db.sqlite").exists());
}

#[test]
fn add_root_makes_numbered_symlinks() {
    let d = scratch("roots");
    std::fs::write(d.join("d.nix"), DRVS).unwrap();
    let o = nixie(
        &d,
        &[
            "--store",
            "./root",
            "d.nix",
            "--add-root",
            "res",
            "--indirect",
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    let r = d.join("res").display().to_string();
    assert_eq!(out(&o), format!("{r}\n{r}-2!dev\n{r}-3\n"));
    assert_eq!(
        std::fs::read_link(d.join("res-2")).unwrap(),
        Path::new("/nix/store/m644wsiq7mjh9rsxm3yw1f0x8qfvjg00-b.drv")
    );
    assert!(!err(&o).contains("--add-root"));
}

#[test]
fn instantiating_a_non_derivation_is_an_error() {
    let d = scratch("nondrv");
    let o = nixie(&d, &["--store", "./root", "-E", "[ 1 ]"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains(
        "error: expression does not evaluate to a derivation (or a set or list of those)"
    ));
}

#[test]
fn eval_writes_nothing_unless_read_write() {
    let d = scratch("ro");
    let e = r#"builtins.toFile "a" "x""#;
    let o = nixie(&d, &["--store", "./root", "--eval", "-E", e]);
    assert_eq!(
        out(&o),
        "\"/nix/store/12wigjpizrn8axaqxj288q1b751qmwya-a\"\n"
    );
    assert!(!d.join("root").exists());
    let o = nixie(
        &d,
        &["--store", "./root", "--eval", "--read-write-mode", "-E", e],
    );
    assert!(o.status.success(), "{}", err(&o));
    let file = d.join("root/nix/store/12wigjpizrn8axaqxj288q1b751qmwya-a");
    assert_eq!(std::fs::read(file).unwrap(), b"x");
    // Written files can be read back at their logical path.
    let read = format!("builtins.readFile ({e})");
    let o = nixie(
        &d,
        &[
            "--store",
            "./root",
            "--eval",
            "--read-write-mode",
            "-E",
            &read,
        ],
    );
    assert_eq!(out(&o), "\"x\"\n", "{}", err(&o));
}

#[test]
fn readonly_mode_instantiates_without_writing() {
    let d = scratch("readonly");
    std::fs::write(d.join("d.nix"), DRVS).unwrap();
    let o = nixie(
        &d,
        &["--store", "./root", "--readonly-mode", "d.nix", "-A", "a"],
    );
    assert_eq!(
        out(&o),
        "/nix/store/l9ldjc53ry43x24hvq73jx7dx0489mhj-a.drv\n"
    );
    assert!(!d.join("root").exists());
}

#[test]
fn default_store_is_per_user() {
    let d = scratch("default");
    let o = nixie(
        &d,
        &[
            "-E",
            r#"derivation { name = "a"; system = "x"; builder = "/bin/sh"; }"#,
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    assert!(d
        .join("data/nixie/nix/store/l9ldjc53ry43x24hvq73jx7dx0489mhj-a.drv")
        .exists());
}

/// (flags, expression, expected stdout or stderr's first line)
const PURITY: &[(&str, &str, &str)] = &[
    ("--pure-eval", r#"builtins.getEnv "HOME""#, "\"\""),
    ("--restrict-eval", r#"builtins.getEnv "HOME""#, "\"\""),
    ("--pure-eval", "builtins ? currentTime", "false"),
    ("--pure-eval", "builtins ? currentSystem", "false"),
    ("--pure-eval --impure", "builtins ? currentTime", "true"),
    ("--pure-eval", "builtins.nixPath", "[ ]"),
    ("--pure-eval", "builtins.pathExists /etc/passwd", "false"),
    ("--pure-eval", "builtins.readFile /etc/passwd",
     "error: access to absolute path '/etc/passwd' is forbidden in pure evaluation mode (use '--impure' to override)"),
    ("--restrict-eval", "builtins.readFile /etc/passwd",
     "error: access to absolute path '/etc/passwd' is forbidden in restricted mode"),
    ("--option restrict-eval true", "builtins.readFile /etc/passwd",
     "error: access to absolute path '/etc/passwd' is forbidden in restricted mode"),
    ("--option pure-eval true", "builtins.storePath /nix/store/x",
     "error: 'builtins.storePath' is not allowed in pure evaluation mode"),
    ("--pure-eval", "<nixpkgs>",
     "error: cannot look up '<nixpkgs>' in pure evaluation mode (use '--impure' to override)"),
    ("--restrict-eval -I /etc", "builtins.stringLength (builtins.readFile /etc/passwd) > 0", "true"),
    ("--pure-eval", r#"builtins.readFile (builtins.toFile "a" "x")"#, "\"x\""),
    // A bad value given with --option is a warning (C++ Nix catches it), the
    // evaluation goes on.
    ("--option pure-eval maybe", "1", "1"),
    ("--pure-eval=x", "1", "error: unrecognised flag '--pure-eval=x'"),
];

#[test]
fn purity_modes_deny_as_nix_does() {
    let d = scratch("purity");
    for (flags, expr, want) in PURITY {
        let mut args: Vec<&str> = vec!["--eval", "--read-write-mode", "--store", "./root"];
        args.extend(flags.split(' '));
        args.extend(["-E", expr]);
        let o = nixie(&d, &args);
        let got = if o.status.success() { out(&o) } else { err(&o) };
        assert_eq!(headline(&got), *want, "{flags} {expr}");
    }
}

#[test]
fn unknown_settings_are_warned_about() {
    let d = scratch("unknown");
    let o = nixie(&d, &["--eval", "--option", "no-such-thing", "1", "-E", "1"]);
    assert_eq!(out(&o), "1\n");
    assert_eq!(err(&o), "warning: unknown setting 'no-such-thing'\n");
    let o = nixie(&d, &["--eval", "--option", "sandbox", "false", "-E", "1"]);
    assert_eq!(err(&o), "");
}

#[test]
fn read_file_of_a_store_path_carries_its_references() {
    // Current Nix: the references of the file's store path that occur in it
    // (2.8 gave no context here).
    let d = scratch("readctx");
    let e = r#"let a = builtins.toFile "a" "x"; b = builtins.toFile "b" "see ${a}";
      in builtins.attrNames (builtins.getContext (builtins.readFile b))"#;
    let o = nixie(
        &d,
        &[
            "--store",
            "./root",
            "--eval",
            "--read-write-mode",
            "--strict",
            "-E",
            e,
        ],
    );
    assert_eq!(
        out(&o),
        "[ \"/nix/store/12wigjpizrn8axaqxj288q1b751qmwya-a\" ]\n",
        "{}",
        err(&o)
    );
}

#[test]
fn corepkgs_fetchurl_is_built_in() {
    let d = scratch("corepkgs");
    let o = nixie(&d, &["--eval", "-E", "<nix/fetchurl.nix>"]);
    assert_eq!(out(&o), "/__corepkgs__/fetchurl.nix\n");
    let e = r#"(import <nix/fetchurl.nix> { url = "http://x/y.tar"; sha256 = "0000000000000000000000000000000000000000000000000000"; }).drvPath"#;
    let o = nixie(&d, &["--eval", "-E", e]);
    assert_eq!(
        out(&o),
        "\"/nix/store/cbvwdcvpv40xscnb8ndn4qjn5620bdix-y.tar.drv\"\n"
    );
}

#[test]
fn restricted_mode_checks_fetched_uris() {
    // As nix's tests/functional/restricted.sh.
    let d = scratch("uris");
    std::fs::write(d.join("f.txt"), "hi\n").unwrap();
    let dir = d.display().to_string();
    let e = format!("builtins.fetchurl \"file://{dir}/f.txt\"");
    let run = |extra: &[&str]| {
        let mut args = vec!["--eval", "--store", "./root", "--restrict-eval"];
        args.extend_from_slice(extra);
        args.extend(["-E", e.as_str()]);
        let o = nixie(&d, &args);
        if o.status.success() {
            out(&o)
        } else {
            headline(&err(&o))
        }
    };
    let forbidden =
        format!("error: access to absolute path '{dir}/f.txt' is forbidden in restricted mode");
    let fetched = "\"/nix/store/7m9jlj34ns6r66ablfz6dxbnsazck0sa-f.txt\"\n";
    assert_eq!(run(&[]), forbidden);
    let allowed = format!("file://{dir}");
    assert_eq!(run(&["--allowed-uris", &allowed]), fetched);
    let too_deep = format!("file://{dir}/f.txt/");
    assert_eq!(run(&["--allowed-uris", &too_deep]), forbidden);
    assert_eq!(run(&["-I", &dir]), fetched);
    let o = nixie(
        &d,
        &[
            "--eval",
            "--restrict-eval",
            "-E",
            "builtins.fetchTarball \"https://example.org/a.tar.gz\"",
        ],
    );
    assert_eq!(
        headline(&err(&o)),
        "error: access to URI 'https://example.org/a.tar.gz' is forbidden in restricted mode"
    );
}

#[test]
fn derivations_from_an_earlier_evaluation_are_read_back_from_the_store() {
    // A dependency on a `.drv` this process did not make (through appendContext)
    // is hashed from the file in the store: the result is what one evaluation
    // making both gives.
    let d = scratch("foreign");
    let a = r#"derivation { name = "a"; system = "x"; builder = "/bin/sh"; }"#;
    let o = nixie(&d, &["--store", "./root", "-E", a]);
    let drv = out(&o).trim().to_string();
    assert_eq!(drv, "/nix/store/l9ldjc53ry43x24hvq73jx7dx0489mhj-a.drv");
    let together = format!(
        r#"let a = {a}; in derivation {{ name = "b"; system = "x"; builder = "/bin/sh"; dep = a; deep = a.drvPath; }}"#
    );
    let apart = format!(
        r#"derivation {{ name = "b"; system = "x"; builder = "/bin/sh";
          dep = builtins.appendContext "/nix/store/0pd4llb3k36fnppfxwp6nlwsxwlv0y2c-a" {{ "{drv}" = {{ outputs = [ "out" ]; }}; }};
          deep = builtins.appendContext "{drv}" {{ "{drv}" = {{ allOutputs = true; }}; }}; }}"#
    );
    let one = nixie(
        &d,
        &["--store", "./root", "--readonly-mode", "-E", &together],
    );
    let two = nixie(&d, &["--store", "./root", "--readonly-mode", "-E", &apart]);
    assert_eq!(out(&two), out(&one), "{}", err(&two));
    assert_eq!(
        out(&one),
        "/nix/store/rjz9ypfqdqxkcylz9xx5lislj167kas9-b.drv\n"
    );
}

#[test]
fn builtins_path_follows_symlinks_but_interpolation_does_not() {
    // Current Nix resolves the path `builtins.path` copies (a link becomes its
    // target, under the link's name: C++ Nix 2.8 gives this path for
    // `builtins.path { path = ./hello.txt; name = "link"; }`); `"${./link}"`
    // copies the link itself (2.8's path).
    let d = scratch("symlinks");
    std::fs::write(d.join("hello.txt"), "hello world\n").unwrap();
    std::os::unix::fs::symlink("hello.txt", d.join("link")).unwrap();
    let o = nixie(
        &d,
        &[
            "--eval",
            "--strict",
            "-E",
            "[ (builtins.path { path = ./link; }) \"${./link}\" ]",
        ],
    );
    assert_eq!(
        out(&o),
        "[ \"/nix/store/yghqhc26ibls1wph2x6j5hs35bi9rygy-link\" \"/nix/store/xbr8y68bgwcs6lin3ncqvanhzg1x10bn-link\" ]\n",
        "{}",
        err(&o)
    );
}

#[test]
fn structured_attrs_warn_about_top_level_output_checks() {
    let d = scratch("checks");
    let e = r#"(derivation { name = "c"; system = "x"; builder = "/bin/sh"; __structuredAttrs = true; maxSize = 1; }).drvPath"#;
    let o = nixie(&d, &["--eval", "-E", e]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        err(&o),
        "warning: 'structuredAttrs' disables the effect of the derivation attribute 'maxSize'; use 'outputChecks.<output>.maxSize' instead\n"
    );
}

#[test]
fn store_paths_that_are_not_valid() {
    // C++ Nix 2.8 with an empty local store.
    let d = scratch("invalid");
    let first_line = |args: &[&str]| {
        let o = nixie(&d, args);
        if o.status.success() {
            out(&o)
        } else {
            headline(&err(&o))
        }
    };
    let import = r#"import "${builtins.toFile "b.nix" "2 + 1"}""#;
    assert_eq!(
        first_line(&["--eval", "--store", "./root", "-E", import]),
        "error: path '/nix/store/01b7habjscy24r0c0k74hlfrb5rzrhhg-b.nix' is not valid"
    );
    let sp = "builtins.storePath /nix/store/12wigjpizrn8axaqxj288q1b751qmwya-a";
    // Read-only evaluation takes the path as it is; otherwise it must be valid.
    assert_eq!(
        first_line(&["--eval", "--store", "./root", "-E", sp]),
        "\"/nix/store/12wigjpizrn8axaqxj288q1b751qmwya-a\"\n"
    );
    assert_eq!(
        first_line(&["--eval", "--read-write-mode", "--store", "./root", "-E", sp]),
        "error: path '/nix/store/12wigjpizrn8axaqxj288q1b751qmwya-a' is not valid"
    );
}

#[test]
fn restricted_mode_does_not_follow_symlinks_out() {
    // nix's restricted.sh: a link inside an allowed directory pointing out of it.
    let d = scratch("tunnel");
    std::fs::create_dir_all(d.join("tunnel.d")).unwrap();
    std::os::unix::fs::symlink("..", d.join("tunnel.d/tunnel")).unwrap();
    std::fs::write(d.join("bar"), "foo\n").unwrap();
    let allowed = d.join("tunnel.d").display().to_string();
    let e = format!("builtins.readFile {allowed}/tunnel/bar");
    let o = nixie(&d, &["--eval", "--restrict-eval", "-I", &allowed, "-E", &e]);
    assert!(!o.status.success());
    assert!(
        err(&o).contains("forbidden in restricted mode"),
        "{}",
        err(&o)
    );
    // Listing a parent of an allowed path shows only the way to it.
    let e = format!("builtins.attrNames (builtins.readDir {})", d.display());
    let o = nixie(
        &d,
        &[
            "--eval",
            "--strict",
            "--restrict-eval",
            "-I",
            &allowed,
            "-E",
            &e,
        ],
    );
    assert_eq!(out(&o), "[ \"tunnel.d\" ]\n", "{}", err(&o));
}
