"""Model-based predictors on NAS-Bench-201 CIFAR-10: Kendall tau and Spearman against training-set size.

For every registered model-based predictor, and for the plain baselines a user would write in twenty lines
(LightGBM and XGBoost on the 30-dim one-hot adjacency encoding), each trial draws 200 test cells from all
15,625 cells of `nb201-cifar10`, then the training cells from the cells whose canonical form no test cell
shares, fits, and scores the predictions of the test cells against their 200-epoch validation accuracy.
Results are appended trial by trial to a CSV (an interrupted run resumes), then summarised in Markdown.

    NASPRED_DATA=../shared/data python perf/predictors.py --trials 20 --workers 2

writes perf/predictors.csv and perf/predictors.md.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np
from scipy.stats import kendalltau, spearmanr

HERE = Path(__file__).resolve().parent
TRAIN_SIZES = (20, 100, 1000)
TEST_SIZE = 200
BASELINES = ("baseline_lightgbm", "baseline_xgboost")
FIELDS = ("predictor", "train_size", "trial", "kendall_tau", "spearman", "fit_seconds", "predict_seconds", "error")

_STATE: dict = {}


def _bench():
    if "bench" not in _STATE:
        from naspred.benchmarks import load
        from naspred.evaluation.splits import CanonicalIndex

        bench = load("nb201-cifar10")
        space = bench.space
        archs = bench.archs
        _STATE.update(
            bench=bench,
            archs=archs,
            y=bench.y,
            canon=CanonicalIndex.of(bench).codes,
            onehot=np.eye(len(space.ops))[space.op_indices(archs)].reshape(len(archs), -1),
        )
    return _STATE


def split(trial: int, train_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Test rows, then training rows whose canonical form no test row shares (seeded by the trial; the
    ``"sampled"`` strategy of :func:`~naspred.evaluation.splits.draw_split`)."""
    from naspred.evaluation.splits import draw_split

    s = _bench()
    drawn = draw_split(s["canon"], np.arange(len(s["y"])), TEST_SIZE, [train_size], trial, strategy="sampled")
    return drawn.test, drawn.train[train_size]


def _baseline(name: str, trial: int):
    if name == "baseline_lightgbm":
        import lightgbm

        return lightgbm.LGBMRegressor(n_estimators=500, learning_rate=0.05, num_leaves=31, min_child_samples=5,
                                      subsample=0.8, subsample_freq=1, colsample_bytree=0.8, random_state=trial,
                                      n_jobs=1, verbose=-1)
    import xgboost

    return xgboost.XGBRegressor(n_estimators=500, learning_rate=0.05, max_depth=6, subsample=0.8,
                                colsample_bytree=0.8, random_state=trial, n_jobs=1)


def run_one(name: str, train_size: int, trial: int) -> dict:
    """Fit one predictor on one split and score it."""
    import torch

    torch.set_num_threads(1)
    s = _bench()
    test, train = split(trial, train_size)
    row = {"predictor": name, "train_size": train_size, "trial": trial, "error": ""}
    try:
        if name in BASELINES:
            model = _baseline(name, trial)
            t0 = time.perf_counter()
            model.fit(s["onehot"][train], s["y"][train])
            t1 = time.perf_counter()
            pred = model.predict(s["onehot"][test])
        else:
            from naspred import predictors
            from naspred.predictors.info import ArchInfo

            model = predictors.get(name)
            if "random_state" in model.get_params():
                model.set_params(random_state=trial)
            info = ArchInfo(space=s["bench"].space)
            archs = s["archs"]
            t0 = time.perf_counter()
            model.fit([archs[i] for i in train], s["y"][train], info)
            t1 = time.perf_counter()
            pred = model.predict([archs[i] for i in test], info)
        t2 = time.perf_counter()
        row.update(
            kendall_tau=kendalltau(pred, s["y"][test]).statistic,
            spearman=spearmanr(pred, s["y"][test]).statistic,
            fit_seconds=t1 - t0,
            predict_seconds=t2 - t1,
        )
    except Exception as err:  # recorded in the table: one failing predictor must not stop the sweep
        row.update(kendall_tau=np.nan, spearman=np.nan, fit_seconds=np.nan, predict_seconds=np.nan,
                   error=f"{type(err).__name__}: {err}"[:300])
    return row


def model_based_names() -> list[str]:
    from naspred import predictors

    return [d["name"] for d in predictors.describe() if d["family"] == "model-based"]


