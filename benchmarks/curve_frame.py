"""Reading and checking a learning-curve table: the file, its sidecar, its columns, cells, epochs and runs.

The columns and the rules are those of :mod:`naspred.benchmarks.curve_table`: one row per architecture x
epoch (x seed), epochs contiguous from 1 for each run, every cell filled and numeric (``arch`` aside).
Each check names the first row that breaks it. Replicate runs (a ``seed`` column) are averaged into one run
per architecture by :func:`mean_over_seeds`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from naspred.benchmarks.curve_guess import space_named
from naspred.errors import DataFileError, UnknownNameError

#: learning-curve columns the table may hold
CURVE_COLUMNS: tuple[str, ...] = (
    "train_loss",
    "train_accuracy",
    "val_loss",
    "val_accuracy",
    "test_loss",
    "test_accuracy",
)
TIME_COLUMN = "epoch_time"
SEED_COLUMN = "seed"
REQUIRED: tuple[str, ...] = ("arch", "epoch")
ALLOWED: frozenset[str] = frozenset(REQUIRED + CURVE_COLUMNS + (TIME_COLUMN, SEED_COLUMN))
SUFFIXES: tuple[str, ...] = (".csv", ".parquet", ".pq")
SIDECAR_KEYS: frozenset[str] = frozenset({"space", "target", "higher_is_better"})


def sidecar_path(path: str | Path) -> Path | None:
    """The sidecar JSON of ``path`` (``<file>.json``, else ``<stem>.json``), or None."""
    path = Path(path)
    for candidate in (path.with_name(path.name + ".json"), path.with_suffix(".json")):
        if candidate.is_file() and candidate != path:
            return candidate
    return None


def read_sidecar(path: str | Path) -> dict[str, Any]:
    """The sidecar's settings, checked: only ``space``, ``target`` and ``higher_is_better``."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise DataFileError(
            f"{path}: not valid JSON ({err}); expected an object like "
            '{"space": "nb201", "target": "val_accuracy", "higher_is_better": true}'
        ) from err
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: expected a JSON object, got {type(data).__name__}")
    unknown = set(data) - SIDECAR_KEYS
    if unknown:
        raise DataFileError(f"{path}: unknown keys {sorted(unknown)}; expected some of {sorted(SIDECAR_KEYS)}")
    if "space" in data and not isinstance(data["space"], str):
        raise DataFileError(f"{path}: 'space' must be a space name, got {data['space']!r}")
    if "space" in data:
        try:
            space_named(data["space"])
        except UnknownNameError as err:
            raise UnknownNameError(f"{path}: 'space': {err}") from None
    if "target" in data and data["target"] not in CURVE_COLUMNS:
        raise DataFileError(f"{path}: 'target' must be one of {list(CURVE_COLUMNS)}, got {data['target']!r}")
    if "higher_is_better" in data and not isinstance(data["higher_is_better"], bool):
        raise DataFileError(f"{path}: 'higher_is_better' must be true or false, got {data['higher_is_better']!r}")
    return data


