//! Printing then parsing: a value printed (without functions, unevaluated parts or
//! repeated parts) reads back as the same value.
#![no_main]
use libfuzzer_sys::fuzz_target;

nixie_fuzz::counting_allocator!();

fuzz_target!(|data: &[u8]| {
    let mut e = nixie_fuzz::evaluation();
    let text = nixie_fuzz::source(data);
    let Ok((_, printed)) = nixie_fuzz::eval_printed(&mut e, &text) else {
        return;
    };
    let printed = String::from_utf8_lossy(&printed).into_owned();
    // Only plain data reads back: functions, <CODE> and «repeated» do not, and in
    // C++ Nix too, a negative number in a list reads back as a subtraction
    // (`[ a -2 ]`).
    // Paths print as they are, also with characters no path literal may hold (and
    // `/` is no path literal at all): values with paths are left out.
    let paths = printed.starts_with('/') || printed.contains(" /");
    if printed.contains('<') || printed.contains('«') || printed.contains(" -") || paths {
        return;
    }
    match nixie_fuzz::eval_printed(&mut e, &printed) {
        Ok((_, again)) => assert_eq!(
            printed,
            String::from_utf8_lossy(&again),
            "printed value reads back differently"
        ),
        Err(err) => panic!(
            "printed value {printed:?} does not read back: {}",
            err.message()
        ),
    }
});
