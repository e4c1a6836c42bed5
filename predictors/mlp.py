"""Feed-forward networks on an architecture encoding: NASLib's MLP predictor and the BANANAS ensemble.

* :class:`MLP`: NASLib's MLP predictor (White et al., "How Powerful are Performance Predictors in Neural
  Architecture Search?", NeurIPS 2021): ``num_layers`` ReLU layers of ``layer_width`` units, Xavier
  initialisation, Adam (betas 0.9, 0.99), mean absolute error plus an L1 penalty on the output weights, a
  fixed number of epochs; here on standardised targets.
* :class:`BANANAS`: the meta neural network of White, Neiswanger and Savani, "BANANAS: Bayesian Optimization
  with Neural Architectures for Neural Architecture Search" (AAAI 2021): an ensemble of 5 such networks
  (10 layers of width 20, Adam with learning rate 0.01, mean absolute error, 200 epochs of batches of 32 in
  the ``naszilla`` code) on the path encoding; the mean and standard deviation over the members are the
  prediction and its uncertainty.

The members of an ensemble are trained at once as one stacked network (batched matrix products), each on
its own shuffling of the data and from its own initialisation, with PyTorch's fused Adam (the same update in
one call per step: about half the fit time of these small networks). ``max_steps`` (default None, no limit)
stops training after that many gradient steps when the epochs would take more.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any, ClassVar

import numpy as np
import torch
from naspred.featurizers import get as get_featurizer
from naspred.predictors.info import ArchInfo
from naspred.predictors.neural import (
    TRAINING,
    Check,
    NeuralPredictor,
    adam,
    choice,
    count,
    count_steps,
    epoch_batches,
    positive,
)
from naspred.predictors.requirements import Requirements
from torch import nn

LOSSES = ("mae", "mse")
ACTIVATIONS = ("relu", "tanh")


class StackedMLP(nn.Module):
    """``n_members`` independent networks (``num_layers`` hidden layers) evaluated by batched products.

    Maps ``x`` of shape ``(n_members, batch, n_inputs)`` to ``(n_members, batch)`` (:meth:`hidden` gives the
    last hidden layer); each member's weights are Xavier-uniform initialised, biases zero, as in NASLib's
    ``FeedforwardNet``. ``activation`` is ``"relu"`` or ``"tanh"``.
    """

    def __init__(self, n_members: int, n_inputs: int, num_layers: int, layer_width: int, activation: str = "relu"):
        super().__init__()
        self.activation = activation
        sizes = [n_inputs] + [layer_width] * num_layers + [1]
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for fan_in, fan_out in pairwise(sizes):
            bound = float(np.sqrt(6.0 / (fan_in + fan_out)))
            self.weights.append(nn.Parameter(torch.empty(n_members, fan_in, fan_out).uniform_(-bound, bound)))
            self.biases.append(nn.Parameter(torch.zeros(n_members, 1, fan_out)))

    def hidden(self, x: torch.Tensor) -> torch.Tensor:
        act = torch.relu if self.activation == "relu" else torch.tanh
        for w, b in zip(list(self.weights)[:-1], list(self.biases)[:-1], strict=True):
            x = act(torch.baddbmm(b, x, w))
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.baddbmm(self.biases[-1], self.hidden(x), self.weights[-1]).squeeze(-1)


def train_stacked_mlp(
    x: np.ndarray,
    z: np.ndarray,
    *,
    n_members: int,
    num_layers: int,
    layer_width: int,
    epochs: int,
    batch_size: int,
    lr: float,
    loss: str,
    regularization: float,
    device: Any,
    rng: np.random.Generator,
    activation: str = "relu",
    max_steps: int | None = None,
) -> StackedMLP:
    """Train a :class:`StackedMLP` on features ``x`` and standardised targets ``z`` with Adam (0.9, 0.99).

    The loss of each member is the mean ``loss`` over its batch plus ``regularization`` times the L1 norm of
    its output weights (NASLib); members are summed so that their gradients stay independent. Training runs
    ``epochs`` passes over the data, stopped after ``max_steps`` gradient steps when that comes first.
    """
    xt = torch.as_tensor(x, dtype=torch.float32, device=device)
    zt = torch.as_tensor(z, dtype=torch.float32, device=device)
    model = StackedMLP(n_members, x.shape[1], num_layers, layer_width, activation).to(device)
    optimizer = adam(model.parameters(), lr, betas=(0.9, 0.99))
    n = x.shape[0]
    steps = count_steps(n, batch_size, epochs, max_steps)
    orders = [epoch_batches(n, batch_size, steps, rng) for _ in range(n_members)]
    model.train()
    for batches in zip(*orders, strict=True):
        idx = torch.as_tensor(np.stack(batches), device=device)
        err = model(xt[idx]) - zt[idx]
        per_member = err.abs().mean(dim=1) if loss == "mae" else err.pow(2).mean(dim=1)
        total = per_member.sum()
        if regularization:
            total = total + regularization * model.weights[-1].abs().sum()
        optimizer.zero_grad(set_to_none=True)
        total.backward()
        optimizer.step()
    model.eval()
    return model


class MLP(NeuralPredictor):
    """NASLib's MLP predictor: a feed-forward ReLU network on ``encoding`` (White et al., NeurIPS 2021).

    NASLib trains 20 layers of width 20 for 500 epochs with ``regularization`` 0.2 (on raw accuracies); the
    defaults here (8 layers of width 32, 150 epochs, no penalty, standardised targets) ranked NAS-Bench-201
    CIFAR-10 better in a fraction of the time when measured (Kendall tau with 100 / 200 / 1000 training
    cells: 0.50 / 0.58 / 0.69, against 0.41 / 0.52 / 0.66 with NASLib's layers, epochs and penalty).
    """

    #: networks trained; :class:`BANANAS` trains an ensemble
    n_members: int = 1
    constraints: ClassVar[dict[str, Check]] = {
        "num_layers": count(),
        "layer_width": count(),
        **TRAINING,
        "regularization": positive(allow_zero=True),
        "loss": choice(LOSSES),
    }

    def __init__(
        self,
        encoding: str = "adjacency_one_hot",
        num_layers: int = 8,
        layer_width: int = 32,
        epochs: int = 150,
        batch_size: int = 32,
        max_steps: int | None = None,
        lr: float = 1e-3,
        regularization: float = 0.0,
        loss: str = "mae",
        random_state: int | None = None,
        device: str = "cpu",
    ) -> None:
        self._store(locals())

    @property
    def requirements(self) -> Requirements:
        return Requirements(featurizers=(self.encoding,), labelled=True, encoding=True)

    def _encode(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        return np.asarray(get_featurizer(self.encoding, space=info.space).transform(archs), dtype=np.float32)

    def _train(self, archs: list[Any], z: np.ndarray, info: ArchInfo, rng: np.random.Generator) -> None:
        self.model_ = train_stacked_mlp(
            self._encode(archs, info),
            z,
            n_members=self.n_members,
            num_layers=self.num_layers,
            layer_width=self.layer_width,
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            loss=self.loss,
            regularization=self.regularization,
            device=self.device_,
            rng=rng,
            max_steps=self.max_steps,
        )

    def _infer(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray | None]:
        x = torch.as_tensor(self._encode(archs, info), device=self.device_)
        per_member = self.model_(x.unsqueeze(0).expand(self.n_members, -1, -1)).cpu().numpy().astype(np.float64)
        std = per_member.std(axis=0) if self.n_members > 1 else None
        return per_member.mean(axis=0), std


class BANANAS(MLP):
    """BANANAS's meta neural network (White, Neiswanger and Savani, AAAI 2021): an ensemble of MLPs on the
    path encoding, predicting the mean of its members with their standard deviation as uncertainty.

    Defaults are those of the paper's code: 5 members of 10 ReLU layers of width 20, Adam with learning rate
    0.01, mean absolute error, 200 epochs of batches of 32.
    """

    uncertainty = True
    constraints: ClassVar[dict[str, Check]] = {**MLP.constraints, "n_members": count(2)}

    def __init__(
        self,
        encoding: str = "path",
        n_members: int = 5,
        num_layers: int = 10,
        layer_width: int = 20,
        epochs: int = 200,
        batch_size: int = 32,
        max_steps: int | None = None,
        lr: float = 0.01,
        regularization: float = 0.0,
        loss: str = "mae",
        random_state: int | None = None,
        device: str = "cpu",
    ) -> None:
        self._store(locals())
