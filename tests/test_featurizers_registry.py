"""The featurizer registry: names, defaults, overrides and errors."""

from __future__ import annotations

import pytest

from naspred import featurizers
from naspred.errors import InvalidInputError, UnknownNameError
from naspred.featurizers import (
    AdjacencyOneHot,
    CategoricalAdjacency,
    GCNEncoding,
    LearningCurveFeatures,
    PathEncoding,
)


def test_names():
    assert featurizers.names() == [
        "adjacency_one_hot",
        "categorical_adjacency",
        "gcn",
        "learning_curve",
        "path",
        "truncated_path",
    ]
    for name in featurizers.names():
        assert featurizers.describe(name)


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("adjacency_one_hot", AdjacencyOneHot),
        ("categorical_adjacency", CategoricalAdjacency),
        ("path", PathEncoding),
        ("truncated_path", PathEncoding),
        ("gcn", GCNEncoding),
    ],
)
def test_get_builds_encoders(name, cls):
    enc = featurizers.get(name, space="nb101")
    assert type(enc) is cls
    assert enc.get_params()["space"] == "nb101"


def test_defaults_and_overrides():
    assert featurizers.get("path", space="nb101").truncate is None
    assert featurizers.get("truncated_path", space="nb101").truncate == "auto"
    assert featurizers.get("truncated_path", space="nb101", truncate=12).truncate == 12
    lc = featurizers.get("learning_curve", e=3)
    assert isinstance(lc, LearningCurveFeatures) and lc.e == 3
    # every call returns a new object
    assert featurizers.get("learning_curve") is not featurizers.get("learning_curve")


def test_errors():
    with pytest.raises(UnknownNameError, match="unknown featurizer 'bag_of_ops'.*adjacency_one_hot"):
        featurizers.get("bag_of_ops")
    with pytest.raises(InvalidInputError, match="featurizer 'path'.*'truncate'"):
        featurizers.get("path", space="nb101", cutoff=3)
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        featurizers.Nope  # noqa: B018


def test_a_featurizer_registered_from_a_script():
    from naspred.featurizers.registry import FEATURIZERS

    featurizers.register("sotl_only", LearningCurveFeatures, "SoTL alone", fixed={"features": ("sotl",)})
    try:
        assert featurizers.describe("sotl_only") == "SoTL alone"
        assert featurizers.get("sotl_only", e=2).features == ("sotl",)
        with pytest.raises(InvalidInputError, match="featurizer 'sotl_only' fixes features=\\('sotl',\\)"):
            featurizers.get("sotl_only", features=("sotle",))
    finally:
        FEATURIZERS.unregister("sotl_only")
    assert "sotl_only" not in featurizers.names()
