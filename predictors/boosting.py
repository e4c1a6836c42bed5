"""Gradient-boosted trees on an architecture encoding: LightGBM and XGBoost.

- LightGBM (Ke et al., "LightGBM: A Highly Efficient Gradient Boosting Decision Tree", NeurIPS 2017) with
  the settings of Luo et al., "Neural Architecture Search with GBDT" (arXiv:2007.04785, 2020), as NASLib's
  ``naslib/predictors/trees/lgb.py`` uses them: 500 rounds, learning rate 0.05, 31 leaves, at least 5
  samples per leaf, feature fraction 0.9, bagging fraction 0.8 every 5 rounds.
- XGBoost (Chen & Guestrin, "XGBoost: A Scalable Tree Boosting System", KDD 2016) with the defaults of
  NASLib's ``naslib/predictors/trees/xgb.py``, which NAS-Bench-Suite-Zero (Krishnakumar et al., NeurIPS
  2022 Datasets and Benchmarks) also uses: 500 rounds, learning rate 0.3, depth 6, minimum child weight 1,
  no column subsampling.

Both are among the model-based predictors of White et al. (NeurIPS 2021); both fit standardised targets.
They use one thread unless ``n_jobs`` says otherwise (``None``: the library's default, -1: every core):
on a few thousand architectures threads gain little, and trials usually run in parallel processes.
Their hyperparameter spaces are NASLib's random-search ranges (``set_random_hyperparams``). Both are
:class:`GradientBoosting`: the parameters they share (``n_estimators``, ``learning_rate``, ``random_state``,
``n_jobs``) are declared and passed to the library's estimator in one place.
"""

from __future__ import annotations

from typing import Any

from scipy.stats import loguniform, randint, uniform

from naspred.params import JOBS, SEED, Int, Real, param
from naspred.predictors.standardised import StandardisedRegressor

#: a fraction of the rows or columns: in (0, 1]
FRACTION = Real(0.0, 1.0, closed="right")


class GradientBoosting(StandardisedRegressor):
    """Gradient-boosted trees on ``encoding``: a library's scikit-learn regressor built by :meth:`_make_model`
    from the shared parameters and the library's own (:meth:`_library_params`).

    Parameters
    ----------
    encoding : str
        The featurizer that encodes each architecture.
    n_estimators : int
        Boosting rounds (>= 1).
    learning_rate : float
        Shrinkage of each round (> 0).
    random_state : int or None
        Seed of the row and column sampling; None: a fresh one at each fit.
    n_jobs : int or None
        Threads (>= 1, or -1 for every core); None: the library's default.
    """

    n_estimators: int = param(500, Int(1))
    learning_rate: float = param(0.1, Real(0.0, closed="neither"))
    random_state: int | None = param(None, SEED)
    n_jobs: int | None = param(1, JOBS)

    def _library_model(self, **params: Any) -> Any:
        """The library's regressor built with ``params``."""
        raise NotImplementedError

    def _library_params(self) -> dict[str, Any]:
        """The library's own parameters, by the library's names."""
        raise NotImplementedError

    def _make_model(self) -> Any:
        return self._library_model(
            n_estimators=self.n_estimators,
            learning_rate=self.learning_rate,
            **self._library_params(),
            random_state=self.random_state,
            n_jobs=self.n_jobs,
        )


class LightGBM(GradientBoosting):
    """LightGBM regression on ``encoding`` (Luo et al. 2020's settings, as NASLib's ``lgb``).

    Parameters
    ----------
    encoding, n_estimators, learning_rate, random_state, n_jobs
        As :class:`GradientBoosting` (``learning_rate`` 0.05 here).
    num_leaves : int
        Leaves per tree (>= 2).
    min_child_samples : int
        Training architectures per leaf at the least (>= 1).
    feature_fraction, bagging_fraction : float
        Fractions of the features each tree reads and of the rows it fits (in (0, 1]).
    bagging_freq : int
        Rounds between row resamplings (>= 0; 0: no row sampling).
    """

    learning_rate: float = param(0.05)
    num_leaves: int = param(31, Int(2))
    min_child_samples: int = param(5, Int(1))
    feature_fraction: float = param(0.9, FRACTION)
    bagging_fraction: float = param(0.8, FRACTION)
    bagging_freq: int = param(5, Int(0))

    @classmethod
    def hyperparameter_space(cls) -> dict[str, Any]:
        """NASLib's ranges: leaves 10..99, learning rate log-uniform on [0.001, 0.1], feature fraction [0.1, 1]."""
        return {
            "num_leaves": randint(10, 100),
            "learning_rate": loguniform(1e-3, 1e-1),
            "feature_fraction": uniform(0.1, 0.9),
        }

    def _library_model(self, **params: Any) -> Any:
        from lightgbm import LGBMRegressor

        return LGBMRegressor(boosting_type="gbdt", objective="regression", verbose=-1, **params)

    def _library_params(self) -> dict[str, Any]:
        return {
            "num_leaves": self.num_leaves,
            "min_child_samples": self.min_child_samples,
            "colsample_bytree": self.feature_fraction,
            "subsample": self.bagging_fraction,
            "subsample_freq": self.bagging_freq,
        }


class XGBoost(GradientBoosting):
    """XGBoost regression on ``encoding`` (NASLib's ``xgb`` defaults).

    Parameters
    ----------
    encoding, n_estimators, learning_rate, random_state, n_jobs
        As :class:`GradientBoosting` (``learning_rate`` 0.3 here).
    max_depth : int
        Depth of each tree (>= 1).
    min_child_weight : float
        Hessian weight per leaf at the least (>= 0).
    colsample_bytree, colsample_bylevel : float
        Fractions of the features each tree and each level reads (in (0, 1]).
    """

    learning_rate: float = param(0.3)
    max_depth: int = param(6, Int(1))
    min_child_weight: float = param(1.0, Real(0.0))
    colsample_bytree: float = param(1.0, FRACTION)
    colsample_bylevel: float = param(1.0, FRACTION)

    @classmethod
    def hyperparameter_space(cls) -> dict[str, Any]:
        """NASLib's ranges: depth 1..14, child weight 1..9, learning rate log-uniform on [0.001, 0.5],
        column fractions uniform on [0.1, 1] (NASLib draws from [0, 1]; XGBoost refuses 0)."""
        return {
            "max_depth": randint(1, 15),
            "min_child_weight": randint(1, 10),
            "colsample_bytree": uniform(0.1, 0.9),
            "learning_rate": loguniform(1e-3, 0.5),
            "colsample_bylevel": uniform(0.1, 0.9),
        }

    def _library_model(self, **params: Any) -> Any:
        from xgboost import XGBRegressor

        return XGBRegressor(objective="reg:squarederror", booster="gbtree", **params)

    def _library_params(self) -> dict[str, Any]:
        return {
            "max_depth": self.max_depth,
            "min_child_weight": self.min_child_weight,
            "colsample_bytree": self.colsample_bytree,
            "colsample_bylevel": self.colsample_bylevel,
        }
