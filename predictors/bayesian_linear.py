"""Bayesian linear regression on an architecture encoding, with evidence maximisation (MacKay, "Bayesian
Interpolation", Neural Computation 1992; Bishop, "Pattern Recognition and Machine Learning", 2006, §3.3–3.5).

The model of NASLib's ``bayes_lin_reg`` (White et al., NeurIPS 2021), which uses pybnn's
``BayesianLinearRegression`` with a linear basis plus a bias column, weight-prior precision ``alpha = 1``
and noise precision ``beta = 100`` as starting values, both fitted by maximising the marginal likelihood.
Here the maximisation runs MacKay's fixed-point updates (Bishop eqs. 3.91–3.95) on standardised targets:

    A = alpha I + beta Phi^T Phi,  m = beta A^-1 Phi^T z,  gamma = sum_i beta e_i / (alpha + beta e_i),
    alpha <- gamma / m^T m,  beta <- (n - gamma) / ||z - Phi m||^2

with ``e_i`` the eigenvalues of ``Phi^T Phi``. The predictive distribution of a new target is Normal with
mean ``phi^T m`` and variance ``1 / beta + phi^T A^-1 phi`` (Bishop eqs. 3.58–3.59).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from scipy.stats import loguniform

from naspred.params import Boolean, Int, Real, param
from naspred.predictors.info import ArchInfo
from naspred.predictors.standardised import StandardisedRegressor

logger = logging.getLogger(__name__)

_PRECISION_RANGE = (1e-10, 1e10)
#: a prior precision, within the range the evidence maximisation keeps it in
PRECISION = Real(*_PRECISION_RANGE)


def with_bias(x: np.ndarray) -> np.ndarray:
    """The linear basis of pybnn: the features followed by a column of ones."""
    return np.hstack([x, np.ones((x.shape[0], 1))])


class EvidenceLinearModel:
    """Gaussian posterior over linear weights (bias column included); precisions fitted by evidence.

    After :meth:`fit`: ``alpha_`` (weight-prior precision), ``beta_`` (noise precision), ``mean_``
    (posterior mean of the weights), ``cov_`` (posterior covariance), ``log_evidence_`` (log marginal
    likelihood of the training targets at the fitted precisions), ``n_iter_`` and ``converged_``.
    """

    def __init__(self, alpha: float, beta: float, optimize: bool, max_iter: int, tol: float) -> None:
        self.alpha = alpha
        self.beta = beta
        self.optimize = optimize
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, x: np.ndarray, z: np.ndarray) -> EvidenceLinearModel:
        phi = with_bias(np.asarray(x, dtype=np.float64))
        z = np.asarray(z, dtype=np.float64)
        n, d = phi.shape
        eigvals, eigvecs = np.linalg.eigh(phi.T @ phi)
        eigvals = np.clip(eigvals, 0.0, None)
        proj = eigvecs.T @ (phi.T @ z)  # Phi^T z in the eigenbasis
        alpha, beta = float(self.alpha), float(self.beta)
        lo, hi = _PRECISION_RANGE
        self.converged_ = not self.optimize
        self.n_iter_ = 0
        for it in range(1, (self.max_iter if self.optimize else 0) + 1):
            mean_eig = beta * proj / (alpha + beta * eigvals)
            gamma = float(np.sum(beta * eigvals / (alpha + beta * eigvals)))
            residual = float(np.sum((z - phi @ (eigvecs @ mean_eig)) ** 2))
            new_alpha = float(np.clip(gamma / max(float(mean_eig @ mean_eig), lo), lo, hi))
            new_beta = float(np.clip(max(n - gamma, 0.0) / max(residual, lo), lo, hi))
            step = max(abs(np.log(new_alpha / alpha)), abs(np.log(new_beta / beta)))
            alpha, beta = new_alpha, new_beta
            self.n_iter_ = it
            if step < self.tol:
                self.converged_ = True
                break
        if not self.converged_:
            logger.debug("evidence maximisation stopped after %d iterations without converging", self.n_iter_)
        inv_eig = 1.0 / (alpha + beta * eigvals)
        self.cov_ = (eigvecs * inv_eig) @ eigvecs.T
        self.mean_ = eigvecs @ (beta * proj * inv_eig)
        self.alpha_, self.beta_ = alpha, beta
        fit_error = beta / 2 * float(np.sum((z - phi @ self.mean_) ** 2)) + alpha / 2 * float(self.mean_ @ self.mean_)
        self.log_evidence_ = (
            d / 2 * np.log(alpha) + n / 2 * np.log(beta) - fit_error
            + 0.5 * float(np.sum(np.log(inv_eig))) - n / 2 * np.log(2 * np.pi)
        )  # Bishop eq. 3.86
        return self

    def predict(self, x: np.ndarray, return_std: bool = False) -> Any:
        phi = with_bias(np.asarray(x, dtype=np.float64))
        mean = phi @ self.mean_
        if not return_std:
            return mean
        var = 1.0 / self.beta_ + np.einsum("ij,jk,ik->i", phi, self.cov_, phi)
        return mean, np.sqrt(np.clip(var, 0.0, None))


class BayesianLinearRegression(StandardisedRegressor):
    """Bayesian linear regression on ``encoding`` with a predictive std (NASLib's ``bayes_lin_reg``).

    Parameters
    ----------
    encoding : str
        The featurizer that encodes each architecture.
    weight_precision, noise_precision : float
        The prior precisions of the weights and of the noise (in [1e-10, 1e10]), on standardised targets: the
        starting point of the evidence maximisation when ``optimize``, fixed otherwise.
    optimize : bool
        Fit both precisions by maximising the evidence.
    max_iter : int
        Fixed-point updates at the most (>= 1).
    tol : float
        Convergence threshold on the largest change of a log precision (> 0).
    """

    uncertainty = True

    weight_precision: float = param(1.0, PRECISION)
    noise_precision: float = param(100.0, PRECISION)
    optimize: bool = param(True, Boolean())
    max_iter: int = param(300, Int(1))
    tol: float = param(1e-6, Real(0.0, closed="neither"))

    @classmethod
    def hyperparameter_space(cls) -> dict[str, Any]:
        """Fixed or fitted precisions; log-uniform starting values."""
        return {
            "optimize": [True, False],
            "weight_precision": loguniform(1e-3, 1e3),
            "noise_precision": loguniform(1e-2, 1e4),
        }

    def _make_model(self) -> EvidenceLinearModel:
        return EvidenceLinearModel(
            alpha=self.weight_precision,
            beta=self.noise_precision,
            optimize=bool(self.optimize),
            max_iter=self.max_iter,
            tol=self.tol,
        )

    def _predict_dist(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray]:
        mean, std = self.model_.predict(self._encode(archs, info), return_std=True)
        return self.scaler_.inverse_mean(mean), self.scaler_.inverse_std(std)
