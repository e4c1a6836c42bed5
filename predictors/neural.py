"""Common ground of the PyTorch predictors: device choice, seeded training, standardised targets, parameters.

Every neural predictor (MLP and BANANAS, GCN and BONAS, DNGO and BOHAMIANN, NAO and SemiNAS) is a
:class:`NeuralPredictor`: it trains on targets standardised to zero mean and unit variance (as NASLib's
neural predictors do, with :class:`~naspred.predictors.standardised.TargetScaler`) and maps its outputs back
to the target's scale. :class:`NeuralPredictor` declares, once, the parameters all of them have
(``batch_size``, ``random_state``, ``device``) and :class:`EpochTrained` the training block of those trained
by epochs of Adam on minibatches (``epochs``, ``max_steps``, ``lr``; all but BOHAMIANN, which samples); each
predictor declares its own parameters and changes these defaults (:func:`naspred.params.param`). Training runs
inside :func:`~naspred.torch_tools.seeded_torch`, which seeds PyTorch for the duration of the fit only and restores the global
random state afterwards, so that ``random_state`` makes a fit reproducible without touching global state.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import torch
from naspred.errors import InvalidInputError
from naspred.featurizers import get as get_featurizer
from naspred.params import SEED, Constraint, Int, Real, optional, param
from naspred.predictors.augmented import IsomorphAugmented
from naspred.predictors.encoded import ENCODING
from naspred.predictors.info import ArchInfo
from naspred.predictors.requirements import Requirements
from naspred.predictors.standardised import TargetScaler
from naspred.torch_tools import seeded_torch

#: the device types the neural predictors run on
DEVICE_TYPES = ("cpu", "cuda")


class Device(Constraint):
    """A CPU or CUDA device: a ``torch.device`` or its name (``"cpu"``, ``"cuda"``, ``"cuda:N"``).

    Whether CUDA is available is checked when a fit resolves the device (:func:`resolve_device`).
    """

    def accepts(self, value: Any) -> bool:
        if isinstance(value, str):
            try:
                value = torch.device(value)
            except RuntimeError:  # not a device name
                return False
        return isinstance(value, torch.device) and value.type in DEVICE_TYPES

    def __str__(self) -> str:
        return "'cpu', 'cuda' or 'cuda:N' (a str or a torch.device)"


def resolve_device(device: str | torch.device, who: str) -> torch.device:
    """``device`` (accepted by :class:`Device`) as a ``torch.device``; CUDA only when it is available."""
    resolved = torch.device(device)
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise InvalidInputError(
                f"{who}: device={device!r} was asked for but CUDA is not available; use device='cpu'"
            )
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise InvalidInputError(
                f"{who}: device={device!r} but only {torch.cuda.device_count()} CUDA device(s) are visible"
            )
    return resolved


def draw_seed(random_state: int | None) -> int:
    """A 31-bit seed from ``random_state`` (checked by :data:`naspred.params.SEED`; None draws a fresh one)."""
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0] >> 1)
    return int(random_state) % (2**31)


def minibatches(n: int, batch_size: int, rng: np.random.Generator, drop_last: bool = False) -> list[np.ndarray]:
    """A random permutation of ``range(n)`` cut into batches of ``batch_size`` (the last may be shorter)."""
    order = rng.permutation(n)
    size = min(batch_size, n)
    stop = n - n % size if drop_last else n
    return [order[i : i + size] for i in range(0, stop, size)]


def count_steps(n: int, batch_size: int, epochs: int, max_steps: int | None, drop_last: bool = False) -> int:
    """Gradient steps of ``epochs`` passes over ``n`` items in batches of ``batch_size``, at most ``max_steps``."""
    size = min(batch_size, n)
    per_epoch = n // size if drop_last else -(-n // size)
    total = epochs * per_epoch
    return total if max_steps is None else min(total, max_steps)


def epoch_batches(
    n: int, batch_size: int, steps: int, rng: np.random.Generator, drop_last: bool = False
) -> Iterator[np.ndarray]:
    """``steps`` minibatches: passes over ``range(n)``, each a new permutation, the last pass cut short."""
    done = 0
    while done < steps:
        for batch in minibatches(n, batch_size, rng, drop_last=drop_last):
            if done == steps:
                return
            done += 1
            yield batch


def adam(params: Iterable[torch.Tensor], lr: float, **options: Any) -> torch.optim.Adam:
    """Adam with PyTorch's fused kernel: one call updates every parameter (the same update rule)."""
    return torch.optim.Adam(params, lr=lr, fused=True, **options)


