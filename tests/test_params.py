"""naspred.params: declared parameters, generated constructors and the constraint vocabulary."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone

from naspred.errors import InvalidInputError
from naspred.params import (
    JOBS,
    SEED,
    AnyOf,
    Boolean,
    Instance,
    Int,
    Options,
    Parameterised,
    Real,
    check,
    optional,
    param,
)


class Base(Parameterised, BaseEstimator):
    n: int = param(3, Int(1))
    lr: float = param(0.1, Real(0.0, closed="neither"))
    kind: str = param("a", Options(("a", "b")))


class Child(Base):
    n: int = param(5)
    kind = param(fixed="b")
    random_state: int | None = param(None, SEED)


class Needs(Parameterised, BaseEstimator):
    target: str = param(constraint=Instance(str))


def test_the_constructor_is_made_from_the_declarations():
    assert str(inspect.signature(Base)) == "(*, n=3, lr=0.1, kind='a')"
    assert str(inspect.signature(Child)) == "(*, n=5, lr=0.1, random_state=None)"
    assert str(inspect.signature(Needs)) == "(*, target)"
    assert Child.kind == "b"
    assert Child(n=2).get_params() == {"lr": 0.1, "n": 2, "random_state": None}


def test_values_are_stored_unchanged_and_clone_round_trips():
    value = np.int64(7)
    est = Child(n=value, random_state=1)
    assert est.n is value
    twin = clone(est)
    assert twin.get_params() == est.get_params() and twin is not est


def test_unknown_fixed_positional_and_missing_parameters_are_refused():
    with pytest.raises(TypeError, match=r"unexpected parameter\(s\) \['kind'\]"):
        Child(kind="a")
    with pytest.raises(TypeError, match="positional"):
        Base(3)  # type: ignore[misc]
    with pytest.raises(TypeError, match=r"needs the parameter\(s\) \['target'\]"):
        Needs()


def test_validate_params_names_the_class_the_parameter_and_the_range():
    with pytest.raises(InvalidInputError, match=r"^Child: n must be an integer >= 1, got 0$"):
        Child(n=0).validate_params()
    with pytest.raises(InvalidInputError, match=r"^Base: lr must be a finite number > 0, got nan$"):
        Base(lr=math.nan).validate_params()
    with pytest.raises(InvalidInputError, match=r"kind must be one of \['a', 'b'\], got 'c'"):
        Base(kind="c").validate_params()
    Child(n=1, random_state=2**32 - 1).validate_params()


def test_declarations_are_checked_when_the_class_is_made():
    with pytest.raises(TypeError, match="default of 'n'"):

        class BadDefault(Parameterised):
            n: int = param(0, Int(1))

    with pytest.raises(TypeError, match="needs a constraint"):

        class NoConstraint(Parameterised):
            n: int = param(1)

    with pytest.raises(TypeError, match="which no parent declares"):

        class FixedUnknown(Parameterised):
            m = param(fixed=1)


@pytest.mark.parametrize(
    "constraint, good, bad, text",
    [
        (Int(0, 4), [0, 4, np.int32(2)], [-1, 5, 1.0, True, "1"], "an integer in [0, 4]"),
        (Real(0.0, 1.0, closed="right"), [1.0, 0.5, 1], [0.0, 1.5, math.inf, False], "a finite number in (0, 1]"),
        (Options(("x", 1)), ["x", 1], ["y", True, [1]], "one of ['x', 1]"),
        (Boolean(), [True, np.bool_(False)], [0, 1, "True"], "True or False"),
        (optional(Int(1)), [None, 1], [0], "an integer >= 1 or None"),
        (AnyOf(Real(0.0, closed="neither"), Options(("scale",))), [0.1, "scale"], [0, "auto"],
         "a finite number > 0 or one of ['scale']"),
        (JOBS, [None, -1, 4], [0, -2], "an integer >= 1 or one of [-1] or None"),
    ],
)
def test_constraints_accept_and_describe(constraint, good, bad, text):
    assert str(constraint) == text
    assert all(constraint.accepts(v) for v in good)
    assert not any(constraint.accepts(v) for v in bad)


def test_check_returns_the_value_or_names_what_was_expected():
    assert check("f", "k", 3, Int(1)) == 3
    with pytest.raises(InvalidInputError, match=r"^f: k must be an integer >= 1, got 'x'$"):
        check("f", "k", "x", Int(1))
