# Store-operation and derivation cases for the store table (see README.md).
# Each attribute is either a derivation (nothing is ever built) or a string
# that is a store path. record.sh evaluates every case with C++ Nix 2.8 and
# writes what it put into the store to expected.json.
#
# Everything here must stay deterministic: no currentSystem, no currentTime,
# no absolute paths leaking into a store path. Filters look at baseNameOf
# only, since they are handed the absolute path of the checkout.
let
  sys = "x86_64-linux";
  mk = attrs: derivation ({ system = sys; builder = "/bin/sh"; } // attrs);

  # Strings with characters that need escaping somewhere (ATerm, JSON, Nix).
  special = "quote\" backslash\\ newline\n tab\t cr\r dollar$ brace\${x} unicode é ✓ 日本 😀";
  ctrl = builtins.fromJSON ''"soh\u0001 us\u001f del\u007f"'';

  plain = builtins.toFile "plain" "hello\n";
  other = builtins.toFile "other" "other file\n";

  minimal = mk { name = "minimal"; };
  multi = mk { name = "multi"; outputs = [ "out" "dev" "lib" ]; };

  chainA = mk { name = "chain-a"; args = [ "-c" "echo a > $out" ]; };
  chainB = mk { name = "chain-b"; a = chainA; args = [ "-c" "cat ${chainA} > $out" ]; };
  chainC = mk { name = "chain-c"; b = "${chainB}/file"; };

  fodFlat16 = mk {
    name = "fod-flat";
    outputHashMode = "flat";
    outputHashAlgo = "sha256";
    outputHash = "03e21237b264daa4b7dc6bc5ada1c24ba9d646a29720c31d1c0ab09cc5b03867";
  };
  # Same name and output hash as fodFlat16, different builder inputs:
  # same outPath, different drvPath.
  fodFlatAlt = mk {
    name = "fod-flat";
    args = [ "-c" "printf 'fixed-output\\n' > $out" ];
    extra = "changes the drv but not the output";
    outputHashAlgo = "sha256";
    outputHash = "0rrqn32rrc0a3hfw684pl93ddaabqahsvibbvjvs9nk4n8vi5qh3";
  };

  notTmp = path: type: builtins.match ".*\\.tmp" (baseNameOf path) == null;
  noSymlinks = path: type: type != "symlink";

  structuredDep = mk { name = "structured-dep"; };
in
{
  # ---------------------------------------------------------------- toFile
  tofile-plain = plain;
  tofile-empty = builtins.toFile "empty" "";
  tofile-odd-name = builtins.toFile "a+b-c_d.e?f=g" "odd name\n";
  tofile-dot-name = builtins.toFile ".hidden" "leading dot\n";
  tofile-dash-name = builtins.toFile "-leading-dash" "leading dash\n";
  tofile-digits-name = builtins.toFile "123" "all digits\n";
  tofile-unicode = builtins.toFile "unicode" "héllo wörld ✓ 日本 😀\n";
  tofile-escapes = builtins.toFile "escapes" special;
  tofile-control = builtins.toFile "control" ctrl;
  tofile-no-newline = builtins.toFile "no-newline" "no trailing newline";
  tofile-long = builtins.toFile "long"
    (builtins.concatStringsSep "\n" (builtins.genList (i: "line ${toString i}") 2000));
  tofile-script = builtins.toFile "builder.sh" ''
    #!/bin/sh
    set -e
    echo "building ''${out:-none}"
    mkdir -p "$out"
  '';
  tofile-ref-tofile = builtins.toFile "ref-tofile" "see ${plain}\n";
  tofile-ref-two = builtins.toFile "ref-two" "${other} and ${plain} and ${plain} again\n";
  tofile-ref-path = builtins.toFile "ref-path" "file ${./src/hello.txt} dir ${./src}\n";
  tofile-ref-drv-file = builtins.toFile "ref-drv-file"
    "drv ${builtins.unsafeDiscardOutputDependency minimal.drvPath}\n";
  tofile-ref-output-discarded = builtins.toFile "ref-output-discarded"
    "output ${builtins.unsafeDiscardStringContext minimal.outPath} dev ${builtins.unsafeDiscardStringContext multi.dev.outPath}\n";
  tofile-ref-nested = builtins.toFile "ref-nested"
    "${builtins.toFile "ref-inner" "inner refers to ${plain}"}\n";

  # ---------------------------------------------------------------- builtins.path
  path-dir = builtins.path { path = ./src; };
  path-dir-named = builtins.path { path = ./src; name = "renamed-src"; };
  path-subdir = builtins.path { path = ./src/sub/deep; };
  path-filter-no-tmp = builtins.path { path = ./src; name = "no-tmp"; filter = notTmp; };
  path-filter-no-symlinks = builtins.path { path = ./src; filter = noSymlinks; };
  path-filter-toplevel-regular = builtins.path {
    path = ./src;
    name = "toplevel-regular";
    filter = path: type: type == "regular";
  };
  path-filter-nothing = builtins.path { path = ./src; name = "empty-dir"; filter = path: type: false; };
  path-file = builtins.path { path = ./src/hello.txt; };
  path-file-named = builtins.path { path = ./src/hello.txt; name = "greeting"; };
  path-file-flat = builtins.path { path = ./src/hello.txt; recursive = false; };
  path-exec-flat = builtins.path { path = ./src/run.sh; recursive = false; };
  path-exec-recursive = builtins.path { path = ./src/run.sh; };
  path-sha256-flat-base32 = builtins.path {
    path = ./src/hello.txt;
    name = "flat-sha";
    recursive = false;
    sha256 = "0ix4jahrkll5zg01wandq78jw3ab30q4nscph67rniqg5x7r0j59";
  };
  path-sha256-flat-base16 = builtins.path {
    path = ./src/hello.txt;
    name = "flat-sha16";
    recursive = false;
    sha256 = "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447";
  };
  path-sha256-recursive-file = builtins.path {
    path = ./src/hello.txt;
    name = "rec-sha";
    sha256 = "sha256-NMo6xjCU0dV1H3QRAWkqePle7fEHRLCIEp/DJN/Q9gM=";
  };
  path-sha256-recursive-dir = builtins.path {
    path = ./src/sub;
    name = "sub-sha";
    sha256 = "0l25gcml8w84dj74dbh164g9zaccq1zsv7qk31s20gr3vfnn8qx3";
  };
  path-symlink = builtins.path { path = ./src/link; };

  # ---------------------------------------------------------------- filterSource
  filtersource-all = builtins.filterSource (path: type: true) ./src;
  filtersource-no-tmp = builtins.filterSource notTmp ./src;
  filtersource-no-symlinks-no-tmp = builtins.filterSource (p: t: noSymlinks p t && notTmp p t) ./src;
  filtersource-no-subdir = builtins.filterSource (path: type: type != "directory") ./src;
  filtersource-subdir = builtins.filterSource (path: type: baseNameOf path != "deep") ./src/sub;

  # ---------------------------------------------------------------- "${./path}"
  interp-dir = "${./src}";
  interp-file = "${./src/hello.txt}";
  interp-exec = "${./src/run.sh}";
  interp-subdir = "${./src/sub}";
  interp-symlink = "${./src/link}";
  interp-nested-file = "${./src/sub/deep/leaf.txt}";

  # ---------------------------------------------------------------- plain derivations
  drv-minimal = minimal;
  drv-odd-name = mk { name = "odd+name_1.0-x?="; };
  drv-other-system = derivation { name = "other-system"; system = "aarch64-darwin"; builder = "/usr/bin/env"; };
  drv-builtin-builder = derivation { name = "builtin-builder"; system = "builtin"; builder = "builtin:buildenv"; };
  drv-args-special = mk {
    name = "args-special";
    args = [
      "-c"
      "echo \"double\" 'single' \\backslash\\"
      "line1\nline2\r\n"
      "\ttabbed\t"
      ""
      "unicode é ✓ 日本 😀"
      special
      ctrl
    ];
  };
  drv-env-special = mk {
    name = "env-special";
    special = special;
    ctrl = ctrl;
    empty = "";
    "key with spaces" = "value";
    "ключ" = "unicode key";
    "quote\"key" = "quoted key";
  };
  drv-env-types = mk {
    name = "env-types";
    bTrue = true;
    bFalse = false;
    nothing = null;
    int = 42;
    negInt = -7;
    zero = 0;
    float = 1.5;
    floatWhole = 2.0;
    list = [ "a" 1 true false null 2.5 [ "nested" "list" ] [ ] "after-empty" ];
    emptyList = [ ];
    toStringAttrs = { __toString = self: "from __toString"; };
    outPathAttrs = { outPath = "/some/out/path"; };
  };
  drv-env-path = mk {
    name = "env-path";
    file = ./src/hello.txt;
    dir = ./src;
    interp = "${./src/notes.md}:${./src/sub}";
  };
  drv-env-tofile = mk { name = "env-tofile"; script = plain; both = "${plain} ${other}"; };
  drv-env-out-override = mk { name = "env-out-override"; out = "ignored"; };
  drv-builder-path = mk { name = "builder-path"; builder = ./src/run.sh; };
  drv-builder-tofile = mk {
    name = "builder-tofile";
    builder = "/bin/sh";
    args = [ (builtins.toFile "build.sh" "echo hi > $out") ];
  };
  drv-args-path = mk { name = "args-path"; args = [ ./src/hello.txt "${./src/sub}" ]; };

  # ---------------------------------------------------------------- multiple outputs
  drv-multi-output = multi;
  drv-multi-output-dev = multi.dev;
  drv-multi-output-first-not-out = mk { name = "first-not-out"; outputs = [ "bin" "out" "man" ]; };

  # ---------------------------------------------------------------- dependencies
  dep-env = mk { name = "dep-env"; dep = minimal; };
  dep-args = mk { name = "dep-args"; args = [ "-c" "${minimal}/bin/x --flag" ]; };
  dep-builder = mk { name = "dep-builder"; builder = "${minimal}/bin/sh"; };
  dep-dev-output = mk { name = "dep-dev-output"; dev = multi.dev; };
  dep-lib-and-out = mk { name = "dep-lib-and-out"; paths = "${multi.lib}/lib ${multi.out}/share"; };
  dep-all-outputs = mk { name = "dep-all-outputs"; all = map (o: o.outPath) multi.all; };
  dep-two-drvs = mk { name = "dep-two-drvs"; a = minimal; b = multi.dev; c = plain; };
  chain-a = chainA;
  chain-b = chainB;
  chain-c = chainC;

  # ---------------------------------------------------------------- fixed-output
  fod-flat-sha256-base16 = fodFlat16;
  fod-flat-sha256-base32-alt = fodFlatAlt;
  fod-flat-sha256-base64 = mk {
    name = "fod-flat-b64";
    outputHashAlgo = "sha256";
    outputHash = "A+ISN7Jk2qS33GvFraHCS6nWRqKXIMMdHAqwnMWwOGc=";
  };
  fod-flat-sri-no-algo = mk {
    name = "fod-flat-sri";
    outputHash = "sha256-A+ISN7Jk2qS33GvFraHCS6nWRqKXIMMdHAqwnMWwOGc=";
  };
  fod-flat-sri-with-algo = mk {
    name = "fod-flat-sri";
    outputHashAlgo = "sha256";
    outputHash = "sha256-A+ISN7Jk2qS33GvFraHCS6nWRqKXIMMdHAqwnMWwOGc=";
  };
  fod-flat-sha1-base16 = mk {
    name = "fod-sha1";
    outputHashAlgo = "sha1";
    outputHash = "7d878d4f67abfa52410a20c5f0889b06706f63b9";
  };
  fod-flat-sha512-base16 = mk {
    name = "fod-sha512";
    outputHashAlgo = "sha512";
    outputHash = "1d5ddcee04645e31eea30ca01616e121329f488349e8e4da8bbfdb223bd42d68a602c9d73c8810317fd5c5dd2ae4c5e07b6d454cdd59ca7423384fd250ba9c82";
  };
  fod-recursive-sha256-base32 = mk {
    name = "fod-rec";
    outputHashMode = "recursive";
    outputHashAlgo = "sha256";
    outputHash = "11qzh8j4a2mlqqswm0i0v40a2s5dkx4c9vsxkmrqkh3sikms4kvy";
  };
  fod-recursive-sha1-base32 = mk {
    name = "fod-rec-sha1";
    outputHashMode = "recursive";
    outputHashAlgo = "sha1";
    outputHash = "99gw4r0vxvi3zwhn6hc2g4z16dq3x95y";
  };
  fod-recursive-sha512-sri = mk {
    name = "fod-rec-sha512";
    outputHashMode = "recursive";
    outputHash = "sha512-l7H0P/p8ZhDMlWdkzrVm089u2YFbrPuxY3bYBH1F9WJsMOqpe/uAXue/UQ4gwkQyxNyIfCFF2EXbzI99/mz6GA==";
  };
  fod-recursive-sha512-base32 = mk {
    name = "fod-rec-sha512-b32";
    outputHashMode = "recursive";
    outputHashAlgo = "sha512";
    outputHash = "0cglv7ygn7wrns5v12j2z48vk234i6240753gz7bs0gnyx9x8q6qqpm8myh9n3ncfqzpb2vh7cnxkykcsswwr37jp610rkwz8zz9ccp";
  };
  fod-with-dep = mk {
    name = "fod-with-dep";
    dep = minimal;
    outputHashAlgo = "sha1";
    outputHash = "sha1-fYeNT2er+lJBCiDF8IibBnBvY7k=";
  };
  # Hash modulo: these two depend on FODs with the same output but different
  # drvs, so their outPaths are equal and their drvPaths differ.
  fod-dependent-a = mk { name = "fod-dependent"; src = fodFlat16; };
  fod-dependent-b = mk { name = "fod-dependent"; src = fodFlatAlt; };
  fod-dependent-chain = mk { name = "fod-dependent-chain"; dep = "${mk { name = "fod-dependent"; src = fodFlatAlt; }}"; };

  # ---------------------------------------------------------------- placeholders
  placeholder-out = mk {
    name = "placeholder-out";
    prefix = builtins.placeholder "out";
    args = [ "-c" "mkdir ${builtins.placeholder "out"}/bin" ];
  };
  placeholder-multi = mk {
    name = "placeholder-multi";
    outputs = [ "out" "dev" "doc" ];
    devDir = "${builtins.placeholder "dev"}/include";
    docDir = builtins.placeholder "doc";
    unknown = builtins.placeholder "not-an-output";
  };

  # ---------------------------------------------------------------- string context
  ctx-discard = mk {
    name = "ctx-discard";
    noDep = builtins.unsafeDiscardStringContext "${minimal}";
    noDevDep = builtins.unsafeDiscardStringContext multi.dev.outPath;
  };
  ctx-drvpath = mk { name = "ctx-drvpath"; drv = "${minimal.drvPath}"; };
  ctx-drvpath-multi = mk { name = "ctx-drvpath-multi"; drv = multi.drvPath; };
  ctx-drvpath-chain = mk { name = "ctx-drvpath-chain"; drv = chainC.drvPath; };
  ctx-drvpath-fod = mk { name = "ctx-drvpath-fod"; drv = fodFlatAlt.drvPath; };
  ctx-discard-output-dependency = mk {
    name = "ctx-discard-output-dependency";
    drv = builtins.unsafeDiscardOutputDependency chainB.drvPath;
  };
  ctx-mixed = mk {
    name = "ctx-mixed";
    s = "${minimal} ${multi.lib} ${plain} ${./src/hello.txt} ${builtins.unsafeDiscardStringContext chainA.outPath}";
  };

  # ---------------------------------------------------------------- __ignoreNulls
  ignore-nulls = mk {
    name = "ignore-nulls";
    __ignoreNulls = true;
    dropped = null;
    kept = "kept";
    emptyKept = "";
    falseKept = false;
  };
  ignore-nulls-false = mk { name = "ignore-nulls-false"; __ignoreNulls = false; notDropped = null; };

  # ---------------------------------------------------------------- __structuredAttrs
  structured-minimal = mk { name = "structured-minimal"; __structuredAttrs = true; };
  structured-full = mk {
    name = "structured-full";
    __structuredAttrs = true;
    args = [ "-c" ". .attrs.sh" ];
    string = "plain";
    special = special;
    ctrl = ctrl;
    unicode = "é ✓ 日本 😀";
    int = 42;
    negInt = -9000;
    bigInt = 9007199254740993;
    floats = [ 1.5 0.25 (-2.5) 1.0e-3 ];
    bools = [ true false ];
    nothing = null;
    emptyList = [ ];
    emptyAttrs = { };
    nested = {
      z = "last";
      a = { deep = [ 1 "two" { three = 3; } ]; };
      "key with spaces" = true;
      "ключ" = "unicode key";
    };
    list = [ "a" [ "b" [ "c" ] ] { x = null; } ];
    dep = structuredDep;
    depOutPath = structuredDep.outPath;
    depInterp = "${minimal}/bin";
    file = ./src/hello.txt;
    self = builtins.placeholder "out";
    toStringAttrs = { __toString = self: "from __toString"; };
    outputChecks = {
      out = {
        allowedReferences = [ structuredDep ];
        allowedRequisites = [ structuredDep "out" ];
        disallowedReferences = [ ];
        maxSize = 1048576;
        maxClosureSize = 4194304;
        ignoreSelfRefs = true;
      };
    };
  };
  structured-top-level-checks = mk {
    name = "structured-top-level-checks";
    __structuredAttrs = true;
    allowedReferences = [ structuredDep ];
    disallowedRequisites = [ ];
    exportReferencesGraph = { closure = [ structuredDep ]; };
  };
  structured-multi-output = mk {
    name = "structured-multi-output";
    __structuredAttrs = true;
    outputs = [ "out" "dev" "bin" ];
    outputChecks = {
      out.allowedReferences = [ "dev" ];
      dev.disallowedReferences = [ "out" ];
      bin.maxSize = 100;
    };
    devPlaceholder = builtins.placeholder "dev";
  };
  structured-fod = mk {
    name = "structured-fod";
    __structuredAttrs = true;
    outputHashMode = "recursive";
    outputHash = "sha256-fk+i64x6wIlznV3vxEifrWihANkggso1xrQKRSSCH4c=";
    urls = [ "https://example.invalid/a" "mirror://b" ];
  };
  structured-deps = mk {
    name = "structured-deps";
    __structuredAttrs = true;
    devOut = multi.dev;
    libPath = "${multi.lib}/lib";
    drvRef = chainA.drvPath;
    discarded = builtins.unsafeDiscardStringContext minimal.outPath;
    fodDep = fodFlatAlt;
    text = plain;
  };
  structured-ignore-nulls = mk {
    name = "structured-ignore-nulls";
    __structuredAttrs = true;
    __ignoreNulls = true;
    dropped = null;
    nested = { keptNull = null; };
    kept = "kept";
  };
  structured-false = mk { name = "structured-false"; __structuredAttrs = false; x = [ 1 2 ]; };
  # Known to differ in current Nix (see README): float formatting and
  # \b / \f escapes in __json.
  structured-floats-precision = mk {
    name = "structured-floats-precision";
    __structuredAttrs = true;
    whole = 1.0;
    hundred = 100.0;
    pi = 3.141592653589793;
    third = 0.3333333333333333;
    big = 1.0e21;
    small = 1.0e-7;
  };
  structured-backspace-formfeed = mk {
    name = "structured-backspace-formfeed";
    __structuredAttrs = true;
    s = builtins.fromJSON ''"bs\b ff\f"'';
  };
  # A hand-written __json without __structuredAttrs: 2.8 copies the string
  # verbatim; current Nix re-parses and re-serialises it.
  legacy-json-attr = mk {
    name = "legacy-json-attr";
    __json = ''{ "b": [1, 2],  "a": "x" }'';
  };

  # The built-in <nix/fetchurl.nix> (a fixed-output derivation, nothing fetched).
  corepkgs-fetchurl-flat = import <nix/fetchurl.nix> {
    url = "http://example.org/dist/y-1.0.tar.gz";
    sha256 = "0000000000000000000000000000000000000000000000000000";
  };
  corepkgs-fetchurl-sri-exec = import <nix/fetchurl.nix> {
    url = "http://example.org/bin/tool";
    hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    executable = true;
    name = "tool";
  };
}
