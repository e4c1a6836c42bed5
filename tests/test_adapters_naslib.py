"""NASLib's predictor interface over naspred predictors, driven by a NASLib-shaped caller on real data."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from naspred import predictors
from naspred.adapters import NASLibPredictor
from naspred.benchmarks.base import Curves
from naspred.errors import InvalidArchitectureError, InvalidInputError, UnknownNameError
from naspred.predictors import ArchInfo
from scipy.stats import kendalltau

#: the keys of NASLib's ``Predictor.get_data_reqs`` (naslib/predictors/predictor.py)
NASLIB_KEYS = {"requires_partial_lc", "metric", "requires_hyperparameters", "hyperparams", "unlabeled", "unlabeled_factor"}


def naslib_evaluate(predictor: Any, ss_type: str, xtrain, ytrain, xtest, full_lcs=None, fidelity=None,
                    unlabeled=None) -> np.ndarray:
    """What NASLib's PredictorEvaluator (automl/NASLib@5c11ffab, naslib/defaults/predictor_evaluator.py) does
    with a predictor: adapt_search_space, pre_process, load the data with the info get_data_reqs asks for (an
    empty list when no curve is asked for; each curve cut to the fidelity), pre_compute, fit, query."""
    predictor.set_ss_type(ss_type)
    predictor.pre_process()
    reqs = predictor.get_data_reqs()
    train_info, test_info = [], []
    if reqs["requires_partial_lc"]:
        train_info = [{"lc": list(lc[:fidelity])} for lc in full_lcs["train"]]
        test_info = [{"lc": list(lc[:fidelity])} for lc in full_lcs["test"]]
    predictor.pre_compute(xtrain, xtest, unlabeled if reqs["unlabeled"] else None)
    predictor.reset_hyperparams()
    assert predictor.get_hpo_wrapper() is False
    predictor.fit(xtrain, ytrain, train_info)
    predictor.get_hyperparams()
    pred = np.squeeze(predictor.query(xtest, test_info))
    return pred.mean(axis=0) if pred.ndim > 1 else pred


class NASLibCell:
    """The part of a NASLib NAS-Bench-201 graph that NASLib's encoders read: its operation indices."""

    def __init__(self, op_indices: tuple[int, ...]) -> None:
        self._ops = list(op_indices)

    def get_op_indices(self) -> list[int]:
        return list(self._ops)


@pytest.fixture(scope="module")
def split(nb201_bench):
    rows = np.random.default_rng(0).choice(len(nb201_bench), 500, replace=False)
    return rows[:200], rows[200:]


def test_data_reqs_have_naslibs_keys_and_say_what_each_predictor_needs():
    xgb = NASLibPredictor("xgb").get_data_reqs()
    assert set(xgb) == NASLIB_KEYS
    assert (xgb["requires_partial_lc"], xgb["metric"], xgb["unlabeled"], xgb["unlabeled_factor"]) == (False, None, False, 0)
    sotl = NASLibPredictor("sotl", fidelity=5).get_data_reqs()
    assert (sotl["requires_partial_lc"], sotl["metric"]) == (True, "train_loss")
    semi = NASLibPredictor("seminas").get_data_reqs()
    assert (semi["unlabeled"], semi["unlabeled_factor"]) == (True, 1)
    assert all(not NASLibPredictor(n).get_data_reqs()["requires_hyperparameters"] for n in ("xgb", "sotl", "seminas"))


def test_naslib_caller_on_nb201_reaches_the_wrapped_predictors_tau_and_predictions(nb201_bench, split):
    train, test = split
    space = nb201_bench.space
    xtrain = [space.to_tuple(nb201_bench.archs[i]) for i in train]  # NASLib op-index tuples
    xtest = [nb201_bench.table["arch"].iloc[i] for i in test]  # NAS-Bench-201 strings
    pred = naslib_evaluate(NASLibPredictor("xgb", random_state=0), "nasbench201", xtrain, list(nb201_bench.y[train]),
                           xtest)
    # measured: Kendall tau 0.563 on these 300 test cells with these 200 training cells
    assert kendalltau(pred, nb201_bench.y[test])[0] > 0.5
    direct = predictors.get("xgb", random_state=0).fit([nb201_bench.archs[i] for i in train], nb201_bench.y[train])
    np.testing.assert_array_equal(pred, direct.predict([nb201_bench.archs[i] for i in test]))
    # NASLib graphs (anything with get_op_indices) and native cells give the same predictions
    wrapped = NASLibPredictor("xgb", "nasbench201", random_state=0).fit(xtrain, nb201_bench.y[train])
    cells = [NASLibCell(space.to_tuple(nb201_bench.archs[i])) for i in test[:20]]
    np.testing.assert_array_equal(wrapped.query(cells), pred[:20])
    np.testing.assert_array_equal(wrapped.query([nb201_bench.archs[i] for i in test[:20]]), pred[:20])


