"""When a search stops: a number of evaluations, simulated training seconds, or both."""

from __future__ import annotations

from dataclasses import dataclass

from naspred.errors import InvalidInputError
from naspred.oracles.budget import Budget
from naspred.params import Int, Real, check


@dataclass(frozen=True)
class SearchBudget:
    """The limit of one search; every limit that is set applies.

    - ``evaluations``: architectures trained to completion.
    - ``seconds``: training seconds charged by the oracle (the benchmark's simulated cost, or the measured
      time of a live oracle), plus the recorded cost of any precomputed proxy the search reads. The wall
      time of fitting and querying predictors is recorded but not counted, so that a search on a simulated
      oracle stops at the same point on every machine.

    The search stops before the evaluation that a limit refuses.
    """

    evaluations: int | None = None
    seconds: float | None = None

    def __post_init__(self) -> None:
        if self.evaluations is None and self.seconds is None:
            raise InvalidInputError("a search budget needs a limit: give evaluations=N, seconds=S or both")
        if self.evaluations is not None:
            object.__setattr__(self, "evaluations", int(check("SearchBudget", "evaluations", self.evaluations, Int(1))))
        if self.seconds is not None:
            seconds = check("SearchBudget", "seconds", self.seconds, Real(0.0, closed="neither"))
            object.__setattr__(self, "seconds", float(seconds))

    def as_budget(self) -> Budget:
        """The :class:`~naspred.oracles.budget.Budget` the search's meter enforces (wall time not counted)."""
        return Budget(seconds=self.seconds, archs=self.evaluations, count_wall=False)

    def describe(self) -> str:
        """Human-readable limits, e.g. ``"100 evaluations, 20000 s"``."""
        parts = []
        if self.evaluations is not None:
            parts.append(f"{self.evaluations} evaluations")
        if self.seconds is not None:
            parts.append(f"{self.seconds:g} s")
        return ", ".join(parts)
