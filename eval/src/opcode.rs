//! Bytecode: opcodes, compiled functions ("protos") and their span tables.

use crate::source::Span;
use crate::value::{NixString, Value};
use std::rc::Rc;

/// Where a new closure or thunk takes one captured value from, in the creating frame.
#[derive(Clone, Copy, Debug)]
pub enum Capture {
    /// A local slot of the creating frame.
    Local(u32),
    /// An upvalue of the creating frame.
    Upvalue(u32),
}

/// The formal parameters of a lambda with a `{ … }` pattern.
#[derive(Debug)]
pub struct Formals {
    /// Names with whether each has a default, in source order.
    pub entries: Vec<(NixString, bool)>,
    /// Where each was declared, parallel to `entries`.
    pub spans: Vec<crate::source::Span>,
    /// Whether `...` allows other attributes.
    pub ellipsis: bool,
}

/// An operand of a speculable thunk body.
#[derive(Clone, Copy, Debug)]
pub enum SpecOperand {
    /// The thunk's captured value n.
    Capture(u32),
    /// An integer constant.
    Int(i64),
}

/// A thunk body of the form `a + b`, `a - b` or `a * b` on captures and integer constants.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// `b'+'`, `b'-'` or `b'*'`.
    pub op: u8,
    /// Left operand.
    pub a: SpecOperand,
    /// Right operand.
    pub b: SpecOperand,
}

/// A stretch of a proto's code evaluated on behalf of an enclosing construct, as
/// C++ Nix's `… in the left operand of '=='` lines say: an error escaping an
/// instruction in `start..end` gets this frame. Looked up only while unwinding.
#[derive(Clone, Copy, Debug)]
pub struct ContextRange {
    /// First instruction covered.
    pub start: u32,
    /// One past the last instruction covered.
    pub end: u32,
    /// Byte offset of the frame's position in the proto's file, or [`NO_POS`].
    pub pos: u32,
    /// The frame's text.
    pub what: ContextWhat,
}

/// [`ContextRange::pos`] of a frame without a position.
pub const NO_POS: u32 = u32::MAX;

/// The text of a context frame: one of [`FIXED_CONTEXTS`], or made from one of the
/// proto's [`Proto::context_texts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContextWhat {
    /// `FIXED_CONTEXTS[i]`.
    Fixed(u8),
    /// "while evaluating the attribute '{path}'".
    Attribute(u32),
    /// "from the definition of '{path}'", at where the failing value was defined.
    Definition(u32),
    /// The text itself.
    Text(u32),
}

/// The context frames whose text never varies.
pub const FIXED_CONTEXTS: &[&str] = &[
    "while selecting an attribute",
    "while evaluating an attribute name",
    "in the condition of the assert statement",
    "while evaluating a branch condition",
    "in the argument of '!'",
    "in an operand of '+'",
    "while calling the 'sub' builtin",
    "while calling the 'mul' builtin",
    "while calling the 'div' builtin",
    "while calling the 'lessThan' builtin",
    "in the left operand of '=='",
    "in the right operand of '=='",
    "in the left operand of '!='",
    "in the right operand of '!='",
    "in the left operand of '&&'",
    "in the right operand of '&&'",
    "in the left operand of '||'",
    "in the right operand of '||'",
    "in the left operand of '->'",
    "in the right operand of '->'",
    "in the left operand of '++'",
    "in the right operand of '++'",
    "in the left operand of '//'",
    "in the right operand of '//'",
    "in the argument of '?'",
];

impl ContextRange {
    /// The frame's text, made from the proto's texts.
    pub fn text(&self, proto: &Proto) -> String {
        match self.what {
            ContextWhat::Fixed(i) => FIXED_CONTEXTS[i as usize].to_string(),
            ContextWhat::Attribute(t) => {
                format!(
                    "while evaluating the attribute '{}'",
                    proto.context_texts[t as usize]
                )
            }
            ContextWhat::Definition(t) => {
                format!(
                    "from the definition of '{}'",
                    proto.context_texts[t as usize]
                )
            }
            ContextWhat::Text(t) => proto.context_texts[t as usize].to_string(),
        }
    }

