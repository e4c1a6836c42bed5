"""Plain models on OMNI's raw features: what a user would write in a few lines beside OMNI.

The features are those of OMNI (White et al., NeurIPS 2021) without its normalisation: the adjacency one-hot
encoding, the learning-curve feature ``curve`` read at ``fidelity`` epochs (none when ``curve`` is None) and
the zero-cost ``proxy`` where the benchmark records it; the target is fitted raw. The OMNI ablation
(:mod:`naspred.evaluation.omni_ablation`) runs them beside OMNI on the same splits.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from naspred.featurizers import get as get_featurizer
from naspred.featurizers.curves import LearningCurveFeatures
from naspred.params import SEED, Instance, Int, optional, param
from naspred.predictors.base import Predictor
from naspred.predictors.info import ArchInfo
from naspred.predictors.omni import curve_feature
from naspred.predictors.requirements import Requirements, Supply


class PlainModel(Predictor):
    """A regressor on the raw adjacency one-hot, learning-curve feature and proxy (subclasses choose it).

    Parameters
    ----------
    curve : str or None
        The learning-curve feature, as OMNI names it (:func:`~naspred.predictors.omni.curve_feature`); None: none.
    fidelity : int
        Epochs of partial training the curve feature reads (>= 1).
    proxy : str or None
        The zero-cost proxy, read where the benchmark records it; None: none.
    random_state : int or None
        Seed of the model; None: a fresh one at each fit.
    """

    family = "hybrid"
    #: trials on a fixed split seed it with the whole 32-bit trial seed, as the OMNI ablation always did
    seed_modulus = 2**32

    curve: str | None = param(None, optional(Instance(str, what="a learning-curve feature name")))
    fidelity: int = param(12, Int(1))
    proxy: str | None = param("jacov", optional(Instance(str, what="a proxy name")))
    random_state: int | None = param(None, SEED)

    def _proxies(self) -> tuple[str, ...]:
        supply: Supply | None = getattr(self, "supply_", None)
        if self.proxy is None or supply is not None and self.proxy not in supply.proxies:
            return ()  # read where recorded only
        return (self.proxy,)

    @property
    def requirements(self) -> Requirements:
        curve = () if self.curve is None else (curve_feature(self.curve, self._name),)
        return Requirements(
            featurizers=("adjacency_one_hot",),
            fidelity=self.fidelity if curve else None,
            curve_metrics=tuple(metric for metric, _ in curve),
            every_epoch=any(feature != "last" for _, feature in curve),
            labelled=True,
            encoding=True,
            proxies=self._proxies(),
        )

    def validate_params(self) -> None:
        """The declared checks, then: the learning-curve feature ``curve`` names exists."""
        super().validate_params()
        if self.curve is not None:
            curve_feature(self.curve, self._name)

    def _features(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        encoding = get_featurizer("adjacency_one_hot", space=info.space).transform(archs)
        blocks = [np.asarray(encoding, dtype=np.float64)]
        if self.curve is not None:
            metric, feature = curve_feature(self.curve, self._name)
            blocks.append(LearningCurveFeatures(features=(feature,)).fit_transform(info.curves[metric].values))
        for name in self._proxies():
            blocks.append(np.asarray(info.proxies[name], dtype=np.float64)[:, None])
        return np.hstack(blocks)

    def _make_model(self) -> Any:
        raise NotImplementedError

    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        self.model_ = self._make_model()
        self.model_.fit(self._features(archs, info), y)

    def _predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        return np.asarray(self.model_.predict(self._features(archs, info)), dtype=np.float64)


class PlainNGBoost(PlainModel):
    """``ngboost.NGBRegressor()`` with the package's defaults on OMNI's raw features, raw target."""

    def _make_model(self) -> Any:
        from ngboost import NGBRegressor

        return NGBRegressor(random_state=self.random_state, verbose=False)


class PlainLightGBM(PlainModel):
    """LightGBM on OMNI's raw features, raw target: 500 trees at learning rate 0.05, 31 leaves of at least 5,
    80 % row and column sampling (as ``perf/predictors.py`` sets it)."""

    def _make_model(self) -> Any:
        import lightgbm

        return lightgbm.LGBMRegressor(n_estimators=500, learning_rate=0.05, num_leaves=31, min_child_samples=5,
                                      subsample=0.8, subsample_freq=1, colsample_bytree=0.8,
                                      random_state=self.random_state, n_jobs=1, verbose=-1)


class PlainXGBoost(PlainModel):
    """XGBoost on OMNI's raw features, raw target: 500 trees of depth 6 at learning rate 0.05, 80 % row and
    column sampling (as ``perf/predictors.py`` sets it)."""

    def _make_model(self) -> Any:
        import xgboost

        return xgboost.XGBRegressor(n_estimators=500, learning_rate=0.05, max_depth=6, subsample=0.8,
                                    colsample_bytree=0.8, random_state=self.random_state, n_jobs=1)
