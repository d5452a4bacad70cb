//! Evaluation errors: a kind, a span, and a trace built while unwinding.

use crate::source::{SourceMap, Span};

/// What went wrong, with the data to describe it.
#[derive(Clone, Debug)]
pub enum ErrorKind {
    /// `throw msg` (catchable by `tryEval`).
    Throw(String),
    /// `abort msg`.
    Abort(String),
    /// A failed `assert`, with the condition's source text (catchable).
    AssertionFailed(String),
    /// Why a failed `assert a == b` failed: the first difference (catchable).
    AssertionUnequal(String),
    /// A thunk forced while it was being forced.
    InfiniteRecursion,
    /// A name with no binding and no `with` providing it.
    UndefinedVariable(String),
    /// `set.name` where the set lacks `name`.
    MissingAttribute(String),
    /// A value of the wrong type: (expected, found description, printed value).
    TypeError {
        /// The expected type, e.g. "a set".
        expected: &'static str,
        /// The found type, e.g. "an integer".
        found: &'static str,
        /// A short rendering of the value.
        value: String,
    },
    /// Calling something that is not a function.
    NotCallable {
        /// Found type description.
        found: &'static str,
        /// A short rendering of the value.
        value: String,
    },
    /// Arithmetic overflow: (operation verb, left, right).
    Overflow(&'static str, i64, i64),
    /// Division by zero.
    DivisionByZero,
    /// A function called without a required formal argument.
    MissingArgument {
        /// The function's name, or "anonymous lambda".
        func: String,
        /// The missing argument.
        arg: String,
    },
    /// A function called with an argument its formals do not accept.
    UnexpectedArgument {
        /// The function's name, or "anonymous lambda".
        func: String,
        /// The unexpected argument.
        arg: String,
    },
    /// An attribute defined twice.
    DuplicateAttribute(String),
    /// A syntax error.
    Parse(String),
    /// The call stack grew beyond the configured limit.
    StackOverflow,
    /// A file system or environment failure.
    Io(String),
    /// Any other error, with its full message.
    Other(String),
    /// An error that already has its own position (e.g. a syntax error in an imported file).
    Located(Box<Error>),
    /// A resource limit was reached or the evaluation was interrupted (no trace).
    LimitExceeded(crate::limits::Exceeded),
}

impl ErrorKind {
    /// Whether `builtins.tryEval` catches this error.
    pub fn is_catchable(&self) -> bool {
        match self {
            ErrorKind::Throw(_)
            | ErrorKind::AssertionFailed(_)
            | ErrorKind::AssertionUnequal(_) => true,
            ErrorKind::Located(e) => e.kind.is_catchable(),
            _ => false,
        }
    }

