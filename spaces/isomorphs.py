"""The isomorphs of an architecture: other encodings of the same network, free training data for predictors.

Two architectures of a space are isomorphs when the space's :meth:`~naspred.spaces.base.SearchSpace.canonical`
form says they compute the same function, yet they are written (and encoded) differently. A predictor that
knows this can train on every isomorph of a labelled architecture with the same target, and average its
predictions over the isomorphs of a queried one. How the isomorphs are found depends on the space:

* NAS-Bench-201, SpikeNAS-Bench and TransNAS-Bench-101 micro cells (:class:`~naspred.spaces.cells.CellSpace`,
  4,096 to 15,625 cells): every cell of the space grouped by canonical form, once per
  :class:`CanonicalGroups` (a tenth of a second for 15,625 cells). A group holds the relabellings of nodes 1
  and 2, every operation on a dead edge, and the cells equal up to identities and linear pooling (see
  :mod:`naspred.spaces.cells`); on NAS-Bench-201 the median cell has 12 isomorphs, the largest group 460.
* NAS-Bench-101 cells: the permutations of the interior vertices of the pruned cell that keep the adjacency
  matrix upper-triangular (a topological order); at most 5! = 120 (:class:`NB101Permutations`). They share
  the module hash (Ying et al., ICML 2019) by construction.
* DARTS / NAS-Bench-301: per cell, the relabellings of intermediate nodes 2..5 that keep every input earlier
  than its node, times the two orders of the pairs of each node (at most 24 x 16 per cell); an architecture's
  isomorphs are the combinations of its normal and reduction cells' (:class:`DARTSRelabellings`), the identities
  :meth:`~naspred.spaces.darts.DARTSSpace.canonical` divides out.

Other spaces are refused by :func:`isomorphs_of` with the list of those supported. An enumerator orders the
isomorphs of an architecture the same way whichever of them it is given, and takes at most ``max_isomorphs``
of them spread evenly over that order (no random state): :meth:`Isomorphs.of` puts the architecture itself
first (to train on), :meth:`Isomorphs.shared` gives the same ones for every isomorph (to average over, so that
isomorphic architectures get one prediction). The cap keeps a large group (a cell with several dead edges)
from outweighing the rest of a training set.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
from naspred.errors import InvalidInputError
from naspred.spaces.base import SearchSpace
from naspred.spaces.cells import CellSpace
from naspred.spaces.darts import NUM_NODES, DARTSArch, DARTSSpace
from naspred.spaces.nasbench101 import NB101Arch, NB101Space

#: the spaces whose isomorphs are enumerated, by registry name
SUPPORTED: tuple[str, ...] = ("nb201", "spikenas", "tnb101-micro", "nb101", "darts")


def spread(items: Sequence[Any], limit: int) -> list[Any]:
    """``items[0]``, then at most ``limit - 1`` of the others at evenly spaced positions (all if they fit)."""
    if len(items) <= limit:
        return list(items)
    if limit == 1:
        return [items[0]]
    picks = np.unique(np.rint(np.linspace(1, len(items) - 1, limit - 1)).astype(np.int64))
    return [items[0], *(items[int(i)] for i in picks)]


class Isomorphs(ABC):
    """The isomorphs of the architectures of one space, at most ``max_isomorphs`` per architecture."""

    def __init__(self, space: SearchSpace, max_isomorphs: int) -> None:
        self.space = space
        self.max_isomorphs = int(max_isomorphs)

    @abstractmethod
    def orbit(self, arch: Any) -> Sequence[Any]:
        """Every isomorph of ``arch`` (itself included), in an order that does not depend on which one is given."""

    def of(self, arch: Any) -> list[Any]:
        """``arch``, then up to ``max_isomorphs - 1`` of its other isomorphs (to train on)."""
        others = [a for a in spread(self.orbit(arch), self.max_isomorphs) if a != arch]
        return [arch, *others[: self.max_isomorphs - 1]]

    def shared(self, arch: Any) -> list[Any]:
        """Up to ``max_isomorphs`` isomorphs of ``arch``, the same for each of them (to average over)."""
        return spread(self.orbit(arch), self.max_isomorphs)

    def expand(self, archs: Sequence[Any], shared: bool = False) -> tuple[list[Any], np.ndarray]:
        """Every architecture's isomorphs (:meth:`of`, or :meth:`shared`), concatenated, and for each the
        position of the architecture it comes from (``y[index]`` repeats targets, ``info.subset(index)`` side
        information)."""
        take = self.shared if shared else self.of
        expanded: list[Any] = []
        index: list[int] = []
        for i, arch in enumerate(archs):
            found = take(arch)
            expanded += found
            index += [i] * len(found)
        return expanded, np.asarray(index, dtype=np.int64)


class CanonicalGroups(Isomorphs):
    """Isomorphs of a small finite space: its architectures grouped by canonical form (computed on first use)."""

    def __init__(self, space: SearchSpace, max_isomorphs: int) -> None:
        super().__init__(space, max_isomorphs)
        self._groups: dict[Hashable, list[Any]] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_groups": None}  # a pickle holds no copy of the space: regrouped on first use

    def groups(self) -> dict[Hashable, list[Any]]:
        """Canonical key -> the architectures of the space with that key, in enumeration order."""
        if self._groups is None:
            groups: dict[Hashable, list[Any]] = {}
            canonical = self.space.canonical
            for arch in self.space.enumerate():
                groups.setdefault(canonical(arch), []).append(arch)
            self._groups = groups
        return self._groups

    def orbit(self, arch: Any) -> list[Any]:
        return self.groups()[self.space.canonical(arch)]


def _upper_permutations(size: int, adjacency: np.ndarray) -> list[tuple[int, ...]]:
    """Orders of the vertices ``0..size-1`` that keep the first and last in place and every edge pointing forward."""
    out = []
    for middle in itertools.permutations(range(1, size - 1)):
        order = (0, *middle, size - 1)
        if not np.tril(adjacency[np.ix_(order, order)]).any():
            out.append(order)
    return out


class NB101Permutations(Isomorphs):
    """Isomorphs of a NAS-Bench-101 cell: its interior vertices reordered, edges still pointing forward."""

    def orbit(self, arch: NB101Arch) -> list[NB101Arch]:
        adjacency = np.asarray(arch.matrix, dtype=np.int64)
        found = {arch}
        for order in _upper_permutations(len(arch.ops), adjacency):
            found.add(NB101Arch(adjacency[np.ix_(order, order)].tolist(), [arch.ops[v] for v in order]))
        return sorted(found, key=lambda a: (a.matrix, a.ops))


def _cell_variants(cell: tuple[tuple[int, int], ...]) -> list[tuple[tuple[int, int], ...]]:
    """Every writing of a DARTS cell, sorted: intermediate nodes relabelled in a topological order, each node's
    two pairs in either order."""
    nodes = [(cell[2 * j], cell[2 * j + 1]) for j in range(NUM_NODES)]
    found = set()
    for perm in itertools.permutations(range(NUM_NODES)):
        relabel = {0: 0, 1: 1, **{j + 2: perm[j] + 2 for j in range(NUM_NODES)}}
        if any(relabel[src] >= perm[j] + 2 for j, pairs in enumerate(nodes) for src, _ in pairs):
            continue  # an input would come from a later node
        placed: list[tuple[tuple[int, int], ...]] = [()] * NUM_NODES
        for j, pairs in enumerate(nodes):
            placed[perm[j]] = tuple((relabel[src], op) for src, op in pairs)
        for swaps in itertools.product((False, True), repeat=NUM_NODES):
            found.add(tuple(p for node, swap in zip(placed, swaps) for p in (node[::-1] if swap else node)))
    return sorted(found)


class _CellPairs(Sequence):
    """The DARTS architectures of every normal-cell writing with every reduction-cell writing (not stored)."""

    def __init__(self, normal: list, reduce: list) -> None:
        self.normal, self.reduce = normal, reduce

    def __len__(self) -> int:
        return len(self.normal) * len(self.reduce)

    def __getitem__(self, i: Any) -> DARTSArch:
        row, col = divmod(int(i), len(self.reduce))
        return DARTSArch(self.normal[row], self.reduce[col])


class DARTSRelabellings(Isomorphs):
    """Isomorphs of a DARTS architecture: each cell's nodes relabelled and pairs reordered, cells combined."""

    def orbit(self, arch: DARTSArch) -> Sequence[DARTSArch]:
        return _CellPairs(_cell_variants(arch.normal), _cell_variants(arch.reduce))


def isomorphs_of(space: SearchSpace, max_isomorphs: int) -> Isomorphs:
    """The isomorph enumerator of ``space``; :class:`InvalidInputError` for a space where none is defined."""
    if isinstance(space, CellSpace):
        return CanonicalGroups(space, max_isomorphs)
    if isinstance(space, NB101Space):
        return NB101Permutations(space, max_isomorphs)
    if isinstance(space, DARTSSpace):
        return DARTSRelabellings(space, max_isomorphs)
    raise InvalidInputError(
        f"isomorphs are not defined for search space {getattr(space, 'name', type(space).__name__)!r}; "
        f"expected one of {list(SUPPORTED)} (augment=None and predict_isomorphs=False work on any space)"
    )
