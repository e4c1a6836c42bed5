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
from naspred.params import Instance, Int, Options, optional, param
from naspred.predictors.base import Predictor
from naspred.predictors.info import ArchInfo
from naspred.predictors.requirements import Requirements

SOURCES = ("table", "live")


class ZeroCost(Predictor):
    """The zero-cost proxy ``proxy`` as the predicted score, precomputed (``"table"``) or computed live.

    Registered as ``zero_cost`` (any proxy) and, with ``proxy`` fixed, once per proxy of White et al.
    (NeurIPS 2021): ``synflow``, ``jacov``, ``nwot``, ``snip``, ``grasp``, ``fisher``, ``grad_norm``,
    ``params`` and ``flops``.

    Parameters
    ----------
    proxy : str
        The proxy's name (a benchmark's ``proxy:<name>`` column; for ``source="live"`` a proxy of
        :mod:`naspred.featurizers.zerocost.proxies`).
    source : {"table", "live"}
        Read the precomputed value, or build each network and compute the proxy.
    data : tensor, (inputs, targets) or path, optional
        A batch of the dataset's images, for the data-dependent proxies computed live.
    dataset : str
        The dataset whose input shape and classes the live networks take.
    seed : int
        Seed of the live networks' weights.
    device : str
        Where the live networks run (``"cpu"``, ``"cuda"``).
    """

    family = "zero-cost"

    proxy: str = param("synflow", Instance(str, what="a proxy name"))
    source: str = param("table", Options(SOURCES))
    data: Any = param(None, optional(Instance(object, what="a tensor, an (inputs, targets) pair or a path")))
    dataset: str = param("cifar10", Instance(str, what="a dataset name"))
    seed: int = param(0, Int(0, 2**32 - 1))
    device: str = param("cpu", Instance(str, what="a device name such as 'cpu' or 'cuda'"))

    def validate_params(self) -> None:
        """The declared constraints, then: ``proxy`` is a name, and one naspred computes for ``source="live"``."""
        super().validate_params()
        if not self.proxy:
            raise InvalidInputError(f"{self._name}: proxy must be a proxy name, got {self.proxy!r}")
        if self.source == "live":
            from naspred.featurizers.zerocost import proxies

            proxies.spec(self.proxy)

    @property
    def requirements(self) -> Requirements:
        self.validate_params()
        if self.source == "table":
            return Requirements(proxies=(self.proxy,))
        return Requirements(encoding=True)

    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        pass  # nothing is learned; fit has checked the parameters

    def _predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        self.validate_params()  # a predictor that learns nothing may predict without being fitted
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

