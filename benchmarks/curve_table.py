"""The generic learning-curve table: bring your own benchmark as CSV or parquet.

One row per architecture x epoch. Columns: ``arch`` (a string in a registered space's notation, or any
opaque identifier), ``epoch`` (1-based, contiguous from 1 for each architecture), and any of
``train_loss``, ``train_accuracy``, ``val_loss``, ``val_accuracy``, ``test_loss``, ``test_accuracy``
(learning curves) and ``epoch_time`` (seconds spent training that epoch). An optional sidecar
``<file>.json`` (``curves.csv.json``, or ``curves.json`` beside ``curves.csv``) holds
``{"space": "nb201" | ... | "opaque", "target": "val_accuracy", "higher_is_better": true}``.

Without a sidecar the space is the registered space that parses every ``arch`` string (``"opaque"`` if
none does) and the target is the last-epoch ``val_accuracy`` (maximised), else the last-epoch
``val_loss`` (minimised). A sidecar ``target`` may name any metric column; its direction defaults to
minimising for names ending in ``loss`` and maximising otherwise. Each architecture's table row holds its
metrics at its own last recorded epoch; ``epoch_seconds`` is its mean ``epoch_time``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from naspred.benchmarks.base import Benchmark, Curves
from naspred.benchmarks.cache import cached_benchmark
from naspred.errors import DataFileError, InvalidArchitectureError
from naspred.spaces import registry as space_registry
from naspred.spaces.base import LabeledDAG, SearchSpace

logger = logging.getLogger(__name__)

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
REQUIRED: tuple[str, ...] = ("arch", "epoch")
ALLOWED: frozenset[str] = frozenset(REQUIRED + CURVE_COLUMNS + (TIME_COLUMN,))
SUFFIXES: tuple[str, ...] = (".csv", ".parquet", ".pq")
SIDECAR_KEYS: frozenset[str] = frozenset({"space", "target", "higher_is_better"})
#: order in which spaces are tried when guessing, most specific notations first
GUESS_ORDER: tuple[str, ...] = ("nb201", "spikenas", "nb101", "darts", "tnb101-micro", "tnb101-macro", "nbgraph")


class OpaqueSpace(SearchSpace):
    """A space whose architectures are identifier strings with no known structure.

    Only predictors that need no architecture encoding (learning-curve ones) apply to it.
    """

    name = "opaque"
    arch_type = str

    def parse(self, text: str) -> str:
        return self.validate(text)

    def format(self, arch: Any) -> str:
        return self.validate(arch)

    def validate(self, arch: Any) -> str:
        if not isinstance(arch, str) or arch == "":
            raise InvalidArchitectureError(f"an opaque architecture is a non-empty string, got {arch!r}")
        return arch

    def sample(self, rng: np.random.Generator) -> Any:
        raise InvalidArchitectureError("an opaque space has no known architectures to sample from")

    def mutate(self, arch: Any, rng: np.random.Generator) -> Any:
        raise InvalidArchitectureError("an opaque space has no structure to mutate")

    def neighbours(self, arch: Any) -> list[Any]:
        raise InvalidArchitectureError("an opaque space has no structure to find neighbours in")

    def canonical(self, arch: Any) -> Hashable:
        return self.validate(arch)

    def to_graph(self, arch: Any) -> LabeledDAG:
        raise InvalidArchitectureError(
            f"architecture {arch!r} of an opaque space has no graph; use a learning-curve predictor"
        )


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


def _space_named(name: str) -> SearchSpace:
    if name == OpaqueSpace.name:
        return OpaqueSpace()
    return space_registry.get(name)


def _parses_all(space: SearchSpace, texts: list[str]) -> bool:
    try:
        for t in texts:
            space.parse(t)
    except (InvalidArchitectureError, ValueError, TypeError):
        return False
    return True


def guess_space(texts: list[str]) -> tuple[SearchSpace, list[str]]:
    """The first registered space (in :data:`GUESS_ORDER`) that parses every string, else :class:`OpaqueSpace`.

    Returns the space and the names of the other spaces that also fit (empty when the guess is unambiguous).
    """
    names = [n for n in GUESS_ORDER if n in space_registry.names()]
    names += [n for n in space_registry.names() if n not in names]
    fits: list[SearchSpace] = []
    for name in names:
        try:
            space = space_registry.get(name)
        except ImportError:  # a registered space whose module is not available
            logger.debug("space %s cannot be imported; not tried", name)
            continue
        if _parses_all(space, texts[:1]) and _parses_all(space, texts):
            fits.append(space)
    if not fits:
        return OpaqueSpace(), []
    return fits[0], [s.name for s in fits[1:]]


def _check_frame(frame: pd.DataFrame, origin: str) -> pd.DataFrame:
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
    dup = frame.duplicated(["arch", "epoch"], keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        first = int(
            np.flatnonzero(
                ((frame["arch"] == frame["arch"].iloc[i]) & (frame["epoch"] == frame["epoch"].iloc[i])).to_numpy()
            )[0]
        )
        raise DataFileError(
            f"{origin}: rows {first} and {i} both hold arch {_cell(frame, 'arch', i)!r} at epoch "
            f"{frame['epoch'].iloc[i]}; expected one row per architecture and epoch"
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


def from_frame(
    frame: pd.DataFrame,
    *,
    name: str = "curve-table",
    space: str | SearchSpace | None = None,
    target: str | None = None,
    higher_is_better: bool | None = None,
    source: str = "",
) -> Benchmark:
    """A benchmark from a long learning-curve table (see the module docstring for the columns)."""
    origin = source or name
    frame = _check_frame(frame.copy(), origin)
    notes: list[str] = []
    metrics = [c for c in CURVE_COLUMNS if c in frame.columns]
    if target is None:
        if "val_accuracy" in metrics:
            target = "val_accuracy"
        elif "val_loss" in metrics:
            target = "val_loss"
        else:
            raise DataFileError(
                f"{origin}: no val_accuracy or val_loss column to use as the target; name one of "
                f"{metrics} as 'target' in a sidecar <file>.json"
            )
    elif target not in metrics:
        raise DataFileError(f"{origin}: target {target!r} is not a column; the table has {metrics}")
    if higher_is_better is None:
        higher_is_better = not target.endswith("loss")

    codes, uniques = pd.factorize(frame["arch"], sort=False)  # architectures in order of first appearance
    order = np.lexsort((frame["epoch"].to_numpy(), codes))
    codes = codes[order]
    frame = frame.iloc[order].reset_index(drop=True)
    epochs = frame["epoch"].to_numpy()
    n = len(uniques)
    counts = np.bincount(codes, minlength=n)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    expected = np.arange(len(frame)) - np.repeat(starts, counts) + 1
    gap = epochs != expected
    if gap.any():
        i = int(np.flatnonzero(gap)[0])
        raise DataFileError(
            f"{origin}: arch {_cell(frame, 'arch', i)!r} jumps to epoch {int(epochs[i])} where epoch "
            f"{expected[i]} was expected; epochs must run 1, 2, 3, ... without gaps"
        )
    length = int(counts.max())
    texts = [str(u) for u in uniques]
    if space is None:
        chosen, others = guess_space(texts)
        notes.append(
            f"space {chosen.name!r} guessed from the arch strings"
            + (f" (they also parse in {others}; name the space in a sidecar <file>.json to choose)" if others else "")
        )
    elif isinstance(space, str):
        chosen = _space_named(space)
    else:
        chosen = space
    archs: list[str] = []
    for t in texts:
        try:
            archs.append(chosen.format(chosen.parse(t)))
        except (InvalidArchitectureError, ValueError, TypeError) as err:
            raise DataFileError(f"{origin}: arch {t!r} is not in space {chosen.name!r}: {err}") from err
    seen: dict[str, str] = {}
    for t, a in zip(texts, archs, strict=True):
        if a in seen:
            raise DataFileError(
                f"{origin}: archs {seen[a]!r} and {t!r} are the same architecture of space "
                f"{chosen.name!r}; expected each architecture once"
            )
        seen[a] = t

    curves: dict[str, Curves] = {}
    cols = epochs - 1
    for metric in metrics:
        values = np.full((n, length), np.nan)
        values[codes, cols] = frame[metric].to_numpy(dtype=np.float64)
        curves[metric] = Curves(np.arange(1, length + 1), values)
    last = starts + counts - 1
    table = pd.DataFrame({"arch": archs})
    for metric in metrics:
        table[metric] = frame[metric].to_numpy(dtype=np.float64)[last]
    if counts.min() != length:
        table["epochs"] = counts
        notes.append(
            f"architectures record {int(counts.min())} to {length} epochs: each row holds the metrics at "
            "its own last epoch (column 'epochs')"
        )
    epoch_seconds = None
    if TIME_COLUMN in frame.columns:
        epoch_seconds = np.bincount(codes, weights=frame[TIME_COLUMN].to_numpy(dtype=np.float64), minlength=n) / counts
    else:
        notes.append("no epoch_time column: training cost is not recorded")
    notes.append(
        f"target {target!r} at each architecture's last epoch, " + ("maximised" if higher_is_better else "minimised")
    )
    return Benchmark(
        name=name,
        space=chosen,
        dataset=name,
        table=table,
        target=target,
        higher_is_better=higher_is_better,
        curves=curves,
        epoch_seconds=epoch_seconds,
        source=source,
        notes=notes,
    )


def _build(path: Path) -> Benchmark:
    settings: dict[str, Any] = {}
    side = sidecar_path(path)
    if side is not None:
        settings = read_sidecar(side)
    return from_frame(
        read_frame(path),
        name=path.stem,
        space=settings.get("space"),
        target=settings.get("target"),
        higher_is_better=settings.get("higher_is_better"),
        source=str(path),
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


def load_path(path: str | Path, cache: bool = True) -> Benchmark:
    """Read a learning-curve table (CSV or parquet) and its optional sidecar JSON."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path}: no such file; expected a learning-curve table (.csv or .parquet)")
    side = sidecar_path(path)
    sources = [path] if side is None else [path, side]
    return cached_benchmark(f"curve-table:{path.resolve()}", sources, lambda: _build(path), enabled=cache)
