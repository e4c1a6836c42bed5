"""Search spaces: architecture types, text forms, canonical forms, sampling, mutation."""

from naspred.spaces.base import LabeledDAG, SearchSpace
from naspred.spaces.registry import get, names

__all__ = ["LabeledDAG", "SearchSpace", "get", "names"]
