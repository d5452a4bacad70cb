//! Data formats: `toJSON`, `fromJSON`, `toXML`, `fromTOML`.
//!
//! Every walk over nested data keeps an explicit work-list: `toJSON` forces values
//! as it goes, `fromJSON` is an iterative parser, `toXML` drives the shared XML
//! printer (`nixie_eval::printer_xml`, also behind the CLI's `--xml`), and
//! `fromTOML` converts the `toml` crate's document without recursion.

use nixie_eval::builtins;

pub(crate) mod parse;
mod toml_value;
pub(crate) mod write;

#[builtins(name = "json")]
pub mod defs {
    use super::{parse, toml_value, write};
    use nixie_eval::prelude::*;
    use nixie_eval::printer_xml::{XmlPrinter, XmlStep};
    use nixie_eval::value::{merge_context, NixContext};

    /// How deeply `toJSON` nests without an explicit `max-call-depth`: C++ Nix's
    /// default call-depth limit.
    const MAX_JSON_DEPTH: usize = 10_000;

    /// A container being written: the next element or attribute to write.
    enum Frame {
        List(List, usize),
        Attrs(Attrs, usize),
    }

    /// The containers `json_text` is inside, outermost first: the way to the value
    /// being written, told as C++ Nix's `toJSON` tells it when an error comes.
    #[derive(Default)]
    struct Path(std::cell::RefCell<Vec<Frame>>);

    impl TraceSource for Path {
        fn trace(&self) -> Vec<TraceFrame> {
            let stack = self.0.borrow();
            let mut frames = Vec::new();
            for (depth, f) in stack.iter().enumerate().rev() {
                match f {
                    Frame::Attrs(a, i) if *i > 0 => {
                        let name = a.entries()[i - 1].0.to_str_lossy();
                        frames.push(TraceFrame::new(
                            format!("while evaluating attribute '{name}'"),
                            a.position(i - 1),
                        ));
                    }
                    Frame::List(_, i) if *i > 0 => {
                        // Placed where the attribute holding the list is.
                        let pos = match depth.checked_sub(1).map(|d| &stack[d]) {
                            Some(Frame::Attrs(a, j)) if *j > 0 => a.position(j - 1),
                            _ => None,
                        };
                        frames.push(TraceFrame::new(
                            format!("while evaluating list element at index {}", i - 1),
                            pos,
                        ));
                    }
                    _ => {}
                }
            }
            frames
        }
    }

    fn function_error(v: &Value) -> ErrorKind {
        let what = match v {
            Value::Builtin(p) if p.args_given() == 0 => {
                format!("the built-in function '{}'", p.name())
            }
            Value::Builtin(p) => {
                format!("the partially applied built-in function '{}'", p.name())
            }
            _ => "a function".into(),
        };
        ErrorKind::Other(format!("cannot convert {what} to JSON"))
    }

    use nixie_eval::cannot_coerce;

    /// The JSON text (`"name":`) of recently written attribute names, by the address
    /// of their bytes: sets built by the same code share their name strings, so the
    /// names of a list of records are escaped once.
    struct KeyCache {
        slots: Vec<Option<(NixString, Box<[u8]>)>>,
    }

    impl Default for KeyCache {
        fn default() -> Self {
            KeyCache {
                slots: vec![None; 64],
            }
        }
    }

    impl KeyCache {
        fn write(&mut self, out: &mut Vec<u8>, k: &NixString) -> Result<(), ErrorKind> {
            let slot = &mut self.slots[(k.as_bytes().as_ptr() as usize >> 3) % 64];
            if let Some((name, text)) = slot {
                if name.ptr_eq(k) {
                    out.extend_from_slice(text);
                    return Ok(());
                }
            }
            let start = out.len();
            write::string(out, k.as_bytes())?;
            out.push(b':');
            *slot = Some((k.clone(), out[start..].into()));
            Ok(())
        }
    }

