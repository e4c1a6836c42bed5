"""Encodings of architectures and learning curves (scikit-learn transformers); zero-cost proxies.

``get(name, **params)`` builds a featurizer by registered name (``names()`` lists them, ``register`` adds
one: :mod:`naspred.featurizers.registry`). The classes are exported lazily, so that importing this package
loads neither scikit-learn models nor PyTorch.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from naspred.featurizers.registry import describe, get, names, register

_EXPORTS: dict[str, str] = {
    "ArchitectureEncoder": "naspred.featurizers.encoder",
    "AdjacencyOneHot": "naspred.featurizers.adjacency",
    "CategoricalAdjacency": "naspred.featurizers.adjacency",
    "PathEncoding": "naspred.featurizers.path",
    "GCNEncoding": "naspred.featurizers.graph",
    "GCNInputs": "naspred.featurizers.graph",
    "to_pyg_data": "naspred.featurizers.graph",
    "LearningCurveFeatures": "naspred.featurizers.curves",
}

__all__ = [
    "AdjacencyOneHot",
    "ArchitectureEncoder",
    "CategoricalAdjacency",
    "GCNEncoding",
    "GCNInputs",
    "LearningCurveFeatures",
    "PathEncoding",
    "describe",
    "get",
    "names",
    "register",
    "to_pyg_data",
]


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'naspred.featurizers' has no attribute {name!r}") from None
    return getattr(import_module(module), name)
