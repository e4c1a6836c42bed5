"""The default comparison that ``naspred evaluate`` runs without arguments.

A real comparison on the embedded default benchmark (``nb201-analog-cifar10``: NAS-Bench-201 cells with
their CIFAR-10 accuracy from the ``analog-nasbench`` PyPI package, so nothing is downloaded): a
representative set of model-based predictors, from linear models to boosted trees, at a few train
sizes in the NASLib protocol (White et al., NeurIPS 2021), 200 held-out test architectures per trial.
A learning-curve predictor is included to show how one is skipped on a benchmark without curves.
"""

from __future__ import annotations

import logging

from naspred.evaluation.spec import ExperimentSpec
from naspred.predictors import names as predictor_names

logger = logging.getLogger(__name__)

BENCHMARK = "nb201-analog-cifar10"
#: the predictors compared, where registered: linear, Bayesian linear, forests and boosting, kernels,
#: and a learning-curve predictor (skipped here: the benchmark records no curves)
PREDICTORS = ("lin_reg", "bayes_lin_reg", "rf", "xgb", "lgb", "svr", "valacc")
TRAIN_SIZES = (20, 100, 400)
TRIALS = 10
TEST_SIZE = 200
OUT = "naspred-results/nb201-analog-cifar10"


def default_spec() -> ExperimentSpec:
    """The spec of the default comparison (predictors that are not registered are left out)."""
    registered = set(predictor_names())
    chosen = [p for p in PREDICTORS if p in registered]
    absent = [p for p in PREDICTORS if p not in registered]
    if absent:
        logger.info("default comparison: predictors %s are not registered and are left out", absent)
    return ExperimentSpec(
        benchmark=BENCHMARK, predictors=tuple(chosen), train_sizes=TRAIN_SIZES, trials=TRIALS,
        test_size=TEST_SIZE, seed=0,
    )
