"""Parametric learning-curve extrapolation: Domhan, Springenberg & Hutter, "Speeding up Automatic
Hyperparameter Optimization of Deep Neural Networks by Extrapolation of Learning Curves" (IJCAI 2015).

A partial accuracy curve ``y_1..y_t`` (epochs ``x``) is modelled by a weighted combination of eleven
parametric families, ``f(x) = sum_k w_k f_k(x | theta_k) / sum_k w_k``, observed with Gaussian noise
``y ~ N(f(x), sigma^2)``. Each family is first fitted alone by maximum likelihood within the prior's support
(least squares with a steep penalty on ``f(T)`` leaving ``[0, 1]``, by a Levenberg-Marquardt search from
several starting points); the families whose fit is admissible then start an affine-invariant ensemble
MCMC (the stretch move of Goodman & Weare, "Ensemble samplers with affine invariance", CAMCoS 2010, which
emcee implements) over all ``theta_k``, ``sigma`` and the weights. The
prediction at the final epoch ``T`` is the posterior mean of ``f(T)``; its standard deviation is that of
the recorded value ``f(T) + noise``, ``sqrt(Var[f(T)] + E[sigma^2])``.

The families (``x`` the 1-based epoch, accuracies scaled to ``[0, 1]``):

=========================== ==========================================
``pow3``                    ``c - a x^(-alpha)``
``pow4``                    ``c - (a x + b)^(-alpha)``
``log_power``               ``a / (1 + (x / e^b)^c)``
``weibull``                 ``alpha - (alpha - beta) exp(-(kappa x)^delta)``
``mmf``                     ``alpha - (alpha - beta) / (1 + (kappa x)^delta)``
``janoschek``               ``alpha - (alpha - beta) exp(-kappa x^delta)``
``ilog2``                   ``c - a / log(x + 1)``  (shifted by one epoch, as pybnn does, so that epoch 1 is defined)
``dr_hill_zero_background`` ``theta x^eta / (kappa^eta + x^eta)``
``log_log_linear``          ``log(a log(x) + b)``
``exp4``                    ``c - exp(-a x^alpha + b)``
``vap``                     ``exp(a + b / x + c log(x))``
=========================== ==========================================

Prior (as in Domhan et al.): the combined curve rises and ends in ``[0, 1]``. Here each family is held to
parameters under which it does not decrease on ``[1, T]`` (``a, alpha > 0`` for ``pow3``; ``alpha > beta``,
``kappa, delta > 0`` for the saturating families; ``b <= min(c, c T)`` for ``vap``...), so that any
combination with weights ``w_k >= 0`` rises too, and each ``f_k(T)`` lies in ``[0, 1]``. Weights have
independent ``Exp(1)`` priors, which makes the normalised weights uniform on the simplex; ``sigma`` is
uniform on ``[1e-4, 1]``; parameters are otherwise flat. pybnn (``automl/pybnn``, used by NASLib as
``lce_m``) imposes the same rise by checking the curve on a grid.

Loss curves (a learning-curve metric whose name ends in ``_loss``) are extrapolated as ``exp(-loss)``, which
lies in ``(0, 1]`` and rises as the loss falls (for a cross-entropy, the geometric mean of the probability
given to the right class); the prediction is mapped back as ``-log`` of the extrapolated mean, its
standard deviation by the delta method (``std / mean``). Losses must be ``>= 0``.

Families with as many parameters as observed epochs are left out (their fit would interpolate), so at least
3 epochs are needed (the two-parameter families ``ilog2`` and ``log_log_linear``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from naspred.errors import InvalidInputError, UnknownNameError
from naspred.predictors.base import Predictor
from naspred.predictors.budget import Budget
from naspred.predictors.info import ArchInfo
from naspred.predictors.learning_curve import (
    TargetCurve,
    check_int,
    metric_higher_is_better,
    orientation,
    read_curves,
)
from naspred.predictors.oracle import Oracle
from naspred.predictors.requirements import Requirements

logger = logging.getLogger(__name__)

#: the smallest noise level the posterior admits (in units of the scaled accuracy)
SIGMA_MIN = 1e-4
#: scale parameter ``a`` of the stretch move (Goodman & Weare 2010; emcee's default)
STRETCH = 2.0
#: weight of the excursion of f(T) outside [_MARGIN, 1 - _MARGIN] in the least-squares fit (the prior's support)
_PENALTY = 1e3
_MARGIN = 1e-3

Array = np.ndarray


def _col(theta: Array, j: int) -> Array:
    """Parameter ``j`` of ``theta (..., p)`` shaped to broadcast against epochs ``(t,)``."""
    return theta[..., j : j + 1]


def _log(v: Array) -> Array:
    return np.log(np.maximum(v, 1e-300))


@dataclass(frozen=True)
class Epochs:
    """1-based epochs ``x`` with the transforms the families evaluate them through."""

    x: Array
    log: Array
    inverse: Array
    inverse_log1p: Array

    @classmethod
    def of(cls, x: Any) -> Epochs:
        """The epochs ``x`` (1-D, each >= 1)."""
        x = np.asarray(x, dtype=np.float64)
        return cls(x, np.log(x), 1.0 / x, 1.0 / np.log1p(x))


# -- the eleven families: value, free <-> natural parameters, admissible parameters, starting points -----
@dataclass(frozen=True)
class CurveFamily:
    """One parametric family ``f(x | theta)`` with its admissible set and an unconstrained parametrisation.

    ``evaluate(epochs, theta)`` maps :class:`Epochs` ``(t,)`` and parameters ``(..., p)`` to ``(..., t)``;
    ``natural(u, T)`` / ``free(theta, T)`` convert between unconstrained and natural parameters (every ``u``
    maps to an admissible ``theta``); ``admissible(theta, T)`` says whether ``theta`` keeps the family
    non-decreasing on ``[1, T]``; ``starts(x, y, T)`` gives ``(n, s, p)`` natural starting points for curves
    ``y (n, t)``, from a small grid over the nonlinear parameters with the linear ones fitted by least squares.
    """

    name: str
    params: tuple[str, ...]
    evaluate: Callable[[Epochs, Array], Array]
    natural: Callable[[Array, float], Array]
    free: Callable[[Array, float], Array]
    admissible: Callable[[Array, float], Array]
    starts: Callable[[Array, Array, float], Array]

    @property
    def n_params(self) -> int:
        """Number of parameters."""
        return len(self.params)

    def __call__(self, x: Any, theta: Any) -> Array:
        """``f(x | theta)`` for epochs ``x (t,)`` and parameters ``theta (..., p)``."""
        return self.evaluate(Epochs.of(np.atleast_1d(x)), np.asarray(theta, dtype=np.float64))


def _lstsq(basis: Array, y: Array) -> Array:
    """Least-squares coefficients ``(n, s, m)`` of curves ``y (n, t)`` on each basis ``(s, t, m)``."""
    pinv = np.linalg.pinv(basis)  # (s, m, t)
    return np.einsum("smt,nt->nsm", pinv, y)


def _stack(*columns: Array) -> Array:
    return np.stack(np.broadcast_arrays(*columns), axis=-1)


def _grid(values: Sequence[float]) -> Array:
    return np.asarray(values, dtype=np.float64)[None, :]


# pow3: c - a x^-alpha ------------------------------------------------------------------------------------
def _pow3(e: Epochs, th: Array) -> Array:
    return _col(th, 0) - _col(th, 1) * np.exp(-_col(th, 2) * e.log)


def _pow3_starts(x: Array, y: Array, T: float) -> Array:
    alphas = [0.1, 0.3, 0.7, 1.5, 3.0]
    basis = np.stack([np.stack([np.ones_like(x), -(x**-al)], axis=-1) for al in alphas])
    coef = _lstsq(basis, y)
    return _stack(coef[..., 0], np.maximum(coef[..., 1], 1e-6), _grid(alphas))


# pow4: c - (a x + b)^-alpha, a > 0, a + b > 0 ------------------------------------------------------------
def _pow4(e: Epochs, th: Array) -> Array:
    return _col(th, 0) - np.exp(-_col(th, 3) * _log(_col(th, 1) * e.x + _col(th, 2)))


def _pow4_starts(x: Array, y: Array, T: float) -> Array:
    grid = [(s, al) for s in (0.0, 2.0, 10.0) for al in (0.3, 1.0, 3.0)]
    basis = np.stack([np.stack([np.ones_like(x), -((x + s) ** -al)], axis=-1) for s, al in grid])
    coef = _lstsq(basis, y)
    alpha = _grid([al for _, al in grid])
    a = np.maximum(coef[..., 1], 1e-8) ** (-1.0 / alpha)
    return _stack(coef[..., 0], a, a * _grid([s for s, _ in grid]), alpha)


# log_power: a / (1 + (x / e^b)^c), a > 0, c < 0 -------------------------------------------------------
def _log_power(e: Epochs, th: Array) -> Array:
    return _col(th, 0) / (1.0 + np.exp(_col(th, 2) * (e.log - _col(th, 1))))


def _log_power_starts(x: Array, y: Array, T: float) -> Array:
    grid = [(b, c) for b in np.log(x[-1] * np.array([0.25, 1.0, 4.0])) for c in (-0.5, -1.0, -2.0)]
    g = np.stack([1.0 / (1.0 + np.exp(c * (np.log(x) - b))) for b, c in grid])  # (s, t)
    a = np.maximum(y @ g.T / (g * g).sum(axis=1), 1e-6)
    return _stack(a, _grid([b for b, _ in grid]), _grid([c for _, c in grid]))


# saturating families: upper asymptote alpha, start beta < alpha, rate kappa > 0, shape delta > 0 -----------
def _weibull(e: Epochs, th: Array) -> Array:
    a, b = _col(th, 0), _col(th, 1)
    return a - (a - b) * np.exp(-np.exp(_col(th, 3) * (np.log(_col(th, 2)) + e.log)))


def _mmf(e: Epochs, th: Array) -> Array:
    a, b = _col(th, 0), _col(th, 1)
    return a - (a - b) / (1.0 + np.exp(_col(th, 3) * (np.log(_col(th, 2)) + e.log)))


def _janoschek(e: Epochs, th: Array) -> Array:
    a, b = _col(th, 0), _col(th, 1)
    return a - (a - b) * np.exp(-_col(th, 2) * np.exp(_col(th, 3) * e.log))


def _saturating_starts(shape: Callable[[Array, float, float], Array], rate_power: bool) -> Callable[..., Array]:
    """Starts over a grid of (kappa, delta); ``rate_power``: the family's rate is ``kappa`` to the ``delta``."""

    def starts(x: Array, y: Array, T: float) -> Array:
        grid = []
        for q in (0.1, 1.0, 10.0):
            for delta in (0.5, 1.0, 2.0):
                rate = q / x[-1]
                grid.append((rate**delta if rate_power else rate, delta))
        basis = np.stack([np.stack([np.ones_like(x), -shape(x, k, d)], axis=-1) for k, d in grid])
        coef = _lstsq(basis, y)
        span = np.maximum(coef[..., 1], 1e-6)
        return _stack(coef[..., 0], coef[..., 0] - span, _grid([k for k, _ in grid]), _grid([d for _, d in grid]))

    return starts


