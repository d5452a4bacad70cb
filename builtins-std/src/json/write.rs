//! Pieces of JSON output as current Nix writes them: numbers and escaped strings.

use nixie_eval::prelude::*;

/// Append a float the way current Nix's JSON output writes it: the shortest
/// digits that read back as the same number, in plain notation when the decimal
/// point falls within 15 digits (`1.0`, `0.001`, `123456789.5`), otherwise
/// scientific with a signed, at least two-digit exponent (`1e+20`, `1.5e-07`).
/// NaN and infinities have no JSON form and are written as `null`.
pub fn float(out: &mut Vec<u8>, f: f64) {
    if !f.is_finite() {
        out.extend_from_slice(b"null");
        return;
    }
    if f.is_sign_negative() {
        out.push(b'-');
    }
    let f = f.abs();
    if f == 0.0 {
        out.extend_from_slice(b"0.0");
        return;
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `d[.ddd]e<exp>`.
    let mut buf = StackBuf::default();
    let _ = std::fmt::Write::write_fmt(&mut buf, format_args!("{f:e}"));
    let sci = buf.as_bytes();
    let e_at = sci.iter().position(|&c| c == b'e').unwrap_or(sci.len());
    let exp: i32 = std::str::from_utf8(&sci[(e_at + 1).min(sci.len())..])
        .ok()
        .and_then(|e| e.parse().ok())
        .unwrap_or(0);
    let mut digits = [0u8; 40];
    let mut k = 0;
    for &c in &sci[..e_at] {
        if c.is_ascii_digit() && k < digits.len() {
            digits[k] = c;
            k += 1;
        }
    }
    let digits = &digits[..k];
    let k = digits.len() as i32;
    // The decimal point sits after `n` digits.
    let n = exp + 1;
    if k <= n && n <= 15 {
        out.extend_from_slice(digits);
        out.resize(out.len() + (n - k) as usize, b'0');
        out.extend_from_slice(b".0");
    } else if 0 < n && n <= 15 {
        out.extend_from_slice(&digits[..n as usize]);
        out.push(b'.');
        out.extend_from_slice(&digits[n as usize..]);
    } else if -4 < n && n <= 0 {
        out.extend_from_slice(b"0.");
        out.resize(out.len() + (-n) as usize, b'0');
        out.extend_from_slice(digits);
    } else {
        out.push(digits[0]);
        if k > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        let e = n - 1;
        out.push(b'e');
        out.push(if e < 0 { b'-' } else { b'+' });
        let e = e.unsigned_abs();
        if e < 10 {
            out.push(b'0');
        }
        out.extend_from_slice(e.to_string().as_bytes());
    }
}

/// Append an integer in decimal.
pub fn int(out: &mut Vec<u8>, i: i64) {
    let mut buf = [0u8; 20];
    let mut n = i.unsigned_abs();
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[at..]);
}

/// A small fixed buffer to format into without allocating.
struct StackBuf {
    buf: [u8; 64],
    len: usize,
}

impl Default for StackBuf {
    fn default() -> Self {
        StackBuf {
            buf: [0; 64],
            len: 0,
        }
    }
}

impl StackBuf {
    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl std::fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(std::fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The error for a string that is not valid UTF-8.
fn utf8_error(s: &[u8], e: std::str::Utf8Error) -> ErrorKind {
    let at = e.valid_up_to();
    let msg = match e.error_len() {
        None => format!(
            "incomplete UTF-8 string; last byte: 0x{:02X}",
            s.last().copied().unwrap_or(0)
        ),
        Some(len) => {
            // A byte that cannot start a sequence is itself the bad byte; otherwise
            // the sequence broke at the byte after its valid prefix.
            let bad = if matches!(s[at], 0x80..=0xC1 | 0xF5..=0xFF) {
                at
            } else {
                (at + len).min(s.len() - 1)
            };
            format!("invalid UTF-8 byte at index {bad}: 0x{:02X}", s[bad])
        }
    };
    ErrorKind::Other(format!(
        "JSON serialization error: [json.exception.type_error.316] {msg}"
    ))
}

/// Append `s` as a JSON string literal (UTF-8 kept as is; `"`, `\` and control
/// characters escaped). Fails on invalid UTF-8, as current Nix does.
pub fn string(out: &mut Vec<u8>, s: &[u8]) -> Result<(), ErrorKind> {
    if !s.is_ascii() {
        if let Err(e) = std::str::from_utf8(s) {
            return Err(utf8_error(s, e));
        }
    }
    out.reserve(s.len() + 2);
    out.push(b'"');
    let mut start = 0;
    for (i, &c) in s.iter().enumerate() {
        if !NEEDS_ESCAPE[c as usize] {
            continue;
        }
        out.extend_from_slice(&s[start..i]);
        start = i + 1;
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            8 => out.extend_from_slice(b"\\b"),
            12 => out.extend_from_slice(b"\\f"),
            c => {
                out.extend_from_slice(b"\\u00");
                out.extend_from_slice(nixie_eval::encoding::hex(&[c]).as_bytes());
            }
        }
    }
    out.extend_from_slice(&s[start..]);
    out.push(b'"');
    Ok(())
}

/// Bytes that JSON strings must escape: control characters, `"` and `\`.
static NEEDS_ESCAPE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64) -> String {
        let mut o = Vec::new();
        float(&mut o, x);
        String::from_utf8(o).unwrap()
    }

    #[test]
    fn floats() {
        for (x, s) in [
            (1.0, "1.0"),
            (1.44, "1.44"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1e20, "1e+20"),
            (1.5e-7, "1.5e-07"),
            (1e300, "1e+300"),
            (1234567.0, "1234567.0"),
            (1e14, "100000000000000.0"),
            (1e15, "1e+15"),
            (123456789.123, "123456789.123"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.0 / 3.0, "0.3333333333333333"),
            (6.626e-34, "6.626e-34"),
            (f64::NAN, "null"),
            (f64::INFINITY, "null"),
        ] {
            assert_eq!(f(x), s, "{x}");
        }
    }

    #[test]
    fn ints() {
        for i in [0, 7, -7, 1234567890, i64::MAX, i64::MIN] {
            let mut o = Vec::new();
            int(&mut o, i);
            assert_eq!(String::from_utf8(o).unwrap(), i.to_string());
        }
    }

    #[test]
    fn strings() {
        let mut o = Vec::new();
        string(
            &mut o,
            "a\"\\\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f}/é".as_bytes(),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(o).unwrap(),
            "\"a\\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u001f\u{7f}/é\""
        );
        let mut o = Vec::new();
        let e = string(&mut o, b"_invalid UTF-8: \xff_").unwrap_err();
        assert!(format!("{e:?}").contains("invalid UTF-8 byte at index 16: 0xFF"));
    }
}
