"""The NASLib-paper grid on nb201-cifar10: wall time serial and with worker processes, and the speed-up.

The grid of White et al. (NeurIPS 2021): train sizes 5 … 1000 in 11 log steps (NASLib's formula),
200 test architectures, 20 trials, for the model-based predictors (every registered predictor of family
"model-based" unless ``--predictors`` names some). Each sweep runs as the real command, ``naspred evaluate``,
in a fresh process into an empty folder, timed from start to exit; the two tables must agree except in
timings. Run from the repository root (writes perf/grid.md):

    NASPRED_DATA=../shared/data python perf/grid.py
    NASPRED_DATA=../shared/data python perf/grid.py --predictors lin_reg,rf --trials 5 --out /tmp/grid.md

With ``--cost-only`` it runs the serial sweep alone and writes what one trial costs at each train size and
what the grid's ``--project-trials`` trials would take serially at that cost (for predictors too slow for
the whole grid; perf/grid_cost.md):

    NASPRED_DATA=../shared/data python perf/grid.py --cost-only --predictors ngb,gp --trials 1 \
        --out perf/grid_cost.md
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
    cmd = evaluate_command(spec_file, out, executor)
    cpu, start = _cpu(), time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    if done.returncode not in (0, 1):  # 1: some trial failed (recorded in the table)
        raise SystemExit(f"{' '.join(cmd)} failed with {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds, cpu, pd.read_parquet(out / "results.parquet")


def evaluate_command(spec_file: Path, out: Path, executor: list[str]) -> list[str]:
    """The ``naspred evaluate`` command line of a sweep of ``spec_file`` into ``out`` (no report)."""
    return [sys.executable, "-m", "naspred.cli", "evaluate", "--spec", str(spec_file), "--out", str(out),
            "--no-report", *executor]


def spec_text(names: list[str], sizes, trials: int) -> str:
    """The grid's experiment spec (TOML): seed 0 and 200 test architectures, so every sweep draws the same splits."""
    return (f'benchmark = "{BENCHMARK}"\npredictors = {list(names)!r}\ntrain_sizes = {list(sizes)}\n'
            f"trials = {trials}\ntest_size = 200\nseed = 0\n").replace("'", '"')


def tau_cells(tau: pd.DataFrame, name: str, sizes) -> list[str]:
    """Mean Kendall tau of ``name`` at each train size from a predictor × train-size pivot, "–" where none."""
    return [f"{tau.loc[name, float(s)]:.3f}" if name in tau.index and float(s) in tau.columns
            and pd.notna(tau.loc[name, float(s)]) else "–" for s in sizes]


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
    parser.add_argument("--cost-only", action="store_true",
                        help="serial sweep only: seconds per trial and train size, and the projected grid time")
    parser.add_argument("--project-trials", type=int, default=20,
                        help="trials per train size that --cost-only projects the grid time for")
    args = parser.parse_args()
    if not os.environ.get("NASPRED_DATA"):
        raise SystemExit("set NASPRED_DATA to the benchmark data folder")

    from naspred import predictors
    from naspred.evaluation.executors import THREAD_VARIABLES
    from naspred.evaluation.spec import naslib_train_sizes
    from naspred.evaluation.trial import RUN_COLUMNS

    names = args.predictors.split(",") if args.predictors else [
        d["name"] for d in predictors.describe() if d["family"] == "model-based"]
    sizes = naslib_train_sizes(1000)
    env = dict(os.environ)
    if args.cost_only:  # one thread, as each worker of a 2-process sweep on 2 cores has
        env.update(dict.fromkeys(THREAD_VARIABLES, "1"))
    load_before = _load()
    with tempfile.TemporaryDirectory() as tmp:
        spec_file = Path(tmp) / "grid.toml"
        spec_file.write_text(spec_text(names, sizes, args.trials))
        serial_s, serial_cpu, serial = _sweep(spec_file, Path(tmp) / "serial", ["--executor", "serial"], env)
        if args.cost_only:
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                serial.to_parquet(args.keep / "serial.parquet", index=False)
            _write_cost(args, names, sizes, serial, serial_s, serial_cpu, load_before, _load())
            return
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
        f"- Serial: **{serial_s:.1f} s** wall, {serial_cpu:.1f} s CPU; {args.workers} process"
        f"{'es' if args.workers > 1 else ''}: **{proc_s:.1f} s** "
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
        lines.append(f"| {name} | {per_pred.get(name, 0.0):.1f} | {int(failed.get(name, 0))} | "
                     f"{int(constant.get(name, 0))} | " + " | ".join(tau_cells(tau, name, sizes)) + " |")
    args.out.write_text("\n".join(lines) + "\n")
    print(args.out.read_text())


