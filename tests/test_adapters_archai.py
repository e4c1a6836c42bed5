"""naspred predictors, NAS-Bench-201 cells and ground truth inside Archai 1.0.0, with Archai's own classes
and its MoBananasSearch on real nb201-cifar10 data."""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from archai.discrete_search.algos import MoBananasSearch
from archai.discrete_search.api.archai_model import ArchaiModel
from archai.discrete_search.api.model_evaluator import ModelEvaluator
from archai.discrete_search.api.predictor import MeanVar
from archai.discrete_search.api.predictor import Predictor as ArchaiSurrogate
from archai.discrete_search.api.search_space import BayesOptSearchSpace, EvolutionarySearchSpace
from scipy.stats import kendalltau
from sklearn.exceptions import NotFittedError

from naspred import featurizers, predictors, spaces
from naspred.adapters.archai import (
    ArchaiPredictor,
    BenchmarkObjective,
    NB201SearchSpace,
    nb201_objectives,
)
from naspred.errors import DataFileError, InvalidArchitectureError, InvalidInputError
from naspred.predictors import ArchInfo

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "archai_mobananas.py"


@pytest.fixture
def no_archai_log_file():
    """Archai's search loggers append to ``archai.log`` in the directory they were imported from; keep the
    checkout clean by detaching those file handlers while a test runs."""
    detached = []
    for name, item in list(logging.Logger.manager.loggerDict.items()):
        if name.startswith("archai") and isinstance(item, logging.Logger):
            for handler in [h for h in item.handlers if isinstance(h, logging.FileHandler)]:
                item.removeHandler(handler)
                detached.append((item, handler))
    yield
    for item, handler in detached:
        item.addHandler(handler)


@pytest.fixture(scope="module")
def truth(nb201_bench):
    """Ground truth by NAS-Bench-201 string, read straight from the benchmark table."""
    return nb201_bench.table.set_index("arch")


def split(bench, seed: int, n_train: int, n_test: int) -> tuple[np.ndarray, np.ndarray]:
    rows = np.random.default_rng(seed).choice(len(bench), n_train + n_test, replace=False)
    return rows[:n_train], rows[n_train:]


def encoded(space: NB201SearchSpace, bench, rows: np.ndarray) -> np.ndarray:
    return np.vstack([space.encode(space.model(bench.archs[i])) for i in rows])


def dominated(points: np.ndarray) -> np.ndarray:
    """Brute force: row i is dominated if another row is >= on every column and > on one (all maximised)."""
    ge = (points[None, :, :] >= points[:, None, :]).all(axis=2)
    gt = (points[None, :, :] > points[:, None, :]).any(axis=2)
    return (ge & gt).any(axis=1)


# -- the surrogate through Archai's Predictor API ---------------------------------------------------
def test_fit_predict_through_archai_api_ranks_held_out_cells(nb201_bench):
    space = NB201SearchSpace(seed=0)
    train, test = split(nb201_bench, 0, 200, 500)
    surrogate = ArchaiPredictor("rf", space, random_state=0)
    assert isinstance(surrogate, ArchaiSurrogate)
    # Archai's MoBananasSearch passes y as (N, number of compute-intensive objectives)
    surrogate.fit(encoded(space, nb201_bench, train), nb201_bench.y[train][:, None])
    out = surrogate.predict(encoded(space, nb201_bench, test))
    assert isinstance(out, MeanVar)
    assert out.mean.shape == out.var.shape == (500, 1)
    # seed 0 gives 0.627; seeds 0-4 gave 0.49-0.63 (200 training cells, 500 held out)
    tau = kendalltau(out.mean[:, 0], nb201_bench.y[test])[0]
    assert tau > 0.5
    # the variance is the square of the predictive std of the same predictor fitted directly in naspred
    direct = predictors.get("rf", random_state=0).fit([nb201_bench.archs[i] for i in train], nb201_bench.y[train])
    dist = direct.predict_dist([nb201_bench.archs[i] for i in test])
    np.testing.assert_allclose(out.mean[:, 0], dist.mean)
    np.testing.assert_allclose(out.var[:, 0], dist.std**2)
    assert (out.var > 0).any()


