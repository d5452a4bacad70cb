fn main() {
    let _ = nixie_eval::opcode::Op::Force;
}
