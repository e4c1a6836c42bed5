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

``loss`` may also be a ranking loss, ``"pairwise_hinge"`` or ``"listmle"``
(:mod:`naspred.predictors.ranking_losses`): the network then learns scores, not accuracies; each member's
scores are mapped onto the target by the least-squares line of the training targets on its training scores,
which keeps their order. Read such a predictor with rank metrics: MAE and RMSE measure the line.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any, ClassVar

import numpy as np
import torch
from naspred.params import Int, Options, Real, param
from naspred.predictors.info import ArchInfo
from naspred.predictors.neural import (
    ENCODING,
    EpochTrained,
    OnEncoding,
    adam,
    count_steps,
    epoch_batches,
)
from naspred.predictors.ranking_losses import LOSSES as NEURAL_LOSSES
from naspred.predictors.ranking_losses import batch_loss, is_ranking, linear_calibration
from torch import nn

#: the ``loss`` options of the MLP: mean absolute error, then those of every neural predictor
LOSSES = ("mae", *NEURAL_LOSSES)
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


class MLP(OnEncoding, EpochTrained):
    """NASLib's MLP predictor: a feed-forward ReLU network on ``encoding`` (White et al., NeurIPS 2021).

    NASLib trains 20 layers of width 20 for 500 epochs with ``regularization`` 0.2 (on raw accuracies); the
    defaults here (8 layers of width 32, 150 epochs, no penalty, standardised targets) ranked NAS-Bench-201
    CIFAR-10 better in a fraction of the time when measured (Kendall tau with 100 / 200 / 1000 training
    cells: 0.50 / 0.58 / 0.69, against 0.41 / 0.52 / 0.66 with NASLib's layers, epochs and penalty).

    Parameters
    ----------
    encoding : str
        The featurizer that encodes each architecture.
    num_layers, layer_width : int
        Hidden ReLU layers and their units (>= 1).
    regularization : float
        Weight of the L1 norm of the output weights in the loss (>= 0).
    loss : {"mae", "mse", "pairwise_hinge", "listmle"}
        Mean absolute or mean squared error, or a ranking loss over each batch: then the outputs are scores
        mapped onto the target by a least-squares line fitted on the training set (``calibration_``:
        intercept and slope per member); only their order is learnt.
    epochs, batch_size, max_steps, lr, random_state, device
        As :class:`~naspred.predictors.neural.EpochTrained`.
    augment, predict_isomorphs, max_isomorphs
        As :class:`~naspred.predictors.augmented.IsomorphAugmented`.
    """

    #: networks trained; :class:`BANANAS` trains an ensemble
    n_members: int = 1
    #: the hidden layers' nonlinearity ("relu" or "tanh")
    activation: ClassVar[str] = "relu"
    encoding: str = param("adjacency_one_hot", ENCODING)
    num_layers: int = param(8, Int(1))
    layer_width: int = param(32, Int(1))
    epochs: int = param(150)
    regularization: float = param(0.0, Real(0.0))
    loss: str = param("mae", Options(LOSSES))

    def _train(self, archs: list[Any], z: np.ndarray, info: ArchInfo, rng: np.random.Generator) -> None:
        x = self._encode(archs, info)
        self._train_network(x, z, rng)
        self.__dict__.pop("calibration_", None)
        if is_ranking(self.loss):
            self.calibration_ = linear_calibration(self._members(x), z)

    def _train_network(self, x: np.ndarray, z: np.ndarray, rng: np.random.Generator) -> None:
        """Train ``model_``, a :class:`StackedMLP` of ``n_members``, on encodings ``x`` and standardised targets
        ``z`` with Adam (betas 0.9, 0.99).

        The loss of each member is ``loss`` over its batch (a mean error, or a ranking loss) plus
        ``regularization`` times the L1 norm of its output weights (NASLib); members are summed so that their
        gradients stay independent, and each member draws its own batches.
        """
        device = self.device_
        xt = torch.as_tensor(x, dtype=torch.float32, device=device)
        zt = torch.as_tensor(z, dtype=torch.float32, device=device)
        model = StackedMLP(self.n_members, x.shape[1], self.num_layers, self.layer_width, self.activation).to(device)
        optimizer = adam(model.parameters(), self.lr, betas=(0.9, 0.99))
        n = x.shape[0]
        steps = count_steps(n, self.batch_size, self.epochs, self.max_steps)
        orders = [epoch_batches(n, self.batch_size, steps, rng) for _ in range(self.n_members)]
        model.train()
        for batches in zip(*orders, strict=True):
            idx = torch.as_tensor(np.stack(batches), device=device)
            total = batch_loss(self.loss, model(xt[idx]), zt[idx]).sum()
            if self.regularization:
                total = total + self.regularization * model.weights[-1].abs().sum()
            optimizer.zero_grad(set_to_none=True)
            total.backward()
            optimizer.step()
        model.eval()
        self.model_ = model

    def _members(self, x: np.ndarray) -> np.ndarray:
        """Each member's output for encodings ``x``: ``(n_members, n)`` float64."""
        xt = torch.as_tensor(x, device=self.device_)
        with torch.no_grad():
            return self.model_(xt.unsqueeze(0).expand(self.n_members, -1, -1)).cpu().numpy().astype(np.float64)

    def _infer(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray | None]:
        per_member = self._members(self._encode(archs, info))
        if hasattr(self, "calibration_"):
            intercept, slope = self.calibration_
            per_member = intercept[:, None] + slope[:, None] * per_member
        std = per_member.std(axis=0) if self.n_members > 1 else None
        return per_member.mean(axis=0), std


class BANANAS(MLP):
    """BANANAS's meta neural network (White, Neiswanger and Savani, AAAI 2021): an ensemble of MLPs on the
    path encoding, predicting the mean of its members with their standard deviation as uncertainty.

    Defaults are those of the paper's code: 5 members of 10 ReLU layers of width 20, Adam with learning rate
    0.01, mean absolute error, 200 epochs of batches of 32. With a ranking ``loss`` each member's scores are
    mapped onto the target by its own least-squares line, and the standard deviation is the spread of those
    mapped scores: a disagreement in order between members, not a calibrated predictive uncertainty.

    Parameters
    ----------
    n_members : int
        Networks in the ensemble (>= 2).
    encoding, num_layers, layer_width, regularization, loss, epochs, batch_size, max_steps, lr, random_state, device
        As :class:`MLP`.
    augment, predict_isomorphs, max_isomorphs
        As :class:`MLP`.
    """

    uncertainty = True
    n_members: int = param(5, Int(2))
    encoding: str = param("path")
    num_layers: int = param(10)
    layer_width: int = param(20)
    epochs: int = param(200)
    lr: float = param(0.01)
