"""Zero-cost predictors: precomputed proxies through the oracle or a ZeroCostTable, and live computation."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from naspred import predictors
from naspred.errors import InvalidInputError, UnknownNameError
from naspred.featurizers.zerocost.networks import build_network
from naspred.featurizers.zerocost.result import ProxyError
from naspred.featurizers.zerocost.synflow import log_synflow
from naspred.featurizers.zerocost.table import ZeroCostTable
from naspred.oracles.budget import Budget
from naspred.oracles.simulated import SimulatedOracle
from naspred.predictors.info import ArchInfo
from naspred.predictors.zerocost import ZeroCost
from naspred.spaces import get as get_space

KEYS = ["(4, 0, 3, 1, 4, 3)", "(2, 4, 0, 0, 3, 2)", "(0, 0, 2, 1, 2, 3)", "(4, 1, 3, 3, 3, 3)"]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_registered_zero_cost_predictors_need_no_labelled_architectures():
    for name in ("synflow", "jacov", "nwot", "snip", "grasp", "fisher", "grad_norm", "params", "flops", "zero_cost"):
        p = predictors.get(name)
        assert p.family == "zero-cost"
        assert not p.requirements.labelled
    assert predictors.get("jacov").requirements.proxies == ("jacov",)
    assert predictors.get("zero_cost", proxy="zen").requirements.proxies == ("zen",)
    live = predictors.get("synflow", source="live")
    assert live.requirements.proxies == () and live.requirements.encoding
    assert clone(live).get_params() == live.get_params()



def test_each_proxy_is_an_entry_of_zero_cost_with_its_proxy_fixed():
    for name in ("synflow", "jacov", "nwot", "snip", "grasp", "fisher", "grad_norm", "params", "flops"):
        p = predictors.get(name, seed=3)
        assert type(p) is ZeroCost and p.proxy == name and p.seed == 3
        assert predictors.predictor_class(name) is ZeroCost
    with pytest.raises(InvalidInputError, match="predictor 'synflow' fixes proxy='synflow'; build ZeroCost itself"):
        predictors.get("synflow", proxy="jacov")
    rows = {row["name"]: row for row in predictors.describe()}
    assert rows["nwot"]["class"] == "ZeroCost" and rows["nwot"]["summary"].startswith("NASWOT")
    with pytest.raises(InvalidInputError, match="ZeroCost: seed must be an integer in"):
        _ = ZeroCost(seed=-1).requirements


def test_table_source_reads_the_oracle_and_follows_the_target_direction(nb201_bench):
    archs = [nb201_bench.space.parse(k) for k in KEYS]
    expected = ZeroCostTable(nb201_bench).values(archs, ["synflow"])["synflow"]
    oracle = SimulatedOracle(nb201_bench, seed=0)
    p = predictors.get("synflow")
    p.initialize(oracle, Budget(seconds=0))
    out = p.query(archs, oracle, Budget(seconds=1.0, per_arch=True))
    np.testing.assert_array_equal(out.mean, expected)
    lower = p.predict(archs, ArchInfo(space=nb201_bench.space, higher_is_better=False, proxies={"synflow": expected}))
    np.testing.assert_array_equal(lower, -expected)


def test_table_source_without_the_proxy_says_what_it_reads(nb201_bench):
    with pytest.raises(InvalidInputError, match="reads proxy 'jacov'"):
        predictors.get("jacov").predict([nb201_bench.space.parse(KEYS[0])], ArchInfo(space=nb201_bench.space))


def test_live_source_builds_each_network_and_computes_the_proxy():
    space = get_space("nb201")
    archs = [space.parse(k) for k in KEYS[:2]]
    got = predictors.get("synflow", source="live", seed=4).predict(archs, ArchInfo(space=space))
    expected = [log_synflow(build_network(a, seed=4), (3, 32, 32)) for a in archs]
    np.testing.assert_array_equal(got, expected)


def test_live_source_refuses_missing_values_and_missing_data():
    space = get_space("nb201")
    with pytest.raises(ProxyError, match=r"synflow of \|nor_conv_1x1~0\|.* is missing: ProxyError: synflow is 0"):
        predictors.get("synflow", source="live").predict([space.parse("(3, 1, 1, 1, 1, 1)")], ArchInfo(space=space))
    with pytest.raises(InvalidInputError, match="proxy 'jacov' needs a data batch of 'cifar10' \\(inputs\\)"):
        predictors.get("jacov", source="live").predict([space.parse(KEYS[0])], ArchInfo(space=space))
    with pytest.raises(InvalidInputError, match="source must be one of"):
        ZeroCost(source="cache").requirements
    with pytest.raises(UnknownNameError, match="unknown zero-cost proxy 'zen_score'"):
        ZeroCost(proxy="zen_score", source="live").requirements
