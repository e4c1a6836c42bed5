"""Learning-curve features on real SpikeNAS-Bench training curves, checked against plain-Python computations."""

from __future__ import annotations

import itertools
import math
import statistics
import tarfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline

from naspred.errors import InvalidInputError
from naspred.featurizers import LearningCurveFeatures, get
from naspred.featurizers.curves import DEFAULT_FEATURES, feature_names

N_CURVES = 24


@pytest.fixture(scope="module")
def spikenas(data_home: Path) -> dict[str, list[list[float]]]:
    """train_loss and val_acc of the first CIFAR-10 curves in the SpikeNAS-Bench archive (100 epochs each)."""
    path = data_home / "spikenas-bench" / "spikenas_bench_data.tar.gz"
    loss: list[list[float]] = []
    acc: list[list[float]] = []
    with tarfile.open(path) as archive:
        for member in archive:
            if not (member.name.startswith("data/CIFAR10/") and member.name.endswith("train_process.txt")):
                continue
            lines = archive.extractfile(member).read().decode().splitlines()
            header = lines.index("epoch, train_acc, train_loss, val_acc, val_loss")
            rows = []
            for line in lines[header + 1 :]:
                parts = line.split(",")
                if len(parts) != 5:
                    break
                rows.append([float(p) for p in parts])
            loss.append([r[2] for r in rows])
            acc.append([r[3] for r in rows])
            if len(loss) == N_CURVES:
                break
    assert len(loss) == N_CURVES
    return {"train_loss": loss, "val_acc": acc}


def _cut(curves: list[list[float]], epochs: int) -> np.ndarray:
    return np.array([c[:epochs] for c in curves])


@pytest.mark.parametrize("epochs", [3, 12, 50])
def test_sotl_family_matches_python(spikenas, epochs):
    loss = [c[:epochs] for c in spikenas["train_loss"]]
    f = LearningCurveFeatures(features=("last", "sotl", "sotle", "sotl_ema"), e=3, ema_decay=0.9)
    out = f.fit_transform(np.array(loss))
    for i, curve in enumerate(loss):
        ema = 0.0
        for value in curve:  # Horner form of sum_t gamma^(T-t) L_t
            ema = 0.9 * ema + value
        expected = [curve[-1], math.fsum(curve), math.fsum(curve[-3:]), ema]
        np.testing.assert_allclose(out[i], expected, rtol=1e-12)


def test_summaries_match_statistics_module(spikenas):
    acc = [c[:20] for c in spikenas["val_acc"]]
    f = LearningCurveFeatures(
        features=("mean", "std", "min", "max", "diff_mean", "diff_std", "diff2_mean", "diff2_std")
    )
    out = f.fit_transform(acc)
    for i, curve in enumerate(acc):
        d1 = [b - a for a, b in itertools.pairwise(curve)]
        d2 = [b - a for a, b in itertools.pairwise(d1)]
        expected = [
            statistics.fmean(curve),
            statistics.pstdev(curve),
            min(curve),
            max(curve),
            statistics.fmean(d1),
            statistics.pstdev(d1),
            statistics.fmean(d2),
            statistics.pstdev(d2),
        ]
        np.testing.assert_allclose(out[i], expected, rtol=1e-9, atol=1e-12)


def test_sotle_with_e1_is_the_last_loss_and_ema_decay_1_is_sotl(spikenas):
    loss = _cut(spikenas["train_loss"], 30)
    out = LearningCurveFeatures(features=("sotle", "last", "sotl_ema", "sotl"), e=1, ema_decay=1.0).fit_transform(loss)
    np.testing.assert_array_equal(out[:, 0], out[:, 1])
    np.testing.assert_allclose(out[:, 2], out[:, 3], rtol=1e-12)


