use nixie_eval::builtin;
use nixie_eval::prelude::*;

#[builtin("length")]
fn length(l: List) -> Result<i64, ErrorKind> {
    Ok(l.len() as i64)
}

fn main() {}
