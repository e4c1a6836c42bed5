"""MNIST-1D (Greydanus, 2020, "Scaling down deep learning", arXiv:2011.14439), generated locally.

The dataset is made by ``mnist1d.data.make_dataset`` from the package's built-in digit templates: no file is
read or downloaded (``mnist1d.get_dataset`` would download the published pickle by default, so it is not
used). Each example is a signal of 40 values, one of 10 classes. Generation seeds numpy's and Python's global
random generators; their states are restored afterwards. Datasets are cached per process by their arguments.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import Any

import numpy as np
import torch

from naspred.errors import InvalidInputError
from naspred.params import Constraint, Int, check

#: classes of MNIST-1D
NUM_CLASSES = 10


class PerClass(Constraint):
    """A number of signals MNIST-1D can draw: a positive multiple of :data:`NUM_CLASSES` (the same number per class)."""

    def accepts(self, value: Any) -> bool:
        return Int(NUM_CLASSES).accepts(value) and value % NUM_CLASSES == 0

    def __str__(self) -> str:
        return f"a positive multiple of {NUM_CLASSES} (MNIST-1D draws the same number per class)"


@dataclass(frozen=True)
class MNIST1D:
    """A generated MNIST-1D split: ``x_train`` ``(n_train, 1, length)`` float32, ``y_train`` int64 class indices,
    and the same for validation."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    seed: int

    @property
    def length(self) -> int:
        """Values per signal."""
        return int(self.x_train.shape[-1])

    @property
    def input_shape(self) -> tuple[int, int]:
        """The shape of one input, ``(1, length)``."""
        return (1, self.length)


def _import_mnist1d() -> ModuleType:
    try:
        from mnist1d import data
    except ImportError as err:
        raise InvalidInputError(
            "live mode on MNIST-1D needs the 'mnist1d' package: pip install 'naspred[live]' (or pip install mnist1d)"
        ) from err
    return data


@lru_cache(maxsize=4)
def load_mnist1d(n_train: int = 4000, n_val: int = 1000, seed: int = 42) -> MNIST1D:
    """Generate MNIST-1D with ``seed`` (the package default is 42): ``n_train`` training and ``n_val``
    validation signals, the package's default transformations otherwise; cached per process."""
    check("load_mnist1d", "n_train", n_train, PerClass())
    check("load_mnist1d", "n_val", n_val, PerClass())
    check("load_mnist1d", "seed", seed, Int())
    data = _import_mnist1d()
    args = data.get_dataset_args()
    total = n_train + n_val
    args.num_samples = total
    args.train_split = n_train / total
    args.seed = seed
    np_state, py_state = np.random.get_state(), random.getstate()
    try:
        raw = data.make_dataset(args)
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
    x_train = torch.as_tensor(np.asarray(raw["x"], dtype=np.float32)).unsqueeze(1)
    x_val = torch.as_tensor(np.asarray(raw["x_test"], dtype=np.float32)).unsqueeze(1)
    if x_train.shape[0] != n_train or x_val.shape[0] != n_val:
        raise InvalidInputError(
            f"MNIST-1D generated {x_train.shape[0]} training and {x_val.shape[0]} validation signals; "
            f"expected {n_train} and {n_val}"
        )
    return MNIST1D(
        x_train=x_train,
        y_train=torch.as_tensor(np.asarray(raw["y"], dtype=np.int64)),
        x_val=x_val,
        y_val=torch.as_tensor(np.asarray(raw["y_test"], dtype=np.int64)),
        seed=seed,
    )
