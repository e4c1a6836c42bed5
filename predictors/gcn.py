"""Graph convolutional predictors on NASLib's GCN inputs: the neural predictor of Wen et al. and BONAS.

Both read :class:`~naspred.featurizers.graph.GCNInputs` of the ``"gcn"`` featurizer without normalisation
(``A + I``: the node-labelled DAG with self-loops, one-hot node operations, a mask of real nodes), so that
they work on every space the featurizer supports.

* :class:`GCN`: Wen et al., "Neural Predictor for Neural Architecture Search" (ECCV 2020), as in NASLib's
  ``GCNPredictor``: 4 directed graph convolutions of 144 units, each averaging a propagation along the edges
  (row-normalised ``A + I``) and one against them (row-normalised transpose), ReLU and dropout (NASLib: 0.1);
  the mean over the real nodes; two bias-free linear layers (128 units, then 1). Mean squared error on
  standardised targets, Adam with weight decay, learning rate annealed along a cosine over the epochs.
* :class:`BONAS`: Shi et al., "Bridging the Gap between Sample-based and One-shot Neural Architecture
  Search with BONAS" (NeurIPS 2020): a global node that every real node feeds is added to the graph; 4
  graph convolutions of 64 units with batch normalisation and ReLU (as NASLib's ``BonasPredictor``); the
  global node's features are the architecture embedding. A linear output is trained on it with the squared
  error; the batch-normalisation statistics are then re-estimated on the whole training set, and the output
  is replaced by Bayesian linear regression on the embedding
  (:class:`~naspred.predictors.bayesian_last_layer.LastLayerBLR`), which gives the mean and standard deviation.

What does not depend on the weights (normalised propagation matrices, the global node) is computed once per
fit, not at every step; the optimiser is PyTorch's fused Adam.

Both may be trained with a ranking loss instead of the squared error (``loss="pairwise_hinge"`` or
``"listmle"``, :mod:`naspred.predictors.ranking_losses`). GCN's output is then a score, mapped onto the target
by the least-squares line of the training targets on the training scores (order kept: read it with rank
metrics); BONAS's Bayesian linear regression reads the embedding learnt to rank and predicts the target itself.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from naspred.featurizers import get as get_featurizer
from naspred.featurizers.graph import GCNInputs
from naspred.params import Int, Options, Real, param
from naspred.predictors.bayesian_last_layer import LastLayerBLR
from naspred.predictors.info import ArchInfo
from naspred.predictors.neural import EpochTrained, adam, count_steps, epoch_batches
from naspred.predictors.ranking_losses import (
    LOSSES,
    batch_loss,
    is_ranking,
    linear_calibration,
)
from naspred.predictors.requirements import Requirements
from naspred.torch_tools import reestimate_batch_norm
from torch import nn

Tensors = tuple[torch.Tensor, torch.Tensor, torch.Tensor]


def graph_tensors(graphs: GCNInputs, device: torch.device) -> Tensors:
    """Adjacency with self-loops ``(n, N, N)``, node features ``(n, N, F)`` and float mask ``(n, N)`` as tensors."""
    adjacency = torch.as_tensor(graphs.adjacency, dtype=torch.float32, device=device)
    operations = torch.as_tensor(graphs.operations, dtype=torch.float32, device=device)
    mask = torch.as_tensor(graphs.mask, dtype=torch.float32, device=device)
    return adjacency, operations, mask


def row_normalise(adjacency: torch.Tensor) -> torch.Tensor:
    """Each row divided by its sum (rows that sum to zero stay zero)."""
    return adjacency / adjacency.sum(dim=-1, keepdim=True).clamp_min(1e-12)


class DirectedGraphConvolution(nn.Module):
    """Wen et al.'s layer: the mean of a propagation along the edges and one against them, each with its weights."""

    def __init__(self, fan_in: int, fan_out: int, dropout: float) -> None:
        super().__init__()
        self.forward_weight = nn.Parameter(nn.init.xavier_uniform_(torch.empty(fan_in, fan_out)))
        self.backward_weight = nn.Parameter(nn.init.xavier_uniform_(torch.empty(fan_in, fan_out)))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, along: torch.Tensor, against: torch.Tensor) -> torch.Tensor:
        out = torch.relu(along @ (x @ self.forward_weight)) + torch.relu(against @ (x @ self.backward_weight))
        return self.dropout(out / 2)


