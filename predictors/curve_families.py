"""The eleven parametric learning-curve families of Domhan, Springenberg & Hutter, "Speeding up Automatic
Hyperparameter Optimization of Deep Neural Networks by Extrapolation of Learning Curves" (IJCAI 2015).

Each family carries its formula, an unconstrained parametrisation, its admissible set and starting points
for a fit (``x`` the 1-based epoch, accuracies scaled to ``[0, 1]``):


=========================== ==========================================
``pow3``                    ``c - a x^(-alpha)``
``pow4``                    ``c - (a x + b)^(-alpha)``
``log_power``               ``a / (1 + (x / e^b)^c)``
``weibull``                 ``alpha - (alpha - beta) exp(-(kappa x)^delta)``
``mmf``                     ``alpha - (alpha - beta) / (1 + (kappa x)^delta)``
``janoschek``               ``alpha - (alpha - beta) exp(-kappa x^delta)``
``ilog2``                   ``c - a / log(x + 1)``  (shifted by one epoch, as pybnn does, so epoch 1 is defined)
``dr_hill_zero_background`` ``theta x^eta / (kappa^eta + x^eta)``
``log_log_linear``          ``log(a log(x) + b)``
``exp4``                    ``c - exp(-a x^alpha + b)``
``vap``                     ``exp(a + b / x + c log(x))``
=========================== ==========================================

Each family is held to parameters under which it does not decrease on ``[1, T]`` (``a, alpha > 0`` for
``pow3``; ``alpha > beta``, ``kappa, delta > 0`` for the saturating families; ``b <= min(c, c T)`` for
``vap``...), so that any combination with weights ``w_k >= 0`` rises too (the prior of Domhan et al.).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from naspred.errors import UnknownNameError
from naspred.predictors.curve_options import Names

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
#: the four families pybnn combines (its ``curve_combination_models``: "removing some of the models was found to
#: improve performance"), as NASLib's ``lce_m`` runs them
PYBNN_FAMILIES: tuple[str, ...] = ("mmf", "log_log_linear", "dr_hill_zero_background", "log_power")
#: what a ``families`` option must be
FAMILY_NAMES = Names(CURVE_FAMILIES)


def curve_family(name: str) -> CurveFamily:
    """The family registered as ``name`` (one of :data:`CURVE_FAMILIES`)."""
    try:
        return _FAMILIES[name]
    except (KeyError, TypeError):
        raise UnknownNameError(f"unknown curve family {name!r}; expected one of {list(CURVE_FAMILIES)}") from None
