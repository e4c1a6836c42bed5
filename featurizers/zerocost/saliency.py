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
All four share one scaffold (:func:`saliency_proxy`): draw the batch, copy the network to ``device`` in
training mode, compute the proxy, check that it is finite.
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


#: a saliency computed on a network in training mode, its inputs, its targets and the loss
Saliency = Callable[[nn.Module, torch.Tensor, torch.Tensor, LossFn], float]


def saliency_proxy(name: str) -> Callable[[Saliency], Callable[..., float]]:
    """Turn ``compute(work, x, y, loss_fn)`` into the proxy ``name(net, data, *, seed, device, loss_fn, inplace)``."""

    def wrap(compute: Saliency) -> Callable[..., float]:
        def proxy(
            net: nn.Module,
            data: Any,
            *,
            seed: int = 0,
            device: str | torch.device = "cpu",
            loss_fn: LossFn = F.cross_entropy,
            inplace: bool = False,
        ) -> float:
            batch = as_batch(data, seed)
            targets = batch.need_targets(name)
            work = (net if inplace else copy.deepcopy(net)).to(device).train()
            work.zero_grad(set_to_none=True)
            return finite(name, compute(work, batch.inputs.to(device), targets.to(device), loss_fn))

        proxy.__name__ = proxy.__qualname__ = compute.__name__
        proxy.__doc__ = compute.__doc__
        proxy.__module__ = compute.__module__
        return proxy

    return wrap


def _grads(loss: torch.Tensor, weights: list[torch.Tensor], create_graph: bool = False) -> list[torch.Tensor]:
    grads = torch.autograd.grad(loss, weights, allow_unused=True, create_graph=create_graph)
    return [torch.zeros_like(w) if g is None else g for w, g in zip(weights, grads)]


def _weights_and_grads(work: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn: LossFn,
                       create_graph: bool = False) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """The weights of the convolution and linear layers and the gradients of the loss in them."""
    weights = [m.weight for m in weighted_layers(work)]
    return weights, _grads(loss_fn(work(x), y), weights, create_graph)


@saliency_proxy("snip")
def snip(work: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn: LossFn) -> float:
    """``sum |theta * dL/dtheta|`` over convolution and linear weights."""
    weights, grads = _weights_and_grads(work, x, y, loss_fn)
    return sum(float((w.detach() * g).abs().sum()) for w, g in zip(weights, grads))


@saliency_proxy("grasp")
def grasp(work: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn: LossFn) -> float:
    """``sum -theta * (H g)`` over convolution and linear weights (Hessian-gradient product)."""
    weights, grads = _weights_and_grads(work, x, y, loss_fn, create_graph=True)
    z = sum((g.detach() * g).sum() for g in grads)
    if not isinstance(z, torch.Tensor) or not z.requires_grad:
        return 0.0
    hg = _grads(z, weights)
    return sum(float((-w.detach() * h).sum()) for w, h in zip(weights, hg))


@saliency_proxy("fisher")
def fisher(work: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn: LossFn) -> float:
    """Channel-wise Fisher information of the layer outputs, summed as NAS-Bench-Suite-Zero sums it."""
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

    handles = [m.register_forward_hook(forward_hook) for m in weighted_layers(work)]
    try:
        loss_fn(work(x), y).backward()
    finally:
        for handle in handles:
            handle.remove()
    total = 0.0
    for module, value in per_layer.items():
        total += float(value.abs().sum()) * math.prod(module.weight.shape[1:])
    return total


@saliency_proxy("grad_norm")
def grad_norm(work: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn: LossFn) -> float:
    """Sum over convolution and linear layers of the L2 norm of ``dL/dW``."""
    _, grads = _weights_and_grads(work, x, y, loss_fn)
    return sum(float(g.norm()) for g in grads)
