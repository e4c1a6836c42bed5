"""The network of an architecture, built with seeded weights, and the input of each dataset."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import torch
from torch import nn

from naspred.errors import InvalidArchitectureError, UnknownNameError
from naspred.spaces.cells import CellArch
from naspred.spaces.darts import DARTSArch
from naspred.spaces.nasbench101 import NB101Arch
from naspred.spaces.transnas import TNB101MicroArch
from naspred.spaces.transnas_macro import TNB101MacroArch


@dataclass(frozen=True)
class DatasetShape:
    """Input shape ``(C, H, W)`` and number of classes of a dataset."""

    input_shape: tuple[int, int, int]
    num_classes: int


#: the image datasets of the cell benchmarks (NAS-Bench-201's ImageNet16-120 is 16x16, 120 classes)
DATASETS = MappingProxyType(
    {
        "cifar10": DatasetShape((3, 32, 32), 10),
        "cifar100": DatasetShape((3, 32, 32), 100),
        "imagenet16": DatasetShape((3, 16, 16), 120),
    }
)


def dataset_shape(dataset: str) -> DatasetShape:
    """The :class:`DatasetShape` of a dataset name."""
    try:
        return DATASETS[dataset]
    except (KeyError, TypeError):
        raise UnknownNameError(
            f"no input shape known for dataset {dataset!r}; expected one of {sorted(DATASETS)}, or give "
            "input_shape and num_classes"
        ) from None


def network_class(arch: Any) -> type[nn.Module]:
    """The network class that builds ``arch``."""
    if isinstance(arch, (TNB101MicroArch, TNB101MacroArch)):
        from naspred.featurizers.zerocost.transnas_network import TransNASNetwork

        return TransNASNetwork
    if isinstance(arch, CellArch):
        from naspred.featurizers.zerocost.nb201_network import NB201Network

        return NB201Network
    if isinstance(arch, NB101Arch):
        from naspred.featurizers.zerocost.nb101_network import NB101Network

        return NB101Network
    if isinstance(arch, DARTSArch):
        from naspred.featurizers.zerocost.darts_network import DARTSNetwork

        return DARTSNetwork
    raise InvalidArchitectureError(
        f"no network builder for a {type(arch).__name__}; networks are built for NAS-Bench-201, "
        "TransNAS-Bench-101 micro and macro, NAS-Bench-101 and DARTS architectures"
    )


def build_network(arch: Any, *, num_classes: int = 10, in_channels: int = 3, seed: int = 0, **config: Any) -> nn.Module:
    """The network of ``arch`` with PyTorch's default initialisation drawn from ``seed``.

    ``config`` passes size options to the builder (``channels``, ``cells_per_stage``, ``layers``, ...; the
    ``task`` of a TransNAS-Bench-101 network). The caller's torch random state is left untouched.
    """
    cls = network_class(arch)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        try:
            return cls(arch, num_classes=num_classes, in_channels=in_channels, **config)
        except TypeError as err:
            raise InvalidArchitectureError(f"{cls.__name__}: {err}") from None
