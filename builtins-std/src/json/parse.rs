//! The JSON parser behind `builtins.fromJSON`: a hand-written, iterative parser
//! (an explicit stack of open arrays and objects, so nesting depth never reaches
//! the Rust stack) that builds Nix values directly. Integers become ints, other
//! numbers floats, objects sets (the last of duplicate keys wins). Error messages
//! follow the wording current Nix reports for malformed JSON.

use nixie_eval::prelude::*;

/// Parse a JSON document into a Nix value.
pub fn parse(input: &[u8]) -> Result<Value, ErrorKind> {
    let mut p = Parser {
        s: input,
        pos: 0,
        utf8_ok: std::str::from_utf8(input).is_ok(),
        scratch: Vec::new(),
        keys: vec![None; KEY_CACHE],
    };
    if input.starts_with(b"\xEF\xBB\xBF") {
        p.pos = 3;
    }
    p.document()
}

enum Frame {
    List(Vec<Value>),
    Object(Vec<(NixString, Value)>, NixString),
}

/// A lexical error: its message and how many characters had been read (EOF counts
/// as one) when it was found.
struct LexError {
    msg: String,
    start: usize,
    end: usize,
}

/// What the parser expected where an error happened.
#[derive(Clone, Copy)]
enum Ctx {
    Value,
    End,
    Key,
    Separator,
    Array,
    Object,
}

impl Ctx {
    fn what(self) -> &'static str {
        match self {
            Ctx::Value | Ctx::End => "value",
            Ctx::Key => "object key",
            Ctx::Separator => "object separator",
            Ctx::Array => "array",
            Ctx::Object => "object",
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Ctx::Value => "'[', '{', or a literal",
            Ctx::End => "end of input",
            Ctx::Key => "string literal",
            Ctx::Separator => "':'",
            Ctx::Array => "']'",
            Ctx::Object => "'}'",
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    /// The whole input is valid UTF-8, so strings need no byte-level validation.
    utf8_ok: bool,
    scratch: Vec<u8>,
    /// Recently seen object keys (direct-mapped by a hash of their bytes), so the
    /// keys repeated across the objects of an array share one string.
    keys: Vec<Option<NixString>>,
}

const KEY_CACHE: usize = 512;

const CONTROL_NAMES: [&str; 32] = [
    "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR",
    "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC",
    "FS", "GS", "RS", "US",
];

/// A Nix string from parsed bytes; Nix strings cannot hold NUL.
fn nix_string(bytes: &[u8]) -> Result<NixString, ErrorKind> {
    if bytes.contains(&0) {
        return Err(null_byte_error(bytes));
    }
    Ok(NixString::from(bytes))
}

/// The error for a string with a NUL byte, which a Nix string cannot hold.
pub(super) fn null_byte_error(bytes: &[u8]) -> ErrorKind {
    let shown = String::from_utf8_lossy(bytes).replace('\0', "\u{2400}");
    ErrorKind::Other(format!(
        "input string '{shown}' cannot be represented as Nix string because it contains null bytes"
    ))
}

use nixie_eval::encoding::hex_digit as hex;

impl<'a> Parser<'a> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Line and column after `end` characters were read (reading EOF counts as one).
    fn position(&self, end: usize) -> (usize, usize) {
        let upto = end.min(self.s.len());
        let head = &self.s[..upto];
        let line = 1 + head.iter().filter(|&&c| c == b'\n').count();
        let col = match head.iter().rposition(|&c| c == b'\n') {
            Some(i) => upto - (i + 1),
            None => upto,
        };
        (line, col + (end - upto))
    }

    fn last_read(&self, start: usize, end: usize) -> String {
        let end = end.min(self.s.len());
        let mut out = String::new();
        for c in String::from_utf8_lossy(&self.s[start.min(end)..end]).chars() {
            if (c as u32) < 0x20 {
                out.push_str(&format!("<U+{:04X}>", c as u32));
            } else {
                out.push(c);
            }
        }
        out
    }