def _saturating_free(th: Array, T: float) -> Array:
    return _stack(th[..., 0], _log(th[..., 0] - th[..., 1]), _log(th[..., 2]), _log(th[..., 3]))


def _saturating_natural(u: Array, T: float) -> Array:
    return _stack(u[..., 0], u[..., 0] - np.exp(u[..., 1]), np.exp(u[..., 2]), np.exp(u[..., 3]))


def _saturating_admissible(th: Array, T: float) -> Array:
    return (th[..., 0] > th[..., 1]) & (th[..., 2] > 0) & (th[..., 3] > 0)


# ilog2: c - a / log(x + 1) ------------------------------------------------------------------------------
def _ilog2(e: Epochs, th: Array) -> Array:
    return _col(th, 0) - _col(th, 1) * e.inverse_log1p


def _ilog2_starts(x: Array, y: Array, T: float) -> Array:
    basis = np.stack([np.ones_like(x), -1.0 / np.log1p(x)], axis=-1)[None]
    coef = _lstsq(basis, y)
    return _stack(coef[..., 0], np.maximum(coef[..., 1], 1e-6))


# dr_hill_zero_background: theta x^eta / (kappa^eta + x^eta) = theta / (1 + (kappa / x)^eta) --------------
def _dr_hill(e: Epochs, th: Array) -> Array:
    return _col(th, 0) / (1.0 + np.exp(_col(th, 1) * (np.log(_col(th, 2)) - e.log)))


