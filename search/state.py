"""The state of one search: what has been evaluated, through which oracle, under which meter.

Every evaluation trains an architecture to completion through the oracle, which charges its cost to the
search's budget meter; an evaluation the budget refuses ends the search (:class:`SearchStopped`). Two
architectures of the same canonical form (isomorphic cells, or cells that differ only in dead branches)
are one architecture to a search: it never pays for the second.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from naspred.errors import BudgetExceeded, InvalidInputError, TrainingError
from naspred.oracles.budget import BudgetMeter
from naspred.oracles.oracle import Oracle

logger = logging.getLogger(__name__)

#: fresh mutations tried before a search falls back to the unevaluated neighbours of an architecture
MUTATION_TRIES = 50


class SearchStopped(Exception):
    """Raised by :meth:`SearchRun.evaluate` or :meth:`SearchRun.sample` when the search must end."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SearchRun:
    """Evaluated architectures and their targets, the history rows, and the search's random generator."""

    def __init__(self, oracle: Oracle, meter: BudgetMeter, rng: np.random.Generator, labels: dict[str, Any]) -> None:
        self.oracle = oracle
        self.space = oracle.space
        self.higher_is_better = oracle.higher_is_better
        self.meter = meter
        self.rng = rng
        self.labels = dict(labels)
        self.archs: list[Any] = []
        self.values: list[float] = []
        self.rows: list[dict[str, Any]] = []
        self._value_of: dict[Hashable, float | None] = {}
        self._proxies: dict[tuple[Hashable, str], float] = {}
        self._best: float | None = None
        self._start = time.perf_counter()

    # -- what is known -------------------------------------------------------------------------------
    def score(self, value: float) -> float:
        """``value`` oriented so that higher is better."""
        return value if self.higher_is_better else -value

    def key(self, arch: Any) -> Hashable:
        """The canonical form of ``arch``: equal for architectures the search treats as one."""
        return self.space.canonical(arch)

    def is_evaluated(self, arch: Any) -> bool:
        """Whether ``arch`` (or one of its canonical form) has been evaluated or has failed to train."""
        return self.key(arch) in self._value_of

    def value_of(self, arch: Any) -> float | None:
        """The observed target of ``arch``'s canonical form, ``None`` if not evaluated or failed."""
        return self._value_of.get(self.key(arch))

    def top(self, k: int) -> list[Any]:
        """The ``k`` best evaluated architectures, best first (ties: earliest first)."""
        scores = np.array([self.score(v) for v in self.values])
        order = np.argsort(-scores, kind="stable")[:k]
        return [self.archs[i] for i in order]

    @property
    def wall_seconds(self) -> float:
        """Wall seconds since the search started."""
        return time.perf_counter() - self._start

    # -- spending ------------------------------------------------------------------------------------
    def evaluate(self, arch: Any) -> float | None:
        """Train ``arch`` to completion through the oracle and record it; ``None`` if its training failed.

        Raises :class:`SearchStopped` when the budget refuses the evaluation.
        """
        arch = self.oracle.check_arch(arch)
        key = self.key(arch)
        if key in self._value_of:
            raise InvalidInputError(
                f"{self.space.format(arch)} (or an architecture of its canonical form) was evaluated already; "
                "a search evaluates each canonical form once"
            )
        try:
            result = self.oracle.train(arch, self.oracle.full_epochs)
        except BudgetExceeded as stop:
            raise SearchStopped(str(stop)) from stop
        except TrainingError as err:
            logger.warning("skipping an architecture that failed to train: %s", err)
            self._value_of[key] = None
            return None
        value = float(result.final)
        self._value_of[key] = value
        self.archs.append(arch)
        self.values.append(value)
        if self._best is None or self.score(value) > self.score(self._best):
            self._best = value
        self.rows.append(
            {
                **self.labels,
                "evaluation": len(self.values),
                "arch": self.space.format(arch),
                "observed": value,
                "best": self._best,
                "simulated_seconds": float(self.meter.spent["seconds"]),
                "wall_seconds": self.wall_seconds,
            }
        )
        return value

    def sample(self) -> Any:
        """A random architecture of a canonical form not evaluated yet (uniform over the oracle's cells)."""
        if self.oracle.remaining() == 0:
            raise SearchStopped("every architecture the oracle serves has been evaluated")
        return self.oracle.sample(1, self.rng)[0]

    def mutation(self, arch: Any) -> Any:
        """A mutation of ``arch`` whose canonical form is not evaluated yet.

        Fresh mutations of ``arch`` are drawn up to :data:`MUTATION_TRIES` times; then an unevaluated
        neighbour is drawn uniformly; if every neighbour is evaluated, a random unevaluated architecture.
        """
        for _ in range(MUTATION_TRIES):
            child = self.space.mutate(arch, self.rng)
            if not self.is_evaluated(child):
                return child
        fresh = [n for n in self.space.neighbours(arch) if not self.is_evaluated(n)]
        if fresh:
            return fresh[int(self.rng.integers(len(fresh)))]
        return self.sample()

    def proxies(self, archs: Sequence[Any], names: Sequence[str]) -> dict[str, np.ndarray]:
        """Precomputed proxies of ``archs`` from the oracle, each architecture charged once per search."""
        out = {}
        for name in names:
            missing = list({self.key(a): a for a in archs if (self.key(a), name) not in self._proxies}.values())
            if missing:
                try:
                    values = self.oracle.proxies(missing, [name])[name]
                except BudgetExceeded as stop:
                    raise SearchStopped(str(stop)) from stop
                for arch, value in zip(missing, values):
                    self._proxies[(self.key(arch), name)] = float(value)
            out[name] = np.array([self._proxies[(self.key(a), name)] for a in archs], dtype=np.float64)
        return out
