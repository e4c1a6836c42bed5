"""The base of every architecture encoding: a stateless scikit-learn transformer bound to one search space.

An encoder declares its parameters with :func:`~naspred.params.param` and stores them only (``space`` is a
registered name or a :class:`~naspred.spaces.base.SearchSpace`). Every use checks them: the declared
constraints (:meth:`~naspred.params.Parameterised.validate_params`), then, once the space is resolved,
:meth:`ArchitectureEncoder._check_params_suit_space` (a parameter that does not suit the space). ``fit``
checks its input and returns ``self``; ``transform`` turns a sequence of architectures into a float array.
Architectures may be given as objects of the space or in its text notation; cell spaces also accept an
integer array ``(n, 6)`` of operation indices. Empty input, architectures of another space and malformed
text raise errors naming the position of the first bad architecture.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from importlib import import_module
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from naspred.errors import InvalidArchitectureError, InvalidInputError
from naspred.params import Instance, Parameterised, param
from naspred.spaces.base import SearchSpace

#: the ``space`` of an encoder
SPACE = Instance(str, SearchSpace, what="a registered search-space name or a SearchSpace")
#: the edges of a NAS-Bench-201-style cell (4 nodes, one operation per edge), in operation-index order
CELL_EDGES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))


def resolve_space(space: str | SearchSpace) -> SearchSpace:
    """The search space named by ``space`` (a registered name), or ``space`` itself."""
    if isinstance(space, SearchSpace):
        return space
    if isinstance(space, str):
        from naspred.spaces.registry import get

        return get(space)
    raise InvalidInputError(
        f"space must be a registered search-space name or a SearchSpace, got {type(space).__name__}"
    )


def is_cell_space(space: SearchSpace) -> bool:
    """Whether ``space`` is a NAS-Bench-201-style cell space (edge-labelled, 6 edges)."""
    return hasattr(space, "op_indices") and hasattr(space, "ops")


def space_kind(space: SearchSpace) -> str:
    """``"cell"`` (NAS-Bench-201-style), ``"nb101"``, ``"darts"``, ``"nbgraph"``, or ``"other"``."""
    if is_cell_space(space):
        return "cell"
    if space.name == "nb101" or hasattr(space, "padded"):
        return "nb101"
    if space.name in ("darts", "nbgraph"):
        return space.name
    return "other"


def space_operations(space: SearchSpace) -> tuple[str, ...]:
    """The operation names of ``space``: ``space.ops``, else the ``OPS`` of the space's module."""
    ops = getattr(space, "ops", None)
    if ops is None:
        ops = getattr(import_module(type(space).__module__), "OPS", None)
    if ops is None:
        raise InvalidInputError(f"search space {space.name!r} does not list its operations (no 'ops' or 'OPS')")
    return tuple(ops)


def unsupported(owner: str, space: SearchSpace, supported: str) -> InvalidInputError:
    """The error for an encoding that is not defined on ``space``."""
    return InvalidInputError(f"{owner} is not defined for search space {space.name!r}; it supports {supported}")


def _items(space: SearchSpace, archs: Any, owner: str) -> list[Any]:
    """``archs`` as a non-empty list with text parsed; not yet validated."""
    if isinstance(archs, (str, bytes)):
        raise InvalidInputError(
            f"{owner}: expected a sequence of architectures of space {space.name!r}, got one string; "
            "wrap a single architecture in a list"
        )
    if hasattr(archs, "to_numpy") and not isinstance(archs, np.ndarray):
        archs = archs.to_numpy()
    if isinstance(archs, np.ndarray) and archs.dtype != object:
        raise InvalidInputError(
            f"{owner}: expected architectures of space {space.name!r}, got a {archs.dtype} array of shape "
            f"{archs.shape}" + ("; operation-index arrays are accepted for cell spaces only" if archs.ndim == 2 else "")
        )
    try:
        items = list(archs)
    except TypeError:
        raise InvalidInputError(
            f"{owner}: expected a sequence of architectures of space {space.name!r}, got {type(archs).__name__}"
        ) from None
    if not items:
        raise InvalidInputError(f"{owner}: no architectures given; expected at least one of space {space.name!r}")
    for i, item in enumerate(items):
        if isinstance(item, str):
            try:
                items[i] = space.parse(item)
            except InvalidArchitectureError as err:
                raise InvalidArchitectureError(f"{owner}: architecture at position {i}: {err}") from err
    return items


