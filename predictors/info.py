"""Side information about a batch of architectures, beside their encodings: curves, proxies, context.

What a predictor's :class:`~naspred.predictors.requirements.Requirements` ask for is gathered into an
:class:`ArchInfo` (by the default ``initialize`` and ``query``, or by the caller of ``fit`` and
``predict``), one row per architecture, in the order of the architectures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from naspred.benchmarks.base import Curves
from naspred.errors import InvalidInputError
from naspred.oracles.oracle import LearningCurve
from naspred.predictors.requirements import Requirements
from naspred.spaces.base import SearchSpace


@dataclass(frozen=True)
class ArchInfo:
    """Per-architecture side information.

    - ``space``: the search space of the architectures.
    - ``higher_is_better``: the direction of the target that predictions are on.
    - ``target``: the name of the target metric (``"val_accuracy"``, ``"val_loss"``), ``None`` where unknown;
      predictors whose curve metric follows the benchmark read the target's own curve.
    - ``curves``: metric -> :class:`~naspred.benchmarks.base.Curves` (row ``i`` is architecture ``i``),
      partial learning curves up to the fidelity.
    - ``proxies``: proxy name -> one value per architecture.
    - ``unlabelled``: architectures without a target (for semi-supervised predictors; fit only).
    """

    space: SearchSpace | None = None
    higher_is_better: bool = True
    target: str | None = None
    curves: Mapping[str, Curves] = field(default_factory=dict)
    proxies: Mapping[str, np.ndarray] = field(default_factory=dict)
    unlabelled: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        proxies = {}
        for name, values in dict(self.proxies).items():
            arr = np.asarray(values, dtype=np.float64)
            if arr.ndim != 1:
                raise InvalidInputError(f"proxy {name!r} must hold one value per architecture, got shape {arr.shape}")
            if not np.isfinite(arr).all():
                raise InvalidInputError(f"proxy {name!r} has non-finite values; expected finite numbers")
            proxies[name] = arr
        curves = dict(self.curves)
        for metric, c in curves.items():
            if not isinstance(c, Curves):
                raise InvalidInputError(f"curves of {metric!r} must be a Curves, got {type(c).__name__}")
            if not np.isfinite(c.values).all():
                raise InvalidInputError(f"learning curves of {metric!r} have non-finite values; expected finite numbers")
        object.__setattr__(self, "proxies", proxies)
        object.__setattr__(self, "curves", curves)
        object.__setattr__(self, "unlabelled", tuple(self.unlabelled))

    @classmethod
    def from_results(
        cls,
        curves: Sequence[Mapping[str, LearningCurve]],
        metrics: Sequence[str],
        fidelity: int,
        **kwargs: Any,
    ) -> ArchInfo:
        """Stack per-architecture curves, cut at ``fidelity``, into one :class:`Curves` per metric.

        Every architecture must have the same recorded epochs of each metric up to ``fidelity``.
        """
        stacked: dict[str, Curves] = {}
        for metric in metrics:
            rows = []
            for i, per_arch in enumerate(curves):
                if metric not in per_arch:
                    raise InvalidInputError(
                        f"architecture at position {i} has no learning curve of {metric!r}; it has {sorted(per_arch)}"
                    )
                rows.append(per_arch[metric].up_to(fidelity))
            epochs = rows[0].epochs if rows else np.zeros(0, dtype=np.int64)
            if not len(epochs):
                raise InvalidInputError(
                    f"no epoch of {metric!r} is recorded at or before the fidelity of {fidelity} epochs"
                )
            for i, row in enumerate(rows):
                if not np.array_equal(row.epochs, epochs):
                    raise InvalidInputError(
                        f"learning curves of {metric!r} differ in recorded epochs: position 0 has "
                        f"{epochs.tolist()}, position {i} has {row.epochs.tolist()}"
                    )
            values = np.vstack([row.values for row in rows]) if rows else np.zeros((0, len(epochs)))
            stacked[metric] = Curves(epochs=epochs, values=values)
        return cls(curves=stacked, **kwargs)

    def check(self, n: int, requirements: Requirements, who: str) -> None:
        """Raise unless the info has what ``requirements`` ask for, one row per each of ``n`` architectures."""
        for name in requirements.proxies:
            if name not in self.proxies:
                raise InvalidInputError(f"{who} reads proxy {name!r}; info has proxies {sorted(self.proxies)}")
        for name, values in self.proxies.items():
            if len(values) != n:
                raise InvalidInputError(f"proxy {name!r} has {len(values)} values for {n} architectures")
        if requirements.uses_curves:
            if not self.curves:
                raise InvalidInputError(
                    f"{who} reads learning curves at {requirements.fidelity} epochs; info has none"
                )
            for metric in requirements.curve_metrics:
                if metric not in self.curves:
                    raise InvalidInputError(f"{who} reads curves of {metric!r}; info has {sorted(self.curves)}")
        for metric, c in self.curves.items():
            if c.values.shape[0] != n:
                raise InvalidInputError(f"curves of {metric!r} have {c.values.shape[0]} rows for {n} architectures")
            if requirements.fidelity is not None and c.length > requirements.fidelity:
                raise InvalidInputError(
                    f"curves of {metric!r} reach epoch {c.length}, past the fidelity of {requirements.fidelity} epochs"
                )

    def subset(self, index: Sequence[int] | np.ndarray) -> ArchInfo:
        """The rows ``index`` (for splitting a batch of architectures)."""
        idx = np.asarray(index, dtype=np.int64)
        return ArchInfo(
            space=self.space,
            higher_is_better=self.higher_is_better,
            target=self.target,
            curves={m: Curves(c.epochs, c.values[idx]) for m, c in self.curves.items()},
            proxies={k: v[idx] for k, v in self.proxies.items()},
            unlabelled=self.unlabelled,
        )
