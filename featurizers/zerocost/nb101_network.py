"""The NAS-Bench-101 network (Ying et al., ICML 2019, "NAS-Bench-101: Towards Reproducible Neural
Architecture Search"), following ``nasbench/lib/model_builder.py``.

Skeleton: a stem (3x3 conv-BN-ReLU to 128 channels), three stacks of three cells, a 2x2 max-pool (stride 2)
before the second and third stacks with the channels doubled at each, global average pooling and a linear
classifier.

Weights are drawn as in the PyTorch port of NAS-Bench-101 that NASLib and NAS-Bench-Suite-Zero build
(``naslib/search_spaces/nasbench101/model.py``, ``Network._initialize_weights``; here
:func:`~naspred.featurizers.zerocost.ops.fan_out_init`): convolutions from ``N(0, 2 / (k * k * C_out))``
(He, fan-out), BatchNorm weights 1 and biases 0, the classifier from ``N(0, 0.01**2)`` with a zero bias. PyTorch's default (uniform, fan-in) draws would give every
convolution a gain about 2.3 times smaller under synflow's absolute weights: with them log(synflow) falls
4.5 to 39 below NAS-Bench-Suite-Zero's (``perf/zerocost.md``). The global average is ``x.mean((2, 3))``
as in that port, not a pooling module, so the FLOP count (no count for a tensor mean) agrees too.

Cell rules (``build_module`` and ``compute_vertex_channels``): the output's channels are split evenly over
the vertices that feed the output (the first ones get the remainder); every other vertex takes the largest
channel count among its successors. A vertex sums its inputs: the cell input through a 1x1 projection
(conv-BN-ReLU) when it reads it, other vertices truncated to its channel count. The output concatenates the
vertices that feed it and adds a projection of the cell input when the input feeds the output directly.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from naspred.errors import InvalidArchitectureError
from naspred.featurizers.zerocost.ops import ConvBNReLU, check_sizes, fan_out_init
from naspred.spaces.nasbench101 import CONV1X1, CONV3X3, MAXPOOL3X3, NB101Arch


def vertex_channels(c_in: int, c_out: int, matrix: np.ndarray) -> list[int]:
    """Channels of every vertex of a cell from ``c_in`` to ``c_out`` channels (NAS-Bench-101's rule)."""
    n = matrix.shape[0]
    channels = [0] * n
    channels[0], channels[n - 1] = c_in, c_out
    if n == 2:
        return channels
    in_degree = matrix[1:].sum(axis=0)
    share, extra = divmod(c_out, int(in_degree[n - 1]))
    for v in range(1, n - 1):
        if matrix[v, n - 1]:
            channels[v] = share + (1 if extra > 0 else 0)
            extra -= 1 if extra > 0 else 0
    for v in range(n - 3, 0, -1):
        if not matrix[v, n - 1]:
            for dst in range(v + 1, n - 1):
                if matrix[v, dst]:
                    channels[v] = max(channels[v], channels[dst])
    return channels


def _vertex_op(name: str, channels: int) -> nn.Module:
    if name == CONV3X3:
        return ConvBNReLU(channels, channels, 3)
    if name == CONV1X1:
        return ConvBNReLU(channels, channels, 1)
    if name == MAXPOOL3X3:
        return nn.MaxPool2d(3, stride=1, padding=1)
    raise InvalidArchitectureError(f"the NAS-Bench-101 network has no operation {name!r}")


class NB101Cell(nn.Module):
    """One NAS-Bench-101 cell from ``c_in`` to ``c_out`` channels."""

    def __init__(self, arch: NB101Arch, c_in: int, c_out: int) -> None:
        super().__init__()
        self.matrix = np.asarray(arch.matrix, dtype=np.int64)
        n = self.matrix.shape[0]
        self.channels = vertex_channels(c_in, c_out, self.matrix)
        self.ops = nn.ModuleList(
            [nn.Identity()] + [_vertex_op(arch.ops[t], self.channels[t]) for t in range(1, n - 1)]
        )
        self.projections = nn.ModuleDict(
            {str(t): ConvBNReLU(c_in, self.channels[t], 1) for t in range(1, n - 1) if self.matrix[0, t]}
        )
        self.output_projection = ConvBNReLU(c_in, c_out, 1) if self.matrix[0, n - 1] else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m, n = self.matrix, self.matrix.shape[0]
        tensors = [x]
        concat = []
        for t in range(1, n - 1):
            inputs = [tensors[src][:, : self.channels[t]] for src in range(1, t) if m[src, t]]
            if m[0, t]:
                inputs.append(self.projections[str(t)](x))
            total = inputs[0]
            for extra in inputs[1:]:
                total = total + extra
            out = self.ops[t](total)
            tensors.append(out)
            if m[t, n - 1]:
                concat.append(out)
        if not concat:
            return self.output_projection(x)
        out = concat[0] if len(concat) == 1 else torch.cat(concat, dim=1)
        if self.output_projection is not None:
            out = out + self.output_projection(x)
        return out


class NB101Network(nn.Module):
    """The NAS-Bench-101 network of one cell; ``stem_channels`` (128), ``stacks`` (3) and ``cells_per_stack``
    (3) are the published configuration, weights drawn by ``fan_out_init``."""

    def __init__(
        self,
        arch: NB101Arch,
        num_classes: int = 10,
        stem_channels: int = 128,
        stacks: int = 3,
        cells_per_stack: int = 3,
        in_channels: int = 3,
    ) -> None:
        super().__init__()
        if not isinstance(arch, NB101Arch):
            raise InvalidArchitectureError(f"NB101Network needs an NB101Arch, got {type(arch).__name__}")
        check_sizes(
            "NB101Network", num_classes=num_classes, stem_channels=stem_channels, stacks=stacks,
            cells_per_stack=cells_per_stack,
        )
        self.stem = ConvBNReLU(in_channels, stem_channels, 3)
        layers: list[nn.Module] = []
        c_in = c = stem_channels
        for stack in range(stacks):
            if stack > 0:
                layers.append(nn.MaxPool2d(2, stride=2))
                c *= 2
            for _ in range(cells_per_stack):
                layers.append(NB101Cell(arch, c_in, c))
                c_in = c
        self.cells = nn.Sequential(*layers)
        self.classifier = nn.Linear(c, num_classes)
        fan_out_init(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.cells(self.stem(x)).mean((2, 3)))
