"""The model average (naspred.predictors.ensemble): members standardised on their training predictions, averaged,
mapped onto the target by the least-squares line; seeds per member; what it refuses."""

from __future__ import annotations

import numpy as np
import pytest
from naspred import benchmarks, predictors
from naspred.errors import InvalidInputError, UnknownNameError
from naspred.predictors import ArchInfo
from naspred.predictors.ensemble import ModelAverage

GCN = ("gcn", {"hidden": 8, "linear_hidden": 8, "epochs": 3})
NNFORMER = ("nnformer", {"hidden": 8, "ffn_hidden": 8, "num_layers": 1, "epochs": 3})


@pytest.fixture(scope="module")
def cells():
    """60 training and 40 test cells of the embedded NAS-Bench-201 analog."""
    bench = benchmarks.load("nb201-analog-cifar10")
    rows = np.random.default_rng(0).choice(len(bench.archs), 100, replace=False)
    archs = [bench.archs[i] for i in rows]
    info = ArchInfo(space=bench.space)
    return archs[:60], bench.y[rows[:60]], archs[60:], bench.y[rows[60:]], info


def test_prediction_is_the_calibrated_mean_of_standardised_members(cells):
    train, y, test, _, info = cells
    model = ModelAverage(members=(GCN, ("lin_reg", {})), random_state=3).fit(train, y, info)
    members = model.members_
    assert [type(m).__name__ for m in members] == ["GCN", "LinearRegression"]

    def standardised(archs):
        fitted = np.stack([m.predict(train, info) for m in members])
        raw = np.stack([m.predict(archs, info) for m in members])
        return (raw - fitted.mean(axis=1, keepdims=True)) / fitted.std(axis=1, keepdims=True)

    scores = standardised(train).mean(axis=0)
    slope = np.cov(scores, y, bias=True)[0, 1] / scores.var()
    intercept = y.mean() - slope * scores.mean()
    expected = intercept + slope * standardised(test)
    pred = model.predict_dist(test, info)
    np.testing.assert_allclose(pred.mean, expected.mean(axis=0), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(pred.std, expected.std(axis=0), rtol=1e-10, atol=1e-10)
    assert (pred.std > 0).any()


def test_members_are_seeded_in_turn_unless_their_parameters_say(cells):
    train, y, _, _, info = cells
    model = ModelAverage(members=(GCN, GCN, ("gcn", {**GCN[1], "random_state": 11})), random_state=5)
    model.fit(train, y, info)
    assert [m.random_state for m in model.members_] == [5, 6, 11]
    # the same predictor with two seeds: two different networks
    assert not np.allclose(model.members_[0].predict(train, info), model.members_[1].predict(train, info))


def test_requirements_are_the_union_of_the_members():
    model = ModelAverage(members=("lgb", GCN, ("seminas", {"n_unlabelled": 7})))
    req = model.requirements
    assert req.featurizers == ("adjacency_one_hot", "gcn") and req.unlabelled == 7 and req.labelled
    assert not ModelAverage(members=(GCN,)).uncertainty and ModelAverage().uncertainty


def test_registered_default_averages_nnformer_and_gates_on_isomorphs():
    model = predictors.get("ensemble")
    assert [name for name, _ in model.members] == ["nnformer", "gates"]
    assert all(params == {"augment": "isomorphs", "predict_isomorphs": True} for _, params in model.members)
    assert model.family == "model-based"


@pytest.mark.parametrize(
    ("members", "error", "match"),
    [
        ("gates", InvalidInputError, r"members must be a list or tuple of predictor names or \(name, parameters\)"),
        ((), InvalidInputError, "members must be a non-empty sequence"),
        ((("gates", 3),), InvalidInputError, r"member \('gates', 3\) is not a predictor name or a \(name, parameters\)"),
        (("omni",), InvalidInputError, "member 'omni' is a hybrid predictor; expected model-based"),
        ((("gates", {"layers": 2}),), InvalidInputError, r"predictor 'gates' has no parameter \['layers'\]"),
        (("gatess",), UnknownNameError, "gates"),
    ],
)
def test_bad_members_name_what_was_expected(cells, members, error, match):
    train, y, _, _, info = cells
    with pytest.raises(error, match=match):
        ModelAverage(members=members).fit(train, y, info)


def test_batch_of_one_equals_the_batch(cells):
    train, y, test, _, info = cells
    model = ModelAverage(members=(NNFORMER, GCN)).fit(train, y, info)
    whole = model.predict(test, info)
    one = np.array([model.predict([a], info)[0] for a in test[:5]])
    np.testing.assert_allclose(one, whole[:5], rtol=1e-5, atol=1e-6)
