fn main() {
    let _ = nixie_eval::Error::new(nixie_eval::ErrorKind::DivisionByZero, None);
}
