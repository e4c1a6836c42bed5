"""The results of a sweep: one file per finished trial, compacted into one tidy table (parquet + CSV).

Layout of a results folder::

    run.json              the experiment spec, its split protocol, the skipped predictors and the plan's notes
    trials/<key>.json     one row per finished trial, written to a temporary name and renamed into place
    results.parquet       the tidy table: every trial file, one row per trial, sorted
    results.csv           the same table as CSV

Each row's ``protocol`` says how its split treats isomorphs: ``"canonical"`` (no training architecture shares
its canonical form with a test one) or ``"random"`` (see :mod:`naspred.evaluation.splits`).

A trial file appears whole or not at all (``os.replace`` is atomic on one file system), so a sweep
killed at any moment loses at most the trials that were running, and re-running the same command skips
every trial that has a file. Any number of processes may write trial files and compact the table at
the same time: compaction only reads trial files and replaces the table files atomically, and two
rows of one trial (written twice) collapse to the last one finished.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from naspred.errors import DataFileError, InvalidInputError, NaspredError

logger = logging.getLogger(__name__)

TRIALS = "trials"
RUN_FILE = "run.json"
PARQUET = "results.parquet"
CSV = "results.csv"
#: sort order of the table
ORDER = ("benchmark", "predictor", "init_unit", "init_budget", "query_unit", "query_budget", "trial")
#: temporary files older than this (seconds) were left by a killed writer and are removed on compaction
STALE_SECONDS = 3600.0


class OutputError(NaspredError):
    """An output file or folder could not be written: the message names it and the problem (full disk,
    read-only file system, permission); ``full_disk`` says whether freeing space is the fix."""

    def __init__(self, message: str, full_disk: bool = False) -> None:
        super().__init__(message)
        self.full_disk = full_disk

    @classmethod
    def of(cls, path: Path, err: OSError) -> OutputError:
        """The one-line error for ``err`` raised writing ``path`` (pyarrow's full disk has no errno, only text)."""
        text = str(err)
        full = err.errno in (errno.ENOSPC, errno.EDQUOT) or "No space left" in text or "quota exceeded" in text
        if full:
            problem = "the disk is full (no space left on device)"
        elif err.errno == errno.EROFS:
            problem = "the file system is read-only; give an --out folder on a writable disk"
        elif err.errno in (errno.EACCES, errno.EPERM):
            problem = "permission denied; give an --out folder you can write to"
        else:
            problem = err.strerror or text
        return cls(f"cannot write {path}: {problem}", full_disk=full)


def make_folder(folder: Path) -> None:
    """``mkdir -p folder``, an :class:`OutputError` naming it if that fails."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError.of(folder, err) from err


def atomic_write(path: str | Path, write: Callable[[Path], Any]) -> Path:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it onto ``path``.

    Every output (trial rows, the table, Markdown, PNG) is written this way: a reader, or a disk that fills
    up half-way, never leaves a truncated or empty file under the real name. An ``OSError`` becomes an
    :class:`OutputError` naming ``path`` and the problem; the temporary file is removed.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as err:
        raise OutputError.of(path, err) from err
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            logger.debug("could not remove %s", tmp)
    return path


class ResultStore:
    """The results folder ``root`` of one experiment."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser().resolve()
        self.trials_dir = self.root / TRIALS

    # -- the experiment ------------------------------------------------------------------------------
    def open(self, run: Mapping[str, Any]) -> None:
        """Create the folder for the experiment described by ``run`` (its ``spec`` must match a previous run)."""
        make_folder(self.trials_dir)
        path = self.root / RUN_FILE
        if path.exists():
            previous = self.run_info()
            if previous.get("spec") != run.get("spec"):
                raise InvalidInputError(
                    f"{self.root} holds the results of another experiment (its {RUN_FILE} has a different spec); "
                    "give another --out folder, or the same spec to resume"
                )
        text = json.dumps(dict(run), indent=2, sort_keys=True, allow_nan=True)
        atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))

    def run_info(self) -> dict[str, Any]:
        """The content of ``run.json`` (an empty dict when there is none)."""
        path = self.root / RUN_FILE
        if not path.exists():
            return {}
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise DataFileError(f"{path}: not valid JSON ({err}); expected the run description") from None

    # -- trials --------------------------------------------------------------------------------------
    def write(self, row: Mapping[str, Any]) -> Path:
        """Write the row of one finished trial (atomically); its ``key`` names the file."""
        key = row.get("key")
        if not isinstance(key, str) or not key or "/" in key or key.startswith("."):
            raise InvalidInputError(f"a result row needs a 'key' usable as a file name, got {key!r}")
        make_folder(self.trials_dir)
        path = self.trials_dir / f"{key}.json"
        text = json.dumps(dict(row), sort_keys=True, allow_nan=True)
        atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        return path

    def _read_trial(self, path: Path) -> dict[str, Any] | None:
        try:
            row = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            logger.warning("ignoring unreadable trial file %s (%s); its trial will run again", path, err)
            return None
        if not isinstance(row, dict) or "key" not in row:
            logger.warning("ignoring trial file %s: not a result row; its trial will run again", path)
            return None
        return row

    def rows(self) -> list[dict[str, Any]]:
        """Every trial row on disk, one per key (the last finished where a trial was written twice)."""
        if not self.trials_dir.is_dir():
            return []
        latest: dict[str, dict[str, Any]] = {}
        for path in sorted(self.trials_dir.glob("*.json")):
            row = self._read_trial(path)
            if row is None:
                continue
            key = row["key"]
            if key not in latest or row.get("finished_at", 0.0) >= latest[key].get("finished_at", 0.0):
                latest[key] = row
        return list(latest.values())

    def finished(self, retry_failed: bool = False) -> set[str]:
        """Keys of the trials that have a row (only the successful ones with ``retry_failed``)."""
        return {r["key"] for r in self.rows() if not retry_failed or r.get("status") == "ok"}

    # -- the table -----------------------------------------------------------------------------------
    def table(self, rows: Iterable[Mapping[str, Any]] | None = None) -> pd.DataFrame:
        """The tidy table of ``rows`` (default: every trial on disk), sorted by :data:`ORDER`."""
        frame = pd.DataFrame(list(self.rows() if rows is None else rows))
        if frame.empty:
            return frame
        frame = with_protocol(frame.drop_duplicates("key", keep="last"))
        order = [c for c in ORDER if c in frame.columns]
        return frame.sort_values(order, kind="stable").reset_index(drop=True)

    def compact(self, rows: Iterable[Mapping[str, Any]] | None = None) -> pd.DataFrame:
        """Rewrite ``results.parquet`` and ``results.csv`` from ``rows`` (default: the trial files)."""
        table = self.table(rows)
        make_folder(self.root)
        atomic_write(self.root / PARQUET, lambda tmp: table.to_parquet(tmp, index=False))
        atomic_write(self.root / CSV, lambda tmp: table.to_csv(tmp, index=False))
        self._remove_stale()
        return table

    def _remove_stale(self) -> None:
        now = time.time()
        for folder in (self.root, self.trials_dir):
            if not folder.is_dir():
                continue
            for tmp in folder.glob(".*.tmp"):
                try:
                    if now - tmp.stat().st_mtime > STALE_SECONDS:
                        tmp.unlink()
                except FileNotFoundError:  # removed by a concurrent writer
                    continue


def with_protocol(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the split protocol of every row: rows written before it was recorded all come from splits
    that keep canonical forms apart (``"canonical"``)."""
    if frame.empty:
        return frame
    frame = frame.copy()
    frame["protocol"] = frame["protocol"].fillna("canonical") if "protocol" in frame else "canonical"
    return frame


def read_table(root: str | Path) -> pd.DataFrame:
    """The tidy table of a results folder, from its trial files (or its parquet file when it has none)."""
    store = ResultStore(root)
    if store.trials_dir.is_dir() and any(store.trials_dir.glob("*.json")):
        return store.table()
    parquet = store.root / PARQUET
    if parquet.exists():
        return with_protocol(pd.read_parquet(parquet))
    raise InvalidInputError(f"{store.root}: no results found (no {TRIALS}/*.json and no {PARQUET})")

