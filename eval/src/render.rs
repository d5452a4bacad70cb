//! Rendering errors and warnings exactly as C++ Nix lays them out: the label
//! (`error: `), trace frames outermost first (`… while …`, each with its position
//! and code lines), the message, its position with the line before, the line,
//! a caret and the line after; every line after the first indented under the
//! label, trailing blanks removed. Without `--show-trace` the trace is cut after a
//! few frames; runs of repeated frames are folded either way. The text carries
//! Nix's colours; [`crate::terminal::terminal_text`] keeps or removes them.

use crate::errors::{Error, TraceFrame};
use crate::source::{SourceMap, Span};
use crate::terminal::{BLUE, MAGENTA, NORMAL, RED};
use std::collections::HashSet;
use std::fmt::Write;

/// Frames counted (a frame with a position counts twice) before a trace is cut
/// without `--show-trace`.
const FRAMES_WITHOUT_SHOW_TRACE: usize = 3;

/// Repeated frames printed as they are before they are folded into one line.
const REPEATS_SHOWN: usize = 5;

/// `at FILE:LINE:COL:` and the code lines around it, each on its own line.
fn position(out: &mut String, sources: &SourceMap, sp: Span, indent: &str) {
    let (line, col) = sources.line_col(sp);
    let name = &sources.file(sp.file).name;
    let _ = write!(
        out,
        "{indent}{BLUE}at {MAGENTA}{name}:{line}:{col}{NORMAL}:"
    );
    let code = |n: usize| sources.line_text(sp.file, n);
    if line > 1 {
        let _ = write!(out, "\n {:>5}| {}", line - 1, code(line - 1));
    }
    let _ = write!(out, "\n {line:>5}| {}", code(line));
    let _ = write!(out, "\n      |{}{RED}^{NORMAL}", " ".repeat(col));
    if line < sources.line_count(sp.file) {
        let _ = write!(out, "\n {:>5}| {}", line + 1, code(line + 1));
    }
    out.push('\n');
}

/// One `… what` frame.
fn frame(out: &mut String, sources: &SourceMap, f: &TraceFrame, count: &mut usize) {
    *count += 1;
    if f.inline {
        let _ = write!(out, "\n… {}", f.what);
        if let Some(sp) = f.span {
            let (line, col) = sources.line_col(sp);
            let _ = write!(out, " {}:{line}:{col}", sources.file(sp.file).name);
        }
        out.push('\n');
        return;
    }
    let _ = write!(out, "\n… {}\n", f.what);
    if let Some(sp) = f.span {
        position(out, sources, sp, "  ");
        *count += 1;
    }
}

/// Frames skipped as repeats: printed as they are when few, else folded.
fn flush_repeats(
    out: &mut String,
    sources: &SourceMap,
    repeats: &mut Vec<&TraceFrame>,
    count: &mut usize,
) {
    if repeats.len() > REPEATS_SHOWN {
        // C++ Nix means to forget the frames seen here but does not (its set is a
        // copy), so neither does this.
        let n = repeats.len();
        let _ = write!(out, "\n{MAGENTA}({n} duplicate frames omitted){NORMAL}\n");
    } else {
        for f in repeats.iter() {
            frame(out, sources, f, count);
        }
    }
    repeats.clear();
}

/// The trace, outermost frame first.
fn trace(out: &mut String, sources: &SourceMap, frames: &[TraceFrame], show_trace: bool) {
    let mut seen = HashSet::new();
    let mut repeats = Vec::new();
    let mut count = 0;
    let mut truncated = false;
    for f in frames.iter().rev() {
        if f.what.is_empty() || (f.verbose && !show_trace) {
            continue;
        }
        if !show_trace && count > FRAMES_WITHOUT_SHOW_TRACE {
            truncated = true;
            if !f.always {
                continue;
            }
        }
        if !seen.insert((f.what.clone(), f.span)) {
            repeats.push(f);
            continue;
        }
        flush_repeats(out, sources, &mut repeats, &mut count);
        frame(out, sources, f, &mut count);
    }
    flush_repeats(out, sources, &mut repeats, &mut count);
    if truncated {
        let _ = write!(
            out,
            "\n{MAGENTA}(stack trace truncated; use '--show-trace' to show the full, detailed trace){NORMAL}\n",
        );
    }
}

/// Indent every line but the first under the label, removing trailing blanks.
fn indent(first: &str, rest: &str, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 64);
    for (i, line) in body.trim_end().split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let prefix = if i == 0 { first } else { rest };
        out.push_str(format!("{prefix}{line}").trim_end());
    }
    out.push('\n');
    out
}

/// An error (or a warning, with another label) as C++ Nix prints it, in colour.
pub(crate) fn render(e: &Error, sources: &SourceMap, show_trace: bool, label: &str) -> String {
    let colour = if label == "error" { RED } else { MAGENTA };
    let prefix = format!("{colour}{label}:{NORMAL} ");
    let margin = " ".repeat(label.len() + 2);
    let mut body = String::new();
    let frames = e.trace();
    if frames
        .iter()
        .any(|f| !f.what.is_empty() && (show_trace || !f.verbose))
    {
        trace(&mut body, sources, frames, show_trace);
        body.push('\n');
        body.push_str(&prefix);
    }
    body.push_str(&e.kind.message());
    body.push('\n');
    if let Some(sp) = e.span() {
        position(&mut body, sources, sp, "");
    }
    if let Some(h) = e.hint() {
        body.push_str(h);
        body.push('\n');
    }
    indent(&prefix, &margin, &body)
}
