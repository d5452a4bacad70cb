//! String builtins: `stringLength`, `substring`, `concatStringsSep`, `replaceStrings`,
//! `match` and `split` (POSIX regular expressions), versions (`splitVersion`,
//! `compareVersions`, `parseDrvName`), `baseNameOf`, `dirOf`, `hashString`, and the
//! string-context builtins (`getContext`, `appendContext`, …).
//!
//! Lengths and offsets count bytes. The builtins are plain functions over
//! `nixie_eval::Coerced` strings: when an argument needs Nix code run
//! first (a set with `__toString`), the framework runs the same function on its
//! suspending path.

mod backtrack;
mod context;
mod matching;
mod posix;
mod replace;
mod versions;

use nixie_eval::prelude::*;
use nixie_eval::value::{merge_context, NixContext};

/// A string with the given bytes and (a copy of) a context.
fn with_context(bytes: &[u8], ctx: Option<&NixContext>) -> NixString {
    match ctx {
        Some(c) => NixString::with_context(bytes, c.clone()),
        None => NixString::from(bytes),
    }
}

/// The part of `s` from byte `start` (not negative) of at most `len` bytes (all the
/// rest if `len` is negative), keeping the whole context of `s`.
fn substring_of(s: &NixString, start: i64, len: i64) -> NixString {
    let n = s.len();
    let start = start.max(0) as u64;
    if start >= n as u64 {
        return with_context(b"", s.context());
    }
    let start = start as usize;
    let end = if len < 0 {
        n
    } else {
        start.saturating_add(len as u64 as usize).min(n)
    };
    if start == 0 && end == n {
        return s.clone();
    }
    with_context(&s.as_bytes()[start..end], s.context())
}

/// `parts` joined by `sep`, with all their contexts.
fn join(sep: &NixString, parts: &[NixString]) -> NixString {
    if parts.len() == 1 && !sep.has_context() {
        return parts[0].clone();
    }
    let total =
        parts.iter().map(NixString::len).sum::<usize>() + sep.len() * parts.len().saturating_sub(1);
    let mut out = Vec::with_capacity(total);
    let mut ctx = NixContext::new();
    merge_context(&mut ctx, sep.context());
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(sep.as_bytes());
        }
        out.extend_from_slice(p.as_bytes());
        merge_context(&mut ctx, p.context());
    }
    NixString::with_context(out, ctx)
}

/// The last component of a path string: one trailing slash is ignored, and
/// `"a//"` gives `""`.
fn base_name(s: &NixString) -> NixString {
    let b = s.as_bytes();
    if b.is_empty() {
        return s.clone();
    }
    let mut last = b.len() - 1;
    if b[last] == b'/' && last > 0 {
        last -= 1;
    }
    let from = b[..=last]
        .iter()
        .rposition(|&c| c == b'/')
        .map_or(0, |p| p + 1);
    if from == 0 && last + 1 == b.len() {
        return s.clone();
    }
    with_context(&b[from..=last], s.context())
}

/// Everything before the last slash of a path string: `"."` without a slash, `"/"`
/// for a slash at the start.
fn dir_name(s: &NixString) -> NixString {
    let b = s.as_bytes();
    match b.iter().rposition(|&c| c == b'/') {
        None => with_context(b".", s.context()),
        Some(0) => with_context(b"/", s.context()),
        Some(p) => with_context(&b[..p], s.context()),
    }
}

/// The list of a match's groups (null for groups that did not take part).
fn groups_list(s: &[u8], slots: &[Option<usize>], groups: usize) -> Value {
    let mut v = Vec::with_capacity(groups);
    for g in 1..=groups {
        match (
            slots.get(2 * g).copied().flatten(),
            slots.get(2 * g + 1).copied().flatten(),
        ) {
            (Some(a), Some(b)) if a <= b => v.push(Value::String(NixString::from(&s[a..b]))),
            _ => v.push(Value::Null),
        }
    }
    Value::List(List::from(v))
}

#[nixie_eval::builtins(name = "strings")]
pub mod defs {
    use super::{context, matching, versions};
    use nixie_eval::convert::{type_error, KeepPaths};
    use nixie_eval::prelude::*;

    /// The length of a string in bytes (not characters). The argument is coerced to
    /// a string as in interpolation.
    #[builtin("stringLength")]
    fn string_length(
        #[context = "while evaluating the argument passed to builtins.stringLength"] s: Coerced,
    ) -> Result<i64, ErrorKind> {
        Ok(s.len() as i64)
    }

