"""Query overhead of the NASLib adapter against NASLib's own XGBoost query path.

Run from the repository root (writes perf/naslib_query.md):

    NASPRED_DATA=../shared/data OMP_NUM_THREADS=1 python perf/naslib_query.py

NASLib is not installed here, so its query path is rebuilt from its source (Development branch,
``naslib/predictors/trees/xgb.py`` and ``base_tree_class.py``, ``naslib/search_spaces/nasbench201/encodings.py``):
each graph is encoded by concatenating the one-hot rows of its ``get_op_indices()``, the list becomes a
``DMatrix`` and the booster trained by ``xgb.train`` (NASLib's defaults, 500 rounds, targets standardised)
predicts. Both sides get the same stand-in graph objects (``get_op_indices``, ``get_type``) of NAS-Bench-201
CIFAR-10 cells, 200 to train on and ``--cells`` to query, and XGBoost runs on one thread.

Rows:

* ``PredictorEvaluator``: NASLib's sequence, ``pre_compute(xtrain, xtest)`` then ``fit`` then the timed
  ``query(xtest, info)``;
* ``query of unseen cells``: a fitted predictor queries cells it has not converted before (no ``pre_compute``),
  after one query of other cells (the first predict of a new XGBoost model is slower once, and NASLib's
  booster is warm);
* ``Ensemble of 3, one candidate per call``: what BANANAS's acquisition function does, ``query([arch])`` for
  each of 100 candidates, NASLib's ``Ensemble`` of three XGBoost members against :class:`NASLibEnsemble`.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import time
from pathlib import Path

import numpy as np
import xgboost as xgb
from naspred.adapters import NASLibEnsemble, NASLibPredictor
from naspred.benchmarks import load
from scipy.stats import kendalltau

HERE = Path(__file__).resolve().parent
ONE_HOT = np.eye(5, dtype=np.int64).tolist()
PARAMS = {"max_depth": 6, "min_child_weight": 1, "colsample_bytree": 1, "learning_rate": 0.3,
          "colsample_bylevel": 1, "objective": "reg:squarederror", "nthread": 1}


class NasBench201SearchSpace:
    """The part of NASLib's NAS-Bench-201 graph its predictors read."""

    def __init__(self, ops) -> None:
        self.ops = list(ops)

    def get_op_indices(self) -> list[int]:
        return self.ops

    def get_type(self) -> str:
        return "nasbench201"


class NASLibXGBoost:
    """NASLib's XGBoost query path: encode each graph, DMatrix, booster.predict, un-standardise."""

    def fit(self, xtrain, ytrain, seed: int = 0):
        y = np.asarray(ytrain, dtype=np.float64)
        self.mean, self.std = y.mean(), y.std()
        self.model = xgb.train({**PARAMS, "seed": seed}, xgb.DMatrix(self.encode(xtrain), label=(y - self.mean) / self.std),
                               num_boost_round=500)
        return self

    @staticmethod
    def encode(graphs) -> np.ndarray:
        out = []
        for g in graphs:
            one_hot: list[int] = []
            for e in g.get_op_indices():
                one_hot = [*one_hot, *ONE_HOT[e]]
            out.append(one_hot)
        return np.array(out)

    def query(self, xtest, info=None):
        return np.squeeze(self.model.predict(xgb.DMatrix(self.encode(xtest)))) * self.std + self.mean


