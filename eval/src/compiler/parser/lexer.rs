//! The lexer: Nix source as a stream of rnix's token kinds, each token a slice
//! of the source, in time linear in the source's length.
//!
//! It splits source exactly as rnix's tokenizer does (so the trees stay rnix's),
//! with two differences: `0.` not followed by a digit is the integer `0` and a
//! `.`, as Nix reads it; and deciding whether a word starts a path, a search path
//! or a URI looks at the run of path characters ahead once per run, not once per
//! token, so a chain like `a.a.a…` or `1+1+1…` does not take quadratic time.

use rnix::SyntaxKind as K;

/// A token: its kind and its text, a slice of the source.
pub(crate) type Token<'a> = (K, &'a str);

/// The tokens of `source`.
pub(crate) fn tokenize(source: &str) -> impl Iterator<Item = Token<'_>> {
    let mut lexer = Lexer {
        src: source,
        pos: 0,
        modes: Vec::new(),
        plain_run: Run::default(),
        search_run: Run::default(),
    };
    std::iter::from_fn(move || {
        let start = lexer.pos;
        let kind = lexer.token()?;
        Some((kind, &source[start..lexer.pos]))
    })
}

/// What the text at the lexer's position is part of, innermost last.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// Inside a string's body (`''…''` when `indented`).
    StringBody { indented: bool },
    /// At the quote that closes a string.
    StringClose,
    /// At the `${` that opens an interpolation in a string or a path.
    InterpolationOpen,
    /// Inside `${ … }`, with this many braces opened inside and not yet closed.
    Interpolation { braces: u32 },
    /// Inside a path of this kind, which may go on after an interpolation.
    Path(K),
}

/// What the word starting at a position may be, from the characters ahead.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Shape {
    Plain,
    AbsolutePath,
    RelativePath,
    HomePath,
    SearchPath,
    Uri,
}

/// A run of characters scanned once: `[from, to)`, and the last `_` in it.
#[derive(Clone, Copy, Default)]
struct Run {
    from: usize,
    to: usize,
    last_underscore: Option<usize>,
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    modes: Vec<Mode>,
    /// The last run of path characters other than `/` scanned.
    plain_run: Run,
    /// The last run of path characters, `/` and `<` scanned after a `<`.
    search_run: Run,
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '.' | '+' | '-')
}

fn is_uri_char(c: char) -> bool {
    is_path_char(c) || "%?:@&=$,!~*'".contains(c)
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '\'')
}

fn keyword(word: &str) -> K {
    match word {
        "assert" => K::TOKEN_ASSERT,
        "else" => K::TOKEN_ELSE,
        "if" => K::TOKEN_IF,
        "in" => K::TOKEN_IN,
        "inherit" => K::TOKEN_INHERIT,
        "let" => K::TOKEN_LET,
        "or" => K::TOKEN_OR,
        "rec" => K::TOKEN_REC,
        "then" => K::TOKEN_THEN,
        "with" => K::TOKEN_WITH,
        _ => K::TOKEN_IDENT,
    }
}

/// Two-character operators, tried before one-character ones.
const PAIRS: [(&str, K); 12] = [
    ("==", K::TOKEN_EQUAL),
    ("!=", K::TOKEN_NOT_EQUAL),
    ("++", K::TOKEN_CONCAT),
    ("->", K::TOKEN_IMPLICATION),
    ("//", K::TOKEN_UPDATE),
    ("<|", K::TOKEN_PIPE_LEFT),
    ("&&", K::TOKEN_AND_AND),
    ("|>", K::TOKEN_PIPE_RIGHT),
    ("||", K::TOKEN_OR_OR),
    ("<=", K::TOKEN_LESS_OR_EQ),
    (">=", K::TOKEN_MORE_OR_EQ),
    ("${", K::TOKEN_INTERPOL_START),
];