    /// The one-line message, as after `error: `.
    pub fn message(&self) -> String {
        match self {
            ErrorKind::Throw(m) => m.clone(),
            ErrorKind::Abort(m) => {
                format!("evaluation aborted with the following error message: '{m}'")
            }
            ErrorKind::AssertionFailed(c) => format!("assertion '{c}' failed"),
            ErrorKind::AssertionUnequal(m) => m.clone(),
            ErrorKind::InfiniteRecursion => "infinite recursion encountered".into(),
            ErrorKind::UndefinedVariable(n) => format!("undefined variable '{n}'"),
            ErrorKind::MissingAttribute(n) => format!("attribute '{n}' missing"),
            ErrorKind::TypeError {
                expected,
                found,
                value,
            } => {
                format!("expected {expected} but found {found}: {value}")
            }
            ErrorKind::NotCallable { found, value } => {
                format!("attempt to call something which is not a function but {found}: {value}")
            }
            ErrorKind::Overflow(op, a, b) => {
                let sym = match *op {
                    "adding" => "+",
                    "subtracting" => "-",
                    "multiplying" => "*",
                    "dividing" => "/",
                    _ => "?",
                };
                format!("integer overflow in {op} {a} {sym} {b}")
            }
            ErrorKind::DivisionByZero => "division by zero".into(),
            ErrorKind::MissingArgument { func, arg } => {
                format!("function '{func}' called without required argument '{arg}'")
            }
            ErrorKind::UnexpectedArgument { func, arg } => {
                let arg = crate::printer::identifier_text(arg.as_bytes());
                format!("function '{func}' called with unexpected argument '{arg}'")
            }
            ErrorKind::DuplicateAttribute(n) => format!("attribute '{n}' already defined"),
            ErrorKind::Parse(m) => m.clone(),
            ErrorKind::StackOverflow => "stack overflow; max-call-depth exceeded".into(),
            ErrorKind::LimitExceeded(x) => x.message(),
            ErrorKind::Io(m) => m.clone(),
            ErrorKind::Other(m) => m.clone(),
            ErrorKind::Located(e) => e.kind.message(),
        }
    }
}

/// One `… while …` line of a trace.
#[derive(Clone, Debug)]
pub struct TraceFrame {
    /// What was going on, e.g. "while calling 'f'".
    pub what: String,
    /// Where.
    pub span: Option<Span>,
    /// Shown only with `--show-trace` (C++ Nix records these only then).
    pub verbose: bool,
    /// Shown even where a trace is cut short without `--show-trace`.
    pub always: bool,
    /// The position is written at the end of the text (`file:line:column`), without
    /// the code around it.
    pub inline: bool,
}

/// What a builtin is in the middle of, told only when an error unwinds through
/// it (see [`crate::Co::force_traced`]): the `… while …` frames, innermost first.
pub trait TraceSource {
    /// The frames describing the work in progress, innermost first.
    fn trace(&self) -> Vec<TraceFrame>;
}

impl TraceFrame {
    /// A frame saying what was going on, at a position if given.
    pub fn new(what: impl Into<String>, span: Option<Span>) -> TraceFrame {
        TraceFrame {
            what: what.into(),
            span,
            verbose: false,
            always: false,
            inline: false,
        }
    }

    /// A frame printed even in a trace cut short, whose text ends with the position
    /// written out (`… located at file:line:column`) instead of its code.
    pub fn always_located(what: impl Into<String>, span: Option<Span>) -> TraceFrame {
        TraceFrame {
            always: true,
            inline: true,
            ..TraceFrame::new(what, span)
        }
    }

    /// A frame printed even in a trace cut short without `--show-trace` (C++ Nix's
    /// "while evaluating derivation" lines).
    pub fn always(what: impl Into<String>) -> TraceFrame {
        TraceFrame {
            always: true,
            ..TraceFrame::new(what, None)
        }
    }
}

/// An error escaping evaluation: kind, position, an optional hint and a trace.
///
/// Builtins build errors with [`Error::throw`] (catchable by `builtins.tryEval`) or
/// [`Error::msg`] (not catchable), or convert anything `Into<Error>` with `?`
/// (`ErrorKind`, `String`, `&str`, `std::io::Error` and common parse errors).
#[derive(Clone, Debug)]
pub struct Error(Box<ErrorData>);

/// The contents of an [`Error`], boxed so that results stay small; read them
/// through `Error`'s methods.
#[derive(Clone, Debug)]
pub struct ErrorData {
    /// What went wrong.
    pub(crate) kind: ErrorKind,
    /// Where it went wrong, if known.
    pub(crate) span: Option<Span>,
    /// A second line of explanation, printed after the message.
    pub(crate) hint: Option<String>,
    /// Outermost-last frames, filled in while unwinding.
    pub(crate) trace: Vec<TraceFrame>,
    /// A control signal between the framework and the VM, never shown to users.
    pub(crate) control: Option<Control>,
    /// The error has no position of its own (C++ Nix puts its place in a frame):
    /// unwinding must not give it the failing instruction's.
    pub(crate) unpositioned: bool,
    /// For infinite recursion: the address of the thunk forced again, whose first
    /// forcing gets the frame "entering the infinite recursion".
    pub(crate) recursion_of: usize,
    /// The command line asked for something impossible (C++ Nix's `UsageError`).
    pub(crate) usage: bool,
    /// A message frame was just added for the builtin being unwound, which then
    /// adds no "while calling" line (C++ Nix's `addErrorContext`).
    pub(crate) annotated: bool,
}

/// Signals a builtin's wrapper sends the VM through the error channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Control {
    /// Run the builtin's suspending path instead.
    Suspend,
    /// Force the values recorded in the context's demand list, then call again.
    Blocked,
}

