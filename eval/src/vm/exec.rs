//! The bytecode interpreter for the code frame on top of the frame stack.

use super::instr::{self, const_name};
use super::ops::{self, type_error};
use super::{gen, CodeOwner, Frame, Step, Vm};
use crate::errors::{Error, ErrorKind};
use crate::opcode::Op;
use crate::value::{Closure, List, Thunk, Value};
use std::rc::Rc;

/// The trace line of a part of a string or path that cannot be coerced.
const SEGMENT: &str = "while evaluating a path segment";

impl Vm {
    /// Run the code frame on top until it returns (Some) or pushes other frames (None).
    /// `COUNT`: whether to count thunks and lookups for the statistics (an instance
    /// of its own, so that the loop pays nothing when they are not asked for).
    pub(super) fn exec_code<const COUNT: bool>(&mut self, floor: usize) -> Step {
        'frames: loop {
            let fi = self.frames.len() - 1;
            let Frame::Code {
                owner, ip, base, ..
            } = &self.frames[fi]
            else {
                unreachable!("exec_code runs only with a code frame on top")
            };
            let (mut ip, base) = (*ip as usize, *base as usize);
            // SAFETY: the frame owns an `Rc<Closure>` for as long as it is on the frame stack,
            // and the closure's heap allocation does not move when the frame vector grows.
            // `closure` is used only while this frame is on the stack: every path that pops it
            // (`Return`) leaves this iteration without touching `closure` again.
            let closure: &Closure = unsafe { &*owner.closure_ptr() };
            let proto = &closure.proto;
            let code: &[Op] = &proto.code;
            let captures = &closure.captures;

            macro_rules! span {
                () => {
                    Some(proto.span_at(ip - 1))
                };
            }
            macro_rules! fail {
                ($k:expr) => {{
                    suspend!();
                    return Err(Error::new($k, span!()));
                }};
            }
            // Fail with an error whose place is a first frame at this instruction.
            macro_rules! fail_framed {
                ($k:expr, $what:expr) => {{
                    suspend!();
                    return Err(Error::framed($k, $what, span!()));
                }};
            }
            // Frames were pushed: run a new code frame here, anything else in the main loop.
            macro_rules! continue_or_return {
                () => {{
                    if matches!(self.frames.last(), Some(Frame::Code { .. })) {
                        continue 'frames;
                    }
                    return Ok(None);
                }};
            }
            macro_rules! suspend {
                () => {
                    if let Frame::Code { ip: fip, .. } = &mut self.frames[fi] {
                        *fip = ip as u32;
                    }
                };
            }
            macro_rules! pop {
                () => {
                    self.stack
                        .pop()
                        .expect("the compiler keeps the stack balanced")
                };
            }
            macro_rules! top {
                () => {
                    self.stack
                        .last_mut()
                        .expect("the compiler keeps the stack balanced")
                };
            }
            // Push the result of an instruction function, or fail with its error.
            macro_rules! try_push {
                ($r:expr) => {
                    match $r {
                        Ok(v) => self.stack.push(v),
                        Err(k) => fail!(k),
                    }
                };
            }
            // Hand work to a helper generator; its result is pushed onto this frame's stack.
            macro_rules! via_gen {
                ($g:expr) => {{
                    suspend!();
                    match self.start_gen($g)? {
                        Some(v) => self.stack.push(v),
                        None => continue_or_return!(),
                    }
                }};
            }

            loop {
                let op = code[ip];
                ip += 1;
                match op {
                    Op::Const(c) => {
                        push_with(&mut self.stack, |_| proto.consts[c as usize].clone())
                    }
                    Op::Local(s) => push_with(&mut self.stack, |st| st[base + s as usize].clone()),
                    Op::Upvalue(u) => {
                        push_with(&mut self.stack, |_| captures.get(u as usize).clone())
                    }
                    Op::ForceLocal(s) => {
                        let slot = &mut self.stack[base + s as usize];
                        match slot {
                            Value::Thunk(t) => match t.value() {
                                Some(v) => {
                                    *slot = v.clone();
                                    self.stack.push(v);
                                }
                                None => {
                                    let t = t.clone();
                                    suspend!();
                                    match self.push_force(t, span!())? {
                                        Some(v) => self.stack.push(v),
                                        None => continue_or_return!(),
                                    }
                                }
                            },
                            v => {
                                let v = v.clone();
                                self.stack.push(v);
                            }
                        }
                    }
                    Op::Force => {
                        if let Value::Thunk(t) = top!() {
                            match t.value() {
                                Some(v) => *top!() = v,
                                None => {
                                    let t = t.clone();
                                    self.stack.pop();
                                    suspend!();
                                    match self.push_force(t, span!())? {
                                        Some(v) => self.stack.push(v),
                                        None => continue_or_return!(),
                                    }
                                }
                            }
                        }
                    }
                    Op::CloseScope(n) => {
                        let v = pop!();
                        let len = self.stack.len() - n as usize;
                        self.stack.truncate(len);
                        self.stack.push(v);
                    }
                    Op::ThunkSpec(i) if proto.children[i as usize].spec.is_some() => {
                        let child = &proto.children[i as usize];
                        let spec = child.spec.expect("checked by the guard");
                        let v = match self.speculate(&spec, child, base, captures) {
                            Some(v) => {
                                if COUNT {
                                    self.tally.thunks_avoided += 1;
                                }
                                v
                            }
                            None => {
                                if COUNT {
                                    self.tally.thunks += 1;
                                }
                                self.suspended_thunk(child, base, captures)
                            }
                        };
                        self.stack.push(v);
                    }
                    Op::Thunk(i) | Op::ThunkSpec(i) => {
                        if COUNT {
                            self.tally.thunks += 1;
                        }
                        let v = self.suspended_thunk(&proto.children[i as usize], base, captures);
                        self.stack.push(v);
                    }
                    Op::Closure(i) => {
                        let v = self.make_closure(&proto.children[i as usize], base, captures);
                        self.stack.push(v);
                    }
                    Op::Blank => {
                        if COUNT {
                            self.tally.thunks += 1;
                        }
                        self.stack.push(Value::Thunk(Thunk::blank()))
                    }
                    Op::Finalize { slot, proto: child }
                    | Op::FinalizeDefault { slot, proto: child } => {
                        let Value::Thunk(t) = &self.stack[base + slot as usize] else {
                            if matches!(op, Op::FinalizeDefault { .. }) {
                                continue;
                            }
                            unreachable!("Finalize targets a slot holding a blank thunk")
                        };
                        if matches!(op, Op::FinalizeDefault { .. }) && !t.is_blank() {
                            continue;
                        }
                        let t = t.clone();
                        self.finalize(&t, &proto.children[child as usize], base, captures);
                    }
                    Op::Jump(t) => ip = t as usize,
                    Op::JumpIfFalse(t) | Op::JumpIfTrue(t) => match pop!() {
                        Value::Bool(b) => {
                            if b == matches!(op, Op::JumpIfTrue(_)) {
                                ip = t as usize;
                            }
                        }
                        other => fail!(type_error("a Boolean", &other)),
                    },
                    Op::AssertBool => {
                        if !matches!(top!(), Value::Bool(_)) {
                            let v = pop!();
                            fail!(type_error("a Boolean", &v))
                        }
                    }
                    Op::Call => {
                        let arg = pop!();
                        let f = pop!();
                        suspend!();
                        match self.enter_call(f, arg, span!())? {
                            Some(v) => self.stack.push(v),
                            None => continue_or_return!(),
                        }
                    }
                    Op::CallBuiltin { builtin, argc } => {
                        let Value::Builtin(p) = &proto.consts[builtin as usize] else {
                            unreachable!("CallBuiltin's constant is a builtin")
                        };
                        let def = p.def;
                        let n = argc as usize;
                        let at = self.stack.len() - n;
                        let depth = if self.call_limit.is_some() {
                            suspend!();
                            self.call_depth(span!())?
                        } else {
                            0
                        };
                        // Fast path: a plain builtin whose strict arguments are all
                        // evaluated runs right here, without a frame.
                        if let crate::builtins::BuiltinFn::Sync { fast, .. } = def.func {
                            let ready = self.stack[at..]
                                .iter()
                                .enumerate()
                                .all(|(i, v)| def.lazy & (1 << i) != 0 || v.is_forced());
                            if ready {
                                for (i, v) in self.stack[at..].iter_mut().enumerate() {
                                    if def.lazy & (1 << i) == 0 {
                                        if let Value::Thunk(t) = v {
                                            *v = t.value().expect("checked evaluated above");
                                        }
                                    }
                                }
                                suspend!();
                                match self.run_fast(fast, p.pack, at, def) {
                                    super::builtin_call::SyncOutcome::Done(v) => {
                                        self.stack.truncate(at);
                                        self.stack.push(v);
                                        continue;
                                    }
                                    super::builtin_call::SyncOutcome::Failed(e) => {
                                        self.stack.truncate(at);
                                        suspend!();
                                        return Err(Vm::builtin_error_at(def, e, span!()));
                                    }
                                    super::builtin_call::SyncOutcome::Steps(steps) => {
                                        self.stack.truncate(at);
                                        suspend!();
                                        match self.start_steps(Some(def), steps, depth)? {
                                            Some(v) => {
                                                self.stack.push(v);
                                                continue;
                                            }
                                            None => continue_or_return!(),
                                        }
                                    }
                                    // Forcing or suspending: the frame below does it.
                                    _ => {}
                                }
                            }
                        }
                        suspend!();
                        self.check_depth()?;
                        self.count_builtin_call()?;
                        let base = at as u32;
                        self.push_frame(|| Frame::Builtin {
                            def: p.def,
                            pack: p.pack,
                            base,
                            next: 0,
                            depth,
                        });
                        return Ok(None);
                    }
                    Op::Return => {
                        let v = pop!();
                        self.stack.truncate(base);
                        if let Some(Frame::Code {
                            owner: CodeOwner::Closure(c),
                            ..
                        }) = self.frames.pop()
                        {
                            self.keep_spare(c);
                        }
                        match self.deliver(v, floor)? {
                            Some(v) => return Ok(Some(v)),
                            None => continue_or_return!(),
                        }
                    }
                    Op::Add => {
                        let b = pop!();
                        let a = pop!();
                        match (&a, &b) {
                            (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
                                try_push!(ops::arith(b'+', &a, &b))
                            }
                            (Value::String(x), Value::String(y)) => {
                                self.stack.push(Value::String(x.concat(y)))
                            }
                            _ => match instr::add(&a, &b) {
                                Ok(instr::AddResult::Done(v)) => self.stack.push(v),
                                Ok(instr::AddResult::Coerce) => {
                                    let segment = crate::errors::TraceFrame::new(SEGMENT, span!());
                                    let co = self.co(u32::MAX);
                                    via_gen!(gen::HelperGen::add_coerced(co, a, b, segment))
                                }
                                Err(k @ ErrorKind::Other(_)) if instr::is_coercion_error(&k) => {
                                    fail_framed!(k, SEGMENT)
                                }
                                Err(k) => fail!(k),
                            },
                        }
                    }
                    Op::Sub | Op::Mul | Op::Div => {
                        let b = pop!();
                        let a = pop!();
                        let c = match op {
                            Op::Sub => b'-',
                            Op::Mul => b'*',
                            _ => b'/',
                        };
                        match ops::arith(c, &a, &b) {
                            Ok(v) => self.stack.push(v),
                            // The place is the "while calling the 'sub' builtin" frame.
                            Err(k) => {
                                suspend!();
                                return Err(Error::unpositioned(k));
                            }
                        }
                    }
                    Op::Eq | Op::NotEq => {
                        let b = pop!();
                        let a = pop!();
                        let neg = matches!(op, Op::NotEq);
                        match ops::equal_shallow(&a, &b) {
                            Some(r) => self.stack.push(Value::Bool(r != neg)),
                            None => {
                                suspend!();
                                let g = gen::HelperGen::equal(self.co(u32::MAX), a, b, neg);
                                match self.start_gen(g)? {
                                    Some(v) => self.stack.push(v),
                                    None => continue_or_return!(),
                                }
                            }
                        }
                    }
                    Op::Less | Op::LessEq | Op::Greater | Op::GreaterEq => {
                        let b = pop!();
                        let a = pop!();
                        if let (Value::Int(x), Value::Int(y)) = (&a, &b) {
                            self.stack.push(Value::Bool(match op {
                                Op::Less => x < y,
                                Op::LessEq => x <= y,
                                Op::Greater => x > y,
                                _ => x >= y,
                            }));
                            continue;
                        }
                        // a <= b is !(b < a); a > b is b < a; a >= b is !(a < b).
                        let (x, y, neg) = match op {
                            Op::Less => (a, b, false),
                            Op::LessEq => (b, a, true),
                            Op::Greater => (b, a, false),
                            _ => (a, b, true),
                        };
                        if let (Value::List(_), Value::List(_)) = (&x, &y) {
                            via_gen!(gen::HelperGen::less(self.co(u32::MAX), x, y, neg))
                        } else {
                            match ops::less(&x, &y) {
                                Ok(r) => self.stack.push(Value::Bool(r != neg)),
                                Err(k) => {
                                    suspend!();
                                    return Err(Error::unpositioned(k));
                                }
                            }
                        }
                    }
                    Op::Not => match pop!() {
                        Value::Bool(b) => self.stack.push(Value::Bool(!b)),
                        other => fail!(type_error("a Boolean", &other)),
                    },
                    Op::Negate => match pop!() {
                        Value::Int(i) => match 0i64.checked_sub(i) {
                            Some(r) => self.stack.push(Value::Int(r)),
                            None => {
                                suspend!();
                                return Err(Error::unpositioned(ErrorKind::Overflow(
                                    "subtracting",
                                    0,
                                    i,
                                )));
                            }
                        },
                        Value::Float(f) => self.stack.push(Value::Float(0.0 - f)),
                        other => {
                            suspend!();
                            return Err(Error::unpositioned(
                                ops::arith(b'-', &Value::Int(0), &other)
                                    .expect_err("non-numbers never subtract"),
                            ));
                        }
                    },
                    Op::Concat => {
                        let b = pop!();
                        let a = pop!();
                        match instr::concat(&a, &b) {
                            Ok(v) => self.stack.push(v),
                            Err(k) => fail_framed!(
                                k,
                                "while evaluating one of the elements to concatenate"
                            ),
                        }
                    }
                    Op::Update => {
                        let b = pop!();
                        let a = pop!();
                        try_push!(instr::update(&a, &b))
                    }
                    Op::List(n) => {
                        let at = self.stack.len() - n as usize;
                        let items = self.stack.split_off(at);
                        self.stack.push(Value::List(List::from(items)));
                    }
                    Op::Attrs { n, at } => {
                        let positions = &proto.positions[at as usize];
                        try_push!(self.build_attrs_at(n, positions).map(Value::Attrs))
                    }
                    Op::AttrsDyn(n) => try_push!(self.build_attrs(n, true).map(Value::Attrs)),
                    Op::Select(c) => {
                        if COUNT {
                            self.tally.lookups += 1;
                        }
                        let v = pop!();
                        match instr::select(&v, const_name(&proto.consts[c as usize])) {
                            Ok(x) => self.stack.push(x),
                            Err(e) => {
                                suspend!();
                                return Err(instr::select_error(e, span!()));
                            }
                        }
                    }
                    Op::SelectDyn => {
                        if COUNT {
                            self.tally.lookups += 1;
                        }
                        let name = pop!();
                        let v = pop!();
                        let Value::String(name) = name else {
                            fail!(type_error("a string", &name))
                        };
                        match instr::select(&v, &name) {
                            Ok(x) => self.stack.push(x),
                            Err(e) => {
                                suspend!();
                                return Err(instr::select_error(e, span!()));
                            }
                        }
                    }
                    Op::SelectOr { name: c, jump } => {
                        if COUNT {
                            self.tally.lookups += 1;
                        }
                        let v = pop!();
                        let name = const_name(&proto.consts[c as usize]);
                        match instr::select_present(&v, name) {
                            Some(x) => self.stack.push(x),
                            None => ip = jump as usize,
                        }
                    }
                    Op::SelectOrDyn(jump) => {
                        if COUNT {
                            self.tally.lookups += 1;
                        }
                        let name = pop!();
                        let v = pop!();
                        match instr::try_select(&v, &name) {
                            Some(x) => self.stack.push(x),
                            None => ip = jump as usize,
                        }
                    }
                    Op::HasStep { name: c, jump } => {
                        let v = pop!();
                        let name = const_name(&proto.consts[c as usize]);
                        match instr::select_present(&v, name) {
                            Some(x) => self.stack.push(x),
                            None => {
                                self.stack.push(Value::Bool(false));
                                ip = jump as usize;
                            }
                        }
                    }
                    Op::HasStepDyn(jump) => {
                        let name = pop!();
                        let v = pop!();
                        match instr::try_select(&v, &name) {
                            Some(x) => self.stack.push(x),
                            None => {
                                self.stack.push(Value::Bool(false));
                                ip = jump as usize;
                            }
                        }
                    }
                    Op::HasFinal(c) => {
                        let v = pop!();
                        let name = const_name(&proto.consts[c as usize]);
                        self.stack.push(Value::Bool(
                            matches!(&v, Value::Attrs(a) if a.contains(name.as_bytes())),
                        ));
                    }
                    Op::HasFinalDyn => {
                        let name = pop!();
                        let v = pop!();
                        let r = match (&v, &name) {
                            (Value::Attrs(a), Value::String(n)) => a.contains(n.as_bytes()),
                            _ => false,
                        };
                        self.stack.push(Value::Bool(r));
                    }
                    Op::CoerceInterp => match top!() {
                        Value::String(_) => {}
                        Value::Path(p) => {
                            let p = p.clone();
                            if !self.host.borrow().io.path_exists(&p) {
                                // C++ Nix says so without a position.
                                suspend!();
                                return Err(Error::unpositioned(ErrorKind::Other(format!(
                                    "path '{}' does not exist",
                                    p.display()
                                ))));
                            }
                            let copied = self.host.borrow_mut().copy_to_store(&p);
                            match copied {
                                Ok(s) => *top!() = Value::String(s),
                                Err(k) => fail!(k),
                            }
                        }
                        Value::Attrs(_) => {
                            let v = pop!();
                            let segment = crate::errors::TraceFrame::new(SEGMENT, span!());
                            via_gen!(gen::HelperGen::coerce(self.co(u32::MAX), v, segment))
                        }
                        other => {
                            let other = other.clone();
                            fail_framed!(crate::coerce::cannot_coerce(&other), SEGMENT)
                        }
                    },
                    Op::AttrName => {
                        if let Err(k) = instr::check_attr_name(top!()) {
                            fail!(k)
                        }
                    }
                    Op::Interpolate(n) => {
                        let at = self.stack.len() - n as usize;
                        let v = instr::interpolate(self.stack.drain(at..));
                        self.stack.push(v);
                    }
                    Op::WithSelect { name: c, jump } => {
                        let v = pop!();
                        let name = const_name(&proto.consts[c as usize]);
                        match &v {
                            Value::Attrs(a) => {
                                if let Some(x) = a.get_name(name) {
                                    self.stack.push(x.clone());
                                    ip = jump as usize;
                                }
                            }
                            other => fail!(type_error("a set", other)),
                        }
                    }
                    Op::Undefined(c) => {
                        fail!(ErrorKind::UndefinedVariable(
                            const_name(&proto.consts[c as usize]).to_string()
                        ))
                    }
                    Op::Assert(c) => match pop!() {
                        Value::Bool(true) => {}
                        Value::Bool(false) => {
                            fail!(ErrorKind::AssertionFailed(
                                const_name(&proto.consts[c as usize]).to_string()
                            ))
                        }
                        other => fail!(type_error("a Boolean", &other)),
                    },
                    Op::ExplainUnequal => {
                        let b = pop!();
                        let a = pop!();
                        let eq = span!();
                        suspend!();
                        let g = super::coroutine::GenFrame {
                            fut: Box::pin(super::assert_eq::explain(self.co(u32::MAX), a, b, eq)),
                            def: None,
                        };
                        match self.start_gen(g)? {
                            Some(_) => {}
                            None => continue_or_return!(),
                        }
                    }
                    Op::CheckFormals => {
                        let v = pop!();
                        if let Err(k) = instr::check_formals(proto, &v) {
                            let hint = match &k {
                                ErrorKind::UnexpectedArgument { arg, .. } => {
                                    instr::formal_hint(proto, arg)
                                }
                                _ => None,
                            };
                            suspend!();
                            let e = Error::new(k, span!());
                            return Err(match hint {
                                Some(h) => e.with_hint(h),
                                None => e,
                            });
                        }
                        self.stack[base] = v;
                    }
                    Op::Formal(c) => {
                        let Value::Attrs(a) = &self.stack[base] else {
                            unreachable!("CheckFormals stored a set in slot 0")
                        };
                        let name = const_name(&proto.consts[c as usize]);
                        let v = match a.get_name(name) {
                            Some(v) => v.clone(),
                            None => Value::Thunk(Thunk::blank()),
                        };
                        self.stack.push(v);
                    }
                    Op::ToPath => {
                        let v = pop!();
                        let Value::String(s) = &v else {
                            fail!(type_error("a string", &v))
                        };
                        let p = crate::paths::resolve(&proto.dir, &s.to_str_lossy());
                        self.stack.push(Value::Path(Rc::new(p)));
                    }
                    Op::SearchPath => {
                        let v = pop!();
                        let Value::String(s) = &v else {
                            fail!(type_error("a string", &v))
                        };
                        let found = self.host.borrow().find_search_path(&s.to_str_lossy());
                        match found {
                            Ok(p) => self.stack.push(Value::Path(Rc::new(p))),
                            Err(k) => fail!(k),
                        }
                    }
                }
            }
        }
    }
}

/// Push the value `make` produces (it may read the stack) once there is room for
/// it, so that it is written in place: a value built first and then copied in is
/// read back with wider loads than it was stored with, which stalls the copy.
#[inline(always)]
fn push_with(stack: &mut Vec<Value>, make: impl FnOnce(&[Value]) -> Value) {
    if stack.len() == stack.capacity() {
        stack.reserve(1);
    }
    let len = stack.len();
    let v = make(stack);
    // SAFETY: the capacity exceeds `len` (reserved above, and `make` only reads), and
    // the slot at `len` is initialised before the length grows to cover it.
    unsafe {
        stack.as_mut_ptr().add(len).write(v);
        stack.set_len(len + 1);
    }
}
