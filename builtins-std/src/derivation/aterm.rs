//! Reading `.drv` files back: the ATerm text Nix writes (`Derive([...],...)`),
//! parsed into a [`Drv`], for derivations this evaluation did not make itself.

use super::Drv;
use std::collections::{BTreeMap, BTreeSet};

/// A cursor over the text of a `.drv` file.
struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn expect(&mut self, token: &[u8]) -> Result<(), String> {
        if self.s[self.pos..].starts_with(token) {
            self.pos += token.len();
            Ok(())
        } else {
            Err(format!(
                "expected '{}' at offset {}",
                String::from_utf8_lossy(token),
                self.pos
            ))
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect(b"\"")?;
        let mut out = Vec::new();
        loop {
            let c = self.peek().ok_or("unterminated string")?;
            self.pos += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = self.peek().ok_or("unterminated escape")?;
                    self.pos += 1;
                    out.push(match e {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        other => other,
                    });
                }
                other => out.push(other),
            }
        }
        String::from_utf8(out).map_err(|_| "a string is not UTF-8".to_string())
    }

    /// A bracketed, comma-separated list of items read by `item`.
    fn list<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        self.expect(b"[")?;
        let mut out = Vec::new();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(out);
        }
        loop {
            out.push(item(self)?);
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(out);
                }
                _ => return Err(format!("expected ',' or ']' at offset {}", self.pos)),
            }
        }
    }

    fn tuple<const N: usize>(&mut self) -> Result<[String; N], String> {
        self.expect(b"(")?;
        let mut out: [String; N] = std::array::from_fn(|_| String::new());
        for (i, slot) in out.iter_mut().enumerate() {
            if i > 0 {
                self.expect(b",")?;
            }
            *slot = self.string()?;
        }
        self.expect(b")")?;
        Ok(out)
    }
}

/// Parse the text of a `.drv` file.
pub(super) fn parse(text: &[u8]) -> Result<Drv, String> {
    let mut p = Parser { s: text, pos: 0 };
    p.expect(b"Derive(")?;
    let outputs = p.list(|p| p.tuple::<4>())?;
    p.expect(b",")?;
    let input_drvs = p.list(|p| {
        p.expect(b"(")?;
        let path = p.string()?;
        p.expect(b",")?;
        let outs = p.list(|p| p.string())?;
        p.expect(b")")?;
        Ok((path, outs.into_iter().collect::<BTreeSet<_>>()))
    })?;
    p.expect(b",")?;
    let input_srcs = p.list(|p| p.string())?;
    p.expect(b",")?;
    let system = p.string()?;
    p.expect(b",")?;
    let builder = p.string()?;
    p.expect(b",")?;
    let args = p.list(|p| p.string())?;
    p.expect(b",")?;
    let env = p.list(|p| p.tuple::<2>())?;
    p.expect(b")")?;
    Ok(Drv {
        outputs: outputs
            .into_iter()
            .map(|[n, path, algo, hash]| (n, (path, algo, hash)))
            .collect(),
        input_drvs: input_drvs.into_iter().collect::<BTreeMap<_, _>>(),
        input_srcs: input_srcs.into_iter().collect(),
        system,
        builder,
        args,
        env: env.into_iter().map(|[k, v]| (k, v)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let text = r#"Derive([("dev","/nix/store/a-x-dev","",""),("out","/nix/store/b-x","","")],[("/nix/store/c-y.drv",["lib","out"])],["/nix/store/d-src"],"x86_64-linux","/bin/sh",["-c","echo \"hi\"\n\\"],[("name","x"),("out","/nix/store/b-x")])"#;
        let drv = parse(text.as_bytes()).unwrap();
        assert_eq!(drv.aterm(&drv.input_drvs), text);
        assert!(parse(b"Derive([").is_err());
    }
}
