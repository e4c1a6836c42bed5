"""``nb201-mnist1d``: NAS-Bench-201 cells trained for real on MNIST-1D (Greydanus, 2020), shipped with naspred.

The packaged file ``benchmarks/data/nb201_mnist1d.csv.gz`` was written by ``perf/build_nb201_mnist1d.py``
(protocol and figures: ``perf/nb201_mnist1d.md``; settings: the ``nb201_mnist1d.json`` beside it). It holds one
line per (cell, seed, epoch): ``arch`` (NAS-Bench-201 string), ``seed``, ``epoch`` (1-based), ``train_loss``,
``val_accuracy`` (%), ``val_loss``, ``seconds`` (wall time of that epoch), the cell's zero-cost proxies
``proxy:<name>`` at initialisation (empty where missing), the seconds each took ``proxy_seconds:<name>`` (which
the simulated oracle charges a query) and ``run_cpu_seconds``. Every cell has a seed-0
run; some also a seed-1 run, which measures the seed-to-seed noise.

The benchmark: one row per cell with a seed-0 run; target ``val_accuracy`` = the last-epoch validation
accuracy of the seed-0 run; curves ``train_loss``, ``val_accuracy``, ``val_loss`` of that run;
``epoch_seconds`` its mean recorded epoch time; proxies of that run; column ``val_accuracy_seed1`` (NaN for
cells trained once). Nothing is downloaded.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from naspred.benchmarks.base import Benchmark, Curves, accuracy_benchmark
from naspred.errors import DataFileError
from naspred.spaces.nasbench201 import NB201Space

#: the packaged benchmark file, inside ``naspred.benchmarks``
PACKAGED = "data/nb201_mnist1d.csv.gz"
#: the learning curves the benchmark serves
CURVES: tuple[str, ...] = ("train_loss", "val_accuracy", "val_loss")
_REQUIRED = ("arch", "seed", "epoch", *CURVES, "seconds")


def packaged_path() -> Path:
    """The path of the packaged file."""
    return Path(str(resources.files("naspred.benchmarks").joinpath(PACKAGED)))


def protocol(path: str | Path | None = None) -> dict[str, Any]:
    """The generation settings recorded beside the file (``nb201_mnist1d.json``)."""
    path = Path(path) if path is not None else packaged_path()
    side = path.with_name(path.name.split(".")[0] + ".json")
    if not side.is_file():
        raise DataFileError(f"{side}: the protocol of {path.name} is missing")
    return json.loads(side.read_text(encoding="utf-8"))


def _curves(runs: pd.DataFrame, archs: list[str], epochs: np.ndarray, metric: str) -> np.ndarray:
    wide = runs.pivot(index="arch", columns="epoch", values=metric)
    return wide.reindex(index=archs, columns=epochs).to_numpy(dtype=np.float64)


def load_nb201_mnist1d(path: str | Path | None = None, *, data_home: Any = None, cache: bool = True) -> Benchmark:
    """Read the packaged ``nb201-mnist1d`` file (or the same layout at ``path``); ``data_home`` and ``cache``
    are accepted for the registry's call and unused (the file ships with naspred)."""
    path = Path(path) if path is not None else packaged_path()
    if not path.is_file():
        raise DataFileError(f"{path}: the nb201-mnist1d benchmark file is missing; reinstall naspred")
    frame = pd.read_csv(path, float_precision="round_trip")
    absent = [c for c in _REQUIRED if c not in frame.columns]
    if absent:
        raise DataFileError(f"{path}: columns {absent} missing; expected at least {list(_REQUIRED)}")
    if frame.duplicated(["arch", "seed", "epoch"]).any():
        raise DataFileError(f"{path}: a (arch, seed, epoch) line appears twice")
    epochs = np.sort(frame["epoch"].unique())
    if epochs[0] != 1 or (np.diff(epochs) != 1).any():
        raise DataFileError(f"{path}: epochs must run 1, 2, ..., n; found {epochs.tolist()}")
    seed0 = frame[frame["seed"] == 0]
    archs = list(dict.fromkeys(seed0["arch"]))
    counts = seed0.groupby("arch")["epoch"].count()
    short = counts[counts != len(epochs)]
    if len(short):
        raise DataFileError(f"{path}: the seed-0 run of {short.index[0]} has {short.iloc[0]} of {len(epochs)} epochs")
    last = seed0[seed0["epoch"] == epochs[-1]].set_index("arch").reindex(archs)
    table = pd.DataFrame({"arch": archs, "val_accuracy": last["val_accuracy"].to_numpy(dtype=np.float64)})
    seed1 = frame[(frame["seed"] == 1) & (frame["epoch"] == epochs[-1])].set_index("arch")
    table["val_accuracy_seed1"] = seed1["val_accuracy"].reindex(archs).to_numpy(dtype=np.float64)
    table["train_seconds"] = seed0.groupby("arch")["seconds"].sum().reindex(archs).to_numpy(dtype=np.float64)
    for column in sorted(c for c in frame.columns if c.startswith(("proxy:", "proxy_seconds:"))):
        table[column] = last[column].to_numpy(dtype=np.float64)
    curves = {m: Curves(epochs.astype(np.int64), _curves(seed0, archs, epochs, m)) for m in CURVES}
    seconds = _curves(seed0, archs, epochs, "seconds").mean(axis=1)
    twice = int(np.isfinite(table["val_accuracy_seed1"]).sum())
    notes = [
        (f"NAS-Bench-201 cells trained on MNIST-1D for {len(epochs)} epochs by naspred's reference trainer; "
         f"{len(archs)} cells, {twice} of them trained with a second seed (val_accuracy_seed1)"),
        "epoch_seconds: measured wall time on one CPU core (perf/nb201_mnist1d.md)",
    ]
    return accuracy_benchmark(
        "nb201-mnist1d", NB201Space(), "mnist1d", table, str(path), notes, curves=curves, epoch_seconds=seconds
    )
