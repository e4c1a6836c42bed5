"""Common ground of the PyTorch predictors: device choice, seeded training, standardised targets, parameters.

Every neural predictor (MLP and BANANAS, GCN and BONAS, DNGO and BOHAMIANN, NAO and SemiNAS) is a
:class:`NeuralPredictor`: it trains on targets standardised to zero mean and unit variance (as NASLib's
neural predictors do, with :class:`~naspred.predictors.standardised.TargetScaler`) and maps its outputs back
to the target's scale. Its parameters are checked from one table per class (``constraints``: parameter ->
check), which starts from the training block the predictors trained by epochs of Adam share
(:data:`TRAINING`: ``epochs``, ``batch_size``, ``max_steps``, ``lr``; ``random_state`` and ``device`` are
checked when the fit draws its seed and resolves its device). Training runs inside
:func:`seeded_torch`, which seeds PyTorch for the duration of the fit only and restores the global random
state afterwards, so that ``random_state`` makes a fit reproducible without touching global state.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import torch
from naspred.errors import InvalidInputError
from naspred.predictors.base import Predictor
from naspred.predictors.info import ArchInfo
from naspred.predictors.standardised import TargetScaler


def resolve_device(device: Any, who: str) -> torch.device:
    """``device`` as a ``torch.device``; CUDA only when asked for and available."""
    if isinstance(device, torch.device):
        resolved = device
    elif isinstance(device, str):
        try:
            resolved = torch.device(device)
        except RuntimeError:
            raise InvalidInputError(f"{who}: device={device!r} is not a device; expected 'cpu' or 'cuda[:N]'") from None
    else:
        raise InvalidInputError(f"{who}: device must be 'cpu' or 'cuda[:N]', got {type(device).__name__}")
    if resolved.type not in ("cpu", "cuda"):
        raise InvalidInputError(f"{who}: device {device!r} is not supported; expected 'cpu' or 'cuda[:N]'")
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


def draw_seed(random_state: Any, who: str) -> int:
    """A 31-bit seed from ``random_state`` (an int >= 0, or None for a fresh one)."""
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0] >> 1)
    if isinstance(random_state, bool) or not isinstance(random_state, Integral) or random_state < 0:
        raise InvalidInputError(f"{who}: random_state must be an integer >= 0 or None, got {random_state!r}")
    return int(random_state) % (2**31)


@contextmanager
def seeded_torch(seed: int, device: torch.device) -> Iterator[None]:
    """Seed PyTorch's generators for the block; the global random state is restored on exit."""
    devices = []
    if device.type == "cuda":
        devices = [device.index if device.index is not None else torch.cuda.current_device()]
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def check_count(value: Any, name: str, who: str, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise InvalidInputError(f"{who}: {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_positive(value: Any, name: str, who: str, allow_zero: bool = False) -> float:
    """``value`` as a finite float > 0 (or >= 0 with ``allow_zero``)."""
    ok = isinstance(value, Real) and not isinstance(value, bool) and np.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise InvalidInputError(f"{who}: {name} must be a finite number {bound}, got {value!r}")
    return float(value)


def check_fraction(value: Any, name: str, who: str) -> float:
    """``value`` as a float in [0, 1)."""
    ok = isinstance(value, Real) and not isinstance(value, bool) and 0 <= value < 1
    if not ok:
        raise InvalidInputError(f"{who}: {name} must be a number in [0, 1), got {value!r}")
    return float(value)


def check_choice(value: Any, name: str, choices: tuple[str, ...], who: str) -> str:
    """``value`` if it is one of ``choices``."""
    if value not in choices:
        raise InvalidInputError(f"{who}: {name}={value!r}; expected one of {list(choices)}")
    return value


def check_optional_count(value: Any, name: str, who: str) -> int | None:
    """``value`` as an int >= 1, or None."""
    return None if value is None else check_count(value, name, who)


#: a parameter check: ``check(value, name, who)`` returns the value or raises :class:`InvalidInputError`
Check = Callable[[Any, str, str], Any]


def count(minimum: int = 1) -> Check:
    """The check of an int >= ``minimum``."""
    return lambda value, name, who: check_count(value, name, who, minimum)


def positive(allow_zero: bool = False) -> Check:
    """The check of a finite float > 0 (>= 0 with ``allow_zero``)."""
    return lambda value, name, who: check_positive(value, name, who, allow_zero)


def choice(choices: tuple[str, ...]) -> Check:
    """The check of one of ``choices``."""
    return lambda value, name, who: check_choice(value, name, choices, who)


#: the training parameters of the predictors trained by epochs of Adam on minibatches
TRAINING: dict[str, Check] = {
    "epochs": count(),
    "batch_size": count(),
    "max_steps": check_optional_count,
    "lr": positive(),
}


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


class NeuralPredictor(Predictor):
    """A PyTorch predictor trained on standardised targets, seeded by ``random_state``, on ``device``.

    Subclasses store their constructor's arguments with ``Predictor._store`` (``random_state`` and ``device``
    among them), state the check of each other parameter in ``constraints``, and implement :meth:`_train`
    (on targets of zero mean and unit variance) and :meth:`_infer` (mean and, where the model has one,
    standard deviation, both on the standardised scale). ``scaler_`` keeps the fitted target scaling.
    """

    random_state: int | None
    device: str
    #: parameter -> check, run in this order by :meth:`_check_params` before every fit
    constraints: ClassVar[dict[str, Check]] = {}

    def _check_params(self) -> None:
        """Raise :class:`InvalidInputError` naming any malformed parameter."""
        for name, check in self.constraints.items():
            check(getattr(self, name), name, self._name)

    @abstractmethod
    def _train(self, archs: list[Any], z: np.ndarray, info: ArchInfo, rng: np.random.Generator) -> None:
        """Fit the model on standardised targets ``z``; ``rng`` drives batching and sampling."""

    @abstractmethod
    def _infer(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray | None]:
        """Standardised mean and standard deviation (``None`` without one) of each architecture."""

    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        self._check_params()
        who = f"{self._name}.fit"
        self.device_ = resolve_device(self.device, who)
        seed = draw_seed(self.random_state, who)
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
