"""NGBoost on an architecture encoding (Duan et al., "NGBoost: Natural Gradient Boosting for Probabilistic
Prediction", ICML 2020).

Natural-gradient boosting of a Normal distribution (log score) with regression trees as base learners,
with the defaults of NASLib's ``naslib/predictors/trees/ngb.py`` (White et al., NeurIPS 2021): 505 rounds,
learning rate 0.0813, minibatch fraction 0.508, trees of depth 6 reading 79.2 % of the features, with at
least ``min(max(n // 2, 1), 15)`` samples per leaf and ``min(max(n // 2, 2), 20)`` per split for ``n``
training architectures. The standard deviation is the scale of the predicted Normal distribution. The Normal
distribution is ngboost's, with its log score computed in closed form (:class:`ClosedFormNormal`): the same
model and predictions, several times faster to fit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from naspred.params import SEED, Int, Real, param
from naspred.predictors.info import ArchInfo
from naspred.predictors.standardised import StandardisedRegressor, TargetScaler
from ngboost.distns import Normal
from ngboost.distns.normal import NormalLogScore
from ngboost.scores import LogScore
from scipy.stats import loguniform, randint, uniform


class ClosedFormNormalLogScore(NormalLogScore, LogScore):
    """NGBoost's log score of the Normal distribution, its value computed in closed form."""

    def score(self, Y: np.ndarray) -> np.ndarray:
        return 0.5 * np.log(2.0 * np.pi * self.var) + (Y - self.loc) ** 2 / (2.0 * self.var)


class ClosedFormNormal(Normal):
    """NGBoost's Normal distribution without a frozen ``scipy.stats.norm`` behind it.

    ngboost's ``Normal`` builds one at each of its many constructions in the boosting loop, which dominates
    the fit time for a few hundred architectures; the fitted model and its predictions are the same.
    """

    scores = (ClosedFormNormalLogScore,)

    def __init__(self, params: np.ndarray) -> None:
        self._params = params
        self.loc = params[0]
        self.scale = np.exp(params[1])
        self.var = self.scale**2

    def mean(self) -> np.ndarray:
        return self.loc

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(name)


class NGBoost(StandardisedRegressor):
    """NGBoost (Normal distribution, tree base learners) on ``encoding``; NASLib's ``ngb`` defaults.

    Parameters
    ----------
    encoding : str
        The featurizer that encodes each architecture.
    n_estimators, max_depth : int
        Boosting rounds, and the depth of each tree (both >= 1).
    learning_rate : float
        The step of each round along the natural gradient (> 0).
    minibatch_frac, max_features : float
        Fractions of the training architectures each round fits and of the features each split considers
        (in (0, 1]).
    random_state : int or None
        Seed of the minibatches and the trees; None: a fresh one at each fit.
    """

    uncertainty = True

    n_estimators: int = param(505, Int(1))
    learning_rate: float = param(0.08127053060223186, Real(0.0, closed="neither"))
    minibatch_frac: float = param(0.5081694143793387, Real(0.0, 1.0, closed="right"))
    max_depth: int = param(6, Int(1))
    max_features: float = param(0.7920456318712875, Real(0.0, 1.0, closed="right"))
    random_state: int | None = param(None, SEED)

    @classmethod
    def hyperparameter_space(cls) -> dict[str, Any]:
        """NASLib's ranges: rounds log-uniform on [128, 512], learning rate log-uniform on [0.001, 0.1],
        minibatch fraction [0.1, 1], depth 1..24, feature fraction [0.1, 1]."""
        return {
            "n_estimators": randint(128, 513),
            "learning_rate": loguniform(1e-3, 1e-1),
            "minibatch_frac": uniform(0.1, 0.9),
            "max_depth": randint(1, 25),
            "max_features": uniform(0.1, 0.9),
        }

    def _make_model(self) -> Any:
        from ngboost import NGBRegressor
        from sklearn.tree import DecisionTreeRegressor

        base = DecisionTreeRegressor(
            criterion="friedman_mse",
            splitter="best",
            max_depth=self.max_depth,
            max_features=float(self.max_features),
            min_samples_leaf=15,  # set from the number of training architectures at fit
            min_samples_split=20,
            random_state=None,  # NGBoost seeds each base learner from its own random_state
        )
        return NGBRegressor(
            Dist=ClosedFormNormal,
            Score=LogScore,
            Base=base,
            n_estimators=self.n_estimators,
            learning_rate=self.learning_rate,
            minibatch_frac=self.minibatch_frac,
            random_state=self.random_state,
            verbose=False,
        )

    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        self.scaler_ = TargetScaler.fit(y)
        model = self._make_model()
        n = len(archs)
        model.Base.set_params(min_samples_leaf=min(max(n // 2, 1), 15), min_samples_split=min(max(n // 2, 2), 20))
        self.model_ = model.fit(self._encode(archs, info), self.scaler_.transform(y))

    def _predict_dist(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray]:
        params = self.model_.pred_dist(self._encode(archs, info)).params
        return self.scaler_.inverse_mean(params["loc"]), self.scaler_.inverse_std(params["scale"])
