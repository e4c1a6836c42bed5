"""The four predictor families and OMNI on ``nb201-mnist1d``, each beside the benchmark's noise ceiling.

The main comparison of White et al. ("How Powerful are Performance Predictors in Neural Architecture Search?",
NeurIPS 2021), made on a benchmark trained here: model-based predictors (trained on fully trained cells),
learning-curve predictors (a partial curve of each queried cell), zero-cost proxies (the live proxies recorded
at initialisation), the weight-sharing predictor (a one-shot supernet with the benchmark's network, data and
optimiser, trained at initialization and charged by its measured time) and OMNI. Every predictor runs through
``run_experiment`` on the same trials (200 test cells of distinct canonical forms, training cells sharing no
form with them), with ``--train-sizes`` for the predictors that need fully trained cells and ``--fidelities``
for those that read curves. Seconds, as the budgets in seconds count them: the training time the oracle
simulates (the recorded epoch times of the cells trained, or partially trained, and the recorded seconds of
each proxy) plus the measured wall time of the phase (fitting and predicting; for weight sharing, the
supernet's training).

    OMP_NUM_THREADS=1 python perf/nb201_mnist1d_families.py --trials 10 --workers 2

Rows go to ``--work`` (outside the repository; re-running resumes); the section "Predictors of the four
families" of perf/nb201_mnist1d.md is written (replaced) from them.
"""

from __future__ import annotations

import argparse
import logging
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

logger = logging.getLogger("nb201_mnist1d_families")

HERE = Path(__file__).resolve().parent
REPORT = HERE / "nb201_mnist1d.md"
#: the heading of the section this script writes into the benchmark's report
SECTION = "## Predictors of the four families"
#: the predictors compared, by family
FAMILIES: dict[str, tuple[str, ...]] = {
    "model-based": ("gates", "gcn", "bananas", "svr", "lgb"),
    "learning-curve": ("valacc", "sotle", "lcsvr", "lce", "lcnet"),
    "zero-cost": ("synflow", "jacov", "nwot", "snip"),
    "weight-sharing": ("weight_sharing",),
    "OMNI": ("omni",),
}


def noise_ceiling(benchmark) -> tuple[float, int]:
    """Kendall tau between the seed-0 and seed-1 final validation accuracies of the cells trained twice."""
    from scipy.stats import kendalltau

    table = benchmark.table
    twice = np.isfinite(table["val_accuracy_seed1"].to_numpy(dtype=np.float64))
    a = table["val_accuracy"].to_numpy(dtype=np.float64)[twice]
    b = table["val_accuracy_seed1"].to_numpy(dtype=np.float64)[twice]
    return float(kendalltau(a, b).statistic), int(twice.sum())


def budget_label(row: pd.Series) -> str:
    """``"100 cells, 5 epochs"``-style label of a row's budgets (``–`` where the predictor has no such axis)."""
    init = f"{int(row['init_budget'])} cells" if row["init_unit"] == "archs" else "–"
    query = f"{int(row['fidelity'])} epochs" if row["fidelity"] else "–"
    return f"{init}, {query}"


def table_rows(results: pd.DataFrame, ceiling: float) -> list[str]:
    """One Markdown row per (predictor, budget): Kendall tau with its 95 % interval, beside the ceiling, and
    the seconds spent."""
    from naspred.evaluation.metrics import summarise

    family_of = {p: f for f, names in FAMILIES.items() for p in names}
    results = results[results["status"] == "ok"].copy()
    by = ["predictor", "init_unit", "init_budget", "fidelity"]
    summary = summarise(results, ["kendall_tau"], by)
    results["init_s"] = results["init_simulated_s"] + results["init_wall_s"]
    results["query_s"] = results["query_simulated_s"] + results["query_wall_s"]
    summary = summary.join(results.groupby(by)[["init_s", "query_s"]].mean(), on=by)
    summary["order"] = [list(family_of).index(p) for p in summary["predictor"]]
    summary = summary.sort_values(["order", "init_budget", "fidelity"], kind="stable")
    lines = [
        "| family | predictor | budget (train cells, query epochs) | n | Kendall tau [95 % CI] | tau / ceiling "
        "| init s | query s per cell |",
        "|---|---|---|---:|---|---:|---:|---:|",
    ]
    for _, row in summary.iterrows():
        lines.append(
            f"| {family_of[row['predictor']]} | {row['predictor']} | {budget_label(row)} | {row['n']} "
            f"| {row['kendall_tau']:.3f} [{row['kendall_tau_low']:.3f}, {row['kendall_tau_high']:.3f}] "
            f"| {row['kendall_tau'] / ceiling:.2f} | {row['init_s']:.1f} | {row['query_s']:.3f} |"
        )
    return lines


