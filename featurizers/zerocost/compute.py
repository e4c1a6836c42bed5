"""Proxies for many architectures: build each network from a seed, compute each proxy on it, time both.

A network that fails to build, a proxy that raises or yields NaN / infinity, and a data-dependent proxy
without data are recorded as missing with the reason (:class:`ProxyResult`), never as a number.

A proxy table has one row per architecture: ``arch`` (the architecture's key; for a benchmark, exactly as its
source file wrote it, so that a join on ``arch`` recovers the file's rows), ``naspred_arch`` (naspred's
notation, where the key is not it), then per proxy ``<name>`` (NaN when missing), ``seconds:<name>`` and
``missing:<name>`` (the reason, empty when computed), and ``seconds:build``.
"""

from __future__ import annotations

import hashlib
import json
import inspect
import logging
import operator
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch

from naspred.errors import InvalidArchitectureError, InvalidInputError, NaspredError
from naspred.featurizers.zerocost import proxies as registry
from naspred.featurizers.zerocost.data import DataBatch, as_batch, dataset_shape
from naspred.featurizers.zerocost.networks import build_network, network_class
from naspred.featurizers.zerocost.result import ProxyResult
from naspred.spaces.base import SearchSpace

logger = logging.getLogger(__name__)

#: errors that make one proxy of one architecture missing (torch reports shape and numeric failures
#: as RuntimeError, numpy's linear algebra as LinAlgError, a ValueError)
_RECORDED = (NaspredError, RuntimeError, ValueError, ArithmeticError)


def arch_key(space: SearchSpace, arch: Any) -> str:
    """``arch`` in the notation NAS-Bench-Suite-Zero keys it by: the NASLib tuple for NAS-Bench-201 and
    TransNAS-Bench-101 micro, NASLib's 56-integer key for NAS-Bench-101, else the space's own notation."""
    if space.name in ("nb201", "tnb101-micro"):
        return str(tuple(int(i) for i in space.to_tuple(arch)))  # type: ignore[attr-defined]
    if space.name == "nb101":
        from naspred.spaces.nasbench101 import naslib_key

        return naslib_key(arch)
    return space.format(arch)


#: the column of a proxy table holding naspred's notation of each architecture
NASPRED_ARCH = "naspred_arch"
#: the column of a benchmark table holding each architecture as its source file wrote it (where recorded)
SOURCE_ARCH = "source_arch"
#: the column listing (as JSON) the other keys of the source file that name the same architecture
SOURCE_ALIASES = "source_aliases"


def proxy_columns(names: Sequence[str]) -> list[str]:
    """The columns after ``arch`` / ``naspred_arch`` of a table of proxies ``names``."""
    return [*names, *(f"seconds:{n}" for n in names), *(f"missing:{n}" for n in names), "seconds:build"]


def result_row(results: dict[str, ProxyResult], built: float) -> dict[str, Any]:
    """The proxy columns of one architecture's results (see :func:`proxy_columns`)."""
    row: dict[str, Any] = {}
    for name, res in results.items():
        row[name] = float("nan") if res.missing else res.value
    for name, res in results.items():
        row[f"seconds:{name}"] = res.seconds
    for name, res in results.items():
        row[f"missing:{name}"] = res.reason or ""
    row["seconds:build"] = built
    return row


def _shape(value: Sequence[int], what: str) -> tuple[int, ...]:
    try:
        shape = tuple(operator.index(v) for v in value if not isinstance(v, bool))
    except TypeError:
        shape = ()
    if not shape or len(shape) != len(value) or any(v < 1 for v in shape):
        raise InvalidInputError(f"{what} must be positive integers such as (3, 32, 32) (C, H, W), got {value!r}")
    return shape


def _takes_task(arch: Any) -> bool:
    """Whether the network builder of ``arch`` takes a ``task`` (the dataset decides the decoder)."""
    try:
        return "task" in inspect.signature(network_class(arch)).parameters
    except InvalidArchitectureError:
        return False


