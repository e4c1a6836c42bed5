"""Why some predictors' defaults differ from NASLib's: Kendall tau and time of the default against the
alternatives the docstrings of GCN, BONAS, NAO, SemiNAS and OMNI compare it with.

Each question is one ``naspred evaluate`` sweep on nb201-cifar10 (200 test architectures, 2 worker
processes, one thread each) at seed 100, so its splits are not those of perf/predictors.md, perf/grid.md or
perf/omni_ablation_nb201.md. Every sweep resumes from its folder under ``--dir``. Run from the repository
root (writes perf/defaults.md):

    NASPRED_DATA=../shared/data python perf/defaults.py --dir ../defaults-run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pandas as pd
from grid import evaluate_command  # perf/grid.py, beside this script

HERE = Path(__file__).resolve().parent
SEED = 100
NO_CAP = 1_000_000  # a step cap no sweep here reaches (TOML has no None)

#: question -> (predictor, train sizes, trials, [(label, params)]), the default first
QUESTIONS: dict[str, tuple[str, list[int], int, list[tuple[str, dict]]]] = {
    "gcn": ("gcn", [100, 1000], 5, [
        ("default: 100 epochs, at most 1,000 steps, batches of 64, lr 4e-3, no dropout", {}),
        ("100 epochs, batches of 32, lr 1e-3, dropout 0.1",
         {"max_steps": NO_CAP, "batch_size": 32, "lr": 1e-3, "dropout": 0.1}),
    ]),
    "bonas": ("bonas", [1000], 3, [
        ("default: 100 epochs, batches of 32, lr 1e-3, no step cap", {}),
        ("batches of 64, lr 2e-3", {"batch_size": 64, "lr": 2e-3}),
        ("batches of 128", {"batch_size": 128}),
        ("at most 1,600 steps", {"max_steps": 1600}),
    ]),
    "nao": ("nao", [1000], 3, [
        ("default: 50 epochs, no step cap", {}),
        ("at most 500 steps", {"max_steps": 500}),
        ("at most 150 steps", {"max_steps": 150}),
        ("at most 150 steps, lr 3e-3", {"max_steps": 150, "lr": 3e-3}),
    ]),
    "seminas": ("seminas", [1000], 2, [
        ("default: no step cap", {}),
        ("at most 250 steps in each phase", {"max_steps": 250}),
    ]),
    "omni": ("omni", [20, 100], 10, [  # nb201-cifar10 records no training loss: the curve feature of its ablation
        ("default: leaf size auto (n // 10 clipped to 2..5)", {"curve": "val_accuracy"}),
        ("leaf size 2", {"curve": "val_accuracy", "min_samples_leaf": 2}),
        ("leaf size 5", {"curve": "val_accuracy", "min_samples_leaf": 5}),
        ("NASLib's NGBoost: 505 rounds at lr 0.081 on 50 % minibatches",
         {"curve": "val_accuracy", "n_estimators": 505, "learning_rate": 0.081, "minibatch_frac": 0.5}),
    ]),
}


def spec_text(name: str, sizes: list[int], trials: int, variants: list[tuple[str, dict]]) -> str:
    """The TOML spec of one question: one predictor entry per variant, labelled."""
    head = (f'benchmark = "nb201-cifar10"\ntrain_sizes = {sizes}\ntrials = {trials}\ntest_size = 200\n'
            f"seed = {SEED}\n")
    lines = [head]
    for label, params in variants:
        table = ", ".join(f"{k} = {json.dumps(v)}" for k, v in params.items())
        lines.append(f'[[predictors]]\nname = "{name}"\nlabel = {json.dumps(label)}\nparams = {{{table}}}\n')
    return "\n".join(lines)


def run(folder: Path, spec: str, workers: int) -> pd.DataFrame:
    """Run (or resume) one question's sweep; its results table."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "spec.toml").write_text(spec)
    executor = ["--executor", "process", "--workers", str(workers)]
    cmd = evaluate_command(folder / "spec.toml", folder / "results", executor)
    status = subprocess.run(cmd, check=False).returncode
    if status not in (0, 1):  # 1: some trial failed (recorded in the table)
        raise SystemExit(f"naspred evaluate exited with {status} for {folder}")
    from naspred.evaluation.results import read_table

    table = read_table(folder / "results")
    if table.empty:
        raise SystemExit(f"the sweep in {folder} ran no trial (see the skipped predictors above)")
    return table


def section(question: str, table: pd.DataFrame, variants: list[tuple[str, dict]], sizes: list[int],
            trials: int) -> list[str]:
    """The Markdown table of one question: Kendall tau (mean ± std over trials) and mean trial seconds."""
    lines = [f"## {question}", "", f"{trials} trials per cell; Kendall tau mean ± std, and mean seconds per trial.",
             "", "| variant | " + " | ".join(f"tau @ {s} | s @ {s}" for s in sizes) + " |",
             "|---|" + "---:|---:|" * len(sizes)]
    for label, _ in variants:
        cells = []
        for size in sizes:
            rows = table[(table["predictor"] == label) & (table["init_budget"] == size)]
            ok = rows[rows["status"] == "ok"]
            failed = len(rows) - len(ok)
            tau = f"{ok['kendall_tau'].mean():.3f} ± {ok['kendall_tau'].std():.3f}" if len(ok) else "–"
            tau += f" ({failed} failed)" if failed else ""
            cells += [tau, f"{rows['wall_s'].mean():.1f}" if len(rows) else "–"]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, required=True, help="folder of the sweeps (resumed on re-run)")
    parser.add_argument("--questions", default=",".join(QUESTIONS), help="comma-separated, of: " + ", ".join(QUESTIONS))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "defaults.md")
    args = parser.parse_args()
    if not os.environ.get("NASPRED_DATA"):
        raise SystemExit("set NASPRED_DATA to the benchmark data folder")
    chosen = [q for q in args.questions.split(",") if q]
    unknown = sorted(set(chosen) - set(QUESTIONS))
    if unknown:
        raise SystemExit(f"unknown question(s) {unknown}; expected some of {list(QUESTIONS)}")
    command = "NASPRED_DATA=../shared/data python perf/defaults.py --dir ../defaults-run"
    lines = [
        "# Defaults against the alternatives (nb201-cifar10)", "",
        "Command (from the repository root; re-run to resume):", "", f"    {command}", "",
        (f"- Machine: {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), Python "
         f"{platform.python_version()}; {args.workers} worker processes of one thread each."),
        (f"- Splits: seed {SEED}, 200 test architectures disjoint by canonical form from the training ones; not "
         "the splits of the other tables."),
        ("- OMNI reads the validation accuracy at 12 epochs as its curve feature: nb201-cifar10 records no "
         "training loss (as in perf/omni_ablation_nb201.md)."), "",
    ]
    for question in chosen:
        name, sizes, trials, variants = QUESTIONS[question]
        table = run(args.dir / question, spec_text(name, sizes, trials, variants), args.workers)
        lines += section(question, table, variants, sizes, trials)
    text = "\n".join(lines)
    args.out.write_text(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
