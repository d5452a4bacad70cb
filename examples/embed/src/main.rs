//! Load a service configuration written in Nix and print it as a Rust structure.

use serde::Deserialize;
use std::path::PathBuf;

/// A service as the configuration describes it.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Service {
    name: String,
    port: u16,
    replicas: u32,
    hosts: Vec<String>,
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/service.nix")));
    match embed::load::<Vec<Service>>(&path, &[("env", "prod")]) {
        Ok(services) => println!("{services:#?}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