def _no_data_reason(name: str, dataset: str) -> str:
    need = "inputs and class targets" if registry.spec(name).needs_targets else "inputs"
    return (
        f"{name} needs a data batch ({need}) of dataset {dataset!r} and none was given; "
        "pass one (e.g. --data PATH to a .pt/.npz batch)"
    )


class ProxyComputer:
    """Computes proxies of architectures on networks built from them.

    ``dataset`` fixes the input shape and number of classes (:func:`~.data.dataset_shape`; ``input_shape`` /
    ``num_classes`` override it); ``data`` is a batch (tensor, ``(inputs, targets)``, DataLoader or .pt/.npz path) for the
    data-dependent proxies; ``seed`` draws the weights of every network (the same seed for each, so two
    architectures differ only in their structure) and the batch of a DataLoader; ``network_config``
    passes size options to the builders.
    """

    def __init__(
        self,
        proxies: str | Sequence[str] = ("synflow",),
        *,
        dataset: str = "cifar10",
        data: Any = None,
        seed: int = 0,
        device: str | torch.device = "cpu",
        input_shape: Sequence[int] | None = None,
        num_classes: int | None = None,
        network_config: dict[str, Any] | None = None,
    ) -> None:
        self.names = registry.parse_names(proxies)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise InvalidInputError(f"seed must be an integer, got {seed!r}")
        self.dataset = dataset
        self.seed = seed
        self.device = torch.device(device)
        self.batch: DataBatch | None = None if data is None else as_batch(data, seed)
        if input_shape is None or num_classes is None:
            known = dataset_shape(dataset)
            input_shape = known.input_shape if input_shape is None else input_shape
            num_classes = known.num_classes if num_classes is None else num_classes
        input_shape = _shape(input_shape, "input_shape")
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
            raise InvalidInputError(f"num_classes must be a positive integer, got {num_classes!r}")
        if self.batch is not None and self.batch.input_shape[0] != input_shape[0]:
            raise InvalidInputError(
                f"the data batch has {self.batch.input_shape[0]} channels; dataset {dataset!r} has {input_shape[0]}"
            )
        self.input_shape = input_shape
        self.num_classes = int(num_classes)
        self.network_config = dict(network_config or {})

    def options(self) -> dict[str, Any]:
        """What, besides the architecture, fixes the values: dataset, seed, input shape, number of classes,
        network options and a SHA-256 of the data batch (``None`` without one). Two runs with equal options
        give equal values (up to the device's arithmetic), so their rows may share one file."""
        digest = None
        if self.batch is not None:
            sha = hashlib.sha256()
            for tensor in (self.batch.inputs, self.batch.targets):
                if tensor is not None:
                    array = tensor.detach().cpu().contiguous().numpy()
                    sha.update(f"{array.dtype}{array.shape}".encode())
                    sha.update(array.tobytes())
            digest = sha.hexdigest()
        return {
            "dataset": self.dataset,
            "seed": self.seed,
            "input_shape": list(self.input_shape),
            "num_classes": self.num_classes,
            "network_config": {k: self.network_config[k] for k in sorted(self.network_config)},
            "data_sha256": digest,
        }

    def compute(self, arch: Any, names: Sequence[str] | None = None) -> dict[str, ProxyResult]:
        """Every proxy of one architecture (or those of ``names``); a build failure makes all of them missing."""
        return self.run(arch, names)[0]

    def _build(self, arch: Any) -> torch.nn.Module:
        config = self.network_config
        if "task" not in config and _takes_task(arch):  # a builder of one network per task (TransNAS-Bench-101)
            config = {**config, "task": self.dataset}
        return build_network(arch, num_classes=self.num_classes, in_channels=self.input_shape[0], seed=self.seed, **config)

    def run(self, arch: Any, names: Sequence[str] | None = None) -> tuple[dict[str, ProxyResult], float]:
        """The results of the proxies ``names`` (default: all of this computer's) and the seconds spent
        building networks (NaN if the network failed to build).

        Proxies that only read the network (params, flops) share one network; each proxy that changes its
        network (absolute weights, hooks, gradients) gets its own, built again from the same seed (so with
        the same weights), which is cheaper than copying one.
        """
        names = self.names if names is None else [n for n in self.names if n in set(names)]
        start = time.perf_counter()
        try:
            net = self._build(arch)
        except (InvalidArchitectureError, RuntimeError, ValueError) as err:
            reason = f"the network failed to build: {err}"
            return {name: ProxyResult.failed(name, reason) for name in names}, float("nan")
        built = time.perf_counter() - start
        order = sorted(names, key=lambda n: registry.spec(n).modifies)
        results: dict[str, ProxyResult] = {}
        fresh = True
        for name in order:
            if registry.spec(name).modifies:
                if not fresh:
                    start = time.perf_counter()
                    net = self._build(arch)
                    built += time.perf_counter() - start
                fresh = False
            results[name] = self._one(name, net)
        return {name: results[name] for name in names}, built

    def _one(self, name: str, net: torch.nn.Module) -> ProxyResult:
        spec = registry.spec(name)
        if spec.needs_inputs and self.batch is None:
            return ProxyResult.failed(name, _no_data_reason(name, self.dataset))
        if spec.needs_targets and self.batch is not None and self.batch.targets is None:
            return ProxyResult.failed(name, f"{name} needs class targets; the data batch has inputs only")
        start = time.perf_counter()
        try:
            value = registry.evaluate(
                name, net, self.batch, input_shape=self.input_shape, seed=self.seed, device=self.device, inplace=True
            )
        except _RECORDED as err:
            return ProxyResult.failed(name, f"{type(err).__name__}: {err}", time.perf_counter() - start)
        return ProxyResult(name, value, time.perf_counter() - start)

    def table(
        self,
        archs: Iterable[Any],
        key: Callable[[Any], str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> pd.DataFrame:
        """One row per architecture: ``arch`` (``key(arch)``, default ``str``), then the proxy columns
        (:func:`proxy_columns`)."""
        rows = []
        for i, arch in enumerate(archs):
            results, built = self.run(arch)
            row: dict[str, Any] = {"arch": key(arch) if key else str(arch), **result_row(results, built)}
            for res in results.values():
                if res.missing:
                    logger.debug("%s missing for %s: %s", res.name, row["arch"], res.reason)
            rows.append(row)
            if progress is not None:
                progress(i + 1)
        return pd.DataFrame(rows, columns=["arch", *proxy_columns(self.names)])


def compute_proxies(archs: Sequence[Any], proxies: str | Sequence[str] = ("synflow",), *,
                    space: SearchSpace | None = None, **options: Any) -> pd.DataFrame:
    """The proxy table of ``archs`` (see :meth:`ProxyComputer.table`), keyed by :func:`arch_key` when
    ``space`` is given; ``options`` go to :class:`ProxyComputer`."""
    computer = ProxyComputer(proxies, **options)
    key = (lambda a: arch_key(space, a)) if space is not None else None
    return computer.table(archs, key=key)


def sample_rows(n_rows: int, n_archs: int | None, seed: int) -> np.ndarray:
    """Rows of a benchmark to compute: all, or ``n_archs`` drawn without replacement with ``seed``, in
    benchmark order. Samples of one seed are nested (the first ``k`` of a random permutation), so a larger
    ``n_archs`` extends a smaller one and a re-run with more architectures resumes the rows already written."""
    if n_archs is None:
        return np.arange(n_rows)
    if isinstance(n_archs, bool) or not isinstance(n_archs, (int, np.integer)) or n_archs < 1:
        raise InvalidInputError(f"the number of architectures must be a positive integer, got {n_archs!r}")
    if n_archs >= n_rows:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng(seed).permutation(n_rows)[:n_archs])


def benchmark_items(benchmark: Any, n_archs: int | None = None, seed: int = 0) -> list[tuple[str, str, Any]]:
    """``(key, naspred text, architecture)`` of a benchmark's rows (all, or a sample: :func:`sample_rows`).

    ``benchmark`` is a :class:`~naspred.benchmarks.base.Benchmark` or a table of proxies without targets
    (:class:`~naspred.benchmarks.base.ProxyTable`). The key is the architecture as the source file wrote it
    (the table's ``source_arch`` column, where the loader records it), else the table's ``arch`` text; keys
    must be unique. Other keys of the file that name the same architecture (``source_aliases``) get an item each.
    """
    table = benchmark.table
    rows = sample_rows(len(table), n_archs, seed)
    texts = table["arch"].astype(str).to_numpy()
    keys = table[SOURCE_ARCH].astype(str).to_numpy() if SOURCE_ARCH in table.columns else texts
    archs = getattr(benchmark, "archs", None)
    parse = (lambda i: archs[i]) if archs is not None else (lambda i: benchmark.space.parse(texts[i]))
    aliases = table[SOURCE_ALIASES].to_numpy() if SOURCE_ALIASES in table.columns else None
    items = []
    for i in rows:
        arch = parse(int(i))
        items.append((str(keys[i]), str(texts[i]), arch))
        if aliases is not None and aliases[i]:
            items.extend((str(alias), str(texts[i]), arch) for alias in json.loads(aliases[i]))
    seen: set[str] = set()
    for key, _, _ in items:
        if key in seen:
            raise InvalidInputError(f"benchmark {benchmark.name!r} names architecture {key!r} twice; keys must be unique")
        seen.add(key)
    return items


def benchmark_proxies(
    benchmark: Any,
    proxies: str | Sequence[str] = ("synflow",),
    *,
    n_archs: int | None = None,
    seed: int = 0,
    data: Any = None,
    device: str | torch.device = "cpu",
    progress: Callable[[int], None] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Proxies computed live for a benchmark's architectures (:func:`benchmark_items`), on the benchmark's
    dataset (``options``: ``input_shape``, ``num_classes``, ``network_config``). ``arch`` holds each
    architecture as the benchmark's source file wrote it, ``naspred_arch`` naspred's notation."""
    computer = ProxyComputer(proxies, dataset=benchmark.dataset, data=data, seed=seed, device=device, **options)
    items = benchmark_items(benchmark, n_archs, seed)
    table = computer.table([a for _, _, a in items], progress=progress)
    table["arch"] = [k for k, _, _ in items]
    table.insert(1, NASPRED_ARCH, [t for _, t, _ in items])
    return table


def missing_summary(table: pd.DataFrame) -> list[str]:
    """One line per proxy column of a proxy table: how many values were computed, how many are missing (with
    the most common reason) and, in a file that gained proxies, how many were not computed yet."""
    lines = []
    for column in table.columns:
        if not column.startswith("missing:"):
            continue
        name = column.split(":", 1)[1]
        reasons = table[column].fillna("").astype(str)
        reasons = reasons[reasons != ""]
        computed = int(pd.to_numeric(table[name], errors="coerce").notna().sum())
        line = f"{name}: {computed} computed, {len(reasons)} missing"
        pending = len(table) - computed - len(reasons)
        if pending:
            line += f", {pending} not computed (not asked for)"
        if len(reasons):
            line += f" ({reasons.value_counts().index[0]})"
        lines.append(line)
    return lines


def write_table(table: pd.DataFrame, path: str) -> None:
    """Write a proxy table as CSV (``.csv``) or parquet (``.parquet`` / ``.pq``)."""
    suffix = str(path).lower().rsplit(".", 1)[-1] if "." in str(path) else ""
    if suffix == "csv":
        table.to_csv(path, index=False)
    elif suffix in ("parquet", "pq"):
        table.to_parquet(path, index=False)
    else:
        raise InvalidInputError(f"output file {path!r}: expected a .csv, .parquet or .pq name")