def _dr_hill_starts(x: Array, y: Array, T: float) -> Array:
    grid = [(eta, kappa) for eta in (0.5, 1.0, 2.0) for kappa in (1.0, x[-1] / 2.0, 2.0 * x[-1], 10.0 * x[-1])]
    g = np.stack([1.0 / (1.0 + (kappa / x) ** eta) for eta, kappa in grid])
    theta = np.maximum(y @ g.T / (g * g).sum(axis=1), 1e-6)
    return _stack(theta, _grid([e for e, _ in grid]), _grid([k for _, k in grid]))


# log_log_linear: log(a log(x) + b), a, b > 0 ---------------------------------------------------------------
def _log_log_linear(e: Epochs, th: Array) -> Array:
    return _log(_col(th, 0) * e.log + _col(th, 1))


def _log_log_linear_starts(x: Array, y: Array, T: float) -> Array:
    basis = np.stack([np.log(x), np.ones_like(x)], axis=-1)[None]
    coef = _lstsq(basis, np.exp(y))
    return _stack(np.maximum(coef[..., 0], 1e-6), np.maximum(coef[..., 1], 1e-6))


# exp4: c - exp(-a x^alpha + b), a, alpha > 0 ---------------------------------------------------------------
def _exp4(e: Epochs, th: Array) -> Array:
    return _col(th, 0) - np.exp(_col(th, 2) - _col(th, 1) * np.exp(_col(th, 3) * e.log))


def _exp4_starts(x: Array, y: Array, T: float) -> Array:
    grid = [(q / x[-1] ** al, al) for q in (0.3, 1.0, 3.0) for al in (0.3, 0.6, 1.0)]
    basis = np.stack([np.stack([np.ones_like(x), -np.exp(-a * x**al)], axis=-1) for a, al in grid])
    coef = _lstsq(basis, y)
    b = np.log(np.maximum(coef[..., 1], 1e-8))
    return _stack(coef[..., 0], _grid([a for a, _ in grid]), b, _grid([al for _, al in grid]))


# vap: exp(a + b / x + c log(x)), non-decreasing on [1, T] iff b <= min(c, c T) ------------------------------
def _vap(e: Epochs, th: Array) -> Array:
    return np.exp(_col(th, 0) + _col(th, 1) * e.inverse + _col(th, 2) * e.log)


def _vap_bound(c: Array, T: float) -> Array:
    return np.minimum(c, c * T)


def _vap_starts(x: Array, y: Array, T: float) -> Array:
    basis = np.stack([np.ones_like(x), 1.0 / x, np.log(x)], axis=-1)[None]
    coef = _lstsq(basis, np.log(np.maximum(y, 1e-4)))[:, 0]  # (n, 3)
    b = np.minimum(coef[:, 1], _vap_bound(coef[:, 2], T) - 1e-3)
    fitted = _stack(coef[:, 0], b, coef[:, 2])
    flat = _stack(np.log(np.maximum(y[:, -1], 1e-4)), np.full(len(y), -0.5), np.zeros(len(y)))
    return np.stack([fitted, flat], axis=1)


def _vap_family() -> CurveFamily:
    def natural(u: Array, T: float) -> Array:
        return _stack(u[..., 0], _vap_bound(u[..., 2], T) - np.exp(u[..., 1]), u[..., 2])

    def free(th: Array, T: float) -> Array:
        return _stack(th[..., 0], _log(_vap_bound(th[..., 2], T) - th[..., 1]), th[..., 2])

    def admissible(th: Array, T: float) -> Array:
        return th[..., 1] < _vap_bound(th[..., 2], T)

    return CurveFamily("vap", ("a", "b", "c"), _vap, natural, free, admissible, _vap_starts)


