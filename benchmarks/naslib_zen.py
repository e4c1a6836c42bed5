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

Members are found by name at any depth, so a zip of several spaces and datasets
(``all_benchmarks_zen.zip``) and the "9x" zips with one folder per proxy
(``<proxy>/benchmark--<space>--<dataset>--<k>.json``) are read too: ``dataset=`` and ``space=`` choose a
block, and the records of one architecture in several proxy folders are merged into one row (see
:mod:`naspred.benchmarks.suite_zero_records`). A zip of proxy records without ``val_accuracy``
(``nb101_zen.zip``) is a :class:`~naspred.benchmarks.base.ProxyTable`: :func:`load_proxy_table` reads it.
"""

from __future__ import annotations

import json
import logging
import lzma
import re
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from naspred.benchmarks.base import Benchmark, ProxyTable
from naspred.benchmarks.datahome import artifact_path
from naspred.benchmarks.naslib_names import (  # noqa: F401 - NASLIB_SPACES is read from here by the NASLib adapter
    NASLIB_SPACES, check_nb201_dataset, naslib_dataset, naspred_dataset, space_name,
)
from naspred.benchmarks.suite_zero_records import (
    as_proxy_table, assemble, cached_result, choose_block, record_row, records_table,
)
from naspred.errors import DataFileError

logger = logging.getLogger(__name__)

_MEMBER = re.compile(r"(?:^|/)benchmark--(?P<space>[^/]+?)--(?P<dataset>[^/]+?)--(?P<k>\d+)\.json$")


#: the largest member read (the members of NASLib's zen zips are under 40 KB each)
MAX_MEMBER_BYTES = 1 << 26
#: the most bytes the members of one block may unpack to
MAX_BLOCK_BYTES = 1 << 30
#: what reading a damaged zip raises: bad headers, a corrupt deflate stream, an unsupported or encrypted member
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, lzma.LZMAError, EOFError, OSError,
               NotImplementedError, RuntimeError)


def zip_problem(path: Path) -> str:
    """Why ``path`` cannot be opened as a zip, in a few words: empty, truncated, or not a zip."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError as err:
        return f"unreadable ({err.strerror or err})"
    if not head:
        return "empty file (0 bytes)"
    if head == b"PK\x03\x04":
        return "truncated zip (its central directory, at the end of the file, is missing or cut)"
    return "not a zip file"


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise DataFileError(f"{path}: no such file") from None
    except _ZIP_ERRORS as err:
        problem = zip_problem(path) if isinstance(err, zipfile.BadZipFile) else f"not a readable zip ({err})"
        raise DataFileError(f"{path}: {problem}; expected a NASLib zen zip") from None


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


def _member_bytes(zf: zipfile.ZipFile, path: Path, name: str, budget: int) -> bytes:
    """The bytes of member ``name``, refused from its recorded size when over MAX_MEMBER_BYTES or ``budget``."""
    size = zf.getinfo(name).file_size
    limit = min(MAX_MEMBER_BYTES, budget)
    if size > limit:
        raise DataFileError(
            f"{path}: member {name} unpacks to {size:,} bytes; at most {limit:,} are read "
            f"({MAX_MEMBER_BYTES:,} a member, {MAX_BLOCK_BYTES:,} a block)"
        )
    try:
        with zf.open(name) as fh:
            return fh.read(size)
    except _ZIP_ERRORS as err:
        raise DataFileError(f"{path}: member {name} cannot be read ({type(err).__name__}: {err}); the zip is damaged") from None