impl std::ops::Deref for Error {
    type Target = ErrorData;
    fn deref(&self) -> &ErrorData {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorData {
        &mut self.0
    }
}

impl Error {
    /// An error of the given kind at a span.
    pub(crate) fn new(kind: ErrorKind, span: Option<Span>) -> Error {
        // A reached limit has no place in the code (C++ Nix's interrupt has none).
        let limit = matches!(kind, ErrorKind::LimitExceeded(_));
        Error(Box::new(ErrorData {
            kind,
            span: span.filter(|_| !limit),
            hint: None,
            trace: Vec::new(),
            control: None,
            unpositioned: limit,
            recursion_of: 0,
            usage: false,
            annotated: false,
        }))
    }

    /// An error without a position of its own, its place given by a first frame
    /// `what` at `span` (as C++ Nix's `forceAttrs(v, pos, "while selecting an attribute")`).
    pub(crate) fn framed(kind: ErrorKind, what: &str, span: Option<Span>) -> Error {
        let mut e = Error::new(kind, None);
        e.unpositioned = true;
        e.push_frame(what.to_string(), span);
        e
    }

    /// A resource limit reached: no position and no trace, as C++ Nix reports an
    /// interrupt.
    pub fn limit(x: crate::limits::Exceeded) -> Error {
        Error::new(ErrorKind::LimitExceeded(x), None)
    }

    /// Whether this is a reached resource limit (which gathers no trace).
    pub fn is_limit(&self) -> bool {
        matches!(self.kind, ErrorKind::LimitExceeded(_))
    }

    /// An error that stays without a position.
    pub(crate) fn unpositioned(kind: ErrorKind) -> Error {
        let mut e = Error::new(kind, None);
        e.unpositioned = true;
        e
    }

    /// A catchable error, as `throw msg` raises: `builtins.tryEval` sees it.
    pub fn throw(msg: impl Into<String>) -> Error {
        Error::new(ErrorKind::Throw(msg.into()), None)
    }

    /// An error in how something was asked for (an unknown hash algorithm, …), which
    /// C++ Nix's command line follows with a pointer to `--help`.
    pub fn usage(msg: impl Into<String>) -> Error {
        let mut e = Error::msg(msg);
        e.usage = true;
        e
    }

    /// Whether this is a usage error (see [`Error::usage`]).
    pub fn is_usage(&self) -> bool {
        self.usage
    }

    /// An error that `builtins.tryEval` cannot catch, with this message.
    pub fn msg(msg: impl Into<String>) -> Error {
        Error::new(ErrorKind::Other(msg.into()), None)
    }

    /// The same error with a `… while …` trace frame saying what was going on
    /// (as C++ Nix's "while evaluating the second argument passed to …"); frames
    /// added later are further out.
    pub fn context(mut self, what: impl Into<String>) -> Error {
        if self.control.is_none() {
            self.push_frame(what.into(), None);
        }
        self
    }

    /// The same error placed at `span` (if it has no position yet).
    pub fn at(mut self, span: Option<Span>) -> Error {
        if self.span.is_none() && !self.is_limit() {
            self.span = span;
        }
        self
    }

    /// Like [`Error::context`], with the frame at a position (shown with its code).
    pub fn context_at(self, what: impl Into<String>, span: Option<Span>) -> Error {
        self.with_frame(TraceFrame::new(what, span))
    }

    /// The same error with `frame` added further out than its frames so far.
    pub fn with_frame(mut self, frame: TraceFrame) -> Error {
        if self.control.is_none() && !self.is_limit() {
            self.trace.push(frame);
        }
        self
    }

    /// The same error without the outermost frame `drop` picks: for a caller that reached
    /// the failing code through a helper (a builtin, a wrapper expression) that
    /// C++ Nix does not go through, and whose frames it should not show.
    pub fn without_outer_frame(mut self, drop: impl Fn(&TraceFrame) -> bool) -> Error {
        if let Some(i) = self.trace.iter().rposition(drop) {
            self.trace.remove(i);
        }
        self
    }

    /// The same error with a hint line under the message.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Error {
        self.hint = Some(hint.into());
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Where it went wrong, if known.
    pub fn span(&self) -> Option<Span> {
        self.span
    }

