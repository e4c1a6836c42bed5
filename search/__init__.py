"""Predictor-guided neural architecture search on an oracle, under a budget.

``run_search(strategy, benchmark_or_oracle, SearchBudget(evaluations=..., seconds=...), seed=...)`` runs one
search and returns a :class:`SearchResult` with its tidy history. Strategies, one module each:

- ``"random"``: :class:`~naspred.search.random_search.RandomArchitectureSearch` (Li & Talwalkar, UAI 2019);
- ``"evolution"``: :class:`~naspred.search.evolution.RegularisedEvolution` (Real et al., AAAI 2019);
- ``"local"``: :class:`~naspred.search.local_search.LocalSearch` (White, Nolen and Savani, UAI 2021);
- ``"bananas"``: :class:`~naspred.search.bananas.BANANASSearch` (White, Neiswanger and Savani, AAAI 2021),
  guided by any naspred predictor.

``get(name, **params)`` builds a registered strategy, ``names()`` lists them, ``register(name, cls)`` adds
one (:mod:`naspred.search.registry`).
"""

from naspred.search.bananas import BANANASSearch
from naspred.search.budget import SearchBudget
from naspred.search.evolution import RegularisedEvolution
from naspred.search.local_search import LocalSearch
from naspred.search.random_search import RandomArchitectureSearch
from naspred.search.registry import get, names, register
from naspred.search.result import HISTORY_COLUMNS, SearchResult
from naspred.search.runner import run_search
from naspred.search.state import SearchRun, SearchStopped
from naspred.search.strategy import SearchStrategy

__all__ = [
    "HISTORY_COLUMNS",
    "BANANASSearch",
    "LocalSearch",
    "RandomArchitectureSearch",
    "RegularisedEvolution",
    "SearchBudget",
    "SearchResult",
    "SearchRun",
    "SearchStopped",
    "SearchStrategy",
    "get",
    "names",
    "register",
    "run_search",
]
