"""OMNI with XGBoost in place of NGBoost (NASLib's ``omni_xgb``): its model and settings, its ranking of real
NAS-Bench-201 cells from the encoding, the validation accuracy at epoch 12 and jacov, and what it declares. The
contract (scikit-learn protocol, pickling, oracle) is the battery's, in tests/test_check_predictor.py."""

from __future__ import annotations

import numpy as np
import pytest
from naspred import predictors
from naspred.benchmarks import load
from naspred.errors import InvalidInputError
from naspred.evaluation.splits import CanonicalIndex, draw_split, pool_rows, split_info
from naspred.predictors.omni import OMNI
from naspred.predictors.requirements import Supply
from scipy.stats import kendalltau
from xgboost import XGBRegressor


@pytest.fixture(scope="module")
def split(data_home):
    """200 test and 100 training cells of nb201-cifar10 with a recorded jacov, no canonical form shared; features
    at epoch 12 (the split of tests/test_predictors_omni.py)."""
    nb201 = load("nb201-cifar10", data_home=data_home)
    codes = CanonicalIndex.of(nb201).codes
    drawn = draw_split(codes, pool_rows(nb201, "recorded", "jacov"), 200, [100], seed=0)
    rows = {"train": drawn.train[100], "test": drawn.test}
    return (
        {k: [nb201.archs[i] for i in r] for k, r in rows.items()},
        {k: nb201.y[r] for k, r in rows.items()},
        {k: split_info(nb201, codes, r, 12, ["val_accuracy"], ["jacov"]) for k, r in rows.items()},
    )


def fitted(split, **params):
    archs, y, info = split
    model = predictors.get("omni_xgb", curve="val_accuracy", random_state=0, **params)
    return model.fit(archs["train"], y["train"], info["train"])


def test_registered_as_omni_with_the_regressor_fixed():
    model = predictors.get("omni_xgb")
    assert isinstance(model, OMNI) and model.regressor == "xgb"
    assert model.family == "hybrid" and not model.uncertainty
    assert predictors.get("omni").uncertainty  # NGBoost keeps its standard deviation
    with pytest.raises(InvalidInputError, match="regressor"):
        predictors.get("omni_xgb", regressor="ngboost")


def test_fits_xgboost_with_naslibs_settings_on_omnis_features(split):
    model = fitted(split)
    assert isinstance(model.model_, XGBRegressor)
    settings = model.model_.get_params()
    assert (settings["n_estimators"], settings["learning_rate"], settings["max_depth"]) == (500, 0.3, 6)
    assert (settings["min_child_weight"], settings["colsample_bytree"]) == (1.0, 1.0)
    assert model.model_.n_features_in_ == 30 + 2  # one-hot adjacency of the 6 edges, the curve feature, jacov


def test_ranks_nasbench201_from_all_three_feature_groups(split):
    # measured on this split: omni_xgb 0.728; on the encoding alone 0.484 (omni with NGBoost: 0.740)
    archs, y, info = split
    full = kendalltau(fitted(split).predict(archs["test"], info["test"]), y["test"]).statistic
    alone = kendalltau(fitted(split, features=("encoding",)).predict(archs["test"], info["test"]), y["test"]).statistic
    assert full > 0.65
    assert full > alone + 0.15


def test_predicts_without_a_standard_deviation(split):
    archs, _, info = split
    out = fitted(split).predict_dist(archs["test"], info["test"])
    assert out.std is None
    np.testing.assert_array_equal(out.mean, fitted(split).predict(archs["test"], info["test"]))


def test_leaves_the_encoding_out_on_an_opaque_space_as_omni_does():
    model = predictors.get("omni_xgb").adapt(Supply(opaque=True, proxies=("jacov",), curves=("val_accuracy",)))
    assert model.feature_groups() == ("curve", "proxy")
