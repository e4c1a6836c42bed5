"""LcSVR: ν-SVR on summaries of the partial learning curve (Baker et al., "Accelerating Neural Architecture
Search using Performance Prediction", ICLR workshop 2018, arXiv 1705.10823).

Baker et al. regress the final validation accuracy on features of the partial learning curve (the curve,
its first and second differences) and of the architecture, with a ν-SVR (Schölkopf et al., Neural
Computation 2000). NASLib's LcSVR (``naslib/predictors/lcsvr.py``), evaluated by White et al. (NeurIPS 2021),
uses the mean and standard deviation of the validation-accuracy curve and of its first and second
differences; here the last value is added. Difference features enter where the fidelity has the epochs they
need (2 for first differences, 3 for second ones). With ``encoding`` (a featurizer name) the architecture
encoding is appended, as Baker et al. append the architecture's hyperparameters.

Features are standardised inside the model; targets are standardised and predictions mapped back, so they
are on the target's own scale and direction. ``C``, ``nu`` and ``gamma`` are drawn ``n_search`` times
from NASLib's ranges (log-uniform ``C`` and ``gamma`` on [1e-5, 10], uniform ``nu``) and the draw with the
highest ``cv``-fold cross-validated Kendall tau is kept (the ranking metric predictors are judged by; a fold
whose predictions are all equal scores 0). ``n_search=0`` uses the given values.

``metric=None`` (the default) reads the target's own curve (the validation loss for a loss target), as
Baker et al. regress the final value on the partial curve of the same metric
(:func:`~naspred.predictors.learning_curve.resolve_metric`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
from naspred.errors import InvalidInputError
from naspred.featurizers import get as get_featurizer
from naspred.featurizers.curves import LearningCurveFeatures, feature_names
from naspred.params import SEED, Instance, Int, optional, param
from naspred.predictors.base import Predictor
from naspred.predictors.curve_options import CURVE_METRIC, Names
from naspred.predictors.info import ArchInfo
from naspred.predictors.learning_curve import TargetCurve, read_curves
from naspred.predictors.requirements import Requirements
from naspred.predictors.standardised import TargetScaler
from naspred.predictors.svr import SVR
from scipy.stats import kendalltau

logger = logging.getLogger(__name__)

#: default curve summaries: NASLib's six plus the last value
LCSVR_FEATURES: tuple[str, ...] = ("last", "mean", "std", "diff_mean", "diff_std", "diff2_mean", "diff2_std")
#: epochs each summary needs
_NEEDS = {"diff_mean": 2, "diff_std": 2, "diff2_mean": 3, "diff2_std": 3}
#: ν-SVR's parameters, declared once by :class:`~naspred.predictors.svr.SVR`
_SVR_PARAMS = SVR.parameters()


def _kendall_tau(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Kendall tau of a cross-validation fold; 0 where either side is constant (no ranking to compare)."""
    tau = kendalltau(y_true, y_pred)[0]
    return float(tau) if np.isfinite(tau) else 0.0


