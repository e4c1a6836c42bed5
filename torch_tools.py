"""PyTorch helpers shared by the neural predictors and the live trainers: seeded blocks, batch-norm statistics.

Imported only by modules that already use PyTorch; ``import naspred`` does not load it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn


@contextmanager
def seeded_torch(seed: int, device: torch.device) -> Iterator[None]:
    """Seed PyTorch's generators for the block; the global random state is restored on exit."""
    devices = []
    if device.type == "cuda":
        devices = [device.index if device.index is not None else torch.cuda.current_device()]
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def reestimate_batch_norm(net: nn.Module, inputs: tuple[torch.Tensor, ...]) -> None:
    """Replace the running statistics of every batch normalisation of ``net`` by those of ``inputs`` (one pass).

    The running averages kept during training lag behind the weights; after a short training they can leave
    every unit of a layer inactive at evaluation time. Leaves ``net`` in evaluation mode.
    """
    norms = [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # a cumulative average: one pass gives the statistics of the full batch
    net.train()
    net(*inputs)
    net.eval()
    for m, momentum in zip(norms, momenta, strict=True):
        m.momentum = momentum
