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

from naspred.params import AnyOf, Options, Real, param
from naspred.predictors.standardised import StandardisedRegressor

KERNELS = ("rbf", "linear", "poly", "sigmoid")


class SVR(StandardisedRegressor):
    """ν-SVR on ``encoding``.

    Parameters
    ----------
    encoding : str
        The featurizer that encodes each architecture.
    C, nu : float
        ν-SVR's penalty (> 0) and fraction of support vectors (in (0, 1]).
    gamma : float or {"scale", "auto"}
        The RBF kernel's width: a number > 0 or scikit-learn's rules.
    kernel : {"rbf", "linear", "poly", "sigmoid"}
    """

    C: float = param(1.0, Real(0.0, closed="neither"))
    nu: float = param(0.5, Real(0.0, 1.0, closed="right"))
    gamma: float | str = param("scale", AnyOf(Real(0.0, closed="neither"), Options(("scale", "auto"))))
    kernel: str = param("rbf", Options(KERNELS))

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

        return NuSVR(C=self.C, nu=self.nu, gamma=self.gamma, kernel=self.kernel)
