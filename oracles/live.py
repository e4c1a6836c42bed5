"""An oracle that really trains: it calls the user's training function and charges its wall time."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from naspred.errors import InvalidInputError, TrainingError
from naspred.oracles.oracle import LearningCurve, Oracle, TrainingResult
from naspred.spaces.base import SearchSpace

logger = logging.getLogger(__name__)

#: how many draws :meth:`LiveOracle.sample` may make per architecture it returns before giving up
MAX_DRAWS_PER_ARCH = 100

TrainFn = Callable[[Any, int], Mapping[str, Any]]


@dataclass(frozen=True)
class TrainingFailure:
    """An architecture whose training raised or returned a malformed curve."""

    arch: str
    epochs: int
    message: str


class LiveOracle(Oracle):
    """Trains architectures of ``space`` with ``train_fn(arch, epochs) -> {metric: [value per epoch]}``.

    Every call is charged its measured wall time (kind ``"train"``). ``train_fn`` must return, for each
    metric, one finite value per epoch 1..``epochs``, and the ``target`` metric when ``epochs ==
    full_epochs`` (its last value is the final result). A call that raises or returns anything else
    becomes a :class:`~naspred.errors.TrainingError` naming the architecture and is listed in
    :attr:`failures`; the default ``initialize`` of a predictor skips such an architecture. A failed run
    is charged like a completed one (its wall time, and the architecture and epochs it was asked for,
    so that a budget in units bounds the attempts). A training run
    is refused (:class:`~naspred.errors.BudgetExceeded`) only before it starts, when the budget is spent;
    a run that ends past the budget shows as overrun in the ledger.
    """

    cost_model = "measured wall time of train_fn"

    def __init__(
        self,
        space: SearchSpace,
        train_fn: TrainFn,
        *,
        full_epochs: int,
        target: str = "val_accuracy",
        higher_is_better: bool = True,
        hidden: Iterable[Any] = (),
        seed: int | None = None,
    ) -> None:
        if not callable(train_fn):
            raise InvalidInputError(f"train_fn must be callable as train_fn(arch, epochs), got {type(train_fn).__name__}")
        super().__init__(
            space, target=target, higher_is_better=higher_is_better, full_epochs=full_epochs, hidden=hidden, seed=seed
        )
        self.train_fn = train_fn
        self.failures: list[TrainingFailure] = []
        self._seen: set[Hashable] = set()

    def train(self, arch: Any, epochs: int) -> TrainingResult:
        arch = self.check_arch(arch)
        epochs = self.check_epochs(arch, epochs)
        text = self.space.format(arch)
        complete = epochs == self.full_epochs
        meter = self.meter
        meter.require_open(f"training {text}", archs=int(complete), epochs=epochs)
        self._seen.add(self.space.canonical(arch))
        with meter.timing("train", arch=text, archs=int(complete), epochs=epochs):
            try:
                raw = self.train_fn(arch, epochs)
            except Exception as err:  # noqa: BLE001 - any failure of user code is reported for this architecture only
                raw = err
        seconds = meter.charges[-1].seconds
        if isinstance(raw, Exception):
            self._fail(text, epochs, f"train_fn raised {type(raw).__name__}: {raw}", raw)
        curves = self._check_curves(raw, text, epochs)
        final = None
        if complete:
            if self.target not in curves:
                self._fail(text, epochs, f"trained to completion but returned no {self.target!r} curve; got {sorted(curves)}")
            final = float(curves[self.target].values[-1])
        return TrainingResult(arch, epochs, curves, final, seconds, complete)

    def _fail(self, text: str, epochs: int, message: str, cause: Exception | None = None) -> None:
        self.failures.append(TrainingFailure(text, epochs, message))
        logger.warning("training %s for %d epochs failed: %s", text, epochs, message)
        raise TrainingError(f"training {text} for {epochs} epochs failed: {message}") from cause

    def _check_curves(self, raw: Any, text: str, epochs: int) -> dict[str, LearningCurve]:
        if not isinstance(raw, Mapping) or not raw:
            self._fail(text, epochs, f"train_fn must return a non-empty dict of metric -> values, got {type(raw).__name__}")
        out = {}
        for metric, values in raw.items():
            try:
                arr = np.asarray(values, dtype=np.float64)
            except (TypeError, ValueError):
                self._fail(text, epochs, f"metric {metric!r} is not a list of numbers")
            if arr.ndim != 1 or len(arr) != epochs:
                self._fail(text, epochs, f"metric {metric!r} has shape {arr.shape}; expected {epochs} values, one per epoch")
            bad = np.flatnonzero(~np.isfinite(arr))
            if bad.size:
                self._fail(text, epochs, f"metric {metric!r} is not finite at epoch {int(bad[0]) + 1}: {arr[bad[0]]}")
            out[str(metric)] = LearningCurve(np.arange(1, epochs + 1), arr)
        return out

    def sample(self, n: int, rng: np.random.Generator | None = None, *, mark_seen: bool = True) -> list[Any]:
        n = self._check_n(n)
        rng = self.rng if rng is None else rng
        out = self.space.sample_distinct(
            n, rng, exclude=self._seen | self._hidden_keys, max_draws=MAX_DRAWS_PER_ARCH * max(n, 1)
        )
        if len(out) < n:
            raise InvalidInputError(
                f"drew only {len(out)} of {n} architectures of space {self.space.name!r} that are neither held out "
                f"nor seen, in {MAX_DRAWS_PER_ARCH * n} draws"
            )
        if mark_seen:
            self._seen.update(self.space.canonical(arch) for arch in out)
        return out
