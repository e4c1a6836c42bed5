"""Synflow (Tanaka et al., NeurIPS 2020, "Pruning neural networks without any data by iteratively conserving
synaptic flow"), as a zero-cost proxy in Abdelfattah et al. (ICLR 2021, "Zero-Cost Proxies for Lightweight
NAS") and NAS-Bench-Suite-Zero (Krishnakumar et al., NeurIPS 2022).

Every parameter is replaced by its absolute value, BatchNorm is bypassed, the network runs in double
precision on one all-ones input, and ``R`` is the sum of its outputs; synflow is ``sum |theta * dR/dtheta|``
over the weights of every convolution and linear layer. NAS-Bench-Suite-Zero reports its natural log
(NASLib ``ZeroCost.query``), which is what :func:`log_synflow` returns.

Computation. With absolute weights and a positive input every activation and every gradient is
non-negative, so each term ``theta * dR/dtheta`` is too, and for a layer ``y = W x (+ b)`` the sum over its
weights is ``<y - b, dR/dy>`` (Euler's identity for a function linear in ``W``). This needs no weight
gradients, only the gradients of the layer outputs. The sum is accumulated in log space: where the
activations or gradients of a deep network overflow float64, the input and the output gradient are scaled
by powers of two (``R`` is linear in both) and the scale is added back to the log.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence

import torch
from torch import nn

from naspred.errors import InvalidInputError
from naspred.featurizers.zerocost.result import ProxyError

#: log2 of the input and output-gradient scales tried in turn when float64 overflows
_SCALES: tuple[int, ...] = (0, 256, 512, 768)


def bypass_batchnorm(net: nn.Module) -> nn.Module:
    """``net`` with every BatchNorm layer replaced by an identity (in place)."""
    for module in list(net.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, nn.modules.batchnorm._BatchNorm):
                setattr(module, name, nn.Identity())
    return net


def _check_shape(input_shape: Sequence[int]) -> tuple[int, ...]:
    shape = tuple(int(s) for s in input_shape)
    if len(shape) < 1 or any(s < 1 for s in shape):
        raise InvalidInputError(f"input_shape must be the shape of one input, e.g. (3, 32, 32); got {input_shape!r}")
    return shape


def _scaled_terms(net: nn.Module, shape: tuple[int, ...], device: torch.device, k: int) -> list[float]:
    """Per-layer sums of ``theta * dR/dtheta`` for input and output gradient both scaled by ``2**-k``."""
    totals: dict[nn.Module, torch.Tensor] = {}
    handles = []

    def forward_hook(module: nn.Module, _inputs: tuple, out: torch.Tensor) -> None:
        if not out.requires_grad:
            return
        bias = module.bias
        value = out.detach()
        if bias is not None:
            value = value - bias.detach().reshape((1, -1) + (1,) * (out.dim() - 2))

        def grad_hook(grad: torch.Tensor) -> None:
            term = (value * grad).sum()
            totals[module] = totals[module] + term if module in totals else term

        out.register_hook(grad_hook)

    for module in net.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            handles.append(module.register_forward_hook(forward_hook))
    try:
        scale = 2.0**-k
        x = torch.full((1, *shape), scale, dtype=torch.float64, device=device, requires_grad=True)
        out = net(x)
        if not torch.isfinite(out).all():
            return [math.inf]
        out.backward(torch.full_like(out, scale))
    finally:
        for handle in handles:
            handle.remove()
    return [float(t) for t in totals.values()]


def _log_or_none(net: nn.Module, input_shape: Sequence[int], device: str | torch.device, inplace: bool) -> float | None:
    """The log of synflow, ``None`` when synflow is 0."""
    shape = _check_shape(input_shape)
    device = torch.device(device)
    work = bypass_batchnorm(net if inplace else copy.deepcopy(net)).to(device=device, dtype=torch.float64).eval()
    with torch.no_grad():
        for p in work.parameters():
            p.abs_()
    for p in work.parameters():
        p.requires_grad_(False)
    for k in _SCALES:
        terms = _scaled_terms(work, shape, device, k)
        if all(math.isfinite(t) for t in terms):
            break
    else:
        raise ProxyError(f"synflow overflows float64 even with input and gradient scaled by 2**-{_SCALES[-1]}")
    positive = [t for t in terms if t > 0]
    if not positive:
        return None
    top = max(positive)
    return math.log(top) + math.log(sum(t / top for t in positive)) + 2 * k * math.log(2.0)


def log_synflow(net: nn.Module, input_shape: Sequence[int] = (3, 32, 32), *, device: str | torch.device = "cpu",
                inplace: bool = False) -> float:
    """The natural log of synflow (NAS-Bench-Suite-Zero's ``synflow``).

    ``net`` is left unchanged unless ``inplace`` (faster: no copy; for a network the caller discards).

    Raises :class:`ProxyError` when synflow is 0 (no signal reaches the output: the log is undefined) or
    when float64 overflows even after rescaling.
    """
    value = _log_or_none(net, input_shape, device, inplace)
    if value is None:
        raise ProxyError("synflow is 0: no signal from the input reaches the output, so its log is undefined")
    return value


def synflow(net: nn.Module, input_shape: Sequence[int] = (3, 32, 32), *, device: str | torch.device = "cpu",
            inplace: bool = False) -> float:
    """Synflow itself, ``sum |theta * dR/dtheta|`` (0 when no signal reaches the output; ``inplace`` as in
    :func:`log_synflow`).

    Raises :class:`ProxyError` when the value exceeds float64; :func:`log_synflow` has no such limit.
    """
    value = _log_or_none(net, input_shape, device, inplace)
    if value is None:
        return 0.0
    if value > math.log(torch.finfo(torch.float64).max):
        raise ProxyError(f"synflow is about e**{value:.1f}, beyond float64; use its log (log_synflow)")
    return math.exp(value)
