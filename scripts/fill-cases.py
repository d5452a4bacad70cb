#!/usr/bin/env python3
"""Fill in expected outputs of a .cases file from the reference evaluator.

For every case whose header is `--- ok` and whose expected line is `?`, run
`nix-instantiate --eval --strict -E SOURCE` and write its output. For every case
whose header is `--- error KIND` and whose fragment is `?`, check that the
reference fails and write the first line of its message (after `error: `).
Cases marked `# differs-from-2.8` are left alone. Usage:

    scripts/fill-cases.py builtins-std/tests/cases/lists.cases
"""
import os
import subprocess
import sys


def run(src):
    env = dict(os.environ, NIX_REMOTE="dummy://")
    p = subprocess.run(
        ["nix-instantiate", "--eval", "--strict", "--readonly-mode", "-E", " " + src],
        capture_output=True, text=True, env=env, timeout=60,
    )
    return p.returncode, p.stdout.rstrip("\n"), p.stderr


def main(path):
    text = open(path).read()
    head, *blocks = text.split("\n### ")
    out = [head]
    for b in blocks:
        name, _, rest = b.partition("\n")
        lines = rest.split("\n")
        marked = lines and lines[0] == "# differs-from-2.8"
        sep = next(i for i, l in enumerate(lines) if l.startswith("--- "))
        src = "\n".join(lines[1 if marked else 0:sep])
        header = lines[sep]
        body = lines[sep + 1:]
        trailing = []
        while body and body[-1] == "":
            trailing.append(body.pop())
        if not marked and body == ["?"]:
            code, so, se = run(src)
            if header == "--- ok":
                if code != 0:
                    sys.exit(f"{name}: reference failed: {se}")
                body = [so]
            else:
                if code == 0:
                    sys.exit(f"{name}: reference succeeded with {so}")
                msg = [l for l in se.splitlines() if l.strip().startswith("error:")][-1]
                body = [msg.strip()[len("error: "):]]
        out.append("\n".join([name] + lines[:sep + 1] + body + trailing))
    open(path, "w").write("\n### ".join(out))


if __name__ == "__main__":
    for p in sys.argv[1:]:
        main(p)
