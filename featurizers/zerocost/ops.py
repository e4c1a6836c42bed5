"""Building blocks of the cell networks: the operations of NAS-Bench-201, NAS-Bench-101 and DARTS.

Each block is a plain :class:`torch.nn.Module` made of ``Conv2d``, ``BatchNorm2d``, ``ReLU``, pooling and
``Linear`` leaves, so that parameter and FLOP counters, forward hooks and the BatchNorm bypass of synflow
see the same modules the published networks hold. Sources: NAS-Bench-201 ``cell_operations.py`` (Dong &
Yang, ICLR 2020), DARTS ``operations.py`` (Liu et al., ICLR 2019), NAS-Bench-101 ``base_ops.py`` (Ying et
al., ICML 2019).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class Zero(nn.Module):
    """The ``none`` operation: an all-zero tensor of the output's shape (``x * 0``, strided if reducing)."""

    def __init__(self, stride: int = 1) -> None:
        super().__init__()
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride == 1:
            return x.mul(0.0)
        return x[:, :, :: self.stride, :: self.stride].mul(0.0)


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
    """ReLU, two stride-2 1x1 convolutions on offset grids, concatenated, BatchNorm (DARTS, NAS-Bench-201)."""

    def __init__(self, c_in: int, c_out: int, affine: bool = True) -> None:
        super().__init__()
        half = c_out // 2
        self.relu = nn.ReLU(inplace=False)
        self.conv_1 = nn.Conv2d(c_in, half, 1, stride=2, padding=0, bias=False)
        self.conv_2 = nn.Conv2d(c_in, c_out - half, 1, stride=2, padding=0, bias=False)
        self.bn = nn.BatchNorm2d(c_out, affine=affine)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(x)
        return self.bn(torch.cat([self.conv_1(x), self.conv_2(x[:, :, 1:, 1:])], dim=1))


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
