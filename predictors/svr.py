"""Support vector regression on an architecture encoding: ν-SVR (Schölkopf et al., "New Support Vector
Algorithms", Neural Computation 2000), as NASLib uses it.

NASLib's SVR (``naslib/predictors/lcsvr.py``, after Baker et al., "Accelerating Neural Architecture Search
using Performance Prediction", 2017) is scikit-learn's ``NuSVR`` with an RBF kernel whose ``C``, ``nu`` and
``gamma`` are chosen by random search (log-uniform ``C`` on [1e-5, 10], uniform ``nu`` on [0, 1], log-uniform
``gamma`` on [1e-5, 10]); those ranges are :meth:`SVR.hyperparameter_space`, and the defaults are
scikit-learn's. Targets are standardised.
"""

from __future__ import annotations

from typing import Any

from scipy.stats import loguniform, uniform

from naspred.predictors.params import check_choice, check_float
from naspred.predictors.standardised import StandardisedRegressor

KERNELS = ("rbf", "linear", "poly", "sigmoid")


class SVR(StandardisedRegressor):
    """ν-SVR on ``encoding``; ``gamma`` is a positive number, ``"scale"`` or ``"auto"`` (scikit-learn's)."""

    def __init__(
        self,
        encoding: str = "adjacency_one_hot",
        C: float = 1.0,
        nu: float = 0.5,
        gamma: float | str = "scale",
        kernel: str = "rbf",
    ) -> None:
        self.encoding = encoding
        self.C = C
        self.nu = nu
        self.gamma = gamma
        self.kernel = kernel

    @classmethod
    def hyperparameter_space(cls) -> dict[str, Any]:
        """NASLib's ranges (``nu`` kept inside (0, 1], where ν-SVR is defined)."""
        return {
            "C": loguniform(1e-5, 10.0),
            "nu": uniform(0.01, 0.99),
            "gamma": loguniform(1e-5, 10.0),
        }

    def _make_model(self) -> Any:
        from sklearn.svm import NuSVR

        who = type(self).__name__
        gamma = self.gamma
        if isinstance(gamma, str):
            gamma = check_choice(who, "gamma", gamma, ("scale", "auto"))
        else:
            gamma = check_float(who, "gamma", gamma, 0.0, low_open=True)
        return NuSVR(
            C=check_float(who, "C", self.C, 0.0, low_open=True),
            nu=check_float(who, "nu", self.nu, 0.0, 1.0, low_open=True),
            gamma=gamma,
            kernel=check_choice(who, "kernel", self.kernel, KERNELS),
        )
