"""What a search returns: its tidy history and the best architecture it found."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from naspred.search.budget import SearchBudget

#: columns of :attr:`SearchResult.history`, one row per evaluation
HISTORY_COLUMNS = (
    "strategy",
    "predictor",
    "seed",
    "evaluation",
    "arch",
    "observed",
    "best",
    "simulated_seconds",
    "wall_seconds",
)


@dataclass
class SearchResult:
    """One search.

    ``history`` has one row per evaluation (columns :data:`HISTORY_COLUMNS`): the 1-based ``evaluation``
    index, the architecture in the space's text notation, the target ``observed`` after training it to
    completion (the validation accuracy on NAS-Bench-201), the ``best`` target so far (in the target's
    direction), the budgeted ``simulated_seconds`` spent so far and the ``wall_seconds`` since the search
    started. ``stop_reason`` says which limit ended it; ``ledger`` is the summary of its budget meter.
    """

    strategy: str
    predictor: str
    seed: int
    budget: SearchBudget
    higher_is_better: bool
    history: pd.DataFrame
    best_arch: Any
    best_value: float
    stop_reason: str
    ledger: dict[str, Any] = field(default_factory=dict)

    @property
    def evaluations(self) -> int:
        """Number of architectures evaluated."""
        return len(self.history)

    @property
    def simulated_seconds(self) -> float:
        """Budgeted seconds spent by the whole search."""
        return float(self.history["simulated_seconds"].iloc[-1])
