"""Parameters declared once per class: a default and a constraint, checked before any work starts.

After scikit-learn's ``_parameter_constraints`` (``sklearn/utils/_param_validation.py``): a class states
each parameter once, as a class attribute made by :func:`param`, with its default and a
:class:`Constraint`. :class:`Parameterised` turns those declarations into a keyword-only ``__init__`` that
stores the arguments unchanged (so scikit-learn's ``get_params`` / ``set_params`` / ``clone`` work) and
into :meth:`Parameterised.validate_params`, which a harness calls when it plans a sweep and a predictor
calls when it fits. Every failed check reads the same way::

    SVR: C must be a finite number > 0, got -1.0

A subclass changes a default with ``param(new_default)`` (the constraint is inherited), adds parameters
with new declarations, and removes one with ``param(fixed=value)`` (a preset: the value is fixed and no
longer a parameter). :func:`check` runs one constraint on one value, for functions that take options
without being parameterised classes.
"""

from __future__ import annotations

import inspect
import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, dataclass_transform

import numpy as np

from naspred.errors import InvalidInputError

class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _Missing()


class Constraint(ABC):
    """What a value must be; ``str(constraint)`` completes "<name> must be ..."."""

    @abstractmethod
    def accepts(self, value: Any) -> bool:
        """Whether ``value`` satisfies the constraint."""

    @abstractmethod
    def __str__(self) -> str: ...

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self}>"


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _is_real(value: Any) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, (bool, np.bool_))
        and math.isfinite(float(value))
    )


def _range_text(noun: str, low: float | None, high: float | None, left: bool, right: bool) -> str:
    """``noun`` with its bounds: "an integer >= 1", "a finite number in (0, 1]"."""
    lo, hi = (None if b is None else (b if isinstance(b, numbers.Integral) else f"{b:g}") for b in (low, high))
    if lo is not None and hi is not None:
        return f"{noun} in {'[' if left else '('}{lo}, {hi}{']' if right else ')'}"
    if lo is not None:
        return f"{noun} {'>=' if left else '>'} {lo}"
    if hi is not None:
        return f"{noun} {'<=' if right else '<'} {hi}"
    return noun


@dataclass(frozen=True)
class Int(Constraint):
    """An integer in ``[low, high]`` (no bound where None)."""

    low: int | None = None
    high: int | None = None

    def accepts(self, value: Any) -> bool:
        return _is_int(value) and (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def __str__(self) -> str:
        return _range_text("an integer", self.low, self.high, True, True)


@dataclass(frozen=True)
class Real(Constraint):
    """A finite number between ``low`` and ``high``; ``closed`` says which bounds belong to the range
    ("both", "left", "right" or "neither")."""

    low: float | None = None
    high: float | None = None
    closed: str = "both"

    def __post_init__(self) -> None:
        if self.closed not in ("both", "left", "right", "neither"):
            raise ValueError(f"closed must be 'both', 'left', 'right' or 'neither', got {self.closed!r}")

    def accepts(self, value: Any) -> bool:
        if not _is_real(value):
            return False
        v = float(value)
        left = self.closed in ("both", "left")
        right = self.closed in ("both", "right")
        if self.low is not None and not (v >= self.low if left else v > self.low):
            return False
        return self.high is None or (v <= self.high if right else v < self.high)

    def __str__(self) -> str:
        return _range_text("a finite number", self.low, self.high, self.closed in ("both", "left"),
                           self.closed in ("both", "right"))


class Options(Constraint):
    """One of a fixed set of values."""

    def __init__(self, values: Iterable[Any]) -> None:
        self.values = tuple(values)

    def accepts(self, value: Any) -> bool:
        if isinstance(value, (bool, np.bool_)) and not any(isinstance(v, bool) for v in self.values):
            return False
        try:
            return value in self.values
        except TypeError:  # an unhashable or incomparable value
            return False

    def __str__(self) -> str:
        return f"one of {list(self.values)}"


class Boolean(Constraint):
    """True or False."""

    def accepts(self, value: Any) -> bool:
        return isinstance(value, (bool, np.bool_))

    def __str__(self) -> str:
        return "True or False"


class Instance(Constraint):
    """An instance of one of ``types`` (``what`` describes them in messages)."""

    def __init__(self, *types: type, what: str | None = None) -> None:
        self.types = types
        self.what = what or " or ".join(f"a {t.__name__}" for t in types)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, self.types) and not (bool not in self.types and isinstance(value, bool))

    def __str__(self) -> str:
        return self.what


class Callable_(Constraint):
    """A callable."""

    def accepts(self, value: Any) -> bool:
        return callable(value)

    def __str__(self) -> str:
        return "a callable"


class AnyOf(Constraint):
    """Any one of several constraints (``None`` among them stands for the value None)."""

    def __init__(self, *constraints: Constraint | None) -> None:
        self.constraints = constraints

    def accepts(self, value: Any) -> bool:
        return any(value is None if c is None else c.accepts(value) for c in self.constraints)

    def __str__(self) -> str:
        return " or ".join("None" if c is None else str(c) for c in self.constraints)


