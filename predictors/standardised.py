"""Regressors fitted on standardised targets, with predictions mapped back to the target's own scale.

NASLib's model-based predictors fit their models on ``(y - mean) / std`` and map predictions back
(White et al., NeurIPS 2021; ``naslib/predictors/trees/base_tree_class.py``). A predictive standard
deviation scales by ``std`` alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from naspred.predictors.encoded import EncodingRegressor
from naspred.predictors.info import ArchInfo


@dataclass(frozen=True)
class TargetScaler:
    """``z = (y - mean) / scale``; ``scale`` is 1 when every target is the same (nothing to scale)."""

    mean: float
    scale: float

    @classmethod
    def fit(cls, y: np.ndarray) -> TargetScaler:
        """The scaler of the finite targets ``y``."""
        y = np.asarray(y, dtype=np.float64)
        std = float(y.std())
        return cls(mean=float(y.mean()), scale=std if std > 0 else 1.0)

    def transform(self, y: np.ndarray) -> np.ndarray:
        """Standardised targets."""
        return (np.asarray(y, dtype=np.float64) - self.mean) / self.scale

    def inverse_mean(self, z: np.ndarray) -> np.ndarray:
        """Predicted means on the target's own scale."""
        return np.asarray(z, dtype=np.float64).reshape(-1) * self.scale + self.mean

    def inverse_std(self, s: np.ndarray) -> np.ndarray:
        """Predicted standard deviations on the target's own scale."""
        return np.asarray(s, dtype=np.float64).reshape(-1) * self.scale


class StandardisedRegressor(EncodingRegressor):
    """An :class:`EncodingRegressor` whose model sees standardised targets (``scaler_``)."""

    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        self.scaler_ = TargetScaler.fit(y)
        self.model_ = self._make_model().fit(self._encode(archs, info), self.scaler_.transform(y))

    def _predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        return self.scaler_.inverse_mean(self.model_.predict(self._encode(archs, info)))
