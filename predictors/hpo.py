"""Random search of a predictor's hyperparameters under a time limit, on the training data only.

White et al. (NeurIPS 2021) tune model-based predictors by random search scored by cross-validation on
the training architectures (NASLib's ``hpo_wrapper``; Bergstra & Bengio, "Random Search for
Hyper-Parameter Optimization", JMLR 2012). :class:`RandomSearch` wraps a predictor whose class declares
``hyperparameter_space()``: a dict of parameter name -> list of values or a ``scipy.stats`` distribution
(the ``param_distributions`` of scikit-learn's ``ParameterSampler``). It evaluates the predictor's own
configuration first, then random configurations, each scored by the mean Kendall tau over ``n_folds``
held-out folds of the architectures given to ``fit`` (canonical forms are dealt to the folds round-robin
in a random order, so isomorphic architectures share a fold), until
``time_limit`` seconds have passed; then it refits the best configuration on all of them. Nothing but
the architectures and targets passed to ``fit`` is ever read.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import kendalltau
from sklearn.base import clone
from sklearn.model_selection import ParameterGrid, ParameterSampler

from naspred.errors import InvalidInputError, NaspredError
from naspred.params import SEED, Instance, Int, Real, check, optional, param
from naspred.predictors.base import Predictor
from naspred.predictors.info import ArchInfo
from naspred.predictors.requirements import Requirements

logger = logging.getLogger(__name__)

#: errors that make one configuration fail without stopping the search
CONFIG_ERRORS = (NaspredError, ValueError, ArithmeticError, np.linalg.LinAlgError, RuntimeError)
#: what :class:`RandomSearch` tunes
PREDICTOR = Instance(Predictor, what="a naspred Predictor")


@dataclass(frozen=True)
class Trial:
    """One evaluated configuration: its parameters, Kendall tau on each held-out fold and their mean.

    A configuration whose fit or prediction failed has no taus, ``mean_tau`` None and the ``error``.
    """

    params: dict[str, Any]
    fold_taus: tuple[float, ...]
    mean_tau: float | None
    seconds: float
    error: str | None = None


def hyperparameter_space(predictor: Any) -> dict[str, Any]:
    """The search space declared by ``predictor``'s class, checked against its parameters."""
    declare = getattr(type(predictor), "hyperparameter_space", None)
    if declare is None:
        raise InvalidInputError(
            f"{type(predictor).__name__} declares no hyperparameter_space(); expected a classmethod returning "
            "{parameter: list of values or scipy.stats distribution}"
        )
    space = declare()
    if not isinstance(space, dict) or not space:
        raise InvalidInputError(f"{type(predictor).__name__}.hyperparameter_space() must return a non-empty dict")
    known = predictor.get_params(deep=False)
    for name, values in space.items():
        if name not in known:
            raise InvalidInputError(
                f"{type(predictor).__name__}.hyperparameter_space() names {name!r}, which is not one of its "
                f"parameters {sorted(known)}"
            )
        if not hasattr(values, "rvs") and not (isinstance(values, (list, tuple)) and len(values)):
            raise InvalidInputError(
                f"{type(predictor).__name__}.hyperparameter_space()[{name!r}] must be a non-empty list or a "
                f"scipy.stats distribution, got {values!r}"
            )
    return {k: list(v) if isinstance(v, tuple) else v for k, v in space.items()}


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def fold_tau(pred: np.ndarray, truth: np.ndarray) -> float:
    """Kendall tau of a held-out fold; 0 (no ranking information) when predictions or targets are all equal."""
    if np.ptp(pred) == 0 or np.ptp(truth) == 0:
        return 0.0
    return float(kendalltau(pred, truth).statistic)


