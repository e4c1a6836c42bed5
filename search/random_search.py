"""Random search: evaluate uniformly drawn architectures (Li & Talwalkar, "Random Search and
Reproducibility for Neural Architecture Search", UAI 2019), the baseline of every NAS comparison."""

from __future__ import annotations

from naspred.search.state import SearchRun
from naspred.search.strategy import SearchStrategy


class RandomArchitectureSearch(SearchStrategy):
    """Evaluate random architectures, each of a canonical form not evaluated before, until the budget ends.

    Registered as ``"random"``; not to be confused with :class:`naspred.predictors.hpo.RandomSearch`, which
    searches a predictor's hyperparameters.
    """

    name = "random"

    def search(self, run: SearchRun) -> None:
        while True:
            run.evaluate(run.sample())
