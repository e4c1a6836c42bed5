"""Encoder-predictor-decoder predictors: NAO and SemiNAS's self-training.

* :class:`NAO`: the model of Luo et al., "Neural Architecture Optimization" (NeurIPS 2018), as NASLib
  uses it: an LSTM encoder (bidirectional, one layer) reads an architecture as a token sequence; the mean
  of its L2-normalised outputs is the architecture embedding; a residual MLP on the embedding predicts the
  target, and an LSTM decoder with attention, started from the embedding, reconstructs the sequence. The
  two are trained jointly: ``trade_off`` times the squared error plus ``1 - trade_off`` times the
  reconstruction negative log likelihood (NASLib: 0.8), Adam with weight decay 1e-4, gradients clipped at 5.
  With a ranking ``loss`` (``"pairwise_hinge"`` or ``"listmle"``, :mod:`naspred.predictors.ranking_losses`)
  the batch's ranking loss takes the place of the squared error; the predictor's output is then a score,
  mapped onto the target by the least-squares line of the training targets on the training scores (its order
  is what is learnt: read it with rank metrics).
* :class:`SemiNAS`: Luo et al., "Semi-Supervised Neural Architecture Search" (NeurIPS 2020). After training
  on the labelled architectures, the model predicts pseudo-labels for unlabelled architectures and training
  continues on the labelled plus the pseudo-labelled ones, the loss of a labelled architecture weighted
  ``up_sample_ratio`` times (SemiNAS and NASLib repeat them ``up_sample_ratio`` times in each epoch, the same
  objective at several times the steps; with a ranking loss a labelled architecture counts as if repeated, and
  the pseudo-labels are the mapped scores). The
  unlabelled architectures come from ``info.unlabelled`` (the OMNI initialisation draws
  ``Requirements.unlabelled`` of them); when none are given, ``n_unlabelled`` are sampled from the space
  with ``random_state``, distinct from the training architectures and from each other.

Precision: the LSTMs dominate a training step (about 85 % of it on one CPU core in float32). With
``precision="bfloat16"`` the training passes of the encoder's LSTM and projection and of the decoder run under
:func:`torch.autocast` in bfloat16 (the LSTMs about 2.5 times faster on a CPU with native bfloat16 arithmetic,
AVX512-BF16 or AMX); the weights, the optimiser, the loss and every prediction stay float32. ``"auto"`` (the
default) picks bfloat16 on such a CPU and float32 elsewhere (``precision_`` says which); ``perf/predictors.md``
compares the two (rows ``nao`` and ``seminas`` beside ``nao_float32`` and ``seminas_float32``).

Token sequence (NAO / NASLib's ``convert_arch_to_seq``), from the node-labelled DAG of the ``"gcn"``
featurizer: for each node ``j >= 1`` in order, one token per earlier node ``i`` (1: no edge ``i -> j``,
2: an edge), then the operation of ``j`` (3 plus its column in the featurizer's node vocabulary; 0 for a
padding node). Token 0 also starts the decoder. A NAS-Bench-201 cell (8 nodes) gives 35 tokens.
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Any

import numpy as np
import torch
from naspred.errors import InvalidInputError
from naspred.featurizers import get as get_featurizer
from naspred.featurizers.graph import GCNInputs
from naspred.params import Int, Options, Real, param
from naspred.predictors.info import ArchInfo
from naspred.predictors.neural import EpochTrained, adam, count_steps, epoch_batches
from naspred.predictors.ranking_losses import (
    LOSSES,
    batch_loss,
    is_ranking,
    linear_calibration,
)
from naspred.predictors.requirements import Requirements
from naspred.spaces.base import SearchSpace
from torch import nn
from torch.nn import functional as F

#: the precisions of the training passes (module docstring)
PRECISIONS: tuple[str, ...] = ("auto", "float32", "bfloat16")

#: tokens: 0 starts the decoder (and marks padding nodes), 1 "no edge", 2 "edge", 3 + k operation k
START, NO_EDGE, EDGE, FIRST_OP = 0, 1, 2, 3


def arch_sequences(graphs: GCNInputs) -> np.ndarray:
    """Token sequences ``(n, L)`` int64 of graphs whose adjacency holds ``A + I`` (unnormalised)."""
    adjacency = np.asarray(graphs.adjacency)
    ops = np.asarray(graphs.operations)
    size = adjacency.shape[1]
    labels = FIRST_OP + ops.argmax(axis=2)
    labels[~np.asarray(graphs.mask) | (ops.sum(axis=2) == 0)] = START
    parts = []
    for col in range(1, size):
        parts.append(np.where(adjacency[:, :col, col] > 0, EDGE, NO_EDGE))
        parts.append(labels[:, col : col + 1])
    return np.concatenate(parts, axis=1).astype(np.int64)


def native_bfloat16(device: torch.device) -> bool:
    """Whether ``device`` computes in bfloat16 natively: a CPU with AVX512-BF16 or AMX, or a CUDA device that
    supports it."""
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def resolve_precision(precision: str, device: torch.device) -> str:
    """``"float32"`` or ``"bfloat16"``: ``precision``, with ``"auto"`` resolved to bfloat16 on a CPU that computes
    in it natively (:func:`native_bfloat16`) and to float32 elsewhere."""
    if precision == "auto":
        return "bfloat16" if device.type == "cpu" and native_bfloat16(device) else "float32"
    if precision == "bfloat16" and device.type == "cuda" and not native_bfloat16(device):
        raise InvalidInputError(f"precision='bfloat16' was asked for but CUDA device {device} does not support "
                                "bfloat16; use precision='float32'")
    return precision


class EncoderPredictorDecoder(nn.Module):
    """NAO's encoder, predictor and attention decoder (Luo et al., NeurIPS 2018).

    ``low_precision``: passes that record gradients run the encoder's LSTM and projection and the whole decoder
    under bfloat16 autocast (their outputs are returned as float32); passes without gradients run in float32.
    """

    def __init__(
        self, vocab_size: int, hidden: int, mlp_hidden: int, mlp_layers: int, dropout: float,
        low_precision: bool = False,
    ) -> None:
        super().__init__()
        self.low_precision = low_precision
        self.encoder_embedding = nn.Embedding(vocab_size, hidden)
        self.encoder = nn.LSTM(hidden, hidden, 1, batch_first=True, bidirectional=True)
        self.encoder_proj = nn.Linear(2 * hidden, hidden)
        widths = [hidden] + [mlp_hidden] * (mlp_layers - 1) + [hidden]
        self.mlp = nn.ModuleList(nn.Linear(a, b) for a, b in pairwise(widths))
        self.regressor = nn.Linear(hidden, 1)
        self.decoder_embedding = nn.Embedding(vocab_size, hidden)
        self.decoder = nn.LSTM(hidden, hidden, 1, batch_first=True)
        self.attention_in = nn.Linear(hidden, hidden, bias=False)
        self.attention_out = nn.Linear(2 * hidden, hidden, bias=False)
        self.out = nn.Linear(hidden, vocab_size)
        self.drop = nn.Dropout(dropout)

    def encode(self, seq: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-token outputs ``(B, L, H)`` and the architecture embedding ``(B, H)``, both L2-normalised."""
        x = self.drop(self.encoder_embedding(seq))
        with self._autocast(seq.device.type):
            h = self.encoder_proj(self.encoder(x)[0])
        outputs = F.normalize(x + h.float(), dim=-1)
        return outputs, F.normalize(outputs.mean(dim=1), dim=-1)

    def predict(self, embedding: torch.Tensor) -> torch.Tensor:
        """The predicted (standardised) target of each embedding."""
        x = embedding
        for layer in self.mlp:
            x = self.drop(torch.relu(layer(x)))
        return self.regressor((embedding + x) * math.sqrt(0.5)).squeeze(-1)

    def decode(self, seq: torch.Tensor, outputs: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
        """Log-probabilities ``(B, L, V)`` of each token of ``seq`` given the previous ones (teacher forcing)."""
        shifted = torch.cat([torch.full_like(seq[:, :1], START), seq[:, :-1]], dim=1)
        x = self.drop(self.decoder_embedding(shifted))
        state = (embedding.unsqueeze(0).contiguous(), embedding.unsqueeze(0).contiguous())
        with self._autocast(seq.device.type):
            h = self.decoder(x, state)[0]
            x = (x + h) * math.sqrt(0.5)
            weights = torch.softmax(self.attention_in(x) @ outputs.transpose(1, 2), dim=-1)
            attended = torch.tanh(self.attention_out(torch.cat([weights @ outputs, x], dim=-1)))
            x = (x + attended) * math.sqrt(0.5)
            log_probs = torch.log_softmax(self.out(x), dim=-1)
        return log_probs.float()

    def _autocast(self, device_type: str) -> torch.autocast:
        """bfloat16 autocast over passes that record gradients when ``low_precision``; else a block that changes
        nothing."""
        enabled = self.low_precision and torch.is_grad_enabled()
        return torch.autocast(device_type, dtype=torch.bfloat16, enabled=enabled)


class NAO(EpochTrained):
    """The encoder-predictor-decoder of NAO (Luo et al., NeurIPS 2018) as a performance predictor.

    Architecture sizes follow NASLib (hidden 64, a residual MLP of 2 layers through 16 units, dropout 0.1,
    batches of 100, learning rate 1e-3, ``trade_off`` 0.8); NASLib trains 50 epochs.

    ``max_steps`` (default None, no limit) stops each training phase after that many gradient steps. The
    LSTMs cost most of a step (in float32, about 0.4 ms per architecture forward and backward on one CPU core;
    ``precision``); no cap is set by default because capping loses accuracy
    (150 steps rank worse with 1000 training cells, also at learning rate 3e-3: ``perf/defaults.md``,
    question "nao").

    Parameters
    ----------
    hidden : int
        Units of the embeddings and the LSTMs (>= 1).
    mlp_hidden, mlp_layers : int
        Units and layers of the residual MLP on the embedding (>= 1).
    dropout : float
        Dropout rate, in [0, 1).
    trade_off : float
        Weight of the squared error against the reconstruction loss, in [0, 1].
    weight_decay : float
        Adam's weight decay (>= 0).
    grad_clip : float
        Largest norm of the gradient (> 0).
    loss : {"mse", "pairwise_hinge", "listmle"}
        The prediction's loss: the squared error, or a ranking loss over each batch (then the output is a
        score mapped onto the target by a least-squares line fitted on the training set, ``calibration_``).
    precision : {"auto", "float32", "bfloat16"}
        Precision of the training passes (module docstring); ``precision_`` is the one a fit used.
    epochs, batch_size, max_steps, lr, random_state, device
        As :class:`~naspred.predictors.neural.EpochTrained`.
    augment, predict_isomorphs, max_isomorphs
        As :class:`~naspred.predictors.augmented.IsomorphAugmented`.
    """

    hidden: int = param(64, Int(1))
    mlp_hidden: int = param(16, Int(1))
    mlp_layers: int = param(2, Int(1))
    dropout: float = param(0.1, Real(0.0, 1.0, closed="left"))
    trade_off: float = param(0.8, Real(0.0, 1.0))
    epochs: int = param(50)
    batch_size: int = param(100)
    weight_decay: float = param(1e-4, Real(0.0))
    grad_clip: float = param(5.0, Real(0.0, closed="neither"))
    loss: str = param("mse", Options(LOSSES))
    precision: str = param("auto", Options(PRECISIONS))

    @property
    def requirements(self) -> Requirements:
        return Requirements(featurizers=("gcn",), labelled=True, encoding=True)

    def _sequences(self, archs: list[Any], space: SearchSpace) -> np.ndarray:
        encoder = get_featurizer("gcn", space=space, normalize="none", max_nodes=getattr(self, "n_nodes_", None))
        return arch_sequences(encoder.graphs(archs))

    def _prepare(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, Any]:
        """Token sequences of ``archs``, a new network (``network_``) and its optimiser."""
        self.__dict__.pop("n_nodes_", None)
        graphs = get_featurizer("gcn", space=info.space, normalize="none").graphs(archs)
        self.n_nodes_ = int(graphs.adjacency.shape[1])
        vocab_size = FIRST_OP + graphs.operations.shape[2]
        self.precision_ = resolve_precision(self.precision, self.device_)
        net = EncoderPredictorDecoder(vocab_size, self.hidden, self.mlp_hidden, self.mlp_layers, self.dropout,
                                      low_precision=self.precision_ == "bfloat16")
        self.network_ = net.to(self.device_)
        optimizer = adam(self.network_.parameters(), self.lr, weight_decay=self.weight_decay)
        return arch_sequences(graphs), optimizer

    def _run_epochs(
        self,
        seqs: np.ndarray,
        z: np.ndarray,
        epochs: int,
        optimizer: Any,
        rng: np.random.Generator,
        weights: np.ndarray | None = None,
    ) -> None:
        """Train ``epochs`` passes over ``seqs``, at most ``max_steps`` steps; ``weights`` weigh each
        architecture's loss (default 1)."""
        net = self.network_
        seq_t = torch.as_tensor(seqs, device=self.device_)
        z_t = torch.as_tensor(z, dtype=torch.float32, device=self.device_)
        w_t = torch.as_tensor(np.ones(len(z)) if weights is None else weights, dtype=torch.float32, device=self.device_)
        steps = count_steps(len(z), self.batch_size, epochs, self.max_steps)
        net.train()
        for batch in epoch_batches(len(z), self.batch_size, steps, rng):
            idx = torch.as_tensor(batch, device=self.device_)
            seq, w = seq_t[idx], w_t[idx]
            outputs, embedding = net.encode(seq)
            pred = net.predict(embedding)  # before decoding: the two draw dropout masks in this order
            log_probs = net.decode(seq, outputs, embedding)
            nll = -log_probs.gather(2, seq.unsqueeze(-1)).squeeze(-1).mean(dim=1)
            loss = self._objective(pred, z_t[idx], nll, w)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), self.grad_clip)
            optimizer.step()
        net.eval()

    def _objective(self, pred: torch.Tensor, z: torch.Tensor, nll: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """``trade_off`` times the prediction's loss plus ``1 - trade_off`` times the reconstruction NLL, each
        architecture weighted by ``w``."""
        if not is_ranking(self.loss):
            per_arch = self.trade_off * (pred - z) ** 2 + (1.0 - self.trade_off) * nll
            return (w * per_arch).sum() / w.sum()
        ranking = batch_loss(self.loss, pred, z, w)
        return self.trade_off * ranking + (1.0 - self.trade_off) * (w * nll).sum() / w.sum()

    def _score(self, seqs: np.ndarray) -> np.ndarray:
        """The prediction of each sequence: the network's output, through ``calibration_`` where it has one."""
        with torch.no_grad():
            _, embedding = self.network_.encode(torch.as_tensor(seqs, device=self.device_))
            out = self.network_.predict(embedding).cpu().numpy().astype(np.float64)
        if hasattr(self, "calibration_"):
            intercept, slope = self.calibration_
            out = intercept + slope * out
        return out

    def _calibrate(self, seqs: np.ndarray, z: np.ndarray) -> None:
        """With a ranking loss, ``calibration_``: the least-squares line of ``z`` on the scores of ``seqs``."""
        self.__dict__.pop("calibration_", None)
        if is_ranking(self.loss):
            self.calibration_ = linear_calibration(self._score(seqs), z)

    def _train(self, archs: list[Any], z: np.ndarray, info: ArchInfo, rng: np.random.Generator) -> None:
        seqs, optimizer = self._prepare(archs, info)
        self._run_epochs(seqs, z, self.epochs, optimizer, rng)
        self._calibrate(seqs, z)

    def _infer(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray | None]:
        return self._score(self._sequences(archs, info.space)), None


class SemiNAS(NAO):
    """SemiNAS (Luo et al., NeurIPS 2020): NAO trained on labelled architectures, then on labelled plus
    architectures pseudo-labelled by itself.

    ``n_unlabelled`` architectures are asked for (``Requirements.unlabelled``) or sampled; NASLib's defaults
    are as many as the labelled ones and ``up_sample_ratio`` 10, with ``semi_epochs`` 50 after 50 epochs.
    ``unlabelled_`` keeps the architectures that were pseudo-labelled. ``max_steps`` caps each of the two
    phases; no cap is the default (with 1000 training cells, 250 steps each halve the fit time but rank
    worse: ``perf/defaults.md``, question "seminas").

    Parameters
    ----------
    n_unlabelled : int
        Unlabelled architectures asked for or sampled, pseudo-labelled after the first phase (>= 0).
    up_sample_ratio : int
        Weight of a labelled architecture's loss in the second phase (>= 1).
    semi_epochs : int
        Epochs of the second phase (>= 1).
    hidden, mlp_hidden, mlp_layers, dropout, trade_off, weight_decay, grad_clip, loss, precision
        As :class:`NAO` (with a ranking loss the pseudo-labels are the first phase's mapped scores, and the line
        is fitted again on the labelled architectures after the second).
    augment, predict_isomorphs, max_isomorphs
        As :class:`~naspred.predictors.augmented.IsomorphAugmented`.
    epochs, batch_size, max_steps, lr, random_state, device
        As :class:`~naspred.predictors.neural.EpochTrained` (``epochs``: of the first phase).
    """

    n_unlabelled: int = param(200, Int(0))
    up_sample_ratio: int = param(10, Int(1))
    semi_epochs: int = param(50, Int(1))

    @property
    def requirements(self) -> Requirements:
        count = self.n_unlabelled
        valid = self.parameters()["n_unlabelled"].constraint.accepts(count)
        # a malformed count is reported by fit (validate_params); the declaration stays well-formed
        return Requirements(featurizers=("gcn",), labelled=True, encoding=True, unlabelled=int(count) if valid else 0)

    def _unlabelled(self, archs: list[Any], info: ArchInfo, rng: np.random.Generator) -> list[Any]:
        space = info.space
        if info.unlabelled:
            return space.validate_many([space.parse(a) if isinstance(a, str) else a for a in info.unlabelled])
        return space.sample_distinct(self.n_unlabelled, rng, exclude={space.canonical(a) for a in archs},
                                     max_draws=50 * max(self.n_unlabelled, 1))

    def _train(self, archs: list[Any], z: np.ndarray, info: ArchInfo, rng: np.random.Generator) -> None:
        seqs, optimizer = self._prepare(archs, info)
        self._run_epochs(seqs, z, self.epochs, optimizer, rng)
        self._calibrate(seqs, z)
        unlabelled = self._unlabelled(archs, info, rng) if self.n_unlabelled or info.unlabelled else []
        self.unlabelled_ = tuple(unlabelled)
        if unlabelled:
            extra = self._sequences(unlabelled, info.space)
            pseudo = self._score(extra)
            weights = np.concatenate([np.full(len(z), float(self.up_sample_ratio)), np.ones(len(extra))])
            self._run_epochs(
                np.concatenate([seqs, extra]), np.concatenate([z, pseudo]), self.semi_epochs, optimizer, rng, weights
            )
            self._calibrate(seqs, z)