def architectures(space: SearchSpace, archs: Any, owner: str) -> list[Any]:
    """``archs`` as a validated list of architectures of ``space`` (text is parsed)."""
    items = _items(space, archs, owner)
    try:
        return space.validate_many(items)
    except InvalidArchitectureError as err:
        raise InvalidArchitectureError(f"{owner}: {err} (space {space.name!r})") from err


def cell_op_indices(space: SearchSpace, archs: Any, owner: str) -> np.ndarray:
    """Operation indices ``(n, 6)`` int64 of cell architectures, in edge order (0,1),(0,2),(0,3),(1,2),(1,3),(2,3)."""
    if isinstance(archs, np.ndarray) and archs.dtype.kind in "iu":
        if archs.ndim != 2 or archs.shape[1] != len(CELL_EDGES):
            raise InvalidInputError(
                f"{owner}: an operation-index array must have shape (n, {len(CELL_EDGES)}), got {archs.shape}"
            )
        if archs.shape[0] == 0:
            raise InvalidInputError(f"{owner}: no architectures given; expected at least one of space {space.name!r}")
        k = len(space.ops)
        bad = (archs < 0) | (archs >= k)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise InvalidArchitectureError(
                f"{owner}: architecture at position {row}: operation index {archs[row, col]} on edge "
                f"{CELL_EDGES[col]} is outside [0, {k}) of space {space.name!r}"
            )
        return archs.astype(np.int64, copy=False)
    items = _items(space, archs, owner)
    try:  # the space's op_indices validates each architecture and names the first bad position
        return np.asarray(space.op_indices(items), dtype=np.int64)
    except InvalidArchitectureError as err:
        raise InvalidArchitectureError(f"{owner}: {err} (space {space.name!r})") from err


class ArchitectureEncoder(Parameterised, TransformerMixin, BaseEstimator):
    """A stateless transformer from architectures of one search space to a float array.

    Subclasses declare their own parameters with :func:`~naspred.params.param`, implement :meth:`_encode`
    (validated input -> array) and :meth:`_feature_names`, and check what depends on the space in
    :meth:`_check_params_suit_space`.

    Parameters
    ----------
    space : str or SearchSpace
        The search space of the architectures: a registered name or the space itself.
    """

    space: str | SearchSpace = param(constraint=SPACE)

    @abstractmethod
    def _encode(self, space: SearchSpace, archs: Any) -> np.ndarray:
        """The encoding of ``archs`` (not yet validated) in ``space``."""

    @abstractmethod
    def _feature_names(self, space: SearchSpace) -> list[str]:
        """One name per output column."""

    def _check_params_suit_space(self, space: SearchSpace) -> None:
        """Raise :class:`InvalidInputError` if a parameter, valid as declared, does not suit ``space``."""

    def _space(self) -> SearchSpace:
        """The resolved space, after the declared checks and those against the space."""
        self.validate_params()
        space = resolve_space(self.space)
        self._check_params_suit_space(space)
        return space

    def fit(self, archs: Sequence[Any], y: Any = None) -> ArchitectureEncoder:
        """Check the parameters and ``archs``; returns ``self``."""
        space = self._space()
        self._encode(space, archs)
        self._set_fitted(space)
        return self

    def fit_transform(self, archs: Sequence[Any], y: Any = None, **fit_params: Any) -> np.ndarray:
        space = self._space()
        out = self._encode(space, archs)
        self._set_fitted(space)
        return out

    def transform(self, archs: Sequence[Any]) -> np.ndarray:
        """The encoding of each architecture, one row each."""
        return self._encode(self._space(), archs)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns."""
        return np.asarray(self._feature_names(self._space()), dtype=object)

    def _set_fitted(self, space: SearchSpace) -> None:
        self.space_name_ = space.name
        self.n_features_out_ = len(self._feature_names(space))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        return tags

    @property
    def _owner(self) -> str:
        return type(self).__name__
