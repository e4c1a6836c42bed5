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
from naspred.errors import DataFileError, InvalidArchitectureError, UnknownNameError
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
SEED_COLUMN = "seed"
REQUIRED: tuple[str, ...] = ("arch", "epoch")
ALLOWED: frozenset[str] = frozenset(REQUIRED + CURVE_COLUMNS + (TIME_COLUMN, SEED_COLUMN))
SUFFIXES: tuple[str, ...] = (".csv", ".parquet", ".pq")
SIDECAR_KEYS: frozenset[str] = frozenset({"space", "target", "higher_is_better"})
#: order in which spaces are tried when guessing, most specific notations first
GUESS_ORDER: tuple[str, ...] = ("nb201", "spikenas", "nb101", "darts", "tnb101-micro", "tnb101-macro", "nbgraph")
#: how many arch strings are tried in every space before the spaces that parse none of them are dropped
_PROBE = 50


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
    if "space" in data:
        try:
            _space_named(data["space"])
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


def _space_named(name: str) -> SearchSpace:
    if name == OpaqueSpace.name:
        return OpaqueSpace()
    return space_registry.get(name)


def _first_failure(space: SearchSpace, texts: list[str]) -> tuple[int, str] | None:
    """Position and error of the first string ``space`` does not parse, or None when it parses them all."""
    for i, t in enumerate(texts):
        try:
            space.parse(t)
        except (InvalidArchitectureError, ValueError, TypeError) as err:
            return i, str(err)
    return None


def _candidate_spaces() -> list[SearchSpace]:
    names = [n for n in GUESS_ORDER if n in space_registry.names()]
    names += [n for n in space_registry.names() if n not in names]
    spaces = []
    for name in names:
        try:
            spaces.append(space_registry.get(name))
        except ImportError:  # a registered space whose module is not available
            logger.debug("space %s cannot be imported; not tried", name)
    return spaces


def guess_space(texts: list[str], origin: str = "the table") -> tuple[SearchSpace, str]:
    """The space of the ``arch`` strings ``texts`` and a note saying how it was decided.

    Bare integers and strings no registered space parses are identifiers (:class:`OpaqueSpace`); the one
    space that parses every string is taken. Strings that parse in several spaces, or of which a space
    parses some but not all, raise :class:`~naspred.errors.DataFileError` (see the module docstring).
    """
    how = "name it in a sidecar <file>.json ({\"space\": ...}) or with --space"
    if texts and all(t.strip().isdigit() for t in texts):
        return OpaqueSpace(), (
            "space 'opaque': the arch values are bare integers, read as run identifiers (they are also "
            f"SpikeNAS-Bench ids: {how.replace('name it', 'name spikenas')} to read them so)"
        )
    probe = texts[:_PROBE]
    full: list[SearchSpace] = []
    partial: list[tuple[SearchSpace, int, tuple[int, str]]] = []
    for space in _candidate_spaces():
        if all(_first_failure(space, [t]) is not None for t in probe):
            continue  # parses none of the first strings: not this space's notation
        failure = _first_failure(space, texts)
        if failure is None:
            full.append(space)
        else:
            parsed = sum(_first_failure(space, [t]) is None for t in texts)
            partial.append((space, parsed, failure))
    if len(full) > 1:
        raise DataFileError(
            f"{origin}: the arch strings parse in several spaces {[s.name for s in full]}; {how} to choose"
        )
    if full:
        return full[0], f"space {full[0].name!r} guessed: every arch string parses in it and in no other registered space"
    if partial:
        space, parsed, (i, err) = max(partial, key=lambda p: p[1])
        raise DataFileError(
            f"{origin}: {parsed} of {len(texts)} arch strings parse in space {space.name!r}, but {texts[i]!r} does not "
            f"({err}); correct it, or {how.replace('name it', 'name the space')} ('opaque' reads them as identifiers)"
        )
    return OpaqueSpace(), "space 'opaque': no registered space parses the arch strings; they are run identifiers"


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


def _runs(frame: pd.DataFrame, keys: list[str], origin: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
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


def _mean_over_seeds(frame: pd.DataFrame, origin: str, notes: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """One run per architecture: every value averaged over the seeds at each epoch; the seeds per arch."""
    frame, _, counts = _runs(frame, ["arch", SEED_COLUMN], origin)
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
        target_how = f"the default ({'val_accuracy' if target == 'val_accuracy' else 'no val_accuracy column; val_loss'})"
    elif target not in metrics:
        raise DataFileError(f"{origin}: target {target!r} is not a column; the table has {metrics}")
    else:
        target_how = f"named by {named_by.get('target', 'the caller')}"
    if higher_is_better is None:
        higher_is_better = not target.endswith("loss")
        direction_how = "as its name says" if target.endswith(("loss", "accuracy")) else "by default"
    else:
        direction_how = f"as named by {named_by.get('higher_is_better', named_by.get('target', 'the caller'))}"

    seeds = None
    if SEED_COLUMN in frame.columns:
        frame, seeds = _mean_over_seeds(frame, origin, notes)
    frame, codes, counts = _runs(frame, ["arch"], origin)
    uniques = frame["arch"].to_numpy()[np.concatenate([[0], np.cumsum(counts)[:-1]])]
    epochs = frame["epoch"].to_numpy()
    n = len(uniques)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    length = int(counts.max())
    texts = [str(u) for u in uniques]
    if space is None:
        chosen, how = guess_space(texts, origin)
        notes.insert(0, how)
    elif isinstance(space, str):
        chosen = _space_named(space)
        notes.insert(0, f"space {chosen.name!r}: named by {named_by.get('space', 'the caller')}")
    else:
        chosen = space
        notes.insert(0, f"space {chosen.name!r}: given by {named_by.get('space', 'the caller')}")
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
                f"{chosen.name!r}; expected each architecture once (replicate runs: one arch string and a "
                "'seed' column)"
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
    if seeds is not None:
        table["seeds"] = seeds.loc[uniques].to_numpy(dtype=np.int64)
    epoch_seconds = None
    if TIME_COLUMN in frame.columns:
        epoch_seconds = np.bincount(codes, weights=frame[TIME_COLUMN].to_numpy(dtype=np.float64), minlength=n) / counts
    else:
        notes.append("no epoch_time column: training cost is not recorded")
    notes.insert(
        1,
        f"target {target!r} at each architecture's last epoch: {target_how}; "
        + ("maximised" if higher_is_better else "minimised")
        + f" ({direction_how})",
    )
    return Benchmark(
        name=name,
        space=chosen,
        dataset=dataset or name,
        table=table,
        target=target,
        higher_is_better=higher_is_better,
        curves=curves,
        epoch_seconds=epoch_seconds,
        source=source,
        notes=notes,
    )


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
