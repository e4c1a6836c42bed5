"""Featurizers by name: ``naspred.featurizers.get("path", space="nb201")``."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from naspred.errors import InvalidInputError, UnknownNameError


@dataclass(frozen=True)
class FeaturizerEntry:
    """A registered featurizer: the class ``module:cls`` and default parameters that ``get`` may override."""

    module: str
    cls: str
    description: str
    defaults: dict[str, Any] = field(default_factory=dict)


# imported on first use so that importing naspred stays cheap
_FEATURIZERS: dict[str, FeaturizerEntry] = {
    "adjacency_one_hot": FeaturizerEntry(
        "naspred.featurizers.adjacency", "AdjacencyOneHot", "NASLib's adjacency one-hot encoding"
    ),
    "categorical_adjacency": FeaturizerEntry(
        "naspred.featurizers.adjacency", "CategoricalAdjacency", "one integer column per architectural choice"
    ),
    "path": FeaturizerEntry("naspred.featurizers.path", "PathEncoding", "BANANAS path encoding"),
    "truncated_path": FeaturizerEntry(
        "naspred.featurizers.path",
        "PathEncoding",
        "BANANAS path encoding truncated to the shortest paths",
        {"truncate": "auto"},
    ),
    "gcn": FeaturizerEntry(
        "naspred.featurizers.graph", "GCNEncoding", "NASLib's GCN inputs: normalised adjacency and one-hot nodes"
    ),
    "learning_curve": FeaturizerEntry(
        "naspred.featurizers.curves", "LearningCurveFeatures", "SoTL family and LcSVR summaries of learning curves"
    ),
}


def names() -> list[str]:
    """Registered featurizer names."""
    return sorted(_FEATURIZERS)


def describe(name: str) -> str:
    """One line on what the featurizer ``name`` computes."""
    return _entry(name).description


def _entry(name: str) -> FeaturizerEntry:
    try:
        return _FEATURIZERS[name]
    except (KeyError, TypeError):
        raise UnknownNameError(f"unknown featurizer {name!r}; expected one of {names()}") from None


def get(name: str, **params: Any) -> Any:
    """A new featurizer registered as ``name``, built with its defaults updated by ``params``."""
    entry = _entry(name)
    cls = getattr(import_module(entry.module), entry.cls)
    kwargs = {**entry.defaults, **params}
    try:
        return cls(**kwargs)
    except TypeError as err:
        accepted = [p for p in inspect.signature(cls).parameters if p != "self"]
        raise InvalidInputError(f"featurizer {name!r}: {err}; its parameters are {accepted}") from None
