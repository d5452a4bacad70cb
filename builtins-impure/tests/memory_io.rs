//! The impure packs against an in-memory file system ([`MemoryIo`]): every access
//! goes through the evaluation's IO, so a virtual tree gives the same answers (and
//! the same store paths) as the real one. Expectations are C++ Nix 2.8's on an
//! identical tree on disk.

use nixie_eval::io::MemoryIo;
use nixie_eval::Evaluation;
use std::path::Path;
use std::rc::Rc;

fn tree() -> MemoryIo {
    let mut io = MemoryIo::new();
    io.file("/src/a.txt", "hello\n")
        .executable("/src/run.sh", "#!/bin/sh\n")
        .symlink("/src/link", "a.txt")
        .file("/src/sub/b", "b")
        .symlink("/dangling", "/nowhere")
        .special("/fifo")
        .env("GREETING", "hi")
        .cwd("/src");
    io
}

fn eval(io: MemoryIo, src: &str) -> String {
    let b = nixie_builtins_std::register(Evaluation::builder());
    let mut e = nixie_builtins_impure::register(b)
        .io(Rc::new(io))
        .build()
        .expect("the packs register");
    let v = e.eval_source("«test»", src, Path::new("/src"));
    match v.and_then(|v| e.deep_force(v)) {
        Ok(v) => String::from_utf8_lossy(&nixie_eval::printer::print_value(&v, None)).into_owned(),
        Err(err) => format!("error: {err}"),
    }
}

/// One named test per case: `name: expression => C++ Nix's output on the same
/// tree on disk`.
macro_rules! cases {
    ($($name:ident: $src:expr => $want:expr;)*) => {
        $(
            #[test]
            fn $name() {
                assert_eq!(eval(tree(), $src), $want);
            }
        )*
    };
}

cases! {
    read_dir: "builtins.readDir ./." =>
        r#"{ "a.txt" = "regular"; link = "symlink"; "run.sh" = "regular"; sub = "directory"; }"#;
    read_file: "builtins.readFile ./a.txt" => r#""hello\n""#;
    read_file_through_link: "builtins.readFile ./link" => r#""hello\n""#;
    file_types: "map builtins.readFileType [ ./a.txt ./link ./sub /fifo ]" =>
        r#"[ "regular" "symlink" "directory" "unknown" ]"#;
    dangling_symlink_exists: "[ (builtins.pathExists /dangling) (builtins.pathExists /nowhere) ]" =>
        "[ true false ]";
    hash_file: r#"builtins.hashFile "sha256" ./a.txt"# =>
        r#""5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03""#;
    path_of_tree: r#"builtins.path { path = ./.; name = "src"; }"# =>
        r#""/nix/store/6n84fli6smk7b9fd17q1dws5f10axp04-src""#;
    interpolated_tree: r#""${/src}""# => r#""/nix/store/6n84fli6smk7b9fd17q1dws5f10axp04-src""#;
    filter_source: r#"builtins.filterSource (p: t: t != "symlink") ./."# =>
        r#""/nix/store/g13axp16if3mgqbhjjqinfd3zqdqmh5s-src""#;
    flat_path_drops_exec_bit: "builtins.path { path = ./run.sh; recursive = false; }" =>
        r#""/nix/store/l9q7h17lzzls4ip8b9w0lz73f36miw1w-run.sh""#;
    get_env: r#"[ (builtins.getEnv "GREETING") (builtins.getEnv "UNSET") ]"# => r#"[ "hi" "" ]"#;
    fifo_cannot_be_copied: r#""${/fifo}""# => "error: file '/fifo' has an unsupported type";
    path_exists_of_file_as_dir: r#"[ (builtins.pathExists "/src/a.txt/") (builtins.pathExists "/src/sub/.") ]"# =>
        "[ false true ]";
    relative_string_is_not_a_path: r#"builtins.readFile "a.txt""# =>
        "error: string 'a.txt' doesn't represent an absolute path";
    set_with_out_path_is_a_path: r#"builtins.readFile { outPath = "/src/a.txt"; }"# => r#""hello\n""#;
    missing_file: "builtins.readFile ./nope" =>
        "error: opening file '/src/nope': No such file or directory";
}
