"""Maximum-likelihood fits of the curve families (:mod:`naspred.predictors.curve_families`) to accuracy curves.

Each family is fitted alone by Gaussian maximum likelihood within the prior's support: least squares with a
steep penalty on ``f(T)`` leaving ``[0, 1]``, by a Levenberg-Marquardt search in the family's unconstrained
parameters from the best few of its starting points.

The search is written here, batched over every curve and start, rather than called from
:func:`scipy.optimize.least_squares` one curve and start at a time: on 100 real curves (perf/lce.md:
spikenas-cifar10 at 10 and 30 epochs, nb201-mnist1d at 5) the batched search fits in 0.2 to 2.3 s where
``least_squares`` (MINPACK's Levenberg-Marquardt) takes 21 to 63 s, for a Kendall tau of the fits within
0.03 of it (0.006 lower on average over 6 trials).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from naspred.errors import InvalidInputError
from naspred.params import Int, Real, check
from naspred.predictors.curve_families import (
    CURVE_FAMILIES,
    FAMILY_NAMES,
    CurveFamily,
    Epochs,
    curve_family,
)

Array = np.ndarray
#: weight of the excursion of f(T) outside [_MARGIN, ceiling - _MARGIN] in the least-squares fit (the prior's support)
_PENALTY = 1e3
_MARGIN = 1e-3
#: the largest parameter admitted: the sampler holds parameters in single precision
_LARGEST = float(np.finfo(np.float32).max) / 16
#: what a ``ceiling`` on each family's value at the final epoch must be
CEILING = Real(0.01)


def _sum_squares(r: Array) -> Array:
    return np.where(np.isfinite(r).all(axis=1), (r * r).sum(axis=1), np.inf)


@dataclass(frozen=True)
class CurveBatch:
    """Accuracy curves checked for extrapolation: epochs ``x (t,)``, curves ``y (n, t)`` in ``[0, 1]``, the
    epoch ``T`` to predict (past the last one seen) and the families to fit."""

    x: Array
    y: Array
    T: int
    families: tuple[CurveFamily, ...]

    @classmethod
    def of(cls, epochs: Any, curves: Any, final_epoch: Any, families: Sequence[str] = CURVE_FAMILIES) -> CurveBatch:
        """``curves (n, t)`` (or one curve ``(t,)``) observed at 1-based ``epochs``, checked."""
        chosen = tuple(curve_family(name) for name in check("extrapolate", "families", families, FAMILY_NAMES))
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
            raise InvalidInputError(f"extrapolate: curve {int(bad[0][0])} holds a non-finite value at epoch "
                                    f"{int(x[bad[0][1]])}; expected finite accuracies")
        if (y < 0).any() or (y > 1).any():
            raise InvalidInputError(
                f"extrapolate: accuracies must lie in [0, 1], got values in [{y.min():g}, {y.max():g}]; "
                "divide percentages by 100"
            )
        T = int(check("extrapolate", "final_epoch", final_epoch, Int(1)))
        if T <= x[-1]:
            raise InvalidInputError(f"extrapolate: final_epoch={T} must lie past the last observed epoch {int(x[-1])}")
        need = 1 + min(f.n_params for f in chosen)
        if len(x) < need:
            raise InvalidInputError(
                f"extrapolate: {len(x)} observed epoch(s); the curve families need at least {need} to be fitted"
            )
        return cls(x, y, T, chosen)


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
    batch: CurveBatch, iterations: int = 60, keep_starts: int = 3, ceiling: float = 1.0
) -> FamilyFits:
    """Least-squares (Gaussian maximum-likelihood) fit of each family to each curve of ``batch``.

    Each family starts from its grid of starting points; the ``keep_starts`` best of them are refined by at
    most ``iterations`` Levenberg-Marquardt steps in the family's unconstrained parameters, with a steep
    penalty on ``f(T)`` leaving ``[0, ceiling]`` (the prior's support).
    """
    x, y, target_epoch, chosen = batch.x, batch.y, batch.T, batch.families
    iterations = int(check("fit_families", "iterations", iterations, Int(1)))
    keep_starts = int(check("fit_families", "keep_starts", keep_starts, Int(1)))
    ceiling = float(check("fit_families", "ceiling", ceiling, CEILING))
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
                outside = np.maximum(final - (ceiling - _MARGIN), 0.0) + np.maximum(_MARGIN - final, 0.0)
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
                & (np.abs(theta) < _LARGEST).all(axis=1)
                & fam.admissible(theta, T)
                & (final >= 0.0)
                & (final <= ceiling)
            )
    return FamilyFits(chosen, tuple(params), sse, at_final, admitted)

