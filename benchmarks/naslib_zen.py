"""NASLib zero-cost benchmark zips (``zen/benchmark--<space>--<dataset>--<k>.json``).

NAS-Bench-Suite-Zero (Krishnakumar et al., "NAS-Bench-Suite-Zero: Accelerating Research on Zero Cost
Proxies", NeurIPS 2022 Datasets and Benchmarks) stores its results in NASLib as zip files of JSON
chunks. Each member ``zen/benchmark--<space>--<dataset>--<k>.json`` is a list of records::

    {"idx": "7000", "arch": "(1, 1, 2, 0, 2, 3)",
     "<proxy>": {"score": 33.15, "time": 1.05}, ...,
     "val_accuracy": 67.8}

``arch`` is the architecture in NASLib's key notation for ``<space>`` (``str`` of the architecture's
NASLib hash: the op-index tuple for NAS-Bench-201), ``idx`` NASLib's running index, ``val_accuracy``
the benchmark's final validation accuracy (%) and every other key a zero-cost proxy with its score and
the seconds it took to compute. ``nb201_zen.zip`` (NASLib ``run/results/benchmarks``) holds the ``zen``
proxy (Lin et al., "Zen-NAS", ICCV 2021) of all 15,625 NAS-Bench-201 cells on CIFAR-10, CIFAR-100 and
ImageNet16-120; its ``val_accuracy`` is the NAS-Bench-201 validation accuracy after 200 epochs.
"""

from __future__ import annotations

import json
import logging
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from naspred.benchmarks.base import Benchmark
from naspred.benchmarks.cache import cached_benchmark
from naspred.benchmarks.datahome import artifact_path
from naspred.errors import DataFileError, InvalidArchitectureError, UnknownNameError
from naspred.spaces import get as get_space
from naspred.spaces.base import SearchSpace

logger = logging.getLogger(__name__)

#: NASLib search-space names -> naspred search-space names
NASLIB_SPACES: Mapping[str, str] = {
    "nasbench201": "nb201",
    "nasbench101": "nb101",
    "nasbench301": "darts",
    "darts": "darts",
    "transbench101_micro": "tnb101-micro",
    "transbench101_macro": "tnb101-macro",
}

#: naspred dataset names -> NASLib dataset names (other datasets, e.g. TransNAS-Bench-101 tasks, pass unchanged)
NASLIB_DATASETS: Mapping[str, str] = {
    "cifar10": "cifar10",
    "cifar100": "cifar100",
    "imagenet16": "ImageNet16-120",
}

#: the NAS-Bench-201 datasets naspred names
NB201_DATASETS: tuple[str, ...] = ("cifar10", "cifar100", "imagenet16")

_MEMBER = re.compile(r"(?:^|/)benchmark--(?P<space>[^/]+?)--(?P<dataset>[^/]+?)--(?P<k>\d+)\.json$")
_NON_PROXY_KEYS = frozenset({"idx", "arch", "val_accuracy"})


def naslib_dataset(dataset: str) -> str:
    """NASLib's name of ``dataset`` (``"imagenet16"`` and ``"ImageNet16-120"`` both give ``"ImageNet16-120"``)."""
    return NASLIB_DATASETS.get(dataset, dataset)


def naspred_dataset(dataset: str) -> str:
    """naspred's name of a NASLib dataset name (``"ImageNet16-120"`` gives ``"imagenet16"``)."""
    for ours, theirs in NASLIB_DATASETS.items():
        if dataset == theirs:
            return ours
    return dataset


def check_nb201_dataset(dataset: str) -> str:
    """``dataset`` in naspred's naming if it is a NAS-Bench-201 dataset, else :class:`UnknownNameError`."""
    ours = naspred_dataset(dataset) if isinstance(dataset, str) else dataset
    if ours not in NB201_DATASETS:
        raise UnknownNameError(
            f"unknown NAS-Bench-201 dataset {dataset!r}; expected one of {list(NB201_DATASETS)} "
            "(or NASLib's names cifar10, cifar100, ImageNet16-120)"
        )
    return ours


def space_for(naslib_space: str) -> SearchSpace:
    """The naspred search space of a NASLib search-space name."""
    try:
        return get_space(NASLIB_SPACES[naslib_space])
    except KeyError:
        raise UnknownNameError(
            f"unknown NASLib search space {naslib_space!r}; expected one of {sorted(NASLIB_SPACES)}"
        ) from None


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise DataFileError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as err:
        raise DataFileError(f"{path}: not a readable zip file ({err}); expected a NASLib zen zip") from err


def contents(path: str | Path) -> dict[tuple[str, str], list[str]]:
    """The ``(NASLib space, NASLib dataset)`` pairs of a zen zip, each with its member names in chunk order."""
    path = Path(path)
    with _open_zip(path) as zf:
        names = zf.namelist()
    found: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for name in names:
        m = _MEMBER.search(name)
        if m:
            found.setdefault((m["space"], m["dataset"]), []).append((int(m["k"]), name))
    return {key: [n for _, n in sorted(members)] for key, members in sorted(found.items())}


