"""Search strategies on a tabular benchmark: best validation accuracy found against simulated training time.

Run from the repository root (writes perf/search.md and perf/search.png):

    NASPRED_DATA=../shared/data nice -n 10 python perf/search.py

Random search, regularised evolution, local search and BANANAS-style search with each of ``--predictors``
(refitting every ``--batch-size`` evaluations) run on ``--benchmark`` for ``--seeds`` seeds under the same
budget of simulated training seconds (capped at ``--max-evaluations``). The same seed gives every strategy
the same first random architectures. For each strategy the table gives the mean and standard deviation over
seeds of the best validation accuracy found by a quarter, half and all of the budget, the evaluations that
fitted in the budget, and the measured wall time of one search (predictor fits included).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # two busy cores: one thread per fit avoids contention

import numpy as np
import pandas as pd

from naspred.benchmarks import load
from naspred.predictors import SimulatedOracle
from naspred.search import SearchBudget, run_search
from report_text import command_block  # perf/report_text.py, beside this script

HERE = Path(__file__).resolve().parent


def best_at(history: pd.DataFrame, times: np.ndarray) -> np.ndarray:
    """Best target found by each simulated time (NaN before the first evaluation ends)."""
    t = history["simulated_seconds"].to_numpy()
    best = history["best"].to_numpy()
    idx = np.searchsorted(t, times, side="right") - 1
    out = np.full(len(times), np.nan)
    out[idx >= 0] = best[idx[idx >= 0]]
    return out


def configurations(predictor_names: list[str], batch_size: int) -> list[tuple[str, str, dict]]:
    out = [("random search", "random", {}), ("regularised evolution", "evolution", {}), ("local search", "local", {})]
    for name in predictor_names:
        out.append((f"BANANAS ({name})", "bananas", {"predictor": name, "batch_size": batch_size}))
    return out


def plot(curves: dict[str, np.ndarray], times: np.ndarray, best_cell: float, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    lows = []
    for label, values in curves.items():
        seen = np.isfinite(values).all(axis=0)  # from when every seed has finished an evaluation
        mean, std = values[:, seen].mean(axis=0), values[:, seen].std(axis=0)
        ax.plot(times[seen], mean, label=label)
        ax.fill_between(times[seen], mean - std, mean + std, alpha=0.15)
        lows.append(mean[len(mean) // 10])
    ax.axhline(best_cell, color="black", linestyle=":", linewidth=1, label=f"best cell of the benchmark ({best_cell:.2f})")
    ax.set_xlabel("simulated training seconds")
    ax.set_ylabel("best validation accuracy found (%)")
    ax.set_title(title)
    ax.set_ylim(min(lows) - 0.5, best_cell + 0.3)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--benchmark", default="nb201-cifar10")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30000.0, help="simulated training seconds per search")
    parser.add_argument("--max-evaluations", type=int, default=300, help="cap on evaluations per search")
    parser.add_argument("--predictors", default="bananas,xgb", help="predictors guiding BANANAS, comma-separated")
    parser.add_argument("--batch-size", type=int, default=10, help="BANANAS evaluations between refits")
    parser.add_argument("--out", type=Path, default=HERE / "search.md")
    parser.add_argument("--plot", type=Path, default=HERE / "search.png")
    args = parser.parse_args()

    benchmark = load(args.benchmark)
    oracle = SimulatedOracle(benchmark)
    budget = SearchBudget(evaluations=args.max_evaluations, seconds=args.seconds)
    times = np.linspace(0.0, args.seconds, 301)
    marks = {"25 %": args.seconds / 4, "50 %": args.seconds / 2, "100 %": args.seconds}
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    rows, curves, finals = [], {}, {}
    for label, name, params in configurations(args.predictors.split(","), args.batch_size):
        results = []
        for seed in range(args.seeds):
            tic = time.perf_counter()
            result = run_search(name, benchmark, budget, seed=seed, **params)
            results.append((result, time.perf_counter() - tic))
            print(f"{label} seed {seed}: best {result.best_value:.2f} after {result.evaluations} evaluations",
                  file=sys.stderr, flush=True)
        curves[label] = np.vstack([best_at(r.history, times) for r, _ in results])
        row = {"strategy": label}
        for mark, t in marks.items():
            values = np.array([best_at(r.history, np.array([t]))[0] for r, _ in results])
            row[mark] = f"{np.mean(values):.2f} ± {np.std(values):.2f}"
        finals[label] = np.array([r.best_value for r, _ in results])
        evaluations = np.array([r.evaluations for r, _ in results])
        row["evaluations"] = f"{evaluations.mean():.1f} ({evaluations.min()}-{evaluations.max()})"
        row["wall s / search"] = f"{np.mean([w for _, w in results]):.1f}"
        fits = [r.ledger["seconds_by_kind"].get("fit (wall)", 0.0) for r, _ in results]
        row["fit wall s / search"] = f"{np.mean(fits):.1f}"
        rows.append(row)
    elapsed = time.perf_counter() - started
    table = pd.DataFrame(rows)
    baseline = finals["random search"]
    paired = []
    for label, values in finals.items():
        if label == "random search":
            continue
        d = values - baseline
        paired.append(f"| {label} | {d.mean():+.2f} ± {d.std():.2f} | {(d > 0).sum()} / {(d == 0).sum()} / {(d < 0).sum()} |")
    best_cell = float(np.nanmax(benchmark.y))
    random_mean = float(benchmark.y[np.isfinite(benchmark.y)].mean())
    mean_cost = float(np.mean([oracle.epoch_seconds(a) for a in benchmark.archs])) * oracle.full_epochs
    title = f"{args.benchmark}: mean ± std over {args.seeds} seeds"
    plot(curves, times, best_cell, args.plot, title)

    command = (
        f"NASPRED_DATA=../shared/data nice -n 10 python perf/search.py --seeds {args.seeds} "
        f"--seconds {args.seconds:g} --max-evaluations {args.max_evaluations} --predictors {args.predictors} "
        f"--batch-size {args.batch_size}"
    )
    header = " | ".join(table.columns)
    lines = [
        f"# Search strategies on {args.benchmark}",
        "",
        (
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}."
        ),
        (
            f"Date: {date.today().isoformat()}; load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} "
            f"after the run (other work shared the cores); the whole run took {elapsed / 60:.1f} min of wall time."
        ),
        "",
        *command_block(command),
        (
            f"Best validation accuracy (%) found by a quarter, half and all of a budget of {args.seconds:g} "
            f"simulated training seconds per search (at most {args.max_evaluations} evaluations), mean ± std over "
            f"seeds 0..{args.seeds - 1}; evaluations: mean (min-max) that fitted in the budget; wall seconds: one "
            "search, measured, and the part spent fitting predictors."
        ),
        "",
        f"| {header} |",
        "|" + "---|" * len(table.columns),
    ]
    lines += ["| " + " | ".join(str(v) for v in r) + " |" for r in table.itertuples(index=False)]
    lines += [
        "",
        (
            "Against random search with the same seed (same first cells), at the end of the budget: mean ± std of "
            "the paired difference in best validation accuracy, and seeds better / equal / worse."
        ),
        "",
        "| strategy | difference | better / equal / worse |",
        "|---|---|---|",
        *paired,
        "",
        f"The best cell of the benchmark scores {best_cell:.2f}; the mean over its cells is {random_mean:.2f}.",
        (
            f"Cost of an evaluation: {oracle.cost_model} (the oracle's cost model; these NAS-Bench-201 files record "
            f"no training time), times {oracle.full_epochs} epochs: on average {mean_cost:.0f} simulated seconds "
            "per cell of the benchmark."
        ),
        (
            "Every search evaluates each canonical form at most once. BANANAS starts from the same 10 random cells "
            "as random search with the same seed, then fits its predictor on everything evaluated, ranks 200 single "
            "mutations of the 5 best cells by independent Thompson sampling (predicted mean where the predictor "
            f"has no standard deviation) and evaluates the best {args.batch_size} before fitting again. Regularised "
            "evolution: population 30, tournament 10; local search: best of 10 random cells, then best-neighbour "
            "moves with random restarts."
        ),
        "",
        f"![best validation accuracy against simulated time]({args.plot.name})",
        "",
    ]
    args.out.write_text("\n".join(lines))
    print(f"wrote {args.out} and {args.plot}", file=sys.stderr)


if __name__ == "__main__":
    main()
