"""Linear regression on an architecture encoding, the simplest model-based predictor of NASLib.

Ordinary least squares (``alpha=0``) or ridge regression on the adjacency one-hot encoding, as in
White et al., "How Powerful are Performance Predictors in Neural Architecture Search?" (NeurIPS 2021).
"""

from __future__ import annotations

from typing import Any

from sklearn.linear_model import LinearRegression as OrdinaryLeastSquares
from sklearn.linear_model import Ridge

from naspred.params import Real, param
from naspred.predictors.encoded import EncodingRegressor


class LinearRegression(EncodingRegressor):
    """Least squares on ``encoding``; ``alpha > 0`` adds an L2 penalty (ridge regression).

    Parameters
    ----------
    encoding : str
        The featurizer that encodes each architecture.
    alpha : float
        The L2 penalty (>= 0); 0 is ordinary least squares.
    """

    alpha: float = param(0.0, Real(0.0))

    def _make_model(self) -> Any:
        return OrdinaryLeastSquares() if self.alpha == 0 else Ridge(alpha=float(self.alpha))
