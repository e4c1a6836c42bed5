"""NAS-Bench-201 architectures on CIFAR-10 from the PyPI package ``analog-nasbench`` (the embedded default).

The package ships ``analognasbench/data.anb``: a pickle of a dict mapping each NASLib NAS-Bench-201 tuple
(edges (0→1), (0→2), (0→3), (1→2), (1→3), (2→3); ops 0 skip_connect, 1 none, 2 nor_conv_3x3,
3 nor_conv_1x1, 4 avg_pool_3x3) to an ``analognasbench.data.Architecture`` object with the attributes
``architecture`` (the tuple), ``baseline_accuracy``, ``ptq_accuracy``, ``qat_accuracy``,
``noisy_accuracy``, ``analog_accuracy`` (floats, %) and eight drift measurements
``{baseline,analog}_drift_{60,3600,86400,2592000}``, each a ``DriftMeasurement`` with ``value`` and
``uncertainty``. The package imports ``pkg_resources`` (gone with setuptools >= 81), so the pickle is read
here with :func:`~naspred.benchmarks.safe_pickle.safe_load` and stand-in classes, without importing it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from naspred.benchmarks.base import Benchmark, accuracy_benchmark
from naspred.benchmarks.cache import cached_benchmark
from naspred.benchmarks.embedded import embedded_file
from naspred.benchmarks.safe_pickle import load_records, stand_in
from naspred.errors import DataFileError, InvalidArchitectureError, UnknownNameError
from naspred.spaces import get as get_space

logger = logging.getLogger(__name__)

PACKAGE = "analognasbench"
DATA_FILE = "data.anb"
ACCURACIES = ("ptq_accuracy", "qat_accuracy", "noisy_accuracy", "analog_accuracy")
DRIFTS = tuple(f"{kind}_drift_{seconds}" for kind in ("baseline", "analog") for seconds in (60, 3600, 86400, 2592000))

_ALLOWED = {
    ("analognasbench.data", "Architecture"): stand_in("Architecture"),
    ("analognasbench.data", "DriftMeasurement"): stand_in("DriftMeasurement"),
}

NOTES = (
    "val_accuracy is analog-nasbench's baseline_accuracy (CIFAR-10 accuracy, %, of the digitally trained "
    "network); the quantised, noisy and analog-hardware accuracies and the drift measurements are further metrics",
    "no training time is recorded: simulated training cost is unavailable (epoch_seconds is None)",
    "no learning curves are recorded",
)


def data_file() -> Path:
    """The path of ``data.anb`` inside the installed ``analog-nasbench`` package (not imported)."""
    return embedded_file(PACKAGE, "analog-nasbench", DATA_FILE)


def read_records(path: str | Path) -> pd.DataFrame:
    """One row per architecture: ``naslib`` (the op tuple), the accuracies, and each drift value and uncertainty."""
    path = Path(path)
    data = load_records(path, _ALLOWED)
    rows: list[dict[str, Any]] = []
    for key, rec in data.items():
        try:
            attrs = vars(rec)
            row: dict[str, Any] = {"naslib": tuple(int(x) for x in attrs["architecture"])}
            row["val_accuracy"] = float(attrs["baseline_accuracy"])
            for name in ACCURACIES:
                row[name] = float(attrs[name])
            for name in DRIFTS:
                row[name] = float(vars(attrs[name])["value"])
                row[f"{name}_uncertainty"] = float(vars(attrs[name])["uncertainty"])
        except (KeyError, TypeError, ValueError) as err:
            raise DataFileError(
                f"{path}: record {key!r} lacks an expected attribute or holds a non-number ({err}); "
                f"expected architecture, baseline_accuracy, {', '.join(ACCURACIES)} and the drift measurements"
            ) from err
        if row["naslib"] != tuple(key):
            raise DataFileError(f"{path}: record under key {key!r} holds architecture {row['naslib']!r}")
        rows.append(row)
    table = pd.DataFrame(rows)
    numeric = table.drop(columns="naslib")
    bad = numeric.isna().any(axis=1).to_numpy()
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise DataFileError(f"{path}: architecture {table['naslib'].iloc[first]!r} has a NaN metric")
    return table


def _build(path: Path) -> Benchmark:
    records = read_records(path)
    space = get_space("nb201")
    archs: list[str] = []
    for t in records["naslib"]:
        try:
            archs.append(space.format(space.from_tuple(t)))
        except InvalidArchitectureError as err:
            raise DataFileError(f"{path}: architecture {t!r} is not a NAS-Bench-201 cell: {err}") from err
    table = records.drop(columns="naslib")
    table.insert(0, "arch", archs)
    return accuracy_benchmark("nb201-analog-cifar10", space, "cifar10", table, str(path), list(NOTES))


def detect(path: str | Path) -> bool:
    """Whether ``path`` looks like analog-nasbench's ``data.anb`` (a ``.anb`` pickle)."""
    path = Path(path)
    if not path.is_file() or path.suffix != ".anb":
        return False
    with open(path, "rb") as fh:
        return fh.read(1) == b"\x80"


def load_path(path: str | Path, cache: bool = True) -> Benchmark:
    """Read an analog-nasbench ``data.anb`` file."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path}: no such file; expected analog-nasbench's {DATA_FILE}")
    return cached_benchmark(f"analog:{path.resolve()}", [path], lambda: _build(path), enabled=cache)


def load_analog(dataset: str = "cifar10", data_home: str | Path | None = None, cache: bool = True) -> Benchmark:
    """The ``nb201-analog-cifar10`` benchmark from the installed package (``data_home`` is not used)."""
    if dataset != "cifar10":
        raise UnknownNameError(f"analog-nasbench covers only dataset 'cifar10', got {dataset!r}")
    return load_path(data_file(), cache)
