"""Parameter and FLOP counts, in millions, counted as NAS-Bench-Suite-Zero counts them.

NAS-Bench-Suite-Zero (NASLib ``predictive.find_measures``) reports ``params`` and ``flops`` in millions from
tensorwatch's ``ModelStats`` on one input (batch size 1). Its FLOP rules (torchstat), per module that has
no submodules, on the module's last call of one forward pass:

* ``Conv2d``: ``k_h * k_w * C_in * C_out / groups`` per output position, plus one per output element for a bias;
* ``BatchNorm2d``: one per input element, two when affine;
* ``ReLU``, ``ReLU6``, ``PReLU``, ``ELU``, ``LeakyReLU``: one per input element;
* ``AvgPool2d`` / ``MaxPool2d``: ``k_h * k_w`` per output element;
* ``AdaptiveAvgPool2d`` / ``AdaptiveMaxPool2d``: ``(h + 1) * (w + 1)`` per output element for an
  ``h x w`` pooling window (torchstat's count);
* ``Linear``: ``in * out`` (the bias is not counted);
* anything else (identity, zero, flatten, tensor sums, means and concatenations, transposed convolutions,
  tanh): 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from naspred.errors import InvalidInputError


def params(net: nn.Module) -> float:
    """Number of parameters of ``net``, in millions."""
    return sum(p.numel() for p in net.parameters()) / 1e6


def _pair(value: int | Sequence[int]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _adaptive_flops(x: torch.Tensor, out: torch.Tensor) -> int:
    height, width = x.shape[2], x.shape[3]
    oh, ow = out.shape[2], out.shape[3]
    total = 0
    for i in range(oh):
        rows = math.ceil((i + 1) * height / oh) - math.floor(i * height / oh) + 1
        for j in range(ow):
            cols = math.ceil((j + 1) * width / ow) - math.floor(j * width / ow) + 1
            total += rows * cols
    return x.shape[0] * x.shape[1] * total


def module_flops(module: nn.Module, x: torch.Tensor, out: torch.Tensor) -> int:
    """FLOPs of one call of a module without submodules (see the module docstring for the rules)."""
    if isinstance(module, nn.Conv2d):
        kh, kw = module.kernel_size
        positions = out.shape[0] * out.shape[2] * out.shape[3]
        flops = kh * kw * x.shape[1] * (out.shape[1] // module.groups) * positions
        return flops + (out.shape[1] * positions if module.bias is not None else 0)
    if isinstance(module, nn.BatchNorm2d):
        return x.numel() * (2 if module.affine else 1)
    if isinstance(module, (nn.ReLU, nn.ReLU6, nn.PReLU, nn.ELU, nn.LeakyReLU)):
        return x.numel()
    if isinstance(module, (nn.AvgPool2d, nn.MaxPool2d)):
        kh, kw = _pair(module.kernel_size)
        return out.numel() * kh * kw
    if isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        return _adaptive_flops(x, out)
    if isinstance(module, nn.Linear):
        return x.shape[0] * module.in_features * module.out_features
    return 0


def flops(net: nn.Module, input_shape: Sequence[int] = (3, 32, 32), *, device: str | torch.device = "cpu") -> float:
    """FLOPs of one forward pass of one input of shape ``input_shape``, in millions."""
    shape = tuple(int(s) for s in input_shape)
    if len(shape) != 3 or any(s < 1 for s in shape):
        raise InvalidInputError(f"input_shape must be (C, H, W) of one input, e.g. (3, 32, 32); got {input_shape!r}")
    counts: dict[nn.Module, int] = {}

    def hook(module: nn.Module, args: tuple, out: torch.Tensor) -> None:
        counts[module] = module_flops(module, args[0], out)

    was_training = net.training
    handles = [m.register_forward_hook(hook) for m in net.modules() if not any(True for _ in m.children())]
    try:
        net.eval()
        param = next(net.parameters(), None)
        dtype = param.dtype if param is not None else torch.float32
        with torch.no_grad():
            net(torch.rand((1, *shape), dtype=dtype, device=device))
    finally:
        for handle in handles:
            handle.remove()
        net.train(was_training)
    return sum(counts.values()) / 1e6
