"""NAS-Bench-Graph from the PyPI package ``nas-bench-graph`` (embedded, no download).

Qin et al., "NAS-Bench-Graph: Benchmarking Graph Neural Architecture Search", NeurIPS 2022 Datasets and
Benchmarks. The wheel ships "light" files ``nas_bench_graph/light/<dataset>.bench``: pickles of a dict
mapping the architecture's hash key (``Arch.valid_hash()`` upstream: the link pattern index followed by
the four operation indices, in base 10) to ``{"valid_perf", "perf", "latency", "para"}``: validation
and test performance, inference latency and parameter count, as upstream records them. The
``proteins`` file covers the smaller operation set used on that dataset (gcn, sage, arma, fc, skip), so
it has fewer architectures than the other eight datasets.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd

from naspred.benchmarks.base import Benchmark
from naspred.benchmarks.cache import cached_benchmark
from naspred.benchmarks.embedded import embedded_file
from naspred.benchmarks.safe_pickle import load_records
from naspred.errors import DataFileError, InvalidArchitectureError, UnknownNameError
from naspred.spaces import get as get_space

logger = logging.getLogger(__name__)

PACKAGE = "nas_bench_graph"
DATASETS: tuple[str, ...] = ("cora", "citeseer", "pubmed", "cs", "physics", "photo", "computers", "arxiv", "proteins")
#: upstream field -> table column
FIELDS: dict[str, str] = {"valid_perf": "valid_perf", "perf": "perf", "latency": "latency", "para": "params"}

NOTES = (
    "target valid_perf is the validation performance upstream records; perf is the test performance, "
    "params upstream's 'para' field, latency the measured inference latency",
    "no training time and no learning curves are in the light files (the full per-epoch records are on figshare)",
)


def light_file(dataset: str) -> Path:
    """The light file of ``dataset`` inside the installed ``nas-bench-graph`` package (not imported)."""
    if dataset not in DATASETS:
        raise UnknownNameError(f"unknown NAS-Bench-Graph dataset {dataset!r}; expected one of {list(DATASETS)}")
    return embedded_file(PACKAGE, "nas-bench-graph", f"light/{dataset}.bench")


def read_records(path: str | Path) -> pd.DataFrame:
    """One row per architecture: ``key`` (upstream hash key) and the four recorded fields."""
    path = Path(path)
    data = load_records(path, {}, allow_numpy=True)
    rows: list[dict[str, Any]] = []
    for key, rec in data.items():
        if not isinstance(key, int) or not isinstance(rec, dict):
            raise DataFileError(f"{path}: entry {key!r} is not an integer key with a dict of metrics")
        try:
            row: dict[str, Any] = {"key": key}
            for field, column in FIELDS.items():
                row[column] = float(rec[field])
        except (KeyError, TypeError, ValueError) as err:
            raise DataFileError(
                f"{path}: architecture {key} lacks a field or holds a non-number ({err}); expected {list(FIELDS)}"
            ) from err
        rows.append(row)
    table = pd.DataFrame(rows, columns=["key", *FIELDS.values()])
    nan_rows = table[table.isna().any(axis=1)]
    if len(nan_rows):
        raise DataFileError(f"{path}: architecture {int(nan_rows['key'].iloc[0])} has a NaN metric")
    return table


def _build(path: Path, dataset: str) -> Benchmark:
    records = read_records(path)
    space = get_space("nbgraph")
    proteins = dataset == "proteins"
    archs: list[str] = []
    for key in records["key"]:
        try:
            archs.append(space.format(space.from_hash_key(int(key), proteins=proteins)))
        except InvalidArchitectureError as err:
            raise DataFileError(f"{path}: hash key {key} is not a NAS-Bench-Graph architecture: {err}") from err
    table = records.drop(columns="key")
    table.insert(0, "arch", archs)
    return Benchmark(f"nbgraph-{dataset}", space, dataset, table, "valid_perf", source=str(path), notes=list(NOTES))


def _dataset_of(path: Path) -> str:
    return path.name[: -len(".bench")]


def detect(path: str | Path) -> bool:
    """Whether ``path`` is a NAS-Bench-Graph light file (``<dataset>.bench``)."""
    path = Path(path)
    return path.is_file() and path.name.endswith(".bench") and _dataset_of(path) in DATASETS


def load_path(path: str | Path, cache: bool = True) -> Benchmark:
    """Read a NAS-Bench-Graph light file named ``<dataset>.bench``."""
    path = Path(path)
    if not detect(path):
        raise DataFileError(
            f"{path}: expected a NAS-Bench-Graph light file named <dataset>.bench, one of {list(DATASETS)}"
        )
    dataset = _dataset_of(path)
    return cached_benchmark(f"nbgraph:{path.resolve()}", [path], lambda: _build(path, dataset), enabled=cache)


def load_nbgraph(dataset: str = "cora", data_home: str | Path | None = None, cache: bool = True) -> Benchmark:
    """The ``nbgraph-<dataset>`` benchmark from the installed package (``data_home`` is not used)."""
    return load_path(light_file(dataset), cache)
