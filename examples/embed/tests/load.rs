//! The embedding example loads a Nix file into typed Rust data.

use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Deserialize, PartialEq)]
struct Service {
    name: String,
    port: u16,
    replicas: u32,
    hosts: Vec<String>,
}

fn service_file() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("service.nix")
}

#[test]
fn loads_prod_configuration() {
    let s: Vec<Service> = embed::load(&service_file(), &[("env", "prod")]).unwrap();
    assert_eq!(s.len(), 2);
    assert_eq!(
        s[0],
        Service {
            name: "web".into(),
            port: 8080,
            replicas: 3,
            hosts: vec!["a.example".into(), "b.example".into()]
        }
    );
    assert_eq!(s[1].port, 9090);
}

#[test]
fn defaults_apply_without_arguments() {
    let s: Vec<Service> = embed::load(&service_file(), &[]).unwrap();
    assert_eq!(s[0].replicas, 1);
    assert_eq!(s[0].hosts, vec!["localhost".to_string()]);
}

#[test]
fn shape_errors_are_reported() {
    let err = embed::load::<Vec<u32>>(&service_file(), &[]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("configuration has the wrong shape"),
        "{err}"
    );
}

#[test]
fn evaluation_errors_carry_positions() {
    let dir = std::env::temp_dir().join(format!("nixie-embed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.nix");
    std::fs::write(&f, "{ x = 1 + \"a\"; }").unwrap();
    let err = embed::load::<serde_json::Value>(&f, &[]).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("cannot add a string to an integer"), "{msg}");
    // C++ Nix places a failed addition at the operand it could not add.
    assert!(msg.contains("bad.nix:1:11"), "{msg}");
}
