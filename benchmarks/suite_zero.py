"""NAS-Bench-Suite-Zero JSON files (``zc_<space>.json``).

NAS-Bench-Suite-Zero (Krishnakumar et al., "NAS-Bench-Suite-Zero: Accelerating Research on Zero Cost
Proxies", NeurIPS 2022 Datasets and Benchmarks) publishes one JSON file per NASLib search space, fetched
by NASLib's ``scripts/bash_scripts/download_nbs_zero.sh`` (``zerocost`` branch): ``zc_nasbench101.json``,
``zc_nasbench201.json``, ``zc_nasbench301.json``, ``zc_transbench101_micro.json`` and
``zc_transbench101_macro.json``. Each is::

    {dataset: {str(arch_hash): {proxy: {"score": float, "time": seconds}, ..., "val_accuracy": float}}}

``dataset`` is NASLib's dataset name (``cifar10``, ``cifar100``, ``ImageNet16-120``, or a
TransNAS-Bench-101 task such as ``class_scene``); the architecture key is ``str`` of NASLib's
``graph.get_hash()`` (NASLib's ``get_zc_benchmark_api`` returns ``data[dataset]``, indexed as
``zc_api[str(arch.get_hash())]``): the op-index tuple for NAS-Bench-201 and TransNAS-Bench-101, the
flattened adjacency matrix followed by op indices for NAS-Bench-101, and the compact
``((normal pairs), (reduction pairs))`` tuple for NAS-Bench-301 / DARTS. Older files store a proxy as a
bare number (no time). ``val_accuracy`` is the benchmark's final validation metric (higher is better).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from naspred.benchmarks.base import Benchmark
from naspred.benchmarks.cache import cached_benchmark
from naspred.benchmarks.datahome import data_home as resolve_home
from naspred.benchmarks.naslib_zen import (
    NASLIB_SPACES,
    drop_repeated_archs,
    format_keys,
    naslib_dataset,
    naspred_dataset,
    non_finite_notes,
    proxy_score,
    space_for,
)
from naspred.errors import DataFileError, MissingDataError, UnknownNameError

logger = logging.getLogger(__name__)

#: NASLib spaces with a NAS-Bench-Suite-Zero file
SUITE_ZERO_SPACES: tuple[str, ...] = (
    "nasbench101", "nasbench201", "nasbench301", "transbench101_micro", "transbench101_macro",
)  # fmt: skip
#: per-architecture keys that are metrics, not proxies
METRIC_KEYS: frozenset[str] = frozenset({"val_accuracy", "test_accuracy", "train_accuracy", "train_time"})
#: where :func:`load_suite_zero` looks in the data home
DATA_HOME_FOLDER = "naslib"

_FILE_NAME = re.compile(r"^zc_(?P<space>[a-z0-9_]+?)(?:[_-].*)?\.json$")
_HEAD = re.compile(r'^\s*\{\s*"[^"]+"\s*:\s*\{\s*"[^"]+"\s*:\s*\{')


def space_of_file(path: Path) -> str | None:
    """The NASLib space a ``zc_<space>.json`` file name names (longest match), or ``None``."""
    m = _FILE_NAME.match(path.name)
    if not m:
        return None
    candidates = [s for s in SUITE_ZERO_SPACES if path.name.startswith(f"zc_{s}")]
    return max(candidates, key=len) if candidates else None


def read_suite_zero(path: str | Path) -> dict[str, Any]:
    """The parsed JSON of a Suite-Zero file, checked to be ``{dataset: {arch: {...}}}``."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path}: no such file")
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise DataFileError(f"{path}: not valid JSON ({err}); expected a NAS-Bench-Suite-Zero zc_<space>.json") from err
    if not isinstance(data, dict) or not data or not all(isinstance(v, dict) for v in data.values()):
        raise DataFileError(f"{path}: expected an object {{dataset: {{architecture: {{proxy: ...}}}}}}")
    return data


def suite_zero_table(data: Mapping[str, Any], dataset: str, source: str) -> pd.DataFrame:
    """One row per architecture of ``data[dataset]``: ``key``, metrics, ``proxy:<name>``, ``proxy_seconds:<name>``."""
    block = data.get(naslib_dataset(dataset), data.get(dataset))
    if block is None:
        raise UnknownNameError(f"{source}: no dataset {dataset!r}; the file holds {sorted(data)}")
    rows = []
    for key, entry in block.items():
        where = f"{source}: {dataset}/{key}"
        if not isinstance(entry, Mapping) or "val_accuracy" not in entry:
            raise DataFileError(f"{where}: expected an object with 'val_accuracy' and proxies")
        row: dict[str, Any] = {"key": key}
        for name, value in entry.items():
            if name in METRIC_KEYS:
                row[name] = proxy_score(value, f"{where}, {name}")[0]
            else:
                row[f"proxy:{name}"], row[f"proxy_seconds:{name}"] = proxy_score(value, f"{where}, proxy {name!r}")
        rows.append(row)
    if not rows:
        raise DataFileError(f"{source}: dataset {dataset!r} holds no architecture")
    table = pd.DataFrame(rows)
    timed = [c for c in table.columns if c.startswith("proxy_seconds:") and table[c].isna().all()]
    return table.drop(columns=timed)


