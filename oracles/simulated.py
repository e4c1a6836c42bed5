"""An oracle that replays a benchmark's recorded results instead of training (tabular NAS benchmarks).

Training an architecture returns its recorded learning curves up to the requested epoch and charges
the benchmark's recorded training time, as tabular benchmarks are used in NAS research (Ying et al.,
NAS-Bench-101, ICML 2019; Dong & Yang, NAS-Bench-201, ICLR 2020). Where no training time is recorded,
a cost model stands in; :attr:`SimulatedOracle.cost_model` says which.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np

from naspred.benchmarks.base import Benchmark
from naspred.errors import DataFileError, InvalidArchitectureError, InvalidInputError, UnknownNameError
from naspred.oracles.oracle import LearningCurve, Oracle, TrainingResult

logger = logging.getLogger(__name__)

#: columns that may hold the FLOPs of each architecture, in order of preference
FLOPS_COLUMNS = ("flops", "proxy:flops")


class SimulatedOracle(Oracle):
    """Serves a :class:`~naspred.benchmarks.base.Benchmark`'s recorded results, holding back ``hidden`` ones.

    - ``full_epochs``: the length of the training schedule; by default the last recorded epoch of the
      benchmark's learning curves, or 1 for a benchmark without curves (one training step that yields
      the final result).
    - Cost of training ``epochs`` epochs (``cost_model``): ``epochs`` times the recorded
      ``benchmark.epoch_seconds`` of the architecture; where the benchmark records none, ``epochs`` times
      ``seconds_per_epoch`` scaled by the architecture's FLOPs over the mean FLOPs (when a ``flops`` or
      ``proxy:flops`` column exists; an architecture without FLOPs takes the mean of the architectures
      with the same canonical form, else the overall mean); else ``epochs`` times ``seconds_per_epoch``.
    - Proxies come from the ``proxy:<name>`` columns and cost their ``proxy_seconds:<name>`` column
      where present, nothing otherwise. With ``proxy_fallback``, an architecture the benchmark has no
      value for takes the value of an architecture with the same canonical form (benchmarks that list
      one cell per isomorphism class); each such read is counted in :attr:`proxy_fallbacks`.
    - :meth:`sample` draws uniformly among the rows whose target is recorded, never two architectures
      of the same canonical form, never a hidden one, and never one drawn or trained before.
    """

    def __init__(
        self,
        benchmark: Benchmark,
        hidden: Iterable[Any] = (),
        *,
        seed: int | None = None,
        full_epochs: int | None = None,
        seconds_per_epoch: float = 1.0,
        proxy_fallback: bool = True,
    ) -> None:
        if not isinstance(benchmark, Benchmark):
            raise InvalidInputError(f"SimulatedOracle needs a Benchmark, got {type(benchmark).__name__}")
        recorded = max((c.length for c in benchmark.curves.values()), default=0)
        if full_epochs is None:
            full_epochs = recorded or 1
        elif recorded > full_epochs:
            raise InvalidInputError(f"full_epochs={full_epochs} is shorter than the recorded curves ({recorded} epochs)")
        if not np.isfinite(seconds_per_epoch) or seconds_per_epoch <= 0:
            raise InvalidInputError(f"seconds_per_epoch must be finite and > 0, got {seconds_per_epoch!r}")
        self.benchmark = benchmark
        super().__init__(
            benchmark.space,
            target=benchmark.target,
            higher_is_better=benchmark.higher_is_better,
            full_epochs=full_epochs,
            hidden=hidden,
            seed=seed,
        )
        self.seconds_per_epoch = float(seconds_per_epoch)
        self.proxy_fallback = proxy_fallback
        self.proxy_fallbacks = 0
        self._y = benchmark.y
        self._codes = self._canonical_codes()
        hidden_rows = np.isin(self._codes, [self._code_of[k] for k in self._hidden_keys if k in self._code_of])
        self._hidden_rows = hidden_rows
        self._available = np.isfinite(self._y) & ~hidden_rows
        # rows grouped by canonical class (class c: _class_order[_class_start[c]:_class_start[c + 1]])
        self._class_order = np.argsort(self._codes, kind="stable")
        self._class_start = np.searchsorted(self._codes[self._class_order], np.arange(len(self._code_of) + 1))
        self._epoch_cost, self.cost_model = self._cost_per_epoch()

    # -- setup -----------------------------------------------------------------------------------
    def _canonical_codes(self) -> np.ndarray:
        self._code_of: dict[Hashable, int] = {}
        codes = np.empty(len(self.benchmark), dtype=np.int64)
        for i, arch in enumerate(self.benchmark.archs):
            codes[i] = self._code_of.setdefault(self.space.canonical(arch), len(self._code_of))
        return codes

    def _class_mean(self, values: np.ndarray) -> np.ndarray:
        """``values`` with NaN replaced by the mean over rows of the same canonical form, else the overall mean."""
        out = values.astype(np.float64, copy=True)
        ok = np.isfinite(out)
        sums = np.bincount(self._codes[ok], weights=out[ok], minlength=len(self._code_of))
        counts = np.bincount(self._codes[ok], minlength=len(self._code_of))
        missing = ~ok
        with np.errstate(invalid="ignore", divide="ignore"):
            class_mean = sums / counts
        out[missing] = class_mean[self._codes[missing]]
        out[~np.isfinite(out)] = float(values[ok].mean())
        return out

    def _cost_per_epoch(self) -> tuple[np.ndarray, str]:
        recorded = self.benchmark.epoch_seconds
        if recorded is not None:
            cost = np.asarray(recorded, dtype=np.float64)
            if cost.shape != (len(self.benchmark),):
                raise DataFileError(
                    f"benchmark {self.benchmark.name!r}: epoch_seconds has shape {cost.shape}, expected ({len(self.benchmark)},)"
                )
            if np.isfinite(cost).all() and (cost >= 0).all():
                return cost, "recorded epoch_seconds of the benchmark times epochs"
            logger.warning("benchmark %s: epoch_seconds has missing or negative values", self.benchmark.name)
            bad = int((~np.isfinite(cost) | (cost < 0)).sum())
            raise DataFileError(
                f"benchmark {self.benchmark.name!r}: epoch_seconds is missing or negative for {bad} architectures; "
                "expected a training time for every architecture"
            )
        table = self.benchmark.table
        for column in FLOPS_COLUMNS:
            if column in table.columns:
                flops = table[column].to_numpy(dtype=np.float64)
                ok = np.isfinite(flops) & (flops > 0)
                if ok.any():
                    flops = np.where(ok, flops, np.nan)
                    filled = self._class_mean(flops)
                    scale = self.seconds_per_epoch / float(flops[ok].mean())
                    model = (
                        f"no recorded training time: {self.seconds_per_epoch:g} s per epoch times {column} over its "
                        f"mean ({int((~ok).sum())} architectures without {column} take their class or overall mean)"
                    )
                    return filled * scale, model
        constant = np.full(len(self.benchmark), self.seconds_per_epoch)
        return constant, f"no recorded training time and no FLOPs: a constant {self.seconds_per_epoch:g} s per epoch"

    # -- the oracle ------------------------------------------------------------------------------
    def epoch_seconds(self, arch: Any) -> float:
        """Cost of one epoch of ``arch`` under :attr:`cost_model`."""
        return float(self._epoch_cost[self._row(arch)])

    def epoch_seconds_of(self, archs: Sequence[Any]) -> np.ndarray:
        """Cost of one epoch of each of ``archs`` under :attr:`cost_model` (one lookup for all of them)."""
        return self._epoch_cost[self.benchmark.index_of([self.check_arch(a) for a in archs])]

    def _row(self, arch: Any) -> int:
        return int(self.benchmark.index_of([self.check_arch(arch)])[0])

    def train(self, arch: Any, epochs: int) -> TrainingResult:
        """Recorded curves of ``arch`` up to ``epochs``; the target only when ``epochs == full_epochs``."""
        arch = self.check_arch(arch)
        epochs = self.check_epochs(arch, epochs)
        row = self._row(arch)
        complete = epochs == self.full_epochs
        final = None
        if complete:
            final = float(self._y[row])
            if not np.isfinite(final):
                raise InvalidInputError(
                    f"benchmark {self.benchmark.name!r} records no {self.target} for {self.space.format(arch)}"
                )
        seconds = float(self._epoch_cost[row]) * epochs
        self.meter.charge("train", seconds, archs=int(complete), epochs=epochs, arch=self.space.format(arch))
        self._mark_seen(row)
        curves = {}
        for metric, c in self.benchmark.curves.items():
            keep = (c.epochs <= epochs) & np.isfinite(c.values[row])
            curves[metric] = LearningCurve(c.epochs[keep], c.values[row, keep])
        return TrainingResult(arch, epochs, curves, final, seconds, complete)

    def is_hidden(self, arch: Any) -> bool:
        arch = self.check_arch(arch)
        try:
            row = int(self.benchmark.index_of([arch])[0])
        except InvalidArchitectureError:  # not a row of the benchmark: compare canonical forms
            return super().is_hidden(arch)
        return bool(self._hidden_rows[row])

    def _mark_seen(self, row: int) -> None:
        code = self._codes[row]
        self._available[self._class_order[self._class_start[code] : self._class_start[code + 1]]] = False

    def remaining(self) -> int:
        """Canonical forms that :meth:`sample` can still draw from."""
        return int(np.unique(self._codes[self._available]).size)

    def sample(self, n: int, rng: np.random.Generator | None = None, *, mark_seen: bool = True) -> list[Any]:
        n = self._check_n(n)
        rng = self.rng if rng is None else rng
        chosen: list[int] = []
        codes: set[int] = set()

        def take(candidates: np.ndarray) -> None:
            for row in candidates:
                if len(chosen) == n:
                    return
                code = int(self._codes[row])
                if code not in codes:
                    codes.add(code)
                    chosen.append(int(row))

        if n <= 16:
            # few: draw any row and keep it if it is available and of a class not chosen yet; each kept row
            # is uniform over those rows, as in the walk of a permutation below, without its cost per draw
            for _ in range(64 * n):
                row = int(rng.integers(len(self._available)))
                if self._available[row]:
                    take((row,))
                    if len(chosen) == n:
                        break
        if len(chosen) < n:
            take(rng.permutation(np.flatnonzero(self._available)))
        if len(chosen) < n:
            raise InvalidInputError(
                f"asked for {n} architectures but only {len(chosen)} of benchmark {self.benchmark.name!r} are "
                "neither held out nor drawn before"
            )
        if mark_seen:
            for row in chosen:
                self._mark_seen(row)
        return [self.benchmark.archs[row] for row in chosen]

    @property
    def recorded_curves(self) -> tuple[str, ...]:
        return tuple(self.benchmark.curves)

    @property
    def available_proxies(self) -> tuple[str, ...]:
        return tuple(self.benchmark.proxies)

    def proxies(self, archs: Sequence[Any], names: Iterable[str]) -> dict[str, np.ndarray]:
        names = list(names)
        unknown = [n for n in names if n not in self.available_proxies]
        if unknown:
            raise UnknownNameError(
                f"benchmark {self.benchmark.name!r} has no proxy {unknown}; it has {list(self.available_proxies)}"
            )
        rows = self.benchmark.index_of([self.check_arch(a) for a in archs])
        table = self.benchmark.table
        out: dict[str, np.ndarray] = {}
        seconds = 0.0
        for name in names:
            values = table[f"proxy:{name}"].to_numpy(dtype=np.float64)
            got = values[rows]
            for k in np.flatnonzero(~np.isfinite(got)):
                got[k] = self._proxy_fallback(values, int(rows[k]), name)
            out[name] = got
            time_column = f"proxy_seconds:{name}"
            if time_column in table.columns:
                spent = table[time_column].to_numpy(dtype=np.float64)[rows]
                seconds += float(np.nansum(spent))
        self.meter.charge("proxy", seconds, arch=f"{len(rows)} architectures" if len(rows) != 1 else
                          self.space.format(self.benchmark.archs[int(rows[0])]))
        return out

    def _proxy_fallback(self, values: np.ndarray, row: int, name: str) -> float:
        arch = self.space.format(self.benchmark.archs[row])
        if self.proxy_fallback:
            same = np.flatnonzero((self._codes == self._codes[row]) & np.isfinite(values))
            if same.size:
                self.proxy_fallbacks += 1
                return float(values[same[0]])
        raise InvalidInputError(
            f"benchmark {self.benchmark.name!r} records no proxy {name!r} for {arch}"
            + (" nor for any architecture of the same canonical form" if self.proxy_fallback else "")
        )
