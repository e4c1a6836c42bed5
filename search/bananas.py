"""BANANAS-style search: White, Neiswanger and Savani, "BANANAS: Bayesian Optimization with Neural
Architectures for Neural Architecture Search" (AAAI 2021).

After ``n_init`` random architectures, each round fits the predictor on every architecture evaluated so
far, proposes ``n_candidates`` candidates by mutating (``max_mutations`` times) the ``n_mutate`` best
evaluated architectures, and evaluates the ``batch_size`` candidates of highest acquisition before fitting
again. The acquisition is independent Thompson sampling (one draw per candidate from a normal with the
predicted mean and standard deviation) for a predictor with a predictive distribution, else the predicted
mean. The defaults are NASLib's NAS-Bench-201 search configuration (``num_init`` 10, ``k`` 10,
``num_candidates`` 200, ``num_arches_to_mutate`` 5, ``max_mutations`` 1, ``acq_fn_type`` its).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.base import clone

from naspred.errors import InvalidInputError, SearchError
from naspred.oracles.oracle import Oracle
from naspred.predictors.base import Predictor
from naspred.predictors.info import ArchInfo
from naspred.predictors.learning_curve import check_int
from naspred.predictors.registry import resolve as resolve_predictor
from naspred.search.state import SearchRun
from naspred.search.strategy import SearchStrategy

ACQUISITIONS = ("its", "mean")


class BANANASSearch(SearchStrategy):
    """Predictor-guided search (White et al., AAAI 2021) driven by any naspred predictor.

    ``predictor`` is a registered name (built with ``predictor_params``) or a
    :class:`~naspred.predictors.base.Predictor`; each round fits a clone of it, seeded from the search's
    generator where its ``random_state`` is ``None``. ``acquisition="mean"`` ranks by the predicted mean
    even where a standard deviation is available.
    """

    name = "bananas"

    def __init__(
        self,
        predictor: Predictor | str = "bananas",
        predictor_params: Mapping[str, Any] | None = None,
        n_init: int = 10,
        batch_size: int = 10,
        n_candidates: int = 200,
        n_mutate: int = 5,
        max_mutations: int = 1,
        acquisition: str = "its",
    ) -> None:
        who = type(self).__name__
        self._label = predictor if isinstance(predictor, str) else type(predictor).__name__
        self.predictor = resolve_predictor(predictor, who, **dict(predictor_params or {}))
        self.n_init = check_int(who, "n_init", n_init, 1)
        self.batch_size = check_int(who, "batch_size", batch_size, 1)
        self.n_candidates = check_int(who, "n_candidates", n_candidates, 1)
        self.n_mutate = check_int(who, "n_mutate", n_mutate, 1)
        self.max_mutations = check_int(who, "max_mutations", max_mutations, 1)
        if acquisition not in ACQUISITIONS:
            raise InvalidInputError(f"{who}: acquisition must be one of {ACQUISITIONS}, got {acquisition!r}")
        self.acquisition = acquisition

    def __repr__(self) -> str:
        return f"{type(self).__name__}(predictor={self.predictor!r}, batch_size={self.batch_size})"

    @property
    def predictor_label(self) -> str:
        return self._label

    def check(self, oracle: Oracle) -> None:
        req = self.predictor.requirements
        if req.uses_curves:
            raise InvalidInputError(
                f"{type(self).__name__}: predictor {self._label!r} reads learning curves at {req.fidelity} epochs, but "
                "BANANAS ranks candidates that are not trained at all; choose a predictor without learning curves"
            )
        missing = [p for p in req.proxies if p not in oracle.available_proxies]
        if missing:
            raise InvalidInputError(
                f"{type(self).__name__}: predictor {self._label!r} reads proxies {missing}, which the oracle does not "
                f"serve (it has {list(oracle.available_proxies)})"
            )

    # -- one round -----------------------------------------------------------------------------------
    def _info(self, run: SearchRun, archs: list[Any]) -> ArchInfo:
        names = self.predictor.requirements.proxies
        proxies = run.proxies(archs, names) if names else {}
        return ArchInfo(space=run.space, higher_is_better=run.higher_is_better, proxies=proxies)

    def _fit(self, run: SearchRun) -> Predictor:
        model = clone(self.predictor)
        if model.get_params(deep=False).get("random_state", 0) is None:
            model.set_params(random_state=int(run.rng.integers(2**31 - 1)))
        info = self._info(run, run.archs)
        try:
            with run.meter.timing("fit"):
                model.fit(run.archs, np.asarray(run.values, dtype=np.float64), info)
        except Exception as err:  # the predictor's own failure ends the search, with its cause attached
            raise SearchError(
                f"{self.name} search: predictor {self._label!r} failed to fit on the {len(run.archs)} architectures "
                f"evaluated so far: {type(err).__name__}: {err}"
            ) from err
        return model

    def _candidates(self, run: SearchRun) -> list[Any]:
        parents = run.top(self.n_mutate)
        per_parent = max(1, self.n_candidates // len(parents))
        seen: set[Any] = set()
        out = []
        for parent in parents:
            for _ in range(per_parent):
                child = parent
                for _ in range(self.max_mutations):
                    child = run.space.mutate(child, run.rng)
                key = run.key(child)
                if key not in seen and not run.is_evaluated(child):
                    seen.add(key)
                    out.append(child)
        return out

    def _choose(self, run: SearchRun, model: Predictor, candidates: list[Any]) -> list[Any]:
        info = self._info(run, candidates)
        try:
            with run.meter.timing("predict"):
                prediction = model.predict_dist(candidates, info)
        except Exception as err:  # as in _fit
            raise SearchError(
                f"{self.name} search: predictor {self._label!r} failed to predict {len(candidates)} candidates: "
                f"{type(err).__name__}: {err}"
            ) from err
        mean = prediction.mean if run.higher_is_better else -prediction.mean
        if self.acquisition == "its" and prediction.std is not None:
            value = run.rng.normal(mean, prediction.std)
        else:
            value = mean
        order = np.argsort(-value, kind="stable")[: self.batch_size]
        return [candidates[int(i)] for i in order]

    def search(self, run: SearchRun) -> None:
        need = max(self.n_init, self.predictor.requirements.min_labelled)
        while len(run.values) < need:
            run.evaluate(run.sample())
        while True:
            model = self._fit(run)
            candidates = self._candidates(run)
            chosen = self._choose(run, model, candidates) if candidates else [run.mutation(run.top(1)[0])]
            for arch in chosen:
                if not run.is_evaluated(arch):
                    run.evaluate(arch)
