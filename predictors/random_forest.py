"""Random forest on an architecture encoding (Breiman, "Random Forests", Machine Learning 2001).

One of the model-based predictors compared by White et al. (NeurIPS 2021). The spread of the trees'
predictions serves as its standard deviation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.ensemble import RandomForestRegressor

from naspred.params import SEED, AnyOf, Int, Options, Real, param
from naspred.predictors.encoded import EncodingRegressor
from naspred.predictors.info import ArchInfo


class RandomForest(EncodingRegressor):
    """A random forest regressor on ``encoding``; ``predict_dist`` gives the std over its trees.

    Parameters
    ----------
    encoding : str
        The featurizer that encodes each architecture.
    n_estimators : int
        Trees (>= 1).
    max_features : float, int, {"sqrt", "log2"} or None
        Features each split considers: a fraction in (0, 1], a count, scikit-learn's rules, or all (None).
    min_samples_leaf : int
        Training architectures per leaf at the least (>= 1).
    random_state : int or None
        Seed of the bootstrap samples and the feature draws; None: a fresh one at each fit.
    """

    uncertainty = True

    n_estimators: int = param(100, Int(1))
    max_features: float | str | None = param(
        1.0, AnyOf(Real(0.0, 1.0, closed="right"), Int(1), Options(("sqrt", "log2")), None)
    )
    min_samples_leaf: int = param(1, Int(1))
    random_state: int | None = param(None, SEED)

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
