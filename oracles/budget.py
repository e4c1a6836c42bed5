"""Budgets of the initialization and query phases, and the meter that keeps their ledger.

A :class:`Budget` limits what a phase of a predictor may spend (White et al., NeurIPS 2021, define
predictors by their initialization-time and query-time budgets). It is given in seconds (simulated
training time charged by an oracle plus measured wall time of fitting, featurizing and predicting),
in units (architectures trained to completion, epochs of training, as in NASLib's grids), or both;
every limit that is set applies.

A :class:`BudgetMeter` is the ledger of one phase. Charges whose cost is known in advance (simulated
training, precomputed proxies) are checked first and refused with :class:`BudgetExceeded` when they
would cross a limit: that is where a predictor is stopped. Measured wall time cannot be refused after
the fact; it is recorded as spent, and any amount past a limit is reported as overrun, never hidden.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from naspred.errors import BudgetExceeded, InvalidInputError

#: kinds of charge a meter records
SIMULATED_KINDS = ("train", "proxy")
MEASURED_KINDS = ("train", "fit", "featurize", "predict")


def _limit(value: Any, what: str, integer: bool) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidInputError(f"budget {what} must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"budget {what} must be a number, got {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise InvalidInputError(f"budget {what} must be finite and >= 0, got {value!r}")
    if integer:
        if number != int(number):
            raise InvalidInputError(f"budget {what} must be a whole number, got {value!r}")
        return int(number)
    return number


@dataclass(frozen=True)
class Budget:
    """A limit on what one phase may spend; ``None`` leaves a resource unlimited.

    - ``seconds``: simulated training and proxy seconds plus, when ``count_wall``, the measured wall
      seconds of fit, featurize and predict.
    - ``archs``: architectures trained to completion.
    - ``epochs``: epochs of training, partial or complete.
    - ``per_arch``: the limits apply to each queried architecture (a query budget); the meter of a
      query of ``n`` architectures allows ``n`` times each limit.

    Negative or non-finite limits are refused. A limit of zero is allowed: it is the query budget of a
    predictor that spends nothing at query time (a model-based one). A predictor that must spend in a
    phase refuses a zero budget with a clear error. With ``seconds=0`` and ``count_wall`` the wall time of
    predicting is still measured and shows as overrun; a units budget (``Budget(epochs=0)``) counts no
    wall time.
    """

    seconds: float | None = None
    archs: int | None = None
    epochs: int | None = None
    per_arch: bool = False
    count_wall: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "seconds", _limit(self.seconds, "seconds", integer=False))
        object.__setattr__(self, "archs", _limit(self.archs, "archs", integer=True))
        object.__setattr__(self, "epochs", _limit(self.epochs, "epochs", integer=True))

    @classmethod
    def unlimited(cls) -> Budget:
        """A budget with no limit (for direct use of an oracle outside a harness)."""
        return cls()

    @property
    def limits(self) -> dict[str, float]:
        """The limits that are set, by resource."""
        out = {"seconds": self.seconds, "archs": self.archs, "epochs": self.epochs}
        return {k: v for k, v in out.items() if v is not None}

    @property
    def is_unlimited(self) -> bool:
        """Whether no limit is set."""
        return not self.limits

    @property
    def is_zero(self) -> bool:
        """Whether limits are set and every one of them is zero: nothing may be spent."""
        return bool(self.limits) and all(v == 0 for v in self.limits.values())

    @property
    def allows_full_training(self) -> bool:
        """Whether the limits leave room for at least some training to completion."""
        return all(self.limits.get(k, 1) > 0 for k in ("seconds", "archs", "epochs"))

    @property
    def allows_training(self) -> bool:
        """Whether the limits leave room for at least some (partial) training."""
        return all(self.limits.get(k, 1) > 0 for k in ("seconds", "epochs"))

    def total(self, n_archs: int | None = None) -> Budget:
        """The budget of a whole phase: per-architecture limits times ``n_archs``."""
        if not self.per_arch:
            return self
        if n_archs is None or isinstance(n_archs, bool) or int(n_archs) != n_archs or n_archs < 1:
            raise InvalidInputError(
                f"a per-architecture budget needs the number of queried architectures (>= 1), got {n_archs!r}"
            )
        return Budget(
            seconds=None if self.seconds is None else self.seconds * n_archs,
            archs=None if self.archs is None else self.archs * n_archs,
            epochs=None if self.epochs is None else self.epochs * n_archs,
            per_arch=False,
            count_wall=self.count_wall,
        )

    def describe(self) -> str:
        """Human-readable limits, e.g. ``"3600 s, 50 archs"``."""
        if self.is_unlimited:
            return "unlimited"
        units = {"seconds": "s", "archs": "archs", "epochs": "epochs"}
        text = ", ".join(f"{v:g} {units[k]}" for k, v in self.limits.items())
        if self.per_arch:
            text += " per architecture"
        if self.seconds is not None and not self.count_wall:
            text += " (wall time not counted)"
        return text


@dataclass(frozen=True)
class Charge:
    """One entry of a ledger. ``measured``: wall-clock time; otherwise simulated (recorded) cost."""

    phase: str
    kind: str
    seconds: float
    archs: int = 0
    epochs: int = 0
    measured: bool = False
    arch: str | None = None


@dataclass
class BudgetMeter:
    """The ledger of one phase under one budget (per-architecture budgets scaled by ``n_archs``)."""

    budget: Budget
    phase: str = "init"
    n_archs: int | None = None
    charges: list[Charge] = field(default_factory=list)
    refused: list[Charge] = field(default_factory=list)
    _timers: list[float] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.budget, Budget):
            raise InvalidInputError(f"expected a Budget, got {type(self.budget).__name__}")
        self.limit = self.budget.total(self.n_archs)

    # -- what has been spent -------------------------------------------------------------------
    def _counted_seconds(self, charge: Charge) -> float:
        if charge.measured and charge.kind != "train" and not self.limit.count_wall:
            return 0.0
        return charge.seconds

    @property
    def spent(self) -> dict[str, float]:
        """Spent per resource: counted ``seconds``, ``archs`` trained to completion, ``epochs``.

        The ledger only grows, so the sums are extended by the charges added since the last call
        (in the same order, hence the same floating-point result) instead of recomputed.
        """
        cache = getattr(self, "_spent_cache", None)
        if cache is None or cache[0] is not self.charges or cache[1] > len(self.charges):
            cache = (self.charges, 0, 0, 0, 0)
        charges, done, seconds, archs, epochs = cache
        for c in charges[done:]:
            seconds += self._counted_seconds(c)
            archs += c.archs
            epochs += c.epochs
        self._spent_cache = (charges, len(charges), seconds, archs, epochs)
        return {"seconds": seconds, "archs": archs, "epochs": epochs}

    def seconds_by_kind(self) -> dict[str, float]:
        """Seconds per kind of charge, simulated and measured kept apart (``"train"``, ``"fit (wall)"``...)."""
        out: dict[str, float] = {}
        for c in self.charges:
            key = f"{c.kind} (wall)" if c.measured else c.kind
            out[key] = out.get(key, 0.0) + c.seconds
        return out

    @property
    def remaining(self) -> dict[str, float]:
        """What is left of each limited resource (negative after an overrun)."""
        spent = self.spent
        return {k: v - spent[k] for k, v in self.limit.limits.items()}

    @property
    def overrun(self) -> dict[str, float]:
        """Amount spent past each limit, for the resources that were overrun."""
        return {k: -v for k, v in self.remaining.items() if v < 0}

    @property
    def exhausted(self) -> bool:
        """Whether some limited resource has nothing left."""
        return any(v <= 0 for v in self.remaining.values())

    # -- charging ----------------------------------------------------------------------------------
    def shortfall(self, seconds: float = 0.0, archs: int = 0, epochs: int = 0) -> str | None:
        """Why a charge would cross a limit, or ``None`` if it fits."""
        want = {"seconds": seconds, "archs": archs, "epochs": epochs}
        for resource, left in self.remaining.items():
            if want[resource] > 0 and want[resource] > left + 1e-9 * max(1.0, abs(left)):
                return f"it costs {want[resource]:g} {resource}, {max(left, 0.0):g} of {self.limit.limits[resource]:g} left"
        return None

    def charge(
        self, kind: str, seconds: float, archs: int = 0, epochs: int = 0, arch: str | None = None
    ) -> Charge:
        """Charge a simulated cost known in advance; refuse it with :class:`BudgetExceeded` if it does not fit."""
        entry = self._entry(kind, seconds, archs, epochs, arch, measured=False, kinds=SIMULATED_KINDS)
        reason = self.shortfall(seconds, archs, epochs)
        if reason is not None:
            self.refused.append(entry)
            what = f"{kind} of {arch}" if arch else kind
            raise BudgetExceeded(f"{self.phase} budget ({self.limit.describe()}) refuses {what}: {reason}", self)
        self.charges.append(entry)
        return entry

    def require_open(self, what: str, archs: int = 0, epochs: int = 0) -> None:
        """Refuse to start a measured spend (live training) when the budget is already spent."""
        reason = self.shortfall(0.0, archs, epochs)
        seconds_left = self.remaining.get("seconds")
        if reason is None and seconds_left is not None and seconds_left <= 0:
            reason = f"its seconds are spent ({seconds_left:g} left)"
        if reason is not None:
            self.refused.append(Charge(self.phase, "train", 0.0, archs, epochs, True, what))
            raise BudgetExceeded(f"{self.phase} budget ({self.limit.describe()}) refuses {what}: {reason}", self)

    def record(
        self, kind: str, seconds: float, archs: int = 0, epochs: int = 0, arch: str | None = None
    ) -> Charge:
        """Record measured wall time after the fact; anything past a limit shows in :attr:`overrun`."""
        entry = self._entry(kind, seconds, archs, epochs, arch, measured=True, kinds=MEASURED_KINDS)
        self.charges.append(entry)
        return entry

    @contextmanager
    def timing(self, kind: str, arch: str | None = None, archs: int = 0, epochs: int = 0) -> Iterator[None]:
        """Measure the wall time of a block and record it; time of nested blocks is not counted twice."""
        self._entry(kind, 0.0, archs, epochs, arch, measured=True, kinds=MEASURED_KINDS)
        start = time.perf_counter()
        self._timers.append(0.0)
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            inner = self._timers.pop()
            if self._timers:
                self._timers[-1] += elapsed
            self.record(kind, max(elapsed - inner, 0.0), archs, epochs, arch)

    def _entry(
        self, kind: str, seconds: float, archs: int, epochs: int, arch: str | None, measured: bool,
        kinds: tuple[str, ...],
    ) -> Charge:
        if kind not in kinds:
            raise InvalidInputError(f"unknown {'measured' if measured else 'simulated'} charge {kind!r}; expected one of {list(kinds)}")
        seconds = float(seconds)
        if not math.isfinite(seconds) or seconds < 0:
            raise InvalidInputError(f"a {kind} charge must be finite seconds >= 0, got {seconds!r}")
        for name, value in (("archs", archs), ("epochs", epochs)):
            if isinstance(value, bool) or int(value) != value or value < 0:
                raise InvalidInputError(f"a {kind} charge must count {name} as an integer >= 0, got {value!r}")
        return Charge(self.phase, kind, seconds, int(archs), int(epochs), measured, arch)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready account of the phase: limits, spending by kind, overrun and refusals."""
        spent = self.spent
        return {
            "phase": self.phase,
            "budget": self.limit.describe(),
            "limits": dict(self.limit.limits),
            "spent_seconds": spent["seconds"],
            "simulated_seconds": sum(c.seconds for c in self.charges if not c.measured),
            "wall_seconds": sum(c.seconds for c in self.charges if c.measured),
            "archs_trained": spent["archs"],
            "epochs_trained": spent["epochs"],
            "seconds_by_kind": self.seconds_by_kind(),
            "overrun": self.overrun,
            "refused": len(self.refused),
        }
