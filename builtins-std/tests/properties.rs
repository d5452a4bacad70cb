//! Laws of values, checked on generated ones (proptest): equality is reflexive
//! and symmetric, a printed value reads back as itself, `sort` is a stable
//! permutation for any comparator (consistent or not), and every string
//! operation keeps the context of the strings it is built from.

use nixie_eval::{Evaluation, Value};
use proptest::prelude::*;
use std::path::Path;

fn evaluation() -> Evaluation {
    nixie_builtins_std::register(Evaluation::builder())
        .build()
        .expect("the standard builtins register")
}

/// Evaluate completely and print.
fn eval(e: &mut Evaluation, src: &str) -> Result<String, String> {
    let v = e
        .eval_source("«prop»", src, Path::new("/"))
        .and_then(|v| e.deep_force(v))
        .map_err(|err| err.message())?;
    Ok(String::from_utf8_lossy(&e.print(&v).map_err(|err| err.message())?).into_owned())
}

/// A Nix list of the items' text, as the printer writes it.
fn printed_list(items: &[String]) -> String {
    if items.is_empty() {
        "[ ]".to_string()
    } else {
        format!("[ {} ]", items.join(" "))
    }
}

fn eval_bool(e: &mut Evaluation, src: &str) -> bool {
    match e
        .eval_source("«prop»", src, Path::new("/"))
        .and_then(|v| e.force(v))
    {
        Ok(Value::Bool(b)) => b,
        other => panic!(
            "{src}: not a Boolean: {:?}",
            other.map_err(|e| e.message()).err()
        ),
    }
}

/// Source text of a plain data value (no functions): scalars, strings with escapes,
/// lists and sets, nested.
fn data() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(|i| if i < 0 {
            format!("({i})")
        } else {
            i.to_string()
        }),
        any::<bool>().prop_map(|b| b.to_string()),
        Just("null".to_string()),
        // Floats print with 6 significant digits: these print exactly.
        (-9999i32..9999).prop_map(|q| format!("({:?})", f64::from(q) / 4.0)),
        "[a-z\"\\\\$\n\t{}]{0,8}".prop_map(|s| format!("{s:?}").replace('$', "\\$")),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(|v| format!("[ {} ]", v.join(" "))),
            prop::collection::btree_map("[a-z]{1,4}", inner, 0..5).prop_map(|m| {
                // Quoted, so that keywords (`if`, `or`) are names too.
                let body: String = m.iter().map(|(k, v)| format!("\"{k}\" = {v}; ")).collect();
                format!("{{ {body}}}")
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn equality_is_reflexive_and_symmetric(a in data(), b in data()) {
        let mut e = evaluation();
        let same_value = eval_bool(&mut e, &format!("let a = {a}; in a == a"));
        let same_text = eval_bool(&mut e, &format!("({a}) == ({a})"));
        prop_assert!(same_value);
        prop_assert!(same_text);
        let ab = eval_bool(&mut e, &format!("({a}) == ({b})"));
        let ba = eval_bool(&mut e, &format!("({b}) == ({a})"));
        prop_assert_eq!(ab, ba);
    }

    #[test]
    fn a_printed_value_reads_back_as_itself(a in data()) {
        let mut e = evaluation();
        let printed = eval(&mut e, &a).expect("data evaluates");
        // `[ -1 ]` prints as it reads, but reads back as a subtraction inside a list
        // (`[ x -1 ]`), in C++ Nix too.
        prop_assume!(!printed.contains(" -"));
        let again = eval(&mut e, &printed).expect("a printed value parses");
        prop_assert_eq!(&printed, &again);
        let equal = eval_bool(&mut e, &format!("({printed}) == ({a})"));
        prop_assert!(equal || printed.contains("nan"));
    }

    #[test]
    fn sort_is_a_stable_permutation_for_any_comparator(
        keys in prop::collection::vec(0i64..8, 0..40),
        table in prop::collection::vec(any::<bool>(), 64),
    ) {
        let mut e = evaluation();
        let list: Vec<String> = keys.iter().enumerate().map(|(i, k)| format!("{{ k = {k}; i = {i}; }}")).collect();
        let list = format!("[ {} ]", list.join(" "));
        // A consistent comparator: stable means equal keys keep their order.
        let sorted = eval(&mut e, &format!("map (x: x.i) (builtins.sort (a: b: a.k < b.k) {list})")).expect("sorts");
        let mut expect: Vec<(i64, usize)> = keys.iter().copied().zip(0..).collect();
        expect.sort_by_key(|(k, _)| *k);
        let expect: Vec<String> = expect.iter().map(|(_, i)| i.to_string()).collect();
        prop_assert_eq!(sorted, printed_list(&expect));
        // An arbitrary comparator (from a table): still ends, still a permutation.
        let table: Vec<String> = table.iter().map(bool::to_string).collect();
        let src = format!(
            "let t = [ {} ]; in builtins.sort (a: b: builtins.elemAt t (a.k * 8 + b.k)) {list}",
            table.join(" ")
        );
        let got = eval(&mut e, &format!("builtins.sort builtins.lessThan (map (x: x.i) ({src}))")).expect("sorts");
        let all: Vec<String> = (0..keys.len()).map(|i| i.to_string()).collect();
        prop_assert_eq!(got, printed_list(&all));
    }

    #[test]
    fn string_operations_keep_context(s in "[a-z]{0,6}", t in "[a-z]{0,6}", n in 0i64..4) {
        let mut e = evaluation();
        // A string with context: a derivation's output path.
        let base = format!(
            "let d = derivation {{ name = \"p\"; system = \"x\"; builder = \"/b\"; }}; c = \"{s}${{d}}{t}\"; in"
        );
        for op in [
            "c + \"x\"".to_string(),
            "\"x${c}\"".to_string(),
            format!("builtins.substring {n} 100 c"),
            "builtins.replaceStrings [ \"a\" ] [ \"b\" ] c".to_string(),
            "builtins.concatStringsSep \"-\" [ c c ]".to_string(),
            "toString [ c ]".to_string(),
            "builtins.toJSON { inherit c; }".to_string(),
            "toString c".to_string(),
            "builtins.toXML c".to_string(),
            "builtins.unsafeDiscardOutputDependency c".to_string(),
        ] {
            let has = eval_bool(&mut e, &format!("{base} builtins.hasContext ({op})"));
            // substring may cut the store path out entirely; context stays (as in C++ Nix).
            prop_assert!(has, "{} lost its context", op);
        }
        // As in C++ Nix, the parts `split` cuts out carry no context.
        let split = format!("{base} builtins.hasContext (builtins.head (builtins.split \"x\" c))");
        let split_kept = eval_bool(&mut e, &split);
        prop_assert!(!split_kept);
        let discarded = format!("{base} builtins.hasContext (builtins.unsafeDiscardStringContext c)");
        let kept = eval_bool(&mut e, &discarded);
        prop_assert!(!kept);
    }
}
