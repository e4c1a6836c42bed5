"""The input of each dataset, and data batches for the data-dependent proxies.

:func:`dataset_shape` gives the input shape and output size of every dataset naspred's benchmarks name (the
shape data-free proxies feed the network, and the size of its last layer). Batches: a tensor, an ``(inputs,
targets)`` pair, a DataLoader, or a file.

Files: ``.pt`` (``torch.save`` of a tensor, an ``(inputs, targets)`` tuple or a dict with ``inputs`` /
``targets``, read with ``weights_only=True``) and ``.npz`` (arrays ``inputs`` and optionally ``targets``;
``x`` / ``y`` are read too). Inputs are ``(N, ...)`` floats (images: ``(N, C, H, W)``); targets ``N`` class
indices.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import torch

from naspred.errors import DataFileError, InvalidInputError, UnknownNameError


@dataclass(frozen=True)
class DatasetShape:
    """``input_shape`` of one input (``(C, H, W)``; MNIST-1D ``(C, L)``) and ``num_classes``, the size of the
    network's output (classes, or regression outputs / channels per pixel
    for the dense TransNAS-Bench-101 tasks), with the ``source`` of both."""

    input_shape: tuple[int, ...]
    num_classes: int
    source: str = ""


_TNB_DATA = "NASLib naslib/utils/dataset.py (get_*_configs: input_dim, target_dim)"
_TNB_MODEL = "NASLib naslib/search_spaces/transbench101/tnb101/model_builder.py (create_model: target_dim)"

#: Input shape and output size of every dataset a naspred benchmark names (naspred's names and NASLib's).
#:
#: * NAS-Bench-201 (Dong & Yang, ICLR 2020): CIFAR-10 and CIFAR-100 are 3x32x32 with 10 and 100 classes;
#:   ImageNet16-120 is ImageNet downsampled to 3x16x16, restricted to 120 classes (NASLib
#:   ``_data_transforms_ImageNet_16_120``: ``RandomCrop(16)``, ``use_num_of_class_only=120``). NAS-Bench-101
#:   and NAS-Bench-301 are CIFAR-10.
#: * TransNAS-Bench-101 (Duan et al., CVPR 2021) tasks on Taskonomy images, as NASLib computes zero-cost
#:   proxies on them (NAS-Bench-Suite-Zero): every task resizes the image to 3x256x256 (``input_dim``), except
#:   jigsaw, which resizes to 255x255 and cuts 9 tiles of 3x64x64 (``MakeJigsawPuzzle(tile_dim=(64, 64))``);
#:   its Siamese network encodes each tile, ``x[:, i]`` of a ``(N, 9, 3, 64, 64)`` batch
#:   (``models/siamese.py``), which naspred's network takes as the 9 tiles stacked on the channel axis,
#:   ``(N, 27, 64, 64)``. Outputs of the networks NASLib builds (``create_model``): class_object 100
#:   classes, class_scene 63, jigsaw 1000 permutations, room_layout 9 regression outputs, segmentsemantic 17
#:   channels per pixel (a 256x256 map), normal and autoencoder a 3-channel 256x256 image. (NASLib's data
#:   configs keep the 75 object and 47 scene classes of the final-5k split as targets; the networks, and so
#:   the proxies, have 100 and 63 outputs.)
#: * MNIST-1D (``nb201-mnist1d``, Greydanus 2020): signals of 40 values, 10 classes (:mod:`naspred.live`).
#: * Tiny-ImageNet (SpikeNAS-Bench): 3x64x64, 200 classes.
DATASETS = MappingProxyType(
    {
        "cifar10": DatasetShape((3, 32, 32), 10, "CIFAR-10 (NAS-Bench-101, -201, -301)"),
        "cifar100": DatasetShape((3, 32, 32), 100, "CIFAR-100 (NAS-Bench-201)"),
        "imagenet16": DatasetShape((3, 16, 16), 120, "ImageNet16-120 (NAS-Bench-201)"),
        "class_object": DatasetShape((3, 256, 256), 100, f"{_TNB_DATA}; {_TNB_MODEL}"),
        "class_scene": DatasetShape((3, 256, 256), 63, f"{_TNB_DATA}; {_TNB_MODEL}"),
        "jigsaw": DatasetShape((27, 64, 64), 1000, f"{_TNB_DATA}; {_TNB_MODEL}; models/siamese.py (9 tiles)"),
        "room_layout": DatasetShape((3, 256, 256), 9, f"{_TNB_DATA}; {_TNB_MODEL}"),
        "segmentsemantic": DatasetShape((3, 256, 256), 17, f"{_TNB_DATA}; {_TNB_MODEL}"),
        "normal": DatasetShape((3, 256, 256), 3, f"{_TNB_DATA}; {_TNB_MODEL}"),
        "autoencoder": DatasetShape((3, 256, 256), 3, f"{_TNB_DATA}; {_TNB_MODEL}"),
        "mnist1d": DatasetShape((1, 40), 10, "MNIST-1D (naspred.live.mnist1d_data)"),
        "tinyimagenet": DatasetShape((3, 64, 64), 200, "Tiny-ImageNet (SpikeNAS-Bench)"),
    }
)
#: other names of the datasets above (NASLib's, and common spellings)
DATASET_ALIASES = MappingProxyType({"ImageNet16-120": "imagenet16", "imagenet16-120": "imagenet16"})


def dataset_shape(dataset: str) -> DatasetShape:
    """The :class:`DatasetShape` of a dataset by naspred's or NASLib's name (``ImageNet16-120`` is ``imagenet16``)."""
    try:
        return DATASETS[DATASET_ALIASES.get(dataset, dataset)]
    except (KeyError, TypeError):
        raise UnknownNameError(
            f"no input shape known for dataset {dataset!r}; expected one of {sorted(DATASETS)}, or give "
            "input_shape and num_classes (naspred proxies: --input-shape C,H,W --num-classes N)"
        ) from None


@dataclass(frozen=True)
class DataBatch:
    """One batch: ``inputs`` ``(N, ...)`` (images ``(N, C, H, W)``) and optional class ``targets`` ``(N,)``."""

    inputs: torch.Tensor
    targets: torch.Tensor | None = None

    def __post_init__(self) -> None:
        x = self.inputs
        if not isinstance(x, torch.Tensor):
            raise InvalidInputError(f"batch inputs must be a torch tensor, got {type(x).__name__}")
        if x.ndim < 2 or x.shape[0] < 1:
            raise InvalidInputError(
                "batch inputs must have shape (N, ...) with N >= 1 inputs, e.g. (N, C, H, W) images; "
                f"got {tuple(x.shape)}"
            )
        if not x.is_floating_point():
            raise InvalidInputError(f"batch inputs must be floating point, got {x.dtype}")
        if not torch.isfinite(x).all():
            raise InvalidInputError("batch inputs hold NaN or infinite values; expected finite numbers")
        y = self.targets
        if y is not None:
            if not isinstance(y, torch.Tensor):
                raise InvalidInputError(f"batch targets must be a torch tensor, got {type(y).__name__}")
            if y.ndim != 1 or y.shape[0] != x.shape[0]:
                raise InvalidInputError(
                    f"batch targets must be one class index per input, shape ({x.shape[0]},); got {tuple(y.shape)}"
                )
            if y.is_floating_point() or y.dtype == torch.bool or (y < 0).any():
                raise InvalidInputError(f"batch targets must be class indices (integers >= 0), got {y.dtype}")

    def __len__(self) -> int:
        return int(self.inputs.shape[0])

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The shape of one input, e.g. ``(C, H, W)``."""
        return tuple(int(s) for s in self.inputs.shape[1:])

    def need_targets(self, proxy: str) -> torch.Tensor:
        """The targets, or an error saying that ``proxy`` needs them."""
        if self.targets is None:
            raise InvalidInputError(f"proxy {proxy!r} needs class targets with the inputs; the batch has none")
        return self.targets

    def to(self, device: torch.device | str) -> DataBatch:
        return DataBatch(self.inputs.to(device), None if self.targets is None else self.targets.to(device))