def _pow4_family() -> CurveFamily:
    def natural(u: Array, T: float) -> Array:
        a = np.exp(u[..., 1])
        return _stack(u[..., 0], a, np.exp(u[..., 2]) - a, np.exp(u[..., 3]))

    def free(th: Array, T: float) -> Array:
        return _stack(th[..., 0], _log(th[..., 1]), _log(th[..., 1] + th[..., 2]), _log(th[..., 3]))

    def admissible(th: Array, T: float) -> Array:
        return (th[..., 1] > 0) & (th[..., 1] + th[..., 2] > 0) & (th[..., 3] > 0)

    return CurveFamily("pow4", ("c", "a", "b", "alpha"), _pow4, natural, free, admissible, _pow4_starts)


def _signed(
    name: str, params: tuple[str, ...], evaluate: Callable, starts: Callable, signs: tuple[int, ...]
) -> CurveFamily:
    """A family whose parameter ``j`` is unconstrained (sign 0), positive (+1) or negative (-1)."""

    def natural(u: Array, T: float) -> Array:
        return _stack(*[u[..., j] if s == 0 else s * np.exp(u[..., j]) for j, s in enumerate(signs)])

    def free(th: Array, T: float) -> Array:
        return _stack(*[th[..., j] if s == 0 else _log(s * th[..., j]) for j, s in enumerate(signs)])

    def admissible(th: Array, T: float) -> Array:
        ok = np.ones(th.shape[:-1], dtype=bool)
        for j, s in enumerate(signs):
            if s:
                ok &= s * th[..., j] > 0
        return ok

    return CurveFamily(name, params, evaluate, natural, free, admissible, starts)


def _saturating(name: str, evaluate: Callable, shape: Callable, rate_power: bool) -> CurveFamily:
    params = ("alpha", "beta", "kappa", "delta")
    return CurveFamily(
        name,
        params,
        evaluate,
        _saturating_natural,
        _saturating_free,
        _saturating_admissible,
        _saturating_starts(shape, rate_power),
    )


_FAMILIES: dict[str, CurveFamily] = {
    f.name: f
    for f in (
        _signed("pow3", ("c", "a", "alpha"), _pow3, _pow3_starts, (0, 1, 1)),
        _pow4_family(),
        _signed("log_power", ("a", "b", "c"), _log_power, _log_power_starts, (1, 0, -1)),
        _saturating("weibull", _weibull, lambda x, k, d: np.exp(-((k * x) ** d)), rate_power=False),
        _saturating("mmf", _mmf, lambda x, k, d: 1.0 / (1.0 + (k * x) ** d), rate_power=False),
        _saturating("janoschek", _janoschek, lambda x, k, d: np.exp(-k * x**d), rate_power=True),
        _signed("ilog2", ("c", "a"), _ilog2, _ilog2_starts, (0, 1)),
        _signed("dr_hill_zero_background", ("theta", "eta", "kappa"), _dr_hill, _dr_hill_starts, (1, 1, 1)),
        _signed("log_log_linear", ("a", "b"), _log_log_linear, _log_log_linear_starts, (1, 1)),
        _signed("exp4", ("c", "a", "b", "alpha"), _exp4, _exp4_starts, (0, 1, 0, 1)),
        _vap_family(),
    )
}

#: the eleven families of Domhan et al. (2015)
CURVE_FAMILIES: tuple[str, ...] = tuple(_FAMILIES)


def curve_family(name: str) -> CurveFamily:
    """The family registered as ``name`` (one of :data:`CURVE_FAMILIES`)."""
    try:
        return _FAMILIES[name]
    except (KeyError, TypeError):
        raise UnknownNameError(f"unknown curve family {name!r}; expected one of {list(CURVE_FAMILIES)}") from None


# -- maximum likelihood ------------------------------------------------------------------------------------
def _sum_squares(r: Array) -> Array:
    return np.where(np.isfinite(r).all(axis=1), (r * r).sum(axis=1), np.inf)


def _levenberg_marquardt(
    residuals: Callable[[Array, Array], Array], u: Array, iterations: int, tolerance: float = 1e-9
) -> tuple[Array, Array]:
    """Minimise ``sum(residuals(u[rows], rows)**2)`` row by row from ``u (r, p)``; forward-difference Jacobians.

    A row stops once a step gains less than ``tolerance`` of its sum of squares, its damping saturates, or its
    Jacobian is not finite; only the rows still moving are evaluated.
    """
    u = u.copy()
    everything = np.arange(len(u))
    r = residuals(u, everything)
    sse = _sum_squares(r)
    lam = np.full(len(u), 1e-2)
    live = np.isfinite(sse)
    eye = np.eye(u.shape[1])
    for _ in range(iterations):
        rows = np.flatnonzero(live)
        if not rows.size:
            break
        ui, ri, si, li = u[rows], r[rows], sse[rows], lam[rows]
        jac = np.empty(ri.shape + (u.shape[1],))
        for j in range(u.shape[1]):
            h = 1e-6 * (1.0 + np.abs(ui[:, j]))
            step = ui.copy()
            step[:, j] += h
            jac[:, :, j] = (residuals(step, rows) - ri) / h[:, None]
        usable = np.isfinite(jac).all(axis=(1, 2))
        jac[~usable] = 0.0
        jac_t = jac.transpose(0, 2, 1)
        jtj = jac_t @ jac
        grad = (jac_t @ np.where(usable[:, None], ri, 0.0)[..., None])[..., 0]
        damped = jtj + li[:, None, None] * (jtj * eye + 1e-9 * eye)
        trial = ui - np.linalg.solve(damped, grad[..., None])[..., 0]
        r_new = residuals(trial, rows)
        sse_new = _sum_squares(r_new)
        better = usable & (sse_new < si)
        moved = rows[better]
        u[moved], r[moved], sse[moved] = trial[better], r_new[better], sse_new[better]
        li = np.where(better, np.maximum(li / 3.0, 1e-12), li * 4.0)
        lam[rows] = li
        small_gain = better & (si - sse_new <= tolerance * si)
        live[rows[small_gain | (li >= 1e10) | ~usable]] = False
    return u, sse


