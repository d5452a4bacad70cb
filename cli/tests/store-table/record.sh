#!/usr/bin/env bash
# Records expected.json from C++ Nix (nix-instantiate) for every case in
# cases.nix. Each case is evaluated on its own, against a fresh local store
# rooted in a temporary directory, so the real .drv files and store objects
# are written there and read back byte for byte.
#
# Usage: bash record.sh [CASE...]   (no arguments: all cases, rewrites expected.json)
# Needs: nix-instantiate and nix-store (Debian's nix-bin), python3, bash.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cases="$here/cases.nix"
out="$here/expected.json"

command -v nix-instantiate >/dev/null || { echo "record.sh: nix-instantiate not found (apt-get install -y nix-bin)" >&2; exit 1; }

unset NIX_PATH NIX_STORE_DIR NIX_STATE_DIR NIX_LOG_DIR NIX_CONF_DIR
export NIX_PATH=

work="$(mktemp -d)"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

if [ "$#" -gt 0 ]; then
    names=("$@")
else
    mapfile -t names < <(nix-instantiate --eval --json -E "builtins.attrNames (import $cases)" \
        | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)))')
fi

# Maps one case to the paths it denotes. A derivation value gives its outPath,
# drvPath and every output's path; anything else must be a store path string.
driver="$here/driver.nix"

nix_version="$(nix-instantiate --version)"
failed=()
for name in "${names[@]}"; do
    root="$work/roots/$name"
    mkdir -p "$root"
    if ! NIX_REMOTE="local?root=$root" nix-instantiate --read-write-mode --eval --strict --json \
            "$driver" --arg cases "$cases" --argstr name "$name" \
            >"$work/$name.json" 2>"$work/$name.err"; then
        echo "record.sh: case '$name' failed:" >&2
        grep -v "did not specify '--add-root'" "$work/$name.err" >&2 || true
        failed+=("$name")
        continue
    fi
    printf '%s\n' "$root" >"$work/$name.root"
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "record.sh: ${#failed[@]} case(s) failed: ${failed[*]}" >&2
    exit 1
fi

WORK="$work" OUT="$out" PARTIAL="$#" NIX_VERSION="$nix_version" python3 - "${names[@]}" <<'PY'
import hashlib, json, os, stat, subprocess, sys

work, out = os.environ["WORK"], os.environ["OUT"]
names = sys.argv[1:]

def text(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8")  # every case is valid UTF-8; fail loudly otherwise

def kind_of(st):
    if stat.S_ISLNK(st.st_mode):
        return "symlink"
    if stat.S_ISDIR(st.st_mode):
        return "directory"
    if stat.S_ISREG(st.st_mode):
        return "executable" if st.st_mode & 0o100 else "regular"
    raise SystemExit(f"unexpected file type at {st}")

def listing(top):
    """Sorted (by relative path) lines 'TYPE rel/path [sha256=HEX | -> TARGET]'."""
    entries = []
    for dirpath, dirnames, filenames in os.walk(top):
        for n in dirnames + filenames:
            full = os.path.join(dirpath, n)
            rel = os.path.relpath(full, top)
            k = kind_of(os.lstat(full))
            if k in ("regular", "executable"):
                with open(full, "rb") as f:
                    line = f"{k} {rel} sha256={hashlib.sha256(f.read()).hexdigest()}"
            elif k == "symlink":
                line = f"{k} {rel} -> {os.readlink(full)}"
            else:
                line = f"{k} {rel}"
            entries.append((rel.encode(), line))
    return [line for _, line in sorted(entries)]

def references(root, path):
    r = subprocess.run(["nix-store", "--query", "--references", path],
                       env=dict(os.environ, NIX_REMOTE=f"local?root={root}"),
                       check=True, capture_output=True, text=True)
    return sorted(r.stdout.split())

table = {}
if os.environ["PARTIAL"] != "0" and os.path.exists(out):
    with open(out) as f:
        table = json.load(f)

for name in names:
    with open(os.path.join(work, name + ".json")) as f:
        r = json.load(f)
    root = open(os.path.join(work, name + ".root")).read().strip()
    if r["kind"] == "derivation":
        table[name] = {
            "outPath": r["out"],
            "drvPath": r["drvPath"],
            "drv": text(root + r["drvPath"]),
            "outputs": r["outputs"],
        }
    else:
        p = r["path"]
        if not p.startswith("/nix/store/") or "/" in p[len("/nix/store/"):]:
            raise SystemExit(f"case {name}: {p!r} is not a store path")
        st = os.lstat(root + p)
        k = kind_of(st)
        if k == "directory":
            contents = listing(root + p)
        elif k == "symlink":
            contents = os.readlink(root + p)
        else:
            contents = text(root + p)
        table[name] = {"path": p, "type": k, "contents": contents,
                       "references": references(root, p)}

with open(out, "w", encoding="utf-8") as f:
    json.dump(dict(sorted(table.items())), f, indent=2, ensure_ascii=False, sort_keys=True)
    f.write("\n")
print(f"record.sh: wrote {len(table)} cases to {out} ({os.environ['NIX_VERSION']})")
PY