def _from_pair(pair: Any, what: str) -> DataBatch:
    if len(pair) != 2:
        raise InvalidInputError(f"{what}: expected (inputs, targets), got {len(pair)} items")
    x, y = pair
    return DataBatch(torch.as_tensor(x), None if y is None else torch.as_tensor(y).long())


def as_batch(data: Any, seed: int = 0) -> DataBatch:
    """A :class:`DataBatch` from a batch, a tensor of inputs, an ``(inputs, targets)`` pair or a DataLoader.

    From a DataLoader (or any iterable of batches) the first batch is drawn with torch's generator seeded by
    ``seed`` (on a forked generator state, so the caller's is untouched).
    """
    if isinstance(data, DataBatch):
        return data
    if isinstance(data, torch.Tensor):
        return DataBatch(data)
    if isinstance(data, np.ndarray):
        return DataBatch(torch.from_numpy(data))
    if isinstance(data, (tuple, list)):
        return _from_pair(data, "data batch")
    if isinstance(data, (str, Path)):
        return load_batch(data)
    if isinstance(data, Iterable):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            try:
                first = next(iter(data))
            except StopIteration:
                raise InvalidInputError("the data loader yielded no batch") from None
        if isinstance(first, torch.Tensor):
            return DataBatch(first)
        return _from_pair(first, "first batch of the data loader")
    raise InvalidInputError(
        f"cannot read a data batch from {type(data).__name__}; expected a tensor, (inputs, targets), a DataLoader "
        "or a .pt/.npz path"
    )


def load_batch(path: str | Path) -> DataBatch:
    """Read a batch from a ``.pt`` or ``.npz`` file (see the module docstring for the layouts)."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path}: no such data batch file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".npz":
            with np.load(path, allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files}
            obj: Any = arrays
        elif suffix == ".pt":
            obj = torch.load(path, map_location="cpu", weights_only=True)
        else:
            raise DataFileError(f"{path}: unknown batch format {suffix!r}; expected .pt or .npz")
    except (OSError, ValueError, RuntimeError) as err:
        raise DataFileError(f"{path}: not a readable data batch ({err})") from err
    try:
        if isinstance(obj, dict):
            x = obj.get("inputs", obj.get("x"))
            y = obj.get("targets", obj.get("y"))
            if x is None:
                raise DataFileError(f"{path}: no 'inputs' (or 'x') entry; found {sorted(obj)}")
            return DataBatch(torch.as_tensor(x).float(), None if y is None else torch.as_tensor(y).long())
        if isinstance(obj, torch.Tensor):
            return DataBatch(obj.float())
        if isinstance(obj, (tuple, list)):
            return _from_pair(obj, str(path))
    except InvalidInputError as err:
        raise DataFileError(f"{path}: {err}") from err
    raise DataFileError(f"{path}: holds a {type(obj).__name__}; expected a tensor, (inputs, targets) or a dict")