@dataclass(frozen=True)
class FamilyFits:
    """Maximum-likelihood fits of each family to each curve.

    ``params[k]`` holds ``(n, p_k)`` natural parameters of family ``families[k]``; ``sse[:, k]`` its sum of
    squared residuals; ``at_final[:, k]`` its value at the final epoch; ``admitted[:, k]`` whether the fit
    enters the ensemble (more epochs than parameters, finite, value at the final epoch within ``[0, 1]``).
    """

    families: tuple[CurveFamily, ...]
    params: tuple[Array, ...]
    sse: Array
    at_final: Array
    admitted: Array


def fit_families(
    epochs: Any,
    curves: Any,
    final_epoch: int,
    families: Sequence[str] = CURVE_FAMILIES,
    iterations: int = 60,
    keep_starts: int = 3,
) -> FamilyFits:
    """Least-squares (Gaussian maximum-likelihood) fit of each family to each curve ``curves[i]`` in ``[0, 1]``.

    Each family starts from its grid of starting points; the ``keep_starts`` best of them are refined by at
    most ``iterations`` Levenberg-Marquardt steps in the family's unconstrained parameters, with a steep
    penalty on ``f(T)`` leaving ``[0, 1]`` (the prior's support).
    """
    x, y, target_epoch, chosen = _checked_curves(epochs, curves, final_epoch, families)
    iterations = check_int("fit_families", "iterations", iterations, 1)
    keep_starts = check_int("fit_families", "keep_starts", keep_starts, 1)
    grid = Epochs.of(x)
    T = float(target_epoch)
    with_final = Epochs.of(np.append(x, T))
    n, t = y.shape
    shape = (n, len(chosen))
    params, sse, at_final = [], np.full(shape, np.inf), np.full(shape, np.nan)
    admitted = np.zeros(shape, dtype=bool)
    rows = np.arange(n)[:, None]
    with np.errstate(all="ignore"):
        for k, fam in enumerate(chosen):
            starts = fam.starts(x, y, T)  # (n, s, p)
            first = _sum_squares((fam.evaluate(grid, starts) - y[:, None, :]).reshape(-1, t)).reshape(n, -1)
            best = np.argsort(first, axis=1)[:, :keep_starts]
            s = best.shape[1]
            u0 = fam.free(starts[rows, best], T).reshape(n * s, fam.n_params)
            u0 = np.where(np.isfinite(u0), u0, 0.0)
            target = np.repeat(y, s, axis=0)

            def residuals(u: Array, rows: Array, fam: CurveFamily = fam, target: Array = target) -> Array:
                values = fam.evaluate(with_final, fam.natural(u, T))
                final = values[:, -1:]
                outside = np.maximum(final - (1.0 - _MARGIN), 0.0) + np.maximum(_MARGIN - final, 0.0)
                return np.hstack([values[:, :-1] - target[rows], _PENALTY * outside])

            u, err = _levenberg_marquardt(residuals, u0, iterations)
            err = err.reshape(n, s)
            pick = np.argmin(err, axis=1)
            theta = fam.natural(u.reshape(n, s, fam.n_params)[np.arange(n), pick], T)
            params.append(theta)
            sse[:, k] = _sum_squares(fam.evaluate(grid, theta) - y)
            final = fam.evaluate(Epochs.of([T]), theta)[:, 0]
            at_final[:, k] = final
            admitted[:, k] = (
                (t > fam.n_params)
                & np.isfinite(sse[:, k])
                & np.isfinite(theta).all(axis=1)
                & fam.admissible(theta, T)
                & (final >= 0.0)
                & (final <= 1.0)
            )
    return FamilyFits(chosen, tuple(params), sse, at_final, admitted)


# -- the ensemble posterior ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Layout:
    """Positions of each family's parameters, of ``sigma`` and of the weights in a flat parameter vector."""

    offsets: tuple[int, ...]
    sizes: tuple[int, ...]
    sigma: int
    weights: slice
    dim: int

    @classmethod
    def of(cls, families: Sequence[CurveFamily]) -> _Layout:
        sizes = tuple(f.n_params for f in families)
        offsets = tuple(int(v) for v in np.concatenate([[0], np.cumsum(sizes)[:-1]]))
        total = int(sum(sizes))
        return cls(offsets, sizes, total, slice(total + 1, total + 1 + len(families)), total + 1 + len(families))

    def block(self, k: int) -> slice:
        """The parameters of family ``k``."""
        return slice(self.offsets[k], self.offsets[k] + self.sizes[k])