def test_learning_curves_in_naslib_info_dicts(spikenas_bench):
    rows = np.random.default_rng(1).choice(len(spikenas_bench), 400, replace=False)
    train, test = rows[:100], rows[100:]
    curves = spikenas_bench.curves["val_accuracy"]
    full = {"train": curves.values[train], "test": curves.values[test]}
    wrapped = NASLibPredictor("lcsvr", fidelity=10)
    assert wrapped.get_data_reqs()["metric"] == "val_accuracy"
    xtrain = [spikenas_bench.archs[i] for i in train]
    xtest = [spikenas_bench.archs[i] for i in test]
    # NASLib cuts the curves to its own fidelity (20 here); the adapter reads the first 10 epochs the predictor uses
    pred = naslib_evaluate(wrapped, "spikenas", xtrain, spikenas_bench.y[train], xtest, full, fidelity=20)
    # measured: Kendall tau 0.548 on these 300 SpikeNAS-Bench CIFAR-10 cells from 10 epochs of validation accuracy
    assert kendalltau(pred, spikenas_bench.y[test])[0] > 0.48

    def info(idx: np.ndarray) -> ArchInfo:
        return ArchInfo(space=spikenas_bench.space,
                        curves={"val_accuracy": Curves(np.arange(1, 11), curves.values[idx, :10])})

    direct = predictors.get("lcsvr", fidelity=10).fit(xtrain, spikenas_bench.y[train], info(train))
    np.testing.assert_allclose(pred, direct.predict(xtest, info(test)), rtol=1e-12)
    # NASLib's per-metric key, "<METRIC>_lc", works as "lc" does
    keyed = [{"VAL_ACCURACY_lc": list(curves.values[i, :10])} for i in test]
    np.testing.assert_allclose(wrapped.query(xtest, keyed), pred, rtol=1e-12)


def test_proxies_from_the_benchmark_or_from_info_dicts(nb201_bench):
    rows = np.flatnonzero(np.isfinite(nb201_bench.table["proxy:jacov"].to_numpy()))[:50]
    archs = [nb201_bench.archs[i] for i in rows]
    recorded = nb201_bench.table["proxy:jacov"].to_numpy()[rows]
    wrapped = NASLibPredictor("jacov", benchmark=nb201_bench)
    assert wrapped.space.name == "nb201" and wrapped.ss_type == "nasbench201"
    wrapped.pre_compute(archs[:10], archs)
    wrapped.fit(archs[:10], nb201_bench.y[rows[:10]])
    np.testing.assert_array_equal(wrapped.query(archs), recorded)
    bare = NASLibPredictor("jacov", "nasbench201")
    np.testing.assert_array_equal(bare.query(archs, [{"jacov": v} for v in recorded]), recorded)
    with pytest.raises(InvalidInputError, match="reads the zero-cost proxy 'jacov'; give NASLibPredictor\\(benchmark=...\\)"):
        bare.query(archs)


def test_unlabeled_architectures_reach_a_semi_supervised_predictor(nb201_bench, split):
    train, test = split
    space = nb201_bench.space
    unlabeled = [space.to_tuple(nb201_bench.archs[i]) for i in test[:25]]
    wrapped = NASLibPredictor("seminas", epochs=2, semi_epochs=1, n_unlabelled=5, random_state=0)
    naslib_evaluate(wrapped, "nasbench201", [nb201_bench.archs[i] for i in train[:30]], nb201_bench.y[train[:30]],
                    [nb201_bench.archs[i] for i in test[:10]], unlabeled=unlabeled)
    assert list(wrapped.predictor.unlabelled_) == [nb201_bench.archs[i] for i in test[:25]]


