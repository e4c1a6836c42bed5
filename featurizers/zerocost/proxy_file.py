"""A proxy table written row by row and resumed: the file behind ``naspred proxies --out``.

The file is a CSV with the columns of a proxy table (:mod:`.compute`): one row per architecture, appended and
flushed as each architecture finishes, so an interrupted run loses at most the architecture it was computing.
Beside it, ``<out>.run.json`` records what fixes the values (benchmark, space, dataset, seed, input shape,
number of classes, network options, SHA-256 of the data batch; :meth:`ProxyComputer.options`) and the
proxies the file holds. Running again with the same file reads the rows already there and computes only the
missing (architecture, proxy) pairs, new proxies included; a run whose options differ is refused, since its
values would not be comparable with the file's. Device and thread count are not options: they change the
speed, not the values (beyond the last bits of floating point).

When a run adds proxies to architectures that already have a row, the new values are appended as a second
row of the architecture, and the file is rewritten with one row per architecture when the run completes (an
interruption before then leaves both rows; :func:`read_proxy_file` merges them, and the next run rewrites).
A parquet output (``.parquet`` / ``.pq``) is streamed the same way to ``<out>.partial.csv`` and written as
parquet, the partial file removed, when the run completes. Text fields are written on one line (line breaks
in a reason become spaces), so a row cut short by a kill is recognised and dropped on resume.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from naspred.errors import DataFileError, InvalidInputError
from naspred.featurizers.zerocost.compute import NASPRED_ARCH, ProxyComputer, proxy_columns, result_row

logger = logging.getLogger(__name__)

#: the sidecar beside an output file: ``<out>.run.json``
RUN_SUFFIX = ".run.json"
#: where a parquet output is streamed until its run completes: ``<out>.partial.csv``
PARTIAL_SUFFIX = ".partial.csv"
#: the layout version written in the sidecar
FORMAT = "naspred-proxies/1"
_KEYS = ("arch", NASPRED_ARCH)


@dataclass(frozen=True)
class ProxyFileOutcome:
    """A finished run: the output ``path`` (``None`` for a stream), architectures ``computed`` in this run and
    ``resumed`` (every requested proxy already in the file), and the whole ``table`` (typed: NaN where missing)."""

    path: Path | None
    computed: int
    resumed: int
    table: pd.DataFrame


def output_kind(path: str | Path) -> str:
    """``"csv"`` or ``"parquet"`` from the file name, else :class:`InvalidInputError`."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise InvalidInputError(f"output file {str(path)!r}: expected a .csv, .parquet or .pq name")


def _cell(value: Any) -> str:
    """A value as written in the file: floats in full precision, NaN as empty, text on one line."""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return " ".join(str(value).splitlines())


