"""Model-free learning-curve predictors: early stopping and the training-speed estimators SoTL, SoTL-E, SoTL-EMA.

Each reads one metric of the partial learning curve of a queried architecture at the query fidelity (the
oracle trains it for ``fidelity`` epochs, which is its query cost) and turns it into a score; nothing is
learned, so no labelled architecture is needed and no encoding either: they apply on opaque spaces.

* Early stopping (White et al., "How Powerful are Performance Predictors in Neural Architecture Search?",
  NeurIPS 2021): the validation accuracy, or the validation loss, after ``fidelity`` epochs.
* SoTL, SoTL-E and SoTL-EMA (Ru et al., "Speedy Performance Estimation for Neural Architecture Search",
  NeurIPS 2021, there TSE, TSE-E and TSE-EMA): the sum of the training losses of epochs ``1..T``, of the
  last ``e`` epochs, or weighted by ``ema_decay ** (T - t)``; computed by
  :class:`~naspred.featurizers.curves.LearningCurveFeatures`.

Which curve: ``metric=None`` (the default) follows the benchmark (:func:`resolve_metric`): early stopping
reads the curve it prefers where recorded (``prefer``: the validation accuracy for ``valacc``, the validation
loss for ``valloss``, none for ``early_stopping``), SoTL and its variants the training loss (else the
validation loss); each falls back on the target's own curve (a loss curve for a loss target). A named
``metric`` is read as named.

Sign convention: a prediction is a score oriented like the target. Where the target is maximised (an
accuracy) a higher prediction means a better architecture; where it is minimised (a loss) a lower one does.
A score read from a metric of the other direction is negated: SoTL (a sum of losses, lower is better) is
returned as ``-SoTL`` for an accuracy target, and the validation accuracy as ``-accuracy`` for a loss
target. Early stopping on a metric of the target's own direction is on the target's scale.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from naspred.errors import InvalidInputError
from naspred.featurizers.curves import LearningCurveFeatures
from naspred.params import Int, Real, param
from naspred.predictors.base import Predictor
from naspred.predictors.curve_options import CURVE_METRIC
from naspred.predictors.info import ArchInfo
from naspred.predictors.requirements import Requirements, Supply

#: direction of the metrics the benchmarks record: True where higher is better
METRIC_DIRECTIONS: dict[str, bool] = {
    "train_accuracy": True,
    "val_accuracy": True,
    "test_accuracy": True,
    "train_loss": False,
    "val_loss": False,
    "test_loss": False,
}


def metric_higher_is_better(metric: str) -> bool:
    """Whether a higher value of the learning-curve ``metric`` is better (accuracies) or worse (losses)."""
    if metric in METRIC_DIRECTIONS:
        return METRIC_DIRECTIONS[metric]
    if isinstance(metric, str) and metric.endswith("_loss"):
        return False
    if isinstance(metric, str) and metric.endswith(("_accuracy", "_acc")):
        return True
    raise InvalidInputError(
        f"unknown direction of learning-curve metric {metric!r}; expected one of {sorted(METRIC_DIRECTIONS)} "
        "or a name ending in '_loss' (lower is better) or '_accuracy' (higher is better)"
    )


def orientation(metric: str, target_higher_is_better: bool) -> float:
    """+1 where ``metric`` and the target share a direction, -1 where a score of ``metric`` must be negated."""
    return 1.0 if metric_higher_is_better(metric) == bool(target_higher_is_better) else -1.0


def resolve_metric(metric: str | None, supply: Supply | None, preferred: tuple[str, ...] = ()) -> str | None:
    """The learning-curve metric a predictor reads on a benchmark offering ``supply``.

    A named ``metric`` is kept. ``None`` takes the first recorded of ``preferred``, else the target's own
    curve, else a recorded validation then training curve of the target's direction, else of the other
    direction; ``None`` where nothing is recorded, or ``supply`` is None (not yet adapted).
    """
    if metric is not None:
        return metric
    if supply is None:
        return None
    up = supply.higher_is_better
    same = ("val_accuracy", "train_accuracy") if up else ("val_loss", "train_loss")
    other = ("val_loss", "train_loss") if up else ("val_accuracy", "train_accuracy")
    candidates = [*preferred, *([supply.target] if supply.target else []), *same, *other]
    if supply.curves is not None:
        candidates += [m for m in supply.curves if _known_direction(m)]
    for name in candidates:
        if supply.records(name) and _known_direction(name):
            return name
    return None


def _known_direction(metric: str) -> bool:
    try:
        metric_higher_is_better(metric)
    except InvalidInputError:
        return False
    return True


def supplied(predictor: Any, info: ArchInfo) -> Supply:
    """What ``predictor`` was adapted to, else what ``info`` offers."""
    supply = getattr(predictor, "supply_", None)
    return supply if supply is not None else Supply.of_info(info)


def read_curves(
    info: ArchInfo, metric: str, fidelity: int, who: str, contiguous: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Epochs ``(t,)`` and values ``(n, t)`` of ``metric`` in ``info``, checked to end at ``fidelity``.

    With ``contiguous`` every epoch ``1..fidelity`` must be recorded (sums over epochs need them all).
    """
    if metric not in info.curves:
        raise InvalidInputError(f"{who} reads learning curves of {metric!r}; info has {sorted(info.curves)}")
    curves = info.curves[metric]
    epochs = np.asarray(curves.epochs, dtype=np.int64)
    values = np.asarray(curves.values, dtype=np.float64)
    if not len(epochs) or epochs[-1] != fidelity:
        last = int(epochs[-1]) if len(epochs) else 0
        raise InvalidInputError(
            f"{who}: curves of {metric!r} end at epoch {last}, short of the fidelity of {fidelity} epochs; "
            f"expected every architecture to be recorded up to epoch {fidelity}"
        )
    if contiguous and not np.array_equal(epochs, np.arange(1, fidelity + 1)):
        missing = sorted(set(range(1, fidelity + 1)) - set(epochs.tolist()))
        raise InvalidInputError(
            f"{who}: curves of {metric!r} miss epoch(s) {missing[:10]}; expected every epoch 1..{fidelity} recorded"
        )
    if not np.isfinite(values).all():
        raise InvalidInputError(f"{who}: curves of {metric!r} hold non-finite values; expected finite numbers")
    return epochs, values


