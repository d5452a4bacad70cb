#!/usr/bin/env python3
"""Regenerate docs/performance.md: runs ../shared/tools/bench-compare (C++ Nix's
nix-instantiate against target/release/nixie) and writes its table, with the date,
the machine and the commit, between the document's fixed text. Usage:

    scripts/performance-doc.py [-n RUNS]

The machines are noisy: quote the ratios, and rerun a close result.
"""
import argparse
import datetime
import os
import platform
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.join(ROOT, "..", "shared", "tools", "bench-compare")
NIXIE = os.path.join(ROOT, "target", "release", "nixie")

INTRO = """# Performance against C++ Nix

CPU time and peak resident memory of `nixie` against `nix-instantiate` on the
workloads of `../shared/bench`, as `../shared/tools/bench-compare` measures them
(median of the runs; ratio = nixie / C++ Nix, lower is better). Regenerate with
`scripts/performance-doc.py` after `cargo build --release`; the goal (issue 9) is
a time geomean of at most 0.6, no workload above 1.0, and peak memory at most 0.5
on each.
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=3)
    a = ap.parse_args()
    if not os.path.exists(NIXIE):
        sys.exit("build first: cargo build --release")
    p = subprocess.run(
        [TOOL, "-n", str(a.n), "nix-instantiate --readonly-mode", NIXIE],
        capture_output=True, text=True,
    )
    lines = p.stdout.splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith("workload")), None)
    if start is None:
        sys.exit(f"bench-compare printed no table:\n{p.stdout}\n{p.stderr}")
    table = [l for l in lines[start:] if l.strip()]
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    nix = subprocess.run(["nix-instantiate", "--version"], capture_output=True, text=True).stdout.strip()
    when = datetime.date.today().isoformat()
    doc = INTRO + f"""
Measured {when} at commit `{commit}` against {nix}, on {platform.machine()} with
{os.cpu_count()} cores, {a.n} runs each (A = C++ Nix, B = nixie):

```
""" + "\n".join(table) + "\n```\n"
    os.makedirs(os.path.join(ROOT, "docs"), exist_ok=True)
    with open(os.path.join(ROOT, "docs", "performance.md"), "w") as f:
        f.write(doc)
    print(doc)


if __name__ == "__main__":
    main()
