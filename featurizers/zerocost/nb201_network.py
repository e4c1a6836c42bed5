"""The NAS-Bench-201 network (Dong & Yang, ICLR 2020, "NAS-Bench-201: Extending the Scope of Reproducible
Neural Architecture Search"), for NAS-Bench-201 and TransNAS-Bench-101 micro cells.

Skeleton (NAS-Bench-201 ``TinyNetwork`` / NASLib ``NasBench201SearchSpace``): a stem (3x3 convolution to
16 channels, BatchNorm), three stages of 5 cells at 16, 32 and 64 channels with a residual reduction
block (stride 2) between stages, BatchNorm-ReLU, global average pooling and a linear classifier.

A cell has 4 nodes; node ``j`` sums ``op_ij(node i)`` over ``i < j``, node 3 is the output. Operations:
``nor_conv_3x3`` / ``nor_conv_1x1`` (ReLU-conv-BN), ``avg_pool_3x3`` (stride 1, padding not counted),
``skip_connect`` (identity) and ``none`` (zeros). TransNAS-Bench-101 micro cells use a subset of these
names, so they build the same network; TransNAS-Bench-101's own task-specific encoder-decoder skeleton
(``64-41414``) is not built here.
"""

from __future__ import annotations

import torch
from torch import nn

from naspred.errors import InvalidArchitectureError
from naspred.featurizers.zerocost.ops import AvgPool3x3, ClassifierHead, ReLUConvBN, ResNetBasicBlock, Zero
from naspred.spaces.cells import EDGES, NUM_NODES, CellArch

#: operation names this network builds
OPS: tuple[str, ...] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")


def cell_op(name: str, channels: int) -> nn.Module:
    """The module of one cell operation at ``channels`` channels (stride 1)."""
    if name == "none":
        return Zero()
    if name == "skip_connect":
        return nn.Identity()
    if name == "nor_conv_3x3":
        return ReLUConvBN(channels, channels, 3, stride=1, padding=1)
    if name == "nor_conv_1x1":
        return ReLUConvBN(channels, channels, 1, stride=1, padding=0)
    if name == "avg_pool_3x3":
        return AvgPool3x3()
    raise InvalidArchitectureError(f"the NAS-Bench-201 network has no operation {name!r}; expected one of {OPS}")


class NB201Cell(nn.Module):
    """One 4-node cell; ``edges[k]`` is the operation on :data:`naspred.spaces.cells.EDGES` ``[k]``."""

    def __init__(self, ops: tuple[str, ...], channels: int) -> None:
        super().__init__()
        self.edges = nn.ModuleList(cell_op(op, channels) for op in ops)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes = [x]
        for j in range(1, NUM_NODES):
            total = None
            for k, (u, v) in enumerate(EDGES):
                if v == j:
                    out = self.edges[k](nodes[u])
                    total = out if total is None else total + out
            nodes.append(total)
        return nodes[-1]


class NB201Network(nn.Module):
    """The NAS-Bench-201 network of one cell (NB201 or TransNAS-Bench-101 micro).

    ``channels`` (16) and ``cells_per_stage`` (5) are the published configuration; smaller values give a
    smaller network of the same shape.
    """

    def __init__(
        self, arch: CellArch, num_classes: int = 10, channels: int = 16, cells_per_stage: int = 5, in_channels: int = 3
    ) -> None:
        super().__init__()
        if not isinstance(arch, CellArch):
            raise InvalidArchitectureError(
                f"NB201Network needs a 4-node cell (NB201Arch or TNB101MicroArch), got {type(arch).__name__}"
            )
        bad = [op for op in arch.ops if op not in OPS]
        if bad:
            raise InvalidArchitectureError(
                f"the NAS-Bench-201 network cannot build operation {bad[0]!r} of a {type(arch).__name__}; "
                f"expected operations among {OPS}"
            )
        for what, value in (("num_classes", num_classes), ("channels", channels), ("cells_per_stage", cells_per_stage)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidArchitectureError(f"NB201Network: {what} must be a positive integer, got {value!r}")
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels)
        )
        layers: list[nn.Module] = []
        c = channels
        for stage in range(3):
            if stage > 0:
                layers.append(ResNetBasicBlock(c, 2 * c, stride=2))
                c *= 2
            layers.extend(NB201Cell(arch.ops, c) for _ in range(cells_per_stage))
        self.cells = nn.Sequential(*layers)
        self.head = ClassifierHead(c, num_classes, nn.BatchNorm2d(c), nn.ReLU(inplace=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.cells(self.stem(x)))
