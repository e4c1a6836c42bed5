"""An experiment: benchmark × predictors × init budgets × query budgets × trials, from the CLI or a file.

Budgets follow the two protocols of White et al. (NeurIPS 2021, "How Powerful are Performance
Predictors in Neural Architecture Search?"): NASLib's grids in units (train size = architectures
trained to completion during initialization; fidelity = epochs of partial training per queried
architecture) and the OMNI algorithm's budgets in seconds (simulated training time plus measured
wall time). A spec file is TOML or YAML with the fields of :class:`ExperimentSpec`; predictors are
names, or tables with ``name``, optional ``params`` and ``label``::

    benchmark = "nb201-cifar10"        # or a file: "zc_transbench101_micro.json"
    # dataset = "class_scene"          # a dataset / task of a file that holds several (naspred or NASLib name)
    # space = "tnb101-micro"           # the search space, where the file does not say
    # with_proxies = ["nb101_zen.zip"] # proxy-only files joined onto the benchmark
    train_sizes = [10, 100]
    trials = 20
    [[predictors]]
    name = "rf"
    params = { n_estimators = 50 }

Presets (:data:`PRESETS`) reproduce the paper's NAS-Bench-201 grids.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from naspred.benchmarks.base import Benchmark
from naspred.errors import InvalidInputError
from naspred.evaluation.metrics import DEFAULT_TOP_K
from naspred.oracles.budget import Budget
from naspred.params import Instance, Int, Options, check, optional

INIT_UNITS = ("archs", "seconds", "unlimited")
QUERY_UNITS = ("epochs", "seconds", "unlimited")


#: what the splits mean for isomorphs, said where a split is refused
SPLIT_PROTOCOLS = ("'random' draws test and training rows at random from all rows, isomorphs of training "
                   "architectures among the test ones; every other split keeps canonical forms apart, and 'sampled' "
                   "is the canonical counterpart of 'random': the same test rows for one seed")

#: the most trials one sweep plans; a larger grid is refused with an estimate of its work (split it instead)
MAX_TRIALS = 200_000


def check_trial_count(n: int, grid: str, at_least: bool = False) -> None:
    """Refuse a sweep of ``n`` trials (``grid`` says how they multiply) above :data:`MAX_TRIALS`, before planning it."""
    if n <= MAX_TRIALS:
        return
    raise InvalidInputError(
        f"the sweep would run {'at least ' if at_least else ''}{n:,} trials ({grid}), more than the {MAX_TRIALS:,} "
        f"one sweep plans: listing them alone would hold about {n // 1000:,} MB, and at one second a trial they would take {n / 86_400:,.1f} days. "
        "Lower trials or the budgets, or split the sweep into several --out folders (naspred report A B --out C "
        "reports them together)"
    )


def naslib_train_sizes(max_train_size: int, first: float = 5.1, steps: int = 11) -> tuple[int, ...]:
    """NASLib's train sizes: ``steps`` log-spaced values from 5.1 to ``max_train_size``, rounded down.

    Source: automl/NASLib, ``naslib/benchmarks/create_configs.py`` (``np.logspace`` base 2 from
    log2(5.1) to log2(max_train_size), 11 values, cast with ``int``); 1000 for NAS-Bench-201 and 101.
    """
    return tuple(int(v) for v in np.floor(np.geomspace(first, max_train_size, steps) + 1e-9))


def naslib_fidelities(total_epochs: int, steps: int = 15) -> tuple[int, ...]:
    """NASLib's fidelities: ``steps`` log-spaced epochs from 2**0.9 to ``total_epochs - 1``, rounded down.

    Source: automl/NASLib, ``naslib/benchmarks/create_configs.py`` (``np.logspace`` base 2 from 0.9 to
    log2(total_epochs - 1), 15 values, cast with ``int``); 200 epochs for NAS-Bench-201.
    """
    return tuple(int(v) for v in np.floor(np.geomspace(2**0.9, total_epochs - 1, steps) + 1e-9))


#: preset name -> spec fields (the paper's NAS-Bench-201 grids: 200 test architectures)
PRESETS: Mapping[str, Mapping[str, Any]] = {
    "naslib-nb201-train-size": {"train_sizes": naslib_train_sizes(1000), "test_size": 200},
    "naslib-nb201-fidelity": {"fidelities": naslib_fidelities(200), "train_sizes": (100,), "test_size": 200},
    "naslib-nb201-both": {
        "train_sizes": naslib_train_sizes(1000), "fidelities": naslib_fidelities(200), "test_size": 200,
    },
}


def preset(name: str) -> dict[str, Any]:
    """The spec fields of preset ``name``."""
    try:
        return dict(PRESETS[name])
    except KeyError:
        raise InvalidInputError(f"unknown preset {name!r}; expected one of {sorted(PRESETS)}") from None


@dataclass(frozen=True)
class PredictorSpec:
    """A registered predictor with constructor parameters; ``label`` names it in the results; ``trials``: run in
    the first ``trials`` trials only (None: all), for predictors too slow for every trial."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""
    trials: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidInputError(f"a predictor needs a non-empty name, got {self.name!r}")
        who = f"predictor {self.name!r}"
        check(who, "params", self.params, Instance(Mapping, what="a table of parameters"))
        params = dict(sorted(self.params.items()))
        try:
            json.dumps(params)
        except (TypeError, ValueError):
            raise InvalidInputError(f"params of predictor {self.name!r} must be plain values (numbers, text, lists)") from None
        object.__setattr__(self, "params", params)
        if check(who, "trials", self.trials, optional(Int(1))) is not None:
            object.__setattr__(self, "trials", int(self.trials))
        if not self.label:
            suffix = ",".join(f"{k}={v}" for k, v in params.items())
            object.__setattr__(self, "label", f"{self.name}({suffix})" if suffix else self.name)

    @classmethod
    def parse(cls, value: Any) -> PredictorSpec:
        """From a name or a mapping with ``name``, ``params`` and ``label``."""
        if isinstance(value, PredictorSpec):
            return value
        if isinstance(value, str):
            return cls(value.strip())
        if isinstance(value, Mapping):
            unknown = sorted(set(value) - {"name", "params", "label", "trials"})
            if unknown:
                raise InvalidInputError(f"predictor entry has unknown keys {unknown}; expected name, params, label, trials")
            if "name" not in value:
                raise InvalidInputError(f"predictor entry {dict(value)} has no 'name'")
            return cls(value["name"], value.get("params") or {}, value.get("label") or "", value.get("trials"))
        raise InvalidInputError(f"a predictor is a name or a table with 'name', got {type(value).__name__}")

    def to_dict(self) -> dict[str, Any]:
        limit = {} if self.trials is None else {"trials": self.trials}  # left out unset: older folders resume
        return {"name": self.name, "params": dict(self.params), "label": self.label, **limit}