    fn syntax_error(&self, ctx: Ctx, end: usize, detail: String) -> ErrorKind {
        let (line, col) = self.position(end);
        ErrorKind::Other(format!(
            "[json.exception.parse_error.101] parse error at line {line}, column {col}: syntax error while parsing {} - {detail}",
            ctx.what()
        ))
    }

    fn lex_error(&self, ctx: Ctx, e: LexError) -> ErrorKind {
        let mut detail = format!("{}; last read: '{}'", e.msg, self.last_read(e.start, e.end));
        if !matches!(ctx, Ctx::Value) {
            detail.push_str("; expected ");
            detail.push_str(ctx.expected());
        }
        self.syntax_error(ctx, e.end, detail)
    }

    /// The error for whatever token is at the current position (after whitespace)
    /// when the parser wanted something else.
    fn unexpected(&mut self, ctx: Ctx) -> ErrorKind {
        self.skip_ws();
        let start = self.pos;
        let name = match self.peek() {
            None => {
                return self.syntax_error(
                    ctx,
                    start + 1,
                    format!("unexpected end of input; expected {}", ctx.expected()),
                )
            }
            Some(b'[') => "'['",
            Some(b']') => "']'",
            Some(b'{') => "'{'",
            Some(b'}') => "'}'",
            Some(b':') => "':'",
            Some(b',') => "','",
            Some(b'"') => match self.string() {
                Ok(_) => "string literal",
                Err(e) => return self.lex_error(ctx, e),
            },
            Some(b'-' | b'0'..=b'9') => match self.number_token() {
                Ok(_) => "number literal",
                Err(e) => return self.lex_error(ctx, e),
            },
            Some(b't' | b'f' | b'n') => match self.literal() {
                Ok(Value::Null) => "null literal",
                Ok(Value::Bool(true)) => "true literal",
                Ok(_) => "false literal",
                Err(e) => return self.lex_error(ctx, e),
            },
            Some(_) => {
                let e = self.invalid_literal(start, start + 1);
                return self.lex_error(ctx, e);
            }
        };
        let end = match self.s[start] {
            b'[' | b']' | b'{' | b'}' | b':' | b',' => start + 1,
            _ => self.pos,
        };
        self.syntax_error(
            ctx,
            end,
            format!("unexpected {name}; expected {}", ctx.expected()),
        )
    }

    fn invalid_literal(&self, start: usize, end: usize) -> LexError {
        LexError {
            msg: "invalid literal".into(),
            start,
            end,
        }
    }

    /// `true`, `false` or `null`.
    fn literal(&mut self) -> Result<Value, LexError> {
        let start = self.pos;
        let (word, v): (&[u8], Value) = match self.s[start] {
            b't' => (b"true", Value::Bool(true)),
            b'f' => (b"false", Value::Bool(false)),
            _ => (b"null", Value::Null),
        };
        for (i, &c) in word.iter().enumerate() {
            if self.s.get(start + i) != Some(&c) {
                return Err(self.invalid_literal(start, start + i + 1));
            }
        }
        self.pos = start + word.len();
        Ok(v)
    }

