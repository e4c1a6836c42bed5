"""Data batches for the data-dependent proxies: a tensor, an ``(inputs, targets)`` pair, a DataLoader, or a file.

Files: ``.pt`` (``torch.save`` of a tensor, an ``(inputs, targets)`` tuple or a dict with ``inputs`` /
``targets``, read with ``weights_only=True``) and ``.npz`` (arrays ``inputs`` and optionally ``targets``;
``x`` / ``y`` are read too). Inputs are ``(N, ...)`` floats (images: ``(N, C, H, W)``); targets ``N`` class
indices.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from naspred.errors import DataFileError, InvalidInputError


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