class TargetCurve:
    """A predictor reading one learning-curve ``metric``; ``None`` follows the benchmark (:func:`resolve_metric`)."""

    metric: str | None
    #: curves read, where recorded, when ``metric`` is None (before the target's own)
    preferred: tuple[str, ...] = ()

    def curve_metric(self, supply: Supply | None = None) -> str | None:
        """The metric read on a benchmark offering ``supply`` (default: the one adapted to)."""
        return resolve_metric(self.metric, supply or getattr(self, "supply_", None), self.preferred)

    def read_metric(self, info: ArchInfo) -> str:
        """The metric read from ``info`` (as adapted, else as ``info`` offers); raises where none applies."""
        metric = self.curve_metric(supplied(self, info))
        if metric is None:
            raise InvalidInputError(f"{type(self).__name__} reads a learning curve; info has none")
        metric_higher_is_better(metric)  # a metric of unknown direction raises
        return metric


class CurveScore(TargetCurve, Predictor):
    """A score of one metric's partial learning curve at ``fidelity`` epochs, oriented like the target.

    Parameters
    ----------
    fidelity : int
        Epochs of partial training read (>= 1).
    metric : str or None
        The curve read; None follows the benchmark (:func:`resolve_metric`).
    """

    family = "learning-curve"
    #: whether every epoch up to the fidelity must be recorded
    _contiguous = False

    fidelity: int = param(10, Int(1))
    metric: str | None = param(None, CURVE_METRIC)

    @property
    def requirements(self) -> Requirements:
        metric = self.curve_metric()
        return Requirements(fidelity=self.fidelity, curve_metrics=(metric,) if metric else (),
                            every_epoch=self._contiguous, labelled=False, encoding=False)

    def _score(self, values: np.ndarray) -> np.ndarray:
        """Score of each curve ``values[i]`` (epochs ``1..fidelity``), in the metric's own direction."""
        raise NotImplementedError

    def validate_params(self) -> None:
        """The declared constraints, then: a named ``metric`` has a known direction."""
        super().validate_params()
        if self.metric is not None:
            metric_higher_is_better(self.metric)

    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        pass  # nothing is learned; fit has checked the parameters

    def _predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        self.validate_params()  # a predictor that learns nothing may predict without being fitted
        metric = self.read_metric(info)
        _, values = read_curves(info, metric, self.fidelity, self._name, self._contiguous)
        return orientation(metric, info.higher_is_better) * self._score(values)


