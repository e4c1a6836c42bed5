"""NAS-Bench-Graph from the nas-bench-graph package's light files."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from naspred.benchmarks import nasbench_graph as nbg
from naspred.errors import DataFileError, UnknownNameError


def _upstream(dataset: str) -> dict:
    """The light file read by plain pickle (the package's own trusted file), a second route to the values."""
    with open(nbg.light_file(dataset), "rb") as fh:
        return pickle.load(fh)


@pytest.mark.parametrize("dataset", nbg.DATASETS)
def test_record_counts(dataset):
    records = nbg.read_records(nbg.light_file(dataset))
    upstream = _upstream(dataset)
    assert len(records) == len(upstream)
    # 26,206 architectures per dataset; proteins uses the smaller operation set
    assert len(records) == (2_021 if dataset == "proteins" else 26_206)
    assert np.array_equal(records["valid_perf"].to_numpy(), [float(v["valid_perf"]) for v in upstream.values()])


@pytest.mark.parametrize("dataset", ["cora", "proteins"])
def test_load(dataset):
    bench = nbg.load_nbgraph(dataset, cache=False)
    upstream = _upstream(dataset)
    assert bench.space.name == "nbgraph" and bench.target == "valid_perf" and bench.higher_is_better
    assert len(bench) == len(upstream)
    assert list(bench.table.columns) == ["arch", "valid_perf", "perf", "latency", "params"]
    assert bench.table["arch"].is_unique
    for key in list(upstream)[:: max(1, len(upstream) // 7)]:
        arch = bench.space.from_hash_key(key, proteins=dataset == "proteins")
        row = bench.table.iloc[bench.index_of([arch])[0]]
        assert row["valid_perf"] == float(upstream[key]["valid_perf"])
        assert row["perf"] == float(upstream[key]["perf"])
        assert row["params"] == float(upstream[key]["para"])


def test_path_loading(monkeypatch, tmp_path):
    monkeypatch.setenv("NASPRED_CACHE", str(tmp_path))
    path = nbg.light_file("citeseer")
    assert nbg.detect(path)
    bench = nbg.load_path(path)
    assert bench.name == "nbgraph-citeseer" and len(bench) == 26_206
    other = tmp_path / "unknown.bench"
    other.write_bytes(path.read_bytes())
    assert not nbg.detect(other)
    with pytest.raises(DataFileError, match="<dataset>.bench"):
        nbg.load_path(other)


def test_truncated_light_file(tmp_path):
    data = nbg.light_file("cora").read_bytes()
    cut = tmp_path / "cora.bench"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(DataFileError, match="cora.bench"):
        nbg.read_records(cut)


def test_unknown_dataset():
    with pytest.raises(UnknownNameError, match="cora"):
        nbg.load_nbgraph("imagenet")
