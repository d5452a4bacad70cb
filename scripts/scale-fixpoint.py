#!/usr/bin/env python3
"""Issue 9's scale check: ../shared/bench/fixpoint.nix (a nixpkgs-like package set of
30,000 packages) and the same program at ten times the size, timed and measured with
nixie and, if asked, with C++ Nix. Prints CPU seconds and peak RSS of each run, the
scaled/original ratio for nixie, and nixie's peak memory against C++ Nix's on the
scaled set. Usage:

    scripts/scale-fixpoint.py [--factor 10] [--nix] [path/to/nixie]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(HERE, "..", "..", "shared", "bench", "fixpoint.nix")


def scaled_source(factor):
    """fixpoint.nix with its package count multiplied by `factor`."""
    text = open(BENCH).read()
    m = re.search(r"\bn = (\d+);", text)
    if not m:
        sys.exit("fixpoint.nix has no 'n = N;' binding to scale")
    n = int(m.group(1)) * factor
    return text[: m.start()] + f"n = {n};" + text[m.end():], n


def measured(cmd, path):
    """(cpu seconds, peak RSS MiB, stdout) of one evaluation, from its own rusage."""
    env = dict(os.environ, NIX_REMOTE="dummy://")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd + ["--eval", "--strict", path], stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        out.seek(0)
        err.seek(0)
        if status != 0:
            sys.exit(f"{' '.join(cmd)} failed on {path}:\n{err.read().decode(errors='replace')}")
        return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--factor", type=int, default=10)
    ap.add_argument("--nix", action="store_true", help="also run nix-instantiate on the scaled set")
    ap.add_argument("nixie", nargs="?", default=os.path.join(HERE, "..", "target", "release", "nixie"))
    a = ap.parse_args()
    src, n = scaled_source(a.factor)
    with tempfile.NamedTemporaryFile("w", suffix=".nix", delete=False) as f:
        f.write(src)
        scaled = f.name
    try:
        t1, m1, out1 = measured([a.nixie], BENCH)
        t2, m2, out2 = measured([a.nixie], scaled)
        print(f"nixie original (30,000 packages): {t1:.2f} s, {m1:.0f} MiB")
        print(f"nixie scaled ({n:,} packages):   {t2:.2f} s, {m2:.0f} MiB")
        print(f"scaled / original time: {t2 / t1:.2f} (goal: at most {1.1 * a.factor:.0f})")
        if a.nix:
            t3, m3, out3 = measured(["nix-instantiate", "--readonly-mode"], scaled)
            same = "same output" if out3 == out2 else "OUTPUTS DIFFER"
            print(f"C++ Nix scaled: {t3:.2f} s, {m3:.0f} MiB ({same})")
            print(f"nixie / C++ Nix on the scaled set: time {t2 / t3:.2f}, peak memory {m2 / m3:.2f} (goal: below 0.5)")
    finally:
        os.unlink(scaled)


if __name__ == "__main__":
    main()