class LcSVR(TargetCurve, Predictor):
    """ν-SVR on learning-curve summaries of ``metric`` at ``fidelity`` epochs, plus an optional ``encoding``.

    Parameters
    ----------
    fidelity : int
        Epochs of the partial curve read.
    metric : str or None
        The curve read; None reads the target's own curve.
    features : sequence of str
        The curve summaries (names from :func:`~naspred.featurizers.curves.feature_names`); those the
        fidelity cannot define are left out.
    encoding : str or None
        A featurizer whose architecture encoding is appended to the summaries.
    C, nu, gamma
        ν-SVR's settings, as in :class:`~naspred.predictors.svr.SVR`; used where ``n_search=0``.
    n_search : int
        Draws of ``C``, ``nu`` and ``gamma`` from :meth:`SVR.hyperparameter_space` (0: no search).
    cv : int
        Folds of the cross-validation that scores each draw.
    random_state : int or None
        Seed of the search and of its folds.
    """

    family = "learning-curve"

    fidelity: int = param(10, Int(1))
    metric: str | None = param(None, CURVE_METRIC)
    features: Sequence[str] = param(LCSVR_FEATURES, Names(feature_names()))
    encoding: str | None = param(None, optional(Instance(str, what="a featurizer name")))
    C: float = param(1.0, _SVR_PARAMS["C"].constraint)
    nu: float = param(0.5, _SVR_PARAMS["nu"].constraint)
    gamma: float | str = param("scale", _SVR_PARAMS["gamma"].constraint)
    n_search: int = param(20, Int(0))
    cv: int = param(3, Int(2))
    random_state: int | None = param(0, SEED)

    @property
    def requirements(self) -> Requirements:
        featurizers = (self.encoding,) if self.encoding else ()
        metric = self.curve_metric()
        return Requirements(
            featurizers=featurizers,
            fidelity=self.fidelity,
            curve_metrics=(metric,) if metric else (),
            every_epoch=True,
            labelled=True,
            encoding=bool(self.encoding),
        )

    # -- features ------------------------------------------------------------------------------------
    def _usable_features(self) -> tuple[str, ...]:
        fidelity = int(self.fidelity)
        usable = tuple(f for f in self.features if _NEEDS.get(f, 1) <= fidelity)
        if not usable:
            raise InvalidInputError(
                f"{self._name}: none of the features {list(self.features)} can be computed from {fidelity} epoch(s)"
            )
        return usable

    def _design(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        metric = self.read_metric(info)
        features = self._usable_features()
        _, values = read_curves(info, metric, int(self.fidelity), self._name, contiguous=True)
        columns = [LearningCurveFeatures(features=features).fit_transform(values)]
        if self.encoding:
            encoder = get_featurizer(self.encoding, space=info.space)
            columns.append(np.asarray(encoder.transform(archs), dtype=np.float64))
        return np.hstack(columns)

    # -- model -----------------------------------------------------------------------------------------
    def _pipeline(self) -> Any:
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import NuSVR

        return make_pipeline(StandardScaler(), NuSVR(kernel="rbf"))

    def _svr_params(self) -> dict[str, Any]:
        return {"nusvr__C": self.C, "nusvr__nu": self.nu, "nusvr__gamma": self.gamma}

    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        X = self._design(archs, info)
        n_search, cv = int(self.n_search), int(self.cv)
        self.scaler_ = TargetScaler.fit(y)
        z = self.scaler_.transform(y)
        model = self._pipeline().set_params(**self._svr_params())
        # scikit-learn's libsvm fit draws a seed from numpy's global generator (NuSVR takes no random_state):
        # restored afterwards, so that fitting leaves the caller's random state as it was
        global_state = np.random.get_state()
        try:
            self._fit_model(model, X, z, n_search, cv)
        finally:
            np.random.set_state(global_state)
        self.features_ = self._usable_features()

    def _fit_model(self, model: Any, X: np.ndarray, z: np.ndarray, n_search: int, cv: int) -> None:
        from sklearn.metrics import make_scorer
        from sklearn.model_selection import KFold, RandomizedSearchCV

        if n_search and len(z) >= 2 * cv:
            search = RandomizedSearchCV(
                model,
                {f"nusvr__{name}": space for name, space in SVR.hyperparameter_space().items()},
                n_iter=n_search,
                cv=KFold(cv, shuffle=True, random_state=self.random_state),
                scoring=make_scorer(_kendall_tau),
                random_state=self.random_state,
            )
            search.fit(X, z)
            self.best_params_ = {k.split("__")[1]: v for k, v in search.best_params_.items()}
            self.model_ = search.best_estimator_
        else:
            if n_search:
                logger.info(
                    "%s: %d architectures, too few for %d-fold search; using the given C, nu, gamma",
                    self._name,
                    len(z),
                    cv,
                )
            self.best_params_ = {k.split("__")[1]: v for k, v in self._svr_params().items()}
            self.model_ = model.fit(X, z)

    def _predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        return self.scaler_.inverse_mean(self.model_.predict(self._design(archs, info)))
