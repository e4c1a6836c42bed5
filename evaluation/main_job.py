"""The default comparison that ``naspred evaluate`` runs without ``--spec`` or ``--preset``.

A real comparison on the embedded default benchmark (``nb201-analog-cifar10``: NAS-Bench-201 cells with
their CIFAR-10 accuracy from the ``analog-nasbench`` PyPI package, so nothing is downloaded): a
representative set of model-based predictors, from linear models to boosted trees, at a few train
sizes in the NASLib protocol (White et al., NeurIPS 2021), 200 held-out test architectures per trial.

Command-line options refine these defaults instead of replacing them: ``--trials 3`` keeps the benchmark
and the predictors; ``--benchmark X`` alone keeps the default predictors that can run on ``X`` (a
learning-curve predictor joins them where ``X`` records curves, the model-based ones leave where its space
is opaque).
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

BENCHMARK = "nb201-analog-cifar10"
#: the predictors compared, where registered and where the benchmark supplies what they read: linear,
#: Bayesian linear, forests and boosting, kernels, and a learning-curve predictor (on benchmarks with curves)
PREDICTORS = ("lin_reg", "bayes_lin_reg", "rf", "xgb", "lgb", "svr", "valacc")
TRAIN_SIZES = (20, 100, 400)
TRIALS = 10
TEST_SIZE = 200
SEED = 0
OUT = "naspred-results/nb201-analog-cifar10"


def default_fields() -> dict[str, Any]:
    """The spec fields of the default comparison (predictors that are not registered are left out)."""
    from naspred.predictors import names as predictor_names

    registered = set(predictor_names())
    absent = [p for p in PREDICTORS if p not in registered]
    if absent:
        logger.info("default comparison: predictors %s are not registered and are left out", absent)
    return {"benchmark": BENCHMARK, "predictors": [p for p in PREDICTORS if p in registered],
            "train_sizes": list(TRAIN_SIZES), "trials": TRIALS, "test_size": TEST_SIZE, "seed": SEED}


def default_spec(given: Mapping[str, Any] | None = None) -> ExperimentSpec:
    """The default comparison, each field of ``given`` (``{"trials": 3}``) replacing the default one."""
    from naspred.evaluation.spec import ExperimentSpec

    return ExperimentSpec.from_mapping({**default_fields(), **(given or {})})


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
