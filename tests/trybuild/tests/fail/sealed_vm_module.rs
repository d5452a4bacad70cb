use nixie_eval::vm::Vm;

fn main() {}
