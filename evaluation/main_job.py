"""The default comparison that ``naspred evaluate`` runs without ``--spec`` or ``--preset``.

The question of White et al. ("How Powerful are Performance Predictors in Neural Architecture Search?",
NeurIPS 2021), asked on the embedded benchmark ``nb201-mnist1d`` (NAS-Bench-201 cells trained on MNIST-1D by
naspred, with learning curves, live zero-cost proxies and a second training run of some cells; nothing is
downloaded): which predictor family ranks architectures best for a given compute budget? One cheap predictor
of each family (:data:`FAMILIES`: the best of its family at a few seconds per trial in
``perf/nb201_mnist1d.md``) and OMNI, under initialization budgets in seconds (the recorded training time of
the architectures a predictor trains, or the measured training of the weight-sharing supernet, plus its
fitting) and query budgets in seconds per queried architecture (partial training, or a proxy's computation);
the report maps the best predictor of each budget cell.

Command-line options refine these defaults instead of replacing them: ``--trials 3`` keeps the benchmark, the
predictors and the budgets; a budget option replaces the default budgets of its axis (``--train-sizes 20 100``
replaces the init budgets in seconds); ``--benchmark X`` alone keeps the default predictors that can run on
``X`` (the weight-sharing one only on the default benchmark, whose network and data its supernet trains; the
model-based ones leave where the space is opaque) at train sizes :data:`TRAIN_SIZES`, since budgets in seconds
are the default benchmark's scale.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from naspred.errors import InvalidInputError

if TYPE_CHECKING:  # the command's parser reads the constants below; the modules are imported when a run starts
    from naspred.benchmarks.base import Benchmark
    from naspred.evaluation.spec import ExperimentSpec
    from naspred.evaluation.splits import CanonicalIndex

logger = logging.getLogger(__name__)

BENCHMARK = "nb201-mnist1d"
#: the predictor of each family compared, with its parameters where they differ from the registered defaults
FAMILIES: dict[str, dict[str, Any]] = {
    "model-based": {"name": "gates"},
    "learning-curve": {"name": "sotle"},
    "zero-cost": {"name": "jacov"},
    # a 50-epoch supernet in the first 2 trials: training it and scoring 200 cells take about a minute a trial
    "weight-sharing": {"name": "weight_sharing", "params": {"epochs": 50}, "label": "weight_sharing", "trials": 2},
    "OMNI": {"name": "omni"},
}
#: the predictor labels, in the order of :data:`FAMILIES`
PREDICTORS: tuple[str, ...] = tuple(p.get("label", p["name"]) for p in FAMILIES.values())
#: predictors that run on the default benchmark only (the weight-sharing supernet trains its network and data)
DEFAULT_BENCHMARK_ONLY: tuple[str, ...] = ("weight_sharing",)
#: init budgets in seconds on the default benchmark, and in architectures trained on another one
INIT_SECONDS = (60.0, 300.0, 1200.0)
TRAIN_SIZES = (20, 100, 400)
#: query budgets in seconds per queried architecture on the default benchmark
QUERY_SECONDS = (0.5, 2.0, 5.0)
TRIALS = 5
TEST_SIZE = 200
SEED = 0
OUT = "naspred-results/nb201-mnist1d"
#: the budget options of each axis: giving one replaces the default budgets of its axis
AXES = (("train_sizes", "init_seconds"), ("fidelities", "query_seconds"))


def default_fields(benchmark: str = BENCHMARK) -> dict[str, Any]:
    """The spec fields of the default comparison on ``benchmark`` (predictors that are not registered are left
    out; on another benchmark than the default, the predictors of :data:`DEFAULT_BENCHMARK_ONLY` too, and the
    init budgets are :data:`TRAIN_SIZES` architectures with no query budget)."""
    from naspred.predictors import names as predictor_names

    registered = set(predictor_names())
    predictors = [dict(p) for p in FAMILIES.values() if p["name"] in registered]
    absent = [p["name"] for p in FAMILIES.values() if p["name"] not in registered]
    if absent:
        logger.info("default comparison: predictors %s are not registered and are left out", absent)
    fields: dict[str, Any] = {"benchmark": benchmark, "trials": TRIALS, "test_size": TEST_SIZE, "seed": SEED}
    if benchmark == BENCHMARK:
        return {**fields, "predictors": predictors, "init_seconds": list(INIT_SECONDS),
                "query_seconds": list(QUERY_SECONDS)}
    kept = [p for p in predictors if p.get("label", p["name"]) not in DEFAULT_BENCHMARK_ONLY]
    return {**fields, "predictors": kept, "train_sizes": list(TRAIN_SIZES)}


def default_spec(given: Mapping[str, Any] | None = None) -> ExperimentSpec:
    """The default comparison, each field of ``given`` (``{"trials": 3}``) replacing the default one; a budget
    given on one axis (``train_sizes``) replaces the default budgets of that axis (``init_seconds``)."""
    from naspred.evaluation.spec import ExperimentSpec

    given = dict(given or {})
    fields = default_fields(given.get("benchmark", BENCHMARK))
    for axis in AXES:
        if any(name in given for name in axis):
            for name in axis:
                fields.pop(name, None)
    return ExperimentSpec.from_mapping({**fields, **given})


def runnable(spec: ExperimentSpec, benchmark: Benchmark,
             index: CanonicalIndex | None = None) -> tuple[ExperimentSpec, list[tuple[str, str]]]:
    """``spec`` less the predictors that cannot run on ``benchmark``, and ``(label, reason)`` for each one left out.

    A predictor is left out where the plan would skip it entirely, or where planning it alone raises (for
    instance a fidelity past the benchmark's schedule). Raises :class:`InvalidInputError` with every reason
    when none can run.
    """
    from naspred.evaluation.plan import make_plan
    from naspred.evaluation.splits import CanonicalIndex

    index = index if index is not None else CanonicalIndex.of(benchmark)
    kept, dropped = [], []
    for pspec in spec.predictors:
        alone = spec.with_overrides(predictors=(pspec,))
        try:
            plan = make_plan(alone, benchmark, index)
        except InvalidInputError as err:
            reason = str(err)
        else:
            if plan.tasks:
                kept.append(pspec)
                continue
            reason = "; ".join(s.reason for s in plan.skipped) or "no trial to run"
        dropped.append((pspec.label, reason))
    if not kept:
        if len({reason for _, reason in dropped}) == 1:  # a check of the whole spec (test size, train sizes)
            raise InvalidInputError(dropped[0][1])
        reasons = "; ".join(f"{label}: {reason}" for label, reason in dropped)
        raise InvalidInputError(f"none of the default predictors can run on benchmark {benchmark.name!r} ({reasons}); "
                                "name predictors that can with --predictors (see `naspred predictors`)")
    return spec.with_overrides(predictors=tuple(kept)), dropped
