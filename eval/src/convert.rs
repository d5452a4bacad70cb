//! Conversions between Nix values and Rust types, used by `#[builtins]` to type
//! builtin parameters and results. Packs can implement both traits for their own
//! types, and `#[derive(FromAttrs)]` implements [`FromValue`] for a struct that
//! describes an attribute-set argument.
//!
//! A conversion may need parts of a value that are not evaluated yet (a list's
//! elements, a set's attributes). On the fast path it asks for them with
//! [`Ctx::forced`]: the framework forces what was asked for and converts again, so
//! a plain builtin never runs Nix code itself. A conversion that needs Nix code
//! run (a set's `__toString`) returns [`Ctx::suspend`] and provides
//! [`FromValue::from_value_async`], which the builtin's suspending path uses.

use crate::context::{Co, Coercion, Ctx};
use crate::errors::{Control, Error, ErrorKind};
use crate::value::{Attrs, List, NixString, Value};
use std::collections::BTreeMap;
use std::future::Future;
use std::marker::PhantomData;
use std::path::PathBuf;
use std::rc::Rc;

/// Converts a Nix value into a builtin parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a builtin parameter: it does not implement `FromValue`",
    label = "no conversion from a Nix value",
    note = "use `Value`, a Nix type (`NixString`, `List`, `Attrs`, `i64`, `f64`, `bool`, `NixNumber`, `PathBuf`, `AbsolutePath`, `Callable`), `Option<T>`, `Vec<T>`, `Lazy<T>`, `Coerced`, a struct with `#[derive(FromAttrs)]`, or implement `nixie_eval::FromValue` for this type"
)]
pub trait FromValue: Sized {
    /// Convert without running Nix code. Parts of `v` that are not evaluated yet
    /// are asked for with [`Ctx::forced`] (the framework forces them and calls this
    /// again); a mismatch is Nix's type error.
    fn from_value(v: &Value, cx: &mut Ctx<'_>) -> Result<Self, Error>;

    /// Convert on a builtin's suspending path. The default forces what
    /// [`FromValue::from_value`] asks for until it succeeds; types whose conversion
    /// runs Nix code override it.
    fn from_value_async(v: Value, co: &mut Co) -> impl Future<Output = Result<Self, Error>> {
        async move {
            loop {
                let (r, demand) = co.ctx(|cx| {
                    let r = Self::from_value(&v, cx);
                    (r, std::mem::take(&mut cx.demand))
                });
                match r {
                    Err(e) if e.control == Some(Control::Blocked) => {
                        for t in demand {
                            co.force(Value::Thunk(t)).await;
                        }
                    }
                    Err(e) if e.control == Some(Control::Suspend) => {
                        return Err(Error::msg(format!(
                            "internal error: converting to {} needs Nix code run, but the type has no from_value_async",
                            std::any::type_name::<Self>()
                        )))
                    }
                    r => return r,
                }
            }
        }
    }
}

/// Converts a builtin's result into a Nix value.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by a builtin: it does not implement `IntoValue`",
    label = "no conversion into a Nix value",
    note = "return `Value`, a Nix type, a number, a bool, a string, an `Option`, a `Vec` or `BTreeMap` of those, or implement `nixie_eval::IntoValue`"
)]
pub trait IntoValue {
    /// Convert.
    fn into_value(self) -> Value;
}

/// What a builtin may return: `Result<T, E>` with `T: IntoValue` and
/// `E: Into<Error>` (any alias of such a `Result` too).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the return type of a builtin",
    label = "not a `Result<T, E>` with `T: IntoValue` and `E: Into<nixie_eval::Error>`",
    note = "return `Result<T, Error>` (or any `E: Into<Error>`, such as `ErrorKind` or `String`) where `T: IntoValue`"
)]
pub trait BuiltinResult {
    /// The result as a value or an error.
    fn into_result(self) -> Result<Value, Error>;
}

impl<T: IntoValue, E: Into<Error>> BuiltinResult for Result<T, E> {
    fn into_result(self) -> Result<Value, Error> {
        self.map(IntoValue::into_value).map_err(Into::into)
    }
}

/// The standard type error for a value of the wrong type.
pub fn type_error(expected: &'static str, v: &Value) -> ErrorKind {
    ErrorKind::TypeError {
        expected,
        found: v.type_description(),
        value: crate::printer::short(v),
    }
}

impl FromValue for Value {
    /// The value as it is (unforced parts stay unforced).
    fn from_value(v: &Value, _: &mut Ctx<'_>) -> Result<Self, Error> {
        Ok(v.clone())
    }
}

