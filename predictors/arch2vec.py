"""arch2vec: an unsupervised graph variational autoencoder's architecture embedding, with DNGO on top.

Yan, Zheng, Ao, Zeng and Zhang, "Does Unsupervised Architecture Representation Learning Help Neural
Architecture Search?" (NeurIPS 2020), as the authors' code (``models/model.py``, ``models/configs.py`` config 4,
``models/pretraining_nasbench201.py``) builds and pre-trains it:

* **Input.** The node-labelled DAG of the ``"gcn"`` featurizer (``normalize="none"``, self-loops taken off):
  one-hot operations ``X`` and the upper-triangular adjacency ``A``, made symmetric, ``A + A^T`` (the
  authors' preprocessing 4).
* **Encoder.** ``num_layers`` GIN layers (Xu et al., ICLR 2019; the authors' ``hops - 1`` = 4) of ``hidden``
  units (128): ``h <- ReLU(BN(MLP((1 + eps) h + A_sym h)))`` with a learnt ``eps`` per layer and a two-layer
  MLP (linear, batch norm, ReLU, linear); two linear maps give each node's latent mean and log standard
  deviation (``latent_dim`` 16).
* **Decoder.** Dropout (``dropout``) on the sampled latents ``Z``; operations ``sigmoid(Z W)``, adjacency
  ``sigmoid(Z Z^T)`` (an inner product). The authors' dropout is 0.3 over about 4,400 steps; in the thousand-odd
  steps of the default pre-training here it keeps the decoder from learning the operations (their
  reconstruction stays at chance) and the embedding ranks worse, so the default is 0.
* **Loss.** Binary cross-entropy of the operations and of the upper triangle of the adjacency, plus ``beta``
  times the KL divergence of the node latents from ``N(0, I)`` (mean over nodes, summed over latent
  dimensions). The authors divide the KL term by the batch size times the nodes, 1/256 for batches of 32
  NAS-Bench-201 cells; ``beta`` 0.005 is close. Adam (learning rate 1e-3), gradients clipped at norm 5.
* **Pre-training data.** No labels: ``n_unlabelled`` architectures (``Requirements.unlabelled``, drawn by the
  OMNI initialisation, or sampled from the space with ``random_state`` when ``fit`` gets none) and the training
  architectures themselves. The authors pre-train 10 epochs on 90 % of the 15,625 NAS-Bench-201 cells; the
  defaults here (2,000 architectures, 10 epochs) keep a fit to seconds on one CPU core. The pre-training is part
  of ``fit``, so its time is the predictor's own.
* **Embedding and regressor.** An architecture's embedding is the mean of its nodes' latent means (as the
  authors extract it). DNGO on the embeddings, as the authors' Bayesian optimisation uses it: a tanh network
  (``regressor_layers`` of ``regressor_width`` units, Adam at ``regressor_lr``, squared error on standardised
  targets, ``regressor_epochs``) on standardised embeddings, then Bayesian linear regression on its last hidden
  layer (:class:`~naspred.predictors.bayesian_last_layer.LastLayerBLR`), which gives the mean and standard
  deviation.

Padding nodes (NAS-Bench-101 cells with fewer than 7 vertices) are left out of the losses and of the mean.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from naspred.errors import InvalidInputError
from naspred.featurizers import get as get_featurizer
from naspred.featurizers.graph import node_vocabulary
from naspred.params import Int, Real, param
from naspred.predictors.bayesian_last_layer import LastLayerBLR
from naspred.predictors.info import ArchInfo
from naspred.predictors.mlp import StackedMLP
from naspred.predictors.neural import EpochTrained, adam, count_steps, epoch_batches
from naspred.predictors.requirements import Requirements
from naspred.spaces.base import SearchSpace
from torch import nn
from torch.nn import functional as F

GraphTensors = tuple[torch.Tensor, torch.Tensor, torch.Tensor]


def graph_tensors(space: SearchSpace, archs: list[Any], device: torch.device) -> GraphTensors:
    """One-hot operations ``(n, N, F)``, the DAG's adjacency without self-loops ``(n, N, N)`` and the float
    mask of real nodes ``(n, N)``."""
    graphs = get_featurizer("gcn", space=space, normalize="none").graphs(archs)
    size = graphs.adjacency.shape[1]
    adjacency = np.triu(graphs.adjacency - np.eye(size, dtype=np.float32), 1)
    return (torch.as_tensor(graphs.operations, device=device), torch.as_tensor(adjacency, device=device),
            torch.as_tensor(graphs.mask, dtype=torch.float32, device=device))


class GINLayer(nn.Module):
    """A GIN layer (Xu et al., ICLR 2019) as arch2vec's: ``ReLU(BN(MLP((1 + eps) h + A h)))``."""

    def __init__(self, fan_in: int, hidden: int) -> None:
        super().__init__()
        self.eps = nn.Parameter(torch.zeros(()))
        self.mlp = nn.Sequential(nn.Linear(fan_in, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden))
        self.norm = nn.BatchNorm1d(hidden)

    def forward(self, h: torch.Tensor, adjacency: torch.Tensor) -> torch.Tensor:
        n, size, _ = h.shape
        mixed = (1.0 + self.eps) * h + adjacency @ h
        return torch.relu(self.norm(self.mlp(mixed.reshape(n * size, -1)))).view(n, size, -1)


