"""The generic learning-curve table: bring your own benchmark as CSV or parquet.

One row per architecture x epoch (x seed). Columns: ``arch`` (a string in a registered space's notation, or
any opaque identifier), ``epoch`` (1-based, contiguous from 1 for each run), optionally ``seed`` (replicate
runs of the same architecture), and any of ``train_loss``, ``train_accuracy``, ``val_loss``,
``val_accuracy``, ``test_loss``, ``test_accuracy`` (learning curves) and ``epoch_time`` (seconds spent
training that epoch). An optional sidecar ``<file>.json`` (``curves.csv.json``, or ``curves.json`` beside
``curves.csv``) holds ``{"space": "nb201" | ... | "opaque", "target": "val_accuracy", "higher_is_better":
true}``; ``load_path(path, space=...)`` (``--space`` on the command line) names the space like a sidecar
does and wins over it.

The space, when not named, is guessed from the ``arch`` strings and never silently:

* the one registered space that parses every string is taken;
* strings that parse in several spaces are refused (name the space);
* strings of which some, not all, parse in a space are refused with the first that does not (a typo in a
  structured notation should not demote the table to identifiers);
* bare integers (``"17"``) are run identifiers as much as a space's index notation (SpikeNAS-Bench ids),
  and strings no space parses are identifiers: both load as ``"opaque"``, with a note.

``Benchmark.notes`` (``naspred benchmark info``) say how the space and the target were decided.

The target is the last-epoch ``val_accuracy`` (maximised), else the last-epoch ``val_loss`` (minimised),
unless the sidecar names one. A sidecar ``target`` may name any metric column; its direction defaults to
minimising for names ending in ``loss`` and maximising otherwise. Each architecture's table row holds its
metrics at its own last recorded epoch; ``epoch_seconds`` is its mean ``epoch_time``.

Replicate runs (a ``seed`` column, as NAS-Bench-201 trains each cell with up to three seeds and
NAS-Bench-NLP some architectures twice): each architecture's learning curve of every metric is the mean
over its seeds at each epoch (over the seeds that reached that epoch, where their runs differ in length),
so the target, its last-epoch value, is the mean over seeds. Averaging, rather than keeping one row per
run, gives one table row per architecture: a predictor sees the less noisy mean, and since test sets are
drawn by row (and by canonical form, :mod:`naspred.evaluation.splits`), every seed of an architecture lies
on the same side of a split. The table's ``seeds`` column counts the runs averaged.

The file and its checks: :mod:`naspred.benchmarks.curve_frame`; the space and target decisions:
:mod:`naspred.benchmarks.curve_guess`. Their public names are importable from here as well.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from naspred.benchmarks.base import Benchmark, Curves
from naspred.benchmarks.cache import cached_benchmark
from naspred.benchmarks.curve_frame import (
    ALLOWED,
    CURVE_COLUMNS,
    REQUIRED,
    SEED_COLUMN,
    SIDECAR_KEYS,
    SUFFIXES,
    TIME_COLUMN,
    check_frame,
    mean_over_seeds,
    read_frame,
    read_sidecar,
    sidecar_path,
    sort_runs,
)
from naspred.benchmarks.curve_guess import (
    GUESS_ORDER,
    OpaqueSpace,
    decide_space,
    decide_target,
    guess_space,
)
from naspred.errors import DataFileError, InvalidArchitectureError
from naspred.spaces.base import SearchSpace

__all__ = [
    "ALLOWED",
    "CURVE_COLUMNS",
    "GUESS_ORDER",
    "REQUIRED",
    "SEED_COLUMN",
    "SIDECAR_KEYS",
    "SUFFIXES",
    "TIME_COLUMN",
    "OpaqueSpace",
    "detect",
    "from_frame",
    "guess_space",
    "load_path",
    "read_frame",
    "read_sidecar",
    "sidecar_path",
]


def from_frame(
    frame: pd.DataFrame,
    *,
    name: str = "curve-table",
    space: str | SearchSpace | None = None,
    target: str | None = None,
    higher_is_better: bool | None = None,
    source: str = "",
    dataset: str | None = None,
    named_by: dict[str, str] | None = None,
) -> Benchmark:
    """A benchmark from a long learning-curve table (see the module docstring for the columns).

    ``dataset`` labels the benchmark (default: ``name``); ``named_by`` says, for ``"space"`` and
    ``"target"``, who named them when given (a sidecar, an argument), for the notes.
    """
    origin = source or name
    named_by = named_by or {}
    frame = check_frame(frame.copy(), origin)
    notes: list[str] = []
    metrics = [c for c in CURVE_COLUMNS if c in frame.columns]
    target, higher_is_better, target_note = decide_target(metrics, target, higher_is_better, origin, named_by)
    seeds = None
    if SEED_COLUMN in frame.columns:
        frame, seeds = mean_over_seeds(frame, origin, notes)
    frame, codes, counts = sort_runs(frame, ["arch"], origin)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    uniques = frame["arch"].to_numpy()[starts]
    texts = [str(u) for u in uniques]
    chosen, space_note = decide_space(texts, space, origin, named_by)
    notes.insert(0, space_note)
    archs = _canonical_archs(chosen, texts, origin)
    table = _last_epoch_table(frame, archs, metrics, starts, counts, notes)
    if seeds is not None:
        table["seeds"] = seeds.loc[uniques].to_numpy(dtype=np.int64)
    epoch_seconds = None
    if TIME_COLUMN in frame.columns:
        n = len(uniques)
        epoch_seconds = np.bincount(codes, weights=frame[TIME_COLUMN].to_numpy(dtype=np.float64), minlength=n) / counts
    else:
        notes.append("no epoch_time column: training cost is not recorded")
    notes.insert(1, target_note)
    return Benchmark(
        name=name,
        space=chosen,
        dataset=dataset or name,
        table=table,
        target=target,
        higher_is_better=higher_is_better,
        curves=_curves(frame, metrics, codes, counts),
        epoch_seconds=epoch_seconds,
        source=source,
        notes=notes,
    )


def _canonical_archs(space: SearchSpace, texts: list[str], origin: str) -> list[str]:
    """Each arch string in ``space``'s own notation; raises unless every string is a distinct architecture."""
    archs: list[str] = []
    for t in texts:
        try:
            archs.append(space.format(space.parse(t)))
        except (InvalidArchitectureError, ValueError, TypeError) as err:
            raise DataFileError(f"{origin}: arch {t!r} is not in space {space.name!r}: {err}") from err
    seen: dict[str, str] = {}
    for t, a in zip(texts, archs, strict=True):
        if a in seen:
            raise DataFileError(
                f"{origin}: archs {seen[a]!r} and {t!r} are the same architecture of space "
                f"{space.name!r}; expected each architecture once (replicate runs: one arch string and a "
                "'seed' column)"
            )
        seen[a] = t
    return archs