    /// Write a null, Boolean, number or string; false for any other value.
    fn write_scalar(out: &mut Vec<u8>, ctx: &mut NixContext, v: &Value) -> Result<bool, ErrorKind> {
        match v {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Value::Int(i) => write::int(out, *i),
            Value::Float(f) => write::float(out, *f),
            Value::String(s) => {
                write::string(out, s.as_bytes())?;
                merge_context(ctx, s.context());
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Write an element at once if it is an (evaluated) scalar; otherwise return it
    /// to be handled by the main loop.
    fn write_or_defer(
        out: &mut Vec<u8>,
        ctx: &mut NixContext,
        e: &Value,
    ) -> Result<Option<Value>, ErrorKind> {
        match e {
            Value::Thunk(t) => match t.value() {
                Some(x) if write_scalar(out, ctx, &x)? => Ok(None),
                Some(x) => Ok(Some(x)),
                None => Ok(Some(e.clone())),
            },
            _ if write_scalar(out, ctx, e)? => Ok(None),
            _ => Ok(Some(e.clone())),
        }
    }

    /// The string of a set with `__toString`: call it, and coerce the result
    /// (further sets are peeled through their own `__toString` or `outPath`;
    /// paths are kept as they are, not copied). `peel` holds the frames of the
    /// peeling so far, innermost last.
    async fn attrs_to_string(
        co: &mut Co,
        mut v: Value,
        peel: &mut Vec<TraceFrame>,
    ) -> Result<NixString, Error> {
        for _ in 0..MAX_JSON_DEPTH {
            let Value::Attrs(a) = &v else {
                unreachable!("only sets are peeled")
            };
            let r = if let Some(f) = a.get(b"__toString") {
                let pos = a.position_of(b"__toString");
                let f = co.force(f.clone()).await;
                let r = co.call(f, v.clone()).await;
                let r = co.force(r).await;
                peel.push(TraceFrame::new(
                    "while using the result of the `__toString` attribute",
                    pos,
                ));
                if !matches!(r, Value::String(_) | Value::Path(_) | Value::Attrs(_)) {
                    return Err(Error::msg(format!(
                        "`__toString` should return a string, but got {}: {}",
                        r.type_description(),
                        nixie_eval::printer::short(&r)
                    ))
                    .at(pos));
                }
                r
            } else if let Some(p) = a.get(b"outPath") {
                peel.push(TraceFrame::new(
                    "while using the `outPath` attribute",
                    a.position_of(b"outPath"),
                ));
                co.force(p.clone()).await
            } else {
                return Err(cannot_coerce(&v).into());
            };
            match r {
                Value::String(s) => return Ok(s),
                Value::Path(p) => return Ok(NixString::from(p.to_string_lossy().as_ref())),
                Value::Attrs(_) => v = r,
                other => return Err(cannot_coerce(&other).into()),
            }
        }
        Err(ErrorKind::StackOverflow.into())
    }

    /// The JSON text of a value, as a string whose context is the union of the
    /// contexts of the strings in it. Sets with `__toString` become that string,
    /// other sets with `outPath` are written as their `outPath`, paths are copied
    /// to the store and written as their store path; functions are an error.
    #[builtin("toJSON")]
    async fn to_json(co: &mut Co, v: Value) -> Result<Value, ErrorKind> {
        Ok(Value::String(json_text(co, v).await?))
    }

    /// The JSON text of a value as `toJSON` writes it (also used for structured
    /// derivation attributes).
    pub(crate) async fn json_text(co: &mut Co, v: Value) -> Result<NixString, ErrorKind> {
        let path = Rc::new(Path::default());
        json_text_along(co, v, &path).await.map_err(|e| {
            let mut e = e;
            for f in path.trace() {
                e = e.with_frame(f);
            }
            e.into()
        })
    }

    /// `json_text`, keeping in `path` the containers it is inside.
    async fn json_text_along(co: &mut Co, v: Value, path: &Rc<Path>) -> Result<NixString, Error> {
        let mut out: Vec<u8> = Vec::new();
        let mut ctx = NixContext::new();
        let mut keys = KeyCache::default();
        // The value to write next, then the frames of the `outPath` chain to it.
        let mut next = Some(v);
        let mut peel: Vec<TraceFrame> = Vec::new();
        let source: Rc<dyn TraceSource> = path.clone();
        // C++ Nix counts toJSON's nesting against `max-call-depth` (the corpus's
        // eval-fail-toJSON-stack-overflow pins it), unlike nixie's other walks.
        let max_depth = co.ctx(|cx| cx.settings().max_call_depth.unwrap_or(MAX_JSON_DEPTH));
        let max_out = co.ctx(|cx| cx.settings().limits.output);
        loop {
            if let Some(n) = max_out.filter(|n| out.len() > *n) {
                return Err(Error::limit(nixie_eval::limits::Exceeded::Output(n)));
            }
            if let Some(v) = next.take() {
                let v = match v {
                    Value::Thunk(t) => match t.value() {
                        Some(x) => x,
                        None => co.force_traced(Value::Thunk(t), source.clone()).await,
                    },
                    v => v,
                };
                if write_scalar(&mut out, &mut ctx, &v)? {
                    peel.clear();
                    continue;
                }
                let depth = path.0.borrow().len() + peel.len();
                match &v {
                    Value::Path(p) => {
                        let s = co.copy_to_store((**p).clone()).await;
                        write::string(&mut out, s.as_bytes())?;
                        merge_context(&mut ctx, s.context());
                    }
                    Value::List(l) => {
                        if depth >= max_depth {
                            return Err(ErrorKind::StackOverflow.into());
                        }
                        out.push(b'[');
                        path.0.borrow_mut().push(Frame::List(l.clone(), 0));
                    }
                    Value::Attrs(a) => {
                        if depth >= max_depth {
                            return Err(ErrorKind::StackOverflow.into());
                        }
                        if a.contains(b"__toString") {
                            let s = attrs_to_string(co, v.clone(), &mut peel).await.map_err(
                                |mut e| {
                                    for f in peel.drain(..).rev() {
                                        e = e.with_frame(f);
                                    }
                                    e
                                },
                            )?;
                            write::string(&mut out, s.as_bytes())?;
                            merge_context(&mut ctx, s.context());
                        } else if let Some(p) = a.get(b"outPath") {
                            peel.push(TraceFrame::new(
                                "while using the `outPath` attribute",
                                a.position_of(b"outPath"),
                            ));
                            next = Some(p.clone());
                            continue;
                        } else {
                            out.push(b'{');
                            path.0.borrow_mut().push(Frame::Attrs(a.clone(), 0));
                        }
                    }
                    _ => return Err(function_error(&v).into()),
                }
                peel.clear();
            }
            // Move on to the next element of the innermost open container.
            let mut stack = path.0.borrow_mut();
            match stack.last_mut() {
                None => break,
                Some(Frame::List(l, i)) => match l.get(*i) {
                    Some(e) => {
                        if *i > 0 {
                            out.push(b',');
                        }
                        *i += 1;
                        next = write_or_defer(&mut out, &mut ctx, e)?;
                    }
                    None => {
                        out.push(b']');
                        stack.pop();
                    }
                },
                Some(Frame::Attrs(a, i)) => match a.entries().get(*i) {
                    Some((k, e)) => {
                        if *i > 0 {
                            out.push(b',');
                        }
                        keys.write(&mut out, k)?;
                        *i += 1;
                        next = write_or_defer(&mut out, &mut ctx, e)?;
                    }
                    None => {
                        out.push(b'}');
                        stack.pop();
                    }
                },
            }
        }
        Ok(NixString::with_context(out, ctx))
    }

    /// Parse a JSON string into a Nix value: objects become sets, arrays lists,
    /// integers ints (one beyond the 64-bit range is an error, other large
    /// numbers become floats), numbers with a fraction or exponent floats.
    #[builtin("fromJSON")]
    fn from_json(s: NixString) -> Result<Value, ErrorKind> {
        s.require_no_context()?;
        parse::parse(s.as_bytes())
    }

    /// Render a value as XML (the format of `nix-instantiate --eval --xml`),
    /// evaluating it completely as it goes; the result carries the context of
    /// the strings in it.
    #[builtin("toXML")]
    async fn to_xml(co: &mut Co, v: Value) -> Result<Value, ErrorKind> {
        let mut p = XmlPrinter::new(v, true);
        let max_out = co.ctx(|cx| cx.settings().limits.output);
        while let XmlStep::Force(t) = p.resume()? {
            co.force(t).await;
        }
        let (bytes, ctx) = p.finish();
        if let Some(n) = max_out.filter(|n| bytes.len() > *n) {
            return Err(nixie_eval::limits::Exceeded::Output(n).into());
        }
        Ok(Value::String(NixString::with_context(bytes, ctx)))
    }

    /// Parse a TOML document into a set: tables become sets, arrays lists, and
    /// integers, floats, strings and Booleans the matching Nix values. Dates and
    /// times are an error unless the `parse-toml-timestamps` experimental feature
    /// is on, which turns them into `{ _type = "timestamp"; value = "…"; }`.
    #[builtin("fromTOML", global)]
    fn from_toml(
        cx: &mut Ctx,
        #[context = "while evaluating the argument passed to builtins.fromTOML"] s: NixString,
    ) -> Result<Value, ErrorKind> {
        let timestamps = cx.settings().has_feature("parse-toml-timestamps");
        toml_value::from_toml(&s, timestamps)
    }
}

pub use defs::PACK;

#[cfg(test)]
mod tests {
    use nixie_eval::value::{List, Value};
    use nixie_eval::Evaluation;

    fn eval(src: &str, dir: &std::path::Path) -> Result<Value, String> {
        let mut e = crate::register(Evaluation::builder())
            .build()
            .map_err(|e| e.to_string())?;
        let v = e.eval_source("test", src, dir).map_err(|e| e.message())?;
        e.deep_force(v).map_err(|e| e.message())
    }

    #[test]
    fn results_carry_the_context_of_their_strings() {
        let dir = std::env::temp_dir().join(format!("nixie-json-context-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("f.txt"), "hi\n").unwrap();
        let store_path = "/nix/store/qiwmmmgnk4xmy6mma2man57iwykzv7rg-f.txt";
        for (src, text) in [
            (
                "builtins.toJSON [ \"${./f.txt}\" ./f.txt ]",
                format!("[\"{store_path}\",\"{store_path}\"]"),
            ),
            ("builtins.toJSON ./f.txt", format!("\"{store_path}\"")),
            (
                "builtins.toXML { a = \"${./f.txt}\"; }",
                format!("<?xml version='1.0' encoding='utf-8'?>\n<expr>\n  <attrs>\n    <attr name=\"a\">\n      <string value=\"{store_path}\" />\n    </attr>\n  </attrs>\n</expr>\n"),
            ),
        ] {
            let Ok(Value::String(s)) = eval(src, &dir) else {
                panic!("{src} did not give a string")
            };
            assert_eq!(s.to_str_lossy(), text, "{src}");
            let ctx: Vec<String> = s.context().unwrap().iter().map(|c| c.encode()).collect();
            assert!(ctx.iter().any(|c| c.contains(store_path)), "{src}: {ctx:?}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn to_json_nests_to_the_call_depth_and_never_overflows() {
        let handle = std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(|| {
                let nest = |n: usize| {
                    let mut v = Value::List(List::from(vec![]));
                    for _ in 0..n {
                        v = Value::List(List::from(vec![v]));
                    }
                    v
                };
                let to_json = |max_call_depth: Option<usize>, depth: usize| {
                    let mut settings = nixie_eval::Settings::default();
                    settings.max_call_depth = max_call_depth;
                    let mut e = crate::register(Evaluation::builder())
                        .settings(settings)
                        .build()
                        .unwrap();
                    let f = e
                        .eval_source("t", "builtins.toJSON", std::path::Path::new("/"))
                        .unwrap();
                    match e.call(f, nest(depth)).and_then(|v| e.force(v)) {
                        Ok(Value::String(s)) => Ok(s.len()),
                        Ok(_) => unreachable!("toJSON makes a string"),
                        Err(e) => Err(e.message()),
                    }
                };
                (
                    to_json(Some(200_000), 150_000),
                    to_json(None, 9_000),
                    to_json(None, 10_001),
                )
            })
            .unwrap();
        let (deep, within, beyond) = handle.join().unwrap();
        assert_eq!(deep, Ok(2 * 150_001));
        assert_eq!(within, Ok(2 * 9_001));
        assert_eq!(
            beyond,
            Err("stack overflow; max-call-depth exceeded".to_string())
        );
    }
}
