"""Isomorphs of an architecture (naspred.spaces.isomorphs) and the predictors that train on them and average over
them (naspred.predictors.augmented): every isomorph shares the canonical form, the cap and the order hold, the
augmented fit is the plain fit on the expanded set, averaged predictions are the mean over the isomorphs and equal
for isomorphic cells, spaces without isomorphs are refused before anything is trained."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from naspred import predictors
from naspred.benchmarks.base import Benchmark
from naspred.errors import InvalidInputError
from naspred.predictors import ArchInfo, Budget, SimulatedOracle
from naspred.predictors.augmented import pooled
from naspred.predictors.prediction import Prediction
from naspred.spaces import get as get_space
from naspred.spaces.darts import DARTSArch
from naspred.spaces.isomorphs import CanonicalGroups, isomorphs_of, spread
from naspred.spaces.nasbench101 import (
    CONV1X1,
    CONV3X3,
    INPUT,
    OUTPUT,
    NB101Arch,
    module_hash,
)
from naspred.testing import FAST_PARAMS


def test_spread_keeps_the_first_and_spaces_the_rest_evenly():
    assert spread(range(10), 4) == [0, 1, 5, 9]
    assert spread(range(3), 8) == [0, 1, 2]
    assert spread(range(10), 1) == [0]


@pytest.mark.parametrize("name, cells, classes", [("nb201", 15_625, 5_044), ("tnb101-micro", 4_096, 1_376)])
def test_cell_spaces_group_every_cell_by_canonical_form(name, cells, classes):
    space = get_space(name)
    iso = isomorphs_of(space, 8)
    assert isinstance(iso, CanonicalGroups)
    groups = iso.groups()
    # the figures of naspred.spaces.cells: a partition of the space into its canonical classes
    assert len(groups) == classes and sum(map(len, groups.values())) == cells
    rng = np.random.default_rng(0)
    for arch in space.sample_many(50, rng):
        mine = iso.of(arch)
        assert mine[0] == arch and len(set(mine)) == len(mine) == min(8, len(iso.orbit(arch)))
        assert {space.canonical(a) for a in mine} == {space.canonical(arch)}
        # the isomorphs averaged over are the same whichever of them is queried
        assert all(iso.shared(other) == iso.shared(arch) for other in mine)


def test_nasbench101_isomorphs_are_the_reorderings_of_the_interior_vertices():
    branches = NB101Arch([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]], [INPUT, CONV3X3, CONV1X1, OUTPUT])
    iso = isomorphs_of(get_space("nb101"), 8)
    orbit = iso.orbit(branches)
    assert len(orbit) == 2 and {a.ops for a in orbit} == {branches.ops, (INPUT, CONV1X1, CONV3X3, OUTPUT)}
    assert {module_hash(a) for a in orbit} == {module_hash(branches)}
    chain = NB101Arch([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]], [INPUT, CONV3X3, CONV1X1, OUTPUT])
    assert iso.orbit(chain) == [chain]  # a chain has one topological order
    space = get_space("nb101")
    for arch in [space.sample(np.random.default_rng(s)) for s in range(20)]:
        assert {space.canonical(a) for a in iso.of(arch)} == {space.canonical(arch)}


def test_darts_isomorphs_relabel_nodes_and_reorder_pairs():
    space = get_space("darts")
    # every node reads the two cell inputs: the 24 relabellings times 16 pair orders, all distinct
    flat = ((0, 0), (1, 1), (0, 2), (1, 3), (0, 4), (1, 5), (0, 6), (1, 0))
    # node j reads node j - 1 (and input 0): one topological order, so the 16 pair orders only
    chain = ((0, 0), (1, 1), (0, 2), (2, 3), (0, 4), (3, 5), (0, 6), (4, 0))
    iso = isomorphs_of(space, 8)
    assert len(iso.orbit(DARTSArch(flat, chain))) == 384 * 16
    arch = DARTSArch(flat, chain)
    found = iso.of(arch)
    assert found[0] == arch and len(set(found)) == 8
    assert {space.canonical(a) for a in found} == {space.canonical(arch)}
    assert all(iso.shared(other) == iso.shared(arch) for other in found)


@pytest.mark.parametrize("name", ["tnb101-macro", "nbgraph"])
def test_spaces_without_isomorphs_are_refused_with_those_supported(name):
    with pytest.raises(InvalidInputError, match=f"isomorphs are not defined for search space '{name}'; expected "
                                                "one of \\['nb201', 'spikenas', 'tnb101-micro', 'nb101', 'darts'\\]"):
        isomorphs_of(get_space(name), 8)


def test_initialize_refuses_a_space_without_isomorphs_before_training():
    space = get_space("nbgraph")
    archs = space.sample_many(10, np.random.default_rng(0))
    table = pd.DataFrame({"arch": [space.format(a) for a in archs], "val_accuracy": np.linspace(50, 60, 10)})
    oracle = SimulatedOracle(Benchmark("graphs", space, "none", table, "val_accuracy", True, {}, None), seed=0)
    model = predictors.get("lin_reg", augment="isomorphs")
    with pytest.raises(InvalidInputError, match="isomorphs are not defined for search space 'nbgraph'"):
        model.initialize(oracle, Budget(archs=5))
    assert oracle.remaining() == 10  # nothing drawn, nothing trained
    predictors.get("lin_reg").initialize(oracle, Budget(archs=5))  # without the option the space is fine


def test_a_plan_skips_isomorph_options_on_a_space_without_isomorphs_and_says_why():
    from naspred.evaluation.plan import make_plan
    from naspred.evaluation.spec import ExperimentSpec, PredictorSpec

    space = get_space("nbgraph")
    archs = space.sample_many(40, np.random.default_rng(0))
    table = pd.DataFrame({"arch": [space.format(a) for a in archs], "val_accuracy": np.linspace(50, 60, 40)})
    bench = Benchmark("graphs", space, "none", table, "val_accuracy", True, {}, None)
    iso = {"augment": "isomorphs"}
    spec = ExperimentSpec("graphs", [PredictorSpec("lin_reg", iso, "lin_iso"), "ensemble",
                                     PredictorSpec("omni_gates", {"graph_params": iso}, "omni_iso"), "lin_reg",
                                     PredictorSpec("ensemble", {"members": ["gates", "nnformer"]}, "plain_ensemble")],
                          train_sizes=[10], trials=1, test_size=10, top_k=[5])
    plan = make_plan(spec, bench)
    reasons = {s.predictor: s.reason for s in plan.skipped}
    assert set(reasons) == {"lin_iso", "ensemble", "omni_iso"}
    assert all("isomorphs are not defined for search space 'nbgraph'" in r for r in reasons.values())
    assert reasons["ensemble"].startswith("member NNFormer: ")
    assert {t.predictor.label for t in plan.tasks} == {"lin_reg", "plain_ensemble"}


# -- predictors ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cells(nb201_bench):
    """40 training and 30 test rows of nb201-cifar10 (seed 0)."""
    rows = np.random.default_rng(0).choice(len(nb201_bench.archs), 70, replace=False)
    archs = nb201_bench.archs
    return [archs[i] for i in rows[:40]], nb201_bench.y[rows[:40]], [archs[i] for i in rows[40:]]


@pytest.mark.parametrize("name", ["lin_reg", "svr"])
def test_the_augmented_fit_is_the_plain_fit_on_every_isomorph(nb201_bench, cells, name):
    train, y, test = cells
    info = ArchInfo(space=nb201_bench.space)
    augmented = predictors.get(name, augment="isomorphs", max_isomorphs=4).fit(train, y, info)
    expanded, index = isomorphs_of(nb201_bench.space, 4).expand(train)
    plain = predictors.get(name).fit(expanded, y[index], info)
    np.testing.assert_allclose(augmented.predict(test, info), plain.predict(test, info), rtol=1e-12)
    assert augmented.n_train_ == len(train) and len(expanded) > len(train)


@pytest.mark.parametrize("name", ["rf", "mlp", "gcn", "bananas"])
def test_averaged_predictions_are_the_mean_over_the_isomorphs(nb201_bench, cells, name):
    train, y, test = cells
    info = ArchInfo(space=nb201_bench.space)
    params = {**FAST_PARAMS[name], "random_state": 0}
    model = predictors.get(name, predict_isomorphs=True, max_isomorphs=5, **params).fit(train, y, info)
    dist = model.predict_dist(test, info)
    expanded, index = model.isomorphs_.expand(test, shared=True)
    model.set_params(predict_isomorphs=False)
    each = model.predict_dist(expanded, info)
    want = pooled(each, index, len(test))
    np.testing.assert_allclose(dist.mean, want.mean, rtol=1e-9)
    if model.uncertainty:
        np.testing.assert_allclose(dist.std, want.std, rtol=1e-6, atol=1e-9)
    # isomorphic cells get one prediction
    model.set_params(predict_isomorphs=True)
    group = model.isomorphs_.of(test[0])
    same = model.predict(group, info)
    np.testing.assert_allclose(same, same[0], rtol=1e-9)  # up to rounding: a batch is evaluated at once


def test_the_pooled_std_is_that_of_the_equal_mixture():
    out = pooled(Prediction(np.array([1.0, 3.0, 5.0]), np.array([1.0, 1.0, 2.0])), np.array([0, 0, 1]), 2)
    np.testing.assert_allclose(out.mean, [2.0, 5.0])
    np.testing.assert_allclose(out.std, [np.sqrt(1.0 + 1.0), 2.0])  # mean variance 1 plus spread of means 1
    assert pooled(Prediction(np.array([1.0, 3.0])), np.array([0, 0]), 1).std is None


@pytest.mark.parametrize("name", ["mlp", "gcn", "nao", "lgb", "ngb"])
def test_augmentation_trains_on_more_rows_and_predicts_finite_values(nb201_bench, cells, name):
    train, y, test = cells
    info = ArchInfo(space=nb201_bench.space)
    params = {**FAST_PARAMS[name], "random_state": 0}
    model = predictors.get(name, augment="isomorphs", predict_isomorphs=True, **params).fit(train, y, info)
    pred = model.predict(test, info)
    assert pred.shape == (len(test),) and np.isfinite(pred).all() and model.n_train_ == len(train)
    # off by default: the same predictor without the options is the plain model
    plain = predictors.get(name, **params)
    assert plain.augment is None and plain.predict_isomorphs is False


def test_augmentation_refuses_bad_values(nb201_bench, cells):
    train, y, _ = cells
    info = ArchInfo(space=nb201_bench.space)
    with pytest.raises(InvalidInputError, match="augment must be one of \\['isomorphs'\\] or None, got 'mirror'"):
        predictors.get("lgb", augment="mirror").fit(train, y, info)
    with pytest.raises(InvalidInputError, match="max_isomorphs must be an integer >= 1, got 0"):
        predictors.get("mlp", augment="isomorphs", max_isomorphs=0).fit(train, y, info)
