"""Regularised (aging) evolution: Real, Aggarwal, Huang and Le, "Regularized Evolution for Image Classifier
Architecture Search" (AAAI 2019).

A population of ``population_size`` random architectures is evaluated; then each cycle draws
``sample_size`` members of the population uniformly without replacement, mutates the best of them, evaluates
the child, adds it to the population and removes the oldest member.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from naspred.errors import InvalidInputError
from naspred.params import Int, param
from naspred.search.state import SearchRun
from naspred.search.strategy import SearchStrategy


class RegularisedEvolution(SearchStrategy):
    """Aging evolution with tournament selection (Real et al., AAAI 2019).

    The defaults (population 30, sample 10) are those of NASLib's NAS-Bench-201 search configuration
    (``naslib/benchmarks/nas/discrete_config.yaml``).

    Parameters
    ----------
    population_size : int
        Architectures in the population (>= 2).
    sample_size : int
        Members drawn for each tournament (>= 1, at most ``population_size``).
    """

    name = "evolution"

    population_size: int = param(30, Int(2))
    sample_size: int = param(10, Int(1))

    def validate_params(self) -> None:
        """The declared checks, then ``sample_size <= population_size``."""
        super().validate_params()
        if self.sample_size > self.population_size:
            raise InvalidInputError(
                f"{type(self).__name__}: sample_size ({self.sample_size}) must not exceed population_size "
                f"({self.population_size})"
            )

    def search(self, run: SearchRun) -> None:
        population: deque[tuple[Any, float]] = deque()
        while len(population) < self.population_size:
            arch = run.sample()
            value = run.evaluate(arch)
            if value is not None:
                population.append((arch, run.score(value)))
        while True:
            picked = run.rng.choice(len(population), size=self.sample_size, replace=False)
            parent = max((population[int(i)] for i in picked), key=lambda member: member[1])
            child = run.mutation(parent[0])
            value = run.evaluate(child)
            if value is None:
                continue
            population.append((child, run.score(value)))
            population.popleft()
