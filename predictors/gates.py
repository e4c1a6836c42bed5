"""GATES: operations as gates of the information flowing through the architecture graph, ranked pairwise.

Ning et al., "A Generic Graph-based Neural Architecture Encoding Scheme for Predictor-based NAS" (ECCV 2020),
as the authors' ``aw_nas`` implements it (``DenseGraphFlow`` for operations on nodes, as NAS-Bench-101;
``DenseGraphSimpleOpEdgeFlow`` for operations on edges, as NAS-Bench-201). The input nodes start from a learned
embedding, every other node from a zero one, all projected to ``hidden`` units. Each GATES layer transforms
the node features by a weight matrix ``W`` and lets each node receive the transformed features of its
predecessors, each multiplied elementwise by the gate ``sigmoid(W_o e_op + c)`` of the operation ``op`` the
information passes through (``e_op``: a learned operation embedding)::

    h_i <- sum_{j -> i} sigmoid(W_o e_op(j->i) + c) * (h_j W)  [+ h_i W]

with a ReLU between layers; the bracketed term (the node's own features) is kept at the input nodes only
(``residual="inputs"``, the authors' NAS-Bench-201 setting ``residual_only: 1``), or at every node
(``residual="all"``, their default). On NAS-Bench-201-style cells ``op(j -> i)`` is the operation on the edge,
and edges whose operation means "no connection" carry nothing; on node-labelled graphs (NAS-Bench-101,
DARTS and NAS-Bench-Graph in NASLib's graph form, read through the ``"gcn"`` featurizer) it is the operation
of the receiving node ``i``. The architecture embedding is the output node's features (``readout="output"``,
the authors' ``use_final_only``; the mean over the output nodes where there are several, as DARTS's two
cells), or the mean over every node but the inputs (``readout="mean"``); a multilayer perceptron (ReLU,
dropout) scores it.

Training is the paper's pairwise ranking: in each minibatch, up to ``max_pairs_ratio`` times as many pairs
as architectures are drawn at random among those whose targets differ, and the hinge loss
``max(0, margin - (s_better - s_worse))`` is minimised with Adam. The defaults are the authors' NAS-Bench-201
configuration (``aw_nas``, ``examples/research/dele/cfgs/train_nb201_gates_config.yaml``): embeddings of 48,
96 hidden units, 5 GATES layers of 128, an MLP of 5 layers of 300 with dropout 0.1, margin 0.1, at most 4
pairs per architecture, batches of 512, learning rate 1e-3, 200 epochs. Scores have no scale of their own:
after training they are mapped to the target by the least-squares line of the training targets on the
training scores, which keeps their order (no standard deviation). The network trains in float32 and predicts
in float64, so that a prediction does not depend on the batch it is in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from itertools import pairwise
from typing import Any

import numpy as np
import torch
from naspred.featurizers import get as get_featurizer
from naspred.featurizers.encoder import CELL_EDGES, cell_op_indices, space_kind
from naspred.featurizers.graph import node_vocabulary
from naspred.params import Int, Options, Real, param
from naspred.predictors.info import ArchInfo
from naspred.predictors.neural import EpochTrained, adam, count_steps, epoch_batches
from naspred.predictors.ranking_losses import linear_calibration
from naspred.predictors.requirements import Requirements
from naspred.spaces.base import SearchSpace
from torch import nn

logger = logging.getLogger(__name__)

#: nodes of a NAS-Bench-201-style cell
CELL_NODES = 4


@dataclass(frozen=True)
class GatesGraphs:
    """A batch of architecture graphs as GATES reads them: ``n`` graphs of ``V`` nodes and (at most) ``E`` edges,
    ``K`` operations, as one-hot matrices (all-zero rows for the padding edges of smaller graphs).

    ``sources`` (n, E, V) and ``targets`` (n, V, E): the node each edge leaves and the node it enters;
    ``ops`` (n, E, K): the operation each edge passes the information through. ``inputs`` (n, V) bool: the
    input nodes; ``readout`` (n, V) float: every node but the inputs and the padding; ``outputs`` (n, V)
    float: the output nodes.
    """

    sources: torch.Tensor
    targets: torch.Tensor
    ops: torch.Tensor
    inputs: torch.Tensor
    readout: torch.Tensor
    outputs: torch.Tensor

    def _tensors(self) -> tuple[torch.Tensor, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))

    def __getitem__(self, index: torch.Tensor) -> GatesGraphs:
        return GatesGraphs(*(t[index] for t in self._tensors()))

    def double(self) -> GatesGraphs:
        """The same graphs with float64 matrices."""
        return GatesGraphs(*(t if t.dtype == torch.bool else t.double() for t in self._tensors()))


def operation_vocabulary(space: SearchSpace) -> tuple[str, ...]:
    """The operations whose embeddings GATES learns: a cell space's operations, else the node labels of the
    ``"gcn"`` featurizer (input, operations, output)."""
    return tuple(space.ops) if space_kind(space) == "cell" else node_vocabulary(space)


def edge_graphs(edges: list[list[tuple[int, int, int]]], nodes: tuple[np.ndarray, ...], n_ops: int,
                device: torch.device) -> GatesGraphs:
    """The one-hot matrices of graphs given as ``(source, target, operation)`` edges, and their nodes as
    ``(inputs, real, outputs)`` boolean masks (n, V)."""
    inputs, real, outputs = nodes
    n, size = inputs.shape
    width = max(1, max(len(e) for e in edges))
    sources = np.zeros((n, width, size), dtype=np.float32)
    targets = np.zeros((n, size, width), dtype=np.float32)
    ops = np.zeros((n, width, n_ops), dtype=np.float32)
    for a, graph in enumerate(edges):
        for e, (u, v, k) in enumerate(graph):
            sources[a, e, u] = targets[a, v, e] = ops[a, e, k] = 1.0

    def tensor(x: np.ndarray, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        return torch.as_tensor(x, dtype=dtype, device=device)

    return GatesGraphs(tensor(sources), tensor(targets), tensor(ops), tensor(inputs, torch.bool),
                       tensor(real & ~inputs), tensor(outputs))


def cell_graphs(space: SearchSpace, archs: list[Any], device: torch.device) -> GatesGraphs:
    """NAS-Bench-201-style cells with their operations on the edges; "no connection" edges are left out."""
    ops = cell_op_indices(space, archs, "GATES")
    none = getattr(space, "none_op", None)
    skip = space.ops.index(none) if none in space.ops else -1
    edges = [[(u, v, int(k)) for (u, v), k in zip(CELL_EDGES, row) if k != skip] for row in ops]
    nodes = np.broadcast_to(np.arange(CELL_NODES), (len(ops), CELL_NODES))
    return edge_graphs(edges, (nodes == 0, nodes >= 0, nodes == CELL_NODES - 1), len(space.ops), device)


def node_graphs(space: SearchSpace, archs: list[Any], device: torch.device) -> GatesGraphs:
    """Node-labelled graphs (the ``"gcn"`` featurizer's form): what flows into a node passes its operation."""
    g = get_featurizer("gcn", space=space, normalize="none").graphs(archs)
    links = g.adjacency - np.eye(g.adjacency.shape[1], dtype=np.float32)  # self-loops removed
    labels = g.operations.argmax(axis=2)  # over (input, operations, output); padding rows are zero
    edges = [[(int(u), int(v), int(labels[a, v])) for u, v in zip(*np.nonzero(links[a]))] for a in range(len(links))]
    ops = g.operations
    return edge_graphs(edges, (ops[:, :, 0] > 0, g.mask, ops[:, :, -1] > 0), ops.shape[2], device)


class GatesLayer(nn.Module):
    """One GATES layer: the messages of the predecessors, each gated by the operation of its edge, plus (where
    ``keep``) the node's own transformed features."""

    def __init__(self, fan_in: int, fan_out: int, op_dim: int) -> None:
        super().__init__()
        bound = 1.0 / np.sqrt(fan_out)
        self.weight = nn.Parameter(torch.empty(fan_in, fan_out).uniform_(-bound, bound))
        self.gate = nn.Linear(op_dim, fan_out)

    def forward(self, h: torch.Tensor, graphs: GatesGraphs, op_embeddings: torch.Tensor,
                keep: torch.Tensor) -> torch.Tensor:
        support = h @ self.weight  # (n, V, d)
        gates = graphs.ops @ torch.sigmoid(self.gate(op_embeddings))  # (n, E, d): the gate of each edge
        return graphs.targets @ (gates * (graphs.sources @ support)) + keep * support


class GatesNet(nn.Module):
    """The GATES encoder and the MLP that scores its embedding."""

    def __init__(self, n_ops: int, sizes: dict[str, int], shape: dict[str, Any]) -> None:
        super().__init__()
        self.op_embedding = nn.Parameter(torch.randn(n_ops, sizes["op_dim"]))
        self.input_embedding = nn.Parameter(torch.randn(sizes["node_dim"]))
        self.project = nn.Linear(sizes["node_dim"], sizes["hidden"])
        widths = [sizes["hidden"]] + [sizes["width"]] * shape["num_layers"]
        self.layers = nn.ModuleList(GatesLayer(a, b, sizes["op_dim"]) for a, b in pairwise(widths))
        head: list[nn.Module] = []
        width = widths[-1]
        for _ in range(shape["mlp_layers"]):
            head += [nn.Linear(width, sizes["mlp_hidden"]), nn.ReLU(), nn.Dropout(shape["dropout"])]
            width = sizes["mlp_hidden"]
        self.head = nn.Sequential(*head, nn.Linear(width, 1))
        self.readout, self.residual = shape["readout"], shape["residual"]

    def embed(self, graphs: GatesGraphs) -> torch.Tensor:
        h = self.project(graphs.inputs.unsqueeze(-1) * self.input_embedding)  # other nodes start from zero
        keep = graphs.inputs.to(h.dtype) if self.residual == "inputs" else torch.ones_like(graphs.readout)
        keep = keep.unsqueeze(-1)
        for i, layer in enumerate(self.layers):
            h = layer(h, graphs, self.op_embedding, keep)
            if i < len(self.layers) - 1:
                h = torch.relu(h)
        read = graphs.outputs if self.readout == "output" else graphs.readout
        weights = read / read.sum(dim=1, keepdim=True).clamp_min(1.0)
        return (h * weights.unsqueeze(-1)).sum(dim=1)

    def forward(self, graphs: GatesGraphs) -> torch.Tensor:
        return self.head(self.embed(graphs)).squeeze(-1)


def ranked_pairs(z: np.ndarray, limit: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(better, worse)`` of positions of ``z`` whose values differ: all of them, or ``limit`` drawn at
    random without replacement (``aw_nas``'s "random" pair choice)."""
    first, second = np.triu_indices(len(z), k=1)
    keep = z[first] != z[second]
    first, second = first[keep], second[keep]
    if len(first) > limit:
        chosen = rng.choice(len(first), size=limit, replace=False)
        first, second = first[chosen], second[chosen]
    swap = z[first] < z[second]
    return np.where(swap, second, first), np.where(swap, first, second)


class GATES(EpochTrained):
    """GATES (Ning et al., ECCV 2020): operations gate the information flowing through the architecture graph;
    trained with a pairwise hinge ranking loss.

    Parameters
    ----------
    op_dim, node_dim : int
        Sizes of the operation embeddings and of the input node's embedding (>= 1).
    hidden : int
        Units of the projected node embeddings the first GATES layer reads (>= 1).
    width, num_layers : int
        Units of each GATES layer, and their number (>= 1).
    mlp_hidden, mlp_layers : int
        Units of each hidden layer of the scoring MLP (>= 1), and their number (>= 0).
    dropout : float
        Dropout rate after each hidden layer of the MLP, in [0, 1).
    margin : float
        Margin of the hinge ranking loss (> 0).
    max_pairs_ratio : float
        Pairs drawn per minibatch, at most, per architecture in it (> 0).
    readout : {"output", "mean"}
        The embedding: the output node's features, or the mean over every node but the inputs.
    residual : {"inputs", "all"}
        Where a layer adds the node's own transformed features: at the input nodes only, or at every node.
    epochs, batch_size, max_steps, lr, random_state, device
        As :class:`~naspred.predictors.neural.EpochTrained` (200 epochs of batches of 512 here).
    """

    op_dim: int = param(48, Int(1))
    node_dim: int = param(48, Int(1))
    hidden: int = param(96, Int(1))
    width: int = param(128, Int(1))
    num_layers: int = param(5, Int(1))
    mlp_hidden: int = param(300, Int(1))
    mlp_layers: int = param(5, Int(0))
    dropout: float = param(0.1, Real(0.0, 1.0, closed="left"))
    margin: float = param(0.1, Real(0.0, closed="neither"))
    max_pairs_ratio: float = param(4.0, Real(0.0, closed="neither"))
    readout: str = param("output", Options(("output", "mean")))
    residual: str = param("inputs", Options(("inputs", "all")))
    epochs: int = param(200)
    batch_size: int = param(512)

    @property
    def requirements(self) -> Requirements:
        return Requirements(featurizers=("gcn",), labelled=True, encoding=True)

    def _graphs(self, archs: list[Any], info: ArchInfo) -> GatesGraphs:
        build = cell_graphs if space_kind(info.space) == "cell" else node_graphs
        return build(info.space, archs, self.device_)

    def _train(self, archs: list[Any], z: np.ndarray, info: ArchInfo, rng: np.random.Generator) -> None:
        graphs = self._graphs(archs, info)
        sizes = {"op_dim": self.op_dim, "node_dim": self.node_dim, "hidden": self.hidden, "width": self.width,
                 "mlp_hidden": self.mlp_hidden}
        shape = {"num_layers": self.num_layers, "mlp_layers": self.mlp_layers, "dropout": self.dropout,
                 "readout": self.readout, "residual": self.residual}
        net = GatesNet(len(operation_vocabulary(info.space)), sizes, shape).to(self.device_)
        self._rank(net, graphs, z, rng)
        # trained in float32, evaluated in float64: a prediction does not depend on the batch it is in
        self.network_ = net.double().eval()
        with torch.no_grad():
            intercept, slope = linear_calibration(self._scores(graphs.double()), z)
            self.calibration_ = (float(intercept), float(slope))

    def _rank(self, net: GatesNet, graphs: GatesGraphs, z: np.ndarray, rng: np.random.Generator) -> None:
        """Adam on the hinge ranking loss of the pairs drawn in each minibatch."""
        n = len(z)
        steps = count_steps(n, self.batch_size, self.epochs, self.max_steps)
        optimizer = adam(net.parameters(), self.lr)
        net.train()
        loss = torch.zeros(())
        for batch in epoch_batches(n, self.batch_size, steps, rng):
            better, worse = ranked_pairs(z[batch], int(self.max_pairs_ratio * len(batch)), rng)
            if not len(better):  # every target in the batch is the same: nothing to rank
                continue
            scores = net(graphs[torch.as_tensor(batch, device=self.device_)])
            better_t, worse_t = (torch.as_tensor(i, device=self.device_) for i in (better, worse))
            gap = scores[better_t] - scores[worse_t]
            loss = torch.relu(self.margin - gap).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        logger.debug("%s: hinge loss %.4f after %d steps", self._name, float(loss.detach()), steps)

    def _scores(self, graphs: GatesGraphs) -> np.ndarray:
        return self.network_(graphs).cpu().numpy().astype(np.float64)

    def _infer(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray | None]:
        intercept, slope = self.calibration_
        return intercept + slope * self._scores(self._graphs(archs, info).double()), None