class EarlyStopping(CurveScore):
    """Early stopping: the value of ``metric`` after ``fidelity`` epochs (White et al. 2021).

    Registered as ``early_stopping``, and with ``prefer`` fixed as ``valacc`` (the validation accuracy) and
    ``valloss`` (the validation loss, negated for a maximised target).

    Parameters
    ----------
    fidelity : int
        Epochs of partial training read (>= 1).
    metric : str or None
        The curve read; None: ``prefer`` where the benchmark records it, else the target's own curve
        (:func:`resolve_metric`).
    prefer : str or None
        The curve read, where recorded, when ``metric`` is None.
    """

    prefer: str | None = param(None, CURVE_METRIC)

    @property
    def preferred(self) -> tuple[str, ...]:  # type: ignore[override]
        """The curves read, where recorded, when ``metric`` is None (before the target's own)."""
        return () if self.prefer is None else (self.prefer,)

    def validate_params(self) -> None:
        """The declared constraints, then: ``metric`` and ``prefer`` have known directions."""
        super().validate_params()
        if self.prefer is not None:
            metric_higher_is_better(self.prefer)

    def _score(self, values: np.ndarray) -> np.ndarray:
        return values[:, -1].copy()


class SoTL(CurveScore):
    """Sum of training losses over epochs ``1..fidelity`` (Ru et al. 2021, TSE), negated for a maximised target.

    ``metric=None``: ``train_loss`` where recorded, else ``val_loss``, else the target's own curve.
    """

    _contiguous = True
    preferred = ("train_loss", "val_loss")

    def _features(self) -> LearningCurveFeatures:
        return LearningCurveFeatures(features=("sotl",))

    def _score(self, values: np.ndarray) -> np.ndarray:
        return self._features().fit_transform(values)[:, 0]


class SoTLE(SoTL):
    """Sum of the training losses of the last ``e`` epochs before ``fidelity`` (Ru et al. 2021, TSE-E).

    Parameters
    ----------
    e : int
        Epochs summed (>= 1, at most ``fidelity``).
    """

    e: int = param(1, Int(1))

    def validate_params(self) -> None:
        """The declared constraints, then: ``e`` sums no more epochs than ``fidelity``."""
        super().validate_params()
        if self.e > self.fidelity:
            raise InvalidInputError(
                f"{self._name}: e={self.e} sums more epochs than the fidelity of {self.fidelity}; "
                "expected e <= fidelity"
            )

    def _features(self) -> LearningCurveFeatures:
        return LearningCurveFeatures(features=("sotle",), e=int(self.e))


class SoTLEMA(SoTL):
    """Training losses of epochs ``t <= T`` weighted by ``ema_decay ** (T - t)`` (Ru et al. 2021, TSE-EMA).

    Parameters
    ----------
    ema_decay : float
        Weight of each earlier epoch relative to the next (in (0, 1]).
    """

    ema_decay: float = param(0.9, Real(0.0, 1.0, closed="right"))

    def _features(self) -> LearningCurveFeatures:
        return LearningCurveFeatures(features=("sotl_ema",), ema_decay=float(self.ema_decay))
