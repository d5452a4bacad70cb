//! `toJSON` then `fromJSON`: any value `toJSON` writes reads back to a value that
//! writes the same JSON again.
#![no_main]
use libfuzzer_sys::fuzz_target;

nixie_fuzz::counting_allocator!();

fuzz_target!(|data: &[u8]| {
    let mut e = nixie_fuzz::evaluation();
    let text = nixie_fuzz::source(data);
    let wrapped = format!("builtins.toJSON ({text}\n)");
    let Ok((json, _)) = nixie_fuzz::eval_printed(&mut e, &wrapped) else {
        return;
    };
    let nixie_eval::Value::String(json) = json else {
        panic!("toJSON made something other than a string");
    };
    // fromJSON refuses NUL characters (Nix strings cannot hold them), in C++ Nix too.
    if json.as_bytes().windows(6).any(|w| w == b"\\u0000") {
        return;
    }
    let f = e
        .eval_source(
            "«rt»",
            "j: builtins.toJSON (builtins.fromJSON (builtins.unsafeDiscardStringContext j))",
            std::path::Path::new("/"),
        )
        .expect("the round-trip function compiles");
    let again = e
        .call(f, nixie_eval::Value::String(json.clone()))
        .unwrap_or_else(|err| {
            panic!(
                "toJSON output {json:?} does not read back: {}",
                err.message()
            )
        });
    let nixie_eval::Value::String(again) = again else {
        panic!("toJSON made something other than a string");
    };
    assert_eq!(
        json.as_bytes(),
        again.as_bytes(),
        "JSON changes in a round trip"
    );
});
