"""Checks of predictor hyperparameters, run when a model is built (constructors store parameters only).

Each check returns the value in its canonical type or raises :class:`~naspred.errors.InvalidInputError`
naming the predictor, the parameter, the value given and the range expected.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from naspred.errors import InvalidInputError


def check_int(owner: str, name: str, value: Any, low: int, high: int | None = None) -> int:
    """``value`` as an int in ``[low, high]`` (no upper bound when ``high`` is None)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low or (
        high is not None and value > high
    ):
        bound = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise InvalidInputError(f"{owner}: {name} must be an integer {bound}, got {value!r}")
    return int(value)


def check_float(
    owner: str,
    name: str,
    value: Any,
    low: float,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a finite float between ``low`` and ``high`` (bounds closed unless said open)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(float(value))
    if ok:
        v = float(value)
        ok = (v > low if low_open else v >= low) and (v < high if high_open else v <= high)
    if not ok:
        left = "(" if low_open else "["
        right = ")" if high_open or high == math.inf else "]"
        raise InvalidInputError(f"{owner}: {name} must be a finite number in {left}{low}, {high}{right}, got {value!r}")
    return float(value)


def check_choice(owner: str, name: str, value: Any, choices: Sequence[Any]) -> Any:
    """``value`` if it is one of ``choices``."""
    if isinstance(value, bool) or value not in choices:
        raise InvalidInputError(f"{owner}: {name} must be one of {list(choices)}, got {value!r}")
    return value


def check_bool(owner: str, name: str, value: Any) -> bool:
    """``value`` if it is True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidInputError(f"{owner}: {name} must be True or False, got {value!r}")
    return bool(value)


def check_seed(owner: str, value: Any) -> int | None:
    """A ``random_state``: None or an integer >= 0."""
    if value is None:
        return None
    return check_int(owner, "random_state", value, 0, 2**32 - 1)


def check_jobs(owner: str, value: Any) -> int | None:
    """An ``n_jobs``: None (the library's default) or a non-zero integer (-1: every core)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value == 0:
        raise InvalidInputError(
            f"{owner}: n_jobs must be None or a non-zero integer (-1 for every core), got {value!r}"
        )
    return int(value)


def check_params(predictor: Any) -> None:
    """Run the parameter checks ``predictor`` states, before any data is seen (what a sweep does when it is planned).

    The checks are those the predictor runs when it fits: its declared constraints
    (:meth:`~naspred.params.Parameterised.validate_params`), a legacy ``_check_params()`` where it has one,
    and for a predictor that builds an estimator in ``_make_model()``, the estimator's own declared
    constraints (scikit-learn's ``_parameter_constraints``, through ``_validate_params``). Raises
    :class:`InvalidInputError` naming the predictor, the parameter and the range expected; fitting the same
    predictor raises the same error.
    """
    who = type(predictor).__name__
    declared = getattr(predictor, "validate_params", None)
    if callable(declared):
        declared()
    own = getattr(predictor, "_check_params", None)
    if callable(own):
        own()
    make = getattr(predictor, "_make_model", None)
    if not callable(make):
        return
    try:
        model = make()
    except NotImplementedError:  # a model built from the training data only (the GPs)
        return
    validate = getattr(model, "_validate_params", None)
    if callable(validate) and hasattr(model, "_parameter_constraints"):
        try:
            validate()
        except (ValueError, TypeError) as err:
            raise InvalidInputError(f"{who}: {err}") from None
