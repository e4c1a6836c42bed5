"""Search strategies by name: ``naspred.search.get("bananas", predictor="xgb")``."""

from __future__ import annotations

import inspect
from importlib import import_module
from typing import Any

from naspred.errors import InvalidInputError, UnknownNameError
from naspred.search.strategy import SearchStrategy

# name -> (module, class); imported on first use
_STRATEGIES: dict[str, tuple[str, str]] = {
    "random": ("naspred.search.random_search", "RandomArchitectureSearch"),
    "evolution": ("naspred.search.evolution", "RegularisedEvolution"),
    "local": ("naspred.search.local_search", "LocalSearch"),
    "bananas": ("naspred.search.bananas", "BANANASSearch"),
}


def names() -> list[str]:
    """Registered search-strategy names."""
    return sorted(_STRATEGIES)


def get(name: str, **params: Any) -> SearchStrategy:
    """A new search strategy registered as ``name``, built with ``params``."""
    try:
        module, cls_name = _STRATEGIES[name]
    except (KeyError, TypeError):
        raise UnknownNameError(f"unknown search strategy {name!r}; expected one of {names()}") from None
    cls = getattr(import_module(module), cls_name)
    accepted = [p for p in inspect.signature(cls).parameters if p != "self"]
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise InvalidInputError(f"search strategy {name!r} has no parameter {unknown}; its parameters are {accepted}")
    return cls(**params)
