//! `NIX_SHOW_STATS`: the evaluation's statistics as C++ Nix prints them, a JSON
//! object (keys in order, two-space indent) on standard error or in the file
//! `NIX_SHOW_STATS_PATH` names.

use nixie_eval::{Evaluation, Statistics};

/// A JSON value of the report.
enum Json {
    Int(u64),
    Float(f64),
    Object(Vec<(&'static str, Json)>),
}

impl Json {
    fn write(&self, out: &mut String, indent: usize) {
        match self {
            Json::Int(n) => out.push_str(&n.to_string()),
            // Shortest round trip, and a whole number keeps its ".0" (as nlohmann's).
            Json::Float(x) if x.fract() == 0.0 => out.push_str(&format!("{x:.1}")),
            Json::Float(x) => out.push_str(&x.to_string()),
            Json::Object(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    out.push_str(&" ".repeat(indent + 2));
                    out.push_str(&format!("\"{k}\": "));
                    v.write(out, indent + 2);
                }
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                out.push('}');
            }
        }
    }
}

/// Whether statistics were asked for (`NIX_SHOW_STATS` set to anything but `0`).
pub fn wanted() -> bool {
    std::env::var_os("NIX_SHOW_STATS").is_some_and(|v| v != "0")
}

/// Print (or write) the report.
pub fn show(eval: &Evaluation) -> Result<(), String> {
    let mut text = String::new();
    report(&eval.statistics(), cpu_seconds()).write(&mut text, 0);
    text.push('\n');
    match std::env::var_os("NIX_SHOW_STATS_PATH") {
        Some(p) if p != "-" => std::fs::write(&p, text)
            .map_err(|e| format!("writing statistics to '{}': {e}", p.to_string_lossy())),
        _ => {
            eprint!("{text}");
            Ok(())
        }
    }
}

/// The report, with C++ Nix's keys (sorted, as its JSON library writes them).
fn report(s: &Statistics, cpu: f64) -> Json {
    use Json::{Int, Object};
    let obj = |v: Vec<(&'static str, Json)>| Object(v);
    obj(vec![
        ("cpuTime", Json::Float(cpu)),
        (
            "envs",
            obj(vec![
                ("bytes", Int(s.env_elements * Statistics::VALUE_BYTES)),
                ("elements", Int(s.env_elements)),
                ("number", Int(s.envs)),
            ]),
        ),
        (
            "list",
            obj(vec![
                ("bytes", Int(s.list_elements * Statistics::VALUE_BYTES)),
                ("concats", Int(s.list_concats)),
                ("elements", Int(s.list_elements)),
            ]),
        ),
        ("nrAvoided", Int(s.thunks_avoided)),
        ("nrExprs", Int(s.exprs)),
        ("nrFunctionCalls", Int(s.function_calls)),
        ("nrLookups", Int(s.lookups)),
        ("nrOpUpdateValuesCopied", Int(s.update_values_copied)),
        ("nrOpUpdates", Int(s.updates)),
        ("nrPrimOpCalls", Int(s.primop_calls)),
        ("nrThunks", Int(s.thunks)),
        (
            "sets",
            obj(vec![
                (
                    "bytes",
                    Int(s.sets * Statistics::SET_BYTES + s.set_elements * Statistics::ATTR_BYTES),
                ),
                ("elements", Int(s.set_elements)),
                ("number", Int(s.sets)),
            ]),
        ),
        (
            "sizes",
            obj(vec![
                ("Attr", Int(Statistics::ATTR_BYTES)),
                ("Bindings", Int(Statistics::SET_BYTES)),
                ("Env", Int(Statistics::VALUE_BYTES)),
                ("Value", Int(Statistics::VALUE_BYTES)),
            ]),
        ),
        ("symbols", obj(vec![("bytes", Int(0)), ("number", Int(0))])),
        ("time", obj(vec![("cpu", Json::Float(cpu))])),
        (
            "values",
            obj(vec![
                ("bytes", Int(s.thunks * Statistics::VALUE_BYTES)),
                ("number", Int(s.thunks)),
            ]),
        ),
    ])
}

/// User CPU time of this process so far, in seconds (as C++ Nix's `getCpuUserTime`,
/// kept at single precision as it keeps it).
fn cpu_seconds() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a complete `rusage` into the pointer it is given, which
    // points at one; RUSAGE_SELF is always a valid target.
    let ok = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } == 0;
    if !ok {
        return 0.0;
    }
    // SAFETY: initialised by the successful call above (and zeroed before it).
    let t = unsafe { usage.assume_init() }.ru_utime;
    (t.tv_sec as f32 + t.tv_usec as f32 / 1e6) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_has_nix_keys_in_order_and_layout() {
        let s = Statistics::default();
        let mut out = String::new();
        report(&s, 0.5).write(&mut out, 0);
        assert!(out.starts_with("{\n  \"cpuTime\": 0.5,\n  \"envs\": {\n    \"bytes\": 0,\n"));
        assert!(out.ends_with("  \"values\": {\n    \"bytes\": 0,\n    \"number\": 0\n  }\n}"));
        let keys: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("  \"") && !l.starts_with("   "))
            .map(|l| l.trim().split('"').nth(1).unwrap_or(""))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(keys, sorted, "C++ Nix's JSON library writes keys sorted");
    }
}