def _records(path: Path, members: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    budget = MAX_BLOCK_BYTES
    with _open_zip(path) as zf:
        for name in members:
            raw = _member_bytes(zf, path, name, budget)
            budget -= len(raw)
            if not raw.strip():
                raise DataFileError(f"{path}: member {name} is empty; expected a JSON list of records")
            try:
                records = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as err:
                raise DataFileError(f"{path}: member {name} is not valid JSON ({err})") from None
            if not isinstance(records, list):
                raise DataFileError(f"{path}: member {name} holds {type(records).__name__}; expected a list of records")
            for i, rec in enumerate(records):
                where = f"{path}: member {name}, record {i}"
                if not isinstance(rec, Mapping) or "arch" not in rec:
                    raise DataFileError(f"{where}: expected a mapping with 'arch' (and proxies, 'val_accuracy')")
                rows.append(record_row(str(rec["arch"]), rec, where))
    return rows


def read_records(path: str | Path, space: str, dataset: str) -> tuple[pd.DataFrame, list[str]]:
    """The records of one ``(NASLib space, NASLib dataset)`` of a zen zip, one row per architecture, sorted by
    NASLib index, and notes on how they were read.

    Columns: ``naslib_idx``, ``key`` (the ``arch`` text as stored), ``val_accuracy`` where recorded, and for
    each proxy ``proxy:<name>`` (score) and ``proxy_seconds:<name>`` (computation time).
    """
    path = Path(path)
    members = contents(path)
    if (space, dataset) not in members:
        raise DataFileError(
            f"{path}: no members for space {space!r} and dataset {dataset!r}; the file holds "
            + (", ".join(f"{s}/{d}" for s, d in members) or "no benchmark--<space>--<dataset>--<k>.json member")
        )
    rows = _records(path, members[(space, dataset)])
    table, notes = records_table(rows, f"{path} ({space}/{dataset})")
    if "naslib_idx" in table.columns:
        table = table.sort_values("naslib_idx", kind="stable").reset_index(drop=True)
    return table, notes


def _read(path: Path, space: str, dataset: str, name: str, notes: list[str]) -> Benchmark | ProxyTable:
    records, read_notes = read_records(path, space, dataset)
    source = f"{path.name} (NASLib / NAS-Bench-Suite-Zero), members benchmark--{space}--{dataset}--*.json"
    return assemble(records, space, dataset, name, source, [
        "proxy_seconds:<name> is the time NAS-Bench-Suite-Zero took to compute the proxy", *read_notes, *notes,
    ], str(path))


def load_nb201_zen(dataset: str = "cifar10", data_home: str | Path | None = None, cache: bool = True) -> Benchmark:
    """All 15,625 NAS-Bench-201 cells from NASLib's ``nb201_zen.zip``: 200-epoch accuracy and zen proxy."""
    ours = check_nb201_dataset(dataset)
    path = artifact_path("nb201_zen", data_home)
    theirs = naslib_dataset(ours)
    name = f"nb201-zen-{ours}"
    return cached_result(name, path, lambda: _read(path, "nasbench201", theirs, name, []), cache)


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


def _block(path: Path, dataset: str | None, space: str | None) -> tuple[str, str, str, list[str]]:
    """(NASLib space, NASLib dataset, benchmark name, notes) of the block of ``path`` to read."""
    blocks = list(contents(path))
    if not blocks:
        raise DataFileError(f"{path}: no benchmark--<space>--<dataset>--<k>.json member; expected a NASLib zen zip")
    (sp, ds), notes = choose_block(blocks, dataset, space, str(path))
    notes = [f"space {space_name(sp)!r} ({sp}): from the member names benchmark--{sp}--{ds}--<k>.json", *notes]
    return sp, ds, f"naslib-zen-{space_name(sp)}-{naspred_dataset(ds)}", notes


def load_proxy_table(path: str | Path, *, dataset: str | None = None, space: str | None = None) -> ProxyTable:
    """The proxies of one block of a zen zip as a :class:`ProxyTable` (its ``val_accuracy``, if any, is left out)."""
    path = Path(path)
    sp, ds, name, notes = _block(path, dataset, space)
    return as_proxy_table(_read(path, sp, ds, name, notes))


def load_path(
    path: str | Path, cache: bool = True, *, dataset: str | None = None, space: str | None = None
) -> Benchmark:
    """A benchmark from a zen zip. ``space`` and ``dataset`` (naspred's or NASLib's names) pick one block.

    Without them the block must be unique, except that ``cifar10`` is taken when the file holds it next to
    other datasets (the benchmark's ``notes`` say so). A block of proxies only raises
    :class:`~naspred.errors.NoTargetError` (read it with :func:`load_proxy_table`).
    """
    path = Path(path)
    sp, ds, name, notes = _block(path, dataset, space)
    key = f"{name}:{path.name}" + (":default-dataset" if notes else "")
    return cached_result(key, path, lambda: _read(path, sp, ds, name, notes), cache)
