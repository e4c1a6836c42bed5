"""The plan-time check of a predictor's parameters: what a sweep runs before any data is seen.

Parameters are declared once per class with :func:`naspred.params.param` and checked by
:meth:`~naspred.params.Parameterised.validate_params` when a predictor fits; :func:`check_params` runs the
same checks, and those of the scikit-learn estimator a predictor builds, when a sweep is planned.
"""

from __future__ import annotations

from typing import Any

from naspred.errors import InvalidInputError


def check_params(predictor: Any) -> None:
    """Run the parameter checks ``predictor`` states, before any data is seen (what a sweep does when it is planned).

    The checks are those the predictor runs when it fits: its declared constraints
    (:meth:`~naspred.params.Parameterised.validate_params`), and for a predictor that builds an estimator in ``_make_model()``, the estimator's own declared
    constraints (scikit-learn's ``_parameter_constraints``, through ``_validate_params``). Raises
    :class:`InvalidInputError` naming the predictor, the parameter and the range expected; fitting the same
    predictor raises the same error.
    """
    who = type(predictor).__name__
    declared = getattr(predictor, "validate_params", None)
    if callable(declared):
        declared()
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
