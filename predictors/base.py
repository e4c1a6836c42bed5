"""The predictor contract: initialize and query under budgets (OMNI), fit and predict (scikit-learn).

White et al., "How Powerful are Performance Predictors in Neural Architecture Search?" (NeurIPS 2021)
describe every performance predictor by two phases. **Initialization** may spend an init budget
training architectures to completion and fitting a model; **query** may spend a query budget per
architecture (partial training to read a learning curve, a zero-cost proxy) and then predicts.
:class:`Predictor` implements both phases on top of the low-level, scikit-learn style ``fit`` and
``predict``, so that a new predictor only states its :class:`Requirements` and implements
``_fit`` and ``_predict`` (and ``_predict_dist`` where it has a predictive standard deviation).

Predictions are on the target's own scale and direction: for a target where lower is better (a loss)
a lower prediction means a better architecture. ``higher_is_better_`` records the direction seen at fit.

Parameters that follow the benchmark (a learning-curve metric left ``None`` reads the target's own curve)
are resolved by :meth:`Predictor.adapt` against a :class:`~naspred.predictors.requirements.Supply`: by a
harness when it plans a sweep, by ``initialize`` from the oracle, by ``fit`` from the ``ArchInfo``.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import NotFittedError

from naspred.errors import BudgetExceeded, InvalidArchitectureError, InvalidInputError, TrainingError
from naspred.oracles.budget import Budget, BudgetMeter
from naspred.oracles.oracle import LearningCurve, Oracle
from naspred.params import Parameterised
from naspred.predictors.info import ArchInfo
from naspred.predictors.prediction import Prediction
from naspred.predictors.requirements import Requirements, Supply
from naspred.spaces.base import SearchSpace

logger = logging.getLogger(__name__)


def _as_list(archs: Any, who: str) -> list[Any]:
    if isinstance(archs, (str, bytes)):
        raise InvalidInputError(f"{who}: expected a sequence of architectures, got one string; wrap it in a list")
    if hasattr(archs, "to_numpy") and not isinstance(archs, np.ndarray):
        archs = archs.to_numpy()
    try:
        items = list(archs)
    except TypeError:
        raise InvalidInputError(f"{who}: expected a sequence of architectures, got {type(archs).__name__}") from None
    if not items:
        raise InvalidInputError(f"{who}: no architectures given; expected at least one")
    return items


def check_targets(y: Any, n: int, who: str) -> np.ndarray:
    """``y`` as a finite float64 vector of length ``n``."""
    try:
        arr = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{who}: targets must be numbers, got {type(y).__name__}") from None
    if arr.ndim != 1:
        raise InvalidInputError(f"{who}: targets must be one value per architecture (1-D), got shape {arr.shape}")
    if len(arr) != n:
        raise InvalidInputError(f"{who}: {n} architectures but {len(arr)} targets; expected one target per architecture")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise InvalidInputError(
            f"{who}: {bad.size} target(s) are not finite (first at position {int(bad[0])}: {arr[bad[0]]}); "
            "expected finite numbers"
        )
    return arr


def infer_space(archs: Sequence[Any], who: str) -> SearchSpace:
    """The one registered search space that contains every architecture of ``archs``."""
    from naspred.spaces.registry import get, names

    found = []
    for name in names():
        try:
            space = get(name)
        except ImportError as err:  # a space whose optional module is not installed
            logger.debug("search space %s not importable: %s", name, err)
            continue
        if all(_in_space(space, a) for a in archs):
            found.append(space)
    if len(found) != 1:
        which = "no registered search space" if not found else f"several search spaces ({[s.name for s in found]})"
        raise InvalidArchitectureError(
            f"{who}: {which} contain(s) all the architectures; pass info=ArchInfo(space=...) to say which"
        )
    return found[0]


def _in_space(space: SearchSpace, arch: Any) -> bool:
    if isinstance(arch, str):
        try:
            arch = space.parse(arch)
        except InvalidArchitectureError:
            return False
    return space.contains(arch)


class Predictor(Parameterised, RegressorMixin, BaseEstimator, ABC):
    """A performance predictor: OMNI's initialize / query phases over scikit-learn's fit / predict.

    Subclasses declare their parameters once, as class attributes made by :func:`naspred.params.param`
    (a default and a constraint; the keyword-only ``__init__`` that stores them unchanged, as ``clone``,
    ``get_params`` and ``set_params`` expect, is made from them, and :meth:`validate_params` checks them
    before every fit), override :attr:`requirements`, and implement :meth:`_fit` and :meth:`_predict`;
    those with a predictive distribution set ``uncertainty = True`` and implement :meth:`_predict_dist`.
    Fitted state lives in attributes ending in ``_`` (``space_``, ``higher_is_better_``, ``n_train_``).
    """

    #: family of the predictor: "model-based", "learning-curve", "zero-cost", "weight-sharing" or "hybrid"
    family: str = "model-based"
    #: whether :meth:`predict_dist` gives a standard deviation
    uncertainty: bool = False

    @property
    def requirements(self) -> Requirements:
        """What this predictor needs (may depend on its parameters)."""
        return Requirements(labelled=True, encoding=True)

    def unsupported(self, space: Any) -> str | None:
        """Why this predictor, as configured, cannot run on architectures of ``space`` though a benchmark supplies
        what :attr:`requirements` names (None where it can); an experiment's plan skips it with this reason."""
        return None

    @property
    def _name(self) -> str:
        return type(self).__name__

    # -- to implement ------------------------------------------------------------------------------
    @abstractmethod
    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        """Fit on validated architectures (of ``self.space_``) and finite targets."""

    @abstractmethod
    def _predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        """Predicted target of each validated architecture."""

    def _predict_dist(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation of each prediction (for predictors with ``uncertainty``)."""
        raise NotImplementedError(f"{self._name} has no predictive distribution")

    # -- low level: scikit-learn style -------------------------------------------------------------
    def fit(self, archs: Sequence[Any], y: Any, info: ArchInfo | None = None) -> Predictor:
        """Fit on architectures and their targets; ``info`` carries what :attr:`requirements` ask for."""
        who = f"{self._name}.fit"
        self.validate_params()
        items = _as_list(archs, who)
        y = check_targets(y, len(items), who)
        info = self._check_info(info, who)
        space = info.space if info.space is not None else infer_space(items, who)
        items = self._validated(items, space, who)
        info = replace(info, space=space)
        self.adapt(Supply.of_info(info))
        req = self.requirements
        if req.labelled and len(items) < req.min_labelled:
            raise InvalidInputError(f"{who}: {len(items)} architecture(s); {self._name} needs at least {req.min_labelled}")
        info.check(len(items), req, self._name)
        self._fit(items, y, info)
        self.space_ = space
        self.higher_is_better_ = info.higher_is_better
        self.n_train_ = len(items)
        return self

    def predict(self, archs: Sequence[Any], info: ArchInfo | None = None) -> np.ndarray:
        """Predicted target of each architecture (on the target's scale and direction)."""
        return self.predict_dist(archs, info, with_std=False).mean.copy()

    def predict_dist(self, archs: Sequence[Any], info: ArchInfo | None = None, with_std: bool = True) -> Prediction:
        """Mean and, for predictors with ``uncertainty``, standard deviation of each prediction."""
        who = f"{self._name}.predict"
        self._check_fitted()
        items = _as_list(archs, who)
        info = self._check_info(info, who)
        space = self._space_for(items, info, who)
        items = self._validated(items, space, who)
        info = replace(info, space=space)
        info.check(len(items), self.requirements, self._name)
        if with_std and self.uncertainty:
            mean, std = self._predict_dist(items, info)
        else:
            mean, std = self._predict(items, info), None
        try:
            out = Prediction(mean, std)
        except InvalidInputError as err:
            raise InvalidInputError(f"{self._name} produced an invalid prediction: {err}") from err
        if len(out) != len(items):
            raise InvalidInputError(f"{self._name} produced {len(out)} predictions for {len(items)} architectures")
        return out

    def adapt(self, supply: Supply) -> Predictor:
        """Resolve the parameters that follow the benchmark against what it offers; returns ``self``.

        Afterwards :attr:`requirements` name what this benchmark must supply (the curve metric read, the
        feature groups used). Stored as ``supply_``; ``initialize`` and ``fit`` call it again.
        """
        if not isinstance(supply, Supply):
            raise InvalidInputError(f"{self._name}.adapt: expected a Supply, got {type(supply).__name__}")
        self.supply_ = supply
        return self

    # -- OMNI phases ---------------------------------------------------------------------------------
    def initialize(self, oracle: Oracle, budget: Budget) -> None:
        """Spend the init budget: train architectures drawn from ``oracle`` to completion, then fit.

        Architectures are drawn one at a time and trained until the budget refuses the next one (or the
        oracle has none left); a training failure skips that architecture. Predictors that need no
        labelled architectures only record the space and target direction.
        """
        self.adapt(Supply.of_oracle(oracle))
        req = self.requirements
        if req.labelled and budget.per_arch:
            raise InvalidInputError("a per-architecture budget applies to the query phase; give the init budget in total")
        with oracle.metered(budget, "init") as meter:
            if not req.labelled:
                self.space_ = oracle.space
                self.higher_is_better_ = oracle.higher_is_better
                self.n_train_ = 0
                return
            self._check_init_budget(meter)
            archs, results, proxies = self._train_labelled(oracle, meter, req)
            if len(archs) < req.min_labelled:
                raise InvalidInputError(
                    f"init budget ({meter.limit.describe()}) paid for {len(archs)} architecture(s) trained to "
                    f"completion ({meter.spent['seconds']:g} s spent); {self._name} needs at least {req.min_labelled}"
                )
            unlabelled = tuple(oracle.sample(req.unlabelled, mark_seen=False)) if req.unlabelled else ()
            info = self._assemble(oracle, [r.curves for r in results], proxies, req, unlabelled)
            y = np.array([r.final for r in results], dtype=np.float64)
            logger.info("%s: fitting on %d architectures", self._name, len(archs))
            with meter.timing("fit"):
                self.fit(archs, y, info)

    def query(self, archs: Sequence[Any], oracle: Oracle, budget: Budget) -> Prediction:
        """Spend the query budget on ``archs`` (partial training, proxies) as required, then predict.

        The budget is usually per architecture (``Budget(..., per_arch=True)``). A zero budget is refused
        only by predictors that spend at query time. A refused charge (``BudgetExceeded``) or a failed
        partial training (``TrainingError``) of a queried architecture ends the query: no prediction
        is made for architectures that could not be measured.
        """
        who = f"{self._name}.query"
        items = [oracle.check_arch(a) for a in _as_list(archs, who)]
        self._check_fitted()
        fitted = getattr(self, "space_", None)
        if fitted is not None and fitted.name != oracle.space.name:
            raise InvalidArchitectureError(
                f"{who}: {self._name} was fitted on space {fitted.name!r}, the oracle serves {oracle.space.name!r}"
            )
        if not hasattr(self, "supply_"):
            self.adapt(Supply.of_oracle(oracle))
        req = self.requirements
        if req.query_cost and budget.is_zero:
            raise InvalidInputError(
                f"{who}: the query budget is zero but {self._name} spends at query time "
                f"({self._query_spending(req)}); give it a query budget above zero"
            )
        with oracle.metered(budget, "query", n_archs=len(items)) as meter:
            curves: list[dict[str, LearningCurve]] = []
            if req.uses_curves:
                if req.fidelity >= oracle.full_epochs:
                    raise InvalidInputError(
                        f"{who}: fidelity {req.fidelity} epochs reaches the full schedule of {oracle.full_epochs}; "
                        "queried architectures can only be trained partially"
                    )
                curves = [oracle.train(a, req.fidelity).curves for a in items]
            proxies = oracle.proxies(items, req.proxies) if req.proxies else {}
            info = self._assemble(oracle, curves, proxies, req, ())
            with meter.timing("predict"):
                return self.predict_dist(items, info)

    # -- internals -------------------------------------------------------------------------------
    @staticmethod
    def _query_spending(req: Requirements) -> str:
        parts = []
        if req.uses_curves:
            parts.append(f"partial training to {req.fidelity} epochs")
        if req.proxies:
            parts.append(f"proxies {list(req.proxies)}")
        return ", ".join(parts)

    def _check_init_budget(self, meter: BudgetMeter) -> None:
        budget = meter.limit
        if budget.is_unlimited:
            raise InvalidInputError(
                f"{self._name} trains architectures until its init budget is spent; give a limited budget "
                "(seconds, archs or epochs)"
            )
        if not budget.allows_full_training:
            raise InvalidInputError(
                f"init budget ({budget.describe()}) allows no architecture to be trained to completion; "
                f"{self._name} needs at least {self.requirements.min_labelled}"
            )

    def _train_labelled(
        self, oracle: Oracle, meter: BudgetMeter, req: Requirements
    ) -> tuple[list[Any], list[Any], dict[str, np.ndarray]]:
        archs: list[Any] = []
        results = []
        proxy_rows: list[dict[str, np.ndarray]] = []
        while oracle.remaining() != 0:
            reason = meter.shortfall(archs=1, epochs=oracle.full_epochs)
            if reason is not None:  # known before drawing: leave the pool untouched
                logger.info("%s: init budget spent after %d architectures: %s", self._name, len(archs), reason)
                break
            arch = oracle.sample(1)[0]
            try:
                result = oracle.train(arch, oracle.full_epochs)
                row = oracle.proxies([arch], req.proxies) if req.proxies else {}
            except BudgetExceeded as stop:
                logger.info("%s: init stopped after %d architectures: %s", self._name, len(archs), stop)
                break
            except TrainingError as err:
                logger.warning("%s: skipping an architecture that failed to train: %s", self._name, err)
                continue
            archs.append(arch)
            results.append(result)
            proxy_rows.append(row)
        proxies = {name: np.concatenate([r[name] for r in proxy_rows]) for name in req.proxies} if archs else {}
        return archs, results, proxies

    def _assemble(
        self,
        oracle: Oracle,
        curves: list[dict[str, LearningCurve]],
        proxies: dict[str, np.ndarray],
        req: Requirements,
        unlabelled: tuple[Any, ...],
    ) -> ArchInfo:
        context = {"space": oracle.space, "higher_is_better": oracle.higher_is_better, "target": oracle.target,
                   "proxies": proxies, "unlabelled": unlabelled}
        if not req.uses_curves:
            return ArchInfo(**context)
        metrics = req.curve_metrics if req.curve_metrics else tuple(sorted(curves[0]))
        return ArchInfo.from_results(curves, metrics, req.fidelity, **context)

    def _check_info(self, info: ArchInfo | None, who: str) -> ArchInfo:
        if info is None:
            return ArchInfo(higher_is_better=getattr(self, "higher_is_better_", True))
        if not isinstance(info, ArchInfo):
            raise InvalidInputError(f"{who}: info must be an ArchInfo or None, got {type(info).__name__}")
        return info

    def _check_fitted(self) -> None:
        req = self.requirements
        if (req.labelled or req.init_training) and not hasattr(self, "space_"):
            raise NotFittedError(
                f"{self._name} is not fitted yet: call fit(archs, y) or initialize(oracle, budget) before "
                "predict or query"
            )

    def _space_for(self, items: list[Any], info: ArchInfo, who: str) -> SearchSpace:
        fitted = getattr(self, "space_", None)
        if info.space is not None and fitted is not None and info.space.name != fitted.name:
            raise InvalidArchitectureError(
                f"{who}: {self._name} was fitted on space {fitted.name!r}, info says {info.space.name!r}"
            )
        if info.space is not None:
            return info.space
        if fitted is not None:
            return fitted
        return infer_space(items, who)

    def _validated(self, items: list[Any], space: SearchSpace, who: str) -> list[Any]:
        try:
            return space.validate_many([space.parse(a) if isinstance(a, str) else a for a in items])
        except InvalidArchitectureError as err:
            raise InvalidArchitectureError(f"{who}: {err}; expected architectures of space {space.name!r}") from err