class _Posterior:
    """Log posterior of the weighted family combination for ``n`` curves, evaluated for batches of walkers."""

    def __init__(self, fits: FamilyFits, x: Array, y: Array, T: float) -> None:
        self.families = fits.families
        self.layout = _Layout.of(fits.families)
        self.grid = Epochs.of(np.append(x, T))
        # the walkers' curves are evaluated in single precision (twice as fast; ample for a likelihood)
        self.grid32 = Epochs(*(np.asarray(v, dtype=np.float32) for v in vars(self.grid).values()))
        self.y = y
        self.y32 = y.astype(np.float32)
        self.T = T
        self.active = fits.admitted  # (n, K)

    def __call__(self, theta: Array, rows: Array | None = None) -> tuple[Array, Array]:
        """Log posterior (up to a constant) and the combined value at ``T`` of ``theta (n, m, D)``.

        ``rows`` selects the curves ``theta`` belongs to (all ``n`` by default).
        """
        lay = self.layout
        rows = slice(None) if rows is None else rows
        active = self.active[rows][:, None, :]
        sigma = theta[..., lay.sigma]
        weights = np.where(active, theta[..., lay.weights], 0.0)
        total = weights.sum(axis=-1)
        ok = (sigma >= SIGMA_MIN) & (sigma <= 1.0) & (weights >= 0.0).all(axis=-1) & (total > 0.0)
        share = (weights / np.where(total > 0.0, total, 1.0)[..., None]).astype(np.float32)
        combined = np.zeros(theta.shape[:-1] + (len(self.grid.x),), dtype=np.float32)
        with np.errstate(all="ignore"):
            for k, fam in enumerate(self.families):
                th = theta[..., lay.block(k)]
                values = fam.evaluate(self.grid32, th.astype(np.float32))
                good = fam.admissible(th, self.T) & (values[..., -1] >= 0.0) & (values[..., -1] <= 1.0)
                ok &= good | ~active[..., k]
                combined += share[..., k : k + 1] * values  # non-finite values make the likelihood non-finite
            resid = self.y32[rows][:, None, :] - combined[..., :-1]
            sse = np.einsum("...t,...t->...", resid, resid, dtype=np.float64)
            sig = np.where(ok, sigma, 1.0)
            loglik = -resid.shape[-1] * np.log(sig) - 0.5 * sse / (sig * sig)
        logp = np.where(ok & np.isfinite(loglik), loglik - total, -np.inf)
        return logp, combined[..., -1].astype(np.float64)

    def free_dims(self) -> Array:
        """Dimensions each curve's chain moves in: its admitted families' parameters and weights, and sigma."""
        return self.active @ np.array(self.layout.sizes) + self.active.sum(axis=1) + 1

    def start(self, fits: FamilyFits) -> Array:
        """The maximum-likelihood point of each curve ``(n, D)``: ML parameters, equal weights, residual noise."""
        lay = self.layout
        n, t = self.y.shape
        theta = np.zeros((n, lay.dim))
        mean = np.zeros((n, t))
        for k, params in enumerate(fits.params):
            # a family not admitted for a curve holds a fixed admissible point of finite values, weighted 0
            fixed = self.families[k].natural(np.zeros_like(params), self.T)
            theta[:, lay.block(k)] = np.where(self.active[:, k : k + 1], params, fixed)
            with np.errstate(all="ignore"):
                values = self.families[k].evaluate(Epochs.of(self.grid.x[:-1]), params)
            mean += np.where(self.active[:, k : k + 1], np.nan_to_num(values), 0.0)
        mean /= np.maximum(self.active.sum(axis=1), 1)[:, None]
        theta[:, lay.weights] = np.where(self.active, 1.0, 0.0)
        theta[:, lay.sigma] = np.clip((self.y - mean).std(axis=1), 10 * SIGMA_MIN, 1.0)
        return theta

    def jitter(self, centre: Array, n_walkers: int, scale: float, rng: np.random.Generator, rows: Array) -> Array:
        """``n_walkers`` points around ``centre[rows]``, perturbed in each admitted family's free parameters."""
        lay = self.layout
        centre, active = centre[rows], self.active[rows]
        n = centre.shape[0]
        out = np.repeat(centre[:, None, :], n_walkers, axis=1)
        for k, fam in enumerate(self.families):
            u = fam.free(centre[:, lay.block(k)], self.T)[:, None, :]
            moved = fam.natural(u + scale * rng.standard_normal((n, n_walkers, fam.n_params)), self.T)
            out[..., lay.block(k)] = np.where(active[:, None, k : k + 1], moved, out[..., lay.block(k)])
        weights = centre[:, None, lay.weights] * np.exp(scale * rng.standard_normal((n, n_walkers, len(self.families))))
        out[..., lay.weights] = np.where(active[:, None, :], weights, 0.0)
        out[..., lay.sigma] = centre[:, None, lay.sigma] * np.exp(scale * rng.standard_normal((n, n_walkers)))
        return out


def _initial_walkers(
    post: _Posterior, centre: Array, n_walkers: int, rng: np.random.Generator
) -> tuple[Array, Array, Array]:
    """Walkers in a small ball around ``centre`` within the prior's support, their log posterior and ``f(T)``."""
    walkers = np.repeat(centre[:, None, :], n_walkers, axis=1)
    logp, final = post(walkers)
    pending = np.ones(logp.shape, dtype=bool)
    pending[:, 0] = False  # one walker stays at the maximum-likelihood point
    for attempt in range(20):
        rows = np.flatnonzero(pending.any(axis=1))
        if not rows.size:
            break
        with np.errstate(all="ignore"):
            trial = post.jitter(centre, n_walkers, 1e-2 * 0.5**attempt, rng, rows)
        lp, fin = post(trial, rows)
        take = pending[rows] & np.isfinite(lp)
        sub_walkers, sub_logp, sub_final = walkers[rows], logp[rows], final[rows]
        sub_walkers[take], sub_logp[take], sub_final[take] = trial[take], lp[take], fin[take]
        walkers[rows], logp[rows], final[rows] = sub_walkers, sub_logp, sub_final
        pending[rows] &= ~take
    if pending.any():
        logger.debug("%d walker(s) left at the maximum-likelihood point", int(pending.sum()))
    return walkers, logp, final


