"""NAS-Bench-Suite-Zero records in every layout NASLib publishes: proxies, metrics and metadata told apart.

A record is one architecture's entry. NASLib's current files (the zen zips and ``zc_<space>.json`` at the
head of its repository) write::

    {"idx": "534", "arch": "(0, 2, 3, 2, 3, 1)", "flops": {"score": 88.3, "time": 0.49}, ..., "val_accuracy": 86.06}

older files ``{"flops": 62.5, ..., "val_accuracy": 68.34}``, and the per-proxy zips (``nb101_zen.zip``, the
"9x" zips with one folder per proxy) hold records of one proxy, some without ``val_accuracy``. Fields are
told apart by name and value: metrics (:data:`METRIC_FIELDS`) are numbers; identifiers
(:data:`METADATA_FIELDS`) and any text value are metadata, kept as ``meta:<name>`` (``idx`` as
``naslib_idx``); everything else is a proxy, ``{"score", "time"}`` or a bare number. Suite-Zero writes
:data:`FAILED_SCORE` as the score of a proxy it could not compute (epe_nas on TransNAS-Bench-101 micro, zen and
jacov on cells without a path to the output): such scores are kept as stored (they rank those cells last) and
counted in the notes.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from naspred.benchmarks.base import Benchmark, ProxyTable, accuracy_benchmark
from naspred.benchmarks.cache import cached_benchmark
from naspred.benchmarks.naslib_names import (
    naslib_dataset,
    naslib_space,
    naspred_dataset,
    space_for,
)
from naspred.errors import (
    DataFileError,
    InvalidArchitectureError,
    NoTargetError,
    UnknownNameError,
)
from naspred.spaces.base import SearchSpace

logger = logging.getLogger(__name__)

#: record fields that are measured metrics of the trained architecture
METRIC_FIELDS: frozenset[str] = frozenset({
    "val_accuracy", "test_accuracy", "train_accuracy", "val_loss", "test_loss", "train_loss", "train_time",
})  # fmt: skip
#: record fields that identify the architecture or the run: metadata, never proxies
METADATA_FIELDS: frozenset[str] = frozenset({"idx", "arch", "id", "hash", "arch_hash", "key", "seed", "dataset"})
#: the score NAS-Bench-Suite-Zero stores for a proxy whose computation failed
FAILED_SCORE = -1e8


def number(value: Any, where: str) -> float:
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
        return number(value["score"], f"{where} score"), number(value.get("time"), f"{where} time")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), np.nan
    raise DataFileError(f"{where}: expected {{'score', 'time'}} or a number, found {type(value).__name__}")


def is_record(value: Any) -> bool:
    """Whether ``value`` looks like one architecture's record (some field a number, a text or a score)."""
    if not isinstance(value, Mapping) or not value:
        return False
    return any(
        isinstance(v, (int, float, str)) or (isinstance(v, Mapping) and "score" in v) for v in value.values()
    )


def record_row(key: str, record: Mapping[str, Any], where: str) -> dict[str, Any]:
    """One table row of ``record``: ``key`` (the architecture as the file writes it), metrics, ``proxy:<name>``,
    ``proxy_seconds:<name>``, ``naslib_idx`` and ``meta:<name>``."""
    if not isinstance(record, Mapping):
        raise DataFileError(f"{where}: expected an object of proxies and metrics, found {type(record).__name__}")
    row: dict[str, Any] = {"key": key}
    for name, value in record.items():
        if name == "idx":
            idx = number(value, f"{where}, idx")
            row["naslib_idx"] = int(idx) if np.isfinite(idx) else -1
        elif name == "arch" and str(value) == key:
            continue  # the key itself, kept as source_arch
        elif name in METRIC_FIELDS:
            row[name] = number(value, f"{where}, {name}")
        elif name in METADATA_FIELDS or isinstance(value, str) or value is None:
            row[f"meta:{name}"] = None if value is None else str(value)
        else:
            row[f"proxy:{name}"], row[f"proxy_seconds:{name}"] = proxy_score(value, f"{where}, proxy {name!r}")
    return row