def paired_medians(naslib, ours, reps: int) -> tuple[float, float]:
    """Median seconds of two calls timed alternately, so that the load of a shared machine weighs on both."""
    times: list[list[float]] = [[], []]
    for _ in range(reps):
        for k, fn in enumerate((naslib, ours)):
            start = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - start)
    return float(np.median(times[0])), float(np.median(times[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=500, help="cells per query")
    parser.add_argument("--reps", type=int, default=30, help="timed repetitions (median reported)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "naslib_query.md")
    args = parser.parse_args()

    bench = load("nb201-cifar10")
    space = bench.space
    rng = np.random.default_rng(args.seed)
    rows = rng.permutation(len(bench))
    train, test = rows[:200], rows[200 : 200 + args.cells]
    graph = [NasBench201SearchSpace(space.to_tuple(a)) for a in bench.archs]
    xtrain, xtest, ytrain = [graph[i] for i in train], [graph[i] for i in test], bench.y[train]

    naslib = NASLibXGBoost().fit(xtrain, ytrain)
    ours = NASLibPredictor("xgb", random_state=0, n_jobs=1)
    ours.set_ss_type("nasbench201")
    ours.pre_process()
    ours.pre_compute(xtrain, xtest)
    ours.fit(xtrain, ytrain)
    taus = (kendalltau(naslib.query(xtest), bench.y[test])[0], kendalltau(ours.query(xtest), bench.y[test])[0])

    t_naslib, t_ours = paired_medians(lambda: naslib.query(xtest), lambda: ours.query(xtest), args.reps)

    # unseen cells: a fresh, fitted predictor per repetition, warmed on the test cells (a first predict of a
    # new XGBoost model costs some milliseconds once), then timed on a block of cells it has not seen
    blocks = [rows[200 + args.cells * (k + 1) : 200 + args.cells * (k + 2)] for k in range(min(args.reps, 20))]
    cold, naslib_cold = [], []
    for block in blocks:
        fresh = NASLibPredictor("xgb", "nasbench201", random_state=0, n_jobs=1).fit(xtrain, ytrain)
        fresh.query(xtest)
        cells = [graph[i] for i in block]
        start = time.perf_counter()
        fresh.query(cells)
        cold.append(time.perf_counter() - start)
        start = time.perf_counter()
        naslib.query(cells)
        naslib_cold.append(time.perf_counter() - start)
    t_cold, t_naslib_cold = float(np.median(cold)), float(np.median(naslib_cold))

    # BANANAS: one candidate per call, three members
    members = [NASLibXGBoost().fit(xtrain, ytrain, seed=k) for k in range(3)]
    ensemble = NASLibEnsemble(num_ensemble=3, predictor_type="xgb", ss_type="nasbench201", n_jobs=1)
    ensemble.fit(xtrain, ytrain)
    candidates = xtest[:100]
    t_ens_naslib, t_ens_ours = paired_medians(lambda: [np.array([m.query([c]) for m in members]) for c in candidates],
                                              lambda: [ensemble.query([c]) for c in candidates], 9)

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], check=False, capture_output=True, text=True,
                            cwd=HERE.parent).stdout.strip()
    ms = 1e3
    lines = [
        "# NASLib adapter: query overhead against NASLib's XGBoost",
        "",
        ("Written by `NASPRED_DATA=../shared/data OMP_NUM_THREADS=1 python perf/naslib_query.py` "
        f"(`--cells {args.cells} --reps {args.reps} --seed {args.seed}`) at commit `{commit}` on "
        f"{platform.machine()} {platform.processor() or platform.platform()}, Python {platform.python_version()}, "
        f"xgboost {xgb.__version__}, shared by other jobs. Median wall time of the timed call, the two sides timed alternately; the NASLib column "
        "rebuilds NASLib's XGBoost query path from its source (see the script's docstring)."),
        "",
        "| call | NASLib (ms) | naspred adapter (ms) | ratio |",
        "|---|---:|---:|---:|",
        (f"| PredictorEvaluator: `query` of {args.cells} graphs after `pre_compute` | {t_naslib * ms:.2f} | "
        f"{t_ours * ms:.2f} | {t_ours / t_naslib:.2f} |"),
        (f"| `query` of {args.cells} unseen graphs | {t_naslib_cold * ms:.2f} | {t_cold * ms:.2f} | "
        f"{t_cold / t_naslib_cold:.2f} |"),
        (f"| BANANAS acquisition: 100 x `query([graph])`, ensemble of 3 | {t_ens_naslib * ms:.1f} | "
        f"{t_ens_ours * ms:.1f} | {t_ens_ours / t_ens_naslib:.2f} |"),
        "",
        (f"Kendall tau on the {args.cells} query cells after fitting on the same 200: NASLib's XGBoost "
        f"{taus[0]:.4f}, `NASLibPredictor(\"xgb\")` {taus[1]:.4f}."),
        "",
    ]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
