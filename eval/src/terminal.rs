//! Text bound for a terminal, as C++ Nix writes it: messages are composed with
//! Nix's ANSI colours, then filtered for where they go. On a colour terminal only
//! colour sequences survive; elsewhere every escape sequence goes, user text's
//! included. Either way tabs become spaces and carriage returns and bells vanish.

/// Resets the colour.
pub(crate) const NORMAL: &str = "\x1b[0m";
/// Bold red: `error:` and the caret.
pub(crate) const RED: &str = "\x1b[31;1m";
/// Bold blue: `at`.
pub(crate) const BLUE: &str = "\x1b[34;1m";
/// Bold magenta: positions, `warning:`, folded frames.
pub(crate) const MAGENTA: &str = "\x1b[35;1m";

/// Whether standard error is a colour terminal, by C++ Nix's rule: a terminal,
/// `TERM` set and not `dumb`, and neither `NO_COLOR` nor `NOCOLOR` set.
pub fn stderr_has_colour() -> bool {
    use std::io::IsTerminal;
    let term_ok = std::env::var_os("TERM").is_some_and(|t| t != "dumb");
    std::io::stderr().is_terminal()
        && term_ok
        && std::env::var_os("NO_COLOR").is_none()
        && std::env::var_os("NOCOLOR").is_none()
}

/// `text` as written to a terminal with colour (`colour`) or to anything else:
/// escape sequences other than colours (all of them without `colour`) removed,
/// tabs expanded to the next multiple of eight columns counted from the start of
/// the text, carriage returns and bells dropped.
pub fn terminal_text(text: &str, colour: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut width = 0usize;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match c {
            '\x1b' => {
                let (sequence, is_colour) = escape_sequence(rest);
                if colour && is_colour {
                    out.push_str(sequence);
                }
                rest = &rest[sequence.len()..];
                continue;
            }
            '\t' => loop {
                width += 1;
                out.push(' ');
                if width & 7 == 0 {
                    break;
                }
            },
            '\r' | '\x07' => {}
            c => {
                width += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                out.push(c);
            }
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The escape sequence at the start of `s` (which starts with ESC), and whether it
/// sets a colour (a CSI sequence ending in `m`).
fn escape_sequence(s: &str) -> (&str, bool) {
    let b = s.as_bytes();
    let mut i = 1;
    let mut last = 0u8;
    match b.get(1) {
        Some(b'[') => {
            i = 2;
            while b.get(i).is_some_and(|c| (0x30..=0x3f).contains(c)) {
                i += 1;
            }
            while b.get(i).is_some_and(|c| (0x20..=0x2f).contains(c)) {
                i += 1;
            }
            if let Some(&c) = b.get(i).filter(|c| (0x40..=0x7e).contains(*c)) {
                last = c;
                i += 1;
            }
        }
        Some(b']') => {
            // An operating system command, ended by ESC \ or a bell.
            i = 2;
            while b.get(i).is_some_and(|&c| c != 0x1b && c != 0x07) {
                i += 1;
            }
            if let Some(&end) = b.get(i) {
                i += 1;
                if end == 0x1b && b.get(i) == Some(&b'\\') {
                    last = b'\\';
                    i += 1;
                }
            }
        }
        Some(c) if (0x40..=0x5f).contains(c) => i = 2,
        _ => {}
    }
    // Every byte consumed is ASCII or continues text up to a char boundary.
    while !s.is_char_boundary(i) {
        i += 1;
    }
    (&s[..i], last == b'm')
}

#[cfg(test)]
mod tests {
    use super::terminal_text;

    #[test]
    fn plain_text_loses_every_escape() {
        // As nix-instantiate 2.8 prints `throw` of this string to a pipe.
        assert_eq!(
            terminal_text("error: a\x1b[31mred\x07b\tc", false),
            "error: aredb    c"
        );
    }

    #[test]
    fn colour_keeps_only_colours() {
        assert_eq!(
            terminal_text("\x1b[31;1merror:\x1b[0m \x1b[2Jx\x1b]0;title\x07y", true),
            "\x1b[31;1merror:\x1b[0m xy"
        );
    }

    #[test]
    fn tabs_count_wide_characters_twice() {
        assert_eq!(terminal_text("日\tx", false), "日      x");
    }
}
