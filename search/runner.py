"""Run one search: a strategy, an oracle (or a benchmark to simulate), a budget and a seed."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from naspred.benchmarks.base import Benchmark
from naspred.errors import InvalidInputError
from naspred.oracles.oracle import Oracle
from naspred.oracles.simulated import SimulatedOracle
from naspred.params import Instance, Int, check
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
    who = "run_search"
    if isinstance(strategy, str):
        strategy = get(strategy, **params)
    elif params:
        raise InvalidInputError(f"parameters {sorted(params)} apply to a strategy given by name, not to an instance")
    check(who, "strategy", strategy, Instance(SearchStrategy, what="a SearchStrategy or a registered name"))
    strategy.validate_params()
    check(who, "budget", budget, Instance(SearchBudget, what="a SearchBudget (evaluations=..., seconds=...)"))
    check(who, "seed", seed, Int(0))
    check(who, "target", target, Instance(Benchmark, Oracle, what="a Benchmark or an Oracle"))
    oracle = SimulatedOracle(target, seed=int(seed)) if isinstance(target, Benchmark) else target
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
