//! Evaluating any input under limits ends in a value or a clean error; rendering
//! the error never fails.
#![no_main]
use libfuzzer_sys::fuzz_target;

nixie_fuzz::counting_allocator!();

fuzz_target!(|data: &[u8]| {
    let mut e = nixie_fuzz::evaluation();
    let text = nixie_fuzz::source(data);
    if let Err(err) = nixie_fuzz::eval_printed(&mut e, &text) {
        let _ = e.render_error(&err, true);
    }
});
