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
from naspred.featurizers.zerocost.ops import AvgPool3x3, ClassifierHead, ReLUConvBN, ResNetBasicBlock, Zero, check_sizes
from naspred.spaces.cells import EDGES, NUM_NODES, CellArch

#: operation names this network builds
OPS: tuple[str, ...] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")


class NB201Cell(nn.Module):
    """One 4-node cell; ``edges[k]`` is the operation on :data:`naspred.spaces.cells.EDGES` ``[k]``, built by
    :meth:`operation` from the blocks :meth:`conv` and :meth:`pool` (a variant of the cell overrides these)."""

    #: what messages call the network of the cell
    title = "NAS-Bench-201 network"

    def __init__(self, ops: tuple[str, ...], channels: int) -> None:
        super().__init__()
        self.edges = nn.ModuleList(self.operation(op, channels) for op in ops)

    def operation(self, name: str, channels: int) -> nn.Module:
        """The module of one cell operation at ``channels`` channels (stride 1)."""
        if name == "none":
            return Zero()
        if name == "skip_connect":
            return nn.Identity()
        if name in ("nor_conv_3x3", "nor_conv_1x1"):
            return self.conv(channels, int(name[-1]))
        if name == "avg_pool_3x3":
            return self.pool()
        raise InvalidArchitectureError(f"the {self.title} has no operation {name!r}; expected one of {OPS}")

    @staticmethod
    def conv(channels: int, kernel: int) -> nn.Module:
        """``nor_conv_<kernel>x<kernel>``: ReLU-conv-BN keeping the channels and the resolution."""
        return ReLUConvBN(channels, channels, kernel, stride=1, padding=kernel // 2)

    @staticmethod
    def pool() -> nn.Module:
        """``avg_pool_3x3``."""
        return AvgPool3x3()

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
    smaller network of the same shape. A variant of the skeleton (:class:`naspred.live.nb201_1d.NB201Network1d`)
    sets the class attributes and overrides the blocks: :meth:`stem_block`, :meth:`reduction_block`,
    :meth:`head_block` and the ``cell`` type.
    """

    #: what messages call the network, the cells it accepts, and the error a bad size raises
    title = "NAS-Bench-201 network"
    accepts = "NB201Arch or TNB101MicroArch"
    size_error: type[Exception] = InvalidArchitectureError
    #: the operations it builds and the cell type it stacks
    ops = OPS
    cell = NB201Cell

    def __init__(
        self, arch: CellArch, num_classes: int = 10, channels: int = 16, cells_per_stage: int = 5, in_channels: int = 3
    ) -> None:
        super().__init__()
        self._check_arch(arch)
        check_sizes(
            type(self).__name__, self.size_error, num_classes=num_classes, channels=channels,
            cells_per_stage=cells_per_stage, in_channels=in_channels,
        )
        self.stem = self.stem_block(in_channels, channels)
        layers: list[nn.Module] = []
        c = channels
        for stage in range(3):
            if stage > 0:
                layers.append(self.reduction_block(c, 2 * c))
                c *= 2
            layers.extend(self.cell(arch.ops, c) for _ in range(cells_per_stage))
        self.cells = nn.Sequential(*layers)
        self.head = self.head_block(c, num_classes)

    def _check_arch(self, arch: CellArch) -> None:
        if not isinstance(arch, CellArch):
            raise InvalidArchitectureError(
                f"{type(self).__name__} needs a 4-node cell ({self.accepts}), got {type(arch).__name__}"
            )
        bad = next((op for op in arch.ops if op not in self.ops), None)
        if bad is not None:
            raise InvalidArchitectureError(
                f"the {self.title} cannot build operation {bad!r} of a {type(arch).__name__}; "
                f"expected operations among {self.ops}"
            )

    @staticmethod
    def stem_block(in_channels: int, channels: int) -> nn.Module:
        """3x3 convolution to ``channels`` channels, BatchNorm."""
        return nn.Sequential(nn.Conv2d(in_channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels))

    @staticmethod
    def reduction_block(c_in: int, c_out: int) -> nn.Module:
        """The residual reduction block between stages (stride 2)."""
        return ResNetBasicBlock(c_in, c_out, stride=2)

    @staticmethod
    def head_block(channels: int, num_classes: int) -> nn.Module:
        """BatchNorm-ReLU, global average pooling and the linear classifier."""
        return ClassifierHead(channels, num_classes, nn.BatchNorm2d(channels), nn.ReLU(inplace=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.cells(self.stem(x)))
