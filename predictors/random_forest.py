"""Random forest on an architecture encoding (Breiman, "Random Forests", Machine Learning 2001).

One of the model-based predictors compared by White et al. (NeurIPS 2021). The spread of the trees'
predictions serves as its standard deviation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.ensemble import RandomForestRegressor

from naspred.predictors.encoded import EncodingRegressor
from naspred.predictors.info import ArchInfo


class RandomForest(EncodingRegressor):
    """A random forest regressor on ``encoding``; ``predict_dist`` gives the std over its trees."""

    uncertainty = True

    def __init__(
        self,
        encoding: str = "adjacency_one_hot",
        n_estimators: int = 100,
        max_features: float | str | None = 1.0,
        min_samples_leaf: int = 1,
        random_state: int | None = None,
    ) -> None:
        self.encoding = encoding
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.random_state = random_state

    def _make_model(self) -> Any:
        return RandomForestRegressor(
            n_estimators=self.n_estimators,
            max_features=self.max_features,
            min_samples_leaf=self.min_samples_leaf,
            random_state=self.random_state,
        )

    def _predict_dist(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray]:
        x = self._encode(archs, info)
        per_tree = np.stack([tree.predict(x) for tree in self.model_.estimators_])
        return per_tree.mean(axis=0), per_tree.std(axis=0)