def _float(value: Any, where: str) -> float:
    """A stored number as float; ``None`` (JSON null) is NaN, which the benchmark's notes count."""
    if value is None:
        return np.nan
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise DataFileError(f"{where}: {value!r} is not a number")
    try:
        return float(value)
    except ValueError:
        raise DataFileError(f"{where}: {value!r} is not a number") from None


def proxy_score(value: Any, where: str) -> tuple[float, float]:
    """(score, seconds) of one stored proxy: ``{"score", "time"}``, or a bare number (no time, NaN seconds)."""
    if isinstance(value, Mapping):
        if "score" not in value:
            raise DataFileError(f"{where}: expected {{'score', 'time'}} or a number, found keys {sorted(value)}")
        return _float(value["score"], f"{where} score"), _float(value.get("time"), f"{where} time")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), np.nan
    raise DataFileError(f"{where}: expected {{'score', 'time'}} or a number, found {type(value).__name__}")


def non_finite_notes(table: pd.DataFrame) -> list[str]:
    """One note per proxy or target column holding NaN or infinite values as stored."""
    notes = []
    for col in [c for c in table.columns if c.startswith("proxy:") or c == "val_accuracy"]:
        bad = int((~np.isfinite(table[col].to_numpy(dtype=np.float64))).sum())
        if bad:
            notes.append(f"{col}: {bad} values are NaN, null or infinite as stored")
    return notes


def read_records(path: str | Path, space: str, dataset: str) -> pd.DataFrame:
    """The records of one ``(NASLib space, NASLib dataset)`` of a zen zip, sorted by NASLib index.

    Columns: ``naslib_idx``, ``key`` (the ``arch`` text as stored), ``val_accuracy``, and for each
    proxy ``proxy:<name>`` (score) and ``proxy_seconds:<name>`` (computation time, NaN where not stored).
    """
    path = Path(path)
    members = contents(path)
    if (space, dataset) not in members:
        raise DataFileError(
            f"{path}: no members for space {space!r} and dataset {dataset!r}; the file holds "
            + (", ".join(f"{s}/{d}" for s, d in members) or "no benchmark--<space>--<dataset>--<k>.json member")
        )
    rows: list[dict[str, Any]] = []
    with _open_zip(path) as zf:
        for name in members[(space, dataset)]:
            try:
                records = json.loads(zf.read(name))
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as err:
                raise DataFileError(f"{path}: member {name} cannot be read ({err}); the zip is damaged") from err
            except (json.JSONDecodeError, UnicodeDecodeError) as err:
                raise DataFileError(f"{path}: member {name} is not valid JSON ({err})") from err
            if not isinstance(records, list):
                raise DataFileError(f"{path}: member {name} holds {type(records).__name__}; expected a list of records")
            for i, rec in enumerate(records):
                where = f"{path}: member {name}, record {i}"
                if not isinstance(rec, Mapping) or "arch" not in rec or "val_accuracy" not in rec:
                    raise DataFileError(f"{where}: expected a mapping with 'arch' and 'val_accuracy'")
                idx = _float(rec.get("idx"), f"{where} idx")
                row: dict[str, Any] = {
                    "naslib_idx": int(idx) if np.isfinite(idx) else -1,
                    "key": str(rec["arch"]),
                    "val_accuracy": _float(rec["val_accuracy"], f"{where} val_accuracy"),
                }
                for proxy, value in rec.items():
                    if proxy in _NON_PROXY_KEYS:
                        continue
                    row[f"proxy:{proxy}"], row[f"proxy_seconds:{proxy}"] = proxy_score(value, f"{where}, proxy {proxy!r}")
                rows.append(row)
    table = pd.DataFrame(rows)
    dup = table["key"].duplicated(keep=False)
    if dup.any():
        raise DataFileError(
            f"{path}: {int(dup.sum())} records of {space}/{dataset} repeat an architecture, e.g. "
            f"{table.loc[dup, 'key'].iloc[0]!r}; expected each architecture once"
        )
    return table.sort_values("naslib_idx", kind="stable").reset_index(drop=True)


_NB201_TUPLE = re.compile(r"^\(\s*\d+\s*(?:,\s*\d+\s*){5}\)$")


def format_keys(space: SearchSpace, keys: pd.Series | list[str], source: str) -> list[str]:
    """The space's text notation of each NASLib key; a key outside the space is a :class:`DataFileError`.

    NAS-Bench-201 op-index tuples (NASLib's edge order, which ``from_op_indices`` uses) are converted in one
    vectorised call; other keys go through ``space.parse``.
    """
    keys = [str(k) for k in keys]
    try:
        if space.name == "nb201" and keys and all(_NB201_TUPLE.match(k) for k in keys):
            codes = np.array([[int(v) for v in re.findall(r"\d+", k)] for k in keys], dtype=np.int64)
            return [space.format(a) for a in space.from_op_indices(codes)]  # type: ignore[attr-defined]
        return [space.format(space.parse(k)) for k in keys]
    except InvalidArchitectureError as err:
        bad = next((k for k in keys if not _parses(space, k)), None)
        raise DataFileError(f"{source}: architecture {bad!r} is not in space {space.name!r}: {err}") from err


