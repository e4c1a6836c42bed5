"""Learning-curve extrapolation (``lce``, Domhan et al. 2015) on real curves: Kendall tau and seconds per trial.

Each trial draws ``--test`` architectures with seed ``trial`` among those with a recorded target, reads their
validation-accuracy curve up to the fidelity through a simulated oracle and predicts the final epoch; tau is
taken against the recorded target. ``n_steps=0`` scores the maximum-likelihood fits alone (the fitter),
``n_steps=800`` (the default, burn-in 500) the posterior mean (fitter and sampler). ``--revision REV`` runs
``predictors/lc_extrapolation.py`` as committed at ``REV`` instead of the working tree, so an implementation
replaced since is compared with the current one on the same splits. Rows are appended to perf/lce.csv;
``--report`` writes perf/lce.md. ``--fitter least_squares`` replaces naspred's batched Levenberg-Marquardt
by :func:`scipy.optimize.least_squares` (MINPACK's, one curve and start at a time); ``--sampler emcee`` replaces
its batched stretch move by :class:`emcee.EnsembleSampler` (one curve at a time, same posterior, same start).

    NASPRED_DATA=../shared/data OMP_NUM_THREADS=1 python perf/lce.py --revision beee288 --label before
    NASPRED_DATA=../shared/data OMP_NUM_THREADS=1 python perf/lce.py --fitter least_squares --n-steps 0 --label ...
    NASPRED_DATA=../shared/data OMP_NUM_THREADS=1 python perf/lce.py --sampler emcee --n-steps 800 --trials 1 ...
    python perf/lce.py --report
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import kendalltau

HERE = Path(__file__).resolve().parent
CSV = HERE / "lce.csv"
#: benchmark -> fidelities read (spikenas-cifar10 trains 100 epochs, nb201-mnist1d 10)
FIDELITIES = {"spikenas-cifar10": (10, 30), "nb201-mnist1d": (5,)}
FIELDS = ("label", "benchmark", "fidelity", "n_steps", "trial", "kendall_tau", "seconds")


def predictor_class(revision: str | None):
    """``LcExtrapolation`` from the working tree, or from ``predictors/lc_extrapolation.py`` at ``revision``."""
    if revision is None:
        from naspred.predictors.lc_extrapolation import LcExtrapolation

        return LcExtrapolation
    source = subprocess.run(
        ["git", "show", f"{revision}:predictors/lc_extrapolation.py"],
        cwd=HERE.parent, check=True, capture_output=True, text=True,
    ).stdout
    name = f"lce_at_{revision}"
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader=None))
    sys.modules[name] = module  # dataclasses look their module up by name
    exec(compile(source, f"{revision}:predictors/lc_extrapolation.py", "exec"), module.__dict__)  # noqa: S102
    return module.LcExtrapolation


def least_squares_fit(residuals, u, iterations, tolerance=1e-9):
    """Drop-in for ``curve_fit._levenberg_marquardt``: scipy's least_squares (method 'lm') row by row."""
    from scipy.optimize import least_squares

    out, sse = u.copy(), np.full(len(u), np.inf)
    for i in range(len(u)):
        row = np.array([i])

        def fun(v, row=row):
            r = residuals(v[None], row)[0]
            return np.clip(np.nan_to_num(r, nan=1e3), -1e3, 1e3)

        if not np.isfinite(residuals(u[i][None], row)).all():
            continue
        result = least_squares(fun, u[i], method="lm", max_nfev=iterations * (u.shape[1] + 1))
        out[i], sse[i] = result.x, 2 * result.cost
    return out, sse


def emcee_sample(post, walkers, logp, final, n_steps, burn_in, rng):
    """Drop-in for ``curve_posterior._stretch_sample``: emcee's stretch move, one curve at a time."""
    from naspred.predictors.curve_posterior import _ensemble_sample

    return _ensemble_sample(post, walkers, n_steps, burn_in, rng)


def use(fitter: str, sampler: str) -> None:
    """Swap the fitter and the sampler of the working tree's modules for the library-based ones."""
    from naspred.predictors import curve_fit, curve_posterior

    if fitter == "least_squares":
        curve_fit._levenberg_marquardt = least_squares_fit
    if sampler == "emcee":
        import emcee  # pip install emcee

        namespace = {"emcee": emcee, "np": np, "Array": np.ndarray, "STRETCH": curve_posterior.STRETCH,
                     "_Posterior": curve_posterior._Posterior, "__name__": "perf_lce_emcee"}
        exec(EMCEE_SAMPLE, namespace)  # noqa: S102
        curve_posterior._ensemble_sample = namespace["_ensemble_sample"]
        curve_posterior._stretch_sample = emcee_sample