def _curves(frame: pd.DataFrame, metrics: list[str], codes: np.ndarray, counts: np.ndarray) -> dict[str, Curves]:
    """The learning curve of each metric, one row per run (``codes``), NaN past a run's last epoch."""
    length = int(counts.max())
    cols = frame["epoch"].to_numpy() - 1
    curves: dict[str, Curves] = {}
    for metric in metrics:
        values = np.full((len(counts), length), np.nan)
        values[codes, cols] = frame[metric].to_numpy(dtype=np.float64)
        curves[metric] = Curves(np.arange(1, length + 1), values)
    return curves


def _last_epoch_table(
    frame: pd.DataFrame, archs: list[str], metrics: list[str], starts: np.ndarray, counts: np.ndarray, notes: list[str]
) -> pd.DataFrame:
    """One row per architecture with its metrics at its own last epoch (and ``epochs`` where runs differ)."""
    last = starts + counts - 1
    length = int(counts.max())
    table = pd.DataFrame({"arch": archs})
    for metric in metrics:
        table[metric] = frame[metric].to_numpy(dtype=np.float64)[last]
    if counts.min() != length:
        table["epochs"] = counts
        notes.append(
            f"architectures record {int(counts.min())} to {length} epochs: each row holds the metrics at "
            "its own last epoch (column 'epochs')"
        )
    return table


def _build(path: Path, dataset: str | None, space: str | None) -> Benchmark:
    settings: dict[str, Any] = {}
    named_by: dict[str, str] = {}
    side = sidecar_path(path)
    if side is not None:
        settings = read_sidecar(side)
        named_by = {key: f"the sidecar {side.name}" for key in settings}
    if space is not None:
        settings["space"] = space
        named_by["space"] = "the caller (--space, or load(..., space=...))"
    return from_frame(
        read_frame(path),
        name=path.stem,
        space=settings.get("space"),
        target=settings.get("target"),
        higher_is_better=settings.get("higher_is_better"),
        source=str(path),
        dataset=dataset,
        named_by=named_by,
    )


def _columns(path: Path) -> list[str]:
    if path.suffix.lower() == ".csv":
        with open(path, encoding="utf-8", errors="replace") as fh:
            header = fh.readline()
        return [c.strip().strip('"') for c in header.rstrip("\r\n").split(",")]
    return list(pq.read_schema(path).names)


def detect(path: str | Path) -> bool:
    """Whether ``path`` is a CSV or parquet file with ``arch`` and ``epoch`` columns."""
    path = Path(path)
    if not path.is_file() or path.suffix.lower() not in SUFFIXES:
        return False
    try:
        columns = _columns(path)
    except (OSError, pa.ArrowException):
        return False
    return all(c in columns for c in REQUIRED)


def load_path(
    path: str | Path, cache: bool = True, *, dataset: str | None = None, space: str | None = None
) -> Benchmark:
    """Read a learning-curve table (CSV or parquet) and its optional sidecar JSON.

    ``space`` names the search space (``"opaque"`` for identifiers), over the sidecar's and the guess;
    ``dataset`` only labels the benchmark (default: the file's stem).
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path}: no such file; expected a learning-curve table (.csv or .parquet)")
    if space is not None and not isinstance(space, str):
        raise DataFileError(f"space must be a space name such as 'nb201' or 'opaque', got {space!r}")
    side = sidecar_path(path)
    sources = [path] if side is None else [path, side]
    key = f"curve-table:{path.resolve()}:space={space}:dataset={dataset}"
    return cached_benchmark(key, sources, lambda: _build(path, dataset, space), enabled=cache)
