"""The posterior of Domhan et al.'s (IJCAI 2015) weighted combination of curve families and its sampler.

A partial accuracy curve ``y_1..y_t`` (epochs ``x``) is modelled by a weighted combination of the families of
:mod:`naspred.predictors.curve_families`, ``f(x) = sum_k w_k f_k(x | theta_k) / sum_k w_k``, observed with
Gaussian noise ``y ~ N(f(x), sigma^2)``. The families whose maximum-likelihood fit
(:mod:`naspred.predictors.curve_fit`) is admissible start an affine-invariant ensemble MCMC (the stretch move
of Goodman & Weare, "Ensemble samplers with affine invariance", CAMCoS 2010, the move of
:class:`emcee.EnsembleSampler`) over all ``theta_k``, ``sigma`` and the weights. The prediction at the final epoch ``T`` is the
posterior mean of ``f(T)``; its standard deviation is that of the recorded value ``f(T) + noise``,
``sqrt(Var[f(T)] + E[sigma^2])``.

Prior: each family is held to its admissible parameters, under which it rises on ``[1, T]`` (pybnn,
``automl/pybnn``, which NASLib runs as ``lce_m``, imposes the same rise by checking the curve on a grid), and
each ``f_k(T)`` to ``[0, ceiling]``; ``sigma`` is uniform on ``[1e-4, 1]``; parameters are otherwise flat.
The weights are non-negative with a flat prior (``weight_prior="flat"``, as in pybnn and Domhan's
pylearningcurvepredictor) or independent ``Exp(1)`` priors (``"exponential"``, which makes the normalised
weights uniform on the simplex). pybnn bounds ``f_k(T)`` by 100 on accuracies scaled to ``[0, 1]`` ("there might
be cases where some models might predict value larger than 1.0 and this is alright"), the default ``ceiling``
here; ``ceiling=1`` holds each family to the accuracy's scale.

The sampler is written here, batched over every curve, rather than run by :class:`emcee.EnsembleSampler`
one curve at a time: on 100 real curves (perf/lce.md) emcee's stretch move on the same posterior from the same
start takes 3 to 5 times as long (227 s against 50, 104 against 37, 71 against 15, run side by side), for a
Kendall tau within 0.01. (Those walkers moved in double precision; they now move in single precision, as the
curves are evaluated, and in place.)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from naspred.errors import InvalidInputError
from naspred.params import Int, Options, check
from naspred.predictors.curve_families import PYBNN_FAMILIES, CurveFamily, Epochs
from naspred.predictors.curve_fit import CEILING, CurveBatch, FamilyFits, fit_families

logger = logging.getLogger(__name__)

Array = np.ndarray
#: the smallest noise level the posterior admits (in units of the scaled accuracy)
SIGMA_MIN = 1e-4
#: scale parameter ``a`` of the stretch move (Goodman & Weare 2010; emcee's default)
STRETCH = 2.0
#: priors of the unnormalised family weights: flat on ``w >= 0`` (pybnn) or independent ``Exp(1)``
WEIGHT_PRIORS = ("flat", "exponential")


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

    def __init__(self, fits: FamilyFits, x: Array, y: Array, T: float, weight_prior: str, ceiling: float) -> None:
        self.families = fits.families
        self.weight_cost = 1.0 if weight_prior == "exponential" else 0.0
        self.ceiling = ceiling
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
        share = (weights / np.where(total > 0.0, total, 1.0)[..., None]).astype(np.float32, copy=False)
        combined = np.zeros(theta.shape[:-1] + (len(self.grid.x),), dtype=np.float32)
        with np.errstate(all="ignore"):
            for k, fam in enumerate(self.families):
                th = theta[..., lay.block(k)]
                values = fam.evaluate(self.grid32, th.astype(np.float32, copy=False))
                good = fam.admissible(th, self.T) & (values[..., -1] >= 0.0) & (values[..., -1] <= self.ceiling)
                ok &= good | ~active[..., k]
                combined += share[..., k : k + 1] * values  # non-finite values make the likelihood non-finite
            resid = self.y32[rows][:, None, :] - combined[..., :-1]
            sse = np.einsum("...t,...t->...", resid, resid, dtype=np.float64)
            sig = np.where(ok, sigma, 1.0)
            loglik = -resid.shape[-1] * np.log(sig) - 0.5 * sse / (sig * sig)
        logp = np.where(ok & np.isfinite(loglik), loglik - self.weight_cost * total, -np.inf)
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
    """Run the stretch move; sums of ``f(T)``, ``f(T)^2`` and ``sigma^2`` over the kept samples, per curve.

    The walkers move in single precision (as the curves are evaluated), in place.
    """
    n, w, _ = walkers.shape
    half = w // 2
    walkers = walkers.astype(np.float32)
    exponent = post.free_dims()[:, None] - 1.0  # of z in the acceptance ratio: the dimensions moved, less one
    total, total_sq, noise = np.zeros(n), np.zeros(n), np.zeros(n)
    rows = np.arange(n)[:, None]
    for step in range(n_steps):
        for moving, other in ((slice(0, half), slice(half, w)), (slice(half, w), slice(0, half))):
            xa, xo = walkers[:, moving], walkers[:, other]
            m = xa.shape[1]
            partner = xo[rows, rng.integers(0, xo.shape[1], size=(n, m))]
            z = ((STRETCH - 1.0) * rng.random((n, m)) + 1.0) ** 2 / STRETCH
            proposal = xa - partner
            proposal *= z[..., None].astype(np.float32)
            proposal += partner
            lp, fin = post(proposal)
            with np.errstate(invalid="ignore"):
                log_ratio = exponent * np.log(z) + lp - logp[:, moving]
            accept = np.log(rng.random((n, m))) < log_ratio
            np.copyto(xa, proposal, where=accept[..., None])
            np.copyto(logp[:, moving], lp, where=accept)
            np.copyto(final[:, moving], fin, where=accept)
        if step >= burn_in:
            total += final.sum(axis=1)
            total_sq += (final * final).sum(axis=1)
            noise += np.square(walkers[..., post.layout.sigma], dtype=np.float64).sum(axis=1)
    return total, total_sq, noise


def extrapolate(
    epochs: Any,
    curves: Any,
    final_epoch: int,
    *,
    families: Sequence[str] = PYBNN_FAMILIES,
    n_steps: int = 800,
    burn_in: int = 500,
    n_walkers: int | None = 50,
    weight_prior: str = "flat",
    ceiling: float = 100.0,
    random_state: int | None = 0,
) -> tuple[Array, Array]:
    """Posterior mean and standard deviation of each accuracy curve ``curves[i]`` (in ``[0, 1]``) at ``final_epoch``.

    ``epochs`` are the 1-based epochs of the columns of ``curves (n, t)``. The defaults are NASLib's ``lce_m``
    (pybnn): its four ``families``, ``n_steps`` ensemble steps of which the first ``burn_in`` are discarded,
    800 and 500, ``n_walkers`` 50 raised to twice the sampled dimensions where fewer (None: twice the
    dimensions), a flat ``weight_prior`` and a ``ceiling`` of 100 on each family's ``f(T)``. ``n_steps=0`` skips
    the MCMC: the mean is the equal-weight combination of the admitted maximum-likelihood fits, the standard
    deviation that of the families' values at ``final_epoch`` and the fitted noise combined.
    """
    batch = CurveBatch.of(epochs, curves, final_epoch, families)
    x, y, T = batch.x, batch.y, batch.T
    n_steps = int(check("extrapolate", "n_steps", n_steps, Int(0)))
    burn_in = int(check("extrapolate", "burn_in", burn_in, Int(0)))
    weight_prior = check("extrapolate", "weight_prior", weight_prior, Options(WEIGHT_PRIORS))
    ceiling = float(check("extrapolate", "ceiling", ceiling, CEILING))
    if n_steps and burn_in >= n_steps:
        raise InvalidInputError(
            f"extrapolate: burn_in={burn_in} leaves no sample of n_steps={n_steps}; expected burn_in < n_steps"
        )
    fits = fit_families(batch, ceiling=ceiling)
    none = np.flatnonzero(~fits.admitted.any(axis=1))
    if none.size:
        raise InvalidInputError(
            f"extrapolate: no curve family fits the curve at position {int(none[0])} ({none.size} curve(s) in all) with "
            f"a value in [0, {ceiling:g}] at epoch {T}; expected an accuracy curve scaled to [0, 1]"
        )
    post = _Posterior(fits, x, y, float(T), weight_prior, ceiling)
    centre = post.start(fits)
    if n_steps == 0:
        values = np.where(fits.admitted, fits.at_final, np.nan)
        mean = np.nanmean(values, axis=1)
        spread = np.nanvar(values, axis=1)
        return mean, np.sqrt(spread + centre[:, post.layout.sigma] ** 2)
    dims = int(post.free_dims().max())
    walkers = max(2 * dims, 0 if n_walkers is None else int(check("extrapolate", "n_walkers", n_walkers, Int(2))))
    walkers += walkers % 2
    rng = np.random.default_rng(random_state)
    start, logp, final = _initial_walkers(post, centre, walkers, rng)
    total, total_sq, noise = _stretch_sample(post, start, logp, final, n_steps, burn_in, rng)
    kept = walkers * (n_steps - burn_in)
    mean = total / kept
    variance = np.maximum(total_sq / kept - mean**2, 0.0) + noise / kept
    return mean, np.sqrt(variance)
