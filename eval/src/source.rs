//! Source files known to an evaluation, and spans into them.

use std::path::PathBuf;
use std::rc::Rc;

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
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
    pub fn add(&mut self, name: String, dir: PathBuf, path: Option<PathBuf>, text: Rc<str>) -> u32 {
        let mut line_starts = vec![0u32];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
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

    /// The text of a 1-based line, without its newline.
    pub fn line_text(&self, file: u32, line: usize) -> &str {
        let f = self.file(file);
        let start = f.line_starts[line - 1] as usize;
        let end = f
            .line_starts
            .get(line)
            .map(|e| *e as usize - 1)
            .unwrap_or(f.text.len());
        f.text.get(start..end.max(start)).unwrap_or("")
    }

    /// The source text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        let f = self.file(span.file);
        f.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }
}
