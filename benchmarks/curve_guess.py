"""Deciding a learning-curve table's search space and target, when the table does not name them.

The space, when not named, is guessed from the ``arch`` strings and never silently (:func:`guess_space`):

* the one registered space that parses every string is taken;
* strings that parse in several spaces are refused (name the space);
* strings of which some, not all, parse in a space are refused with the first that does not (a typo in a
  structured notation should not demote the table to identifiers);
* bare integers (``"17"``) are run identifiers as much as a space's index notation (SpikeNAS-Bench ids),
  and strings no space parses are identifiers: both load as ``"opaque"`` (:class:`OpaqueSpace`), with a note.

The target is the last-epoch ``val_accuracy`` (maximised), else the last-epoch ``val_loss`` (minimised),
unless named. A named target may be any metric column; its direction defaults to minimising for names
ending in ``loss`` and maximising otherwise (:func:`decide_target`). Each decision comes with a note saying
how it was made (``Benchmark.notes``). The table itself: :mod:`naspred.benchmarks.curve_table`.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from typing import Any

import numpy as np
from naspred.errors import DataFileError, InvalidArchitectureError
from naspred.spaces import registry as space_registry
from naspred.spaces.base import LabeledDAG, SearchSpace

logger = logging.getLogger(__name__)

#: order in which spaces are tried when guessing, most specific notations first
GUESS_ORDER: tuple[str, ...] = ("nb201", "spikenas", "nb101", "darts", "tnb101-micro", "tnb101-macro", "nbgraph")
#: how many arch strings are tried in every space before the spaces that parse none of them are dropped
_PROBE = 50


class OpaqueSpace(SearchSpace):
    """A space whose architectures are identifier strings with no known structure.

    Only predictors that need no architecture encoding (learning-curve ones) apply to it.
    """

    name = "opaque"
    arch_type = str

    def parse(self, text: str) -> str:
        return self.validate(text)

    def format(self, arch: Any) -> str:
        return self.validate(arch)

    def validate(self, arch: Any) -> str:
        if not isinstance(arch, str) or arch == "":
            raise InvalidArchitectureError(f"an opaque architecture is a non-empty string, got {arch!r}")
        return arch

    def sample(self, rng: np.random.Generator) -> Any:
        raise InvalidArchitectureError("an opaque space has no known architectures to sample from")

    def mutate(self, arch: Any, rng: np.random.Generator) -> Any:
        raise InvalidArchitectureError("an opaque space has no structure to mutate")

    def neighbours(self, arch: Any) -> list[Any]:
        raise InvalidArchitectureError("an opaque space has no structure to find neighbours in")

    def canonical(self, arch: Any) -> Hashable:
        return self.validate(arch)

    def to_graph(self, arch: Any) -> LabeledDAG:
        raise InvalidArchitectureError(
            f"architecture {arch!r} of an opaque space has no graph; use a learning-curve predictor"
        )


def space_named(name: str) -> SearchSpace:
    """The registered space ``name``, or an :class:`OpaqueSpace` for ``"opaque"``."""
    if name == OpaqueSpace.name:
        return OpaqueSpace()
    return space_registry.get(name)


def _first_failure(space: SearchSpace, texts: list[str]) -> tuple[int, str] | None:
    """Position and error of the first string ``space`` does not parse, or None when it parses them all."""
    for i, t in enumerate(texts):
        try:
            space.parse(t)
        except (InvalidArchitectureError, ValueError, TypeError) as err:
            return i, str(err)
    return None


def _candidate_spaces() -> list[SearchSpace]:
    names = [n for n in GUESS_ORDER if n in space_registry.names()]
    names += [n for n in space_registry.names() if n not in names]
    spaces = []
    for name in names:
        try:
            spaces.append(space_registry.get(name))
        except ImportError:  # a registered space whose module is not available
            logger.debug("space %s cannot be imported; not tried", name)
    return spaces


def guess_space(texts: list[str], origin: str = "the table") -> tuple[SearchSpace, str]:
    """The space of the ``arch`` strings ``texts`` and a note saying how it was decided.

    Bare integers and strings no registered space parses are identifiers (:class:`OpaqueSpace`); the one
    space that parses every string is taken. Strings that parse in several spaces, or of which a space
    parses some but not all, raise :class:`~naspred.errors.DataFileError` (see the module docstring).
    """
    how = "name it in a sidecar <file>.json ({\"space\": ...}) or with --space"
    if texts and all(t.strip().isdigit() for t in texts):
        return OpaqueSpace(), (
            "space 'opaque': the arch values are bare integers, read as run identifiers (they are also "
            f"SpikeNAS-Bench ids: {how.replace('name it', 'name spikenas')} to read them so)"
        )
    probe = texts[:_PROBE]
    full: list[SearchSpace] = []
    partial: list[tuple[SearchSpace, int, tuple[int, str]]] = []
    for space in _candidate_spaces():
        if all(_first_failure(space, [t]) is not None for t in probe):
            continue  # parses none of the first strings: not this space's notation
        failure = _first_failure(space, texts)
        if failure is None:
            full.append(space)
        else:
            parsed = sum(_first_failure(space, [t]) is None for t in texts)
            partial.append((space, parsed, failure))
    if len(full) > 1:
        raise DataFileError(
            f"{origin}: the arch strings parse in several spaces {[s.name for s in full]}; {how} to choose"
        )
    if full:
        return full[0], f"space {full[0].name!r} guessed: every arch string parses in it and in no other registered space"
    if partial:
        space, parsed, (i, err) = max(partial, key=lambda p: p[1])
        raise DataFileError(
            f"{origin}: {parsed} of {len(texts)} arch strings parse in space {space.name!r}, but {texts[i]!r} does not "
            f"({err}); correct it, or {how.replace('name it', 'name the space')} ('opaque' reads them as identifiers)"
        )
    return OpaqueSpace(), "space 'opaque': no registered space parses the arch strings; they are run identifiers"


def decide_space(
    texts: list[str], space: str | SearchSpace | None, origin: str, named_by: dict[str, str]
) -> tuple[SearchSpace, str]:
    """The space of the ``arch`` strings ``texts``: ``space`` when named or given, else the guess; and a note."""
    if space is None:
        return guess_space(texts, origin)
    if isinstance(space, str):
        chosen = space_named(space)
        return chosen, f"space {chosen.name!r}: named by {named_by.get('space', 'the caller')}"
    return space, f"space {space.name!r}: given by {named_by.get('space', 'the caller')}"


def decide_target(
    metrics: list[str], target: str | None, higher_is_better: bool | None, origin: str, named_by: dict[str, str]
) -> tuple[str, bool, str]:
    """The target among the table's ``metrics``, whether it is maximised, and a note saying how both were decided."""
    if target is None:
        if "val_accuracy" in metrics:
            target = "val_accuracy"
        elif "val_loss" in metrics:
            target = "val_loss"
        else:
            raise DataFileError(
                f"{origin}: no val_accuracy or val_loss column to use as the target; name one of "
                f"{metrics} as 'target' in a sidecar <file>.json"
            )
        target_how = f"the default ({'val_accuracy' if target == 'val_accuracy' else 'no val_accuracy column; val_loss'})"
    elif target not in metrics:
        raise DataFileError(f"{origin}: target {target!r} is not a column; the table has {metrics}")
    else:
        target_how = f"named by {named_by.get('target', 'the caller')}"
    if higher_is_better is None:
        higher_is_better = not target.endswith("loss")
        direction_how = "as its name says" if target.endswith(("loss", "accuracy")) else "by default"
    else:
        direction_how = f"as named by {named_by.get('higher_is_better', named_by.get('target', 'the caller'))}"
    note = (
        f"target {target!r} at each architecture's last epoch: {target_how}; "
        + ("maximised" if higher_is_better else "minimised")
        + f" ({direction_how})"
    )
    return target, higher_is_better, note
