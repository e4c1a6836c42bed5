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
from naspred.predictors.info import ArchInfo
from naspred.predictors.params import check_float, check_int, check_seed
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
    """NGBoost (Normal distribution, tree base learners) on ``encoding``; NASLib's ``ngb`` defaults."""

    uncertainty = True

    def __init__(
        self,
        encoding: str = "adjacency_one_hot",
        n_estimators: int = 505,
        learning_rate: float = 0.08127053060223186,
        minibatch_frac: float = 0.5081694143793387,
        max_depth: int = 6,
        max_features: float = 0.7920456318712875,
        random_state: int | None = None,
    ) -> None:
        self.encoding = encoding
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.minibatch_frac = minibatch_frac
        self.max_depth = max_depth
        self.max_features = max_features
        self.random_state = random_state

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

        who = type(self).__name__
        base = DecisionTreeRegressor(
            criterion="friedman_mse",
            splitter="best",
            max_depth=check_int(who, "max_depth", self.max_depth, 1),
            max_features=check_float(who, "max_features", self.max_features, 0.0, 1.0, low_open=True),
            min_samples_leaf=15,  # set from the number of training architectures at fit
            min_samples_split=20,
            random_state=None,  # NGBoost seeds each base learner from its own random_state
        )
        return NGBRegressor(
            Dist=ClosedFormNormal,
            Score=LogScore,
            Base=base,
            n_estimators=check_int(who, "n_estimators", self.n_estimators, 1),
            learning_rate=check_float(who, "learning_rate", self.learning_rate, 0.0, low_open=True),
            minibatch_frac=check_float(who, "minibatch_frac", self.minibatch_frac, 0.0, 1.0, low_open=True),
            random_state=check_seed(who, self.random_state),
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
