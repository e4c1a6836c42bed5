"""Zen-score (Lin et al., ICCV 2021, "Zen-NAS: A Zero-Shot NAS for High-Performance Image Recognition"), as
NAS-Bench-Suite-Zero computes it (Krishnakumar et al., NeurIPS 2022; NASLib ``measures/zen.py``).

Every convolution and linear weight is drawn from ``N(0, 1)`` (biases 0, BatchNorm scale 1 and shift 0); with
``x`` and ``e`` two batches of standard Gaussian inputs and ``f`` the feature map that enters the global
average pooling, in training mode::

    zen = log(mean_n sum_{c,h,w} |f(x) - f(x + gamma * e)|) + sum_BN log(sqrt(mean_c running_var)),

``gamma = 0.01``. The second term puts back the scale that BatchNorm takes out (the paper's ``sigma``). Where
the paper reads each BatchNorm's mini-batch variance, NASLib reads ``running_var`` after the two forward
passes (PyTorch's running average from 1 with the layer's momentum), and so does this module: with NASLib's
reading, naspred's NAS-Bench-201 networks rank cells as NAS-Bench-Suite-Zero's recorded values do
(``perf/zerocost.md``). Running statistics are reset first, so the value does not depend on earlier forward
passes. BatchNorm layers without running statistics add nothing. One repeat, as in NASLib; ``repeat > 1``
averages that many draws of weights and inputs.

Data-free: the weights and inputs are drawn from ``seed`` (a generator of its own; torch's global state is
untouched), so the value depends on the architecture, ``input_shape``, ``batch_size`` and ``seed`` only.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence

import torch
from torch import nn

from naspred.featurizers.zerocost.result import ProxyError, finite
from naspred.params import Constraint, Int, Real, check

#: NASLib's perturbation size ``gamma`` (``mixup_gamma``)
MIXUP_GAMMA = 1e-2
#: the global-average-pooling modules whose input is the feature map
_POOLS = (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d)
_NORMS = (nn.modules.batchnorm._BatchNorm, nn.GroupNorm)


class _Shape(Constraint):
    """The shape of one input: a non-empty sequence of positive integers."""

    def accepts(self, value: object) -> bool:
        return isinstance(value, Sequence) and len(value) > 0 and all(Int(1).accepts(v) for v in value)

    def __str__(self) -> str:
        return "the shape of one input, a non-empty tuple of positive integers such as (3, 32, 32)"


def gaussian_init(net: nn.Module, generator: torch.Generator) -> nn.Module:
    """``net`` (in place) with convolution and linear weights from ``N(0, 1)``, biases 0, normalisation
    scales 1 and shifts 0, and BatchNorm running statistics reset (Zen-NAS ``network_weight_gaussian_init``)."""
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear)):
                m.weight.copy_(torch.randn(m.weight.shape, generator=generator))
                if m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, _NORMS):
                if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.track_running_stats:
                    m.reset_running_stats()
                if m.weight is not None:
                    m.weight.fill_(1.0)
                    m.bias.zero_()
    return net


def pooled_features(net: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """The input of the last global average pooling module of ``net`` when it runs on ``inputs``."""
    pools = [m for m in net.modules() if isinstance(m, _POOLS)]
    if not pools:
        raise ProxyError(
            "zen reads the feature map that enters global average pooling (an nn.AdaptiveAvgPool module); "
            f"{type(net).__name__} has none"
        )
    seen: list[torch.Tensor] = []
    handle = pools[-1].register_forward_hook(lambda _m, args, _out: seen.append(args[0]))
    try:
        net(inputs)
    finally:
        handle.remove()
    return seen[-1]


def bn_log_scale(net: nn.Module) -> float:
    """``sum log(sqrt(mean_c running_var))`` over the BatchNorm layers of ``net`` that keep running statistics."""
    return sum(
        0.5 * math.log(float(m.running_var.mean()))
        for m in net.modules()
        if isinstance(m, nn.BatchNorm2d) and m.running_var is not None
    )


def _one_score(work: nn.Module, shape: tuple[int, ...], generator: torch.Generator, gamma: float) -> float:
    device = next((p.device for p in work.parameters()), torch.device("cpu"))
    gaussian_init(work, generator)
    x = torch.randn(shape, generator=generator).to(device)
    e = torch.randn(shape, generator=generator).to(device)
    with torch.no_grad():
        diff = pooled_features(work, x) - pooled_features(work, x + gamma * e)
    expected = float(diff.abs().reshape(shape[0], -1).sum(1).mean())
    if expected <= 0.0:
        raise ProxyError("zen: the features do not change with the input (no signal reaches the pooling), so "
                         "the log is undefined")
    return math.log(expected) + bn_log_scale(work)


def zen(
    net: nn.Module,
    input_shape: Sequence[int] = (3, 32, 32),
    *,
    device: str | torch.device = "cpu",
    inplace: bool = False,
    seed: int = 0,
    batch_size: int = 64,
    repeat: int = 1,
    mixup_gamma: float = MIXUP_GAMMA,
) -> float:
    """The Zen-score of ``net`` on Gaussian inputs of ``input_shape`` (one input, e.g. ``(3, 32, 32)``).

    The weights are redrawn, so ``net`` is left unchanged unless ``inplace`` (then its weights are the
    Gaussian ones afterwards). Raises :class:`ProxyError` when the features do not depend on the input.
    """
    shape = tuple(int(s) for s in check("zen", "input_shape", input_shape, _Shape()))
    check("zen", "seed", seed, Int(0))
    check("zen", "batch_size", batch_size, Int(1))
    check("zen", "repeat", repeat, Int(1))
    check("zen", "mixup_gamma", mixup_gamma, Real(0.0, closed="neither"))
    work = (net if inplace else copy.deepcopy(net)).to(device).train()
    generator = torch.Generator().manual_seed(seed)
    scores = [_one_score(work, (batch_size, *shape), generator, mixup_gamma) for _ in range(repeat)]
    return finite("zen", sum(scores) / len(scores))
