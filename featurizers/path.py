"""The path encoding of BANANAS (White, Neiswanger and Savani, "BANANAS: Bayesian Optimization with Neural
Architectures for Neural Architecture Search", AAAI 2021), full or truncated.

A feature per possible sequence of operations along an input -> output path; it is 1 when the cell has such a
path (or, with ``count=True``, the number of such paths). Numbering, as in NASLib and BANANAS:

* NAS-Bench-201-style cells (``k`` operations): the paths 0->3, 0->1->3, 0->2->3 and 0->1->2->3 carry 1, 2
  and 3 operations. A path with operations ``(o_0, ..., o_{L-1})`` (index into ``space.ops``, first edge first)
  has index ``offset_L + sum_j o_j k**j`` with ``offset_1 = 0``, ``offset_2 = k``, ``offset_3 = k + k**2``:
  ``k + k**2 + k**3`` dims (155 for NB201). Like NASLib, paths through the no-connection operation are kept
  as features of their own unless ``include_none_paths=False``. NASLib's NB201 code reads the paths with
  edge positions meant for the NB201 string order while its operation indices are sorted by source node, so
  its "0->3" feature is in fact edge 1->2; here every path is a real path of the cell.
* NAS-Bench-101: the operations of the interior vertices along a path, ``(o_0, ..., o_{L-1})`` with
  conv3x3-bn-relu 0, conv1x1-bn-relu 1, maxpool3x3 2, have index ``sum_i 3**i (o_i + 1)``:
  ``3**0 + ... + 3**5 = 364`` dims.
* DARTS (NASLib's ``nasbench301/encodings.py``): a path starts at one input of a cell (c_k-2 or c_k-1) and runs
  through the operations of edges into intermediate nodes; every intermediate node feeds the output, so a
  path may stop at any of them. Operations ``(o_0, ..., o_{L-1})`` (L <= 4, NASLib's op indices) have index
  ``sum_j 7**j (o_j + 1)`` within the block of their cell and input, blocks ordered normal/c_k-2,
  normal/c_k-1, reduce/c_k-2, reduce/c_k-1 of ``7**0 + ... + 7**4 = 2801`` each: 11,204 dims. NASLib and
  BANANAS loop over ``range(len(OPS))``, that is the first 7 of the 8 edges of a cell; here all 8 count.

Truncation keeps the first ``truncate`` dims, that is the shortest paths; ``truncate="auto"`` uses the
BANANAS defaults (``naszilla`` repository: 30 for NB201, that is ``k + k**2``, 40 for NAS-Bench-101 and 100
for DARTS).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from naspred.errors import InvalidInputError
from naspred.featurizers.adjacency import NB101_VERTICES, darts_cells, nb101_padded
from naspred.featurizers.encoder import (
    ArchitectureEncoder,
    architectures,
    cell_op_indices,
    space_kind,
    space_operations,
    unsupported,
)
from naspred.params import AnyOf, Boolean, Int, Options, param
from naspred.spaces.base import SearchSpace

#: the input -> output paths of a 4-node cell, as positions in the edge order (0,1),(0,2),(0,3),(1,2),(1,3),(2,3)
CELL_PATHS: tuple[tuple[int, ...], ...] = ((2,), (0, 4), (1, 5), (0, 3, 5))
#: NAS-Bench-101 operations in path-index order
NB101_PATH_OPS: tuple[str, ...] = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")
NB101_PATH_DIMS = sum(3**i for i in range(NB101_VERTICES - 1))
BANANAS_NB101_CUTOFF = 40
#: DARTS: operations per edge, longest path (operations), dims of one (cell, input) block
DARTS_NUM_OPS = 7
DARTS_LONGEST = 4
DARTS_BLOCK = sum(DARTS_NUM_OPS**i for i in range(DARTS_LONGEST + 1))
BANANAS_DARTS_CUTOFF = 100


def cell_path_dims(k: int) -> int:
    """Number of path features of a 4-node cell with ``k`` operations."""
    return k + k**2 + k**3


def cell_path_offset(length: int, k: int) -> int:
    """Index of the first path of ``length`` operations."""
    return sum(k**i for i in range(1, length))


def cell_path_indices(ops: np.ndarray, k: int) -> np.ndarray:
    """Index of each of the 4 paths of each cell: ``(n, 4)`` int64 from ``(n, 6)`` operation indices."""
    out = np.empty((ops.shape[0], len(CELL_PATHS)), dtype=np.int64)
    for p, path in enumerate(CELL_PATHS):
        index = np.full(ops.shape[0], cell_path_offset(len(path), k), dtype=np.int64)
        for j, edge in enumerate(path):
            index += ops[:, edge] * k**j
        out[:, p] = index
    return out


def _cell_path_names(ops: tuple[str, ...]) -> list[str]:
    k = len(ops)
    names = []
    for length in (1, 2, 3):
        for index in range(k**length):
            seq = [ops[(index // k**j) % k] for j in range(length)]
            names.append("path:" + ">".join(seq))
    return names


def nb101_path_index(path_ops: tuple[str, ...]) -> int:
    """Index of a NAS-Bench-101 path from the operations of its interior vertices."""
    return sum(3**i * (NB101_PATH_OPS.index(op) + 1) for i, op in enumerate(path_ops))


def nb101_paths(matrix: np.ndarray, ops: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Operation sequences of every input -> output path of a padded NAS-Bench-101 cell."""
    n = matrix.shape[0]
    to: list[list[tuple[str, ...]]] = [[] for _ in range(n)]
    to[0] = [()]
    for j in range(1, n):
        for i in range(j):
            if matrix[i, j] and to[i]:
                step = () if i == 0 else (ops[i],)
                to[j].extend(p + step for p in to[i])
    return to[n - 1]