    /// The frame's position in `proto`'s file.
    pub fn span(&self, proto: &Proto) -> Option<Span> {
        (self.pos != NO_POS).then_some(Span {
            file: proto.span.file,
            start: self.pos,
            end: self.pos,
        })
    }
}

/// What a proto is the body of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtoKind {
    /// A whole file or expression.
    File,
    /// A lambda.
    Lambda,
    /// A thunk.
    Thunk,
}

/// One instruction. Operands index the proto's constants, children or code.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    /// Push constant n.
    Const(u32),
    /// Push the value of local slot n.
    Local(u32),
    /// Push upvalue n.
    Upvalue(u32),
    /// Force the top of the stack to weak head normal form.
    Force,
    /// `Local(n)` then `Force`, memoising an evaluated thunk's value into the slot.
    ForceLocal(u32),
    /// Keep the top value but drop the n values below it (end of a scope).
    CloseScope(u32),
    /// Push a thunk running child proto n.
    Thunk(u32),
    /// Like `Thunk`, but if the child is simple integer arithmetic on values that are
    /// already evaluated and it cannot fail, push the result instead (used for arguments).
    ThunkSpec(u32),
    /// Push a closure of child proto n.
    Closure(u32),
    /// Push a blank thunk, to be finalised once its siblings exist.
    Blank,
    /// Give the blank thunk in local `slot` the code of child `proto`.
    Finalize {
        /// Local slot holding the blank thunk.
        slot: u32,
        /// Child proto index.
        proto: u32,
    },
    /// Like `Finalize`, but only if the slot still holds a blank thunk.
    FinalizeDefault {
        /// Local slot.
        slot: u32,
        /// Child proto index.
        proto: u32,
    },
    /// Unconditional jump to an absolute instruction index.
    Jump(u32),
    /// Pop a forced bool; jump if false. Type error if not a bool.
    JumpIfFalse(u32),
    /// Pop a forced bool; jump if true.
    JumpIfTrue(u32),
    /// Check that the forced top is a bool (for `&&`, `||`, `->` right operands).
    AssertBool,
    /// Pop a forced function and an argument; call.
    Call,
    /// Call the builtin in constant `builtin` with the `argc` (= its arity) values on top.
    CallBuiltin {
        /// Constant index of the (unapplied) builtin.
        builtin: u32,
        /// Number of arguments on the stack.
        argc: u32,
    },
    /// Return the top of the stack from this frame.
    Return,
    /// Arithmetic and comparison on the two forced top values.
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `==`
    Eq,
    /// `!=`
    NotEq,
    /// `<`
    Less,
    /// `<=`
    LessEq,
    /// `>`
    Greater,
    /// `>=`
    GreaterEq,
    /// `!` on a forced bool.
    Not,
    /// Unary minus.
    Negate,
    /// `++` on two forced lists.
    Concat,
    /// `//` on two forced sets.
    Update,
    /// Pop n values into a list.
    List(u32),
    /// Pop n (name, value) pairs into a set; names are forced strings in order.
    /// `at` indexes the proto's position tables (where each attribute is defined).
    Attrs {
        /// Number of pairs.
        n: u32,
        /// Index into `Proto::positions`.
        at: u32,
    },
    /// Like `Attrs`, for a set with dynamic names (duplicates are "dynamic attribute" errors).
    AttrsDyn(u32),
    /// Pop a forced set; push attribute (constant n) or fail.
    Select(u32),
    /// Pop a forced value; if it is a set with attribute `name`, push it, else jump.
    SelectOr {
        /// Constant index of the name.
        name: u32,
        /// Where the default expression starts.
        jump: u32,
    },
    /// Pop a forced value; if a set with `name`, push the attribute; else push false and jump.
    HasStep {
        /// Constant index of the name.
        name: u32,
        /// Jump target past the whole `?` chain.
        jump: u32,
    },
    /// Pop a forced value; push whether it is a set with attribute `name`.
    HasFinal(u32),
    /// Pop a forced value and a dynamic name; like `Select`/`HasStep` with a runtime name.
    SelectDyn,
    /// Dynamic `SelectOr`.
    SelectOrDyn(u32),
    /// Dynamic `HasStep`.
    HasStepDyn(u32),
    /// Dynamic `HasFinal`.
    HasFinalDyn,
    /// Coerce the forced top to a string for interpolation (may call `__toString`).
    CoerceInterp,
    /// Coerce the forced top to an attribute name (string; null stays null).
    AttrName,
    /// Pop n strings; push their concatenation.
    Interpolate(u32),
    /// Pop a forced `with` scope; if it has attribute `name`, push it and jump.
    WithSelect {
        /// Constant index of the name.
        name: u32,
        /// Jump target after the lookup chain.
        jump: u32,
    },
    /// Fail with "undefined variable" (constant n is the name).
    Undefined(u32),
    /// Pop a forced bool; fail with assertion error (constant n is the source text) if false.
    Assert(u32),
    /// Pop the two forced sides of a failed `assert a == b` and fail with their first
    /// difference (or go on when none is found).
    ExplainUnequal,
    /// Check the forced argument in slot 0 against the proto's formals.
    CheckFormals,
    /// Push the formal (constant n) from the set in slot 0, or a blank thunk if absent.
    Formal(u32),
    /// Pop a forced string; push it as a path relative to this file's directory.
    ToPath,
    /// Pop a search path name string; resolve it through `-I`/`NIX_PATH`.
    SearchPath,
}