def test_hyperparameters_set_and_reset():
    wrapped = NASLibPredictor("rf", n_estimators=50)
    wrapped.set_hyperparams({"n_estimators": 10, "min_samples_leaf": 3})
    assert wrapped.get_hyperparams()["n_estimators"] == 10 and wrapped.predictor.min_samples_leaf == 3
    wrapped.reset_hyperparams()
    assert wrapped.get_hyperparams()["n_estimators"] == 50 and wrapped.predictor.min_samples_leaf == 1
    with pytest.raises(InvalidInputError, match="has no parameter \\['depth'\\]"):
        wrapped.set_hyperparams({"depth": 3})


def test_bad_input_gives_clear_errors(nb201_bench, split):
    train, _ = split
    xtrain = [nb201_bench.space.to_tuple(nb201_bench.archs[i]) for i in train[:20]]
    y = nb201_bench.y[train[:20]]
    with pytest.raises(UnknownNameError, match="unknown predictor 'forest'"):
        NASLibPredictor("forest")
    with pytest.raises(InvalidInputError, match="apply to a predictor given by name"):
        NASLibPredictor(predictors.get("rf"), n_estimators=5)
    with pytest.raises(InvalidInputError, match="unknown ss_type 'nasbench999'"):
        NASLibPredictor("rf").set_ss_type("nasbench999")
    with pytest.raises(InvalidInputError, match="ss_type 'nasbench101' is space 'nb101', but this predictor serves space 'nb201'"):
        NASLibPredictor("rf", "nb201").set_ss_type("nasbench101")
    with pytest.raises(InvalidArchitectureError, match="search space of xtrain is not known.*set_ss_type"):
        NASLibPredictor("rf").fit(xtrain, y)
    wrapped = NASLibPredictor("rf", "nasbench201")
    bad = xtrain[:3] + [(0, 1, 2, 3, 4)]
    with pytest.raises(InvalidArchitectureError, match="xtrain\\[3\\]: a NASLib NB201 tuple has 6 entries; got 5"):
        wrapped.fit(bad, y[:4])
    with pytest.raises(InvalidArchitectureError, match="xtest\\[0\\]: operation index 7 on edge 0->1 is outside 0..4"):
        wrapped.pre_compute(xtrain, [(7, 0, 0, 0, 0, 0)])
    with pytest.raises(InvalidInputError, match="20 architectures but 19 targets"):
        wrapped.fit(xtrain, y[:19])
    with pytest.raises(InvalidInputError, match="xtest must be a list of architectures, got str"):
        wrapped.query("(0, 1, 2, 3, 4, 0)")
    curve = NASLibPredictor("valacc", "spikenas", fidelity=10)
    cells = [curve.space.sample(np.random.default_rng(0)) for _ in range(3)]
    with pytest.raises(InvalidInputError, match="reads 10 epoch\\(s\\) of learning curve.*holding 'lc'"):
        curve.query(cells)
    with pytest.raises(InvalidInputError, match="info has 2 entries for 3 architectures"):
        curve.query(cells, [{"lc": [1.0] * 10}] * 2)
    with pytest.raises(InvalidInputError, match="info\\[1\\]\\['lc'\\] has 4 epoch\\(s\\); EarlyStopping reads the first 10"):
        curve.query(cells, [{"lc": [1.0] * 10}, {"lc": [1.0] * 4}, {"lc": [1.0] * 10}])
    with pytest.raises(InvalidInputError, match="info\\[0\\] has no learning curve of 'val_accuracy'; expected key 'VAL_ACCURACY_lc' or 'lc'"):
        curve.query(cells, [{"TRAIN_LOSS_lc": [1.0] * 10}] * 3)
    with pytest.raises(InvalidInputError, match="info\\[2\\]\\['lc'\\] holds non-finite values"):
        curve.query(cells, [{"lc": [1.0] * 10}] * 2 + [{"lc": [float("nan")] * 10}])
    with pytest.raises(InvalidInputError, match="info must be a list with one dict per architecture"):
        curve.query(cells, {"lc": [[1.0] * 10] * 3})
