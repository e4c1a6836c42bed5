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
from naspred.params import AnyOf, Instance, Int, Options, optional, param
from naspred.predictors.base import Predictor
from naspred.predictors.info import ArchInfo
from naspred.predictors.params import check_params
from naspred.predictors.registry import resolve as resolve_predictor
from naspred.search.state import SearchRun
from naspred.search.strategy import SearchStrategy

ACQUISITIONS = ("its", "mean")


class BANANASSearch(SearchStrategy):
    """Predictor-guided search (White et al., AAAI 2021) driven by any naspred predictor.

    Each round fits a clone of the guiding predictor, seeded from the search's generator where its
    ``random_state`` is ``None``.

    Parameters
    ----------
    predictor : str or Predictor
        The guiding predictor: a registered name (built with ``predictor_params``) or a naspred Predictor.
    predictor_params : mapping or None
        Parameters of a predictor given by name.
    n_init : int
        Random architectures evaluated before the first fit (>= 1).
    batch_size : int
        Candidates evaluated after each fit (>= 1).
    n_candidates : int
        Candidates proposed in each round (>= 1).
    n_mutate : int
        Best evaluated architectures the candidates are mutations of (>= 1).
    max_mutations : int
        Mutations that make each candidate (>= 1).
    acquisition : {"its", "mean"}
        Independent Thompson sampling where the predictor has a standard deviation, or the predicted mean.
    """

    name = "bananas"

    predictor: Predictor | str = param(
        "bananas", AnyOf(Instance(str, what="a registered predictor name"), Instance(Predictor, what="a naspred Predictor"))
    )
    predictor_params: Mapping[str, Any] | None = param(None, optional(Instance(Mapping, what="a table of parameters")))
    n_init: int = param(10, Int(1))
    batch_size: int = param(10, Int(1))
    n_candidates: int = param(200, Int(1))
    n_mutate: int = param(5, Int(1))
    max_mutations: int = param(1, Int(1))
    acquisition: str = param("its", Options(ACQUISITIONS))

    @property
    def predictor_label(self) -> str:
        return self.predictor if isinstance(self.predictor, str) else type(self.predictor).__name__

    def guide(self) -> Predictor:
        """The guiding predictor, unfitted: ``predictor`` itself, or the registered one built with ``predictor_params``."""
        return resolve_predictor(self.predictor, type(self).__name__, **dict(self.predictor_params or {}))

    def validate_params(self) -> None:
        """The declared checks, then those of the guiding predictor's own parameters."""
        super().validate_params()
        check_params(self.guide())

    def check(self, oracle: Oracle) -> None:
        req = self.guide().requirements
        if req.uses_curves:
            raise InvalidInputError(
                f"{type(self).__name__}: predictor {self.predictor_label!r} reads learning curves at {req.fidelity} "
                "epochs, but BANANAS ranks candidates that are not trained at all; choose a predictor without "
                "learning curves"
            )
        missing = [p for p in req.proxies if p not in oracle.available_proxies]
        if missing:
            raise InvalidInputError(
                f"{type(self).__name__}: predictor {self.predictor_label!r} reads proxies {missing}, which the oracle "
                f"does not serve (it has {list(oracle.available_proxies)})"
            )

    # -- one round -----------------------------------------------------------------------------------
    @staticmethod
    def _info(run: SearchRun, archs: list[Any], proxies: tuple[str, ...]) -> ArchInfo:
        values = run.proxies(archs, proxies) if proxies else {}
        return ArchInfo(space=run.space, higher_is_better=run.higher_is_better, proxies=values)

    def _failed(self, doing: str, err: Exception) -> SearchError:
        return SearchError(
            f"{self.name} search: predictor {self.predictor_label!r} failed to {doing}: {type(err).__name__}: {err}"
        )

    def _fit(self, run: SearchRun, guide: Predictor) -> Predictor:
        model = clone(guide)
        if model.get_params(deep=False).get("random_state", 0) is None:
            model.set_params(random_state=int(run.rng.integers(2**31 - 1)))
        info = self._info(run, run.archs, guide.requirements.proxies)
        try:
            with run.meter.timing("fit"):
                model.fit(run.archs, np.asarray(run.values, dtype=np.float64), info)
        except Exception as err:  # the predictor's own failure ends the search, with its cause attached
            raise self._failed(f"fit on the {len(run.archs)} architectures evaluated so far", err) from err
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

    def _choose(self, run: SearchRun, guide: Predictor, model: Predictor, candidates: list[Any]) -> list[Any]:
        info = self._info(run, candidates, guide.requirements.proxies)
        try:
            with run.meter.timing("predict"):
                prediction = model.predict_dist(candidates, info)
        except Exception as err:  # as in _fit
            raise self._failed(f"predict {len(candidates)} candidates", err) from err
        mean = prediction.mean if run.higher_is_better else -prediction.mean
        if self.acquisition == "its" and prediction.std is not None:
            value = run.rng.normal(mean, prediction.std)
        else:
            value = mean
        order = np.argsort(-value, kind="stable")[: self.batch_size]
        return [candidates[int(i)] for i in order]

    def search(self, run: SearchRun) -> None:
        guide = self.guide()
        need = max(self.n_init, guide.requirements.min_labelled)
        while len(run.values) < need:
            run.evaluate(run.sample())
        while True:
            model = self._fit(run, guide)
            candidates = self._candidates(run)
            chosen = self._choose(run, guide, model, candidates) if candidates else [run.mutation(run.top(1)[0])]
            for arch in chosen:
                if not run.is_evaluated(arch):
                    run.evaluate(arch)
