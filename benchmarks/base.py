"""The ground-truth contract: what a loaded benchmark holds.

A :class:`Benchmark` is a table of architectures of one search space on one dataset: the final
metric (the prediction target), learning curves where recorded, the training cost where recorded,
precomputed zero-cost proxies where shipped, and any other per-architecture metric (test accuracy,
parameters, latency, ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from naspred.errors import DataFileError, InvalidArchitectureError
from naspred.spaces.base import SearchSpace


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

    @property
    def length(self) -> int:
        """The last recorded epoch."""
        return int(self.epochs[-1]) if len(self.epochs) else 0


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
        return [c.split(":", 1)[1] for c in self.table.columns if c.startswith("proxy:")]

    @property
    def metrics(self) -> list[str]:
        """Names of the scalar metric columns (target included, proxies excluded)."""
        return [c for c in self.table.columns if c != "arch" and not c.startswith("proxy:")]

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
            "curves": {m: {"epochs": int(len(c.epochs)), "last_epoch": c.length} for m, c in self.curves.items()},
            "training_cost_recorded": self.epoch_seconds is not None,
            "proxies": self.proxies,
            "source": self.source,
            "notes": list(self.notes),
        }
