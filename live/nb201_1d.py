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

from naspred.errors import InvalidArchitectureError, InvalidInputError
from naspred.featurizers.zerocost.nb201_network import NB201Cell
from naspred.spaces.cells import CellArch

#: operation names of a NAS-Bench-201 cell that this network builds
OPS: tuple[str, ...] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")


class Zero1d(nn.Module):
    """The ``none`` operation: zeros of the input's shape."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mul(0.0)


class ReLUConvBN1d(nn.Sequential):
    """ReLU, a ``1 x kernel`` convolution (no bias), BatchNorm: NAS-Bench-201's ``nor_conv`` in 1-D."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int = 1) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, (1, kernel), stride=(1, stride), padding=(0, kernel // 2), bias=False),
            nn.BatchNorm2d(c_out),
        )


def cell_op(name: str, channels: int) -> nn.Module:
    """The module of one cell operation at ``channels`` channels (stride 1)."""
    if name == "none":
        return Zero1d()
    if name == "skip_connect":
        return nn.Identity()
    if name == "nor_conv_1x1":
        return ReLUConvBN1d(channels, channels, 1)
    if name == "nor_conv_3x3":
        return ReLUConvBN1d(channels, channels, 3)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d((1, 3), stride=1, padding=(0, 1), count_include_pad=False)
    raise InvalidArchitectureError(f"the 1-D NAS-Bench-201 network has no operation {name!r}; expected one of {OPS}")


class Cell1d(NB201Cell):
    """One 4-node cell of 1-D operations; ``edges[k]`` is the operation on
    :data:`naspred.spaces.cells.EDGES` ``[k]`` (the forward pass is NAS-Bench-201's, :class:`NB201Cell`)."""

    def __init__(self, ops: tuple[str, ...], channels: int) -> None:
        nn.Module.__init__(self)  # NB201Cell.__init__ builds the 2-D operations
        self.edges = nn.ModuleList(cell_op(op, channels) for op in ops)


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


def _positive(what: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(f"NB201Network1d: {what} must be a positive integer, got {value!r}")
    return value


class NB201Network1d(nn.Module):
    """The NAS-Bench-201 network of one cell over 1-D signals ``(N, in_channels, length)``.

    ``channels`` is the width of the first stage (NAS-Bench-201: 16) and ``cells_per_stage`` the cells per
    stage (NAS-Bench-201: 5). A cell whose output is disconnected from its input builds (its output is zero,
    so the network's output does not depend on its input), as in NAS-Bench-201.
    """

    def __init__(
        self,
        arch: CellArch,
        *,
        num_classes: int = 10,
        channels: int = 16,
        cells_per_stage: int = 5,
        in_channels: int = 1,
    ) -> None:
        super().__init__()
        if not isinstance(arch, CellArch):
            raise InvalidArchitectureError(f"NB201Network1d needs a 4-node cell (NB201Arch), got {type(arch).__name__}")
        bad = [op for op in arch.ops if op not in OPS]
        if bad:
            raise InvalidArchitectureError(
                f"the 1-D NAS-Bench-201 network cannot build operation {bad[0]!r}; expected operations among {OPS}"
            )
        for what, value in (("num_classes", num_classes), ("channels", channels),
                            ("cells_per_stage", cells_per_stage), ("in_channels", in_channels)):
            _positive(what, value)
        self.in_channels = in_channels
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, channels, (1, 3), padding=(0, 1), bias=False), nn.BatchNorm2d(channels)
        )
        layers: list[nn.Module] = []
        c = channels
        for stage in range(3):
            if stage > 0:
                layers.append(ReductionBlock1d(c, 2 * c))
                c *= 2
            layers.extend(Cell1d(arch.ops, c) for _ in range(cells_per_stage))
        self.cells = nn.Sequential(*layers)
        self.head = nn.Sequential(
            nn.BatchNorm2d(c), nn.ReLU(inplace=False), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, num_classes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 3 or x.shape[1] != self.in_channels:
            raise InvalidInputError(
                f"NB201Network1d expects signals of shape (N, {self.in_channels}, length), got {tuple(x.shape)}"
            )
        return self.head(self.cells(self.stem(x.unsqueeze(2))))