/// The facts the compiler needs about each instruction, kept with it.
impl Op {
    /// The stack effect of an instruction on fall-through.
    pub fn stack_effect(&self) -> i32 {
        match self {
            Op::Const(_)
            | Op::Local(_)
            | Op::Upvalue(_)
            | Op::Thunk(_)
            | Op::ThunkSpec(_)
            | Op::Closure(_)
            | Op::Blank
            | Op::ForceLocal(_) => 1,
            Op::Formal(_) => 1,
            Op::Force | Op::Not | Op::Negate | Op::AssertBool | Op::CoerceInterp | Op::AttrName => {
                0
            }
            Op::Select(_) | Op::SelectOr { .. } | Op::HasStep { .. } | Op::HasFinal(_) => 0,
            Op::ToPath | Op::SearchPath => 0,
            Op::Finalize { .. } | Op::FinalizeDefault { .. } | Op::Jump(_) => 0,
            Op::JumpIfFalse(_) | Op::JumpIfTrue(_) | Op::Assert(_) | Op::CheckFormals => -1,
            Op::ExplainUnequal => -2,
            Op::WithSelect { .. } => -1,
            Op::CloseScope(n) => -(*n as i32),
            Op::Call => -1,
            Op::CallBuiltin { argc, .. } => 1 - *argc as i32,
            Op::Return => -1,
            Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Eq | Op::NotEq => -1,
            Op::Less | Op::LessEq | Op::Greater | Op::GreaterEq | Op::Concat | Op::Update => -1,
            Op::SelectDyn | Op::SelectOrDyn(_) | Op::HasStepDyn(_) | Op::HasFinalDyn => -1,
            Op::List(n) => 1 - *n as i32,
            Op::Attrs { n, .. } | Op::AttrsDyn(n) => 1 - 2 * *n as i32,
            Op::Interpolate(n) => 1 - *n as i32,
            Op::Undefined(_) => 0,
        }
    }

    /// Whether the value this instruction leaves on top is always forced (so a
    /// following `Force` can be skipped). `Const` depends on the constant.
    pub fn result_is_forced(&self) -> bool {
        matches!(
            self,
            Op::Force
                | Op::ForceLocal(_)
                | Op::Add
                | Op::Sub
                | Op::Mul
                | Op::Div
                | Op::Eq
                | Op::NotEq
                | Op::Less
                | Op::LessEq
                | Op::Greater
                | Op::GreaterEq
                | Op::Not
                | Op::Negate
                | Op::Concat
                | Op::Update
                | Op::List(_)
                | Op::Attrs { .. }
                | Op::AttrsDyn(_)
                | Op::Interpolate(_)
                | Op::Closure(_)
                | Op::HasFinal(_)
                | Op::HasFinalDyn
                | Op::ToPath
                | Op::SearchPath
                | Op::CoerceInterp
                | Op::AssertBool
        )
    }

