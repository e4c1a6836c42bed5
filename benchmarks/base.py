"""The ground-truth contract: what a loaded benchmark holds.

A :class:`Benchmark` is a table of architectures of one search space on one dataset: the final
metric (the prediction target), learning curves where recorded, the training cost where recorded,
precomputed zero-cost proxies where shipped, and any other per-architecture metric (test accuracy,
parameters, latency, ...).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from dataclasses import replace as replace_fields
from typing import Any

import numpy as np
import pandas as pd
from naspred.errors import DataFileError, InvalidArchitectureError
from naspred.spaces.base import SearchSpace

#: table columns that are neither metrics nor proxies: the architecture, how the source file wrote it (and its other
#: keys naming the same architecture), its index there
NON_METRIC_COLUMNS: frozenset[str] = frozenset({"arch", "source_arch", "source_aliases", "naslib_idx"})
#: prefixes of proxy columns (``proxy:<name>``, ``proxy_seconds:<name>``) and metadata (``meta:<name>``)
NON_METRIC_PREFIXES: tuple[str, ...] = ("proxy:", "proxy_seconds:", "meta:")


@dataclass(frozen=True)
class Curves:
    """Learning curves of one metric for every architecture of a benchmark.

    ``epochs`` are the 1-based epochs at which the metric was recorded (``[1, 2, ..., 200]`` for a full
    curve, ``[12, 200]`` when only two points are known); ``values[i, k]`` is the metric of architecture
    ``i`` after epoch ``epochs[k]``, NaN where that architecture has no record.
    """

    epochs: np.ndarray
    values: np.ndarray

    def __post_init__(self) -> None:
        if self.values.ndim != 2 or self.values.shape[1] != len(self.epochs):
            raise DataFileError(
                f"learning curves need a (n_archs, {len(self.epochs)}) array, got shape {self.values.shape}"
            )

    @classmethod
    def every_epoch(cls, values: np.ndarray) -> Curves:
        """Curves recorded after each epoch ``1..n``, ``n`` the number of columns of ``values``."""
        return cls(np.arange(1, values.shape[1] + 1), values)

    @property
    def length(self) -> int:
        """The last recorded epoch."""
        return int(self.epochs[-1]) if len(self.epochs) else 0


def proxy_names(table: pd.DataFrame) -> list[str]:
    """Names of the proxies of a table: its columns ``proxy:<name>``."""
    return [c.split(":", 1)[1] for c in table.columns if c.startswith("proxy:")]


def target_range(target: str) -> tuple[float, float] | None:
    """The values a target can take, from its name: an accuracy lies in [0, 100] (percent; fractions in
    [0, 1] lie in it too), a loss in [0, inf); None for any other metric (no check)."""
    name = target.lower()
    if "accuracy" in name or "acc1es" in name:
        return 0.0, 100.0
    if "loss" in name:
        return 0.0, math.inf
    return None


def check_target_range(benchmark: str, target: str, values: Any, archs: Any) -> None:
    """Raise :class:`DataFileError` naming the first architecture whose ``target`` value is impossible
    (see :func:`target_range`); NaN means "not recorded" and passes (loaders note it)."""
    bounds = target_range(target)
    if bounds is None:
        return
    y = np.asarray(values)
    if y.dtype.kind not in "fiub":  # text or objects: what does not parse as a number is NaN (not recorded)
        y = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero(~np.isnan(y) & ((y < bounds[0]) | (y > bounds[1]) | np.isinf(y)))
    if bad.size:
        i = int(bad[0])
        raise DataFileError(
            f"benchmark {benchmark!r}: {bad.size} value(s) of target {target!r} lie outside [{bounds[0]:g}, "
            f"{bounds[1]:g}] (first: {float(y[i])!r} for architecture {pd.Series(archs).iloc[i]!r}); the file is "
            "damaged, or the column is not what its name says"
        )


@dataclass
class Benchmark:
    """Ground truth for the architectures of one search space on one dataset.

    ``table`` has one row per architecture (row ``i`` is ``archs[i]``) with a column ``arch`` holding the
    architecture in the space's text notation, the target column, and any further scalar metric.
    Precomputed zero-cost proxies are the columns named ``proxy:<name>``. ``epoch_seconds`` is the
    recorded training time of one epoch per architecture, where the benchmark records it.
    """

    name: str
    space: SearchSpace
    dataset: str
    table: pd.DataFrame
    target: str
    higher_is_better: bool = True
    curves: dict[str, Curves] = field(default_factory=dict)
    epoch_seconds: np.ndarray | None = None
    source: str = ""
    notes: list[str] = field(default_factory=list)
    _archs: list[Any] | None = field(default=None, repr=False)
    _index: dict[Any, int] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if "arch" not in self.table.columns:
            raise DataFileError(f"benchmark {self.name!r}: table has no 'arch' column")
        if self.target not in self.table.columns:
            raise DataFileError(
                f"benchmark {self.name!r}: target {self.target!r} is not a column; "
                f"columns are {list(self.table.columns)}"
            )
        check_target_range(self.name, self.target, self.table[self.target], self.table["arch"])
        n = len(self.table)
        for metric, curves in self.curves.items():
            if curves.values.shape[0] != n:
                raise DataFileError(
                    f"benchmark {self.name!r}: curves of {metric!r} have {curves.values.shape[0]} rows, "
                    f"the table has {n}"
                )

    def __len__(self) -> int:
        return len(self.table)

    @property
    def archs(self) -> list[Any]:
        """The architectures, parsed from the ``arch`` column on first use."""
        if self._archs is None:
            self._archs = [self.space.parse(s) for s in self.table["arch"]]
        return self._archs

    @property
    def y(self) -> np.ndarray:
        """The target of every architecture, as float64."""
        return self.table[self.target].to_numpy(dtype=np.float64)

    @property
    def proxies(self) -> list[str]:
        """Names of the precomputed zero-cost proxies."""
        return proxy_names(self.table)

    @property
    def metrics(self) -> list[str]:
        """Names of the scalar metric columns (target included; proxies and metadata excluded)."""
        return [c for c in self.table.columns if c not in NON_METRIC_COLUMNS and not c.startswith(NON_METRIC_PREFIXES)]

    def with_proxies(self, proxies: ProxyTable, *, replace: bool = False) -> Benchmark:
        """This benchmark with the proxies of ``proxies`` joined on the architecture; rows it lacks hold NaN.

        The two must be of one space and dataset. A proxy the benchmark already has is an error unless
        ``replace``. The notes say how many of the benchmark's architectures received each proxy and how
        many of the table's architectures are not in the benchmark.
        """
        if proxies.space.name != self.space.name or proxies.dataset != self.dataset:
            raise DataFileError(
                f"proxies {proxies.name!r} are of space {proxies.space.name!r} on {proxies.dataset!r}; benchmark "
                f"{self.name!r} is of space {self.space.name!r} on {self.dataset!r}: expected the same space and dataset"
            )
        names = proxies.proxies
        clash = sorted(set(names) & set(self.proxies))
        if clash and not replace:
            raise DataFileError(
                f"benchmark {self.name!r} already has proxies {clash}; pass replace=True to take {proxies.name!r}'s"
            )
        columns = [c for c in proxies.table.columns if c.startswith(("proxy:", "proxy_seconds:"))]
        extra = proxies.table.set_index("arch")[columns]
        table = self.table.drop(columns=[c for c in columns if c in self.table.columns])
        table = table.join(extra, on="arch")
        outside = int((~proxies.table["arch"].isin(self.table["arch"])).sum())
        found = int(self.table["arch"].isin(proxies.table["arch"]).sum())
        note = (
            f"proxies {names} joined from {proxies.source or proxies.name}: {found} of {len(self)} architectures "
            f"have them; {outside} of the table's {len(proxies.table)} architectures are not in this benchmark"
        )
        return replace_fields(self, table=table, notes=[*self.notes, note], _archs=self._archs, _index=self._index)

    def index_of(self, archs: Sequence[Any]) -> np.ndarray:
        """Row index of each architecture; raises if one is not in the benchmark."""
        if self._index is None:
            self._index = {a: i for i, a in enumerate(self.archs)}
        out = np.empty(len(archs), dtype=np.int64)
        for k, arch in enumerate(archs):
            try:
                out[k] = self._index[arch]
            except (KeyError, TypeError):
                raise InvalidArchitectureError(
                    f"architecture {arch!r} is not in benchmark {self.name!r} ({len(self)} architectures "
                    f"of space {self.space.name!r})"
                ) from None
        return out

    def info(self) -> dict[str, Any]:
        """A summary: space, dataset, counts, metrics, curve lengths, proxies."""
        y = self.y
        return {
            "name": self.name,
            "space": self.space.name,
            "dataset": self.dataset,
            "architectures": len(self),
            "target": self.target,
            "higher_is_better": self.higher_is_better,
            "target_min": float(np.nanmin(y)) if len(y) else None,
            "target_max": float(np.nanmax(y)) if len(y) else None,
            "metrics": self.metrics,
            "curves": {m: {"epochs": len(c.epochs), "last_epoch": c.length} for m, c in self.curves.items()},
            "training_cost_recorded": self.epoch_seconds is not None,
            "proxies": self.proxies,
            "source": self.source,
            "notes": list(self.notes),
        }


def accuracy_benchmark(
    name: str, space: SearchSpace, dataset: str, table: pd.DataFrame, source: str, notes: list[str], **recorded: Any
) -> Benchmark:
    """A benchmark whose target is the column ``val_accuracy`` (validation accuracy, maximised): what most loaders
    build. ``recorded`` passes the ``curves`` and ``epoch_seconds`` that the source records."""
    return Benchmark(name, space, dataset, table, "val_accuracy", source=source, notes=notes, **recorded)


@dataclass
class ProxyTable:
    """Precomputed zero-cost proxies of architectures with no target (a file of proxies only).

    ``table`` has a column ``arch`` (the space's text notation), ``source_arch`` (the architecture as the file
    wrote it) and ``proxy:<name>`` / ``proxy_seconds:<name>`` columns. Join it onto a benchmark that has
    targets with :meth:`Benchmark.with_proxies`.
    """

    name: str
    space: SearchSpace
    dataset: str
    table: pd.DataFrame
    source: str = ""
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.table)

    @property
    def proxies(self) -> list[str]:
        """Names of the proxies."""
        return proxy_names(self.table)

    def info(self) -> dict[str, Any]:
        """A summary: space, dataset, counts, proxies (no target)."""
        return {
            "name": self.name,
            "kind": "proxy table (no target: join it onto a benchmark with Benchmark.with_proxies / --with-proxies)",
            "space": self.space.name,
            "dataset": self.dataset,
            "architectures": len(self),
            "proxies": self.proxies,
            "source": self.source,
            "notes": list(self.notes),
        }
