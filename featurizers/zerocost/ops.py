"""Building blocks of the cell networks: the operations of NAS-Bench-201, NAS-Bench-101 and DARTS.

Each block is a plain :class:`torch.nn.Module` made of ``Conv2d``, ``BatchNorm2d``, ``ReLU``, pooling and
``Linear`` leaves, so that parameter and FLOP counters, forward hooks and the BatchNorm bypass of synflow
see the same modules the published networks hold. Sources: NAS-Bench-201 ``cell_operations.py`` (Dong &
Yang, ICLR 2020), DARTS ``operations.py`` (Liu et al., ICLR 2019), NAS-Bench-101 ``base_ops.py`` (Ying et
al., ICML 2019), TransNAS-Bench-101 ``net_ops/cell_ops.py`` (Duan et al., CVPR 2021).
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from naspred.errors import InvalidArchitectureError
from naspred.params import Int

_POSITIVE = Int(1)


def check_sizes(owner: str, error: type[Exception] = InvalidArchitectureError, **sizes: Any) -> None:
    """Raise ``error`` naming ``owner`` and the first of the network ``sizes`` that is not a positive integer."""
    for what, value in sizes.items():
        if not _POSITIVE.accepts(value):
            raise error(f"{owner}: {what} must be a positive integer, got {value!r}")


class Zero(nn.Module):
    """The ``none`` operation: an all-zero tensor of the output's shape (``x * 0``, strided if reducing);
    with ``c_out`` channels when given (TransNAS-Bench-101's zero on an edge that doubles the channels)."""

    def __init__(self, stride: int = 1, c_out: int | None = None) -> None:
        super().__init__()
        self.stride = stride
        self.c_out = c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x if self.stride == 1 else x[:, :, :: self.stride, :: self.stride]
        if self.c_out is None or self.c_out == x.shape[1]:
            return out.mul(0.0)
        return out.new_zeros((out.shape[0], self.c_out, *out.shape[2:]))


class AvgPool3x3(nn.AvgPool2d):
    """3x3 average pooling, stride 1, padding 1, padding not counted (NAS-Bench-201's ``avg_pool_3x3``).

    Still an ``nn.AvgPool2d`` (counters and hooks see the same module); on float32 input it is computed as a
    depthwise convolution with a ones kernel divided by the number of inputs of each window, which gives the
    same values and runs several times faster on CPU than ``avg_pool2d`` with ``count_include_pad=False``.
    """

    def __init__(self) -> None:
        super().__init__(3, stride=1, padding=1, count_include_pad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dtype != torch.float32 or x.dim() != 4:
            return super().forward(x)
        channels, height, width = x.shape[1], x.shape[2], x.shape[3]
        window = x.new_ones(1, 1, 3, 3)
        counts = F.conv2d(x.new_ones(1, 1, height, width), window, padding=1)
        summed = F.conv2d(x, window.expand(channels, 1, 3, 3), padding=1, groups=channels)
        return summed / counts


class ReLUConvBN(nn.Sequential):
    """ReLU, convolution (no bias), BatchNorm: NAS-Bench-201's ``nor_conv`` and DARTS's preprocessing."""

    def __init__(
        self, c_in: int, c_out: int, kernel: int, stride: int = 1, padding: int = 0, affine: bool = True
    ) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, bias=False),
            nn.BatchNorm2d(c_out, affine=affine),
        )


