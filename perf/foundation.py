"""Foundation benchmark: loading ground truth, encoding NB201 cells, peak memory.

Run from the repository root (writes perf/foundation.md):

    NASPRED_DATA=../shared/data python perf/foundation.py

Each measurement runs in a fresh subprocess so that caches and imports of one do not help another.
The cold load reads the upstream files into an empty parquet cache; the cached load reads that cache.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

LOAD = """
import json, resource, sys, time
from naspred.benchmarks import load
names = sys.argv[1].split(",")
t0 = time.perf_counter()
benches = [load(n) for n in names]
archs = [len(b.archs) for b in benches]
dt = time.perf_counter() - t0
print(json.dumps({"seconds": dt, "archs": archs, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

BASELINE = """
import json, resource
import naspred.benchmarks, pandas, pyarrow, numpy
print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

ENCODE = """
import json, time
import numpy as np
from naspred import spaces, featurizers
space = spaces.get("nb201")
archs = list(space.enumerate())
adj = featurizers.get("adjacency_one_hot", space=space)
path = featurizers.get("path", space=space)
best = []
for _ in range(5):
    t0 = time.perf_counter()
    a = adj.fit_transform(archs)
    p = path.fit_transform(archs)
    best.append(time.perf_counter() - t0)
print(json.dumps({"seconds": min(best), "median_seconds": float(np.median(best)), "archs": len(archs), "dims": [a.shape[1], p.shape[1]]}))
"""


def _run(code: str, *args: str, env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "foundation.md")
    args = parser.parse_args()
    if not os.environ.get("NASPRED_DATA"):
        raise SystemExit("set NASPRED_DATA to the benchmark data folder")

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NASPRED_CACHE": cache}
        cold = _run(LOAD, "nb201-cifar10", env=env)
        cached = min((_run(LOAD, "nb201-cifar10", env=env) for _ in range(3)), key=lambda r: r["seconds"])
        _run(LOAD, "spikenas-cifar10", env=env)  # fill the cache
        base = _run(BASELINE, env=env)
        both_cached = _run(LOAD, "nb201-cifar10,spikenas-cifar10", env=env)
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NASPRED_CACHE": cache}
        both_cold = _run(LOAD, "nb201-cifar10,spikenas-cifar10", env=env)
    enc = _run(ENCODE, env=dict(os.environ))

    rows = [
        ("load `nb201-cifar10`, cold (upstream files, empty cache)", f"{cold['seconds']:.2f} s", "-"),
        ("load `nb201-cifar10`, cached (parquet), best of 3", f"{cached['seconds']:.2f} s", "< 2 s"),
        (f"encode all {enc['archs']:,} NB201 cells: adjacency one-hot ({enc['dims'][0]}) + path ({enc['dims'][1]}), best of 5",
         f"{enc['seconds']:.3f} s", "< 1 s"),
        ("peak RSS, load `nb201-cifar10` + `spikenas-cifar10` together, cold", f"{both_cold['peak_rss_mb']:.0f} MB", "< 500 MB"),
        ("peak RSS, the same from the cache", f"{both_cached['peak_rss_mb']:.0f} MB", "< 500 MB"),
        ("peak RSS of the interpreter after importing naspred.benchmarks, pandas, pyarrow (baseline)", f"{base['peak_rss_mb']:.0f} MB", "-"),
    ]
    lines = [
        "# Foundation benchmark",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}.",
        f"Date: {time.strftime('%Y-%m-%d')}; load average before the run {load:.1f} (other work shared the cores).",
        "",
        "Command (from the repository root):",
        "",
        "```",
        "NASPRED_DATA=../shared/data python perf/foundation.py",
        "```",
        "",
        "| measurement | result | goal |",
        "|---|---|---|",
        *[f"| {a} | {b} | {c} |" for a, b, c in rows],
        "",
        "Each line runs in a fresh Python process; peak RSS is `ru_maxrss` of that process (imports included).",
        "",
    ]
    args.out.write_text("\n".join(lines))
    sys.stdout.write("\n".join(lines))


if __name__ == "__main__":
    main()