def _build(path: Path, space: str, dataset: str | None) -> Benchmark:
    data = read_suite_zero(path)
    dataset = _pick_dataset(path, data, dataset)
    table = suite_zero_table(data, dataset, str(path))
    sp = space_for(space)
    arch = format_keys(sp, table["key"], str(path))
    table = table.drop(columns=["key"])
    table.insert(0, "arch", arch)
    table, repeat_notes = drop_repeated_archs(table)
    notes = [
        "val_accuracy: the final validation metric NAS-Bench-Suite-Zero stores with the proxies",
        "no learning curves and no training time in this file: epoch_seconds is None",
        *repeat_notes,
    ]
    notes.extend(non_finite_notes(table))
    if not any(c.startswith("proxy_seconds:") for c in table.columns):
        notes.append("proxies stored as bare numbers: no computation time")
    ours = naspred_dataset(dataset)
    return Benchmark(
        name=f"suite-zero-{NASLIB_SPACES.get(space, space)}-{ours}",
        space=sp,
        dataset=ours,
        table=table,
        target="val_accuracy",
        higher_is_better=True,
        source=f"{path.name} (NAS-Bench-Suite-Zero, NASLib zerocost branch)",
        notes=notes,
    )


def _pick_dataset(path: Path, data: Mapping[str, Any], dataset: str | None) -> str:
    """The NASLib dataset key to read: ``dataset`` (either naming), else ``cifar10`` or the only one held."""
    held = sorted(data)
    if dataset is None:
        if "cifar10" in held or len(held) == 1:
            return "cifar10" if "cifar10" in held else held[0]
        raise DataFileError(f"{path}: holds datasets {held}; pass dataset= to choose one")
    for candidate in (naslib_dataset(dataset), dataset):
        if candidate in held:
            return candidate
    raise UnknownNameError(f"{path}: no dataset {dataset!r}; the file holds {held}")


def load_suite_zero(
    space: str = "nb201", dataset: str = "cifar10", data_home: str | Path | None = None, cache: bool = True
) -> Benchmark:
    """The Suite-Zero benchmark of ``space`` (naspred or NASLib name) on ``dataset``, from the data home.

    The file is ``<data home>/naslib/zc_<NASLib space>.json``, downloaded by hand (see the module docstring).
    """
    by_ours = {v: k for k, v in NASLIB_SPACES.items() if k in SUITE_ZERO_SPACES}
    naslib = space if space in SUITE_ZERO_SPACES else by_ours.get(space)
    if naslib is None:
        raise UnknownNameError(
            f"no NAS-Bench-Suite-Zero file for space {space!r}; expected one of {sorted(by_ours)} "
            f"or NASLib's {list(SUITE_ZERO_SPACES)}"
        )
    path = resolve_home(data_home) / DATA_HOME_FOLDER / f"zc_{naslib}.json"
    if not path.is_file():
        raise MissingDataError(
            f"NAS-Bench-Suite-Zero file zc_{naslib}.json is missing: looked for {path}. NASLib distributes it through "
            "Google Drive (scripts/bash_scripts/download_nbs_zero.sh on the zerocost branch of "
            f"github.com/automl/NASLib); download it and place it at {DATA_HOME_FOLDER}/zc_{naslib}.json under the "
            "data home, or pass its path to naspred.benchmarks.load"
        )
    return load_path(path, cache, dataset=dataset, space=naslib)


def detect(path: Path) -> bool:
    """Whether ``path`` is a ``.json`` file that starts like ``{dataset: {arch: {`` (Suite-Zero layout)."""
    path = Path(path)
    if not (path.is_file() and path.suffix.lower() == ".json"):
        return False
    try:
        with open(path, encoding="utf-8") as fh:
            head = fh.read(4096)
    except (OSError, UnicodeDecodeError):
        return False
    return bool(_HEAD.match(head))


def load_path(
    path: str | Path, cache: bool = True, *, dataset: str | None = None, space: str | None = None
) -> Benchmark:
    """A Suite-Zero file. ``space`` (NASLib name) defaults to the one in the file name ``zc_<space>.json``;
    ``dataset`` defaults to ``cifar10`` (or the file's only dataset)."""
    path = Path(path)
    naslib = space or space_of_file(path)
    if naslib is None:
        raise DataFileError(
            f"{path}: cannot tell the search space from the file name; name it zc_<space>.json or pass space= "
            f"(one of {list(SUITE_ZERO_SPACES)})"
        )
    if naslib not in NASLIB_SPACES:
        raise UnknownNameError(f"unknown NASLib search space {naslib!r}; expected one of {list(SUITE_ZERO_SPACES)}")
    chosen = naslib_dataset(dataset) if dataset is not None else None
    key = f"suite-zero-{naslib}-{chosen or 'default'}:{path.name}"
    return cached_benchmark(key, [path], lambda: _build(path, naslib, chosen), enabled=cache)
