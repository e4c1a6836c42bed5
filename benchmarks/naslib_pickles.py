"""NASLib's full-training pickles, which users download by hand (NASLib README, "Queryable benchmarks").

Three schemas, each read with :func:`naspred.benchmarks.safe_pickle.safe_load` admitting only plain
containers and numpy arrays / scalars (the values NASLib's conversion scripts wrote); a pickle naming any
other global is refused with :class:`~naspred.errors.UnsafePickleError`.

``nb201_<dataset>_full_training.pickle`` (``<dataset>`` = ``cifar10``, ``cifar100``, ``ImageNet16``;
NAS-Bench-201, Dong & Yang, ICLR 2020), as NASLib's ``nasbench201/graph.py`` queries it::

    {arch_str: {dataset_key: {"train_losses": [...], "eval_losses": [...],
                              "train_acc1es": [...], "eval_acc1es": [...],
                              "cost_info": {"flops", "params", "latency", "train_time"}}}}

``arch_str`` is the NB201 string; ``dataset_key`` is ``cifar10-valid`` (CIFAR-10 with the validation split),
``cifar100`` or ``ImageNet16-120``; each list holds one value per epoch (200, accuracies in %);
``train_time`` is the training time (seconds) of the whole run, so ``epoch_seconds`` = ``train_time / epochs``.

``nasbench_only108.pkl`` (NAS-Bench-101, Ying et al., ICML 2019), as NASLib's ``utils/nb101_api.py`` reads it::

    {module_hash: (fixed_stats, computed_stats)}
    fixed_stats    = {"module_adjacency": 0/1 matrix, "module_operations": [op names],
                      "trainable_parameters": int}
    computed_stats = {108: [run, run, run]}   # one dict per repeat, keys
                     halfway_/final_ + training_time, train_accuracy, validation_accuracy, test_accuracy

Accuracies are fractions in [0, 1] (converted here to %), ``halfway_*`` are taken after epoch 54 of the
108-epoch run and ``final_training_time`` is the seconds of the whole run. Each metric is the mean over repeats.

``nb301_full_training.pickle`` (the trained architectures of NAS-Bench-301, Siems et al., 2020), as NASLib's
``nasbench301/graph.py`` queries it::

    {compact: {"train_losses": [...], "val_accuracies": [...], "runtime": seconds}}

``compact`` is NASLib's DARTS genotype tuple ``((normal (node, op) pairs), (reduction pairs))``;
``val_accuracies`` holds one value per epoch (%). ``runtime`` is the training time of the run (a list is
read as cumulative seconds after each epoch, its last entry being the total).

A pickle is recognised by its file name or, under any other name, by its content: the field names of its
first record (``eval_acc1es``, ``module_adjacency``, ``val_accuracies``), read from the head of the file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from naspred.benchmarks.base import Benchmark, Curves, accuracy_benchmark
from naspred.benchmarks.cache import cached_benchmark
from naspred.benchmarks.datahome import artifact_path
from naspred.benchmarks.naslib_names import check_nb201_dataset
from naspred.benchmarks.safe_pickle import safe_load
from naspred.benchmarks.suite_zero_records import format_keys
from naspred.errors import DataFileError, InvalidArchitectureError, UnknownNameError
from naspred.spaces import get as get_space
from naspred.spaces.nasbench101 import NB101Arch

logger = logging.getLogger(__name__)

#: naspred dataset -> keys an NB201 pickle may use for it, in order of preference
NB201_DATASET_KEYS: Mapping[str, tuple[str, ...]] = {
    "cifar10": ("cifar10-valid", "cifar10"),
    "cifar100": ("cifar100",),
    "imagenet16": ("ImageNet16-120",),
}
#: naspred curve metric -> NB201 pickle key
NB201_CURVES: Mapping[str, str] = {
    "train_loss": "train_losses",
    "val_loss": "eval_losses",
    "train_accuracy": "train_acc1es",
    "val_accuracy": "eval_acc1es",
}
#: naspred curve metric -> NB301 pickle key
NB301_CURVES: Mapping[str, str] = {"train_loss": "train_losses", "val_accuracy": "val_accuracies"}
NB101_EPOCHS = 108
NB101_HALFWAY = 54

_NB201_NAME = re.compile(r"^nb201_(?P<ds>cifar10|cifar100|ImageNet16(?:-120)?)_full_training\.pickle$")
_NB101_NAME = re.compile(r"^nasbench_only108\.pkl$")
_NB301_NAME = re.compile(r"^nb301_full_training\.pickle$")

#: the formats this module reads
KINDS: tuple[str, ...] = ("nb201", "nb101", "nb301")


#: how much of a pickle's head is read to recognise its schema by content
HEAD_BYTES = 1 << 20
#: field names of each schema's first record, as they stand in the pickle stream
_FIELDS: Mapping[str, tuple[str, ...]] = {
    "nb201": ("eval_acc1es", "train_losses"),
    "nb101": ("module_adjacency", "module_operations"),
    "nb301": ("val_accuracies", "train_losses"),
}


def _pickled(text: str) -> tuple[bytes, bytes]:
    """``text`` as the pickle stream stores a short string (protocol 4+) and a longer one (protocol 1-3)."""
    raw = text.encode()
    return b"\x8c" + bytes([len(raw)]) + raw, b"X" + len(raw).to_bytes(4, "little") + raw


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(HEAD_BYTES)
    except OSError:
        return b""


def _holds(head: bytes, text: str) -> bool:
    return any(form in head for form in _pickled(text))


def kind_of(path: Path) -> str | None:
    """``"nb201"``, ``"nb101"`` or ``"nb301"`` from NASLib's file name or, failing that, from the field names at
    the head of the pickle; ``None`` when neither tells."""
    name = Path(path).name
    if _NB201_NAME.match(name):
        return "nb201"
    if _NB101_NAME.match(name):
        return "nb101"
    if _NB301_NAME.match(name):
        return "nb301"
    head = _head(Path(path))
    if not head.startswith(b"\x80"):
        return None
    found = [kind for kind, fields in _FIELDS.items() if all(_holds(head, f) for f in fields)]
    return found[0] if len(found) == 1 else None


def read_pickle(path: str | Path) -> dict[Any, Any]:
    """A NASLib pickle read with the restricted unpickler; its top level must be a non-empty dict."""
    path = Path(path)
    data = safe_load(path, {}, allow_numpy=True)
    if not isinstance(data, dict) or not data:
        raise DataFileError(f"{path}: holds {type(data).__name__}; expected a non-empty dict keyed by architecture")
    return data


def _number(value: Any, where: str) -> float:
    """A scalar, or the mean of a list of scalars; NaN for ``None``."""
    if value is None:
        return np.nan
    if isinstance(value, (list, tuple, np.ndarray)):
        arr = np.asarray(value, dtype=np.float64)
        return float(arr.mean()) if arr.size else np.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        raise DataFileError(f"{where}: {value!r} is not a number") from None


def _series(value: Any, where: str) -> np.ndarray:
    """A per-epoch list (or a dict of per-epoch values, in insertion order) as a float array."""
    if isinstance(value, Mapping):
        value = list(value.values())
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataFileError(f"{where}: expected a list of per-epoch numbers") from None
    if arr.ndim != 1 or arr.size == 0:
        raise DataFileError(f"{where}: expected a non-empty list of per-epoch numbers, got shape {arr.shape}")
    return arr


def _pad(rows: Sequence[np.ndarray]) -> np.ndarray:
    """Rows of possibly different lengths as one array, NaN-padded at the end."""
    width = max(len(r) for r in rows)
    out = np.full((len(rows), width), np.nan)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


def _epoch_seconds(total: np.ndarray, epochs: np.ndarray, notes: list[str], what: str) -> np.ndarray | None:
    """``total / epochs`` where the total is recorded (finite and positive), else NaN; ``None`` if never."""
    known = np.isfinite(total) & (total > 0)
    if not known.any():
        notes.append(f"no training time recorded ({what} absent or 0): epoch_seconds is None")
        return None
    if not known.all():
        notes.append(f"{int((~known).sum())} architectures have no {what}: NaN epoch_seconds")
    return np.where(known, total / np.maximum(epochs, 1), np.nan)


# NAS-Bench-201 ----------------------------------------------------------------------------------------------


def _nb201_dataset_from_name(path: Path) -> str | None:
    m = _NB201_NAME.match(path.name)
    if not m:
        return None
    return {"cifar10": "cifar10", "cifar100": "cifar100"}.get(m["ds"], "imagenet16")


def _held_dataset(path: Path, held: Sequence[Any]) -> str:
    """The one NB201 dataset the entries of a pickle hold (for a file whose name does not say)."""
    ours = [ds for ds, keys in NB201_DATASET_KEYS.items() if any(k in held for k in keys)]
    if len(ours) != 1:
        raise DataFileError(
            f"{path}: holds results for {list(held)}; pass --dataset (dataset=) with one of {list(NB201_DATASET_KEYS)}"
        )
    return ours[0]


def _build_nb201(path: Path, dataset: str | None) -> Benchmark:
    data = read_pickle(path)
    first = next(iter(data.values()))
    if not isinstance(first, Mapping):
        raise DataFileError(f"{path}: entries are {type(first).__name__}; expected {{dataset_key: results}}")
    held = list(first)
    dataset = dataset or _held_dataset(path, held)
    key = next((k for k in NB201_DATASET_KEYS[dataset] if k in held), None)
    if key is None:
        raise UnknownNameError(
            f"{path}: no results for {dataset} (keys {list(NB201_DATASET_KEYS[dataset])}); the file holds {held}"
        )
    space = get_space("nb201")
    curves_rows: dict[str, list[np.ndarray]] = {m: [] for m in NB201_CURVES}
    cost: dict[str, list[float]] = {c: [] for c in ("flops", "params", "latency", "train_time")}
    keys = []
    for arch_str, entry in data.items():
        where = f"{path}: {arch_str}"
        if not isinstance(entry, Mapping) or key not in entry or not isinstance(entry[key], Mapping):
            raise DataFileError(f"{where}: no results for {key!r}")
        rec = entry[key]
        for metric, field in NB201_CURVES.items():
            if field not in rec:
                raise DataFileError(f"{where}/{key}: {field!r} is missing; expected {sorted(NB201_CURVES.values())}")
            curves_rows[metric].append(_series(rec[field], f"{where}/{key}/{field}"))
        info = rec.get("cost_info", {})
        if not isinstance(info, Mapping):
            raise DataFileError(f"{where}/{key}: cost_info is {type(info).__name__}; expected a dict")
        for c, values in cost.items():
            values.append(_number(info.get(c), f"{where}/{key}/cost_info/{c}"))
        keys.append(str(arch_str))
    arch = format_keys(space, pd.Series(keys), str(path))
    curves = {m: _pad(rows) for m, rows in curves_rows.items()}
    lengths = np.array([len(r) for r in curves_rows["val_accuracy"]])
    val = curves["val_accuracy"]
    table = pd.DataFrame({"arch": arch, "val_accuracy": val[np.arange(len(val)), lengths - 1]})
    for c, values in cost.items():
        table[c] = np.asarray(values, dtype=np.float64)
    notes = [
        f"results under {key!r}; val_accuracy is eval_acc1es at each architecture's last epoch (%)",
        "curves train_loss, val_loss, train_accuracy, val_accuracy: one value per epoch",
    ]
    if len(set(lengths.tolist())) > 1:
        notes.append(f"curve lengths differ ({lengths.min()}..{lengths.max()} epochs): shorter ones are NaN-padded")
    unknown = np.flatnonzero(np.isnan(table["val_accuracy"].to_numpy()))
    if unknown.size:
        notes.append(f"{unknown.size} architecture(s) have NaN eval_acc1es at their last epoch (first: "
                     f"{keys[unknown[0]]}): no target, so no split draws them")
    epoch_seconds = _epoch_seconds(table["train_time"].to_numpy(), lengths, notes, "cost_info train_time")
    source = f"{path.name} (NASLib NAS-Bench-201 full-training pickle)"
    curves = {m: Curves.every_epoch(v) for m, v in curves.items()}
    return accuracy_benchmark(
        f"nb201-naslib-{dataset}", space, dataset, table, source, notes, curves=curves, epoch_seconds=epoch_seconds
    )


# NAS-Bench-101 ----------------------------------------------------------------------------------------------


def nb101_arch(matrix: Any, ops: Sequence[str], where: str) -> NB101Arch:
    """The NAS-Bench-101 cell of a stored adjacency matrix and op list."""
    try:
        return NB101Arch(np.asarray(matrix).tolist(), [str(o) for o in ops])
    except InvalidArchitectureError as err:
        raise DataFileError(f"{where}: not a NAS-Bench-101 cell: {err}") from err


def _runs(computed: Any, where: str) -> list[Mapping[str, Any]]:
    if not isinstance(computed, Mapping):
        raise DataFileError(f"{where}: computed stats are {type(computed).__name__}; expected {{epochs: [runs]}}")
    runs = computed.get(NB101_EPOCHS, computed.get(str(NB101_EPOCHS)))
    if not isinstance(runs, (list, tuple)) or not runs or not all(isinstance(r, Mapping) for r in runs):
        raise DataFileError(f"{where}: no list of {NB101_EPOCHS}-epoch runs; epochs held: {list(computed)}")
    return list(runs)


def _build_nb101(path: Path) -> Benchmark:
    data = read_pickle(path)
    space = get_space("nb101")
    keys, hashes, params = [], [], []
    stats: dict[str, list[float]] = {}
    fields = [f"{stage}_{m}" for stage in ("halfway", "final") for m in
              ("training_time", "train_accuracy", "validation_accuracy", "test_accuracy")]  # fmt: skip
    for module_hash, value in data.items():
        where = f"{path}: {module_hash}"
        if not isinstance(value, (tuple, list)) or len(value) != 2 or not isinstance(value[0], Mapping):
            raise DataFileError(f"{where}: expected (fixed_stats, computed_stats)")
        fixed, computed = value
        for f in ("module_adjacency", "module_operations"):
            if f not in fixed:
                raise DataFileError(f"{where}: fixed stats lack {f!r}")
        keys.append(space.format(nb101_arch(fixed["module_adjacency"], fixed["module_operations"], where)))
        hashes.append(str(module_hash))
        params.append(_number(fixed.get("trainable_parameters"), f"{where}/trainable_parameters"))
        runs = _runs(computed, where)
        for f in fields:
            values = [_number(r.get(f), f"{where}/{f}") for r in runs]
            stats.setdefault(f, []).append(float(np.mean(values)) if values else np.nan)
    arch = keys
    s = {f: np.asarray(v, dtype=np.float64) for f, v in stats.items()}
    pct = {f: v * 100.0 for f, v in s.items() if "accuracy" in f}
    table = pd.DataFrame(
        {
            "arch": arch,
            "val_accuracy": pct["final_validation_accuracy"],
            "test_accuracy": pct["final_test_accuracy"],
            "train_accuracy": pct["final_train_accuracy"],
            "params": np.asarray(params, dtype=np.float64),
            "training_time": s["final_training_time"],
            "module_hash": hashes,
        }
    )
    epochs = np.array([NB101_HALFWAY, NB101_EPOCHS])
    curves = {
        m: Curves(epochs, np.column_stack([pct[f"halfway_{f}"], pct[f"final_{f}"]]))
        for m, f in (("val_accuracy", "validation_accuracy"), ("test_accuracy", "test_accuracy"),
                     ("train_accuracy", "train_accuracy"))
    }  # fmt: skip
    notes = [
        f"accuracies converted from fractions to %, averaged over the repeats of the {NB101_EPOCHS}-epoch runs",
        f"curves have two points: epoch {NB101_HALFWAY} (halfway_*) and epoch {NB101_EPOCHS} (final_*)",
    ]
    epoch_seconds = _epoch_seconds(
        s["final_training_time"], np.full(len(table), NB101_EPOCHS), notes, "final_training_time"
    )
    source = f"{path.name} (NASLib NAS-Bench-101 108-epoch pickle)"
    return accuracy_benchmark(
        "nb101-naslib-cifar10", space, "cifar10", table, source, notes, curves=curves, epoch_seconds=epoch_seconds
    )


# NAS-Bench-301 ----------------------------------------------------------------------------------------------


def _runtime(value: Any, where: str) -> float:
    if isinstance(value, (list, tuple, np.ndarray)):
        arr = np.asarray(value, dtype=np.float64)
        return float(arr[-1]) if arr.size else np.nan
    return _number(value, where)


def _build_nb301(path: Path) -> Benchmark:
    data = read_pickle(path)
    space = get_space("darts")
    rows: dict[str, list[np.ndarray]] = {m: [] for m in NB301_CURVES}
    keys, runtime = [], []
    for compact, rec in data.items():
        where = f"{path}: {compact!r}"
        if not isinstance(rec, Mapping):
            raise DataFileError(f"{where}: expected a dict of results, got {type(rec).__name__}")
        for metric, field in NB301_CURVES.items():
            if field not in rec:
                raise DataFileError(f"{where}: {field!r} is missing; expected {sorted(NB301_CURVES.values())}")
            rows[metric].append(_series(rec[field], f"{where}/{field}"))
        runtime.append(_runtime(rec.get("runtime"), f"{where}/runtime"))
        keys.append(str(compact))
    arch = format_keys(space, pd.Series(keys), str(path))
    curves = {m: _pad(r) for m, r in rows.items()}
    lengths = np.array([len(r) for r in rows["val_accuracy"]])
    val = curves["val_accuracy"]
    table = pd.DataFrame(
        {
            "arch": arch,
            "val_accuracy": val[np.arange(len(val)), lengths - 1],
            "runtime": np.asarray(runtime, dtype=np.float64),
        }
    )
    notes = [
        "val_accuracy is val_accuracies at each architecture's last epoch (%)",
        "curves train_loss and val_accuracy: one value per epoch",
    ]
    if len(set(lengths.tolist())) > 1:
        notes.append(f"curve lengths differ ({lengths.min()}..{lengths.max()} epochs): shorter ones are NaN-padded")
    epoch_seconds = _epoch_seconds(table["runtime"].to_numpy(), lengths, notes, "runtime")
    source = f"{path.name} (NASLib NAS-Bench-301 training-data pickle)"
    curves = {m: Curves.every_epoch(v) for m, v in curves.items()}
    return accuracy_benchmark(
        "nb301-naslib-cifar10", space, "cifar10", table, source, notes, curves=curves, epoch_seconds=epoch_seconds
    )


# entry points -----------------------------------------------------------------------------------------------


def detect(path: Path) -> bool:
    """Whether ``path`` is a pickle file that NASLib's name or its content marks as one of these schemas."""
    path = Path(path)
    if not path.is_file() or kind_of(path) is None:
        return False
    return _head(path)[:1] == b"\x80"