    /// Scan a number token; returns its end and whether it is an integer.
    fn number_token(&mut self) -> Result<(usize, bool), LexError> {
        let s = self.s;
        let start = self.pos;
        let mut i = start;
        let digit = |i: usize| s.get(i).is_some_and(u8::is_ascii_digit);
        let err = |msg: &str, i: usize| LexError {
            msg: format!("invalid number; {msg}"),
            start,
            end: i + 1,
        };
        if s.get(i) == Some(&b'-') {
            i += 1;
        }
        match s.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while digit(i) {
                    i += 1;
                }
            }
            _ => return Err(err("expected digit after '-'", i)),
        }
        let mut integer = true;
        if s.get(i) == Some(&b'.') {
            integer = false;
            i += 1;
            if !digit(i) {
                return Err(err("expected digit after '.'", i));
            }
            while digit(i) {
                i += 1;
            }
        }
        if let Some(b'e' | b'E') = s.get(i) {
            integer = false;
            i += 1;
            match s.get(i) {
                Some(b'+' | b'-') => {
                    i += 1;
                    if !digit(i) {
                        return Err(err("expected digit after exponent sign", i));
                    }
                }
                Some(b'0'..=b'9') => {}
                _ => return Err(err("expected '+', '-', or digit after exponent", i)),
            }
            while digit(i) {
                i += 1;
            }
        }
        self.pos = i;
        Ok((i, integer))
    }

    fn number(&mut self) -> Result<Value, ErrorKind> {
        let start = self.pos;
        let (end, integer) = self
            .number_token()
            .map_err(|e| self.lex_error(Ctx::Value, e))?;
        let text = &self.s[start..end];
        if integer {
            let (neg, digits) = match text.split_first() {
                Some((b'-', rest)) => (true, rest),
                _ => (false, text),
            };
            let mut acc: i64 = 0;
            let mut ok = true;
            for &d in digits {
                let d = (d - b'0') as i64;
                let next = acc.checked_mul(10).and_then(|a| {
                    if neg {
                        a.checked_sub(d)
                    } else {
                        a.checked_add(d)
                    }
                });
                match next {
                    Some(n) => acc = n,
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                return Ok(Value::Int(acc));
            }
            // Out of the signed range: C++ Nix's JSON library keeps numbers up to
            // 2^64 - 1 as unsigned integers, which Nix rejects; others become floats.
            let t = String::from_utf8_lossy(text);
            if !neg && t.parse::<u64>().is_ok() {
                return Err(ErrorKind::Other(format!(
                    "unsigned json number {t} outside of Nix integer range"
                )));
            }
        }
        // The token is ASCII by construction.
        let t = String::from_utf8_lossy(text);
        match t.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Float(f)),
            _ => Err(ErrorKind::Other(format!(
                "[json.exception.out_of_range.406] number overflow parsing '{t}'"
            ))),
        }
    }

    /// Length of a valid UTF-8 sequence starting at `i` (a byte >= 0x80), or the
    /// offset (from `i`) of the first ill-formed byte.
    fn utf8_len(&self, i: usize) -> Result<usize, usize> {
        let s = self.s;
        let c = s[i];
        let (n, lo, hi) = match c {
            0xC2..=0xDF => (2, 0x80, 0xBF),
            0xE0 => (3, 0xA0, 0xBF),
            0xE1..=0xEC | 0xEE..=0xEF => (3, 0x80, 0xBF),
            0xED => (3, 0x80, 0x9F),
            0xF0 => (4, 0x90, 0xBF),
            0xF1..=0xF3 => (4, 0x80, 0xBF),
            0xF4 => (4, 0x80, 0x8F),
            _ => return Err(0),
        };
        for k in 1..n {
            let (lo, hi) = if k == 1 { (lo, hi) } else { (0x80, 0xBF) };
            match s.get(i + k) {
                Some(&b) if (lo..=hi).contains(&b) => {}
                _ => return Err(k),
            }
        }
        Ok(n)
    }

    /// A string token starting at the opening quote. Returns the decoded bytes,
    /// borrowed from the input when there were no escapes.
    fn string(&mut self) -> Result<std::borrow::Cow<'a, [u8]>, LexError> {
        let s: &'a [u8] = self.s;
        let start = self.pos;
        let mut i = start + 1;
        let mut chunk = i;
        let mut owned = false;
        self.scratch.clear();
        loop {
            // Fast scan over ordinary bytes.
            while let Some(&c) = s.get(i) {
                if c == b'"' || c == b'\\' || c < 0x20 || (c >= 0x80 && !self.utf8_ok) {
                    break;
                }
                i += 1;
            }
            let Some(&c) = s.get(i) else {
                return Err(LexError {
                    msg: "invalid string: missing closing quote".into(),
                    start,
                    end: s.len() + 1,
                });
            };
            match c {
                b'"' => {
                    self.pos = i + 1;
                    if owned {
                        self.scratch.extend_from_slice(&s[chunk..i]);
                        return Ok(std::borrow::Cow::Owned(std::mem::take(&mut self.scratch)));
                    }
                    return Ok(std::borrow::Cow::Borrowed(&s[chunk..i]));
                }
                b'\\' => {
                    self.scratch.extend_from_slice(&s[chunk..i]);
                    owned = true;
                    let esc = s.get(i + 1).copied();
                    i += 2;
                    let simple = match esc {
                        Some(b'"') => b'"',
                        Some(b'\\') => b'\\',
                        Some(b'/') => b'/',
                        Some(b'b') => 8,
                        Some(b'f') => 12,
                        Some(b'n') => b'\n',
                        Some(b'r') => b'\r',
                        Some(b't') => b'\t',
                        Some(b'u') => {
                            let cp = self.unicode_escape(start, &mut i)?;
                            let ch = char::from_u32(cp).unwrap_or('\u{FFFD}');
                            let mut buf = [0u8; 4];
                            self.scratch
                                .extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                            chunk = i;
                            continue;
                        }
                        None => {
                            return Err(LexError {
                                msg: "invalid string: missing closing quote".into(),
                                start,
                                end: s.len() + 1,
                            })
                        }
                        Some(_) => {
                            return Err(LexError {
                                msg: "invalid string: forbidden character after backslash".into(),
                                start,
                                end: i,
                            })
                        }
                    };
                    self.scratch.push(simple);
                    chunk = i;
                }
                c if c < 0x20 => {
                    let name = CONTROL_NAMES[c as usize];
                    let short = match c {
                        8 => " or \\b",
                        9 => " or \\t",
                        10 => " or \\n",
                        12 => " or \\f",
                        13 => " or \\r",
                        _ => "",
                    };
                    return Err(LexError {
                        msg: format!(
                            "invalid string: control character U+{:04X} ({name}) must be escaped to \\u{:04X}{short}",
                            c, c
                        ),
                        start,
                        end: i + 1,
                    });
                }
                _ => match self.utf8_len(i) {
                    Ok(n) => i += n,
                    Err(k) => {
                        return Err(LexError {
                            msg: "invalid string: ill-formed UTF-8 byte".into(),
                            start,
                            end: i + k + 1,
                        })
                    }
                },
            }
        }
    }

    /// After `\u` (with `i` at the first hex digit): the code point, combining a
    /// surrogate pair.
    fn unicode_escape(&self, start: usize, i: &mut usize) -> Result<u32, LexError> {
        let s = self.s;
        let four = |i: &mut usize| -> Result<u32, LexError> {
            let mut v = 0;
            for _ in 0..4 {
                match s.get(*i).and_then(|&c| hex(c)) {
                    Some(d) => {
                        v = v * 16 + d;
                        *i += 1;
                    }
                    None => {
                        return Err(LexError {
                            msg: "invalid string: '\\u' must be followed by 4 hex digits".into(),
                            start,
                            end: (*i + 1).min(s.len() + 1),
                        })
                    }
                }
            }
            Ok(v)
        };
        let hi = four(i)?;
        match hi {
            0xD800..=0xDBFF => {
                let bad = |end: usize| {
                    LexError {
                    msg: "invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF"
                        .into(),
                    start,
                    end,
                }
                };
                if s.get(*i) != Some(&b'\\') {
                    return Err(bad(*i + 1));
                }
                if s.get(*i + 1) != Some(&b'u') {
                    return Err(bad(*i + 2));
                }
                *i += 2;
                let lo = four(i)?;
                if !(0xDC00..=0xDFFF).contains(&lo) {
                    return Err(bad(*i));
                }
                Ok(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
            }
            0xDC00..=0xDFFF => Err(LexError {
                msg: "invalid string: surrogate U+DC00..U+DFFF must follow U+D800..U+DBFF".into(),
                start,
                end: *i,
            }),
            cp => Ok(cp),
        }
    }

    /// `"key" :` of an object member.
    fn key(&mut self) -> Result<NixString, ErrorKind> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return Err(self.unexpected(Ctx::Key));
        }
        let k = self.string().map_err(|e| self.lex_error(Ctx::Key, e))?;
        let k = if k.len() <= 32 {
            let h = k.iter().fold(0x811c_9dc5u32, |h, &c| {
                (h ^ c as u32).wrapping_mul(0x0100_0193)
            });
            let slot = &mut self.keys[h as usize % KEY_CACHE];
            match slot {
                Some(s) if s.as_bytes() == &k[..] => s.clone(),
                _ => {
                    let s = nix_string(&k)?;
                    *slot = Some(s.clone());
                    s
                }
            }
        } else {
            nix_string(&k)?
        };
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.unexpected(Ctx::Separator));
        }
        self.pos += 1;
        Ok(k)
    }

    fn document(&mut self) -> Result<Value, ErrorKind> {
        let mut stack: Vec<Frame> = Vec::new();
        'value: loop {
            self.skip_ws();
            let mut v = match self.peek() {
                Some(b'[') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        Value::List(List::from(Vec::new()))
                    } else {
                        stack.push(Frame::List(Vec::new()));
                        continue 'value;
                    }
                }
                Some(b'{') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        Value::Attrs(Attrs::empty())
                    } else {
                        let k = self.key()?;
                        stack.push(Frame::Object(Vec::new(), k));
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    let s = self.string().map_err(|e| self.lex_error(Ctx::Value, e))?;
                    Value::String(nix_string(&s)?)
                }
                Some(b'-' | b'0'..=b'9') => self.number()?,
                Some(b't' | b'f' | b'n') => {
                    self.literal().map_err(|e| self.lex_error(Ctx::Value, e))?
                }
                _ => return Err(self.unexpected(Ctx::Value)),
            };
            // Hand the finished value to the innermost open container, closing
            // containers as long as they end here.
            loop {
                match stack.last_mut() {
                    None => {
                        self.skip_ws();
                        if self.pos < self.s.len() {
                            return Err(self.unexpected(Ctx::End));
                        }
                        return Ok(v);
                    }
                    Some(Frame::List(items)) => {
                        items.push(v);
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                continue 'value;
                            }
                            Some(b']') => {
                                self.pos += 1;
                                let Some(Frame::List(items)) = stack.pop() else {
                                    unreachable!("the top frame is a list")
                                };
                                v = Value::List(List::from(items));
                            }
                            _ => return Err(self.unexpected(Ctx::Array)),
                        }
                    }
                    Some(Frame::Object(items, key)) => {
                        let k = std::mem::replace(key, NixString::from(""));
                        items.push((k, v));
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                let k = self.key()?;
                                if let Some(Frame::Object(_, key)) = stack.last_mut() {
                                    *key = k;
                                }
                                continue 'value;
                            }
                            Some(b'}') => {
                                self.pos += 1;
                                let Some(Frame::Object(items, _)) = stack.pop() else {
                                    unreachable!("the top frame is an object")
                                };
                                v = Value::Attrs(Attrs::from_unsorted(items));
                            }
                            _ => return Err(self.unexpected(Ctx::Object)),
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> String {
        match parse(s.as_bytes()) {
            Err(ErrorKind::Other(m)) => m,
            Err(_) => "other error kind".into(),
            Ok(v) => format!("ok: {v:?}"),
        }
    }

    #[test]
    fn error_positions_and_wording() {
        for (src, msg) in [
            ("[1,]", "parse error at line 1, column 4: syntax error while parsing value - unexpected ']'; expected '[', '{', or a literal"),
            ("01", "column 2: syntax error while parsing value - unexpected number literal; expected end of input"),
            (" ", "column 2: syntax error while parsing value - unexpected end of input; expected '[', '{', or a literal"),
            ("", "column 1: syntax error while parsing value - unexpected end of input"),
            ("nul", "column 4: syntax error while parsing value - invalid literal; last read: 'nul'"),
            ("{1:2}", "column 2: syntax error while parsing object key - unexpected number literal; expected string literal"),
            ("{\"a\" 2}", "column 6: syntax error while parsing object separator - unexpected number literal; expected ':'"),
            ("{\"a\":2 \"b\"}", "column 10: syntax error while parsing object - unexpected string literal; expected '}'"),
            ("[1 2]", "column 4: syntax error while parsing array - unexpected number literal; expected ']'"),
            ("\"a\nb\"", "line 2, column 0: syntax error while parsing value - invalid string: control character U+000A (LF) must be escaped to \\u000A or \\n; last read: '\"a<U+000A>'"),
            ("\"\\x\"", "column 3: syntax error while parsing value - invalid string: forbidden character after backslash; last read: '\"\\x'"),
            ("\"abc", "column 5: syntax error while parsing value - invalid string: missing closing quote; last read: '\"abc'"),
            ("1.", "column 3: syntax error while parsing value - invalid number; expected digit after '.'; last read: '1.'"),
            ("-", "column 2: syntax error while parsing value - invalid number; expected digit after '-'; last read: '-'"),
            ("1e", "column 3: syntax error while parsing value - invalid number; expected '+', '-', or digit after exponent; last read: '1e'"),
            ("[1", "column 3: syntax error while parsing array - unexpected end of input; expected ']'"),
            ("\"\\u12G4\"", "column 6: syntax error while parsing value - invalid string: '\\u' must be followed by 4 hex digits; last read: '\"\\u12G'"),
            ("\"\\ude00\"", "column 7: syntax error while parsing value - invalid string: surrogate U+DC00..U+DFFF must follow U+D800..U+DBFF; last read: '\"\\ude00'"),
            ("\"\\ud83d\"", "column 8: syntax error while parsing value - invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF; last read: '\"\\ud83d\"'"),
            ("{\"a\":1,}", "column 8: syntax error while parsing object key - unexpected '}'; expected string literal"),
            ("1e400", "number overflow parsing '1e400'"),
            ("9223372036854775808", "unsigned json number 9223372036854775808 outside of Nix integer range"),
            ("{\"a\\u0000b\": 1}", "input string 'a\u{2400}b' cannot be represented as Nix string because it contains null bytes"),
        ] {
            let e = err(src);
            assert!(e.contains(msg), "{src:?}: {e}");
        }
    }

    #[test]
    fn values() {
        let show = |s: &str| format!("{:?}", parse(s.as_bytes()).ok().unwrap());
        assert_eq!(show("9223372036854775807"), "9223372036854775807");
        assert_eq!(show("-9223372036854775808"), "-9223372036854775808");
        assert_eq!(show("-9223372036854775809"), "-9.22337e+18");
        assert_eq!(show("18446744073709551616"), "1.84467e+19");
        assert_eq!(show("-0"), "0");
        assert_eq!(show("1E2"), "100");
        assert_eq!(show("\"\\ud83d\\ude00\\u00e9\""), "\"😀é\"");
        assert_eq!(
            show(" {\"b\":[1,{}],\"a\":null,\"b\":true} "),
            "{ a = null; b = true; }"
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let n = 100_000;
                let src = format!("{}{}", "[".repeat(n), "]".repeat(n));
                parse(src.as_bytes()).is_ok()
            })
            .unwrap();
        assert!(handle.join().unwrap());
    }
}
