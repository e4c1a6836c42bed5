"""Linear regression on an architecture encoding, the simplest model-based predictor of NASLib.

Ordinary least squares (``alpha=0``) or ridge regression on the adjacency one-hot encoding, as in
White et al., "How Powerful are Performance Predictors in Neural Architecture Search?" (NeurIPS 2021).
"""

from __future__ import annotations

from typing import Any

from sklearn.linear_model import LinearRegression as OrdinaryLeastSquares
from sklearn.linear_model import Ridge

from naspred.errors import InvalidInputError
from naspred.predictors.encoded import EncodingRegressor


class LinearRegression(EncodingRegressor):
    """Least squares on ``encoding``; ``alpha > 0`` adds an L2 penalty (ridge regression)."""

    def __init__(self, encoding: str = "adjacency_one_hot", alpha: float = 0.0) -> None:
        self.encoding = encoding
        self.alpha = alpha

    def _make_model(self) -> Any:
        if not isinstance(self.alpha, (int, float)) or not self.alpha >= 0:
            raise InvalidInputError(f"LinearRegression: alpha must be a number >= 0, got {self.alpha!r}")
        return OrdinaryLeastSquares() if self.alpha == 0 else Ridge(alpha=float(self.alpha))
