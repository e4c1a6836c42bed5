"""Run an experiment: plan it (every check first), skip finished trials, run the rest, keep the table.

``run_experiment(spec, out)`` is what ``naspred evaluate`` calls. Each finished trial is written to the
results folder at once (see :mod:`naspred.evaluation.results`), and the tidy table is rewritten at most
every ``compact_seconds`` and at the end; re-running the same call after an interruption runs only the
trials that have no row yet.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from naspred.errors import InvalidInputError
from naspred.evaluation.executors import Executor, SerialExecutor
from naspred.evaluation.plan import Plan, check_predictors, make_plan
from naspred.evaluation.results import OutputError, ResultStore
from naspred.evaluation.spec import ExperimentSpec
from naspred.evaluation.trial import TrialRunner

logger = logging.getLogger(__name__)

#: called after each trial with its row, the trials finished so far in this run and the number to run
Progress = Callable[[dict[str, Any], int, int], None]


@dataclass(frozen=True)
class Outcome:
    """What a run did: the plan, the trials run now and skipped as finished, the table, the folder."""

    plan: Plan
    ran: int
    resumed: int
    table: pd.DataFrame
    out: Path

    @property
    def failed(self) -> pd.DataFrame:
        """Rows of failed trials."""
        if self.table.empty:
            return self.table
        return self.table[self.table["status"] != "ok"]


def prepare(
    spec: ExperimentSpec, out: str | Path, data_home: str | Path | None = None, runner: TrialRunner | None = None
) -> tuple[Plan, ResultStore, TrialRunner]:
    """Load the benchmark, check the spec against it and open the results folder (no trial runs)."""
    check_predictors(spec)
    runner = runner if runner is not None else TrialRunner(data_home)
    benchmark, index = runner.benchmark(spec.benchmark_key, lambda: spec.load_benchmark(runner.data_home))
    plan = make_plan(spec, benchmark, index)
    store = ResultStore(out)
    store.open({
        "spec": spec.to_dict(),
        "protocol": spec.protocol,
        "skipped": [{"predictor": s.predictor, "reason": s.reason} for s in plan.skipped],
        "notes": list(plan.notes),
        "trials_planned": len(plan.tasks),
        "benchmark": {"name": benchmark.name, "space": benchmark.space.name, "dataset": benchmark.dataset,
                      "target": benchmark.target, "higher_is_better": benchmark.higher_is_better,
                      "architectures": len(benchmark)},
    })
    return plan, store, runner


def run_experiment(
    spec: ExperimentSpec,
    out: str | Path,
    executor: Executor | None = None,
    *,
    data_home: str | Path | None = None,
    runner: TrialRunner | None = None,
    retry_failed: bool = False,
    progress: Progress | None = None,
    on_plan: Callable[[Plan, int], None] | None = None,
    compact_seconds: float = 2.0,
) -> Outcome:
    """Run the trials of ``spec`` that ``out`` has no row for; return the outcome with the whole table.

    ``on_plan(plan, n_to_run)`` is called once before the first trial; ``progress`` after each trial. The
    benchmark is loaded (or taken from ``runner``) once here; workers receive it loaded.
    """
    plan, store, runner = prepare(spec, out, data_home, runner)
    if not plan.tasks:
        reasons = "; ".join(f"{s.predictor}: {s.reason}" for s in plan.skipped) or "no trials in the grid"
        raise InvalidInputError(f"nothing can run on {spec.benchmark_key}: every predictor was skipped ({reasons})")
    done = store.finished(retry_failed=retry_failed)
    todo = [t for t in plan.tasks if t.key not in done]
    resumed = len(plan.tasks) - len(todo)
    if resumed:
        logger.info("%d of %d trials already have a row in %s; running the other %d", resumed,
                    len(plan.tasks), store.root, len(todo))
    if on_plan is not None:
        on_plan(plan, len(todo))
    executor = executor if executor is not None else SerialExecutor()
    keys = {t.key for t in plan.tasks}
    rows = {r["key"]: r for r in store.rows() if r["key"] in keys}
    last = time.monotonic()
    results = executor.run(todo, runner)
    try:
        for count, row in enumerate(results, start=1):
            store.write(row)
            rows[row["key"]] = row
            if progress is not None:
                progress(row, count, len(todo))
            if time.monotonic() - last >= compact_seconds:
                store.compact(rows.values())
                last = time.monotonic()
        # from the trial files, so that rows written by concurrent sweeps into the same folder are kept
        table = store.compact([r for r in store.rows() if r["key"] in keys])
    except OutputError as err:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # stops the workers; every trial file written so far stays
        kept = len(store.finished() & keys)
        fix = "free some space" if err.full_disk else "fix the folder"
        raise OutputError(
            f"{err}. The sweep stopped: {kept} finished trial(s) are kept in {store.trials_dir}; {fix} and run "
            "the same command again to resume (finished trials are skipped)", full_disk=err.full_disk
        ) from err
    return Outcome(plan=plan, ran=len(todo), resumed=resumed, table=table, out=store.root)