def _stretch_sample(
    post: _Posterior,
    walkers: Array,
    logp: Array,
    final: Array,
    n_steps: int,
    burn_in: int,
    rng: np.random.Generator,
) -> tuple[Array, Array, Array]:
    """Run the stretch move; sums of ``f(T)``, ``f(T)^2`` and ``sigma^2`` over the kept samples, per curve."""
    n, w, _ = walkers.shape
    half = w // 2
    dims = post.free_dims()[:, None]
    total, total_sq, noise = np.zeros(n), np.zeros(n), np.zeros(n)
    rows = np.arange(n)[:, None]
    for step in range(n_steps):
        for moving, other in ((slice(0, half), slice(half, w)), (slice(half, w), slice(0, half))):
            xa, xo = walkers[:, moving], walkers[:, other]
            m = xa.shape[1]
            partner = xo[rows, rng.integers(0, xo.shape[1], size=(n, m))]
            z = ((STRETCH - 1.0) * rng.random((n, m)) + 1.0) ** 2 / STRETCH
            proposal = partner + z[..., None] * (xa - partner)
            lp, fin = post(proposal)
            with np.errstate(invalid="ignore"):
                log_ratio = (dims - 1) * np.log(z) + lp - logp[:, moving]
            accept = np.log(rng.random((n, m))) < log_ratio
            walkers[:, moving] = np.where(accept[..., None], proposal, xa)
            logp[:, moving] = np.where(accept, lp, logp[:, moving])
            final[:, moving] = np.where(accept, fin, final[:, moving])
        if step >= burn_in:
            total += final.sum(axis=1)
            total_sq += (final * final).sum(axis=1)
            noise += (walkers[..., post.layout.sigma] ** 2).sum(axis=1)
    return total, total_sq, noise


def extrapolate(
    epochs: Any,
    curves: Any,
    final_epoch: int,
    *,
    families: Sequence[str] = CURVE_FAMILIES,
    n_steps: int = 800,
    burn_in: int = 500,
    n_walkers: int | None = None,
    random_state: int | None = 0,
) -> tuple[Array, Array]:
    """Posterior mean and standard deviation of each accuracy curve ``curves[i]`` (in ``[0, 1]``) at ``final_epoch``.

    ``epochs`` are the 1-based epochs of the columns of ``curves (n, t)``. ``n_steps`` ensemble steps, of
    which the first ``burn_in`` are discarded (NASLib runs its ``lce_m`` with 800 and 500); ``n_walkers``
    defaults to twice the number of sampled dimensions. ``n_steps=0`` skips the MCMC: the mean is the
    equal-weight combination of the admitted maximum-likelihood fits, the standard deviation that of
    the families' values at ``final_epoch`` and the fitted noise combined.
    """
    x, y, T, _ = _checked_curves(epochs, curves, final_epoch, families)
    n_steps = check_int("extrapolate", "n_steps", n_steps, 0)
    burn_in = check_int("extrapolate", "burn_in", burn_in, 0)
    if n_steps and burn_in >= n_steps:
        raise InvalidInputError(
            f"extrapolate: burn_in={burn_in} leaves no sample of n_steps={n_steps}; expected burn_in < n_steps"
        )
    fits = fit_families(x, y, T, families)
    none = np.flatnonzero(~fits.admitted.any(axis=1))
    if none.size:
        raise InvalidInputError(
            f"extrapolate: no curve family fits the curve at position {int(none[0])} ({none.size} curve(s) in all) with "
            f"a value in [0, 1] at epoch {T}; expected an accuracy curve scaled to [0, 1]"
        )
    post = _Posterior(fits, x, y, float(T))
    centre = post.start(fits)
    if n_steps == 0:
        values = np.where(fits.admitted, fits.at_final, np.nan)
        mean = np.nanmean(values, axis=1)
        spread = np.nanvar(values, axis=1)
        return mean, np.sqrt(spread + centre[:, post.layout.sigma] ** 2)
    dims = int(post.free_dims().max())
    walkers = 2 * dims if n_walkers is None else check_int("extrapolate", "n_walkers", n_walkers, 4)
    walkers += walkers % 2
    rng = np.random.default_rng(random_state)
    start, logp, final = _initial_walkers(post, centre, walkers, rng)
    total, total_sq, noise = _stretch_sample(post, start, logp, final, n_steps, burn_in, rng)
    kept = walkers * (n_steps - burn_in)
    mean = total / kept
    variance = np.maximum(total_sq / kept - mean**2, 0.0) + noise / kept
    return mean, np.sqrt(variance)


