"""Adjacency encodings: one-hot (NASLib's ``adjacency_one_hot``) and categorical (one integer per choice).

The layouts follow NASLib (White et al., "How Powerful are Performance Predictors in Neural Architecture
Search?", NeurIPS 2021; ``naslib/search_spaces/*/encodings.py``):

* NAS-Bench-201-style cells: for each edge in the order (0,1),(0,2),(0,3),(1,2),(1,3),(2,3), a one-hot of
  its operation over ``space.ops`` (NB201 and SpikeNAS 6 x 5 = 30 dims, TransNAS-Bench-101 micro 6 x 4 = 24).
* NAS-Bench-101 (``encode_adj``): the 21 upper-triangular bits of the padded 7 x 7 adjacency, row by row,
  then a one-hot of each of the 5 interior operations over (maxpool3x3, conv3x3-bn-relu, conv1x1-bn-relu),
  NASLib's slot order: 36 dims. A pruned cell of fewer than 7 vertices is padded as NASLib pads it: disconnected
  conv3x3-bn-relu vertices inserted before the output, whose operation slots are set like any other.
* DARTS (``encode_adj`` of NASLib's nasbench301 encodings): for the normal then the reduction cell, the
  flattened 7 x 7 adjacency of (c_k-2, c_k-1, four intermediate nodes, output) followed by the 8 operation
  indices as integers, as NASLib writes them: 2 x (49 + 8) = 114 dims.
* NAS-Bench-Graph: a one-hot of each node's input (node ``i`` may read from 0..i) and of each node's operation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np

from naspred.featurizers.encoder import (
    CELL_EDGES,
    ArchitectureEncoder,
    architectures,
    cell_op_indices,
    space_kind,
    unsupported,
)
from naspred.spaces.base import SearchSpace

#: NAS-Bench-101 operations in the slot order of NASLib's ``encode_adj``
NB101_ONE_HOT_OPS: tuple[str, ...] = ("maxpool3x3", "conv3x3-bn-relu", "conv1x1-bn-relu")
NB101_VERTICES = 7
DARTS_NODES = 7  # c_k-2, c_k-1, four intermediate nodes, output
DARTS_EDGES = 8


def _edge_name(edge: tuple[int, int]) -> str:
    return f"{edge[0]}->{edge[1]}"


def cell_one_hot(ops: np.ndarray, k: int) -> np.ndarray:
    """One-hot of ``(n, e)`` operation indices over ``k`` operations: ``(n, e * k)`` float64."""
    n, e = ops.shape
    out = np.zeros((n, e * k), dtype=np.float64)
    out[np.arange(n)[:, None], np.arange(e)[None, :] * k + ops] = 1.0
    return out


def nb101_padded(space: SearchSpace, arch: Any) -> tuple[np.ndarray, tuple[str, ...]]:
    """The padded 7 x 7 adjacency (int) and 7 operation names of a NAS-Bench-101 cell (NASLib's form)."""
    if hasattr(space, "padded"):
        matrix, ops = space.padded(arch)
    else:
        from naspred.spaces.nasbench101 import padded

        matrix, ops = padded(arch)
    return np.asarray(matrix, dtype=np.int64), tuple(ops)


def _nb101_one_hot(space: SearchSpace, archs: list[Any]) -> np.ndarray:
    rows, cols = np.triu_indices(NB101_VERTICES, k=1)
    slot = {op: i for i, op in enumerate(NB101_ONE_HOT_OPS)}
    out = np.zeros((len(archs), len(rows) + 3 * (NB101_VERTICES - 2)), dtype=np.float64)
    for a, arch in enumerate(archs):
        matrix, ops = nb101_padded(space, arch)
        out[a, : len(rows)] = matrix[rows, cols]
        for v in range(1, NB101_VERTICES - 1):
            out[a, len(rows) + 3 * (v - 1) + slot[ops[v]]] = 1.0
    return out


def _nb101_names(space: SearchSpace) -> list[str]:
    rows, cols = np.triu_indices(NB101_VERTICES, k=1)
    names = [f"adj:{i}->{j}" for i, j in zip(rows, cols)]
    names += [f"node{v}:{op}" for v in range(1, NB101_VERTICES - 1) for op in NB101_ONE_HOT_OPS]
    return names


def darts_cells(arch: Any) -> tuple[Any, Any]:
    """The normal and reduction cells of a DARTS architecture, each 8 ``(input node, op index)`` pairs."""
    return arch.normal, arch.reduce


def _darts_adjacency(space: SearchSpace, archs: list[Any]) -> np.ndarray:
    block = DARTS_NODES * DARTS_NODES + DARTS_EDGES
    out = np.zeros((len(archs), 2 * block), dtype=np.float64)
    for a, arch in enumerate(archs):
        for c, cell in enumerate(darts_cells(arch)):
            matrix = np.zeros((DARTS_NODES, DARTS_NODES))
            ops = np.zeros(DARTS_EDGES)
            for i, (source, op) in enumerate(cell):
                matrix[int(source), i // 2 + 2] = 1.0
                ops[i] = int(op)
            matrix[2:6, DARTS_NODES - 1] = 1.0
            out[a, c * block : c * block + DARTS_NODES**2] = matrix.ravel()
            out[a, c * block + DARTS_NODES**2 : (c + 1) * block] = ops
    return out


def _darts_adjacency_names(space: SearchSpace) -> list[str]:
    names = []
    for cell in ("normal", "reduce"):
        names += [f"{cell}:adj:{i}->{j}" for i in range(DARTS_NODES) for j in range(DARTS_NODES)]
        names += [f"{cell}:op{e}" for e in range(DARTS_EDGES)]
    return names


def _darts_categorical(space: SearchSpace, archs: list[Any]) -> np.ndarray:
    out = np.zeros((len(archs), 2 * DARTS_EDGES * 2), dtype=np.float64)
    for a, arch in enumerate(archs):
        values = [int(x) for cell in darts_cells(arch) for pair in cell for x in pair]
        out[a] = values
    return out


def _darts_categorical_names(space: SearchSpace) -> list[str]:
    return [
        f"{cell}:edge{e}:{part}"
        for cell in ("normal", "reduce")
        for e in range(DARTS_EDGES)
        for part in ("input", "op")
    ]


def nbgraph_choices(space: SearchSpace, arch: Any) -> tuple[list[int], list[int]]:
    """Each node's input and operation index of a NAS-Bench-Graph architecture."""
    return [int(x) for x in arch.link], [space.ops.index(op) for op in arch.ops]


def _nbgraph_one_hot(space: SearchSpace, archs: list[Any]) -> np.ndarray:
    n_nodes = int(space.num_nodes)
    k = len(space.ops)
    link_width = n_nodes * (n_nodes + 1) // 2
    out = np.zeros((len(archs), link_width + n_nodes * k), dtype=np.float64)
    offsets = np.concatenate([[0], np.cumsum(np.arange(1, n_nodes + 1))])
    for a, arch in enumerate(archs):
        link, ops = nbgraph_choices(space, arch)
        for i, (source, op) in enumerate(zip(link, ops)):
            out[a, offsets[i] + source] = 1.0
            out[a, link_width + i * k + op] = 1.0
    return out


def _nbgraph_names(space: SearchSpace) -> list[str]:
    n_nodes = space.num_nodes
    names = [f"node{i + 1}:input={s}" for i in range(n_nodes) for s in range(i + 1)]
    names += [f"node{i + 1}:{op}" for i in range(n_nodes) for op in space.ops]
    return names


def _cell_one_hot(space: SearchSpace, ops: np.ndarray) -> np.ndarray:
    return cell_one_hot(ops, len(space.ops))


def _cell_one_hot_names(space: SearchSpace) -> list[str]:
    return [f"{_edge_name(e)}:{op}" for e in CELL_EDGES for op in space.ops]


def _cell_categorical(space: SearchSpace, ops: np.ndarray) -> np.ndarray:
    return ops.astype(np.float64)


def _cell_categorical_names(space: SearchSpace) -> list[str]:
    return [_edge_name(e) for e in CELL_EDGES]


def _nb101_categorical(space: SearchSpace, archs: list[Any]) -> np.ndarray:
    rows, cols = np.triu_indices(NB101_VERTICES, k=1)
    slot = {op: i for i, op in enumerate(NB101_ONE_HOT_OPS)}
    out = np.zeros((len(archs), len(rows) + NB101_VERTICES - 2), dtype=np.float64)
    for a, arch in enumerate(archs):
        matrix, ops = nb101_padded(space, arch)
        out[a, : len(rows)] = matrix[rows, cols]
        out[a, len(rows) :] = [slot[op] for op in ops[1:-1]]
    return out


def _nb101_categorical_names(space: SearchSpace) -> list[str]:
    rows, cols = np.triu_indices(NB101_VERTICES, k=1)
    return [f"adj:{i}->{j}" for i, j in zip(rows, cols)] + [f"node{v}:op" for v in range(1, NB101_VERTICES - 1)]


def _nbgraph_categorical(space: SearchSpace, archs: list[Any]) -> np.ndarray:
    out = np.zeros((len(archs), 2 * space.num_nodes), dtype=np.float64)
    for a, arch in enumerate(archs):
        link, ops = nbgraph_choices(space, arch)
        out[a] = [*link, *ops]
    return out


def _nbgraph_categorical_names(space: SearchSpace) -> list[str]:
    n_nodes = space.num_nodes
    return [f"node{i + 1}:input" for i in range(n_nodes)] + [f"node{i + 1}:op" for i in range(n_nodes)]


class _LayoutPerKind(ArchitectureEncoder):
    """An encoding with one layout per kind of space: cell spaces, nb101, darts and nbgraph.

    ``_encoders[kind](space, items)`` encodes the operation indices of cells (kind ``"cell"``) or the validated
    architectures (the other kinds); ``_namers[kind](space)`` names the columns.
    """

    _encoders: ClassVar[Mapping[str, Callable[[SearchSpace, Any], np.ndarray]]]
    _namers: ClassVar[Mapping[str, Callable[[SearchSpace], list[str]]]]

    def _check_params_suit_space(self, space: SearchSpace) -> None:
        if space_kind(space) == "other":
            raise unsupported(self._owner, space, "cell spaces, nb101, darts and nbgraph")

    def _encode(self, space: SearchSpace, archs: Any) -> np.ndarray:
        kind = space_kind(space)
        if kind == "cell":
            return self._encoders[kind](space, cell_op_indices(space, archs, self._owner))
        return self._encoders[kind](space, architectures(space, archs, self._owner))

    def _feature_names(self, space: SearchSpace) -> list[str]:
        return self._namers[space_kind(space)](space)


class AdjacencyOneHot(_LayoutPerKind):
    """NASLib's ``adjacency_one_hot`` encoding (White et al., NeurIPS 2021), vectorised for cell spaces.

    Dimensions: NB201 / SpikeNAS 30, TransNAS-Bench-101 micro 24, NAS-Bench-101 36, DARTS 114
    (NASLib keeps the DARTS operations as integers), NAS-Bench-Graph links + operations one-hot.

    Parameters
    ----------
    space : str or SearchSpace
        A cell space (nb201, tnb101-micro, spikenas), nb101, darts or nbgraph.
    """

    _encoders = MappingProxyType(
        {"cell": _cell_one_hot, "nb101": _nb101_one_hot, "darts": _darts_adjacency, "nbgraph": _nbgraph_one_hot}
    )
    _namers = MappingProxyType(
        {"cell": _cell_one_hot_names, "nb101": _nb101_names, "darts": _darts_adjacency_names, "nbgraph": _nbgraph_names}
    )


class CategoricalAdjacency(_LayoutPerKind):
    """One integer column per architectural choice (NASLib's ``adjacency_categorical``).

    Cell spaces: the operation index of each of the 6 edges. NAS-Bench-101: the 21 upper-triangular
    adjacency bits and the 5 interior operations of the padded cell as indices into (maxpool3x3,
    conv3x3-bn-relu, conv1x1-bn-relu). DARTS: the (input node, operation) of each of the 8 edges of both
    cells (NASLib's compact form, 32 columns). NAS-Bench-Graph: each node's input, then each node's operation.

    Parameters
    ----------
    space : str or SearchSpace
        A cell space (nb201, tnb101-micro, spikenas), nb101, darts or nbgraph.
    """

    _encoders = MappingProxyType(
        {"cell": _cell_categorical, "nb101": _nb101_categorical, "darts": _darts_categorical,
         "nbgraph": _nbgraph_categorical}
    )
    _namers = MappingProxyType(
        {"cell": _cell_categorical_names, "nb101": _nb101_categorical_names, "darts": _darts_categorical_names,
         "nbgraph": _nbgraph_categorical_names}
    )
