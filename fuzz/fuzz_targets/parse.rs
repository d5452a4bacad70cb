//! Parsing and compiling any input ends in code or a syntax/scope error.
#![no_main]
use libfuzzer_sys::fuzz_target;

nixie_fuzz::counting_allocator!();

fuzz_target!(|data: &[u8]| {
    let mut e = nixie_fuzz::evaluation();
    let text = nixie_fuzz::source(data);
    if let Err(err) = e.check_source("«fuzz»", &text, std::path::Path::new("/fuzz")) {
        // Rendering the error (with its source excerpt) must not fail either.
        let _ = e.render_error(&err, true);
    }
});
