//! The files C++ Nix serves under `<nix/…>` whatever the search path says
//! (`<nix/fetchurl.nix>`), at the paths Nix shows for them (`/__corepkgs__/…`).

use std::path::{Path, PathBuf};

/// Where the built-in files appear.
const PREFIX: &str = "/__corepkgs__/";

/// `<nix/fetchurl.nix>`: a fixed-output derivation built by Nix's builtin
/// `fetchurl` builder. Its attributes are what C++ Nix's file gives the
/// derivation, so the `.drv` is the same.
const FETCHURL: &str = r#"
{ system ? "", url, hash ? "", md5 ? "", sha1 ? "", sha256 ? "", sha512 ? ""
, outputHash ?
    if hash != "" then hash
    else if sha512 != "" then sha512
    else if sha1 != "" then sha1
    else if md5 != "" then md5
    else sha256
, outputHashAlgo ?
    if hash != "" then ""
    else if sha512 != "" then "sha512"
    else if sha1 != "" then "sha1"
    else if md5 != "" then "md5"
    else "sha256"
, executable ? false, unpack ? false, name ? baseNameOf (toString url), impure ? false
}:
let
  fixed = if impure then { __impure = true; } else { inherit outputHash outputHashAlgo; };
in
derivation ({
  inherit name url executable unpack;
  builder = "builtin:fetchurl";
  system = "builtin";
  outputHashMode = if unpack || executable then "recursive" else "flat";
  preferLocalBuild = true;
  impureEnvVars = [ "http_proxy" "https_proxy" "ftp_proxy" "all_proxy" "no_proxy" ];
  urls = [ url ];
} // fixed)
"#;

/// The built-in file `<nix/rest>` names, if there is one.
pub(crate) fn lookup(name: &str) -> Option<PathBuf> {
    let rest = name.strip_prefix("nix/")?;
    source_of(rest).map(|_| PathBuf::from(format!("{PREFIX}{rest}")))
}

/// The text of a built-in file, given its path.
pub(crate) fn source(path: &Path) -> Option<&'static str> {
    source_of(path.to_str()?.strip_prefix(PREFIX)?)
}

fn source_of(rest: &str) -> Option<&'static str> {
    match rest {
        "fetchurl.nix" => Some(FETCHURL),
        _ => None,
    }
}
