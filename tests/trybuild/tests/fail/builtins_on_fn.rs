use nixie_eval::builtins;

#[builtins]
fn length(l: nixie_eval::value::List) -> Result<i64, nixie_eval::ErrorKind> {
    Ok(l.len() as i64)
}

fn main() {}
