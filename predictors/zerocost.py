"""Zero-cost predictors: one proxy per architecture is the predicted score, no labelled architecture needed.

Zero-cost proxies (Abdelfattah et al., ICLR 2021, "Zero-Cost Proxies for Lightweight NAS"; Mellor et al.,
ICML 2021) score an untrained network; White et al. (NeurIPS 2021) evaluate them as performance predictors
whose query cost is the proxy's computation. Two sources:

* ``source="table"``: the precomputed value a benchmark ships (NAS-Bench-Suite-Zero's ``proxy:<name>``
  columns). At query the oracle serves it and charges its recorded computation time; a caller of
  ``predict`` passes it as ``ArchInfo(proxies=ZeroCostTable(benchmark).values(archs, [proxy]))``
  (:class:`~naspred.featurizers.zerocost.table.ZeroCostTable`). Any proxy the benchmark ships can be read.
* ``source="live"``: the network of each architecture is built (weights drawn from ``seed``) and the proxy
  computed on it (:mod:`naspred.featurizers.zerocost`); the query cost is the wall time. Data-dependent
  proxies need ``data``: a batch of the dataset's images (a tensor, ``(inputs, targets)`` or a .pt/.npz path).

Sign convention: the prediction is the proxy where the target is maximised (an accuracy) and its negation
where it is minimised (a loss), so that a better predicted architecture always ranks as the target ranks.
The values are scores, not on the target's scale: compare them by rank (Kendall tau, Spearman).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from naspred.errors import InvalidInputError
from naspred.predictors.base import Predictor
from naspred.predictors.info import ArchInfo
from naspred.predictors.requirements import Requirements

SOURCES = ("table", "live")


class ZeroCost(Predictor):
    """The zero-cost proxy ``proxy`` as the predicted score, precomputed (``"table"``) or computed live."""

    family = "zero-cost"

    def __init__(
        self,
        proxy: str = "synflow",
        source: str = "table",
        data: Any = None,
        dataset: str = "cifar10",
        seed: int = 0,
        device: str = "cpu",
    ) -> None:
        self.proxy = proxy
        self.source = source
        self.data = data
        self.dataset = dataset
        self.seed = seed
        self.device = device

    def _check(self) -> None:
        if self.source not in SOURCES:
            raise InvalidInputError(f"{self._name}: source must be one of {SOURCES}, got {self.source!r}")
        if not isinstance(self.proxy, str) or not self.proxy:
            raise InvalidInputError(f"{self._name}: proxy must be a proxy name, got {self.proxy!r}")
        if self.source == "live":
            from naspred.featurizers.zerocost import proxies

            proxies.spec(self.proxy)

    @property
    def requirements(self) -> Requirements:
        self._check()
        if self.source == "table":
            return Requirements(proxies=(self.proxy,))
        return Requirements(encoding=True)

    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        self._check()

    def _predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        self._check()
        values = info.proxies[self.proxy] if self.source == "table" else self._live(archs, info)
        return values if info.higher_is_better else -values

    def _live(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        from naspred.featurizers.zerocost import proxies
        from naspred.featurizers.zerocost.compute import ProxyComputer
        from naspred.featurizers.zerocost.result import ProxyError

        spec = proxies.spec(self.proxy)
        if spec.needs_inputs and self.data is None:
            raise InvalidInputError(
                f"{self._name}: proxy {self.proxy!r} needs a data batch of {self.dataset!r} "
                f"({'inputs and class targets' if spec.needs_targets else 'inputs'}); pass data=..., or use "
                "source='table' where the benchmark ships the proxy"
            )
        computer = ProxyComputer([self.proxy], dataset=self.dataset, data=self.data, seed=self.seed, device=self.device)
        out = np.empty(len(archs), dtype=np.float64)
        for i, arch in enumerate(archs):
            result = computer.compute(arch)[self.proxy]
            if result.missing:
                what = info.space.format(arch) if info.space is not None else repr(arch)
                raise ProxyError(f"{self._name}: {self.proxy} of {what} is missing: {result.reason}")
            out[i] = result.value
        return out


class _OneProxy(ZeroCost):
    """A :class:`ZeroCost` predictor bound to one proxy (the registry's per-proxy names)."""

    PROXY = ""

    def __init__(
        self, source: str = "table", data: Any = None, dataset: str = "cifar10", seed: int = 0, device: str = "cpu"
    ) -> None:
        super().__init__(self.PROXY, source, data, dataset, seed, device)


class Synflow(_OneProxy):
    """Synflow (Tanaka et al., NeurIPS 2020), log-scaled as NAS-Bench-Suite-Zero reports it."""

    PROXY = "synflow"


class Jacov(_OneProxy):
    """Jacobian covariance (Mellor et al., ICML 2021, v1)."""

    PROXY = "jacov"


class NWOT(_OneProxy):
    """NASWOT: log-determinant of the ReLU-code kernel (Mellor et al., ICML 2021, v2)."""

    PROXY = "nwot"


class Snip(_OneProxy):
    """SNIP saliency (Lee et al., ICLR 2019) as a zero-cost proxy."""

    PROXY = "snip"


class Grasp(_OneProxy):
    """GraSP (Wang et al., ICLR 2020) as a zero-cost proxy."""

    PROXY = "grasp"


class Fisher(_OneProxy):
    """Channel Fisher information (Turner et al., ICLR 2020) as a zero-cost proxy."""

    PROXY = "fisher"


class GradNorm(_OneProxy):
    """Sum of the layers' gradient norms (Abdelfattah et al., ICLR 2021)."""

    PROXY = "grad_norm"


class Params(_OneProxy):
    """Number of parameters (millions) as a zero-cost baseline."""

    PROXY = "params"


class Flops(_OneProxy):
    """FLOPs of one input (millions) as a zero-cost baseline."""

    PROXY = "flops"