def _merged(rows: list[dict[str, Any]], source: str) -> tuple[list[dict[str, Any]], int]:
    """Rows of one architecture in several records (a folder per proxy) merged into one; a value recorded
    twice must agree, except metadata. Returns the rows and how many records were merged away."""
    by_key: dict[str, dict[str, Any]] = {}
    merged = 0
    for row in rows:
        first = by_key.get(row["key"])
        if first is None:
            by_key[row["key"]] = dict(row)
            continue
        merged += 1
        for col, value in row.items():
            if col not in first or _missing(first[col]):
                first[col] = value
            elif col.startswith(("proxy:", *METRIC_FIELDS)) and not _same(first[col], value):
                raise DataFileError(
                    f"{source}: architecture {row['key']!r} is recorded twice with different {col} "
                    f"({first[col]!r} and {value!r}); expected each architecture once, or records that agree"
                )
    return list(by_key.values()), merged


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _same(a: Any, b: Any) -> bool:
    if _missing(a) and _missing(b):
        return True
    return bool(np.isclose(a, b, rtol=1e-12, atol=0.0)) if isinstance(a, float) else a == b


def records_table(rows: list[dict[str, Any]], source: str) -> tuple[pd.DataFrame, list[str]]:
    """The table of ``rows`` (from :func:`record_row`), one row per architecture, and notes on what was done.

    Records of one architecture are merged (per-proxy folders); failed scores (:data:`FAILED_SCORE`) are
    counted in the notes; a proxy time column with no time at all is dropped.
    """
    if not rows:
        raise DataFileError(f"{source}: holds no architecture record")
    rows, merged = _merged(rows, source)
    table = pd.DataFrame(rows)
    notes: list[str] = []
    if merged:
        notes.append(f"{merged} records repeat an architecture of another record (one folder per proxy): merged")
    for col in [c for c in table.columns if c.startswith("proxy:")]:
        failed = int((table[col].to_numpy(dtype=np.float64) == FAILED_SCORE).sum())
        if failed:
            notes.append(f"{col}: {failed} scores are {FAILED_SCORE:g}, Suite-Zero's mark of a failed computation (kept)")
    untimed = [c for c in table.columns if c.startswith("proxy_seconds:") and table[c].isna().all()]
    if untimed:
        table = table.drop(columns=untimed)
        notes.append("proxies stored as bare numbers: no computation time")
    for note in notes:
        logger.info("%s: %s", source, note)
    return table, notes


def choose_block(
    blocks: Sequence[tuple[str, str]], dataset: str | None, space: str | None, source: str
) -> tuple[tuple[str, str], list[str]]:
    """The ``(NASLib space, NASLib dataset)`` block of a file to read, and a note when it was chosen by default.

    ``dataset`` and ``space`` take naspred's or NASLib's names. Without them the block must be unique, except
    that ``cifar10`` is taken when the file holds it next to other datasets of one space.
    """
    held = ", ".join(f"{s}/{d}" for s, d in blocks)
    chosen = list(blocks)
    if space is not None:
        chosen = [b for b in chosen if b[0] == naslib_space(space)]
        if not chosen:
            raise UnknownNameError(
                f"{source}: no space {naslib_space(space)!r}; the file holds {sorted({s for s, _ in blocks})} ({held})"
            )
    if dataset is not None:
        datasets = sorted({d for _, d in chosen})
        chosen = [b for b in chosen if b[1] in (naslib_dataset(dataset), dataset)]
        if not chosen:
            raise UnknownNameError(f"{source}: no dataset {naslib_dataset(dataset)!r}; the file holds {datasets} ({held})")
    if len(chosen) == 1:
        return chosen[0], []
    spaces = sorted({s for s, _ in chosen})
    default = [b for b in chosen if b[1] == "cifar10"]
    if len(spaces) > 1:
        raise DataFileError(f"{source}: holds several blocks ({held}); pass --space and --dataset (space=, dataset=)")
    if not default:
        raise DataFileError(
            f"{source}: holds datasets {sorted(d for _, d in chosen)}; pass --dataset (dataset=) to choose one"
        )
    return default[0], [f"the file holds {held}; cifar10 was loaded (pass --dataset to choose)"]


def non_finite_notes(table: pd.DataFrame) -> list[str]:
    """One note per proxy or target column holding NaN or infinite values as stored."""
    notes = []
    for col in [c for c in table.columns if c.startswith("proxy:") or c == "val_accuracy"]:
        bad = int((~np.isfinite(table[col].to_numpy(dtype=np.float64))).sum())
        if bad:
            notes.append(f"{col}: {bad} values are NaN, null or infinite as stored")
    return notes


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


