"""The TransNAS-Bench-101 networks (Duan et al., CVPR 2021, "TransNAS-Bench-101: Improving Transferability
and Generalizability of Cross-Task Neural Architecture Search"): one encoder per micro cell or macro
skeleton, and the decoder of each task, following the benchmark's code (``lib/models/net_infer/net_macro.py``,
``cell_micro.py``, ``net_ops/cell_ops.py``, ``models/{decoder,siamese,gan,discriminator}.py`` and
``model_builder.py``; NASLib vendors them in ``naslib/search_spaces/transbench101/tnb101/``).

Encoder (``MacroNet(structure='backbone')``, base channels 64): a stem (3x3 conv to 32 channels with stride
2, BN, then a stride-2 ReLU-conv-BN to 64), then one module per skeleton digit, each two cells: the first
doubles the channels for digits 2 and 4 and halves the resolution (stride 2) for digits 3 and 4. A micro
network stacks its cell in the skeleton ``41414``; a macro network stacks ResNet basic blocks (two
ReLU-conv-BN, a 1x1 conv-BN shortcut when the shape changes). In a micro cell node ``j`` sums the edges from
nodes ``0..j-1``; the edges from node 0 carry the module's stride and channel change (a skip connection there
is a ``FactorizedReduce``, a zero an all-zero tensor of the new shape). Convolutions are drawn by He's
fan-out rule (``MacroNet._kaiming_init``), the decoders keep PyTorch's defaults.

Decoders by task (``TASKS``; inputs 3x256x256, the shapes of :mod:`.data`):

* ``class_scene`` (63 classes), ``class_object`` (100), ``room_layout`` (9 outputs): global average pooling
  and a linear layer (``FFDecoder``);
* ``jigsaw``: the encoder on each of 9 tiles, the pooled features concatenated, a linear layer to 1000
  permutations (``SiameseNet``, ``SiameseDecoder``). The input is the 9 tiles stacked on the channel axis
  (27 channels), so every input here has the shape ``(C, H, W)``;
* ``segmentsemantic``: ``SegmentationDecoder`` to 17 class maps;
* ``autoencoder`` and ``normal``: the pix2pix generator ``GenerativeDecoder`` to 3 channels. The benchmark's
  ``GAN`` model also holds a discriminator, which takes no part in the forward pass and which
  NAS-Bench-Suite-Zero's parameter counts leave out (they equal encoder plus generator); so does this network.

The decoders size themselves from the encoder's output as the benchmark does, for its default 224x224
input (``MacroNet(input_dim=(224, 224))``): the number of upsampling layers is ``log2(256 / w)`` for the
encoder's output width ``w`` at that input.

Parameter and FLOP counts (:mod:`.counts`, NAS-Bench-Suite-Zero's rules) equal the values of
NAS-Bench-Suite-Zero's ``zc_transbench101_micro.json`` and ``zc_transbench101_macro.json`` (``perf/zerocost.md``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import torch
from torch import nn

from naspred.errors import InvalidArchitectureError
from naspred.featurizers.zerocost.ops import (
    ClassifierHead, FactorizedReduce, ReLUConvBN, Zero, check_sizes, fan_out_init,
)
from naspred.spaces.transnas import TNB101MicroArch, TNB101MicroSpace
from naspred.spaces.transnas_macro import TNB101MacroArch

#: skeleton of the micro networks
MICRO_SKELETON = "41414"
#: input width the benchmark's encoder sizes the decoders for, and the decoders' output width
_DESIGN_WIDTH, _TARGET_WIDTH = 224, 256


@dataclass(frozen=True)
class Task:
    """A TransNAS-Bench-101 task: its decoder (``classify``, ``jigsaw``, ``segment`` or ``pix2pix``), its
    number of outputs (classes or output channels) and its input channels."""

    decoder: str
    outputs: int
    in_channels: int = 3


TASKS = MappingProxyType(
    {
        "class_scene": Task("classify", 63),
        "class_object": Task("classify", 100),
        "room_layout": Task("classify", 9),
        "jigsaw": Task("jigsaw", 1000, in_channels=27),
        "segmentsemantic": Task("segment", 17),
        "autoencoder": Task("pix2pix", 3),
        "normal": Task("pix2pix", 3),
    }
)
JIGSAW_TILES = 9


def _edge(code: int, c_in: int, c_out: int, stride: int) -> nn.Module:
    """One micro-cell edge by its benchmark code: 0 zero, 1 skip, 2 1x1 ReLU-conv-BN, 3 3x3 ReLU-conv-BN."""
    if code == 0:
        return Zero(stride, c_out)
    if code == 1:
        return nn.Identity() if stride == 1 and c_in == c_out else FactorizedReduce(c_in, c_out, stride=stride, pad=True)
    if code == 2:
        return ReLUConvBN(c_in, c_out, 1, stride=stride)
    return ReLUConvBN(c_in, c_out, 3, stride=stride, padding=1)


class MicroCell(nn.Module):
    """A TransNAS-Bench-101 micro cell; ``codes`` are the six edge codes in the benchmark's string order
    (edges 0->1, 0->2, 1->2, 0->3, 1->3, 2->3)."""

    def __init__(self, codes: Sequence[int], c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.sources = [src for node in (1, 2, 3) for src in range(node)]
        self.edges = nn.ModuleList(
            _edge(code, c_in, c_out, stride) if src == 0 else _edge(code, c_out, c_out, 1)
            for code, src in zip(codes, self.sources)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes = [x]
        k = 0
        for node in (1, 2, 3):
            total = self.edges[k](nodes[0])
            for src in range(1, node):
                total = total + self.edges[k + src](nodes[src])
            k += node
            nodes.append(total)
        return nodes[-1]


class BasicBlock(nn.Module):
    """TransNAS-Bench-101's ResNet basic block: two 3x3 ReLU-conv-BN and a 1x1 conv-BN shortcut when the
    stride or the channels change."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, stride=stride, padding=1)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, stride=1, padding=1)
        self.downsample = (
            nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out))
            if stride != 1 or c_in != c_out
            else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = x if self.downsample is None else self.downsample(x)
        return residual + self.conv_b(self.conv_a(x))