def _line(values: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([_cell(v) for v in values])
    return buffer.getvalue()


def _names_of(columns: Sequence[str]) -> list[str]:
    return [c.split(":", 1)[1] for c in columns if c.startswith("missing:")]


def _read_text_rows(path: Path) -> pd.DataFrame | None:
    """The rows of a streamed CSV as text (one row per line; a last line cut short is dropped)."""
    if not path.is_file():
        return None
    raw = path.read_bytes()
    complete = raw[: raw.rfind(b"\n") + 1]
    if len(complete) < len(raw):
        logger.warning("%s: dropped an incomplete last row (the run writing it was interrupted)", path)
    if not complete.strip():
        return None
    try:
        frame = pd.read_csv(io.BytesIO(complete), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DataFileError(f"{path}: not a proxy table written by naspred proxies ({err})") from err
    if list(frame.columns[:2]) != list(_KEYS):
        raise DataFileError(f"{path}: columns {list(frame.columns[:3])}...; expected a proxy table (arch, {NASPRED_ARCH}, ...)")
    return frame


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).map(_cell) if len(frame) else frame.astype(str)


def merge_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per ``arch`` (in order of first appearance): each cell the last non-empty one of its rows."""
    if not frame["arch"].duplicated().any():
        return frame.reset_index(drop=True)
    cleared = frame.replace("", pd.NA)
    merged = cleared.groupby("arch", sort=False).last()  # last non-missing value of each column
    return merged.reset_index()[list(frame.columns)].fillna("")


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """A text proxy table with its value and seconds columns as floats (NaN where empty)."""
    out = frame.copy()
    for column in out.columns:
        if column not in _KEYS and not column.startswith("missing:"):
            try:  # Python's float parser round-trips every written value exactly (pd.to_numeric may not)
                out[column] = out[column].replace("", "nan").astype(float)
            except ValueError as err:
                raise DataFileError(f"proxy table column {column!r} holds a value that is not a number ({err})") from err
    return out


def read_proxy_file(path: str | Path) -> pd.DataFrame:
    """A proxy table written by ``naspred proxies --out``, one row per architecture, values as floats; an
    unfinished parquet run is read from its ``<out>.partial.csv``."""
    path = Path(path)
    frames = _stored_rows(path)
    if frames is None:
        raise DataFileError(f"{path}: no such proxy table")
    return typed(merge_rows(frames))


def _stored_rows(path: Path) -> pd.DataFrame | None:
    """Every row stored for ``path`` (its parquet and partial CSV, or its CSV), as text, unmerged."""
    if output_kind(path) == "csv":
        return _read_text_rows(path)
    parts = []
    if path.is_file():
        try:
            parts.append(_as_text(pd.read_parquet(path)))
        except (OSError, ValueError) as err:
            raise DataFileError(f"{path}: not a readable parquet proxy table ({err})") from err
    partial = _read_text_rows(path.with_name(path.name + PARTIAL_SUFFIX))
    if partial is not None:
        parts.append(partial)
    if not parts:
        return None
    frame = pd.concat(parts, ignore_index=True).fillna("")
    return frame


def _check_run(sidecar: Path, options: Mapping[str, Any], path: Path) -> list[str]:
    """The proxies recorded by an earlier run of the same options; raises if its options differ."""
    try:
        earlier = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise DataFileError(f"{sidecar}: unreadable ({err}); remove it and {path} to start again") from err
    differ = [k for k in sorted(set(options) | set(earlier) - {"proxies"}) if earlier.get(k) != options.get(k)]
    if differ:
        said = ", ".join(f"{k}={earlier.get(k)!r} there, {options.get(k)!r} now" for k in differ)
        raise InvalidInputError(
            f"{path} holds proxies computed with other options ({said}); its rows cannot be mixed with this run's. "
            "Run with the same options to resume it, or write to another --out"
        )
    return list(earlier.get("proxies", []))


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_text(path: Path, frame: pd.DataFrame) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(_line(frame.columns))
            fh.writelines(_line(row) for row in frame.itertuples(index=False))

    _atomic_write(path, write)


def _done_pairs(frame: pd.DataFrame | None, names: Sequence[str]) -> dict[str, set[str]]:
    """Per architecture, the proxies the file holds a value or a recorded reason for."""
    done: dict[str, set[str]] = {}
    if frame is None:
        return done
    for name in names:
        if name not in frame.columns:
            continue
        has = (frame[name] != "") | (frame[f"missing:{name}"] != "")
        for key in frame.loc[has, "arch"]:
            done.setdefault(key, set()).add(name)
    return done


def write_proxies(
    computer: ProxyComputer,
    items: Sequence[tuple[str, str, Any]],
    out: str | Path | TextIO,
    *,
    run: Mapping[str, Any] | None = None,
    progress: Callable[[str, bool], None] | None = None,
) -> ProxyFileOutcome:
    """Compute ``computer``'s proxies of ``items`` (``(key, naspred text, architecture)``, e.g.
    :func:`~.compute.benchmark_items`) and write each architecture's row as it finishes.

    ``out`` is a path (resumed as the module docstring says; ``run`` adds options that must match, e.g. the
    benchmark's name) or a text stream (rows written and flushed in turn, nothing resumed). ``progress(key,
    computed)`` is called after each item, ``computed`` false where the file already held its proxies.
    """
    names = list(computer.names)
    if not isinstance(out, (str, Path)):
        return _write_stream(computer, items, out, progress)
    path = Path(out)
    kind = output_kind(path)
    journal = path if kind == "csv" else path.with_name(path.name + PARTIAL_SUFFIX)
    sidecar = path.with_name(path.name + RUN_SUFFIX)
    options = {"format": FORMAT, **(run or {}), **computer.options()}
    earlier: list[str] = []
    if sidecar.is_file():
        earlier = _check_run(sidecar, options, path)
    elif path.is_file() or journal.is_file():
        raise InvalidInputError(
            f"{path} exists and was not written by naspred proxies (no {sidecar.name} beside it); remove it or "
            "choose another --out"
        )
    stored = _stored_rows(path)
    held = _names_of(stored.columns) if stored is not None else []
    file_names = [*dict.fromkeys([*earlier, *held, *names])]
    columns = ["arch", NASPRED_ARCH, *proxy_columns(file_names)]
    path.parent.mkdir(parents=True, exist_ok=True)
    sidecar.write_text(json.dumps({**options, "proxies": file_names}, indent=2) + "\n", encoding="utf-8")
    if stored is None:
        stored = pd.DataFrame(columns=columns)
    else:
        stored = merge_rows(stored.reindex(columns=columns, fill_value=""))
    done = _done_pairs(stored, file_names)
    if kind == "parquet" or _read_header(journal) != columns or len(stored) != _line_count(journal):
        _write_text(journal, stored)  # one row per architecture under the file's columns, before appending
    computed = resumed = 0
    repeated = False
    with open(journal, "a", encoding="utf-8", newline="") as fh:
        for key, text, arch in items:
            todo = [n for n in names if n not in done.get(key, ())]
            if not todo:
                resumed += 1
                if progress is not None:
                    progress(key, False)
                continue
            repeated |= key in done
            results, built = computer.run(arch, todo)
            row = {"arch": key, NASPRED_ARCH: text, **result_row(results, built)}
            fh.write(_line(row.get(c, "") for c in columns))
            fh.flush()
            computed += 1
            if progress is not None:
                progress(key, True)
    frame = _stored_rows(path)
    assert frame is not None
    frame = frame.reindex(columns=columns, fill_value="")
    if repeated:
        frame = merge_rows(frame)
        _write_text(journal, frame)
    if kind == "parquet":
        final = typed(merge_rows(frame))
        _atomic_write(path, lambda tmp: final.to_parquet(tmp, index=False))
        journal.unlink()
        return ProxyFileOutcome(path, computed, resumed, final)
    return ProxyFileOutcome(path, computed, resumed, typed(frame))


def _read_header(path: Path) -> list[str] | None:
    if not path.is_file():
        return None
    with open(path, encoding="utf-8", newline="") as fh:
        first = fh.readline()
    return next(csv.reader([first]), None) if first.endswith("\n") else None


def _line_count(path: Path) -> int:
    """Complete data lines of a streamed CSV (its header excluded)."""
    if not path.is_file():
        return -1
    raw = path.read_bytes()
    return raw.count(b"\n") - 1 if raw.endswith(b"\n") else -1


def _write_stream(
    computer: ProxyComputer,
    items: Sequence[tuple[str, str, Any]],
    stream: TextIO,
    progress: Callable[[str, bool], None] | None,
) -> ProxyFileOutcome:
    columns = ["arch", NASPRED_ARCH, *proxy_columns(computer.names)]
    stream.write(_line(columns))
    stream.flush()
    rows = []
    for key, text, arch in items:
        results, built = computer.run(arch)
        row = {"arch": key, NASPRED_ARCH: text, **result_row(results, built)}
        stream.write(_line(row[c] for c in columns))
        stream.flush()
        rows.append(row)
        if progress is not None:
            progress(key, True)
    return ProxyFileOutcome(None, len(rows), 0, pd.DataFrame(rows, columns=columns))