    /// `substring start len s`: the part of `s` that starts at byte `start` and is at
    /// most `len` bytes long (the whole rest if `len` is negative, empty if `start` is
    /// past the end). The result keeps the context of `s`.
    #[builtin("substring")]
    fn substring(
        #[context = "while evaluating the first argument (the start offset) passed to builtins.substring"]
        start: i64,
        #[context = "while evaluating the second argument (the substring length) passed to builtins.substring"]
        len: i64,
        #[context = "while evaluating the third argument (the string) passed to builtins.substring"]
        s: Coerced,
    ) -> Result<NixString, ErrorKind> {
        if start < 0 {
            return Err(ErrorKind::Other(
                "negative start position in 'substring'".into(),
            ));
        }
        Ok(super::substring_of(&s, start, len))
    }

    /// `concatStringsSep sep list`: the elements of `list` (coerced to strings as in
    /// interpolation) joined with `sep`.
    #[builtin("concatStringsSep")]
    fn concat_strings_sep(
        #[context = "while evaluating the first argument (the separator string) passed to builtins.concatStringsSep"]
        sep: NixString,
        #[context = "while evaluating one element of the list of strings to concat passed to builtins.concatStringsSep"]
        list: Vec<Coerced>,
    ) -> Result<NixString, ErrorKind> {
        let parts: Vec<NixString> = list.into_iter().map(Coerced::into_inner).collect();
        Ok(super::join(&sep, &parts))
    }

    /// `replaceStrings from to s`: replace in `s` every occurrence of a string of
    /// `from` by the string at the same position in `to`, scanning left to right and
    /// trying the patterns in order. An empty pattern matches before every character
    /// and at the end. Replacements are only evaluated when used.
    #[builtin("replaceStrings", suspend = replace_strings_lazily)]
    fn replace_strings(
        cx: &mut Ctx,
        from: Vec<NixString>,
        to: List,
        s: NixString,
    ) -> Result<NixString, Error> {
        use super::replace::{Progress, Replacer};
        check_lengths(&from, &to)?;
        let mut r = Replacer::new(from, s);
        loop {
            match r.run() {
                Progress::Done(x) => return Ok(x),
                Progress::Need(i) => match to.get(i).map(Value::shallow) {
                    // A replacement not evaluated yet: evaluate only the needed ones.
                    Some(Value::Thunk(_)) => return Err(cx.suspend()),
                    Some(Value::String(t)) => r.provide(i, t),
                    Some(other) => {
                        return Err(Error::from(type_error("a string", &other)).context(REPLACEMENT))
                    }
                    None => return Err(Error::msg("replaceStrings: no replacement")),
                },
            }
        }
    }

    /// `replaceStrings` when replacements must be evaluated on demand.
    async fn replace_strings_lazily(
        co: &mut Co,
        from: Vec<NixString>,
        to: List,
        s: NixString,
    ) -> Result<NixString, Error> {
        use super::replace::{Progress, Replacer};
        check_lengths(&from, &to)?;
        let mut r = Replacer::new(from, s);
        loop {
            match r.run() {
                Progress::Done(x) => return Ok(x),
                Progress::Need(i) => {
                    let v = to.get(i).cloned().unwrap_or(Value::Null);
                    co.set_context(vec![TraceFrame::new(REPLACEMENT, None)]);
                    let t = co.force_to::<NixString>(v).await;
                    co.clear_context();
                    r.provide(i, t.map_err(|e| e.context(REPLACEMENT))?);
                }
            }
        }
    }

    /// The trace line of a replacement that is not a string.
    const REPLACEMENT: &str =
        "while evaluating one of the replacement strings passed to builtins.replaceStrings";

    fn check_lengths(from: &[NixString], to: &List) -> Result<(), Error> {
        if from.len() != to.len() {
            return Err(Error::msg(
                "'from' and 'to' arguments passed to builtins.replaceStrings have different lengths",
            ));
        }
        Ok(())
    }

    /// A path (kept as a path) or anything else coerced as `baseNameOf` coerces.
    pub enum PathOrString {
        /// A path.
        Path(std::path::PathBuf),
        /// A string.
        String(NixString),
    }

