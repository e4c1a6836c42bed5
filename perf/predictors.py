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

        bench = load("nb201-cifar10")
        space = bench.space
        archs = bench.archs
        _STATE.update(
            bench=bench,
            archs=archs,
            y=bench.y,
            canon=np.array([hash(space.canonical(a)) for a in archs]),
            onehot=np.eye(len(space.ops))[space.op_indices(archs)].reshape(len(archs), -1),
        )
    return _STATE


def split(trial: int, train_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Test rows, then training rows whose canonical form no test row shares (seeded by the trial)."""
    s = _bench()
    rng = np.random.default_rng(trial)
    n = len(s["y"])
    test = rng.choice(n, TEST_SIZE, replace=False)
    pool = np.flatnonzero(~np.isin(s["canon"], s["canon"][test]))
    train = rng.choice(pool, train_size, replace=False)
    return test, train


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


def summarise(rows: list[dict], out: Path, command: str, wall: float) -> None:
    import pandas as pd

    df = pd.DataFrame(rows)
    for c in ("kendall_tau", "spearman", "fit_seconds", "predict_seconds"):
        df[c] = pd.to_numeric(df[c], errors="coerce")
    lines = [
        "# Model-based predictors on `nb201-cifar10`",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; date "
        f"{time.strftime('%Y-%m-%d')}; wall time of this invocation {wall / 60:.1f} min.",
        "",
        "Command (from the repository root):",
        "",
        "```",
        command,
        "```",
        "",
        f"Each cell: mean ± std over trials (n = trials that finished) of Kendall tau / Spearman between predicted "
        f"and 200-epoch validation accuracy on {TEST_SIZE} test cells; training cells share no canonical form with "
        "a test cell. Seconds: mean fit and predict time of one trial (one thread).",
        "",
        "| predictor | train | n | Kendall tau | Spearman | fit s | predict s |",
        "|---|---:|---:|---|---|---:|---:|",
    ]
    order = list(dict.fromkeys(df["predictor"]))
    for name in order:
        for size in TRAIN_SIZES:
            sub = df[(df.predictor == name) & (df.train_size == size)]
            ok = sub[sub.error.fillna("") == ""]
            if sub.empty:
                continue
            if ok.empty:
                lines.append(f"| {name} | {size} | 0 | failed: {sub.error.iloc[0]} | | | |")
                continue
            lines.append(
                f"| {name} | {size} | {len(ok)} | {ok.kendall_tau.mean():.3f} ± {ok.kendall_tau.std():.3f} | "
                f"{ok.spearman.mean():.3f} ± {ok.spearman.std():.3f} | {ok.fit_seconds.mean():.2f} | "
                f"{ok.predict_seconds.mean():.3f} |"
            )
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
    start = time.perf_counter()
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
    command = "NASPRED_DATA=../shared/data python perf/predictors.py --trials %d --workers %d" % (args.trials, args.workers)
    summarise(done, args.out.with_suffix(".md"), command, time.perf_counter() - start)


if __name__ == "__main__":
    main()
