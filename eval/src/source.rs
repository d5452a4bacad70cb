//! Source files known to an evaluation, and spans into them.

use std::path::PathBuf;
use std::rc::Rc;

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Index of the file in the [`SourceMap`].
    pub file: u32,
    /// Byte offset of the first character.
    pub start: u32,
    /// Byte offset one past the last character.
    pub end: u32,
}

/// One source file: its name as shown in messages, its directory and text.
pub struct SourceFile {
    /// Name in messages: a path, or `«string»`/`«stdin»`.
    pub name: String,
    /// Directory that relative paths in this file resolve against.
    pub dir: PathBuf,
    /// The file's path, if it is a real file.
    pub path: Option<PathBuf>,
    /// The source text.
    pub text: Rc<str>,
    line_starts: Vec<u32>,
}

/// All sources an evaluation has read, addressed by index.
#[derive(Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// Register a source and return its index.
    /// Line ends are normalised first, as C++ Nix's lexer reads them: a carriage
    /// return and newline, or a lone carriage return, is a newline, in strings
    /// too (an escaped `\r` stays). Compile the registered text
    /// ([`SourceFile::text`]), which positions refer to.
    pub fn add(&mut self, name: String, dir: PathBuf, path: Option<PathBuf>, text: Rc<str>) -> u32 {
        let text = match text.contains('\r') {
            true => Rc::from(text.replace("\r\n", "\n").replace('\r', "\n")),
            false => text,
        };
        // A newline, a carriage return and newline, or a lone carriage return ends a line.
        let mut line_starts = vec![0u32];
        let bytes = text.as_bytes();
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                line_starts.push(i as u32 + 1);
            }
        }
        self.files.push(SourceFile {
            name,
            dir,
            path,
            text,
            line_starts,
        });
        (self.files.len() - 1) as u32
    }

    /// The file with the given index.
    pub fn file(&self, id: u32) -> &SourceFile {
        &self.files[id as usize]
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, span: Span) -> (usize, usize) {
        let f = self.file(span.file);
        let line = match f.line_starts.binary_search(&span.start) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = f.line_starts[line] as usize;
        let upto = (span.start as usize).min(f.text.len());
        let col = f
            .text
            .get(start..upto)
            .map(|s| s.chars().count())
            .unwrap_or(upto - start);
        (line + 1, col + 1)
    }

    /// How many lines a file has (text after the last newline, even empty, is a line).
    pub fn line_count(&self, file: u32) -> usize {
        self.file(file).line_starts.len()
    }

    /// The text of a 1-based line, without its newline.
    pub fn line_text(&self, file: u32, line: usize) -> &str {
        let f = self.file(file);
        let start = f.line_starts[line - 1] as usize;
        let end = f
            .line_starts
            .get(line)
            .map(|e| *e as usize - 1)
            .unwrap_or(f.text.len());
        let line = f.text.get(start..end.max(start)).unwrap_or("");
        line.strip_suffix('\r').unwrap_or(line)
    }

    /// The source text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        let f = self.file(span.file);
        f.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }
}

/// First code point used to carry a byte that is not valid UTF-8 through the parser.
const RAW_BYTE_BASE: u32 = 0x10FF00;

/// Append valid UTF-8 to decoded source: as is, except that the characters which
/// carry raw bytes (U+10FF00 and up) are themselves carried as their four bytes,
/// so that [`raw_bytes`] gives them back unchanged.
fn push_valid(out: &mut String, s: &str) {
    if !s.chars().any(|c| (c as u32) >= RAW_BYTE_BASE) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        if (c as u32) < RAW_BYTE_BASE {
            out.push(c);
            continue;
        }
        let mut buf = [0u8; 4];
        for b in c.encode_utf8(&mut buf).bytes() {
            out.push(raw_byte_char(b));
        }
    }
}

/// The private-use character that carries byte `b`.
fn raw_byte_char(b: u8) -> char {
    char::from_u32(RAW_BYTE_BASE + u32::from(b)).expect("U+10FF00..U+10FFFF are characters")
}

/// Decode source bytes for the parser: valid UTF-8 as is, each invalid byte as a
/// private-use character that [`raw_bytes`] turns back into the byte, so string
/// literals keep the file's exact bytes.
pub fn decode_source(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                push_valid(&mut out, s);
                return out;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                push_valid(
                    &mut out,
                    std::str::from_utf8(good).expect("valid up to this point"),
                );
                let n = e.error_len().unwrap_or(bad.len()).max(1);
                for b in &bad[..n] {
                    out.push(raw_byte_char(*b));
                }
                rest = &bad[n..];
            }
        }
    }
}

/// [`decode_source`] into the shared text a [`SourceMap`] keeps, copied once
/// when the bytes are plain UTF-8 (a large file is not held three times over).
pub fn decode_source_shared(bytes: Vec<u8>) -> Rc<str> {
    match std::str::from_utf8(&bytes) {
        // The characters standing for raw bytes are encoded with a 0xF4 lead byte.
        Ok(s)
            if memchr::memchr(0xF4, s.as_bytes()).is_none()
                || !s.chars().any(|c| (c as u32) >= RAW_BYTE_BASE) =>
        {
            Rc::from(s)
        }
        _ => Rc::from(decode_source(&bytes)),
    }
}

/// The bytes a piece of decoded source text stands for (see [`decode_source`]).
pub fn raw_bytes(s: &str) -> std::borrow::Cow<'_, [u8]> {
    if !s.chars().any(|c| (c as u32) >= RAW_BYTE_BASE) {
        return std::borrow::Cow::Borrowed(s.as_bytes());
    }
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        let u = c as u32;
        if (RAW_BYTE_BASE..RAW_BYTE_BASE + 256).contains(&u) {
            out.push((u - RAW_BYTE_BASE) as u8);
        } else {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_bytes_survive_the_round_trip() {
        let bytes = b"\"a\xffb\xc3\xa9\"";
        let text = decode_source(bytes);
        assert_eq!(raw_bytes(&text).as_ref(), bytes);
        assert_eq!(decode_source("plain é".as_bytes()), "plain é");
    }

    #[test]
    fn characters_in_the_carrying_range_survive_the_round_trip() {
        // U+10FFD0 is a character of its own (found by fuzzing: it came back as 0xD0).
        for bytes in ["\"\u{10FFD0}erry\"".as_bytes(), b"\"\xff\xf4\x8f\xbf\x90\""] {
            assert_eq!(raw_bytes(&decode_source(bytes)).as_ref(), bytes);
        }
    }
}