def _write_cost(args, names, sizes, serial, serial_s, serial_cpu, load_before, load_after) -> None:
    """perf/grid_cost.md: measured seconds per trial at each train size and the grid time they imply."""
    from naspred.evaluation.executors import THREAD_VARIABLES

    per_trial = serial.pivot_table(index="predictor", columns="init_budget", values="wall_s", aggfunc="mean")
    tau = serial[serial["status"] == "ok"].pivot_table(index="predictor", columns="init_budget",
                                                       values="kendall_tau", aggfunc="mean")
    failed = serial[serial["status"] != "ok"].groupby("predictor").size()
    k = args.project_trials
    lines = [
        "# NASLib-paper grid on nb201-cifar10: cost of the predictors left out of the timed grid",
        "",
        "Command (from the repository root):",
        "",
        f"    NASPRED_DATA=../shared/data python perf/grid.py --cost-only --predictors {','.join(names)} "
        f"--trials {args.trials}" + (f" --project-trials {k}" if k != 20 else "")
        + f" --out {os.path.relpath(args.out.resolve(), HERE.parent)}",
        "",
        f"- One serial `naspred evaluate` sweep of the grid's {len(sizes)} train sizes {list(sizes)} × "
        f"{args.trials} trial(s), 200 test architectures each: **{serial_s:.1f} s** wall, {serial_cpu:.1f} s CPU "
        "(imports and benchmark load included), with one thread (" + ", ".join(f"`{v}=1`" for v in THREAD_VARIABLES)
        + ", which PyTorch also reads).",
        f"- Machine: {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), Python "
        f"{platform.python_version()}; load average (1/5/15 min) {load_before} before, {load_after} after.",
        f"- `projected` = {k} × the sum over train sizes of the measured seconds per trial: the serial time of "
        f"the full grid ({k} trials) at the measured cost. It is a projection from these measurements, not a "
        f"timed run; two processes can at best halve it. The goal for the whole grid is 600 s on 2 cores.",
        f"- Kendall tau is the mean over {args.trials} trial(s) only; `perf/predictors.md` has 20 trials at "
        "20, 100 and 1000 training cells.",
        "",
        "Wall seconds per trial at each train size, the projected serial grid time, and failed trials:",
        "",
        "| predictor | " + " | ".join(str(s) for s in sizes) + " | projected s | failed | tau at 1000 |",
        "|---|" + "---:|" * len(sizes) + "---:|---:|---:|",
    ]
    total = 0.0
    for name in names:
        secs = [per_trial.loc[name, float(s)] if name in per_trial.index and float(s) in per_trial.columns
                else float("nan") for s in sizes]
        projected = k * sum(secs)
        total += projected
        lines.append(f"| {name} | " + " | ".join(f"{x:.2f}" for x in secs) + f" | {projected:.0f} | "
                     f"{int(failed.get(name, 0))} | {tau_cells(tau, name, sizes[-1:])[0]} |")
    lines += ["", f"Projected serial time of the full grid for these {len(names)} predictors: **{total:.0f} s** "
              f"({total / 3600:.1f} h); with 2 processes at best {total / 2:.0f} s."]
    args.out.write_text("\n".join(lines) + "\n")
    print(args.out.read_text())


if __name__ == "__main__":
    main()
