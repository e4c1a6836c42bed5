"""The NASLib-paper grid on nb201-cifar10: wall time serial and with worker processes, and the speed-up.

The grid of White et al. (NeurIPS 2021): train sizes 5 … 1000 in 11 log steps (NASLib's formula),
200 test architectures, 20 trials, for the model-based predictors (every registered predictor of family
"model-based" unless ``--predictors`` names some). Each sweep runs as the real command, ``naspred evaluate``,
in a fresh process into an empty folder, timed from start to exit; the two tables must agree except in
timings. Run from the repository root (writes perf/grid.md):

    NASPRED_DATA=../shared/data python perf/grid.py
    NASPRED_DATA=../shared/data python perf/grid.py --predictors lin_reg,rf --trials 5 --out /tmp/grid.md
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
BENCHMARK = "nb201-cifar10"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # children and the workers they waited for
    return usage.ru_utime + usage.ru_stime


def _sweep(spec_file: Path, out: Path, executor: list[str], env: dict[str, str]) -> tuple[float, float, pd.DataFrame]:
    """Wall seconds, CPU seconds (all processes of the sweep) and the table of one `naspred evaluate` run."""
    cmd = [sys.executable, "-m", "naspred.cli", "evaluate", "--spec", str(spec_file), "--out", str(out),
           "--no-report", *executor]
    cpu, start = _cpu(), time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    if done.returncode not in (0, 1):  # 1: some trial failed (recorded in the table)
        raise SystemExit(f"{' '.join(cmd)} failed with {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds, cpu, pd.read_parquet(out / "results.parquet")


def _load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--predictors", help="comma-separated names (default: every model-based predictor)")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "grid.md")
    parser.add_argument("--keep", type=Path, help="also write both results tables (parquet) into this folder")
    args = parser.parse_args()
    if not os.environ.get("NASPRED_DATA"):
        raise SystemExit("set NASPRED_DATA to the benchmark data folder")

    from naspred import predictors
    from naspred.evaluation.spec import naslib_train_sizes
    from naspred.evaluation.trial import RUN_COLUMNS

    names = args.predictors.split(",") if args.predictors else [
        d["name"] for d in predictors.describe() if d["family"] == "model-based"]
    sizes = naslib_train_sizes(1000)
    spec_text = (f'benchmark = "{BENCHMARK}"\npredictors = {names!r}\ntrain_sizes = {list(sizes)}\n'
                 f"trials = {args.trials}\ntest_size = 200\nseed = 0\n").replace("'", '"')
    env = dict(os.environ)
    load_before = _load()
    with tempfile.TemporaryDirectory() as tmp:
        spec_file = Path(tmp) / "grid.toml"
        spec_file.write_text(spec_text)
        serial_s, serial_cpu, serial = _sweep(spec_file, Path(tmp) / "serial", ["--executor", "serial"], env)
        proc_s, proc_cpu, proc = _sweep(spec_file, Path(tmp) / "process",
                                        ["--executor", "process", "--workers", str(args.workers)], env)
    load_after = _load()
    drop = list(RUN_COLUMNS)
    pd.testing.assert_frame_equal(serial.drop(columns=drop), proc.drop(columns=drop))

    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        serial.to_parquet(args.keep / "serial.parquet", index=False)
        proc.to_parquet(args.keep / "process.parquet", index=False)
    ok = serial[serial["status"] == "ok"]
    constant = ok["note"].str.contains("predictions are all equal").groupby(ok["predictor"]).sum()
    tau = ok.pivot_table(index="predictor", columns="init_budget", values="kendall_tau", aggfunc="mean")
    per_pred = serial.groupby("predictor")["wall_s"].sum()
    failed = serial[serial["status"] != "ok"].groupby("predictor").size()
    lines = [
        "# NASLib-paper grid on nb201-cifar10: serial against worker processes",
        "",
        "Command (from the repository root):",
        "",
        "    NASPRED_DATA=../shared/data python perf/grid.py"
        + (f" --predictors {args.predictors}" if args.predictors else "")
        + (f" --trials {args.trials}" if args.trials != 20 else "")
        + (f" --workers {args.workers}" if args.workers != 2 else ""),
        "",
        f"- Grid: {len(names)} predictors × {len(sizes)} train sizes {list(sizes)} × {args.trials} trials = "
        f"{len(serial)} trials, 200 test architectures each; each sweep is `naspred evaluate` in a fresh process "
        "(imports, benchmark load and, for processes, worker start-up included).",
        f"- Machine: {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), Python "
        f"{platform.python_version()}; load average (1/5/15 min) {load_before} before, {load_after} after.",
        f"- Serial: **{serial_s:.1f} s** wall, {serial_cpu:.1f} s CPU; {args.workers} processes: **{proc_s:.1f} s** "
        f"wall, {proc_cpu:.1f} s CPU; speed-up **{serial_s / proc_s:.2f}×** in wall time. Goal: the whole grid "
        "under 600 s on 2 cores. Other work shared the machine (see the load averages), so wall times "
        "carry its noise; CPU seconds count this sweep's processes only.",
        f"- The two tables agree in every column but timings ({', '.join(drop)}).",
        "",
        "Seconds per predictor (sum of trial wall times in the serial sweep), failed trials, trials whose "
        "predictions were all equal (Kendall tau undefined, left out of the mean; – where every trial was), "
        "and mean Kendall tau per train size:",
        "",
        "| predictor | serial s | failed | constant | " + " | ".join(str(s) for s in sizes) + " |",
        "|---|---|---|---|" + "---|" * len(sizes),
    ]
    for name in names:
        label = name
        row = [f"{tau.loc[label, float(s)]:.3f}" if label in tau.index and float(s) in tau.columns
               and pd.notna(tau.loc[label, float(s)]) else "–" for s in sizes]
        lines.append(f"| {label} | {per_pred.get(label, 0.0):.1f} | {int(failed.get(label, 0))} | "
                     f"{int(constant.get(label, 0))} | " + " | ".join(row) + " |")
    args.out.write_text("\n".join(lines) + "\n")
    print(args.out.read_text())


if __name__ == "__main__":
    main()
