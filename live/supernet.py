"""Weight sharing on MNIST-1D: a one-shot supernet of the 1-D NAS-Bench-201 network, trained by uniform path sampling.

The supernet (:class:`NB201Supernet1d`) is :class:`~naspred.live.nb201_1d.NB201Network1d` with every operation
of :data:`~naspred.featurizers.zerocost.nb201_network.OPS` on every edge of every cell (a :class:`MixedEdge`);
the stem, the reduction blocks and the head are the standalone network's. One path, one operation per edge,
runs at a time: ``select(arch)`` chooses it, and the forward pass is then exactly the standalone network of
``arch`` with the shared weights.

Training (:class:`MNIST1DSupernetTrainer`) is random-sampling weight sharing: each step draws one cell
uniformly (one operation per edge, ``NB201Space.sample``) and updates the weights of that path on one
minibatch, as in Li & Talwalkar, "Random Search and Reproducibility for Neural Architecture Search" (UAI
2019; NASLib's ``RandomNASOptimizer``) and Guo et al., "Single Path One-Shot Neural Architecture Search with
Uniform Sampling" (ECCV 2020). Data, split, batches, optimiser and schedule are those of
:class:`~naspred.live.trainer.MNIST1DTrainer` (the training loop is its own): Adam, cosine annealing over the
schedule, cross-entropy, the MNIST-1D training split; everything random is drawn from the seed.

Scoring (:class:`MNIST1DOneShotModel`): an architecture's validation accuracy and loss with the shared weights
(White et al., NeurIPS 2021, weight-sharing predictors; NASLib's ``OneShotPredictor``). BatchNorm: the running
statistics a supernet tracks while training average over every path it sampled, not the statistics of the
path scored, so before scoring an architecture they are re-estimated on ``bn_signals`` training signals run
through that architecture's path, as Single Path One-Shot does ("the statistics of all the Batch
Normalization operations are recalculated on a random subset of training data"). NASLib's
``OneShotPredictor`` and the released RSWS code score with the tracked statistics (RSWS has a reset option,
off by default); ``bn_signals=0`` does that. ``perf/weight_sharing.md`` measures both.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import torch
from naspred.errors import InvalidInputError
from naspred.live.mnist1d_data import NUM_CLASSES
from naspred.live.nb201_1d import OPS, Cell1d, NB201Network1d
from naspred.live.trainer import MNIST1DTrainer, evaluate, one_thread
from naspred.params import Int, check
from naspred.spaces.nasbench201 import NB201Arch, NB201Space
from naspred.torch_tools import reestimate_batch_norm, seeded_torch
from torch import nn

logger = logging.getLogger(__name__)

#: MNIST1DTrainer options a supernet trainer takes: all but the schedule length and the seed (given to ``train``)
OPTIONS: tuple[str, ...] = tuple(k for k in inspect.signature(MNIST1DTrainer).parameters if k not in ("epochs", "seed"))


class MixedEdge(nn.ModuleList):
    """Every operation of one cell edge, in :data:`OPS` order; the forward pass runs the ``selected`` one."""

    def __init__(self, operations: Iterable[nn.Module], selected: int) -> None:
        super().__init__(operations)
        self.selected = selected

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self[self.selected](x)


class SupernetCell1d(Cell1d):
    """A 1-D cell whose every edge is a :class:`MixedEdge` of all operations, its own operation selected."""

    def operation(self, name: str, channels: int) -> nn.Module:
        return MixedEdge((super(SupernetCell1d, self).operation(op, channels) for op in OPS), OPS.index(name))

    def select(self, ops: tuple[str, ...]) -> None:
        """Run operation ``ops[k]`` on edge ``k``."""
        for edge, op in zip(self.edges, ops, strict=True):
            edge.selected = OPS.index(op)


class NB201Supernet1d(NB201Network1d):
    """The 1-D NAS-Bench-201 network holding every cell of the space: each edge holds every operation.

    Built like :class:`~naspred.live.nb201_1d.NB201Network1d` (same arguments) with ``arch`` as its first
    selected path; :meth:`select` changes the path. The modules of a path are those the standalone network of
    the same cell holds, at the same places (edge ``k`` of a cell holds them at index ``OPS.index(op)``).
    """

    title = "1-D NAS-Bench-201 supernet"
    cell = SupernetCell1d

    def select(self, arch: NB201Arch) -> None:
        """Run the path of ``arch`` (one operation per edge, the same in every cell) from now on."""
        self._check_arch(arch)
        for cell in self.cells:
            if isinstance(cell, SupernetCell1d):
                cell.select(arch.ops)


class UniformPaths(nn.Module):
    """``supernet`` with a path drawn uniformly at each forward pass (one training step, one path).

    Each call draws a cell with ``space.sample`` (each edge's operation uniform) from ``rng`` and selects it.
    """

    def __init__(self, supernet: NB201Supernet1d, rng: np.random.Generator) -> None:
        super().__init__()
        self.supernet = supernet
        self.rng = rng
        self.space = NB201Space()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.supernet.select(self.space.sample(self.rng))
        return self.supernet(x)


@dataclass
class MNIST1DOneShotModel:
    """A trained :class:`NB201Supernet1d` and how it scores a cell: :meth:`evaluate`.

    ``trainer`` is the :class:`~naspred.live.trainer.MNIST1DTrainer` whose data and batch size it was trained
    with, ``bn_signals`` how many training signals re-estimate the BatchNorm statistics of each scored path (0:
    keep those tracked in training), ``seed`` the training seed (it also draws those signals) and ``curve``
    the training log (``train_loss`` and ``val_accuracy`` / ``val_loss`` of random paths, ``seconds``, per epoch).
    """

    supernet: NB201Supernet1d
    trainer: MNIST1DTrainer
    bn_signals: int
    seed: int
    curve: dict[str, list[float]] = field(default_factory=dict)

    def evaluate(self, arch: NB201Arch | str) -> dict[str, float]:
        """``{"val_accuracy": percent, "val_loss": mean cross-entropy}`` of ``arch`` on the validation split,
        with the shared weights (its BatchNorm statistics re-estimated first unless ``bn_signals`` is 0)."""
        space = self.trainer.space
        arch = space.validate(space.parse(arch) if isinstance(arch, str) else arch)
        data = self.trainer.data()
        with one_thread():
            self.supernet.select(arch)
            if self.bn_signals:
                order = torch.randperm(len(data.y_train), generator=torch.Generator().manual_seed(self.seed))
                with torch.no_grad():
                    reestimate_batch_norm(self.supernet, (data.x_train[order[: self.bn_signals]],))
            loss, accuracy = evaluate(self.supernet, data.x_val, data.y_val, self.trainer.batch_size * 4)
        return {"val_accuracy": accuracy, "val_loss": loss}


@dataclass(frozen=True)
class MNIST1DSupernetTrainer:
    """A supernet trainer for NAS-Bench-201 cells on MNIST-1D: ``train(epochs, seed)`` returns the trained
    :class:`MNIST1DOneShotModel` (the protocol :class:`~naspred.predictors.weight_sharing.SupernetTrainer`).

    Generated locally, no download (the ``mnist1d`` package). :meth:`like` takes the settings of a standalone
    trainer or of a benchmark's protocol, so that the supernet sees the network, data and optimiser of the
    runs its scores stand in for.

    Parameters
    ----------
    options : mapping
        Options of :class:`~naspred.live.trainer.MNIST1DTrainer` (``channels``, ``cells_per_stage``,
        ``batch_size``, ``lr``, ``weight_decay``, ``n_train``, ``n_val``, ``data_seed``; its defaults for
        those not given). The schedule length and the seed are not options: ``train`` takes them.
    bn_signals : int
        Training signals (at most the training split) on which the BatchNorm statistics of each scored
        path are re-estimated; 0 scores with the statistics tracked during training.
    """

    options: Mapping[str, Any] = field(default_factory=dict)
    bn_signals: int = 500

    #: the search space whose architectures it trains and scores
    space: ClassVar[str] = "nb201"

    def __post_init__(self) -> None:
        if not isinstance(self.options, Mapping):
            raise InvalidInputError(
                f"MNIST1DSupernetTrainer: options must be a mapping, got {type(self.options).__name__}"
            )
        unknown = sorted(set(self.options) - set(OPTIONS))
        if unknown:
            raise InvalidInputError(
                f"MNIST1DSupernetTrainer: unknown options {unknown}; expected MNIST1DTrainer options among "
                f"{list(OPTIONS)} (the schedule length and the seed are given to train)"
            )
        check("MNIST1DSupernetTrainer", "bn_signals", self.bn_signals, Int(0))
        self.standalone(1, 0)  # MNIST1DTrainer checks the options

    @classmethod
    def like(cls, settings: Mapping[str, Any] | MNIST1DTrainer, **kwargs: Any) -> MNIST1DSupernetTrainer:
        """The supernet trainer of ``settings``: an :class:`~naspred.live.trainer.MNIST1DTrainer`, its
        ``config()``, or a benchmark's protocol (``naspred.benchmarks.nb201_mnist1d.protocol()``); keys that
        are not options are left out. ``kwargs`` (``bn_signals``) are passed on."""
        if isinstance(settings, MNIST1DTrainer):
            settings = settings.config()
        return cls({k: v for k, v in settings.items() if k in OPTIONS}, **kwargs)

    def standalone(self, epochs: int, seed: int) -> MNIST1DTrainer:
        """The standalone trainer of these options with a schedule of ``epochs`` epochs and ``seed``."""
        return MNIST1DTrainer(**self.options, epochs=epochs, seed=seed)

    def train(self, epochs: int, seed: int) -> MNIST1DOneShotModel:
        """Train the supernet for ``epochs`` epochs, one uniformly drawn path per step; deterministic for ``seed``."""
        check("MNIST1DSupernetTrainer.train", "epochs", epochs, Int(1))
        check("MNIST1DSupernetTrainer.train", "seed", seed, Int(0))
        trainer = self.standalone(epochs, seed)
        data = trainer.data()
        rng = np.random.default_rng(seed)
        start = time.perf_counter()
        with one_thread():
            with seeded_torch(seed, torch.device("cpu")):
                supernet = NB201Supernet1d(trainer.space.sample(rng), num_classes=NUM_CLASSES,
                                           channels=trainer.channels, cells_per_stage=trainer.cells_per_stage)
            curve = trainer._train(UniformPaths(supernet, rng), data, epochs)
        logger.info("trained the MNIST-1D supernet for %d epoch(s) in %.1f s: train loss %.4f", epochs,
                    time.perf_counter() - start, curve["train_loss"][-1])
        return MNIST1DOneShotModel(supernet, trainer, min(self.bn_signals, len(data.y_train)), seed, curve)


def nb201_mnist1d_supernet(bn_signals: int = 500) -> MNIST1DSupernetTrainer:
    """The supernet trainer of the packaged ``nb201-mnist1d`` benchmark: its network, data and optimiser
    (:func:`naspred.benchmarks.nb201_mnist1d.protocol`), so that the scores stand in for its runs."""
    from naspred.benchmarks.nb201_mnist1d import protocol

    return MNIST1DSupernetTrainer.like(protocol(), bn_signals=bn_signals)