def drop_repeated_archs(table: pd.DataFrame, target: str | None = "val_accuracy") -> tuple[pd.DataFrame, list[str]]:
    """Keep the first row of each ``arch`` text (distinct keys may name one cell, e.g. unpruned NAS-Bench-101
    matrices); the notes say how many rows were dropped and whether their targets agreed. The dropped rows'
    ``source_arch`` keys stay in ``source_aliases`` (a JSON list; empty where none), so that every key of the
    file can still be joined back."""
    repeated = table["arch"].duplicated(keep="first")
    if not repeated.any():
        return table, []
    if "source_arch" in table.columns:
        others = table.loc[repeated].groupby("arch", sort=False)["source_arch"].agg(list)
        table = table.assign(source_aliases=[json.dumps(others[a]) if a in others.index and not r else ""
                                             for a, r in zip(table["arch"], repeated)])
    if target is None:
        note = f"{int(repeated.sum())} keys name a cell already listed (same architecture text); the first was kept"
        logger.info(note)
        return table.loc[~repeated].reset_index(drop=True), [note]
    first = table.loc[~repeated].set_index("arch")[target]
    dropped = table.loc[repeated]
    differ = int((np.abs(dropped[target].to_numpy() - first.loc[dropped["arch"]].to_numpy()) > 1e-9).sum())
    note = (
        f"{int(repeated.sum())} keys name a cell already listed (same architecture text); the first record of "
        f"each was kept ({differ} of the dropped records had a different {target})"
    )
    logger.info(note)
    return table.loc[~repeated].reset_index(drop=True), [note]


def assemble(
    table: pd.DataFrame, naslib: str, dataset: str, name: str, source: str, notes: Sequence[str], where: str
) -> Benchmark | ProxyTable:
    """A benchmark of the records ``table`` (from :func:`records_table`), or a :class:`ProxyTable` when no
    record has ``val_accuracy`` (a file of proxies only).

    The ``key`` column becomes ``source_arch`` (the architecture as the file wrote it) beside ``arch``, the
    space's notation. Keys naming one architecture keep their first record (the notes count the others).
    ``source`` describes the file for the benchmark; ``where`` names it in errors.
    """
    space = space_for(naslib)
    arch = format_keys(space, table["key"], where)
    table = table.rename(columns={"key": "source_arch"})
    table.insert(0, "arch", arch)
    ours = naspred_dataset(dataset)
    has_target = "val_accuracy" in table.columns and bool(table["val_accuracy"].notna().any())
    if not has_target:
        table = table.drop(columns=[c for c in ("val_accuracy",) if c in table.columns])
        table, repeat_notes = drop_repeated_archs(table, target=None)
        return ProxyTable(name, space, ours, table.reset_index(drop=True), source, [*notes, *repeat_notes])
    table = table[["arch", "val_accuracy"] + [c for c in table.columns if c not in ("arch", "val_accuracy")]]
    table, repeat_notes = drop_repeated_archs(table)
    notes = [
        "val_accuracy: the final validation metric NAS-Bench-Suite-Zero stores with the proxies",
        "no learning curves and no training time in this file: epoch_seconds is None",
        *notes,
        *repeat_notes,
        *non_finite_notes(table),
    ]
    return accuracy_benchmark(name, space, ours, table, source, notes)


def benchmark_or_raise(result: Benchmark | ProxyTable, source: str) -> Benchmark:
    """``result`` if it is a benchmark; a :class:`NoTargetError` that says what to do with a proxy table."""
    if isinstance(result, Benchmark):
        return result
    raise NoTargetError(
        f"{source} holds proxies {result.proxies} of {len(result)} {result.space.name} architectures on "
        f"{result.dataset!r} and no target (no val_accuracy): read it with naspred.benchmarks.load_proxies and "
        "join it onto a benchmark with Benchmark.with_proxies, or pass it to `naspred evaluate --with-proxies`"
    )


def cached_result(key: str, path: Path, read: Callable[[], Benchmark | ProxyTable], cache: bool) -> Benchmark:
    """The benchmark that ``read`` builds from the file ``path``, cached under ``key`` (unless not ``cache``); a
    file of proxies only raises :class:`NoTargetError` (:func:`benchmark_or_raise`). The entry is keyed on the code
    of ``read``'s module, as if ``read`` were the build function."""

    @functools.wraps(read)
    def build() -> Benchmark:
        return benchmark_or_raise(read(), str(path))

    return cached_benchmark(key, [path], build, enabled=cache)


def as_proxy_table(result: Benchmark | ProxyTable) -> ProxyTable:
    """The proxies of ``result``: itself if a proxy table, else the benchmark's table without its target."""
    if isinstance(result, ProxyTable):
        return result
    table = result.table.drop(columns=[result.target])
    return ProxyTable(result.name, result.space, result.dataset, table, result.source, result.notes)
