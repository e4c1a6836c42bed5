"""The oracle: the only way a predictor obtains training results, each charged to a budget.

In the OMNI framing (White et al., NeurIPS 2021) a predictor may train architectures to completion
during initialization and partially train the architectures it is queried on. An :class:`Oracle`
serves both, charges their cost to the active :class:`~naspred.oracles.budget.BudgetMeter`, and
never reveals the ground truth of held-out (hidden) architectures: training one of them to
completion raises :class:`~naspred.errors.HiddenGroundTruthError`, while its partial learning curve,
short of the final epoch, is available (that is what query-time training reads).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from naspred.errors import HiddenGroundTruthError, InvalidInputError, UnknownNameError
from naspred.oracles.budget import Budget, BudgetMeter
from naspred.spaces.base import SearchSpace


@dataclass(frozen=True)
class LearningCurve:
    """One metric of one architecture: ``values[k]`` after the 1-based epoch ``epochs[k]``."""

    epochs: np.ndarray
    values: np.ndarray

    def __post_init__(self) -> None:
        epochs = np.asarray(self.epochs, dtype=np.int64)
        values = np.asarray(self.values, dtype=np.float64)
        if epochs.ndim != 1 or values.shape != epochs.shape:
            raise InvalidInputError(f"a learning curve needs equal 1-D epochs and values, got {epochs.shape} and {values.shape}")
        if len(epochs) and (epochs[0] < 1 or (np.diff(epochs) <= 0).any()):
            raise InvalidInputError(f"learning-curve epochs must be increasing and >= 1, got {epochs.tolist()}")
        if not np.isfinite(values).all():
            raise InvalidInputError("learning-curve values must be finite")
        epochs.setflags(write=False)
        values.setflags(write=False)
        object.__setattr__(self, "epochs", epochs)
        object.__setattr__(self, "values", values)

    def __len__(self) -> int:
        return len(self.epochs)

    def up_to(self, epochs: int) -> LearningCurve:
        """The points recorded at or before ``epochs``."""
        keep = self.epochs <= epochs
        return LearningCurve(self.epochs[keep], self.values[keep])


@dataclass(frozen=True)
class TrainingResult:
    """What training ``arch`` for ``epochs`` epochs yields.

    ``curves`` maps each recorded metric to its curve up to ``epochs``; ``final`` is the target, given
    only when the architecture was trained to completion (``complete``); ``seconds`` is the cost charged.
    """

    arch: Any
    epochs: int
    curves: dict[str, LearningCurve]
    final: float | None
    seconds: float
    complete: bool


class Oracle(ABC):
    """Serves training results of architectures of ``space`` and charges them to the active meter.

    ``hidden`` architectures (the test set) are compared by ``space.canonical``: an architecture
    isomorphic to a hidden one is hidden too. ``seed`` seeds :attr:`rng`, used by :meth:`sample`
    when no generator is passed. Charges made outside :meth:`metered` go to an unlimited ledger
    (phase ``"unmetered"``); every ledger is kept in :attr:`meters`. ``cost_model`` says how the
    cost of training is obtained.
    """

    cost_model: str = ""

    def __init__(
        self,
        space: SearchSpace,
        *,
        target: str,
        higher_is_better: bool,
        full_epochs: int,
        hidden: Iterable[Any] = (),
        seed: int | None = None,
    ) -> None:
        if isinstance(full_epochs, bool) or not isinstance(full_epochs, (int, np.integer)) or full_epochs < 1:
            raise InvalidInputError(f"full_epochs must be a positive number of epochs, got {full_epochs!r}")
        self.space = space
        self.target = target
        self.higher_is_better = bool(higher_is_better)
        self.full_epochs = int(full_epochs)
        self.rng = np.random.default_rng(seed)
        self.hidden: tuple[Any, ...] = tuple(self.space.validate_many([self._as_arch(a) for a in hidden]))
        self._hidden_keys: set[Hashable] = {self.space.canonical(a) for a in self.hidden}
        self._active: BudgetMeter | None = None
        self._unmetered = BudgetMeter(Budget(), phase="unmetered")
        self.meters: list[BudgetMeter] = [self._unmetered]

    # -- budgets -------------------------------------------------------------------------------
    @property
    def meter(self) -> BudgetMeter:
        """The meter charges go to now: the active one, else the unlimited ``"unmetered"`` ledger."""
        return self._active if self._active is not None else self._unmetered

    @contextmanager
    def metered(self, budget: Budget, phase: str, n_archs: int | None = None) -> Iterator[BudgetMeter]:
        """Charge everything inside the block to a new meter of ``budget``; inside an open block, join it."""
        if self._active is not None:
            yield self._active
            return
        meter = BudgetMeter(budget, phase=phase, n_archs=n_archs)
        self._active = meter
        try:
            yield meter
        finally:
            self._active = None
            self.meters.append(meter)

    # -- architectures -------------------------------------------------------------------------
    def _as_arch(self, arch: Any) -> Any:
        return self.space.parse(arch) if isinstance(arch, str) else arch

    def check_arch(self, arch: Any) -> Any:
        """``arch`` validated in this oracle's space (text is parsed)."""
        return self.space.validate(self._as_arch(arch))

    def is_hidden(self, arch: Any) -> bool:
        """Whether ``arch`` is (isomorphic to) a held-out architecture."""
        return self.space.canonical(self.check_arch(arch)) in self._hidden_keys

    def check_epochs(self, arch: Any, epochs: int) -> int:
        """Validate a training request; training a hidden architecture to completion raises."""
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or not 1 <= epochs <= self.full_epochs:
            raise InvalidInputError(f"epochs must be an integer in [1, {self.full_epochs}], got {epochs!r}")
        if epochs == self.full_epochs and self.is_hidden(arch):
            raise HiddenGroundTruthError(
                f"architecture {self.space.format(self.check_arch(arch))} is held out: its result after the full "
                f"{self.full_epochs} epochs is not available through this oracle; train it for at most "
                f"{self.full_epochs - 1} epochs"
            )
        return int(epochs)

    # -- the oracle ----------------------------------------------------------------------------
    @abstractmethod
    def train(self, arch: Any, epochs: int) -> TrainingResult:
        """Train ``arch`` for ``epochs`` epochs, charging the cost to :attr:`meter`."""

    @abstractmethod
    def sample(self, n: int, rng: np.random.Generator | None = None, *, mark_seen: bool = True) -> list[Any]:
        """Draw ``n`` distinct architectures that are neither hidden nor seen before.

        With ``mark_seen`` (the default) they count as seen and are not drawn again; without it they are
        unlabelled architectures that a later call may draw again.
        """

    def remaining(self) -> int | None:
        """How many architectures :meth:`sample` can still draw, or ``None`` where not counted."""
        return None

    @property
    def recorded_curves(self) -> tuple[str, ...] | None:
        """The learning-curve metrics :meth:`train` returns, or ``None`` where not known before training."""
        return None

    @property
    def available_proxies(self) -> tuple[str, ...]:
        """Names of the precomputed proxies :meth:`proxies` serves."""
        return ()

    def proxies(self, archs: Sequence[Any], names: Iterable[str]) -> dict[str, np.ndarray]:
        """Precomputed zero-cost proxies of ``archs``, charging their recorded compute time."""
        names = list(names)
        raise UnknownNameError(
            f"{type(self).__name__} serves no precomputed proxies; asked for {names}, available: "
            f"{list(self.available_proxies)}"
        )

    def ledger(self) -> list[dict[str, Any]]:
        """The summary of every meter, in the order they were closed (the unmetered one first)."""
        return [m.summary() for m in self.meters]

    @staticmethod
    def _check_n(n: int) -> int:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise InvalidInputError(f"the number of architectures to sample must be an integer >= 0, got {n!r}")
        return int(n)