def test_one_model_per_objective_with_its_direction(nb201_bench):
    space = NB201SearchSpace(seed=0)
    train, test = split(nb201_bench, 0, 200, 500)
    y = np.column_stack([nb201_bench.y, nb201_bench.table["edgegpu_latency"].to_numpy()])
    surrogate = ArchaiPredictor("xgb", space, higher_is_better=[True, False], random_state=0)
    surrogate.fit(encoded(space, nb201_bench, train), y[train])
    out = surrogate.predict(encoded(space, nb201_bench, test))
    assert out.mean.shape == (500, 2)
    np.testing.assert_array_equal(out.var, 0.0)  # XGBoost has no predictive std
    assert [m.higher_is_better_ for m in surrogate.models_] == [True, False]
    for column in range(2):
        alone = predictors.get("xgb", random_state=0)
        alone.fit([nb201_bench.archs[i] for i in train], y[train, column], ArchInfo(higher_is_better=column == 0))
        np.testing.assert_allclose(out.mean[:, column], alone.predict([nb201_bench.archs[i] for i in test]), rtol=1e-6)
    # seed 0: 0.619 on accuracy and 0.809 on latency
    assert kendalltau(out.mean[:, 0], y[test, 0])[0] > 0.5
    assert kendalltau(out.mean[:, 1], y[test, 1])[0] > 0.7
    # a 1-D y is one objective
    single = ArchaiPredictor("xgb", space, higher_is_better=False, random_state=0)
    single.fit(encoded(space, nb201_bench, train[:50]), y[train[:50], 1])
    assert single.predict(encoded(space, nb201_bench, test[:3])).mean.shape == (3, 1)
    assert single.models_[0].higher_is_better_ is False


def test_surrogate_bad_input(nb201_bench):
    space = NB201SearchSpace(seed=0)
    rows = np.arange(20)
    x = encoded(space, nb201_bench, rows)
    surrogate = ArchaiPredictor("rf", space, random_state=0)
    with pytest.raises(NotFittedError, match="fit"):
        surrogate.predict(x)
    with pytest.raises(InvalidInputError, match="20 encoded architectures but 19 rows of y"):
        surrogate.fit(x, nb201_bench.y[:19])
    with pytest.raises(InvalidInputError, match=r"y must be \(N,\) or \(N, n_objectives\)"):
        surrogate.fit(x, np.zeros((20, 2, 1)))
    with pytest.raises(InvalidInputError, match="not finite"):
        surrogate.fit(x, np.where(rows == 3, np.nan, nb201_bench.y[:20]))
    with pytest.raises(InvalidInputError, match="2 direction"):
        ArchaiPredictor("rf", space, higher_is_better=[True, False]).fit(x, nb201_bench.y[:20, None])
    with pytest.raises(InvalidInputError, match="higher_is_better must be a bool"):
        ArchaiPredictor("rf", space, higher_is_better="max")
    with pytest.raises(InvalidArchitectureError, match="numeric array"):
        surrogate.fit([["a"] * 30] * 20, nb201_bench.y[:20])
    # encodings of another space: TransNAS-Bench-101 micro cells one-hot over 4 operations (24 values)
    tnb = spaces.get("tnb101-micro")
    other = featurizers.get("adjacency_one_hot", space="tnb101-micro").fit_transform(
        tnb.sample_many(20, np.random.default_rng(0))
    )
    with pytest.raises(InvalidArchitectureError, match=r"\(n, 30\) array.*got shape \(20, 24\)"):
        surrogate.fit(other, nb201_bench.y[:20])
    broken = x.copy()
    broken[4, 5:10] = 0.5
    with pytest.raises(InvalidArchitectureError, match="encoded row 4 .* edge 1"):
        surrogate.fit(broken, nb201_bench.y[:20])
    # predictors that need what Archai does not pass are refused up front
    with pytest.raises(InvalidInputError, match="zero-cost proxies"):
        ArchaiPredictor("jacov", space)
    with pytest.raises(InvalidInputError, match="learning curves"):
        ArchaiPredictor("sotle", space)
    with pytest.raises(InvalidInputError, match="unlabelled"):
        ArchaiPredictor("seminas", space)
    with pytest.raises(InvalidInputError, match="predictor given by name"):
        ArchaiPredictor(predictors.get("rf"), space, n_estimators=3)


# -- the search space ------------------------------------------------------------------------------
def test_search_space_is_archai_bayesopt_and_evolutionary(nb201_bench):
    space = NB201SearchSpace(seed=3)
    assert isinstance(space, BayesOptSearchSpace) and isinstance(space, EvolutionarySearchSpace)
    # encode is naspred's adjacency_one_hot; decode inverts it on all 15,625 cells
    one_hot = featurizers.get("adjacency_one_hot", space="nb201").fit_transform(nb201_bench.archs)
    mine = np.vstack([space.encode(space.model(a)) for a in nb201_bench.archs])
    np.testing.assert_array_equal(mine, one_hot)
    assert len(np.unique(mine, axis=0)) == 15_625
    assert space.decode(mine) == nb201_bench.archs


