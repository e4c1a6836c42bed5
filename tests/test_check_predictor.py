"""The contract battery (:func:`naspred.testing.check_predictor`) over every registered predictor, and the
battery itself: each check catches the predictor that breaks it, and names the check and the predictor."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from naspred import predictors
from naspred.errors import InvalidInputError
from naspred.predictors import Predictor, Requirements
from naspred.predictors.linear import LinearRegression
from naspred.testing import CHECKS, FAST_PARAMS, PredictorCheckError, check_predictor

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# Proxies that neither packaged benchmark ships: read from NAS-Bench-Suite-Zero's nb201-cifar10 (data home).
DATA_HOME_PROXIES = ("epe_nas", "fisher", "flops", "grad_norm", "grasp", "l2_norm", "params", "plain", "zen")


# Checks a registered predictor is known to fail, each tested on its own (strict xfail: a fix shows up).
KNOWN_FAILURES = {
    # the MCMC chains of a batch share one random stream, so an architecture's extrapolation depends on the batch
    ("lce", "batch_invariance"): "lce samples the chains of a batch from one random stream",
}


def _bench(name, predictor, packaged, request):
    """nb201-cifar10 (data home) for the proxies only it ships, else the packaged benchmark the battery picks."""
    req = predictor.requirements
    if name in DATA_HOME_PROXIES:
        return request.getfixturevalue("nb201_bench")
    return packaged["nb201-mnist1d" if req.uses_curves or req.proxies else "nb201-analog-cifar10"]


@pytest.mark.parametrize("name", predictors.names())
def test_registered_predictor_passes_the_battery(name, packaged, request):
    predictor = predictors.get(name, **FAST_PARAMS.get(name, {}))
    checks = [c for c in CHECKS if (name, c) not in KNOWN_FAILURES]
    ran = check_predictor(predictor, benchmark=_bench(name, predictor, packaged, request), fast=True, checks=checks)
    assert {"params", "shapes", "uncertainty", "oracle"} <= set(ran)
    expected = "random_state" in predictor.get_params() and (name, "random_state") not in KNOWN_FAILURES
    assert ("random_state" in ran) == expected


@pytest.mark.parametrize("name, check", [pytest.param(*key, marks=pytest.mark.xfail(reason=why, strict=True,
                                                                                   raises=PredictorCheckError))
                                         for key, why in KNOWN_FAILURES.items()])
def test_known_failure(name, check, packaged, request):
    predictor = predictors.get(name, **FAST_PARAMS.get(name, {}))
    check_predictor(predictor, benchmark=_bench(name, predictor, packaged, request), fast=True, checks=[check])


def test_the_default_benchmarks_need_no_download():
    assert check_predictor(LinearRegression(), fast=True, checks=["shapes"]) == ["shapes"]
    assert check_predictor(predictors.get("sotle"), fast=True, checks=["oracle"]) == ["oracle"]


def test_a_benchmark_without_what_the_predictor_reads_is_named(packaged):
    with pytest.raises(InvalidInputError, match="reads proxy 'jacov'.*nb201-analog-cifar10"):
        check_predictor(predictors.get("jacov"), benchmark=packaged["nb201-analog-cifar10"], fast=True)
    with pytest.raises(InvalidInputError, match="unknown checks \\['nope'\\]"):
        check_predictor(LinearRegression(), checks=["nope"])
    with pytest.raises(InvalidInputError, match="checks a naspred Predictor"):
        check_predictor(object())


# -- the battery catches what it checks ------------------------------------------------------------------------------
class Mean(Predictor):
    """Predicts the training mean; the subclasses below each break one part of the contract."""

    def __init__(self, shift: float = 0.0) -> None:
        self.shift = shift

    def _fit(self, archs, y, info):
        self.mean_ = float(np.mean(y))

    def _predict(self, archs, info):
        return np.full(len(archs), self.mean_ + self.shift)


class AltersItsParameter(Mean):
    def __init__(self, shift: float = 0.0) -> None:
        self.shift = float(shift) + 1.0


class TakesKwargs(Mean):
    def __init__(self, shift: float = 0.0, **options) -> None:
        super().__init__(shift)


class FixedOutput(Mean):
    """Returns three predictions whatever it is asked (the length check of predict_dist is bypassed)."""

    def predict(self, archs, info=None):
        super().predict(archs, info)
        return np.zeros(3)


class ClaimsUncertainty(Mean):
    uncertainty = True

    def _predict_dist(self, archs, info):
        return self._predict(archs, info), None


class HidesItsUncertainty(Mean):
    def predict_dist(self, archs, info=None, with_std=True):
        out = super().predict_dist(archs, info, with_std)
        return type(out)(out.mean, np.ones(len(out)) if with_std else None)


class Unseeded(Mean):
    def __init__(self, shift: float = 0.0, random_state: int | None = None) -> None:
        super().__init__(shift)
        self.random_state = random_state

    def _fit(self, archs, y, info):
        super()._fit(archs, y, info)
        self.noise_ = np.random.rand()  # from numpy's global generator, whatever random_state says


class KeepsALambda(Mean):
    def _fit(self, archs, y, info):
        super()._fit(archs, y, info)
        self.hook_ = lambda: None


class TrainsOnTestArchs(Mean):
    """Needs no labelled architecture yet trains the queried ones to completion."""

    @property
    def requirements(self):
        return Requirements(fidelity=2)

    def _predict(self, archs, info):
        return info.curves["val_accuracy"].values[:, -1]

    def query(self, archs, oracle, budget):
        for arch in archs:
            oracle.train(arch, oracle.full_epochs)
        return super().query(archs, oracle, budget)


class DependsOnTheBatch(Mean):
    def _predict(self, archs, info):
        return super()._predict(archs, info) + np.arange(len(archs))


class AcceptsNaN(Mean):
    def fit(self, archs, y, info=None):
        y = np.nan_to_num(np.asarray(y, dtype=float))
        return super().fit(archs, y, info)


@pytest.mark.parametrize(
    "predictor, check, fragment",
    [
        (AltersItsParameter(), "params", "does not store parameters \\['shift'\\] unchanged"),
        (TakesKwargs(), "params", "takes \\*args / \\*\\*kwargs"),
        (AcceptsNaN(), "nan_targets", "accepted a target of nan"),
        (FixedOutput(), "shapes", "shape \\(3,\\) for 6 architectures"),
        (ClaimsUncertainty(), "uncertainty", "uncertainty = True but predict_dist gave no standard deviation"),
        (DependsOnTheBatch(), "batch_invariance", "the batch in reversed order"),
        (HidesItsUncertainty(), "uncertainty", "uncertainty = False but predict_dist gave a standard deviation"),
        (Unseeded(), "random_state", "moved the global random state of \\['numpy'\\]"),
        (KeepsALambda(), "pickle", "PicklingError|AttributeError"),
        (TrainsOnTestArchs(), "oracle", "HiddenGroundTruthError: architecture .* is held out"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Predictor) else None,
)
def test_each_check_catches_the_predictor_that_breaks_it(packaged, predictor, check, fragment):
    bench = packaged["nb201-mnist1d"]
    with pytest.raises(PredictorCheckError, match=fragment) as caught:
        check_predictor(predictor, benchmark=bench, fast=True)
    assert caught.value.check == check and caught.value.predictor == repr(predictor)
    assert str(caught.value).startswith(f"{predictor!r} failed check {check!r}: ")
    assert isinstance(caught.value, AssertionError)


def test_a_correct_predictor_passes_every_check(packaged):
    ran = check_predictor(Mean(), benchmark=packaged["nb201-analog-cifar10"], fast=True)
    assert ran == [name for name in CHECKS if name != "random_state"]


def test_the_readme_example_passes_the_battery(monkeypatch):
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = text[text.index("\n### Check your own predictor\n"):]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    # a module of its own, so that the example's class pickles as a user's module-level class does
    module = types.ModuleType("readme_check_example")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(code.replace("check_predictor(", "ran = check_predictor("), "README.md", "exec"), vars(module))  # noqa: S102
    assert module.ran == [name for name in CHECKS if name != "random_state"]