def _parses(space: SearchSpace, key: str) -> bool:
    try:
        space.parse(key)
    except InvalidArchitectureError:
        return False
    return True


def drop_repeated_archs(table: pd.DataFrame, target: str = "val_accuracy") -> tuple[pd.DataFrame, list[str]]:
    """Keep the first row of each ``arch`` text (distinct keys may name one cell, e.g. unpruned NAS-Bench-101
    matrices); the notes say how many rows were dropped and whether their targets agreed."""
    repeated = table["arch"].duplicated(keep="first")
    if not repeated.any():
        return table, []
    first = table.loc[~repeated].set_index("arch")[target]
    dropped = table.loc[repeated]
    differ = int((np.abs(dropped[target].to_numpy() - first.loc[dropped["arch"]].to_numpy()) > 1e-9).sum())
    note = (
        f"{int(repeated.sum())} keys name a cell already listed (same architecture text); the first record of "
        f"each was kept ({differ} of the dropped records had a different {target})"
    )
    logger.info(note)
    return table.loc[~repeated].reset_index(drop=True), [note]


def _build(path: Path, space: str, dataset: str, name: str) -> Benchmark:
    records = read_records(path, space, dataset)
    sp = space_for(space)
    arch = format_keys(sp, records["key"], str(path))
    table = records.drop(columns=["key"]).assign(arch=arch)
    table = table[["arch", "val_accuracy"] + [c for c in table.columns if c not in ("arch", "val_accuracy")]]
    table, repeat_notes = drop_repeated_archs(table)
    return Benchmark(
        name=name,
        space=sp,
        dataset=naspred_dataset(dataset),
        table=table,
        target="val_accuracy",
        higher_is_better=True,
        source=f"{path.name} (NASLib / NAS-Bench-Suite-Zero), members benchmark--{space}--{dataset}--*.json",
        notes=[
            "val_accuracy: the final validation accuracy (%) stored with the proxies (NAS-Bench-201: after 200 epochs)",
            "no learning curves and no training time in this file: epoch_seconds is None",
            "proxy_seconds:<name> is the time NAS-Bench-Suite-Zero took to compute the proxy",
            *repeat_notes,
            *non_finite_notes(table),
        ],
    )


def load_nb201_zen(dataset: str = "cifar10", data_home: str | Path | None = None, cache: bool = True) -> Benchmark:
    """All 15,625 NAS-Bench-201 cells from NASLib's ``nb201_zen.zip``: 200-epoch accuracy and zen proxy."""
    ours = check_nb201_dataset(dataset)
    path = artifact_path("nb201_zen", data_home)
    theirs = naslib_dataset(ours)
    return cached_benchmark(
        f"nb201-zen-{ours}",
        [path],
        lambda: _build(path, "nasbench201", theirs, f"nb201-zen-{ours}"),
        enabled=cache,
    )


def detect(path: Path) -> bool:
    """Whether ``path`` is a zip holding at least one ``benchmark--<space>--<dataset>--<k>.json`` member."""
    path = Path(path)
    if not path.is_file():
        return False
    try:
        if not zipfile.is_zipfile(path):
            return False
        return bool(contents(path))
    except DataFileError:
        return False


def load_path(
    path: str | Path, cache: bool = True, *, dataset: str | None = None, space: str | None = None
) -> Benchmark:
    """A benchmark from a zen zip. ``space`` (NASLib name) and ``dataset`` pick one block of the file.

    Without them the block must be unique, except that ``cifar10`` is taken when the file holds it next to
    other datasets (the benchmark's ``notes`` say so).
    """
    path = Path(path)
    held_blocks = list(contents(path))
    blocks = held_blocks
    if not blocks:
        raise DataFileError(f"{path}: no benchmark--<space>--<dataset>--<k>.json member; expected a NASLib zen zip")
    if space is not None:
        blocks = [b for b in blocks if b[0] == space]
    if dataset is not None:
        blocks = [b for b in blocks if b[1] == naslib_dataset(dataset)]
    held = ", ".join(f"{s}/{d}" for s, d in held_blocks)
    if not blocks:
        raise DataFileError(f"{path}: no block for space={space!r}, dataset={dataset!r}; the file holds {held}")
    notes: list[str] = []
    if len(blocks) > 1:
        spaces = {s for s, _ in blocks}
        default = [b for b in blocks if b[1] == "cifar10"]
        if len(spaces) > 1 or not default:
            raise DataFileError(f"{path}: holds several blocks ({held}); pass space= and dataset= to choose one")
        blocks = default
        notes.append(f"the file holds {held}; cifar10 was loaded (pass dataset= to choose)")
    sp, ds = blocks[0]
    name = f"naslib-zen-{NASLIB_SPACES.get(sp, sp)}-{naspred_dataset(ds)}"

    def build() -> Benchmark:
        bench = _build(path, sp, ds, name)
        bench.notes.extend(notes)
        return bench

    key = f"{name}:{path.name}" + (":default-dataset" if notes else "")
    return cached_benchmark(key, [path], build, enabled=cache)
