//! Errors rendered for a colour terminal and for anything else, as C++ Nix
//! writes them (its `ANSI_*` colours; escapes in messages removed off a terminal).

use nixie_eval::{terminal_text, Evaluation};
use std::path::Path;

fn rendered(src: &str, coloured: bool) -> String {
    let mut e = Evaluation::builder()
        .build()
        .expect("no packs, no collisions");
    let err = e
        .eval_source("«test»", src, Path::new("/"))
        .expect_err("the source fails");
    if coloured {
        e.render_error_coloured(&err, false)
    } else {
        e.render_error(&err, false)
    }
}

#[test]
fn colour_marks_label_position_and_caret() {
    assert_eq!(
        rendered("assert false; 1", true),
        "\x1b[31;1merror:\x1b[0m assertion 'false' failed\n       \
         \x1b[34;1mat \x1b[35;1m«test»:1:1\x1b[0m:\n            \
         1| assert false; 1\n             | \x1b[31;1m^\x1b[0m\n"
    );
}

#[test]
fn plain_text_has_no_escapes() {
    assert_eq!(
        rendered("assert false; 1", false),
        "error: assertion 'false' failed\n       at «test»:1:1:\n            1| assert false; 1\n             | ^\n"
    );
}

#[test]
fn escapes_in_messages_are_kept_only_as_colours() {
    let src = "{ a = 1; }.\"\x1b[31mred\x1b[2J\x07\"";
    let plain = rendered(src, false);
    assert!(
        plain.ends_with("error: attribute 'red' missing\n"),
        "{plain:?}"
    );
    let coloured = rendered(src, true);
    assert!(
        coloured.ends_with("error:\x1b[0m attribute '\x1b[31mred' missing\n"),
        "{coloured:?}"
    );
}

#[test]
fn tabs_expand_from_the_start_of_the_text() {
    assert_eq!(terminal_text("error: a\tb", false), "error: a        b");
}