def load_path(
    path: str | Path, cache: bool = True, *, dataset: str | None = None, kind: str | None = None
) -> Benchmark:
    """A benchmark from a NASLib pickle. ``kind`` (``nb201``, ``nb101``, ``nb301``) defaults to the one the
    file name or the content says; for NB201, ``dataset`` defaults to the one in the file name, else the one
    its entries hold."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path}: no such file")
    kind = kind or kind_of(path)
    if kind not in KINDS:
        raise DataFileError(
            f"{path}: neither its name (nb201_<dataset>_full_training.pickle, nasbench_only108.pkl, "
            "nb301_full_training.pickle) nor its first record's fields mark a NASLib pickle; pass kind= "
            f"(one of {list(KINDS)})"
        )
    if kind == "nb201":
        ds = dataset or _nb201_dataset_from_name(path)
        ours = check_nb201_dataset(ds) if ds is not None else None
        return cached_benchmark(
            f"nb201-naslib-{ours or 'held'}:{path.name}", [path], lambda: _build_nb201(path, ours), enabled=cache
        )
    build = _build_nb101 if kind == "nb101" else _build_nb301
    return cached_benchmark(f"{kind}-naslib:{path.name}", [path], lambda: build(path), enabled=cache)


def load_naslib_pickle(
    name: str, dataset: str = "cifar10", data_home: str | Path | None = None, cache: bool = True
) -> Benchmark:
    """A NASLib pickle from the data home: ``name`` is ``"nb201"`` (with ``dataset``), ``"nb101"`` or ``"nb301"``."""
    if name == "nb201":
        ours = check_nb201_dataset(dataset)
        artifact = {"cifar10": "nb201_cifar10_full_training", "cifar100": "nb201_cifar100_full_training",
                    "imagenet16": "nb201_ImageNet16_full_training"}[ours]  # fmt: skip
        return load_path(artifact_path(artifact, data_home), cache, dataset=ours, kind="nb201")
    artifacts = {"nb101": "nasbench_only108", "nb301": "nb301_full_training"}
    if name not in artifacts:
        raise UnknownNameError(f"unknown NASLib pickle {name!r}; expected one of {list(KINDS)}")
    return load_path(artifact_path(artifacts[name], data_home), cache, kind=name)