#: why a predictor takes more than twice the wall time of the LightGBM baseline (fit + predict, same split)
SLOW_BECAUSE = {
    "rf": "100 fully grown trees (NASLib's default) against LightGBM's histogram trees; below about 0.1 s for "
          "the baseline at 20 and 100 cells the ratio measures fixed costs",
    "xgb": "NASLib's XGBoost settings (500 rounds of depth-6 trees); at 20 cells the ratio measures fixed costs",
    "ngb": "natural-gradient boosting of a Normal distribution: 505 rounds (NASLib's default), each fitting a "
           "tree to the gradient of both parameters and a line search",
    "gp": "exact Gaussian process: the kernel hyperparameters are fitted by gradient steps on the marginal "
          "likelihood, each an O(n^3) solve",
    "var_sparse_gp": "variational sparse GP: stochastic optimisation of the inducing points and the kernel",
    "mlp": "a neural network trained by gradient descent (epochs of minibatches)",
    "bananas": "an ensemble of neural networks, each trained by gradient descent",
    "gcn": "a graph convolutional network trained by gradient descent on the cell graphs",
    "bonas": "a graph convolutional network trained by gradient descent, then a Bayesian linear head",
    "dngo": "a neural network trained by gradient descent, then Bayesian linear regression on its last layer",
    "bohamiann": "a Bayesian neural network sampled by stochastic-gradient Hamiltonian Monte Carlo: a fixed "
                 "4,000 steps (2,000 burn-in, 2,000 sampling) of minibatches of 20, whatever the training set size",
    "nao": "an LSTM encoder-predictor-decoder trained by gradient descent",
    "seminas": "an LSTM encoder-predictor-decoder trained twice (before and after pseudo-labelling "
               "unlabelled architectures)",
}


def noise_ceiling(trials: int) -> tuple[float, float, float]:
    """Kendall tau between the accuracy of each test cell and the mean accuracy of the other cells of its
    canonical class (test cells with such cells only), mean and std over trials, and the mean number of such
    test cells: how well a predictor that knew every architecture's expected accuracy could rank."""
    s = _bench()
    canon, y = s["canon"], s["y"]
    order = np.argsort(canon, kind="stable")
    keys, start, count = np.unique(canon[order], return_index=True, return_counts=True)
    class_sum = np.add.reduceat(y[order], start)
    taus, sizes = [], []
    for trial in range(trials):
        test, _ = split(trial, 1)
        k = np.searchsorted(keys, canon[test])
        others = count[k] - 1
        keep = others > 0
        mean_of_others = (class_sum[k] - y[test])[keep] / others[keep]
        taus.append(kendalltau(mean_of_others, y[test][keep]).statistic)
        sizes.append(int(keep.sum()))
    return float(np.mean(taus)), float(np.std(taus, ddof=1)), float(np.mean(sizes))


