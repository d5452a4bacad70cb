//! `builtins.fromTOML`: parse with the `toml` crate, then convert the document to
//! Nix values with an explicit work-list. The document is taken apart while it
//! is converted, so even its drop never recurses deeply.

use nixie_eval::prelude::*;
use toml::value::{Datetime, Offset};

fn toml_error(msg: impl std::fmt::Display) -> ErrorKind {
    ErrorKind::Other(format!("while parsing TOML: {msg}"))
}

fn nix_string(s: &str) -> Result<NixString, ErrorKind> {
    if s.as_bytes().contains(&0) {
        let e = super::parse::null_byte_error(s.as_bytes());
        return Err(toml_error(format!("error: {}", e.message())));
    }
    Ok(NixString::from(s))
}

/// A date-time as current Nix renders it in `{ _type = "timestamp"; value; }`:
/// `T` between date and time, fractional seconds in groups of three digits
/// (milli-, micro- or nanoseconds), `Z` for a zero offset.
fn format_datetime(dt: &Datetime) -> String {
    let mut s = String::new();
    if let Some(d) = &dt.date {
        s.push_str(&format!("{:04}-{:02}-{:02}", d.year, d.month, d.day));
    }
    if let Some(t) = &dt.time {
        if dt.date.is_some() {
            s.push('T');
        }
        s.push_str(&format!("{:02}:{:02}:{:02}", t.hour, t.minute, t.second));
        let ns = t.nanosecond;
        if ns != 0 {
            if ns % 1_000_000 == 0 {
                s.push_str(&format!(".{:03}", ns / 1_000_000));
            } else if ns % 1_000 == 0 {
                s.push_str(&format!(".{:06}", ns / 1_000));
            } else {
                s.push_str(&format!(".{ns:09}"));
            }
        }
    }
    match dt.offset {
        None => {}
        Some(Offset::Z) | Some(Offset::Custom { minutes: 0 }) => s.push('Z'),
        Some(Offset::Custom { minutes }) => {
            let sign = if minutes < 0 { '-' } else { '+' };
            let m = minutes.unsigned_abs();
            s.push_str(&format!("{sign}{:02}:{:02}", m / 60, m % 60));
        }
    }
    s
}

enum Frame {
    Array(std::vec::IntoIter<toml::Value>, Vec<Value>),
    Table(
        <toml::Table as IntoIterator>::IntoIter,
        Vec<(NixString, Value)>,
        NixString,
    ),
}

/// Parse a TOML document. `timestamps`: the `parse-toml-timestamps` experimental
/// feature (dates and times become `{ _type = "timestamp"; value = "…"; }`
/// instead of an error).
pub fn from_toml(src: &NixString, timestamps: bool) -> Result<Value, ErrorKind> {
    let text = src.as_str().ok_or_else(|| toml_error("invalid UTF-8"))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| toml_error(e.to_string().trim_end()))?;
    let mut stack: Vec<Frame> = Vec::new();
    let mut next = Some(toml::Value::Table(table));
    loop {
        // Convert the next item: a scalar is done at once, a container opens a frame.
        let mut done = match next.take() {
            Some(item) => match item {
                toml::Value::String(s) => Some(Value::String(nix_string(&s)?)),
                toml::Value::Integer(i) => Some(Value::Int(i)),
                toml::Value::Float(f) => Some(Value::Float(f)),
                toml::Value::Boolean(b) => Some(Value::Bool(b)),
                toml::Value::Datetime(dt) => {
                    if !timestamps {
                        return Err(toml_error("Dates and times are not supported"));
                    }
                    Some(Value::Attrs(Attrs::from_sorted(vec![
                        ("_type".into(), Value::string("timestamp")),
                        ("value".into(), Value::string(format_datetime(&dt))),
                    ])))
                }
                toml::Value::Array(a) => {
                    let n = a.len();
                    stack.push(Frame::Array(a.into_iter(), Vec::with_capacity(n)));
                    None
                }
                toml::Value::Table(t) => {
                    let n = t.len();
                    stack.push(Frame::Table(
                        t.into_iter(),
                        Vec::with_capacity(n),
                        NixString::from(""),
                    ));
                    None
                }
            },
            None => None,
        };
        // Store finished values in their container and find the next item.
        loop {
            let Some(top) = stack.last_mut() else {
                return Ok(done.unwrap_or(Value::Null));
            };
            match top {
                Frame::Array(it, out) => {
                    if let Some(v) = done.take() {
                        out.push(v);
                    }
                    if let Some(x) = it.next() {
                        next = Some(x);
                        break;
                    }
                }
                Frame::Table(it, out, key) => {
                    if let Some(v) = done.take() {
                        out.push((std::mem::replace(key, NixString::from("")), v));
                    }
                    if let Some((k, x)) = it.next() {
                        *key = nix_string(&k)?;
                        next = Some(x);
                        break;
                    }
                }
            }
            done = Some(match stack.pop() {
                Some(Frame::Array(_, out)) => Value::List(List::from(out)),
                Some(Frame::Table(_, out, _)) => Value::Attrs(Attrs::from_unsorted(out)),
                None => unreachable!("checked above"),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(src: &str, timestamps: bool) -> String {
        match from_toml(&NixString::from(src), timestamps) {
            Ok(v) => String::from_utf8_lossy(&nixie_eval::printer::print_value(&v, None)).into(),
            Err(e) => format!("error: {}", e.message()),
        }
    }

    #[test]
    fn timestamps_need_the_feature() {
        assert_eq!(
            show("a = 1979-05-27", false),
            "error: while parsing TOML: Dates and times are not supported"
        );
    }

    #[test]
    fn timestamps_are_formatted_as_current_nix() {
        for (toml, want) in [
            ("1979-05-27T07:32:00Z", "1979-05-27T07:32:00Z"),
            ("1979-05-27 07:32:00Z", "1979-05-27T07:32:00Z"),
            ("1979-05-27T00:32:00-07:00", "1979-05-27T00:32:00-07:00"),
            (
                "1979-05-27T00:32:00.999999-07:00",
                "1979-05-27T00:32:00.999999-07:00",
            ),
            ("1979-05-27t07:32:00.1234Z", "1979-05-27T07:32:00.123400Z"),
            ("1979-05-27T07:32:00.1", "1979-05-27T07:32:00.100"),
            (
                "1979-05-27 00:32:00.1234567",
                "1979-05-27T00:32:00.123456700",
            ),
            (
                "1979-05-27T00:32:00.1234567891",
                "1979-05-27T00:32:00.123456789",
            ),
            ("1979-05-27", "1979-05-27"),
            ("07:32:00", "07:32:00"),
            ("00:32:00.12", "00:32:00.120"),
        ] {
            assert_eq!(
                show(&format!("t = {toml}"), true),
                format!("{{ t = {{ _type = \"timestamp\"; value = \"{want}\"; }}; }}"),
                "{toml}"
            );
        }
    }

    #[test]
    fn nesting_and_null_bytes() {
        assert_eq!(
            show("[a.b]\nc = [[1], {d = 2}]", false),
            "{ a = { b = { c = [ [ 1 ] { d = 2; } ]; }; }; }"
        );
        assert!(show("\"a\\u0000b\" = 1", false).contains(
            "while parsing TOML: error: input string 'a\u{2400}b' cannot be represented as Nix string"
        ));
    }
}
