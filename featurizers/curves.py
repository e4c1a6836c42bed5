"""Features of partial learning curves, as a scikit-learn transformer.

* SoTL, SoTL-E and SoTL-EMA are the training-speed estimators of Ru et al., "Speedy Performance
  Estimation for Neural Architecture Search" (NeurIPS 2021), there called TSE, TSE-E and TSE-EMA. With
  ``L_t`` the training loss of epoch ``t`` (the mean of its minibatch losses) and ``T`` the last epoch seen:
  ``SoTL = sum_{t=1..T} L_t``, ``SoTL-E = sum_{t=T-E+1..T} L_t`` and
  ``SoTL-EMA = sum_{t=1..T} gamma^(T-t) L_t``.
* The mean and standard deviation of a curve and of its first and second differences summarise the
  time series that LcSVR regresses on (Baker et al., "Accelerating Neural Architecture Search using
  Performance Prediction", ICLR workshop 2018, arXiv 1705.10823).

The transformer takes one metric as a 2-D array ``(n, t)`` (or a list of 1-D curves of different
lengths), or several metrics as a mapping ``metric -> curves`` with one row per architecture in each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from naspred.errors import InvalidInputError
from naspred.params import Constraint, Int, Parameterised, Real, param

Curves = np.ndarray | Sequence[Sequence[float]]


def _last(c: np.ndarray, e: int, gamma: float) -> np.ndarray:
    return c[:, -1]


def _sotl(c: np.ndarray, e: int, gamma: float) -> np.ndarray:
    return c.sum(axis=1)


def _sotle(c: np.ndarray, e: int, gamma: float) -> np.ndarray:
    return c[:, -e:].sum(axis=1)


def _sotl_ema(c: np.ndarray, e: int, gamma: float) -> np.ndarray:
    t = c.shape[1]
    weights = gamma ** np.arange(t - 1, -1, -1, dtype=np.float64)
    return c @ weights


def _mean(c: np.ndarray, e: int, gamma: float) -> np.ndarray:
    return c.mean(axis=1)


def _std(c: np.ndarray, e: int, gamma: float) -> np.ndarray:
    return c.std(axis=1)


def _diff(order: int, reduce: Callable[..., np.ndarray]) -> Callable[[np.ndarray, int, float], np.ndarray]:
    def feature(c: np.ndarray, e: int, gamma: float) -> np.ndarray:
        return reduce(np.diff(c, n=order, axis=1), axis=1)

    return feature


def _minimum(c: np.ndarray, e: int, gamma: float) -> np.ndarray:
    return c.min(axis=1)


def _maximum(c: np.ndarray, e: int, gamma: float) -> np.ndarray:
    return c.max(axis=1)


# name -> (function(curves, e, gamma), epochs needed; -1 means ``e``)
_FEATURES: dict[str, tuple[Callable[[np.ndarray, int, float], np.ndarray], int]] = {
    "last": (_last, 1),
    "sotl": (_sotl, 1),
    "sotle": (_sotle, -1),
    "sotl_ema": (_sotl_ema, 1),
    "mean": (_mean, 1),
    "std": (_std, 1),
    "min": (_minimum, 1),
    "max": (_maximum, 1),
    "diff_mean": (_diff(1, np.mean), 2),
    "diff_std": (_diff(1, np.std), 2),
    "diff2_mean": (_diff(2, np.mean), 3),
    "diff2_std": (_diff(2, np.std), 3),
}

DEFAULT_FEATURES: tuple[str, ...] = (
    "last",
    "sotl",
    "sotle",
    "sotl_ema",
    "mean",
    "std",
    "diff_mean",
    "diff_std",
    "diff2_mean",
    "diff2_std",
)


def feature_names() -> list[str]:
    """Every learning-curve feature this module computes."""
    return list(_FEATURES)


class _FeatureNames(Constraint):
    """A non-empty sequence (not a string) of distinct names among :func:`feature_names`."""

    def accepts(self, value: Any) -> bool:
        if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
            return False
        names = list(value)
        known = all(isinstance(name, str) and name in _FEATURES for name in names)
        return known and 0 < len(set(names)) == len(names)

    def __str__(self) -> str:
        return f"a non-empty sequence of distinct names among {feature_names()}"


class LearningCurveFeatures(Parameterised, TransformerMixin, BaseEstimator):
    """Scalar features of partial learning curves (SoTL family, Ru et al. 2021; LcSVR summaries, Baker et al.).

    The input is a 2-D array ``(n, t)`` of one metric (or a list of 1-D curves, possibly of different
    lengths), or a mapping ``metric -> curves``; output columns are ``feature`` or ``metric:feature``.
    Curves must be finite and at least as long as each feature needs; errors name the offending row.

    Parameters
    ----------
    features : sequence of str
        Distinct names among :func:`feature_names`; ``"sotle"`` sums the last ``e`` epochs, ``"sotl_ema"``
        weights epoch ``t`` of ``T`` by ``ema_decay ** (T - t)``. Standard deviations are population (ddof 0).
    e : int
        The window of SoTL-E, in epochs (>= 1; Ru et al. find ``E = 1`` best).
    ema_decay : float
        The decay ``gamma`` of SoTL-EMA, in ``(0, 1]``.
    """

    features: Sequence[str] = param(DEFAULT_FEATURES, _FeatureNames())
    e: int = param(1, Int(1))
    ema_decay: float = param(0.9, Real(0.0, 1.0, closed="right"))

    # -- parameters -------------------------------------------------------------------------------------
    def _checked_params(self) -> tuple[tuple[str, ...], int, float]:
        """The checked parameters: the feature names, the SoTL-E window and the SoTL-EMA decay."""
        self.validate_params()
        return tuple(self.features), int(self.e), float(self.ema_decay)

    def _needed(self, feature: str, e: int) -> int:
        need = _FEATURES[feature][1]
        return e if need < 0 else need

    # -- input ------------------------------------------------------------------------------------------
    def _as_blocks(
        self, curves: Curves | Mapping[str, Curves]
    ) -> tuple[list[str | None], list[list[np.ndarray] | np.ndarray]]:
        if isinstance(curves, Mapping):
            if not curves:
                raise InvalidInputError("the mapping of learning curves is empty; expected metric -> (n, t) curves")
            metrics: list[str | None] = []
            blocks = []
            n_rows = None
            for metric, values in curves.items():
                if not isinstance(metric, str):
                    raise InvalidInputError(f"metric names must be strings, got {metric!r}")
                block = _as_rows(values, what=f"curves of metric {metric!r}")
                if n_rows is not None and len(block) != n_rows:
                    raise InvalidInputError(
                        f"curves of metric {metric!r} have {len(block)} rows, those of {metrics[0]!r} have "
                        f"{n_rows}; expected one row per architecture in every metric"
                    )
                n_rows = len(block)
                metrics.append(metric)
                blocks.append(block)
            return metrics, blocks
        return [None], [_as_rows(curves, what="learning curves")]

    # -- scikit-learn API -------------------------------------------------------------------------------
    def fit(self, curves: Curves | Mapping[str, Curves], y: Any = None) -> LearningCurveFeatures:
        """Check the parameters and the curves, and record the metrics seen; returns ``self``."""
        self._fit(curves)
        return self

    def _fit(self, curves: Curves | Mapping[str, Curves]) -> tuple[list[str | None], list[Any]]:
        self._checked_params()
        metrics, blocks = self._as_blocks(curves)
        self.metrics_ = list(metrics)
        self.n_features_out_ = len(self.metrics_) * len(tuple(self.features))
        return metrics, blocks

    def fit_transform(self, curves: Curves | Mapping[str, Curves], y: Any = None, **fit_params: Any) -> np.ndarray:
        metrics, blocks = self._fit(curves)
        return self._compute(metrics, blocks)

    def transform(self, curves: Curves | Mapping[str, Curves]) -> np.ndarray:
        """Features of each curve: ``(n, len(metrics) * len(features))`` float64."""
        metrics, blocks = self._as_blocks(curves)
        seen = getattr(self, "metrics_", None)
        if seen is not None and metrics != seen:
            raise InvalidInputError(f"transform got metrics {metrics}, but fit saw {seen}; expected the same metrics")
        return self._compute(metrics, blocks)

    def _compute(self, metrics: list[str | None], blocks: list[Any]) -> np.ndarray:
        features, e, gamma = self._checked_params()
        columns = []
        for metric, block in zip(metrics, blocks):
            label = "learning curves" if metric is None else f"curves of metric {metric!r}"
            for feature in features:
                func = _FEATURES[feature][0]
                need = self._needed(feature, e)
                if isinstance(block, np.ndarray):
                    if block.shape[1] < need:
                        raise InvalidInputError(
                            f"{label}: every row has {block.shape[1]} epochs; feature {feature!r} needs at least {need}"
                        )
                    columns.append(func(block, e, gamma))
                else:
                    out = np.empty(len(block), dtype=np.float64)
                    for i, row in enumerate(block):
                        if row.shape[0] < need:
                            raise InvalidInputError(
                                f"{label}: row {i} has {row.shape[0]} epochs; feature {feature!r} needs at least {need}"
                            )
                        out[i] = func(row[None, :], e, gamma)[0]
                    columns.append(out)
        return np.column_stack(columns).astype(np.float64, copy=False)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``feature`` for one metric, ``metric:feature`` for a mapping of metrics."""
        features, _, _ = self._checked_params()
        metrics = getattr(self, "metrics_", [None])
        names = [f if m is None else f"{m}:{f}" for m in metrics for f in features]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags


