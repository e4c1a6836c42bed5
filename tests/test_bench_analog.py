"""nb201-analog-cifar10: the embedded default, read from the installed analog-nasbench package."""

from __future__ import annotations

import pickle
import sys

import numpy as np
import pytest

from naspred.benchmarks import analog
from naspred.benchmarks.registry import load
from naspred.errors import UnknownNameError
from naspred.spaces import get as get_space


class _Plain:
    """Any object: takes its pickled attributes."""


class _IndependentReader(pickle.Unpickler):
    """A second route into data.anb: plain pickle with every analognasbench class mapped to a bare object."""

    def find_class(self, module, name):
        if module == "analognasbench.data":
            return _Plain
        return super().find_class(module, name)


@pytest.fixture(scope="module")
def upstream() -> dict:
    with open(analog.data_file(), "rb") as fh:
        return _IndependentReader(fh).load()


@pytest.fixture(scope="module")
def bench():
    return analog.load_analog(cache=False)


def test_package_is_found_without_importing_it():
    path = analog.data_file()
    assert path.name == "data.anb" and path.parent.name == "analognasbench"
    assert "analognasbench" not in sys.modules


def test_size_space_target(bench, upstream):
    assert len(upstream) == 15_625
    assert len(bench) == 15_625
    assert bench.space.name == "nb201"
    assert bench.target == "val_accuracy" and bench.higher_is_better
    assert bench.epoch_seconds is None and bench.curves == {}
    assert any("no training time" in n for n in bench.notes)
    assert len(set(bench.table["arch"])) == 15_625


def test_values_match_the_pickle(bench, upstream):
    space = get_space("nb201")
    for key in [(0, 0, 0, 0, 0, 0), (4, 0, 3, 1, 4, 3), (2, 2, 2, 2, 2, 2)]:
        rec = upstream[key]
        row = bench.table.iloc[bench.index_of([space.parse(str(key))])[0]]
        assert row["val_accuracy"] == rec.baseline_accuracy
        assert row["analog_accuracy"] == rec.analog_accuracy
        assert row["baseline_drift_3600"] == rec.baseline_drift_3600.value
        assert row["baseline_drift_3600_uncertainty"] == rec.baseline_drift_3600.uncertainty
    ours = np.sort(bench.table["val_accuracy"].to_numpy())
    theirs = np.sort([r.baseline_accuracy for r in upstream.values()])
    assert np.array_equal(ours, theirs)


def test_registry_and_path_load_agree(bench, monkeypatch, tmp_path):
    monkeypatch.setenv("NASPRED_CACHE", str(tmp_path / "cache"))
    by_name = load("nb201-analog-cifar10")
    assert by_name.table.equals(bench.table)
    path = analog.data_file()
    assert analog.detect(path)
    by_path = analog.load_path(path)
    assert by_path.table.equals(bench.table)
    cached = load("nb201-analog-cifar10")  # from the cache this time
    assert cached.table.equals(bench.table) and cached.notes == bench.notes


def test_detect_rejects_other_files(tmp_path, data_home):
    assert not analog.detect(data_home / "naslib" / "nb201_zen.zip")
    fake = tmp_path / "x.anb"
    fake.write_text("text")
    assert not analog.detect(fake)


def test_only_cifar10():
    with pytest.raises(UnknownNameError, match="cifar10"):
        analog.load_analog(dataset="cifar100")