class Encoder(nn.Module):
    """The benchmark's backbone for a micro cell (``codes``) or ResNet basic blocks (``codes=None``), stacked
    in ``skeleton`` from ``base_channels``."""

    def __init__(self, skeleton: str, codes: Sequence[int] | None, base_channels: int = 64, in_channels: int = 3) -> None:
        super().__init__()
        half = base_channels // 2
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, half, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(half),
            ReLUConvBN(half, base_channels, 3, stride=2, padding=1),
        )
        layers: list[nn.Module] = []
        c = base_channels
        width = _DESIGN_WIDTH // 4
        for digit in skeleton:
            code = int(digit)
            target = 2 * c if code % 2 == 0 else c
            stride = 2 if code > 2 else 1
            width //= stride
            for c_in, s in ((c, stride), (target, 1)):
                layers.append(BasicBlock(c_in, target, s) if codes is None else MicroCell(codes, c_in, target, s))
            c = target
        self.layers = nn.Sequential(*layers)
        self.out_channels = c
        #: the encoder's output width at the benchmark's design input (224x224)
        self.design_width = width
        fan_out_init(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(self.stem(x))


def _conv_layer(c_in: int, c_out: int, norm: bool = True, act: nn.Module | None = None) -> list[nn.Module]:
    """The benchmark's ``ConvLayer``: 3x3 conv (with bias), BatchNorm, activation."""
    layers: list[nn.Module] = [nn.Conv2d(c_in, c_out, 3, stride=1, padding=1)]
    if norm:
        layers.append(nn.BatchNorm2d(c_out))
    if act is not None:
        layers.append(act)
    return layers


def _deconv_layer(c_in: int, c_out: int) -> list[nn.Module]:
    """The benchmark's ``DeconvLayer``: 3x3 transposed conv doubling the size, BatchNorm, LeakyReLU(0.2)."""
    return [
        nn.ConvTranspose2d(c_in, c_out, 3, stride=2, padding=1, output_padding=1),
        nn.BatchNorm2d(c_out),
        nn.LeakyReLU(0.2),
    ]


def _upsamplings(design_width: int) -> int:
    n = int(math.log2(_TARGET_WIDTH / design_width))
    if n not in (2, 3, 4, 5, 6):
        raise InvalidArchitectureError(f"the decoder needs 2 to 6 upsampling layers, got {n} (encoder width {design_width})")
    return n


def segmentation_decoder(c_in: int, design_width: int, outputs: int) -> nn.Sequential:
    """``SegmentationDecoder``: conv to 1024, halving convs, transposed convs up to the target size, a conv
    to ``outputs`` maps."""
    n = _upsamplings(design_width)
    layers = _conv_layer(c_in, 1024, act=nn.LeakyReLU(0.2))
    c = 1024
    for _ in range(6 - n):
        layers += _conv_layer(c, c // 2, act=nn.LeakyReLU(0.2))
        c //= 2
    for _ in range(n - 1):
        layers += _deconv_layer(c, c // 2)
        c //= 2
    layers += _deconv_layer(c, c)
    layers += _conv_layer(c, outputs, norm=False)
    return nn.Sequential(*layers)


def generative_decoder(c_in: int, design_width: int, outputs: int) -> nn.Sequential:
    """``GenerativeDecoder`` (pix2pix): 14 conv / transposed-conv layers to ``outputs`` channels and a tanh."""
    n = _upsamplings(design_width)

    def conv(a: int, b: int) -> list[nn.Module]:
        return _conv_layer(a, b, act=nn.LeakyReLU(0.2))

    def up(a: int, b: int, upsample: bool) -> list[nn.Module]:
        return _deconv_layer(a, b) if upsample else conv(a, b)

    layers = conv(c_in, 1024) + conv(1024, 1024) + up(1024, 512, n == 6) + conv(512, 512) + up(512, 256, n >= 5)
    layers += conv(256, 128) + up(128, 64, n >= 4) + conv(64, 64) + up(64, 32, n >= 3) + conv(32, 32)
    layers += _deconv_layer(32, 16) + conv(16, 32) + _deconv_layer(32, 16)
    layers += _conv_layer(16, outputs, norm=False, act=nn.Tanh())
    return nn.Sequential(*layers)


def transnas_encoder_spec(arch: Any) -> tuple[str, list[int] | None]:
    """``(skeleton, cell codes)`` of a TransNAS-Bench-101 micro or macro architecture (codes ``None`` for
    the macro networks' basic blocks)."""
    if isinstance(arch, TNB101MicroArch):
        return MICRO_SKELETON, [int(c) for c in TNB101MicroSpace().to_tuple(arch)]
    if isinstance(arch, TNB101MacroArch):
        return arch.skeleton, None
    raise InvalidArchitectureError(
        f"TransNASNetwork needs a TransNAS-Bench-101 micro or macro architecture, got {type(arch).__name__}"
    )


class TransNASNetwork(nn.Module):
    """The TransNAS-Bench-101 network of a micro cell or macro skeleton for one ``task`` (see ``TASKS``).

    ``num_classes`` replaces the number of outputs of a classification task's linear layer (default: the
    task's); ``base_channels`` (64) is the published width.
    """

    def __init__(
        self,
        arch: TNB101MicroArch | TNB101MacroArch,
        num_classes: int | None = None,
        in_channels: int | None = None,
        task: str = "class_scene",
        base_channels: int = 64,
    ) -> None:
        super().__init__()
        if task not in TASKS:
            raise InvalidArchitectureError(f"unknown TransNAS-Bench-101 task {task!r}; expected one of {sorted(TASKS)}")
        spec = TASKS[task]
        outputs = spec.outputs if num_classes is None or spec.decoder != "classify" else num_classes
        check_sizes("TransNASNetwork", num_classes=outputs, base_channels=base_channels)
        expected_in = spec.in_channels
        if in_channels is not None and in_channels != expected_in:
            raise InvalidArchitectureError(
                f"TransNASNetwork: task {task!r} takes {expected_in} input channels"
                + (" (9 RGB tiles stacked)" if spec.decoder == "jigsaw" else "") + f", got {in_channels}"
            )
        skeleton, codes = transnas_encoder_spec(arch)
        self.task = task
        self.encoder = Encoder(skeleton, codes, base_channels)
        c, width = self.encoder.out_channels, self.encoder.design_width
        if spec.decoder == "classify":
            self.decoder: nn.Module = ClassifierHead(c, outputs)
        elif spec.decoder == "jigsaw":
            self.decoder = ClassifierHead(JIGSAW_TILES * c, outputs)
        elif spec.decoder == "segment":
            self.decoder = segmentation_decoder(c, width, outputs)
        else:
            self.decoder = generative_decoder(c, width, outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.task != "jigsaw":
            return self.decoder(self.encoder(x))
        tiles = x.reshape(x.shape[0], JIGSAW_TILES, -1, *x.shape[2:])
        features = [self.encoder(tiles[:, i]) for i in range(JIGSAW_TILES)]
        return self.decoder(torch.cat(features, dim=1))
