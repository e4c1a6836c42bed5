"""naspred's proxy networks against NAS-Bench-Suite-Zero's published values (NASLib ``naslib/data/zc_*.json``).

The fixture ``data/zc_published_networks.json`` holds 100 published records per space, copied exactly (its
``source`` names the files and commits). Samples keep each test to a few seconds; ``perf/zerocost.py``
compares all of them (``perf/zerocost.md``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from naspred.featurizers.zerocost import counts
from naspred.featurizers.zerocost.data import dataset_shape
from naspred.featurizers.zerocost.networks import build_network
from naspred.featurizers.zerocost.synflow import log_synflow
from naspred.spaces import get as get_space

PUBLISHED = json.loads((Path(__file__).parent / "data" / "zc_published_networks.json").read_text())
#: the goal: median absolute difference of log(synflow), one random initialisation each side
SYNFLOW_MEDIAN_GOAL = 0.1


def _sample(records: dict, n: int, seed: int = 0) -> list[tuple[str, dict]]:
    items = list(records.items())
    rows = np.random.default_rng(seed).choice(len(items), size=n, replace=False)
    return [items[int(i)] for i in sorted(rows)]


def test_the_fixture_holds_100_published_records_per_space():
    sizes = {space: sum(len(v) for v in PUBLISHED[space].values()) for space in ("nb101", "nb301", "tnb101_micro")}
    assert sizes == {"nb101": 100, "nb301": 100, "tnb101_micro": 100}
    assert PUBLISHED["source"]["files"]["nb101"]["commit"] == "0b116007d41832a6c52a7cfbb91c00d9b9aef7a3"


@pytest.mark.parametrize("space, name, n", [("nb101", "nb101", 10), ("nb301", "darts", 6)])
def test_synflow_agrees_with_nas_bench_suite_zero(space, name, n):
    # NAS-Bench-101 draws its convolutions by He's fan-out rule (NASLib's PyTorch port); PyTorch's default
    # initialisation put log(synflow) 4.5 to 39 below the published values
    parse = get_space(name).parse
    diffs = []
    for key, rec in _sample(PUBLISHED[space]["cifar10"], n):
        net = build_network(parse(key), seed=0)
        diffs.append(log_synflow(net, (3, 32, 32), inplace=True) - rec["synflow"])
    diffs = np.abs(diffs)
    assert np.median(diffs) <= SYNFLOW_MEDIAN_GOAL and diffs.max() < 0.5, diffs


def test_nb101_params_and_flops_equal_the_published_values():
    parse = get_space("nb101").parse
    for key, rec in _sample(PUBLISHED["nb101"]["cifar10"], 10, seed=1):
        net = build_network(parse(key))
        assert counts.params(net) == pytest.approx(rec["params"], abs=5e-7), key
        assert counts.flops(net, (3, 32, 32)) == pytest.approx(rec["flops"], abs=5e-7), key


@pytest.mark.parametrize("space, name", [("tnb101_micro", "tnb101-micro"), ("tnb101_macro", "tnb101-macro")])
def test_transnas_params_and_flops_equal_the_published_values(space, name):
    # every task of the sample: classification heads, the segmentation decoder and the pix2pix generator
    parse = get_space(name).parse
    for block, records in PUBLISHED[space].items():
        task = "autoencoder" if block == "autoencoder_or_normal" else block  # one network for both
        shape = dataset_shape(task)
        for key, rec in _sample(records, 3):
            net = build_network(parse(key), task=task, num_classes=shape.num_classes, in_channels=shape.input_shape[0])
            assert counts.params(net) == pytest.approx(rec["params"], abs=5e-7), (task, key)
            assert counts.flops(net, shape.input_shape) == pytest.approx(rec["flops"], abs=5e-7), (task, key)