    impl FromValue for PathOrString {
        fn from_value(v: &Value, cx: &mut Ctx<'_>) -> Result<Self, Error> {
            match cx.forced(v)? {
                Value::Path(p) => Ok(PathOrString::Path((*p).clone())),
                other => Coerced::<KeepPaths>::from_value(&other, cx)
                    .map(|s| PathOrString::String(s.into_inner())),
            }
        }

        async fn from_value_async(v: Value, co: &mut Co) -> Result<Self, Error> {
            match co.force(v).await {
                Value::Path(p) => Ok(PathOrString::Path((*p).clone())),
                other => Ok(PathOrString::String(
                    co.coerce_to_string(other, Coercion::KeepPaths).await,
                )),
            }
        }
    }

    /// `match regex s`: if the POSIX extended regular expression `regex` matches the
    /// whole of `s`, the list of the strings its groups matched (null for a group that
    /// took no part), else null.
    #[builtin("match")]
    fn match_(re: NixString, s: NixString) -> Result<Value, ErrorKind> {
        re.require_no_context()?;
        let c = matching::compile(re.as_bytes()).map_err(ErrorKind::Other)?;
        let bytes = s.as_bytes();
        Ok(match c.full_match(bytes).map_err(ErrorKind::Other)? {
            Some(slots) => super::groups_list(bytes, &slots, c.groups()),
            None => Value::Null,
        })
    }

    /// `split regex s`: `s` cut at the matches of the POSIX extended regular
    /// expression `regex`: the pieces between matches, each followed (except the
    /// last) by the list of the groups of the match after it.
    #[builtin("split")]
    fn split(re: NixString, s: NixString) -> Result<Value, ErrorKind> {
        re.require_no_context()?;
        let c = matching::compile(re.as_bytes()).map_err(ErrorKind::Other)?;
        let bytes = s.as_bytes();
        let ms = c.matches(bytes).map_err(ErrorKind::Other)?;
        let mut out = Vec::with_capacity(2 * ms.len() + 1);
        let mut prev = 0;
        for m in &ms {
            let (a, b) = (m[0].unwrap_or(prev), m[1].unwrap_or(prev));
            out.push(Value::String(NixString::from(&bytes[prev.min(a)..a])));
            out.push(super::groups_list(bytes, m, c.groups()));
            prev = b;
        }
        out.push(Value::String(NixString::from(
            &bytes[prev.min(bytes.len())..],
        )));
        Ok(Value::List(List::from(out)))
    }

    /// The components of a version string, as `compareVersions` sees them: runs of
    /// digits and runs of other characters, split at `.` and `-` too.
    #[builtin("splitVersion")]
    fn split_version(s: NixString) -> Result<Value, ErrorKind> {
        s.require_no_context()?;
        Ok(Value::List(
            versions::Components::new(s.as_bytes())
                .map(|c| Value::String(NixString::from(c)))
                .collect(),
        ))
    }

    /// Compare two version strings: -1, 0 or 1, as `nix-env` orders versions
    /// (numbers numerically, `pre` before anything, words before numbers).
    #[builtin("compareVersions")]
    fn compare_versions(a: NixString, b: NixString) -> Result<i64, ErrorKind> {
        a.require_no_context()?;
        b.require_no_context()?;
        Ok(match versions::compare(a.as_bytes(), b.as_bytes()) {
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Greater => 1,
        })
    }

    /// Split a derivation name into `{ name; version; }` at the first `-` that is not
    /// followed by a letter.
    #[builtin("parseDrvName")]
    fn parse_drv_name(s: NixString) -> Result<Value, ErrorKind> {
        s.require_no_context()?;
        let (name, version) = versions::parse_drv_name(s.as_bytes());
        Ok(Value::Attrs(Attrs::from_sorted(vec![
            ("name".into(), Value::String(NixString::from(name))),
            ("version".into(), Value::String(NixString::from(version))),
        ])))
    }

    /// The last component of a path or string (`baseNameOf "a/b/" == "b"`), as a
    /// string. A path is not copied to the store.
    #[builtin("baseNameOf", global)]
    fn base_name_of(s: Coerced<KeepPaths>) -> Result<NixString, ErrorKind> {
        Ok(super::base_name(&s))
    }

    /// The directory part of a path (a path) or of a string (a string): everything
    /// before the last slash.
    #[builtin("dirOf", global)]
    fn dir_of(
        #[context = "while evaluating the first argument passed to 'builtins.dirOf'"]
        v: PathOrString,
    ) -> Result<Value, ErrorKind> {
        Ok(match v {
            PathOrString::Path(p) => match p.parent() {
                Some(d) => Value::Path(Rc::new(d.to_path_buf())),
                None => Value::Path(Rc::new(p)),
            },
            PathOrString::String(s) => Value::String(super::dir_name(&s)),
        })
    }