/// Implement `FromValue` for a type matched out of a forced value.
macro_rules! forced_conversion {
    ($t:ty, $expected:literal, $($pat:pat => $e:expr),+ $(,)?) => {
        impl FromValue for $t {
            fn from_value(v: &Value, cx: &mut Ctx<'_>) -> Result<Self, Error> {
                match cx.forced(v)? {
                    $($pat => Ok($e),)+
                    other => Err(type_error($expected, &other).into()),
                }
            }
        }
    };
}

forced_conversion!(i64, "an integer", Value::Int(i) => i);
forced_conversion!(f64, "a float", Value::Float(f) => f, Value::Int(i) => i as f64);
forced_conversion!(bool, "a Boolean", Value::Bool(b) => b);
forced_conversion!(NixString, "a string", Value::String(s) => s);
forced_conversion!(String, "a string", Value::String(s) => s.to_str_lossy().into_owned());
forced_conversion!(List, "a list", Value::List(l) => l);
forced_conversion!(Attrs, "a set", Value::Attrs(a) => a);
forced_conversion!(PathBuf, "a path", Value::Path(p) => (*p).clone());
forced_conversion!(NixNumber, "a number",
    Value::Int(i) => NixNumber::Int(i), Value::Float(f) => NixNumber::Float(f));

impl FromValue for Callable {
    fn from_value(v: &Value, cx: &mut Ctx<'_>) -> Result<Self, Error> {
        match cx.forced(v)? {
            f @ (Value::Closure(_) | Value::Builtin(_)) => Ok(Callable(f)),
            Value::Attrs(a) if a.contains(b"__functor") => Ok(Callable(Value::Attrs(a))),
            other => Err(type_error("a function", &other).into()),
        }
    }
}

/// An integer or a float, as arithmetic builtins accept.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NixNumber {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
}

impl NixNumber {
    /// The value as a float.
    pub fn as_f64(self) -> f64 {
        match self {
            NixNumber::Int(i) => i as f64,
            NixNumber::Float(f) => f,
        }
    }
}

impl IntoValue for NixNumber {
    fn into_value(self) -> Value {
        match self {
            NixNumber::Int(i) => Value::Int(i),
            NixNumber::Float(f) => Value::Float(f),
        }
    }
}

/// Something callable: a lambda, a builtin, or a set with `__functor`.
#[derive(Clone)]
pub struct Callable(pub Value);

/// `null` is `None`; anything else converts as `T`.
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value, cx: &mut Ctx<'_>) -> Result<Self, Error> {
        match cx.forced(v)? {
            Value::Null => Ok(None),
            other => T::from_value(&other, cx).map(Some),
        }
    }

    async fn from_value_async(v: Value, co: &mut Co) -> Result<Self, Error> {
        match co.force(v).await {
            Value::Null => Ok(None),
            other => T::from_value_async(other, co).await.map(Some),
        }
    }
}

/// Convert every item; when some are blocked on unforced parts, ask for all of
/// them in one pass (errors after the first blocked item are found on the next).
pub(crate) fn convert_all<'v, T: FromValue>(
    items: impl ExactSizeIterator<Item = &'v Value>,
    cx: &mut Ctx<'_>,
) -> Result<Vec<T>, Error> {
    let mut out = Vec::with_capacity(items.len());
    let mut blocked = false;
    for item in items {
        match T::from_value(item, cx) {
            Ok(x) => out.push(x),
            Err(e) if e.control == Some(Control::Blocked) => blocked = true,
            Err(e) if blocked && e.control.is_none() => {}
            Err(e) => return Err(e),
        }
    }
    if blocked {
        return Err(Error::control(Control::Blocked));
    }
    Ok(out)
}

/// A list whose elements convert as `T`.
impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(v: &Value, cx: &mut Ctx<'_>) -> Result<Self, Error> {
        let list = List::from_value(v, cx)?;
        convert_all(list.iter(), cx)
    }

    async fn from_value_async(v: Value, co: &mut Co) -> Result<Self, Error> {
        let list: List = co.force_to(v).await?;
        let mut out = Vec::with_capacity(list.len());
        for e in list.iter() {
            out.push(T::from_value_async(e.clone(), co).await?);
        }
        Ok(out)
    }
}

/// A set whose values convert as `T`, by name.
impl<T: FromValue> FromValue for BTreeMap<NixString, T> {
    fn from_value(v: &Value, cx: &mut Ctx<'_>) -> Result<Self, Error> {
        let set = Attrs::from_value(v, cx)?;
        let values = convert_all(set.iter().map(|(_, v)| v), cx)?;
        Ok(set.iter().map(|(k, _)| k.clone()).zip(values).collect())
    }

