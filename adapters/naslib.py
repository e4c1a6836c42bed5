"""NASLib's predictor interface over any naspred predictor.

NASLib (github.com/automl/NASLib, the library of White et al., "How Powerful are Performance Predictors in
Neural Architecture Search?", NeurIPS 2021; ``naslib/predictors/predictor.py``) drives a predictor as follows
(the call shapes of its callers, read from automl/NASLib; the commits are named in
``tests/test_adapters_naslib_paths.py``):

* ``PredictorEvaluator`` (``naslib/defaults/predictor_evaluator.py``): ``set_ss_type(search_space.get_type())``,
  ``pre_process()``, ``get_data_reqs()`` once per architecture loaded, ``pre_compute(xtrain, xtest)``, then per
  train size and fidelity ``reset_hyperparams()``, ``get_hpo_wrapper()`` (a true answer starts NASLib's own
  random search through ``set_random_hyperparams``), ``fit(xtrain, ytrain, train_info)``, ``get_hyperparams()``
  (every value is stored as ``"hp_<name>"``, rounded with ``np.round`` and written with ``json.dump``) and
  ``query(xtest, test_info)``, whose result must have a ``shape`` (2-D: the mean over axis 0 is taken).
  Architectures are graph objects; ``train_info`` / ``test_info`` is ``[]`` unless ``requires_partial_lc``,
  then one dict per architecture with ``"lc"`` (or ``"<METRIC>_lc"`` when ``metric`` is a list), cut to the
  fidelity.
* ``ZeroCostPredictorEvaluator`` (``naslib/evaluators/zc_evaluator.py``): ``set_ss_type``, ``pre_process()``,
  then per test architecture either ``zc_api[hash][method_type]["score"]`` (with ``use_zc_api``, for every
  architecture the table holds: the predictor is not queried) or ``query(graph, dataloader=loader)``, one
  number per graph.
* ``ZCEnsembleEvaluator`` (``naslib/evaluators/zc_ensemble_evaluator.py``) and BANANAS / NPENAS / BasePredictor
  drive an ``Ensemble`` (:mod:`naspred.adapters.naslib_ensemble`), whose members are instances of this class.

Side information travels as NASLib passes it: a list with one dict per architecture holding learning curves
(``"lc"``) and zero-cost scores (:mod:`naspred.adapters.naslib_info`). Architectures arrive as NASLib passes
them (:mod:`naspred.adapters.naslib_inputs`).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any

import numpy as np
from naspred.adapters.naslib_info import (
    ZC_ARGS,
    ZeroCostScores,
    info_entries,
    read_curves,
)
from naspred.adapters.naslib_inputs import (
    ONE_HOT_LENGTHS,
    encoding_space,
    from_encoding,
    from_graph,
    from_hash,
    graph_space,
    is_graph,
)
from naspred.benchmarks.base import Benchmark, Curves
from naspred.benchmarks.naslib_names import NASLIB_SPACES
from naspred.errors import InvalidArchitectureError, InvalidInputError
from naspred.predictors.base import Predictor, check_targets, infer_space
from naspred.predictors.info import ArchInfo
from naspred.predictors.prediction import Prediction
from naspred.predictors.registry import resolve as resolve_predictor
from naspred.predictors.requirements import Requirements
from naspred.predictors.zerocost import ZeroCost as ZeroCostPredictor
from naspred.spaces.base import SearchSpace
from naspred.spaces.registry import get as get_space
from naspred.spaces.registry import names as space_names
from naspred.spaces.transnas import BY_TARGET

logger = logging.getLogger(__name__)

#: NASLib search-space types (``search_space.get_type()``) and the naspred space of each
SS_TYPES: Mapping[str, str] = MappingProxyType(dict(NASLIB_SPACES))
_NASLIB_TYPE = {"nb201": "nasbench201", "nb101": "nasbench101", "darts": "nasbench301",
                "tnb101-micro": "transbench101_micro", "tnb101-macro": "transbench101_macro"}


def _as_space(space: SearchSpace | str | None) -> SearchSpace | None:
    if space is None or isinstance(space, SearchSpace):
        return space
    if isinstance(space, str):
        return get_space(SS_TYPES.get(space, space))
    raise InvalidInputError(
        f"space must be a SearchSpace, a naspred space name or a NASLib ss_type {sorted(SS_TYPES)}, "
        f"got {type(space).__name__}"
    )


def naslib_metric(name: str) -> Any:
    """NASLib's ``Metric`` member of a naspred curve metric (``"val_accuracy"`` -> ``Metric.VAL_ACCURACY``)
    where NASLib is importable (its graphs' ``query`` accepts nothing else), else the name itself."""
    module = sys.modules.get("naslib.search_spaces.core.query_metrics")
    if module is None:
        try:
            from naslib.search_spaces.core import query_metrics as module  # type: ignore[no-redef]
        except Exception:  # noqa: BLE001 - NASLib absent or failing to import: plain names serve naspred callers
            return name
    try:
        return module.Metric[name.upper()]
    except (AttributeError, KeyError):
        return name


def _number(value: Any) -> int | float | None:
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    return None


class FittedModel:
    """What NASLib's ``ZCEnsembleEvaluator`` reads as ``ensemble.ensemble[0].model``: ``get_fscore()``."""

    def __init__(self, predictor: Predictor) -> None:
        self.predictor = predictor

    def get_fscore(self) -> dict[str, float]:
        """Feature importances keyed ``"f<i>"`` (XGBoost's split counts, else ``feature_importances_``)."""
        model = getattr(self.predictor, "model_", None)
        booster = getattr(model, "get_booster", None)
        if callable(booster):
            return {str(k): float(v) for k, v in booster().get_fscore().items()}
        importances = getattr(model, "feature_importances_", None)
        if importances is None:
            return {}
        return {f"f{i}": float(v) for i, v in enumerate(np.asarray(importances, dtype=np.float64)) if v > 0}


class NASLibPredictor:
    """A naspred predictor behind NASLib's predictor interface.

    ``predictor`` is a :class:`~naspred.predictors.base.Predictor` or a registered name (built with
    ``params``). ``space`` is a naspred search space, its name, or a NASLib ``ss_type``; it may instead be set
    by :meth:`set_ss_type`, as NASLib's evaluators do, or taken from ``benchmark``, from NASLib graph objects
    (``get_type()``, class name, ``get_op_indices()``) or from the length of NASLib encodings. Architectures
    may be naspred architectures, text in the space's notation, tuples of operation indices (NASLib's
    ``get_op_indices()`` order), NASLib hashes, NASLib graph objects, or NASLib's ``adjacency_one_hot``
    encodings (:mod:`naspred.adapters.naslib_inputs`). Targets are maximised unless ``higher_is_better=False``.
    """

    def __init__(
        self,
        predictor: Predictor | str,
        space: SearchSpace | str | None = None,
        *,
        benchmark: Benchmark | None = None,
        higher_is_better: bool = True,
        **params: Any,
    ) -> None:
        predictor = resolve_predictor(predictor, "NASLibPredictor", **params)
        if benchmark is not None and not isinstance(benchmark, Benchmark):
            raise InvalidInputError(f"benchmark must be a naspred Benchmark, got {type(benchmark).__name__}")
        if not isinstance(higher_is_better, (bool, np.bool_)):
            raise InvalidInputError(f"higher_is_better must be True or False, got {higher_is_better!r}")
        self.predictor = predictor
        self.benchmark = benchmark
        self.higher_is_better = bool(higher_is_better)
        self.space: SearchSpace | None = None
        self.ss_type: str | None = None
        self._defaults = dict(predictor.get_params(deep=False))
        self._zero_cost = ZeroCostScores()
        self._unlabeled: tuple[Any, ...] = ()
        self._arch_cache: dict[Any, Any] = {}
        chosen = _as_space(space)
        if benchmark is not None:
            if chosen is not None and chosen.name != benchmark.space.name:
                raise InvalidInputError(
                    f"space {chosen.name!r} differs from the space {benchmark.space.name!r} of benchmark {benchmark.name!r}"
                )
            chosen = benchmark.space
        if chosen is not None:
            self._set_space(chosen)

    def __repr__(self) -> str:
        return f"NASLibPredictor({self.predictor!r}, space={self.space.name if self.space else None!r})"

    # -- NASLib's interface ----------------------------------------------------------------------------
    def set_ss_type(self, ss_type: str) -> None:
        """Set the search space from NASLib's ``ss_type`` (``"nasbench201"``, ...) or a naspred space name."""
        if not isinstance(ss_type, str) or (ss_type not in SS_TYPES and ss_type not in space_names()):
            raise InvalidInputError(
                f"unknown ss_type {ss_type!r}; expected a NASLib type {sorted(SS_TYPES)} or a naspred space "
                f"{space_names()}"
            )
        space = _as_space(ss_type)
        if self.space is not None and self.space.name != space.name:
            raise InvalidInputError(
                f"ss_type {ss_type!r} is space {space.name!r}, but this predictor serves space {self.space.name!r}"
            )
        self._set_space(space)
        self.ss_type = ss_type

    def pre_process(self) -> None:
        """Start afresh: forget the proxies and unlabelled architectures of an earlier :meth:`pre_compute`."""
        self._zero_cost.clear()
        self._unlabeled = ()

    def get_data_reqs(self) -> dict[str, Any]:
        """NASLib's data requirements, from the wrapped predictor's :class:`Requirements`.

        ``metric`` names the learning-curve metric(s): NASLib's ``Metric`` member where NASLib is importable
        (``Metric.VAL_ACCURACY``), else naspred's name (``"val_accuracy"``). Hyperparameters of the
        architecture are never read.
        """
        req = self.requirements
        metrics = [naslib_metric(m) for m in req.curve_metrics] if req.uses_curves else []
        metric: Any = None
        if metrics:
            metric = metrics[0] if len(metrics) == 1 else metrics
        return {
            "requires_partial_lc": req.uses_curves,
            "metric": metric,
            "requires_hyperparameters": False,
            "hyperparams": {},
            "unlabeled": req.unlabelled > 0,
            "unlabeled_factor": 1 if req.unlabelled > 0 else 0,
        }

    def pre_compute(self, xtrain: Sequence[Any], xtest: Sequence[Any], unlabeled: Sequence[Any] | None = None) -> None:
        """Convert and validate every architecture once, look up the proxies the predictor reads (from
        ``benchmark``) and keep ``unlabeled`` for a semi-supervised predictor's fit."""
        who = "NASLibPredictor.pre_compute"
        archs = self._convert(xtrain, who, "xtrain") + self._convert(xtest, who, "xtest")
        extra = self._convert(unlabeled, who, "unlabeled") if unlabeled is not None else []
        req = self.requirements
        if req.proxies and self.benchmark is not None:
            self._zero_cost.lookup(archs + extra, req.proxies, self.benchmark, who, type(self.predictor).__name__)
        self._unlabeled = tuple(extra)

    def set_pre_computations(
        self,
        unlabeled: Sequence[Any] | None = None,
        xtrain_zc_info: Mapping[str, Any] | None = None,
        xtest_zc_info: Mapping[str, Any] | None = None,
        unlabeled_zc_info: Mapping[str, Any] | None = None,
    ) -> None:
        """What NASLib's optimizers and ``ZCEnsembleEvaluator`` hand over before :meth:`fit`: unlabelled
        architectures (for a semi-supervised predictor) and zero-cost scores as
        ``{"zero_cost_scores": [{proxy: score}, ...]}``, one dict per architecture of the next ``fit`` (or
        ``query``) in order. Arguments left ``None`` keep what an earlier call gave."""
        who = "NASLibPredictor.set_pre_computations"
        if unlabeled is not None:
            self._unlabeled = tuple(self._convert(unlabeled, who, "unlabeled"))
        for what, value in zip(ZC_ARGS, (xtrain_zc_info, xtest_zc_info, unlabeled_zc_info)):
            if value is not None:
                self._zero_cost.give(what, value, who)

    def fit(self, xtrain: Sequence[Any], ytrain: Any, train_info: Sequence[Mapping[str, Any]] | None = None) -> NASLibPredictor:
        """Fit the wrapped predictor on ``xtrain`` and their targets ``ytrain``."""
        archs, info = self.fit_inputs(xtrain, ytrain, train_info)
        self.predictor.fit(archs, info[0], info[1])
        return self

    def query(
        self, xtest: Any, info: Sequence[Mapping[str, Any]] | None = None, dataloader: Any = None
    ) -> np.ndarray | float:
        """Predicted target of each architecture, one float per architecture; one float for a single NASLib
        graph (``ZeroCostPredictorEvaluator``'s ``query(graph, dataloader=...)``; the loader is not read)."""
        if is_graph(xtest):
            return float(self.query([xtest], None if info is None else [info] if isinstance(info, Mapping) else info)[0])
        archs, arch_info = self.query_inputs(xtest, info, "NASLibPredictor.query")
        return self.predictor.predict(archs, arch_info)

    def query_dist(self, xtest: Sequence[Any], info: Sequence[Mapping[str, Any]] | None = None) -> Prediction:
        """Mean and, where the wrapped predictor has one, standard deviation of each prediction."""
        archs, arch_info = self.query_inputs(xtest, info, "NASLibPredictor.query_dist")
        return self.predictor.predict_dist(archs, arch_info)

    def get_hyperparams(self) -> dict[str, int | float]:
        """The wrapped predictor's numeric parameters (NASLib's evaluator rounds every value it is given)."""
        out = {}
        for key, value in self.predictor.get_params(deep=False).items():
            number = _number(value)
            if number is not None:
                out[key] = number
        return out

    def set_hyperparams(self, hyperparams: Mapping[str, Any] | None) -> None:
        """Set parameters of the wrapped predictor (``None`` leaves them as they are)."""
        if hyperparams is None:
            return
        if not isinstance(hyperparams, Mapping):
            raise InvalidInputError(f"hyperparams must be a dict of parameters, got {type(hyperparams).__name__}")
        known = self.predictor.get_params(deep=False)
        unknown = sorted(set(hyperparams) - set(known))
        if unknown:
            raise InvalidInputError(
                f"{type(self.predictor).__name__} has no parameter {unknown}; its parameters are {sorted(known)}"
            )
        self.predictor.set_params(**hyperparams)

    def reset_hyperparams(self) -> None:
        """Restore the parameters the wrapped predictor had when it was wrapped."""
        self.predictor.set_params(**self._defaults)

    def get_hpo_wrapper(self) -> bool:
        """False: naspred predictors bring their own defaults, so NASLib runs no hyperparameter search."""
        return False

    @property
    def model(self) -> FittedModel:
        """The fitted model as NASLib's ``ZCEnsembleEvaluator`` reads it (``model.get_fscore()``)."""
        return FittedModel(self.predictor)

    @property
    def method_type(self) -> str:
        """NASLib's name of the predictor: the proxy of a zero-cost predictor (``"jacov"``, ``"zen"``), as
        NASLib's ``ZeroCost(method_type=...)`` has it, else the wrapped predictor's class name.

        ``ZeroCostPredictorEvaluator`` with ``use_zc_api`` reads ``zc_api[hash][method_type]["score"]`` for every
        architecture the table holds, in place of a query."""
        proxy = getattr(self.predictor, "proxy", None)
        if isinstance(self.predictor, ZeroCostPredictor) and isinstance(proxy, str):
            return proxy
        return type(self.predictor).__name__

    # -- naspred side ------------------------------------------------------------------------------
    @property
    def requirements(self) -> Requirements:
        """What the wrapped predictor needs. A learning-curve predictor that follows the benchmark
        (``metric=None``) is first adapted to NASLib's evaluators: target ``val_accuracy``, every curve
        recorded."""
        req = self.predictor.requirements
        if req.uses_curves and not req.curve_metrics and callable(getattr(self.predictor, "adapt", None)):
            from naspred.predictors.requirements import Supply

            self.predictor.adapt(Supply(target="val_accuracy", higher_is_better=self.higher_is_better))
            req = self.predictor.requirements
        return req

    @property
    def fidelity(self) -> int | None:
        """Epochs of learning curve the wrapped predictor reads, or ``None``."""
        return self.requirements.fidelity

    def fit_inputs(self, xtrain: Any, ytrain: Any, train_info: Any) -> tuple[list[Any], tuple[np.ndarray, ArchInfo]]:
        """``fit``'s architectures, targets and :class:`ArchInfo`, converted from NASLib's arguments."""
        who = "NASLibPredictor.fit"
        archs = self._convert(xtrain, who, "xtrain")
        y = check_targets(ytrain, len(archs), who)
        return archs, (y, self._info(archs, train_info, who, "train_info", fit=True))

    def query_inputs(self, xtest: Any, info: Any, who: str) -> tuple[list[Any], ArchInfo]:
        """``query``'s architectures and :class:`ArchInfo`, converted from NASLib's arguments."""
        archs = self._convert(xtest, who, "xtest")
        return archs, self._info(archs, info, who, "info", fit=False)

    def _set_space(self, space: SearchSpace) -> None:
        if self.space is not None and self.space.name != space.name:
            self._arch_cache.clear()
        self.space = space
        self.ss_type = _NASLIB_TYPE.get(space.name, self.ss_type)

    def _convert(self, xs: Any, who: str, what: str) -> list[Any]:
        if isinstance(xs, (str, bytes)) or not isinstance(xs, (Sequence, np.ndarray)):
            raise InvalidInputError(f"{who}: {what} must be a list of architectures, got {type(xs).__name__}")
        items = list(xs)
        if not items:
            raise InvalidInputError(f"{who}: {what} is empty; expected at least one architecture")
        if self.space is None:
            first = items[0]
            guess = graph_space(first, SS_TYPES) if is_graph(first) else encoding_space(first)
            try:
                self._set_space(get_space(guess) if guess else infer_space(items, who))
            except InvalidArchitectureError as err:
                raise InvalidArchitectureError(
                    f"{who}: the search space of {what} is not known ({err}); give NASLibPredictor(space=...) "
                    "or call set_ss_type(...) first"
                ) from err
        return self._cached(items, who, what)

    def _cached(self, items: list[Any], who: str, what: str) -> list[Any]:
        """Convert ``items``, reusing earlier conversions; cells missing from the cache are built in one batch
        where the space builds cells from an array of op indices (NAS-Bench-201, TransNAS-Bench-101 micro)."""
        cache = self._arch_cache
        keys = _graph_keys(items) or [_cache_key(x) for x in items]
        out: list[Any] = [None] * len(items)
        misses = []
        for pos, key in enumerate(keys):
            try:
                out[pos] = cache.get(key) if key is not None else None
            except TypeError:  # an unhashable tuple (a compact form of lists)
                keys[pos] = None
            if out[pos] is None:
                misses.append(pos)
        batch = self._cells([keys[p] for p in misses]) if misses else None
        for k, pos in enumerate(misses):
            arch = batch[k] if batch is not None else self._native(items[pos], pos, who, what)
            out[pos] = arch
            if keys[pos] is not None and len(cache) < _CACHE_SIZE:
                cache[keys[pos]] = arch
        return out

    def _cells(self, keys: list[Any]) -> list[Any] | None:
        """Cells of the op indices in ``keys`` built in one call, or None (convert one at a time)."""
        order = _CELL_ORDER.get(self.space.name) if self.space is not None else None
        if order is None or any(k is None or len(k[1]) != len(order) for k in keys):
            return None
        try:
            return self.space.from_op_indices(np.asarray([k[1] for k in keys], dtype=np.int64)[:, order])
        except (InvalidArchitectureError, ValueError, TypeError):
            return None  # the one-at-a-time conversion says which architecture is wrong

    def _native(self, x: Any, pos: int, who: str, what: str) -> Any:
        space = self.space
        assert space is not None
        by_tuple = getattr(space, "from_tuple", None)
        try:
            if isinstance(x, space.arch_type):
                return space.validate(x)
            if isinstance(x, str):
                return space.validate(space.parse(x))
            if is_graph(x):
                return from_graph(x, space)
            if isinstance(x, (tuple, list, np.ndarray)):
                if len(x) == ONE_HOT_LENGTHS.get(space.name) and np.ndim(x) == 1:
                    return from_encoding(x, space)
                if by_tuple is not None:
                    return by_tuple(list(x))
                return from_hash(x, space)
            return space.validate(x)
        except InvalidArchitectureError as err:
            raise InvalidArchitectureError(f"{who}: {what}[{pos}]: {err}") from err

    def _info(self, archs: list[Any], info: Any, who: str, what: str, fit: bool) -> ArchInfo:
        if isinstance(info, ArchInfo):
            return info if info.space is not None else replace(info, space=self.space)
        req = self.requirements
        entries = info_entries(info, len(archs), who, what)
        reader = type(self.predictor).__name__
        curves: dict[str, Curves] = {}
        if req.uses_curves:
            if entries is None:
                raise InvalidInputError(
                    f"{who}: {reader} reads {req.fidelity} epoch(s) of learning curve "
                    f"({list(req.curve_metrics)}); pass {what} as a list with one dict per architecture holding 'lc'"
                )
            curves = read_curves(entries, req, who, what, reader)
        proxies = {}
        if req.proxies:
            stored = "xtrain_zc_info" if fit else "xtest_zc_info"
            proxies = self._zero_cost.read(archs, entries, req.proxies, self.benchmark, who, stored, reader)
        return ArchInfo(
            space=self.space,
            higher_is_better=self.higher_is_better,
            curves=curves,
            proxies=proxies,
            unlabelled=self._unlabeled if fit and req.unlabelled else (),
        )

#: converted architectures kept per predictor (NASLib's BANANAS queries one candidate at a time)
_CACHE_SIZE = 100_000
#: spaces whose ``from_tuple`` is ``from_op_indices`` of the tuple's columns in this order
_CELL_ORDER = {"nb201": list(range(6)), "tnb101-micro": list(BY_TARGET)}


def _graph_keys(items: list[Any]) -> list[Any] | None:
    """:func:`_cache_key` of a batch of graphs of one class, read in one pass (None: not such a batch)."""
    cls = type(items[0])
    if not hasattr(cls, "get_op_indices") or hasattr(cls, "get_spec") or any(type(x) is not cls for x in items):
        return None
    try:
        codes = np.asarray([x.get_op_indices() for x in items], dtype=np.int64)
    except (TypeError, ValueError):
        return None
    if codes.ndim != 2:
        return None
    return [(cls, row) for row in map(tuple, codes.tolist())]


def _cache_key(x: Any) -> tuple[Any, tuple[Any, ...]] | None:
    """A hashable key for an input whose conversion may be reused: op-index tuples and graphs' op indices
    (not NAS-Bench-101 graphs, whose op indices do not determine the cell)."""
    if type(x) is tuple:
        return ("tuple", x)
    ops = getattr(x, "get_op_indices", None)
    if ops is None or hasattr(x, "get_spec"):
        return None
    try:
        return (type(x), tuple(map(int, ops())))
    except (TypeError, ValueError):
        return None