class NeuralPredictor(IsomorphAugmented):
    """A PyTorch predictor trained on standardised targets, seeded by ``random_state``, on ``device``.

    Subclasses declare their own parameters (and change the defaults below with ``param(new_default)``) and
    implement :meth:`_train` (on targets of zero mean and unit variance) and :meth:`_infer` (mean and, where
    the model has one, standard deviation, both on the standardised scale). ``scaler_`` keeps the fitted
    target scaling, ``device_`` the device trained on.

    Parameters
    ----------
    batch_size : int
        Architectures per minibatch (>= 1).
    random_state : int or None
        Seed of the initialisation, the batch order and any sampling; None draws a fresh seed at each fit.
    device : str or torch.device
        ``"cpu"``, ``"cuda"`` or ``"cuda:N"`` (CUDA must be available when the predictor fits).
    augment, predict_isomorphs, max_isomorphs
        Training on, and averaging over, isomorphs (:class:`~naspred.predictors.augmented.IsomorphAugmented`).
    """

    batch_size: int = param(32, Int(1))
    random_state: int | None = param(None, SEED)
    device: str | torch.device = param("cpu", Device())

    @abstractmethod
    def _train(self, archs: list[Any], z: np.ndarray, info: ArchInfo, rng: np.random.Generator) -> None:
        """Fit the model on standardised targets ``z``; ``rng`` drives batching and sampling."""

    @abstractmethod
    def _infer(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray | None]:
        """Standardised mean and standard deviation (``None`` without one) of each architecture."""

    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        self.device_ = resolve_device(self.device, f"{self._name}.fit")
        seed = draw_seed(self.random_state)
        self.scaler_ = TargetScaler.fit(y)
        with seeded_torch(seed, self.device_):
            self._train(archs, self.scaler_.transform(y), info, np.random.default_rng(seed))

    def _standardised(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray | None]:
        with torch.no_grad():
            mean, std = self._infer(archs, info)
        return self.scaler_.inverse_mean(mean), None if std is None else self.scaler_.inverse_std(std)

    def _predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        return self._standardised(archs, info)[0]

    def _predict_dist(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray]:
        mean, std = self._standardised(archs, info)
        if std is None:
            raise NotImplementedError(f"{self._name} has no predictive distribution")
        return mean, std


class EpochTrained(NeuralPredictor):
    """A :class:`NeuralPredictor` trained by epochs of Adam on minibatches.

    Parameters
    ----------
    epochs : int
        Passes over the training architectures (>= 1).
    max_steps : int or None
        Gradient steps at the most (>= 1), when the epochs would take more; None: no limit.
    lr : float
        Adam's learning rate (> 0).
    batch_size, random_state, device, augment, predict_isomorphs, max_isomorphs
        As :class:`NeuralPredictor`.
    """

    epochs: int = param(100, Int(1))
    max_steps: int | None = param(None, optional(Int(1)))
    lr: float = param(1e-3, Real(0.0, closed="neither"))


class OnEncoding:
    """A mixin of the predictors that read one flat encoding of each architecture: the featurizer named by
    ``encoding`` (which the predictor declares)."""

    encoding: str

    @property
    def requirements(self) -> Requirements:
        return Requirements(featurizers=(self.encoding,), labelled=True, encoding=True)

    def _encode(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        return np.asarray(get_featurizer(self.encoding, space=info.space).transform(archs), dtype=np.float32)