EMCEE_SAMPLE = """from __future__ import annotations

def _free(post: _Posterior, i: int) -> Array:
    '''Positions of the dimensions curve ``i``'s chain moves in: its admitted families, their weights, sigma.'''
    lay = post.layout
    moving = [lay.sigma]
    for k in np.flatnonzero(post.active[i]):
        moving += list(range(lay.offsets[k], lay.offsets[k] + lay.sizes[k])) + [lay.weights.start + k]
    return np.array(sorted(moving))


def _ensemble_sample(
    post: _Posterior, walkers: Array, n_steps: int, burn_in: int, rng: np.random.Generator
) -> tuple[Array, Array, Array]:
    '''Run emcee's stretch move for each curve; sums of ``f(T)``, ``f(T)^2`` and ``sigma^2`` over the kept samples.

    Each curve's chain moves in its admitted families' dimensions only; the others keep their starting values.
    '''
    n, w, _ = walkers.shape
    total, total_sq, noise = np.zeros(n), np.zeros(n), np.zeros(n)
    for i in range(n):
        free, base, row = _free(post, i), walkers[i, 0], np.array([i])

        def log_prob(coords: Array, free: Array = free, base: Array = base, row: Array = row) -> Array:
            theta = np.repeat(base[None, None, :], len(coords), axis=1)
            theta[0][:, free] = coords
            return post(theta, row)[0][0]

        move = emcee.moves.StretchMove(a=STRETCH, live_dangerously=True)
        sampler = emcee.EnsembleSampler(w, len(free), log_prob, moves=move, vectorize=True)
        sampler.random_state = np.random.RandomState(int(rng.integers(2**32))).get_state()
        sampler.run_mcmc(walkers[i][:, free], n_steps, skip_initial_state_check=True)
        theta = np.repeat(base[None, None, :], (n_steps - burn_in) * w, axis=1)
        theta[0][:, free] = sampler.get_chain(discard=burn_in, flat=True)
        _, final = post(theta, row)
        total[i], total_sq[i] = final.sum(), (final * final).sum()
        noise[i] = (theta[0][:, post.layout.sigma] ** 2).sum()
    return total, total_sq, noise


"""


def trial(bench, cls, fidelity: int, n_steps: int, seed: int, n_test: int) -> tuple[float, float]:
    """Kendall tau and wall seconds of one trial."""
    from naspred.predictors import Budget, SimulatedOracle

    rows = np.random.default_rng(seed).choice(np.flatnonzero(np.isfinite(bench.y)), n_test, replace=False)
    archs = [bench.archs[i] for i in rows]
    predictor = cls(fidelity=fidelity, n_steps=n_steps, burn_in=min(500, n_steps // 2 + 1) if n_steps else 0)
    oracle = SimulatedOracle(bench, hidden=archs, seed=seed)
    start = time.perf_counter()
    predictor.initialize(oracle, Budget(archs=0))
    mean = predictor.query(archs, oracle, Budget(epochs=fidelity, per_arch=True)).mean
    return float(kendalltau(mean, bench.y[rows])[0]), time.perf_counter() - start


def run(args: argparse.Namespace) -> None:
    from naspred import benchmarks

    cls = predictor_class(args.revision)
    use(args.fitter, args.sampler)
    new = not CSV.exists()
    with CSV.open("a", newline="") as handle:
        writer = csv.DictWriter(handle, FIELDS)
        if new:
            writer.writeheader()
        for name, fidelities in FIDELITIES.items():
            bench = benchmarks.load(name)
            for fidelity in fidelities:
                for n_steps in args.n_steps:
                    for seed in range(args.trials):
                        tau, seconds = trial(bench, cls, fidelity, n_steps, seed, min(args.test, len(bench.archs) // 2))
                        row = dict(zip(FIELDS, (args.label, name, fidelity, n_steps, seed, f"{tau:.4f}", f"{seconds:.2f}")))
                        writer.writerow(row)
                        handle.flush()
                        print(row, flush=True)


def report() -> None:
    import pandas as pd

    table = pd.read_csv(CSV)
    summary = (
        table.groupby(["benchmark", "fidelity", "n_steps", "label"], sort=True)
        .agg(trials=("trial", "size"), kendall_tau=("kendall_tau", "mean"), tau_sd=("kendall_tau", "std"),
             seconds=("seconds", "mean"))
        .reset_index()
    )
    lines = [
        "# Learning-curve extrapolation: fitter and sampler compared on real curves",
        "",
        f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, one thread (OMP_NUM_THREADS=1), "
        "shared with other jobs, so seconds are indicative. Command: see the docstring of perf/lce.py.",
        "Mean Kendall tau over trials (same seeds, so the same test architectures, for every label); "
        "seconds per trial of 100 test architectures (nb201-mnist1d: 100 of 510). A label with fewer trials averages trials 0 to k-1 only: compare it in the paired table.",
        "",
        "| benchmark | fidelity | n_steps | label | trials | Kendall tau | sd | seconds / trial |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in summary.itertuples():
        lines.append(
            f"| {r.benchmark} | {r.fidelity} | {r.n_steps} | {r.label} | {r.trials} | {r.kendall_tau:.3f} | "
            f"{r.tau_sd:.3f} | {r.seconds:.1f} |"
        )
    (HERE / "lce.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="current")
    parser.add_argument("--revision", default=None, help="git revision whose lc_extrapolation.py to run")
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--test", type=int, default=100)
    parser.add_argument("--n-steps", type=int, nargs="+", default=[0, 800])
    parser.add_argument("--fitter", choices=("batched", "least_squares"), default="batched")
    parser.add_argument("--sampler", choices=("batched", "emcee"), default="batched")
    parser.add_argument("--report", action="store_true", help="only summarise perf/lce.csv into perf/lce.md")
    args = parser.parse_args()
    if args.report:
        report()
    else:
        run(args)


if __name__ == "__main__":
    main()
