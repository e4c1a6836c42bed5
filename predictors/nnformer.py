"""NN-Former: a transformer over the operations of an architecture, attending to adjacent and sibling operations.

Xu, Zhang, Wang, Zeng and Zhang, "NN-Former: Rethinking Graph Structure in Neural Architecture Representation"
(CVPR 2025). Each operation of the architecture's DAG, with operations on the nodes (the ``"gcn"`` featurizer's
node-labelled graph: input, operations, output), is one token, embedded from its operation. A block of
NN-Former is a pre-norm transformer block with two graph-aware parts:

* **Adjacency-Sibling Multihead Attention** (ASMA): four heads, each masked to one relation of the DAG with
  adjacency ``A`` (``A[i, j] = 1`` for an edge ``i -> j``): the direct successors (``A``), the direct
  predecessors (``A^T``), the siblings that share a predecessor (``A^T A > 0``) and the siblings that share a
  successor (``A A^T > 0``); every token also attends to itself. Distant operations are never mixed directly,
  which the paper finds generalises better than global attention as architectures grow deeper.
* **Bidirectional Graph Isomorphism Feed-Forward Network** (BGIFFN): the feed-forward network's hidden layer
  adds, to the token's own projection, a GIN-style sum over its predecessors and one over its successors
  (each through its own projection, half of the hidden units each)::

      h_i = W_2 relu(W_1 x_i + [W_s sum_{i -> j} x_j || W_p sum_{j -> i} x_j])

A final layer normalisation, the mean of the tokens (``readout="mean"``; ``"output"``: the output tokens'),
and a linear regressor give the prediction.

Cells with the operations on the edges (NAS-Bench-201, TransNAS-Bench-101 micro) become the operation-on-node
DAG: the input node, one token per edge's operation, the output node. A "none" edge (no connection) has no
token (the authors' code keeps one, which carries nothing); the tokens on no path from an input to an output (dead operations, whose
result is zero or unused) are left out too, so that cells that differ only in a dead operation, which the
space's canonical form identifies, get one prediction. NAS-Bench-101, DARTS (the two cells in one graph) and
NAS-Bench-Graph are read as the ``"gcn"`` featurizer gives them. The tokens, the adjacency and the four
attention masks of every architecture are built once per fit, as padded batches; absent tokens attend only to
themselves and are never attended to, aggregated or read out.

The paper leaves the training to the authors' code (github.com/XuRuihan/NNFormer), whose NAS-Bench-201 setting
is 12 blocks of 192 units with feed-forward layers of 768, dropout 0.1, AdamW (learning rate 1e-4, weight decay
0.01) with a cosine schedule after 5 warm-up epochs, batches of 128 for 3000 epochs, an exponential moving
average of the weights, and the squared error plus 0.2 times the squared error of the pairwise differences of
a batch; its regressor reads an extra token (the class token of a vision transformer). What differs here, and
why:

* the network is much smaller (5 blocks of 32 units, feed-forward layers of 64) and trained for far fewer
  steps (300 epochs of batches of 128, at most 1,000 steps of Adam at learning rate 1e-3 along the cosine of
  :class:`~naspred.predictors.gcn.GCN`), so that fitting 1,000 NAS-Bench-201 cells takes under 30 seconds on
  one CPU core. Depth is what mattered at 100 training cells: 5 blocks ranked better than 3 (Kendall tau about
  0.70 against 0.67 on three splits), twice the width did not, and neither did dropout 0.1 (slower), the
  ranking losses, or the output tokens' readout;
* with the paper's exact masks an extra token would attend to nothing but itself, so the readout is the mean
  of the tokens (the authors' ``avg_tokens`` option); there is no moving average and no warm-up;
* the loss is one of naspred's (``loss``, :mod:`naspred.predictors.ranking_losses`; the squared error by
  default). A ranking loss makes the output a score, mapped onto the target by the least-squares line of the
  training targets on the training scores (order kept).

On nb201-cifar10 with 100 training cells (``naspred evaluate``, 5 trials) the defaults reach Kendall tau 0.710,
as GATES on the same splits; ``augment="isomorphs"`` (off by default, as for every predictor, and defined on
NAS-Bench-201, TransNAS-Bench-101 micro, NAS-Bench-101 and DARTS only) raises it to 0.735 for about twice the
fitting time at that size (at 1,000 cells the steps are capped, so the training time stays about the same). The network trains in
float32 and predicts in float64, so that a prediction does not depend on the batch it is in.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from naspred.errors import InvalidInputError
from naspred.featurizers import get as get_featurizer
from naspred.featurizers.encoder import space_kind
from naspred.featurizers.graph import node_vocabulary
from naspred.params import Int, Options, Real, param
from naspred.predictors.gcn import _GraphPredictor
from naspred.predictors.info import ArchInfo
from naspred.predictors.ranking_losses import is_ranking, linear_calibration
from naspred.spaces.base import SearchSpace
from torch import nn

#: the relations the four attention heads are masked to, in head order
RELATIONS: tuple[str, ...] = ("successors", "predecessors", "same_predecessor", "same_successor")
#: the readouts: the mean of the tokens, or of the output tokens
READOUTS: tuple[str, ...] = ("mean", "output")


def closure(links: np.ndarray) -> np.ndarray:
    """Reachability ``(n, N, N)`` bool of DAGs with edges ``links`` (a node reaches itself), by repeated squaring."""
    size = links.shape[1]
    reach = (links > 0) | np.eye(size, dtype=bool)
    for _ in range(max(1, int(np.ceil(np.log2(size))))):
        reach = (reach.astype(np.float32) @ reach.astype(np.float32)) > 0
    return reach


def live_tokens(links: np.ndarray, present: np.ndarray, inputs: np.ndarray, outputs: np.ndarray) -> np.ndarray:
    """The tokens ``(n, N)`` kept: the present ones on a path from an input to an output, and the inputs and
    outputs themselves."""
    reach = closure(links)
    from_input = np.einsum("ai,aij->aj", inputs.astype(np.float32), reach.astype(np.float32)) > 0
    to_output = np.einsum("aij,aj->ai", reach.astype(np.float32), outputs.astype(np.float32)) > 0
    return present & ((from_input & to_output) | inputs | outputs)


def token_graphs(space: SearchSpace, archs: list[Any]) -> tuple[np.ndarray, ...]:
    """The token graphs of ``archs``: operation labels ``(n, N)`` int64 (over :func:`node_vocabulary`), links
    ``(n, N, N)`` float32 between kept tokens (``links[a, i, j] = 1`` for ``i -> j``), kept tokens and output
    tokens ``(n, N)`` bool.

    Cells: the ``"gcn"`` featurizer's operation-on-node DAG less the "none" tokens. Every space: less the
    tokens on no path from an input to an output.
    """
    g = get_featurizer("gcn", space=space, normalize="none").graphs(archs)
    size = g.adjacency.shape[1]
    labels = g.operations.argmax(axis=2)
    vocabulary = node_vocabulary(space)
    present = g.mask & (g.operations.sum(axis=2) > 0)
    none = getattr(space, "none_op", None)
    if space_kind(space) == "cell" and none in vocabulary:
        present &= labels != vocabulary.index(none)
    inputs = present & (labels == 0)
    outputs = present & (labels == len(vocabulary) - 1)
    links = (g.adjacency > 0) & ~np.eye(size, dtype=bool) & present[:, :, None] & present[:, None, :]
    kept = live_tokens(links, present, inputs, outputs)
    links &= kept[:, :, None] & kept[:, None, :]
    return np.where(kept, labels, 0), links.astype(np.float32), kept, outputs & kept


def relation_masks(links: torch.Tensor) -> torch.Tensor:
    """The attention masks ``(n, 4, N, N)`` bool of :data:`RELATIONS`: row ``i`` of head ``h`` marks the tokens
    ``i`` attends to, itself included."""
    eye = torch.eye(links.shape[-1], dtype=torch.bool, device=links.device)
    after = links.transpose(1, 2)
    masks = torch.stack([links, after, after @ links, links @ after], dim=1) > 0
    return masks | eye


def attention_bias(masks: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """0 where a token attends, minus infinity elsewhere: added to the attention logits."""
    return torch.zeros(masks.shape, dtype=dtype, device=masks.device).masked_fill(~masks, float("-inf"))


class AdjacencySiblingAttention(nn.Module):
    """Multihead attention with one head per relation of :data:`RELATIONS` (``bias``: :func:`attention_bias`)."""

    def __init__(self, width: int, dropout: float) -> None:
        super().__init__()
        self.heads = len(RELATIONS)
        self.scale = (width // self.heads) ** -0.5
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        n, size, width = x.shape
        q, k, v = (t.view(n, size, self.heads, -1).transpose(1, 2) for t in self.qkv(x).chunk(3, dim=-1))
        weights = self.dropout(torch.softmax((q @ k.transpose(2, 3)) * self.scale + bias, dim=-1))
        return self.out((weights @ v).transpose(1, 2).reshape(n, size, width))


class BidirectionalGINFeedForward(nn.Module):
    """The feed-forward network whose hidden layer adds sums over the successors and over the predecessors."""

    def __init__(self, width: int, hidden: int, dropout: float) -> None:
        super().__init__()
        # one matrix for the token's own projection (hidden units) and its neighbours' (half for the successors,
        # half for the predecessors)
        self.project = nn.Linear(width, 2 * hidden)
        self.out = nn.Linear(hidden, width)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, links: torch.Tensor) -> torch.Tensor:
        own, neighbours = self.project(x).chunk(2, dim=-1)
        successors, predecessors = neighbours.chunk(2, dim=-1)
        aggregated = torch.cat([links @ successors, links.transpose(1, 2) @ predecessors], dim=-1)
        return self.out(self.dropout(torch.relu(own + aggregated)))


class NNFormerBlock(nn.Module):
    """Pre-norm block: ``x + ASMA(LN(x))``, then ``x + BGIFFN(LN(x))``."""

    def __init__(self, width: int, ffn_hidden: int, dropout: float) -> None:
        super().__init__()
        self.attention_norm = nn.LayerNorm(width)
        self.attention = AdjacencySiblingAttention(width, dropout)
        self.feed_forward_norm = nn.LayerNorm(width)
        self.feed_forward = BidirectionalGINFeedForward(width, ffn_hidden, dropout)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, links: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        x = x + self.dropout(self.attention(self.attention_norm(x), bias))
        return x + self.dropout(self.feed_forward(self.feed_forward_norm(x), links))


class NNFormerNet(nn.Module):
    """Token embedding, NN-Former blocks, final normalisation, weighted readout and a linear regressor."""

    def __init__(self, n_labels: int, width: int, num_layers: int, ffn_hidden: int, dropout: float) -> None:
        super().__init__()
        self.embed = nn.Embedding(n_labels, width)
        self.blocks = nn.ModuleList(NNFormerBlock(width, ffn_hidden, dropout) for _ in range(num_layers))
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, 1)

    def forward(
        self, labels: torch.Tensor, links: torch.Tensor, bias: torch.Tensor, readout: torch.Tensor
    ) -> torch.Tensor:
        x = self.embed(labels)
        for block in self.blocks:
            x = block(x, links, bias)
        pooled = (self.norm(x) * readout.unsqueeze(-1)).sum(dim=1)
        return self.head(pooled).squeeze(-1)


class NNFormer(_GraphPredictor):
    """NN-Former (Xu et al., CVPR 2025): a transformer over the operations of the architecture, each attending
    to its predecessors, successors and siblings, with GIN-style aggregation in the feed-forward networks.

    Parameters
    ----------
    hidden : int
        Units of each token (>= 4, a multiple of 4: the four attention heads share them).
    num_layers : int
        NN-Former blocks (>= 1).
    ffn_hidden : int
        Units of the hidden layer of each feed-forward network (>= 2, even: half aggregate the successors,
        half the predecessors).
    dropout : float
        Dropout rate on the attention weights and after each block's two parts, in [0, 1).
    readout : {"mean", "output"}
        The architecture's embedding: the mean of its tokens, or of its output tokens.
    weight_decay, loss
        As :class:`~naspred.predictors.gcn.GCN`: Adam's weight decay, and the squared error or a ranking loss
        (``"pairwise_hinge"``, ``"listmle"``; the score is then mapped onto the target by ``calibration_``).
    epochs, batch_size, max_steps, lr, random_state, device
        As :class:`~naspred.predictors.neural.EpochTrained` (here 300 epochs of batches of 128, at most 1,000
        steps, learning rate 1e-3 along a cosine).
    augment, predict_isomorphs, max_isomorphs
        As :class:`~naspred.predictors.augmented.IsomorphAugmented`.
    """

    hidden: int = param(32, Int(4))
    num_layers: int = param(5)
    ffn_hidden: int = param(64, Int(2))
    dropout: float = param(0.0, Real(0.0, 1.0, closed="left"))
    readout: str = param("mean", Options(READOUTS))
    weight_decay: float = param(0.0)
    epochs: int = param(300)
    batch_size: int = param(128)
    max_steps: int | None = param(1000)
    lr: float = param(1e-3)

    def validate_params(self) -> None:
        """The declared checks, then that the tokens' units split evenly over the four attention heads and the
        feed-forward hidden units over the two directions."""
        super().validate_params()
        if self.hidden % len(RELATIONS):
            raise InvalidInputError(
                f"{self._name}: hidden must be a multiple of {len(RELATIONS)} (one attention head per relation: "
                f"{', '.join(RELATIONS)}), got {self.hidden!r}"
            )
        if self.ffn_hidden % 2:
            raise InvalidInputError(
                f"{self._name}: ffn_hidden must be even (half the units sum over the successors, half over the "
                f"predecessors), got {self.ffn_hidden!r}"
            )

    def _tokens(self, archs: list[Any], info: ArchInfo, dtype: torch.dtype) -> tuple[torch.Tensor, ...]:
        """What the network reads, for every architecture at once: labels, links, attention bias, readout weights."""
        labels, links, kept, outputs = token_graphs(info.space, archs)
        read = (kept if self.readout == "mean" else outputs).astype(np.float64)
        read /= np.maximum(read.sum(axis=1, keepdims=True), 1.0)
        links_t = torch.as_tensor(links, dtype=dtype, device=self.device_)
        return (torch.as_tensor(labels, device=self.device_), links_t, attention_bias(relation_masks(links_t), dtype),
                torch.as_tensor(read, dtype=dtype, device=self.device_))

    def _train(self, archs: list[Any], z: np.ndarray, info: ArchInfo, rng: np.random.Generator) -> None:
        inputs = self._tokens(archs, info, torch.float32)
        n_labels = len(node_vocabulary(info.space))
        net = NNFormerNet(n_labels, self.hidden, self.num_layers, self.ffn_hidden, self.dropout).to(self.device_)
        self._fit_network(net, inputs, z, rng)
        # trained in float32, evaluated in float64: a prediction does not depend on the batch it is in
        self.network_ = net.double().eval()
        self.__dict__.pop("calibration_", None)
        if is_ranking(self.loss):
            with torch.no_grad():
                self.calibration_ = linear_calibration(self._scores(archs, info), z)

    def _scores(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        return self.network_(*self._tokens(archs, info, torch.float64)).cpu().numpy()

    def _infer(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray | None]:
        out = self._scores(archs, info)
        if hasattr(self, "calibration_"):
            intercept, slope = self.calibration_
            out = intercept + slope * out
        return out, None
