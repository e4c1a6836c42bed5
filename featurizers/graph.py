"""Graph inputs of GCN predictors: NASLib's padded, normalised adjacency with one-hot node operations, and
``torch_geometric`` graphs.

NASLib's GCN predictor (after Wen et al., "Neural Predictor for Neural Architecture Search", ECCV 2020;
``naslib/predictors/gcn.py``) adds self-loops to the adjacency ``A`` of the node-labelled DAG and
row-normalises it, ``D^-1 (A + I)`` with ``D`` the row sums; ``normalize="symmetric"`` gives instead the
Kipf and Welling form ``D^-1/2 (A + A^T + I) D^-1/2`` on the undirected graph. Node layouts follow NASLib:

* NAS-Bench-201-style cells: 8 nodes, the input, one node per edge in the order (0,1),(0,2),(0,3),(1,2),(1,3),
  (2,3), then the output (``encode_gcn_nasbench201``); node features are one-hot over
  ``(input, *space.ops, output)``, 7 for NB201 as in NASLib.
* NAS-Bench-101: the padded 7-vertex cell (one-hot over input, conv3x3, conv1x1, maxpool, output: NASLib's
  5 columns in another order).
* Any other space: ``space.to_graph`` (DARTS: NASLib's 22-node form; NAS-Bench-Graph: input, 4 nodes, output),
  padded with isolated nodes at the end up to ``max_nodes``. NASLib's DARTS features put the cell inputs in
  the column of max_pool_3x3; here the inputs have a column of their own (9 columns, as NASLib).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from naspred.errors import InvalidInputError
from naspred.featurizers.adjacency import NB101_VERTICES, nb101_padded
from naspred.featurizers.encoder import (
    CELL_EDGES,
    ArchitectureEncoder,
    architectures,
    cell_op_indices,
    resolve_space,
    space_kind,
    space_operations,
)
from naspred.params import Int, Options, optional, param
from naspred.spaces.base import SearchSpace

NORMALIZATIONS = ("row", "symmetric", "none")
#: nodes of NASLib's DARTS graph: 11 per cell (2 inputs, 8 operations, output), two cells
DARTS_GRAPH_NODES = 22


@dataclass(frozen=True)
class GCNInputs:
    """GCN inputs of ``n`` architectures padded to ``N`` nodes.

    ``adjacency`` (n, N, N) float32: normalised, self-loops included; ``operations`` (n, N, F) float32:
    one-hot node operations (zero rows for padding); ``mask`` (n, N) bool: the nodes of the architecture
    itself, False for padding (NAS-Bench-101 pads with disconnected conv3x3 vertices as NASLib does, which
    keep their one-hot row). NASLib's graph pooling divides by ``N``; ``mask.sum(1)`` counts real nodes.
    """

    adjacency: np.ndarray
    operations: np.ndarray
    mask: np.ndarray


def node_vocabulary(space: SearchSpace) -> tuple[str, ...]:
    """Column labels of the node one-hot: ``("input", *operations, "output")``."""
    return ("input", *space_operations(space), "output")


def cell_graph_adjacency() -> np.ndarray:
    """The 8 x 8 adjacency of a 4-node cell with each edge made a node (NASLib's ``encode_gcn_nasbench201``)."""
    n_edges = len(CELL_EDGES)
    adj = np.zeros((n_edges + 2, n_edges + 2), dtype=np.float32)
    for e, (u, v) in enumerate(CELL_EDGES):
        if u == 0:
            adj[0, 1 + e] = 1.0
        if v == 3:
            adj[1 + e, n_edges + 1] = 1.0
        for f, (u2, _) in enumerate(CELL_EDGES):
            if u2 == v:
                adj[1 + e, 1 + f] = 1.0
    return adj


def normalize_adjacency(adjacency: np.ndarray, how: str) -> np.ndarray:
    """Add self-loops to a batch ``(n, N, N)`` and normalise it (``"row"``, ``"symmetric"`` or ``"none"``)."""
    eye = np.eye(adjacency.shape[-1], dtype=np.float32)
    if how == "row":
        a = adjacency + eye
        return a / a.sum(axis=-1, keepdims=True)
    if how == "symmetric":
        a = adjacency + np.swapaxes(adjacency, -1, -2) + eye
        d = 1.0 / np.sqrt(a.sum(axis=-1))
        return a * d[..., :, None] * d[..., None, :]
    return adjacency + eye


def _one_hot_labels(labels: Sequence[str], vocabulary: dict[str, int], where: str) -> np.ndarray:
    out = np.zeros((len(labels), len(vocabulary)), dtype=np.float32)
    for i, label in enumerate(labels):
        try:
            out[i, vocabulary[label]] = 1.0
        except KeyError:
            raise InvalidInputError(
                f"{where}: node {i} has operation {label!r}, not among {list(vocabulary)}"
            ) from None
    return out


def _cell_batch(ops: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    n = ops.shape[0]
    adj = np.broadcast_to(cell_graph_adjacency(), (n, len(CELL_EDGES) + 2, len(CELL_EDGES) + 2)).copy()
    labels = np.concatenate([np.zeros((n, 1), np.int64), ops + 1, np.full((n, 1), k + 1, np.int64)], axis=1)
    feats = np.zeros((n, labels.shape[1], k + 2), dtype=np.float32)
    np.put_along_axis(feats, labels[:, :, None], 1.0, axis=2)
    return adj, feats


def _graph(space: SearchSpace, arch: Any) -> tuple[np.ndarray, tuple[str, ...], np.ndarray]:
    """Adjacency, node operations and real-node mask of one validated architecture (NB101 padded to 7)."""
    if space_kind(space) == "nb101":
        matrix, ops = nb101_padded(space, arch)
        real = np.zeros(len(ops), dtype=bool)
        n = len(arch.ops)
        real[: n - 1] = True  # padding sits between the first n - 1 vertices and the output
        real[-1] = True
        return matrix, ops, real
    dag = space.to_graph(arch)
    return np.asarray(dag.adjacency), tuple(dag.node_ops), np.ones(len(dag.node_ops), dtype=bool)


def default_max_nodes(space: SearchSpace) -> int | None:
    """The padded node count of NASLib's GCN encoding for ``space``, where it has one."""
    kind = space_kind(space)
    if kind == "cell":
        return len(CELL_EDGES) + 2
    if kind == "nb101":
        return NB101_VERTICES
    if kind == "darts":
        return DARTS_GRAPH_NODES
    if kind == "nbgraph":
        return int(space.num_nodes) + 2
    return None


class GCNEncoding(ArchitectureEncoder):
    """NASLib's GCN encoding (Wen et al., ECCV 2020, as in NASLib's GCN predictor).

    :meth:`graphs` returns :class:`GCNInputs` (adjacency ``(n, N, N)``, one-hot operations ``(n, N, F)``, mask);
    :meth:`transform` flattens both into ``(n, N*N + N*F)`` float32 so that the encoding works in pipelines.

    Parameters
    ----------
    space : str or SearchSpace
        A cell space, nb101, or any space with ``to_graph`` (darts, nbgraph, ...).
    normalize : {"row", "symmetric", "none"}
        ``"row"`` (NASLib: ``D^-1 (A + I)``), ``"symmetric"`` (``D^-1/2 (A + A^T + I) D^-1/2``) or ``"none"``
        (``A + I``).
    max_nodes : int or None
        Pad every graph to this many nodes (at least the space's own size, where it has one); ``None`` uses
        NASLib's size (cells 8, nb101 7, darts 22), 6 for nbgraph and, for other spaces, the largest graph
        seen by ``fit`` (or of the batch, before any fit).
    """

    normalize: str = param("row", Options(NORMALIZATIONS))
    max_nodes: int | None = param(None, optional(Int(2)))

    def _check_params_suit_space(self, space: SearchSpace) -> None:
        fixed = default_max_nodes(space)
        if self.max_nodes is not None and fixed is not None and self.max_nodes < fixed:
            raise InvalidInputError(
                f"{self._owner}: max_nodes={self.max_nodes} is below the {fixed} nodes of every graph of space "
                f"{space.name!r}"
            )

    def _size(
        self, space: SearchSpace, graphs: list[tuple[np.ndarray, tuple[str, ...], np.ndarray]] | None = None
    ) -> int:
        if self.max_nodes is not None:
            return int(self.max_nodes)
        fixed = default_max_nodes(space)
        if fixed is not None:
            return fixed
        seen = getattr(self, "n_nodes_", None)
        if seen is not None:
            return seen
        if graphs is None:
            raise InvalidInputError(
                f"GCNEncoding on space {space.name!r} has no fixed graph size: fit it first or set max_nodes"
            )
        return max(adj.shape[0] for adj, _, _ in graphs)

    def graphs(self, archs: Sequence[Any]) -> GCNInputs:
        """Normalised adjacency, one-hot operations and node mask of each architecture."""
        space = self._space()
        return self._graphs(space, archs)

    def _graphs(self, space: SearchSpace, archs: Any) -> GCNInputs:
        vocabulary = node_vocabulary(space)
        if space_kind(space) == "cell":
            adj, feats = _cell_batch(cell_op_indices(space, archs, self._owner), len(space.ops))
            n_nodes = self._size(space)
            if n_nodes > adj.shape[1]:
                pad = n_nodes - adj.shape[1]
                adj = np.pad(adj, ((0, 0), (0, pad), (0, pad)))
                feats = np.pad(feats, ((0, 0), (0, pad), (0, 0)))
            mask = np.zeros(adj.shape[:2], dtype=bool)
            mask[:, : len(CELL_EDGES) + 2] = True
        else:
            valid = architectures(space, archs, self._owner)
            graphs = [_graph(space, arch) for arch in valid]
            n_nodes = self._size(space, graphs)
            index = {label: i for i, label in enumerate(vocabulary)}
            adj = np.zeros((len(valid), n_nodes, n_nodes), dtype=np.float32)
            feats = np.zeros((len(valid), n_nodes, len(vocabulary)), dtype=np.float32)
            mask = np.zeros((len(valid), n_nodes), dtype=bool)
            for a, (matrix, ops, real) in enumerate(graphs):
                m = matrix.shape[0]
                if m > n_nodes:
                    raise InvalidInputError(
                        f"{self._owner}: architecture at position {a} has {m} nodes, more than max_nodes={n_nodes}"
                    )
                adj[a, :m, :m] = matrix
                feats[a, :m] = _one_hot_labels(ops, index, f"{self._owner}: architecture at position {a}")
                mask[a, :m] = real
        return GCNInputs(
            adjacency=normalize_adjacency(adj, self.normalize).astype(np.float32, copy=False),
            operations=feats,
            mask=mask,
        )

    @staticmethod
    def _flat(g: GCNInputs) -> np.ndarray:
        n = g.adjacency.shape[0]
        return np.concatenate([g.adjacency.reshape(n, -1), g.operations.reshape(n, -1)], axis=1)

    def _encode(self, space: SearchSpace, archs: Any) -> np.ndarray:
        return self._flat(self._graphs(space, archs))

    def fit(self, archs: Sequence[Any], y: Any = None) -> GCNEncoding:
        """Check ``archs`` and record the padded graph size (``n_nodes_``); returns ``self``."""
        self.fit_transform(archs)
        return self

    def fit_transform(self, archs: Sequence[Any], y: Any = None, **fit_params: Any) -> np.ndarray:
        space = self._space()
        self.__dict__.pop("n_nodes_", None)
        g = self._graphs(space, archs)
        self.n_nodes_ = int(g.adjacency.shape[1])
        self._set_fitted(space)
        return self._flat(g)

    def _feature_names(self, space: SearchSpace) -> list[str]:
        n = self._size(space)
        vocabulary = node_vocabulary(space)
        names = [f"adj:{i}->{j}" for i in range(n) for j in range(n)]
        names += [f"node{i}:{label}" for i in range(n) for label in vocabulary]
        return names


def to_pyg_data(
    space: str | SearchSpace, archs: Sequence[Any], y: Sequence[float] | np.ndarray | None = None
) -> list[Any]:
    """One ``torch_geometric.data.Data`` per architecture: ``x`` one-hot node operations (float32) over
    ``("input", *operations, "output")``, ``edge_index`` the directed edges of the unpadded graph (NASLib's
    8-node form for cells, the pruned cell for NAS-Bench-101, ``space.to_graph`` otherwise) and, when ``y``
    is given, ``y`` as a float32 tensor of shape (1,)."""
    import torch
    from torch_geometric.data import Data

    space = resolve_space(space)
    owner = "to_pyg_data"
    vocabulary = node_vocabulary(space)
    if space_kind(space) == "cell":
        adj, feats = _cell_batch(cell_op_indices(space, archs, owner), len(space.ops))
        graphs = [(adj[a], feats[a]) for a in range(adj.shape[0])]
    else:
        valid = architectures(space, archs, owner)
        index = {label: i for i, label in enumerate(vocabulary)}
        graphs = []
        for a, arch in enumerate(valid):
            dag = space.to_graph(arch)
            graphs.append(
                (
                    np.asarray(dag.adjacency),
                    _one_hot_labels(dag.node_ops, index, f"{owner}: architecture at position {a}"),
                )
            )
    targets = None
    if y is not None:
        targets = np.asarray(y, dtype=np.float64).reshape(-1)
        if targets.shape[0] != len(graphs):
            raise InvalidInputError(f"{owner}: y has {targets.shape[0]} values for {len(graphs)} architectures")
        bad = np.flatnonzero(~np.isfinite(targets))
        if bad.size:
            raise InvalidInputError(f"{owner}: y at position {bad[0]} is {targets[bad[0]]}; expected finite targets")
    out = []
    for a, (adj, feats) in enumerate(graphs):
        src, dst = np.nonzero(adj)
        data = Data(
            x=torch.from_numpy(np.ascontiguousarray(feats, dtype=np.float32)),
            edge_index=torch.from_numpy(np.stack([src, dst]).astype(np.int64)),
            num_nodes=int(adj.shape[0]),
        )
        if targets is not None:
            data.y = torch.tensor([targets[a]], dtype=torch.float32)
        out.append(data)
    return out
