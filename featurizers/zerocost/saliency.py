"""Gradient-based saliency proxies on one labelled batch, as defined for NAS by Abdelfattah et al. (ICLR 2021,
"Zero-Cost Proxies for Lightweight NAS") and computed by NAS-Bench-Suite-Zero (NASLib ``measures/``).

With ``L`` the cross-entropy of the batch and the sums running over the weights of every convolution and
linear layer (biases and BatchNorm excluded):

* ``snip`` (Lee et al., ICLR 2019): ``sum |theta * dL/dtheta|``;
* ``grasp`` (Wang et al., ICLR 2020): ``sum -theta * (H g)`` with ``g = dL/dtheta`` (held fixed) and ``H``
  the Hessian of ``L`` in the weights;
* ``fisher`` (Turner et al., ICLR 2020; Theis et al., 2018): per output channel ``k`` of a layer with
  output ``a`` and ``n`` inputs, ``0.5 * mean_n (sum_spatial a * dL/da)**2``; NAS-Bench-Suite-Zero spreads
  each channel's value over the channel's weights before summing, so a layer contributes
  ``sum_k |value_k| * (weights per output channel)``;
* ``grad_norm``: ``sum over layers of ||dL/dW||_2``.

The network runs in training mode (BatchNorm with batch statistics), as in NAS-Bench-Suite-Zero. Each
function leaves ``net`` unchanged unless ``inplace`` (faster: no copy; for a network the caller discards).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from naspred.featurizers.zerocost.data import as_batch
from naspred.featurizers.zerocost.result import finite

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def weighted_layers(net: nn.Module) -> list[nn.Module]:
    """The convolution and linear layers of ``net``, in module order."""
    return [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def _setup(
    net: nn.Module, data: Any, seed: int, device: str | torch.device, who: str, inplace: bool
) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    batch = as_batch(data, seed)
    targets = batch.need_targets(who)
    work = (net if inplace else copy.deepcopy(net)).to(device).train()
    work.zero_grad(set_to_none=True)
    return work, batch.inputs.to(device), targets.to(device)


def _grads(loss: torch.Tensor, weights: list[torch.Tensor], create_graph: bool = False) -> list[torch.Tensor]:
    grads = torch.autograd.grad(loss, weights, allow_unused=True, create_graph=create_graph)
    return [torch.zeros_like(w) if g is None else g for w, g in zip(weights, grads)]


def snip(
    net: nn.Module,
    data: Any,
    *,
    seed: int = 0,
    device: str | torch.device = "cpu",
    loss_fn: LossFn = F.cross_entropy,
    inplace: bool = False,
) -> float:
    """``sum |theta * dL/dtheta|`` over convolution and linear weights."""
    work, x, y = _setup(net, data, seed, device, "snip", inplace)
    weights = [m.weight for m in weighted_layers(work)]
    grads = _grads(loss_fn(work(x), y), weights)
    return finite("snip", sum(float((w.detach() * g).abs().sum()) for w, g in zip(weights, grads)))


def grasp(
    net: nn.Module,
    data: Any,
    *,
    seed: int = 0,
    device: str | torch.device = "cpu",
    loss_fn: LossFn = F.cross_entropy,
    inplace: bool = False,
) -> float:
    """``sum -theta * (H g)`` over convolution and linear weights (Hessian-gradient product)."""
    work, x, y = _setup(net, data, seed, device, "grasp", inplace)
    weights = [m.weight for m in weighted_layers(work)]
    grads = _grads(loss_fn(work(x), y), weights, create_graph=True)
    z = sum((g.detach() * g).sum() for g in grads)
    if not isinstance(z, torch.Tensor) or not z.requires_grad:
        return 0.0
    hg = _grads(z, weights)
    return finite("grasp", sum(float((-w.detach() * h).sum()) for w, h in zip(weights, hg)))


def fisher(
    net: nn.Module,
    data: Any,
    *,
    seed: int = 0,
    device: str | torch.device = "cpu",
    loss_fn: LossFn = F.cross_entropy,
    inplace: bool = False,
) -> float:
    """Channel-wise Fisher information of the layer outputs, summed as NAS-Bench-Suite-Zero sums it."""
    work, x, y = _setup(net, data, seed, device, "fisher", inplace)
    layers = weighted_layers(work)
    per_layer: dict[nn.Module, torch.Tensor] = {}

    def forward_hook(module: nn.Module, _inputs: tuple, out: torch.Tensor) -> None:
        if not out.requires_grad:
            return
        act = out.detach()

        def grad_hook(grad: torch.Tensor) -> None:
            g = act * grad
            if g.dim() > 2:
                g = g.sum(dim=tuple(range(2, g.dim())))
            value = 0.5 * g.pow(2).mean(0)
            per_layer[module] = per_layer[module] + value if module in per_layer else value

        out.register_hook(grad_hook)

    handles = [m.register_forward_hook(forward_hook) for m in layers]
    try:
        loss_fn(work(x), y).backward()
    finally:
        for handle in handles:
            handle.remove()
    total = 0.0
    for module, value in per_layer.items():
        total += float(value.abs().sum()) * math.prod(module.weight.shape[1:])
    return finite("fisher", total)


def grad_norm(
    net: nn.Module,
    data: Any,
    *,
    seed: int = 0,
    device: str | torch.device = "cpu",
    loss_fn: LossFn = F.cross_entropy,
    inplace: bool = False,
) -> float:
    """Sum over convolution and linear layers of the L2 norm of ``dL/dW``."""
    work, x, y = _setup(net, data, seed, device, "grad_norm", inplace)
    weights = [m.weight for m in weighted_layers(work)]
    grads = _grads(loss_fn(work(x), y), weights)
    return finite("grad_norm", sum(float(g.norm()) for g in grads))
