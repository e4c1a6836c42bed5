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
from scipy.stats import kendalltau, loguniform, uniform

from naspred.errors import InvalidInputError
from naspred.featurizers import get as get_featurizer
from naspred.featurizers.curves import LearningCurveFeatures, feature_names
from naspred.predictors.base import Predictor
from naspred.predictors.info import ArchInfo
from naspred.predictors.learning_curve import TargetCurve, check_int, read_curves
from naspred.predictors.requirements import Requirements
from naspred.predictors.standardised import TargetScaler

logger = logging.getLogger(__name__)

#: default curve summaries: NASLib's six plus the last value
LCSVR_FEATURES: tuple[str, ...] = ("last", "mean", "std", "diff_mean", "diff_std", "diff2_mean", "diff2_std")
#: epochs each summary needs
_NEEDS = {"diff_mean": 2, "diff_std": 2, "diff2_mean": 3, "diff2_std": 3}


def _kendall_tau(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Kendall tau of a cross-validation fold; 0 where either side is constant (no ranking to compare)."""
    tau = kendalltau(y_true, y_pred)[0]
    return float(tau) if np.isfinite(tau) else 0.0


class LcSVR(TargetCurve, Predictor):
    """ν-SVR on learning-curve summaries of ``metric`` at ``fidelity`` epochs, plus an optional ``encoding``."""

    family = "learning-curve"

    def __init__(
        self,
        fidelity: int = 10,
        metric: str | None = None,
        features: Sequence[str] = LCSVR_FEATURES,
        encoding: str | None = None,
        C: float = 1.0,
        nu: float = 0.5,
        gamma: float | str = "scale",
        n_search: int = 20,
        cv: int = 3,
        random_state: int | None = 0,
    ) -> None:
        self.fidelity = fidelity
        self.metric = metric
        self.features = features
        self.encoding = encoding
        self.C = C
        self.nu = nu
        self.gamma = gamma
        self.n_search = n_search
        self.cv = cv
        self.random_state = random_state

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
        if isinstance(self.features, str) or not len(self.features):
            raise InvalidInputError(
                f"{self._name}: features must be a non-empty sequence of names from {feature_names()}"
            )
        fidelity = check_int(self._name, "fidelity", self.fidelity, 1)
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

    def _checked_svr_params(self) -> dict[str, Any]:
        C, nu, gamma = self.C, self.nu, self.gamma
        if isinstance(C, bool) or not isinstance(C, (int, float)) or not np.isfinite(C) or C <= 0:
            raise InvalidInputError(f"{self._name}: C must be a positive number, got {C!r}")
        if isinstance(nu, bool) or not isinstance(nu, (int, float)) or not 0 < nu <= 1:
            raise InvalidInputError(f"{self._name}: nu must be a number in (0, 1], got {nu!r}")
        if isinstance(gamma, str):
            if gamma not in ("scale", "auto"):
                raise InvalidInputError(
                    f"{self._name}: gamma must be a positive number, 'scale' or 'auto', got {gamma!r}"
                )
        elif isinstance(gamma, bool) or not isinstance(gamma, (int, float)) or not np.isfinite(gamma) or gamma <= 0:
            raise InvalidInputError(f"{self._name}: gamma must be a positive number, 'scale' or 'auto', got {gamma!r}")
        return {"nusvr__C": float(C), "nusvr__nu": float(nu), "nusvr__gamma": gamma}

    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        X = self._design(archs, info)
        n_search = check_int(self._name, "n_search", self.n_search, 0)
        cv = check_int(self._name, "cv", self.cv, 2)
        self.scaler_ = TargetScaler.fit(y)
        z = self.scaler_.transform(y)
        model = self._pipeline().set_params(**self._checked_svr_params())
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
                {
                    "nusvr__C": loguniform(1e-5, 10.0),
                    "nusvr__nu": uniform(0.01, 0.99),
                    "nusvr__gamma": loguniform(1e-5, 10.0),
                },
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
            self.best_params_ = {k.split("__")[1]: v for k, v in self._checked_svr_params().items()}
            self.model_ = model.fit(X, z)

    def _predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        return self.scaler_.inverse_mean(self.model_.predict(self._design(archs, info)))