def test_sample_mutate_crossover(truth):
    space = NB201SearchSpace(seed=3)
    twin = NB201SearchSpace(seed=3)
    drawn = [space.random_sample() for _ in range(200)]
    assert [m.archid for m in drawn] == [twin.random_sample().archid for _ in range(200)]  # seeded
    for m in drawn:
        assert isinstance(m, ArchaiModel)
        assert m.archid in truth.index and space.space.format(m.arch) == m.archid
    assert len({m.archid for m in drawn}) > 190  # 200 uniform draws of 15,625 cells
    parent = drawn[0]
    before = parent.arch
    for _ in range(50):
        child = space.mutate(parent)
        assert child is not parent and child.archid in truth.index
        assert sum(a != b for a, b in zip(child.arch.ops, parent.arch.ops)) == 1
    assert parent.arch == before
    # crossover: every edge from one of the parents, and both parents contribute
    a = space.model("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|")
    b = space.model("|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|")
    children = [space.crossover([a, b]) for _ in range(30)]
    for child in children:
        assert set(child.arch.ops) <= {"nor_conv_3x3", "avg_pool_3x3"} and child.archid in truth.index
    assert any(len(set(c.arch.ops)) == 2 for c in children)
    # Archai clears evaluated models (arch = None): the cell is read back from archid
    cleared = space.model(a.archid)
    cleared.clear()
    np.testing.assert_array_equal(space.encode(cleared), space.encode(a))
    assert space.mutate(cleared).archid != a.archid


def test_save_load_round_trip_and_no_weights(tmp_path):
    space = NB201SearchSpace(seed=0)
    model = space.random_sample()
    path = tmp_path / "arch.json"
    space.save_arch(model, str(path))
    assert json.loads(path.read_text()) == {"space": "nb201", "arch": model.archid}
    loaded = space.load_arch(str(path))
    assert loaded.archid == model.archid and loaded.arch == model.arch
    (tmp_path / "other.json").write_text(json.dumps({"space": "tnb101-micro", "arch": "64-41414-3_21_210"}))
    with pytest.raises(InvalidArchitectureError, match="space 'tnb101-micro'; expected 'nb201'"):
        space.load_arch(str(tmp_path / "other.json"))
    (tmp_path / "bad.json").write_text("|nor_conv_3x3~0|")
    with pytest.raises(DataFileError, match="not JSON"):
        space.load_arch(str(tmp_path / "bad.json"))
    with pytest.raises(NotImplementedError, match="no weights"):
        space.save_model_weights(model, str(tmp_path / "w.pt"))
    with pytest.raises(NotImplementedError, match="no weights"):
        space.load_model_weights(model, str(tmp_path / "w.pt"))


def test_models_of_another_space_are_refused():
    space = NB201SearchSpace(seed=0)
    tnb = spaces.get("tnb101-micro")
    cell = tnb.sample(np.random.default_rng(0))
    foreign = ArchaiModel(arch=cell, archid=tnb.format(cell))
    with pytest.raises(InvalidArchitectureError, match="space 'nb201'.*got a TNB101MicroArch"):
        space.encode(foreign)
    with pytest.raises(InvalidArchitectureError, match="TNB101MicroArch"):
        space.mutate(foreign)
    foreign.clear()
    with pytest.raises(InvalidArchitectureError, match="archid '64-.*not a NAS-Bench-201 cell"):
        space.encode(foreign)
    good = space.random_sample()
    liar = ArchaiModel(arch=good.arch, archid=space.mutate(good).archid)
    with pytest.raises(InvalidArchitectureError, match="is not its cell"):
        space.encode(liar)
    with pytest.raises(InvalidArchitectureError, match="expected an ArchaiModel"):
        space.encode(good.arch)
    with pytest.raises(InvalidInputError, match="non-empty list"):
        space.crossover([])