class ConvBNReLU(nn.Sequential):
    """Convolution (no bias), BatchNorm, ReLU: the NAS-Bench-101 operations and projections."""

    def __init__(self, c_in: int, c_out: int, kernel: int) -> None:
        super().__init__(
            nn.Conv2d(c_in, c_out, kernel, padding=kernel // 2, bias=False),
            # NAS-Bench-101 trains with TensorFlow's BN momentum 0.997 (PyTorch: 1 - 0.997) and epsilon 1e-5
            nn.BatchNorm2d(c_out, eps=1e-5, momentum=0.003),
            nn.ReLU(inplace=False),
        )


class FactorizedReduce(nn.Module):
    """ReLU, two strided 1x1 convolutions on offset grids, concatenated, BatchNorm (DARTS, NAS-Bench-201,
    TransNAS-Bench-101). With ``pad`` the offset grid is read from the input padded by one row and column
    (NAS-Bench-201's and TransNAS-Bench-101's form: the same values on even sizes, and odd sizes work)."""

    def __init__(self, c_in: int, c_out: int, affine: bool = True, stride: int = 2, pad: bool = False) -> None:
        super().__init__()
        half = c_out // 2
        self.pad = pad
        self.relu = nn.ReLU(inplace=False)
        self.conv_1 = nn.Conv2d(c_in, half, 1, stride=stride, padding=0, bias=False)
        self.conv_2 = nn.Conv2d(c_in, c_out - half, 1, stride=stride, padding=0, bias=False)
        self.bn = nn.BatchNorm2d(c_out, affine=affine)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(x)
        shifted = F.pad(x, (0, 1, 0, 1)) if self.pad else x
        return self.bn(torch.cat([self.conv_1(x), self.conv_2(shifted[:, :, 1:, 1:])], dim=1))


class SepConv(nn.Sequential):
    """DARTS separable convolution: (ReLU, depthwise, pointwise, BN) twice, the first with the stride."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int, padding: int, affine: bool = True) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_in, kernel, stride=stride, padding=padding, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_in, 1, bias=False),
            nn.BatchNorm2d(c_in, affine=affine),
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_in, kernel, stride=1, padding=padding, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out, affine=affine),
        )


class DilConv(nn.Sequential):
    """DARTS dilated convolution: ReLU, dilated depthwise, pointwise, BN."""

    def __init__(
        self, c_in: int, c_out: int, kernel: int, stride: int, padding: int, dilation: int, affine: bool = True
    ) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_in, kernel, stride=stride, padding=padding, dilation=dilation, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out, affine=affine),
        )


class ResNetBasicBlock(nn.Module):
    """NAS-Bench-201's residual reduction block: two ReLU-conv-BN (the first strided) plus a pooled 1x1 shortcut."""

    def __init__(self, c_in: int, c_out: int, stride: int = 2) -> None:
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, stride=stride, padding=1)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, stride=1, padding=1)
        if stride == 2:
            self.downsample: nn.Module | None = nn.Sequential(
                nn.AvgPool2d(kernel_size=2, stride=2, padding=0),
                nn.Conv2d(c_in, c_out, kernel_size=1, stride=1, padding=0, bias=False),
            )
        elif c_in != c_out:
            self.downsample = ReLUConvBN(c_in, c_out, 1, stride=1, padding=0)
        else:
            self.downsample = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = x if self.downsample is None else self.downsample(x)
        return residual + self.conv_b(self.conv_a(x))


class ClassifierHead(nn.Sequential):
    """Global average pooling, flatten and a linear layer; ``pre`` modules (e.g. BN-ReLU) run first."""

    def __init__(self, channels: int, num_classes: int, *pre: nn.Module) -> None:
        super().__init__(*pre, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, num_classes))


def fan_out_init(net: nn.Module) -> nn.Module:
    """He initialisation by fan-out, in place, as the PyTorch NAS-Bench-101 port and TransNAS-Bench-101 draw
    their weights: convolutions from ``N(0, 2 / (k_h * k_w * C_out))``, BatchNorm weights 1 and biases 0, linear
    layers from ``N(0, 0.01**2)`` with zero biases (NAS-Bench-101's classifier; TransNAS-Bench-101's encoder
    has no linear layer). Returns ``net``."""
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            m.weight.data.normal_(0.0, math.sqrt(2.0 / (m.kernel_size[0] * m.kernel_size[1] * m.out_channels)))
            if m.bias is not None:
                m.bias.data.zero_()
        elif isinstance(m, nn.BatchNorm2d) and m.affine:
            m.weight.data.fill_(1.0)
            m.bias.data.zero_()
        elif isinstance(m, nn.Linear):
            m.weight.data.normal_(0.0, 0.01)
            if m.bias is not None:
                m.bias.data.zero_()
    return net
