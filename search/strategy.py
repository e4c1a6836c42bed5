"""The search-strategy contract: propose architectures and evaluate them until the budget ends the search."""

from __future__ import annotations

from abc import ABC, abstractmethod

from naspred.oracles.oracle import Oracle
from naspred.params import Parameterised
from naspred.search.state import SearchRun


class SearchStrategy(Parameterised, ABC):
    """A NAS search strategy.

    Subclasses declare their parameters with :func:`naspred.params.param` (checked by :meth:`validate_params`
    before a search spends anything) and implement :meth:`search`, which calls ``run.evaluate`` until it
    raises :class:`~naspred.search.state.SearchStopped`.
    """

    #: registry name
    name: str = ""

    @property
    def predictor_label(self) -> str:
        """The predictor that guides the search, ``""`` for none."""
        return ""

    def check(self, oracle: Oracle) -> None:
        """Raise before anything is spent if this strategy cannot search what ``oracle`` serves."""

    @abstractmethod
    def search(self, run: SearchRun) -> None:
        """Propose and evaluate architectures through ``run`` until it stops the search."""

    def __repr__(self) -> str:
        params = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.parameters())
        return f"{type(self).__name__}({params})"
