"""Bayesian linear regression on learnt features, with hyperparameters chosen by maximising the evidence.

The output layer of DNGO (Snoek et al., "Scalable Bayesian Optimization Using Deep Neural Networks",
ICML 2015) and of BONAS (Shi et al., "Bridging the Gap between Sample-based and One-shot Neural
Architecture Search with BONAS", NeurIPS 2020): with basis functions ``phi(x)`` (a network's last hidden
layer, a constant column appended), weights ``w ~ N(0, I / alpha)`` and noise of precision ``beta``, the
posterior is ``N(m, S)`` with ``S^-1 = alpha I + beta Phi^T Phi`` and ``m = beta S Phi^T y``; the
predictive distribution at ``phi`` is ``N(phi^T m, 1 / beta + phi^T S phi)`` (Bishop, "Pattern Recognition
and Machine Learning", 2006, section 3.3). ``alpha`` and ``beta`` maximise the log marginal likelihood
(Bishop eq. 3.86), computed in the eigenbasis of ``Phi^T Phi``. Snoek et al. integrate them out by slice
sampling; the type-II maximum likelihood here is the common cheaper choice (as in ``pybnn``'s DNGO without MCMC).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from naspred.errors import InvalidInputError
from scipy.optimize import minimize

#: bounds of log(alpha) and log(beta) searched when maximising the evidence
LOG_BOUNDS = (-10.0, 15.0)


@dataclass(frozen=True)
class LastLayerBLR:
    """A fitted Bayesian linear regression: eigenbasis of ``Phi^T Phi``, posterior mean, ``alpha``, ``beta``."""

    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    mean: np.ndarray
    alpha: float
    beta: float
    log_evidence: float

    @classmethod
    def fit(cls, features: np.ndarray, y: np.ndarray) -> LastLayerBLR:
        """Fit on ``features`` (n, d) and targets ``y`` (n,); a constant column is appended to the features."""
        phi = _design(features)
        z = np.asarray(y, dtype=np.float64)
        if z.ndim != 1 or z.shape[0] != phi.shape[0]:
            raise InvalidInputError(f"LastLayerBLR: {phi.shape[0]} feature rows but targets of shape {z.shape}")
        eigenvalues, eigenvectors = np.linalg.eigh(phi.T @ phi)
        eigenvalues = np.clip(eigenvalues, 0.0, None)
        c = eigenvectors.T @ (phi.T @ z)
        zz = float(z @ z)
        n, d = phi.shape

        def negative_log_evidence(log_params: np.ndarray) -> float:
            alpha, beta = np.exp(log_params)
            denom = alpha + beta * eigenvalues
            coef = beta * c / denom  # posterior mean in the eigenbasis
            fit_error = zz - 2.0 * float(coef @ c) + float(eigenvalues @ coef**2)
            energy = 0.5 * beta * max(fit_error, 0.0) + 0.5 * alpha * float(coef @ coef)
            log_ev = 0.5 * d * np.log(alpha) + 0.5 * n * np.log(beta) - energy
            log_ev -= 0.5 * float(np.log(denom).sum()) + 0.5 * n * np.log(2.0 * np.pi)
            return -log_ev

        starts = [np.array([0.0, 0.0]), np.array([0.0, np.log(100.0)])]
        best = min(
            (minimize(negative_log_evidence, s, method="L-BFGS-B", bounds=[LOG_BOUNDS, LOG_BOUNDS]) for s in starts),
            key=lambda r: r.fun,
        )
        alpha, beta = (float(v) for v in np.exp(best.x))
        mean = eigenvectors @ (beta * c / (alpha + beta * eigenvalues))
        return cls(eigenvalues, eigenvectors, mean, alpha, beta, float(-best.fun))

    def predict(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Predictive mean and standard deviation (noise included) at each row of ``features``."""
        phi = _design(features)
        if phi.shape[1] != self.mean.shape[0]:
            raise InvalidInputError(
                f"LastLayerBLR: features have {phi.shape[1] - 1} columns, "
                f"the model was fitted on {self.mean.shape[0] - 1}"
            )
        proj = phi @ self.eigenvectors
        var = 1.0 / self.beta + (proj**2 / (self.alpha + self.beta * self.eigenvalues)).sum(axis=1)
        return phi @ self.mean, np.sqrt(var)


def _design(features: np.ndarray) -> np.ndarray:
    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0:
        raise InvalidInputError(f"LastLayerBLR: features must be a non-empty 2-D array, got shape {x.shape}")
    if not np.isfinite(x).all():
        raise InvalidInputError("LastLayerBLR: features have non-finite values; the network diverged")
    return np.hstack([x, np.ones((x.shape[0], 1))])