    /// `hashString type s`: the hash of `s` in lower-case hexadecimal; `type` is
    /// "md5", "sha1", "sha256" or "sha512".
    #[builtin("hashString")]
    fn hash_string(algo: NixString, s: NixString) -> Result<String, Error> {
        algo.require_no_context()?;
        let d = nixie_eval::hash::digest(algo.as_bytes(), s.as_bytes())?;
        Ok(nixie_eval::encoding::hex(&d))
    }

    /// The set `convertHash` takes.
    #[derive(FromAttrs)]
    #[nix(allow_unknown)]
    pub struct ConvertHashArgs {
        hash: NixString,
        #[nix(rename = "hashAlgo")]
        hash_algo: Option<NixString>,
        #[nix(rename = "toHashFormat")]
        to_hash_format: NixString,
    }

    /// `convertHash { hash; hashAlgo ? …; toHashFormat; }`: the hash (in any form
    /// Nix accepts) written as "base16", "nix32", "base64" or "sri".
    #[builtin("convertHash")]
    fn convert_hash(cx: &mut Ctx, args: ConvertHashArgs) -> Result<String, Error> {
        args.hash.require_no_context()?;
        let algo = match &args.hash_algo {
            Some(a) => {
                a.require_no_context()?;
                Some(nixie_eval::hash::parse_algo(&a.to_str_lossy())?)
            }
            None => None,
        };
        args.to_hash_format.require_no_context()?;
        let format =
            nixie_eval::hash::HashFormat::parse(&args.to_hash_format.to_str_lossy(), |w| {
                cx.warn(w)
            })?;
        let h = nixie_eval::hash::Hash::parse_any(&args.hash.to_str_lossy(), algo)?;
        Ok(h.to_string(format))
    }

    /// The string (coerced as in interpolation) without its context.
    #[builtin("unsafeDiscardStringContext")]
    fn unsafe_discard_string_context(
        #[context = "while evaluating the argument passed to builtins.unsafeDiscardStringContext"]
        s: Coerced,
    ) -> Result<NixString, ErrorKind> {
        Ok(if s.has_context() {
            NixString::from(s.as_bytes())
        } else {
            s.into_inner()
        })
    }

    /// Whether a string has a context (refers to store paths or derivations).
    #[builtin("hasContext")]
    fn has_context(
        #[context = "while evaluating the argument passed to builtins.hasContext"] s: NixString,
    ) -> Result<bool, ErrorKind> {
        Ok(s.has_context())
    }

    /// The context of a string as a set from store paths to
    /// `{ path = true; allOutputs = true; outputs = [ … ]; }` (only the parts that
    /// apply).
    #[builtin("getContext")]
    fn get_context(
        #[context = "while evaluating the argument passed to builtins.getContext"] s: NixString,
    ) -> Result<Attrs, ErrorKind> {
        Ok(context::get_context(&s))
    }

    /// `appendContext s ctx`: `s` with the context described by `ctx` (in the form
    /// `getContext` returns) added.
    #[builtin("appendContext")]
    fn append_context(cx: &mut Ctx, s: NixString, ctx: Attrs) -> Result<NixString, Error> {
        if ctx.is_empty() {
            return Ok(s);
        }
        context::append_context(cx, &s, &ctx)
    }

    /// The string (coerced as in interpolation) with its derivation-closure context
    /// elements turned into plain references to the derivations.
    #[builtin("unsafeDiscardOutputDependency")]
    fn unsafe_discard_output_dependency(
        #[context = "while evaluating the argument passed to builtins.unsafeDiscardOutputDependency"]
        s: Coerced,
    ) -> Result<NixString, ErrorKind> {
        Ok(context::discard_output_dependency(&s))
    }

    /// The string (coerced as in interpolation), whose context must be one plain
    /// derivation path, with that element turned into a reference to the
    /// derivation, all its outputs and its build closure.
    #[builtin("addDrvOutputDependencies")]
    fn add_drv_output_dependencies(
        #[context = "while evaluating the argument passed to builtins.addDrvOutputDependencies"] s: Coerced,
    ) -> Result<NixString, ErrorKind> {
        context::add_drv_output_dependencies(&s)
    }
}

pub use defs::PACK;
