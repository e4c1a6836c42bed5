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
``n_jobs``) are checked and passed to the library's estimator in one place.
"""

from __future__ import annotations

from typing import Any

from scipy.stats import loguniform, randint, uniform

from naspred.predictors.params import check_float, check_int, check_jobs, check_seed
from naspred.predictors.standardised import StandardisedRegressor


class GradientBoosting(StandardisedRegressor):
    """Gradient-boosted trees on ``encoding``: a library's scikit-learn regressor built by :meth:`_make_model`
    from the shared parameters and the library's own (:meth:`_library_params`)."""

    encoding: str
    n_estimators: int
    learning_rate: float
    random_state: int | None
    n_jobs: int | None

    def _library_model(self, **params: Any) -> Any:
        """The library's regressor built with ``params``."""
        raise NotImplementedError

    def _library_params(self, who: str) -> dict[str, Any]:
        """The library's own parameters, checked."""
        raise NotImplementedError

    def _make_model(self) -> Any:
        who = type(self).__name__
        return self._library_model(
            n_estimators=check_int(who, "n_estimators", self.n_estimators, 1),
            learning_rate=check_float(who, "learning_rate", self.learning_rate, 0.0, low_open=True),
            **self._library_params(who),
            random_state=check_seed(who, self.random_state),
            n_jobs=check_jobs(who, self.n_jobs),
        )


def _fraction(who: str, name: str, value: Any) -> float:
    """A fraction in (0, 1]."""
    return check_float(who, name, value, 0.0, 1.0, low_open=True)


class LightGBM(GradientBoosting):
    """LightGBM regression on ``encoding`` (Luo et al. 2020's settings, as NASLib's ``lgb``)."""

    def __init__(
        self,
        encoding: str = "adjacency_one_hot",
        n_estimators: int = 500,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        min_child_samples: int = 5,
        feature_fraction: float = 0.9,
        bagging_fraction: float = 0.8,
        bagging_freq: int = 5,
        random_state: int | None = None,
        n_jobs: int | None = 1,
    ) -> None:
        self._store(locals())

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

    def _library_params(self, who: str) -> dict[str, Any]:
        return {
            "num_leaves": check_int(who, "num_leaves", self.num_leaves, 2),
            "min_child_samples": check_int(who, "min_child_samples", self.min_child_samples, 1),
            "colsample_bytree": _fraction(who, "feature_fraction", self.feature_fraction),
            "subsample": _fraction(who, "bagging_fraction", self.bagging_fraction),
            "subsample_freq": check_int(who, "bagging_freq", self.bagging_freq, 0),
        }


class XGBoost(GradientBoosting):
    """XGBoost regression on ``encoding`` (NASLib's ``xgb`` defaults)."""

    def __init__(
        self,
        encoding: str = "adjacency_one_hot",
        n_estimators: int = 500,
        learning_rate: float = 0.3,
        max_depth: int = 6,
        min_child_weight: float = 1.0,
        colsample_bytree: float = 1.0,
        colsample_bylevel: float = 1.0,
        random_state: int | None = None,
        n_jobs: int | None = 1,
    ) -> None:
        self._store(locals())

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

    def _library_params(self, who: str) -> dict[str, Any]:
        return {
            "max_depth": check_int(who, "max_depth", self.max_depth, 1),
            "min_child_weight": check_float(who, "min_child_weight", self.min_child_weight, 0.0),
            "colsample_bytree": _fraction(who, "colsample_bytree", self.colsample_bytree),
            "colsample_bylevel": _fraction(who, "colsample_bylevel", self.colsample_bylevel),
        }
