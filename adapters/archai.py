"""naspred predictors, NAS-Bench-201 cells and their ground truth inside Archai's discrete search.

Archai (github.com/microsoft/archai, 1.0.0; ``archai/discrete_search/api``) searches with three pieces:
a search space (``BayesOptSearchSpace`` for ``encode``, ``EvolutionarySearchSpace`` for ``mutate`` and
``crossover``, both with ``random_sample``, ``save_arch``/``load_arch`` and
``save_model_weights``/``load_model_weights``), objectives (``ModelEvaluator``s registered in
``SearchObjectives``) and, for its BANANAS search (``MoBananasSearch``: Izquierdo et al., "Bag of Baselines
for Multi-objective Joint Neural Architecture Search and Hyperparameter Optimization", 2021), a surrogate
``Predictor`` with ``fit(encoded_archs, y)`` and ``predict(encoded_archs) -> MeanVar``. This module gives:

- :class:`NB201SearchSpace`: naspred's NAS-Bench-201 cells as an Archai search space. An ``ArchaiModel``
  holds the :class:`~naspred.spaces.nasbench201.NB201Arch` as ``arch`` and the NAS-Bench-201 string as
  ``archid``; ``encode`` is naspred's ``adjacency_one_hot`` encoding (30 values), which
  :class:`ArchaiPredictor` decodes back into cells.
- :class:`ArchaiPredictor`: any naspred predictor as Archai's surrogate ``Predictor``.
- :class:`BenchmarkObjective` and :func:`nb201_objectives`: NAS-Bench-201 ground truth (validation
  accuracy, HW-NAS-Bench hardware cost) read from a naspred benchmark, as Archai objectives.

Importing this module imports Archai (several seconds); nothing else in naspred does.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

try:
    from archai.discrete_search.api.archai_model import ArchaiModel
    from archai.discrete_search.api.model_evaluator import ModelEvaluator
    from archai.discrete_search.api.predictor import MeanVar
    from archai.discrete_search.api.predictor import Predictor as _ArchaiSurrogate
    from archai.discrete_search.api.search_objectives import SearchObjectives
    from archai.discrete_search.api.search_space import (
        BayesOptSearchSpace,
        EvolutionarySearchSpace,
    )
    from overrides import overrides
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError(
        f"naspred.adapters.archai needs Archai 1.0.0 ({err}); install it with pip install 'naspred[archai]'"
    ) from err

from naspred.benchmarks.base import Benchmark
from naspred.errors import DataFileError, InvalidArchitectureError, InvalidInputError
from naspred.featurizers.adjacency import cell_one_hot
from naspred.predictors.base import Predictor
from naspred.predictors.info import ArchInfo
from naspred.predictors.registry import resolve as resolve_predictor
from naspred.spaces.nasbench201 import NB201Arch, NB201Space

logger = logging.getLogger(__name__)

#: the hardware costs of HW-NAS-Bench (Li et al., ICLR 2021) that are minimised: latencies and energies
HARDWARE_SUFFIXES = ("_latency", "_energy")


def _cell_of(space: NB201Space, model: Any, who: str) -> NB201Arch:
    """The NAS-Bench-201 cell of an ``ArchaiModel``: its ``arch``, else its ``archid`` (after ``clear()``)."""
    if not isinstance(model, ArchaiModel):
        raise InvalidArchitectureError(f"{who}: expected an ArchaiModel of a NAS-Bench-201 cell, got {type(model).__name__}")
    archid = model.archid
    if model.arch is None:
        try:
            return space.parse(archid)
        except InvalidArchitectureError as err:
            raise InvalidArchitectureError(
                f"{who}: the model's arch was cleared and its archid {archid!r} is not a NAS-Bench-201 cell: {err}"
            ) from err
    try:
        cell = space.validate(model.arch)
    except InvalidArchitectureError as err:
        raise InvalidArchitectureError(f"{who}: model {archid!r}: {err}") from err
    if archid != space.format(cell):
        raise InvalidArchitectureError(
            f"{who}: the model's archid {archid!r} is not its cell {space.format(cell)!r}; expected archid to be the "
            "NAS-Bench-201 string of arch"
        )
    return cell


class NB201SearchSpace(BayesOptSearchSpace, EvolutionarySearchSpace):
    """NAS-Bench-201 cells (Dong & Yang, ICLR 2020) as an Archai search space, drawn with a seeded generator.

    Sampling and mutation are naspred's (:class:`~naspred.spaces.nasbench201.NB201Space`: each edge
    uniform; one edge changed to another operation). Crossover takes each edge's operation from a parent
    drawn uniformly. Architectures are saved as JSON ``{"space": "nb201", "arch": "<NAS-Bench-201 string>"}``
    (metadata is not saved). A tabular benchmark trains nothing, so there are no weights: the two weight
    methods raise ``NotImplementedError``.
    """

    def __init__(self, seed: int = 1) -> None:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise InvalidInputError(f"seed must be an integer, got {seed!r}")
        self.space = NB201Space()
        self.seed = int(seed)
        self.rng = np.random.default_rng(self.seed)

    def __repr__(self) -> str:
        return f"NB201SearchSpace(seed={self.seed})"

    # -- naspred side ------------------------------------------------------------------------------
    def model(self, cell: NB201Arch | str) -> ArchaiModel:
        """The ``ArchaiModel`` of a cell (or of its NAS-Bench-201 string / NASLib tuple text)."""
        cell = self.space.parse(cell) if isinstance(cell, str) else self.space.validate(cell)
        return ArchaiModel(arch=cell, archid=self.space.format(cell))

    def cell(self, model: ArchaiModel) -> NB201Arch:
        """The cell an ``ArchaiModel`` of this space holds (read from ``archid`` once Archai cleared ``arch``)."""
        return _cell_of(self.space, model, "NB201SearchSpace")

    @property
    def encoding_size(self) -> int:
        """Length of :meth:`encode`'s vector: one one-hot of the operations per edge."""
        return self.space.num_edges * len(self.space.ops)

    def decode(self, encoded: Any) -> list[NB201Arch]:
        """The cells of rows of :meth:`encode` (a 2-D array); raises on anything that is not such a row."""
        try:
            arr = np.asarray(encoded, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidArchitectureError(
                f"expected encoded NAS-Bench-201 cells as a numeric array, got {type(encoded).__name__}"
            ) from None
        k, width = len(self.space.ops), self.encoding_size
        if arr.ndim != 2 or arr.shape[1] != width:
            raise InvalidArchitectureError(
                f"expected encoded NAS-Bench-201 cells as an (n, {width}) array (one one-hot of {k} operations per "
                f"edge, NB201SearchSpace.encode), got shape {arr.shape}"
            )
        blocks = arr.reshape(len(arr), self.space.num_edges, k)
        one_hot = np.isin(blocks, (0.0, 1.0)).all(axis=2) & (blocks.sum(axis=2) == 1.0)
        if not one_hot.all():
            row, edge = (int(v) for v in np.argwhere(~one_hot)[0])
            raise InvalidArchitectureError(
                f"encoded row {row} is not a NAS-Bench-201 cell: edge {edge}'s block {blocks[row, edge].tolist()} is "
                f"not a one-hot of the {k} operations {self.space.ops}"
            )
        return self.space.from_op_indices(blocks.argmax(axis=2))

    # -- Archai's interface -------------------------------------------------------------------------
    @overrides
    def encode(self, arch: ArchaiModel) -> np.ndarray:
        """naspred's ``adjacency_one_hot`` of the cell: 6 edges x 5 operations, float64."""
        cell = self.cell(arch)
        return cell_one_hot(self.space.op_indices([cell]).astype(np.int64), len(self.space.ops))[0]

    @overrides
    def random_sample(self) -> ArchaiModel:
        """A cell drawn uniformly from the 15,625."""
        return self.model(self.space.sample(self.rng))

    @overrides
    def mutate(self, arch: ArchaiModel) -> ArchaiModel:
        """A new model whose cell differs from ``arch``'s in one edge (naspred's NB201 mutation)."""
        return self.model(self.space.mutate(self.cell(arch), self.rng))

    @overrides
    def crossover(self, arch_list: list[ArchaiModel]) -> ArchaiModel:
        """A new model whose every edge takes the operation of a parent drawn uniformly for that edge."""
        if isinstance(arch_list, ArchaiModel) or not isinstance(arch_list, Sequence) or not arch_list:
            raise InvalidInputError(
                f"crossover takes a non-empty list of ArchaiModels, got {type(arch_list).__name__}"
            )
        parents = [self.cell(m) for m in arch_list]
        picks = self.rng.integers(len(parents), size=self.space.num_edges)
        return self.model(NB201Arch(tuple(parents[p].ops[e] for e, p in enumerate(picks))))

    @overrides
    def save_arch(self, model: ArchaiModel, file_path: str) -> None:
        """Write ``{"space": "nb201", "arch": "<NAS-Bench-201 string>"}`` to ``file_path``."""
        record = {"space": self.space.name, "arch": self.space.format(self.cell(model))}
        Path(file_path).write_text(json.dumps(record) + "\n", encoding="utf-8")

    @overrides
    def load_arch(self, file_path: str) -> ArchaiModel:
        """The model saved by :meth:`save_arch` in ``file_path``."""
        text = Path(file_path).read_text(encoding="utf-8")
        try:
            record = json.loads(text)
        except json.JSONDecodeError as err:
            raise DataFileError(f"{file_path}: not JSON ({err}); expected what NB201SearchSpace.save_arch writes") from None
        if not isinstance(record, dict) or not isinstance(record.get("arch"), str):
            raise DataFileError(f"{file_path}: expected a JSON object with an 'arch' string, got {text[:80]!r}")
        if record.get("space") != self.space.name:
            raise InvalidArchitectureError(
                f"{file_path}: holds an architecture of space {record.get('space')!r}; expected {self.space.name!r}"
            )
        return self.model(record["arch"])

    @overrides
    def save_model_weights(self, model: ArchaiModel, file_path: str) -> None:
        """Not available: NAS-Bench-201 ground truth is a table, no network is trained, so no weights exist."""
        raise NotImplementedError(
            "NB201SearchSpace models hold no weights: NAS-Bench-201 results are read from a table and no network is "
            "trained; save the architecture with save_arch"
        )

    @overrides
    def load_model_weights(self, model: ArchaiModel, file_path: str) -> None:
        """Not available: see :meth:`save_model_weights`."""
        raise NotImplementedError(
            "NB201SearchSpace models hold no weights: NAS-Bench-201 results are read from a table and no network is "
            "trained; load the architecture with load_arch"
        )


def _directions(value: Any) -> bool | tuple[bool, ...]:
    """``higher_is_better`` checked: one bool for every objective, or a list with one bool per objective."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (bool, np.bool_)) for v in value):
        return tuple(bool(v) for v in value)
    raise InvalidInputError(f"higher_is_better must be a bool or a non-empty list of bools, got {value!r}")


def _unmet_needs(predictor: Predictor) -> str:
    """What ``predictor`` needs beyond labelled architectures and targets ('' when nothing)."""
    req = predictor.requirements
    needs = {
        "no labelled architectures (it is not fitted)": not req.labelled,
        f"learning curves at {req.fidelity} epochs": req.uses_curves,
        f"zero-cost proxies {list(req.proxies)}": bool(req.proxies),
        f"{req.unlabelled} unlabelled architectures": req.unlabelled > 0,
    }
    return "; ".join(what for what, needed in needs.items() if needed)


class ArchaiPredictor(_ArchaiSurrogate):
    """A naspred predictor as Archai's surrogate ``Predictor`` over :class:`NB201SearchSpace` encodings.

    ``predictor`` is a naspred :class:`~naspred.predictors.base.Predictor` or a registered name (built with
    ``params``). ``fit(encoded_archs, y)`` decodes the rows into cells and fits one copy of the predictor
    (``sklearn.base.clone``) per column of ``y``: Archai passes ``(N, n_objectives)``, one column per
    compute-intensive objective; a 1-D ``y`` is one objective. ``higher_is_better`` gives the direction of
    each objective (one bool for all, or one per column). ``predict`` returns ``MeanVar`` of shape
    ``(N, n_objectives)``: the predictor's mean and, as variance, the square of its predictive standard
    deviation where it has one (``predictor.uncertainty``); zeros otherwise, so that Archai's Thompson
    sampling then ranks by the mean alone.

    Archai passes only encodings and targets, so predictors that read learning curves, zero-cost proxies or
    unlabelled architectures are refused.
    """

    def __init__(
        self,
        predictor: Predictor | str,
        space: NB201SearchSpace | None = None,
        *,
        higher_is_better: bool | Sequence[bool] = True,
        **params: Any,
    ) -> None:
        predictor = resolve_predictor(predictor, "ArchaiPredictor", **params)
        unmet = _unmet_needs(predictor)
        if unmet:
            raise InvalidInputError(
                f"{type(predictor).__name__} reads {unmet}; Archai's Predictor.fit(encoded_archs, y) passes only "
                "encoded architectures and targets: use a model-based predictor (e.g. 'bananas', 'rf', 'xgb', 'gp')"
            )
        if space is None:
            space = NB201SearchSpace()
        if not isinstance(space, NB201SearchSpace):
            raise InvalidInputError(f"space must be an NB201SearchSpace, got {type(space).__name__}")
        self.predictor = predictor
        self.space = space
        self.higher_is_better = _directions(higher_is_better)
        self.models_: list[Predictor] = []

    def __repr__(self) -> str:
        return f"ArchaiPredictor({self.predictor!r})"

    @overrides
    def fit(self, encoded_archs: np.ndarray, y: np.ndarray) -> None:
        """Fit one copy of the predictor per objective (column of ``y``) on the decoded cells."""
        cells = self.space.decode(encoded_archs)
        try:
            targets = np.asarray(y, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidInputError(f"ArchaiPredictor.fit: y must be numbers, got {type(y).__name__}") from None
        if targets.ndim == 1:
            targets = targets[:, None]
        if targets.ndim != 2 or targets.shape[1] == 0:
            raise InvalidInputError(
                f"ArchaiPredictor.fit: y must be (N,) or (N, n_objectives) with at least one objective, got shape "
                f"{np.shape(y)}"
            )
        if len(targets) != len(cells):
            raise InvalidInputError(
                f"ArchaiPredictor.fit: {len(cells)} encoded architectures but {len(targets)} rows of y; expected one "
                "row per architecture"
            )
        models = []
        directions = self.higher_is_better
        if isinstance(directions, bool):
            directions = (directions,) * targets.shape[1]
        elif len(directions) != targets.shape[1]:
            raise InvalidInputError(
                f"ArchaiPredictor.fit: higher_is_better gives {len(directions)} direction(s) for {targets.shape[1]} "
                "objective(s) in y; expected one each"
            )
        for column, hib in enumerate(directions):
            model = clone(self.predictor)
            info = ArchInfo(space=self.space.space, higher_is_better=hib)
            try:
                model.fit(cells, targets[:, column], info)
            except InvalidInputError as err:
                raise InvalidInputError(f"ArchaiPredictor.fit, objective column {column}: {err}") from err
            models.append(model)
        self.models_ = models
        logger.debug("fitted %d %s model(s) on %d cells", len(models), type(self.predictor).__name__, len(cells))

    @overrides
    def predict(self, encoded_archs: np.ndarray) -> MeanVar:
        """Mean and variance (std squared, or zeros) of each objective: two ``(N, n_objectives)`` arrays."""
        if not self.models_:
            raise NotFittedError("ArchaiPredictor is not fitted yet: call fit(encoded_archs, y) before predict")
        cells = self.space.decode(encoded_archs)
        means, variances = [], []
        for model in self.models_:
            pred = model.predict_dist(cells, ArchInfo(space=self.space.space, higher_is_better=model.higher_is_better_))
            means.append(pred.mean)
            variances.append(pred.std**2 if pred.std is not None else np.zeros(len(pred.mean)))
        return MeanVar(mean=np.column_stack(means), var=np.column_stack(variances))


class BenchmarkObjective(ModelEvaluator):
    """One column of a naspred NAS-Bench-201 benchmark (``val_accuracy``, ``edgegpu_latency``, ...), looked up
    for the cell of an ``ArchaiModel``.

    The table holds results at one training budget, so Archai's ``budget`` must be ``None``.
    """

    def __init__(self, benchmark: Benchmark, column: str, space: NB201SearchSpace | None = None) -> None:
        if not isinstance(benchmark, Benchmark):
            raise InvalidInputError(f"benchmark must be a naspred Benchmark, got {type(benchmark).__name__}")
        if benchmark.space.name != NB201Space.name:
            raise InvalidInputError(
                f"benchmark {benchmark.name!r} is over space {benchmark.space.name!r}; expected a NAS-Bench-201 "
                "benchmark such as 'nb201-cifar10'"
            )
        numeric = [c for c in benchmark.table.columns if c != "arch" and np.issubdtype(benchmark.table[c].dtype, np.number)]
        if column not in numeric:
            raise InvalidInputError(f"benchmark {benchmark.name!r} has no numeric column {column!r}; expected one of {numeric}")
        self.benchmark = benchmark
        self.column = column
        self.space = space if space is not None else NB201SearchSpace()
        self._values = benchmark.table[column].to_numpy(dtype=np.float64)

    def __repr__(self) -> str:
        return f"BenchmarkObjective({self.benchmark.name!r}, {self.column!r})"

    @overrides
    def evaluate(self, arch: ArchaiModel, budget: float | None = None) -> float:
        """The benchmark's ``column`` for the model's cell."""
        if budget is not None:
            raise InvalidInputError(
                f"{self!r}: the benchmark records {self.column!r} at one training budget; expected budget=None, got {budget!r}"
            )
        cell = self.space.cell(arch)
        value = self._values[self.benchmark.index_of([cell])[0]]
        if not np.isfinite(value):
            raise InvalidInputError(
                f"benchmark {self.benchmark.name!r} records no {self.column!r} for cell {arch.archid!r} (NaN)"
            )
        return float(value)


def nb201_objectives(
    benchmark: Benchmark,
    hardware: str = "edgegpu_latency",
    space: NB201SearchSpace | None = None,
    hardware_is_expensive: bool = False,
) -> SearchObjectives:
    """Archai objectives over a NAS-Bench-201 benchmark: its target (``val_accuracy``, maximised,
    compute-intensive, so estimated by the surrogate) and a HW-NAS-Bench cost ``hardware`` (minimised; a
    cheap table look-up unless ``hardware_is_expensive``).
    """
    if not isinstance(benchmark, Benchmark):
        raise InvalidInputError(f"benchmark must be a naspred Benchmark, got {type(benchmark).__name__}")
    costs = [c for c in benchmark.table.columns if str(c).endswith(HARDWARE_SUFFIXES)]
    if hardware not in costs:
        raise InvalidInputError(
            f"{hardware!r} is not a hardware cost of benchmark {benchmark.name!r}; expected one of {costs}"
        )
    objectives = SearchObjectives()
    objectives.add_objective(
        benchmark.target,
        BenchmarkObjective(benchmark, benchmark.target, space),
        higher_is_better=benchmark.higher_is_better,
        compute_intensive=True,
    )
    objectives.add_objective(
        hardware,
        BenchmarkObjective(benchmark, hardware, space),
        higher_is_better=False,
        compute_intensive=bool(hardware_is_expensive),
    )
    return objectives