def optional(constraint: Constraint) -> AnyOf:
    """``constraint`` or None."""
    return AnyOf(constraint, None)


#: a ``random_state``: None (a fresh seed) or an integer seed
SEED = optional(Int(0, 2**32 - 1))
#: an ``n_jobs``: None (the library's default) or a number of workers (-1: every core)
JOBS = AnyOf(Int(1), Options((-1,)), None)


def check(who: str, name: str, value: Any, constraint: Constraint) -> Any:
    """``value`` if it satisfies ``constraint``, else :class:`InvalidInputError` naming ``who`` and ``name``."""
    if not constraint.accepts(value):
        raise InvalidInputError(f"{who}: {name} must be {constraint}, got {value!r}")
    return value


@dataclass(frozen=True)
class Param:
    """One declared parameter: its default and its constraint (None: inherited from the parent's)."""

    default: Any = _MISSING
    constraint: Constraint | None = None
    fixed: Any = _MISSING


def param(default: Any = _MISSING, constraint: Constraint | None = None, *, fixed: Any = _MISSING) -> Any:
    """Declare a parameter as a class attribute of a :class:`Parameterised` class.

    ``param(default, constraint)`` declares one; ``param(constraint=c)`` declares a required one (no
    default: the caller must give it). In a subclass ``param(default)`` changes the default and keeps the
    constraint, and ``param(fixed=value)`` fixes an inherited parameter (a preset).
    """
    if default is not _MISSING and fixed is not _MISSING:
        raise TypeError("param() takes a default or fixed=value, not both")
    if default is _MISSING and fixed is _MISSING and constraint is None:
        raise TypeError("param() needs a default, fixed=value, or a constraint (a required parameter)")
    return Param(default, constraint, fixed)


@dataclass_transform(kw_only_default=True, field_specifiers=(param, Param))
class Parameterised:
    """A class whose parameters are declared with :func:`param`; its ``__init__`` is made from them.

    ``parameters()`` lists the declarations (name -> :class:`Param`, defaults and constraints resolved),
    :meth:`validate_params` checks the stored values against them.
    """

    _declared: ClassVar[dict[str, Param]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = {name: value for name, value in cls.__dict__.items() if isinstance(value, Param)}
        if not own:
            return
        declared = dict(cls._declared)
        for name, p in own.items():
            parent = declared.get(name)
            if p.fixed is not _MISSING:
                if parent is None:
                    raise TypeError(f"{cls.__name__}: param(fixed=...) names {name!r}, which no parent declares")
                declared.pop(name)
                setattr(cls, name, p.fixed)
                continue
            constraint = p.constraint if p.constraint is not None else (parent.constraint if parent else None)
            if constraint is None:
                raise TypeError(f"{cls.__name__}: parameter {name!r} needs a constraint")
            if p.default is not _MISSING and not constraint.accepts(p.default):
                raise TypeError(f"{cls.__name__}: the default of {name!r} ({p.default!r}) is not {constraint}")
            declared[name] = Param(p.default, constraint)
            delattr(cls, name)  # the instance attribute set by __init__ is the parameter's value
        cls._declared = declared
        if "__init__" not in cls.__dict__:
            cls.__init__ = _make_init(cls, declared)  # type: ignore[method-assign]

    @classmethod
    def parameters(cls) -> dict[str, Param]:
        """The declared parameters: name -> :class:`Param` (default and constraint)."""
        return dict(cls._declared)

    def validate_params(self) -> None:
        """Raise :class:`InvalidInputError` naming the first parameter whose value breaks its constraint."""
        who = type(self).__name__
        for name, p in self._declared.items():
            check(who, name, getattr(self, name), p.constraint)  # type: ignore[arg-type]


def _make_init(cls: type, declared: dict[str, Param]) -> Any:
    signature = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [
            inspect.Parameter(
                n, inspect.Parameter.KEYWORD_ONLY, default=inspect.Parameter.empty if p.default is _MISSING else p.default
            )
            for n, p in declared.items()
        ]
    )
    required = [n for n, p in declared.items() if p.default is _MISSING]

    def __init__(self: Any, **given: Any) -> None:
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise TypeError(
                f"{type(self).__name__}() got unexpected parameter(s) {unknown}; its parameters are {list(declared)}"
            )
        missing = [n for n in required if n not in given]
        if missing:
            raise TypeError(f"{type(self).__name__}() needs the parameter(s) {missing}")
        for name, p in declared.items():
            setattr(self, name, given.get(name, p.default))

    __init__.__signature__ = signature  # type: ignore[attr-defined]
    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    __init__.__doc__ = f"Store the parameters of {cls.__name__} unchanged (checked by ``validate_params``)."
    return __init__
