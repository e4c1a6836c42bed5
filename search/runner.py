"""Run one search: a strategy, an oracle (or a benchmark to simulate), a budget and a seed."""

from __future__ import annotations

import logging
import numbers
from typing import Any

import numpy as np
import pandas as pd

from naspred.benchmarks.base import Benchmark
from naspred.errors import InvalidInputError
from naspred.oracles.oracle import Oracle
from naspred.oracles.simulated import SimulatedOracle
from naspred.search.budget import SearchBudget
from naspred.search.registry import get
from naspred.search.result import HISTORY_COLUMNS, SearchResult
from naspred.search.state import SearchRun, SearchStopped
from naspred.search.strategy import SearchStrategy

logger = logging.getLogger(__name__)


def run_search(
    strategy: SearchStrategy | str,
    target: Benchmark | Oracle,
    budget: SearchBudget,
    *,
    seed: int = 0,
    **params: Any,
) -> SearchResult:
    """Search ``target`` with ``strategy`` until ``budget`` stops it; the same seed gives the same search.

    ``strategy`` is a :class:`SearchStrategy` or a registered name built with ``params``. ``target`` is a
    :class:`~naspred.benchmarks.base.Benchmark`, searched through a fresh
    :class:`~naspred.oracles.simulated.SimulatedOracle`, or an oracle of the caller's (which
    remembers what it trained: give each search a fresh one). One generator seeded by ``seed`` draws every
    random choice of the search and the seeds of its predictor fits.
    """
    if isinstance(strategy, str):
        strategy = get(strategy, **params)
    elif params:
        raise InvalidInputError(f"parameters {sorted(params)} apply to a strategy given by name, not to an instance")
    if not isinstance(strategy, SearchStrategy):
        raise InvalidInputError(f"strategy must be a SearchStrategy or a registered name, got {type(strategy).__name__}")
    if not isinstance(budget, SearchBudget):
        raise InvalidInputError(
            f"budget must be a SearchBudget (evaluations=..., seconds=...), got {type(budget).__name__}"
        )
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise InvalidInputError(f"seed must be an integer >= 0, got {seed!r}")
    if isinstance(target, Benchmark):
        oracle: Oracle = SimulatedOracle(target, seed=int(seed))
    elif isinstance(target, Oracle):
        oracle = target
    else:
        raise InvalidInputError(f"a search runs on a Benchmark or an Oracle, got {type(target).__name__}")
    strategy.check(oracle)
    labels = {"strategy": strategy.name, "predictor": strategy.predictor_label, "seed": int(seed)}
    with oracle.metered(budget.as_budget(), "search") as meter:
        run = SearchRun(oracle, meter, np.random.default_rng(int(seed)), labels)
        try:
            strategy.search(run)
            reason = "the strategy ended"
        except SearchStopped as stop:
            reason = stop.reason
    logger.info("%s search (seed %d) stopped after %d evaluations: %s", strategy.name, seed, len(run.values), reason)
    if not run.values:
        raise InvalidInputError(f"the search budget ({budget.describe()}) paid for no evaluation: {reason}")
    best = run.top(1)[0]
    return SearchResult(
        strategy=strategy.name,
        predictor=strategy.predictor_label,
        seed=int(seed),
        budget=budget,
        higher_is_better=oracle.higher_is_better,
        history=pd.DataFrame(run.rows, columns=list(HISTORY_COLUMNS)),
        best_arch=best,
        best_value=float(run.value_of(best)),
        stop_reason=reason,
        ledger=meter.summary(),
    )
