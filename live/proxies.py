"""Zero-cost proxies of the 1-D NAS-Bench-201 network on real MNIST-1D batches.

Each proxy is computed by naspred's own proxy functions (:func:`naspred.featurizers.zerocost.proxies.evaluate`):
``synflow`` (log of synflow; Tanaka et al., NeurIPS 2020), ``jacov`` and ``nwot`` (Mellor et al., ICML 2021)
and ``snip`` (Lee et al., ICLR 2019), on a fresh network whose weights are drawn from ``seed`` for each proxy,
and on the first ``batch_size`` training signals of MNIST-1D. A proxy that raises (for instance synflow of a
cell whose output is disconnected, which is 0 and has no log) is returned as missing with its reason.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import torch

from naspred.errors import InvalidInputError, NaspredError
from naspred.featurizers.zerocost import proxies as registry
from naspred.featurizers.zerocost.data import DataBatch
from naspred.featurizers.zerocost.result import ProxyResult
from naspred.live.trainer import MNIST1DTrainer, one_thread
from naspred.spaces.nasbench201 import NB201Arch

#: the proxies computed live by default, as named in naspred's benchmarks (``proxy:<name>``)
LIVE_PROXIES: tuple[str, ...] = ("synflow", "jacov", "nwot", "snip")

#: failures of one proxy that are recorded as missing values (torch and numpy report numeric ones this way)
_RECORDED = (NaspredError, RuntimeError, ValueError, ArithmeticError)


class LiveProxies:
    """Proxies of the network ``trainer`` builds, on a batch of ``batch_size`` MNIST-1D training signals."""

    def __init__(
        self, trainer: MNIST1DTrainer, names: Sequence[str] = LIVE_PROXIES, *, batch_size: int = 64
    ) -> None:
        self.trainer = trainer
        self.names = registry.parse_names(list(names))
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 2:
            raise InvalidInputError(f"the proxy batch needs at least 2 signals, got batch_size={batch_size!r}")
        self.batch_size = batch_size

    def batch(self) -> DataBatch:
        """The first ``batch_size`` training signals and their classes."""
        data = self.trainer.data()
        if self.batch_size > len(data.y_train):
            raise InvalidInputError(
                f"the proxy batch of {self.batch_size} is larger than the {len(data.y_train)} training signals"
            )
        return DataBatch(data.x_train[: self.batch_size], data.y_train[: self.batch_size])

    def compute(self, arch: NB201Arch | str) -> dict[str, ProxyResult]:
        """Every proxy of ``arch``, each value with the seconds it took (building the network included)."""
        batch = self.batch()
        out: dict[str, ProxyResult] = {}
        with one_thread():
            for name in self.names:
                start = time.perf_counter()
                try:
                    net = self.trainer.build(arch)
                    value = registry.evaluate(name, net, batch, input_shape=batch.input_shape,
                                              seed=self.trainer.seed, device=torch.device("cpu"), inplace=True)
                except _RECORDED as err:
                    out[name] = ProxyResult.failed(name, f"{type(err).__name__}: {err}", time.perf_counter() - start)
                    continue
                out[name] = ProxyResult(name, value, time.perf_counter() - start)
        return out