    async fn from_value_async(v: Value, co: &mut Co) -> Result<Self, Error> {
        let set: Attrs = co.force_to(v).await?;
        let mut out = BTreeMap::new();
        for (k, e) in set.iter() {
            out.insert(k.clone(), T::from_value_async(e.clone(), co).await?);
        }
        Ok(out)
    }
}

/// An argument passed unforced, typed when it is forced: `#[builtin]` parameters of
/// this type are lazy.
pub struct Lazy<T> {
    value: Value,
    _type: PhantomData<fn() -> T>,
}

impl<T> Clone for Lazy<T> {
    fn clone(&self) -> Self {
        Lazy {
            value: self.value.clone(),
            _type: PhantomData,
        }
    }
}

impl<T: FromValue> Lazy<T> {
    /// The value, unforced.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The value, unforced.
    pub fn into_value(self) -> Value {
        self.value
    }

    /// Force the value and convert it.
    pub async fn force(self, co: &mut Co) -> Result<T, Error> {
        T::from_value_async(self.value, co).await
    }
}

impl<T> FromValue for Lazy<T> {
    fn from_value(v: &Value, _: &mut Ctx<'_>) -> Result<Self, Error> {
        Ok(Lazy {
            value: v.clone(),
            _type: PhantomData,
        })
    }
}

/// A path argument as Nix's `coerceToPath` takes it: a path, or anything that
/// coerces to a string (paths kept as text) starting with `/`. The string's
/// context comes along.
pub struct AbsolutePath {
    /// The path, normalised.
    pub path: PathBuf,
    /// The context of the string it was given as (empty for a path value).
    pub context: crate::value::NixContext,
    /// Given as a string ending in `/` or `/.`, so it must name a directory.
    pub names_dir: bool,
}

impl AbsolutePath {
    fn from_coerced(s: NixString) -> Result<Self, Error> {
        if !s.as_bytes().starts_with(b"/") {
            return Err(Error::msg(format!(
                "string '{}' doesn't represent an absolute path",
                s.to_str_lossy()
            )));
        }
        let b = s.as_bytes();
        Ok(AbsolutePath {
            path: PathBuf::from(crate::paths::normalise(&s.to_str_lossy())),
            context: s.context().cloned().unwrap_or_default(),
            names_dir: b.ends_with(b"/") || b.ends_with(b"/."),
        })
    }
}

impl FromValue for AbsolutePath {
    fn from_value(v: &Value, cx: &mut Ctx<'_>) -> Result<Self, Error> {
        match cx.forced(v)? {
            Value::Path(p) => Ok(AbsolutePath {
                path: (*p).clone(),
                context: Default::default(),
                names_dir: false,
            }),
            other => {
                Self::from_coerced(crate::coerce::coerce_now(&other, Coercion::KeepPaths, cx)?)
            }
        }
    }

    async fn from_value_async(v: Value, co: &mut Co) -> Result<Self, Error> {
        match co.force(v).await {
            Value::Path(p) => Ok(AbsolutePath {
                path: (*p).clone(),
                context: Default::default(),
                names_dir: false,
            }),
            other => Self::from_coerced(co.coerce_to_string(other, Coercion::KeepPaths).await),
        }
    }
}

/// How [`Coerced`] turns a value into a string.
pub trait CoercionMode {
    /// The rules.
    const RULES: Coercion;
}

/// Marker: string interpolation rules ([`Coercion::Interpolation`]).
pub struct Interpolated;
/// Marker: interpolation rules, paths kept as text ([`Coercion::KeepPaths`]).
pub struct KeepPaths;
/// Marker: `builtins.toString` rules ([`Coercion::ToString`]).
pub struct ToStringRules;

impl CoercionMode for Interpolated {
    const RULES: Coercion = Coercion::Interpolation;
}
impl CoercionMode for KeepPaths {
    const RULES: Coercion = Coercion::KeepPaths;
}
impl CoercionMode for ToStringRules {
    const RULES: Coercion = Coercion::ToString;
}

/// A string argument that also accepts what Nix coerces to a string (paths, sets
/// with `__toString` or `outPath`, and for [`ToStringRules`] numbers, Booleans,
/// null and lists). A set with `__toString` sends the call down the builtin's
/// suspending path.
pub struct Coerced<M: CoercionMode = Interpolated>(pub NixString, PhantomData<M>);

