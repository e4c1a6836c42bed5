"""Search spaces: architecture types, text forms, canonical forms, sampling, mutation.

``get(name)`` builds a registered space, ``names()`` lists them, ``register(name, cls)`` adds one
(:mod:`naspred.spaces.registry`).
"""

from naspred.spaces.base import LabeledDAG, SearchSpace
from naspred.spaces.registry import get, names, register

__all__ = ["LabeledDAG", "SearchSpace", "get", "names", "register"]
