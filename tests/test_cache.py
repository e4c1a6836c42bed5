"""The parquet benchmark cache: exact round trip, no rebuild on a hit, invalidation, atomic entries."""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd
import pytest

from naspred.benchmarks import cache
from naspred.benchmarks.base import Benchmark, Curves
from naspred.benchmarks.curve_table import OpaqueSpace


@pytest.fixture
def cache_home(monkeypatch, tmp_path):
    folder = tmp_path / "tables"
    monkeypatch.setenv("NASPRED_CACHE", str(folder))
    return folder


def _benchmark(n: int = 50, epochs: int = 12, seed: int = 0) -> Benchmark:
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {
            "arch": [f"run-{i}" for i in range(n)],
            "val_accuracy": rng.uniform(10, 90, n),
            "params": rng.integers(1000, 10**7, n),
        }
    )
    loss = rng.uniform(0, 3, (n, epochs))
    loss[3, 5:] = np.nan  # a curve that stops early
    curves = {
        "val_accuracy": Curves(np.arange(1, epochs + 1), rng.uniform(0, 100, (n, epochs))),
        "train_loss": Curves(np.arange(1, epochs + 1), loss),
        "sparse": Curves(np.array([12, 200]), rng.uniform(0, 100, (n, 2))),
    }
    return Benchmark(
        name="fixture",
        space=OpaqueSpace(),
        dataset="ds",
        table=table,
        target="val_accuracy",
        higher_is_better=False,
        curves=curves,
        epoch_seconds=rng.uniform(1, 5, n),
        source="generated",
        notes=["one", "two"],
    )


def _assert_same(a: Benchmark, b: Benchmark) -> None:
    pd.testing.assert_frame_equal(a.table, b.table)
    assert (a.name, a.dataset, a.target, a.higher_is_better, a.source, a.notes) == (
        b.name,
        b.dataset,
        b.target,
        b.higher_is_better,
        b.source,
        b.notes,
    )
    assert type(a.space) is type(b.space) and a.space.name == b.space.name
    assert a.curves.keys() == b.curves.keys()
    for m in a.curves:
        assert np.array_equal(a.curves[m].epochs, b.curves[m].epochs)
        assert np.array_equal(a.curves[m].values, b.curves[m].values, equal_nan=True)
    assert np.array_equal(a.epoch_seconds, b.epoch_seconds)


def test_round_trip_and_no_rebuild(cache_home, tmp_path):
    src = tmp_path / "source.bin"
    src.write_bytes(b"upstream")
    calls = []

    def build():
        calls.append(1)
        return _benchmark()

    first = cache.cached_benchmark("fixture", [src], build)
    second = cache.cached_benchmark("fixture", [src], build)
    assert len(calls) == 1
    _assert_same(first, second)
    assert second.archs == [f"run-{i}" for i in range(50)]
    entries = [p for p in cache_home.iterdir()]
    assert len(entries) == 1 and entries[0].name.startswith("fixture--")
    assert sorted(p.name for p in entries[0].iterdir()) == ["arrays.parquet", "meta.json", "table.parquet"]


def test_no_curves_no_epoch_seconds(cache_home, tmp_path):
    src = tmp_path / "source.bin"
    src.write_bytes(b"x")
    bench = _benchmark()
    plain = Benchmark(bench.name, bench.space, bench.dataset, bench.table, bench.target)
    cache.cached_benchmark("plain", [src], lambda: plain)
    again = cache.cached_benchmark("plain", [src], lambda: pytest.fail("rebuilt"))
    assert again.curves == {} and again.epoch_seconds is None
    pd.testing.assert_frame_equal(again.table, plain.table)


def test_changed_source_rebuilds_and_drops_stale_entry(cache_home, tmp_path):
    src = tmp_path / "source.bin"
    src.write_bytes(b"v1")
    calls = []

    def build():
        calls.append(1)
        return _benchmark(seed=len(calls))

    cache.cached_benchmark("k", [src], build)
    src.write_bytes(b"version 2")
    os.utime(src, ns=(time.time_ns(), time.time_ns() + 10**9))
    rebuilt = cache.cached_benchmark("k", [src], build)
    assert len(calls) == 2
    _assert_same(rebuilt, _benchmark(seed=2))
    assert len([p for p in cache_home.iterdir() if p.name.startswith("k--")]) == 1


def test_disabled_and_missing_source_do_not_cache(cache_home, tmp_path):
    src = tmp_path / "source.bin"
    src.write_bytes(b"x")
    calls = []

    def build():
        calls.append(1)
        return _benchmark()

    cache.cached_benchmark("off", [src], build, enabled=False)
    cache.cached_benchmark("off", [src], build, enabled=False)
    cache.cached_benchmark("gone", [tmp_path / "absent"], build)
    assert len(calls) == 3
    assert not cache_home.exists() or list(cache_home.iterdir()) == []


def test_corrupt_entry_is_rebuilt(cache_home, tmp_path):
    src = tmp_path / "source.bin"
    src.write_bytes(b"x")
    cache.cached_benchmark("c", [src], _benchmark)
    (entry,) = list(cache_home.iterdir())
    (entry / "table.parquet").write_bytes(b"PAR1 truncated")
    calls = []

    def build():
        calls.append(1)
        return _benchmark()

    out = cache.cached_benchmark("c", [src], build)
    assert len(calls) == 1
    _assert_same(out, _benchmark())


def test_clear(cache_home, tmp_path):
    src = tmp_path / "source.bin"
    src.write_bytes(b"x")
    cache.cached_benchmark("a", [src], _benchmark)
    cache.cached_benchmark("b", [src], _benchmark)
    assert cache.clear("a") == 1
    assert [p.name.split("--")[0] for p in cache_home.iterdir()] == ["b"]
    assert cache.clear() == 1


def test_large_cached_load_round_trips(cache_home, tmp_path):
    """15,625 rows with 4 curves of 100 epochs come back from the cache unchanged (timings: perf/foundation.py)."""
    src = tmp_path / "source.bin"
    src.write_bytes(b"x")
    n, epochs = 15_625, 100
    rng = np.random.default_rng(1)
    table = pd.DataFrame({"arch": [f"a{i}" for i in range(n)], "val_accuracy": rng.uniform(0, 100, n)})
    curves = {
        m: Curves(np.arange(1, epochs + 1), rng.uniform(0, 100, (n, epochs)))
        for m in ("train_accuracy", "train_loss", "val_accuracy", "val_loss")
    }
    bench = Benchmark("big", OpaqueSpace(), "ds", table, "val_accuracy", curves=curves, epoch_seconds=np.ones(n))
    cache.cached_benchmark("big", [src], lambda: bench)
    again = cache.cached_benchmark("big", [src], lambda: pytest.fail("rebuilt"))
    assert np.array_equal(again.curves["val_loss"].values, curves["val_loss"].values)


def test_long_keys_stay_short_and_distinct(cache_home, tmp_path):
    src = tmp_path / "source.bin"
    src.write_bytes(b"x")
    deep = "/".join(["a-rather-long-folder-name"] * 20)
    keys = [f"first:{deep}/data.bin", f"second:{deep}/data.bin"]
    for seed, key in enumerate(keys):
        cache.cached_benchmark(key, [src], lambda seed=seed: _benchmark(seed=seed))
    names = sorted(p.name for p in cache_home.iterdir())
    assert len(names) == 2 and all(len(n) < 120 for n in names)
    for seed, key in enumerate(keys):
        again = cache.cached_benchmark(key, [src], lambda: pytest.fail("rebuilt"))
        _assert_same(again, _benchmark(seed=seed))
