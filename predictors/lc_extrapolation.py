"""Parametric learning-curve extrapolation: Domhan, Springenberg & Hutter, "Speeding up Automatic
Hyperparameter Optimization of Deep Neural Networks by Extrapolation of Learning Curves" (IJCAI 2015).

The predictor ``lce``. A partial curve is extrapolated to the final epoch by a weighted combination of eleven
parametric families (:mod:`naspred.predictors.curve_families`), each first fitted by maximum likelihood
(:mod:`naspred.predictors.curve_fit`), then sampled jointly by an ensemble MCMC
(:mod:`naspred.predictors.curve_posterior`); the prediction is the posterior mean at the final epoch.

Loss curves (a learning-curve metric whose name ends in ``_loss``) are extrapolated as ``exp(-loss)``, which
lies in ``(0, 1]`` and rises as the loss falls (for a cross-entropy, the geometric mean of the probability
given to the right class); the prediction is mapped back as ``-log`` of the extrapolated mean, its
standard deviation by the delta method (``std / mean``). Losses must be ``>= 0``.

Families with as many parameters as observed epochs are left out (their fit would interpolate), so at least
3 epochs are needed (the two-parameter families ``ilog2`` and ``log_log_linear``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from naspred.errors import InvalidInputError
from naspred.oracles.budget import Budget
from naspred.oracles.oracle import Oracle
from naspred.predictors.base import Predictor
from naspred.predictors.curve_families import (
    CURVE_FAMILIES,
    CurveFamily,
    Epochs,
    curve_family,
)
from naspred.predictors.curve_fit import FamilyFits, fit_families
from naspred.predictors.curve_posterior import SIGMA_MIN, STRETCH, extrapolate
from naspred.predictors.info import ArchInfo
from naspred.predictors.learning_curve import (
    TargetCurve,
    check_int,
    metric_higher_is_better,
    orientation,
    read_curves,
)
from naspred.predictors.requirements import Requirements

__all__ = [
    "CURVE_FAMILIES",
    "SIGMA_MIN",
    "STRETCH",
    "CurveFamily",
    "Epochs",
    "FamilyFits",
    "LcExtrapolation",
    "curve_family",
    "extrapolate",
    "fit_families",
]


class LcExtrapolation(TargetCurve, Predictor):
    """Parametric learning-curve extrapolation (Domhan et al. 2015): an MCMC ensemble of 11 families.

    Reads ``metric`` for ``fidelity`` epochs and predicts its value at ``final_epoch`` (by default the
    oracle's full schedule, recorded by :meth:`initialize`), with a standard deviation. ``metric=None``
    reads the target's own curve (an accuracy, or a loss through ``exp(-loss)``: see the module docstring).
    ``upper`` is an accuracy's full scale (100 for percentages, 1 for fractions); ``None`` takes 100 when
    some value exceeds 1, else 1. A prediction of a metric whose direction is not the target's is negated
    (an accuracy for a minimised target). MCMC settings as in :func:`extrapolate`.
    """

    family = "learning-curve"
    uncertainty = True

    def __init__(
        self,
        fidelity: int = 10,
        metric: str | None = None,
        final_epoch: int | None = None,
        families: Sequence[str] = CURVE_FAMILIES,
        n_steps: int = 800,
        burn_in: int = 500,
        n_walkers: int | None = None,
        upper: float | None = None,
        random_state: int | None = 0,
    ) -> None:
        self.fidelity = fidelity
        self.metric = metric
        self.final_epoch = final_epoch
        self.families = families
        self.n_steps = n_steps
        self.burn_in = burn_in
        self.n_walkers = n_walkers
        self.upper = upper
        self.random_state = random_state

    @property
    def requirements(self) -> Requirements:
        metric = self.curve_metric()
        return Requirements(fidelity=self.fidelity, curve_metrics=(metric,) if metric else (), labelled=False,
                            encoding=False)

    def initialize(self, oracle: Oracle, budget: Budget) -> None:
        """Record the space, the target's direction and the oracle's full schedule (the epoch predicted)."""
        super().initialize(oracle, budget)
        self.full_epochs_ = oracle.full_epochs

    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        self.read_metric(info)

    def _target_epoch(self) -> int:
        if self.final_epoch is not None:
            return check_int(self._name, "final_epoch", self.final_epoch, 1)
        if hasattr(self, "full_epochs_"):
            return int(self.full_epochs_)
        raise InvalidInputError(
            f"{self._name}: the epoch to predict is unknown; set final_epoch or call initialize(oracle, budget)"
        )

    def _scale(self, values: np.ndarray, metric: str) -> float:
        if self.upper is None:
            return 100.0 if values.max() > 1.0 else 1.0
        upper = float(self.upper)
        if not np.isfinite(upper) or upper <= 0:
            raise InvalidInputError(f"{self._name}: upper must be a positive number or None, got {self.upper!r}")
        if values.max() > upper or values.min() < 0:
            raise InvalidInputError(
                f"{self._name}: curves of {metric!r} span [{values.min():g}, {values.max():g}], outside [0, upper={upper:g}]"
            )
        return upper

    def _predict_dist(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray]:
        metric = self.read_metric(info)
        fidelity = check_int(self._name, "fidelity", self.fidelity, 1)
        epochs, values = read_curves(info, metric, fidelity, self._name, contiguous=False)
        loss = not metric_higher_is_better(metric)
        if loss and values.min() < 0:
            raise InvalidInputError(
                f"{self._name}: curves of {metric!r} reach {values.min():g}; a loss is extrapolated as exp(-loss) "
                "and must be >= 0"
            )
        scale = 1.0 if loss else self._scale(values, metric)
        mean, std = extrapolate(
            epochs,
            np.exp(-values) if loss else values / scale,
            self._target_epoch(),
            families=self.families,
            n_steps=self.n_steps,
            burn_in=self.burn_in,
            n_walkers=self.n_walkers,
            random_state=self.random_state,
        )
        if loss:  # back from exp(-loss): the delta method for the standard deviation
            mean = np.maximum(mean, np.finfo(np.float64).tiny)
            mean, std = -np.log(mean), std / mean
        return orientation(metric, info.higher_is_better) * mean * scale, std * scale

    def _predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        return self._predict_dist(archs, info)[0]
