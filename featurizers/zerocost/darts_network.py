"""The DARTS evaluation network (Liu et al., ICLR 2019, "DARTS: Differentiable Architecture Search",
``NetworkCIFAR`` in ``model.py``) as NAS-Bench-301 trains it (Siems et al., 2020): 32 initial channels and
8 cells by default, without the auxiliary head and drop-path (which act only in training).

Skeleton: a stem (3x3 conv to ``3 * channels``, BN), ``layers`` cells with reduction cells (stride 2,
channels doubled) at ``layers // 3`` and ``2 * layers // 3``, global average pooling and a linear classifier.
A cell preprocesses its two inputs (the output of the cell before last through a ``FactorizedReduce`` when
the previous cell reduced, else a 1x1 ReLU-conv-BN; the previous output through a 1x1 ReLU-conv-BN); node
``j`` sums its two operations; the cell output concatenates nodes 2..5. In a reduction cell the operations
that read a cell input have stride 2.
"""

from __future__ import annotations

import torch
from torch import nn

from naspred.errors import InvalidArchitectureError
from naspred.featurizers.zerocost.ops import (
    AvgPool3x3, ClassifierHead, DilConv, FactorizedReduce, ReLUConvBN, SepConv, check_sizes,
)
from naspred.spaces.darts import CONCAT, NUM_NODES, OPS, DARTSArch


def darts_op(name: str, channels: int, stride: int) -> nn.Module:
    """The module of one DARTS operation."""
    if name == "max_pool_3x3":
        return nn.MaxPool2d(3, stride=stride, padding=1)
    if name == "avg_pool_3x3":
        return AvgPool3x3() if stride == 1 else nn.AvgPool2d(3, stride=stride, padding=1, count_include_pad=False)
    if name == "skip_connect":
        return nn.Identity() if stride == 1 else FactorizedReduce(channels, channels)
    if name == "sep_conv_3x3":
        return SepConv(channels, channels, 3, stride, 1)
    if name == "sep_conv_5x5":
        return SepConv(channels, channels, 5, stride, 2)
    if name == "dil_conv_3x3":
        return DilConv(channels, channels, 3, stride, 2, 2)
    if name == "dil_conv_5x5":
        return DilConv(channels, channels, 5, stride, 4, 2)
    raise InvalidArchitectureError(f"the DARTS network has no operation {name!r}; expected one of {OPS}")


class DARTSCell(nn.Module):
    """One normal or reduction cell; ``pairs`` are its 8 ``(input node, op index)`` pairs."""

    def __init__(
        self, pairs: tuple[tuple[int, int], ...], c_pp: int, c_p: int, c: int, reduction: bool, reduction_prev: bool
    ) -> None:
        super().__init__()
        self.preprocess0 = FactorizedReduce(c_pp, c) if reduction_prev else ReLUConvBN(c_pp, c, 1)
        self.preprocess1 = ReLUConvBN(c_p, c, 1)
        self.sources = [src for src, _ in pairs]
        self.ops = nn.ModuleList(
            darts_op(OPS[op], c, 2 if reduction and src < 2 else 1) for src, op in pairs
        )

    def forward(self, s0: torch.Tensor, s1: torch.Tensor) -> torch.Tensor:
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        for j in range(NUM_NODES):
            a, b = 2 * j, 2 * j + 1
            states.append(self.ops[a](states[self.sources[a]]) + self.ops[b](states[self.sources[b]]))
        return torch.cat([states[i] for i in CONCAT], dim=1)


class DARTSNetwork(nn.Module):
    """The DARTS / NAS-Bench-301 evaluation network of one architecture."""

    def __init__(
        self, arch: DARTSArch, num_classes: int = 10, channels: int = 32, layers: int = 8, in_channels: int = 3
    ) -> None:
        super().__init__()
        if not isinstance(arch, DARTSArch):
            raise InvalidArchitectureError(f"DARTSNetwork needs a DARTSArch, got {type(arch).__name__}")
        check_sizes("DARTSNetwork", num_classes=num_classes, channels=channels, layers=layers)
        if layers < 3:
            raise InvalidArchitectureError(
                f"DARTSNetwork: layers must be at least 3 (two are reduction cells), got {layers}"
            )
        c_stem = 3 * channels
        self.stem = nn.Sequential(nn.Conv2d(in_channels, c_stem, 3, padding=1, bias=False), nn.BatchNorm2d(c_stem))
        c_pp, c_p, c = c_stem, c_stem, channels
        cells = []
        reduction_prev = False
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                c *= 2
            cells.append(DARTSCell(arch.reduce if reduction else arch.normal, c_pp, c_p, c, reduction, reduction_prev))
            reduction_prev = reduction
            c_pp, c_p = c_p, len(CONCAT) * c
        self.cells = nn.ModuleList(cells)
        self.head = ClassifierHead(c_p, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1)
        return self.head(s1)
