"""Proxies for many architectures: build each network from a seed, compute each proxy on it, time both.

A network that fails to build, a proxy that raises or yields NaN / infinity, and a data-dependent proxy
without data are recorded as missing with the reason (:class:`ProxyResult`), never as a number.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pandas as pd
import torch

from naspred.errors import InvalidArchitectureError, InvalidInputError, NaspredError
from naspred.featurizers.zerocost import proxies as registry
from naspred.featurizers.zerocost.data import DataBatch, as_batch
from naspred.featurizers.zerocost.networks import build_network, dataset_shape
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


def _no_data_reason(name: str, dataset: str) -> str:
    need = "inputs and class targets" if registry.spec(name).needs_targets else "inputs"
    return (
        f"{name} needs a data batch ({need}) of dataset {dataset!r} and none was given; "
        "pass one (e.g. --data PATH to a .pt/.npz batch)"
    )


class ProxyComputer:
    """Computes proxies of architectures on networks built from them.

    ``dataset`` fixes the input shape and number of classes (``input_shape`` / ``num_classes`` override
    it); ``data`` is a batch (tensor, ``(inputs, targets)``, DataLoader or .pt/.npz path) for the
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
            input_shape = input_shape or known.input_shape
            num_classes = num_classes or known.num_classes
        if self.batch is not None and self.batch.input_shape[0] != input_shape[0]:
            raise InvalidInputError(
                f"the data batch has {self.batch.input_shape[0]} channels; dataset {dataset!r} has {input_shape[0]}"
            )
        self.input_shape = tuple(int(s) for s in input_shape)
        self.num_classes = int(num_classes)
        self.network_config = dict(network_config or {})

    def compute(self, arch: Any) -> dict[str, ProxyResult]:
        """Every proxy of one architecture; a build failure makes all of them missing."""
        return self._run(arch)[0]

    def _build(self, arch: Any) -> torch.nn.Module:
        return build_network(
            arch, num_classes=self.num_classes, in_channels=self.input_shape[0], seed=self.seed, **self.network_config
        )

    def _run(self, arch: Any) -> tuple[dict[str, ProxyResult], float]:
        """The results and the seconds spent building networks (NaN if the network failed to build).

        Proxies that only read the network (params, flops) share one network; each proxy that changes its
        network (absolute weights, hooks, gradients) gets its own, built again from the same seed (so with
        the same weights), which is cheaper than copying one.
        """
        start = time.perf_counter()
        try:
            net = self._build(arch)
        except (InvalidArchitectureError, RuntimeError, ValueError) as err:
            reason = f"the network failed to build: {err}"
            return {name: ProxyResult.failed(name, reason) for name in self.names}, float("nan")
        built = time.perf_counter() - start
        order = sorted(self.names, key=lambda n: registry.spec(n).modifies)
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
        return {name: results[name] for name in self.names}, built

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
        """One row per architecture: ``arch`` (``key(arch)``, default ``str``), then per proxy ``<name>``
        (NaN when missing), ``seconds:<name>`` and ``missing:<name>`` (the reason, empty when computed), and
        ``seconds:build``."""
        rows = []
        for i, arch in enumerate(archs):
            results, built = self._run(arch)
            row: dict[str, Any] = {"arch": key(arch) if key else str(arch)}
            for name, res in results.items():
                row[name] = float("nan") if res.missing else res.value
            for name, res in results.items():
                row[f"seconds:{name}"] = res.seconds
            for name, res in results.items():
                row[f"missing:{name}"] = res.reason or ""
            row["seconds:build"] = built
            for res in results.values():
                if res.missing:
                    logger.debug("%s missing for %s: %s", res.name, row["arch"], res.reason)
            rows.append(row)
            if progress is not None:
                progress(i + 1)
        columns = ["arch", *self.names, *(f"seconds:{n}" for n in self.names), *(f"missing:{n}" for n in self.names),
                   "seconds:build"]
        return pd.DataFrame(rows, columns=columns)


def compute_proxies(archs: Sequence[Any], proxies: str | Sequence[str] = ("synflow",), *,
                    space: SearchSpace | None = None, **options: Any) -> pd.DataFrame:
    """The proxy table of ``archs`` (see :meth:`ProxyComputer.table`), keyed by :func:`arch_key` when
    ``space`` is given; ``options`` go to :class:`ProxyComputer`."""
    computer = ProxyComputer(proxies, **options)
    key = (lambda a: arch_key(space, a)) if space is not None else None
    return computer.table(archs, key=key)


def benchmark_proxies(
    benchmark: Any,
    proxies: str | Sequence[str] = ("synflow",),
    *,
    n_archs: int | None = None,
    seed: int = 0,
    data: Any = None,
    device: str | torch.device = "cpu",
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Proxies computed live for a benchmark's architectures (all, or ``n_archs`` drawn without replacement
    with ``seed``, in benchmark order), keyed by :func:`arch_key`, on the benchmark's dataset."""
    import numpy as np

    archs = benchmark.archs
    if n_archs is not None:
        if isinstance(n_archs, bool) or not isinstance(n_archs, int) or n_archs < 1:
            raise InvalidInputError(f"the number of architectures must be a positive integer, got {n_archs!r}")
        if n_archs < len(archs):
            rows = np.sort(np.random.default_rng(seed).choice(len(archs), size=n_archs, replace=False))
            archs = [archs[int(i)] for i in rows]
    computer = ProxyComputer(proxies, dataset=benchmark.dataset, data=data, seed=seed, device=device)
    space = benchmark.space
    return computer.table(archs, key=lambda a: arch_key(space, a), progress=progress)


def missing_summary(table: pd.DataFrame) -> list[str]:
    """One line per proxy column of a proxy table: how many values were computed, how many are missing and
    the most common reason."""
    lines = []
    for column in table.columns:
        if not column.startswith("missing:"):
            continue
        name = column.split(":", 1)[1]
        reasons = table[column][table[column] != ""]
        line = f"{name}: {len(table) - len(reasons)} computed, {len(reasons)} missing"
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
