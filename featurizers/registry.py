"""Featurizers by name: ``naspred.featurizers.get("path", space="nb201")``.

One :class:`~naspred.registry.Registry`, :data:`FEATURIZERS`, whose entries name their class as
``"module:attr"`` (imported on first use, so that importing naspred loads neither scikit-learn models nor
PyTorch); ``truncated_path`` is :class:`~naspred.featurizers.path.PathEncoding` with ``truncate="auto"`` by
default. :func:`register` adds a user's featurizer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from naspred.registry import Entry, Registry

if TYPE_CHECKING:
    from sklearn.base import TransformerMixin

_F = "naspred.featurizers"

#: every registered featurizer
FEATURIZERS: Registry[TransformerMixin] = Registry("featurizer", [
    Entry("adjacency_one_hot", f"{_F}.adjacency:AdjacencyOneHot", "NASLib's adjacency one-hot encoding"),
    Entry("categorical_adjacency", f"{_F}.adjacency:CategoricalAdjacency",
          "one integer column per architectural choice"),
    Entry("path", f"{_F}.path:PathEncoding", "BANANAS path encoding"),
    Entry("truncated_path", f"{_F}.path:PathEncoding", "BANANAS path encoding truncated to the shortest paths",
          defaults={"truncate": "auto"}),
    Entry("gcn", f"{_F}.graph:GCNEncoding", "NASLib's GCN inputs: normalised adjacency and one-hot nodes"),
    Entry("learning_curve", f"{_F}.curves:LearningCurveFeatures",
          "SoTL family and LcSVR summaries of learning curves"),
])


def names() -> list[str]:
    """Registered featurizer names."""
    return FEATURIZERS.names()


def describe(name: str) -> str:
    """One line on what the featurizer ``name`` computes."""
    return FEATURIZERS.describe(name)


def get(name: str, **params: Any) -> Any:
    """A new featurizer registered as ``name``, built with its defaults updated by ``params``.

    The parameters are stored as given and checked when the featurizer is used: their declared constraints,
    then, for an architecture encoding, whether they suit its space.
    """
    return FEATURIZERS.build(name, **params)


#: ``register(name, target, description="", *, defaults=None, fixed=None, replace=False)``: add a featurizer
#: (its class, or ``"module:attr"`` naming it) from a script; ``defaults`` may be overridden by :func:`get`,
#: ``fixed`` may not
register = FEATURIZERS.register
