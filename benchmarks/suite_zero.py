"""NAS-Bench-Suite-Zero JSON files (``zc_<space>.json``), in every layout NASLib has published.

NAS-Bench-Suite-Zero (Krishnakumar et al., "NAS-Bench-Suite-Zero: Accelerating Research on Zero Cost
Proxies", NeurIPS 2022 Datasets and Benchmarks) publishes one JSON file per NASLib search space:
``zc_nasbench101.json``, ``zc_nasbench201.json``, ``zc_nasbench301.json``, ``zc_transbench101_micro.json`` and
``zc_transbench101_macro.json`` (``naslib/data`` of automl/NASLib; also fetched by NASLib's
``scripts/bash_scripts/download_nbs_zero.sh``). Two layouts are read:

- ``{dataset: {arch_key: record}}``: the files at the head of NASLib's repository, whose records are
  ``{"idx": "534", "arch": "(0, 2, 3, 2, 3, 1)", "<proxy>": {"score": 88.3, "time": 0.49}, ...,
  "val_accuracy": 86.06}``; the space is named by the file name (or ``space=``);
- ``{space: {dataset: {arch_key: record}}}``: older files written by NASLib's ``scripts/create_benchmarks.py``,
  with one more level naming the space and proxies as bare numbers (``{"flops": 62.5, ..., "val_accuracy": 68.3}``).

``dataset`` is NASLib's dataset name (``cifar10``, ``cifar100``, ``ImageNet16-120``, or a TransNAS-Bench-101
task such as ``class_scene``); the architecture key is ``str`` of NASLib's ``graph.get_hash()``: the op-index
tuple for NAS-Bench-201 and TransNAS-Bench-101, the flattened adjacency matrix followed by op indices for
NAS-Bench-101, and the compact ``((normal pairs), (reduction pairs))`` tuple for NAS-Bench-301 / DARTS.
Records are read by :mod:`naspred.benchmarks.suite_zero_records` (metadata such as ``idx`` and ``arch`` is
kept apart from the proxies). ``val_accuracy`` is the benchmark's final validation metric (higher is better).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from naspred.benchmarks.base import Benchmark, ProxyTable
from naspred.benchmarks.datahome import data_home as resolve_home
from naspred.benchmarks.naslib_names import NASLIB_SPACES, naslib_space, naspred_dataset, space_name
from naspred.benchmarks.suite_zero_records import (
    as_proxy_table, assemble, cached_result, choose_block, is_record, record_row, records_table,
)
from naspred.errors import DataFileError, MissingDataError, UnknownNameError

logger = logging.getLogger(__name__)

#: NASLib spaces with a NAS-Bench-Suite-Zero file
SUITE_ZERO_SPACES: tuple[str, ...] = (
    "nasbench101", "nasbench201", "nasbench301", "transbench101_micro", "transbench101_macro",
)  # fmt: skip
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
    """The parsed JSON of a Suite-Zero file, checked to be an object of objects."""
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


def _is_block(value: Any) -> bool:
    """Whether ``value`` is ``{arch_key: record}`` (checked on its first entry)."""
    return isinstance(value, Mapping) and bool(value) and is_record(next(iter(value.values())))


def blocks_of(data: Mapping[str, Any], file_space: str | None, source: str) -> dict[tuple[str, str], Mapping[str, Any]]:
    """``{(NASLib space, NASLib dataset): {arch_key: record}}`` of a parsed file, in either layout.

    ``file_space`` is the space of a file without the space level (from its name, or ``space=``).
    """
    if all(_is_block(v) for v in data.values()):
        if file_space is None:
            raise DataFileError(
                f"{source}: cannot tell the search space: the file has no space level and its name is not "
                f"zc_<space>.json; pass --space (space=) with one of {list(SUITE_ZERO_SPACES)}"
            )
        return {(file_space, ds): block for ds, block in data.items()}
    blocks: dict[tuple[str, str], Mapping[str, Any]] = {}
    for sp, by_dataset in data.items():
        if sp not in NASLIB_SPACES or not isinstance(by_dataset, Mapping) or not all(
            _is_block(v) for v in by_dataset.values()
        ):
            raise DataFileError(
                f"{source}: expected {{dataset: {{architecture: {{proxy: ...}}}}}} or {{space: {{dataset: "
                f"{{architecture: ...}}}}}} with a NASLib space ({sorted(NASLIB_SPACES)}); found key {sp!r}"
            )
        blocks.update({(sp, ds): block for ds, block in by_dataset.items()})
    return blocks


def _read(path: Path, dataset: str | None, space: str | None) -> Benchmark | ProxyTable:
    data = read_suite_zero(path)
    file_space = naslib_space(space) if space is not None else space_of_file(path)
    blocks = blocks_of(data, file_space, str(path))
    (sp, ds), notes = choose_block(list(blocks), dataset, space, str(path))
    if space is not None:
        how = "given"
    elif file_space is None or file_space not in {s for s, _ in blocks}:
        how = "the file's space level"
    else:
        how = f"the file name {path.name}"
    notes = [f"space {space_name(sp)!r} ({sp}): from {how}; target val_accuracy (maximised): Suite-Zero's", *notes]
    where = f"{path}: {sp}/{ds}"
    rows = [record_row(str(key), rec, f"{where}/{key}") for key, rec in blocks[(sp, ds)].items()]
    table, read_notes = records_table(rows, where)
    return assemble(
        table, sp, ds, f"suite-zero-{space_name(sp)}-{naspred_dataset(ds)}",
        f"{path.name} (NAS-Bench-Suite-Zero), {sp}/{ds}", [*read_notes, *notes], str(path),
    )


def load_suite_zero(
    space: str = "nb201", dataset: str = "cifar10", data_home: str | Path | None = None, cache: bool = True
) -> Benchmark:
    """The Suite-Zero benchmark of ``space`` (naspred or NASLib name) on ``dataset``, from the data home.

    The file is ``<data home>/naslib/zc_<NASLib space>.json``, downloaded by hand (see the module docstring).
    """
    naslib = naslib_space(space)
    if naslib not in SUITE_ZERO_SPACES:
        raise UnknownNameError(
            f"no NAS-Bench-Suite-Zero file for space {space!r}; expected one of "
            f"{sorted(space_name(s) for s in SUITE_ZERO_SPACES)} or NASLib's {list(SUITE_ZERO_SPACES)}"
        )
    path = resolve_home(data_home) / DATA_HOME_FOLDER / f"zc_{naslib}.json"
    if not path.is_file():
        raise MissingDataError(
            f"NAS-Bench-Suite-Zero file zc_{naslib}.json is missing: looked for {path}. NASLib publishes it in "
            f"naslib/data of github.com/automl/NASLib (and through scripts/bash_scripts/download_nbs_zero.sh); "
            f"download it and place it at {DATA_HOME_FOLDER}/zc_{naslib}.json under the data home, or pass its "
            "path to naspred.benchmarks.load"
        )
    return load_path(path, cache, dataset=dataset, space=naslib)


def detect(path: Path) -> bool:
    """Whether ``path`` is a ``.json`` file that starts like ``{name: {name: {`` (either Suite-Zero layout)."""
    path = Path(path)
    if not (path.is_file() and path.suffix.lower() == ".json"):
        return False
    try:
        with open(path, encoding="utf-8") as fh:
            head = fh.read(4096)
    except (OSError, UnicodeDecodeError):
        return False
    return bool(_HEAD.match(head))


def load_proxy_table(path: str | Path, *, dataset: str | None = None, space: str | None = None) -> ProxyTable:
    """The proxies of one block of a Suite-Zero file as a :class:`ProxyTable` (any target left out)."""
    return as_proxy_table(_read(Path(path), dataset, space))


def load_path(
    path: str | Path, cache: bool = True, *, dataset: str | None = None, space: str | None = None
) -> Benchmark:
    """A Suite-Zero file. ``space`` (naspred or NASLib name) defaults to the file's space level or its name
    ``zc_<space>.json``; ``dataset`` defaults to ``cifar10`` (or the file's only dataset)."""
    path = Path(path)
    key = f"suite-zero-{space or 'file'}-{dataset or 'default'}:{path.name}"
    return cached_result(key, path, lambda: _read(path, dataset, space), cache)