# -- objectives ------------------------------------------------------------------------------------
def test_objectives_read_nb201_ground_truth(nb201_bench, truth):
    space = NB201SearchSpace(seed=0)
    objectives = nb201_objectives(nb201_bench, "fpga_latency", space)
    assert objectives.expensive_objective_names == ["val_accuracy"]
    assert objectives.cheap_objective_names == ["fpga_latency"]
    assert objectives.objectives["val_accuracy"].higher_is_better is True
    assert objectives.objectives["fpga_latency"].higher_is_better is False
    models = [space.random_sample() for _ in range(5)]
    values = objectives.eval_all_objs(models)
    np.testing.assert_array_equal(values["val_accuracy"], truth.loc[[m.archid for m in models], "val_accuracy"])
    np.testing.assert_array_equal(values["fpga_latency"], truth.loc[[m.archid for m in models], "fpga_latency"])
    both = nb201_objectives(nb201_bench, "edgegpu_energy", space, hardware_is_expensive=True)
    assert both.expensive_objective_names == ["val_accuracy", "edgegpu_energy"]
    accuracy = BenchmarkObjective(nb201_bench, "val_accuracy", space)
    assert isinstance(accuracy, ModelEvaluator)
    with pytest.raises(InvalidInputError, match="budget=None"):
        accuracy.evaluate(models[0], budget=0.5)
    with pytest.raises(InvalidInputError, match="no numeric column 'accuracy'"):
        BenchmarkObjective(nb201_bench, "accuracy", space)
    with pytest.raises(InvalidInputError, match="not a hardware cost.*'edgegpu_latency'"):
        nb201_objectives(nb201_bench, "val_accuracy_12", space)
    # a proxy recorded only on cells without dead operations: NaN elsewhere is an error, not a value
    dead = nb201_bench.table.index[nb201_bench.table["proxy:synflow"].isna()][0]
    with pytest.raises(InvalidInputError, match="records no 'proxy:synflow'"):
        BenchmarkObjective(nb201_bench, "proxy:synflow", space).evaluate(space.model(nb201_bench.archs[dead]))


# -- Archai's MoBananasSearch end to end -------------------------------------------------------------
def test_mobananas_search_with_naspred_surrogate(nb201_bench, truth, tmp_path, no_archai_log_file):
    space = NB201SearchSpace(seed=0)
    objectives = nb201_objectives(nb201_bench, "edgegpu_latency", space)
    surrogate = ArchaiPredictor("bananas", space, n_members=3, epochs=30, random_state=0)
    search = MoBananasSearch(
        space, objectives, str(tmp_path / "search"), surrogate_model=surrogate, num_iters=2, init_num_models=10,
        num_parents=5, mutations_per_parent=3, num_candidates=5, seed=0,
    )
    results = search.search()
    assert results.iteration_num == 2
    evaluated = [a for it in results.results for a in it["archid"]]
    assert len(evaluated) == 15 and len(set(evaluated)) == 15
    assert surrogate.models_[0].n_train_ == 15  # refitted on every evaluated cell
    front = results.get_pareto_frontier()
    archids = [m.archid for m in front["models"]]
    assert archids and set(archids) <= set(evaluated)
    np.testing.assert_array_equal(front["evaluation_results"]["val_accuracy"], truth.loc[archids, "val_accuracy"])
    np.testing.assert_array_equal(front["evaluation_results"]["edgegpu_latency"], truth.loc[archids, "edgegpu_latency"])
    # the front is what the two directions make it: accuracy maximised, latency minimised
    points = np.column_stack([truth.loc[evaluated, "val_accuracy"], -truth.loc[evaluated, "edgegpu_latency"]])
    expected = {evaluated[i] for i in np.flatnonzero(~dominated(points))}
    assert set(archids) == expected
    assert (tmp_path / "search" / "search_state_1.csv").is_file()


def test_example_writes_the_pareto_front(nb201_bench, truth, data_home, tmp_path):
    spec = importlib.util.spec_from_file_location("archai_mobananas", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = example
    try:
        spec.loader.exec_module(example)
        # true_front against brute force on 2,000 cells of the benchmark
        rows = np.random.default_rng(1).choice(len(nb201_bench), 2000, replace=False)
        acc = nb201_bench.y[rows]
        lat = nb201_bench.table["edgegpu_latency"].to_numpy()[rows]
        np.testing.assert_array_equal(example.true_front(acc, lat), ~dominated(np.column_stack([acc, -lat])))
        out = example.main(["--out", str(tmp_path / "ex"), "--data-home", str(data_home), "--iterations", "2",
                            "--initial", "6", "--parents", "3", "--mutations", "2", "--candidates", "3",
                            "--predictor", "rf"])
    finally:
        del sys.modules[spec.name]
    front = pd.read_csv(out)
    assert (out.parent / "archai.log").is_file()  # Archai's log went to the output folder
    assert list(front.columns) == ["arch", "val_accuracy", "edgegpu_latency", "iteration", "on_true_front"]
    np.testing.assert_array_equal(front["val_accuracy"], truth.loc[front["arch"], "val_accuracy"])
    assert front["edgegpu_latency"].is_monotonic_increasing