def summarise(rows: list[dict], out: Path, command: str) -> None:
    import pandas as pd

    df = pd.DataFrame(rows)
    for c in ("kendall_tau", "spearman", "fit_seconds", "predict_seconds"):
        df[c] = pd.to_numeric(df[c], errors="coerce")
    df["train_size"] = df["train_size"].astype(int)
    df["error"] = df["error"].fillna("")
    df["seconds"] = df["fit_seconds"] + df["predict_seconds"]
    lines = [
        "# Model-based predictors on `nb201-cifar10`",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; date "
        f"{time.strftime('%Y-%m-%d')}; rows are appended by resumed invocations, one group of predictors at a time, "
        "with one or two worker processes; other jobs shared the machine (load average 2 to 8 on 2 cores), so "
        "seconds are inflated.",
        "",
        "Command (from the repository root; without `--predictors` it runs the baselines and every model-based "
        "predictor):",
        "",
        "```",
        command,
        "```",
        "",
        f"Each cell: mean ± std over trials (n = trials with a defined tau) of Kendall tau / Spearman between "
        f"predicted and 200-epoch validation accuracy on {TEST_SIZE} test cells drawn from all 15,625; training "
        "cells share no canonical form with a test cell. Seconds: mean fit and predict time of one trial (one "
        "thread). `×base`: fit + predict seconds over those of `baseline_lightgbm` on the same trials. A trial whose "
        "predictions are all equal has no tau (counted under `const`).",
        "",
        "| predictor | train | n | const | Kendall tau | Spearman | fit s | predict s | ×base |",
        "|---|---:|---:|---:|---|---|---:|---:|---:|",
    ]
    base = df[(df.predictor == "baseline_lightgbm") & (df.error == "")].groupby("train_size")["seconds"].mean()
    order = list(dict.fromkeys(df["predictor"]))
    best: dict[int, tuple[float, str]] = {}
    slow: dict[str, float] = {}
    for name in order:
        for size in TRAIN_SIZES:
            sub = df[(df.predictor == name) & (df.train_size == size)]
            if sub.empty:
                continue
            ok = sub[sub.error == ""]
            if ok.empty:
                lines.append(f"| {name} | {size} | 0 | | failed: {sub.error.iloc[0]} | | | | |")
                continue
            defined = ok[ok.kendall_tau.notna()]
            const = len(ok) - len(defined)
            ratio = ok.seconds.mean() / base.get(size, float("nan"))
            if not name.startswith("baseline") and ratio > 2:
                slow[name] = max(slow.get(name, 0.0), ratio)
            if defined.empty:
                tau = spear = "–"
            else:
                tau = f"{defined.kendall_tau.mean():.3f} ± {defined.kendall_tau.std():.3f}"
                spear = f"{defined.spearman.mean():.3f} ± {defined.spearman.std():.3f}"
                if not name.startswith("baseline") and defined.kendall_tau.mean() > best.get(size, (-1.0, ""))[0]:
                    best[size] = (defined.kendall_tau.mean(), name)
            lines.append(
                f"| {name} | {size} | {len(defined)} | {const} | {tau} | {spear} | {ok.fit_seconds.mean():.2f} | "
                f"{ok.predict_seconds.mean():.3f} | {ratio:.1f} |"
            )
    lines += ["", "## Best predictor and the baselines", ""]
    for size in TRAIN_SIZES:
        if size in best:
            tau, name = best[size]
            b = df[(df.predictor.str.startswith("baseline")) & (df.train_size == size)].groupby("predictor")[
                "kendall_tau"].mean()
            lines.append(f"- {size} training cells: best `{name}` at Kendall tau {tau:.3f}; baselines "
                         + ", ".join(f"`{k}` {v:.3f}" for k, v in b.items()) + ".")
    ceiling, ceiling_std, shared = noise_ceiling(int(df.trial.astype(int).max()) + 1)
    lines += ["", "## How far from the noise", "",
              f"A test cell whose canonical form other cells of the space share (on average {shared:.0f} of the "
              f"{TEST_SIZE} test cells) has its own accuracy, from its own training run. Ranking those test cells by "
              f"the mean accuracy of the other cells of their canonical class gives Kendall tau {ceiling:.3f} ± "
              f"{ceiling_std:.3f} on the same trials' test sets, far above every predictor in the table: noise in the "
              "ground truth is not what limits them."]
    trials = int(df.groupby(["predictor", "train_size"]).size().max())
    missing = []
    for name in [*BASELINES, *model_based_names()]:
        have = [int(((df.predictor == name) & (df.train_size == size)).sum()) for size in TRAIN_SIZES]
        if min(have) < trials:
            missing.append(f"`{name}` ({' / '.join(map(str, have))})")
    if missing:
        lines += ["", "## Not complete", "",
                  f"Trials recorded at {' / '.join(map(str, TRAIN_SIZES))} training cells, fewer than {trials}: "
                  + ", ".join(missing) + ". Re-running the command resumes from the recorded rows."]
    if slow:
        lines += ["", "## Predictors over twice the baseline's wall time", ""]
        for name, ratio in slow.items():
            why = SLOW_BECAUSE.get(name, "see its class docstring")
            lines.append(f"- `{name}` (up to {ratio:.1f}× at one of the sizes): {why}.")
    out.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--predictors", default="", help="comma-separated names (default: every model-based one)")
    parser.add_argument("--train-sizes", default=",".join(map(str, TRAIN_SIZES)))
    parser.add_argument("--out", type=Path, default=HERE / "predictors")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    names = [n for n in args.predictors.split(",") if n] or [*BASELINES, *model_based_names()]
    sizes = [int(s) for s in args.train_sizes.split(",")]
    csv_path = args.out.with_suffix(".csv")
    done: list[dict] = []
    if csv_path.exists():
        with csv_path.open() as f:
            done = list(csv.DictReader(f))
    have = {(r["predictor"], int(r["train_size"]), int(r["trial"])) for r in done}
    jobs = [(n, s, t) for n in names for s in sizes for t in range(args.trials) if (n, s, t) not in have]
    logging.info("%d trials to run, %d already done", len(jobs), len(have))
    new_file = not csv_path.exists()
    with csv_path.open("a", newline="") as f, ProcessPoolExecutor(args.workers) as pool:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        if new_file:
            writer.writeheader()
        futures = [pool.submit(run_one, *job) for job in jobs]
        for k, fut in enumerate(as_completed(futures), 1):
            row = fut.result()
            writer.writerow(row)
            f.flush()
            done.append(row)
            logging.info("%d/%d %s n=%s trial %s tau=%.3f %s", k, len(jobs), row["predictor"], row["train_size"],
                         row["trial"], row["kendall_tau"], row["error"])
    command = f"NASPRED_DATA=../shared/data python perf/predictors.py --trials {args.trials} --workers {args.workers}"
    if args.predictors:
        command += f" --predictors {args.predictors}"
    summarise(done, args.out.with_suffix(".md"), command)


if __name__ == "__main__":
    main()
