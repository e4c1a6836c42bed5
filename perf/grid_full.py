"""The NASLib-paper grid of the model-based predictors on nb201-cifar10 as one resumable process sweep.

The grid of every model-based predictor takes hours on 2 cores (perf/grid_cost.md), longer than one sitting.
This script runs it as ``naspred evaluate --executor process`` into a results folder that every re-run of
the same command resumes, and records when each invocation started. It then writes perf/grid_full.md:

- 2-process wall time: the sum over invocations of the time from its start to its last finished trial
  (start-up is counted once per invocation; work lost to an interruption is not counted);
- one-thread serial time: the sum of the trials' own wall seconds (each worker runs one thread, as a
  one-thread serial sweep would; start-up not included), and the speed-up between the two;
- Kendall tau per predictor and train size, over the trials finished so far.

Trials run again after a fix of their predictor keep their old rows in ``superseded/`` beside the results
(one JSON per trial, as in ``results/trials``): their time is part of the invocations' wall time, so it is
added to the serial time for the speed-up, and the table says how much of the wall time it took.

The plan runs trial-major (every predictor and train size of trial 0, then of trial 1, ...), so a sweep stopped
part-way (``--limit-s``) has run whole trials of the grid: the table then projects the whole grid's wall time
from the finished fraction.

Run from the repository root (re-run the same command to resume; ``--no-run`` only rewrites the table):

    NASPRED_DATA=../shared/data python perf/grid_full.py --dir ../grid-full
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from grid import evaluate_command, spec_text, tau_cells  # perf/grid.py, beside this script

HERE = Path(__file__).resolve().parent
SLOW_DEFAULT = ("ngb", "gp", "var_sparse_gp", "mlp", "bananas", "dngo", "bohamiann", "gcn", "bonas", "nao",
                "seminas")


def invocation_walls(starts: list[float], finished: pd.Series) -> list[float]:
    """Seconds from each invocation's start to the last trial that finished before the next one started."""
    bounds = [*sorted(starts), float("inf")]
    walls = []
    for start, nxt in zip(bounds, bounds[1:]):
        inside = finished[(finished >= start) & (finished < nxt)]
        walls.append(float(inside.max() - start) if len(inside) else 0.0)
    return walls


def superseded(folder: Path) -> pd.DataFrame:
    """The rows of trials that were run again after a fix of their predictor (empty if none)."""
    paths = sorted((folder / "superseded").glob("*.json"))
    return pd.DataFrame([json.loads(p.read_text()) for p in paths])


def superseded_lines(old: pd.DataFrame, old_s: float, wall_s: float) -> list[str]:
    """The bullet that accounts for superseded trials in the wall time (``wall_s``: the wall time without them)."""
    if not len(old):
        return []
    names = ", ".join(sorted(old["predictor"].unique()))
    bullet = (
        f"- The wall time includes {len(old)} superseded trials of {names}, run before a fix of the predictor and "
        f"then again: {old_s:.0f} s of one-thread time, about {old_s / 2:.0f} s of the 2-process wall; the "
        f"speed-up counts them. Without them the wall time would be about {wall_s:.0f} s."
    )
    return [bullet]


def goal_line(wall_s: float, finished: int, expected: int) -> str:
    """The bullet that compares the 2-process wall time (without superseded trials), or its projection from the
    finished fraction of a trial-major sweep, with the one-hour goal."""
    text = "- Goal for these eleven predictors: the whole grid in under 1 h (3600 s) on 2 processes."
    if wall_s <= 0 or not finished:
        return text
    whole = wall_s * expected / finished
    verdict = "met" if whole <= 3600 else f"missed by {whole / 3600:.1f}×"
    if finished >= expected:
        return text + f" They take {wall_s:.0f} s: the goal is {verdict}."
    return text + (f" At the pace of the {finished} trials finished (the sweep is trial-major: every predictor and "
                   f"train size of one trial runs before the next trial starts), the whole grid would take about "
                   f"{whole:.0f} s: the goal would be {verdict}.")


