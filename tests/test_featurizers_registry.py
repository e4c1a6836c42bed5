"""The featurizer registry: names, defaults, overrides and errors; the parameters each featurizer declares."""

from __future__ import annotations

import pytest
from sklearn.base import clone

from naspred import featurizers
from naspred.errors import InvalidInputError, UnknownNameError
from naspred.featurizers import (
    AdjacencyOneHot,
    CategoricalAdjacency,
    GCNEncoding,
    LearningCurveFeatures,
    PathEncoding,
)
from naspred.params import Parameterised


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


@pytest.mark.parametrize("name", ["adjacency_one_hot", "categorical_adjacency", "path", "truncated_path", "gcn"])
def test_encoders_declare_their_parameters(name):
    enc = featurizers.get(name, space="nb201")
    assert isinstance(enc, Parameterised)
    assert set(enc.parameters()) == set(enc.get_params())
    assert list(enc.parameters())[0] == "space" and "space" in enc.get_params()
    twin = clone(enc)
    assert twin.get_params() == enc.get_params() and twin is not enc
    cls = type(enc)
    with pytest.raises(TypeError):
        cls("nb201")  # keyword-only
    with pytest.raises(TypeError, match="space"):
        cls()


def test_learning_curve_features_declare_their_parameters():
    lc = featurizers.get("learning_curve")
    assert set(lc.parameters()) == {"features", "e", "ema_decay"} == set(lc.get_params())
    assert clone(lc).get_params() == lc.get_params()
    with pytest.raises(TypeError):
        LearningCurveFeatures(("sotl",))


def test_declared_checks_come_before_those_against_the_space():
    with pytest.raises(InvalidInputError, match="PathEncoding: truncate must be .*, got 2.5"):
        PathEncoding(space="nbgraph", truncate=2.5).fit(["x"])
    with pytest.raises(InvalidInputError, match="GCNEncoding: max_nodes must be an integer >= 2 or None, got True"):
        GCNEncoding(space="nb201", max_nodes=True).get_feature_names_out()
    with pytest.raises(InvalidInputError, match="PathEncoding: count must be True or False, got 1"):
        PathEncoding(space="nb201", count=1).get_feature_names_out()
    with pytest.raises(InvalidInputError, match="not defined for search space 'nbgraph'"):
        PathEncoding(space="nbgraph", truncate=5).get_feature_names_out()
    with pytest.raises(InvalidInputError, match="GCNEncoding: max_nodes=7 is below the 8 nodes"):
        GCNEncoding(space="nb201", max_nodes=7).get_feature_names_out()
    assert GCNEncoding(space="nb201", max_nodes=9).get_feature_names_out().shape == (9 * 9 + 9 * 7,)
