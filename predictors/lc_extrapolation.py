"""Parametric learning-curve extrapolation: Domhan, Springenberg & Hutter, "Speeding up Automatic
Hyperparameter Optimization of Deep Neural Networks by Extrapolation of Learning Curves" (IJCAI 2015).

The predictor ``lce``. A partial curve is extrapolated to the final epoch by a weighted combination of
parametric families (:mod:`naspred.predictors.curve_families`), each first fitted by maximum likelihood
(:mod:`naspred.predictors.curve_fit`), then sampled jointly by an ensemble MCMC
(:mod:`naspred.predictors.curve_posterior`); the prediction is the posterior mean at the final epoch. The
defaults are those of NASLib's ``lce_m`` (pybnn), which White et al. ("How Powerful are Performance
Predictors in Neural Architecture Search?", NeurIPS 2021) evaluate: four families, a flat prior on the
weights, each family's final value bounded by 100 times the scale, 50 walkers, 800 steps of which 500 are
discarded. perf/lce.md compares them with Domhan et al.'s eleven families and with early stopping.

Loss curves (a learning-curve metric whose name ends in ``_loss``) are extrapolated as ``exp(-loss)``, which
lies in ``(0, 1]`` and rises as the loss falls (for a cross-entropy, the geometric mean of the probability
given to the right class); the prediction is mapped back as ``-log`` of the extrapolated mean, its
standard deviation by the delta method (``std / mean``). Losses must be ``>= 0``.

Families with as many parameters as observed epochs are left out (their fit would interpolate), so at least
3 epochs are needed (the two-parameter families ``ilog2`` and ``log_log_linear``; ``log_log_linear`` is
among the defaults).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from naspred.errors import InvalidInputError
from naspred.oracles.budget import Budget
from naspred.oracles.oracle import Oracle
from naspred.params import SEED, Int, Options, Real, optional, param
from naspred.predictors.base import Predictor
from naspred.predictors.curve_families import (
    CURVE_FAMILIES,
    FAMILY_NAMES,
    PYBNN_FAMILIES,
    CurveFamily,
    Epochs,
    curve_family,
)
from naspred.predictors.curve_fit import CEILING, CurveBatch, FamilyFits, fit_families
from naspred.predictors.curve_options import CURVE_METRIC
from naspred.predictors.curve_posterior import (
    SIGMA_MIN,
    STRETCH,
    WEIGHT_PRIORS,
    extrapolate,
)
from naspred.predictors.info import ArchInfo
from naspred.predictors.learning_curve import (
    TargetCurve,
    metric_higher_is_better,
    orientation,
    read_curves,
)
from naspred.predictors.requirements import Requirements

__all__ = [
    "CURVE_FAMILIES",
    "PYBNN_FAMILIES",
    "SIGMA_MIN",
    "STRETCH",
    "WEIGHT_PRIORS",
    "CurveBatch",
    "CurveFamily",
    "Epochs",
    "FamilyFits",
    "LcExtrapolation",
    "curve_family",
    "extrapolate",
    "fit_families",
]


class LcExtrapolation(TargetCurve, Predictor):
    """Parametric learning-curve extrapolation (Domhan et al. 2015): an MCMC ensemble of curve families.

    Reads ``metric`` for ``fidelity`` epochs and predicts its value at ``final_epoch``, with a standard
    deviation. A prediction of a metric whose direction is not the target's is negated (an accuracy for a
    minimised target).

    Parameters
    ----------
    fidelity : int
        Epochs of the partial curve read (>= 3 for the two-parameter families to be fitted).
    metric : str or None
        The curve read; None reads the target's own curve (an accuracy, or a loss through ``exp(-loss)``:
        see the module docstring).
    final_epoch : int or None
        The epoch predicted; None takes the oracle's full schedule, recorded by :meth:`initialize`.
    families : sequence of str
        The curve families combined (names from :data:`CURVE_FAMILIES`); by default pybnn's four, which
        NASLib's ``lce_m`` runs (:data:`PYBNN_FAMILIES`); Domhan et al. combine all eleven.
    n_steps, burn_in, n_walkers : int
        MCMC settings, as in :func:`extrapolate`: steps, steps discarded, and walkers (at least twice the
        sampled dimensions; None: twice them).
    weight_prior : {"flat", "exponential"}
        Prior of the family weights (:data:`WEIGHT_PRIORS`).
    ceiling : float
        Bound on each family's value at ``final_epoch``, in units of the full scale (pybnn's 100 by default;
        1 holds each family to the scale). Loss curves are bounded by 1 (a loss is ``>= 0``).
    upper : float or None
        An accuracy's full scale (100 for percentages, 1 for fractions); None takes 100 when some value
        exceeds 1, else 1.
    random_state : int or None
        Seed of the sampler.
    """

    family = "learning-curve"
    uncertainty = True

    fidelity: int = param(10, Int(1))
    metric: str | None = param(None, CURVE_METRIC)
    final_epoch: int | None = param(None, optional(Int(1)))
    families: Sequence[str] = param(PYBNN_FAMILIES, FAMILY_NAMES)
    n_steps: int = param(800, Int(0))
    burn_in: int = param(500, Int(0))
    n_walkers: int | None = param(50, optional(Int(2)))
    weight_prior: str = param("flat", Options(WEIGHT_PRIORS))
    ceiling: float = param(100.0, CEILING)
    upper: float | None = param(None, optional(Real(0.0, closed="neither")))
    random_state: int | None = param(0, SEED)

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
            return int(self.final_epoch)
        if hasattr(self, "full_epochs_"):
            return int(self.full_epochs_)
        raise InvalidInputError(
            f"{self._name}: the epoch to predict is unknown; set final_epoch or call initialize(oracle, budget)"
        )

    def _scale(self, values: np.ndarray, metric: str) -> float:
        if self.upper is None:
            return 100.0 if values.max() > 1.0 else 1.0
        upper = float(self.upper)
        if values.max() > upper or values.min() < 0:
            raise InvalidInputError(
                f"{self._name}: curves of {metric!r} span [{values.min():g}, {values.max():g}], outside [0, upper={upper:g}]"
            )
        return upper

    def _predict_dist(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray]:
        self.validate_params()  # a predictor that learns nothing is not fitted before it predicts
        metric = self.read_metric(info)
        epochs, values = read_curves(info, metric, int(self.fidelity), self._name, contiguous=False)
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
            weight_prior=self.weight_prior,
            ceiling=min(float(self.ceiling), 1.0) if loss else float(self.ceiling),
            random_state=self.random_state,
        )
        if loss:  # back from exp(-loss): the delta method for the standard deviation
            mean = np.maximum(mean, np.finfo(np.float64).tiny)
            mean, std = -np.log(mean), std / mean
        return orientation(metric, info.higher_is_better) * mean * scale, std * scale

    def _predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        return self._predict_dist(archs, info)[0]
