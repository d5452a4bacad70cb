fn f(v: nixie_eval::Value) {
    if let nixie_eval::Value::Builtin(p) = v {
        let _ = p.args.len();
    }
}

fn main() {}