impl<M: CoercionMode> Coerced<M> {
    /// The string.
    pub fn into_inner(self) -> NixString {
        self.0
    }
}

impl<M: CoercionMode> std::ops::Deref for Coerced<M> {
    type Target = NixString;
    fn deref(&self) -> &NixString {
        &self.0
    }
}

impl<M: CoercionMode> FromValue for Coerced<M> {
    fn from_value(v: &Value, cx: &mut Ctx<'_>) -> Result<Self, Error> {
        crate::coerce::coerce_now(v, M::RULES, cx).map(|s| Coerced(s, PhantomData))
    }

    async fn from_value_async(v: Value, co: &mut Co) -> Result<Self, Error> {
        Ok(Coerced(co.coerce_to_string(v, M::RULES).await, PhantomData))
    }
}

impl IntoValue for Value {
    fn into_value(self) -> Value {
        self
    }
}

/// Implement `IntoValue` for a type wrapped into one `Value` variant.
macro_rules! into_value {
    ($($t:ty => |$x:ident| $e:expr),+ $(,)?) => {$(
        impl IntoValue for $t {
            fn into_value(self) -> Value {
                let $x = self;
                $e
            }
        }
    )+};
}

into_value!(
    i64 => |x| Value::Int(x),
    f64 => |x| Value::Float(x),
    bool => |x| Value::Bool(x),
    NixString => |x| Value::String(x),
    String => |x| Value::String(x.into()),
    &str => |x| Value::String(x.into()),
    List => |x| Value::List(x),
    Attrs => |x| Value::Attrs(x),
    PathBuf => |x| Value::Path(Rc::new(x)),
    () => |_x| Value::Null,
);

impl<M: CoercionMode> IntoValue for Coerced<M> {
    fn into_value(self) -> Value {
        Value::String(self.0)
    }
}

impl<T> IntoValue for Lazy<T> {
    fn into_value(self) -> Value {
        self.value
    }
}

impl<T: IntoValue> IntoValue for Option<T> {
    fn into_value(self) -> Value {
        match self {
            Some(v) => v.into_value(),
            None => Value::Null,
        }
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self) -> Value {
        Value::List(self.into_iter().map(IntoValue::into_value).collect())
    }
}

impl<K: Into<NixString>, T: IntoValue> IntoValue for BTreeMap<K, T> {
    fn into_value(self) -> Value {
        Value::Attrs(Attrs::from_unsorted(
            self.into_iter()
                .map(|(k, v)| (k.into(), v.into_value()))
                .collect(),
        ))
    }
}

/// Support for `#[derive(FromAttrs)]`: look up and convert one field.
#[doc(hidden)]
pub mod attrs_support {
    use super::*;

    /// Convert attribute `name` of `set` if present; record a blocked conversion in
    /// `blocked` (errors after a blocked field are found on the next pass).
    pub fn field<T: FromValue>(
        set: &Attrs,
        name: &str,
        cx: &mut Ctx<'_>,
        blocked: &mut bool,
    ) -> Result<Option<T>, Error> {
        let Some(v) = set.get(name.as_bytes()) else {
            return Ok(None);
        };
        match T::from_value(v, cx) {
            Ok(x) => Ok(Some(x)),
            Err(e) if e.control == Some(Control::Blocked) => {
                *blocked = true;
                Ok(None)
            }
            Err(e) if *blocked && e.control.is_none() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The async form of [`field`].
    pub async fn field_async<T: FromValue>(
        set: &Attrs,
        name: &str,
        co: &mut Co,
    ) -> Result<Option<T>, Error> {
        match set.get(name.as_bytes()) {
            Some(v) => T::from_value_async(v.clone(), co).await.map(Some),
            None => Ok(None),
        }
    }

    /// The error for a blocked pass.
    pub fn blocked() -> Error {
        Error::control(Control::Blocked)
    }

    /// Whether a set holds no attribute outside `known`; the first one otherwise.
    pub fn unknown<'a>(set: &'a Attrs, known: &[&str]) -> Option<&'a NixString> {
        set.iter()
            .map(|(k, _)| k)
            .find(|k| !known.iter().any(|n| n.as_bytes() == k.as_bytes()))
    }

    /// Fill `{name}` in a message template.
    pub fn message(template: &str, name: &str) -> Error {
        Error::new(ErrorKind::Other(template.replace("{name}", name)), None)
    }

    /// The set itself, forced.
    pub fn set_of(v: &Value, cx: &mut Ctx<'_>) -> Result<Attrs, Error> {
        Attrs::from_value(v, cx)
    }
}