    /// The hint, if any.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// The `… while …` frames, innermost first.
    pub fn trace(&self) -> &[TraceFrame] {
        &self.trace
    }

    /// Whether `builtins.tryEval` (and [`crate::Co::try_call`]) catch this error.
    pub fn is_catchable(&self) -> bool {
        self.control.is_none() && self.kind.is_catchable()
    }

    /// The one-line message, as printed after `error: `.
    pub fn message(&self) -> String {
        self.kind.message()
    }

    pub(crate) fn control(c: Control) -> Error {
        let mut e = Error::new(ErrorKind::Other(format!("internal: {c:?} escaped")), None);
        e.control = Some(c);
        e
    }

    /// Keep a runaway trace bounded: past `3 * TRACE_KEEP` frames, frames from the
    /// middle (repeats of a recursion, as a rule) are dropped, keeping the innermost
    /// and the latest (outermost so far).
    fn bound_trace(&mut self) {
        if self.trace.len() >= 3 * TRACE_KEEP {
            self.trace.drain(TRACE_KEEP..2 * TRACE_KEEP);
        }
    }

    /// Add a `… while …` frame (outer frames are added later).
    pub(crate) fn push_frame(&mut self, what: String, span: Option<Span>) {
        if self.is_limit() {
            return;
        }
        self.bound_trace();
        self.trace.push(TraceFrame {
            what,
            span,
            verbose: false,
            always: false,
            inline: false,
        });
    }

    /// Add a frame shown even in a trace cut short.
    pub(crate) fn push_always_frame(&mut self, what: String) {
        if self.is_limit() {
            return;
        }
        self.trace.push(TraceFrame {
            what,
            span: None,
            verbose: false,
            always: true,
            inline: false,
        });
    }

    /// Add a frame shown only with `--show-trace`.
    pub(crate) fn push_verbose_frame(&mut self, what: String, span: Option<Span>) {
        self.bound_trace();
        self.trace.push(TraceFrame {
            what,
            span,
            verbose: true,
            always: false,
            inline: false,
        });
    }

    /// Render as C++ Nix prints it to a file or pipe: optional trace lines, then
    /// `error: message` with position.
    pub fn render(&self, sources: &SourceMap, show_trace: bool) -> String {
        self.render_labelled(sources, show_trace, "error")
    }

    /// Render as C++ Nix prints it to a colour terminal (see
    /// [`crate::stderr_has_colour`]).
    pub fn render_coloured(&self, sources: &SourceMap, show_trace: bool) -> String {
        let text = crate::render::render(self, sources, show_trace, "error");
        crate::terminal_text(&text, true)
    }

    /// Render as `render` does, with another label than `error` (e.g. `warning`).
    pub fn render_labelled(&self, sources: &SourceMap, show_trace: bool, label: &str) -> String {
        let text = crate::render::render(self, sources, show_trace, label);
        crate::terminal_text(&text, false)
    }
}

/// How many innermost frames a runaway trace keeps (see `Error::bound_trace`).
const TRACE_KEEP: usize = 10_000;

/// Result of evaluation steps.
pub type EvalResult<T> = Result<T, Error>;

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.kind.message())
    }
}

impl std::error::Error for Error {}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Error {
        match kind {
            ErrorKind::Located(e) => *e,
            kind => Error::new(kind, None),
        }
    }
}

/// An error kept whole inside a kind, so that `?` also works in functions that
/// return `Result<_, ErrorKind>`.
impl From<Error> for ErrorKind {
    fn from(e: Error) -> ErrorKind {
        ErrorKind::Located(Box::new(e))
    }
}

impl From<String> for Error {
    fn from(msg: String) -> Error {
        Error::msg(msg)
    }
}

impl From<&str> for Error {
    fn from(msg: &str) -> Error {
        Error::msg(msg)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::new(ErrorKind::Io(crate::lang_builtins::io_msg(&e)), None)
    }
}

macro_rules! from_display {
    ($($t:ty),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Error {
                Error::msg(e.to_string())
            }
        }
    )*};
}
from_display!(
    std::fmt::Error,
    std::str::Utf8Error,
    std::string::FromUtf8Error,
    std::num::ParseIntError,
    std::num::ParseFloatError,
    std::num::TryFromIntError
);
