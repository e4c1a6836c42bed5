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
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any, ClassVar

import numpy as np
import torch
from naspred.errors import InvalidInputError, TrainingError
from naspred.featurizers import get as get_featurizer
from naspred.predictors.bayesian_last_layer import LastLayerBLR
from naspred.predictors.info import ArchInfo
from naspred.predictors.mlp import train_stacked_mlp
from naspred.predictors.neural import (
    TRAINING,
    Check,
    NeuralPredictor,
    count,
    minibatches,
    positive,
)
from naspred.predictors.requirements import Requirements

#: architectures evaluated at once by all the kept networks of BOHAMIANN
PREDICT_CHUNK = 2048
#: BOHAMIANN's initial noise variance (of the standardised target), as ``pybnn``
INITIAL_NOISE = 1e-3
#: added to BOHAMIANN's gradient second-moment estimate ``v`` before its inverse square root is taken
SECOND_MOMENT_FLOOR = 1.0


class _EncodedBNN(NeuralPredictor):
    """A Bayesian network on a flat encoding (``self.encoding``)."""

    uncertainty = True
    encoding: str

    @property
    def requirements(self) -> Requirements:
        return Requirements(featurizers=(self.encoding,), labelled=True, encoding=True)

    def _encode(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        return np.asarray(get_featurizer(self.encoding, space=info.space).transform(archs), dtype=np.float32)


class DNGO(_EncodedBNN):
    """DNGO (Snoek et al., ICML 2015): a tanh network's last hidden layer as basis functions of a Bayesian
    linear regression, whose evidence-maximised posterior gives the mean and standard deviation.

    ``pybnn`` (used by NASLib) trains 3 layers of 50 units with Adam (learning rate 0.01) on batches of 10
    for 500 epochs; the defaults here use batches of 32 for 100 epochs. ``max_steps`` (default None, no limit)
    stops training after that many gradient steps.
    """

    constraints: ClassVar[dict[str, Check]] = {"num_layers": count(), "layer_width": count(), **TRAINING}

    def __init__(
        self,
        encoding: str = "adjacency_one_hot",
        num_layers: int = 3,
        layer_width: int = 50,
        epochs: int = 100,
        batch_size: int = 32,
        max_steps: int | None = None,
        lr: float = 0.01,
        random_state: int | None = None,
        device: str = "cpu",
    ) -> None:
        self._store(locals())

    def _features(self, x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            xt = torch.as_tensor(x, device=self.device_).unsqueeze(0)
            return self.network_.hidden(xt)[0].cpu().numpy().astype(np.float64)

    def _train(self, archs: list[Any], z: np.ndarray, info: ArchInfo, rng: np.random.Generator) -> None:
        x = self._encode(archs, info)
        self.network_ = train_stacked_mlp(
            x,
            z,
            n_members=1,
            num_layers=self.num_layers,
            layer_width=self.layer_width,
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            loss="mse",
            regularization=0.0,
            device=self.device_,
            rng=rng,
            activation="tanh",
            max_steps=self.max_steps,
        )
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


class BOHAMIANN(_EncodedBNN):
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
    """

    constraints: ClassVar[dict[str, Check]] = {
        "num_layers": count(),
        "layer_width": count(),
        "burn_in_steps": count(0),
        "sample_steps": count(),
        "keep_every": count(),
        "batch_size": count(),
        "step_size": positive(),
        "weight_prior_std": positive(),
        "noise_prior_mean": positive(),
        "noise_prior_std": positive(),
        "momentum_decay": positive(),
    }

    def __init__(
        self,
        encoding: str = "adjacency_one_hot",
        num_layers: int = 3,
        layer_width: int = 50,
        burn_in_steps: int = 2000,
        sample_steps: int = 2000,
        keep_every: int = 50,
        batch_size: int = 20,
        step_size: float = 1e-2,
        momentum_decay: float = 0.05,
        weight_prior_std: float = 1.0,
        noise_prior_mean: float = 1e-2,
        noise_prior_std: float = float(np.sqrt(2.0)),
        random_state: int | None = None,
        device: str = "cpu",
    ) -> None:
        self._store(locals())

    def _check_params(self) -> None:
        super()._check_params()
        who = self._name
        if self.momentum_decay >= 1:
            raise InvalidInputError(f"{who}: momentum_decay must be in (0, 1), got {self.momentum_decay!r}")
        if self.keep_every > self.sample_steps:
            raise InvalidInputError(
                f"{who}: keep_every={self.keep_every} exceeds sample_steps={self.sample_steps}; "
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
        n = x.shape[0]
        shapes = tanh_network_shapes(x.shape[1], self.num_layers, self.layer_width)
        theta = self._initial_theta(shapes, device).requires_grad_(True)
        n_weights = theta.shape[0] - 1
        prior_precision = 1.0 / self.weight_prior_std**2
        noise_prior_centre = float(np.log(self.noise_prior_mean))
        noise_prior_precision = 1.0 / self.noise_prior_std**2
        eps = float(np.sqrt(self.step_size))  # pybnn's convention: the update uses eps^2 = step_size
        decay = float(self.momentum_decay)
        tau = torch.ones_like(theta.detach())
        g = torch.ones_like(tau)
        v = torch.ones_like(tau)
        momentum = torch.zeros_like(tau)
        kept = []
        total = self.burn_in_steps + self.sample_steps
        batches: list[np.ndarray] = []
        for step in range(1, total + 1):
            if not batches:
                batches = minibatches(n, self.batch_size, rng)[::-1]
            idx = torch.as_tensor(batches.pop(), device=device)
            mean = flat_forward(theta.unsqueeze(0), x[idx], shapes)[0]
            log_var = theta[-1]
            nll = 0.5 * ((zt[idx] - mean) ** 2 * torch.exp(-log_var) + log_var).mean()
            prior = 0.5 * prior_precision * theta[:n_weights].pow(2).sum()
            prior = prior + 0.5 * noise_prior_precision * (log_var - noise_prior_centre) ** 2
            potential = nll + prior / n  # times n below: the whole-data negative log posterior
            (grad,) = torch.autograd.grad(potential, theta)
            with torch.no_grad():
                grad = grad * n
                if step <= self.burn_in_steps:
                    r = 1.0 / (tau + 1.0)
                    tau.add_(1.0 - tau * g * g / v)
                    g.mul_(1.0 - r).add_(r * grad)
                    v.mul_(1.0 - r).add_(r * grad * grad)
                inv_sqrt_v = 1.0 / torch.sqrt(v + SECOND_MOMENT_FLOOR)
                noise_var = torch.clamp(2.0 * eps**2 * decay * inv_sqrt_v - eps**4, min=1e-16)
                kick = torch.randn_like(momentum) * noise_var.sqrt()
                momentum.add_(-(eps**2) * inv_sqrt_v * grad - decay * momentum + kick)
                theta.add_(momentum)
            if step > self.burn_in_steps and (step - self.burn_in_steps) % self.keep_every == 0:
                kept.append(theta.detach().clone())
        samples = torch.stack(kept)
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
