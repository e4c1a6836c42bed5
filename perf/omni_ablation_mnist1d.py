"""OMNI and its ablations on ``nb201-mnist1d`` (NAS-Bench-201 cells trained on MNIST-1D): the committed table.

Features: adjacency one-hot, the live jacov proxy, and SoTL-E (``--curves``) at 1 and 5 of the 10 epochs;
target: the epoch-10 validation accuracy of the seed-0 run; 20, 100 and 300 training cells; 200 test cells,
disjoint by canonical form. The OMNI variants and plain LightGBM of :data:`VARIANTS`, and every registered
learning-curve predictor (the MCMC curve extrapolation ``lce`` in the first ``--lce-trials`` trials only).
Beside the table: the noise ceiling, the Kendall tau between the final accuracies of two training runs (seeds
0 and 1) of the same cells.

    python perf/omni_ablation_mnist1d.py --trials 20 --workers 2

Rows go to ``--work`` (outside the repository; re-running resumes); the report is written to
perf/omni_ablation_mnist1d.{md,png}.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

#: OMNI, its three one-feature-group ablations and plain LightGBM; the other variants (SemiNAS, curve / encoding /
#: proxy alone, plain NGBoost) are left out to fit the table in a quarter of an hour of two shared cores
VARIANTS: tuple[str, ...] = ("omni", "omni_no_encoding", "omni_no_zero_cost", "omni_no_curve", "plain_lightgbm")


def noise_ceiling(benchmark) -> list[str]:
    """The seed-to-seed Kendall tau of the final validation accuracy over the cells trained twice."""
    from scipy.stats import kendalltau

    table = benchmark.table
    twice = np.isfinite(table["val_accuracy_seed1"].to_numpy(dtype=np.float64))
    a = table["val_accuracy"].to_numpy(dtype=np.float64)[twice]
    b = table["val_accuracy_seed1"].to_numpy(dtype=np.float64)[twice]
    tau = kendalltau(a, b).statistic
    # bivariate normal: tau = (2 / pi) * asin(rho) (Greiner's relation); a run is mean + independent noise, so
    # the correlation of the mean with one run is sqrt(rho) for a run-to-run correlation rho
    rho = np.sin(np.pi * tau / 2)
    mean_tau = 2 / np.pi * np.arcsin(np.sqrt(max(rho, 0.0)))
    return [
        "### Noise ceiling", "",
        (f"Kendall tau between the final validation accuracies of two training runs (seeds 0 and 1) of the same "
         f"{int(twice.sum())} cells: **{tau:.3f}** (perf/nb201_mnist1d.md). A predictor at this tau ranks the test "
         "cells as well as a second training run of each would. It is not a bound: a predictor of each cell's "
         "expected accuracy can exceed it; with normal noise (Greiner's relation tau = (2/pi) asin(rho), and the "
         "correlation of the expected accuracy with one run the square root of the run-to-run correlation) a "
         f"perfect one would reach about **{mean_tau:.2f}**. The learning-curve features come from the same "
         "seed-0 run as the target, so they share its noise and can go beyond that too (sotle at 5 epochs)."), "",
    ]


def main() -> None:
    from naspred.benchmarks.nb201_mnist1d import load_nb201_mnist1d
    from naspred.evaluation.omni_ablation import run_ablation, write_report

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--test-size", type=int, default=200)
    parser.add_argument("--train-sizes", type=int, nargs="+", default=[20, 100, 300])
    parser.add_argument("--fidelities", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--curves", nargs="+", default=["sotle"], help="curve features of the OMNI variants")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS))
    parser.add_argument("--lce-trials", type=int, default=1)
    parser.add_argument("--benchmark", type=Path, help="a file of the packaged layout (default: the packaged one)")
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache" / "naspred" / "perf-omni-ablation")
    parser.add_argument("--stem", type=Path, default=HERE / "omni_ablation_mnist1d")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    command = (f"python perf/omni_ablation_mnist1d.py --trials {args.trials} --workers {args.workers} "
               f"--test-size {args.test_size} --train-sizes {' '.join(map(str, args.train_sizes))} "
               f"--fidelities {' '.join(map(str, args.fidelities))} --curves {' '.join(args.curves)} "
               f"--variants {' '.join(args.variants)} --lce-trials {args.lce_trials}")
    benchmark = load_nb201_mnist1d(args.benchmark)
    start = time.perf_counter()
    table, run = run_ablation(benchmark, train_sizes=args.train_sizes, fidelities=args.fidelities,
                              trials=args.trials, test_size=args.test_size, csv_path=args.work / "mnist1d.csv",
                              curves=args.curves, variants=args.variants, trial_limits={"lce": args.lce_trials},
                              workers=args.workers)
    grid = table["train_size"].isin(args.train_sizes) & table["fidelity"].isin([0, *args.fidelities])
    if not grid.all():
        logging.info("leaving out %d rows of the work folder outside this grid", int((~grid).sum()))
    table = table[grid].reset_index(drop=True)
    write_report(table, run, args.stem, title="OMNI ablation on nb201-mnist1d", command=command,
                 reference="omni [sotle]", wall_seconds=time.perf_counter() - start if run.ran else None,
                 notes=noise_ceiling(benchmark))


if __name__ == "__main__":
    main()
