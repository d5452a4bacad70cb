//! What the fuzz targets share: an evaluation under tight resource limits (so
//! that any input ends quickly, in a value or a clean error), and the decoding
//! of fuzz input into source text as the command line decodes files.

use nixie_eval::{Error, Evaluation, Limits, Settings, Value};
use std::path::Path;
use std::time::Duration;

/// The limits every fuzzed evaluation runs under.
pub fn limits() -> Limits {
    let mut l = Limits::default();
    l.memory = Some(512 << 20);
    l.time = Some(Duration::from_secs(5));
    l.steps = Some(2_000_000);
    l.output = Some(4 << 20);
    l
}

/// A pure evaluation with the standard builtins, under [`limits`], in restricted
/// mode: fuzz input reads nothing of the machine's file system (`toJSON ~/.`
/// would copy the whole home directory to the store, past any time limit).
pub fn evaluation() -> Evaluation {
    let mut settings = Settings::default();
    settings.limits = limits();
    settings.max_call_depth = Some(10_000);
    settings.restrict_eval = true;
    nixie_builtins_std::register(Evaluation::builder())
        .settings(settings)
        .build()
        .expect("the fuzz targets install the counting allocator")
}

/// Fuzz input as source text (invalid UTF-8 decoded as the command line does).
pub fn source(data: &[u8]) -> String {
    nixie_eval::source::decode_source(data)
}

/// Evaluate `text` completely; the printed value, or the error.
pub fn eval_printed(e: &mut Evaluation, text: &str) -> Result<(Value, Vec<u8>), Error> {
    let v = e.eval_source("«fuzz»", text, Path::new("/fuzz"))?;
    let v = e.deep_force(v)?;
    let printed = e.print(&v)?;
    Ok((v, printed))
}

/// The counting allocator every target installs (the memory limit needs it).
#[macro_export]
macro_rules! counting_allocator {
    () => {
        #[global_allocator]
        static ALLOC: nixie_eval::memory::CountingAlloc<std::alloc::System> =
            nixie_eval::memory::CountingAlloc(std::alloc::System);
    };
}