def run_sweep(folder: Path, workers: int, limit_s: float | None = None) -> int:
    """One invocation of the sweep: record its start, run it (stopped after ``limit_s`` seconds, its trials so far
    kept), return the command's exit status (124 when stopped)."""
    with (folder / "invocations.jsonl").open("a") as f:
        f.write(json.dumps({"start": time.time(), "workers": workers}) + "\n")
    executor = ["--executor", "process", "--workers", str(workers)]
    cmd = evaluate_command(folder / "grid.toml", folder / "results", executor)
    proc = subprocess.Popen(cmd, start_new_session=True)  # its own process group: the workers stop with it
    try:
        return proc.wait(timeout=limit_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()
        return 124


def summarise(folder: Path, names: list[str], sizes: list[int], trials: int, out: Path, command: str) -> str:
    """The Markdown table of the sweep so far."""
    from naspred.evaluation.results import read_table

    table = read_table(folder / "results")
    old = superseded(folder)
    starts = [json.loads(line)["start"] for line in (folder / "invocations.jsonl").read_text().splitlines() if line]
    finished = pd.concat([table["finished_at"], old["finished_at"]]) if len(old) else table["finished_at"]
    walls = invocation_walls(starts, finished)
    process_s, serial_s = sum(walls), float(table["wall_s"].sum())
    old_s = float(old["wall_s"].sum()) if len(old) else 0.0
    wall_s = process_s - old_s / 2  # the superseded trials ran on one of the 2 processes each
    expected = len(names) * len(sizes) * trials
    ok = table[table["status"] == "ok"]
    tau = ok.pivot_table(index="predictor", columns="init_budget", values="kendall_tau", aggfunc="mean")
    count = table.groupby("predictor").size()
    seconds = table.groupby("predictor")["wall_s"].sum()
    failed = table[table["status"] != "ok"].groupby("predictor").size()
    constant = ok["note"].str.contains("predictions are all equal").groupby(ok["predictor"]).sum()
    lines = [
        "# NASLib-paper grid on nb201-cifar10: the slower model-based predictors as one resumable process sweep",
        "",
        "Command (from the repository root; re-run to resume):",
        "",
        f"    {command}",
        "",
        f"- Grid: {len(names)} predictors × {len(sizes)} train sizes {sizes} × {trials} trials = {expected} trials, "
        f"200 test architectures each (the splits of `perf/grid.md`); **{len(table)} of {expected} finished**"
        + (" (the table is complete)." if len(table) >= expected else "; the figures below cover those only."),
        f"- Machine: {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), Python "
        f"{platform.python_version()}.",
        f"- 2 processes: **{process_s:.0f} s** wall ({process_s / 3600:.2f} h) over {len(walls)} invocation(s) "
        f"({', '.join(f'{w:.0f}' for w in walls)} s), each from its start to its last finished trial.",
        f"- One-thread serial: **{serial_s:.0f} s** ({serial_s / 3600:.2f} h), the sum of the trials' own wall "
        f"seconds; speed-up **{(serial_s + old_s) / process_s:.2f}×**." if process_s > 0 else "- No trial finished yet.",
        *superseded_lines(old, old_s, wall_s),
        goal_line(wall_s, len(table), expected),
        "",
        "Trials finished, failed, with all predictions equal (Kendall tau undefined, left out of the mean; – where "
        "every trial was or none has finished), summed trial wall seconds, and mean Kendall tau per train size:",
        "",
        "| predictor | trials | failed | constant | trial s | " + " | ".join(str(s) for s in sizes) + " |",
        "|---|---:|---:|---:|---:|" + "---:|" * len(sizes),
    ]
    for name in names:
        row = tau_cells(tau, name, sizes)
        lines.append(f"| {name} | {int(count.get(name, 0))} | {int(failed.get(name, 0))} | "
                     f"{int(constant.get(name, 0))} | {seconds.get(name, 0.0):.0f} | " + " | ".join(row) + " |")
    text = "\n".join(lines) + "\n"
    out.write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, required=True, help="sweep folder (spec, results, invocation log)")
    parser.add_argument("--predictors", default=",".join(SLOW_DEFAULT), help="comma-separated names")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "grid_full.md")
    parser.add_argument("--no-run", action="store_true", help="only write the table of the trials finished so far")
    parser.add_argument("--limit-s", type=float, default=None,
                        help="stop this invocation after so many seconds (a re-run resumes)")
    args = parser.parse_args()
    if not os.environ.get("NASPRED_DATA"):
        raise SystemExit("set NASPRED_DATA to the benchmark data folder")
    from naspred.evaluation.spec import naslib_train_sizes

    names = [n for n in args.predictors.split(",") if n]
    sizes = list(naslib_train_sizes(1000))
    args.dir.mkdir(parents=True, exist_ok=True)
    spec = args.dir / "grid.toml"
    text = spec_text(names, sizes, args.trials)
    if spec.exists() and spec.read_text() != text:
        raise SystemExit(f"{spec} holds another grid; use a new --dir for these predictors or trials")
    spec.write_text(text)
    if not args.no_run:
        status = run_sweep(args.dir, args.workers, args.limit_s)
        if status not in (0, 1, 124):  # 1: some trial failed (recorded in the table); 124: stopped at --limit-s
            raise SystemExit(f"naspred evaluate exited with {status}")
    command = (f"NASPRED_DATA=../shared/data python perf/grid_full.py --dir "
               f"{os.path.relpath(args.dir.resolve(), HERE.parent)}") + (
        f" --predictors {args.predictors}" if names != list(SLOW_DEFAULT) else "") + (
        f" --limit-s {args.limit_s:g}" if args.limit_s else "")
    sys.stdout.write(summarise(args.dir, names, sizes, args.trials, args.out, command))


if __name__ == "__main__":
    main()