@dataclass(frozen=True, order=True)
class _BudgetPoint:
    """One point of a budget grid: an amount in ``unit``, or ``unlimited``."""

    unit: str
    value: float = 0.0

    #: what the budget is called in messages
    what: ClassVar[str] = ""
    #: the units, ``"unlimited"`` among them
    units: ClassVar[tuple[str, ...]] = ()
    #: the unit counted in whole numbers
    whole: ClassVar[str] = ""
    #: whether the limits apply to each queried architecture
    per_arch: ClassVar[bool] = False

    def __post_init__(self) -> None:
        check(self.what, "unit", self.unit, Options(self.units))
        _check_amount(self.value, f"{self.what} ({self.unit})", integer=self.unit == self.whole)

    def budget(self) -> Budget:
        """The oracle's :class:`~naspred.oracles.budget.Budget` of this point."""
        if self.unit == "unlimited":
            return Budget(per_arch=self.per_arch)
        amount = int(self.value) if self.unit == self.whole else float(self.value)
        return Budget(**{self.unit: amount}, per_arch=self.per_arch)

    def describe(self) -> str:
        if self.unit == "unlimited":
            return "unlimited"
        return f"{self.value:g} {self.unit}" + (" per arch" if self.per_arch else "")


@dataclass(frozen=True, order=True)
class InitBudget(_BudgetPoint):
    """The initialization budget of a trial: ``archs`` trained to completion, ``seconds``, or ``unlimited``.

    ``unlimited`` is the point given to predictors that train nothing during initialization.
    """

    what: ClassVar[str] = "init budget"
    units: ClassVar[tuple[str, ...]] = INIT_UNITS
    whole: ClassVar[str] = "archs"


