//! Sources with bytes that are not UTF-8: strings and attribute names keep those
//! bytes, as in C++ Nix (each expectation checked against nix-instantiate).

use nixie_eval::Evaluation;
use std::path::Path;

/// What evaluating `src` (decoded as a file's bytes are) completely prints.
fn printed(src: &[u8]) -> Vec<u8> {
    let mut e = Evaluation::builder()
        .build()
        .expect("no packs, no collisions");
    let text = nixie_eval::source::decode_source(src);
    let v = e
        .eval_source("«test»", &text, Path::new("/"))
        .expect("the source evaluates");
    let v = e.deep_force(v).expect("the value forces");
    e.print(&v).expect("the value prints")
}

macro_rules! cases {
    ($($name:ident: $src:expr => $want:expr;)*) => {$(
        #[test]
        fn $name() {
            assert_eq!(String::from_utf8_lossy(&printed($src)), String::from_utf8_lossy($want));
            assert_eq!(printed($src), $want.to_vec());
        }
    )*};
}

cases! {
    string_keeps_its_bytes: b"\"a\xacb\"" => b"\"a\xacb\"";
    attribute_name_keeps_its_bytes: b"{ \"\xac y\" = 1; }" => b"{ \"\xac y\" = 1; }";
    attribute_names_sort_by_their_bytes:
        b"{ \"\xc3\xa9\" = 1; \"\xac\" = 2; \"z\" = 3; }"
        => b"{ z = 3; \"\xac\" = 2; \"\xc3\xa9\" = 1; }";
    recursive_set_names_keep_their_bytes:
        b"rec { \"\xac\" = b; b = 1; }" => b"{ b = 1; \"\xac\" = 1; }";
    selection_finds_a_name_with_bytes: b"let s = { \"\xac\" = 2; }; in s.\"\xac\"" => b"2";
    has_attr_finds_a_name_with_bytes: b"{ \"\xac\" = 2; } ? \"\xac\"" => b"true";
}