def test_mapping_of_metrics_names_and_columns(spikenas):
    curves = {"train_loss": _cut(spikenas["train_loss"], 10), "val_acc": _cut(spikenas["val_acc"], 5)}
    f = get("learning_curve", features=("last", "sotl"))
    out = f.fit_transform(curves)
    assert list(f.get_feature_names_out()) == ["train_loss:last", "train_loss:sotl", "val_acc:last", "val_acc:sotl"]
    np.testing.assert_array_equal(out[:, 2], [c[4] for c in spikenas["val_acc"]])
    np.testing.assert_allclose(out[:, 1], [math.fsum(c[:10]) for c in spikenas["train_loss"]], rtol=1e-12)
    with pytest.raises(InvalidInputError, match="fit saw"):
        f.transform({"train_loss": curves["train_loss"]})


def test_ragged_curves_are_computed_row_by_row(spikenas):
    ragged = [c[: 5 + i] for i, c in enumerate(spikenas["train_loss"][:6])]
    out = LearningCurveFeatures(features=("last", "sotl")).fit_transform(ragged)
    assert out.shape == (6, 2)
    for i, curve in enumerate(ragged):
        assert out[i, 0] == curve[-1]
        assert out[i, 1] == pytest.approx(math.fsum(curve), rel=1e-12)


def test_non_finite_value_names_the_row(spikenas):
    loss = _cut(spikenas["train_loss"], 10)
    loss[7, 4] = np.nan
    with pytest.raises(InvalidInputError, match="row 7 .*epoch index 4"):
        LearningCurveFeatures().fit_transform(loss)
    loss[7, 4] = np.inf
    with pytest.raises(InvalidInputError, match="row 7"):
        LearningCurveFeatures().fit(loss)


def test_too_short_curve_names_the_row_and_feature(spikenas):
    ragged = [c[:10] for c in spikenas["train_loss"][:4]]
    ragged[2] = ragged[2][:2]
    with pytest.raises(InvalidInputError, match="row 2 has 2 epochs; feature 'diff2_mean' needs at least 3"):
        LearningCurveFeatures().fit_transform(ragged)
    with pytest.raises(InvalidInputError, match="'sotle' needs at least 5"):
        LearningCurveFeatures(features=("sotle",), e=5).fit_transform(_cut(spikenas["train_loss"], 4))


def test_bad_parameters_and_input():
    x = np.ones((3, 4))
    with pytest.raises(InvalidInputError, match=r"features must be a non-empty sequence of distinct names among .*, got \('slope',\)"):
        LearningCurveFeatures(features=("slope",)).fit(x)
    with pytest.raises(InvalidInputError, match="LearningCurveFeatures: e must be an integer >= 1, got 0"):
        LearningCurveFeatures(e=0).fit(x)
    with pytest.raises(InvalidInputError, match=r"ema_decay must be a finite number in \(0, 1\], got 1.5"):
        LearningCurveFeatures(ema_decay=1.5).fit(x)
    with pytest.raises(InvalidInputError, match="features must be a non-empty sequence"):
        LearningCurveFeatures(features="sotl").fit(x)
    with pytest.raises(InvalidInputError, match="features must be a non-empty sequence"):
        LearningCurveFeatures(features=("sotl", "sotl")).fit(x)
    with pytest.raises(InvalidInputError, match="no rows"):
        LearningCurveFeatures().fit(np.empty((0, 5)))
    with pytest.raises(InvalidInputError, match="2-D"):
        LearningCurveFeatures().fit(np.ones(5))
    with pytest.raises(InvalidInputError, match="have 2 rows"):
        LearningCurveFeatures().fit({"a": x, "b": np.ones((2, 4))})


def test_clone_and_pipeline(spikenas):
    loss = _cut(spikenas["train_loss"], 12)
    final = np.array([c[-1] for c in spikenas["val_acc"]])
    f = LearningCurveFeatures(features=("sotle", "sotl_ema"), e=2, ema_decay=0.5)
    g = clone(f)
    assert g.get_params() == f.get_params()
    model = make_pipeline(g, LinearRegression()).fit(loss, final)
    assert model.predict(loss).shape == (N_CURVES,)
    assert set(DEFAULT_FEATURES) <= set(feature_names())
