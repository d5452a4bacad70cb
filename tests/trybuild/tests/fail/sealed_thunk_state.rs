fn main() {
    let _ = nixie_eval::value::ThunkState::Blackhole;
}