fn single(c: char) -> Option<K> {
    Some(match c {
        '!' => K::TOKEN_INVERT,
        '[' => K::TOKEN_L_BRACK,
        ']' => K::TOKEN_R_BRACK,
        '@' => K::TOKEN_AT,
        ':' => K::TOKEN_COLON,
        ',' => K::TOKEN_COMMA,
        '.' => K::TOKEN_DOT,
        '=' => K::TOKEN_ASSIGN,
        '?' => K::TOKEN_QUESTION,
        ';' => K::TOKEN_SEMICOLON,
        '(' => K::TOKEN_L_PAREN,
        ')' => K::TOKEN_R_PAREN,
        '+' => K::TOKEN_ADD,
        '-' => K::TOKEN_SUB,
        '*' => K::TOKEN_MUL,
        '/' => K::TOKEN_DIV,
        '<' => K::TOKEN_LESS,
        '>' => K::TOKEN_MORE,
        _ => return None,
    })
}

/// The length in bytes of the longest prefix of `text` whose characters all
/// satisfy `keep`: ASCII a byte at a time (source is mostly ASCII), anything
/// else decoded.
fn span_of(text: &str, keep: impl Fn(char) -> bool) -> usize {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        if b >= 0x80 {
            let tail = &text[at..];
            return at + tail.find(|c| !keep(c)).unwrap_or(tail.len());
        }
        if !keep(char::from(b)) {
            break;
        }
        at += 1;
    }
    at
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek_second(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, prefix: &str) -> bool {
        let found = self.rest().starts_with(prefix);
        if found {
            self.pos += prefix.len();
        }
        found
    }

    /// Skip characters while `keep` holds; how many bytes were skipped.
    fn skip_while(&mut self, keep: impl Fn(char) -> bool) -> usize {
        let len = span_of(self.rest(), keep);
        self.pos += len;
        len
    }

    fn top(&self) -> Option<Mode> {
        self.modes.last().copied()
    }

    fn pop(&mut self) {
        self.modes.pop();
    }

    /// The next token's kind, after which `pos` is at its end; `None` at the end
    /// of the source.
    fn token(&mut self) -> Option<K> {
        let start = self.pos;
        loop {
            match self.top() {
                Some(Mode::InterpolationOpen) => {
                    self.pop();
                    return Some(self.open_interpolation());
                }
                Some(Mode::Path(kind)) => {
                    if self.rest().starts_with("${") {
                        return Some(self.open_interpolation());
                    }
                    if self.peek().is_some_and(is_path_char) {
                        return Some(self.path_fragment(start, kind));
                    }
                    self.pop();
                }
                Some(Mode::StringBody { indented }) => {
                    let kind = self.string_body(indented);
                    if self.pos > start {
                        return Some(kind);
                    }
                }
                Some(Mode::StringClose) => {
                    self.pop();
                    let closed = self.eat("\"") || self.eat("''");
                    if !closed && self.rest().starts_with('\'') {
                        self.bump();
                    }
                    return Some(if closed {
                        K::TOKEN_STRING_END
                    } else {
                        K::TOKEN_ERROR
                    });
                }
                Some(Mode::Interpolation { .. }) | None => return self.code(start),
            }
        }
    }

    fn open_interpolation(&mut self) -> K {
        let opened = self.eat("${");
        debug_assert!(opened, "an interpolation is opened only at `${{`");
        self.modes.push(Mode::Interpolation { braces: 0 });
        K::TOKEN_INTERPOL_START
    }

    /// A token of code (outside strings), starting at `start`.
    fn code(&mut self, start: usize) -> Option<K> {
        if self.skip_while(char::is_whitespace) > 0 {
            return Some(K::TOKEN_WHITESPACE);
        }
        if self.eat("#") {
            self.skip_while(|c| c != '\n');
            return Some(K::TOKEN_COMMENT);
        }
        if self.eat("/*") {
            return Some(match self.rest().find("*/") {
                Some(end) => {
                    self.pos += end + 2;
                    K::TOKEN_COMMENT
                }
                None => {
                    self.pos = self.src.len();
                    K::TOKEN_ERROR
                }
            });
        }
        if self.eat("...") {
            return Some(K::TOKEN_ELLIPSIS);
        }
        let shape = self.shape();
        let first = self.bump()?;
        if first == '/' && self.eat("/") {
            return Some(K::TOKEN_UPDATE);
        }
        let path_kind = match (first, shape) {
            ('~', _) => Some(K::TOKEN_PATH_HOME),
            ('/', _) if self.peek().is_some_and(is_path_char) => Some(K::TOKEN_PATH_ABS),
            (_, Shape::AbsolutePath) => Some(K::TOKEN_PATH_ABS),
            (_, Shape::RelativePath) => Some(K::TOKEN_PATH_REL),
            _ => None,
        };
        if let Some(kind) = path_kind {
            return Some(self.path_start(start, kind));
        }
        Some(self.after_first(first, shape))
    }

    /// The token that starts with `first` (already taken), not a path.
    fn after_first(&mut self, first: char, shape: Shape) -> K {
        match first {
            '{' => {
                if let Some(Mode::Interpolation { braces }) = self.modes.last_mut() {
                    *braces += 1;
                }
                return K::TOKEN_L_BRACE;
            }
            '}' => return self.close_brace(),
            '<' if shape == Shape::SearchPath && !self.rest().starts_with('|') => {
                return self.search_path();
            }
            '.' if self.peek().is_some_and(|c| c.is_ascii_digit()) => {
                self.skip_while(|c| c.is_ascii_digit());
                return self.exponent();
            }
            'a'..='z' | 'A'..='Z' | '_' => return self.word(first, shape),
            '"' => {
                self.modes.push(Mode::StringBody { indented: false });
                return K::TOKEN_STRING_START;
            }
            '\'' if self.eat("'") => {
                self.modes.push(Mode::StringBody { indented: true });
                return K::TOKEN_STRING_START;
            }
            '0'..='9' => return self.number(first),
            _ => {}
        }
        let second = self.peek();
        for (pair, kind) in PAIRS {
            let mut chars = pair.chars();
            if chars.next() == Some(first) && chars.next() == second {
                self.bump();
                if kind == K::TOKEN_INTERPOL_START {
                    self.modes.push(Mode::Interpolation { braces: 0 });
                }
                return kind;
            }
        }
        single(first).unwrap_or(K::TOKEN_ERROR)
    }

    fn close_brace(&mut self) -> K {
        if let Some(Mode::Interpolation { braces }) = self.modes.last_mut() {
            if *braces == 0 {
                self.pop();
                return K::TOKEN_INTERPOL_END;
            }
            *braces -= 1;
        }
        K::TOKEN_R_BRACE
    }

    /// A `<name>` search path, after its `<`.
    fn search_path(&mut self) -> K {
        if self.skip_while(is_path_char) == 0 {
            return K::TOKEN_LESS;
        }
        match self.bump() {
            Some('>') => K::TOKEN_PATH_SEARCH,
            _ => K::TOKEN_ERROR,
        }
    }

    /// An identifier, keyword or URI, after its first character.
    fn word(&mut self, first: char, shape: Shape) -> K {
        let start = self.pos - first.len_utf8();
        if shape == Shape::Uri {
            self.skip_while(|c| is_ident_char(c) || is_uri_char(c));
            return K::TOKEN_URI;
        }
        self.skip_while(is_ident_char);
        keyword(&self.src[start..self.pos])
    }

    /// An integer or float, after its first digit. A number that starts with 0
    /// is an integer unless a point follows the 0 at once, and then it is a float
    /// only with a digit after the point (Nix reads `0.` as 0 and a dot).
    fn number(&mut self, first: char) -> K {
        if first == '0' {
            let float = self.rest().starts_with('.')
                && self.peek_second().is_some_and(|c| c.is_ascii_digit());
            if !float {
                self.skip_while(|c| c.is_ascii_digit());
                return K::TOKEN_INTEGER;
            }
        }
        self.skip_while(|c| c.is_ascii_digit());
        if !self.eat(".") {
            return K::TOKEN_INTEGER;
        }
        self.skip_while(|c| c.is_ascii_digit());
        self.exponent()
    }

    /// A float's optional exponent, after its digits.
    fn exponent(&mut self) -> K {
        if self.eat("e") || self.eat("E") {
            let _sign = self.eat("-") || self.eat("+");
            if self.skip_while(|c| c.is_ascii_digit()) == 0 {
                return K::TOKEN_ERROR;
            }
        }
        K::TOKEN_FLOAT
    }

    /// A path token of `kind` whose first character (at `start`) is taken.
    fn path_start(&mut self, start: usize, kind: K) -> K {
        if kind == K::TOKEN_PATH_HOME && self.bump() != Some('/') {
            return K::TOKEN_ERROR;
        }
        self.modes.push(Mode::Path(kind));
        self.path_fragment(start, kind)
    }

    /// The rest of a path fragment that starts at `start`: up to its end or an
    /// interpolation. A fragment that ends in `/` or holds `//` is an error.
    fn path_fragment(&mut self, start: usize, kind: K) -> K {
        self.skip_while(is_path_char);
        if self.rest().starts_with("${") {
            self.modes.push(Mode::InterpolationOpen);
            return kind;
        }
        let text = &self.src[start..self.pos];
        if text.ends_with('/') || text.contains("//") {
            return K::TOKEN_ERROR;
        }
        self.pop();
        kind
    }

    /// A token of a string's body: text up to the closing quote or an
    /// interpolation, or an error at the end of the source.
    fn string_body(&mut self, indented: bool) -> K {
        loop {
            let before = self.pos;
            let Some(c) = self.bump() else {
                self.pop();
                return K::TOKEN_ERROR;
            };
            match c {
                '"' if !indented => {
                    self.pos = before;
                    return self.end_string_body();
                }
                // The guard takes the escaped character; only its absence stops.
                '\\' if !indented && self.bump().is_none() => return K::TOKEN_ERROR,
                '\'' if indented => match self.peek() {
                    None => return K::TOKEN_ERROR,
                    Some('\'') => {
                        self.bump();
                        match self.peek() {
                            Some('\'' | '$') => {
                                self.bump();
                            }
                            Some('\\') => {
                                self.bump();
                                if self.bump().is_none() {
                                    return K::TOKEN_ERROR;
                                }
                            }
                            _ => {
                                self.pos = before;
                                return self.end_string_body();
                            }
                        }
                    }
                    Some(_) => {}
                },
                '$' => match self.peek() {
                    Some('$') => {
                        self.bump();
                    }
                    Some('{') => {
                        self.pos = before;
                        self.modes.push(Mode::InterpolationOpen);
                        return K::TOKEN_STRING_CONTENT;
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    }

    fn end_string_body(&mut self) -> K {
        self.pop();
        self.modes.push(Mode::StringClose);
        K::TOKEN_STRING_CONTENT
    }

    /// What the word at `pos` may be, from the characters ahead of it.
    fn shape(&mut self) -> Shape {
        let rest = self.rest();
        if rest.starts_with('/') {
            let second_is_path = self.peek_second().is_some_and(is_path_char);
            return if rest.starts_with("//") || !(rest.starts_with("/${") || second_is_path) {
                Shape::Plain
            } else {
                Shape::AbsolutePath
            };
        }
        if rest.starts_with("~/") {
            return Shape::HomePath;
        }
        let search = rest.starts_with('<');
        let run = self.run_from(search);
        let mut after = self.src[run.to..].chars();
        let underscore = run.last_underscore.is_some_and(|at| at >= self.pos);
        match (after.next(), after.next()) {
            (Some('/'), Some('/' | '*')) => Shape::Plain,
            (Some('/'), Some(c)) if !c.is_whitespace() => Shape::RelativePath,
            (Some('>'), _) => Shape::SearchPath,
            (Some(':'), Some(c)) if is_uri_char(c) && !underscore => Shape::Uri,
            _ => Shape::Plain,
        }
    }

    /// The run of path characters from `pos` (with `/` and `<` after a `<`),
    /// scanned again only when `pos` has left the last run scanned.
    fn run_from(&mut self, search: bool) -> Run {
        let pos = self.pos;
        let cached = if search {
            self.search_run
        } else {
            self.plain_run
        };
        if cached.from <= pos && pos < cached.to {
            return cached;
        }
        let in_run = |c: char| match c {
            '/' | '<' => search,
            c => is_path_char(c),
        };
        let len = span_of(self.rest(), in_run);
        let run = Run {
            from: pos,
            to: pos + len,
            last_underscore: self.rest()[..len].rfind('_').map(|at| pos + at),
        };
        if search {
            self.search_run = run;
        } else {
            self.plain_run = run;
        }
        run
    }
}