class NeuralPredictorNet(nn.Module):
    """The directed GCN of Wen et al. (ECCV 2020) as NASLib builds it."""

    def __init__(self, n_features: int, hidden: int, num_layers: int, linear_hidden: int, dropout: float) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            DirectedGraphConvolution(n_features if i == 0 else hidden, hidden, dropout) for i in range(num_layers)
        )
        self.fc1 = nn.Linear(hidden, linear_hidden, bias=False)
        self.dropout = nn.Dropout(dropout)
        self.fc2 = nn.Linear(linear_hidden, 1, bias=False)

    @staticmethod
    def inputs(adjacency: torch.Tensor, operations: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """What :meth:`forward` reads, computed once per architecture: propagations along and against the
        edges, node features, mask."""
        along = row_normalise(adjacency)
        return along, row_normalise(along.transpose(1, 2)), operations, mask

    def forward(
        self, along: torch.Tensor, against: torch.Tensor, operations: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        x = operations
        for layer in self.layers:
            x = layer(x, along, against)
        pooled = (x * mask.unsqueeze(-1)).sum(dim=1) / mask.sum(dim=1, keepdim=True)
        return self.fc2(self.dropout(self.fc1(pooled))).squeeze(-1)


def with_global_node(adjacency: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """BONAS's propagation matrix: a global node fed by every real node; row ``i`` averages the inputs of ``i``.

    ``adjacency`` holds ``A + I`` (``A[i, j] = 1`` for an edge ``i -> j``); the result, of size ``N + 1``, is
    the row-normalised transpose of ``A + I`` with the global node appended (its self-loop included).
    """
    n, size = adjacency.shape[:2]
    out = torch.zeros(n, size + 1, size + 1, dtype=adjacency.dtype, device=adjacency.device)
    out[:, :size, :size] = adjacency
    out[:, :size, size] = mask
    out[:, size, size] = 1.0
    return row_normalise(out.transpose(1, 2))


class GraphConvolution(nn.Module):
    """A graph convolution (Kipf and Welling, ICLR 2017) followed by batch normalisation and ReLU, as in BONAS."""

    def __init__(self, fan_in: int, fan_out: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(fan_in, fan_out).uniform_(-0.05, 0.05))
        bound = 1.0 / np.sqrt(fan_out)
        self.bias = nn.Parameter(torch.empty(fan_out).uniform_(-bound, bound))
        self.norm = nn.BatchNorm1d(fan_out)

    def forward(self, x: torch.Tensor, propagation: torch.Tensor) -> torch.Tensor:
        h = propagation @ (x @ self.weight) + self.bias
        # the statistics over the batch and the nodes, as BatchNorm1d on (batch, features, nodes), computed on
        # rows (batch x nodes, features), which is faster
        n, size, width = h.shape
        return torch.relu(self.norm(h.reshape(n * size, width))).view(n, size, width)


class BONASNet(nn.Module):
    """BONAS's GCN; :meth:`embed` gives the global node's features, ``forward`` a linear output on them."""

    def __init__(self, n_features: int, hidden: int, num_layers: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            GraphConvolution(n_features + 1 if i == 0 else hidden, hidden) for i in range(num_layers)
        )
        self.out = nn.Linear(hidden, 1)

    @staticmethod
    def inputs(adjacency: torch.Tensor, operations: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """What :meth:`embed` reads, computed once per architecture: the propagation matrix with the global
        node, and the node features (the global node has an operation of its own)."""
        n, size, _ = operations.shape
        x = torch.zeros(n, size + 1, operations.shape[2] + 1, dtype=operations.dtype, device=operations.device)
        x[:, :size, :-1] = operations
        x[:, size, -1] = 1.0
        return with_global_node(adjacency, mask), x

    def embed(self, propagation: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x, propagation)
        return x[:, -1]

    def forward(self, propagation: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.embed(propagation, x)).squeeze(-1)


class _GraphPredictor(EpochTrained):
    """A predictor trained on the unnormalised ``"gcn"`` inputs with ``loss`` (mean squared error by default),
    Adam and a cosine schedule.

    Its parameters are ``hidden`` and ``num_layers`` (graph convolutions and their units), Adam's
    ``weight_decay`` and the ``loss``, besides those of :class:`~naspred.predictors.neural.EpochTrained`.
    """

    hidden: int = param(64, Int(1))
    num_layers: int = param(4, Int(1))
    weight_decay: float = param(0.0, Real(0.0))
    loss: str = param("mse", Options(LOSSES))

    @property
    def requirements(self) -> Requirements:
        return Requirements(featurizers=("gcn",), labelled=True, encoding=True)

    #: the network trained; its static ``inputs`` turns the graph tensors into what it reads
    network_class: type[nn.Module]

    def _inputs(self, archs: list[Any], info: ArchInfo) -> tuple[torch.Tensor, ...]:
        """The network's inputs for ``archs``; the first fit records the number of nodes (``n_nodes_``)."""
        encoder = get_featurizer("gcn", space=info.space, normalize="none", max_nodes=getattr(self, "n_nodes_", None))
        adjacency, operations, mask = graph_tensors(encoder.graphs(archs), self.device_)
        if not hasattr(self, "n_nodes_"):
            self.n_nodes_ = int(adjacency.shape[1])
            self.n_features_ = int(operations.shape[2])
        return self.network_class.inputs(adjacency, operations, mask)

    def _fit_network(
        self, net: nn.Module, inputs: tuple[torch.Tensor, ...], z: np.ndarray, rng: np.random.Generator
    ) -> None:
        """Adam on ``loss`` (the squared error by default); the learning rate follows a cosine from ``lr`` towards 0 over the epochs
        run (all of them, or those ``max_steps`` begins), set at the start of each, as NASLib's schedule."""
        zt = torch.as_tensor(z, dtype=torch.float32, device=self.device_)
        n = len(z)
        # a batch of one cannot be batch-normalised: drop a last batch of one
        drop_last = n % min(self.batch_size, n) == 1
        steps = count_steps(n, self.batch_size, self.epochs, self.max_steps, drop_last)
        per_epoch = count_steps(n, self.batch_size, 1, None, drop_last)
        epochs = -(-steps // per_epoch)
        optimizer = adam(net.parameters(), self.lr, weight_decay=self.weight_decay)
        net.train()
        for step, batch in enumerate(epoch_batches(n, self.batch_size, steps, rng, drop_last)):
            if step % per_epoch == 0:
                epoch = step // per_epoch
                optimizer.param_groups[0]["lr"] = self.lr * (1.0 + math.cos(math.pi * epoch / epochs)) / 2.0
            idx = torch.as_tensor(batch, device=self.device_)
            pred = net(*(t[idx] for t in inputs))
            loss = batch_loss(self.loss, pred, zt[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        net.eval()


class GCN(_GraphPredictor):
    """The GCN neural predictor of Wen et al. (ECCV 2020), as NASLib's ``GCNPredictor``.

    NASLib trains for 300 epochs on batches of 7 with learning rate 1e-4, weight decay 3e-4 and dropout 0.1.
    The defaults here (100 epochs but at most 1,000 steps, batches of 64, learning rate 4e-3, no dropout) rank
    as well as 100 epochs on batches of 32 at 1e-3 with dropout 0.1, in less than half the time at 1000
    training cells (``perf/defaults.md``, question "gcn").

    Parameters
    ----------
    hidden, num_layers : int
        Units of each directed graph convolution, and their number (>= 1).
    linear_hidden : int
        Units of the hidden linear layer (>= 1).
    dropout : float
        Dropout rate after every layer, in [0, 1).
    weight_decay : float
        Adam's weight decay (>= 0).
    loss : {"mse", "pairwise_hinge", "listmle"}
        The squared error, or a ranking loss over each batch: then the output is a score mapped onto the target
        by a least-squares line fitted on the training set (``calibration_``: intercept and slope).
    epochs, batch_size, max_steps, lr, random_state, device
        As :class:`~naspred.predictors.neural.EpochTrained`.
    augment, predict_isomorphs, max_isomorphs
        As :class:`~naspred.predictors.augmented.IsomorphAugmented`.
    """

    network_class = NeuralPredictorNet
    hidden: int = param(144)
    linear_hidden: int = param(128, Int(1))
    dropout: float = param(0.0, Real(0.0, 1.0, closed="left"))
    batch_size: int = param(64)
    max_steps: int | None = param(1000)
    lr: float = param(4e-3)
    weight_decay: float = param(3e-4)

    def _train(self, archs: list[Any], z: np.ndarray, info: ArchInfo, rng: np.random.Generator) -> None:
        self.__dict__.pop("n_nodes_", None)
        inputs = self._inputs(archs, info)
        net = NeuralPredictorNet(self.n_features_, self.hidden, self.num_layers, self.linear_hidden, self.dropout)
        net = net.to(self.device_)
        self._fit_network(net, inputs, z, rng)
        self.network_ = net
        self.__dict__.pop("calibration_", None)
        if is_ranking(self.loss):
            with torch.no_grad():
                self.calibration_ = linear_calibration(net(*inputs).cpu().numpy(), z)

    def _infer(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray | None]:
        out = self.network_(*self._inputs(archs, info)).cpu().numpy().astype(np.float64)
        if hasattr(self, "calibration_"):
            intercept, slope = self.calibration_
            out = intercept + slope * out
        return out, None


class BONAS(_GraphPredictor):
    """BONAS (Shi et al., NeurIPS 2020): a GCN embedding (global node) with a Bayesian linear regression head.

    NASLib's GCN for BONAS has 4 layers of 64 units, batches of 128, learning rate 1e-4 and 100 epochs; the
    default learning rate here is 1e-3 on batches of 32. A cap of 1,600 steps, or batches of 128, ranked worse
    with 1000 training cells, so ``max_steps`` is None; batches of 64 at 2e-3 ranked as well in less time
    (``perf/defaults.md``, question "bonas").

    Parameters
    ----------
    hidden, num_layers : int
        Units of each graph convolution, and their number (>= 1).
    weight_decay : float
        Adam's weight decay (>= 0).
    loss : {"mse", "pairwise_hinge", "listmle"}
        The loss of the linear output that trains the embedding: the squared error, or a ranking loss.
    epochs, batch_size, max_steps, lr, random_state, device
        As :class:`~naspred.predictors.neural.EpochTrained`.
    augment, predict_isomorphs, max_isomorphs
        As :class:`~naspred.predictors.augmented.IsomorphAugmented`.
    """

    uncertainty = True
    network_class = BONASNet

    def _embed(self, inputs: tuple[torch.Tensor, ...]) -> np.ndarray:
        return self.network_.embed(*inputs).cpu().numpy().astype(np.float64)

    def _train(self, archs: list[Any], z: np.ndarray, info: ArchInfo, rng: np.random.Generator) -> None:
        self.__dict__.pop("n_nodes_", None)
        inputs = self._inputs(archs, info)
        net = BONASNet(self.n_features_, self.hidden, self.num_layers).to(self.device_)
        self._fit_network(net, inputs, z, rng)
        with torch.no_grad():
            reestimate_batch_norm(net, inputs)
        self.network_ = net
        with torch.no_grad():
            self.blr_ = LastLayerBLR.fit(self._embed(inputs), z)

    def _infer(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray | None]:
        return self.blr_.predict(self._embed(self._inputs(archs, info)))
