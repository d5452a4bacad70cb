# Maps one case of cases.nix to the paths it denotes (used by record.sh and by
# cli/tests/store_table.rs). A derivation gives its outPath, drvPath and every
# output's path; anything else must be a store path string.
{ cases, name }:
let
  v = (import cases).${name};
  isDrv = builtins.isAttrs v && (v.type or null) == "derivation";
in
if isDrv then {
  kind = "derivation";
  # not "outPath": toJSON would print a set with outPath as that string
  out = v.outPath;
  drvPath = v.drvPath;
  outputs = builtins.listToAttrs (map (o: { name = o.outputName; value = o.outPath; }) v.all);
} else {
  kind = "path";
  path = builtins.unsafeDiscardStringContext (toString v);
}