@dataclass(frozen=True, order=True)
class QueryBudget(_BudgetPoint):
    """The query budget per queried architecture: ``epochs`` of partial training (the fidelity), ``seconds``,
    or ``unlimited`` (for predictors whose query cost is fixed by their own parameters)."""

    what: ClassVar[str] = "query budget"
    units: ClassVar[tuple[str, ...]] = QUERY_UNITS
    whole: ClassVar[str] = "epochs"
    per_arch: ClassVar[bool] = True


def _check_amount(value: Any, what: str, integer: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidInputError(f"{what} must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise InvalidInputError(f"{what} must be finite and >= 0, got {value!r}")
    if integer and value != int(value):
        raise InvalidInputError(f"{what} must be a whole number, got {value!r}")
    return float(value)


def _int_list(values: Any, what: str, minimum: int) -> tuple[int, ...]:
    items = _as_items(values, what)
    out = []
    for v in items:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) and not (isinstance(v, float) and v.is_integer()):
            raise InvalidInputError(f"{what} must be whole numbers, got {v!r}")
        if v < minimum:
            raise InvalidInputError(f"{what} must be >= {minimum}, got {v!r}")
        out.append(int(v))
    return _unique(out, what)


def _float_list(values: Any, what: str) -> tuple[float, ...]:
    out = [_check_amount(v, what, integer=False) for v in _as_items(values, what)]
    return _unique(out, what)


def _as_items(values: Any, what: str) -> list[Any]:
    if values is None:
        return []
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise InvalidInputError(f"{what} must be a list, got {values!r}")
    return list(values)


def _unique(values: list[Any], what: str) -> tuple[Any, ...]:
    if len(set(values)) != len(values):
        raise InvalidInputError(f"{what} repeat a value: {values}")
    return tuple(sorted(values))


@dataclass(frozen=True)
class ExperimentSpec:
    """What to run. Budgets: ``train_sizes`` (archs) and ``init_seconds`` for initialization,
    ``fidelities`` (epochs per queried arch) and ``query_seconds`` (per queried arch) for the query.

    Each trial ``t`` has its own seed: derived from ``seed`` and ``t`` by hashing, except on the ``"sampled"``
    and ``"random"`` splits, where it is ``seed + t`` (the seeding of ``perf/predictors.py``'s committed splits);
    ``test_size`` architectures are held out first. ``top_k`` are the k of precision@k and top-k tau.
    ``dataset`` and ``space`` choose one block of a benchmark file that holds several (naspred's or NASLib's
    names); ``with_proxies`` are files of precomputed proxies joined onto the benchmark.
    ``split``: ``"oracle"`` (the predictor draws its training architectures from the trial's oracle under the
    init budget), or a strategy of :func:`~naspred.evaluation.splits.draw_split` (``"distinct"``, as the OMNI
    ablation: test rows and nested training sets fixed per trial, every predictor fitted on the same rows;
    ``"sampled"``: test rows drawn from all rows, training rows from those sharing no canonical form with them;
    ``"random"``: the test rows of ``"sampled"``, training rows from all the other rows).
    Its :attr:`protocol`: ``"canonical"`` for every split but ``"random"`` (no training architecture is
    isomorphic to a test architecture), ``"random"`` for ``"random"`` (isomorphs of training architectures in the
    test set, as NASLib and the published NAS-Bench-201 encoders split; ``"sampled"`` on the same seed is its
    canonical counterpart, with the same test rows). ``pool``: with a fixed split, a proxy name keeps the rows
    where that proxy is recorded.
    """

    benchmark: str
    predictors: tuple[PredictorSpec, ...]
    dataset: str | None = None
    space: str | None = None
    with_proxies: tuple[str, ...] = ()
    train_sizes: tuple[int, ...] = ()
    init_seconds: tuple[float, ...] = ()
    fidelities: tuple[int, ...] = ()
    query_seconds: tuple[float, ...] = ()
    trials: int = 20
    test_size: int = 200
    seed: int = 0
    top_k: tuple[int, ...] = DEFAULT_TOP_K
    split: str = "oracle"
    pool: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.benchmark, str) or not self.benchmark:
            raise InvalidInputError(f"benchmark must be a registered name or a path, got {self.benchmark!r}")
        for name in ("dataset", "space"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise InvalidInputError(f"{name} must be a name (a non-empty string), got {value!r}")
        files = (self.with_proxies,) if isinstance(self.with_proxies, str) else self.with_proxies
        if not all(isinstance(p, str) and p for p in files):
            raise InvalidInputError(f"with_proxies must be paths of proxy files, got {self.with_proxies!r}")
        object.__setattr__(self, "with_proxies", tuple(files))
        preds = tuple(PredictorSpec.parse(p) for p in _as_items(self.predictors, "predictors"))
        if not preds:
            raise InvalidInputError("no predictors given; expected at least one registered predictor name")
        labels = [p.label for p in preds]
        if len(set(labels)) != len(labels):
            raise InvalidInputError(f"predictor labels repeat: {labels}; give each entry its own 'label'")
        object.__setattr__(self, "predictors", preds)
        object.__setattr__(self, "train_sizes", _int_list(self.train_sizes, "train sizes", 1))
        object.__setattr__(self, "init_seconds", _float_list(self.init_seconds, "init budgets in seconds"))
        object.__setattr__(self, "fidelities", _int_list(self.fidelities, "fidelities (epochs)", 1))
        object.__setattr__(self, "query_seconds", _float_list(self.query_seconds, "query budgets in seconds"))
        object.__setattr__(self, "top_k", _int_list(self.top_k, "top_k", 2))
        for name, minimum in (("trials", 1), ("test_size", 2), ("seed", 0)):
            object.__setattr__(self, name, int(check("ExperimentSpec", name, getattr(self, name), Int(minimum))))
        check_trial_count(self.trials * len(self.predictors),
                          f"{self.trials:,} trials x {len(self.predictors)} predictor(s), before budgets", at_least=True)
        self._check_split()
        if self.top_k and max(self.top_k) > self.test_size:
            raise InvalidInputError(
                f"top_k {list(self.top_k)} exceeds the test size {self.test_size}; expected k <= test size"
            )

    def _check_split(self) -> None:
        from naspred.evaluation.splits import STRATEGIES

        try:
            check("ExperimentSpec", "split", self.split, Options(("oracle", *STRATEGIES)))
        except InvalidInputError as err:
            raise InvalidInputError(f"{err} ({SPLIT_PROTOCOLS})") from None
        if self.split == "oracle":
            if self.pool is not None:
                raise InvalidInputError("pool chooses the rows of a fixed split; give a split strategy with it")
            return
        if not self.train_sizes or self.init_seconds or self.query_seconds:
            raise InvalidInputError(
                f"split {self.split!r} fits every predictor on the trial's training rows: give train sizes, "
                "and no budgets in seconds"
            )

    @property
    def protocol(self) -> str:
        """``"random"`` on the ``"random"`` split (isomorphs of training architectures may be tested), else
        ``"canonical"``."""
        from naspred.evaluation.splits import protocol

        return protocol(self.split)

    def fixed_split(self) -> Any:
        """The :class:`~naspred.evaluation.splits.FixedSplit` of the trials, or None for oracle splits."""
        from naspred.evaluation.splits import FixedSplit

        if self.split == "oracle":
            return None
        pool = "all" if self.pool is None else "recorded"
        return FixedSplit(tuple(sorted(self.train_sizes)), self.split, pool, self.pool)

    # -- the benchmark ---------------------------------------------------------------------------------
    @property
    def benchmark_key(self) -> str:
        """The benchmark with its selectors, as trials and result rows name it: ``name`` alone, or
        ``name[dataset=...,space=...,with_proxies=...]``."""
        parts = [f"{k}={v}" for k, v in (("dataset", self.dataset), ("space", self.space)) if v is not None]
        parts += [f"with_proxies={p}" for p in self.with_proxies]
        return f"{self.benchmark}[{','.join(parts)}]" if parts else self.benchmark

    def load_benchmark(self, data_home: str | Path | None = None) -> Benchmark:
        """The benchmark this spec names, its block chosen by ``dataset`` / ``space`` and ``with_proxies`` joined."""
        from naspred.benchmarks import load, load_proxies

        bench = load(self.benchmark, data_home=data_home, dataset=self.dataset, space=self.space)
        for path in self.with_proxies:
            bench = bench.with_proxies(load_proxies(path, dataset=bench.dataset, space=bench.space.name))
        return bench

    # -- budgets -----------------------------------------------------------------------------------
    def init_budgets(self) -> list[InitBudget]:
        """Initialization budgets: the train sizes, then the budgets in seconds."""
        return [InitBudget("archs", n) for n in self.train_sizes] + [InitBudget("seconds", s) for s in self.init_seconds]

    def query_budgets(self) -> list[QueryBudget]:
        """Query budgets: the fidelities, then the budgets in seconds."""
        return [QueryBudget("epochs", f) for f in self.fidelities] + [QueryBudget("seconds", s) for s in self.query_seconds]

    # -- (de)serialisation ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary that :meth:`from_mapping` reads back."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("dataset", "space", "with_proxies", "pool") and not value or (f.name == "split" and value == "oracle"):
                continue  # left out at their defaults, so that folders written before these fields still resume
            if f.name == "predictors":
                value = [p.to_dict() for p in value]
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ExperimentSpec:
        """From a mapping of field names (a ``preset`` key merges the preset's fields underneath)."""
        if not isinstance(data, Mapping):
            raise InvalidInputError(f"an experiment spec is a table of fields, got {type(data).__name__}")
        data = dict(data)
        if "preset" in data:
            data = {**preset(data.pop("preset")), **data}
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidInputError(f"unknown spec field(s) {unknown}; expected some of {sorted(known)} or 'preset'")
        for required in ("benchmark", "predictors"):
            if required not in data:
                raise InvalidInputError(f"the spec has no {required!r}")
        return cls(**data)

    @classmethod
    def from_file(cls, path: str | Path) -> ExperimentSpec:
        """From a TOML (``.toml``) or YAML (``.yaml``, ``.yml``) file."""
        return cls.from_mapping(read_spec_file(path))

    def with_overrides(self, **changes: Any) -> ExperimentSpec:
        """A copy with the given fields replaced (``None`` values leave a field as it is)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def read_spec_file(path: str | Path) -> dict[str, Any]:
    """The table of a TOML or YAML spec file."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise InvalidInputError(f"{path}: no such spec file")
    text = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
    if suffix == ".toml":
        try:
            import tomllib
        except ImportError:  # Python 3.10
            import tomli as tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise InvalidInputError(f"{path}: not valid TOML: {err}") from None
    elif suffix in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise InvalidInputError(
                f"{path}: reading YAML needs PyYAML (`pip install naspred[yaml]`); or write the spec as TOML"
            ) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise InvalidInputError(f"{path}: not valid YAML: {err}") from None
    else:
        raise InvalidInputError(f"{path}: a spec file ends in .toml, .yaml or .yml")
    if not isinstance(data, Mapping):
        raise InvalidInputError(f"{path}: the spec must be a table of fields, got {type(data).__name__}")
    return dict(data)
