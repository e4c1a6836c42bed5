"""Bayesian neural networks on an architecture encoding: DNGO and a BOHAMIANN-style SGHMC sampler.

* :class:`DNGO` (Snoek et al., "Scalable Bayesian Optimization Using Deep Neural Networks", ICML 2015):
  a tanh network (3 layers of 50 units, as in ``pybnn`` and NASLib) trained with Adam on the squared error,
  then Bayesian linear regression on its last hidden layer
  (:class:`~naspred.predictors.bayesian_last_layer.LastLayerBLR`) gives the mean and standard deviation.
* :class:`BOHAMIANN` (Springenberg et al., "Bayesian Optimization with Robust Bayesian Neural Networks",
  NeurIPS 2016): the weights of the same tanh network, and the log variance of a homoscedastic Gaussian
  noise, are sampled by stochastic-gradient Hamiltonian Monte Carlo (Chen et al., ICML 2014) with the
  paper's scale adaptation: during ``burn_in_steps`` the sampler estimates, per parameter, the running mean
  ``g`` and second moment ``v`` of the gradient over an adaptive window ``tau`` (eqs. 8-9), and uses
  ``v^-1/2`` as preconditioner in the update (eq. 10)::

      r <- r - eps^2 v^-1/2 grad U - m r + N(0, 2 eps^2 m v^-1/2 - eps^4),   theta <- theta + r

  with ``U`` the negative log posterior (the minibatch likelihood scaled to the whole data set, a Gaussian
  prior on the weights and, as in ``pybnn``, one on the noise log variance) and ``m`` the momentum decay.
  ``v + 1`` stands in for ``v``: when the whole training set fits in one batch, the gradient of the noise log
  variance vanishes at its mode, ``v`` shrinks towards 0 and the injected noise, which grows as ``v^-1/4``,
  threw the sampler off on 4 of 20 NAS-Bench-201 trials at 20 training cells; parameters with large
  gradients (the weights) are left as they were. After burn-in, every ``keep_every``-th of ``sample_steps``
  states is kept; the prediction is the mixture of the kept networks: mean of their outputs, variance of their
  outputs plus their mean noise variance.

DNGO's network may be trained with a ranking loss (``loss="pairwise_hinge"`` or ``"listmle"``,
:mod:`naspred.predictors.ranking_losses`): its last hidden layer then holds features learnt to order the
architectures, and the Bayesian linear regression on them still predicts the target with a standard deviation.
BOHAMIANN refuses a ranking loss: see :meth:`BOHAMIANN.validate_params`.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
import torch
from naspred.errors import InvalidInputError, TrainingError
from naspred.params import Int, Options, Real, param
from naspred.predictors.bayesian_last_layer import LastLayerBLR
from naspred.predictors.info import ArchInfo
from naspred.predictors.mlp import MLP
from naspred.predictors.neural import ENCODING, NeuralPredictor, OnEncoding
from naspred.predictors.ranking_losses import LOSSES, is_ranking
from naspred.predictors.sghmc import gaussian_potential, scale_adapted_sghmc

#: architectures evaluated at once by all the kept networks of BOHAMIANN
PREDICT_CHUNK = 2048
#: BOHAMIANN's initial noise variance (of the standardised target), as ``pybnn``
INITIAL_NOISE = 1e-3


class DNGO(MLP):
    """DNGO (Snoek et al., ICML 2015): a tanh network's last hidden layer as basis functions of a Bayesian
    linear regression, whose evidence-maximised posterior gives the mean and standard deviation.

    The network is an :class:`~naspred.predictors.mlp.MLP` with tanh units trained on the squared error (or a
    ranking loss) without penalty. ``pybnn`` (used by NASLib) trains 3 layers of 50 units with Adam (learning
    rate 0.01) on batches of 10 for 500 epochs; the defaults here use batches of 32 for 100 epochs.
    ``max_steps`` (default None, no limit) stops training after that many gradient steps.

    Parameters
    ----------
    loss : {"mse", "pairwise_hinge", "listmle"}
        The network's loss: the squared error, or a ranking loss whose learnt features the regression reads.
    encoding, num_layers, layer_width, epochs, batch_size, max_steps, lr, random_state, device
        As :class:`~naspred.predictors.mlp.MLP`.
    augment, predict_isomorphs, max_isomorphs
        As :class:`~naspred.predictors.augmented.IsomorphAugmented`.
    """

    uncertainty = True
    activation = "tanh"
    loss: str = param("mse", Options(LOSSES))
    regularization = param(fixed=0.0)
    num_layers: int = param(3)
    layer_width: int = param(50)
    epochs: int = param(100)
    lr: float = param(0.01)

    def _features(self, x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            xt = torch.as_tensor(x, device=self.device_).unsqueeze(0)
            return self.model_.hidden(xt)[0].cpu().numpy().astype(np.float64)

    def _train(self, archs: list[Any], z: np.ndarray, info: ArchInfo, rng: np.random.Generator) -> None:
        x = self._encode(archs, info)
        self._train_network(x, z, rng)
        self.blr_ = LastLayerBLR.fit(self._features(x), z)

    def _infer(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray | None]:
        return self.blr_.predict(self._features(self._encode(archs, info)))


def tanh_network_shapes(n_inputs: int, num_layers: int, layer_width: int) -> list[tuple[int, int]]:
    """``(fan_in, fan_out)`` of each linear layer of a tanh network with one output."""
    sizes = [n_inputs] + [layer_width] * num_layers + [1]
    return list(pairwise(sizes))


def flat_forward(theta: torch.Tensor, x: torch.Tensor, shapes: list[tuple[int, int]]) -> torch.Tensor:
    """Outputs ``(S, n)`` of ``S`` tanh networks whose weights and biases are the rows of ``theta`` (S, P).

    ``theta`` holds, layer by layer, the ``fan_in x fan_out`` weights then the ``fan_out`` biases; the
    noise log variance, if any, follows and is ignored here.
    """
    h = x.unsqueeze(0).expand(theta.shape[0], -1, -1)
    offset = 0
    for i, (fan_in, fan_out) in enumerate(shapes):
        w = theta[:, offset : offset + fan_in * fan_out].reshape(-1, fan_in, fan_out)
        offset += fan_in * fan_out
        b = theta[:, offset : offset + fan_out].unsqueeze(1)
        offset += fan_out
        h = torch.baddbmm(b, h, w)
        if i < len(shapes) - 1:
            h = torch.tanh(h)
    return h.squeeze(-1)


class BOHAMIANN(OnEncoding, NeuralPredictor):
    """A BOHAMIANN-style Bayesian neural network (Springenberg et al., NeurIPS 2016): scale-adapted SGHMC
    samples of a tanh network (3 layers of 50 units) and its noise level; mixture mean and std.

    ``pybnn`` runs 3,000 burn-in and 10,000 sampling steps (step size 0.01, momentum decay 0.05, batches of
    20) and keeps every 100th; the defaults here run 2,000 and 2,000 and keep every 50th (40 networks).
    ``weight_prior_std`` is the standard deviation of the Gaussian prior on every weight and bias. The noise
    log variance starts at log(1e-3), as in ``pybnn``, and has a Gaussian prior centred on
    ``log(noise_prior_mean)`` with standard deviation ``noise_prior_std``: 1e-2 and sqrt(2), the prior of
    ``pysgmcmc``'s BOHAMIANN. Without a prior,
    the noise level of one NAS-Bench-201 trial drifted until its exponential overflowed; ``pybnn``'s tighter
    prior (1e-6, standard deviation 0.1) made the sampler diverge on that trial.

    Parameters
    ----------
    loss : {"mse"}
        The squared error of a Gaussian likelihood; a ranking loss is refused (:meth:`validate_params`).
    encoding, num_layers, layer_width
        As :class:`~naspred.predictors.mlp.MLP` (the layers of tanh units).
    burn_in_steps : int
        Steps that adapt the sampler's scale, none of them kept (>= 0).
    sample_steps, keep_every : int
        Steps after burn-in, and the interval between kept networks (>= 1; ``keep_every <= sample_steps``).
    step_size : float
        ``eps^2`` of the SGHMC update (> 0).
    momentum_decay : float
        The friction ``m``, in (0, 1).
    weight_prior_std : float
        Standard deviation of the Gaussian prior on every weight and bias (> 0).
    noise_prior_mean, noise_prior_std : float
        The noise log variance's Gaussian prior: centred on ``log(noise_prior_mean)``, of standard deviation
        ``noise_prior_std`` (both > 0).
    batch_size, random_state, device, augment, predict_isomorphs, max_isomorphs
        As :class:`~naspred.predictors.neural.NeuralPredictor`.
    """

    uncertainty = True
    loss: str = param("mse", Options(LOSSES))
    encoding: str = param("adjacency_one_hot", ENCODING)
    num_layers: int = param(3, Int(1))
    layer_width: int = param(50, Int(1))
    burn_in_steps: int = param(2000, Int(0))
    sample_steps: int = param(2000, Int(1))
    keep_every: int = param(50, Int(1))
    batch_size: int = param(20)
    step_size: float = param(1e-2, Real(0.0, closed="neither"))
    momentum_decay: float = param(0.05, Real(0.0, 1.0, closed="neither"))
    weight_prior_std: float = param(1.0, Real(0.0, closed="neither"))
    noise_prior_mean: float = param(1e-2, Real(0.0, closed="neither"))
    noise_prior_std: float = param(float(np.sqrt(2.0)), Real(0.0, closed="neither"))

    def validate_params(self) -> None:
        """The declared checks, then that the loss is the squared error and at least one network is kept.

        A ranking loss is refused: the sampler draws weights from a posterior, which needs a likelihood that is a
        sum over architectures (a minibatch scaled to the whole set estimates it without bias) with a noise level
        to sample. The pairwise hinge is no likelihood, and the Plackett-Luce likelihood of ListMLE normalises
        each term over every architecture ranked below it, so a minibatch does not estimate it; neither has a
        noise level for the predictive standard deviation.
        """
        super().validate_params()
        if is_ranking(self.loss):
            raise InvalidInputError(
                f"{self._name}: loss={self.loss!r} is refused: BOHAMIANN samples the posterior of a Gaussian "
                "likelihood (squared error with a sampled noise level) by minibatch SGHMC; a ranking loss is not "
                "such a likelihood (the pairwise hinge is none, ListMLE's does not split over minibatches) and has "
                "no noise level. Use loss='mse', or DNGO or BANANAS with a ranking loss"
            )
        if self.keep_every > self.sample_steps:
            raise InvalidInputError(
                f"{self._name}: keep_every={self.keep_every} exceeds sample_steps={self.sample_steps}; "
                "no network would be kept"
            )

    def _initial_theta(self, shapes: list[tuple[int, int]], device: torch.device) -> torch.Tensor:
        parts = []
        for fan_in, fan_out in shapes:
            parts.append(torch.randn(fan_in * fan_out, device=device, dtype=torch.float64) / np.sqrt(fan_in))
            parts.append(torch.zeros(fan_out, device=device, dtype=torch.float64))
        parts.append(torch.full((1,), float(np.log(INITIAL_NOISE)), device=device, dtype=torch.float64))
        return torch.cat(parts)

    def _train(self, archs: list[Any], z: np.ndarray, info: ArchInfo, rng: np.random.Generator) -> None:
        device = self.device_
        x = torch.as_tensor(self._encode(archs, info), dtype=torch.float64, device=device)
        zt = torch.as_tensor(z, dtype=torch.float64, device=device)
        shapes = tanh_network_shapes(x.shape[1], self.num_layers, self.layer_width)

        def mean(theta: torch.Tensor, batch: torch.Tensor) -> torch.Tensor:
            return flat_forward(theta.unsqueeze(0), x[batch], shapes)[0]

        potential = gaussian_potential(mean, zt, weight_prior_std=self.weight_prior_std,
                                       noise_prior_mean=self.noise_prior_mean, noise_prior_std=self.noise_prior_std)
        samples = scale_adapted_sghmc(
            potential, self._initial_theta(shapes, device), x.shape[0], batch_size=self.batch_size,
            burn_in_steps=self.burn_in_steps, sample_steps=self.sample_steps, keep_every=self.keep_every,
            step_size=self.step_size, momentum_decay=self.momentum_decay, rng=rng,
        )
        if not torch.isfinite(samples).all() or not torch.isfinite(torch.exp(samples[:, -1])).all():
            raise TrainingError(
                f"{self._name}: the sampler diverged (non-finite weights or noise level); lower step_size "
                f"(now {self.step_size}) or tighten noise_prior_std (now {self.noise_prior_std})"
            )
        self.samples_ = samples
        self.shapes_ = shapes

    def _infer(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray | None]:
        x = torch.as_tensor(self._encode(archs, info), dtype=torch.float64, device=self.device_)
        # in chunks: every kept network evaluates every architecture
        chunks = [flat_forward(self.samples_, part, self.shapes_) for part in torch.split(x, PREDICT_CHUNK)]
        outputs = torch.cat(chunks, dim=1).cpu().numpy()
        noise = np.exp(self.samples_[:, -1].cpu().numpy())
        mean = outputs.mean(axis=0)
        var = outputs.var(axis=0) + noise.mean()
        return mean, np.sqrt(var)
