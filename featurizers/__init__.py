"""Encodings of architectures and learning curves (scikit-learn transformers); zero-cost proxies.

``get(name, **params)`` builds a featurizer by registered name (``names()`` lists them, ``register`` adds
one: :mod:`naspred.featurizers.registry`). The classes are exported lazily, so that importing this package
loads neither scikit-learn models nor PyTorch.
"""

from __future__ import annotations

from naspred.featurizers.exports import lazy_getattr
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
__getattr__ = lazy_getattr(__name__, _EXPORTS)
