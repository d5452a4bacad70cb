//! The environment and the clock: `getEnv`, `currentTime`, `currentSystem`.

use nixie_eval::builtins;

#[builtins(name = "impure-env", impure)]
pub mod defs {
    use nixie_eval::prelude::*;

    /// The value of an environment variable, or "" if it is not set (always ""
    /// in pure and restricted evaluation).
    #[builtin("getEnv")]
    fn get_env(cx: &mut Ctx, name: NixString) -> Result<String, ErrorKind> {
        let s = cx.settings();
        if s.pure_eval || s.restrict_eval {
            return Ok(String::new());
        }
        Ok(cx.io().env_var(&name.to_str_lossy()).unwrap_or_default())
    }

    /// The system nixie runs on, in Nix's form (`x86_64-linux`, `aarch64-darwin`).
    #[constant("currentSystem")]
    fn current_system() -> String {
        let os = match std::env::consts::OS {
            "macos" => "darwin",
            other => other,
        };
        format!("{}-{os}", std::env::consts::ARCH)
    }

    /// Seconds since the Unix epoch, read once per evaluation.
    #[constant("currentTime")]
    fn current_time() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }
}

pub use defs::PACK;
