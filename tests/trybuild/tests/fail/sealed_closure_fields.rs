fn f(v: nixie_eval::Value) {
    if let nixie_eval::Value::Closure(c) = v {
        let _ = &c.proto;
    }
}

fn main() {}