def _checked_curves(
    epochs: Any, curves: Any, final_epoch: Any, families: Sequence[str]
) -> tuple[Array, Array, int, tuple[CurveFamily, ...]]:
    """Epochs, curves and final epoch checked; the chosen families."""
    if isinstance(families, str) or not len(families):
        raise InvalidInputError(
            f"extrapolate: families must be a non-empty sequence of names from {list(CURVE_FAMILIES)}"
        )
    chosen = tuple(curve_family(name) for name in families)
    try:
        x = np.asarray(epochs, dtype=np.float64)
        y = np.asarray(curves, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidInputError("extrapolate: epochs and curves must be numbers") from None
    if y.ndim == 1:
        y = y[None, :]
    if x.ndim != 1 or y.ndim != 2 or y.shape[1] != len(x) or not len(x) or not len(y):
        raise InvalidInputError(
            f"extrapolate: expected epochs (t,) and curves (n, t) with t, n >= 1, got {x.shape} and {y.shape}"
        )
    if not np.isfinite(x).all() or x[0] < 1 or (np.diff(x) <= 0).any() or (x != np.round(x)).any():
        raise InvalidInputError(f"extrapolate: epochs must be increasing whole numbers >= 1, got {x.tolist()[:10]}")
    bad = np.argwhere(~np.isfinite(y))
    if bad.size:
        raise InvalidInputError(
            f"extrapolate: curve {int(bad[0][0])} holds a non-finite value at epoch {int(x[bad[0][1]])}; expected finite accuracies"
        )
    if (y < 0).any() or (y > 1).any():
        raise InvalidInputError(
            f"extrapolate: accuracies must lie in [0, 1], got values in [{y.min():g}, {y.max():g}]; divide percentages by 100"
        )
    T = check_int("extrapolate", "final_epoch", final_epoch, 1)
    if T <= x[-1]:
        raise InvalidInputError(f"extrapolate: final_epoch={T} must lie past the last observed epoch {int(x[-1])}")
    need = 1 + min(f.n_params for f in chosen)
    if len(x) < need:
        raise InvalidInputError(
            f"extrapolate: {len(x)} observed epoch(s); the curve families need at least {need} to be fitted"
        )
    return x, y, T, chosen


# -- the predictor -----------------------------------------------------------------------------------------
class LcExtrapolation(TargetCurve, Predictor):
    """Parametric learning-curve extrapolation (Domhan et al. 2015): an MCMC ensemble of 11 families.

    Reads ``metric`` for ``fidelity`` epochs and predicts its value at ``final_epoch`` (by default the
    oracle's full schedule, recorded by :meth:`initialize`), with a standard deviation. ``metric=None``
    reads the target's own curve (an accuracy, or a loss through ``exp(-loss)``: see the module docstring).
    ``upper`` is an accuracy's full scale (100 for percentages, 1 for fractions); ``None`` takes 100 when
    some value exceeds 1, else 1. A prediction of a metric whose direction is not the target's is negated
    (an accuracy for a minimised target). MCMC settings as in :func:`extrapolate`.
    """

    family = "learning-curve"
    uncertainty = True

    def __init__(
        self,
        fidelity: int = 10,
        metric: str | None = None,
        final_epoch: int | None = None,
        families: Sequence[str] = CURVE_FAMILIES,
        n_steps: int = 800,
        burn_in: int = 500,
        n_walkers: int | None = None,
        upper: float | None = None,
        random_state: int | None = 0,
    ) -> None:
        self.fidelity = fidelity
        self.metric = metric
        self.final_epoch = final_epoch
        self.families = families
        self.n_steps = n_steps
        self.burn_in = burn_in
        self.n_walkers = n_walkers
        self.upper = upper
        self.random_state = random_state

    @property
    def requirements(self) -> Requirements:
        metric = self.curve_metric()
        return Requirements(fidelity=self.fidelity, curve_metrics=(metric,) if metric else (), labelled=False,
                            encoding=False)

    def initialize(self, oracle: Oracle, budget: Budget) -> None:
        """Record the space, the target's direction and the oracle's full schedule (the epoch predicted)."""
        super().initialize(oracle, budget)
        self.full_epochs_ = oracle.full_epochs

    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        self.read_metric(info)

    def _target_epoch(self) -> int:
        if self.final_epoch is not None:
            return check_int(self._name, "final_epoch", self.final_epoch, 1)
        if hasattr(self, "full_epochs_"):
            return int(self.full_epochs_)
        raise InvalidInputError(
            f"{self._name}: the epoch to predict is unknown; set final_epoch or call initialize(oracle, budget)"
        )

    def _scale(self, values: np.ndarray, metric: str) -> float:
        if self.upper is None:
            return 100.0 if values.max() > 1.0 else 1.0
        upper = float(self.upper)
        if not np.isfinite(upper) or upper <= 0:
            raise InvalidInputError(f"{self._name}: upper must be a positive number or None, got {self.upper!r}")
        if values.max() > upper or values.min() < 0:
            raise InvalidInputError(
                f"{self._name}: curves of {metric!r} span [{values.min():g}, {values.max():g}], outside [0, upper={upper:g}]"
            )
        return upper

    def _predict_dist(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray]:
        metric = self.read_metric(info)
        fidelity = check_int(self._name, "fidelity", self.fidelity, 1)
        epochs, values = read_curves(info, metric, fidelity, self._name, contiguous=False)
        loss = not metric_higher_is_better(metric)
        if loss and values.min() < 0:
            raise InvalidInputError(
                f"{self._name}: curves of {metric!r} reach {values.min():g}; a loss is extrapolated as exp(-loss) "
                "and must be >= 0"
            )
        scale = 1.0 if loss else self._scale(values, metric)
        mean, std = extrapolate(
            epochs,
            np.exp(-values) if loss else values / scale,
            self._target_epoch(),
            families=self.families,
            n_steps=self.n_steps,
            burn_in=self.burn_in,
            n_walkers=self.n_walkers,
            random_state=self.random_state,
        )
        if loss:  # back from exp(-loss): the delta method for the standard deviation
            mean = np.maximum(mean, np.finfo(np.float64).tiny)
            mean, std = -np.log(mean), std / mean
        return orientation(metric, info.higher_is_better) * mean * scale, std * scale

    def _predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        return self._predict_dist(archs, info)[0]