class RandomSearch(Predictor):
    """Random search over ``predictor``'s ``hyperparameter_space()`` for ``time_limit`` seconds.

    After ``fit``: ``trials_`` (every :class:`Trial`, in order), ``best_params_``, ``best_score_`` (mean
    fold tau), ``best_predictor_`` (refitted on all the data), ``stopped_by_`` ("time_limit",
    "max_trials" or "exhausted") and ``search_seconds_``. The first configuration (the predictor as
    given) always runs to completion; a later one still running at the time limit is abandoned. A
    configuration that raises is recorded with its error and skipped.

    Parameters
    ----------
    predictor : Predictor
        The predictor to tune (required): a naspred Predictor whose class declares ``hyperparameter_space()``.
    time_limit : float
        Seconds the search may take (> 0).
    n_folds : int
        Held-out folds of the training architectures that score a configuration (>= 2).
    max_trials : int or None
        Configurations to evaluate at the most (>= 1); None: until the time limit or the space ends.
    random_state : int or None
        Seed of the folds and the drawn configurations; None: fresh ones at each fit.
    """

    predictor: Predictor = param(constraint=PREDICTOR)
    time_limit: float = param(60.0, Real(0.0, closed="neither"))
    n_folds: int = param(3, Int(2))
    max_trials: int | None = param(None, optional(Int(1)))
    random_state: int | None = param(None, SEED)

    @property
    def requirements(self) -> Requirements:
        return self._inner().requirements

    @property
    def uncertainty(self) -> bool:  # type: ignore[override]
        return bool(self._inner().uncertainty)

    @property
    def family(self) -> str:  # type: ignore[override]
        return self._inner().family

    def _inner(self) -> Predictor:
        return check(self._name, "predictor", self.predictor, PREDICTOR)

    # -- search ----------------------------------------------------------------------------------------
    def _candidates(self, space: dict[str, Any], seed: int | None) -> Iterator[dict[str, Any]]:
        given = self._inner().get_params(deep=False)
        yield {name: given[name] for name in space}
        if all(isinstance(v, list) for v in space.values()):
            n_iter = len(ParameterGrid(space))
        else:
            n_iter = 2**62  # drawn lazily; the time limit or max_trials ends the search
        for params in ParameterSampler(space, n_iter=n_iter, random_state=seed):
            yield {k: _plain(v) for k, v in params.items()}

    def _folds(
        self, archs: list[Any], info: ArchInfo, n_folds: int, seed: int | None
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """(fit rows, held-out rows) of each fold: canonical forms dealt round-robin in a random order."""
        ids: dict[Any, int] = {}
        groups = np.array([ids.setdefault(info.space.canonical(a), len(ids)) for a in archs])
        if len(ids) < n_folds:
            raise InvalidInputError(
                f"RandomSearch: {len(ids)} distinct architecture(s) cannot make {n_folds} folds; "
                f"expected at least n_folds={n_folds}"
            )
        fold_of_group = np.empty(len(ids), dtype=np.int64)
        fold_of_group[np.random.default_rng(seed).permutation(len(ids))] = np.arange(len(ids)) % n_folds
        fold = fold_of_group[groups]
        return [(np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in range(n_folds)]

    def _evaluate(
        self,
        params: dict[str, Any],
        archs: list[Any],
        y: np.ndarray,
        info: ArchInfo,
        folds: list[tuple[np.ndarray, np.ndarray]],
        deadline: float | None,
    ) -> Trial | None:
        start = time.perf_counter()
        taus = []
        try:
            for fit_idx, held_idx in folds:
                if deadline is not None and time.perf_counter() > deadline:
                    logger.info("RandomSearch: abandoned %s at the time limit", params)
                    return None
                model = clone(self._inner()).set_params(**params)
                model.fit([archs[i] for i in fit_idx], y[fit_idx], info.subset(fit_idx))
                pred = model.predict([archs[i] for i in held_idx], info.subset(held_idx))
                taus.append(fold_tau(pred, y[held_idx]))
        except CONFIG_ERRORS as err:
            logger.warning("RandomSearch: configuration %s failed: %s", params, err)
            return Trial(params, (), None, time.perf_counter() - start, f"{type(err).__name__}: {err}")
        return Trial(params, tuple(taus), float(np.mean(taus)), time.perf_counter() - start)

    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        time_limit, n_folds, max_trials, seed = self.time_limit, self.n_folds, self.max_trials, self.random_state
        space = hyperparameter_space(self._inner())
        folds = self._folds(archs, info, n_folds, seed)

        began = time.perf_counter()
        deadline = began + time_limit
        trials: list[Trial] = []
        self.stopped_by_ = "exhausted"
        for params in self._candidates(space, seed):
            if any(t.params == params for t in trials):
                continue  # a grid point equal to the configuration as given
            if max_trials is not None and len(trials) >= max_trials:
                self.stopped_by_ = "max_trials"
                break
            if trials and time.perf_counter() >= deadline:
                self.stopped_by_ = "time_limit"
                break
            trial = self._evaluate(params, archs, y, info, folds, deadline if trials else None)
            if trial is None:
                self.stopped_by_ = "time_limit"
                break
            trials.append(trial)
            logger.debug("RandomSearch: %s -> mean tau %s", trial.params, trial.mean_tau)
        self.search_seconds_ = time.perf_counter() - began
        self.trials_ = trials

        scored = [t for t in trials if t.mean_tau is not None]
        if not scored:
            raise InvalidInputError(
                f"RandomSearch: every configuration of {type(self._inner()).__name__} failed "
                f"({len(trials)} tried); the first error: {trials[0].error}"
            )
        best = max(scored, key=lambda t: t.mean_tau)  # the earliest of equal scores
        self.best_params_ = dict(best.params)
        self.best_score_ = best.mean_tau
        logger.info(
            "RandomSearch(%s): best of %d configurations in %.1f s (stopped by %s): %s, mean Kendall tau %.4f "
            "over %d folds of %d training architectures",
            type(self._inner()).__name__, len(trials), self.search_seconds_, self.stopped_by_, self.best_params_,
            best.mean_tau, n_folds, len(archs),
        )
        self.best_predictor_ = clone(self._inner()).set_params(**self.best_params_).fit(archs, y, info)

    def _predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        return self.best_predictor_.predict_dist(archs, info, with_std=False).mean

    def _predict_dist(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray]:
        out = self.best_predictor_.predict_dist(archs, info, with_std=True)
        return out.mean, out.std