def read_frame(path: str | Path) -> pd.DataFrame:
    """The raw table of a CSV or parquet file, ``arch`` read as text."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype={"arch": str}, keep_default_na=True)
        elif suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        else:
            raise DataFileError(f"{path}: expected a .csv or .parquet learning-curve table")
    except FileNotFoundError:
        raise DataFileError(f"{path}: no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, pa.ArrowException, OSError) as err:
        raise DataFileError(f"{path}: unreadable learning-curve table ({type(err).__name__}: {err})") from err
    return frame


def check_frame(frame: pd.DataFrame, origin: str) -> pd.DataFrame:
    """``frame`` checked against the rules of a learning-curve table; ``arch`` as text, ``epoch`` as integers."""
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise DataFileError(
            f"{origin}: missing column(s) {missing}; a learning-curve table needs {list(REQUIRED)} "
            f"and some of {list(CURVE_COLUMNS)}"
        )
    unknown = [c for c in frame.columns if c not in ALLOWED]
    if unknown:
        raise DataFileError(
            f"{origin}: unknown column(s) {unknown}; expected {list(REQUIRED)} and any of "
            f"{list(CURVE_COLUMNS) + [TIME_COLUMN]}"
        )
    if not any(c in frame.columns for c in CURVE_COLUMNS):
        raise DataFileError(f"{origin}: no metric column; expected at least one of {list(CURVE_COLUMNS)}")
    if len(frame) == 0:
        raise DataFileError(f"{origin}: the table has no rows")
    frame = frame.reset_index(drop=True)
    for column in frame.columns:
        nan = frame[column].isna().to_numpy()
        if nan.any():
            i = int(np.flatnonzero(nan)[0])
            raise DataFileError(
                f"{origin}: row {i} ({_where(frame, i)}) has no value in column {column!r}; "
                f"{int(nan.sum())} empty cell(s) in that column"
            )
    arch = frame["arch"]
    if not all(isinstance(a, str) for a in arch):
        frame["arch"] = arch.astype(str)
    if (frame["arch"].str.len() == 0).any():
        i = int(np.flatnonzero((frame["arch"].str.len() == 0).to_numpy())[0])
        raise DataFileError(f"{origin}: row {i} has an empty 'arch'")
    for column in [c for c in frame.columns if c != "arch"]:
        if not pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_bool_dtype(frame[column]):
            values = pd.to_numeric(frame[column], errors="coerce")
            i = int(np.flatnonzero(values.isna().to_numpy())[0]) if values.isna().any() else 0
            raise DataFileError(
                f"{origin}: column {column!r} must hold numbers; row {i} holds {_cell(frame, column, i)!r}"
            )
        finite = np.isfinite(frame[column].to_numpy(dtype=np.float64))
        if not finite.all():
            i = int(np.flatnonzero(~finite)[0])
            raise DataFileError(f"{origin}: row {i} ({_where(frame, i)}) holds a non-finite {column!r}")
    epoch = frame["epoch"].to_numpy(dtype=np.float64)
    bad = (epoch != np.round(epoch)) | (epoch < 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataFileError(
            f"{origin}: row {i} has epoch {_cell(frame, 'epoch', i)!r}; epochs are whole numbers from 1"
        )
    frame["epoch"] = epoch.astype(np.int64)
    keys = ["arch", SEED_COLUMN, "epoch"] if SEED_COLUMN in frame.columns else ["arch", "epoch"]
    dup = frame.duplicated(keys, keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        same = np.ones(len(frame), dtype=bool)
        for key in keys:
            same &= (frame[key] == frame[key].iloc[i]).to_numpy()
        first = int(np.flatnonzero(same)[0])
        seed = f" seed {_cell(frame, SEED_COLUMN, i)!r}" if SEED_COLUMN in keys else ""
        hint = ("expected one row per architecture, seed and epoch" if seed else
                "expected one row per architecture and epoch; replicate runs of an architecture need a 'seed' "
                "column telling them apart (their curves are averaged)")
        raise DataFileError(
            f"{origin}: rows {first} and {i} both hold arch {_cell(frame, 'arch', i)!r}{seed} at epoch "
            f"{frame['epoch'].iloc[i]}; {hint}"
        )
    return frame


def _cell(frame: pd.DataFrame, column: str, i: int) -> Any:
    """The value at row ``i`` of ``column`` as a plain Python object (for messages)."""
    value = frame[column].iloc[i]
    return value.item() if isinstance(value, np.generic) else value


def _where(frame: pd.DataFrame, i: int) -> str:
    parts = []
    if "arch" in frame.columns:
        parts.append(f"arch {_cell(frame, 'arch', i)!r}")
    if "epoch" in frame.columns:
        parts.append(f"epoch {_cell(frame, 'epoch', i)!r}")
    return ", ".join(parts)


def sort_runs(frame: pd.DataFrame, keys: list[str], origin: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """``frame`` sorted by run (``keys``, in order of first appearance) and epoch, each run's code and length.

    Raises unless every run records epochs 1, 2, 3, ... without gaps.
    """
    codes = frame.groupby(keys, sort=False).ngroup().to_numpy()
    order = np.lexsort((frame["epoch"].to_numpy(), codes))
    codes = codes[order]
    frame = frame.iloc[order].reset_index(drop=True)
    epochs = frame["epoch"].to_numpy()
    counts = np.bincount(codes)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    expected = np.arange(len(frame)) - np.repeat(starts, counts) + 1
    gap = epochs != expected
    if gap.any():
        i = int(np.flatnonzero(gap)[0])
        seed = f" seed {_cell(frame, SEED_COLUMN, i)!r}" if SEED_COLUMN in keys else ""
        raise DataFileError(
            f"{origin}: arch {_cell(frame, 'arch', i)!r}{seed} jumps to epoch {int(epochs[i])} where epoch "
            f"{expected[i]} was expected; epochs must run 1, 2, 3, ... without gaps"
        )
    return frame, codes, counts


def mean_over_seeds(frame: pd.DataFrame, origin: str, notes: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """One run per architecture: every value averaged over the seeds at each epoch; the seeds per arch."""
    frame, _, counts = sort_runs(frame, ["arch", SEED_COLUMN], origin)
    seeds = frame.groupby("arch", sort=False)[SEED_COLUMN].nunique()
    lengths = frame.groupby(["arch", SEED_COLUMN], sort=False)["epoch"].max().groupby(level=0, sort=False).nunique()
    values = [c for c in frame.columns if c not in ("arch", "epoch", SEED_COLUMN)]
    mean = frame.groupby(["arch", "epoch"], sort=False)[values].mean().reset_index()
    notes.append(
        f"{len(counts)} runs of {len(seeds)} architectures ({int(seeds.min())} to {int(seeds.max())} seeds each): "
        "every curve is the mean over an architecture's seeds at each epoch, the target its last-epoch mean"
    )
    uneven = int((lengths > 1).sum())
    if uneven:
        notes.append(
            f"{uneven} architecture(s) have seeds of different lengths: each epoch averages the seeds that reached it"
        )
    return mean, seeds

