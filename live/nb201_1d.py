"""The NAS-Bench-201 network (Dong & Yang, ICLR 2020) in one dimension, for 1-D signals such as MNIST-1D.

The skeleton is NAS-Bench-201's ``TinyNetwork``: a stem (convolution of width 3, BatchNorm), three stages of
``cells_per_stage`` cells at ``channels``, ``2 * channels`` and ``4 * channels`` channels with a residual
reduction block (stride 2) between stages, BatchNorm-ReLU, global average pooling and a linear classifier.
Cell operations are the five of NAS-Bench-201 in 1-D: ``none`` (zeros), ``skip_connect`` (identity),
``nor_conv_1x1`` / ``nor_conv_3x3`` (ReLU-conv-BN, kernel 1 / 3) and ``avg_pool_3x3`` (window 3, stride 1,
padding not counted).

A signal ``(N, C, L)`` is carried as ``(N, C, 1, L)`` and every convolution is an ``nn.Conv2d`` with a
``1 x k`` kernel: the same arithmetic as a 1-D convolution, written with the module types that naspred's
zero-cost proxies and counters hook (``Conv2d``, ``Linear``, ``BatchNorm2d``, ``ReLU``).
"""

from __future__ import annotations

import torch
from torch import nn

from naspred.errors import InvalidInputError
from naspred.featurizers.zerocost.nb201_network import OPS, NB201Cell, NB201Network  # noqa: F401 - OPS is built
from naspred.spaces.cells import CellArch


class ReLUConvBN1d(nn.Sequential):
    """ReLU, a ``1 x kernel`` convolution (no bias), BatchNorm: NAS-Bench-201's ``nor_conv`` in 1-D."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int = 1) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, (1, kernel), stride=(1, stride), padding=(0, kernel // 2), bias=False),
            nn.BatchNorm2d(c_out),
        )


class Cell1d(NB201Cell):
    """One 4-node cell of 1-D operations; ``edges[k]`` is the operation on
    :data:`naspred.spaces.cells.EDGES` ``[k]`` (the forward pass is NAS-Bench-201's, :class:`NB201Cell`)."""

    title = "1-D NAS-Bench-201 network"

    @staticmethod
    def conv(channels: int, kernel: int) -> nn.Module:
        return ReLUConvBN1d(channels, channels, kernel)

    @staticmethod
    def pool() -> nn.Module:
        return nn.AvgPool2d((1, 3), stride=1, padding=(0, 1), count_include_pad=False)


class ReductionBlock1d(nn.Module):
    """NAS-Bench-201's residual reduction block in 1-D: two ReLU-conv-BN of width 3 (the first with stride 2)
    plus a shortcut of average pooling (2, stride 2) and a 1-wide convolution."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.conv_a = ReLUConvBN1d(c_in, c_out, 3, stride=2)
        self.conv_b = ReLUConvBN1d(c_out, c_out, 3)
        self.downsample = nn.Sequential(
            nn.AvgPool2d((1, 2), stride=(1, 2), ceil_mode=True, count_include_pad=False),
            nn.Conv2d(c_in, c_out, 1, bias=False),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.downsample(x) + self.conv_b(self.conv_a(x))


class NB201Network1d(NB201Network):
    """The NAS-Bench-201 network of one cell over 1-D signals ``(N, in_channels, length)``.

    ``channels`` is the width of the first stage (NAS-Bench-201: 16) and ``cells_per_stage`` the cells per
    stage (NAS-Bench-201: 5). A cell whose output is disconnected from its input builds (its output is zero,
    so the network's output does not depend on its input), as in NAS-Bench-201.
    """

    title = "1-D NAS-Bench-201 network"
    accepts = "NB201Arch"
    size_error = InvalidInputError
    cell = Cell1d

    def __init__(self, arch: CellArch, *, num_classes: int = 10, channels: int = 16, cells_per_stage: int = 5,
                 in_channels: int = 1) -> None:
        super().__init__(arch, num_classes, channels, cells_per_stage, in_channels)
        self.in_channels = in_channels

    @staticmethod
    def stem_block(in_channels: int, channels: int) -> nn.Module:
        """A convolution of width 3 to ``channels`` channels, BatchNorm."""
        conv = nn.Conv2d(in_channels, channels, (1, 3), padding=(0, 1), bias=False)
        return nn.Sequential(conv, nn.BatchNorm2d(channels))

    @staticmethod
    def reduction_block(c_in: int, c_out: int) -> nn.Module:
        return ReductionBlock1d(c_in, c_out)

    @staticmethod
    def head_block(channels: int, num_classes: int) -> nn.Module:
        return nn.Sequential(
            nn.BatchNorm2d(channels), nn.ReLU(inplace=False), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
            nn.Linear(channels, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 3 or x.shape[1] != self.in_channels:
            raise InvalidInputError(
                f"NB201Network1d expects signals of shape (N, {self.in_channels}, length), got {tuple(x.shape)}"
            )
        return super().forward(x.unsqueeze(2))
