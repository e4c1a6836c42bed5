"""Weight sharing on nb201-mnist1d: Kendall tau of one-shot scores against the benchmark, by supernet training length.

For each seed and schedule length, ``WeightSharing(supernet=MNIST1DSupernetTrainer.like(protocol()))`` is
initialized on a simulated oracle of the benchmark: the supernet trains on the benchmark's own MNIST-1D split,
network size, batch size and optimiser (its protocol), and the init ledger gives the seconds it took. Each cell
of the benchmark is then scored once with the shared weights, twice over: with the BatchNorm statistics
re-estimated on 500 training signals per cell (the default, Single Path One-Shot's recalibration) and with the
statistics tracked during training (``bn_signals=0``, as NASLib's ``OneShotPredictor`` scores), each giving the
validation accuracy and loss. Kendall tau-b of each score (the loss negated) against the seed-0 final validation
accuracy of every cell, and against each seed on the cells trained twice; the noise ceiling is the tau between
the two seeds on those cells. Prints Markdown tables (perf/weight_sharing.md).

    OMP_NUM_THREADS=1 python perf/weight_sharing.py --epochs 5 20 50 200 --seeds 0 1
    OMP_NUM_THREADS=1 python perf/weight_sharing.py --epochs 500 --seeds 0 1
"""

from __future__ import annotations

import argparse
import copy
import platform
import time
from dataclasses import replace

import numpy as np
import torch
from naspred.benchmarks import load
from naspred.benchmarks.nb201_mnist1d import protocol
from naspred.live.supernet import MNIST1DSupernetTrainer
from naspred.oracles.budget import Budget
from naspred.oracles.simulated import SimulatedOracle
from naspred.predictors.weight_sharing import WeightSharing
from scipy.stats import kendalltau

#: how each cell is scored: label -> (BatchNorm signals, score, sign)
SCORINGS = {
    "accuracy, BN re-estimated": (500, "val_accuracy", 1.0),
    "-loss, BN re-estimated": (500, "val_loss", -1.0),
    "accuracy, BN as trained": (0, "val_accuracy", 1.0),
    "-loss, BN as trained": (0, "val_loss", -1.0),
}


def tau(a: np.ndarray, b: np.ndarray) -> float:
    return float(kendalltau(a, b).statistic)


def run(bench, epochs: int, seed: int) -> dict:
    """Train the supernet through the predictor, then score every cell both ways; taus and seconds."""
    oracle = SimulatedOracle(bench, seed=seed)
    model = WeightSharing(supernet=MNIST1DSupernetTrainer.like(protocol()), epochs=epochs, random_state=seed)
    model.initialize(oracle, Budget(seconds=3600))
    init_seconds = oracle.meters[-1].spent["seconds"]
    tracked = replace(model.supernet_, supernet=copy.deepcopy(model.supernet_.supernet), bn_signals=0)
    scores, seconds = {}, {}
    for bn, one_shot in ((0, tracked), (500, model.supernet_)):
        start = time.perf_counter()
        scores[bn] = [one_shot.evaluate(a) for a in bench.archs]
        seconds[bn] = (time.perf_counter() - start) / len(bench.archs)
    y, y1 = bench.y, bench.table["val_accuracy_seed1"].to_numpy()
    twice = np.isfinite(y1)
    out = {"epochs": epochs, "seed": seed, "init_s": init_seconds,
           "train_loss": model.supernet_.curve["train_loss"][-1]}
    for label, (bn, score, sign) in SCORINGS.items():
        pred = sign * np.array([s[score] for s in scores[bn]])
        out[label] = (tau(pred, y), tau(pred[twice], y[twice]), tau(pred[twice], y1[twice]), seconds[bn])
    return out


def report(rows: list[dict], bench) -> None:
    y, y1 = bench.y, bench.table["val_accuracy_seed1"].to_numpy()
    twice = np.isfinite(y1)
    print(f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"torch {torch.__version__}, one thread.\n")
    print(f"Noise ceiling: tau(seed 0, seed 1) on the {int(twice.sum())} cells trained twice = "
          f"{tau(y[twice], y1[twice]):.3f}\n")
    print("| epochs | seed | supernet training s (init ledger) | last train loss | scoring | tau, all "
          f"{len(y)} cells | tau vs seed 0, {int(twice.sum())} cells | tau vs seed 1, same cells | s per cell |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        for label in SCORINGS:
            t_all, t0, t1, s = row[label]
            print(f"| {row['epochs']} | {row['seed']} | {row['init_s']:.1f} | {row['train_loss']:.3f} | {label} | "
                  f"{t_all:.3f} | {t0:.3f} | {t1:.3f} | {s:.3f} |")
    print("\nMean over seeds:\n")
    print("| epochs | scoring | mean tau, all cells | per seed | mean supernet training s |")
    print("|---|---|---|---|---|")
    for epochs in sorted({r["epochs"] for r in rows}):
        runs = [r for r in rows if r["epochs"] == epochs]
        for label in SCORINGS:
            taus = [r[label][0] for r in runs]
            print(f"| {epochs} | {label} | {np.mean(taus):.3f} | {' / '.join(f'{t:.3f}' for t in taus)} | "
                  f"{np.mean([r['init_s'] for r in runs]):.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, nargs="+", default=[5, 20, 50, 200, 500])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    args = parser.parse_args()
    bench = load("nb201-mnist1d")
    rows = [run(bench, epochs, seed) for seed in args.seeds for epochs in args.epochs]
    report(rows, bench)


if __name__ == "__main__":
    main()
