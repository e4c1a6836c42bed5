"""The output of a predictor: a mean per architecture and, where the model has one, a standard deviation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from naspred.errors import InvalidInputError


def _vector(value: object, what: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InvalidInputError(f"prediction {what} must be numeric, got {type(value).__name__}: {err}") from None
    if arr.ndim != 1:
        raise InvalidInputError(f"prediction {what} must be one value per architecture (1-D), got shape {arr.shape}")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise InvalidInputError(
            f"prediction {what} must be finite; {bad.size} value(s) are not, first at position {int(bad[0])}: "
            f"{arr[bad[0]]}"
        )
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True)
class Prediction:
    """Predicted target of each queried architecture (on the target's own scale and direction).

    ``std`` is the model's predictive standard deviation (for acquisition functions in Bayesian
    optimisation), or ``None`` where the model has none. Both arrays are read-only float64.
    """

    mean: np.ndarray
    std: np.ndarray | None = None

    def __post_init__(self) -> None:
        mean = _vector(self.mean, "mean")
        object.__setattr__(self, "mean", mean)
        if self.std is not None:
            std = _vector(self.std, "std")
            if len(std) != len(mean):
                raise InvalidInputError(f"prediction std has {len(std)} values, mean has {len(mean)}; expected equal")
            if (std < 0).any():
                raise InvalidInputError(f"prediction std must be >= 0, got minimum {std.min()}")
            object.__setattr__(self, "std", std)

    def __len__(self) -> int:
        return len(self.mean)

    @property
    def has_std(self) -> bool:
        """Whether a standard deviation is given."""
        return self.std is not None