class GraphVAE(nn.Module):
    """arch2vec's variational graph autoencoder: GIN encoder, per-node latents, inner-product decoder."""

    def __init__(self, n_ops: int, hidden: int, latent_dim: int, num_layers: int, dropout: float) -> None:
        super().__init__()
        self.layers = nn.ModuleList(GINLayer(n_ops if i == 0 else hidden, hidden) for i in range(num_layers))
        self.mean = nn.Linear(hidden, latent_dim)
        self.log_std = nn.Linear(hidden, latent_dim)
        self.ops_decoder = nn.Linear(latent_dim, n_ops)
        self.dropout = dropout

    def encode(self, ops: torch.Tensor, adjacency: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Latent mean and log standard deviation of each node, ``(n, N, latent_dim)``."""
        symmetric = adjacency + adjacency.transpose(1, 2)
        h = ops
        for layer in self.layers:
            h = layer(h, symmetric)
        return self.mean(h), self.log_std(h)

    def forward(self, ops: torch.Tensor, adjacency: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Logits of the operations and of the adjacency, latent means and log standard deviations."""
        mean, log_std = self.encode(ops, adjacency)
        z = mean + torch.exp(log_std) * torch.randn_like(mean) if self.training else mean
        z = F.dropout(z, self.dropout, self.training)
        return self.ops_decoder(z), z @ z.transpose(1, 2), mean, log_std

    def embed(self, ops: torch.Tensor, adjacency: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The architecture embedding: the mean of the real nodes' latent means, ``(n, latent_dim)``."""
        mean, _ = self.encode(ops, adjacency)
        return (mean * mask.unsqueeze(-1)).sum(dim=1) / mask.sum(dim=1, keepdim=True)


def vae_loss(outputs: tuple[torch.Tensor, ...], ops: torch.Tensor, adjacency: torch.Tensor, mask: torch.Tensor,
             beta: float) -> torch.Tensor:
    """Cross-entropy of the operations (mean over real nodes and operations) and of the adjacency (its upper triangle
    over real nodes, averaged over all pairs of real nodes, as the authors compare the upper triangles of two square
    matrices), plus ``beta`` times the mean KL divergence of the real nodes' latents from ``N(0, I)``."""
    ops_logits, adj_logits, mean, log_std = outputs
    nodes = mask.sum()
    ops_loss = (F.binary_cross_entropy_with_logits(ops_logits, ops, reduction="none").mean(dim=2) * mask).sum() / nodes
    pairs = mask.unsqueeze(2) * mask.unsqueeze(1)
    adj_bce = F.binary_cross_entropy_with_logits(adj_logits, adjacency, reduction="none")
    adj_loss = (adj_bce * torch.triu(pairs, 1)).sum() / pairs.sum()  # the lower triangle counts as matched
    kl = -0.5 * (1.0 + 2.0 * log_std - mean**2 - torch.exp(2.0 * log_std)).sum(dim=2)
    return ops_loss + adj_loss + beta * (kl * mask).sum() / nodes


class Arch2Vec(EpochTrained):
    """arch2vec (Yan et al., NeurIPS 2020): DNGO on the embedding of a graph variational autoencoder pre-trained
    on unlabelled architectures.

    The autoencoder follows the authors' code (module docstring); ``epochs``, ``batch_size`` and ``lr`` are its
    pre-training's (10, 32, 1e-3, as the authors'), ``max_steps`` caps that pre-training.

    Parameters
    ----------
    hidden : int
        Units of the GIN layers (>= 1).
    latent_dim : int
        Dimensions of the node latents and of the embedding (>= 1).
    num_layers : int
        GIN layers (>= 1).
    dropout : float
        Dropout rate on the latents fed to the decoder, in [0, 1).
    beta : float
        Weight of the KL divergence in the pre-training loss (>= 0).
    grad_clip : float
        Largest norm of the pre-training gradient (> 0).
    n_unlabelled : int
        Unlabelled architectures asked for (or sampled) for the pre-training, beside the training ones (>= 0).
    regressor_layers, regressor_width : int
        Hidden tanh layers of DNGO's network and their units (>= 1).
    regressor_epochs : int
        Epochs of DNGO's network, in batches of ``batch_size`` (>= 1).
    regressor_lr : float
        Adam's learning rate for DNGO's network (> 0).
    epochs, batch_size, max_steps, lr, random_state, device
        As :class:`~naspred.predictors.neural.EpochTrained` (for the pre-training).
    """

    uncertainty = True
    hidden: int = param(128, Int(1))
    latent_dim: int = param(16, Int(1))
    num_layers: int = param(4, Int(1))
    dropout: float = param(0.0, Real(0.0, 1.0, closed="left"))
    beta: float = param(0.005, Real(0.0))
    grad_clip: float = param(5.0, Real(0.0, closed="neither"))
    n_unlabelled: int = param(2000, Int(0))
    regressor_layers: int = param(3, Int(1))
    regressor_width: int = param(50, Int(1))
    regressor_epochs: int = param(100, Int(1))
    regressor_lr: float = param(0.01, Real(0.0, closed="neither"))
    epochs: int = param(10)

    @property
    def requirements(self) -> Requirements:
        # a malformed count is refused by fit (validate_params); the declaration stays well-formed
        unlabelled = int(self.n_unlabelled) if Int(0).accepts(self.n_unlabelled) else 0
        return Requirements(featurizers=("gcn",), labelled=True, encoding=True, unlabelled=unlabelled)

    def _pretraining_archs(self, archs: list[Any], info: ArchInfo, rng: np.random.Generator) -> list[Any]:
        """The training architectures, then those of ``info.unlabelled`` or ``n_unlabelled`` sampled ones."""
        if info.unlabelled:
            return list(archs) + self._validated(list(info.unlabelled), info.space, "Arch2Vec.fit (unlabelled)")
        return list(archs) + info.space.sample_many(self.n_unlabelled, rng)

    def _pretrain(self, ops: torch.Tensor, adjacency: torch.Tensor, mask: torch.Tensor,
                  rng: np.random.Generator) -> None:
        """Train ``autoencoder_`` on the graphs, ``epochs`` passes (at most ``max_steps`` steps)."""
        net = GraphVAE(ops.shape[2], self.hidden, self.latent_dim, self.num_layers, self.dropout).to(self.device_)
        optimizer = adam(net.parameters(), self.lr)
        n = ops.shape[0]
        net.train()
        for batch in epoch_batches(n, self.batch_size, count_steps(n, self.batch_size, self.epochs, self.max_steps),
                                   rng):
            idx = torch.as_tensor(batch, device=self.device_)
            loss = vae_loss(net(ops[idx], adjacency[idx]), ops[idx], adjacency[idx], mask[idx], self.beta)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), self.grad_clip)
            optimizer.step()
        net.eval()
        self.autoencoder_ = net

    def _embed(self, archs: list[Any], space: SearchSpace) -> np.ndarray:
        """Standardised embeddings of ``archs`` (with the training embeddings' statistics)."""
        with torch.no_grad():
            x = self.autoencoder_.embed(*graph_tensors(space, archs, self.device_))
        return (x.cpu().numpy().astype(np.float64) - self.embedding_mean_) / self.embedding_scale_

    def _train_regressor(self, x: np.ndarray, z: np.ndarray, rng: np.random.Generator) -> None:
        """DNGO's tanh network (``regressor_``) by Adam on the squared error, then the Bayesian last layer."""
        xt = torch.as_tensor(x, dtype=torch.float32, device=self.device_).unsqueeze(0)
        zt = torch.as_tensor(z, dtype=torch.float32, device=self.device_).unsqueeze(0)
        net = StackedMLP(1, x.shape[1], self.regressor_layers, self.regressor_width, "tanh").to(self.device_)
        optimizer = adam(net.parameters(), self.regressor_lr)
        n = len(z)
        for batch in epoch_batches(n, self.batch_size, count_steps(n, self.batch_size, self.regressor_epochs, None),
                                   rng):
            idx = torch.as_tensor(batch, device=self.device_)
            loss = (net(xt[:, idx]) - zt[:, idx]).pow(2).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        net.eval()
        self.regressor_ = net
        self.blr_ = LastLayerBLR.fit(self._basis(x), z)

    def _basis(self, x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            xt = torch.as_tensor(x, dtype=torch.float32, device=self.device_).unsqueeze(0)
            return self.regressor_.hidden(xt)[0].cpu().numpy().astype(np.float64)

    def _train(self, archs: list[Any], z: np.ndarray, info: ArchInfo, rng: np.random.Generator) -> None:
        try:
            node_vocabulary(info.space)
        except InvalidInputError as err:
            raise InvalidInputError(
                f"Arch2Vec reads the node-labelled graphs of the 'gcn' featurizer, which has none for search space "
                f"{info.space.name!r} ({err}); expected a space of cells, NB101, DARTS or NAS-Bench-Graph"
            ) from err
        pretraining = self._pretraining_archs(archs, info, rng)
        self.n_pretrained_ = len(pretraining)
        self._pretrain(*graph_tensors(info.space, pretraining, self.device_), rng)
        self.embedding_mean_, self.embedding_scale_ = 0.0, 1.0
        raw = self._embed(archs, info.space)
        self.embedding_mean_ = raw.mean(axis=0)
        std = raw.std(axis=0)
        self.embedding_scale_ = np.where(std > 0, std, 1.0)
        self._train_regressor((raw - self.embedding_mean_) / self.embedding_scale_, z, rng)

    def _infer(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray | None]:
        return self.blr_.predict(self._basis(self._embed(archs, info.space)))
