"""Local search: White, Nolen and Savani, "Exploring the Loss Landscape in Neural Architecture
Search" (UAI 2021; first released as "Local search is state of the art for neural architecture search
benchmarks", 2020).

``n_init`` random architectures are evaluated and the best becomes the current one. Its whole neighbourhood
(every architecture one mutation away) is evaluated in random order; if the best neighbour beats the current
architecture the search moves there, otherwise it has reached a local optimum and restarts from a new random
architecture (NASLib's ``LocalSearch`` follows the same loop).
"""

from __future__ import annotations

from typing import Any

from naspred.params import Int, param
from naspred.search.state import SearchRun
from naspred.search.strategy import SearchStrategy


class LocalSearch(SearchStrategy):
    """Best-neighbour hill climbing with random restarts (White et al., 2020/2021); ``n_init`` 10 as in
    NASLib's search configuration.

    Parameters
    ----------
    n_init : int
        Random architectures evaluated before the first climb (>= 1).
    """

    name = "local"

    n_init: int = param(10, Int(1))

    def _start(self, run: SearchRun, n: int) -> tuple[Any, float]:
        best: tuple[Any, float] | None = None
        while best is None or n > 0:
            arch = run.sample()
            value = run.evaluate(arch)
            n -= 1
            if value is not None and (best is None or run.score(value) > best[1]):
                best = (arch, run.score(value))
        return best

    def search(self, run: SearchRun) -> None:
        current = self._start(run, self.n_init)
        while True:
            neighbours = run.space.neighbours(current[0])
            best: tuple[Any, float] | None = None
            for i in run.rng.permutation(len(neighbours)):
                arch = neighbours[int(i)]
                value = run.value_of(arch) if run.is_evaluated(arch) else run.evaluate(arch)
                if value is not None and (best is None or run.score(value) > best[1]):
                    best = (arch, run.score(value))
            if best is not None and best[1] > current[1]:
                current = best
            else:
                current = self._start(run, 1)
