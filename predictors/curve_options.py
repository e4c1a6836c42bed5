"""Constraints of the learning-curve predictors' options (:mod:`naspred.params`): a curve metric, a list of
names from a fixed vocabulary (curve families, curve summaries)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from naspred.params import Constraint, Instance, optional


class Names(Constraint):
    """A non-empty tuple or list of names, each one of ``choices``."""

    def __init__(self, choices: Iterable[str]) -> None:
        self.choices = tuple(choices)

    def accepts(self, value: Any) -> bool:
        return (
            isinstance(value, (tuple, list))
            and len(value) > 0
            and all(isinstance(v, str) and v in self.choices for v in value)
        )

    def __str__(self) -> str:
        return f"a non-empty sequence of names from {list(self.choices)}"


#: the learning-curve metric read: a recorded curve's name, or None to follow the benchmark
CURVE_METRIC = optional(Instance(str, what="a learning-curve name such as 'val_accuracy'"))
