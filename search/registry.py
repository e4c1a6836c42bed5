"""Search strategies by name: ``naspred.search.get("bananas", predictor="xgb")``.

One :class:`~naspred.registry.Registry`, :data:`STRATEGIES`, whose entries name their class as
``"module:attr"`` (imported on first use). :func:`register` adds a user's strategy.
"""

from __future__ import annotations

from typing import Any

from naspred.registry import Entry, Registry
from naspred.search.strategy import SearchStrategy

_S = "naspred.search"

#: every registered search strategy
STRATEGIES: Registry[SearchStrategy] = Registry("search strategy", [
    Entry("random", f"{_S}.random_search:RandomArchitectureSearch", "random architectures (Li & Talwalkar, UAI 2019)"),
    Entry("evolution", f"{_S}.evolution:RegularisedEvolution", "regularised evolution (Real et al., AAAI 2019)"),
    Entry("local", f"{_S}.local_search:LocalSearch", "local search (White, Nolen and Savani, UAI 2021)"),
    Entry("bananas", f"{_S}.bananas:BANANASSearch", "predictor-guided BANANAS (White et al., AAAI 2021)"),
])


def names() -> list[str]:
    """Registered search-strategy names."""
    return STRATEGIES.names()


def get(name: str, **params: Any) -> SearchStrategy:
    """A new search strategy registered as ``name``, built with its defaults updated by ``params``."""
    return STRATEGIES.build(name, **params)


#: ``register(name, target, description="", *, defaults=None, fixed=None, replace=False)``: add a search strategy
#: (its class, or ``"module:attr"`` naming it) from a script; ``defaults`` may be overridden by :func:`get`,
#: ``fixed`` may not
register = STRATEGIES.register
