"""One trial: hold out a test set, initialize the predictor under its init budget, query it, score it.

The OMNI protocol of White et al. (NeurIPS 2021): the predictor only reaches training results through
a :class:`~naspred.predictors.SimulatedOracle` that hides the test architectures (by canonical form)
and charges every training run to the budget of the phase. A trial never raises for a failing
predictor: it returns a row with ``status="failed"`` and the error, so that a sweep goes on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import socket
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from naspred.benchmarks.base import Benchmark
from naspred.evaluation.metrics import DEFAULT_TOP_K, metric_names, prediction_metrics
from naspred.evaluation.spec import InitBudget, PredictorSpec, QueryBudget
from naspred.evaluation.splits import (
    CanonicalIndex,
    FixedSplit,
    draw_split,
    pool_rows,
    protocol,
    split_info,
    trial_seed,
)
from naspred.predictors import SimulatedOracle
from naspred.predictors import get as get_predictor
from naspred.oracles.budget import BudgetMeter

logger = logging.getLogger(__name__)

#: columns that identify a trial (its key is a hash of them)
IDENTITY_COLUMNS = (
    "benchmark", "predictor", "predictor_name", "params", "trial", "seed",
    "init_unit", "init_budget", "query_unit", "query_budget", "test_size",
)
#: columns that differ between two runs of the same trial (timings, where and when it ran)
RUN_COLUMNS = ("init_wall_s", "query_wall_s", "wall_s", "finished_at", "worker")


@dataclass(frozen=True)
class TrialTask:
    """Everything one trial needs; picklable, so that it travels to worker processes and Ray actors."""

    benchmark: str
    predictor: PredictorSpec
    init: InitBudget
    query: QueryBudget
    trial: int
    experiment_seed: int
    test_size: int
    top_k: tuple[int, ...] = DEFAULT_TOP_K
    #: a fixed split (test rows and nested training sets per trial) the predictor is fitted on; None: the
    #: predictor draws its training set from the trial's oracle under the init budget
    split: FixedSplit | None = None
    #: the fidelity a query budget in seconds buys the predictor on all the benchmark's architectures (set by the
    #: plan; the trial buys again on its own test architectures, :func:`bought_fidelity`); None: the predictor's own
    fidelity: int | None = None

    @property
    def seed(self) -> int:
        """The trial's own seed: the same for every predictor and budget of trial ``trial`` (on a fixed split,
        as its strategy seeds trials: :meth:`~naspred.evaluation.splits.FixedSplit.seed`)."""
        if self.split is not None:
            return self.split.seed(self.experiment_seed, self.trial)
        return trial_seed(self.experiment_seed, self.trial)

    @property
    def protocol(self) -> str:
        """``"random"`` where test architectures may be isomorphs of training ones, else ``"canonical"``."""
        return protocol("oracle" if self.split is None else self.split.strategy)

    def identity(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "predictor": self.predictor.label,
            "predictor_name": self.predictor.name,
            "params": json.dumps(dict(self.predictor.params), sort_keys=True),
            "trial": self.trial,
            "seed": self.seed,
            "init_unit": self.init.unit,
            "init_budget": float(self.init.value),
            "query_unit": self.query.unit,
            "query_budget": float(self.query.value),
            "test_size": self.test_size,
            # only where set, so that trials of oracle splits keep the keys they had before fixed splits
            **({"split": json.dumps(self.split.to_dict(), sort_keys=True)} if self.split is not None else {}),
        }

    @property
    def key(self) -> str:
        """A stable name of the trial (a hash of its identity and ``top_k``)."""
        payload = json.dumps({**self.identity(), "top_k": list(self.top_k)}, sort_keys=True)
        return hashlib.sha1(payload.encode()).hexdigest()[:20]


class IndexedOracle(SimulatedOracle):
    """A :class:`SimulatedOracle` that takes the canonical classes of the benchmark's rows from a
    :class:`CanonicalIndex` computed once, instead of recomputing them for every trial, and counts the
    classes left to draw as they close (its parent recounts them on every call of :meth:`remaining`).

    Rows of a class become unavailable together (hidden, drawn or trained), so a class is open while
    any of its rows is available; the count is that of the open classes.
    """

    def __init__(self, benchmark: Benchmark, index: CanonicalIndex, hidden: Any, seed: int) -> None:
        self._shared_index = index
        super().__init__(benchmark, hidden, seed=seed)
        self._open = np.zeros(len(index.code_of), dtype=bool)
        self._open[self._codes[self._available]] = True
        self._n_open = int(self._open.sum())

    def _canonical_codes(self) -> np.ndarray:
        self._code_of: dict[Hashable, int] = self._shared_index.code_of  # type: ignore[assignment]
        return self._shared_index.codes

    def _mark_seen(self, row: int) -> None:
        super()._mark_seen(row)
        code = self._codes[row]
        if hasattr(self, "_open") and self._open[code]:
            self._open[code] = False
            self._n_open -= 1

    def remaining(self) -> int:
        return self._n_open


def configure(task: TrialTask) -> Any:
    """The predictor of ``task``: its parameters, the trial's fidelity and, unless given, its seed.

    A predictor with a ``fidelity`` parameter takes the query budget in epochs as its fidelity; one with
    a ``random_state`` parameter the trial seed, unless the spec sets it (modulo 2**31 - 1, and 2**31 on a
    fixed split, as the OMNI ablation seeded its predictors, or the predictor's ``seed_modulus``).
    """
    predictor = get_predictor(task.predictor.name, **task.predictor.params)
    params = predictor.get_params()
    if task.query.unit == "epochs" and "fidelity" in params:
        predictor.set_params(fidelity=int(task.query.value))
    if "random_state" in params and "random_state" not in task.predictor.params:
        modulus = getattr(predictor, "seed_modulus", 2**31) if task.split is not None else 2**31 - 1
        predictor.set_params(random_state=task.seed % modulus)
    return predictor


def schedule_length(benchmark: Benchmark) -> int:
    """The length of the benchmark's training schedule: its longest learning curve (1 where it records none)."""
    return max((c.length for c in benchmark.curves.values()), default=0) or 1


def bought_fidelity(seconds: float, oracle: SimulatedOracle, archs: Sequence[Any], proxies: Sequence[str],
                    full_epochs: int) -> int:
    """The most epochs of partial training, short of ``full_epochs``, that a query budget of ``seconds`` per
    architecture pays for on ``archs`` as the oracle charges them (their recorded epoch times, after the recorded
    seconds of ``proxies``); 0 where it pays for none."""
    rows = oracle.benchmark.index_of([oracle.check_arch(a) for a in archs])
    epochs = float(oracle.epoch_seconds_of(archs).sum())
    table = oracle.benchmark.table
    spent = sum(float(np.nansum(table[f"proxy_seconds:{p}"].to_numpy(dtype=np.float64)[rows]))
                for p in proxies if f"proxy_seconds:{p}" in table.columns)
    left = seconds * len(rows) - spent
    if epochs <= 0:
        return full_epochs - 1 if left >= 0 else 0
    return int(max(0, min(full_epochs - 1, left // epochs)))


def _meter(oracle: SimulatedOracle, phase: str) -> BudgetMeter | None:
    found = [m for m in oracle.meters if m.phase == phase]
    return found[-1] if found else None


def empty_row(task: TrialTask) -> dict[str, Any]:
    """The row of ``task`` before it runs: identity, NaN metrics, status ``"failed"``."""
    row: dict[str, Any] = {"key": task.key, **task.identity(), "protocol": task.protocol}
    row.update({"status": "failed", "error": "", "note": "", "train_size": 0, "fidelity": 0, "n_test": 0})
    row.update({m: math.nan for m in metric_names(task.top_k)})
    row.update({"init_simulated_s": 0.0, "init_wall_s": 0.0, "query_simulated_s": 0.0, "query_wall_s": 0.0,
                "overrun": "", "proxy_fallbacks": 0, "wall_s": 0.0, "finished_at": 0.0,
                "worker": f"{socket.gethostname()}:{os.getpid()}"})
    return row


def run_trial(task: TrialTask, benchmark: Benchmark, index: CanonicalIndex) -> dict[str, Any]:
    """Run ``task`` on ``benchmark``; a failure of the predictor is recorded in the row, not raised.

    Timings: ``*_simulated_s`` is training and proxy time charged by the oracle (recorded or modelled,
    see ``SimulatedOracle.cost_model``); ``*_wall_s`` the measured wall time of the phase. Query figures
    are per queried architecture.
    """
    if task.split is not None:
        return run_fixed_trial(task, benchmark, index)
    row = empty_row(task)
    start = time.perf_counter()
    oracle = None
    phase, t0 = "setup", start
    try:
        split = draw_split(index.codes, pool_rows(benchmark), task.test_size, seed=task.seed)
        test_archs = split.archs(benchmark)
        oracle = IndexedOracle(benchmark, index, test_archs, seed=split.oracle_seed)
        predictor = configure(task)
        if task.fidelity is not None:  # what the budget in seconds pays for on this trial's test architectures
            predictor.set_params(fidelity=max(1, bought_fidelity(
                task.query.value, oracle, test_archs, predictor.requirements.proxies, schedule_length(benchmark))))
        phase, t0 = "init", time.perf_counter()
        predictor.initialize(oracle, task.init.budget())
        row["init_wall_s"] = time.perf_counter() - t0
        _record(row, _meter(oracle, "init"), "init", 1)
        row["fidelity"] = int(predictor.requirements.fidelity or 0)
        phase, t0 = "query", time.perf_counter()
        prediction = predictor.query(test_archs, oracle, task.query.budget())
        row["query_wall_s"] = (time.perf_counter() - t0) / len(test_archs)
        _record(row, _meter(oracle, "query"), "query", len(test_archs))
        phase = "metrics"
        _score(row, task, benchmark.y[split.rows], prediction.mean, benchmark.higher_is_better)
    except Exception as err:  # a failing predictor is recorded and the sweep goes on
        _failed(row, task, phase, err)
        if phase == "init":
            row["init_wall_s"] = time.perf_counter() - t0
        elif phase == "query":
            row["query_wall_s"] = (time.perf_counter() - t0) / task.test_size
        if oracle is not None:  # what was spent before the predictor was stopped
            _record(row, _meter(oracle, "init"), "init", 1)
            _record(row, _meter(oracle, "query"), "query", task.test_size)
    if oracle is not None:
        row["proxy_fallbacks"] = int(oracle.proxy_fallbacks)
    row["wall_s"] = time.perf_counter() - start
    row["finished_at"] = time.time()
    return row


def run_fixed_trial(task: TrialTask, benchmark: Benchmark, index: CanonicalIndex) -> dict[str, Any]:
    """Run ``task`` on its fixed split: fit on the training rows of its train size (curves cut at its fidelity
    and proxies, :func:`~naspred.evaluation.splits.split_info`), predict the test rows, score them."""
    from naspred.predictors.requirements import Supply

    row = empty_row(task)
    start = time.perf_counter()
    phase = "setup"
    try:
        split = task.split.draw(benchmark, index.codes, task.test_size, task.seed)  # type: ignore[union-attr]
        train, test = split.train[int(task.init.value)], split.test
        predictor = configure(task)
        req = configure(task).adapt(Supply.of_benchmark(benchmark)).requirements
        # the query budget in epochs, else the predictor's own fidelity (it set the epochs it reads)
        fidelity = int(task.query.value) if task.query.unit == "epochs" else int(req.fidelity or 0)
        row.update(train_size=len(train), fidelity=fidelity)
        metrics = [m for m in req.curve_metrics if m in benchmark.curves] if req.uses_curves else []
        proxies = [p for p in req.proxies if p in benchmark.proxies]
        infos = [split_info(benchmark, index.codes, rows, fidelity, metrics, proxies) for rows in (train, test)]
        phase, t0 = "init", time.perf_counter()
        predictor.fit(split.archs(benchmark, train), benchmark.y[train], infos[0])
        phase, t1 = "query", time.perf_counter()
        pred = predictor.predict(split.archs(benchmark, test), infos[1])
        row.update(init_wall_s=t1 - t0, query_wall_s=(time.perf_counter() - t1) / len(test))
        phase = "metrics"
        _score(row, task, benchmark.y[test], pred, benchmark.higher_is_better)
    except Exception as err:  # a failing predictor is recorded and the sweep goes on
        _failed(row, task, phase, err)
    row["wall_s"] = time.perf_counter() - start
    row["finished_at"] = time.time()
    return row


def _score(row: dict[str, Any], task: TrialTask, y_true: np.ndarray, pred: np.ndarray, higher_is_better: bool) -> None:
    metrics, note = prediction_metrics(y_true, np.asarray(pred, dtype=np.float64), higher_is_better, task.top_k)
    row.update(metrics)
    row.update({"status": "ok", "note": note, "n_test": len(y_true)})


def _failed(row: dict[str, Any], task: TrialTask, phase: str, err: Exception) -> None:
    logger.info("trial %s (%s, trial %d) failed in %s: %s: %s", task.key, task.predictor.label, task.trial,
                phase, type(err).__name__, err)
    row["error"] = f"{type(err).__name__}: {err}"


def _record(row: dict[str, Any], meter: BudgetMeter | None, phase: str, n: int) -> None:
    if meter is None:
        return
    summary = meter.summary()
    row[f"{phase}_simulated_s"] = summary["simulated_seconds"] / n
    if phase == "init":
        row["train_size"] = int(summary["archs_trained"])
    overrun = json.loads(row["overrun"]) if row["overrun"] else {}
    if summary["overrun"]:
        overrun[phase] = summary["overrun"]
    row["overrun"] = json.dumps(overrun, sort_keys=True) if overrun else ""


class TrialRunner:
    """Runs trials in one process, loading each benchmark (and its canonical index) once."""

    def __init__(self, data_home: str | Path | None = None) -> None:
        self.data_home = data_home
        self._loaded: dict[str, tuple[Benchmark, CanonicalIndex]] = {}

    def benchmark(self, name: str, loader: Callable[[], Benchmark] | None = None) -> tuple[Benchmark, CanonicalIndex]:
        """The benchmark ``name`` and its canonical index, loaded on first use (by ``loader``, else by name)."""
        if name not in self._loaded:
            from naspred.benchmarks import load

            bench = loader() if loader is not None else load(name, data_home=self.data_home)
            self._loaded[name] = (bench, CanonicalIndex.of(bench))
        return self._loaded[name]

    def add(self, name: str, benchmark: Benchmark, index: CanonicalIndex | None = None) -> None:
        """Use an already loaded ``benchmark`` for trials that name ``name``."""
        self._loaded[name] = (benchmark, index if index is not None else CanonicalIndex.of(benchmark))

    def run(self, task: TrialTask) -> dict[str, Any]:
        """The result row of ``task`` (a benchmark that fails to load fails the trial, with its error)."""
        try:
            bench, index = self.benchmark(task.benchmark)
        except Exception as err:  # recorded like any other failure of the trial
            row = empty_row(task)
            row["error"] = f"{type(err).__name__}: {err}"
            row["finished_at"] = time.time()
            return row
        return run_trial(task, bench, index)