def darts_cell_paths(cell: Any) -> list[tuple[int, tuple[int, ...]]]:
    """``(input, op indices)`` of every path of a DARTS cell (8 ``(input node, op)`` pairs) from an input."""
    into: list[list[tuple[int, tuple[int, ...]]]] = [[] for _ in range(len(cell) // 2 + 2)]
    paths = []
    for k, (source, op) in enumerate(cell):
        source, op = int(source), int(op)
        new = [(source, (op,))] if source < 2 else [(inp, seq + (op,)) for inp, seq in into[source]]
        into[k // 2 + 2].extend(new)
        paths.extend(new)
    return paths


def darts_path_index(cell: int, source: int, ops: tuple[int, ...]) -> int:
    """Index of a DARTS path of ``ops`` from input ``source`` (0 c_k-2, 1 c_k-1) of ``cell`` (0 normal, 1 reduce)."""
    return (2 * cell + source) * DARTS_BLOCK + sum(DARTS_NUM_OPS**j * (op + 1) for j, op in enumerate(ops))


def _darts_path_names(ops: tuple[str, ...]) -> list[str]:
    names = []
    for cell in ("normal", "reduce"):
        for source in ("c_k-2", "c_k-1"):
            for index in range(DARTS_BLOCK):
                seq, rest = [], index
                while rest > 0:  # bijective base-7 digits, least significant first
                    seq.append(ops[(rest - 1) % DARTS_NUM_OPS])
                    rest = (rest - 1) // DARTS_NUM_OPS
                names.append(f"{cell}:path:{source}" + "".join(f">{op}" for op in seq))
    return names


def _nb101_path_names() -> list[str]:
    names = []
    for index in range(NB101_PATH_DIMS):
        seq, rest, length = [], index, 0
        while rest > 0:  # bijective base-3 digits, least significant first
            digit = (rest - 1) % 3
            seq.append(NB101_PATH_OPS[digit])
            rest = (rest - 1) // 3
            length += 1
        names.append("path:" + (">".join(seq) if seq else "input>output"))
    return names


class PathEncoding(ArchitectureEncoder):
    """BANANAS path encoding (White et al., AAAI 2021); NB201-style cells 155 dims, NAS-Bench-101 364, DARTS 11,204.

    Parameters
    ----------
    space : str or SearchSpace
        A cell space (nb201, tnb101-micro, spikenas), nb101 or darts.
    truncate : int, "auto" or None
        Keep only the first ``truncate`` dims (the shortest paths; at most the space's path dims); ``"auto"``
        for BANANAS's cutoffs, None for all.
    count : bool
        Count the paths with each operation sequence instead of marking their presence (NASLib marks).
    include_none_paths : bool
        In cell spaces, keep paths through the no-connection operation (NASLib does); ``False`` drops them.
    """

    truncate: int | str | None = param(None, AnyOf(Int(1), Options(("auto",)), None))
    count: bool = param(False, Boolean())
    include_none_paths: bool = param(True, Boolean())

    def _full_dims(self, space: SearchSpace) -> int:
        kind = space_kind(space)
        if kind == "cell":
            return cell_path_dims(len(space.ops))
        return NB101_PATH_DIMS if kind == "nb101" else 4 * DARTS_BLOCK

    def _kept(self, space: SearchSpace) -> int:
        if self.truncate is None:
            return self._full_dims(space)
        if self.truncate == "auto":
            kind = space_kind(space)
            if kind == "cell":
                return len(space.ops) + len(space.ops) ** 2
            return BANANAS_NB101_CUTOFF if kind == "nb101" else BANANAS_DARTS_CUTOFF
        return int(self.truncate)

    def _check_params_suit_space(self, space: SearchSpace) -> None:
        if space_kind(space) not in ("cell", "nb101", "darts"):
            raise unsupported(self._owner, space, "cell spaces (nb201, tnb101-micro, spikenas), nb101 and darts")
        full = self._full_dims(space)
        if isinstance(self.truncate, numbers.Integral) and self.truncate > full:
            raise InvalidInputError(
                f"{self._owner}: truncate={self.truncate} is outside [1, {full}], the path dims of space {space.name!r}"
            )

    def _encode(self, space: SearchSpace, archs: Any) -> np.ndarray:
        kind = space_kind(space)
        if kind == "cell":
            full = self._encode_cells(space, cell_op_indices(space, archs, self._owner))
        elif kind == "nb101":
            full = self._encode_nb101(space, architectures(space, archs, self._owner))
        else:
            full = self._encode_darts(architectures(space, archs, self._owner))
        return full[:, : self._kept(space)]

    def _encode_cells(self, space: SearchSpace, ops: np.ndarray) -> np.ndarray:
        k = len(space.ops)
        dims = cell_path_dims(k)
        indices = cell_path_indices(ops, k)
        n = ops.shape[0]
        keep = np.ones(indices.shape, dtype=bool)
        if not self.include_none_paths:
            none = space.ops.index(no_connection_op(space))
            for p, path in enumerate(CELL_PATHS):
                keep[:, p] = ~np.any(ops[:, list(path)] == none, axis=1)
        flat = (np.arange(n)[:, None] * dims + indices)[keep]
        if self.count:
            return np.bincount(flat, minlength=n * dims).astype(np.float64).reshape(n, dims)
        out = np.zeros(n * dims, dtype=np.float64)
        out[flat] = 1.0
        return out.reshape(n, dims)

    def _encode_nb101(self, space: SearchSpace, archs: list[Any]) -> np.ndarray:
        out = np.zeros((len(archs), NB101_PATH_DIMS), dtype=np.float64)
        for a, arch in enumerate(archs):
            matrix, ops = nb101_padded(space, arch)
            for path in nb101_paths(matrix, ops):
                index = nb101_path_index(path)
                out[a, index] = out[a, index] + 1.0 if self.count else 1.0
        return out

    def _encode_darts(self, archs: list[Any]) -> np.ndarray:
        out = np.zeros((len(archs), 4 * DARTS_BLOCK), dtype=np.float64)
        for a, arch in enumerate(archs):
            for c, cell in enumerate(darts_cells(arch)):
                for source, ops in darts_cell_paths(cell):
                    index = darts_path_index(c, source, ops)
                    out[a, index] = out[a, index] + 1.0 if self.count else 1.0
        return out

    def _feature_names(self, space: SearchSpace) -> list[str]:
        kind = space_kind(space)
        if kind == "cell":
            names = _cell_path_names(tuple(space.ops))
        elif kind == "nb101":
            names = _nb101_path_names()
        else:
            names = _darts_path_names(space_operations(space))
        return names[: self._kept(space)]


def no_connection_op(space: SearchSpace) -> str:
    """The operation of a cell space that means no connection ("none" in NB201)."""
    for attr in ("none_op", "zero_op", "no_connection_op"):
        name = getattr(space, attr, None)
        if isinstance(name, str):
            return name
    for name in ("none", "zero"):
        if name in space.ops:
            return name
    raise InvalidInputError(f"search space {space.name!r} names no no-connection operation among {space.ops}")