    /// The jump target of a jumping instruction, to patch once it is known.
    pub fn jump_target_mut(&mut self) -> Option<&mut u32> {
        match self {
            Op::Jump(t) | Op::JumpIfFalse(t) | Op::JumpIfTrue(t) => Some(t),
            Op::SelectOr { jump, .. } | Op::HasStep { jump, .. } | Op::WithSelect { jump, .. } => {
                Some(jump)
            }
            Op::SelectOrDyn(t) | Op::HasStepDyn(t) => Some(t),
            _ => None,
        }
    }
}

/// A compiled function body: a lambda, a thunk, or a whole file.
pub struct Proto {
    /// The instructions.
    pub code: Vec<Op>,
    /// Constants referenced by `Const`, `Select`, ….
    pub consts: Vec<Value>,
    /// Lambdas and thunks created by this body.
    pub children: Vec<Rc<Proto>>,
    /// How to capture upvalues when this proto is instantiated.
    pub captures: Vec<Capture>,
    /// (first instruction, span) pairs, sorted; looked up only for errors.
    pub spans: Vec<(u32, Span)>,
    /// The whole body's span.
    pub span: Span,
    /// For a lambda: the file, line and column it is written at (for `«lambda @ …»`).
    pub position: Option<(Rc<str>, u32, u32)>,
    /// Context frames for stretches of code, innermost (earliest closed) first.
    pub contexts: Vec<ContextRange>,
    /// Texts the context frames are made from (attribute paths, assertion texts).
    pub context_texts: Vec<Rc<str>>,
    /// Where the attributes of each set literal built here are defined (`Op::Attrs`).
    pub positions: Vec<crate::value::Positions>,
    /// For the thunk of an attribute's value: where the attribute is defined.
    pub attr_pos: Option<Span>,
    /// What this is the body of.
    pub kind: ProtoKind,
    /// The binding name a lambda was given (`f = x: …`), if any.
    pub name: Option<Rc<str>>,
    /// A lambda's doc comment (`/** … */` before it or before its binding),
    /// indentation stripped.
    pub doc: Option<Rc<str>>,
    /// The lambda's `{ … }` formals, if any.
    pub formals: Option<Formals>,
    /// The lambda's parameter name: `x` in `x: …`, `args` in `{ … }@args: …`.
    pub param: Option<Rc<str>>,
    /// For a thunk that is plain integer arithmetic: how to compute it eagerly.
    pub spec: Option<Spec>,
    /// The directory relative paths resolve against.
    pub dir: Rc<std::path::Path>,
}

impl Proto {
    /// For a lambda whose body is only another lambda (the `a:` of a curried
    /// `a: b: …`), that lambda's child index: calling it only makes the inner one.
    #[inline]
    pub(crate) fn curried_inner(&self) -> Option<u32> {
        match *self.code {
            [Op::Closure(inner), Op::Return] => Some(inner),
            _ => None,
        }
    }

    /// The span of the instruction at `ip`.
    pub fn span_at(&self, ip: usize) -> Span {
        let ip = ip as u32;
        match self.spans.binary_search_by(|(i, _)| i.cmp(&ip)) {
            Ok(i) => self.spans[i].1,
            Err(0) => self.span,
            Err(i) => self.spans[i - 1].1,
        }
    }

    /// The context frames covering the instruction at `ip`, innermost first.
    pub fn contexts_at(&self, ip: usize) -> impl Iterator<Item = &ContextRange> {
        let ip = ip as u32;
        self.contexts
            .iter()
            .filter(move |c| c.start <= ip && ip < c.end)
    }

    /// The name used for this lambda in messages.
    pub fn display_name(&self) -> String {
        match &self.name {
            Some(n) => n.to_string(),
            None => "anonymous lambda".into(),
        }
    }
}
