"""Trial seeds and held-out test sets, disjoint by canonical form from everything a predictor sees.

As in NASLib's predictor evaluator (White et al., NeurIPS 2021) each trial draws its test set first:
``test_size`` architectures, uniformly over the benchmark's rows with a recorded target, never two of the
same canonical form. The oracle of the trial then hides those canonical forms, so that no architecture
isomorphic to a test architecture is trained, drawn or labelled during initialization.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from naspred.benchmarks.base import Benchmark
from naspred.errors import InvalidInputError


@dataclass(frozen=True)
class CanonicalIndex:
    """The canonical class of every row of a benchmark: ``codes[i]`` is the class of row ``i``.

    ``code_of`` maps each canonical key to its class (read only). Computing it reads every architecture
    once; it is computed once per benchmark and shared between the oracles of the trials (and workers).
    """

    codes: np.ndarray
    code_of: Mapping[Hashable, int]

    @classmethod
    def of(cls, benchmark: Benchmark) -> CanonicalIndex:
        code_of: dict[Hashable, int] = {}
        codes = np.empty(len(benchmark), dtype=np.int64)
        canonical = benchmark.space.canonical
        for i, arch in enumerate(benchmark.archs):
            codes[i] = code_of.setdefault(canonical(arch), len(code_of))
        codes.setflags(write=False)
        return cls(codes, code_of)

    def classes_with_target(self, y: np.ndarray) -> int:
        """How many canonical classes have at least one row with a finite target."""
        return int(np.unique(self.codes[np.isfinite(y)]).size)


def trial_seed(seed: int, trial: int) -> int:
    """The seed of trial ``trial`` of an experiment seeded with ``seed`` (independent streams per trial)."""
    if isinstance(trial, bool) or int(trial) != trial or trial < 0 or int(seed) != seed or seed < 0:
        raise InvalidInputError(f"seed and trial must be integers >= 0, got {seed!r} and {trial!r}")
    return int(np.random.SeedSequence([int(seed), int(trial)]).generate_state(1, dtype=np.uint32)[0])


@dataclass(frozen=True)
class HeldOutSplit:
    """The held-out test rows of one trial and the seed of its oracle (the training draws)."""

    rows: np.ndarray
    oracle_seed: int

    def archs(self, benchmark: Benchmark) -> list[Any]:
        return [benchmark.archs[int(r)] for r in self.rows]


def draw_test_split(benchmark: Benchmark, index: CanonicalIndex, n: int, seed: int) -> HeldOutSplit:
    """``n`` test rows of distinct canonical forms among rows with a finite target, and the oracle seed.

    Rows are visited in a random order and the first row of each not yet seen class is kept, so every
    row with a target is equally likely to come first. The generator is seeded by ``seed``; the oracle
    seed is drawn from the same stream after the test rows.
    """
    y = benchmark.y
    if isinstance(n, bool) or int(n) != n or n < 1:
        raise InvalidInputError(f"test size must be a positive integer, got {n!r}")
    available = index.classes_with_target(y)
    if n > available:
        raise InvalidInputError(
            f"test size {n} exceeds the {available} architectures of distinct canonical form with a target "
            f"in benchmark {benchmark.name!r}"
        )
    rng = np.random.default_rng(seed)
    candidates = rng.permutation(np.flatnonzero(np.isfinite(y)))
    # the first occurrence of each class in the shuffled order
    _, first = np.unique(index.codes[candidates], return_index=True)
    rows = candidates[np.sort(first)[:n]]
    oracle_seed = int(rng.integers(0, 2**31 - 1))
    rows.setflags(write=False)
    return HeldOutSplit(rows=rows, oracle_seed=oracle_seed)