def _as_rows(values: Any, what: str) -> np.ndarray | list[np.ndarray]:
    """A finite 2-D float array, or a list of finite 1-D arrays when the curves differ in length."""
    if isinstance(values, (str, bytes)):
        raise InvalidInputError(f"{what}: expected a 2-D array (n, epochs) of numbers, got a string")
    if isinstance(values, np.ndarray) or hasattr(values, "to_numpy"):
        array = np.asarray(values)
        rows: np.ndarray | list[np.ndarray]
        if array.ndim != 2:
            raise InvalidInputError(f"{what}: expected a 2-D array (n, epochs), got shape {array.shape}")
        rows = _as_float(array, what)
    else:
        try:
            items = list(values)
        except TypeError:
            raise InvalidInputError(f"{what}: expected a 2-D array (n, epochs), got {type(values).__name__}") from None
        converted = []
        for i, item in enumerate(items):
            row = np.asarray(item)
            if row.ndim != 1:
                raise InvalidInputError(f"{what}: row {i} is not a 1-D curve (shape {row.shape})")
            converted.append(_as_float(row, f"{what}: row {i}"))
        lengths = {r.shape[0] for r in converted}
        rows = np.vstack(converted) if len(lengths) == 1 and converted else converted
    if len(rows) == 0:
        raise InvalidInputError(f"{what}: no rows; expected at least one curve")
    bad = _first_non_finite(rows)
    if bad is not None:
        row, epoch = bad
        raise InvalidInputError(
            f"{what}: row {row} holds a non-finite value (NaN or inf) at epoch index {epoch}; "
            "expected finite curves (cut each curve to its recorded epochs)"
        )
    if isinstance(rows, np.ndarray) and rows.shape[1] == 0:
        raise InvalidInputError(f"{what}: curves have no epochs; expected at least one")
    if isinstance(rows, list):
        for i, row in enumerate(rows):
            if row.shape[0] == 0:
                raise InvalidInputError(f"{what}: row {i} has no epochs; expected at least one")
    return rows


def _as_float(array: np.ndarray, what: str) -> np.ndarray:
    if array.dtype.kind not in "biuf":
        try:
            return array.astype(np.float64)
        except (TypeError, ValueError):
            raise InvalidInputError(f"{what}: expected numbers, got values of type {array.dtype}") from None
    return array.astype(np.float64, copy=False)


def _first_non_finite(rows: np.ndarray | list[np.ndarray]) -> tuple[int, int] | None:
    if isinstance(rows, np.ndarray):
        bad = ~np.isfinite(rows)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            return int(i), int(j)
        return None
    for i, row in enumerate(rows):
        bad = np.flatnonzero(~np.isfinite(row))
        if bad.size:
            return i, int(bad[0])
    return None