def section(results: pd.DataFrame, benchmark, command: str, elapsed: float, trials: int) -> str:
    """The Markdown section of the comparison."""
    ceiling, twice = noise_ceiling(benchmark)
    names = ", ".join(f"{family}: {', '.join(f'`{p}`' for p in ps)}" for family, ps in FAMILIES.items())
    lines = [
        SECTION, "",
        (f"The main comparison of White et al. (NeurIPS 2021) on this benchmark: {names} (`weight_sharing`, which "
         "trains its supernet with its defaults in each trial, in the first trials only: `n`). "
         f"{trials} trials, seed 0, "
         "200 test cells of distinct canonical forms per trial, training cells sharing no canonical form with a "
         "test cell; every predictor sees the same cells in a trial. Target: the final validation accuracy of "
         "the seed-0 run."),
        "",
        (f"Noise ceiling: Kendall tau **{ceiling:.3f}** between the two training runs (seeds 0 and 1) of the "
         f"{twice} cells trained twice; `tau / ceiling` is a predictor's tau over it (1: it ranks the test cells "
         "as well as a second training run would; a predictor of the expected accuracy can exceed it)."),
        "",
        ("Seconds (means over trials), as budgets in seconds count them: `init s` is the simulated training of "
         "the cells a predictor trains at initialization (their recorded epoch times) plus the measured "
         "initialization (fitting; for `weight_sharing` the training of its supernet); `query s per cell` the "
         "simulated partial training or proxy computation of a queried cell plus its measured prediction."),
        "",
        (f"Machine: {platform.machine()}, {platform.system()}, Python {platform.python_version()}, one thread per "
         f"trial; the run took {elapsed / 60:.1f} min of wall time. Command (from the repository root):"),
        "", "```", command, "```", "",
        *table_rows(results, ceiling), "",
    ]
    return "\n".join(lines)


def write_section(text: str, report: Path) -> None:
    """Replace (or append) the section in ``report``, keeping what precedes it."""
    head = report.read_text(encoding="utf-8") if report.is_file() else ""
    if SECTION in head:
        head = head[: head.index(SECTION)]
    report.write_text(head.rstrip("\n") + "\n\n" + text, encoding="utf-8")


def main() -> None:
    from naspred.benchmarks import load
    from naspred.evaluation.executors import ProcessExecutor, SerialExecutor
    from naspred.evaluation.experiment import run_experiment
    from naspred.evaluation.spec import ExperimentSpec

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--train-sizes", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--fidelities", type=int, nargs="+", default=[5, 10])
    parser.add_argument("--weight-sharing-trials", type=int, default=3,
                        help="trials of weight_sharing (it trains a supernet in each; the first ones)")
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache" / "naspred" / "nb201_mnist1d_families")
    parser.add_argument("--report", type=Path, default=REPORT)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    command = (f"OMP_NUM_THREADS=1 python perf/nb201_mnist1d_families.py --trials {args.trials} --workers "
               f"{args.workers} --train-sizes {' '.join(map(str, args.train_sizes))} --fidelities "
               f"{' '.join(map(str, args.fidelities))} --weight-sharing-trials {args.weight_sharing_trials}")
    spec = ExperimentSpec.from_mapping({
        "benchmark": "nb201-mnist1d",
        "predictors": [{"name": p, "trials": args.weight_sharing_trials} if p == "weight_sharing" else p
                       for ps in FAMILIES.values() for p in ps],
        "train_sizes": args.train_sizes, "fidelities": args.fidelities, "trials": args.trials,
        "test_size": 200, "seed": 0,
    })
    start = time.perf_counter()
    executor = ProcessExecutor(args.workers, threads=1) if args.workers > 1 else SerialExecutor()
    outcome = run_experiment(spec, args.work, executor)
    elapsed = time.perf_counter() - start
    logger.info("%d trial rows in %.0f s", len(outcome.table), elapsed)
    write_section(section(outcome.table, load("nb201-mnist1d"), command, elapsed, args.trials), args.report)


if __name__ == "__main__":
    main()
