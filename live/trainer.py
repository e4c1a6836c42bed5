"""A reference training function for live mode: the 1-D NAS-Bench-201 network on MNIST-1D.

``MNIST1DTrainer(...)`` is callable as ``train_fn(arch, epochs)``, the signature
:class:`naspred.oracles.live.LiveOracle` calls. Training follows a fixed schedule of ``epochs``
epochs (Adam, cosine-annealed learning rate, cross-entropy); training for fewer epochs returns the first
epochs of that same run, as reading a partial learning curve from NAS-Bench-201 does. Everything random
(weights, batch order) is drawn from ``seed``, and training runs on one torch thread, so a call is
deterministic for a seed.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
import torch.nn.functional as F

from naspred.errors import InvalidArchitectureError, InvalidInputError
from naspred.live.mnist1d_data import MNIST1D, NUM_CLASSES, load_mnist1d
from naspred.live.nb201_1d import NB201Network1d
from naspred.params import Int, Real, check
from naspred.spaces.nasbench201 import NB201Arch, NB201Space

logger = logging.getLogger(__name__)

#: the metrics a call returns, one value per epoch
METRICS: tuple[str, ...] = ("train_loss", "val_accuracy", "val_loss", "seconds")


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one intra-op thread inside the block, restoring the previous setting after."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


_SIZE, _RATE, _DECAY, _SEED = Int(1), Real(0, closed="neither"), Real(0), Int()


class MNIST1DTrainer:
    """``train_fn(arch, epochs) -> {"train_loss", "val_accuracy", "val_loss", "seconds": [one per epoch]}``.

    ``arch`` is an :class:`~naspred.spaces.nasbench201.NB201Arch` or its text; the network is
    :class:`~naspred.live.nb201_1d.NB201Network1d` with ``channels`` and ``cells_per_stage``. Data: MNIST-1D
    generated with ``data_seed``, ``n_train`` training and ``n_val`` validation signals. ``val_accuracy`` is
    in percent; ``seconds`` is the wall time of each epoch (training and validation).
    """

    def __init__(
        self,
        *,
        channels: int = 8,
        cells_per_stage: int = 1,
        epochs: int = 12,
        batch_size: int = 128,
        lr: float = 0.01,
        weight_decay: float = 5e-4,
        n_train: int = 2000,
        n_val: int = 1000,
        seed: int = 0,
        data_seed: int = 42,
    ) -> None:
        sizes = {"channels": channels, "cells_per_stage": cells_per_stage, "epochs": epochs, "batch_size": batch_size}
        for name, value in sizes.items():
            check("MNIST1DTrainer", name, value, _SIZE)
        check("MNIST1DTrainer", "lr", lr, _RATE)
        check("MNIST1DTrainer", "weight_decay", weight_decay, _DECAY)
        for name, value in (("seed", seed), ("data_seed", data_seed)):
            check("MNIST1DTrainer", name, value, _SEED)
        self.channels, self.cells_per_stage = channels, cells_per_stage
        self.epochs, self.batch_size = epochs, batch_size
        self.lr = float(lr)
        self.weight_decay = float(weight_decay)
        self.n_train = n_train
        self.n_val = n_val
        self.seed = seed
        self.data_seed = data_seed
        self.space = NB201Space()

    def config(self) -> dict[str, Any]:
        """The settings of this trainer (what a results file records beside each run)."""
        return {
            "channels": self.channels, "cells_per_stage": self.cells_per_stage, "epochs": self.epochs,
            "batch_size": self.batch_size, "lr": self.lr, "weight_decay": self.weight_decay,
            "n_train": self.n_train, "n_val": self.n_val, "seed": self.seed, "data_seed": self.data_seed,
        }

    def data(self) -> MNIST1D:
        """The MNIST-1D split this trainer uses (generated once per process)."""
        return load_mnist1d(self.n_train, self.n_val, self.data_seed)

    def build(self, arch: NB201Arch | str) -> NB201Network1d:
        """The network of ``arch`` with its weights drawn from ``seed``."""
        arch = self._arch(arch)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            return NB201Network1d(arch, num_classes=NUM_CLASSES, channels=self.channels,
                                  cells_per_stage=self.cells_per_stage)

    def _arch(self, arch: Any) -> NB201Arch:
        if isinstance(arch, str):
            arch = self.space.parse(arch)
        if not isinstance(arch, NB201Arch):
            raise InvalidArchitectureError(f"MNIST1DTrainer trains NAS-Bench-201 cells, got {type(arch).__name__}")
        return arch

    def __call__(self, arch: NB201Arch | str, epochs: int) -> dict[str, list[float]]:
        if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= self.epochs:
            raise InvalidInputError(f"MNIST1DTrainer: epochs must be an integer in [1, {self.epochs}], got {epochs!r}")
        data = self.data()
        arch = self._arch(arch)
        start = time.perf_counter()
        with one_thread():
            net = self.build(arch)
            out = self._train(net, data, epochs)
        logger.info("trained %s for %d epoch(s) in %.1f s: validation accuracy %.2f%%", self.space.format(arch),
                    epochs, time.perf_counter() - start, out["val_accuracy"][-1])
        return out

    def _train(self, net: NB201Network1d, data: MNIST1D, epochs: int) -> dict[str, list[float]]:
        steps_per_epoch = math.ceil(len(data.y_train) / self.batch_size)
        opt = torch.optim.Adam(net.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.epochs * steps_per_epoch)
        order = torch.Generator().manual_seed(self.seed)
        out: dict[str, list[float]] = {m: [] for m in METRICS}
        for _ in range(epochs):
            start = time.perf_counter()
            net.train()
            perm = torch.randperm(len(data.y_train), generator=order)
            total, count = 0.0, 0
            for s in range(steps_per_epoch):
                idx = perm[s * self.batch_size : (s + 1) * self.batch_size]
                loss = F.cross_entropy(net(data.x_train[idx]), data.y_train[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
                total += float(loss.detach()) * len(idx)
                count += len(idx)
            val_loss, val_acc = evaluate(net, data.x_val, data.y_val, self.batch_size * 4)
            out["train_loss"].append(total / count)
            out["val_loss"].append(val_loss)
            out["val_accuracy"].append(val_acc)
            out["seconds"].append(time.perf_counter() - start)
            logger.debug("epoch %d/%d: train loss %.4f, validation accuracy %.2f%% (%.2f s)", len(out["seconds"]),
                         epochs, out["train_loss"][-1], val_acc, out["seconds"][-1])
        return out


def evaluate(net: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int) -> tuple[float, float]:
    """Mean cross-entropy and accuracy (percent) of ``net`` in evaluation mode."""
    net.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for s in range(0, len(y), batch_size):
            logits = net(x[s : s + batch_size])
            loss += float(F.cross_entropy(logits, y[s : s + batch_size], reduction="sum"))
            correct += int((logits.argmax(1) == y[s : s + batch_size]).sum())
    return loss / len(y), 100.0 * correct / len(y)
