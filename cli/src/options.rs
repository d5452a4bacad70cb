//! The settings the command line gives (`--option NAME VALUE`, the setting flags,
//! the purity and limit flags) applied to an evaluation's [`Settings`] as C++ Nix
//! applies them.

use crate::args::Cli;
use crate::flags::{self, Kind};
use nixie_eval::settings::{LintLevel, Settings};

/// A byte count, with an optional `K`, `M` or `G` suffix (powers of 1024).
fn parse_size(text: &str) -> Result<usize, String> {
    let (digits, unit) = match text.char_indices().last() {
        Some((i, c)) if "KMGkmg".contains(c) => (&text[..i], c.to_ascii_uppercase()),
        _ => (text, 'B'),
    };
    let n: usize = digits
        .parse()
        .map_err(|_| format!("'{text}' is not a size in bytes"))?;
    let shift = match unit {
        'K' => 10,
        'M' => 20,
        'G' => 30,
        _ => 0,
    };
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("'{text}' is too large"))
}

/// Without `--max-memory`, under an address-space limit (`ulimit -v`): half of it,
/// so that running out ends in "memory limit exceeded" rather than in an
/// allocation failure, which aborts the process (the allocator reserves address
/// space beyond what it hands out).
fn memory_from_address_space_limit() -> Option<usize> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes the struct it is given and nothing else.
    if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut lim) } != 0
        || lim.rlim_cur == libc::RLIM_INFINITY
    {
        return None;
    }
    usize::try_from(lim.rlim_cur / 2).ok()
}

/// The resource limits the command line asks for.
fn limits(cli: &Cli) -> Result<nixie_eval::Limits, String> {
    let mut l = nixie_eval::Limits::default();
    let number = |flag: &str, v: &str| -> Result<u64, String> {
        v.parse()
            .map_err(|_| format!("'{v}' is not a number (in {flag})"))
    };
    l.memory = match &cli.max_memory {
        Some(m) => Some(parse_size(m)?),
        None => memory_from_address_space_limit(),
    };
    l.output = cli.max_output.as_deref().map(parse_size).transpose()?;
    l.steps = cli
        .max_steps
        .as_deref()
        .map(|v| number("--max-steps", v))
        .transpose()?;
    if let Some(t) = &cli.time_limit {
        let secs: f64 = t
            .parse()
            .map_err(|_| format!("'{t}' is not a number of seconds"))?;
        l.time = Some(
            std::time::Duration::try_from_secs_f64(secs)
                .map_err(|_| format!("'{t}' is not a number of seconds"))?,
        );
    }
    Ok(l)
}

fn parse_bool(name: &str, value: &str) -> Result<bool, String> {
    match value {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(format!(
            "Boolean setting '{name}' has invalid value '{value}'"
        )),
    }
}

fn lint_level(name: &str, value: &str) -> Result<LintLevel, String> {
    match value {
        "ignore" => Ok(LintLevel::Off),
        "warn" => Ok(LintLevel::Warn),
        "fatal" => Ok(LintLevel::Fatal),
        _ => Err(format!("setting '{name}' has invalid value '{value}'")),
    }
}

fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("setting '{name}' has invalid value '{value}'"))
}

/// What the settings decide outside [`Settings`].
#[derive(Default)]
pub struct Applied {
    /// The store URL (`--store`, or the `store` setting).
    pub store: Option<String>,
    /// `show-trace`.
    pub show_trace: bool,
    /// The `nix-path` setting's entries, if it was given.
    pub nix_path: Option<Vec<String>>,
}

/// Apply the command line's settings to `s`. Given with `--option`, a setting
/// nixie does not know, or a value it cannot read, is warned about and skipped,
/// as C++ Nix does; given as a flag, a bad value is an error.
pub fn apply(cli: &Cli, s: &mut Settings) -> Result<Applied, String> {
    let mut out = Applied {
        store: cli.store.clone(),
        ..Applied::default()
    };
    s.abort_on_warn = std::env::var("NIX_ABORT_ON_WARN")
        .is_ok_and(|v| matches!(v.as_str(), "1" | "yes" | "true"));
    s.limits = limits(cli)?;
    for a in &cli.settings {
        match set(s, &mut out, &a.name, &a.value) {
            Err(m) if a.via_option => crate::diagnostics::warning(&m),
            r => r?,
        }
    }
    if cli.impure {
        s.pure_eval = false;
    }
    Ok(out)
}

/// Apply one setting; `extra-NAME` adds to a list setting.
fn set(s: &mut Settings, out: &mut Applied, name: &str, value: &str) -> Result<(), String> {
    let (base, extra) = match name.strip_prefix("extra-") {
        Some(b) if flags::setting(b).is_some_and(|s| s.kind == Kind::List) => (b, true),
        _ => (name, false),
    };
    let words = || value.split_whitespace().map(String::from);
    let list = |l: &mut Vec<String>| {
        if !extra {
            l.clear();
        }
        l.extend(words());
    };
    match base {
        "pure-eval" => s.pure_eval = parse_bool(name, value)?,
        "restrict-eval" => s.restrict_eval = parse_bool(name, value)?,
        "show-trace" => out.show_trace = parse_bool(name, value)?,
        "abort-on-warn" => s.abort_on_warn = parse_bool(name, value)?,
        "allowed-uris" => list(&mut s.allowed_uris),
        "experimental-features" => list(&mut s.features),
        "nix-path" => list(out.nix_path.get_or_insert_with(Vec::new)),
        "store" => out.store = Some(value.to_string()),
        "tarball-ttl" => s.tarball_ttl = Some(number(name, value)?),
        "max-call-depth" => s.max_call_depth = Some(number(name, value)?),
        "lint-absolute-path-literals" => s.lints.absolute_path = lint_level(name, value)?,
        "lint-short-path-literals" => s.lints.short_path = lint_level(name, value)?,
        "lint-url-literals" => s.lints.url_literals = lint_level(name, value)?,
        _ => match flags::setting(base) {
            Some(known) if known.kind == Kind::Bool => {
                parse_bool(name, value)?;
            }
            Some(_) => {}
            None => return Err(format!("unknown setting '{name}'")),
        },
    }
    Ok(())
}
